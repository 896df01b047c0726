"""How much memory will a model need? Answer it from the config alone, *before* downloading.

Loading ``mistralai/Mistral-7B-Instruct-v0.3`` on a free Colab runtime downloads about 15 GB and
then crashes the session, because 7.25 billion parameters at 2 bytes each do not fit in its
12.7 GiB of RAM. A ``config.json`` is a few hundred bytes and says how big every weight matrix
is, so the crash can be predicted in advance. This module does that in two independent ways, so
that each checks the other:

- :func:`count_parameters_exactly` builds the model on PyTorch's ``meta`` device (shapes only,
  no memory, no download) and counts its parameters;
- :func:`estimate_parameters` adds the parameters up with a formula, layer by layer, as the
  course teaches it (embeddings, attention with grouped-query heads, MLP, norms, biases, head).

Then :func:`weights_bytes`, :func:`kv_cache_bytes` and :func:`estimate_memory` turn parameter
counts into bytes for a data type, context length and batch size. The real configs of a few
models are stored in ``data/configs/``; :func:`course_utils.configs.load_config` reads them
offline.

torch and transformers are imported inside the functions, so ``import course_utils`` stays cheap.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from course_utils.configs import as_config
from course_utils.errors import CourseError
from course_utils.model_sizes import count_parameters

if TYPE_CHECKING:
    from transformers import PretrainedConfig

    from course_utils.configs import ConfigLike

GIB = 2**30

#: Extra memory :meth:`MemoryEstimate.fits` asks for on top of weights + KV cache, as a share of
#: them: activations, the CUDA context and kernels' workspaces, the allocator's unused blocks.
#: 20 % is the rule of thumb for inference (EleutherAI's "Transformer Math 101": total ≈ 1.2 ×
#: the model's memory). It is a margin, not a measurement: a long prompt or a big batch needs more.
INFERENCE_HEADROOM = 0.2

#: Bits per stored number. int4 packs two numbers in a byte; real 4-bit formats also store a
#: scale per small group of weights, so treat int4 (and int8) figures as a lower bound.
DTYPE_BITS: dict[str, int] = {"fp32": 32, "fp16": 16, "bf16": 16, "int8": 8, "int4": 4}
_DTYPE_ALIASES = {
    "float32": "fp32",
    "float": "fp32",
    "float16": "fp16",
    "half": "fp16",
    "bfloat16": "bf16",
}

#: Families :func:`estimate_parameters` has a formula for.
SUPPORTED_MODEL_TYPES = ("bloom", "gpt2", "gpt_neo", "llama", "mistral", "opt")


class UnsupportedModelError(CourseError, ValueError):
    """:func:`estimate_parameters` has no formula for this kind of model."""


# --------------------------------------------------------------------------------------------
# Counting parameters


def count_parameters_exactly(config: ConfigLike, auto_class: str = "AutoModelForCausalLM") -> int:
    """Build the model on the ``meta`` device and count its parameters.

    Why the meta device: tensors there have a shape but no storage, so even a 7-billion-parameter
    model is built in well under a second using no memory and downloading nothing. Shared tensors
    (an output head tied to the input embeddings) are stored once, so they are counted once:
    ``model.parameters()`` yields each tensor a single time.

    ``auto_class`` is the text generator by default, the model this module estimates memory
    for. Models that are not decoders need their own class (``"AutoModelForSeq2SeqLM"`` for T5,
    ``"AutoModel"`` for BERT's encoder): a wrong one raises ``NoModelClassError`` naming the
    classes that work.
    """
    return count_parameters(config, auto_class)


def _linear(n_in: int, n_out: int, bias: bool = True) -> int:
    """Parameters of a dense layer: the weight matrix plus, optionally, one bias per output."""
    return n_in * n_out + (n_out if bias else 0)


def _head(config: PretrainedConfig, vocab: int, width: int) -> int:
    """The output head only costs extra when it is not tied to (shared with) the embeddings."""
    return 0 if getattr(config, "tie_word_embeddings", True) else vocab * width


def _gpt2(config: PretrainedConfig) -> int:
    h, vocab, layers = config.n_embd, config.vocab_size, config.n_layer
    inner = config.n_inner or 4 * h
    layer_norm = 2 * h  # scale and shift
    block = (
        layer_norm
        + _linear(h, 3 * h)  # q, k and v in one matrix
        + _linear(h, h)  # attention output
        + layer_norm
        + _linear(h, inner)
        + _linear(inner, h)
    )
    embeddings = vocab * h + config.n_positions * h  # tokens + learned positions
    return embeddings + layers * block + layer_norm + _head(config, vocab, h)


def _gpt_neo(config: PretrainedConfig) -> int:
    h, vocab, layers = config.hidden_size, config.vocab_size, config.num_layers
    inner = config.intermediate_size or 4 * h
    layer_norm = 2 * h
    block = (
        layer_norm
        + 3 * _linear(h, h, bias=False)  # q, k, v have no bias in GPT-Neo
        + _linear(h, h)
        + layer_norm
        + _linear(h, inner)
        + _linear(inner, h)
    )
    embeddings = vocab * h + config.max_position_embeddings * h
    return embeddings + layers * block + layer_norm + _head(config, vocab, h)


def _opt(config: PretrainedConfig) -> int:
    h, vocab, layers = config.hidden_size, config.vocab_size, config.num_hidden_layers
    proj = config.word_embed_proj_dim or h
    bias = getattr(config, "enable_bias", True)
    affine = getattr(config, "layer_norm_elementwise_affine", True)
    layer_norm = 2 * h if affine else 0
    block = (
        4 * _linear(h, h, bias)  # q, k, v, out
        + layer_norm
        + _linear(h, config.ffn_dim, bias)
        + _linear(config.ffn_dim, h, bias)
        + layer_norm
    )
    # OPT's learned positions are offset by 2 (a quirk of fairseq), so there are 2 extra rows.
    embeddings = vocab * proj + (config.max_position_embeddings + 2) * h
    projections = 2 * h * proj if proj != h else 0  # project_in / project_out, no bias
    final_norm = layer_norm if config.do_layer_norm_before else 0
    if getattr(config, "_remove_final_layer_norm", False):
        final_norm = 0
    return embeddings + projections + layers * block + final_norm + _head(config, vocab, proj)


def _bloom(config: PretrainedConfig) -> int:
    h, vocab, layers = config.hidden_size, config.vocab_size, config.n_layer
    layer_norm = 2 * h
    block = (
        layer_norm
        + _linear(h, 3 * h)
        + _linear(h, h)
        + layer_norm
        + _linear(h, 4 * h)  # BLOOM's MLP is always 4 × hidden
        + _linear(4 * h, h)
    )
    # No position embeddings (ALiBi biases attention instead), but a LayerNorm on the embeddings.
    embeddings = vocab * h + layer_norm
    return embeddings + layers * block + layer_norm + _head(config, vocab, h)


def _llama(config: PretrainedConfig) -> int:
    """Llama and Mistral: RMSNorm (scale only), grouped-query attention, gated SwiGLU MLP."""
    h, vocab, layers = config.hidden_size, config.vocab_size, config.num_hidden_layers
    heads = config.num_attention_heads
    kv_heads = getattr(config, "num_key_value_heads", None) or heads
    head_dim = getattr(config, "head_dim", None) or h // heads
    attn_bias = getattr(config, "attention_bias", False)
    mlp_bias = getattr(config, "mlp_bias", False)
    inner = config.intermediate_size
    rms_norm = h  # a scale per feature, no shift
    attention = (
        _linear(h, heads * head_dim, attn_bias)  # q: one set per query head
        + 2 * _linear(h, kv_heads * head_dim, attn_bias)  # k, v: shared by groups of heads
        + _linear(heads * head_dim, h, attn_bias)
    )
    mlp = 2 * _linear(h, inner, mlp_bias) + _linear(inner, h, mlp_bias)  # gate, up, down
    block = rms_norm + attention + rms_norm + mlp
    return vocab * h + layers * block + rms_norm + _head(config, vocab, h)


_FORMULAS = {
    "bloom": _bloom,
    "gpt2": _gpt2,
    "gpt_neo": _gpt_neo,
    "llama": _llama,
    "mistral": _llama,
    "opt": _opt,
}


def estimate_parameters(config: ConfigLike) -> int:
    """Parameter count from the config fields alone, by the formula for the model's family.

    Why a formula when :func:`count_parameters_exactly` exists: it shows *where* the parameters
    are (for a 125M model about a third of them are the vocabulary embeddings; for a 7B model
    most are in the MLPs), it needs no torch, and it is a check on our understanding: if it disagrees
    with the exact count, we have misread the architecture.
    """
    config = as_config(config)
    formula = _FORMULAS.get(config.model_type)
    if formula is None:
        raise UnsupportedModelError(
            f"There is no parameter formula for model_type {config.model_type!r}; the supported "
            f"families are {', '.join(SUPPORTED_MODEL_TYPES)}. Count it exactly instead with "
            f"count_parameters_exactly(config, auto_class), which works for any architecture "
            f"transformers knows; auto_class is 'AutoModelForCausalLM' by default, "
            f"'AutoModelForSeq2SeqLM' for T5 or BART, 'AutoModel' for an encoder such as BERT."
        )
    return formula(config)


# --------------------------------------------------------------------------------------------
# Bytes


def normalise_dtype(dtype: Any) -> str:
    """``"fp16"``, ``"float16"``, ``torch.float16`` ... → the short name used in :data:`DTYPE_BITS`."""
    name = str(dtype).removeprefix("torch.").strip().lower()
    name = _DTYPE_ALIASES.get(name, name)
    if name not in DTYPE_BITS:
        raise ValueError(
            f"Unknown dtype {dtype!r}. Known dtypes: {', '.join(DTYPE_BITS)} "
            f"(also float32, float16, bfloat16)."
        )
    return name


def _check_count(name: str, value: Any, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name} must be a whole number ≥ {minimum}, got {value!r}.")


def weights_bytes(n_params: int, dtype: Any = "fp16") -> int:
    """Bytes needed to hold ``n_params`` numbers in ``dtype`` (rounded up to whole bytes).

    This is the memory for the weights alone, the part that does not depend on the input.
    """
    _check_count("n_params", n_params, 0)
    return math.ceil(n_params * DTYPE_BITS[normalise_dtype(dtype)] / 8)


def _attention_shape(config: PretrainedConfig) -> tuple[int, int, int]:
    """(layers, key/value heads, head dimension) under any family's field names."""
    heads = config.num_attention_heads
    kv_heads = getattr(config, "num_key_value_heads", None) or heads
    head_dim = getattr(config, "head_dim", None) or config.hidden_size // heads
    if head_dim < 1:
        # A partial config dict keeps the family's default head count: hidden_size=10 with
        # Mistral's 32 heads would give heads of width 0 and a KV cache of 0 bytes.
        raise ValueError(
            f"hidden_size {config.hidden_size} split over {heads} attention heads leaves each "
            f"head {head_dim} numbers wide: give num_attention_heads (and num_key_value_heads) "
            f"that divide hidden_size, or a head_dim."
        )
    return config.num_hidden_layers, kv_heads, head_dim


def kv_cache_bytes(
    config: ConfigLike, context_length: int, batch_size: int = 1, dtype: Any = "fp16"
) -> int:
    """Bytes of the key/value cache: 2 × layers × kv_heads × head_dim × context × batch × bytes.

    Why it matters: while generating, every layer keeps the keys and values of every earlier
    token, so this memory grows with the context and the batch, on top of the weights.
    Grouped-query attention (fewer key/value heads than query heads, as in Mistral) shrinks it.
    This is the full-attention size; models with local (sliding-window) layers keep less.
    """
    _check_count("context_length", context_length, 1)
    _check_count("batch_size", batch_size, 1)
    layers, kv_heads, head_dim = _attention_shape(as_config(config))
    numbers = 2 * layers * kv_heads * head_dim * context_length * batch_size
    return math.ceil(numbers * DTYPE_BITS[normalise_dtype(dtype)] / 8)


@dataclass(frozen=True)
class MemoryEstimate:
    """Memory for inference: the weights plus the key/value cache, in bytes."""

    model_type: str
    n_params: int
    dtype: str
    kv_dtype: str
    context_length: int
    batch_size: int
    weights: int
    kv_cache: int

    @property
    def total(self) -> int:
        """Weights + KV cache. Activations and framework overhead come on top: see :meth:`fits`."""
        return self.weights + self.kv_cache

    @property
    def total_gib(self) -> float:
        return self.total / GIB

    def needed_gib(self, headroom: float = INFERENCE_HEADROOM) -> float:
        """Weights + KV cache + ``headroom`` (a share of them) for everything else, in GiB."""
        if not _is_number(headroom) or headroom < 0:
            raise ValueError(f"headroom is a share such as 0.2 (20 %), ≥ 0; got {headroom!r}.")
        return self.total_gib * (1 + headroom)

    def fits(self, available_gib: float, headroom: float = INFERENCE_HEADROOM) -> bool:
        """Whether the model can run in ``available_gib`` GiB, headroom included.

        Why the headroom: weights + KV cache is not all a running model holds (see
        :data:`INFERENCE_HEADROOM`). Without it, Mistral-7B in bf16 (14.0 GiB for 4,096 tokens)
        would "fit" the 14.6 GiB a T4 has free, then run out of memory while loading or
        generating. ``headroom=0`` compares weights + KV cache alone.
        """
        if not _is_number(available_gib) or available_gib < 0:
            raise ValueError(f"available_gib is a size in GiB, ≥ 0; got {available_gib!r}.")
        return self.needed_gib(headroom) <= available_gib

    def __str__(self) -> str:
        return (
            f"{self.model_type}, {_count(self.n_params)} parameters, {self.dtype} weights: "
            f"{_size(self.weights)} + KV cache ({self.kv_dtype}, {self.context_length:,} tokens × "
            f"batch {self.batch_size}): {_size(self.kv_cache)} = {_size(self.total)}"
        )


def _is_number(value: object) -> bool:
    """A real, finite number: NaN would make every comparison False, a silent wrong answer."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _count(n: int) -> str:
    """7.248 B, 124.4 M, 947.8 k: readable at every model size."""
    for scale, unit in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if n >= scale:
            return f"{n / scale:.{3 if unit == 'B' else 1}f} {unit}"
    return str(n)


def _size(n_bytes: int) -> str:
    """GiB for real models, MiB for the course's tiny stand-ins."""
    return f"{n_bytes / GIB:.2f} GiB" if n_bytes >= GIB / 10 else f"{n_bytes / 2**20:.1f} MiB"


def estimate_memory(
    config: ConfigLike,
    dtype: Any = "fp16",
    context_length: int = 2048,
    batch_size: int = 1,
    kv_dtype: Any = None,
    exact: bool = False,
) -> MemoryEstimate:
    """Memory to run a model for inference, from its config alone.

    Args:
        dtype: how the weights are stored (fp32, fp16, bf16, int8, int4).
        kv_dtype: how the KV cache is stored; by default the weights' dtype, except that
            quantised (int8/int4) models still compute, and cache, in fp16.
        exact: count parameters on the meta device instead of by formula (any architecture).
    """
    config = as_config(config)
    dtype = normalise_dtype(dtype)
    if kv_dtype is None:
        kv_dtype = dtype if dtype in ("fp32", "fp16", "bf16") else "fp16"
    kv_dtype = normalise_dtype(kv_dtype)
    n_params = count_parameters_exactly(config) if exact else estimate_parameters(config)
    return MemoryEstimate(
        model_type=config.model_type,
        n_params=n_params,
        dtype=dtype,
        kv_dtype=kv_dtype,
        context_length=context_length,
        batch_size=batch_size,
        weights=weights_bytes(n_params, dtype),
        kv_cache=kv_cache_bytes(config, context_length, batch_size, kv_dtype),
    )


def available_memory_gib(device: str | None = None) -> float:
    """Memory free for a model right now, in GiB: the GPU's if there is one, else the RAM's.

    ``device`` forces ``"cuda"`` or ``"cpu"``. Compare it with :meth:`MemoryEstimate.fits`
    *before* ``from_pretrained``: a model that does not fit crashes the kernel rather than
    raising an error you can catch.
    """
    import torch

    device = device or ("cuda" if torch.cuda.is_available() else "cpu")
    if device == "cuda":
        if not torch.cuda.is_available():
            raise ValueError("device='cuda' was asked for, but this runtime has no GPU.")
        free, _total = torch.cuda.mem_get_info()
        return free / GIB
    if device != "cpu":
        raise ValueError(f"device must be 'cuda' or 'cpu', not {device!r}.")
    import psutil

    return psutil.virtual_memory().available / GIB
