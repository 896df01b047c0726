"""Draw the course's diagrams into notebooks/figures/ (SVG), from code, so they can be reviewed.

Each module in ``tools/figures/`` defines ``FIGURES``: {file stem: function returning a matplotlib
Figure}, drawn with the helpers of ``tools/figures/shapes.py`` (the one module without FIGURES,
which this script passes over). File stems name the topic, not a notebook's number. Diagrams of a model's structure read its real config (sizes, layer counts), so the picture
and the numbers a notebook prints agree. Notebooks show them with ``![…](figures/<stem>.svg)``.
The SVGs are written without dates and with fixed element ids, so rerunning this changes nothing
unless a drawing changed; ``tests/test_figures.py`` checks that.

Usage: ``make figures`` (or ``python tools/make_figures.py [--out DIR]``).
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import matplotlib

matplotlib.use("svg")
import matplotlib.pyplot as plt  # after choosing the headless backend

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "notebooks" / "figures"
sys.path.insert(0, str(REPO / "tools"))


def figure_modules() -> dict[str, ModuleType]:
    """The modules in tools/figures that define FIGURES, by name (helper modules have none)."""
    import figures as package

    modules = {}
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"figures.{info.name}")
        if hasattr(module, "FIGURES"):
            modules[info.name] = module
    return modules


def all_figures() -> dict[str, Callable[[], plt.Figure]]:
    """Every figure function of every figure module, by file stem (stems are unique)."""
    found: dict[str, Callable[[], plt.Figure]] = {}
    for module in figure_modules().values():
        for stem, draw in module.FIGURES.items():
            assert stem not in found, f"two figure functions write {stem}.svg"
            found[stem] = draw
    return found


def write(out: Path, names: list[str] | None = None) -> list[Path]:
    """Draw the figures (all, or those named) into ``out``; return the files written."""
    plt.rcParams["svg.hashsalt"] = "transformer-variants"  # stable element ids
    plt.rcParams["svg.fonttype"] = "none"  # text stays text: smaller, searchable
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for stem, draw in all_figures().items():
        if names and stem not in names:
            continue
        figure = draw()
        path = out / f"{stem}.svg"
        figure.savefig(path, format="svg", bbox_inches="tight", metadata={"Date": None})
        plt.close(figure)
        written.append(path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="figure stems to draw (default: all)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    for path in write(args.out, args.names):
        print(path.relative_to(REPO) if path.is_relative_to(REPO) else path)


if __name__ == "__main__":
    main()
