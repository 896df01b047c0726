"""Unit tests of course_utils.attention_cost (notebook 16): formula, memory, fit, errors."""

from __future__ import annotations

import math
import time

import matplotlib
import pytest
import torch
import torch.nn.functional as F

from course_utils import attention_cost
from course_utils.attention_cost import (
    AttentionCost,
    AttentionCostError,
    best_times,
    check_sizes,
    explicit_attention,
    fit_slope,
    measure_attention,
    plot_attention_cost,
    score_matrix_bytes,
)
from course_utils.errors import CourseError

matplotlib.use("Agg")


def _qkv(n: int = 7, heads: int = 3, d: int = 5, seed: int = 0):
    generator = torch.Generator().manual_seed(seed)
    return tuple(torch.randn(2, heads, n, d, generator=generator) for _ in range(3))


def test_explicit_attention_is_the_formula_and_matches_torch():
    q, k, v = _qkv()
    output, weights = explicit_attention(q, k, v)
    by_hand = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(5), dim=-1)
    assert weights.shape == (2, 3, 7, 7)
    assert torch.allclose(weights, by_hand, atol=1e-6)
    assert torch.allclose(weights.sum(dim=-1), torch.ones(2, 3, 7), atol=1e-6)
    assert torch.allclose(output, F.scaled_dot_product_attention(q, k, v), atol=1e-5)


def test_explicit_attention_is_notebook_06s():
    from course_utils.lessons import scratch_bert

    assert explicit_attention is scratch_bert.explicit_attention  # one definition, the lesson's
    q, k, v = _qkv()
    with pytest.raises(RuntimeError):  # mismatched shapes: torch's own error
        explicit_attention(q, k[:, :, :5], v)


@pytest.mark.parametrize("n, heads, batch, size", [(1, 1, 1, 4), (128, 2, 1, 4), (100, 12, 3, 2)])
def test_score_matrix_bytes_is_batch_heads_n_squared_bytes(n, heads, batch, size):
    expected = batch * heads * n * n * size
    assert score_matrix_bytes(n, heads, batch, size) == expected
    real = torch.empty(batch, heads, n, n, dtype=torch.float32 if size == 4 else torch.float16)
    assert real.numel() * real.element_size() == expected


@pytest.mark.parametrize("bad", [0, -3, 2.5, True])
def test_score_matrix_bytes_refuses_nonsense(bad):
    with pytest.raises(AttentionCostError, match="at least 1"):
        score_matrix_bytes(bad)
    with pytest.raises(AttentionCostError):
        score_matrix_bytes(8, heads=bad)


def test_check_sizes_sorts_and_refuses_bad_lengths():
    assert check_sizes((256, 128, 512)) == [128, 256, 512]
    with pytest.raises(AttentionCostError, match="No sequence lengths"):
        check_sizes([])
    with pytest.raises(AttentionCostError, match="at least 1"):
        check_sizes([128, 0])
    with pytest.raises(AttentionCostError, match="at least 1"):
        check_sizes([-64])
    with pytest.raises(AttentionCostError, match="repeat"):
        check_sizes([64, 64])
    assert issubclass(AttentionCostError, CourseError) and issubclass(
        AttentionCostError, ValueError
    )


def test_default_sizes_span_the_issue_range_two_per_doubling():
    sizes = attention_cost.DEFAULT_SIZES
    assert sizes[0] == 128 and sizes[-1] == 4096
    assert check_sizes(sizes) == list(sizes)
    ratios = [b / a for a, b in zip(sizes, sizes[1:], strict=False)]
    assert all(1.40 < r < 1.43 for r in ratios)


def test_best_times_warms_up_and_keeps_the_fastest_call(monkeypatch):
    # Fake clocks that each call advances by a known (CPU, wall) cost: the warm-up is the fastest
    # call of all and must be ignored; the best CPU and best wall times come from different calls.
    clock = {"cpu": 100.0, "wall": 100.0}
    monkeypatch.setattr(time, "process_time", lambda: clock["cpu"])
    monkeypatch.setattr(time, "perf_counter", lambda: clock["wall"])
    costs = iter([(0.01, 0.01), (0.3, 0.5), (0.1, 0.4), (0.2, 0.2), (0.4, 0.6)])
    calls = []

    def call():
        cpu_cost, wall_cost = next(costs)
        clock["cpu"] += cpu_cost
        clock["wall"] += wall_cost
        calls.append(1)

    cpu, wall = best_times(call, repeat=4)
    assert len(calls) == 5  # one warm-up + four timed
    assert (cpu, wall) == (pytest.approx(0.1), pytest.approx(0.2))


def test_measure_attention_checks_the_score_memory_against_the_tensor():
    costs = measure_attention((16, 48, 32), heads=3, head_dim=8, repeat=1)
    assert [c.n for c in costs] == [16, 32, 48]  # sorted
    for cost in costs:
        assert cost.score_bytes == cost.tensor_bytes == 3 * cost.n * cost.n * 4
        assert cost.cpu_seconds >= 0 and cost.wall_seconds > 0
        assert cost.sdpa_cpu_seconds is not None and cost.sdpa_wall_seconds > 0
    without = measure_attention((16,), heads=1, head_dim=4, repeat=1, with_sdpa=False)
    assert without[0].sdpa_cpu_seconds is None and without[0].sdpa_wall_seconds is None


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"sizes": ()}, "No sequence lengths"),
        ({"sizes": (0, 16)}, "at least 1"),
        ({"sizes": (16,), "repeat": 0}, "repeat"),
        ({"sizes": (16,), "heads": 0}, "heads"),
        ({"sizes": (16,), "head_dim": -1}, "head_dim"),
    ],
)
def test_measure_attention_refuses_bad_settings(kwargs, message):
    with pytest.raises(AttentionCostError, match=message):
        measure_attention(**kwargs)


def test_fit_slope_reads_the_exponent_off_the_largest_sizes():
    sizes = [16, 32, 64, 128, 256, 512]
    # a fixed overhead that dominates small sizes, plus an n² term that dominates large ones
    seconds = [1e-5 + 1e-9 * n**2 for n in sizes]
    overall = fit_slope(sizes, seconds, largest=len(sizes))
    largest = fit_slope(sizes, seconds, largest=2)
    assert largest.sizes == (256, 512)
    assert overall.slope < 1.0 < largest.slope < 2.0
    exact = fit_slope(sizes, [3e-9 * n**2 for n in sizes], largest=3)
    assert exact.slope == pytest.approx(2.0)
    assert exact.predict(1024) == pytest.approx(3e-9 * 1024**2)


def test_fit_slope_pairs_times_with_their_sizes_whatever_the_order():
    sizes, seconds = [512, 128, 256], [512**3, 128**3, 256**3]
    assert fit_slope(sizes, seconds, largest=3).slope == pytest.approx(3.0)


@pytest.mark.parametrize(
    "sizes, seconds, largest, message",
    [
        ([8, 16], [1.0], 2, "must match"),
        ([8, 16, 32], [1.0, 2.0, 3.0], 1, "at least 2 points"),
        ([8, 16, 32], [1.0, 2.0, 3.0], 4, "at least 2 points"),
        ([8, 16], [1.0, 0.0], 2, "positive"),
        ([], [], 2, "No sequence lengths"),
    ],
)
def test_fit_slope_refuses_what_it_cannot_fit(sizes, seconds, largest, message):
    with pytest.raises(AttentionCostError, match=message):
        fit_slope(sizes, seconds, largest=largest)


def _costs():
    return [
        AttentionCost(n, 1e-9 * n**2, 2e-9 * n**2, 5e-10 * n**2, 6e-10 * n**2, 4 * n * n, 4 * n * n)
        for n in (64, 128, 256, 512)
    ]


def test_plot_attention_cost_draws_measurements_fit_and_reference():
    costs = _costs()
    fit = fit_slope([c.n for c in costs], [c.cpu_seconds for c in costs], largest=3)
    ax = plot_attention_cost(costs, fit, title="cost")
    labels = [line.get_label() for line in ax.get_lines()]
    assert len(labels) == 4 and any("slope 2.00" in label for label in labels)
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    assert list(ax.get_lines()[0].get_ydata()) == [c.cpu_seconds for c in costs]
    wall = plot_attention_cost(costs, fit, clock="wall")
    assert list(wall.get_lines()[0].get_ydata()) == [c.wall_seconds for c in costs]


def test_plot_attention_cost_refuses_bad_input():
    fit = fit_slope([1, 2], [1.0, 4.0], largest=2)
    with pytest.raises(AttentionCostError, match="No measurements"):
        plot_attention_cost([], fit)
    with pytest.raises(AttentionCostError, match="clock"):
        plot_attention_cost(_costs(), fit, clock="gpu")
