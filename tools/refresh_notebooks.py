"""Re-execute the notebooks offline and keep only the outputs the course commits.

The rule (README, "Committed outputs"): a code cell keeps its outputs only when it is tagged
``nbval-check-output`` — outputs that are identical online and offline and across runs, which
nbval then checks. Every other output, all execution counts and execution metadata are removed.

Usage: ``make notebooks`` (or ``python tools/refresh_notebooks.py [notebook ...]``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
CHECK_TAG = "nbval-check-output"
KEPT_CELL_METADATA = ("tags",)


def keeps_output(cell: nbformat.NotebookNode) -> bool:
    return cell.cell_type == "code" and CHECK_TAG in cell.metadata.get("tags", [])


def clean(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Strip everything but committed outputs; normalise metadata so diffs stay reviewable."""
    for cell in notebook.cells:
        cell.metadata = {k: v for k, v in cell.metadata.items() if k in KEPT_CELL_METADATA}
        cell.pop("id", None)
        if cell.cell_type != "code":
            continue
        # nbval skips checking a cell without an execution count, so checked cells keep "1".
        cell.execution_count = 1 if keeps_output(cell) else None
        if not keeps_output(cell):
            cell.outputs = []
        for output in cell.outputs:
            if "execution_count" in output:
                output.execution_count = cell.execution_count
    notebook.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    notebook.nbformat, notebook.nbformat_minor = 4, 4
    return notebook


def refresh(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()
    nbformat.write(clean(notebook), path)
    print(f"refreshed {path.name}")


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or sorted(NOTEBOOKS.glob("[0-9][0-9]*.ipynb"))
    for path in paths:
        refresh(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
