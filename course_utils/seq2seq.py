"""Encoder-decoder helpers for notebooks 10 and 11: a model's anatomy, its cross-attention, long texts.

Notebooks 10 and 11 run Marian, BART and T5 themselves (tokenizer → ``model.generate`` → ``batch_decode``).
What stays here is what it only *uses*: :func:`describe_seq2seq`, one row of its comparison
table; :func:`cross_attention`, the weights behind its heatmap; :func:`split_into_chunks`, a
long text cut at sentence ends.

torch and transformers are imported inside the functions: ``import course_utils.seq2seq`` stays
cheap and may run before ``course_utils.setup()``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, NamedTuple

from course_utils.errors import CourseError
from course_utils.token_limit import token_limit

if TYPE_CHECKING:
    import torch

__all__ = [
    "CrossAttention",
    "cross_attention",
    "describe_seq2seq",
    "split_into_chunks",
]

# How each architecture tells its encoder and decoder where a token is.
_POSITION_SCHEMES = {
    "t5": "relative (a learned bias per distance bucket, no position table)",
    "bart": "learned absolute",
    "mbart": "learned absolute",
    "marian": "sinusoidal (fixed, not learned)",
    "pegasus": "sinusoidal (fixed, not learned)",
}


# --- Limits and long texts ---------------------------------------------------------------------


def _model_name(model: Any) -> str:
    return getattr(model.config, "_name_or_path", "") or type(model).__name__


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
        "max_input_tokens": token_limit(model.config, tokenizer),
    }
