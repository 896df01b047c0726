"""Training the encoder-decoder stand-ins (Marian, BART, Flan-T5) on longer texts.

``training.train_seq2seq`` cuts sources at 64 tokens, enough for single sentences. Articles to
summarise and question-plus-context inputs run to ~150 tokens, and a summariser trained on cut
articles learns to invent the facts it never saw, so these recipes use this loop instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from course_utils.zoo.training import Batch, shuffled_batches, train

if TYPE_CHECKING:
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

MAX_SOURCE_TOKENS = 256
MAX_TARGET_TOKENS = 64


def train_text_to_text(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    pairs: Sequence[tuple[str, str]],
    steps: int,
    batch_size: int = 32,
    lr: float = 1e-3,
    seed: int = 0,
) -> list[float]:
    """Teacher-forced training on (source, target) pairs; returns the loss of each step.

    Padding positions of the target are set to -100, so the loss ignores them.
    """
    indices = shuffled_batches(len(pairs), batch_size, seed)

    def next_batch(step: int) -> Batch:
        chosen = [pairs[i] for i in indices(step)]
        batch = tokenizer(
            [source for source, _ in chosen],
            padding=True,
            truncation=True,
            max_length=MAX_SOURCE_TOKENS,
            return_tensors="pt",
        )
        labels = tokenizer(
            text_target=[target for _, target in chosen],
            padding=True,
            truncation=True,
            max_length=MAX_TARGET_TOKENS,
            return_tensors="pt",
        )["input_ids"]
        labels[labels == tokenizer.pad_token_id] = -100
        return {**batch, "labels": labels}

    return train(model, next_batch, steps, lr, desc="text-to-text")
