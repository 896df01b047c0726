"""Short news articles with one-sentence summaries (``data/summaries``), and how to score them.

The summarization stand-ins (BART, Flan-T5) train on the ``train`` split; notebook 08 and the
tests evaluate on ``test`` (numbers and phrasings training never saw) and ``unseen`` (also names
and towns no split trains on: a small model tends to replace them by names it knows).

A summary of these articles is right when it keeps the facts: who, where, how many. So besides
reading the output, the course scores it by *fact recall*: the share of the reference summary's
facts (capitalised words and numbers) that the generated summary contains.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from course_utils.paths import data_dir

SUMMARIES_FILE = "summaries/summaries.jsonl"
Split = Literal["train", "test", "unseen"]
SPLITS = ("train", "test", "unseen")
# Numbers need no word boundary: a garbled summary glues digits to a word ("of93000"), and
# that invented number must still count as a fact.
_FACT = re.compile(r"\b[A-Z][a-z]+\b|\d+")
_SENTENCE_START_WORDS = {"The", "A", "An", "In", "On", "It", "Its", "About", "More"}


@dataclass(frozen=True)
class Summarised:
    topic: str
    article: str
    summary: str


def load(split: Split, root: Path | None = None) -> list[Summarised]:
    """The articles of one split, in file order."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {', '.join(SPLITS)}; not {split!r}.")
    path = (root or data_dir()) / SUMMARIES_FILE
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return [
        Summarised(row["topic"], row["article"], row["summary"])
        for row in rows
        if row["split"] == split
    ]


def facts(text: str) -> set[str]:
    """Capitalised words and numbers, minus words capitalised only for starting a sentence."""
    return {word for word in _FACT.findall(text) if word not in _SENTENCE_START_WORDS}


def fact_recall(generated: str, reference: str) -> float:
    """Share of the reference's facts that the generated summary contains (1.0 if it has none)."""
    wanted = facts(reference)
    if not wanted:
        return 1.0
    return len(wanted & facts(generated)) / len(wanted)
