"""Diagrams of the set-up, pipeline, loading, model-size, challenges and LoRA notebooks: where
code runs, inside a pipeline, text to label, where GPT-2's parameters live, attention against an
RNN, and a LoRA layer.

Sizes come from transformers' config classes, whose defaults are the real models' (GPT2Config:
gpt2, DistilBertConfig: distilbert-base-uncased), so nothing is downloaded. The token ids are the
real bert-base-uncased vocabulary's, the same online and offline.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from transformers import DistilBertConfig, GPT2Config

from .shapes import BLUE, EDGE, GREEN, GREY, NOTE, ORANGE, VIOLET, WHITE, Canvas

TEXT = WHITE  # inputs and outputs a person reads
TOKEN = VIOLET  # tokenizers, ids, embeddings
MODEL = BLUE  # the network
HEAD = GREEN  # heads, post-processing, trained parts
SETUP = ORANGE  # course set-up, frozen weights

SENTENCE = "I loved learning huggingface today"
SENTENCE_IDS = [101, 1045, 3866, 4083, 17662, 12172, 2651, 102]  # bert-base-uncased vocabulary


def where_code_runs() -> plt.Figure:
    """Three places to run → setup() → the Hub online, or the offline zoo, same loading code."""
    cv = Canvas(10.5, 4.2)
    ax = cv.ax
    places = [
        ("your machine\n(make lab)", 3.1),
        ("Google Colab", 1.95),
        ("Kaggle", 0.8),
    ]
    for text, y in places:
        cv.box(0.1, y, 1.9, 0.8, text, TEXT, size=9)
        cv.arrow((2.0, y + 0.4), (2.9, 2.35))
    cv.box(
        2.9,
        1.55,
        2.5,
        1.6,
        "course_utils.setup()\n\nplatform · online or offline\nseeds · one banner",
        SETUP,
        size=9,
    )
    ax.text(4.15, 3.45, "before importing transformers", ha="center", fontsize=8, color=NOTE)
    cv.box(
        6.3,
        2.55,
        2.2,
        1.05,
        "Hugging Face Hub\nreal models, downloaded\nonce into the cache",
        MODEL,
        size=8.5,
    )
    cv.box(
        6.3,
        0.75,
        2.2,
        1.05,
        "offline model zoo\nstand-ins under the same\nids, in a local cache",
        GREY,
        size=8.5,
    )
    cv.arrow((5.4, 2.6), (6.3, 3.05), "online", size=8)
    cv.arrow((5.4, 2.1), (6.3, 1.3), "offline", size=8, offset=-0.3)
    cv.box(8.95, 1.45, 1.45, 1.4, 'from_pretrained(\n"org/name")\n\nthe same\ncode', HEAD, size=8)
    cv.arrow((8.5, 3.05), (8.95, 2.45))
    cv.arrow((8.5, 1.3), (8.95, 1.85))
    return cv.figure


def inside_a_pipeline() -> plt.Figure:
    """A pipeline is tokenizer → model → post-processing, each step a thing you can call."""
    cv = Canvas(11.0, 3.0)
    ax = cv.ax
    cv.frame(1.95, 0.35, 7.05, 2.25)
    ax.text(2.1, 2.38, 'pipeline("sentiment-analysis", model=...)', fontsize=9, color=NOTE)
    cv.box(0.05, 0.95, 1.6, 0.9, f'"{SENTENCE[:16]}\n{SENTENCE[16:]}"', TEXT, size=8)
    steps = [
        (2.2, "1 · preprocess\ntokenizer", TOKEN),
        (4.6, "2 · forward\nmodel", MODEL),
        (7.0, "3 · postprocess\nsoftmax, id2label", HEAD),
    ]
    for x, text, color in steps:
        cv.box(x, 0.95, 1.75, 0.9, text, color, size=9)
    cv.arrow((1.65, 1.4), (2.2, 1.4))
    cv.arrow((3.95, 1.4), (4.6, 1.4), "ids")
    cv.arrow((6.35, 1.4), (7.0, 1.4), "logits")
    cv.box(9.3, 0.95, 1.65, 0.9, "{'label': 'POSITIVE',\n 'score': ...}", TEXT, size=8)
    cv.arrow((8.75, 1.4), (9.3, 1.4))
    ax.text(
        5.47,
        0.55,
        "classifier.tokenizer · classifier.model · classifier.preprocess",
        ha="center",
        fontsize=8,
        color=NOTE,
    )
    return cv.figure


def text_to_label() -> plt.Figure:
    """The three steps by hand, with the tensors' shapes for one sentence of 8 tokens."""
    cv = Canvas(12.0, 2.6)
    ax = cv.ax
    ids = f"[{SENTENCE_IDS[0]}, {SENTENCE_IDS[1]}, …, {SENTENCE_IDS[-1]}]"
    items = [
        (0.05, f'"{SENTENCE[:16]}\n{SENTENCE[16:]}"', TEXT),
        (2.55, f"input_ids\n{ids}\nshape (1, 8)", TOKEN),
        (5.05, "logits\n2 raw scores\nshape (1, 2)", MODEL),
        (7.55, "probabilities\nbetween 0 and 1,\nsumming to 1", HEAD),
        (10.05, "label\n'POSITIVE' or\n'NEGATIVE'", TEXT),
    ]
    for x, text, color in items:
        cv.box(x, 0.35, 1.9, 1.15, text, color, size=8.5)
    calls = [
        (1.95, "1 · tokenizer\n(AutoTokenizer)"),
        (4.45, "2 · model\n(AutoModelFor…)"),
        (6.95, "3 · softmax\n(dim=-1)"),
        (9.45, "argmax(dim=-1),\nid2label"),
    ]
    for start, label in calls:
        cv.arrow((start, 0.92), (start + 0.6, 0.92))
        ax.text(start + 0.3, 1.65, label, ha="center", va="bottom", fontsize=7.5, color=NOTE)
    return cv.figure


def where_parameters_live() -> plt.Figure:
    """GPT-2 (small) from GPT2Config(): every weight matrix with its count, the head tied."""
    config = GPT2Config()
    V, P, H, L = config.vocab_size, config.n_positions, config.n_embd, config.n_layer
    token, position = V * H, P * H
    attention = 4 * H * H + 4 * H  # c_attn (H → 3H) and c_proj (H → H), with biases
    mlp = 8 * H * H + 5 * H  # H → 4H → H, with biases
    norms = 2 * 2 * H
    final_norm = 2 * H
    total = token + position + L * (attention + mlp + norms) + final_norm

    cv = Canvas(10.5, 6.2)
    ax = cv.ax
    x, w = 0.9, 4.6

    def row(y, h, text, color, count):
        cv.box(x, y, w, h, text, color, size=9)
        ax.text(
            x + w + 0.2, y + h / 2, f"{count:>12,}", va="center", fontsize=9, family="monospace"
        )
        share = f"{count / total:6.1%}" if count / total >= 0.001 else " <0.1%"
        ax.text(
            x + w + 1.85, y + h / 2, share, va="center", fontsize=9, family="monospace", color=NOTE
        )

    row(0.3, 0.65, f"token embeddings  {V:,} × {H}", TOKEN, token)
    row(1.05, 0.5, f"position embeddings  {P:,} × {H}", TOKEN, position)
    cv.frame(x - 0.1, 1.75, w + 0.2, 2.55, edge=EDGE, linewidth=1.0)
    ax.text(x - 0.05, 4.42, f"× {L} blocks (the counts are for all {L})", fontsize=9, color=NOTE)
    row(1.85, 0.45, "2 layer norms per block", GREY, L * norms)
    row(2.4, 0.75, f"attention: q, k, v ({H} → 3·{H}),\noutput ({H} → {H})", MODEL, L * attention)
    row(3.25, 0.95, f"MLP: {H} → {4 * H} → {H}", MODEL, L * mlp)
    row(4.75, 0.4, "final layer norm", GREY, final_norm)
    cv.box(x, 5.3, w, 0.6, "LM head: the token embeddings again (tied)", HEAD, size=9)
    ax.text(x + w + 0.2, 5.6, f"{0:>12,}", va="center", fontsize=9, family="monospace")
    cv.arrow((x, 5.45), (x, 0.75), rad=0.2, color=NOTE, dashed=True)
    ax.text(x + w + 0.2, 0.0, f"total {total:>12,}", fontsize=9, family="monospace", weight="bold")
    ax.text(x + w + 0.2, 6.05, "parameters       share", fontsize=9, family="monospace")
    ax.text(
        x, -0.35, f"GPT-2 (small): V = {V:,}, P = {P:,}, H = {H}, L = {L}", fontsize=8.5, color=NOTE
    )
    ax.set_ylim(-0.5, 6.3)
    return cv.figure


def attention_vs_rnn() -> plt.Figure:
    """An RNN needs n sequential steps and a path of n − 1 steps from the first token to the last;
    self-attention scores all n² pairs at once, and every token is one step from every other."""
    n = 6
    cv = Canvas(11.0, 4.4)
    ax = cv.ax
    gap = 0.75

    # RNN: a chain of states, each waiting for the one before.
    x0 = 0.4
    ax.text(x0, 4.05, "recurrent network (GRU, LSTM)", fontsize=11, weight="bold")
    for i in range(n):
        cx = x0 + 0.3 + i * gap
        cv.circle(cx, 0.75, 0.24, f"x{i + 1}", TOKEN)
        cv.box(cx - 0.26, 1.9, 0.52, 0.5, f"h{i + 1}", MODEL, size=8)
        cv.arrow((cx, 0.99), (cx, 1.9))
        if i:
            cv.arrow((cx - gap + 0.26, 2.15), (cx - 0.26, 2.15))
        ax.text(cx, 2.6, f"step {i + 1}", ha="center", fontsize=7.5, color=NOTE)
    ax.text(
        x0,
        3.35,
        f"n = {n} tokens: {n} steps, one after the other\nx1 reaches h{n} through {n - 1} steps",
        fontsize=9,
        va="center",
    )

    # Self-attention: all pairs at once.
    x0 = 5.9
    ax.text(x0, 4.05, "self-attention", fontsize=11, weight="bold")
    centres = [x0 + 0.3 + i * gap for i in range(n)]
    for i, cx in enumerate(centres):
        cv.circle(cx, 0.75, 0.24, f"x{i + 1}", TOKEN)
        cv.box(cx - 0.26, 1.9, 0.52, 0.5, f"y{i + 1}", MODEL, size=8)
        for cx_in in centres:
            cv.line([cx_in, cx], [0.99, 1.9], width=0.5, alpha=0.45)
    ax.text(
        x0 + 0.3 + (n - 1) * gap / 2,
        2.6,
        "one step, all at once",
        ha="center",
        fontsize=7.5,
        color=NOTE,
    )
    ax.text(
        x0,
        3.35,
        f"n² = {n * n} scores in one matrix product\nevery token is one step from every other",
        fontsize=9,
        va="center",
    )
    return cv.figure


def lora_layer() -> plt.Figure:
    """A LoRA layer: the frozen W beside the trained B·A of rank r, added at the output."""
    config = DistilBertConfig()
    d = k = config.dim
    r = 8
    cv = Canvas(9.0, 4.6)
    ax = cv.ax
    cv.box(3.6, 0.2, 1.8, 0.55, f"x  ({k} numbers)", TEXT, size=9)
    cv.box(0.6, 1.55, 3.2, 1.3, f"W  ({d} × {k})\nfrozen\n{d * k:,} numbers", SETUP, size=9)
    cv.box(5.4, 1.25, 2.9, 0.6, f"A  ({r} × {k}), trained", HEAD, size=9)
    cv.box(5.4, 2.25, 2.9, 0.6, f"B  ({d} × {r}), trained,\nstarts at zero", HEAD, size=8.5)
    cv.arrow((4.1, 0.75), (2.2, 1.55))
    cv.arrow((4.9, 0.75), (6.85, 1.25))
    cv.arrow((6.85, 1.85), (6.85, 2.25), f"r = {r}", offset=-0.08)
    cv.plus(4.5, 3.55, 0.25)
    cv.arrow((2.2, 2.85), (4.25, 3.55))
    cv.arrow((6.85, 2.85), (4.75, 3.55), "× α/r", offset=0.02)
    cv.box(3.3, 4.05, 2.4, 0.5, "h = W x + (α/r) B A x", TEXT, size=9)
    cv.arrow((4.5, 3.8), (4.5, 4.05))
    ax.text(
        0.1,
        0.45,
        f"trained: {r} · ({d} + {k}) = {r * (d + k):,} numbers\n= {r * (d + k) / (d * k):.1%} of W",
        fontsize=8.5,
        color=NOTE,
        va="center",
    )
    ax.set_ylim(0, 4.7)
    return cv.figure


FIGURES = {
    "where_code_runs": where_code_runs,
    "inside_a_pipeline": inside_a_pipeline,
    "text_to_label": text_to_label,
    "where_parameters_live": where_parameters_live,
    "attention_vs_rnn": attention_vs_rnn,
    "lora_layer": lora_layer,
}
