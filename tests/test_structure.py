"""The package's structure: imports point one way (README, "Design notes")."""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import REPO

PACKAGE = REPO / "course_utils"


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path, known: set[str]) -> set[str]:
    """The course_utils modules ``path`` imports anywhere (functions included)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        found |= {name for name in names if name in known}
    return found - {module_name(path)}


def import_graph(package: Path = PACKAGE) -> dict[str, set[str]]:
    """Module → the modules it imports. Packages (``__init__``) are left out as targets:
    ``from course_utils import data`` names the package only on the way to ``data``."""
    paths = sorted(package.rglob("*.py"))
    packages = {module_name(path) for path in paths if path.name == "__init__.py"}
    known = {module_name(path) for path in paths} - packages
    return {module_name(path): imported_modules(path, known) for path in paths}


def test_no_import_cycle_in_course_utils():
    edges = import_graph()
    cycles = []

    def visit(module: str, path: list[str]) -> None:
        for target in edges.get(module, ()):
            if target in path:
                cycles.append(path[path.index(target) :] + [target])
            elif len(path) < 12:
                visit(target, [*path, target])

    for start in edges:
        visit(start, [start])
    assert not cycles, f"import cycles: {sorted({' → '.join(c) for c in cycles})}"
