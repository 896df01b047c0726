"""Named-entity recognition: tagging words with a token classifier, and scoring the entities.

Token classification predicts one label per *sub-word token*, while people annotate and score
*words* and *entities*. Training carries word tags over to tokens (a word's later sub-tokens
continue its entity: ``task_formats.word_labels_to_token_labels``, the format the NER stand-in
learnt); this module goes the other way, tokens → words (read at each word's first sub-token) →
entity spans, for prediction and scoring (entity-level F1, the CoNLL measure, via ``seqeval``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from course_utils.data import TaggedSentence, ner_sentences
from course_utils.errors import CourseError, EmptyInputError
from course_utils.token_limit import token_limit

if TYPE_CHECKING:
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

load = ner_sentences  # notebook 04 reads the data set as ner.load
ENTITY_TYPES = ("PER", "ORG", "LOC", "MISC")


class SentenceTooLongError(CourseError, ValueError):
    """A sentence has more sub-word tokens than the tagging model can read.

    Raised *before* the model runs: truncating would tag every word past the limit ``"O"``
    without telling anyone, and :func:`entity_scores` would then count their entities as misses.
    """

    def __init__(self, message: str, *, index: int, length: int, limit: int) -> None:
        self.index = index
        self.length = length
        self.limit = limit
        super().__init__(message)


def _check_word_lists(sentences: Any, name: str, item: str) -> list[list[str]]:
    """``sentences`` as lists of strings, refusing the shapes that would be read letter by letter.

    A string is itself a sequence of strings (its characters), so without this check one
    sentence passed as ``"Amara joined Orion"`` or ``["Amara", "joined"]`` (no outer list) would
    be tagged, or scored, one character per "word", silently.
    """
    one = f"for one sentence, wrap its {item} in a list: [{item}]"
    if isinstance(sentences, str):
        raise TypeError(
            f"{name} is one string; pass a list of sentences, each a list of {item}: "
            + ("[text.split()] for one text." if item == "words" else f"{one}.")
        )
    if not isinstance(sentences, Sequence):
        raise TypeError(
            f"{name} is a {type(sentences).__name__}; pass a list of sentences, each a list of "
            f"{item}."
        )
    checked = []
    for index, words in enumerate(sentences):
        if isinstance(words, str):
            raise TypeError(
                f"{name}[{index}] is the string {words[:40]!r}, not a list of {item}: pass a list "
                f"of sentences, each a list of {item}; {one}"
                + (" (a text becomes words with text.split())." if item == "words" else ".")
            )
        if isinstance(words, TaggedSentence):
            raise TypeError(
                f"{name}[{index}] is a TaggedSentence: pass its .{item} "
                f"([s.{item} for s in sentences])."
            )
        if not isinstance(words, Sequence) or not all(isinstance(w, str) for w in words):
            raise TypeError(
                f"{name}[{index}] must be a list of {item} (strings), "
                f"not {type(words).__name__} {str(words)[:60]}."
            )
        checked.append(list(words))
    return checked


def predict_tags(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    sentences: Sequence[Sequence[str]],
    batch_size: int = 32,
) -> list[list[str]]:
    """One IOB2 tag per word, read from each word's first sub-token.

    ``sentences`` is a list of sentences, each a list of words (``[text.split()]`` for one
    text). A sentence longer than the model's limit (512 tokens for BERT) raises
    :class:`SentenceTooLongError` instead of having its later words silently tagged ``"O"``:
    split it into shorter sentences first.
    """
    import torch

    chunks = _check_word_lists(sentences, "sentences", "words")
    if not chunks or any(len(words) == 0 for words in chunks):
        raise EmptyInputError("Every sentence needs at least one word to tag.")
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive whole number, got {batch_size!r}.")
    limit = token_limit(model.config, tokenizer)
    # A loaded config's id2label has int keys; its declared type also allows str keys and None.
    id2label = {int(key): label for key, label in (model.config.id2label or {}).items()}
    model.eval()
    predicted: list[list[str]] = []
    for start in range(0, len(chunks), batch_size):
        chunk = chunks[start : start + batch_size]
        # No truncation: an over-long sentence is refused below rather than cut short. verbose=False
        # silences the tokenizer's own "longer than the maximum" warning, which the error replaces.
        encoded = tokenizer(
            chunk, is_split_into_words=True, padding=True, return_tensors="pt", verbose=False
        )
        lengths = encoded["attention_mask"].sum(dim=1).tolist()
        for row, length in enumerate(lengths):
            if limit is not None and length > limit:
                index = start + row
                raise SentenceTooLongError(
                    f"Sentence {index} ({len(chunk[row])} words) is {length} tokens long, but the "
                    f"model reads at most {limit}. Nothing was tagged: split it into shorter "
                    f"sentences (e.g. at full stops) and tag those.",
                    index=index,
                    length=length,
                    limit=limit,
                )
        with torch.no_grad():
            ids = model(**encoded).logits.argmax(-1).tolist()
        for row, words in enumerate(chunk):
            tags = ["O"] * len(words)
            seen: set[int] = set()
            for position, word_id in enumerate(encoded.word_ids(row)):
                if word_id is not None and word_id not in seen:
                    seen.add(word_id)
                    tags[word_id] = id2label[ids[row][position]]
            predicted.append(tags)
    return predicted


def entity_scores(gold: Sequence[Sequence[str]], predicted: Sequence[Sequence[str]]) -> dict:
    """Entity-level precision, recall and F1 (an entity counts only if type and span match).

    ``gold`` and ``predicted`` are lists of sentences, each a list of tags, paired sentence by
    sentence and tag by tag; one sentence's tags go in as ``[tags]``.
    """
    from seqeval.metrics import classification_report, f1_score, precision_score, recall_score
    from seqeval.scheme import IOB2

    gold = _check_word_lists(gold, "gold", "tags")
    predicted = _check_word_lists(predicted, "predicted", "tags")
    if len(gold) != len(predicted):
        raise ValueError(
            f"gold has {len(gold)} sentences but predicted has {len(predicted)}: score the "
            f"predictions for exactly the sentences whose gold tags you pass."
        )
    for index, (gold_tags, predicted_tags) in enumerate(zip(gold, predicted, strict=True)):
        if len(gold_tags) != len(predicted_tags):
            raise ValueError(
                f"Sentence {index} has {len(gold_tags)} gold tags but {len(predicted_tags)} "
                f"predicted ones: each word needs exactly one tag on both sides."
            )
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
