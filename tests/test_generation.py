"""Notebook 07's decoding filters (course_utils.lessons.decoding) and its table and plot helpers.

The filters are built in the notebook's cells; here each is checked against the logits processor
``transformers`` itself applies inside ``generate``.
"""

from __future__ import annotations

import pytest
import torch

from course_utils.generation import describe_model, plot_filter, position_scheme
from course_utils.lessons.decoding import (
    apply_temperature,
    penalize_repetition,
    top_k_filter,
    top_p_filter,
)

DECODERS = [
    "openai-community/gpt2",
    "EleutherAI/gpt-neo-125m",
    "facebook/opt-125m",
    "bigscience/bloom-560m",
]


@pytest.fixture(scope="module", params=DECODERS)
def decoder(request):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model = AutoModelForCausalLM.from_pretrained(request.param).eval()
    return model, AutoTokenizer.from_pretrained(request.param)


@pytest.fixture(scope="module")
def gpt2_tokenizer():
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(DECODERS[0])


def random_logits(seed: int, size: int = 200) -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(size, generator=generator) * 3


# --- the filters equal transformers' own ------------------------------------------------------


@pytest.mark.parametrize("temperature", [0.3, 0.7, 1.0, 1.8])
@pytest.mark.parametrize("seed", [0, 1])
def test_temperature_equals_transformers(temperature, seed):
    from transformers import TemperatureLogitsWarper

    logits = random_logits(seed)
    expected = TemperatureLogitsWarper(temperature)(None, logits[None])[0].softmax(-1)
    assert torch.allclose(apply_temperature(logits.softmax(-1), temperature), expected, atol=1e-6)


def test_temperature_zero_is_refused():
    with pytest.raises(AssertionError, match="greedy"):
        apply_temperature(torch.tensor([0.7, 0.2, 0.1]), 0)


@pytest.mark.parametrize("k", [1, 5, 50, 200])
@pytest.mark.parametrize("seed", [0, 1])
def test_top_k_equals_transformers(k, seed):
    from transformers import TopKLogitsWarper

    logits = random_logits(seed)
    expected = TopKLogitsWarper(k)(None, logits[None])[0].softmax(-1)
    ours = top_k_filter(logits.softmax(-1), k)
    assert torch.allclose(ours, expected, atol=1e-6)
    assert int((ours > 0).sum()) == k


def test_top_k_keeps_ties_with_the_kth_token():
    kept = top_k_filter(torch.tensor([0.4, 0.2, 0.2, 0.1, 0.1]), 2)
    assert torch.allclose(kept, torch.tensor([0.5, 0.25, 0.25, 0.0, 0.0]))


@pytest.mark.parametrize("p", [0.05, 0.3, 0.5, 0.9, 0.99])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_top_p_equals_transformers(p, seed):
    from transformers import TopPLogitsWarper

    logits = random_logits(seed)
    expected = TopPLogitsWarper(p)(None, logits[None])[0].softmax(-1)
    ours = top_p_filter(logits.softmax(-1), p)
    assert torch.equal(ours > 0, expected > 0)
    assert torch.allclose(ours, expected, atol=1e-6)


def test_top_p_keeps_the_fewest_tokens_that_reach_p():
    probs = torch.tensor([0.5, 0.3, 0.15, 0.05])
    assert (top_p_filter(probs, 0.5) > 0).tolist() == [True, False, False, False]
    assert (top_p_filter(probs, 0.6) > 0).tolist() == [True, True, False, False]
    assert torch.allclose(top_p_filter(probs, 0.6), torch.tensor([0.625, 0.375, 0.0, 0.0]))


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


# --- the plot of what a filter keeps --------------------------------------------------------------


def test_plot_filter_draws_the_top_tokens_before_and_after(gpt2_tokenizer):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    tokenizer = gpt2_tokenizer
    probs = random_logits(5, size=len(tokenizer)).softmax(-1)
    after = top_k_filter(probs, 3)
    ax = plot_filter(probs, after, tokenizer, k=6, title="top-3")
    before_bars, after_bars = ax.containers
    top = probs.topk(6)
    assert [bar.get_height() for bar in before_bars] == pytest.approx(top.values.tolist())
    assert [bar.get_height() for bar in after_bars] == pytest.approx(after[top.indices].tolist())
    assert sum(bar.get_height() > 0 for bar in after_bars) == 3  # the cut tokens show no bar
    assert [label.get_text() for label in ax.get_xticklabels()] == [
        repr(tokenizer.decode([i])) for i in top.indices.tolist()
    ]
    with pytest.raises(AssertionError, match="filter the distribution"):
        plot_filter(probs, after[:10], tokenizer)
    plt.close("all")


# --- describe_model ------------------------------------------------------------------------


def test_position_scheme_names_each_architectures_positions():
    from transformers import BloomConfig, GPT2Config

    assert "ALiBi" in position_scheme(BloomConfig())
    assert position_scheme(GPT2Config()).startswith("learned")
    assert position_scheme(object()) == "unknown"


def test_describe_model(decoder):
    model, tokenizer = decoder
    row = describe_model(model, tokenizer)
    assert row["parameters"] == sum(p.numel() for p in model.parameters())
    assert row["vocab_size"] == model.get_input_embeddings().num_embeddings
    assert row["tokenizer_size"] == len(tokenizer)
    config = model.config
    if config.model_type == "bloom":
        assert row["context_length"] is None and "ALiBi" in row["positions"]
    else:  # the architecture's own name for its position table
        expected = getattr(config, "n_positions", None) or config.max_position_embeddings
        assert row["context_length"] == expected > 0
    assert "model" not in row  # the caller names the model
