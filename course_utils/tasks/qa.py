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

import re
import string
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from course_utils.data import QAExample, qa_questions
from course_utils.errors import CourseError, EmptyInputError
from course_utils.task_formats import QA_MAX_LENGTH, QA_STRIDE, qa_windows
from course_utils.token_limit import token_limit

if TYPE_CHECKING:
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

load = qa_questions  # notebooks 04 and 10 read the data set as qa.load
DEFAULT_MIN_SCORE = 0.2
DEFAULT_MAX_LENGTH = QA_MAX_LENGTH  # tokens per window, the question included
DEFAULT_STRIDE = QA_STRIDE  # tokens two neighbouring windows share
_SPECIAL_TOKENS = 3  # [CLS] question [SEP] context [SEP]


class QAInputError(CourseError, ValueError):
    """The QA helpers were given the wrong kind of argument, or window settings that cannot work."""


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


def _check_window(max_length: Any, stride: Any, limit: int | None) -> None:
    """Refuse window settings the tokenizer or the model cannot work with, before tokenising."""
    for name, value in (("max_length", max_length), ("stride", stride)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise QAInputError(f"{name} must be a whole number of tokens, got {value!r}.")
    if limit is not None and max_length > limit:
        raise QAInputError(
            f"max_length={max_length} is more than the {limit} tokens this model reads at once: "
            f"pass max_length={limit} or less. Longer contexts need no longer windows; they are "
            f"cut into overlapping windows anyway."
        )
    if not 0 <= stride < max_length - _SPECIAL_TOKENS:
        raise QAInputError(
            f"stride must be at least 0 and well below max_length={max_length}, got {stride}: "
            f"it is the number of context tokens two neighbouring windows share (the default is "
            f"{DEFAULT_STRIDE} for max_length={DEFAULT_MAX_LENGTH})."
        )


def encode_windows(
    tokenizer: PreTrainedTokenizerBase,
    questions: Sequence[str],
    contexts: Sequence[str],
    max_length: int = DEFAULT_MAX_LENGTH,
    stride: int = DEFAULT_STRIDE,
) -> Any:
    """Tokenise (question, context) pairs into overlapping windows of the context.

    The windows the QA stand-in was trained on (``task_formats.qa_windows``: a ``BatchEncoding``
    with ``offset_mapping`` and ``overflow_to_sample_mapping``), after refusing settings that
    leave a window no room for new context.
    """
    limit = token_limit(None, tokenizer)
    _check_window(max_length, stride, limit)
    for question in questions:
        n_tokens = len(tokenizer(question, add_special_tokens=False)["input_ids"])
        # Context tokens per window, the overlap with the previous window included.
        room = max_length - n_tokens - _SPECIAL_TOKENS
        if stride > room:
            # Each window repeats the whole question and the `stride` tokens it shares with its
            # neighbour, and must still have room for context it has not seen yet.
            fixes = ["Shorten the question"]
            if room >= 1:
                fixes.append(f"lower stride (now {stride}) below {room}")
            needed = n_tokens + stride + _SPECIAL_TOKENS + 1
            if limit is None or needed <= limit:
                fixes.append(f"raise max_length (now {max_length}) to at least {needed}")
            advice = ", ".join(fixes[:-1]) + " or " + fixes[-1] if len(fixes) > 1 else fixes[0]
            raise QAInputError(
                f"The question is {n_tokens} tokens long; with max_length={max_length} and "
                f"stride={stride} a window has no room for new context. {advice}"
                + (f" (this model reads at most {limit} tokens)." if limit is not None else ".")
            )
    return qa_windows(tokenizer, questions, contexts, max_length, stride)


def _check(questions: Sequence[str], contexts: Sequence[str]) -> None:
    for name, values in (("questions", questions), ("contexts", contexts)):
        if isinstance(values, str) or not isinstance(values, Sequence):
            raise QAInputError(
                f"{name} must be a list of strings, one per question, got "
                f"{type(values).__name__}. For a single question use "
                f"answer_question(question, context, model, tokenizer)."
            )
    if not questions:
        raise EmptyInputError("No questions were given: pass at least one question.")
    if len(questions) != len(contexts):
        raise QAInputError(
            f"Got {len(questions)} questions but {len(contexts)} contexts: pass one context per "
            f"question (repeat a context for several questions about it)."
        )
    for question, context in zip(questions, contexts, strict=True):
        for name, text in (("question", question), ("context", context)):
            if text is not None and not isinstance(text, str):
                raise QAInputError(f"Each {name} must be a string, got {type(text).__name__}.")
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
    """Answer each question from its context (see the module docstring for how).

    ``max_answer_tokens`` caps the answer's length in tokens; ``max_length`` is the window size
    (at most what the model reads at once) and ``stride`` the overlap of neighbouring windows.
    """
    import torch

    assert 0 <= min_score <= 1, f"min_score is a probability between 0 and 1, not {min_score}"
    _check(questions, contexts)
    if isinstance(max_answer_tokens, bool) or not isinstance(max_answer_tokens, int):
        raise QAInputError(f"max_answer_tokens must be a whole number, got {max_answer_tokens!r}.")
    if max_answer_tokens < 1:
        raise QAInputError(
            f"max_answer_tokens must be at least 1, got {max_answer_tokens}: with no room for "
            f"an answer every question would get 'no answer'."
        )
    _check_window(max_length, stride, token_limit(model.config, tokenizer))
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
) -> dict[str, float | None]:
    """Exact match on answerable questions, and how often unanswerable ones get "no answer".

    A score with no questions to measure it on is None rather than a made-up 0 or 1.
    """
    if not examples:
        raise EmptyInputError("No examples were given: pass at least one QAExample to evaluate.")
    predictions: list[Answer] = []
    for start in range(0, len(examples), batch_size):
        chunk = examples[start : start + batch_size]
        predictions += answer_questions(
            [e.question for e in chunk], [e.context for e in chunk], model, tokenizer, **options
        )
    answerable = [(p, e) for p, e in zip(predictions, examples, strict=True) if e.answer]
    unanswerable = [(p, e) for p, e in zip(predictions, examples, strict=True) if not e.answer]
    return {
        "exact_match": (
            sum(exact_match(p.text, e.answer) for p, e in answerable) / len(answerable)
            if answerable
            else None
        ),
        "no_answer_accuracy": (
            sum(not p.found for p, _ in unanswerable) / len(unanswerable) if unanswerable else None
        ),
        "n_answerable": len(answerable),
        "n_unanswerable": len(unanswerable),
    }
