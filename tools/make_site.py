"""Build the course site (``build/site/``) from the executed notebooks (``build/executed/``).

The site is a Jupyter Book 1.x (Sphinx with the book theme): a sidebar with the lessons in
teaching order, full-text search, a light/dark switch, and on each lesson a button that opens
the notebook in Colab at the release the install cell pins. Nothing is executed again
(``execute_notebooks: "off"``): the pages show the outputs of the run that ``make test`` made,
and a banner on every page says which models produced them, read from the setup banner that run
printed. The build needs no network, and neither do the pages (MathJax is served with the site).

Each executed notebook is copied into a book source folder first, changed only for reading:
the cells the harness and papermill add, the badges and the Colab/Kaggle install cell are
dropped (the launch button replaces them), the course's boxes (``> **Mistakes in popular
tutorials**``, ``> **Online and offline**``) become admonitions, and widget outputs (progress
bars) are dropped, since their scripts would come from a CDN.

Usage: ``make site`` (after ``make test``, which executes the notebooks into build/executed).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from importlib.metadata import distribution
from pathlib import Path

import nbformat
import tomllib
import yaml

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = REPO / "notebooks"
FIGURES = NOTEBOOKS / "figures"
EXECUTED = REPO / "build" / "executed"
SITE = REPO / "build" / "site"
TITLE = "Transformer Variants"
# Cells a reader of the site does not need: papermill's, the harness's, and the platform cells
# (tools/platform_cells.py) that the Colab launch button replaces.
HIDDEN_TAGS = {"injected-parameters", "collect-values", "platform-badges", "platform-setup"}
# The course's boxes (README, "Contributing") and the admonition each becomes.
BOXES = {"Mistakes in popular tutorials": "warning", "Online and offline": "note"}
BOX_START = re.compile(rf"^> \*\*(?P<title>{'|'.join(map(re.escape, BOXES))})\*\*\s*(?P<rest>.*)$")
# The first line of course_utils.setup()'s banner: "Transformer Variants · <platform> · <mode> ·".
SETUP_BANNER = re.compile(r"^Transformer Variants · [^·\n]+ · (?P<mode>offline|online) ", re.M)
REAL_WEIGHTS_OFFLINE = ("all-MiniLM-L6-v2", "SmolLM2-135M-Instruct")
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
FAVICON = (  # three bars: the three families (and no 404 for /favicon.ico)
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16">'
    '<rect x="1" y="2" width="4" height="12" fill="#1d4ed8"/>'
    '<rect x="6" y="5" width="4" height="9" fill="#16a34a"/>'
    '<rect x="11" y="8" width="4" height="6" fill="#d97706"/></svg>\n'
)
MATHJAX = "tex-svg.js"  # one file, fonts included: MathJax 3 from sphinx-mathjax-offline


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


def executed_notebooks(executed: Path | None = None) -> list[Path]:
    """The executed copy (in ``executed``, default build/executed) of every notebook in
    notebooks/, in course order; all must exist."""
    executed = executed or EXECUTED
    sources = sorted(NOTEBOOKS.glob("[0-9][0-9]*.ipynb"))
    missing = [path.name for path in sources if not (executed / path.name).exists()]
    if not sources or missing:
        raise SiteError(
            f"No executed copy of {missing or 'any notebook'} in {executed}. "
            "Run `make test` first: it executes every notebook there, and the site shows them."
        )
    return [executed / path.name for path in sources]


def run_mode(notebook: nbformat.NotebookNode) -> str | None:
    """``"offline"`` or ``"online"`` as the notebook's setup banner printed it (None: no banner)."""
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            match = SETUP_BANNER.search(output.get("text", ""))
            if match:
                return match["mode"]
    return None


def banner(mode: str) -> str:
    """The sentence at the top of every page: which models produced the outputs."""
    if mode == "online":
        models = "the real Hub models"
    else:
        models = (
            "offline stand-ins (built from the course's data; real weights: "
            f"{', '.join(REAL_WEIGHTS_OFFLINE)})"
        )
    return (
        f"The outputs on these pages come from {models}. "
        "The rocket button at the top of a lesson opens it in Colab."
    )


def with_admonitions(markdown: str) -> str:
    """The course's blockquote boxes as MyST admonitions; all other text unchanged."""
    lines, out, index = markdown.split("\n"), [], 0
    while index < len(lines):
        start = BOX_START.match(lines[index])
        index += 1
        if not start:
            out.append(lines[index - 1])
            continue
        body = [start["rest"]] if start["rest"] else []
        while index < len(lines) and lines[index].startswith(">"):
            body.append(re.sub(r"^> ?", "", lines[index]))
            index += 1
        while body and not body[0].strip():
            body.pop(0)
        fence = ":" * max(3, 1 + max((len(re.match(r":*", line)[0]) for line in body), default=0))
        title = start["title"]
        out += [f"{fence}{{admonition}} {title}", f":class: {BOXES[title]}", "", *body, fence]
    return "\n".join(out)


def for_reading(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The site's copy of an executed notebook (see the module's docstring)."""
    cells = []
    for cell in notebook.cells:
        if HIDDEN_TAGS & set(cell.metadata.get("tags", [])):
            continue
        if cell.cell_type == "markdown":
            cell.source = with_admonitions(cell.source)
        if cell.cell_type == "code":
            cell.outputs = [
                output for output in cell.outputs if WIDGET_VIEW not in output.get("data", {})
            ]
        cells.append(cell)
    notebook.cells = cells
    notebook.metadata.pop("widgets", None)
    return notebook


def index_page(lessons: list[Lesson]) -> str:
    """The home page: what the course is, then every lesson with its summary, in order."""
    items = "\n".join(
        f"- [{lesson.title}]({lesson.stem}.ipynb)\\\n  {lesson.summary}" for lesson in lessons
    )
    return (
        f"# {TITLE}\n\n"
        "An open, hands-on course on the three transformer families — encoder-only, "
        "decoder-only and encoder-decoder — as an ordered set of Jupyter notebooks. Each page "
        "below is one notebook with the outputs of one complete run.\n\n"
        f"{items}\n"
    )


def book_config(mode: str) -> dict:
    """Jupyter Book's ``_config.yml``."""
    where = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["transformer-variants"]
    return {
        "title": TITLE,
        "author": "the Transformer Variants contributors",
        "copyright": "",
        "only_build_toc_files": True,
        "execute": {"execute_notebooks": "off"},
        "parse": {"myst_enable_extensions": ["colon_fence", "dollarmath", "linkify"]},
        # The launch button opens the notebook at the ref the install cell and badges pin.
        "repository": {
            "url": f"https://github.com/{where['github_repository']}",
            "path_to_book": "notebooks",
            "branch": where["git_ref"],
        },
        "launch_buttons": {"colab_url": "https://colab.research.google.com", "thebe": False},
        "html": {
            "announcement": banner(mode),
            "use_repository_button": True,
            "use_multitoc_numbering": False,
            "home_page_in_navbar": True,
        },
        "sphinx": {
            "local_extensions": {"make_site": str(Path(__file__).parent)},  # setup() below
            "recursive_update": True,  # add to the theme options Jupyter Book sets, not replace
            "config": {
                # Search sits in the sidebar; the first visit starts in the reader's own colours.
                "html_theme_options": {"navbar_persistent": []},
                "html_context": {"default_mode": "auto"},
                "html_favicon": "_static/favicon.svg",
                "html_static_path": ["_static"],
                "mathjax_path": f"mathjax/{MATHJAX}",
                "nb_ipywidgets_js": {},  # no widget scripts from a CDN
                "html_show_sphinx": False,
                "html_show_copyright": False,
            },
        },
    }


def write_book(source: Path, notebooks: list[Path]) -> list[Lesson]:
    """Fill ``source`` with the book: notebooks, figures, MathJax, index, TOC and config."""
    lessons, modes = [], {}
    for path in notebooks:
        notebook = nbformat.read(path, as_version=4)
        modes[path.stem] = run_mode(notebook)
        notebook = for_reading(notebook)
        lessons.append(lesson_of(notebook, path.stem))
        nbformat.write(notebook, source / path.name)
    found = set(modes.values())
    if len(found) != 1 or None in found:
        raise SiteError(
            "The site's banner says which models produced the outputs, so every executed "
            f"notebook must show the setup banner of one and the same mode; found {modes}. "
            "Run `make test` again."
        )
    if FIGURES.is_dir():
        shutil.copytree(FIGURES, source / "figures")
    mathjax = distribution("sphinx-mathjax-offline").locate_file(
        f"sphinx-mathjax-offline/static/mathjax/{MATHJAX}"
    )
    (source / "_static" / "mathjax").mkdir(parents=True)
    shutil.copyfile(Path(str(mathjax)), source / "_static" / "mathjax" / MATHJAX)
    (source / "_static" / "favicon.svg").write_text(FAVICON, encoding="utf-8")
    (source / "index.md").write_text(index_page(lessons), encoding="utf-8")
    toc = {"format": "jb-book", "root": "index", "chapters": [{"file": p.stem} for p in notebooks]}
    (source / "_toc.yml").write_text(yaml.safe_dump(toc, sort_keys=False), encoding="utf-8")
    config = json.loads(json.dumps(book_config(found.pop())))  # plain types for YAML
    (source / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return lessons


def build_site(target: Path = SITE, executed: Path | None = None) -> list[Lesson]:
    """Write the site into ``target`` (replacing it) from the notebooks executed into
    ``executed``; return the lessons in course order."""
    notebooks = executed_notebooks(executed)
    with tempfile.TemporaryDirectory(prefix="course-site-") as folder:
        source, output = Path(folder) / "book", Path(folder) / "out"
        source.mkdir()
        lessons = write_book(source, notebooks)
        jupyter_book = Path(sys.executable).parent / "jupyter-book"
        command = [str(jupyter_book), "build", str(source), "--path-output", str(output)]
        result = subprocess.run(command, capture_output=True, text=True, timeout=900)
        html = output / "_build" / "html"
        if result.returncode != 0 or not (html / "index.html").exists():
            raise SiteError(f"jupyter-book build failed:\n{result.stdout[-3000:]}{result.stderr}")
        for line in result.stderr.splitlines():  # Sphinx's warnings (a missing figure, say)
            if "WARNING" in line:
                print(
                    re.sub(r"\x1b\[[0-9;]*m", "", line.replace(f"{source}/", "")), file=sys.stderr
                )
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(html, target)
    (
        target / ".nojekyll"
    ).touch()  # a Pages site deployed from a branch: no Jekyll, so _static/ stays
    return lessons


def setup(app) -> dict:  # app: sphinx.application.Sphinx
    """This module is also a Sphinx extension of the book: it drops a page's repeated scripts.

    Under Sphinx 7, Jupyter Book's extensions add some scripts to every page twice: the second
    ``const THEBE_JS_URL = …`` is an error in the browser, and MathJax would load twice. The
    last copy of each is kept (MathJax's deferred one, after its configuration).
    """

    def drop_repeated_scripts(app, pagename, templatename, context, doctree) -> None:
        scripts = context.get("script_files", [])
        keys = [script.filename or script.attributes.get("body", "") for script in scripts]
        context["script_files"] = [
            script for index, script in enumerate(scripts) if keys[index] not in keys[index + 1 :]
        ]

    app.connect("html-page-context", drop_repeated_scripts)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


def main() -> int:
    try:
        lessons = build_site()
    except SiteError as error:
        print(f"make site: {error}", file=sys.stderr)
        return 1
    print(f"wrote {len(lessons)} lessons to {SITE.relative_to(REPO)}/ (open index.html)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
