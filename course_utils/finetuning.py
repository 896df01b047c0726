"""Small helpers for fine-tuning experiments: data sets, few-shot samples, loss curves, accuracy.

They are the bookkeeping around training, not the training itself: the ``Trainer`` set-up and the
plain PyTorch loop are what notebook 10 teaches, so they stay visible in the notebook. Heavy
libraries (``datasets``, ``torch``) are imported inside the functions, so importing this module
is cheap and never imports Hugging Face libraries before ``course_utils.setup()`` has run.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import Any

from course_utils.data import SENTIMENT_LABELS, LabelledText
from course_utils.errors import EmptyInputError


def to_dataset(rows: Sequence[LabelledText]) -> Any:
    """A ``datasets.Dataset`` with a ``text`` and a ``label`` column, one row per example.

    ``Trainer`` and ``Dataset.map`` expect this column layout; ``label`` is the name the data
    collators turn into the model's ``labels`` argument.
    """
    from datasets import Dataset

    if not rows:
        raise EmptyInputError("No examples were given: pass a non-empty list of LabelledText.")
    return Dataset.from_dict(
        {"text": [row.text for row in rows], "label": [int(row.label) for row in rows]}
    )


def few_shot_sample(rows: Sequence[LabelledText], k: int, seed: int) -> list[LabelledText]:
    """``k`` examples of *each* class, drawn at random with ``seed``, in shuffled order.

    Balanced on purpose: with only a handful of examples, a sample that happens to hold mostly
    one class teaches the model "always answer that class". The seed picks *which* examples, so
    different seeds show how much a few-shot result depends on the luck of the draw.
    """
    if k < 1:
        raise ValueError(f"k must be at least 1 example per class, not {k}.")
    by_class: dict[int, list[LabelledText]] = {}
    for row in rows:
        by_class.setdefault(int(row.label), []).append(row)
    if not by_class:
        raise EmptyInputError("No examples were given to sample from.")
    rng = random.Random(seed)
    sample: list[LabelledText] = []
    for label in sorted(by_class):
        available = by_class[label]
        if k > len(available):
            name = SENTIMENT_LABELS[label] if 0 <= label < len(SENTIMENT_LABELS) else label
            raise ValueError(
                f"k={k} examples per class were asked for, but class {name} has only "
                f"{len(available)}: choose k <= {min(len(v) for v in by_class.values())}."
            )
        sample.extend(rng.sample(available, k))
    rng.shuffle(sample)
    return sample


def loss_history(source: Any) -> list[tuple[int, float]]:
    """``(step, training loss)`` pairs that a ``Trainer`` logged, in order.

    ``source`` is a ``Trainer`` or its ``trainer.state.log_history`` list. That list mixes
    several kinds of entries (training loss every ``logging_steps``, evaluation results, a final
    summary with ``train_loss``); only the periodic training-loss entries make a loss curve.
    Each logged loss is the *average* over the steps since the previous log.
    """
    state = getattr(source, "state", None)
    history = state.log_history if state is not None else source
    if not isinstance(history, Sequence) or isinstance(history, str):
        raise TypeError("Pass a Trainer or its trainer.state.log_history list.")
    curve = [
        (int(entry["step"]), float(entry["loss"]))
        for entry in history
        if isinstance(entry, Mapping) and "loss" in entry and "step" in entry
    ]
    if not curve:
        raise ValueError(
            "The log history holds no training losses: train first, and set logging_steps "
            "smaller than the number of training steps so that the Trainer logs the loss."
        )
    return curve


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
