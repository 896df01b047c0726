"""Diagrams of the GPT-from-scratch notebook: GPT-2's pre-LN block inside the whole model, and
the KV cache.

Sizes come from transformers' ``GPT2Config``, whose defaults are the 124M gpt2's, so no download
is needed.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from transformers import GPT2Config

from .shapes import ACCENT, BLUE, GREEN, GREY, NOTE, ORANGE, PURPLE, VECTOR, VIOLET, WHITE, Canvas

DECODER = ORANGE  # causal attention
MLP = BLUE  # per-token feed-forward
HEAD = GREEN  # the LM head
EMBED = VIOLET  # embeddings
NORM = GREY  # LayerNorm
CACHED = VECTOR  # keys and values kept from earlier steps
NEW = "#f0a35e"  # this step's token and its key and value


def gpt_block() -> plt.Figure:
    """The whole GPT-2 with gpt2's sizes: embeddings, 12 pre-LN blocks on a residual stream, the
    final LayerNorm and the LM head that reuses the token embedding (tied)."""
    c = GPT2Config()
    H, heads, inner = c.n_embd, c.n_head, c.n_inner or 4 * c.n_embd
    cv = Canvas(8.6, 9.9, unit=0.1)
    ax = cv.ax
    stream, branch = 22.0, 40.0  # x of the residual stream and of the sub-layers

    # Embeddings: token and position vectors, summed.
    ax.text(stream, 1.5, "input_ids (B, T)", ha="center", fontsize=9, style="italic")
    cv.box(5.0, 5.0, 20.0, 7.0, f"token embedding wte\n{c.vocab_size:,} × {H}", EMBED)
    cv.box(31.0, 5.0, 24.0, 7.0, f"position embedding wpe\n{c.n_positions:,} × {H}", EMBED)
    cv.plus(stream, 16.5, 1.1)
    cv.arrow((15.0, 12.2), (stream - 0.9, 15.8))
    cv.arrow((43.0, 12.2), (stream + 0.9, 15.8))

    # One block, drawn once, repeated n_layer times.
    cv.frame(9.0, 20.5, 63.0, 48.5, edge=ACCENT, fill="#fffaf5", linewidth=1.4)
    ax.text(74.5, 66.0, f"× {c.n_layer}\nblocks", fontsize=13, weight="bold", color=ACCENT)

    def sublayer(y0: float, top: float, label: str, height: float, color: str, norm: str) -> None:
        """Branch off the stream at y0: LayerNorm, then the sub-layer, added back at ``top``."""
        cv.line([stream, branch], [y0, y0])
        cv.arrow((branch, y0), (branch, y0 + 1.5))
        cv.box(branch - 8.0, y0 + 1.5, 16.0, 4.0, norm, NORM, size=8.5)
        cv.arrow((branch, y0 + 5.9), (branch, y0 + 8.0))
        cv.box(branch - 11.0, y0 + 8.0, 22.0, height, label, color, size=8.5)
        cv.line([branch, branch], [y0 + 8.4 + height, top])
        cv.arrow((branch, top), (stream + 1.1, top))
        cv.plus(stream, top, 1.1)

    cv.line([stream, stream], [17.6, 65.0])
    sublayer(
        24.0,
        45.0,
        f"causal self-attention\n{heads} heads × {H // heads} = {H}\neach token sees\n"
        "itself and the past",
        10.0,
        DECODER,
        "ln_1: LayerNorm",
    )
    sublayer(
        47.0,
        65.0,
        f"MLP, each token alone\nLinear {H} → {inner}\nGELU\nLinear {inner} → {H}",
        8.0,
        MLP,
        "ln_2: LayerNorm",
    )
    ax.text(
        stream - 1.5,
        34.0,
        "residual stream: nothing\nnormalises it in the block",
        rotation=90,
        ha="right",
        va="center",
        fontsize=8,
        color=NOTE,
    )
    ax.text(53.0, 45.0, "x = x + attn(ln_1(x))", fontsize=8.5, va="center", family="monospace")
    ax.text(53.0, 65.0, "x = x + mlp(ln_2(x))", fontsize=8.5, va="center", family="monospace")

    # Final LayerNorm and the tied head.
    cv.arrow((stream, 66.1), (stream, 73.0))
    cv.box(stream - 10.0, 73.0, 20.0, 4.0, "ln_f: final LayerNorm", NORM, size=8.5)
    cv.arrow((stream, 77.4), (stream, 81.0))
    cv.box(
        stream - 14.0,
        81.0,
        28.0,
        7.0,
        f"LM head: logits = x · wteᵀ\n{H} → {c.vocab_size:,} scores per token",
        HEAD,
        size=8.5,
    )
    cv.arrow((stream, 88.4), (stream, 92.0))
    ax.text(
        stream,
        93.0,
        f"logits (B, T, {c.vocab_size:,}): the next token's scores",
        ha="center",
        fontsize=9,
        style="italic",
    )
    # The tie: the head's matrix is the token embedding itself.
    cv.line([5.0, 2.0, 2.0], [8.5, 8.5, 84.5], color=PURPLE, dashed=True)
    cv.arrow((2.0, 84.5), (stream - 14.4, 84.5), color=PURPLE, dashed=True)
    ax.text(
        1.0,
        46.0,
        "tied: the head uses the same wte matrix (no weights of its own)",
        rotation=90,
        ha="right",
        va="center",
        fontsize=8,
        color=PURPLE,
    )
    return cv.figure


def kv_cache() -> plt.Figure:
    """One generation step with a cache: the new token's query reads the cached keys and values
    plus its own, and its key and value are appended (shape B, h, seq, d) in every layer."""
    c = GPT2Config()
    H, heads, d = c.n_embd, c.n_head, c.n_embd // c.n_head
    cv = Canvas(8.4, 7.0, unit=0.1)
    ax = cv.ax
    tokens = ["Once", "upon", "a", "time", ","]
    P = len(tokens) - 1  # cached positions
    col, row = 5.0, 1.25  # one column per position, one row per head
    k_x, v_x, grid_y = 9.0, 43.0, 24.0
    grid_top = grid_y + heads * row

    # The text so far: P tokens processed in earlier steps, one new token.
    for j, token in enumerate(tokens):
        cv.cell(k_x + j * col + 0.3, 2.0, col - 0.6, 4.0, NEW if j == P else WHITE)
        ax.text(k_x + (j + 0.5) * col, 4.0, token, ha="center", va="center", fontsize=9)
    ax.text(k_x + P * col / 2, 0.2, "earlier steps", ha="center", fontsize=8, color=NOTE)
    ax.text(k_x + (P + 0.5) * col, 0.2, "this step", ha="center", fontsize=8, color=ACCENT)

    # Only the new token goes through the layer: ln_1 and c_attn give its q, k and v.
    new_k, new_v = k_x + (P + 0.5) * col, v_x + (P + 0.5) * col
    cv.arrow((new_k, 6.0), (new_k, 10.0))
    cv.box(
        26.0,
        10.0,
        44.0,
        6.0,
        f"this token only: ln_1, then c_attn {H} → 3 × {H}\n"
        f"its q, k and v: {heads} heads × {d} numbers each",
        NEW,
        size=8.5,
    )

    def grid(x: float, name: str) -> None:
        """One layer's cache tensor: a column per position, a row per head (d numbers a cell)."""
        for j in range(P + 1):
            for i in range(heads):
                color = NEW if j == P else CACHED
                cv.cell(x + j * col, grid_y + i * row, col, row, color, edge=WHITE, linewidth=0.8)
        ax.text(
            x + (P + 1) * col / 2,
            grid_top + 1.0,
            f"{name} (B, {heads}, {P} + 1, {d})",
            ha="center",
            fontsize=8.5,
        )

    grid(k_x, "keys")
    grid(v_x, "values")
    ax.text(
        k_x - 1.0,
        grid_y + heads * row / 2,
        f"{heads}\nheads",
        ha="right",
        va="center",
        fontsize=8.5,
    )
    cv.arrow((new_k, 16.4), (new_k, grid_y - 0.2), color=ACCENT, width=1.4)
    ax.text(new_k - 1.0, 20.0, "k appended", ha="right", fontsize=8, color=ACCENT, va="center")
    cv.arrow((new_v, 16.4), (new_v, grid_y - 0.2), color=ACCENT, width=1.4)
    ax.text(new_v + 1.0, 20.0, "v appended", fontsize=8, color=ACCENT, va="center")

    # The new query reads every key and value, cached and new.
    cv.box(
        14.0,
        48.0,
        54.0,
        8.0,
        f"attention of the new token: softmax(q · keysᵀ / √{d}) · values\n"
        f"→ one vector of {H}, on to c_proj and the MLP",
        DECODER,
        size=8.5,
    )
    cv.arrow((k_x + (P + 1) * col / 2, grid_top + 3.0), (28.0, 47.6))
    cv.arrow((v_x + (P + 1) * col / 2, grid_top + 3.0), (54.0, 47.6))
    cv.line([70.4, 76.0, 76.0], [13.0, 13.0, 52.0])
    cv.arrow((76.0, 52.0), (68.4, 52.0))
    ax.text(77.0, 32.0, "q", fontsize=10, style="italic", va="center")
    ax.text(
        41.0,
        60.0,
        f"past_key_values: for each of the {c.n_layer} layers, keys and values,\n"
        "each of shape (batch, heads, seq, head_dim). Earlier tokens' keys and values\n"
        "never change (the causal mask), so each is computed once; the next step\n"
        "feeds only the next token, and seq grows by one.",
        ha="center",
        fontsize=8.5,
        va="bottom",
        linespacing=1.4,
    )
    return cv.figure


FIGURES = {"gpt_block": gpt_block, "kv_cache": kv_cache}
