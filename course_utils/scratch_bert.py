"""BERT written from scratch in plain PyTorch, small enough to read in one sitting.

Notebook 06 builds an encoder-only transformer piece by piece, loads the real weights of a
Hugging Face ``BertModel`` into it and checks that both compute the same numbers. The code lives
here, not in the notebook, so the notebook can *show* each piece (``course_utils.source``), the
tests can check it, and later notebooks can reuse the pieces (the names are general on purpose:
a decoder needs the same attention and feed-forward blocks).

Every shape comment uses B = batch, T = tokens, H = hidden size, h = heads, d = H / h.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

import torch
import torch.nn.functional as F
from torch import nn

from course_utils.errors import CourseError

__all__ = [
    "Embeddings",
    "Encoder",
    "EncoderLayer",
    "EncoderOutput",
    "FeedForward",
    "Pooler",
    "ScratchBert",
    "ScratchBertConfig",
    "ScratchBertForSequenceClassification",
    "SelfAttention",
    "WeightLoadingError",
    "additive_padding_mask",
    "explicit_attention",
    "hf_bert_key_map",
    "load_hf_bert_weights",
]


class WeightLoadingError(CourseError, ValueError):
    """A state dict does not fit the from-scratch model (missing, unexpected or mis-shaped keys)."""


@dataclass(frozen=True)
class ScratchBertConfig:
    """The hyper-parameters a BERT encoder needs — the same names as ``transformers.BertConfig``.

    The defaults are bert-base-uncased's. ``from_hf`` copies them from a Hugging Face config, so
    a checkpoint's ``config.json`` can describe a from-scratch model too.
    """

    vocab_size: int = 30522
    hidden_size: int = 768
    num_hidden_layers: int = 12
    num_attention_heads: int = 12
    intermediate_size: int = 3072
    max_position_embeddings: int = 512
    type_vocab_size: int = 2
    layer_norm_eps: float = 1e-12
    hidden_dropout_prob: float = 0.1
    attention_probs_dropout_prob: float = 0.1
    hidden_act: str = "gelu"

    def __post_init__(self) -> None:
        if self.hidden_size % self.num_attention_heads:
            raise ValueError(
                f"hidden_size {self.hidden_size} is not divisible by num_attention_heads "
                f"{self.num_attention_heads}: every head gets hidden_size / heads dimensions, "
                f"so choose numbers that divide."
            )
        if self.hidden_act != "gelu":
            raise ValueError(
                f"hidden_act {self.hidden_act!r} is not supported: this model implements BERT's "
                f"exact (erf) GELU, 'gelu', only."
            )

    @property
    def head_size(self) -> int:
        return self.hidden_size // self.num_attention_heads

    @classmethod
    def from_hf(cls, config: Any, **overrides: Any) -> ScratchBertConfig:
        """The same hyper-parameters as a ``transformers.BertConfig`` (or any object with them)."""
        fields = {name: getattr(config, name) for name in cls.__dataclass_fields__}
        return cls(**{**fields, **overrides})


def additive_padding_mask(attention_mask: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """Turn the tokenizer's mask (B, T) of 1 = real token, 0 = padding into a (B, 1, 1, T) bias.

    The bias is 0 where attention is allowed and the most negative float where it is not; added
    to the scores before the softmax, it gives padding keys a weight of exactly 0. Only *keys*
    are masked: padding positions still compute an output (nobody reads it), which is what
    Hugging Face does too. A large finite number instead of -inf keeps a row with no real token
    at all from turning into NaN.
    """
    if attention_mask.dim() != 2:
        raise ValueError(
            f"attention_mask must have shape (batch, tokens), got {tuple(attention_mask.shape)}."
        )
    blocked = attention_mask[:, None, None, :] == 0
    return torch.zeros(blocked.shape, dtype=dtype, device=attention_mask.device).masked_fill(
        blocked, torch.finfo(dtype).min
    )


def explicit_attention(
    query: torch.Tensor, key: torch.Tensor, value: torch.Tensor, mask: torch.Tensor | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """softmax(Q Kᵀ / √d + mask) V, written out; also returns the attention weights.

    Shapes: query, key, value (B, h, T, d); mask broadcastable to (B, h, T, T). This is what
    ``F.scaled_dot_product_attention`` computes in one fused call, which is faster and uses less
    memory but does not hand back the weights we want to plot.
    """
    scores = query @ key.transpose(-2, -1) / math.sqrt(query.size(-1))  # (B, h, T, T)
    if mask is not None:
        scores = scores + mask
    weights = scores.softmax(dim=-1)
    return weights @ value, weights


class Embeddings(nn.Module):
    """Token + position + segment embeddings, then LayerNorm and dropout.

    BERT *learns* one vector per position (0 … max_position_embeddings-1) rather than using
    sine waves, and one per segment ("sentence A" = 0, "sentence B" = 1).
    """

    def __init__(self, config: ScratchBertConfig) -> None:
        super().__init__()
        self.token = nn.Embedding(config.vocab_size, config.hidden_size)
        self.position = nn.Embedding(config.max_position_embeddings, config.hidden_size)
        self.segment = nn.Embedding(config.type_vocab_size, config.hidden_size)
        self.norm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
        self.dropout = nn.Dropout(config.hidden_dropout_prob)

    def forward(
        self, input_ids: torch.Tensor, token_type_ids: torch.Tensor | None = None
    ) -> torch.Tensor:
        n_tokens = input_ids.size(1)
        if n_tokens > self.position.num_embeddings:
            raise ValueError(
                f"{n_tokens} tokens but only {self.position.num_embeddings} positions are learnt: "
                f"truncate the input (tokenizer(..., truncation=True))."
            )
        positions = torch.arange(n_tokens, device=input_ids.device)  # (T,), broadcast over B
        if token_type_ids is None:
            token_type_ids = torch.zeros_like(input_ids)
        x = self.token(input_ids) + self.position(positions) + self.segment(token_type_ids)
        return self.dropout(self.norm(x))  # (B, T, H)


class SelfAttention(nn.Module):
    """Multi-head self-attention: every token looks at every (non-padding) token.

    One ``nn.Linear`` computes queries, keys and values together (``qkv``, 3·H outputs): the same
    arithmetic as three separate layers, but one large matrix product instead of three smaller
    ones. Its weight is BERT's query, key and value weights stacked — the layout that
    ``nn.MultiheadAttention`` calls ``in_proj_weight``.
    """

    def __init__(self, config: ScratchBertConfig) -> None:
        super().__init__()
        self.n_heads = config.num_attention_heads
        self.head_size = config.head_size
        self.qkv = nn.Linear(config.hidden_size, 3 * config.hidden_size)
        self.out = nn.Linear(config.hidden_size, config.hidden_size)
        self.dropout_p = config.attention_probs_dropout_prob

    def forward(
        self, x: torch.Tensor, mask: torch.Tensor | None = None, need_weights: bool = False
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """x (B, T, H), mask an additive bias (B, 1, 1, T) → output (B, T, H), weights or None.

        ``need_weights=True`` runs the written-out attention and also returns the weights
        (B, h, T, T); otherwise PyTorch's fused ``scaled_dot_product_attention`` does the work.
        """
        batch, n_tokens, hidden = x.shape
        # (B, T, 3H) → (B, T, 3, h, d) → (3, B, h, T, d): one tensor per role, heads split out.
        qkv = self.qkv(x).view(batch, n_tokens, 3, self.n_heads, self.head_size)
        query, key, value = qkv.permute(2, 0, 3, 1, 4).unbind(0)
        if need_weights:
            context, weights = explicit_attention(query, key, value, mask)
            if self.training and self.dropout_p:  # as SDPA's dropout_p: drop some weights
                context = F.dropout(weights, self.dropout_p) @ value
        else:
            dropout = self.dropout_p if self.training else 0.0
            context = F.scaled_dot_product_attention(
                query, key, value, attn_mask=mask, dropout_p=dropout
            )
            weights = None
        # Heads back side by side: (B, h, T, d) → (B, T, h·d = H), then mix them.
        context = context.transpose(1, 2).reshape(batch, n_tokens, hidden)
        return self.out(context), weights


class FeedForward(nn.Module):
    """The same two-layer network applied to every token on its own: H → 4H → GELU → H."""

    def __init__(self, config: ScratchBertConfig) -> None:
        super().__init__()
        self.up = nn.Linear(config.hidden_size, config.intermediate_size)
        self.down = nn.Linear(config.intermediate_size, config.hidden_size)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.down(F.gelu(self.up(x)))  # exact erf GELU, as BERT; not the tanh version


class EncoderLayer(nn.Module):
    """One post-LN transformer block: x = LN(x + attention(x)); x = LN(x + feed_forward(x)).

    *Post*-LN (normalise after adding the residual) is the 2017 Transformer's and BERT's order;
    GPT-2 and most later models normalise *before* each sub-layer (pre-LN), which trains more
    stably when the stack is deep.
    """

    def __init__(self, config: ScratchBertConfig) -> None:
        super().__init__()
        self.attention = SelfAttention(config)
        self.attention_norm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
        self.feed_forward = FeedForward(config)
        self.feed_forward_norm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
        self.dropout = nn.Dropout(config.hidden_dropout_prob)

    def forward(
        self, x: torch.Tensor, mask: torch.Tensor | None = None, need_weights: bool = False
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        attended, weights = self.attention(x, mask, need_weights)
        x = self.attention_norm(x + self.dropout(attended))
        x = self.feed_forward_norm(x + self.dropout(self.feed_forward(x)))
        return x, weights


class Encoder(nn.Module):
    """A stack of identical encoder layers (each with its own weights), applied in order."""

    def __init__(self, config: ScratchBertConfig) -> None:
        super().__init__()
        self.layers = nn.ModuleList(EncoderLayer(config) for _ in range(config.num_hidden_layers))

    def forward(
        self, x: torch.Tensor, mask: torch.Tensor | None = None, need_weights: bool = False
    ) -> tuple[torch.Tensor, tuple[torch.Tensor, ...] | None]:
        all_weights = []
        for layer in self.layers:
            x, weights = layer(x, mask, need_weights)
            all_weights.append(weights)
        return x, tuple(all_weights) if need_weights else None


class Pooler(nn.Module):
    """One vector per sentence: the final ``[CLS]`` vector through a dense layer and tanh.

    BERT trained it for next-sentence prediction; classification heads start from it.
    """

    def __init__(self, config: ScratchBertConfig) -> None:
        super().__init__()
        self.dense = nn.Linear(config.hidden_size, config.hidden_size)

    def forward(self, hidden_states: torch.Tensor) -> torch.Tensor:
        return torch.tanh(self.dense(hidden_states[:, 0]))  # (B, H): position 0 is [CLS]


class EncoderOutput(NamedTuple):
    """What ``ScratchBert`` returns; the field names match Hugging Face's outputs.

    A named tuple, so tools that walk a model's outputs (torchinfo) understand it.
    """

    last_hidden_state: torch.Tensor  # (B, T, H): one contextual vector per token
    pooler_output: torch.Tensor  # (B, H): one vector per sentence
    attentions: tuple[torch.Tensor, ...] | None = None  # per layer (B, h, T, T), if asked for


class ScratchBert(nn.Module):
    """The BERT encoder: embeddings → encoder layers → pooler. No task head."""

    def __init__(self, config: ScratchBertConfig) -> None:
        super().__init__()
        self.config = config
        self.embeddings = Embeddings(config)
        self.encoder = Encoder(config)
        self.pooler = Pooler(config)

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor | None = None,
        token_type_ids: torch.Tensor | None = None,
        output_attentions: bool = False,
    ) -> EncoderOutput:
        """Arguments as the tokenizer names them, so ``model(**tokenizer(..., return_tensors="pt"))``
        works; ``output_attentions=True`` also returns every layer's attention weights."""
        x = self.embeddings(input_ids, token_type_ids)
        mask = None if attention_mask is None else additive_padding_mask(attention_mask, x.dtype)
        x, attentions = self.encoder(x, mask, need_weights=output_attentions)
        return EncoderOutput(x, self.pooler(x), attentions)


class ScratchBertForSequenceClassification(nn.Module):
    """BERT plus a ``[CLS]`` classification head: pooled ``[CLS]`` vector → dropout → linear.

    This is the layout of Hugging Face's ``BertForSequenceClassification``. The head's weights
    are new: until they are trained on labelled examples, its scores mean nothing.
    """

    def __init__(self, config: ScratchBertConfig, num_labels: int = 2) -> None:
        super().__init__()
        if num_labels < 1:
            raise ValueError(f"num_labels must be at least 1, got {num_labels}.")
        self.bert = ScratchBert(config)
        self.dropout = nn.Dropout(config.hidden_dropout_prob)
        self.classifier = nn.Linear(config.hidden_size, num_labels)

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor | None = None,
        token_type_ids: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Logits, shape (B, num_labels)."""
        pooled = self.bert(input_ids, attention_mask, token_type_ids).pooler_output
        return self.classifier(self.dropout(pooled))


def hf_bert_key_map(num_hidden_layers: int) -> dict[str, list[str]]:
    """Which Hugging Face ``BertModel`` weights fill which from-scratch parameter.

    Each from-scratch name maps to a list of Hugging Face names: one for a plain copy, three for
    ``qkv``, whose weight is the query, key and value weights stacked along dimension 0.
    """
    mapping = {
        "embeddings.token.weight": ["embeddings.word_embeddings.weight"],
        "embeddings.position.weight": ["embeddings.position_embeddings.weight"],
        "embeddings.segment.weight": ["embeddings.token_type_embeddings.weight"],
        "embeddings.norm.weight": ["embeddings.LayerNorm.weight"],
        "embeddings.norm.bias": ["embeddings.LayerNorm.bias"],
        "pooler.dense.weight": ["pooler.dense.weight"],
        "pooler.dense.bias": ["pooler.dense.bias"],
    }
    for i in range(num_hidden_layers):
        ours, theirs = f"encoder.layers.{i}.", f"encoder.layer.{i}."
        for kind in ("weight", "bias"):
            mapping[f"{ours}attention.qkv.{kind}"] = [
                f"{theirs}attention.self.{role}.{kind}" for role in ("query", "key", "value")
            ]
            mapping[f"{ours}attention.out.{kind}"] = [f"{theirs}attention.output.dense.{kind}"]
            mapping[f"{ours}attention_norm.{kind}"] = [f"{theirs}attention.output.LayerNorm.{kind}"]
            mapping[f"{ours}feed_forward.up.{kind}"] = [f"{theirs}intermediate.dense.{kind}"]
            mapping[f"{ours}feed_forward.down.{kind}"] = [f"{theirs}output.dense.{kind}"]
            mapping[f"{ours}feed_forward_norm.{kind}"] = [f"{theirs}output.LayerNorm.{kind}"]
    return mapping


def _listing(names: list[str], limit: int = 8) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" … ({len(names) - limit} more)" if len(names) > limit else "")


def load_hf_bert_weights(
    model: ScratchBert, hf_state_dict: Mapping[str, torch.Tensor], strict: bool = True
) -> list[str]:
    """Copy a Hugging Face ``BertModel`` state dict into ``model``; return the unused HF keys.

    Accepts ``BertModel.state_dict()`` or a task model's (``BertForMaskedLM`` …), whose keys
    start with ``bert.``; the task head's keys are then unused. Raises ``WeightLoadingError``
    naming every missing key and every shape that does not fit, so a wrong checkpoint never
    loads half-way; with ``strict=True`` (the default) unused keys outside a task head are an
    error too, because they usually mean the architectures differ.
    """
    if not isinstance(model, ScratchBert):
        raise TypeError(
            f"load_hf_bert_weights fills a ScratchBert, got {type(model).__name__}; for a "
            f"classifier pass its .bert attribute."
        )
    prefixed = any(k.startswith("bert.") for k in hf_state_dict)
    state = {
        (k.removeprefix("bert.") if prefixed else k): v
        for k, v in hf_state_dict.items()
        if not prefixed or k.startswith("bert.")
    }
    head_keys = [k for k in hf_state_dict if prefixed and not k.startswith("bert.")]
    mapping = hf_bert_key_map(model.config.num_hidden_layers)
    needed = {hf for sources in mapping.values() for hf in sources}
    missing = sorted(needed - state.keys())
    if missing:
        raise WeightLoadingError(
            f"The state dict lacks {len(missing)} weight(s) the model needs: {_listing(missing)}. "
            f"Is it a BERT checkpoint with {model.config.num_hidden_layers} layers "
            f"(and a pooler: load with BertModel, add_pooling_layer=True)?"
        )
    # position_ids / token_type_ids are buffers some versions save; they hold no weights.
    unexpected = sorted(k for k in state.keys() - needed if not k.endswith("_ids"))
    if strict and unexpected:
        raise WeightLoadingError(
            f"The state dict has {len(unexpected)} weight(s) this model has no place for: "
            f"{_listing(unexpected)}. Does the checkpoint have more layers than the config "
            f"({model.config.num_hidden_layers})? Pass strict=False to ignore them."
        )
    ours = model.state_dict()
    new_state, wrong_shapes = {}, []
    for name, sources in mapping.items():
        tensor = torch.cat([state[k] for k in sources]) if len(sources) > 1 else state[sources[0]]
        if tensor.shape != ours[name].shape:
            wrong_shapes.append(
                f"{name} needs {tuple(ours[name].shape)} but {' + '.join(sources)} "
                f"give(s) {tuple(tensor.shape)}"
            )
        new_state[name] = tensor
    if wrong_shapes:
        raise WeightLoadingError(
            "Shapes do not fit — was the model built from this checkpoint's config "
            "(ScratchBertConfig.from_hf(hf_model.config))?\n  " + "\n  ".join(wrong_shapes)
        )
    model.load_state_dict(new_state, strict=True)
    return head_keys + unexpected
