"""Accuracy of a sequence-classification model on labelled sentences, for notebook 17.

Notebook 17 measures several adapted models before and after training; these two functions keep
that bookkeeping out of its cells. (Notebook 13 teaches the same evaluation with ``Trainer`` and
a plain PyTorch loop in its own cells.) ``torch`` is imported inside the function, so importing
this module is cheap and never imports Hugging Face libraries before ``course_utils.setup()``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from course_utils.data import LabelledText
from course_utils.errors import EmptyInputError


def predict(model: Any, tokenizer: Any, texts: Sequence[str], batch_size: int = 64) -> list[int]:
    """The class id a sequence-classification model picks for each text.

    Runs in evaluation mode (dropout off) without recording gradients, on the model's own
    device, and puts the model back into the mode it was in, so it can be called in the middle
    of training.
    """
    import torch

    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, not {batch_size}.")
    texts = list(texts)
    if not texts:
        raise EmptyInputError("No texts were given: pass at least one sentence.")
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    predictions: list[int] = []
    try:
        with torch.no_grad():
            for start in range(0, len(texts), batch_size):
                batch = tokenizer(
                    texts[start : start + batch_size],
                    padding=True,
                    truncation=True,
                    return_tensors="pt",
                ).to(device)
                predictions.extend(model(**batch).logits.argmax(dim=-1).tolist())
    finally:
        model.train(was_training)
    return predictions


def accuracy(
    model: Any, tokenizer: Any, rows: Sequence[LabelledText], batch_size: int = 64
) -> float:
    """Fraction of ``rows`` whose label the model predicts correctly (see ``predict``)."""
    if not rows:
        raise EmptyInputError("No examples were given: pass a non-empty list of LabelledText.")
    predicted = predict(model, tokenizer, [row.text for row in rows], batch_size=batch_size)
    return sum(p == row.label for p, row in zip(predicted, rows, strict=True)) / len(rows)
