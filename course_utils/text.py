"""Small helpers around Hugging Face pipelines that check their input first.

A pipeline given an empty string or an empty list either fails deep inside the tokenizer or
returns something meaningless; these helpers say what was wrong instead.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from course_utils.errors import EmptyInputError


def check_texts(texts: str | Sequence[str]) -> list[str]:
    """Return ``texts`` as a list, refusing empty input with a message that says what to do."""
    items = [texts] if isinstance(texts, str) else list(texts)
    if not items:
        raise EmptyInputError("No texts were given: pass a sentence or a non-empty list of them.")
    for position, text in enumerate(items):
        if not isinstance(text, str):
            raise TypeError(
                f"Item {position} is a {type(text).__name__}, not text: pass strings only."
            )
        if not text.strip():
            raise EmptyInputError(
                f"Text {position} is empty or only whitespace: a model needs at least one word "
                "to work on. Remove it or replace it with a sentence."
            )
    return items


def classify(
    classifier: Callable[..., Any], texts: str | Sequence[str], batch_size: int = 32
) -> list[dict[str, Any]]:
    """Run a text-classification pipeline on checked input: one ``{label, score}`` per text."""
    items = check_texts(texts)
    return list(classifier(items, batch_size=batch_size))
