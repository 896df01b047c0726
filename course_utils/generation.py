"""Text generation with Hugging Face decoders, done right, and the decoding filters made visible.

Notebook 07 starts from a ``generate_text`` found in the wild that has four bugs (a misspelt
``max_lenght``, which ``generate`` refuses with a ``ValueError`` that the snippet's ``except``
misreports as a loading error; ``skip_special_token``, which ``decode`` silently ignores; no
attention mask or pad token; and ``max_length`` counting the prompt). :func:`generate_text` is
the fixed version; it checks its settings *before* calling ``model.generate`` so that a learner
gets one clear sentence instead of a deep stack trace, or worse, a silently ignored setting.

The decoding strategies (temperature, top-k, top-p, repetition penalty) are also written here as
small pure functions on one next-token distribution, so the notebook can *plot* what each one
cuts. The tests check them against ``transformers``' own logits processors.

This module also holds the settings check shared with the from-scratch GPT of notebook 07b
(``course_utils.scratch_gpt`` imports :class:`GenerationError` and
:func:`check_generation_settings` from here), so both generators refuse the same inputs with the
same messages.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import torch

from course_utils.errors import CourseError

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "GenerationError",
    "apply_temperature",
    "apply_top_k",
    "apply_top_p",
    "check_generation_settings",
    "check_prompt",
    "context_length",
    "describe_model",
    "generate_text",
    "next_token_distribution",
    "next_token_logits",
    "penalize_repetition",
    "plot_filter",
    "position_scheme",
    "top_tokens",
]


class GenerationError(CourseError, ValueError):
    """A generation setting cannot work (no tokens asked for, impossible sampling settings …)."""


def check_generation_settings(
    max_new_tokens: int,
    do_sample: bool,
    temperature: float,
    top_k: int | None,
    top_p: float | None,
) -> None:
    """Refuse settings that cannot work, with a message that says what to do instead.

    Temperature 0 is refused rather than read as "greedy": dividing the logits by 0 is
    undefined, and greedy decoding already has its own switch (``do_sample=False``). One clear
    rule beats a special case that hides which strategy actually ran.
    """
    if max_new_tokens <= 0:
        raise GenerationError(
            f"max_new_tokens must be a positive number of tokens to add, got {max_new_tokens}."
        )
    if not do_sample:
        return
    if temperature <= 0:
        raise GenerationError(
            f"temperature must be above 0 when sampling, got {temperature}: temperature 0 would "
            f"divide by zero. For the single most likely token use greedy decoding: "
            f"do_sample=False (the default) and no temperature."
        )
    if top_k is not None and top_k < 1:
        raise GenerationError(f"top_k must be at least 1 (or None for no limit), got {top_k}.")
    if top_p is not None and not 0 < top_p <= 1:
        raise GenerationError(
            f"top_p must be in (0, 1], got {top_p}: it is the share of probability to keep "
            f"(1 = keep everything, 0.9 = the most likely tokens that make up 90 %)."
        )


def check_prompt(prompt: Any) -> str:
    """Return ``prompt`` if it is a non-empty string; otherwise say what to pass instead.

    An empty prompt gives the model nothing to continue (and some tokenizers then produce zero
    tokens, which ``generate`` rejects with a confusing shape error).
    """
    if not isinstance(prompt, str):
        raise GenerationError(
            f"prompt must be one string, got {type(prompt).__name__}: call generate_text once "
            f"per prompt (for example in a loop or a list comprehension)."
        )
    if not prompt.strip():
        raise GenerationError(
            "The prompt is empty: give the model some text to continue, e.g. 'Once upon a time'."
        )
    return prompt


# How each architecture tells the model where a token is. GPT-2, GPT-Neo and OPT learn one
# vector per position (so their config caps the context); BLOOM adds ALiBi's distance penalty to
# the attention scores instead and has no position table at all.
_POSITION_SCHEMES = {
    "gpt2": "learned absolute",
    "gpt_neo": "learned absolute",
    "opt": "learned absolute (offset 2)",
    "bloom": "ALiBi (no position table)",
}


def position_scheme(config: Any) -> str:
    """How ``config``'s architecture encodes positions, in words ("unknown" if not listed)."""
    return _POSITION_SCHEMES.get(getattr(config, "model_type", ""), "unknown")


def context_length(config: Any) -> int | None:
    """The longest text the model has position embeddings for, or None if it has no limit.

    The name differs between architectures: GPT-2 calls it ``n_positions``; OPT and GPT-Neo
    ``max_position_embeddings``. BLOOM uses ALiBi, which needs no position table, so its config
    has neither and this returns None (it still works best near the lengths it was trained on).
    """
    for name in ("n_positions", "max_position_embeddings"):
        value = getattr(config, name, None)
        if isinstance(value, int):
            return value
    return None


def describe_model(model: Any, tokenizer: Any) -> dict[str, Any]:
    """One row of the decoder comparison table: size, vocabulary, context and positions.

    ``vocab_size`` is the number of rows of the embedding matrix (the config's); it can be a
    little larger than ``len(tokenizer)`` because models round it up for faster matrix maths.
    """
    config = model.config
    return {
        "model": getattr(config, "_name_or_path", "") or type(model).__name__,
        "class": type(model).__name__,
        "parameters": sum(p.numel() for p in model.parameters()),
        "vocab_size": config.vocab_size,
        "tokenizer_size": len(tokenizer),
        "context_length": context_length(config),
        "positions": position_scheme(config),
    }


def _pad_token_id(tokenizer: Any) -> int:
    """The pad id to give ``generate``: the tokenizer's, else its end-of-text token's.

    GPT-2 and GPT-Neo have no pad token. ``generate`` needs one to fill finished sequences; the
    end-of-text token is the usual choice. The tokenizer itself is not changed.
    """
    if tokenizer.pad_token_id is not None:
        return tokenizer.pad_token_id
    if tokenizer.eos_token_id is not None:
        return tokenizer.eos_token_id
    raise GenerationError(
        "The tokenizer has neither a pad token nor an end-of-text token, so generate cannot pad. "
        "Set one first, e.g. tokenizer.pad_token = tokenizer.unk_token."
    )


def generate_text(
    model: Any,
    tokenizer: Any,
    prompt: str,
    *,
    max_new_tokens: int = 40,
    do_sample: bool = False,
    temperature: float = 1.0,
    top_k: int | None = None,
    top_p: float | None = None,
    num_beams: int = 1,
    repetition_penalty: float = 1.0,
    seed: int | None = None,
    return_full_text: bool = False,
) -> str:
    """Continue ``prompt`` with up to ``max_new_tokens`` new tokens; return the *new* text only.

    ``prompt + generate_text(...)`` is the whole story; ``return_full_text=True`` returns the
    decoded prompt and continuation together instead. What this does right, compared with the
    usual copy-pasted snippet:

    - ``max_new_tokens`` counts only new tokens (``max_length`` would include the prompt);
    - the tokenizer's ``attention_mask`` is passed, and a pad token (end-of-text if the tokenizer
      has none) is given to ``generate`` without modifying the tokenizer;
    - special tokens (OPT's leading ``</s>``, end-of-text) are removed when decoding;
    - settings are checked first. Sampling settings (``temperature``, ``top_k``, ``top_p``)
      without ``do_sample=True`` are an error, not silently ignored; temperature 0 is an error,
      not a hidden switch to greedy decoding (use ``do_sample=False``).

    ``top_k=None`` and ``top_p=None`` mean *no* limit (``transformers`` 4 would otherwise apply its
    default ``top_k=50``). ``seed`` makes sampling repeatable without changing the global random
    state. Greedy decoding and beam search are deterministic and need no seed.
    """
    check_prompt(prompt)
    check_generation_settings(max_new_tokens, do_sample, temperature, top_k, top_p)
    if not do_sample:
        ignored = {"temperature": temperature != 1.0, "top_k": top_k is not None}
        ignored["top_p"] = top_p is not None
        names = [name for name, is_set in ignored.items() if is_set]
        if names:
            raise GenerationError(
                f"{', '.join(names)} only change(s) sampling, but do_sample=False (greedy or beam "
                f"search always takes the most likely tokens). Pass do_sample=True to sample, or "
                f"drop {', '.join(names)}."
            )
    if not isinstance(num_beams, int) or num_beams < 1:
        raise GenerationError(
            f"num_beams must be a whole number of at least 1 (1 = no beam search), got {num_beams}."
        )
    if repetition_penalty <= 0:
        raise GenerationError(
            f"repetition_penalty must be above 0 (1 = no penalty, 1.2 = a mild one), got "
            f"{repetition_penalty}."
        )
    encoded = tokenizer(prompt, return_tensors="pt")
    input_ids = encoded["input_ids"].to(model.device)
    attention_mask = encoded["attention_mask"].to(model.device)
    limit = context_length(model.config)
    if limit is not None and input_ids.size(1) + max_new_tokens > limit:
        raise GenerationError(
            f"The prompt has {input_ids.size(1)} tokens; with {max_new_tokens} new ones that is "
            f"more than the {limit} positions this model learnt. Shorten the prompt or ask for "
            f"fewer new tokens."
        )
    options: dict[str, Any] = {
        "max_new_tokens": max_new_tokens,
        "do_sample": do_sample,
        "num_beams": num_beams,
        "repetition_penalty": repetition_penalty,
        "pad_token_id": _pad_token_id(tokenizer),
    }
    if do_sample:
        # Explicit "off" values: 0 disables top-k and 1.0 top-p in transformers 4 and 5 alike.
        options |= {
            "temperature": temperature,
            "top_k": 0 if top_k is None else top_k,
            "top_p": 1.0 if top_p is None else top_p,
        }
    with torch.no_grad(), torch.random.fork_rng():
        if seed is not None:
            torch.manual_seed(seed)
        output = model.generate(input_ids=input_ids, attention_mask=attention_mask, **options)
    tokens = output[0] if return_full_text else output[0, input_ids.size(1) :]
    return tokenizer.decode(tokens, skip_special_tokens=True)


def next_token_logits(model: Any, tokenizer: Any, prompt: str) -> torch.Tensor:
    """The model's raw scores (logits) for the token after ``prompt``: shape (vocabulary,)."""
    check_prompt(prompt)
    encoded = tokenizer(prompt, return_tensors="pt")
    with torch.no_grad():
        logits = model(
            input_ids=encoded["input_ids"].to(model.device),
            attention_mask=encoded["attention_mask"].to(model.device),
        ).logits
    return logits[0, -1].float().cpu()


def next_token_distribution(model: Any, tokenizer: Any, prompt: str) -> torch.Tensor:
    """Probabilities of every vocabulary entry being the token after ``prompt`` (sums to 1)."""
    return next_token_logits(model, tokenizer, prompt).softmax(dim=-1)


def _check_probabilities(probs: torch.Tensor) -> None:
    if probs.dim() != 1 or not torch.isclose(probs.sum(), probs.new_tensor(1.0), atol=1e-4):
        raise ValueError(
            "Expected one probability vector (1-D, sums to 1), e.g. from "
            "next_token_distribution(...); for logits apply .softmax(-1) first."
        )


def apply_temperature(probs: torch.Tensor, temperature: float) -> torch.Tensor:
    """Sharpen (T < 1) or flatten (T > 1) a distribution: softmax(logits / T).

    On probabilities that is p^(1/T), renormalised — dividing the logits by T is the same as
    raising each probability to the power 1/T. Nothing is cut: every token keeps a chance.
    """
    _check_probabilities(probs)
    if temperature <= 0:
        raise GenerationError(f"temperature must be above 0, got {temperature}.")
    return (probs.log() / temperature).softmax(dim=-1)


def apply_top_k(probs: torch.Tensor, k: int) -> torch.Tensor:
    """Keep the ``k`` most likely tokens (and any tied with the k-th), renormalised."""
    _check_probabilities(probs)
    if k < 1:
        raise GenerationError(f"top_k must be at least 1, got {k}.")
    kth_best = probs.topk(min(k, probs.numel())).values[-1]
    kept = probs.masked_fill(probs < kth_best, 0.0)
    return kept / kept.sum()


def apply_top_p(probs: torch.Tensor, p: float) -> torch.Tensor:
    """Nucleus filter: keep the fewest most-likely tokens whose probabilities add up to ≥ ``p``.

    Going down the sorted list, a token is dropped once the tokens *before* it already make up
    ``p``; the most likely token always stays. The cut adapts to the model's confidence: one
    token when it is sure, hundreds when it is not (top-k always keeps exactly k).
    """
    _check_probabilities(probs)
    if not 0 < p <= 1:
        raise GenerationError(f"top_p must be in (0, 1], got {p}.")
    if p == 1:
        return probs.clone()  # everything (rounding in the running sum must not drop the tail)
    ordered, order = probs.sort(descending=True)
    drop = ordered.cumsum(dim=-1) - ordered >= p
    kept = probs.scatter(0, order, ordered.masked_fill(drop, 0.0))
    return kept / kept.sum()


def penalize_repetition(
    logits: torch.Tensor, previous_ids: torch.Tensor | list[int], penalty: float
) -> torch.Tensor:
    """CTRL's repetition penalty on *logits* (not probabilities) of tokens already in the text.

    A positive logit is divided by ``penalty``, a negative one multiplied by it: both make the
    token less likely when ``penalty`` > 1. Because it depends on the sign of the raw scores it
    cannot be written on probabilities, which only know logits up to an added constant. Each
    previous token is penalised once, however often it appeared.
    """
    if logits.dim() != 1:
        raise ValueError(f"Expected one logits vector (1-D), got shape {tuple(logits.shape)}.")
    if penalty <= 0:
        raise GenerationError(f"repetition_penalty must be above 0, got {penalty}.")
    ids = torch.as_tensor(previous_ids, dtype=torch.long).flatten().unique()
    scores = logits[ids]
    penalized = torch.where(scores < 0, scores * penalty, scores / penalty)
    return logits.scatter(0, ids, penalized)


def top_tokens(probs: torch.Tensor, tokenizer: Any, k: int = 15) -> list[tuple[str, float]]:
    """The ``k`` most likely tokens as (text, probability), most likely first.

    Texts are decoded (so GPT-2's "Ġfox" reads " fox") and shown with repr() to make leading
    spaces and newlines visible.
    """
    values, ids = probs.topk(min(k, probs.numel()))
    return [
        (repr(tokenizer.decode([i])), v) for i, v in zip(ids.tolist(), values.tolist(), strict=True)
    ]


def plot_filter(
    before: torch.Tensor,
    after: torch.Tensor,
    tokenizer: Any,
    k: int = 15,
    title: str = "",
    ax: Axes | None = None,
) -> Axes:
    """Bars of the ``k`` most likely tokens *before* a filter, next to their probability after.

    The tokens are the top ``k`` of ``before``, so a token that a filter cuts shows an empty
    orange bar and the renormalised survivors grow.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(9, 3.2))
    values, ids = before.topk(min(k, before.numel()))
    labels = [repr(tokenizer.decode([i])) for i in ids.tolist()]
    positions = torch.arange(len(labels)).float()
    ax.bar(positions - 0.2, values.tolist(), width=0.4, label="before", color="tab:blue")
    ax.bar(positions + 0.2, after[ids].tolist(), width=0.4, label="after", color="tab:orange")
    ax.set_xticks(positions.tolist(), labels, rotation=45, ha="right")
    ax.set_ylabel("probability")
    ax.set_title(title)
    ax.legend()
    return ax
