"""What a stand-in recipe is, and how the zoo finds them.

A recipe is one module in ``course_utils/zoo/recipes/`` that defines ``RECIPE``. Adding a
stand-in means adding such a module (and, if it trains, its data under ``data/``): the zoo's
core code never changes for it.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path


@dataclass(frozen=True)
class BuildContext:
    """What a recipe's ``build`` function gets.

    Attributes:
        out_dir: an empty folder; the recipe saves a complete Hugging Face model repo here
            (``save_pretrained`` of the model and its tokenizer, plus any extra files).
        inputs: the finished output folders of the recipes named in ``Recipe.needs``.
        data_dir: the project's ``data/`` folder.
        seed: seed every random generator with it, so builds repeat.
    """

    out_dir: Path
    inputs: dict[str, Path]
    data_dir: Path
    seed: int = 0


@dataclass(frozen=True)
class Recipe:
    """How to build one offline stand-in and under which Hub ids to serve it.

    Attributes:
        name: short unique name, used for build folders and ``needs``.
        repo_ids: the real Hub ids it stands in for; the first is canonical, the rest aliases
            (for example ``bert-base-uncased`` beside ``google-bert/bert-base-uncased``).
        architecture: the transformers class the stand-in keeps, same as the real model's.
        summary: one line for ``python -m course_utils.zoo list``.
        build: writes the model repo into ``BuildContext.out_dir``.
        data_files: paths under ``data/`` the build reads; part of the fingerprint. (The code
            it runs is found from the recipe module's imports: see ``fingerprint``.)
        needs: names of recipes whose output this one starts from.
        libraries: packages beside ``fingerprint.LIBRARIES`` whose versions shape this stand-in
            (a package that ships the weights): part of its fingerprint only.
        gated: the real model is gated on the Hub. The stand-in is built but not put in the
            offline cache: only the course's local test Hub serves it, and only after login,
            so offline runs meet the same gate as online ones (notebook 05).
        module_file: the recipe's module (``all_recipes`` sets it): the code it imports is part
            of the fingerprint.
    """

    name: str
    repo_ids: tuple[str, ...]
    architecture: str
    summary: str
    build: Callable[[BuildContext], None]
    data_files: tuple[str, ...] = ()
    needs: tuple[str, ...] = field(default_factory=tuple)
    libraries: tuple[str, ...] = ()
    gated: bool = False
    module_file: Path | None = None

    @property
    def cached_ids(self) -> tuple[str, ...]:
        """The ids installed in the offline Hugging Face cache (none for a gated model)."""
        return () if self.gated else self.repo_ids


@cache
def all_recipes() -> dict[str, Recipe]:
    """Every recipe in ``course_utils.zoo.recipes``, by name, in dependency order."""
    from course_utils.zoo import recipes as package

    found: dict[str, Recipe] = {}
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        recipe = getattr(module, "RECIPE", None)
        if recipe is None:
            continue
        if recipe.name in found:
            raise ValueError(f"Two recipes are named {recipe.name!r}; names must be unique.")
        found[recipe.name] = _with_module_file(recipe, Path(module.__file__))  # type: ignore[arg-type]  # a recipe is a .py file: __file__ is set
    return {recipe.name: recipe for recipe in _dependency_order(found)}


def _with_module_file(recipe: Recipe, path: Path) -> Recipe:
    from dataclasses import replace

    return replace(recipe, module_file=path)


def _dependency_order(recipes: dict[str, Recipe]) -> list[Recipe]:
    ordered: list[Recipe] = []
    visiting: set[str] = set()

    def visit(name: str) -> None:
        if any(r.name == name for r in ordered):
            return
        if name not in recipes:
            raise ValueError(f"A recipe needs {name!r}, but no recipe has that name.")
        if name in visiting:
            raise ValueError(f"Recipes depend on each other in a cycle through {name!r}.")
        visiting.add(name)
        for needed in recipes[name].needs:
            visit(needed)
        visiting.discard(name)
        ordered.append(recipes[name])

    for name in recipes:
        visit(name)
    return ordered
