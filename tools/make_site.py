"""Render the executed notebooks (``build/executed/``) into a static course site (``build/site/``).

One HTML page per notebook, with its outputs and plots embedded (nbconvert's "lab" template), a
bar to move to the previous and next lesson, and ``index.html`` listing the lessons in course
order with their titles and first paragraphs. The pages need no server and no network: plots are
inline images, and the scripts nbconvert would fetch from a CDN are switched off. (Only the
Colab/Kaggle badges are remote images, useful only online anyway.)

Usage: ``make site`` (after ``make test``, which executes the notebooks into build/executed).
"""

from __future__ import annotations

import html
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter
from nbconvert.filters.markdown_mistune import markdown2html_mistune

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = REPO / "notebooks"
EXECUTED = REPO / "build" / "executed"
SITE = REPO / "build" / "site"
HIDDEN_TAGS = {"injected-parameters", "collect-values"}  # papermill's and the harness's
STYLE = """
<style>
  .course-nav { display: flex; justify-content: space-between; gap: 1em; padding: 0.6em 1em;
                font: 15px system-ui, sans-serif; background: #f3f4f6; border-bottom: 1px solid #ddd; }
  .course-nav a { color: #1d4ed8; text-decoration: none; }
  .course-index { max-width: 52em; margin: 2em auto; font: 16px/1.5 system-ui, sans-serif; }
  .course-index li { margin: 0.8em 0; }
  .course-index li p { margin: 0.2em 0; }
  .course-index .lesson { font-weight: 600; }
</style>
"""


@dataclass(frozen=True)
class Lesson:
    """One notebook as the site shows it."""

    stem: str
    title: str
    summary: str

    @property
    def page(self) -> str:
        return f"{self.stem}.html"


class SiteError(RuntimeError):
    """The site cannot be built from what is in build/executed."""


def lesson_of(notebook: nbformat.NotebookNode, stem: str) -> Lesson:
    """Title (the first heading) and summary (the first paragraph after it) of a notebook."""
    first = next(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
    lines = first.strip().splitlines()
    title = lines[0].lstrip("# ").strip()
    paragraphs = "\n".join(lines[1:]).strip().split("\n\n")
    summary = re.sub(r"\s+", " ", paragraphs[0]).strip() if paragraphs else ""
    return Lesson(stem, title, summary)


def executed_notebooks() -> list[Path]:
    """The executed copy of every notebook in notebooks/, in course order; all must exist."""
    sources = sorted(NOTEBOOKS.glob("[0-9][0-9]*.ipynb"))
    missing = [path.name for path in sources if not (EXECUTED / path.name).exists()]
    if not sources or missing:
        raise SiteError(
            f"No executed copy of {missing or 'any notebook'} in {EXECUTED}. "
            "Run `make test` first: it executes every notebook there, and the site shows them."
        )
    return [EXECUTED / path.name for path in sources]


def navigation(lessons: list[Lesson], index: int) -> str:
    """The bar at the top of a lesson page: previous, course index, next."""
    previous = lessons[index - 1] if index > 0 else None
    following = lessons[index + 1] if index + 1 < len(lessons) else None

    def link(lesson: Lesson | None, label: str) -> str:
        if lesson is None:
            return "<span></span>"
        return f'<a href="{lesson.page}">{label} {html.escape(lesson.title)}</a>'

    return (
        f'<nav class="course-nav">{link(previous, "←")}'
        f'<a href="index.html">Transformer Variants · all lessons</a>{link(following, "→")}</nav>'
    )


def render(path: Path, exporter: HTMLExporter) -> tuple[Lesson, str]:
    notebook = nbformat.read(path, as_version=4)
    notebook.cells = [
        cell for cell in notebook.cells if not HIDDEN_TAGS & set(cell.metadata.get("tags", []))
    ]
    lesson = lesson_of(notebook, path.stem)
    body, _ = exporter.from_notebook_node(notebook, resources={"metadata": {"name": lesson.title}})
    return lesson, body


def index_page(lessons: list[Lesson]) -> str:
    items = "\n".join(
        f'<li><a class="lesson" href="{lesson.page}">{html.escape(lesson.title)}</a>'
        f"{markdown2html_mistune(lesson.summary)}</li>"
        for lesson in lessons
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        "<title>Transformer Variants</title>"
        f'{STYLE}</head>\n<body><main class="course-index"><h1>Transformer Variants</h1>'
        "<p>An open course on the three transformer families, executed offline with the course's "
        f"stand-in models.</p>\n<ol>\n{items}\n</ol></main></body></html>\n"
    )


def build_site(target: Path = SITE) -> list[Lesson]:
    """Write the site into ``target``; return the lessons in course order."""
    # No CDN: MathJax (the course writes no LaTeX) and require.js (only widgets need it) are off.
    exporter = HTMLExporter(template_name="lab", mathjax_url="", require_js_url="")
    rendered = [render(path, exporter) for path in executed_notebooks()]
    lessons = [lesson for lesson, _ in rendered]
    target.mkdir(parents=True, exist_ok=True)
    for index, (lesson, body) in enumerate(rendered):
        body = re.sub(r'<script src="">\s*</script>', "", body)  # left by the switched-off CDNs
        body = body.replace("</head>", f"{STYLE}</head>", 1)
        body = re.sub(r"(<body[^>]*>)", rf"\1{navigation(lessons, index)}", body, count=1)
        (target / lesson.page).write_text(body, encoding="utf-8")
    (target / "index.html").write_text(index_page(lessons), encoding="utf-8")
    return lessons


def main() -> int:
    try:
        lessons = build_site()
    except SiteError as error:
        print(f"make site: {error}", file=sys.stderr)
        return 1
    print(f"wrote {len(lessons)} lessons and index.html to {SITE.relative_to(REPO)}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
