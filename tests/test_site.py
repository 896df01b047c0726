"""`make site`: the executed notebooks as a static site that opens in a real (headless) browser."""

from __future__ import annotations

import sys

import pytest
from browser import chromium_page, screenshot, serve_folder
from conftest import REPO, notebook_paths

sys.path.insert(0, str(REPO / "tools"))
import make_site

PAGE_WITH_PLOTS = "12_challenges"  # the O(n²) fit, attention maps, LoRA accuracy


@pytest.fixture(scope="module")
def site(executed_notebooks, tmp_path_factory):
    """The site built from this run's executed notebooks (every one must have executed)."""
    failed = {name: error for name, error in executed_notebooks.items() if isinstance(error, str)}
    assert not failed, f"notebooks failed to execute: {sorted(failed)}"
    target = tmp_path_factory.mktemp("site")
    lessons = make_site.build_site(target)
    return target, lessons


def test_the_site_has_every_lesson_in_course_order(site):
    target, lessons = site
    assert [lesson.stem for lesson in lessons] == [path.stem for path in notebook_paths()]
    for lesson in lessons:
        assert lesson.title.startswith(lesson.stem.split("_")[0] + " · ")
        assert lesson.summary and (target / lesson.page).exists()
        page = (target / lesson.page).read_text()
        assert "_collect_values" not in page, f"{lesson.page} shows the harness's hidden cell"


def test_a_missing_executed_notebook_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setattr(make_site, "EXECUTED", tmp_path)
    with pytest.raises(make_site.SiteError, match="Run `make test` first"):
        make_site.build_site(tmp_path / "site")


def test_index_and_a_lesson_render_in_chromium_with_their_plots(site):
    target, lessons = site
    with serve_folder(target) as base, chromium_page() as page:
        page.goto(f"{base}/index.html")
        links = page.locator("ol li a.lesson")
        assert links.count() == len(lessons)
        assert [links.nth(i).get_attribute("href") for i in range(links.count())] == [
            lesson.page for lesson in lessons
        ]
        screenshot(page, "site_index")

        page.locator(f'a.lesson[href="{PAGE_WITH_PLOTS}.html"]').click()
        page.wait_for_load_state("load")
        assert page.url.endswith(f"/{PAGE_WITH_PLOTS}.html")
        heading = page.locator("h1").first.inner_text()
        assert heading.startswith("12 · ")
        widths = page.eval_on_selector_all(
            "img[src^='data:image/png']", "images => images.map(image => image.naturalWidth)"
        )
        assert len(widths) >= 3 and all(width > 100 for width in widths), widths
        assert page.locator("nav.course-nav a[href='index.html']").count() == 1
        page.locator("img[src^='data:image/png']").first.scroll_into_view_if_needed()
        path = screenshot(page, f"site_{PAGE_WITH_PLOTS}")
    assert path.stat().st_size > 10_000
