"""Committed notebooks are clean and reviewable (the rule is in README, "Committed outputs")."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import nbformat
import pytest
from conftest import CHECK_TAG, REPO, notebook_paths

# Test plumbing and talk of tests have no place in what a learner reads (README, "Contributing").
TEST_TALK = re.compile(
    r"record\(|test suite|\bthe suite\b|make bench|\b(?:the|unit|automatic) tests\b|"
    r"papermill|nbval|\bCOURSE_RESULTS",
    re.IGNORECASE,
)
TOKEN_PATTERNS = [
    re.compile(r"hf_[A-Za-z0-9]{30,}"),
    re.compile(r"sk-[A-Za-z0-9_-]{20,}"),
    re.compile(r"(?i)(token|api_key|secret)\s*=\s*['\"][A-Za-z0-9_\-]{16,}['\"]"),
]
MACHINE_PATHS = [
    re.compile(r"/(?:home|root|Users|tmp|work)/[^\s\"']+"),
    re.compile(r"[A-Za-z]:\\\\Users"),
    re.compile(r"site-packages"),
]
NOISE = [
    re.compile(p) for p in (r"0x[0-9a-f]{6,}", r"\d+(\.\d+)?\s?(ms|µs|s)/(it|step)", r"Executing:")
]


def notebook_number(path: Path) -> str:
    """``07`` for ``07_text_generation`` (a letter may follow, as in ``07b``, for a second lesson on one step)."""
    return path.name.split("_")[0]


def test_notebooks_exist_in_numbered_teaching_order():
    paths = notebook_paths()
    numbers = [notebook_number(p) for p in paths]
    assert paths, "no notebooks found"
    assert all(re.fullmatch(r"\d\d[a-z]?", n) for n in numbers), f"bad notebook numbers: {numbers}"
    assert len(set(numbers)) == len(numbers), f"duplicate notebook numbers: {numbers}"
    assert numbers[0] == "00"


@pytest.mark.parametrize("path", notebook_paths(), ids=lambda p: p.stem)
def test_notebook_structure(path: Path):
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    assert notebook.metadata["kernelspec"]["name"] == "python3"
    cells = notebook.cells
    title = f"# {notebook_number(path)} · "
    assert cells[0].cell_type == "markdown" and cells[0].source.startswith(title)
    assert "## Learning goals" in cells[0].source
    markdown = "\n".join(c.source for c in cells if c.cell_type == "markdown")
    for heading in ("## Recap", "## Exercises", "<details><summary>Solution</summary>"):
        assert heading in markdown, f"{path.name} lacks {heading!r}"
    # The platform install cell comes first (tests/test_platforms.py checks it); it is the only
    # code that may install anything, and only on Colab/Kaggle.
    platform, *code = [c for c in cells if c.cell_type == "code"]
    assert "platform-setup" in platform.metadata.get("tags", [])
    assert "parameters" in code[0].metadata.get("tags", []), "then the papermill parameters"
    assert (
        code[1].source.startswith("import course_utils") and "course_utils.setup(" in code[1].source
    )
    assert "pip install" not in "\n".join(c.source for c in code)


@pytest.mark.parametrize("path", notebook_paths(), ids=lambda p: p.stem)
def test_only_checked_cells_keep_outputs(path: Path):
    notebook = nbformat.read(path, as_version=4)
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        assert set(cell.metadata) <= {"tags"}, f"cell {index}: execution metadata committed"
        if CHECK_TAG not in cell.metadata.get("tags", []):
            assert cell.outputs == [], f"cell {index} has outputs but no {CHECK_TAG} tag"
            assert cell.execution_count is None, f"cell {index}: execution count committed"
        else:
            assert cell.outputs, f"cell {index} is tagged {CHECK_TAG} but has no stored output"
            assert cell.execution_count == 1, f"cell {index}: checked cells carry count 1 (nbval)"
            for output in cell.outputs:
                assert output.output_type != "error", f"cell {index}: committed error"
                assert output.get("name") != "stderr", f"cell {index}: committed warnings"


@pytest.mark.parametrize("path", notebook_paths(), ids=lambda p: p.stem)
def test_no_machine_paths_tokens_or_noise(path: Path):
    text = path.read_text()
    for pattern in MACHINE_PATHS + TOKEN_PATTERNS:
        assert not pattern.search(text), (
            f"{path.name}: {pattern.pattern} matches {pattern.search(text)}"
        )
    outputs = json.dumps([c.get("outputs", []) for c in json.loads(text)["cells"]])
    for pattern in NOISE:
        assert not pattern.search(outputs), (
            f"{path.name} outputs: execution noise {pattern.pattern}"
        )


@pytest.mark.parametrize("path", notebook_paths(), ids=lambda p: p.stem)
def test_no_test_plumbing_in_what_a_learner_reads(path: Path):
    notebook = nbformat.read(path, as_version=4)
    for index, cell in enumerate(notebook.cells):
        found = TEST_TALK.search(cell.source)
        assert not found, f"{path.name} cell {index}: {found.group(0)!r} (README, Contributing)"


# One sitting: a learner should finish a notebook in one go (issue "True online and offline").
MAX_CELLS, MAX_MARKDOWN_WORDS = 70, 3500
# Prose about the offline models, in any wording. Outside 00 (which explains the zoo) a notebook
# may hold it in one cell only, its "Online and offline" box: everything else must be true of the
# real models and the offline ones alike.
OFFLINE_MODEL_TALK = re.compile(
    r"stand-?ins?\b|\bzoo\b|offline (?:model|copy|version|weights|too)|tiny (?:model|copy|version)"
    r"|trained on (?:the course's|simple|short) (?:children|stories)|(?:stored|rounded|expanded) (?:to |in |from )?4 bits"
    r"|offline, (?:the|each|it|they|a|our) (?:same )?(?:\w+ )?(?:model|ids|stand|weights|load)",
    re.IGNORECASE,
)
BOX = "> **Online and offline**"
# The course's commissioning material is not something learners see: quote a mistake instead.
SOURCE_TALK = re.compile(
    r"the seed(?:'s| notebook| document| material| tutorial)|source material|\bseeds/",
    re.IGNORECASE,
)


def _markdown(path: Path) -> list[str]:
    return [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown"]


@pytest.mark.parametrize("path", notebook_paths(), ids=lambda p: p.stem)
def test_a_notebook_fits_one_sitting(path: Path):
    cells = nbformat.read(path, as_version=4).cells
    words = sum(len(text.split()) for text in _markdown(path))
    assert len(cells) <= MAX_CELLS, f"{path.name}: {len(cells)} cells (at most {MAX_CELLS})"
    assert words <= MAX_MARKDOWN_WORDS, f"{path.name}: {words} markdown words"


@pytest.mark.parametrize("path", notebook_paths(), ids=lambda p: p.stem)
def test_prose_about_the_offline_models_stays_in_one_box(path: Path):
    talking = [text for text in _markdown(path) if OFFLINE_MODEL_TALK.search(text)]
    if notebook_number(path) != "00":
        firsts = [text.splitlines()[0] for text in talking]
        assert len(talking) <= 1, f"{path.name}: cells about the offline models: {firsts}"
        assert all(text.startswith(BOX) for text in talking), f"{path.name}: start it with {BOX}"
    for text in _markdown(path):
        assert not SOURCE_TALK.search(text), f"{path.name} mentions the course's source material"


def test_no_committed_file_holds_a_token_or_large_blob():
    files = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.split("\0")
    for name in filter(None, files):
        path = REPO / name
        if not path.is_file():
            continue
        assert path.stat().st_size < 5 * 2**20, f"{name} is over 5 MB: build it, do not commit it"
        content = path.read_text(errors="ignore")
        for pattern in TOKEN_PATTERNS[:2]:
            assert not pattern.search(content), f"{name} holds a token-like string"


def test_every_data_set_has_a_datasheet():
    data = REPO / "data"
    for folder in (p for p in data.iterdir() if p.is_dir()):
        sheet = folder / "DATASHEET.md"
        assert sheet.exists(), f"data/{folder.name} has no DATASHEET.md"
        assert "licen" in sheet.read_text().lower(), (
            f"data/{folder.name}/DATASHEET.md names no licence"
        )
