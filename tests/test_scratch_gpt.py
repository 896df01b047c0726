"""The from-scratch GPT-2 of notebook 07b computes and generates what GPT2LMHeadModel does."""

from __future__ import annotations

import pytest
import torch

from course_utils.scratch_gpt import (
    GenerationError,
    ScratchGPT,
    ScratchGPTConfig,
    WeightLoadingError,
    causal_mask,
    generate,
    generate_greedy,
    hf_gpt2_key_map,
    load_hf_gpt2_weights,
)

GPT2_ID = "gpt2"
PROMPTS = [
    "Once upon a time, there was a little girl",
    "The dog ran",
    "Tom and his mom went to the park to play with a big red ball. Then Tom",
]
N_NEW = 40
TINY_SIZES = {"vocab_size": 50, "n_positions": 16, "n_embd": 16, "n_layer": 2, "n_head": 4}
TINY = ScratchGPTConfig(**TINY_SIZES)


@pytest.fixture(scope="module")
def gpt2():
    """Hugging Face's GPT2LMHeadModel (the offline stand-in) and its tokenizer."""
    from transformers import AutoTokenizer, GPT2LMHeadModel

    model = GPT2LMHeadModel.from_pretrained(GPT2_ID).eval()
    tokenizer = AutoTokenizer.from_pretrained(GPT2_ID)
    tokenizer.pad_token = tokenizer.eos_token
    return model, tokenizer


@pytest.fixture(scope="module")
def scratch(gpt2):
    hf_model, _ = gpt2
    model = ScratchGPT(ScratchGPTConfig.from_hf(hf_model.config)).eval()
    assert load_hf_gpt2_weights(model, hf_model.state_dict()) == []
    return model


def tokenize(tokenizer, texts, side="right"):
    tokenizer.padding_side = side
    return tokenizer(texts, padding=True, return_tensors="pt")


def tiny_model(seed: int = 0) -> ScratchGPT:
    torch.manual_seed(seed)
    return ScratchGPT(TINY).eval()


def hf_state_of(model: ScratchGPT) -> dict[str, torch.Tensor]:
    """A from-scratch model's weights under Hugging Face GPT2Model names (Conv1D layout)."""
    ours = model.state_dict()
    return {
        theirs: ours[name].T if name.startswith("blocks.") and ours[name].dim() == 2 else ours[name]
        for name, theirs in hf_gpt2_key_map(model.config.n_layer).items()
    }


def test_logits_match_hugging_face_on_a_padded_batch(gpt2, scratch):
    hf_model, tokenizer = gpt2
    batch = tokenize(tokenizer, PROMPTS)
    assert (batch["attention_mask"] == 0).any(), "the batch must contain padding"
    with torch.no_grad():
        expected = hf_model(**batch).logits
        ours, _ = scratch(batch["input_ids"], attention_mask=batch["attention_mask"])
    # Every position, padding included (right padding: padded queries still see real keys).
    assert (ours - expected).abs().max() <= 1e-4


def test_logits_match_hugging_face_unpadded(gpt2, scratch):
    hf_model, tokenizer = gpt2
    for text in PROMPTS:
        ids = tokenizer(text, return_tensors="pt")["input_ids"]
        with torch.no_grad():
            expected = hf_model(ids).logits
            ours, _ = scratch(ids)
        assert ours.shape == expected.shape == (1, ids.size(1), hf_model.config.vocab_size)
        assert (ours - expected).abs().max() <= 1e-4


def test_the_tolerance_catches_exact_gelu(gpt2, scratch, monkeypatch):
    """BERT's erf GELU instead of GPT-2's tanh one is a real bug the 1e-4 test must see."""
    import course_utils.scratch_gpt as scratch_gpt

    hf_model, tokenizer = gpt2
    ids = tokenizer(PROMPTS[0], return_tensors="pt")["input_ids"]
    real_gelu = torch.nn.functional.gelu
    monkeypatch.setattr(scratch_gpt.F, "gelu", lambda x, approximate="none": real_gelu(x))
    with torch.no_grad():
        difference = (scratch(ids)[0] - hf_model(ids).logits).abs().max()
    assert difference > 1e-4


def test_greedy_generation_equals_hugging_face_generate(gpt2, scratch):
    hf_model, tokenizer = gpt2
    eos = hf_model.generation_config.eos_token_id
    for text in PROMPTS:
        batch = tokenizer(text, return_tensors="pt")
        expected = hf_model.generate(**batch, do_sample=False, max_new_tokens=N_NEW)
        cached = generate_greedy(scratch, batch["input_ids"], N_NEW, eos_token_id=eos)
        uncached = generate_greedy(
            scratch, batch["input_ids"], N_NEW, use_cache=False, eos_token_id=eos
        )
        assert expected.size(1) > batch["input_ids"].size(1) + 5, "the test needs new tokens"
        assert torch.equal(cached, expected)
        assert torch.equal(uncached, expected)


def test_batched_left_padded_generation_equals_hugging_face(gpt2, scratch):
    hf_model, tokenizer = gpt2
    batch = tokenize(tokenizer, PROMPTS, side="left")
    expected = hf_model.generate(**batch, do_sample=False, max_new_tokens=N_NEW)
    for use_cache in (True, False):
        ours = generate_greedy(
            scratch,
            batch["input_ids"],
            N_NEW,
            use_cache=use_cache,
            attention_mask=batch["attention_mask"],
            eos_token_id=hf_model.generation_config.eos_token_id,
        )
        assert torch.equal(ours, expected)


def test_without_eos_exactly_max_new_tokens_are_added(scratch, gpt2):
    _, tokenizer = gpt2
    ids = tokenizer(PROMPTS[1], return_tensors="pt")["input_ids"]
    out = generate_greedy(scratch, ids, 25)
    assert out.shape == (1, ids.size(1) + 25)
    assert torch.equal(out[:, : ids.size(1)], ids)


def test_cache_shapes_and_cached_step_equals_full_forward(scratch, gpt2):
    _, tokenizer = gpt2
    batch = tokenize(tokenizer, PROMPTS[:1] * 2)["input_ids"]
    config = scratch.config
    prompt, last = batch[:, :-1], batch[:, -1:]
    with torch.no_grad():
        full, full_past = scratch(batch)
        _, past = scratch(prompt)
        step, new_past = scratch(last, past)
    assert len(past) == len(new_past) == config.n_layer
    for (key, value), (new_key, new_value) in zip(past, new_past, strict=True):
        assert key.shape == value.shape == (2, config.n_head, prompt.size(1), config.head_size)
        assert (
            new_key.shape == new_value.shape == (2, config.n_head, batch.size(1), config.head_size)
        )
        assert torch.equal(new_key[:, :, :-1], key)  # the old entries are kept as they were
    assert step.shape == (2, 1, config.vocab_size)
    assert (step[:, 0] - full[:, -1]).abs().max() <= 1e-4
    assert (new_past[-1][1] - full_past[-1][1]).abs().max() <= 1e-5


def test_last_only_returns_the_last_position(scratch):
    ids = torch.tensor([[5, 6, 7, 8]])
    with torch.no_grad():
        full, _ = scratch(ids)
        last, _ = scratch(ids, last_only=True)
    assert last.shape == (1, 1, scratch.config.vocab_size)
    assert torch.allclose(last[0, 0], full[0, -1], atol=1e-5)


def test_causal_mask():
    assert causal_mask(3, 3).tolist() == [[1, 0, 0], [1, 1, 0], [1, 1, 1]]
    # Two new queries after three cached tokens: positions 3 and 4.
    assert causal_mask(2, 5).tolist() == [[1, 1, 1, 1, 0], [1, 1, 1, 1, 1]]


def test_a_later_token_never_changes_earlier_logits():
    model = tiny_model()
    ids = torch.tensor([[1, 2, 3, 4, 5]])
    changed = ids.clone()
    changed[0, 3] = 40
    with torch.no_grad():
        before, after = model(ids)[0], model(changed)[0]
    assert torch.equal(before[0, :3], after[0, :3])
    assert not torch.allclose(before[0, 3:], after[0, 3:], atol=1e-4)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"max_new_tokens": 0}, "max_new_tokens must be a positive"),
        ({"max_new_tokens": -3}, "max_new_tokens must be a positive"),
        ({"do_sample": True, "temperature": 0.0}, "temperature must be above 0"),
        ({"do_sample": True, "top_p": 0.0}, r"top_p must be in \(0, 1\]"),
        ({"do_sample": True, "top_p": 1.5}, r"top_p must be in \(0, 1\]"),
        ({"do_sample": True, "top_k": 0}, "top_k must be at least 1"),
        ({"max_new_tokens": 13}, "shorten the prompt|Shorten the prompt"),
        # Sampling settings without do_sample=True are refused, not silently ignored.
        ({"temperature": 0.7}, "temperature only change"),
        ({"top_k": 5}, "top_k only change"),
        ({"top_p": 0.9, "temperature": 2.0}, "temperature, top_p only change"),
    ],
)
def test_bad_generation_settings_are_refused(options, message):
    prompt = torch.tensor([[1, 2, 3, 4]])  # 4 + 13 > TINY's 16 positions
    options = {"max_new_tokens": 5, **options}
    with pytest.raises(GenerationError, match=message):
        generate(tiny_model(), prompt, **options)


def test_bad_prompts_are_refused():
    model = tiny_model()
    with pytest.raises(GenerationError, match="positions"):
        model(torch.zeros(1, TINY.n_positions + 1, dtype=torch.long))
    with pytest.raises(GenerationError, match="positions"):
        generate_greedy(model, torch.zeros(1, TINY.n_positions + 1, dtype=torch.long), 1)
    with pytest.raises(GenerationError, match="padding_side = 'left'"):
        generate_greedy(
            model, torch.tensor([[1, 2, 0]]), 2, attention_mask=torch.tensor([[1, 1, 0]])
        )
    with pytest.raises(GenerationError, match="at least one token"):
        generate_greedy(model, torch.zeros(1, 0, dtype=torch.long), 2)
    with pytest.raises(GenerationError, match="never samples"):
        generate_greedy(model, torch.tensor([[1]]), 2, do_sample=True)
    with pytest.raises(GenerationError, match="temperature only change"):
        generate_greedy(model, torch.tensor([[1]]), 2, temperature=0.7)
    with pytest.raises(GenerationError, match="not the whole encoding"):
        generate_greedy(model, {"input_ids": torch.tensor([[1]])}, 2)
    # A prompt that exactly fills the context with the new tokens is fine.
    assert generate_greedy(model, torch.tensor([[1, 2, 3, 4]]), 12).shape == (1, 16)


def test_sampling_is_reproducible_and_its_limits_work():
    model = tiny_model()
    prompt = torch.tensor([[1, 2, 3]])
    greedy = generate_greedy(model, prompt, 10)

    def sample(seed, **options):
        generator = torch.Generator().manual_seed(seed)
        return generate(model, prompt, 10, do_sample=True, generator=generator, **options)

    assert torch.equal(sample(0, temperature=1.5), sample(0, temperature=1.5))
    assert not torch.equal(sample(0, temperature=5.0), sample(1, temperature=5.0))
    # Keeping only the best token (top_k=1, or a tiny top_p) is greedy decoding again.
    assert torch.equal(sample(3, top_k=1, temperature=5.0), greedy)
    assert torch.equal(sample(4, top_p=1e-6, temperature=5.0), greedy)

    def outside_top_10(tokens: torch.Tensor) -> int:
        """How many new tokens were not among the 10 most likely at their step."""
        with torch.no_grad():
            logits = model(tokens)[0][0]
        return sum(
            int(tokens[0, step] not in logits[step - 1].topk(10).indices)
            for step in range(prompt.size(1), tokens.size(1))
        )

    # At temperature 5 the distribution is nearly flat over 50 tokens: without top_k the same
    # seed leaves the top 10 often, with top_k=10 (and a top_p on top) never.
    assert outside_top_10(sample(5, temperature=5.0)) > 0
    assert outside_top_10(sample(5, temperature=5.0, top_k=10, top_p=0.9)) == 0


def test_generation_restores_training_mode():
    model = tiny_model().train()
    generate_greedy(model, torch.tensor([[1, 2]]), 3)
    assert model.training


def test_round_trip_through_the_key_map_and_hugging_face():
    from transformers import GPT2Config, GPT2LMHeadModel, GPT2Model

    source = tiny_model(1)
    hf_state = hf_state_of(source)
    hf_model = GPT2Model(GPT2Config(**TINY_SIZES)).eval()
    hf_model.load_state_dict(hf_state, strict=False)  # buffers may be absent
    target = tiny_model(2)
    assert load_hf_gpt2_weights(target, hf_model.state_dict()) == []
    ids = torch.randint(0, TINY.vocab_size, (2, 6))
    with torch.no_grad():
        assert torch.equal(source(ids)[0], target(ids)[0])
        lm = GPT2LMHeadModel(GPT2Config(**TINY_SIZES)).eval()
        lm.transformer.load_state_dict(hf_state, strict=False)
        lm.tie_weights()
        assert (lm(ids).logits - target(ids)[0]).abs().max() <= 1e-5


def test_missing_key_is_named_and_nothing_changes():
    target = tiny_model(2)
    hf_state = hf_state_of(tiny_model(1))
    del hf_state["h.1.attn.c_attn.weight"]
    with pytest.raises(WeightLoadingError, match=r"h\.1\.attn\.c_attn\.weight"):
        load_hf_gpt2_weights(target, hf_state)
    assert torch.equal(target.token.weight, tiny_model(2).token.weight)


def test_unexpected_and_untied_keys_are_named(gpt2):
    hf_model, _ = gpt2
    shallow = ScratchGPT(ScratchGPTConfig.from_hf(hf_model.config, n_layer=2))
    with pytest.raises(WeightLoadingError, match=r"h\.2\."):
        load_hf_gpt2_weights(shallow, hf_model.state_dict())
    unused = load_hf_gpt2_weights(shallow, hf_model.state_dict(), strict=False)
    assert unused and all(k.startswith("h.2.") for k in unused)
    untied = dict(hf_model.state_dict())
    untied["lm_head.weight"] = untied["lm_head.weight"] + 1
    with pytest.raises(WeightLoadingError, match=r"lm_head\.weight"):
        load_hf_gpt2_weights(ScratchGPT(ScratchGPTConfig.from_hf(hf_model.config)), untied)


def test_shape_mismatch_is_named(gpt2):
    hf_model, _ = gpt2
    wide = ScratchGPT(ScratchGPTConfig.from_hf(hf_model.config, n_inner=256))
    with pytest.raises(WeightLoadingError, match=r"mlp\.up\.weight needs \(256, 128\)"):
        load_hf_gpt2_weights(wide, hf_model.state_dict())
    with pytest.raises(TypeError, match="ScratchGPT"):
        load_hf_gpt2_weights(torch.nn.Linear(2, 2), {})
    with pytest.raises(TypeError, match=r"pass its weights: .*hf_model\.state_dict\(\)"):
        load_hf_gpt2_weights(wide, hf_model)


def test_the_conv1d_weights_are_transposed(gpt2, scratch):
    hf_model, _ = gpt2
    conv = hf_model.transformer.h[0].mlp.c_fc
    assert conv.weight.shape == (128, 512)  # Conv1D: (in, out)
    assert torch.equal(scratch.blocks[0].mlp.up.weight, conv.weight.T)


def test_config_copies_and_checks_hugging_face_fields(gpt2):
    from transformers import GPT2Config

    hf_model, _ = gpt2
    config = ScratchGPTConfig.from_hf(hf_model.config)
    assert (config.n_embd, config.n_layer, config.head_size, config.inner_size) == (128, 3, 32, 512)
    with pytest.raises(ValueError, match="divisible"):
        ScratchGPTConfig(n_embd=10, n_head=4)
    with pytest.raises(ValueError, match="gelu_new"):
        ScratchGPTConfig(activation_function="relu")
    with pytest.raises(ValueError, match="scale_attn_by_inverse_layer_idx"):
        ScratchGPTConfig.from_hf(GPT2Config(scale_attn_by_inverse_layer_idx=True))
