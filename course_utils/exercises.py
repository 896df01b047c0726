"""Checking a learner's answers: what was right, what was not, and why.

A checker prints a small table instead of a bare pass/fail, so a wrong answer still teaches.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from course_utils.configs import ConfigLike

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


# --------------------------------------------------------------------------------------------
# Notebook 05: memory arithmetic. The expected answers are computed, never stored.

PRECISION_ORDER = ("fp32", "bf16", "int8", "int4")  # most precise first


def _not_answered(name: str) -> bool:
    print(f"Not answered yet: set `{name}` in the cell above, then rerun it.")
    return False


def check_best_dtype(
    answer: str | None, config: ConfigLike, context_length: int, available_gib: float
) -> bool:
    """Is ``answer`` the most precise dtype in which ``config``'s model fits ``available_gib``?"""
    from course_utils.memory import estimate_memory, normalise_dtype

    if answer is None:
        return _not_answered("best_dtype")
    fitting = [
        dtype
        for dtype in PRECISION_ORDER
        if estimate_memory(config, dtype, context_length=context_length).fits(available_gib)
    ]
    expected = fitting[0] if fitting else None
    yours = normalise_dtype(answer)
    # The same rule as ``fits``: weights + KV cache + headroom.
    needed = estimate_memory(config, yours, context_length=context_length).needed_gib()
    if yours == expected:
        print(
            f"✓ {yours}: {needed:.2f} GiB with headroom fits in {available_gib} GiB, and nothing "
            "more precise does."
        )
        return True
    if needed > available_gib:
        print(
            f"✗ {yours} needs {needed:.2f} GiB with headroom: more than {available_gib} GiB. "
            "Try less precision."
        )
    else:
        print(f"✗ {yours} fits ({needed:.2f} GiB), but a more precise dtype fits too. Look again.")
    return False


def check_max_context(answer: int | None, config: ConfigLike, available_gib: float) -> bool:
    """Is ``answer`` the number of bf16 KV-cache tokens (batch 1) left beside bf16 weights?"""
    from course_utils.memory import GIB, estimate_memory, kv_cache_bytes

    if answer is None:
        return _not_answered("max_tokens")
    free = available_gib * GIB - estimate_memory(config, "bf16", context_length=1).weights
    expected = int(free // kv_cache_bytes(config, 1, dtype="bf16"))
    if abs(int(answer) - expected) <= max(1, expected // 1000):  # rounding differences are fine
        print(f"✓ about {expected:,} tokens of KV cache fit beside the weights.")
        return True
    print(
        f"✗ {int(answer):,} is off (expected about {expected:,}). Subtract the bf16 weights from "
        f"{available_gib} GiB first, then divide by the bytes one token costs."
    )
    return False
