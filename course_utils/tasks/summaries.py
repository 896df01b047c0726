"""Scoring summaries of the short news articles in ``data/summaries``.

The summarization stand-ins (BART, Flan-T5) train on the ``train`` split; notebooks 10 and 11 and the
tests evaluate on ``test`` (numbers and phrasings training never saw) and ``unseen`` (also names
and towns no split trains on: a small model tends to replace them by names it knows).

A summary of these articles is right when it keeps the facts: who, where, how many. So besides
reading the output, the course scores it by *fact recall*: the share of the reference summary's
facts (capitalised words and numbers) that the generated summary contains.
"""

from __future__ import annotations

import re

from course_utils.data import news_articles

load = news_articles  # notebooks 10 and 11 read the data set as summaries.load
# Numbers need no word boundary: a garbled summary glues digits to a word ("of93000"), and
# that invented number must still count as a fact.
_FACT = re.compile(r"\b[A-Z][a-z]+\b|\d+")
_SENTENCE_START_WORDS = {"The", "A", "An", "In", "On", "It", "Its", "About", "More"}


def facts(text: str) -> set[str]:
    """Capitalised words and numbers, minus words capitalised only for starting a sentence."""
    return {word for word in _FACT.findall(text) if word not in _SENTENCE_START_WORDS}


def fact_recall(generated: str, reference: str) -> float:
    """Share of the reference's facts that the generated summary contains (1.0 if it has none)."""
    wanted = facts(reference)
    if not wanted:
        return 1.0
    return len(wanted & facts(generated)) / len(wanted)
