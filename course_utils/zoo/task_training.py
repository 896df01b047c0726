"""Training loops for the token-level task heads: named entities and extractive QA.

They reuse the shared loop (``training.train``) and take their inputs in the formats of
``course_utils.task_formats``, the conventions the notebooks' task helpers use to run the models.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from course_utils.task_formats import ner_training_features, qa_training_features
from course_utils.zoo.training import Batch, shuffled_batches, train

BUCKET_BATCHES = 8  # batches per length bucket

if TYPE_CHECKING:
    import torch
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

    from course_utils.data import QAExample, TaggedSentence


def freeze_bottom(model: PreTrainedModel, layers: Sequence[torch.nn.Module]) -> None:
    """Keep the embeddings and the given lower layers as pre-training left them.

    With a few thousand training examples most of the vocabulary never occurs, and names in
    held-out text are exactly the words training did not see: fixed lower layers keep them where
    pre-training put them. It also makes each step cheaper on a CPU: no update of the largest
    matrix (30k × hidden), and back-propagation stops above the frozen layers.
    """
    model.get_input_embeddings().requires_grad_(False)
    for layer in layers:
        layer.requires_grad_(False)


def length_bucketed_batches(
    lengths: Sequence[int], batch_size: int, epochs: int, seed: int
) -> list[list[int]]:
    """Shuffled batches of items of similar length, so little of each batch is padding.

    Items are shuffled, cut into buckets of ``BUCKET_BATCHES`` batches, sorted by length inside
    a bucket and cut into batches; the batches are shuffled again. Compared with plain shuffled
    batches this roughly halves the padding when lengths vary by a factor of three.
    """
    import torch

    generator = torch.Generator().manual_seed(seed)
    batches: list[list[int]] = []
    bucket = batch_size * BUCKET_BATCHES
    for _ in range(epochs):
        order = torch.randperm(len(lengths), generator=generator).tolist()
        for start in range(0, len(order), bucket):
            chunk = sorted(order[start : start + bucket], key=lambda i: lengths[i])
            batches += [chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size)]
    shuffled = torch.randperm(len(batches), generator=generator).tolist()
    return [batches[i] for i in shuffled]


def fine_tune_token_classifier(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    sentences: Sequence[TaggedSentence],
    label2id: Mapping[str, int],
    epochs: int,
    batch_size: int = 16,
    lr: float = 1e-4,
    seed: int = 0,
) -> list[float]:
    """Fine-tune a token classifier on word-tagged sentences (see ``ner_training_features``)."""
    model.get_input_embeddings().requires_grad_(False)  # see freeze_bottom
    indices = shuffled_batches(len(sentences), batch_size, seed)

    def next_batch(step: int) -> Batch:
        return ner_training_features(tokenizer, [sentences[i] for i in indices(step)], label2id)

    steps = epochs * -(-len(sentences) // batch_size)
    return train(model, next_batch, steps, lr, desc="fine-tune NER")


def fine_tune_extractive_qa(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    examples: Sequence[QAExample],
    epochs: int,
    frozen_layers: Sequence[torch.nn.Module] = (),
    batch_size: int = 16,
    lr: float = 2e-4,
    seed: int = 0,
) -> list[float]:
    """Fine-tune a span-extraction head; unanswerable questions learn to point at [CLS]."""
    freeze_bottom(model, frozen_layers)
    lengths = [len(e.question) + len(e.context) for e in examples]  # characters: cheap, enough
    batches = length_bucketed_batches(lengths, batch_size, epochs, seed)

    def next_batch(step: int) -> Batch:
        return qa_training_features(tokenizer, [examples[i] for i in batches[step]])

    return train(model, next_batch, len(batches), lr, desc="fine-tune QA")
