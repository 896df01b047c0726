"""Put notebooks in their committed form without running them (the pre-commit hook).

The rule (README, "Committed outputs"): only cells tagged ``nbval-check-output`` keep their
outputs; no execution counts besides theirs, no execution metadata. This strips what a saved
JupyterLab session leaves behind and exits 1 when it changed a file, as pre-commit hooks do.
Refreshing the checked outputs themselves needs a run: ``make notebooks``.

Usage: ``python tools/check_notebooks.py notebooks/NN_topic.ipynb ...``
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from refresh_notebooks import clean


def main(argv: list[str]) -> int:
    changed = []
    for name in argv:
        path = Path(name)
        before = path.read_text()
        nbformat.write(clean(nbformat.read(path, as_version=4)), path)
        if path.read_text() != before:
            changed.append(name)
    for name in changed:
        print(f"stripped outputs and metadata from {name}: review and commit it again")
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
