"""The from-scratch GPT-2 of notebook 08 computes and generates what GPT2LMHeadModel does."""

from __future__ import annotations

import pytest
import torch

from course_utils.lessons.scratch_gpt import (
    CausalSelfAttention,
    ScratchGPT,
    ScratchGPTConfig,
    causal_mask,
    generate,
    load_hf_gpt2_weights,
    top_k_top_p,
)

GPT2_ID = "openai-community/gpt2"
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
    model = ScratchGPT(ScratchGPTConfig.from_hf(hf_model.config))
    load_hf_gpt2_weights(model, hf_model.state_dict())
    return model


def tiny_model(seed: int = 0) -> ScratchGPT:
    torch.manual_seed(seed)
    return ScratchGPT(TINY)


def test_logits_match_hugging_face_on_a_right_padded_batch(gpt2, scratch):
    hf_model, tokenizer = gpt2
    batch = tokenizer(PROMPTS, padding=True, return_tensors="pt")
    real = batch["attention_mask"].bool()
    assert not real.all(), "the batch must contain padding"
    with torch.no_grad():
        expected = hf_model(**batch).logits
        ours, _ = scratch(batch["input_ids"])
    assert ours.shape == expected.shape
    # Real tokens only: right padding comes after them, so the causal mask keeps it out of view.
    assert (ours - expected)[real].abs().max() <= 1e-4


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
    from course_utils.lessons import scratch_gpt

    hf_model, tokenizer = gpt2
    ids = tokenizer(PROMPTS[0], return_tensors="pt")["input_ids"]
    real_gelu = torch.nn.functional.gelu
    monkeypatch.setattr(scratch_gpt.F, "gelu", lambda x, approximate="none": real_gelu(x))
    with torch.no_grad():
        difference = (scratch(ids)[0] - hf_model(ids).logits).abs().max()
    assert difference > 1e-4


def test_a_forgotten_transpose_shows_in_the_logits_only(gpt2, scratch):
    hf_model, tokenizer = gpt2
    broken = ScratchGPT(scratch.config)
    load_hf_gpt2_weights(broken, hf_model.state_dict())
    with torch.no_grad():
        broken.h[0].attn.c_proj.weight.copy_(hf_model.transformer.h[0].attn.c_proj.weight)
        ids = tokenizer(PROMPTS[0], return_tensors="pt")["input_ids"]
        assert (broken(ids)[0] - hf_model(ids).logits).abs().max() > 1e-2


def test_greedy_generation_equals_hugging_face_generate(gpt2, scratch):
    hf_model, tokenizer = gpt2
    eos = hf_model.generation_config.eos_token_id
    for text in PROMPTS:
        batch = tokenizer(text, return_tensors="pt")
        expected = hf_model.generate(
            **batch, pad_token_id=eos, do_sample=False, max_new_tokens=N_NEW
        )
        cached = generate(scratch, batch["input_ids"], N_NEW, eos_token_id=eos)
        uncached = generate(scratch, batch["input_ids"], N_NEW, use_cache=False, eos_token_id=eos)
        assert expected.size(1) > batch["input_ids"].size(1) + 5, "the test needs new tokens"
        assert torch.equal(cached, expected)
        assert torch.equal(uncached, expected)


def test_eos_stops_and_pads_a_batch_like_hugging_face(gpt2, scratch):
    """A row that wrote eos is padded with it, the others go on, and all done means stop."""
    hf_model, tokenizer = gpt2
    n = min(len(tokenizer(text)["input_ids"]) for text in PROMPTS[:2])
    prompts = torch.tensor([tokenizer(text)["input_ids"][:n] for text in PROMPTS[:2]])
    free = generate(scratch, prompts, 20)[:, n:]  # no eos: 20 tokens each

    def first(row: int, token: int) -> int:
        hits = (free[row] == token).nonzero()
        return int(hits[0]) if len(hits) else free.size(1)

    # An "eos" that row 0 writes before row 1 does, so row 0 must be padded while row 1 goes on.
    eos = next(int(t) for t in free[0] if first(0, int(t)) < first(1, int(t)))
    expected = hf_model.generate(
        prompts,
        attention_mask=torch.ones_like(prompts),
        eos_token_id=eos,
        pad_token_id=eos,
        do_sample=False,
        max_new_tokens=20,
    )
    for use_cache in (True, False):
        ours = generate(scratch, prompts, 20, use_cache=use_cache, eos_token_id=eos)
        assert torch.equal(ours, expected)
    stop = first(0, eos)
    assert (ours[0, n + stop :] == eos).all() and ours.size(1) > n + stop + 1  # padded
    assert ours.size(1) == n + min(20, first(1, eos) + 1)  # stopped when row 1 was done too


def test_without_eos_exactly_max_new_tokens_are_added(scratch, gpt2):
    _, tokenizer = gpt2
    ids = tokenizer(PROMPTS[1], return_tensors="pt")["input_ids"]
    out = generate(scratch, ids, 25)
    assert out.shape == (1, ids.size(1) + 25)
    assert torch.equal(out[:, : ids.size(1)], ids)


def test_cache_shapes_and_cached_step_equals_full_forward(scratch, gpt2):
    _, tokenizer = gpt2
    batch = tokenizer(PROMPTS[:1] * 2, return_tensors="pt")["input_ids"]
    config = scratch.config
    head_size = config.n_embd // config.n_head
    prompt, last = batch[:, :-1], batch[:, -1:]
    with torch.no_grad():
        full, full_past = scratch(batch)
        _, past = scratch(prompt)
        step, new_past = scratch(last, past)
    assert len(past) == len(new_past) == config.n_layer
    for (key, value), (new_key, new_value) in zip(past, new_past, strict=True):
        assert key.shape == value.shape == (2, config.n_head, prompt.size(1), head_size)
        assert new_key.shape == new_value.shape == (2, config.n_head, batch.size(1), head_size)
        assert torch.equal(new_key[:, :, :-1], key)  # the old entries are kept as they were
    assert step.shape == (2, 1, config.vocab_size)
    assert (step[:, 0] - full[:, -1]).abs().max() <= 1e-4
    assert (new_past[-1][1] - full_past[-1][1]).abs().max() <= 1e-5


def test_attention_in_two_steps_with_a_cache_equals_one_step():
    torch.manual_seed(0)
    attention = CausalSelfAttention(TINY)
    x = torch.randn(2, 7, TINY.n_embd)
    with torch.no_grad():
        whole, (keys, values) = attention(x)
        first, past = attention(x[:, :4])
        rest, (cached_keys, _) = attention(x[:, 4:], past)
    assert torch.allclose(torch.cat([first, rest], dim=1), whole, atol=1e-6)
    assert torch.allclose(cached_keys, keys, atol=1e-6)
    assert keys.shape == values.shape == (2, TINY.n_head, 7, TINY.n_embd // TINY.n_head)


def test_causal_mask():
    for T, P in [(1, 0), (3, 0), (2, 3), (1, 5), (4, 2)]:
        mask = causal_mask(T, P)
        assert mask.shape == (T, P + T) and mask.dtype == torch.bool
        # Query i is token P + i: it sees exactly keys 0 … P + i.
        assert mask.tolist() == [[j <= P + i for j in range(P + T)] for i in range(T)]


def test_a_later_token_never_changes_earlier_logits():
    model = tiny_model()
    ids = torch.tensor([[1, 2, 3, 4, 5]])
    changed = ids.clone()
    changed[0, 3] = 40
    with torch.no_grad():
        before, after = model(ids)[0], model(changed)[0]
    assert torch.equal(before[0, :3], after[0, :3])
    assert not torch.allclose(before[0, 3:], after[0, 3:], atol=1e-4)


def test_a_prompt_longer_than_the_positions_fails():
    with pytest.raises(AssertionError, match="positions"):
        tiny_model()(torch.zeros(1, TINY.n_positions + 1, dtype=torch.long))
    # A prompt that exactly fills the context with the new tokens is fine.
    assert generate(tiny_model(), torch.tensor([[1, 2, 3, 4]]), 12).shape == (1, 16)


@pytest.mark.parametrize("seed", range(5))
def test_top_k_and_top_p_keep_what_the_hugging_face_warpers_keep(seed):
    from transformers.generation.logits_process import TopKLogitsWarper, TopPLogitsWarper

    logits = torch.randn(3, 200, generator=torch.Generator().manual_seed(seed)) * 3
    for top_k in (1, 10, 200, 500):  # HF keeps every token when k exceeds the vocabulary, too
        expected = TopKLogitsWarper(top_k)(None, logits)
        assert torch.equal(top_k_top_p(logits, top_k, None), expected)
    for top_p in (1e-6, 0.5, 0.9, 0.99):
        kept = top_k_top_p(logits, None, top_p).isfinite()
        assert torch.equal(kept, TopPLogitsWarper(top_p)(None, logits).isfinite())
        # The smallest set of best tokens whose probability reaches top_p.
        probabilities = logits.softmax(-1)
        assert ((probabilities * kept).sum(-1) >= top_p).all()
    assert torch.equal(top_k_top_p(logits, None, None), logits)
    # Both filters: top-p then cuts among the top_k survivors, as HF's warpers in that order do.
    both = TopPLogitsWarper(0.9)(None, TopKLogitsWarper(10)(None, logits)).isfinite()
    assert torch.equal(top_k_top_p(logits, 10, 0.9).isfinite(), both)


def test_top_k_zero_is_refused_with_the_way_to_keep_every_token():
    with pytest.raises(AssertionError, match="top_k=None keeps every token"):
        top_k_top_p(torch.randn(2, 10), 0, None)


def _argmax_continuation(model, prompt: torch.Tensor, n: int) -> torch.Tensor:
    """n tokens, each the argmax of the whole text so far: greedy decoding, written plainly."""
    tokens = prompt
    with torch.no_grad():
        for _ in range(n):
            tokens = torch.cat([tokens, model(tokens)[0][:, -1].argmax(-1, keepdim=True)], dim=1)
    return tokens[0, prompt.size(1) :]


def test_sampling_is_reproducible_and_its_limits_work():
    model = tiny_model()
    prompt = torch.tensor([[1, 2, 3]])
    greedy = generate(model, prompt, 10)

    def sample(seed, **options):
        generator = torch.Generator().manual_seed(seed)
        return generate(model, prompt, 10, generator=generator, **{"top_k": None, **options})

    assert torch.equal(sample(0, temperature=1.5), sample(0, temperature=1.5))
    assert not torch.equal(sample(0, temperature=5.0), sample(1, temperature=5.0))
    # Keeping only the best token (top_k=1, or a tiny top_p) is greedy decoding again: with
    # generate's default top_k=1, temperature and top_p change nothing.
    assert torch.equal(sample(3, top_k=1, temperature=5.0), greedy)
    assert torch.equal(generate(model, prompt, 10, temperature=5.0, top_p=0.99), greedy)
    assert torch.equal(sample(4, top_p=1e-6, temperature=5.0), greedy)
    assert torch.equal(greedy[0, 3:], _argmax_continuation(model, prompt, 10))
    # Cache or none, a seeded draw picks the same tokens.
    assert torch.equal(sample(6, temperature=2.0), sample(6, temperature=2.0, use_cache=False))

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


def test_loading_a_hugging_face_gpt2_of_any_size():
    """from_hf copies every size, the epsilon included (a wrong one shows in the logits)."""
    from transformers import GPT2Config, GPT2LMHeadModel

    torch.manual_seed(1)
    hf_model = GPT2LMHeadModel(GPT2Config(**TINY_SIZES, layer_norm_epsilon=1e-2)).eval()
    ours = ScratchGPT(ScratchGPTConfig.from_hf(hf_model.config))
    load_hf_gpt2_weights(ours, hf_model.state_dict())
    ids = torch.randint(0, TINY.vocab_size, (2, 6))
    with torch.no_grad():
        assert (ours(ids)[0] - hf_model(ids).logits).abs().max() <= 1e-5
    # GPT2Model's keys (no "transformer." prefix, no lm_head) load the same way.
    again = ScratchGPT(ours.config)
    load_hf_gpt2_weights(again, hf_model.transformer.state_dict())
    default_eps = tiny_model()  # GPT-2's epsilon, 1e-5, instead of the checkpoint's
    load_hf_gpt2_weights(default_eps, hf_model.state_dict())
    with torch.no_grad():
        assert torch.equal(again(ids)[0], ours(ids)[0])
        assert (default_eps(ids)[0] - hf_model(ids).logits).abs().max() > 1e-4


def test_loading_needs_every_weight(gpt2):
    hf_model, _ = gpt2
    state = dict(hf_model.state_dict())
    del state["transformer.h.1.mlp.c_fc.weight"]
    with pytest.raises(RuntimeError, match=r"h\.1\.mlp\.c_fc\.weight"):
        load_hf_gpt2_weights(ScratchGPT(ScratchGPTConfig.from_hf(hf_model.config)), state)


def test_the_conv1d_weights_are_transposed_and_the_head_is_tied(gpt2, scratch):
    hf_model, _ = gpt2
    conv = hf_model.transformer.h[0].mlp.c_fc
    assert conv.weight.shape == (scratch.config.n_embd, 4 * scratch.config.n_embd)  # (in, out)
    assert torch.equal(scratch.h[0].mlp.c_fc.weight, conv.weight.T)
    assert torch.equal(scratch.wte.weight, hf_model.lm_head.weight)
    count = sum(p.numel() for p in scratch.parameters())
    assert count == sum(p.numel() for p in hf_model.parameters())


def test_config_refuses_what_this_gpt2_does_not_compute():
    """Another activation or MLP width would load without error and give wrong logits."""
    from transformers import GPT2Config

    with pytest.raises(AssertionError, match="tanh GELU"):
        ScratchGPTConfig.from_hf(GPT2Config(**TINY_SIZES, activation_function="relu"))
    with pytest.raises(AssertionError, match="4H"):
        ScratchGPTConfig.from_hf(GPT2Config(**TINY_SIZES, n_inner=3 * TINY.n_embd))
    assert ScratchGPTConfig.from_hf(GPT2Config(**TINY_SIZES, n_inner=4 * TINY.n_embd)) == TINY
