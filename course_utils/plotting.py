"""Plots the notebooks share: attention masks and weights, probabilities, timings.

Each function draws on a Matplotlib ``Axes`` (a new figure if none is given) and returns it, so a
notebook can combine several plots in one figure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.ticker import MaxNLocator


def _as_array(matrix: Any) -> np.ndarray:
    """NumPy view of a list, array or (CPU) torch tensor."""
    if hasattr(matrix, "detach"):
        matrix = matrix.detach().cpu().numpy()
    return np.asarray(matrix, dtype=float)


def _labelled_matrix(
    matrix: Any, rows: Sequence[str], cols: Sequence[str], row_name: str, col_name: str
) -> np.ndarray:
    """The matrix as an array, refusing one whose shape does not fit its labels."""
    values = _as_array(matrix)
    if values.shape != (len(rows), len(cols)):
        raise ValueError(
            f"The matrix is {values.shape[0]}×{values.shape[1]} but there are {len(rows)} "
            f"{row_name} and {len(cols)} {col_name}: they must match."
        )
    return values


def plot_attention(
    matrix: Any,
    query_tokens: Sequence[str],
    key_tokens: Sequence[str] | None = None,
    title: str = "",
    ax: Axes | None = None,
    binary: bool = False,
) -> Axes:
    """Heatmap of who attends to whom: rows are queries (the token being computed), columns keys.

    Args:
        matrix: shape (len(query_tokens), len(key_tokens)); a 0/1 mask or attention weights.
        binary: draw a mask (allowed / blocked) instead of a weight scale.
    """
    key_tokens = list(key_tokens if key_tokens is not None else query_tokens)
    values = _labelled_matrix(matrix, query_tokens, key_tokens, "query tokens", "key tokens")
    if ax is None:
        _, ax = plt.subplots(figsize=(0.45 * len(key_tokens) + 2, 0.45 * len(query_tokens) + 1.5))
    image = ax.imshow(values, cmap="Blues", vmin=0, vmax=1 if binary else None)
    ax.set_xticks(range(len(key_tokens)), key_tokens, rotation=60, ha="right", fontsize=8)
    ax.set_yticks(range(len(query_tokens)), query_tokens, fontsize=8)
    ax.set_xlabel("attends to (keys)")
    ax.set_ylabel("token being computed (queries)")
    ax.set_title(title)
    if not binary:
        ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    return ax


def plot_attention_masks(masks: Mapping[str, tuple[Any, Sequence[str], Sequence[str]]]) -> Any:
    """Several masks side by side: ``{title: (mask, query_tokens, key_tokens)}``."""
    figure, axes = plt.subplots(1, len(masks), figsize=(5.2 * len(masks), 5), squeeze=False)
    for ax, (title, (mask, queries, keys)) in zip(axes[0], masks.items(), strict=True):
        plot_attention(mask, queries, keys, title=title, ax=ax, binary=True)
    figure.tight_layout()
    return figure


def plot_bars(
    labels: Sequence[str],
    values: Sequence[float],
    title: str = "",
    xlabel: str = "",
    ax: Axes | None = None,
    fmt: str = "{:.3f}",
) -> Axes:
    """Horizontal bar chart with each value written at the end of its bar."""
    if len(labels) != len(values):
        raise ValueError(f"{len(labels)} labels but {len(values)} values: they must match.")
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 0.5 * len(labels) + 1.2))
    bars = ax.barh(list(labels), list(values), color="tab:blue")
    ax.bar_label(bars, [fmt.format(v) for v in values], padding=3, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    ax.margins(x=0.15)
    return ax


def plot_similarity_matrix(
    matrix: Any,
    row_labels: Sequence[str],
    col_labels: Sequence[str] | None = None,
    title: str = "",
    ax: Axes | None = None,
    vmin: float = -1.0,
    vmax: float = 1.0,
) -> Axes:
    """Heatmap of pairwise (cosine) similarities with each value written in its cell.

    The colour scale is fixed (by default the whole cosine range, -1 to 1) rather than stretched
    to the data, so heatmaps of different models can be compared by eye: a model whose every
    cell is dark red rates every pair as similar.
    """
    col_labels = list(col_labels if col_labels is not None else row_labels)
    values = _labelled_matrix(matrix, row_labels, col_labels, "row labels", "column labels")
    if ax is None:
        _, ax = plt.subplots(figsize=(0.6 * len(col_labels) + 2.5, 0.5 * len(row_labels) + 1.5))
    image = ax.imshow(values, cmap="RdBu_r", vmin=vmin, vmax=vmax)
    for (row, col), value in np.ndenumerate(values):
        strong = abs(value - (vmin + vmax) / 2) > 0.3 * (vmax - vmin)
        ax.text(
            col,
            row,
            f"{value:.2f}",
            ha="center",
            va="center",
            fontsize=7,
            color="white" if strong else "black",
        )
    ax.set_xticks(range(len(col_labels)), col_labels, rotation=60, ha="right", fontsize=8)
    ax.set_yticks(range(len(row_labels)), row_labels, fontsize=8)
    ax.set_title(title)
    ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    return ax


def plot_loss_curves(
    curves: Mapping[str, Sequence[tuple[int, float]]],
    title: str = "",
    ax: Axes | None = None,
) -> Axes:
    """Training loss against training step, one line per run: ``{name: [(step, loss), ...]}``.

    Runs share one axes so that their speed of learning can be compared at a glance; a short
    run (a few points) gets markers, so that it is not mistaken for a straight line.
    """
    if not curves:
        raise ValueError("No curves were given: pass {name: [(step, loss), ...]}.")
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    for name, points in curves.items():
        if not points:
            raise ValueError(f"The curve {name!r} has no points: log the loss while training.")
        steps, losses = zip(*points, strict=True)
        ax.plot(steps, losses, marker="o" if len(points) <= 30 else None, markersize=3, label=name)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # steps are whole numbers
    ax.set_xlabel("training step")
    ax.set_ylabel("training loss")
    ax.set_ylim(bottom=0)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return ax


#: Memory of the places learners often run notebooks, in GiB (what the runtime reports).
MEMORY_LIMITS_GIB = {"Colab T4 GPU (15 GiB)": 15.0, "free Colab RAM (12.7 GiB)": 12.7}


def plot_memory_bars(
    estimates: Sequence[Any],
    limits: Mapping[str, float] | None = None,
    labels: Sequence[str] | None = None,
    title: str = "",
    ax: Axes | None = None,
) -> Axes:
    """Stacked bars (weights + KV cache, in GiB) per estimate, against devices' memory lines.

    Why: "does it fit?" is answered at a glance when the bar crosses the line, and the two
    colours show which part to shrink (quantise the weights, or shorten the context).

    Args:
        estimates: objects with ``weights`` and ``kv_cache`` in bytes and a ``dtype``, such as
            the results of ``course_utils.memory.estimate_memory``.
        limits: ``{label: GiB}`` drawn as dashed lines; defaults to :data:`MEMORY_LIMITS_GIB`.
        labels: one per bar; defaults to each estimate's dtype.
    """
    if not estimates:
        raise ValueError("No estimates were given: pass the results of estimate_memory(...).")
    labels = list(labels if labels is not None else [e.dtype for e in estimates])
    if len(labels) != len(estimates):
        raise ValueError(f"{len(labels)} labels but {len(estimates)} estimates: they must match.")
    limits = MEMORY_LIMITS_GIB if limits is None else limits
    weights = np.array([e.weights for e in estimates], dtype=float) / 2**30
    kv_cache = np.array([e.kv_cache for e in estimates], dtype=float) / 2**30
    if ax is None:
        _, ax = plt.subplots(figsize=(1.2 * len(labels) + 3.5, 4))
    positions = np.arange(len(labels))
    ax.bar(positions, weights, color="tab:blue", label="weights")
    bars = ax.bar(positions, kv_cache, bottom=weights, color="tab:orange", label="KV cache")
    ax.bar_label(bars, [f"{total:.1f}" for total in weights + kv_cache], padding=2, fontsize=8)
    for (name, gib), style in zip(limits.items(), ["--", ":", "-.", "-"] * 4, strict=False):
        ax.axhline(gib, color="tab:red", linestyle=style, linewidth=1.2, label=name)
    ax.set_xticks(positions, labels)
    ax.set_ylabel("memory (GiB)")
    ax.set_ylim(0, 1.15 * max([*(weights + kv_cache), *limits.values()]))
    ax.set_title(title)
    ax.legend(fontsize=8, loc="upper right")
    return ax
