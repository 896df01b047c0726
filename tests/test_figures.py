"""The diagrams under notebooks/figures/ are what tools/make_figures.py draws, and are used."""

from __future__ import annotations

import re
import subprocess
import sys

from conftest import REPO, notebook_paths

FIGURES = REPO / "notebooks" / "figures"
# A Markdown image; its alt text may hold balanced brackets, such as "[CLS]".
IMAGE = re.compile(r"!\[(?:[^\[\]]|\[[^\[\]]*\])*\]\((figures/[^)\s]+)\)")


def test_committed_figures_are_exactly_what_the_script_draws(tmp_path):
    subprocess.run(
        [sys.executable, str(REPO / "tools" / "make_figures.py"), "--out", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    drawn = {p.name: p.read_bytes() for p in tmp_path.glob("*.svg")}
    committed = {p.name: p.read_bytes() for p in FIGURES.glob("*.svg")}
    assert drawn, "tools/figures draws nothing"
    assert sorted(drawn) == sorted(committed), "run `make figures` and commit notebooks/figures"
    changed = [name for name in drawn if drawn[name] != committed[name]]
    assert not changed, f"{changed} differ from what the script draws: run `make figures`"


def test_only_the_drawing_helpers_lack_figures():
    """make_figures passes over modules without FIGURES: that must be shapes.py alone, so a figure
    module that forgot its FIGURES fails here instead of silently drawing nothing."""
    sys.path.insert(0, str(REPO / "tools"))
    import make_figures

    names = {p.stem for p in (REPO / "tools" / "figures").glob("*.py")} - {"__init__"}
    assert names - set(make_figures.figure_modules()) == {"shapes"}


def test_figure_stems_carry_no_notebook_number():
    """Notebooks get renumbered; a figure's file name names its topic."""
    numbered = [p.name for p in FIGURES.glob("*.svg") if p.name[0].isdigit()]
    assert not numbered, f"rename {numbered}: a stem names the topic, not the notebook"


def test_every_notebook_shows_a_figure_and_every_figure_is_shown():
    shown: set[str] = set()
    for path in notebook_paths():
        text = path.read_text(encoding="utf-8")
        images = set(IMAGE.findall(text))
        assert images, f"{path.name} shows no figure from notebooks/figures"
        for image in images:
            assert (path.parent / image).is_file(), f"{path.name} shows missing {image}"
        shown |= {image.removeprefix("figures/") for image in images}
    unused = {p.name for p in FIGURES.glob("*.svg")} - shown
    assert not unused, f"figures no notebook shows: {sorted(unused)}"
