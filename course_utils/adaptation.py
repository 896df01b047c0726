"""Domain adaptation helpers for notebook 17: the video-game sentiment set and a small training loop.

A general sentiment model reads "the final boss is *sick*" as a complaint; a gamer means praise.
Notebook 17 teaches the model the domain with LoRA adapters (``peft``) and measures what that
costs (trainable parameters, seconds, megabytes) and what it buys (held-out accuracy). This
module holds the parts the notebook and the tests share:

- :func:`domain_sentiment` loads ``data/domain/games.csv`` (see its DATASHEET.md);
- :func:`trainable_share` counts trainable against all parameters, the number LoRA is about;
- :func:`train_classifier` is the plain PyTorch loop of notebook 13, reduced to what an adapter
  needs: it optimises only the parameters that require gradients, so the frozen base model is
  never touched;
- :func:`accuracy_by_group` and :func:`folder_bytes` report results per kind of row and sizes on
  disk.

torch and transformers are imported inside the functions, so importing this module is cheap and
never imports Hugging Face libraries before ``course_utils.setup()`` has run.
"""

from __future__ import annotations

import csv
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from course_utils.data import LabelledText
from course_utils.errors import CourseError, EmptyInputError
from course_utils.paths import data_dir

DOMAIN_FILE = "domain/games.csv"
Split = Literal["train", "test"]


class AdaptationError(CourseError, ValueError):
    """A training or counting request that cannot work (the message says what to change)."""


@dataclass(frozen=True)
class DomainExample(LabelledText):
    """A labelled sentence of the game domain (``label``: 0 = NEGATIVE, 1 = POSITIVE).

    ``kind`` is ``"flipped"`` when the sentiment is carried by gamer slang whose everyday
    meaning points the other way ("is sick" = great, "is mid" = poor), ``"plain"`` when
    ordinary words carry it; ``expression`` is the phrase that carries it.
    """

    kind: str = "plain"
    expression: str = ""


def domain_sentiment(split: Split, root: Path | None = None) -> list[DomainExample]:
    """The video-game sentiment sentences of one split; ``test`` is held out, never trained on."""
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', not {split!r}.")
    with open((root or data_dir()) / DOMAIN_FILE, newline="", encoding="utf-8") as handle:
        return [
            DomainExample(
                row["text"], int(row["label"] == "positive"), row["kind"], row["expression"]
            )
            for row in csv.DictReader(handle)
            if row["split"] == split
        ]


@dataclass(frozen=True)
class ParameterShare:
    """How many of a model's parameters training may change."""

    trainable: int
    total: int

    @property
    def share(self) -> float:
        return self.trainable / self.total

    def __str__(self) -> str:  # the line peft's print_trainable_parameters() prints
        return (
            f"trainable params: {self.trainable:,} || all params: {self.total:,} || "
            f"trainable%: {100 * self.share:.4f}"
        )


def trainable_share(model: Any) -> ParameterShare:
    """Trainable (``requires_grad``) and all parameters of ``model``, counted once each.

    The total counts everything the model holds, frozen base weights and adapters alike, as
    ``peft``'s ``print_trainable_parameters`` does, so the share is "what fraction of the
    numbers in memory does training change".
    """
    parameters = list(model.parameters())  # each Parameter once, even when shared (tied)
    total = sum(p.numel() for p in parameters)
    if total == 0:
        raise AdaptationError("The model has no parameters: pass a torch.nn.Module with weights.")
    trainable = sum(p.numel() for p in parameters if p.requires_grad)
    return ParameterShare(trainable, total)


@dataclass
class TrainingRun:
    """What :func:`train_classifier` did: its loss curve, number of steps and seconds."""

    curve: list[tuple[int, float]] = field(default_factory=list)  # (step, mean loss since last)
    steps: int = 0
    seconds: float = 0.0


def _check_rows(rows: Sequence[LabelledText]) -> list[LabelledText]:
    rows = list(rows)
    if not rows:
        raise EmptyInputError("No training examples were given: pass a non-empty list of rows.")
    return rows


def train_classifier(
    model: Any,
    tokenizer: Any,
    rows: Sequence[LabelledText],
    epochs: int = 3,
    batch_size: int = 8,
    learning_rate: float = 1e-3,
    logging_steps: int = 4,
    warmup: float = 0.1,
    seed: int = 0,
) -> TrainingRun:
    """Train a sequence classifier on ``rows`` with a plain PyTorch loop; return its log.

    Only parameters with ``requires_grad=True`` are optimised. With a ``peft`` model those are
    the adapters: the base weights stay exactly as they were, which is what makes an adapter a
    small, separate file. The loop is notebook 13's (AdamW, linear learning-rate decay, gradient
    clipping, dropout on while training) plus a short *warm-up*: the learning rate rises from 0
    over the first ``warmup`` fraction of the steps, because the first batches of a new domain
    give large, erratic gradients (the model is confidently wrong) that a full-size step can
    turn into a collapse. Batches are tokenized on the fly; the model is left in evaluation mode.
    """
    import torch
    from transformers import get_linear_schedule_with_warmup

    rows = _check_rows(rows)
    for name, value in (("epochs", epochs), ("batch_size", batch_size)):
        if value < 1:
            raise AdaptationError(f"{name} must be at least 1, not {value}.")
    if not learning_rate > 0:
        raise AdaptationError(f"learning_rate must be positive, not {learning_rate}.")
    if not 0 <= warmup < 1:
        raise AdaptationError(
            f"warmup is a fraction of the steps, from 0 to below 1, not {warmup}."
        )
    if logging_steps < 1:
        raise AdaptationError(f"logging_steps must be at least 1, not {logging_steps}.")
    parameters = [p for p in model.parameters() if p.requires_grad]
    if not parameters:
        raise AdaptationError(
            "No parameter of the model requires gradients, so training would change nothing: "
            "add adapters (peft.get_peft_model) or unfreeze some layers first."
        )
    device = parameters[0].device
    steps_per_epoch = -(-len(rows) // batch_size)  # ceiling division
    total_steps = epochs * steps_per_epoch
    optimizer = torch.optim.AdamW(parameters, lr=learning_rate, weight_decay=0.0)
    scheduler = get_linear_schedule_with_warmup(optimizer, round(warmup * total_steps), total_steps)
    order = random.Random(seed)  # which sentences go together in a batch, repeatably
    torch.manual_seed(seed)  # dropout

    run, recent = TrainingRun(), []
    started = time.perf_counter()
    model.train()
    for _ in range(epochs):
        shuffled = order.sample(rows, len(rows))
        for start in range(0, len(shuffled), batch_size):
            batch_rows = shuffled[start : start + batch_size]
            batch = tokenizer(
                [row.text for row in batch_rows],
                padding=True,
                truncation=True,
                max_length=64,
                return_tensors="pt",
            ).to(device)
            labels = torch.tensor([row.label for row in batch_rows], device=device)
            loss = model(**batch, labels=labels).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(parameters, max_norm=1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
            run.steps += 1
            recent.append(loss.item())
            if run.steps % logging_steps == 0 or run.steps == total_steps:
                run.curve.append((run.steps, sum(recent) / len(recent)))
                recent = []
    model.eval()
    run.seconds = time.perf_counter() - started
    return run


def accuracy_by_group(
    model: Any,
    tokenizer: Any,
    rows: Sequence[LabelledText],
    group: Callable[[Any], str],
) -> dict[str, float]:
    """Accuracy per group of rows, e.g. ``group=lambda row: row.kind``; groups in sorted order.

    One accuracy over a whole test set hides *where* a model fails; splitting it by the kind of
    example shows whether adaptation fixed the hard cases or only the easy ones.
    """
    from course_utils.finetuning import predict

    rows = _check_rows(rows)
    predicted = predict(model, tokenizer, [row.text for row in rows])
    hits: dict[str, list[bool]] = {}
    for row, guess in zip(rows, predicted, strict=True):
        hits.setdefault(group(row), []).append(guess == row.label)
    return {name: sum(values) / len(values) for name, values in sorted(hits.items())}


def folder_bytes(path: str | Path) -> int:
    """Total size of the files in a folder (and its sub-folders), e.g. a saved adapter."""
    path = Path(path)
    if not path.is_dir():
        raise FileNotFoundError(f"{path} is not a folder: save the model there first.")
    return sum(file.stat().st_size for file in path.rglob("*") if file.is_file())
