"""The course's own small data sets (``data/``) and the prose that ships with Python.

Every data set here was written by the project (see each folder's DATASHEET.md), so the course and
its offline stand-ins never depend on downloading one. The offline zoo trains on these loaders and
the notebooks evaluate with them, so both read each data set one way.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from course_utils.paths import data_dir

Split = Literal["train", "test"]
SENTIMENT_FILE = "sentiment/sentences.csv"
STORIES_FILE = "stories/stories.txt"
TRANSLATION_FILE = "translation/en_de.tsv"
QA_FILES = {"train": "qa/train.jsonl", "test": "qa/test.jsonl"}
NER_FILES = {"train": "ner/train.conll", "test": "ner/test.conll"}
SUMMARIES_FILE = "summaries/summaries.jsonl"
SUMMARY_SPLITS = ("train", "test", "unseen")
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


@dataclass(frozen=True)
class QAExample:
    """A question about a context; ``answer`` is None when the context does not answer it."""

    id: str
    context: str
    question: str
    answer: str | None
    answer_start: int | None


def qa_questions(split: Split, root: Path | None = None) -> list[QAExample]:
    """The project's QA questions (``data/qa``); ``test`` is held out and never trained on."""
    _check_split(split)
    examples = []
    path = (root or data_dir()) / QA_FILES[split]
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        for q in record["questions"]:
            examples.append(
                QAExample(q["id"], record["context"], q["question"], q["answer"], q["answer_start"])
            )
    return examples


@dataclass(frozen=True)
class TaggedSentence:
    """One annotated sentence: words and their IOB2 tags, same length."""

    words: tuple[str, ...]
    tags: tuple[str, ...]

    @property
    def text(self) -> str:
        """The words joined by spaces (the data keeps punctuation as separate words)."""
        return " ".join(self.words)


def ner_sentences(split: Split, root: Path | None = None) -> list[TaggedSentence]:
    """The project's NER sentences (``data/ner``); ``test`` is held out and never trained on."""
    _check_split(split)
    text = ((root or data_dir()) / NER_FILES[split]).read_text(encoding="utf-8")
    sentences = []
    for block in text.strip().split("\n\n"):
        pairs = [line.split("\t") for line in block.splitlines()]
        words, tags = zip(*pairs, strict=True)
        sentences.append(TaggedSentence(tuple(words), tuple(tags)))
    return sentences


@dataclass(frozen=True)
class Summarised:
    """A short news article and its one-sentence reference summary."""

    topic: str
    article: str
    summary: str


def news_articles(
    split: Literal["train", "test", "unseen"], root: Path | None = None
) -> list[Summarised]:
    """The articles of one split of ``data/summaries``, in file order.

    ``test`` holds numbers and phrasings training never saw; ``unseen`` also names and towns no
    split trains on.
    """
    if split not in SUMMARY_SPLITS:
        raise ValueError(f"split must be one of {', '.join(SUMMARY_SPLITS)}; not {split!r}.")
    path = (root or data_dir()) / SUMMARIES_FILE
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return [
        Summarised(row["topic"], row["article"], row["summary"])
        for row in rows
        if row["split"] == split
    ]


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
