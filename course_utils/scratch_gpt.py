"""GPT-2 written from scratch in plain PyTorch, with a key/value cache for fast generation.

Notebook 07b builds a decoder-only transformer the way notebook 06 built BERT: the code lives
here so the notebook can *show* it (``course_utils.source``), the tests can check it against
Hugging Face's ``GPT2LMHeadModel``, and ``tools/bench.py`` can time it. Three things make it a
decoder rather than BERT's encoder: a *causal* mask (a token sees only itself and the tokens
before it), *pre*-LN blocks (normalise before each sub-layer, not after), and a language-model
head that reuses the token-embedding matrix ("tied" weights).

Because of the causal mask, the keys and values of earlier tokens never change when a new token
is appended. Generation can therefore keep them (the KV cache) and feed the model only the one
new token per step, instead of the whole text again.

Every shape comment uses B = batch, T = new tokens, P = cached (past) tokens, H = hidden size,
h = heads, d = H / h, V = vocabulary size.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

# The settings check is shared with course_utils.generation (notebook 07), which owns it.
from course_utils.generation import (
    GenerationError,
    check_generation_settings,
    refuse_sampling_settings_without_sampling,
)
from course_utils.scratch_bert import WeightLoadingError

__all__ = [
    "Block",
    "CausalSelfAttention",
    "GenerationError",
    "KVCache",
    "MLP",
    "ScratchGPT",
    "ScratchGPTConfig",
    "WeightLoadingError",
    "causal_mask",
    "generate",
    "generate_greedy",
    "hf_gpt2_key_map",
    "load_hf_gpt2_weights",
]

# One (keys, values) pair per layer, each (B, h, P, d): what the model has already computed.
KVCache = tuple[tuple[torch.Tensor, torch.Tensor], ...]


@dataclass(frozen=True)
class ScratchGPTConfig:
    """GPT-2's hyper-parameters, with the names of ``transformers.GPT2Config``.

    The defaults are the 124M-parameter ``gpt2``'s. ``n_inner`` (the MLP width) of ``None``
    means 4 × ``n_embd``, as in Hugging Face.
    """

    vocab_size: int = 50257
    n_positions: int = 1024
    n_embd: int = 768
    n_layer: int = 12
    n_head: int = 12
    n_inner: int | None = None
    layer_norm_epsilon: float = 1e-5
    embd_pdrop: float = 0.1
    attn_pdrop: float = 0.1
    resid_pdrop: float = 0.1
    activation_function: str = "gelu_new"

    def __post_init__(self) -> None:
        if self.n_embd % self.n_head:
            raise ValueError(
                f"n_embd {self.n_embd} is not divisible by n_head {self.n_head}: every head gets "
                f"n_embd / n_head dimensions, so choose numbers that divide."
            )
        if self.activation_function != "gelu_new":
            raise ValueError(
                f"activation_function {self.activation_function!r} is not supported: this model "
                f"implements GPT-2's tanh approximation of GELU, 'gelu_new', only."
            )

    @property
    def head_size(self) -> int:
        return self.n_embd // self.n_head

    @property
    def inner_size(self) -> int:
        return self.n_inner if self.n_inner is not None else 4 * self.n_embd

    @classmethod
    def from_hf(cls, config: Any, **overrides: Any) -> ScratchGPTConfig:
        """The same hyper-parameters as a ``transformers.GPT2Config`` (or any object with them).

        GPT-2 variants with options this model does not implement are refused, rather than
        loaded into a model that would quietly compute something else.
        """
        unsupported = {
            "scale_attn_weights": True,
            "scale_attn_by_inverse_layer_idx": False,
            "reorder_and_upcast_attn": False,
            "add_cross_attention": False,
        }
        for name, supported in unsupported.items():
            if getattr(config, name, supported) != supported:
                raise ValueError(
                    f"{name}={getattr(config, name)!r} is not supported by the from-scratch GPT-2 "
                    f"(it implements {name}={supported!r}, plain GPT-2)."
                )
        fields = {name: getattr(config, name) for name in cls.__dataclass_fields__}
        return cls(**{**fields, **overrides})


def causal_mask(n_queries: int, n_keys: int, device: torch.device | None = None) -> torch.Tensor:
    """Which keys each query may look at: a (n_queries, n_keys) boolean matrix, True = allowed.

    The queries are the *last* ``n_queries`` of the ``n_keys`` positions (the earlier ones are
    in the cache), so query i sits at position ``n_keys - n_queries + i`` and may see every key
    up to and including that position: the lower triangle, shifted right by the cache length.
    """
    ones = torch.ones(n_queries, n_keys, dtype=torch.bool, device=device)
    return ones.tril(diagonal=n_keys - n_queries)


class CausalSelfAttention(nn.Module):
    """Multi-head self-attention in which each token sees only itself and earlier tokens.

    As in notebook 06's BERT, one ``nn.Linear`` (``qkv``) computes queries, keys and values
    together. With ``past`` (the keys and values of the earlier tokens) only the *new* tokens'
    keys and values are computed and appended: the old ones cannot change, because the causal
    mask keeps earlier tokens from ever seeing later ones.
    """

    def __init__(self, config: ScratchGPTConfig) -> None:
        super().__init__()
        self.n_heads = config.n_head
        self.head_size = config.head_size
        self.qkv = nn.Linear(config.n_embd, 3 * config.n_embd)
        self.out = nn.Linear(config.n_embd, config.n_embd)
        self.dropout_p = config.attn_pdrop

    def forward(
        self,
        x: torch.Tensor,
        past: tuple[torch.Tensor, torch.Tensor] | None = None,
        mask: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
        """x (B, T, H); past (keys, values) each (B, h, P, d) or None; mask boolean,
        broadcastable to (B, h, T, P + T), or None for the plain causal mask.

        Returns the output (B, T, H) and the keys and values of all P + T tokens.
        """
        batch, n_tokens, hidden = x.shape
        qkv = self.qkv(x).view(batch, n_tokens, 3, self.n_heads, self.head_size)
        query, key, value = qkv.permute(2, 0, 3, 1, 4).unbind(0)  # each (B, h, T, d)
        if past is not None:
            key = torch.cat([past[0], key], dim=2)  # (B, h, P + T, d)
            value = torch.cat([past[1], value], dim=2)
        dropout = self.dropout_p if self.training else 0.0
        if mask is None and n_tokens > 1:
            # No padding: the causal mask alone. Without a cache SDPA builds it itself.
            if past is None:
                context = F.scaled_dot_product_attention(
                    query, key, value, is_causal=True, dropout_p=dropout
                )
            else:
                allowed = causal_mask(n_tokens, key.size(2), x.device)
                context = F.scaled_dot_product_attention(
                    query, key, value, attn_mask=allowed, dropout_p=dropout
                )
        else:
            # One new token without padding sees every cached token: no mask needed at all.
            context = F.scaled_dot_product_attention(
                query, key, value, attn_mask=mask, dropout_p=dropout
            )
        context = context.transpose(1, 2).reshape(batch, n_tokens, hidden)
        return self.out(context), (key, value)


class MLP(nn.Module):
    """The per-token feed-forward network: H → 4H → GELU (tanh approximation) → H."""

    def __init__(self, config: ScratchGPTConfig) -> None:
        super().__init__()
        self.up = nn.Linear(config.n_embd, config.inner_size)
        self.down = nn.Linear(config.inner_size, config.n_embd)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # GPT-2 was trained with the tanh approximation ("gelu_new"); BERT uses the exact erf one.
        return self.down(F.gelu(self.up(x), approximate="tanh"))


class Block(nn.Module):
    """One pre-LN block: x = x + attention(LN(x)); x = x + mlp(LN(x)).

    *Pre*-LN normalises the input of each sub-layer and leaves the residual stream itself
    untouched, so a clean path runs from the embeddings to the output. That is why deep pre-LN
    stacks train stably; the price is a final LayerNorm after the last block (``ScratchGPT``).
    BERT's post-LN does the opposite: ``x = LN(x + sublayer(x))``.
    """

    def __init__(self, config: ScratchGPTConfig) -> None:
        super().__init__()
        self.attention_norm = nn.LayerNorm(config.n_embd, eps=config.layer_norm_epsilon)
        self.attention = CausalSelfAttention(config)
        self.mlp_norm = nn.LayerNorm(config.n_embd, eps=config.layer_norm_epsilon)
        self.mlp = MLP(config)
        self.dropout = nn.Dropout(config.resid_pdrop)

    def forward(
        self,
        x: torch.Tensor,
        past: tuple[torch.Tensor, torch.Tensor] | None = None,
        mask: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
        attended, present = self.attention(self.attention_norm(x), past, mask)
        x = x + self.dropout(attended)
        x = x + self.dropout(self.mlp(self.mlp_norm(x)))
        return x, present


class ScratchGPT(nn.Module):
    """GPT-2 with its language-model head: embeddings → blocks → LayerNorm → logits.

    The head has no weight of its own: it multiplies by the token-embedding matrix (tied
    weights), so the score of word w is the dot product of the final vector with w's embedding.
    """

    def __init__(self, config: ScratchGPTConfig) -> None:
        super().__init__()
        self.config = config
        self.token = nn.Embedding(config.vocab_size, config.n_embd)
        self.position = nn.Embedding(config.n_positions, config.n_embd)
        self.dropout = nn.Dropout(config.embd_pdrop)
        self.blocks = nn.ModuleList(Block(config) for _ in range(config.n_layer))
        self.final_norm = nn.LayerNorm(config.n_embd, eps=config.layer_norm_epsilon)

    def forward(
        self,
        input_ids: torch.Tensor,
        past: KVCache | None = None,
        attention_mask: torch.Tensor | None = None,
        position_ids: torch.Tensor | None = None,
        last_only: bool = False,
    ) -> tuple[torch.Tensor, KVCache]:
        """Logits (B, T, V) for the new tokens ``input_ids`` (B, T), and the updated cache.

        ``past`` is the cache a previous call returned (None: nothing before these tokens).
        ``attention_mask`` (B, P + T), 1 = real token, 0 = padding, covers cached *and* new
        tokens; ``position_ids`` (B, T) default to P, P + 1, … ``last_only=True`` computes the
        logits of the last position only, (B, 1, V): all that generation needs.
        """
        if input_ids.dim() != 2:
            raise ValueError(
                f"input_ids must have shape (batch, tokens), got {tuple(input_ids.shape)}."
            )
        n_past = 0 if past is None else past[0][0].size(2)
        n_tokens = input_ids.size(1)
        if n_past + n_tokens > self.config.n_positions:
            raise GenerationError(
                f"{n_past + n_tokens} tokens but GPT-2 learnt only {self.config.n_positions} "
                f"positions: shorten the prompt (tokenizer(..., truncation=True, max_length=...)) "
                f"or generate fewer tokens."
            )
        if position_ids is None:
            position_ids = torch.arange(n_past, n_past + n_tokens, device=input_ids.device)[None]
        mask = None
        if attention_mask is not None:
            if attention_mask.shape != (input_ids.size(0), n_past + n_tokens):
                raise ValueError(
                    f"attention_mask must cover the cached and the new tokens, shape "
                    f"{(input_ids.size(0), n_past + n_tokens)}; got {tuple(attention_mask.shape)}."
                )
            # Causal AND not padding. A left-padding query would see no key at all, and a softmax
            # over nothing is NaN: such rows may see themselves (nobody reads their output).
            allowed = causal_mask(n_tokens, n_past + n_tokens, input_ids.device)
            mask = allowed & attention_mask.bool()[:, None, None, :]  # (B, 1, T, P + T)
            itself = torch.zeros_like(allowed)
            itself[:, n_past:] = torch.eye(n_tokens, dtype=torch.bool, device=input_ids.device)
            mask = mask | (itself & ~mask.any(dim=-1, keepdim=True))
        x = self.dropout(self.token(input_ids) + self.position(position_ids))  # (B, T, H)
        presents = []
        for i, block in enumerate(self.blocks):
            x, present = block(x, None if past is None else past[i], mask)
            presents.append(present)
        if last_only:
            x = x[:, -1:]
        x = self.final_norm(x)
        return x @ self.token.weight.T, tuple(presents)  # tied head: (B, T, V)


def hf_gpt2_key_map(n_layer: int) -> dict[str, str]:
    """Which Hugging Face ``GPT2Model`` weight fills which from-scratch parameter.

    There is no entry for the language-model head: ours *is* the token embedding (tied).
    """
    mapping = {
        "token.weight": "wte.weight",
        "position.weight": "wpe.weight",
        "final_norm.weight": "ln_f.weight",
        "final_norm.bias": "ln_f.bias",
    }
    for i in range(n_layer):
        ours, theirs = f"blocks.{i}.", f"h.{i}."
        for kind in ("weight", "bias"):
            mapping[f"{ours}attention_norm.{kind}"] = f"{theirs}ln_1.{kind}"
            mapping[f"{ours}attention.qkv.{kind}"] = f"{theirs}attn.c_attn.{kind}"
            mapping[f"{ours}attention.out.{kind}"] = f"{theirs}attn.c_proj.{kind}"
            mapping[f"{ours}mlp_norm.{kind}"] = f"{theirs}ln_2.{kind}"
            mapping[f"{ours}mlp.up.{kind}"] = f"{theirs}mlp.c_fc.{kind}"
            mapping[f"{ours}mlp.down.{kind}"] = f"{theirs}mlp.c_proj.{kind}"
    return mapping


def _listing(names: list[str], limit: int = 8) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" … ({len(names) - limit} more)" if len(names) > limit else "")


def load_hf_gpt2_weights(
    model: ScratchGPT, hf_state_dict: Mapping[str, torch.Tensor], strict: bool = True
) -> list[str]:
    """Copy a Hugging Face GPT-2 state dict into ``model``; return the HF keys left unused.

    Accepts ``GPT2Model.state_dict()`` or ``GPT2LMHeadModel.state_dict()`` (keys prefixed
    ``transformer.``; its ``lm_head.weight`` is the tied token embedding and is checked to be).

    **Transposes.** GPT-2's original code stores every projection as a ``Conv1D``, whose weight
    has shape (in_features, out_features) and computes ``x @ W + b``. ``nn.Linear`` stores
    (out_features, in_features) and computes ``x @ W.T + b``. So each Conv1D weight is
    transposed on the way in. (A 768 × 768 projection would load without a shape error and
    silently compute nonsense: this is why the loading is checked against Hugging Face's logits.)

    Raises ``WeightLoadingError`` naming every missing key and every shape that does not fit,
    before changing anything; with ``strict=True`` unused keys are an error too.
    """
    if not isinstance(model, ScratchGPT):
        raise TypeError(f"load_hf_gpt2_weights fills a ScratchGPT, got {type(model).__name__}.")
    if isinstance(hf_state_dict, torch.nn.Module):
        raise TypeError(
            f"Got the {type(hf_state_dict).__name__} model itself; pass its weights: "
            f"load_hf_gpt2_weights(model, hf_model.state_dict())."
        )
    prefixed = any(k.startswith("transformer.") for k in hf_state_dict)
    state = {
        k.removeprefix("transformer."): v
        for k, v in hf_state_dict.items()
        if not prefixed or k.startswith("transformer.")
    }
    head = {k: v for k, v in hf_state_dict.items() if prefixed and not k.startswith("transformer.")}
    mapping = hf_gpt2_key_map(model.config.n_layer)
    needed = set(mapping.values())
    missing = sorted(needed - state.keys())
    if missing:
        raise WeightLoadingError(
            f"The state dict lacks {len(missing)} weight(s) the model needs: {_listing(missing)}. "
            f"Is it a GPT-2 checkpoint with {model.config.n_layer} layers?"
        )
    # Older transformers save the causal mask as buffers (attn.bias, attn.masked_bias): no weights.
    buffers = (".attn.bias", ".attn.masked_bias")
    unexpected = sorted(k for k in state.keys() - needed if not k.endswith(buffers))
    lm_head = head.pop("lm_head.weight", None)
    if lm_head is not None and not torch.equal(lm_head, state["wte.weight"]):
        raise WeightLoadingError(
            "lm_head.weight differs from transformer.wte.weight: this checkpoint does not tie "
            "its output layer to the token embedding, and ScratchGPT always does."
        )
    unexpected += sorted(head)
    if strict and unexpected:
        raise WeightLoadingError(
            f"The state dict has {len(unexpected)} weight(s) this model has no place for: "
            f"{_listing(unexpected)}. Does the checkpoint have more layers than the config "
            f"({model.config.n_layer})? Pass strict=False to ignore them."
        )
    ours = model.state_dict()
    new_state, wrong_shapes = {}, []
    for name, source in mapping.items():
        tensor = state[source]
        if name.startswith("blocks.") and name.endswith("weight") and tensor.dim() == 2:
            tensor = tensor.T  # Conv1D (in, out) → nn.Linear (out, in)
        if tensor.shape != ours[name].shape:
            wrong_shapes.append(
                f"{name} needs {tuple(ours[name].shape)} but {source} gives {tuple(tensor.shape)}"
                + (" (after transposing Conv1D → Linear)" if name.startswith("blocks.") else "")
            )
        new_state[name] = tensor
    if wrong_shapes:
        raise WeightLoadingError(
            "Shapes do not fit — was the model built from this checkpoint's config "
            "(ScratchGPTConfig.from_hf(hf_model.config))?\n  " + "\n  ".join(wrong_shapes)
        )
    model.load_state_dict(new_state, strict=True)
    return unexpected


def _next_token(
    logits: torch.Tensor,
    do_sample: bool,
    temperature: float,
    top_k: int | None,
    top_p: float | None,
    generator: torch.Generator | None,
) -> torch.Tensor:
    """Pick the next token from the last position's logits (B, V); returns (B,)."""
    if not do_sample:
        return logits.argmax(dim=-1)
    logits = logits / temperature
    if top_k is not None and top_k < logits.size(-1):
        kth_best = logits.topk(top_k, dim=-1).values[:, -1:]
        logits = logits.masked_fill(logits < kth_best, float("-inf"))
    if top_p is not None and top_p < 1:
        ordered, order = logits.sort(dim=-1, descending=True)
        probabilities = ordered.softmax(dim=-1)
        # Drop a token when the tokens *before* it already make up top_p: the best always stays.
        drop = probabilities.cumsum(dim=-1) - probabilities >= top_p
        logits = logits.scatter(-1, order, ordered.masked_fill(drop, float("-inf")))
    probabilities = logits.softmax(dim=-1)
    return torch.multinomial(probabilities, 1, generator=generator).squeeze(-1)


@torch.no_grad()
def generate(
    model: ScratchGPT,
    input_ids: torch.Tensor,
    max_new_tokens: int,
    *,
    use_cache: bool = True,
    attention_mask: torch.Tensor | None = None,
    eos_token_id: int | None = None,
    do_sample: bool = False,
    temperature: float = 1.0,
    top_k: int | None = None,
    top_p: float | None = None,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Prompt (B, T) → prompt and up to ``max_new_tokens`` new tokens, (B, T + new).

    With ``use_cache`` the prompt goes through the model once, then each step feeds only the
    newest token and the cache; without it every step feeds the whole text again (the same
    tokens, much more work). Batched prompts of different lengths must be padded on the *left*
    (``tokenizer.padding_side = "left"``) with their ``attention_mask``, so every prompt's last
    token sits in the last column. Once a sequence has produced ``eos_token_id`` it is padded
    with that id, and generation stops when all have: what Hugging Face's ``generate`` does
    when ``pad_token_id`` is the end-of-text token, as for GPT-2.

    ``temperature``, ``top_k`` and ``top_p`` only shape sampling, so they are refused without
    ``do_sample=True`` rather than silently ignored (as ``generation.generate_text`` does).
    """
    check_generation_settings(max_new_tokens, do_sample, temperature, top_k, top_p)
    refuse_sampling_settings_without_sampling(do_sample, temperature, top_k, top_p)
    if not isinstance(input_ids, torch.Tensor):
        raise GenerationError(
            f"input_ids must be a tensor of token ids, got {type(input_ids).__name__}: pass "
            f"tokenizer(prompt, return_tensors='pt')['input_ids'], not the whole encoding."
        )
    if input_ids.dim() != 2 or input_ids.size(1) == 0:
        raise GenerationError(
            f"input_ids must have shape (batch, tokens) with at least one token, got "
            f"{tuple(input_ids.shape)}: tokenize the prompt with return_tensors='pt'."
        )
    total = input_ids.size(1) + max_new_tokens
    if total > model.config.n_positions:
        raise GenerationError(
            f"The prompt has {input_ids.size(1)} tokens; with {max_new_tokens} new ones that is "
            f"{total}, more than the {model.config.n_positions} positions GPT-2 learnt. Shorten "
            f"the prompt (keep its last tokens) or ask for fewer new tokens."
        )
    if attention_mask is not None:
        if attention_mask.shape != input_ids.shape:
            raise GenerationError(
                f"attention_mask has shape {tuple(attention_mask.shape)} but input_ids "
                f"{tuple(input_ids.shape)}: pass the mask the tokenizer returned with the ids."
            )
        if not attention_mask[:, -1].bool().all():
            raise GenerationError(
                "A prompt is padded on the right, so its next token would follow padding. Pad "
                "on the left for generation: tokenizer.padding_side = 'left'."
            )
    was_training = model.training
    model.eval()
    tokens = input_ids
    finished = torch.zeros(input_ids.size(0), dtype=torch.bool, device=input_ids.device)
    past, step_ids = None, input_ids
    for _ in range(max_new_tokens):
        if attention_mask is None:
            positions = None
        elif past is None or not use_cache:
            positions = (attention_mask.long().cumsum(-1) - 1).clamp(min=0)
        else:
            positions = attention_mask.long().sum(-1, keepdim=True) - 1  # the newest token's
        logits, past = model(step_ids, past, attention_mask, positions, last_only=True)
        chosen = _next_token(logits[:, -1], do_sample, temperature, top_k, top_p, generator)
        if eos_token_id is not None:
            chosen = chosen.masked_fill(finished, eos_token_id)
            finished |= chosen == eos_token_id
        tokens = torch.cat([tokens, chosen[:, None]], dim=1)
        if attention_mask is not None:
            attention_mask = torch.cat([attention_mask, attention_mask.new_ones(len(chosen), 1)], 1)
        if eos_token_id is not None and finished.all():
            break
        if use_cache:
            step_ids = chosen[:, None]  # only the new token; the cache holds the rest
        else:
            past, step_ids = None, tokens  # forget everything: the whole text again
    model.train(was_training)
    return tokens


def generate_greedy(
    model: ScratchGPT,
    input_ids: torch.Tensor,
    max_new_tokens: int,
    use_cache: bool = True,
    **options: Any,
) -> torch.Tensor:
    """Greedy decoding: always take the most likely next token (``generate`` without sampling).

    ``options`` are ``generate``'s ``attention_mask`` and ``eos_token_id``.
    """
    if options.get("do_sample"):
        raise GenerationError("generate_greedy never samples; call generate(..., do_sample=True).")
    return generate(model, input_ids, max_new_tokens, use_cache=use_cache, **options)
