"""Encoder–decoder models (Marian, BART, T5) by hand: tokenizer → ``model.generate`` → decode.

transformers 5 removed the ``translation``, ``summarization`` and ``text2text-generation``
pipelines, so notebook 08 teaches the three steps they hid. The helpers here are those steps plus
the checks a pipeline never made: an empty text, or one longer than the model can read, gets one
clear sentence saying what to do instead of an ``IndexError`` deep inside torch or a text cut
short without a word.

They are model-agnostic (any ``AutoModelForSeq2SeqLM`` and its tokenizer) and behave the same on
transformers 4.57 and 5. Where the two differ, the code says so next to the difference.

torch and transformers are imported inside the functions: ``import course_utils.seq2seq`` stays
cheap and may run before ``course_utils.setup()``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, NamedTuple

from course_utils.errors import CourseError, EmptyInputError
from course_utils.text import check_texts

if TYPE_CHECKING:
    import torch

__all__ = [
    "MARIAN_ORGANISATION",
    "T5_TASKS",
    "T5_TRANSLATION_PAIRS",
    "CrossAttention",
    "InputTooLongError",
    "LanguageCodeError",
    "UnknownTaskError",
    "UnsupportedLanguagePairError",
    "cross_attention",
    "describe_seq2seq",
    "generate_seq2seq",
    "input_limit",
    "marian_model_id",
    "offline_marian_pairs",
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
_MARIAN_ID = re.compile(rf"^{MARIAN_ORGANISATION}/opus-mt-([a-z]{{2,3}})-([a-z]{{2,3}})$")
_LANGUAGE_CODE = re.compile(r"[a-z]{2,3}")
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


class InputTooLongError(CourseError, ValueError):
    """A text has more tokens than the model can read.

    Raised *before* the model runs: BART and Marian would fail with ``IndexError: index out of
    range in self`` from their position table, and truncation would drop the end of the text
    without telling anyone, which for a summary or a translation is worse than failing.
    """

    def __init__(self, message: str, *, length: int, limit: int, index: int | None = None) -> None:
        self.length = length
        self.limit = limit
        self.index = index
        super().__init__(message)


class UnsupportedLanguagePairError(CourseError, ValueError):
    """No model (or no offline stand-in) translates this language pair."""


class LanguageCodeError(CourseError, ValueError):
    """A language was not given the way a Marian model id spells it (``en``, ``de``, ``fra`` …)."""


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


# --- Marian: one small model per language pair ----------------------------------------------


def _check_language_code(code: Any, role: str) -> str:
    if not isinstance(code, str):
        raise TypeError(f"{role} must be a language code string such as 'en', got {code!r}.")
    if _LANGUAGE_CODE.fullmatch(code):
        return code
    hint = ""
    cleaned = code.strip().lower()
    if _LANGUAGE_CODE.fullmatch(cleaned):
        hint = f" Did you mean {cleaned!r}? Hub ids are case-sensitive."
    elif cleaned in _LANGUAGE_CODES:
        hint = f" {code.strip()} is {_LANGUAGE_CODES[cleaned]!r}."
    raise LanguageCodeError(
        f"{role} language {code!r} is not an ISO 639 code: Marian model ids spell languages with "
        f"two or three lowercase letters, e.g. 'en' (English), 'de' (German), 'fr' (French).{hint}"
    )


def _session_is_offline() -> bool:
    """Offline if ``setup()`` said so; before any ``setup()``, what huggingface_hub will read."""
    from course_utils.environment import env_flag
    from course_utils.session import active_session

    session = active_session()
    if session is not None:
        return session.offline
    return env_flag("HF_HUB_OFFLINE") or env_flag("COURSE_OFFLINE")


def offline_marian_pairs() -> list[tuple[str, str]]:
    """The (source, target) code pairs that have a Marian stand-in in the offline model zoo."""
    from course_utils import zoo

    return sorted(
        (found.group(1), found.group(2))
        for found in map(_MARIAN_ID.match, zoo.available_ids())
        if found
    )


def marian_model_id(source: str, target: str, *, offline: bool | None = None) -> str:
    """The Hub id of the Marian model translating ``source`` → ``target`` (ISO 639 codes).

    Helsinki-NLP trained one small model per language pair and named them all the same way:
    ``Helsinki-NLP/opus-mt-{source}-{target}``. Online, any pair they publish works. Offline
    (``offline=None`` asks the session) only the pairs the course's model zoo has stand-ins for
    do, so this says which ones before ``from_pretrained`` fails with a long cache error.
    """
    source = _check_language_code(source, "source")
    target = _check_language_code(target, "target")
    if source == target:
        raise LanguageCodeError(
            f"source and target are both {source!r}: a translation model needs two different "
            f"languages."
        )
    model_id = f"{MARIAN_ORGANISATION}/opus-mt-{source}-{target}"
    if offline is None:
        offline = _session_is_offline()
    if offline:
        pairs = offline_marian_pairs()
        if (source, target) not in pairs:
            listing = ", ".join(f"{a}-{b}" for a, b in pairs) or "none yet"
            raise UnsupportedLanguagePairError(
                f"This session is offline and the course's model zoo has no stand-in for "
                f"{source}-{target} ({model_id}). Pairs available offline: {listing}.\n"
                f"Online (Colab, Kaggle or a laptop with internet) any pair that "
                f"{MARIAN_ORGANISATION} publishes works: search the Hub for "
                f"'{MARIAN_ORGANISATION}/opus-mt'."
            )
    return model_id


# --- Limits: how long a text the model can read ---------------------------------------------


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


def _too_long_message(model: Any, length: int, limit: int, which: str) -> str:
    position_limit = _position_limit(model)
    if position_limit == limit:
        why = f"its position table has {limit} rows; one token more fails inside the model"
    else:
        why = f"its tokenizer's model_max_length, the longest text it was trained on, is {limit}"
    return (
        f"{which} is {length} tokens long, but {_model_name(model)} reads at most {limit} tokens "
        f"({why}). Nothing was cut off silently: split the text into sentences or chunks of at "
        f"most {limit} tokens (split_into_chunks(text, tokenizer, {limit}) does it) and pass "
        f"the list of chunks instead."
    )


def _encode(model: Any, tokenizer: Any, texts: list[str]) -> Any:
    """Tokenize ``texts`` as one padded batch on the model's device; refuse over-long texts."""
    # verbose=False: the tokenizer's own "longer than the maximum" warning would only come
    # before the clearer error below.
    encoded = tokenizer(texts, return_tensors="pt", padding=True, verbose=False)
    limit = input_limit(model, tokenizer)
    lengths = encoded["attention_mask"].sum(dim=1).tolist()
    for index, length in enumerate(lengths):
        if limit is not None and length > limit:
            which = "The text" if len(texts) == 1 else f"Text {index}"
            message = _too_long_message(model, length, limit, which)
            raise InputTooLongError(message, length=length, limit=limit, index=index)
    return encoded.to(model.device)


def split_into_chunks(text: str, tokenizer: Any, max_tokens: int, *, prefix: str = "") -> list[str]:
    """Split ``text`` at sentence ends into chunks of at most ``max_tokens`` tokens each.

    The way to process a text longer than the model's limit: summarise or translate each chunk
    and join the results. Whole sentences stay together (a model translates a cut sentence
    badly); only a single sentence longer than ``max_tokens`` is split between words. Tokens
    are counted with the special ones and with ``prefix`` (e.g. ``"summarize: "`` for T5)
    in front, which is not part of the returned chunks. Words inside a chunk are joined by single
    spaces (line breaks are not kept).
    """
    _check_one_text(text, "text")
    if not isinstance(max_tokens, int) or max_tokens < 1:
        raise ValueError(f"max_tokens must be a positive whole number, got {max_tokens!r}.")

    def count(piece: str) -> int:
        return len(tokenizer(prefix + piece, verbose=False)["input_ids"])

    def pack(units: list[str]) -> list[str]:
        chunks: list[str] = []
        current = ""
        for unit in units:
            if count(unit) > max_tokens:
                raise InputTooLongError(
                    f"{unit[:40]!r} alone is {count(unit)} tokens, more than max_tokens="
                    f"{max_tokens}: choose a larger max_tokens.",
                    length=count(unit),
                    limit=max_tokens,
                )
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


# --- Generation -------------------------------------------------------------------------------


@contextmanager
def _evaluating(model: Any) -> Iterator[None]:
    """Run with dropout off (``eval()``), then restore the model's mode.

    ``generate`` does not switch to eval mode itself; a model left in training mode (after
    fine-tuning, or built in a notebook) would translate differently on every call.
    """
    was_training = model.training
    model.eval()
    try:
        yield
    finally:
        model.train(was_training)


class _DropRecords(logging.Filter):
    def __init__(self, starts: tuple[str, ...]) -> None:
        super().__init__()
        self.starts = starts

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith(self.starts)


@contextmanager
def _without_length_notice() -> Iterator[None]:
    """Hide transformers 5's "Both `max_new_tokens` and `max_length` seem to have been set".

    Checkpoints such as bart-large-cnn ship a ``max_length`` in their generation config, and 5.x
    then logs that notice on *every* call that passes ``max_new_tokens``, although that is the
    documented way and it takes precedence. (4.57 stays quiet.) Only that one message is dropped.
    """
    drop = _DropRecords(("Both `max_new_tokens`",))
    logger = logging.getLogger("transformers.generation.utils")
    logger.addFilter(drop)
    try:
        yield
    finally:
        logger.removeFilter(drop)


_SAMPLING_ONLY = ("temperature", "top_k", "top_p")


def _generation_options(
    model: Any, max_new_tokens: int, num_beams: int | None, options: dict[str, Any]
) -> dict[str, Any]:
    """Check the settings like ``generate_text`` does; return what to pass to ``generate``."""
    from course_utils.generation import GenerationError, check_generation_settings

    for name, instead in (("max_length", "max_new_tokens"), ("min_length", "min_new_tokens")):
        if name in options:
            raise GenerationError(
                f"Pass {instead}, not {name}: {instead} counts exactly the tokens the decoder "
                f"writes ({name} also counts its start token), and giving both makes "
                f"transformers warn and pick one."
            )
    do_sample = options.get("do_sample", bool(getattr(model.generation_config, "do_sample", 0)))
    temperature = options.get("temperature")
    penalty = options.get("repetition_penalty")
    check_generation_settings(
        max_new_tokens,
        do_sample,
        1.0 if temperature is None else temperature,
        options.get("top_k"),
        options.get("top_p"),
        repetition_penalty=1.0 if penalty is None else penalty,
    )
    # transformers insists on floats here: temperature=2 would fail its own check.
    options = options | {
        name: float(options[name])
        for name in ("temperature", "top_p", "repetition_penalty")
        if options.get(name) is not None
    }
    if not do_sample:
        names = [name for name in _SAMPLING_ONLY if options.get(name) is not None]
        if names:
            raise GenerationError(
                f"{', '.join(names)} only change(s) sampling, but do_sample=False (greedy or beam "
                f"search always takes the most likely tokens). Pass do_sample=True to sample, or "
                f"drop {', '.join(names)}."
            )
    else:
        # Explicit "off" values: transformers 4 would otherwise apply its default top_k=50.
        options = options | {
            "top_k": options.get("top_k") or 0,
            "top_p": 1.0 if options.get("top_p") is None else options["top_p"],
        }
    if num_beams is not None:
        if isinstance(num_beams, bool) or not isinstance(num_beams, int) or num_beams < 1:
            raise GenerationError(
                f"num_beams must be a whole number of at least 1 (1 = no beam search), or None "
                f"for the model's own setting; got {num_beams!r}."
            )
        options = options | {"num_beams": num_beams}
    limit = _position_limit(model)
    if limit is not None and max_new_tokens > limit:
        raise GenerationError(
            f"max_new_tokens={max_new_tokens} is more than the {limit} positions the decoder of "
            f"{_model_name(model)} has: ask for at most {limit} new tokens."
        )
    return options | {"max_new_tokens": max_new_tokens}


def _generate_ids(
    model: Any,
    tokenizer: Any,
    texts: list[str],
    max_new_tokens: int,
    num_beams: int | None,
    options: dict[str, Any],
) -> tuple[Any, Any]:
    """(encoded sources, generated ids) for already-checked ``texts``."""
    import torch

    options = _generation_options(model, max_new_tokens, num_beams, options)
    encoded = _encode(model, tokenizer, texts)
    with torch.no_grad(), _evaluating(model), _without_length_notice():
        output = model.generate(**encoded, **options)
    return encoded, output


def generate_seq2seq(
    model: Any,
    tokenizer: Any,
    texts: str | Sequence[str],
    max_new_tokens: int = 64,
    num_beams: int | None = None,
    **generation_kwargs: Any,
) -> list[str]:
    """Translate, summarise or answer: one output text per input text, in order.

    The three steps the removed pipelines hid:

    1. the tokenizer turns the texts into one padded batch (``attention_mask`` marks padding,
       so a short text comes out the same alone or in a batch);
    2. ``model.generate`` runs the encoder once, then the decoder token by token, each step
       reading the encoder's output through cross-attention;
    3. ``batch_decode(..., skip_special_tokens=True)`` turns ids back into text without
       ``<pad>`` and ``</s>``.

    Checked first: empty input (``EmptyInputError``), a text longer than the model reads
    (``InputTooLongError``, see :func:`input_limit`) and impossible settings (the
    ``GenerationError`` of ``generate_text``). ``num_beams=None`` keeps the checkpoint's own
    choice from its generation config (beam search for bart-large-cnn and the opus-mt models,
    greedy for flan-t5), as the old pipelines did; other keyword arguments (``do_sample``,
    ``no_repeat_ngram_size`` …) go to ``generate`` (with ``num_return_sequences=k`` the list
    holds k outputs per input, one input's after another).
    """
    items = check_texts(texts)
    _, output = _generate_ids(
        model, tokenizer, items, max_new_tokens, num_beams, dict(generation_kwargs)
    )
    return tokenizer.batch_decode(output, skip_special_tokens=True)


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


def _decoder_start_id(model: Any) -> int:
    for config in (model.generation_config, model.config):
        start = getattr(config, "decoder_start_token_id", None)
        if isinstance(start, int):
            return start
    raise CourseError(
        f"{_model_name(model)} has no decoder_start_token_id in its config, so it is not clear "
        f"which token starts the decoder. Is it an encoder-decoder model?"
    )


def cross_attention(
    model: Any,
    tokenizer: Any,
    source: str,
    target: str | None = None,
    *,
    layer: int = -1,
    head: int | None = None,
    max_new_tokens: int = 64,
) -> CrossAttention:
    """How much each target token attended to each source token, in one decoder layer.

    With ``target`` given the decoder is *teacher-forced*: it reads the target's tokens instead
    of its own, as in training. Without it, the model first writes its own output (as
    :func:`generate_seq2seq` with ``max_new_tokens`` would) and that output is read back: the
    weights are the very ones it used while writing it. Row *i* belongs to target token *i*:
    it is the attention of the decoder step that *produced* that token, whose input was the
    previous token (the decoder start token for the first row).

    The weights are averaged over the layer's heads (or taken from ``head`` alone). Every row
    sums to 1: attention is a softmax over the source tokens, special tokens (``</s>``) included.
    The model is switched to eager attention for this one pass (see ``_eager_attention``).
    """
    import torch

    _check_one_text(source, "source")
    if target is not None:
        _check_one_text(target, "target")
    if target is None:
        encoded, output = _generate_ids(model, tokenizer, [source], max_new_tokens, None, {})
        full = output[0].tolist()
    else:
        encoded = _encode(model, tokenizer, [source])
        full = [_decoder_start_id(model)] + tokenizer(text_target=target, verbose=False)[
            "input_ids"
        ]
        limit = _position_limit(model)
        if limit is not None and len(full) - 1 > limit:
            raise InputTooLongError(
                _too_long_message(model, len(full) - 1, limit, "The target"),
                length=len(full) - 1,
                limit=limit,
            )
    decoder_input_ids = torch.tensor([full[:-1]], device=model.device)
    with torch.no_grad(), _evaluating(model), _eager_attention(model):
        outputs = model(**encoded, decoder_input_ids=decoder_input_ids, output_attentions=True)
    layers = outputs.cross_attentions
    if not layers or any(weights is None for weights in layers):
        raise CourseError(
            f"{_model_name(model)} returned no cross-attention weights although it runs "
            f"'{_attention_implementation(model)}' attention. Load it with "
            f"attn_implementation='eager' and try again."
        )
    if not -len(layers) <= layer < len(layers):
        raise IndexError(
            f"layer={layer}, but the decoder has {len(layers)} layers: use 0 … {len(layers) - 1} "
            f"(or -1 for the last)."
        )
    weights = layers[layer][0]  # (heads, target, source)
    if head is not None and not -weights.size(0) <= head < weights.size(0):
        raise IndexError(f"head={head}, but the layer has {weights.size(0)} heads.")
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
