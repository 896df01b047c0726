"""Diagrams of the encoder-decoder, text-to-text and training-regimes notebooks: an
encoder-decoder with cross-attention, T5's text-to-text framing, and what each training regime
changes (the prompt or the weights).

Sizes come from transformers' config classes, whose defaults are the published models'
(BartConfig: bart-large, T5Config: t5-small), so no download is needed. The training set's size
comes from the course's own data, as the training-regimes notebook counts it.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from transformers import BartConfig, T5Config

from .shapes import BLUE, GREEN, NOTE, ORANGE, PINK, RED, VIOLET, WHITE, Canvas

ENCODER = BLUE  # bidirectional stacks
DECODER = ORANGE  # causal stacks
HEAD = GREEN  # heads on top
EMBED = VIOLET  # embeddings
CROSS = PINK  # cross-attention, the bridge between the stacks
FROZEN = "#e4e4e4"  # grey: weights that do not change
TRAINED = "#f6c89f"  # warm: weights that training changes
TOKEN = {"width": 7.0, "height": 3.2, "gap": 0.8}  # a row of token boxes


def encoder_decoder() -> plt.Figure:
    """facebook/bart-large: the encoder reads the source once; the decoder writes, reading it by
    cross-attention; decoder inputs are the targets shifted right behind the start token."""
    bart = (
        BartConfig()
    )  # defaults: facebook/bart-large (bart-large-cnn: same layers, 50,264 tokens)
    d, ffn, vocab = bart.d_model, bart.encoder_ffn_dim, bart.vocab_size
    cv = Canvas(12.4, 8.6, unit=0.1)
    ax = cv.ax

    # Encoder, left: source tokens → embeddings → N × (self-attention, feed-forward).
    source = ["<s>", "A", "storm", "hit", "Penley", "</s>"]
    centres = cv.tokens(2, 2, source, **TOKEN)
    cv.box(
        2,
        8,
        46,
        4.5,
        f"token embeddings + learned positions ({bart.max_position_embeddings:,})",
        EMBED,
        size=8.5,
    )
    for c in centres:
        cv.arrow((c, 5.4), (c, 8))
    cv.box(1, 15, 48, 33)
    ax.text(
        3, 45, f"encoder layer × {bart.encoder_layers}", fontsize=10, weight="bold", va="center"
    )
    cv.box(
        4,
        19,
        42,
        9,
        "self-attention: every source token\nreads every source token",
        ENCODER,
        size=9,
    )
    cv.box(4, 31, 42, 8, f"feed-forward  {d:,} → {ffn:,} → {d:,}", ENCODER, size=9)
    cv.arrow((25, 12.7), (25, 19))
    cv.arrow((25, 28.2), (25, 31))
    cv.box(
        4,
        53,
        42,
        6,
        f"encoder output: a {d:,}-vector per token",
        ENCODER,
        size=9,
        weight="bold",
    )
    cv.arrow((25, 48.2), (25, 53))
    ax.text(25, 63, "runs once per input", ha="center", fontsize=9, style="italic", color=NOTE)
    ax.text(
        1,
        80,
        f"facebook/bart-large: d_model {d:,}, "
        f"{bart.encoder_attention_heads} heads, {vocab:,} tokens",
        fontsize=9,
        color=NOTE,
    )

    # Decoder, right: shifted targets → embeddings → N × (masked self-attn, cross-attn, FFN).
    x0 = 62
    inputs = ["</s>", "<s>", "Storm", "cuts", "power"]
    targets = ["<s>", "Storm", "cuts", "power", "</s>"]
    colors = [CROSS] + [WHITE] * 4
    centres = cv.tokens(x0 + 2, 2, inputs, colors=colors, **TOKEN)
    cv.box(x0 + 1, 8, 40, 4.5, "the same embedding matrix (shared)", EMBED, size=8.5)
    for c in centres:
        cv.arrow((c, 5.4), (c, 8))
    cv.box(x0, 15, 44, 44)
    ax.text(
        x0 + 2,
        56,
        f"decoder layer × {bart.decoder_layers}",
        fontsize=10,
        weight="bold",
        va="center",
    )
    cv.box(
        x0 + 3,
        18,
        38,
        8,
        "masked self-attention: each position\nreads only the tokens before it",
        DECODER,
        size=9,
    )
    cv.box(
        x0 + 3,
        30,
        38,
        10,
        "cross-attention: queries from the\ndecoder; keys and values from\nthe encoder output",
        CROSS,
        size=9,
    )
    cv.box(
        x0 + 3,
        44,
        38,
        7,
        f"feed-forward  {d:,} → {bart.decoder_ffn_dim:,} → {d:,}",
        DECODER,
        size=9,
    )
    cv.arrow((x0 + 22, 12.7), (x0 + 22, 18))
    cv.arrow((x0 + 22, 26.2), (x0 + 22, 30))
    cv.arrow((x0 + 22, 40.2), (x0 + 22, 44))
    # The encoder's output enters every decoder layer's cross-attention.
    cv.arrow((46.2, 56), (x0 + 3, 35), color=RED, width=1.6, rad=-0.25)
    ax.text(57, 49, "keys,\nvalues", fontsize=8.5, color=RED, ha="center")
    cv.box(x0 + 3, 62, 38, 5, f"LM head: {vocab:,} scores per position", HEAD, size=9)
    cv.arrow((x0 + 22, 59.2), (x0 + 22, 62))
    centres_out = cv.tokens(x0 + 2, 71, targets, **TOKEN)
    for c in centres_out:
        cv.arrow((c, 67.2), (c, 71))
    for y, note in (
        (77, "targets: at each position, the next token"),
        (81, "runs once per output token"),
    ):
        ax.text(x0 + 22, y, note, ha="center", fontsize=9, style="italic", color=NOTE)
    ax.text(
        x0 + 22,
        -2.5,
        f"decoder input: the targets shifted one step right, behind the\n"
        f"decoder start token {inputs[0]} (id {bart.decoder_start_token_id})",
        ha="center",
        va="top",
        fontsize=8.5,
        color=NOTE,
    )
    ax.set_xlim(-1, 108)
    ax.set_ylim(-9, 85)
    return cv.figure


# T5's task prefixes; the examples are those of the T5 paper (Raffel et al., 2020, figure 1).
T5_TASKS = [
    ("translate English to German:", "That is good.", "Das ist gut."),
    ("cola sentence:", "The course is jumping well.", "not acceptable"),
    (
        "stsb sentence1:",
        "The rhino grazed on the grass. sentence2: A rhino\nis grazing in a field.",
        "3.8",
    ),
    (
        "summarize:",
        "state authorities dispatched emergency crews\ntuesday to survey the damage …",
        "six people hospitalized after\na storm in attala county.",
    ),
    ("sst2 sentence:", "<a sentence from a film review>", '"positive" or "negative"'),
]


def text_to_text() -> plt.Figure:
    """One T5, many tasks: the task is named by a prefix in the input text; every answer is text."""
    t5 = T5Config()  # defaults: t5-small
    cv = Canvas(12.4, 6.0, unit=0.1)
    ax = cv.ax
    top, step, height = 56, 11, 9
    model_x, model_w = 56, 20
    cv.box(
        model_x,
        4,
        model_w,
        50,
        f"T5\none set of weights\n\nencoder: {t5.num_layers} layers\ndecoder: "
        f"{t5.num_decoder_layers} layers\nd_model {t5.d_model}\n{t5.vocab_size:,} tokens",
        ENCODER,
        size=9.5,
    )
    for i, (prefix, text, answer) in enumerate(T5_TASKS):
        y = top - i * step - height
        cv.box(1, y, 49, height)
        ax.text(2.5, y + height - 2.2, prefix, fontsize=9, weight="bold", va="center", color=RED)
        ax.text(2.5, y + (height - 3.2) / 2, text, fontsize=8, va="center")
        cv.arrow((50.4, y + height / 2), (model_x - 0.4, 29 + (2 - i) * 3.5))
        cv.box(82, y, 27, height, answer, HEAD, size=8.5)
        cv.arrow((model_x + model_w + 0.4, 29 + (2 - i) * 3.5), (81.6, y + height / 2))
    ax.text(
        25,
        59.5,
        "text in: the prefix names the task",
        ha="center",
        fontsize=9.5,
        style="italic",
        color=NOTE,
    )
    ax.text(95.5, 59.5, "text out", ha="center", fontsize=9.5, style="italic", color=NOTE)
    ax.set_xlim(-1, 111)
    ax.set_ylim(0, 62)
    return cv.figure


def training_regimes() -> plt.Figure:
    """Zero-shot, few-shot fine-tuning, full fine-tuning and few-shot prompting: what each feeds
    the model, and whether its weights change."""
    from course_utils import data

    n_train = len(data.sentiment("train"))
    k = 8  # examples per class, as the training-regimes notebook draws them
    cv = Canvas(12.4, 5.2, unit=0.1)
    ax = cv.ax
    columns = [
        (
            "zero-shot",
            "0 labelled examples",
            "label descriptions +\nthe sentence",
            False,
            "embeddings compared,\nnothing trained",
        ),
        (
            "few-shot fine-tuning",
            f"{2 * k} labelled examples",
            "the sentence",
            True,
            "weights trained on\na handful",
        ),
        (
            "full fine-tuning",
            f"{n_train:,} labelled examples",
            "the sentence",
            True,
            "weights trained on\nall the data",
        ),
        (
            "few-shot prompting",
            "a few examples,\nin the prompt",
            "examples + the sentence\nin one long prompt",
            False,
            "a large generative\nmodel, nothing trained",
        ),
    ]
    width, gap = 27, 4
    for i, (name, data_text, prompt, trained, note) in enumerate(columns):
        x = 2 + i * (width + gap)
        ax.text(x + width / 2, 49, name, ha="center", fontsize=11, weight="bold")
        cv.box(x, 38, width, 6.5, data_text, WHITE, size=9)
        model_color = TRAINED if trained else FROZEN
        label = "weights CHANGE" if trained else "weights frozen"
        cv.box(
            x,
            21,
            width,
            11,
            f"model\n{label}",
            model_color,
            size=9.5,
            weight="bold" if trained else "normal",
        )
        cv.box(x, 5, width, 8, prompt, WHITE, size=9)
        if trained:
            cv.arrow((x + width / 2, 37.6), (x + width / 2, 32.4), color="#b05a10", width=1.6)
            ax.text(x + width / 2 + 1.2, 34.8, "gradients", fontsize=8, color="#b05a10")
        elif i == len(columns) - 1:  # prompting: the examples go into the input, not the weights
            cv.arrow(
                (x + width + 0.4, 41),
                (x + width + 0.4, 9),
                color="#b05a10",
                dashed=True,
                rad=-0.3,
            )
            ax.text(x + width + 7, 25, "into the\nprompt", fontsize=8, color="#b05a10")
        cv.arrow((x + width / 2, 13.4), (x + width / 2, 20.6))
        ax.text(x + width / 2, 1.5, note, ha="center", va="top", fontsize=8.5, color=NOTE)
    ax.text(-0.5, 41, "data", fontsize=8.5, rotation=90, va="center", ha="right", color=NOTE)
    ax.text(-0.5, 9, "input", fontsize=8.5, rotation=90, va="center", ha="right", color=NOTE)
    ax.set_ylim(-6, 53)
    ax.set_xlim(-3, 134)
    return cv.figure


FIGURES = {
    "encoder_decoder": encoder_decoder,
    "text_to_text": text_to_text,
    "training_regimes": training_regimes,
}
