"""The diagrams under notebooks/figures/ are what tools/make_figures.py draws, and are used."""

from __future__ import annotations

import re
import subprocess
import sys

from conftest import REPO, notebook_paths

FIGURES = REPO / "notebooks" / "figures"
IMAGE = re.compile(r"!\[[^\]]*\]\((figures/[^)\s]+)\)")


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
