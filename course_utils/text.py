"""Small helpers around Hugging Face pipelines that check their input first.

A pipeline given an empty string or an empty list either fails deep inside the tokenizer or
returns something meaningless; a text longer than the model's limit fails with a tensor-size
error from inside the model. These helpers say what was wrong instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from course_utils.errors import CourseError, EmptyInputError


class TextTooLongError(CourseError, ValueError):
    """A text has more tokens than the pipeline's model can read.

    Raised before the model runs, which would otherwise fail with "The size of tensor a (2002)
    must match the size of tensor b (512)" from its position table.
    """

    def __init__(self, message: str, *, index: int, length: int, limit: int) -> None:
        self.index = index
        self.length = length
        self.limit = limit
        super().__init__(message)


def check_texts(texts: str | Sequence[str]) -> list[str]:
    """Return ``texts`` as a list, refusing empty input with a message that says what to do."""
    if isinstance(texts, Mapping):
        # A datasets row is a dict: iterating it would quietly use its *keys* as the texts.
        raise TypeError(
            f"Got a dict with keys {list(texts)[:5]}, not text: pass the text itself, "
            "e.g. row['text'], or a list of texts."
        )
    if not isinstance(texts, Iterable):
        raise TypeError(
            f"texts is of type {type(texts).__name__}, not text: pass a string or a list of "
            "strings."
        )
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


def _token_limit(classifier: Any) -> int | None:
    """The most tokens the pipeline's model reads: its position table or its trained length."""
    config = getattr(getattr(classifier, "model", None), "config", None)
    limits = [
        limit
        for limit in (
            getattr(config, "max_position_embeddings", None),
            getattr(classifier.tokenizer, "model_max_length", None),
        )
        if isinstance(limit, int) and limit < 1_000_000  # transformers' "no limit" is ~1e30
    ]
    return min(limits, default=None)


def classify(
    classifier: Callable[..., Any],
    texts: str | Sequence[str],
    batch_size: int = 32,
    *,
    truncation: bool = False,
) -> list[dict[str, Any]]:
    """Run a text-classification pipeline on checked input: one ``{label, score}`` per text.

    A text longer than the model's limit raises :class:`TextTooLongError` naming it; with
    ``truncation=True`` the model instead reads only its first tokens (say so when you report
    the results, since the end of the text then plays no part in the label).
    """
    items = check_texts(texts)
    if truncation:
        return list(classifier(items, batch_size=batch_size, truncation=True))
    tokenizer = getattr(classifier, "tokenizer", None)
    limit = _token_limit(classifier) if tokenizer is not None else None
    if limit is not None:
        lengths = [len(ids) for ids in tokenizer(items, verbose=False)["input_ids"]]
        for index, length in enumerate(lengths):
            if length > limit:
                which = "The text" if len(items) == 1 else f"Text {index}"
                raise TextTooLongError(
                    f"{which} is {length} tokens long, but the classifier's model reads at most "
                    f"{limit}. Shorten or split it, or pass truncation=True to classify only its "
                    f"first {limit} tokens.",
                    index=index,
                    length=length,
                    limit=limit,
                )
    return list(classifier(items, batch_size=batch_size))
