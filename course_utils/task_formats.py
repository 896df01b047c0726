"""How task data becomes model input: T5's prefixes, QA windows with answer targets, NER labels.

The offline stand-ins are trained in these formats (flan-t5-small on prefixed text, the SQuAD
reader on windows with start/end token targets, the NER tagger on word tags carried over to
sub-word tokens), and the notebooks' task helpers (``seq2seq``, ``tasks.qa``, ``tasks.ner``) feed
the models the same way. The formats live here rather than in those helpers so that the zoo
imports no lesson code: editing how a notebook checks, shows or scores a task rebuilds no model.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from transformers import PreTrainedTokenizerBase

    from course_utils.data import QAExample, TaggedSentence

# --- T5: one model, many tasks, told apart by a text prefix ---------------------------------


def t5_prefixed(
    task: str,
    text: str,
    *,
    source: str = "English",
    target: str = "German",
    context: str | None = None,
) -> str:
    """``text`` behind the prefix T5 was trained on for ``task``, spelt exactly as in training.

    ``"translate {source} to {target}: …"`` (languages as names), ``"summarize: …"`` and
    ``"question: … context: …"``: nothing else tells a T5 model which task to do.
    """
    if task == "translate":
        return f"translate {source} to {target}: {text}"
    if task == "summarize":
        return f"summarize: {text}"
    if task == "question" and context is not None:
        return f"question: {text} context: {context}"
    raise ValueError(
        f"No T5 format for task {task!r} (context {context!r}): the tasks are 'translate', "
        f"'summarize' and 'question', which needs the context that holds the answer."
    )


# --- Extractive QA: windows of the context, the answer as start/end token positions ---------

QA_MAX_LENGTH = 384  # tokens per window, question included (SQuAD's usual setting)
QA_STRIDE = 128  # tokens two neighbouring windows share, so no answer is cut in half


def qa_windows(
    tokenizer: PreTrainedTokenizerBase,
    questions: Sequence[str],
    contexts: Sequence[str],
    max_length: int = QA_MAX_LENGTH,
    stride: int = QA_STRIDE,
) -> Any:
    """Tokenise (question, context) pairs into overlapping windows of the context.

    Returns the tokenizer's ``BatchEncoding`` with ``offset_mapping`` (character spans of each
    token) and ``overflow_to_sample_mapping`` (which pair each window came from).
    """
    return tokenizer(
        list(questions),
        list(contexts),
        truncation="only_second",
        max_length=max_length,
        stride=stride,
        return_overflowing_tokens=True,
        return_offsets_mapping=True,
        padding=True,
        return_tensors="pt",
    )


def qa_training_features(
    tokenizer: PreTrainedTokenizerBase,
    examples: Sequence[QAExample],
    max_length: int = QA_MAX_LENGTH,
    stride: int = QA_STRIDE,
) -> dict[str, Any]:
    """Windows with ``start_positions`` / ``end_positions`` token targets for training.

    A window that does not contain the whole answer, and every window of an unanswerable
    question, points at [CLS] (position 0): the SQuAD 2.0 convention for "no answer here".
    """
    import torch

    encoded = qa_windows(
        tokenizer, [e.question for e in examples], [e.context for e in examples], max_length, stride
    )
    starts, ends = [], []
    for window, sample in enumerate(encoded["overflow_to_sample_mapping"].tolist()):
        example = examples[sample]
        start_token = end_token = 0
        if example.answer is not None:
            answer_start = example.answer_start
            answer_end = answer_start + len(example.answer)
            sequence_ids = encoded.sequence_ids(window)
            for token, (begin, finish) in enumerate(encoded["offset_mapping"][window].tolist()):
                if sequence_ids[token] != 1:
                    continue
                if begin <= answer_start < finish:
                    start_token = token
                if begin < answer_end <= finish:
                    end_token = token
            if not (start_token and end_token):  # the answer is not (wholly) in this window
                start_token = end_token = 0
        starts.append(start_token)
        ends.append(end_token)
    features = {name: encoded[name] for name in tokenizer.model_input_names if name in encoded}
    features["start_positions"] = torch.tensor(starts)
    features["end_positions"] = torch.tensor(ends)
    return features


# --- Named entities: IOB2 word tags carried over to sub-word tokens -------------------------

# The label order of dslim/bert-base-NER (CoNLL-2003, IOB2), so the stand-in's ids match it.
CONLL_LABELS = ("O", "B-MISC", "I-MISC", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC")
IGNORED = -100  # the label id PyTorch's cross-entropy skips


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


def ner_training_features(
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
