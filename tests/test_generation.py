"""course_utils.generation: notebook 07's generate_text, its checks and the decoding filters."""

from __future__ import annotations

import pytest
import torch

from course_utils import scratch_gpt
from course_utils.errors import CourseError
from course_utils.generation import (
    GenerationError,
    apply_temperature,
    apply_top_k,
    apply_top_p,
    check_prompt,
    context_length,
    describe_model,
    generate_text,
    next_token_distribution,
    next_token_logits,
    penalize_repetition,
    plot_filter,
    position_scheme,
    top_tokens,
)

PROMPT = "Once upon a time, in a land far away"
DECODERS = [
    "openai-community/gpt2",
    "EleutherAI/gpt-neo-125m",
    "facebook/opt-125m",
    "bigscience/bloom-560m",
]


def load(model_id: str):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    return AutoModelForCausalLM.from_pretrained(model_id).eval(), AutoTokenizer.from_pretrained(
        model_id
    )


@pytest.fixture(scope="module")
def gpt2():
    return load("openai-community/gpt2")


@pytest.fixture(scope="module", params=DECODERS)
def decoder(request):
    return load(request.param)


def random_logits(seed: int, size: int = 200) -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(size, generator=generator) * 3


# --- the settings are checked before generate runs ----------------------------------------


def test_scratch_gpt_shares_the_generation_error_and_check():
    assert scratch_gpt.GenerationError is GenerationError
    assert issubclass(GenerationError, CourseError)
    assert issubclass(GenerationError, ValueError)


def _refusal(generate, **options) -> str:
    """The message ``generate(**options)`` refuses with (the test fails if it does not refuse)."""
    with pytest.raises(GenerationError) as caught:
        generate(**{"max_new_tokens": 5, **options})
    return str(caught.value)


@pytest.mark.parametrize(
    "options",
    [
        {"max_new_tokens": 0},
        {"max_new_tokens": 2.5},
        {"max_new_tokens": "5"},
        {"do_sample": True, "temperature": 0.0},
        {"do_sample": True, "temperature": None},
        {"do_sample": True, "top_k": 0},
        {"do_sample": True, "top_k": 2.5},
        {"do_sample": True, "top_p": 1.5},
        {"do_sample": True, "top_p": float("nan")},
    ],
    ids=repr,
)
def test_both_generators_refuse_the_same_settings_with_the_same_message(gpt2, options):
    """The module's claim: notebook 07's generate_text and 07b's from-scratch generate agree."""
    ours, scratch = _both_refusals(gpt2, options)
    assert scratch == ours


@pytest.mark.parametrize("options", [{"temperature": 0.7}, {"top_k": 5}, {"top_p": 0.9}], ids=repr)
def test_both_generators_refuse_sampling_settings_without_do_sample(gpt2, options):
    ours, scratch = _both_refusals(gpt2, options)
    assert scratch == ours
    assert next(iter(options)) in ours and "do_sample=True" in ours


def _both_refusals(gpt2, options: dict) -> tuple[str, str]:
    """The messages with which generate_text and the from-scratch generate refuse ``options``."""
    model, tokenizer = gpt2
    tiny = scratch_gpt.ScratchGPT(
        scratch_gpt.ScratchGPTConfig(vocab_size=50, n_positions=64, n_embd=16, n_layer=1, n_head=2)
    ).eval()
    ours = _refusal(lambda **o: generate_text(model, tokenizer, PROMPT, **o), **options)
    scratch = _refusal(
        lambda **o: scratch_gpt.generate(tiny, torch.tensor([[1, 2, 3]]), **o), **options
    )
    return ours, scratch


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"max_new_tokens": 0}, "max_new_tokens must be a positive"),
        ({"max_new_tokens": -1}, "max_new_tokens must be a positive"),
        ({"do_sample": True, "top_p": 0.0}, r"top_p must be in \(0, 1\]"),
        ({"do_sample": True, "top_p": 1.2}, r"top_p must be in \(0, 1\]"),
        ({"do_sample": True, "top_k": 0}, "top_k must be at least 1"),
        ({"do_sample": True, "temperature": 0.0}, "temperature must be above 0"),
        ({"do_sample": True, "temperature": -1.0}, "temperature must be above 0"),
        ({"temperature": 0.0}, "only change.*do_sample=True"),
        ({"top_k": 5}, "top_k only change.*do_sample=True"),
        ({"top_p": 0.9}, "top_p only change"),
        ({"num_beams": 0}, "num_beams must be"),
        ({"repetition_penalty": 0.0}, "repetition_penalty must be above 0"),
        ({"repetition_penalty": None}, "repetition_penalty must be a finite number"),
        ({"max_new_tokens": 2000}, "positions this model learnt"),
        ({"max_new_tokens": 2.5}, "max_new_tokens must be a whole number"),
        ({"max_new_tokens": None}, "max_new_tokens must be a whole number"),
        ({"do_sample": True, "temperature": "0.7"}, "temperature must be a finite number"),
        ({"do_sample": True, "temperature": True}, "temperature must be a finite number"),
        ({"do_sample": True, "temperature": float("inf")}, "temperature must be a finite"),
        ({"do_sample": True, "top_k": 2.5}, "top_k must be a whole number"),
    ],
)
def test_bad_settings_are_refused_before_generate(gpt2, monkeypatch, options, message):
    model, tokenizer = gpt2

    def must_not_run(*args, **kwargs):
        raise AssertionError("model.generate ran although the settings are invalid")

    monkeypatch.setattr(model, "generate", must_not_run)
    with pytest.raises(GenerationError, match=message):
        generate_text(model, tokenizer, PROMPT, **{"max_new_tokens": 5, **options})


@pytest.mark.parametrize("prompt", ["", "   \n", None, ["Once upon a time"]])
def test_empty_or_non_string_prompts_are_refused(gpt2, prompt):
    model, tokenizer = gpt2
    with pytest.raises(GenerationError, match="prompt"):
        generate_text(model, tokenizer, prompt)
    with pytest.raises(GenerationError, match="prompt"):
        next_token_distribution(model, tokenizer, prompt)


def test_a_prompt_longer_than_the_positions_is_refused_before_the_model_runs(gpt2, monkeypatch):
    """next_token_logits makes generate_text's length check, instead of a bare IndexError."""
    model, tokenizer = gpt2
    long_prompt = "word " * model.config.n_positions  # two tokens per "word "
    monkeypatch.setattr(model, "forward", lambda *a, **k: pytest.fail("the model ran"))
    for next_token in (next_token_logits, next_token_distribution):
        with pytest.raises(GenerationError, match=r"more than the 1024 positions.*Shorten"):
            next_token(model, tokenizer, long_prompt)
    with pytest.raises(GenerationError, match="1024 positions"):
        generate_text(model, tokenizer, long_prompt)


def test_check_prompt_returns_a_good_prompt():
    assert check_prompt("Hi") == "Hi"


# --- generate_text calls generate the right way ----------------------------------------------


def test_generate_text_passes_mask_pad_and_max_new_tokens(gpt2, monkeypatch):
    model, tokenizer = gpt2
    assert tokenizer.pad_token is None  # GPT-2 has none: generate_text must supply one
    seen = {}
    original = model.generate

    def spy(*args, **kwargs):
        seen.update(kwargs)
        return original(*args, **kwargs)

    monkeypatch.setattr(model, "generate", spy)
    generate_text(model, tokenizer, PROMPT, max_new_tokens=7)
    assert torch.equal(
        seen["attention_mask"], tokenizer(PROMPT, return_tensors="pt").attention_mask
    )
    assert seen["max_new_tokens"] == 7
    assert "max_length" not in seen
    assert seen["pad_token_id"] == tokenizer.eos_token_id
    assert tokenizer.pad_token is None  # and the learner's tokenizer is left as it was


def test_sampling_off_switches_are_explicit(gpt2, monkeypatch):
    """top_k=None must mean no limit, not transformers 4's default of 50."""
    model, tokenizer = gpt2
    seen = {}
    original = model.generate

    def spy(*args, **kwargs):
        seen.update(kwargs)
        return original(*args, **kwargs)

    monkeypatch.setattr(model, "generate", spy)
    generate_text(model, tokenizer, PROMPT, max_new_tokens=3, do_sample=True, seed=0)
    assert (seen["top_k"], seen["top_p"], seen["temperature"]) == (0, 1.0, 1.0)


def test_whole_number_settings_work_like_their_floats(gpt2):
    """temperature=2 is what a learner types; transformers itself accepts only 2.0."""
    model, tokenizer = gpt2

    def run(**options):
        return generate_text(model, tokenizer, PROMPT, max_new_tokens=10, seed=0, **options)

    assert run(do_sample=True, temperature=2) == run(do_sample=True, temperature=2.0)
    assert run(do_sample=True, top_p=1) == run(do_sample=True, top_p=1.0)
    assert run(repetition_penalty=2) == run(repetition_penalty=2.0) != run()


def test_greedy_equals_model_generate_and_returns_only_new_text(decoder):
    model, tokenizer = decoder
    encoded = tokenizer(PROMPT, return_tensors="pt")
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    reference = model.generate(
        input_ids=encoded.input_ids,
        attention_mask=encoded.attention_mask,
        max_new_tokens=20,
        do_sample=False,
        pad_token_id=pad,
    )
    expected_new = tokenizer.decode(
        reference[0, encoded.input_ids.size(1) :], skip_special_tokens=True
    )
    new = generate_text(model, tokenizer, PROMPT, max_new_tokens=20)
    assert new == expected_new
    assert new.strip() and PROMPT not in new
    assert generate_text(model, tokenizer, PROMPT, max_new_tokens=20) == new  # deterministic
    full = generate_text(model, tokenizer, PROMPT, max_new_tokens=20, return_full_text=True)
    assert full == tokenizer.decode(reference[0], skip_special_tokens=True)
    assert full.startswith(PROMPT)
    assert "</s>" not in full and "<|endoftext|>" not in full  # OPT's prefix is gone


def test_sampling_with_a_seed_repeats_and_leaves_global_rng_alone(gpt2):
    model, tokenizer = gpt2
    options = {"max_new_tokens": 25, "do_sample": True, "temperature": 1.5}
    torch.manual_seed(123)
    before = torch.rand(1)
    torch.manual_seed(123)
    first = generate_text(model, tokenizer, PROMPT, seed=1, **options)
    assert torch.equal(torch.rand(1), before)  # the global random state did not move
    assert generate_text(model, tokenizer, PROMPT, seed=1, **options) == first
    others = {generate_text(model, tokenizer, PROMPT, seed=s, **options) for s in range(2, 6)}
    assert others - {first}  # different seeds give different stories


def test_top_k_1_sampling_is_greedy(gpt2):
    model, tokenizer = gpt2
    greedy = generate_text(model, tokenizer, PROMPT, max_new_tokens=15)
    sampled = generate_text(
        model, tokenizer, PROMPT, max_new_tokens=15, do_sample=True, top_k=1, seed=3
    )
    assert sampled == greedy


def test_beam_search_and_repetition_penalty_reach_generate(gpt2):
    model, tokenizer = gpt2
    encoded = tokenizer(PROMPT, return_tensors="pt")
    options = {"max_new_tokens": 30, "pad_token_id": tokenizer.eos_token_id}
    reference = model.generate(**encoded, num_beams=4, do_sample=False, **options)
    expected = tokenizer.decode(reference[0, encoded.input_ids.size(1) :], skip_special_tokens=True)
    greedy = generate_text(model, tokenizer, PROMPT, max_new_tokens=30)
    beams = generate_text(model, tokenizer, PROMPT, max_new_tokens=30, num_beams=4)
    penalised = generate_text(model, tokenizer, PROMPT, max_new_tokens=30, repetition_penalty=2.0)
    assert beams == expected
    assert beams != greedy  # so the test fails if num_beams is dropped on the way
    assert penalised.strip() and penalised != greedy


# --- next-token distribution and the filters --------------------------------------------------


def test_next_token_distribution_matches_the_logits(gpt2):
    model, tokenizer = gpt2
    probs = next_token_distribution(model, tokenizer, PROMPT)
    logits = next_token_logits(model, tokenizer, PROMPT)
    assert probs.shape == (model.config.vocab_size,)
    assert torch.isclose(probs.sum(), torch.tensor(1.0))
    assert torch.allclose(probs, logits.softmax(-1))
    greedy_first = generate_text(model, tokenizer, PROMPT, max_new_tokens=1)
    assert tokenizer.decode([int(probs.argmax())]) == greedy_first


@pytest.mark.parametrize("temperature", [0.3, 0.7, 1.0, 1.8])
@pytest.mark.parametrize("seed", [0, 1])
def test_temperature_equals_transformers(temperature, seed):
    from transformers import TemperatureLogitsWarper

    logits = random_logits(seed)
    expected = TemperatureLogitsWarper(temperature)(None, logits[None])[0].softmax(-1)
    assert torch.allclose(apply_temperature(logits.softmax(-1), temperature), expected, atol=1e-6)


@pytest.mark.parametrize("k", [1, 5, 50, 200, 500])
@pytest.mark.parametrize("seed", [0, 1])
def test_top_k_equals_transformers(k, seed):
    from transformers import TopKLogitsWarper

    logits = random_logits(seed)
    expected = TopKLogitsWarper(k)(None, logits[None])[0].softmax(-1)
    ours = apply_top_k(logits.softmax(-1), k)
    assert torch.allclose(ours, expected, atol=1e-6)
    assert int((ours > 0).sum()) == min(k, logits.numel())


@pytest.mark.parametrize("p", [0.05, 0.3, 0.5, 0.9, 0.99, 1.0])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_top_p_equals_transformers(p, seed):
    from transformers import TopPLogitsWarper

    logits = random_logits(seed)
    expected = TopPLogitsWarper(p)(None, logits[None])[0].softmax(-1)
    ours = apply_top_p(logits.softmax(-1), p)
    assert torch.equal(ours > 0, expected > 0)
    assert torch.allclose(ours, expected, atol=1e-6)


def test_top_p_keeps_the_fewest_tokens_that_reach_p():
    probs = torch.tensor([0.5, 0.3, 0.15, 0.05])
    assert (apply_top_p(probs, 0.5) > 0).tolist() == [True, False, False, False]
    assert (apply_top_p(probs, 0.6) > 0).tolist() == [True, True, False, False]
    assert torch.allclose(apply_top_p(probs, 0.6), torch.tensor([0.625, 0.375, 0.0, 0.0]))


@pytest.mark.parametrize("penalty", [0.8, 1.3, 2.0])
def test_repetition_penalty_equals_transformers(penalty):
    from transformers import RepetitionPenaltyLogitsProcessor

    logits = random_logits(4)
    previous = torch.tensor([3, 17, 17, 150, 42])  # a repeated token is penalised once
    expected = RepetitionPenaltyLogitsProcessor(penalty)(previous[None], logits[None])[0]
    ours = penalize_repetition(logits, previous, penalty)
    assert torch.allclose(ours, expected)
    untouched = torch.ones(logits.numel(), dtype=torch.bool)
    untouched[previous] = False
    assert torch.equal(ours[untouched], logits[untouched])


def test_filters_refuse_bad_input():
    probs = torch.tensor([0.7, 0.2, 0.1])
    with pytest.raises(GenerationError, match="temperature"):
        apply_temperature(probs, 0)
    with pytest.raises(GenerationError, match="top_k"):
        apply_top_k(probs, 0)
    with pytest.raises(GenerationError, match="top_p"):
        apply_top_p(probs, 0)
    with pytest.raises(ValueError, match="softmax"):
        apply_top_k(torch.tensor([2.0, 1.0, -1.0]), 2)  # logits, not probabilities
    with pytest.raises(GenerationError, match="values in \\[0, 1\\]"):
        apply_top_p(torch.tensor([1.5, -0.5]), 0.9)  # sums to 1, but is no distribution
    with pytest.raises(GenerationError, match="top_k must be a whole number"):
        apply_top_k(probs, 2.5)
    with pytest.raises(GenerationError, match="temperature must be a finite number"):
        apply_temperature(probs, None)
    with pytest.raises(GenerationError, match="repetition_penalty"):
        penalize_repetition(torch.zeros(3), [0], 0)


def test_top_tokens_are_sorted_and_readable(gpt2):
    model, tokenizer = gpt2
    probs = next_token_distribution(model, tokenizer, PROMPT)
    pairs = top_tokens(probs, tokenizer, k=5)
    values = [p for _, p in pairs]
    assert len(pairs) == 5 and values == sorted(values, reverse=True)
    assert pairs[0][0] == repr(tokenizer.decode([int(probs.argmax())]))
    assert top_tokens(probs, tokenizer, k=1)[0][1] == pytest.approx(float(probs.max()))


def test_top_tokens_and_plot_filter_refuse_logits(gpt2):
    """Logits printed or plotted as "probabilities" would teach the wrong numbers."""
    model, tokenizer = gpt2
    logits = next_token_logits(model, tokenizer, PROMPT)
    probs = logits.softmax(-1)
    for not_probabilities in (logits, logits.log_softmax(-1)):
        with pytest.raises(GenerationError, match=r"probability vector.*softmax"):
            top_tokens(not_probabilities, tokenizer, k=2)
        with pytest.raises(GenerationError, match="Expected before"):
            plot_filter(not_probabilities, probs, tokenizer)
        with pytest.raises(GenerationError, match="Expected after"):
            plot_filter(probs, not_probabilities, tokenizer)
    with pytest.raises(GenerationError, match="same vocabulary"):
        plot_filter(probs, apply_top_k(probs[:10] / probs[:10].sum(), 3), tokenizer)
    with pytest.raises(GenerationError, match="k must be at least 1"):
        top_tokens(probs, tokenizer, k=0)


# --- describe_model ------------------------------------------------------------------------


def test_context_length_reads_each_architectures_name():
    from transformers import BloomConfig, GPT2Config, GPTNeoConfig, OPTConfig

    assert context_length(GPT2Config(n_positions=321)) == 321
    assert context_length(GPTNeoConfig(max_position_embeddings=654)) == 654
    assert context_length(OPTConfig(max_position_embeddings=987)) == 987
    assert context_length(BloomConfig()) is None
    assert "ALiBi" in position_scheme(BloomConfig())
    assert position_scheme(GPT2Config()).startswith("learned")


def test_describe_model(decoder):
    model, tokenizer = decoder
    row = describe_model(model, tokenizer)
    assert row["parameters"] == sum(p.numel() for p in model.parameters())
    assert row["vocab_size"] == model.get_input_embeddings().num_embeddings
    assert row["tokenizer_size"] == len(tokenizer)
    if model.config.model_type == "bloom":
        assert row["context_length"] is None and "ALiBi" in row["positions"]
    else:
        assert row["context_length"] == context_length(model.config) > 0
