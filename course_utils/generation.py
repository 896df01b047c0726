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

import math
from numbers import Integral, Real
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
    "refuse_sampling_settings_without_sampling",
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


def _check_number(name: str, value: Any, *, whole: bool = False) -> None:
    """Refuse a value that is not a finite number (or not a whole one, for counts).

    ``True`` is refused although Python counts it as 1: ``temperature=True`` is a slip, not a
    setting. Ints are fine for float settings (``temperature=2`` means 2.0); callers convert
    them with ``float`` because ``transformers`` insists on floats there.
    """
    kind = Integral if whole else Real
    if isinstance(value, bool) or not isinstance(value, kind) or not math.isfinite(value):
        raise GenerationError(
            f"{name} must be {'a whole number' if whole else 'a finite number'}, got {value!r}."
        )


def refuse_sampling_settings_without_sampling(
    do_sample: bool, temperature: float, top_k: int | None, top_p: float | None
) -> None:
    """Refuse ``temperature``/``top_k``/``top_p`` when ``do_sample=False``, instead of ignoring them.

    Greedy decoding and beam search take the most likely tokens whatever these say, so a learner
    who sets ``temperature=0.7`` without ``do_sample=True`` would otherwise compare two identical
    outputs and conclude that temperature does nothing.
    """
    if do_sample:
        return
    set_anyway = {"temperature": temperature != 1.0, "top_k": top_k is not None}
    set_anyway["top_p"] = top_p is not None
    names = ", ".join(name for name, is_set in set_anyway.items() if is_set)
    if names:
        raise GenerationError(
            f"{names} only change(s) sampling, but do_sample=False (greedy or beam search always "
            f"takes the most likely tokens). Pass do_sample=True to sample, or drop {names}."
        )


def check_generation_settings(
    max_new_tokens: int,
    do_sample: bool,
    temperature: float,
    top_k: int | None,
    top_p: float | None,
    *,
    repetition_penalty: float = 1.0,
) -> None:
    """Refuse settings that cannot work, with a message that says what to do instead.

    Every setting must be a number of the right kind (a string or None gets a message naming the
    setting, not a ``TypeError`` from a comparison deep inside). Temperature 0 is refused rather
    than read as "greedy": dividing the logits by 0 is undefined, and greedy decoding already
    has its own switch (``do_sample=False``). One clear rule beats a special case that hides
    which strategy actually ran.
    """
    _check_number("max_new_tokens", max_new_tokens, whole=True)
    _check_number("temperature", temperature)
    _check_number("repetition_penalty", repetition_penalty)
    if top_k is not None:
        _check_number("top_k", top_k, whole=True)
    if top_p is not None:
        _check_number("top_p", top_p)
    if repetition_penalty <= 0:
        raise GenerationError(
            f"repetition_penalty must be above 0 (1 = no penalty, 1.2 = a mild one), got "
            f"{repetition_penalty}."
        )
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


def _encode_prompt(
    model: Any, tokenizer: Any, prompt: str, max_new_tokens: int = 0
) -> tuple[torch.Tensor, torch.Tensor]:
    """(input_ids, attention_mask) of a checked ``prompt``, on the model's device.

    The prompt and the new tokens must fit in the positions the model learnt: past them a
    learned position table has no row, and the lookup fails with a bare ``IndexError``.
    """
    check_prompt(prompt)
    encoded = tokenizer(prompt, return_tensors="pt")
    n_tokens = encoded["input_ids"].size(1)
    limit = context_length(model.config)
    if limit is not None and n_tokens + max_new_tokens > limit:
        new = f"; with {max_new_tokens} new ones that is" if max_new_tokens else ","
        fewer = " or ask for fewer new tokens" if max_new_tokens else " (keep its end)"
        raise GenerationError(
            f"The prompt has {n_tokens} tokens{new} more than the {limit} positions this model "
            f"learnt. Shorten the prompt{fewer}."
        )
    return encoded["input_ids"].to(model.device), encoded["attention_mask"].to(model.device)


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
    check_generation_settings(
        max_new_tokens,
        do_sample,
        temperature,
        top_k,
        top_p,
        repetition_penalty=repetition_penalty,
    )
    refuse_sampling_settings_without_sampling(do_sample, temperature, top_k, top_p)
    if not isinstance(num_beams, int) or num_beams < 1:
        raise GenerationError(
            f"num_beams must be a whole number of at least 1 (1 = no beam search), got {num_beams}."
        )
    input_ids, attention_mask = _encode_prompt(model, tokenizer, prompt, max_new_tokens)
    # transformers insists on floats (temperature=2 fails its check) and ints for counts.
    options: dict[str, Any] = {
        "max_new_tokens": int(max_new_tokens),
        "do_sample": do_sample,
        "num_beams": num_beams,
        "repetition_penalty": float(repetition_penalty),
        "pad_token_id": _pad_token_id(tokenizer),
    }
    if do_sample:
        # Explicit "off" values: 0 disables top-k and 1.0 top-p in transformers 4 and 5 alike.
        options |= {
            "temperature": float(temperature),
            "top_k": 0 if top_k is None else int(top_k),
            "top_p": 1.0 if top_p is None else float(top_p),
        }
    with torch.no_grad(), torch.random.fork_rng():
        if seed is not None:
            torch.manual_seed(seed)
        output = model.generate(input_ids=input_ids, attention_mask=attention_mask, **options)
    tokens = output[0] if return_full_text else output[0, input_ids.size(1) :]
    return tokenizer.decode(tokens, skip_special_tokens=True)


def next_token_logits(model: Any, tokenizer: Any, prompt: str) -> torch.Tensor:
    """The model's raw scores (logits) for the token after ``prompt``: shape (vocabulary,)."""
    input_ids, attention_mask = _encode_prompt(model, tokenizer, prompt)
    with torch.no_grad():
        logits = model(input_ids=input_ids, attention_mask=attention_mask).logits
    return logits[0, -1].float().cpu()


def next_token_distribution(model: Any, tokenizer: Any, prompt: str) -> torch.Tensor:
    """Probabilities of every vocabulary entry being the token after ``prompt`` (sums to 1)."""
    return next_token_logits(model, tokenizer, prompt).softmax(dim=-1)


def _check_probabilities(probs: torch.Tensor, name: str = "probs") -> None:
    """Refuse anything but one probability vector: 1-D, values in [0, 1], summing to 1.

    Logits are the usual slip (``next_token_logits`` instead of ``next_token_distribution``);
    they would otherwise be filtered, plotted or printed as if they were probabilities.
    """
    if (
        not isinstance(probs, torch.Tensor)
        or probs.dim() != 1
        or not probs.is_floating_point()
        or bool((probs < 0).any())  # with a sum of 1, no value can then exceed 1 either
        or not torch.isclose(probs.sum(), probs.new_tensor(1.0), atol=1e-4)
    ):
        raise GenerationError(
            f"Expected {name} to be one probability vector (1-D, values in [0, 1] that sum to "
            f"1), e.g. from next_token_distribution(...); for logits apply .softmax(-1) first."
        )


def apply_temperature(probs: torch.Tensor, temperature: float) -> torch.Tensor:
    """Sharpen (T < 1) or flatten (T > 1) a distribution: softmax(logits / T).

    On probabilities that is p^(1/T), renormalised — dividing the logits by T is the same as
    raising each probability to the power 1/T. Nothing is cut: every token keeps a chance.
    """
    _check_probabilities(probs)
    _check_number("temperature", temperature)
    if temperature <= 0:
        raise GenerationError(f"temperature must be above 0, got {temperature}.")
    return (probs.log() / temperature).softmax(dim=-1)


def apply_top_k(probs: torch.Tensor, k: int) -> torch.Tensor:
    """Keep the ``k`` most likely tokens (and any tied with the k-th), renormalised."""
    _check_probabilities(probs)
    _check_number("top_k", k, whole=True)
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
    _check_number("top_p", p)
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
    spaces and newlines visible. ``probs`` must be probabilities, not logits (see
    :func:`next_token_distribution`), since the numbers are reported as probabilities.
    """
    _check_probabilities(probs)
    _check_number("k", k, whole=True)
    if k < 1:
        raise GenerationError(f"k must be at least 1 (how many tokens to list), got {k}.")
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

    _check_probabilities(before, "before")
    _check_probabilities(after, "after")
    if after.shape != before.shape:
        raise GenerationError(
            f"before and after must cover the same vocabulary, got {before.numel()} and "
            f"{after.numel()} tokens: filter the distribution you pass as before."
        )
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
