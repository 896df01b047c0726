"""Print requirements.txt with the pins of requirements-compat.txt in place of its own.

``make test-compat`` installs the result into ``.venv-compat``: the same environment as the main
one except for the older transformers generation and the few libraries that move with it.
"""

from __future__ import annotations

import sys
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parent.parent


def pins(path: Path) -> dict[str, str]:
    """{normalised name: requirement line} of a requirements file (comments dropped)."""
    lines = (line.split("#")[0].strip() for line in path.read_text().splitlines())
    return {canonicalize_name(Requirement(line).name): line for line in lines if line}


def merged() -> dict[str, str]:
    base, overrides = pins(REPO / "requirements.txt"), pins(REPO / "requirements-compat.txt")
    unknown = set(overrides) - set(base)
    if unknown:
        raise SystemExit(f"requirements-compat.txt pins {sorted(unknown)}, not in requirements.txt")
    return base | overrides


def main() -> int:
    print("\n".join(merged().values()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
