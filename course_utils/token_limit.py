"""How many tokens a model reads at once: one answer for the whole course.

Architectures name their limit differently and tokenizers add one of their own, so code that
asks "is this text too long?" asks here.
"""

from __future__ import annotations

from typing import Any

# A tokenizer saved without a limit reports model_max_length = int(1e30) ("VERY_LARGE_INTEGER").
NO_LIMIT = 10**20


def token_limit(config: Any, tokenizer: Any | None = None) -> int | None:
    """The most tokens (special ones included) a model reads in one text, or None for no limit.

    Two limits can apply, and the smaller one wins:

    - The model's table of positions: ``n_positions`` in GPT-2, ``max_position_embeddings`` in
      BERT, BART, Marian, OPT, GPT-Neo, Llama. One token more is an ``IndexError`` inside the
      model (or, for rotary positions, text it never learnt to read).
    - The tokenizer's ``model_max_length``: the length the model was trained on. T5 (relative
      positions) and BLOOM (ALiBi) have no position table, so this is their only limit; past
      it nothing crashes, but quality drops.
    """
    limits = [getattr(config, name, None) for name in ("n_positions", "max_position_embeddings")]
    limits.append(getattr(tokenizer, "model_max_length", None))
    found = [
        n for n in limits if isinstance(n, int) and not isinstance(n, bool) and 0 < n < NO_LIMIT
    ]
    return min(found, default=None)
