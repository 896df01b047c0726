"""The course's own small data sets (``data/``) and the prose that ships with Python.

Every data set here was written by the project (see each folder's DATASHEET.md), so the course and
its offline stand-ins never depend on downloading one.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from course_utils.paths import data_dir

Split = Literal["train", "test"]
SENTIMENT_FILE = "sentiment/sentences.csv"
STORIES_FILE = "stories/stories.txt"
TRANSLATION_FILE = "translation/en_de.tsv"
SENTIMENT_LABELS = ("NEGATIVE", "POSITIVE")  # index = class id, as in the SST-2 model


@dataclass(frozen=True)
class LabelledText:
    text: str
    label: int  # 0 = NEGATIVE, 1 = POSITIVE

    @property
    def label_name(self) -> str:
        return SENTIMENT_LABELS[self.label]


def _check_split(split: str) -> None:
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', not {split!r}.")


def sentiment(split: Split, root: Path | None = None) -> list[LabelledText]:
    """The project's sentiment sentences; ``test`` is held out and never trained on."""
    _check_split(split)
    with open((root or data_dir()) / SENTIMENT_FILE, newline="", encoding="utf-8") as handle:
        rows = [row for row in csv.DictReader(handle) if row["split"] == split]
    return [LabelledText(row["text"], int(row["label"] == "positive")) for row in rows]


def stories(root: Path | None = None) -> list[str]:
    """Short, simple stories (one a line), the TinyStories idea at classroom scale."""
    text = ((root or data_dir()) / STORIES_FILE).read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip()]


def translation_pairs(split: Split, root: Path | None = None) -> list[tuple[str, str]]:
    """English–German sentence pairs written from templates; ``test`` is held out."""
    _check_split(split)
    with open((root or data_dir()) / TRANSLATION_FILE, newline="", encoding="utf-8") as handle:
        rows = csv.DictReader(handle, delimiter="\t")
        return [(row["en"], row["de"]) for row in rows if row["split"] == split]


def python_prose(min_words: int = 6) -> list[str]:
    """English prose lines from ``pydoc_data.topics``, which ships with every CPython."""
    from pydoc_data.topics import topics

    lines = []
    for entry in topics.values():
        for line in entry.splitlines():
            line = line.strip()
            if len(line.split()) >= min_words and line[0].isalpha() and line[-1] in ".,;:":
                lines.append(line)
    return lines
