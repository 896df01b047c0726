"""The lesson modules are exactly what their notebooks' ``export`` cells make (``make export``)."""

from __future__ import annotations

import sys

import nbformat
import pytest
from conftest import NOTEBOOKS, REPO

sys.path.insert(0, str(REPO / "tools"))
import export_lessons


@pytest.mark.parametrize("stem", sorted(export_lessons.LESSON_MODULES))
def test_each_lesson_module_equals_its_notebook(stem):
    module = export_lessons.LESSON_MODULES[stem]
    written = export_lessons.module_path(module).read_text()
    assert written.splitlines()[0] == export_lessons.HEADER.format(notebook=f"{stem}.ipynb")
    assert written == export_lessons.exported_source(NOTEBOOKS / f"{stem}.ipynb"), (
        f"course_utils/lessons/{module}.py differs from notebooks/{stem}.ipynb: run `make export`"
    )


def test_an_edited_export_cell_is_noticed(tmp_path, monkeypatch):
    stem, module = next(iter(export_lessons.LESSON_MODULES.items()))
    notebook = nbformat.read(NOTEBOOKS / f"{stem}.ipynb", as_version=4)
    cell = next(c for c in notebook.cells if "export" in c.metadata.get("tags", []))
    cell.source += "\n# an edit made in the notebook only"
    nbformat.write(notebook, tmp_path / f"{stem}.ipynb")
    monkeypatch.setattr(export_lessons, "NOTEBOOKS", tmp_path)
    monkeypatch.setattr(export_lessons, "LESSON_MODULES", {stem: module})
    assert export_lessons.main(["--check"]) == 1
    assert export_lessons.module_path(module).read_text() != export_lessons.exported_source(
        tmp_path / f"{stem}.ipynb"
    )


def test_no_notebook_prints_the_source_of_exported_code():
    for path in sorted(NOTEBOOKS.glob("[0-9]*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        for cell in notebook.cells:
            assert "show_source(" not in cell.source, f"{path.name}: build it in cells instead"


def _imports_of(path):
    import ast

    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            yield node.module
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)


def test_lesson_modules_stay_thin():
    """No input-checking machinery in what a learner builds: asserts and the libraries' errors."""
    import ast

    lessons = export_lessons.LESSONS
    raises = sum(p.read_text().count("raise ") for p in lessons.glob("scratch_*.py"))
    assert raises <= 5, f"{raises} raise statements in the from-scratch models"
    allowed = {"course_utils.plotting", "course_utils.data"}
    for path in lessons.glob("*.py"):
        own = {m for m in _imports_of(path) if m.startswith("course_utils")}
        assert own <= allowed | {m for m in own if m.startswith("course_utils.lessons")}, path
    source = (lessons / "scratch_gpt.py").read_text()
    lines = source.splitlines()
    functions = {n.name: n for n in ast.parse(source).body if isinstance(n, ast.FunctionDef)}
    counted = 0
    for name in ("generate", "top_k_top_p"):  # generate and every helper it calls
        node = functions[name]
        first = min([node.lineno] + [d.lineno for d in node.decorator_list])
        counted += sum(1 for line in lines[first - 1 : node.end_lineno] if line.strip())
    assert counted <= 35, f"generate with its helpers takes {counted} lines"
