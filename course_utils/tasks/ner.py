"""Named-entity recognition: the data, the label set, word-level tagging, scoring and display.

Token classification predicts one label per *sub-word token*, while people annotate and score
*words* and *entities*. This module does the two translations the course needs: words → tokens
for training (a word's later sub-tokens continue its entity), and tokens → words (read at each
word's first sub-token) → entity spans for prediction and scoring (entity-level F1, the CoNLL
measure, via ``seqeval``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from course_utils.errors import EmptyInputError
from course_utils.paths import data_dir

if TYPE_CHECKING:
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

Split = Literal["train", "test"]
NER_FILES = {"train": "ner/train.conll", "test": "ner/test.conll"}
# The label order of dslim/bert-base-NER (CoNLL-2003, IOB2), so the stand-in's ids match it.
CONLL_LABELS = ("O", "B-MISC", "I-MISC", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC")
ENTITY_TYPES = ("PER", "ORG", "LOC", "MISC")
IGNORED = -100  # the label id PyTorch's cross-entropy skips


@dataclass(frozen=True)
class TaggedSentence:
    """One annotated sentence: words and their IOB2 tags, same length."""

    words: tuple[str, ...]
    tags: tuple[str, ...]

    @property
    def text(self) -> str:
        """The words joined by spaces (the data keeps punctuation as separate words)."""
        return " ".join(self.words)


def load(split: Split, root: Path | None = None) -> list[TaggedSentence]:
    """The project's NER sentences (``data/ner``); ``test`` is held out and never trained on."""
    if split not in NER_FILES:
        raise ValueError(f"split must be 'train' or 'test', not {split!r}.")
    text = ((root or data_dir()) / NER_FILES[split]).read_text(encoding="utf-8")
    sentences = []
    for block in text.strip().split("\n\n"):
        pairs = [line.split("\t") for line in block.splitlines()]
        words, tags = zip(*pairs, strict=True)
        sentences.append(TaggedSentence(tuple(words), tuple(tags)))
    return sentences


def word_labels_to_token_labels(
    word_ids: Sequence[int | None], word_tags: Sequence[str], label2id: Mapping[str, int]
) -> list[int]:
    """Token labels from word tags: a word's later sub-tokens continue it (``B-X`` → ``I-X``).

    ``Kestrel`` → ``ke ##strel``: tagged ``B-ORG I-ORG``, not ``B-ORG B-ORG``. Then every
    sub-token carries a label that the pipeline's ``aggregation_strategy="simple"`` can merge
    into one entity. Special tokens get the ignored id, so they never count in the loss.
    """
    labels, previous = [], None
    for word_id in word_ids:
        if word_id is None:
            labels.append(IGNORED)
        elif word_id == previous:
            tag = word_tags[word_id]
            labels.append(label2id["I-" + tag[2:] if tag.startswith("B-") else tag])
        else:
            labels.append(label2id[word_tags[word_id]])
        previous = word_id
    return labels


def encode(
    tokenizer: PreTrainedTokenizerBase,
    sentences: Sequence[TaggedSentence],
    label2id: Mapping[str, int],
    max_length: int = 64,
) -> dict[str, Any]:
    """Tokenise pre-split words (fast tokenizer needed) and attach token-level ``labels``."""
    import torch

    encoded = tokenizer(
        [list(s.words) for s in sentences],
        is_split_into_words=True,
        truncation=True,
        max_length=max_length,
        padding=True,
        return_tensors="pt",
    )
    labels = [
        word_labels_to_token_labels(encoded.word_ids(i), s.tags, label2id)
        for i, s in enumerate(sentences)
    ]
    batch = dict(encoded)
    batch["labels"] = torch.tensor(labels)
    return batch


def predict_tags(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    sentences: Sequence[Sequence[str]],
    batch_size: int = 32,
) -> list[list[str]]:
    """One IOB2 tag per word, read from each word's first sub-token."""
    import torch

    if not sentences or any(len(words) == 0 for words in sentences):
        raise EmptyInputError("Every sentence needs at least one word to tag.")
    model.eval()
    predicted: list[list[str]] = []
    for start in range(0, len(sentences), batch_size):
        chunk = [list(words) for words in sentences[start : start + batch_size]]
        encoded = tokenizer(
            chunk, is_split_into_words=True, truncation=True, padding=True, return_tensors="pt"
        )
        with torch.no_grad():
            ids = model(**encoded).logits.argmax(-1).tolist()
        for row, words in enumerate(chunk):
            tags = ["O"] * len(words)  # words cut off by truncation stay "O"
            seen: set[int] = set()
            for position, word_id in enumerate(encoded.word_ids(row)):
                if word_id is not None and word_id not in seen:
                    seen.add(word_id)
                    tags[word_id] = model.config.id2label[ids[row][position]]
            predicted.append(tags)
    return predicted


def entity_scores(gold: Sequence[Sequence[str]], predicted: Sequence[Sequence[str]]) -> dict:
    """Entity-level precision, recall and F1 (an entity counts only if type and span match)."""
    from seqeval.metrics import classification_report, f1_score, precision_score, recall_score
    from seqeval.scheme import IOB2

    gold, predicted = [list(g) for g in gold], [list(p) for p in predicted]
    options = {"mode": "strict", "scheme": IOB2}
    return {
        "precision": float(precision_score(gold, predicted, **options)),
        "recall": float(recall_score(gold, predicted, **options)),
        "f1": float(f1_score(gold, predicted, **options)),
        "per_type": {
            name: float(values["f1-score"])
            for name, values in classification_report(
                gold, predicted, output_dict=True, zero_division=0, **options
            ).items()
            if name in ENTITY_TYPES
        },
    }
