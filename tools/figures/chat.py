"""Diagrams of the generation and chat notebooks: the way from a token to a loaded gated model,
the loop inside ``generate``, and the loop a chatbot runs around it.

The memory numbers come from Mistral-7B-Instruct-v0.3's real config (``data/configs/``) through
``course_utils.memory``, the arithmetic the gated-models notebook teaches, so nothing is
downloaded. The chat text is what SmolLM2-135M-Instruct's template (ChatML) renders.
"""

from __future__ import annotations

import matplotlib.pyplot as plt

from .shapes import ACCENT, BLUE, GREEN, GREY, NOTE, ORANGE, PINK, VIOLET, WHITE, Canvas

REFUSED = PINK  # the Hub says no
OUTCOME = GREEN  # a model to talk to

GATED_ID = "mistralai/Mistral-7B-Instruct-v0.3"
CONTEXT = 4096  # tokens of prompt + answer, as the gated-models notebook plans for


def gated_download() -> plt.Figure:
    """Token → login → auth_check (401, 403 or OK) → config.json → memory estimate → download the
    gated model if it fits, else a small ungated one."""
    from course_utils.configs import load_config
    from course_utils.memory import INFERENCE_HEADROOM, estimate_memory

    need = estimate_memory(load_config(GATED_ID), "bf16", context_length=CONTEXT)
    cv = Canvas(10.4, 7.4, unit=0.1)
    ax = cv.ax
    left, width = 31.0, 42.0  # the main column; refusals to its sides
    mid, right = left + width / 2, left + width

    def step(y: float, h: float, text: str, color: str = WHITE, size: float = 8.5) -> None:
        cv.box(left, y, width, h, text, color, size=size)

    def down(y_from: float, y_to: float, label: str = "") -> None:
        cv.arrow((mid, y_from), (mid, y_to))
        if label:
            ax.text(mid + 1.0, (y_from + y_to) / 2, label, fontsize=8, color=NOTE, va="center")

    def refusal(x: float, y: float, text: str) -> None:
        """A refusal beside the main column, with the arrow from the step it leaves."""
        cv.box(x, y, 26, 5, text, REFUSED, size=8)
        start, end = (right + 0.4, x - 0.4) if x > left else (left - 0.4, x + 26.4)
        cv.arrow((start, y + 2.5), (end, y + 2.5))

    step(
        66,
        6,
        "your token, from the platform's secrets\n(Colab, Kaggle, HF_TOKEN or a hidden prompt)",
        VIOLET,
    )
    down(65.6, 60.4)
    step(55, 5, "login(token, add_to_git_credential=False)")
    refusal(77, 55, "a mistyped or revoked token:\n401, replace it")
    down(54.6, 49.4)
    step(44, 5, "auth_check(model_id)", size=9)
    refusal(1, 44, "401 GatedRepo:\nno token sent, so log in")
    refusal(77, 44, "403 GatedRepo: no access yet,\naccept the model's conditions")
    down(43.6, 38.4, "OK")
    step(33, 5, "AutoConfig.from_pretrained(model_id)\nconfig.json only: a few hundred bytes")
    down(32.6, 27.4)
    step(
        19,
        8,
        f"{need.n_params / 1e9:.2f} B parameters × 2 bytes (bf16) = "
        f"{need.weights / 2**30:.2f} GiB\n"
        f"+ KV cache for {CONTEXT:,} tokens: {need.kv_cache / 2**30:.2f} GiB\n"
        f"+ {INFERENCE_HEADROOM:.0%} headroom = {need.needed_gib():.2f} GiB",
        GREY,
    )
    ax.text(
        right + 2,
        23,
        "Mistral-7B-Instruct-v0.3,\nfrom its config",
        fontsize=8,
        color=NOTE,
        va="center",
    )
    down(18.6, 13.4)
    step(9, 4, "fits the free memory here?", size=9)
    cv.arrow((left + 4, 8.6), (20, 5.4))
    cv.arrow((right - 4, 8.6), (84, 5.4))
    ax.text(left + 1, 6.0, "yes", fontsize=8.5, color=NOTE, ha="right")
    ax.text(right - 1, 6.0, "no", fontsize=8.5, color=NOTE)
    model = GATED_ID.split("/")[1]
    gigabytes = need.weights / 1e9
    cv.box(
        1,
        0,
        40,
        5,
        f"download {model} in bf16\n({gigabytes:.1f} GB of weights) and load it",
        OUTCOME,
        size=8,
    )
    cv.box(
        63,
        0,
        40,
        5,
        "talk to SmolLM2-135M-Instruct instead:\nungated, half a GiB in fp32",
        ORANGE,
        size=8,
    )
    return cv.figure


def generation_loop() -> plt.Figure:
    """Prompt → tokenizer → model → next-token distribution → decoding strategy → append → repeat
    until end-of-text or max_new_tokens → decode the new tokens only."""
    cv = Canvas(11.8, 4.4, unit=0.1)
    ax = cv.ax
    top, low, h = 29.0, 5.0, 9.0  # the two rows' lower edges, and the boxes' height

    # Everything from the model to the stop test runs inside generate, once per new token.
    cv.frame(28, 1.5, 88, 39.5)
    ax.text(29.5, 39.0, "model.generate: once per new token", fontsize=8.5, color=NOTE)

    cv.box(0, top, 13, h, 'prompt\n"Once upon\na time"', WHITE, size=8)
    cv.arrow((13.4, top + h / 2), (15.6, top + h / 2))
    cv.box(16, top, 10, h, "tokenizer\n→ input_ids", VIOLET, size=8)
    cv.arrow((26.4, top + h / 2), (30.6, top + h / 2))
    cv.box(31, top, 16, h, "model\none forward pass", BLUE)
    cv.arrow((47.4, top + h / 2), (54.6, top + h / 2), "logits")
    cv.box(
        55,
        top,
        22,
        h,
        "next-token distribution:\nsoftmax of the last\nposition's logits",
        BLUE,
        size=8,
    )
    cv.arrow((77.4, top + h / 2), (84.6, top + h / 2))
    cv.box(85, top - 5, 30, h + 5, color=GREEN)
    ax.text(100, top + h - 2.0, "decoding strategy", fontsize=9, weight="bold", ha="center")
    ax.text(
        86.5,
        top + h - 3.5,
        "greedy: the most likely token\nbeam search: num_beams sequences\n"
        "sampling: temperature, top-k,\ntop-p, then a random draw",
        fontsize=8,
        linespacing=1.5,
        va="top",
    )

    # The chosen token joins the input, unless the text is finished.
    cv.box(92, low, 16, h - 1, "the next token", ORANGE, size=8.5)
    cv.arrow((100, top - 5.4), (100, low + h - 0.6))
    cv.box(64, low, 20, h - 1, "append it to the\ninput_ids", WHITE, size=8.5)
    cv.arrow((91.6, low + 4), (84.4, low + 4))
    cv.box(31, low, 25, h - 1, "end-of-text token, or\nmax_new_tokens new ones?", WHITE, size=8.5)
    cv.arrow((63.6, low + 4), (56.4, low + 4))
    cv.arrow((39, low + h - 0.6), (39, top - 0.4))
    ax.text(40, (low + h + top) / 2, "no: once more", fontsize=8, color=NOTE, va="center")
    cv.box(0, low, 20, h - 1, "tokenizer.decode(\noutput[0, n_prompt:])", WHITE, size=8)
    cv.arrow((30.6, low + 4), (20.4, low + 4), "yes")
    return cv.figure


CHATML = [
    ("<|im_start|>system", NOTE),
    ("Answer in one sentence.<|im_end|>", "black"),
    ("<|im_start|>user", NOTE),
    ("What is BERT?<|im_end|>", "black"),
    ("<|im_start|>assistant", NOTE),
    ("BERT is …<|im_end|>", "black"),
    ("<|im_start|>user", NOTE),
    ("What is it good for?<|im_end|>", "black"),
    ("<|im_start|>assistant", ACCENT),
]


def chat_loop() -> plt.Figure:
    """Messages → (trimmed) → apply_chat_template (ChatML) → generate → decode the new tokens →
    append the reply → the next user turn, and round again."""
    cv = Canvas(12.0, 5.6, unit=0.1)
    ax = cv.ax
    row, h = 41.0, 10.0  # the top row's lower edge and height

    # The history: a list of dicts, one per message.
    cv.box(0, 12, 30, 40, color="none", edge=NOTE, rounding=0.12)
    ax.text(2, 48.5, "messages: the whole history", fontsize=8.5, weight="bold", va="center")
    turns = [
        ('system: "Answer in one sentence."', GREY),
        ('user: "What is BERT?"', WHITE),
        ('assistant: "BERT is …"', GREEN),
        ('user: "What is it good for?"', WHITE),
    ]
    for k, (text, color) in enumerate(turns):
        cv.box(2, 39 - k * 8, 26, 6, text, color, size=8)

    cv.arrow((30.4, row + h / 2), (34.6, row + h / 2))
    cv.box(
        35,
        row,
        22,
        h,
        "over the token budget?\ndrop the oldest\nuser/assistant pair",
        GREY,
        size=8,
        dashed=True,
    )
    cv.arrow((57.4, row + h / 2), (61.6, row + h / 2))
    cv.box(
        62,
        row,
        26,
        h,
        "tokenizer.apply_chat_template(\nmessages,\nadd_generation_prompt=True)",
        VIOLET,
        size=8,
    )
    cv.arrow((88.4, row + h / 2), (92.6, row + h / 2))
    cv.box(93, row, 11, h, "model\n.generate", BLUE, size=8.5)
    cv.arrow((104.4, row + h / 2), (108.6, row + h / 2))
    cv.box(109, row, 11, h, "decode\nthe new\ntokens only", GREEN, size=8)

    # What the template writes: ChatML, ending with the cue for the assistant's turn.
    cv.box(60, 8, 30, 28)
    cv.line([75, 75], [row - 0.4, 36.4], dashed=True)
    ax.text(76, 38.5, "the text it renders (ChatML)", fontsize=7.5, color=NOTE, va="center")
    for k, (line, color) in enumerate(CHATML):
        ax.text(
            61.5, 33.5 - k * 2.6, line, fontsize=7, family="monospace", color=color, va="center"
        )
    ax.text(
        61.5, 10.0, "the last line: add_generation_prompt", fontsize=7, color=ACCENT, va="center"
    )

    # The reply goes back into the history, and the user asks the next question.
    cv.arrow((114.5, row - 0.4), (114.5, 34.4))
    ax.text(113.5, 37.5, "output[0, n_prompt:]", fontsize=7.5, color=NOTE, ha="right", va="center")
    cv.box(96, 27, 24, 7, "the reply, shown\nto the user", WHITE, size=8.5)
    cv.arrow((108, 26.6), (108, 21.4))
    cv.box(
        96,
        12,
        24,
        9,
        'append {"role": "assistant",\n"content": reply},\nthen the next question',
        ORANGE,
        size=8,
    )
    cv.line([108, 108, 15], [11.6, 4.0, 4.0])
    cv.arrow((15, 4.0), (15, 11.6))
    ax.text(
        18, 5.0, "and round again: the model has no memory", fontsize=8, color=NOTE, va="bottom"
    )
    return cv.figure


FIGURES = {
    "gated_download": gated_download,
    "generation_loop": generation_loop,
    "chat_loop": chat_loop,
}
