"""Diagrams of the encoder notebooks (variants, BERT tasks, BERT from scratch, embeddings): the
three families, BERT's layer, task heads on one encoder, and pooling token vectors into a
sentence vector.

Sizes come from transformers' config classes, whose defaults are the base models' (BertConfig:
bert-base-uncased, GPT2Config: gpt2, T5Config: t5-small), so no download is needed.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from transformers import BertConfig, GPT2Config, T5Config

from .shapes import ACCENT, BLUE, GREEN, GREY, NOTE, ORANGE, PURPLE, VECTOR, VIOLET, WHITE, Canvas

ENCODER = BLUE  # bidirectional stacks
DECODER = ORANGE  # causal stacks
HEAD = GREEN  # heads on top
EMBED = VIOLET  # embeddings
NORM = GREY  # add & norm, pooling
TOKEN = {"height": 0.42, "gap": 0.08}  # a row of token boxes


def three_families() -> plt.Figure:
    """Encoder-only, decoder-only and encoder-decoder side by side: masks, stacks, heads, models."""
    bert, gpt2, t5 = BertConfig(), GPT2Config(), T5Config()
    cv = Canvas(15.5, 6.1, unit=0.5)
    ax = cv.ax

    def panel(x0, title, models, tokens, stack, color, allowed, head, output, use):
        ax.text(x0 + 0.2, 11.8, title, fontsize=12, weight="bold", va="center")
        ax.text(x0 + 0.2, 11.05, models, fontsize=9, color=NOTE, va="center")
        centres = cv.tokens(x0 + 0.2, 0.5, tokens, width=0.98, size=7.5, **TOKEN)
        cv.box(x0 + 0.2, 2.0, 5.2, 3.6, stack, color, size=9)
        cv.feed(centres, 0.92, 2.0)
        cv.arrow((x0 + 2.8, 5.6), (x0 + 2.8, 6.3))
        cv.box(x0 + 0.2, 6.3, 5.2, 1.2, head, HEAD, size=8)
        ax.text(x0 + 0.2, 7.95, output, fontsize=8.5, style="italic", va="center")
        ax.text(x0 + 0.2, 10.25, use, fontsize=8.5, va="top", linespacing=1.4)
        cv.mask(x0 + 6.7, 2.6, 0.45, 5, 5, allowed, tokens)
        ax.text(x0 + 7.8, 5.1, "may attend to", ha="center", fontsize=7.5)
        ax.text(x0 + 7.8, 2.45, "(keys: the same tokens)", ha="center", va="top", fontsize=7)

    panel(
        0.0,
        "Encoder-only",
        "BERT, RoBERTa, ALBERT, DistilBERT",
        ["[CLS]", "the", "[MASK]", "sat", "[SEP]"],
        f"{bert.num_hidden_layers} × encoder layer\n\nbidirectional self-attention:\n"
        f"sees every token\n\nH = {bert.hidden_size}",
        ENCODER,
        lambda i, j: True,
        "MLM head: the hidden token\nor a task head",
        "output: one vector per token",
        "pre-trained: fill in hidden tokens (MLM)\nused for: labels, entities, answer spans,\n"
        "sentence embeddings",
    )
    panel(
        10.0,
        "Decoder-only",
        "GPT-2, GPT-Neo, OPT, BLOOM, Llama, Mistral",
        ["The", "cat", "sat", "on", "the"],
        f"{gpt2.n_layer} × decoder layer\n\ncausal self-attention:\n"
        f"sees itself and the past\n\nH = {gpt2.n_embd}",
        DECODER,
        lambda i, j: j <= i,
        f"LM head: {gpt2.vocab_size:,} scores\nat every position",
        "output: the next token, at every position",
        "pre-trained: predict every next token\nused for: generation, chat, code;\n"
        "at scale, most tasks by prompting",
    )

    # Encoder-decoder: a bidirectional encoder, a causal decoder that cross-attends to it.
    x0 = 20.0
    ax.text(x0 + 0.2, 11.8, "Encoder-decoder", fontsize=12, weight="bold", va="center")
    ax.text(x0 + 0.2, 11.05, "T5 / Flan-T5, BART, Marian", fontsize=9, color=NOTE, va="center")
    source, target = ["The", "house", "is"], ["<pad>", "Das", "Haus"]  # T5 starts from <pad>
    centres = cv.tokens(x0 + 0.3, 0.5, source, width=1.05, **TOKEN) + cv.tokens(
        x0 + 4.9, 0.5, target, width=1.05, **TOKEN
    )
    cv.box(
        x0 + 0.2,
        2.0,
        3.6,
        3.6,
        f"{t5.num_layers} × encoder\nlayer\n\nbidirectional\n\nH = {t5.d_model}",
        ENCODER,
        size=9,
    )
    cv.box(
        x0 + 4.8,
        2.0,
        3.6,
        3.6,
        f"{t5.num_decoder_layers} × decoder\nlayer\n\ncausal self-att.\n"
        f"+ cross-attention\n\nH = {t5.d_model}",
        DECODER,
        size=9,
    )
    cv.feed(centres, 0.92, 2.0)
    cv.arrow((x0 + 3.8, 3.8), (x0 + 4.8, 3.8), color=ACCENT, width=1.8)
    cv.arrow((x0 + 6.6, 5.6), (x0 + 6.6, 6.3))
    cv.box(x0 + 4.8, 6.3, 3.6, 1.2, "LM head:\nnext target token", HEAD, size=8.5)
    ax.text(
        x0 + 0.2,
        7.95,
        "output: a new sequence, token by token",
        fontsize=8.5,
        style="italic",
        va="center",
    )
    ax.text(
        x0 + 0.2,
        10.25,
        "pre-trained: repair corrupted text (T5 spans,\nBART infilling)\n"
        "used for: translation, summaries",
        fontsize=8.5,
        va="top",
        linespacing=1.4,
    )
    cv.mask(x0 + 9.6, 3.1, 0.45, 3, 3, lambda i, j: True, target, source)
    ax.text(
        x0 + 10.3,
        4.6,
        "cross-attention:\nevery target token\nsees the whole source",
        ha="center",
        fontsize=7.5,
        va="bottom",
    )
    return cv.figure


def bert_block() -> plt.Figure:
    """BERT's post-LN encoder layer, with bert-base's sizes, between embeddings and heads."""
    c = BertConfig()
    H, inner, heads = c.hidden_size, c.intermediate_size, c.num_attention_heads
    cv = Canvas(7.6, 10.5, unit=0.5)
    ax = cv.ax
    mid = 6.0

    # Embeddings: three tables summed, then LayerNorm.
    ax.text(
        mid,
        0.3,
        "input_ids, token_type_ids, attention_mask",
        ha="center",
        fontsize=9,
        style="italic",
    )
    cv.box(0.4, 1.1, 3.6, 1.2, f"token\n{c.vocab_size:,} × {H}", EMBED, size=8.5)
    cv.box(4.2, 1.1, 3.6, 1.2, f"position\n{c.max_position_embeddings} × {H}", EMBED, size=8.5)
    cv.box(8.0, 1.1, 3.6, 1.2, f"segment (type)\n{c.type_vocab_size} × {H}", EMBED, size=8.5)
    cv.box(3.2, 3.0, 5.6, 0.9, "sum → LayerNorm → dropout", NORM, size=8.5)
    for x in (2.2, 6.0, 9.8):
        cv.arrow((x, 2.3), (mid + (x - mid) * 0.45, 3.0))
    ax.text(11.9, 3.45, "embeddings", fontsize=9, va="center", color=PURPLE, weight="bold")

    # The repeated layer, framed, with its residual paths.
    cv.frame(1.2, 4.7, 9.6, 9.7, fill="#f7fbff", linewidth=1.4)
    ax.text(
        11.2,
        9.55,
        f"× {c.num_hidden_layers}\nlayers",
        fontsize=12,
        weight="bold",
        color=NOTE,
        va="center",
    )
    cv.arrow((mid, 3.9), (mid, 5.6))
    cv.box(
        2.6,
        5.6,
        6.8,
        1.5,
        f"multi-head self-attention\n{heads} heads × {H // heads} = {H}\n(padding keys masked)",
        ENCODER,
        size=8.5,
    )
    cv.box(3.4, 7.8, 5.2, 0.9, "add & LayerNorm", NORM, size=8.5)
    cv.box(
        2.6,
        9.4,
        6.8,
        2.1,
        f"feed-forward, each token\nLinear {H} → {inner}\nGELU\nLinear {inner} → {H}",
        ENCODER,
        size=8.5,
    )
    cv.box(3.4, 12.2, 5.2, 0.9, "add & LayerNorm", NORM, size=8.5)
    cv.arrow((mid, 7.1), (mid, 7.8))
    cv.arrow((mid, 8.7), (mid, 9.4))
    cv.arrow((mid, 11.5), (mid, 12.2))
    # Residuals: around the attention and around the feed-forward network.
    cv.line([mid, 1.8, 1.8], [5.15, 5.15, 8.25])
    cv.arrow((1.8, 8.25), (3.4, 8.25))
    cv.line([mid, 1.8, 1.8], [9.05, 9.05, 12.65])
    cv.arrow((1.8, 12.65), (3.4, 12.65))
    ax.text(1.65, 6.7, "residual", rotation=90, fontsize=7.5, ha="right", va="center")
    ax.text(1.65, 10.85, "residual", rotation=90, fontsize=7.5, ha="right", va="center")

    # Outputs and heads.
    cv.arrow((mid, 13.1), (mid, 15.0))
    cv.box(
        2.4,
        15.0,
        7.2,
        1.0,
        f"last_hidden_state: (B, T, {H}), a vector per token",
        WHITE,
        size=8.5,
    )
    cv.arrow((4.0, 16.0), (2.7, 16.9))
    cv.arrow((8.0, 16.0), (9.1, 16.9))
    cv.box(0.4, 16.9, 4.6, 1.5, f"MLM head\nper token → {c.vocab_size:,}", HEAD, size=8.5)
    cv.box(6.6, 16.9, 5.0, 1.5, f"pooler on [CLS]\nLinear {H} → {H}, tanh", NORM, size=8.5)
    cv.arrow((9.1, 18.4), (9.1, 19.1))
    cv.box(6.6, 19.1, 5.0, 1.5, "NSP head (2 classes)\nor a task classifier", HEAD, size=8.5)
    ax.text(
        0.4, 19.9, "pre-training heads:\nMLM and NSP", fontsize=8.5, va="center", color="#2e6b1f"
    )
    return cv.figure


def bert_task_heads() -> plt.Figure:
    """One encoder, three small heads: a label per text, a label per token, an answer span."""
    H = BertConfig().hidden_size
    cv = Canvas(13.2, 5.2, unit=0.5)
    ax = cv.ax
    panels = [
        (0.2, "sequence classification", ["[CLS]", "great", "film", "[SEP]"]),
        (9.0, "token classification (NER)", ["[CLS]", "Ana", "Ruiz", "[SEP]"]),
        (17.8, "extractive QA (span)", ["[CLS]", "who", "[SEP]", "Ana", "Ruiz", "[SEP]"]),
    ]
    for x0, title, tokens in panels:
        ax.text(x0, 10.0, title, fontsize=11.5, weight="bold", va="center")
        width = 1.25 if len(tokens) == 4 else 1.0
        centres = cv.tokens(x0 + 0.3, 0.4, tokens, width=width, **TOKEN)
        cv.box(
            x0 + 0.1,
            1.7,
            8.0,
            1.5,
            f"the same pre-trained encoder:\na {H}-vector per token",
            ENCODER,
            size=9,
        )
        cv.feed(centres, 0.82, 1.7)
        cv.feed(centres, 3.2, 3.9)
        for cx in centres:
            cv.cell(cx - 0.28, 3.9, 0.56, 1.0, VECTOR)

    # Sequence classification: the [CLS] vector (pooled) -> Linear(H, 2).
    cls_x = 0.2 + 0.3 + 1.25 / 2
    cv.arrow((cls_x, 4.9), (cls_x, 6.0))
    cv.box(0.3, 6.0, 5.2, 1.2, f"Linear {H} → 2\non the pooled [CLS] vector", HEAD, size=8.5)
    cv.arrow((cls_x, 7.2), (cls_x, 7.9))
    ax.text(cls_x - 0.2, 8.2, "NEGATIVE or POSITIVE", fontsize=8.5)

    # Token classification: the same Linear(H, 9) on every token.
    x0 = 9.0
    centres = [x0 + 0.3 + 1.25 / 2 + k * 1.33 for k in range(4)]
    cv.box(x0 + 0.1, 6.0, 8.0, 1.2, f"Linear {H} → 9 on every token (IOB2 labels)", HEAD, size=8.5)
    for cx, label in zip(centres, ["–", "B-PER", "I-PER", "–"], strict=True):
        cv.arrow((cx, 4.9), (cx, 6.0))
        cv.arrow((cx, 7.2), (cx, 7.9))
        ax.text(cx, 8.2, label, ha="center", fontsize=8.5)

    # QA: Linear(H, 2) on every token -> a start and an end score; the best valid span wins.
    x0 = 17.8
    centres = [x0 + 0.3 + 0.5 + k * 1.08 for k in range(6)]
    cv.box(
        x0 + 0.1,
        6.0,
        8.0,
        1.2,
        f"Linear {H} → 2 on every token:\nstart score, end score",
        HEAD,
        size=8.5,
    )
    for cx in centres:
        cv.arrow((cx, 4.9), (cx, 6.0))
    cv.arrow((centres[3], 7.2), (centres[3], 7.9))
    cv.arrow((centres[4], 7.2), (centres[4], 7.9))
    ax.text(centres[3], 8.2, "start", ha="center", fontsize=8.5)
    ax.text(centres[4], 8.2, "end", ha="center", fontsize=8.5)
    ax.text(x0 + 0.1, 9.0, "answer: the context from start to end", fontsize=8.5, style="italic")
    return cv.figure


def pooling() -> plt.Figure:
    """Token vectors -> [CLS] or mask-aware mean -> normalised sentence vector -> cosine."""
    tokens = ["[CLS]", "the", "dog", "is", "asleep", ".", "[SEP]", "[PAD]", "[PAD]"]
    mask = [1, 1, 1, 1, 1, 1, 1, 0, 0]
    cv = Canvas(12.0, 5.6, unit=0.5)
    ax = cv.ax
    cell, x0 = 1.15, 0.4
    for k, (token, m) in enumerate(zip(tokens, mask, strict=True)):
        x = x0 + k * cell
        ax.text(x + cell / 2, 0.5, token, ha="center", fontsize=8.5, rotation=0)
        ax.text(x + cell / 2, 1.3, str(m), ha="center", fontsize=9, color=NOTE if m else "#a33")
        color = VECTOR if m else "#e3e3e3"
        cv.cell(x + 0.2, 2.2, cell - 0.4, 3.2, color, hatch=None if m else "//")
    ax.text(x0 - 0.2, 1.3, "mask", ha="right", fontsize=8.5)
    ax.text(
        x0,
        5.8,
        "last_hidden_state: one vector per token (padding positions are computed too)",
        fontsize=8.5,
        style="italic",
    )

    # Two ways to one vector: the [CLS] position, or the mean over the real tokens only.
    cv.arrow((x0 + cell / 2, 6.4), (x0 + cell / 2, 9.3))
    cv.box(x0 - 0.1, 9.3, 3.6, 1.3, "[CLS] pooling\nhidden[:, 0]", NORM, size=8.5)
    cv.box(4.6, 7.2, 6.4, 1.3, "mean pooling with the mask\nΣ mask·h / Σ mask", NORM, size=8.5)
    cv.arrow((x0 + 3.5 * cell, 6.4), (7.8, 7.2))
    ax.text(11.0, 6.75, "padding × 0: left out", fontsize=8, color="#a33", ha="right")
    cv.arrow((3.5, 9.95), (12.4, 9.2))
    cv.arrow((11.0, 7.85), (12.4, 8.4))

    # Normalise, then compare two sentence vectors by their dot product.
    cv.box(12.4, 8.1, 3.4, 1.3, "scale to length 1\nu / ‖u‖", NORM, size=8.5)
    cv.arrow((15.8, 8.75), (17.0, 8.75))
    for k in range(6):
        cv.cell(17.0 + k * 0.5, 8.45, 0.5, 0.6, "#5f8fc4", edge=WHITE)
    ax.text(18.5, 9.4, "sentence vector u", ha="center", fontsize=8.5)
    for k in range(6):
        cv.cell(17.0 + k * 0.5, 5.95, 0.5, 0.6, "#e39b5f", edge=WHITE)
    ax.text(
        18.5,
        5.4,
        "vector v of another sentence,\nmade the same way",
        ha="center",
        fontsize=8.5,
        va="top",
    )
    cv.box(20.6, 6.9, 3.2, 1.3, "cosine(u, v)\n= u · v", HEAD, size=9)
    cv.arrow((20.0, 8.75), (21.2, 8.2))
    cv.arrow((20.0, 6.25), (21.2, 6.9))
    return cv.figure


FIGURES = {
    "three_families": three_families,
    "bert_block": bert_block,
    "bert_task_heads": bert_task_heads,
    "sentence_pooling": pooling,
}
