"""`make site`: the executed notebooks as a Jupyter Book that works in a real (headless) browser."""

from __future__ import annotations

import re
import sys

import nbformat
import pytest
from browser import chromium_page, screenshot, serve_folder
from conftest import EXECUTED, REPO, notebook_paths

sys.path.insert(0, str(REPO / "tools"))
import make_site
import platform_cells

BOX_TITLES = tuple(make_site.BOXES)


@pytest.fixture(scope="module")
def site(executed_notebooks, tmp_path_factory):
    """The site built from this run's executed notebooks (every one must have executed)."""
    failed = {name: error for name, error in executed_notebooks.items() if isinstance(error, str)}
    assert not failed, f"notebooks failed to execute: {sorted(failed)}"
    target = tmp_path_factory.mktemp("site")
    lessons = make_site.build_site(target, executed=EXECUTED)
    return target, lessons


def _markdown(path) -> str:
    notebook = nbformat.read(path, as_version=4)
    return "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")


# Without executed notebooks: how the site's copy of a notebook is made.


def test_the_course_boxes_become_admonitions_and_nothing_else_changes():
    markdown = (
        "Before.\n\n"
        "> **Mistakes in popular tutorials**\n>\n> They write:\n> ```python\n> f(x, y)\n> ```\n"
        "> Name the argument instead.\n\n"
        "> **Online and offline** Online, the real model answers.\n\n"
        "> An ordinary quotation stays one.\n"
    )
    converted = make_site.with_admonitions(markdown)
    assert converted.startswith("Before.\n\n:::{admonition} Mistakes in popular tutorials\n")
    assert ":class: warning\n\nThey write:\n```python\nf(x, y)\n```\nName the argument" in converted
    assert ":::{admonition} Online and offline\n:class: note\n\nOnline, the real model" in converted
    assert converted.endswith("\n\n> An ordinary quotation stays one.\n")
    assert converted.count(":::{admonition}") == 2 and converted.count("\n:::\n") == 2


def _executed_copy(folder, name: str, banner_line: str | None):
    cells = [nbformat.v4.new_markdown_cell(f"# {name}\n\nA lesson.")]
    setup = nbformat.v4.new_code_cell("session = course_utils.setup()")
    if banner_line:
        setup.outputs = [nbformat.v4.new_output("stream", name="stdout", text=banner_line)]
    notebook = nbformat.v4.new_notebook(cells=[*cells, setup])
    path = folder / f"{name}.ipynb"
    nbformat.write(notebook, path)
    return path


@pytest.mark.parametrize(
    ("banners", "message"),
    [
        (["· offline (stand-in models) ·", "· online (real Hub models) ·"], "one and the same"),
        (["· offline (stand-in models) ·", None], "setup banner"),
    ],
)
def test_the_banner_needs_every_run_in_one_mode(tmp_path, banners, message):
    paths = [
        _executed_copy(tmp_path, f"0{index}_x", banner and f"Transformer Variants · local {banner}")
        for index, banner in enumerate(banners)
    ]
    (tmp_path / "book").mkdir()
    with pytest.raises(make_site.SiteError, match=message):
        make_site.write_book(tmp_path / "book", paths)


def test_the_banner_names_the_models_of_either_mode():
    offline, online = make_site.banner("offline"), make_site.banner("online")
    assert "offline stand-ins" in offline
    assert all(name in offline for name in ("all-MiniLM-L6-v2", "SmolLM2-135M-Instruct"))
    assert "the real Hub models" in online and "stand-in" not in online


def test_the_book_is_not_executed_again_and_launches_colab_at_the_pinned_release():
    config = make_site.book_config("offline")
    assert config["execute"]["execute_notebooks"] == "off"
    assert config["launch_buttons"]["colab_url"] == "https://colab.research.google.com"
    where = platform_cells.coordinates()
    assert config["repository"] == {
        "url": f"https://github.com/{where['github_repository']}",
        "path_to_book": "notebooks",
        "branch": where["git_ref"],  # the ref the badges and the install cell pin
    }
    assert config["html"]["announcement"] == make_site.banner("offline")


def test_a_missing_executed_notebook_is_a_clear_error(tmp_path):
    with pytest.raises(make_site.SiteError, match="Run `make test` first"):
        make_site.build_site(tmp_path / "site", executed=tmp_path)


# The site built from this run's executed notebooks.


def test_the_site_has_every_lesson_in_course_order(site):
    target, lessons = site
    assert [lesson.stem for lesson in lessons] == [path.stem for path in notebook_paths()]
    for lesson in lessons:
        assert lesson.title.startswith(lesson.stem.split("_")[0] + " · ")
        assert lesson.summary
        page = (target / lesson.page).read_text()
        assert "_collect_values" not in page, f"{lesson.page} shows the harness's hidden cell"
        assert platform_cells.install_requirement() not in page, "the install cell is dropped"
        assert "colab.research.google.com/github/" in page, f"{lesson.page}: no launch button"
    assert (target / "search.html").exists() and (target / "searchindex.js").exists()


def _console_watch(page, base: str) -> list[str]:
    """Collect console errors, uncaught page errors and any request that leaves the site."""
    problems: list[str] = []
    page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on(
        "request",
        lambda r: (
            None
            if r.url.startswith((base, "data:", "blob:", "about:"))
            else problems.append(f"network: {r.url}")
        ),
    )
    return problems


def _open(page, url: str) -> None:
    page.goto(url)
    page.wait_for_load_state("networkidle")


def test_every_page_loads_offline_with_the_banner_its_figures_and_no_errors(site):
    target, lessons = site
    modes = {make_site.run_mode(nbformat.read(EXECUTED / f"{x.stem}.ipynb", 4)) for x in lessons}
    assert modes == {"offline"}  # the suite runs offline
    expected_banner = make_site.banner("offline")
    boxes = {title: 0 for title in BOX_TITLES}
    for lesson in lessons:
        for title in BOX_TITLES:
            boxes[title] += _markdown(EXECUTED / f"{lesson.stem}.ipynb").count(f"> **{title}**")
    images, shown_boxes = {"png": 0, "svg": 0}, {title: 0 for title in BOX_TITLES}
    with serve_folder(target) as base, chromium_page() as page:
        problems = _console_watch(page, base)
        _open(page, f"{base}/index.html")
        sidebar = page.locator("nav.bd-docs-nav a.reference.internal")
        hrefs = [sidebar.nth(i).get_attribute("href") for i in range(sidebar.count())]
        assert [href for href in hrefs if href != "#"] == [lesson.page for lesson in lessons]
        assert page.locator(".bd-header-announcement").inner_text().strip() == expected_banner
        screenshot(page, "site_index")
        for lesson in lessons:
            _open(page, f"{base}/{lesson.page}")
            heading = page.locator("h1").first.inner_text().replace("’", "'")
            assert heading.startswith(lesson.title[:20].replace("’", "'")), heading
            banner = page.locator(".bd-header-announcement").inner_text().strip()
            assert banner == expected_banner, lesson.page
            sizes = page.eval_on_selector_all(
                "article img",
                "images => images.map(i => [i.getAttribute('src'), i.complete, i.naturalWidth])",
            )
            broken = [src for src, complete, width in sizes if not (complete and width > 0)]
            assert not broken, f"{lesson.page}: images that did not render: {broken}"
            for src, _, _ in sizes:
                images["svg" if src.endswith(".svg") else "png"] += src.endswith((".svg", ".png"))
            for title in BOX_TITLES:
                shown_boxes[title] += page.locator(
                    "div.admonition > p.admonition-title", has_text=title
                ).count()
        assert not problems, problems
    assert images["png"] >= 3, f"too few plots on the site: {images}"
    figures = list((REPO / "notebooks" / "figures").glob("*.svg"))
    assert images["svg"] > 0 or not figures, f"no diagram from notebooks/figures shown: {images}"
    assert shown_boxes == boxes, "every course box is an admonition on the site"


def test_search_and_dark_mode_work_offline(site):
    target, _ = site
    with serve_folder(target) as base, chromium_page() as page:
        problems = _console_watch(page, base)
        _open(page, f"{base}/search.html?q=attention")
        results = page.locator("#search-results li")
        results.first.wait_for(timeout=30_000)
        assert results.count() >= 3  # several lessons explain attention
        light = page.evaluate("getComputedStyle(document.body).backgroundColor")
        for _ in range(3):  # the switch cycles through auto, light and dark
            if page.evaluate("document.documentElement.dataset.theme") == "dark":
                break
            page.locator("button.theme-switch-button").first.click()
        assert page.evaluate("document.documentElement.dataset.theme") == "dark"
        dark = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert dark != light
        screenshot(page, "site_search_dark")
        assert not problems, problems
    assert re.search(r"attention", (target / "searchindex.js").read_text(), re.I)
