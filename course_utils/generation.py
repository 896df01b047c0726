"""Notebook 07's figure and table helpers.

Notebook 07 calls ``model.generate`` itself and builds the decoding filters in its own cells
(exported to :mod:`course_utils.lessons.decoding`). What stays here is what it only *uses*:
:func:`plot_filter`, the bar chart of what a filter keeps, and :func:`describe_model`, one row
of its decoder comparison table.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import torch

from course_utils.token_limit import token_limit

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["describe_model", "plot_filter", "position_scheme"]


# How each architecture tells the model where a token is. GPT-2, GPT-Neo and OPT learn one
# vector per position (so their config caps the context); BLOOM adds ALiBi's distance penalty to
# the attention scores instead and has no position table at all.
_POSITION_SCHEMES = {
    "gpt2": "learned absolute",
    "gpt_neo": "learned absolute",
    "opt": "learned absolute (offset 2)",
    "bloom": "ALiBi (no position table)",
    "llama": "rotary (RoPE)",
}


def position_scheme(config: Any) -> str:
    """How ``config``'s architecture encodes positions, in words ("unknown" if not listed)."""
    return _POSITION_SCHEMES.get(getattr(config, "model_type", ""), "unknown")


def describe_model(model: Any, tokenizer: Any) -> dict[str, Any]:
    """One row of the decoder comparison table: size, vocabulary, context and positions.

    The caller adds the model's name: ``config._name_or_path`` can be a local folder.

    ``vocab_size`` is the number of rows of the embedding matrix (the config's); it can be a
    little larger than ``len(tokenizer)`` because models round it up for faster matrix maths.
    """
    config = model.config
    return {
        "class": type(model).__name__,
        "parameters": sum(p.numel() for p in model.parameters()),
        "vocab_size": config.vocab_size,
        "tokenizer_size": len(tokenizer),
        "context_length": token_limit(config),
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
