"""Training the encoder-decoder stand-ins (Marian, BART, Flan-T5).

Articles to summarise and question-plus-context inputs run to ~150 tokens, and a summariser
trained on cut articles learns to invent the facts it never saw, so sources are kept up to
``MAX_SOURCE_TOKENS``. One task with AdamW (Marian, BART), or several tasks in one model with
Adafactor (Flan-T5), all through ``training.train``.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from course_utils.zoo.training import Batch, shuffled_batches, train

if TYPE_CHECKING:
    import torch
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

MAX_SOURCE_TOKENS = 256
MAX_TARGET_TOKENS = 64

Pair = tuple[str, str]


def encode_pairs(tokenizer: PreTrainedTokenizerBase, pairs: Sequence[Pair]) -> Batch:
    """One padded training batch of (source, target) pairs.

    Padding positions of the target are set to -100, so the loss ignores them.
    """
    batch = tokenizer(
        [source for source, _ in pairs],
        padding=True,
        truncation=True,
        max_length=MAX_SOURCE_TOKENS,
        return_tensors="pt",
    )
    labels = tokenizer(
        text_target=[target for _, target in pairs],
        padding=True,
        truncation=True,
        max_length=MAX_TARGET_TOKENS,
        return_tensors="pt",
    )["input_ids"]
    labels[labels == tokenizer.pad_token_id] = -100
    return {**batch, "labels": labels}


def train_text_to_text(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    pairs: Sequence[Pair],
    steps: int,
    batch_size: int = 32,
    lr: float = 1e-3,
    seed: int = 0,
) -> list[float]:
    """Teacher-forced training on (source, target) pairs; returns the loss of each step."""
    indices = shuffled_batches(len(pairs), batch_size, seed)
    return train(
        model,
        lambda step: encode_pairs(tokenizer, [pairs[i] for i in indices(step)]),
        steps,
        lr,
        desc="text-to-text",
    )


def task_mixture(
    tokenizer: PreTrainedTokenizerBase,
    tasks: Mapping[str, Sequence[Pair]],
    weights: Mapping[str, float],
    batch_size: int,
    seed: int,
) -> Callable[[int], Batch]:
    """Batches for multi-task training: each batch holds ONE task, drawn with ``weights``.

    Single-task batches keep the padding small (a translation is ten tokens, an article with its
    question a hundred). Each task walks through its own shuffled epochs, so a task with few
    examples and a large weight is simply seen more often.
    """
    names = list(tasks)
    rng = random.Random(seed)
    orders = {name: list(range(len(tasks[name]))) for name in names}
    position = {name: len(tasks[name]) for name in names}  # exhausted: shuffle first

    def next_batch(step: int) -> Batch:
        name = rng.choices(names, weights=[weights[n] for n in names])[0]
        if position[name] + batch_size > len(orders[name]):
            rng.shuffle(orders[name])
            position[name] = 0
        start = position[name]
        position[name] += batch_size
        return encode_pairs(
            tokenizer, [tasks[name][i] for i in orders[name][start : start + batch_size]]
        )

    return next_batch


def adafactor(parameters: list[torch.nn.Parameter], lr: float) -> torch.optim.Optimizer:
    """T5's own optimiser, for ``training.train(..., make_optimizer=adafactor, max_grad_norm=None)``.

    Why not AdamW, as the other stand-ins? On the tiny multi-task T5 every AdamW run tried
    (several learning rates, curricula) learnt the output *templates* of the three tasks but not
    to copy from the input. Adafactor scales each update to the size of the weight it changes
    (``scale_parameter``) and clips the update itself (``clip_threshold``), which lets a much
    larger learning rate train every layer at once.
    """
    from transformers.optimization import Adafactor

    return Adafactor(
        parameters,
        lr=lr,
        scale_parameter=True,
        relative_step=False,
        warmup_init=False,
        clip_threshold=1.0,
    )
