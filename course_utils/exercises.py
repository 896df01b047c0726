"""Checking a learner's answers: what was right, what was not, and why.

A checker prints a small table instead of a bare pass/fail, so a wrong answer still teaches.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

FAMILIES = ("encoder-only", "decoder-only", "encoder-decoder")

# The usual best fit, and the reason a learner should be able to give for it.
FAMILY_FOR_TASK: dict[str, tuple[str, str]] = {
    "sentiment analysis": (
        "encoder-only",
        "understand the whole sentence, then output one label — no text to generate",
    ),
    "translation": (
        "encoder-decoder",
        "understand the whole source sentence, then generate a new sequence in another language",
    ),
    "summarization": (
        "encoder-decoder",
        "read the whole document, then generate a shorter text conditioned on it",
    ),
    "semantic similarity": (
        "encoder-only",
        "turn each sentence into a vector and compare vectors — understanding only",
    ),
}


@dataclass(frozen=True)
class Verdict:
    task: str
    yours: str
    expected: str
    correct: bool
    why: str


def _normalise(answer: str) -> str:
    return answer.strip().lower().replace("_", "-").replace(" ", "-")


def check_families(answers: Mapping[str, str]) -> list[Verdict]:
    """Compare ``{task: family}`` answers with the usual best fit for each task.

    Raises ``ValueError`` for an unknown task or family name, listing the valid ones.
    """
    verdicts = []
    for task, answer in answers.items():
        key = task.strip().lower()
        if key not in FAMILY_FOR_TASK:
            raise ValueError(f"Unknown task {task!r}; the tasks are: {', '.join(FAMILY_FOR_TASK)}.")
        family = _normalise(answer)
        if family not in FAMILIES:
            raise ValueError(f"{answer!r} is not a family; write one of: {', '.join(FAMILIES)}.")
        expected, why = FAMILY_FOR_TASK[key]
        verdicts.append(Verdict(key, family, expected, family == expected, why))
    missing = set(FAMILY_FOR_TASK) - {v.task for v in verdicts}
    if missing:
        raise ValueError(f"Answer every task; missing: {', '.join(sorted(missing))}.")
    return verdicts


def show_verdicts(verdicts: list[Verdict]) -> None:
    """Print one line per answer and a score."""
    for v in verdicts:
        mark = "✓" if v.correct else "✗"
        print(f"{mark} {v.task:<20} you: {v.yours:<16} usual fit: {v.expected:<16} — {v.why}")
    print(f"{sum(v.correct for v in verdicts)}/{len(verdicts)} correct")
