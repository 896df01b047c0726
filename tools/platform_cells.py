"""Write the Colab/Kaggle badges and the platform install cell at the top of every notebook.

Both are generated from ``[tool.transformer-variants]`` in pyproject.toml (repository, git ref,
Kaggle user), so a fork changes the coordinates in that one place and reruns this tool
(``make notebooks`` does). The tests check every notebook carries the current cells.

The install cell is the first code cell a learner meets, so it is five short lines: a test of
two environment variables that Colab and Kaggle always set (``course_utils`` is not there yet
to ask; a test checks the cell agrees with ``course_utils.environment.detect_platform``), a
``%pip install`` of the package with its ``platform`` extra at the pinned release, and an
import that fails with the fix in view when pip did. Elsewhere (``make lab``, CI) it does
nothing.

Usage: ``python tools/platform_cells.py`` (rewrites the notebooks in place, sources only).
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from make_kaggle_metadata import NOTEBOOKS, coordinates
from refresh_notebooks import clean

from course_utils.environment import COLAB_MARKER, KAGGLE_MARKER

BADGES_TAG = "platform-badges"
SETUP_TAG = "platform-setup"
PACKAGE = "transformer-variants-course-utils"
EXTRA = "platform"  # the libraries Colab/Kaggle may lack; see pyproject.toml
COLAB_BADGE = "https://colab.research.google.com/assets/colab-badge.svg"
KAGGLE_BADGE = "https://kaggle.com/static/images/open-in-kaggle.svg"


def github_blob_url(notebook: Path, repository: str, ref: str) -> str:
    return f"https://github.com/{repository}/blob/{ref}/notebooks/{notebook.name}"


def badges_source(notebook: Path) -> str:
    """Markdown with the Open-in-Colab and Open-in-Kaggle badges for ``notebook``."""
    where = coordinates()
    repository, ref = where["github_repository"], where["git_ref"]
    colab = f"https://colab.research.google.com/github/{repository}/blob/{ref}/notebooks/{notebook.name}"
    kaggle = f"https://kaggle.com/kernels/welcome?src={github_blob_url(notebook, repository, ref)}"
    return (
        f"[![Open In Colab]({COLAB_BADGE})]({colab}) "
        f"[![Open In Kaggle]({KAGGLE_BADGE})]({kaggle})\n\n"
        "On Colab or Kaggle, run the first code cell before anything else: it installs the "
        "course's helpers."
    )


def install_requirement() -> str:
    """The pip requirement the install cell uses: the package, its platform extra, a pinned ref."""
    where = coordinates()
    url = f"git+https://github.com/{where['github_repository']}@{where['git_ref']}"
    return f"{PACKAGE}[{EXTRA}] @ {url}"


def setup_source() -> str:
    """The first code cell: on Colab/Kaggle only, pip-installs course_utils, then imports it.

    Five lines (isort's blank line included). The import is the check: when pip fails
    (Kaggle's Internet switch is off by default), the learner's traceback ends on that line,
    whose comment says what to do.
    """
    colab, kaggle = COLAB_MARKER, KAGGLE_MARKER
    return (
        "import os  # this cell installs the course's helpers on Colab and Kaggle; elsewhere it "
        "does nothing\n"
        "\n"
        f'if "{colab}" in os.environ or "{kaggle}" in os.environ:\n'
        f'    %pip install -q "{install_requirement()}"\n'
        "    import course_utils  # failed? See pip's message. On Kaggle: switch on Internet in "
        "Settings, rerun"
    )


def with_platform_cells(notebook_node: nbformat.NotebookNode, path: Path) -> nbformat.NotebookNode:
    """The notebook with the two generated cells in front (old copies of them removed)."""

    def tagged(cell: nbformat.NotebookNode, tag: str) -> bool:
        return tag in cell.get("metadata", {}).get("tags", [])

    lesson = [
        cell
        for cell in notebook_node.cells
        if not (tagged(cell, BADGES_TAG) or tagged(cell, SETUP_TAG))
    ]
    badges = nbformat.v4.new_markdown_cell(badges_source(path), metadata={"tags": [BADGES_TAG]})
    setup = nbformat.v4.new_code_cell(setup_source(), metadata={"tags": [SETUP_TAG]})
    # Keep the title cell first (it is what a reader sees), then badges, then the install cell.
    title, rest = lesson[:1], lesson[1:]
    notebook_node.cells = [*title, badges, setup, *rest]
    return clean(notebook_node)  # the committed form: no ids, no execution noise


def main() -> int:
    for path in sorted(NOTEBOOKS.glob("[0-9][0-9]*.ipynb")):
        notebook_node = nbformat.read(path, as_version=4)
        nbformat.write(with_platform_cells(notebook_node, path), path)
        print(f"platform cells: {path.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
