"""Extractive question answering done directly: windows → start/end logits → best valid span.

transformers 5 removed the ``question-answering`` pipeline, and a learner should see what it
did anyway. A QA model scores every token as a possible answer start and answer end; the
answer is the span ``(start, end)`` with the highest ``p_start * p_end`` among *valid* spans:
inside the context (never the question), ``start <= end``, and not too long. Three things the
pipeline handled are made explicit here:

* **Long contexts** are cut into overlapping windows (``stride`` tokens shared), every window is
  scored, and the best span over all windows wins: nothing is silently truncated.
* **No answer**: if even the best span is unlikely (score below ``min_score``), the helper says
  so instead of inventing an answer.
* **Bad input** (an empty question or context, a question too long for a window) gets a clear
  error.

The same code runs on transformers 4.57 and 5.x: it uses only the tokenizer's call (fast
tokenizers, for offsets) and the model's ``start_logits`` / ``end_logits``.
"""

from __future__ import annotations

import json
import re
import string
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from course_utils.errors import EmptyInputError
from course_utils.paths import data_dir

if TYPE_CHECKING:
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

Split = Literal["train", "test"]
QA_FILES = {"train": "qa/train.jsonl", "test": "qa/test.jsonl"}
DEFAULT_MIN_SCORE = 0.2
DEFAULT_MAX_LENGTH = 384  # tokens per window, question included (SQuAD's usual setting)
DEFAULT_STRIDE = 128  # tokens two neighbouring windows share, so no answer is cut in half


@dataclass(frozen=True)
class QAExample:
    """A question about a context; ``answer`` is None when the context does not answer it."""

    id: str
    context: str
    question: str
    answer: str | None
    answer_start: int | None


@dataclass(frozen=True)
class Answer:
    """What ``answer_question`` found.

    Attributes:
        text: the answer, an exact slice of the context, or None for "no answer".
        score: p_start * p_end of the best valid span (also reported when it was too low).
        start, end: character offsets of the best span in the context (``context[start:end]``).
        min_score: the threshold the score was compared with.
    """

    text: str | None
    score: float
    start: int
    end: int
    min_score: float

    @property
    def found(self) -> bool:
        return self.text is not None

    def __str__(self) -> str:
        if self.found:
            return f"{self.text!r} (score {self.score:.2f})"
        return (
            f"no answer: the best span scores {self.score:.2f}, below {self.min_score:.2f}, "
            "so the context probably does not say"
        )


def load(split: Split, root: Path | None = None) -> list[QAExample]:
    """The project's QA questions (``data/qa``); ``test`` is held out and never trained on."""
    if split not in QA_FILES:
        raise ValueError(f"split must be 'train' or 'test', not {split!r}.")
    examples = []
    path = (root or data_dir()) / QA_FILES[split]
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        for q in record["questions"]:
            examples.append(
                QAExample(q["id"], record["context"], q["question"], q["answer"], q["answer_start"])
            )
    return examples


def encode_windows(
    tokenizer: PreTrainedTokenizerBase,
    questions: Sequence[str],
    contexts: Sequence[str],
    max_length: int = DEFAULT_MAX_LENGTH,
    stride: int = DEFAULT_STRIDE,
) -> Any:
    """Tokenise (question, context) pairs into overlapping windows of the context.

    Returns the tokenizer's ``BatchEncoding`` with ``offset_mapping`` (character spans of each
    token) and ``overflow_to_sample_mapping`` (which pair each window came from).
    """
    for question in questions:
        n_tokens = len(tokenizer(question, add_special_tokens=False)["input_ids"])
        if n_tokens > max_length - stride - 3:
            raise ValueError(
                f"The question is {n_tokens} tokens long; with max_length={max_length} and "
                f"stride={stride} that leaves too little room for the context. Shorten the "
                "question, or raise max_length (at most the model's limit, often 512)."
            )
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


def _check(questions: Sequence[str], contexts: Sequence[str]) -> None:
    if not questions:
        raise EmptyInputError("No questions were given: pass at least one question.")
    for question, context in zip(questions, contexts, strict=True):
        if not question or not question.strip():
            raise EmptyInputError("The question is empty: ask something about the context.")
        if not context or not context.strip():
            raise EmptyInputError(
                "The context is empty: extractive QA copies its answer out of the context, so "
                "pass the text that contains the answer."
            )


def answer_questions(
    questions: Sequence[str],
    contexts: Sequence[str],
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    *,
    min_score: float = DEFAULT_MIN_SCORE,
    max_answer_tokens: int = 30,
    max_length: int = DEFAULT_MAX_LENGTH,
    stride: int = DEFAULT_STRIDE,
) -> list[Answer]:
    """Answer each question from its context (see the module docstring for how)."""
    import torch

    _check(questions, contexts)
    encoded = encode_windows(tokenizer, questions, contexts, max_length, stride)
    inputs = {name: encoded[name] for name in tokenizer.model_input_names if name in encoded}
    model.eval()
    with torch.no_grad():
        output = model(**inputs)

    best: list[tuple[float, int, int]] = [(-1.0, 0, 0)] * len(questions)
    for window, sample in enumerate(encoded["overflow_to_sample_mapping"].tolist()):
        in_context = torch.tensor([i == 1 for i in encoded.sequence_ids(window)])
        allowed = in_context.clone()
        allowed[0] = True  # the [CLS] token, where a model trained to abstain puts its mass
        p_start = output.start_logits[window].masked_fill(~allowed, -1e9).softmax(-1)
        p_end = output.end_logits[window].masked_fill(~allowed, -1e9).softmax(-1)
        scores = p_start[:, None] * p_end[None, :]  # scores[i, j]: span from token i to token j
        valid = in_context[:, None] & in_context[None, :]
        valid &= torch.ones_like(valid).triu().tril(max_answer_tokens - 1)  # i <= j < i + max
        scores = scores.masked_fill(~valid, 0.0)
        flat = int(scores.argmax())
        score = float(scores.flatten()[flat])
        if score > best[sample][0]:
            offsets = encoded["offset_mapping"][window]
            first, last = divmod(flat, scores.shape[1])
            best[sample] = (score, int(offsets[first][0]), int(offsets[last][1]))

    answers = []
    for (score, start, end), context in zip(best, contexts, strict=True):
        text = context[start:end] if score >= min_score else None
        answers.append(Answer(text, max(score, 0.0), start, end, min_score))
    return answers


def answer_question(
    question: str,
    context: str,
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    **options: Any,
) -> Answer:
    """Answer one question from ``context``; ``options`` as for ``answer_questions``."""
    return answer_questions([question], [context], model, tokenizer, **options)[0]


def training_features(
    tokenizer: PreTrainedTokenizerBase,
    examples: Sequence[QAExample],
    max_length: int = DEFAULT_MAX_LENGTH,
    stride: int = DEFAULT_STRIDE,
) -> dict[str, Any]:
    """Windows with ``start_positions`` / ``end_positions`` token targets for training.

    A window that does not contain the whole answer, and every window of an unanswerable
    question, points at [CLS] (position 0): the SQuAD 2.0 convention for "no answer here".
    """
    import torch

    encoded = encode_windows(
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


def normalize_answer(text: str) -> str:
    """SQuAD's normalisation: lower case, no punctuation, no articles, single spaces."""
    text = "".join(ch for ch in text.lower() if ch not in set(string.punctuation))
    text = re.sub(r"\b(a|an|the)\b", " ", text)
    return " ".join(text.split())


def exact_match(prediction: str | None, gold: str | None) -> bool:
    """SQuAD exact match; "no answer" matches only "no answer"."""
    if prediction is None or gold is None:
        return prediction is None and gold is None
    return normalize_answer(prediction) == normalize_answer(gold)


def evaluate(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    examples: Sequence[QAExample],
    batch_size: int = 32,
    **options: Any,
) -> dict[str, float]:
    """Exact match on answerable questions, and how often unanswerable ones get "no answer"."""
    predictions: list[Answer] = []
    for start in range(0, len(examples), batch_size):
        chunk = examples[start : start + batch_size]
        predictions += answer_questions(
            [e.question for e in chunk], [e.context for e in chunk], model, tokenizer, **options
        )
    answerable = [(p, e) for p, e in zip(predictions, examples, strict=True) if e.answer]
    unanswerable = [(p, e) for p, e in zip(predictions, examples, strict=True) if not e.answer]
    return {
        "exact_match": sum(exact_match(p.text, e.answer) for p, e in answerable) / len(answerable),
        "no_answer_accuracy": (
            sum(not p.found for p, _ in unanswerable) / len(unanswerable) if unanswerable else 1.0
        ),
        "n_answerable": len(answerable),
        "n_unanswerable": len(unanswerable),
    }
