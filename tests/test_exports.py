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
