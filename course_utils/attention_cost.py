"""What self-attention costs as the text grows: time and memory of one layer, measured.

Self-attention compares every token with every other token, so a text of ``n`` tokens makes an
``n × n`` matrix of scores per head. Doubling the text should therefore make attention about four
times slower and four times hungrier for memory: time grows like ``n²``, a straight line of
slope 2 on a log-log plot. Notebook 16 checks this claim on the learner's own CPU instead of
asserting it, with the helpers here:

- ``explicit_attention``, built in notebook 06 (:mod:`course_utils.lessons.scratch_bert`), is the
  textbook formula ``softmax(QKᵀ/√d)·V`` that really builds the score matrix (as BERT and GPT-2
  implementations did for years);
- :func:`measure_attention` times it (and, for comparison, PyTorch's fused
  ``scaled_dot_product_attention``, which never stores the whole matrix) for several lengths, and
  checks the predicted size of the score matrix (:func:`score_matrix_bytes`) against the real
  tensor;
- :func:`fit_slope` fits the slope on log-log axes over the *largest* sizes, and
  :func:`plot_attention_cost` draws the measurements, the fitted line and an ``n²`` reference.

Why only the largest sizes: for short texts the arithmetic is so small that fixed costs
(Python, launching each operation, allocating memory) dominate, and those do not grow with
``n²``; the quadratic term only takes over once there is enough work per call.

Importing this module imports torch (for ``explicit_attention``); numpy and matplotlib load inside
the functions that need them.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from course_utils.errors import CourseError
from course_utils.lessons.scratch_bert import explicit_attention

if TYPE_CHECKING:
    import torch
    from matplotlib.axes import Axes

#: Lengths the notebook sweeps: 128 … 4096 tokens, two sizes per doubling (×√2 apart), so that
#: the largest sizes give several points for the fit.
DEFAULT_SIZES = (128, 181, 256, 362, 512, 724, 1024, 1448, 2048, 2896, 4096)


class AttentionCostError(CourseError, ValueError):
    """The sizes or settings given to a measurement make no sense (explained in the message)."""


def _check_positive(name: str, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise AttentionCostError(f"{name} must be a whole number of at least 1, not {value!r}.")
    return value


def check_sizes(sizes: Sequence[int]) -> list[int]:
    """The sequence lengths as a sorted list, refusing empty, repeated or non-positive ones.

    Sorting matters for the fit, which uses the *largest* sizes.
    """
    sizes = list(sizes)
    if not sizes:
        raise AttentionCostError(
            "No sequence lengths were given: pass some, e.g. sizes=(128, 256, 512, 1024)."
        )
    for size in sizes:
        _check_positive("Every sequence length n", size)
    if len(set(sizes)) != len(sizes):
        raise AttentionCostError(f"The sequence lengths {sizes} repeat a value: give each once.")
    return sorted(sizes)


def score_matrix_bytes(n: int, heads: int = 1, batch: int = 1, bytes_per_number: int = 4) -> int:
    """Bytes of the attention score matrices: ``batch × heads × n × n`` numbers.

    This is the memory that grows quadratically: the model's weights do not depend on ``n``, and
    the other activations (Q, K, V, the output) grow only linearly. ``bytes_per_number`` is 4
    for float32, 2 for float16/bfloat16.
    """
    for name, value in (("n", n), ("heads", heads), ("batch", batch)):
        _check_positive(name, value)
    _check_positive("bytes_per_number", bytes_per_number)
    return batch * heads * n * n * bytes_per_number


@dataclass(frozen=True)
class AttentionCost:
    """One sequence length: the time of one attention layer and the size of its score matrix.

    Times are the best of several calls, in two clocks. *CPU* time counts only the work this
    process did; *wall* time is what you wait, and on a busy machine it also contains the time
    the operating system gave to other programs.
    """

    n: int
    cpu_seconds: float  # explicit attention
    wall_seconds: float
    sdpa_cpu_seconds: float | None  # torch's fused scaled_dot_product_attention, if measured
    sdpa_wall_seconds: float | None
    score_bytes: int  # predicted by score_matrix_bytes
    tensor_bytes: int  # the real score tensor: numel() * element_size()


def best_times(function: Callable[[], object], repeat: int = 3) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of ``function``, each the best of ``repeat`` calls.

    The wall clock comes from :func:`course_utils.timing.best_time` (one warm-up call, then the
    fastest of ``repeat``); the processor time of the very same calls is read alongside. Why
    both: a long call on a shared machine is interrupted whenever another program gets the
    core, which inflates its wall time but not its CPU time. Short calls often slip in between,
    so wall times can exaggerate how fast the cost grows; CPU time measures the work itself.
    (With several threads, CPU time adds up the work of all of them.)
    """
    from course_utils.timing import best_time

    cpu: list[float] = []

    def timed() -> None:
        started = time.process_time()
        function()
        cpu.append(time.process_time() - started)

    wall = best_time(timed, repeat=repeat, warmup=1)
    return min(cpu[1:]), wall  # cpu[0] is the warm-up call


def measure_attention(
    sizes: Sequence[int] = DEFAULT_SIZES,
    heads: int = 2,
    head_dim: int = 128,
    repeat: int = 3,
    with_sdpa: bool = True,
    seed: int = 0,
) -> list[AttentionCost]:
    """Time one attention layer (batch 1) for each sequence length in ``sizes``.

    Every time is the best of ``repeat`` calls after a warm-up call (:func:`best_times`): the
    fastest run is the least disturbed by everything else the machine does. ``head_dim=128``
    (as in Llama and Mistral) gives each call enough arithmetic that, at the large sizes, the
    ``n²`` matrix products dominate memory traffic and fixed overheads.
    """
    import torch

    sizes = check_sizes(sizes)
    for name, value in (("heads", heads), ("head_dim", head_dim), ("repeat", repeat)):
        _check_positive(name, value)
    generator = torch.Generator().manual_seed(seed)
    with torch.inference_mode():
        return [_measure_one(n, heads, head_dim, repeat, with_sdpa, generator) for n in sizes]


def _measure_one(
    n: int, heads: int, head_dim: int, repeat: int, with_sdpa: bool, generator: torch.Generator
) -> AttentionCost:
    """One size of :func:`measure_attention`; its big tensors are freed when it returns."""
    import torch
    import torch.nn.functional as F

    q, k, v = (torch.randn(1, heads, n, head_dim, generator=generator) for _ in range(3))
    _, scores = explicit_attention(q, k, v)  # the (1, heads, n, n) weights it builds
    cpu, wall = best_times(lambda: explicit_attention(q, k, v), repeat)
    sdpa_cpu, sdpa_wall = (
        best_times(lambda: F.scaled_dot_product_attention(q, k, v), repeat)
        if with_sdpa
        else (None, None)
    )
    return AttentionCost(
        n=n,
        cpu_seconds=cpu,
        wall_seconds=wall,
        sdpa_cpu_seconds=sdpa_cpu,
        sdpa_wall_seconds=sdpa_wall,
        score_bytes=score_matrix_bytes(n, heads, 1, scores.element_size()),
        tensor_bytes=scores.numel() * scores.element_size(),
    )


@dataclass(frozen=True)
class SlopeFit:
    """A straight line ``log(seconds) = slope · log(n) + intercept`` through some sizes."""

    slope: float
    intercept: float
    sizes: tuple[int, ...]  # the sizes the line was fitted on

    def predict(self, n: float) -> float:
        """Seconds the fitted line predicts for length ``n``."""
        return math.exp(self.intercept) * n**self.slope


def fit_slope(sizes: Sequence[int], seconds: Sequence[float], largest: int = 5) -> SlopeFit:
    """Least-squares slope of ``log(seconds)`` against ``log(n)`` over the ``largest`` sizes.

    A cost that grows like ``n^p`` is a straight line of slope ``p`` on log-log axes, whatever
    its constant factor, so the slope reads the exponent off the measurements. Only the largest
    sizes are used: the small ones are dominated by fixed overheads (see the module docstring).
    """
    import numpy as np

    if len(sizes) != len(seconds):
        raise AttentionCostError(f"{len(sizes)} sizes but {len(seconds)} times: they must match.")
    check_sizes(sizes)
    pairs = sorted(zip(sizes, seconds, strict=True))
    if largest < 2 or largest > len(pairs):
        raise AttentionCostError(
            f"A slope needs at least 2 points: largest={largest} of {len(pairs)} sizes. "
            f"Choose 2 <= largest <= {len(pairs)} (measure more sizes if needed)."
        )
    if any(not t > 0 for _, t in pairs):
        raise AttentionCostError("Every time must be positive to take its logarithm.")
    chosen = pairs[-largest:]
    slope, intercept = np.polyfit(
        np.log([n for n, _ in chosen]), np.log([t for _, t in chosen]), deg=1
    )
    return SlopeFit(float(slope), float(intercept), tuple(n for n, _ in chosen))


def plot_attention_cost(
    costs: Sequence[AttentionCost],
    fit: SlopeFit,
    clock: str = "cpu",
    ax: Axes | None = None,
    title: str = "",
) -> Axes:
    """Log-log plot: measured times, the fitted line over its sizes, and an ``n²`` reference.

    ``clock`` picks the times to draw (``"cpu"`` or ``"wall"``; see :class:`AttentionCost`);
    draw the clock the fit was made on. The ``n²`` reference goes through the largest
    measurement, so the gap between it and the small sizes shows the fixed overhead.
    """
    import matplotlib.pyplot as plt
    import numpy as np

    if clock not in ("cpu", "wall"):
        raise AttentionCostError(f"clock must be 'cpu' or 'wall', not {clock!r}.")
    if not costs:
        raise AttentionCostError("No measurements to plot: run measure_attention(...) first.")
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4.5))
    sizes = np.array([c.n for c in costs], dtype=float)
    explicit = np.array([getattr(c, f"{clock}_seconds") for c in costs])
    ax.plot(sizes, explicit, "o-", label="explicit softmax(QKᵀ/√d)·V")
    fused = [getattr(c, f"sdpa_{clock}_seconds") for c in costs]
    if all(t is not None for t in fused):
        ax.plot(sizes, fused, "s-", alpha=0.7, label="torch scaled_dot_product_attention")
    fitted = np.array(fit.sizes, dtype=float)
    ax.plot(
        fitted,
        [fit.predict(n) for n in fitted],
        "-",
        color="tab:red",
        linewidth=4,
        alpha=0.5,
        label=f"fit on n = {fit.sizes[0]}…{fit.sizes[-1]}: slope {fit.slope:.2f}",
    )
    ax.plot(
        sizes, explicit[-1] * (sizes / sizes[-1]) ** 2, "--", color="grey", label="n² (slope 2)"
    )
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xticks(sizes, [str(c.n) for c in costs], rotation=45, fontsize=8)
    ax.minorticks_off()
    ax.set_xlabel("sequence length n (tokens)")
    ax.set_ylabel(f"{'CPU' if clock == 'cpu' else 'wall-clock'} seconds per attention layer")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return ax
