"""Kaggle metadata: one valid, current kernel-metadata.json per notebook."""

from __future__ import annotations

import json
import sys

from conftest import REPO, notebook_paths

sys.path.insert(0, str(REPO / "tools"))
import make_kaggle_metadata

REQUIRED = {
    "id",
    "title",
    "code_file",
    "language",
    "kernel_type",
    "enable_gpu",
    "enable_internet",
    "dataset_sources",
    "competition_sources",
    "kernel_sources",
    "model_sources",
}


def test_every_notebook_has_current_metadata():
    expected = make_kaggle_metadata.expected_files()
    assert len(expected) == len(notebook_paths())
    for path, content in expected.items():
        assert path.exists(), f"missing {path.relative_to(REPO)}: run tools/make_kaggle_metadata.py"
        assert path.read_text() == content, f"{path.relative_to(REPO)} is stale: rerun the tool"


def test_metadata_is_valid_and_points_at_a_notebook():
    for path in make_kaggle_metadata.expected_files():
        metadata = json.loads(path.read_text())
        assert set(metadata) >= REQUIRED
        assert (path.parent / metadata["code_file"]).resolve().exists()
        owner, slug = metadata["id"].split("/")
        assert slug == make_kaggle_metadata.slugify(metadata["title"])
        assert metadata["language"] == "python" and metadata["kernel_type"] == "notebook"
