"""Notebook 07's figure and table helpers, and the settings check the from-scratch GPT shares.

Notebook 07 calls ``model.generate`` itself and builds the decoding filters in its own cells
(exported to :mod:`course_utils.lessons.decoding`). What stays here is what it only *uses*:
:func:`plot_filter`, the bar chart of what a filter keeps, and :func:`describe_model`, one row
of its decoder comparison table (``course_utils.seq2seq`` reads :func:`context_length` too).

:class:`GenerationError` and the two settings checks are kept for ``course_utils.scratch_gpt``
(notebook 07b), which imports them from here until it has its own.
"""

from __future__ import annotations

import math
from numbers import Integral, Real
from typing import TYPE_CHECKING, Any

import torch

from course_utils.errors import CourseError

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "GenerationError",
    "check_generation_settings",
    "context_length",
    "describe_model",
    "plot_filter",
    "position_scheme",
    "refuse_sampling_settings_without_sampling",
]


class GenerationError(CourseError, ValueError):
    """A generation setting cannot work (no tokens asked for, impossible sampling settings …)."""


def _check_number(name: str, value: Any, *, whole: bool = False) -> None:
    """Refuse a value that is not a finite number (or not a whole one, for counts).

    ``True`` is refused although Python counts it as 1: ``temperature=True`` is a slip, not a
    setting. Ints are fine for float settings (``temperature=2`` means 2.0); callers convert
    them with ``float`` because ``transformers`` insists on floats there.
    """
    kind = Integral if whole else Real
    if isinstance(value, bool) or not isinstance(value, kind) or not math.isfinite(value):
        raise GenerationError(
            f"{name} must be {'a whole number' if whole else 'a finite number'}, got {value!r}."
        )


def refuse_sampling_settings_without_sampling(
    do_sample: bool, temperature: float, top_k: int | None, top_p: float | None
) -> None:
    """Refuse ``temperature``/``top_k``/``top_p`` when ``do_sample=False``, instead of ignoring them.

    Greedy decoding and beam search take the most likely tokens whatever these say, so a learner
    who sets ``temperature=0.7`` without ``do_sample=True`` would otherwise compare two identical
    outputs and conclude that temperature does nothing.
    """
    if do_sample:
        return
    set_anyway = {"temperature": temperature != 1.0, "top_k": top_k is not None}
    set_anyway["top_p"] = top_p is not None
    names = ", ".join(name for name, is_set in set_anyway.items() if is_set)
    if names:
        raise GenerationError(
            f"{names} only change(s) sampling, but do_sample=False (greedy or beam search always "
            f"takes the most likely tokens). Pass do_sample=True to sample, or drop {names}."
        )


def check_generation_settings(
    max_new_tokens: int,
    do_sample: bool,
    temperature: float,
    top_k: int | None,
    top_p: float | None,
    *,
    repetition_penalty: float = 1.0,
) -> None:
    """Refuse settings that cannot work, with a message that says what to do instead.

    Every setting must be a number of the right kind (a string or None gets a message naming the
    setting, not a ``TypeError`` from a comparison deep inside). Temperature 0 is refused rather
    than read as "greedy": dividing the logits by 0 is undefined, and greedy decoding already
    has its own switch (``do_sample=False``). One clear rule beats a special case that hides
    which strategy actually ran.
    """
    _check_number("max_new_tokens", max_new_tokens, whole=True)
    _check_number("temperature", temperature)
    _check_number("repetition_penalty", repetition_penalty)
    if top_k is not None:
        _check_number("top_k", top_k, whole=True)
    if top_p is not None:
        _check_number("top_p", top_p)
    if repetition_penalty <= 0:
        raise GenerationError(
            f"repetition_penalty must be above 0 (1 = no penalty, 1.2 = a mild one), got "
            f"{repetition_penalty}."
        )
    if max_new_tokens <= 0:
        raise GenerationError(
            f"max_new_tokens must be a positive number of tokens to add, got {max_new_tokens}."
        )
    if not do_sample:
        return
    if temperature <= 0:
        raise GenerationError(
            f"temperature must be above 0 when sampling, got {temperature}: temperature 0 would "
            f"divide by zero. For the single most likely token use greedy decoding: "
            f"do_sample=False (the default) and no temperature."
        )
    if top_k is not None and top_k < 1:
        raise GenerationError(f"top_k must be at least 1 (or None for no limit), got {top_k}.")
    if top_p is not None and not 0 < top_p <= 1:
        raise GenerationError(
            f"top_p must be in (0, 1], got {top_p}: it is the share of probability to keep "
            f"(1 = keep everything, 0.9 = the most likely tokens that make up 90 %)."
        )


# How each architecture tells the model where a token is. GPT-2, GPT-Neo and OPT learn one
# vector per position (so their config caps the context); BLOOM adds ALiBi's distance penalty to
# the attention scores instead and has no position table at all.
_POSITION_SCHEMES = {
    "gpt2": "learned absolute",
    "gpt_neo": "learned absolute",
    "opt": "learned absolute (offset 2)",
    "bloom": "ALiBi (no position table)",
}


def position_scheme(config: Any) -> str:
    """How ``config``'s architecture encodes positions, in words ("unknown" if not listed)."""
    return _POSITION_SCHEMES.get(getattr(config, "model_type", ""), "unknown")


def context_length(config: Any) -> int | None:
    """The longest text the model has position embeddings for, or None if it has no limit.

    The name differs between architectures: GPT-2 calls it ``n_positions``; OPT and GPT-Neo
    ``max_position_embeddings``. BLOOM uses ALiBi, which needs no position table, so its config
    has neither and this returns None (it still works best near the lengths it was trained on).
    """
    for name in ("n_positions", "max_position_embeddings"):
        value = getattr(config, name, None)
        if isinstance(value, int):
            return value
    return None


def describe_model(model: Any, tokenizer: Any) -> dict[str, Any]:
    """One row of the decoder comparison table: size, vocabulary, context and positions.

    ``vocab_size`` is the number of rows of the embedding matrix (the config's); it can be a
    little larger than ``len(tokenizer)`` because models round it up for faster matrix maths.
    """
    config = model.config
    return {
        "model": getattr(config, "_name_or_path", "") or type(model).__name__,
        "class": type(model).__name__,
        "parameters": sum(p.numel() for p in model.parameters()),
        "vocab_size": config.vocab_size,
        "tokenizer_size": len(tokenizer),
        "context_length": context_length(config),
        "positions": position_scheme(config),
    }


def plot_filter(
    before: torch.Tensor,
    after: torch.Tensor,
    tokenizer: Any,
    k: int = 15,
    title: str = "",
    ax: Axes | None = None,
) -> Axes:
    """Bars of the ``k`` most likely tokens *before* a filter, next to their probability after.

    ``before`` and ``after`` are probabilities of shape (vocab,). The tokens are the top ``k`` of
    ``before``, so a token that a filter cuts shows an empty orange bar and the renormalised
    survivors grow.
    """
    import matplotlib.pyplot as plt

    assert before.shape == after.shape, "filter the distribution you pass as before"
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 3.2))
    values, ids = before.topk(min(k, before.numel()))
    labels = [repr(tokenizer.decode([i])) for i in ids.tolist()]
    positions = torch.arange(len(labels)).float()
    ax.bar(positions - 0.2, values.tolist(), width=0.4, label="before", color="tab:blue")
    ax.bar(positions + 0.2, after[ids].tolist(), width=0.4, label="after", color="tab:orange")
    ax.set_xticks(positions.tolist(), labels, rotation=45, ha="right")
    ax.set_ylabel("probability")
    ax.set_title(title)
    ax.legend()
    return ax
