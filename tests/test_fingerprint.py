"""Zoo fingerprints follow the code a recipe really imports: not comments, docstrings or lessons.

Edits are made to a copy of the package in ``tmp_path``, never to the real one.
"""

from __future__ import annotations

import ast
import shutil
from dataclasses import replace
from fnmatch import fnmatch
from pathlib import Path

import pytest

from course_utils.paths import PACKAGE_DIR, data_dir
from course_utils.zoo import fingerprint as fingerprint_module
from course_utils.zoo.fingerprint import (
    CodeIndex,
    commit_sha,
    fingerprint,
    fingerprints,
    normalised_source,
)
from course_utils.zoo.recipe import Recipe, all_recipes

# What the notebooks teach, show or score with: editing it must rebuild no stand-in.
LESSON_MODULES = (
    "lessons/*",
    "adaptation.py",
    "attention_cost.py",
    "embeddings.py",
    "exercises.py",
    "finetuning.py",
    "generation.py",
    "memory.py",
    "model_sizes.py",
    "scratch_*.py",
    "seq2seq.py",
    "tasks/*",
)
# What a recipe may build with: set-up, Hub access, servers, data, task formats, the zoo itself.
INFRASTRUCTURE = (
    "__init__.py",
    "chat.py",
    "compat.py",
    "configs.py",
    "data.py",
    "environment.py",
    "errors.py",
    "http_server.py",
    "hub_access.py",
    "local_hub.py",
    "paths.py",
    "session.py",
    "task_formats.py",
    "timeouts.py",
    "token_limit.py",
    "zoo/*",
)
# Display helpers either side may use; no recipe needs them.
SHARED = ("plotting.py", "timing.py")


def _matches(module: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatch(module, pattern) for pattern in patterns)


def _modules(package: Path) -> list[str]:
    return sorted(p.relative_to(package).as_posix() for p in package.rglob("*.py"))


def _closure(recipe: Recipe) -> set[str]:
    return set(CodeIndex().imported_code(recipe.module_file))


def test_every_module_is_lesson_infrastructure_or_shared():
    """A new module must be put in one group, so the lesson set below stays complete."""
    for module in _modules(PACKAGE_DIR):
        groups = [_matches(module, g) for g in (LESSON_MODULES, INFRASTRUCTURE, SHARED)]
        assert sum(groups) == 1, f"{module}: in {sum(groups)} of lesson/infrastructure/shared"


@pytest.mark.parametrize("name", list(all_recipes()))
def test_no_recipe_imports_a_lesson_module(name):
    closure = _closure(all_recipes()[name])
    assert not [m for m in closure if _matches(m, LESSON_MODULES)], closure
    assert all(_matches(m, INFRASTRUCTURE) for m in closure), closure


def test_setup_modules_are_in_no_fingerprint():
    """``from course_utils import data`` passes through the package ``__init__`` (which imports
    ``session``), but a build calls nothing defined there."""
    for recipe in all_recipes().values():
        closure = _closure(recipe)
        assert not closure & {"__init__.py", "session.py", "environment.py", "zoo/__init__.py"}


def test_a_closure_is_what_the_recipe_imports():
    assert _closure(all_recipes()["gpt2"]) == {
        "zoo/recipes/gpt2.py",
        "zoo/recipe.py",
        "zoo/recipes/__init__.py",  # recipe.py's all_recipes() imports the recipes package
        "zoo/story_decoders.py",
        "zoo/tokenizers_.py",
        "zoo/training.py",
        "data.py",
        "paths.py",
    }
    assert _closure(all_recipes()["distilbert-squad"]) == {
        "zoo/recipes/distilbert_squad.py",
        "zoo/recipe.py",
        "zoo/recipes/__init__.py",
        "zoo/minilm.py",
        "zoo/task_training.py",
        "zoo/training.py",
        "task_formats.py",  # its data types are imported only for type checking
        "data.py",
        "paths.py",
    }


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_every_import_form_is_followed_and_type_checking_imports_are_not(tmp_path):
    package = tmp_path / "course_utils"
    _write(
        package,
        {
            "__init__.py": "from course_utils.session import setup\n",
            "session.py": "def setup(): pass\n",
            "absolute.py": "import course_utils.plain\n",
            "relative.py": "def build():\n    from . import plain\n    from .sub.leaf import x\n",
            "plain.py": "x = 1\n",
            "typed.py": (
                "from typing import TYPE_CHECKING\n"
                "if TYPE_CHECKING:\n    from course_utils import session\n"
                "else:\n    from course_utils.sub import leaf\n"
            ),
            "through.py": "from course_utils.sub import leaf\n",
            "defined.py": "from course_utils.sub import VALUE\n",
            "whole.py": "import course_utils\n\ncourse_utils.plain.x\n",
            "sub/__init__.py": "VALUE = 1\n",
            "sub/leaf.py": "from ..plain import x\n",
        },
    )

    def closure(name: str) -> set[str]:
        return set(CodeIndex().imported_code(package / name)) - {name}

    assert closure("absolute.py") == {"plain.py"}
    assert closure("relative.py") == {"plain.py", "sub/leaf.py"}  # inside a function, too
    assert closure("typed.py") == {"sub/leaf.py", "plain.py"}  # leaf's import, not typed's
    assert closure("through.py") == {"sub/leaf.py", "plain.py"}  # no __init__ passed through
    assert closure("defined.py") == {"sub/__init__.py"}  # VALUE is defined there
    assert closure("whole.py") == {"__init__.py", "session.py", "plain.py"}


def test_normalised_source_ignores_comments_docstrings_and_layout():
    def normalised(source: str) -> str:
        return normalised_source(ast.parse(source))

    documented = '"""A module."""\n\ndef f(x):\n    """Why."""\n    return x + 1  # one more\n'
    reformatted = "def f(x):\n    return (x +\n            1)\n"
    assert normalised(documented) == normalised(reformatted)
    assert normalised(documented) != normalised("def f(x):\n    return x + 2\n")
    assert normalised(documented) != normalised("def f(x):\n    return 'x + 1'\n")


@pytest.fixture
def package_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "course_utils"
    shutil.copytree(PACKAGE_DIR, copy, ignore=shutil.ignore_patterns("__pycache__", "course_data"))
    return copy


def _fingerprints(package: Path) -> dict[str, str]:
    """Every recipe's fingerprint, its code read from ``package`` (a copy of course_utils)."""
    recipes = [
        replace(r, module_file=package / r.module_file.relative_to(PACKAGE_DIR))
        for r in all_recipes().values()
    ]
    return fingerprints(recipes, data_dir())


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text() + text)


def _edit_docstrings(path: Path) -> None:
    """Reword the module's docstring and its first function's."""
    tree = ast.parse(path.read_text())
    function = next(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef))
    lines = path.read_text().splitlines(keepends=True)
    for line in (tree.body[0].lineno - 1, function.body[0].lineno - 1):
        assert '"""' in lines[line], "expected a docstring here"
        lines[line] = lines[line].replace('"""', '"""Reworded. ', 1)
    path.write_text("".join(lines))


def _comment_and_reformat(path: Path) -> None:
    text = path.read_text()
    edited = text.replace("\n\n\ndef ", "\n\n\n# A new comment.\n\n\ndef ", 1)
    edited = edited.replace("import annotations", "import (\n    annotations,\n)", 1)
    assert edited.count("\n") == text.count("\n") + 5, "expected a comment and a reformat"
    path.write_text(edited)


CODE = "\n\ndef added() -> int:\n    return 1\n"
NO_REBUILD = {
    "a lesson module": lambda p: _append(p / "generation.py", CODE),
    "an exported lesson": lambda p: _append(p / "lessons/__init__.py", CODE),
    "a task helper": lambda p: _append(p / "tasks/qa.py", CODE),
    "an unrelated module": lambda p: _append(p / "chat.py", CODE),
    "zoo plumbing": lambda p: _append(p / "zoo/builder.py", CODE),
    "the package __init__": lambda p: _append(p / "__init__.py", CODE),
    "docstrings of a real dependency": lambda p: _edit_docstrings(p / "zoo/training.py"),
    "docstrings of the format module": lambda p: _edit_docstrings(p / "task_formats.py"),
    "comments and layout of data.py": lambda p: _comment_and_reformat(p / "data.py"),
}


@pytest.mark.parametrize("edit", list(NO_REBUILD))
def test_editing_no_real_dependency_changes_no_fingerprint(package_copy, edit):
    before = _fingerprints(package_copy)
    assert before == _fingerprints(PACKAGE_DIR)  # the copy fingerprints like the original
    NO_REBUILD[edit](package_copy)
    assert _fingerprints(package_copy) == before


def _changed(package: Path, module: str) -> set[str]:
    before = _fingerprints(package)
    _append(package / module, CODE)
    after = _fingerprints(package)
    return {name for name in before if after[name] != before[name]}


def test_editing_code_a_recipe_imports_changes_its_fingerprint(package_copy):
    assert _changed(package_copy, "task_formats.py") == {
        "flan-t5-small",
        "distilbert-squad",
        "bert-base-ner",
    }
    training = _changed(package_copy, "zoo/training.py")
    assert "gpt2" in training and "all-minilm-l6-v2" not in training
    assert {"gpt2", "flan-t5-small"} <= _changed(package_copy, "data.py")
    # A recipe's own module: it, and the stand-in converted from its output (needs).
    assert _changed(package_copy, "zoo/recipes/bert_base_uncased.py") == {
        "bert-base-uncased",
        "distilbert-base-uncased",
    }


def test_fingerprint_follows_data_and_dependencies(tmp_path, monkeypatch):
    (tmp_path / "set.txt").write_text("one")
    recipe = Recipe(
        "r", ("org/r",), "X", "test", build=lambda context: None, data_files=("set.txt",)
    )
    first = fingerprint(recipe, tmp_path, {})
    source = fingerprint(recipe, tmp_path, {}, with_libraries=False)
    assert fingerprint(recipe, tmp_path, {}) == first
    assert fingerprint(recipe, tmp_path, {"base": "1"}) != first
    # Another library version: another stand-in, but the same sources (a port finds its donor).
    real_versions = fingerprint_module.library_versions
    monkeypatch.setattr(
        fingerprint_module,
        "library_versions",
        lambda names=fingerprint_module.LIBRARIES: {
            name: "4.57" if name == "transformers" else version
            for name, version in real_versions(names).items()
        },
    )
    assert fingerprint(recipe, tmp_path, {}) != first
    assert fingerprint(recipe, tmp_path, {}, with_libraries=False) == source
    (tmp_path / "set.txt").write_text("two")
    assert fingerprint(recipe, tmp_path, {}, with_libraries=False) != source
    assert len(commit_sha(first, "org/r")) == 40
    with pytest.raises(FileNotFoundError, match="missing"):
        fingerprint(Recipe("r", ("o/r",), "X", "t", lambda c: None, ("absent.txt",)), tmp_path, {})


def test_a_package_that_ships_weights_counts_for_its_recipe_only(tmp_path, monkeypatch):
    """``Recipe.libraries``: its version is part of that recipe's fingerprint, source included
    (the 4.x zoo ports the 5.x build only when both read the same shipped files)."""
    plain = Recipe("p", ("org/p",), "X", "test", build=lambda context: None)
    shipped = Recipe("s", ("org/s",), "X", "test", build=lambda context: None, libraries=("w",))
    versions = {"w": "1.0"}
    real_versions = fingerprint_module.library_versions
    monkeypatch.setattr(
        fingerprint_module,
        "library_versions",
        lambda names=fingerprint_module.LIBRARIES: {
            name: versions.get(name) or real_versions([name])[name] for name in names
        },
    )
    before = {
        r.name: (fingerprint(r, tmp_path, {}), fingerprint(r, tmp_path, {}, False))
        for r in (plain, shipped)
    }
    versions["w"] = "2.0"
    after = {
        r.name: (fingerprint(r, tmp_path, {}), fingerprint(r, tmp_path, {}, False))
        for r in (plain, shipped)
    }
    assert after["p"] == before["p"]
    assert after["s"][0] != before["s"][0] and after["s"][1] != before["s"][1]
