"""Encoder-decoder helpers for notebook 08: a model's anatomy, its cross-attention, long texts.

Notebook 08 runs Marian, BART and T5 itself (tokenizer → ``model.generate`` → ``batch_decode``).
What stays here is what it only *uses*: :func:`describe_seq2seq`, one row of its comparison
table; :func:`cross_attention`, the weights behind its heatmap; :func:`split_into_chunks`, a
long text cut at sentence ends. :func:`t5_input` writes the task prefixes that the model zoo's
T5 stand-in is trained with.

torch and transformers are imported inside the functions: ``import course_utils.seq2seq`` stays
cheap and may run before ``course_utils.setup()``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, NamedTuple

from course_utils.errors import CourseError, EmptyInputError

if TYPE_CHECKING:
    import torch

__all__ = [
    "MARIAN_ORGANISATION",
    "T5_TASKS",
    "T5_TRANSLATION_PAIRS",
    "CrossAttention",
    "UnknownTaskError",
    "UnsupportedLanguagePairError",
    "cross_attention",
    "describe_seq2seq",
    "input_limit",
    "split_into_chunks",
    "t5_input",
]

MARIAN_ORGANISATION = "Helsinki-NLP"
# The translation prefixes this course supports: T5's original WMT tasks. Flan-T5 kept them,
# and its instruction mixture added a few more pairs that the course neither uses nor tests.
T5_TRANSLATION_PAIRS = (("English", "German"), ("English", "French"), ("English", "Romanian"))
T5_TASKS = ("translate", "summarize", "question")
_TASK_ALIASES = {
    "translation": "translate",
    "summarization": "summarize",
    "summarise": "summarize",
    "summarisation": "summarize",
    "question answering": "question",
    "question-answering": "question",
}
# Language names <-> ISO 639-1 codes: T5 prefixes spell names, Marian ids use codes.
_LANGUAGE_CODES = {
    "english": "en",
    "german": "de",
    "french": "fr",
    "romanian": "ro",
    "spanish": "es",
    "italian": "it",
    "dutch": "nl",
    "portuguese": "pt",
    "russian": "ru",
    "chinese": "zh",
    "japanese": "ja",
    "arabic": "ar",
}
_LANGUAGE_NAMES = {code: name.capitalize() for name, code in _LANGUAGE_CODES.items()}
# Tokenizers without a real limit report model_max_length = int(1e30) ("VERY_LARGE_INTEGER").
_NO_TOKENIZER_LIMIT = 10**20
# How each architecture tells its encoder and decoder where a token is.
_POSITION_SCHEMES = {
    "t5": "relative (a learned bias per distance bucket, no position table)",
    "bart": "learned absolute",
    "mbart": "learned absolute",
    "marian": "sinusoidal (fixed, not learned)",
    "pegasus": "sinusoidal (fixed, not learned)",
}


class UnsupportedLanguagePairError(CourseError, ValueError):
    """No model (or no offline stand-in) translates this language pair."""


class UnknownTaskError(CourseError, ValueError):
    """A T5 task prefix that T5 was never trained on."""


# --- T5: one model, many tasks, told apart by a text prefix ---------------------------------


def _language_name(language: Any) -> str:
    """``"english"``, ``"English"`` or ``"en"`` → ``"English"`` (the spelling T5's prefixes use)."""
    if not isinstance(language, str):
        raise TypeError(
            f"Languages are names or codes such as 'English' or 'en', got {language!r}."
        )
    key = language.strip().lower()
    if key in _LANGUAGE_NAMES:
        return _LANGUAGE_NAMES[key]
    if key in _LANGUAGE_CODES:
        return key.capitalize()
    return language.strip()  # unknown: reported as the caller wrote it


def _check_one_text(text: Any, name: str) -> str:
    if not isinstance(text, str):
        raise TypeError(f"{name} must be a string, got {type(text).__name__}.")
    if not text.strip():
        raise EmptyInputError(
            f"{name} is empty or only whitespace: give the model at least one word to work on."
        )
    return text


def t5_input(
    task: str,
    text: str,
    *,
    source: str | None = None,
    target: str | None = None,
    context: str | None = None,
) -> str:
    """The text T5 expects for ``task``: its prefix, then ``text``.

    T5 is one model for many tasks; the only thing that tells it which task to do is a prefix it
    saw in training, spelt exactly: ``"translate English to German: …"``, ``"summarize: …"``,
    ``"question: … context: …"``. A prefix it never saw does not fail, it just gives poor
    output, so this helper refuses tasks and language pairs outside the ones the course
    supports (T5's own tasks and its WMT translation pairs) instead.

    ``source``/``target`` (names like ``"English"`` or codes like ``"en"``; default English →
    German) are for ``"translate"`` only, ``context`` (the passage holding the answer) for
    ``"question"`` only: a setting the task would ignore is an error, not a silent no-op.
    """
    if not isinstance(task, str):
        raise TypeError(f"task must be a string such as 'translate', got {type(task).__name__}.")
    name = _TASK_ALIASES.get(task.strip().lower(), task.strip().lower())
    if name not in T5_TASKS:
        raise UnknownTaskError(
            f"T5 has no task called {task!r}. Its prefixes are: {', '.join(T5_TASKS)} "
            f"('translate English to German: …', 'summarize: …', 'question: … context: …'). "
            f"Pass one of those names."
        )
    _check_one_text(text, "text")
    if name != "translate" and (source is not None or target is not None):
        raise ValueError(
            f"source and target are languages to translate between; the {name!r} task does not "
            f"use them. Drop them, or use task='translate'."
        )
    if name != "question" and context is not None:
        raise ValueError(
            f"context is the passage a question is answered from; the {name!r} task does not use "
            f"it. Drop it, or use task='question'."
        )
    if name == "summarize":
        return f"summarize: {text}"
    if name == "question":
        if context is None:
            raise ValueError(
                "A T5 question needs the passage that holds the answer: pass context='…' "
                "(T5 was trained on 'question: … context: …')."
            )
        _check_one_text(context, "context")
        return f"question: {text} context: {context}"
    pair = (_language_name(source or "English"), _language_name(target or "German"))
    if pair not in T5_TRANSLATION_PAIRS:
        supported = ", ".join(f"{a} → {b}" for a, b in T5_TRANSLATION_PAIRS)
        raise UnsupportedLanguagePairError(
            f"{pair[0]} → {pair[1]} is not a translation prefix this course supports. It "
            f"supports T5's WMT tasks: {supported}. Other pairs are untested here and may give "
            f"unreliable output. For them use a Marian model: marian_model_id('en', 'es') gives "
            f"'{MARIAN_ORGANISATION}/opus-mt-en-es'."
        )
    return f"translate {pair[0]} to {pair[1]}: {text}"


# --- Limits and long texts ---------------------------------------------------------------------


def _model_name(model: Any) -> str:
    return getattr(model.config, "_name_or_path", "") or type(model).__name__


def _position_limit(model: Any) -> int | None:
    """Rows of the encoder's (and decoder's) position table, or None (T5: relative positions)."""
    from course_utils.generation import context_length

    return context_length(model.config)


def input_limit(model: Any, tokenizer: Any) -> int | None:
    """The most tokens (special ones included) the model reads in one text, or None for no limit.

    Two limits can apply, and the smaller one wins:

    - BART and Marian have one position vector per position (``max_position_embeddings`` in
      the config, 1024 for bart-large-cnn, 512 for opus-mt); one more token is an
      ``IndexError`` inside the model.
    - The tokenizer's ``model_max_length`` is what the model was trained on. T5 has relative
      positions, so nothing crashes past its 512, but quality drops; that limit is the only
      one T5 has. A tokenizer with no real limit reports about 10**30, which is ignored.
    """
    limits = []
    tokenizer_limit = getattr(tokenizer, "model_max_length", None)
    if isinstance(tokenizer_limit, int) and 0 < tokenizer_limit < _NO_TOKENIZER_LIMIT:
        limits.append(tokenizer_limit)
    position_limit = _position_limit(model)
    if position_limit is not None:
        limits.append(position_limit)
    return min(limits) if limits else None


def split_into_chunks(text: str, tokenizer: Any, max_tokens: int, *, prefix: str = "") -> list[str]:
    """Split ``text`` at sentence ends into chunks of at most ``max_tokens`` tokens each.

    The way to process a text longer than the model's limit: summarise or translate each chunk
    and join the results. Whole sentences stay together (a model translates a cut sentence
    badly); only a single sentence longer than ``max_tokens`` is split between words. Tokens
    are counted with the special ones and with ``prefix`` (e.g. ``"summarize: "`` for T5)
    in front, which is not part of the returned chunks. Words inside a chunk are joined by single
    spaces (line breaks are not kept).
    """

    def count(piece: str) -> int:
        return len(tokenizer(prefix + piece, verbose=False)["input_ids"])

    def pack(units: list[str]) -> list[str]:
        chunks: list[str] = []
        current = ""
        for unit in units:
            if count(unit) > max_tokens:
                raise ValueError(f"{unit[:40]!r} alone is more than {max_tokens} tokens.")
            candidate = f"{current} {unit}" if current else unit
            if count(candidate) <= max_tokens:
                current = candidate
            else:
                chunks.append(current)
                current = unit
        if current:
            chunks.append(current)
        return chunks

    units: list[str] = []
    for sentence in re.split(r"(?<=[.!?])\s+", text.strip()):
        units.extend(pack(sentence.split()) if count(sentence) > max_tokens else [sentence])
    return pack(units)


# --- Cross-attention: which source tokens the decoder looks at ------------------------------


class CrossAttention(NamedTuple):
    """A cross-attention map: row *i* is how target token *i* was attended over the source."""

    matrix: torch.Tensor  # (len(target_tokens), len(source_tokens)); each row sums to 1
    target_tokens: list[str]
    source_tokens: list[str]


def _attention_implementation(model: Any) -> str:
    return getattr(model.config, "_attn_implementation", None) or "eager"


@contextmanager
def _eager_attention(model: Any) -> Iterator[None]:
    """Switch the model to eager attention while the block runs, then switch it back.

    Only the "eager" implementation (softmax written out in PyTorch) can return attention
    weights. transformers 5 loads BART, Marian and T5 with the fused "sdpa" kernel, which
    computes attention without ever storing the weights, and then returns an *empty*
    ``cross_attentions`` for ``output_attentions=True``; 4.57 loads BART and Marian with sdpa
    (returning ``None`` per layer) and T5 with eager. ``set_attn_implementation`` exists in
    both and changes no weights, so switching for one forward pass is safe.
    """
    original = _attention_implementation(model)
    if original == "eager":
        yield
        return
    model.set_attn_implementation("eager")
    try:
        yield
    finally:
        model.set_attn_implementation(original)


def cross_attention(
    model: Any,
    tokenizer: Any,
    source: str,
    target: str | None = None,
    *,
    layer: int = -1,
    head: int | None = None,
    **settings: Any,
) -> CrossAttention:
    """How much each target token attended to each source token, in one decoder layer.

    With ``target`` given the decoder is *teacher-forced*: it reads the target's tokens instead
    of its own, as in training. Without it, the model first writes its own output (``settings``
    go to ``generate``, e.g. ``max_new_tokens`` for T5, whose checkpoint sets no length), and
    that output is read back: the weights are the very ones it used while writing it. Row *i* belongs to target token *i*: it is the attention of
    the decoder step that *produced* that token, whose input was the previous token (the decoder
    start token for the first row). The weights are averaged over the layer's heads (or taken
    from ``head`` alone); every row sums to 1.
    """
    import torch

    encoded = tokenizer([source], return_tensors="pt").to(model.device)
    if target is None:
        with torch.no_grad():
            full = model.generate(**encoded, **settings)[0].tolist()  # from the start token
    else:
        start = model.generation_config.decoder_start_token_id
        if start is None:  # older checkpoints keep it in the model config only
            start = model.config.decoder_start_token_id
        full = [start] + tokenizer(text_target=target)["input_ids"]
    decoder_input_ids = torch.tensor([full[:-1]], device=model.device)
    with torch.no_grad(), _eager_attention(model):
        outputs = model(**encoded, decoder_input_ids=decoder_input_ids, output_attentions=True)
    weights = outputs.cross_attentions[layer][0]  # (heads, target, source)
    matrix = weights.mean(dim=0) if head is None else weights[head]
    return CrossAttention(
        matrix.float().cpu(),
        tokenizer.convert_ids_to_tokens(full[1:]),
        tokenizer.convert_ids_to_tokens(encoded["input_ids"][0].tolist()),
    )


# --- Describing an encoder-decoder -------------------------------------------------------------


def _layer_count(stack: Any) -> int:
    """Transformer blocks in an encoder or decoder (BART/Marian call them layers, T5 block)."""
    for name in ("layers", "block"):
        blocks = getattr(stack, name, None)
        if blocks is not None:
            return len(blocks)
    raise CourseError(f"Cannot find the layers of {type(stack).__name__}.")


def _same_tensor(a: Any, b: Any) -> bool:
    return a is not None and b is not None and a.weight.data_ptr() == b.weight.data_ptr()


def describe_seq2seq(model: Any, tokenizer: Any | None = None) -> dict[str, Any]:
    """One row of the encoder-decoder comparison table: layers, width, embeddings, size, limit.

    ``shared_embeddings`` and ``tied_output`` are read from the weights themselves, not the
    config: transformers 5 reports ``tie_word_embeddings=True`` for every T5, including
    Flan-T5 whose output layer is a separate matrix. Parameters shared between the encoder,
    decoder and output layer are counted once. ``max_input_tokens`` needs the tokenizer.
    """
    encoder, decoder = model.get_encoder(), model.get_decoder()
    config = model.config
    decoder_embeddings = decoder.get_input_embeddings()
    return {
        "model": _model_name(model),
        "class": type(model).__name__,
        "parameters": sum(p.numel() for p in model.parameters()),
        "encoder_layers": _layer_count(encoder),
        "decoder_layers": _layer_count(decoder),
        "hidden_size": config.d_model,
        "attention_heads": getattr(config, "encoder_attention_heads", None)
        or getattr(config, "num_heads", None),
        "vocab_size": config.vocab_size,
        "shared_embeddings": _same_tensor(encoder.get_input_embeddings(), decoder_embeddings),
        "tied_output": _same_tensor(model.get_output_embeddings(), decoder_embeddings),
        "positions": _POSITION_SCHEMES.get(getattr(config, "model_type", ""), "unknown"),
        "max_input_tokens": None if tokenizer is None else input_limit(model, tokenizer),
    }
