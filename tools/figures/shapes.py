"""The drawing helpers every figure module uses: a canvas, boxes, arrows, lines, token rows, cells,
circles and attention masks, in one palette.

This module draws no figure of its own, so it defines no ``FIGURES`` and tools/make_figures.py
passes it over. Positions and sizes are in the canvas's data units (``unit`` inches each); the
looks that should not depend on the unit (corner rounding, padding, label offsets) are in inches.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import matplotlib.pyplot as plt
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch, Patch, Rectangle

# One palette: the same colour means the same kind of thing in every diagram.
WHITE = "#ffffff"  # text a person reads, inputs and outputs
BLUE = "#d6e6f5"  # encoders, bidirectional stacks, the network, feed-forward layers
ORANGE = "#fbe3cc"  # decoders, causal attention, set-up
GREEN = "#d9ecd0"  # heads, post-processing, trained parts
VIOLET = "#e8e0f3"  # tokenizers, ids, embeddings
GREY = "#ececec"  # layer norms, pooling, what stays fixed
VECTOR = "#9ec1e3"  # a token's vector, cached keys and values
EDGE = "#444444"  # outlines and arrows
NOTE = "#1f4e79"  # notes beside the drawing
ACCENT = "#b45f06"  # the one thing a diagram is about (this step, the repeat count)
RED = "#b03030"  # cross-attention, errors
PINK = "#f7d6d6"  # cross-attention boxes, refusals
PURPLE = "#5b3f8c"  # tied weights


class Canvas:
    """A figure with one bare axes whose data units are ``unit`` inches each, x and y alike, so
    boxes keep their proportions; the axes run from 0 to ``width / unit`` and ``height / unit``."""

    def __init__(self, width: float, height: float, unit: float = 1.0) -> None:
        self.figure, self.ax = plt.subplots(figsize=(width, height))
        self.unit = unit
        self.ax.set_xlim(0, width / unit)
        self.ax.set_ylim(0, height / unit)
        self.ax.set_aspect("equal")
        self.ax.axis("off")

    def inches(self, length: float) -> float:
        """A length given in inches, in data units."""
        return length / self.unit

    def _add(
        self, patch: Patch, color: str, edge: str, linewidth: float, dashed: bool = False
    ) -> None:
        """Fill, outline and add a patch; drawings may reach past the axes (never clipped)."""
        patch.set(
            facecolor=color,
            edgecolor=edge,
            linewidth=linewidth,
            linestyle="--" if dashed else "-",
            clip_on=False,
        )
        self.ax.add_patch(patch)

    def box(
        self,
        x: float,
        y: float,
        w: float,
        h: float,
        text: str = "",
        color: str = WHITE,
        *,
        size: float = 9,
        weight: str = "normal",
        align: str = "center",
        edge: str = EDGE,
        linewidth: float = 1.0,
        dashed: bool = False,
        rounding: float = 0.08,
        pad: float = 0.02,
    ) -> None:
        """A rounded box with its lower left corner at (x, y) and ``text`` in the middle (or at
        the left, ``align="left"``). ``color="none"`` draws only the outline (a frame)."""
        style = f"round,pad={self.inches(pad)},rounding_size={self.inches(rounding)}"
        self._add(FancyBboxPatch((x, y), w, h, boxstyle=style), color, edge, linewidth, dashed)
        if text:
            tx = x + w / 2 if align == "center" else x + self.inches(0.1)
            self.ax.text(tx, y + h / 2, text, ha=align, va="center", fontsize=size, weight=weight)

    def frame(
        self,
        x: float,
        y: float,
        w: float,
        h: float,
        *,
        edge: str = NOTE,
        fill: str = "none",
        linewidth: float = 1.2,
    ) -> None:
        """A dashed frame around a group: a part drawn once and repeated, or what one call runs."""
        self.box(x, y, w, h, color=fill, edge=edge, linewidth=linewidth, dashed=True, rounding=0.12)

    def arrow(
        self,
        start: tuple[float, float],
        end: tuple[float, float],
        label: str = "",
        *,
        color: str = EDGE,
        width: float = 1.0,
        dashed: bool = False,
        rad: float = 0.0,
        size: float = 8,
        offset: float = 0.12,
    ) -> None:
        """An arrow from ``start`` to ``end`` (bent by ``rad``), with an optional ``label``
        ``offset`` inches above its middle."""
        self.ax.add_patch(
            FancyArrowPatch(
                start,
                end,
                arrowstyle="-|>",
                mutation_scale=10,
                color=color,
                linewidth=width,
                linestyle="--" if dashed else "-",
                connectionstyle=f"arc3,rad={rad}",
                shrinkA=0,
                shrinkB=0,
                clip_on=False,
            )
        )
        if label:
            mx, my = (start[0] + end[0]) / 2, (start[1] + end[1]) / 2
            self.ax.text(
                mx,
                my + self.inches(offset),
                label,
                ha="center",
                va="bottom",
                fontsize=size,
                color=NOTE,
            )

    def line(
        self,
        xs: Sequence[float],
        ys: Sequence[float],
        *,
        color: str = EDGE,
        width: float = 1.0,
        dashed: bool = False,
        alpha: float = 1.0,
    ) -> None:
        """A line without a head, through the points (xs[i], ys[i])."""
        self.ax.plot(
            xs,
            ys,
            color=color,
            linewidth=width,
            linestyle="--" if dashed else "-",
            alpha=alpha,
            clip_on=False,
        )

    def feed(self, xs: Sequence[float], bottom: float, top: float) -> None:
        """Plain vertical lines from token boxes up into a stack (heads would only repeat the
        direction every other arrow shows)."""
        for x in xs:
            self.line([x, x], [bottom, top])

    def cell(
        self,
        x: float,
        y: float,
        w: float,
        h: float,
        color: str,
        *,
        edge: str = EDGE,
        linewidth: float = 1.0,
        hatch: str | None = None,
    ) -> None:
        """A plain rectangle: a token, a vector, a cell of a tensor or a mask."""
        self._add(Rectangle((x, y), w, h, hatch=hatch), color, edge, linewidth)

    def circle(
        self, x: float, y: float, r: float, text: str, color: str = WHITE, *, size: float = 8
    ) -> None:
        """A circle centred on (x, y) with ``text`` in it, drawn over lines that end at it."""
        self.ax.add_patch(Circle((x, y), r, facecolor=color, edgecolor=EDGE, linewidth=1, zorder=3))
        self.ax.text(x, y, text, ha="center", va="center", fontsize=size, zorder=4)

    def plus(self, x: float, y: float, r: float) -> None:
        """An addition (a residual, or two branches summed): a circled plus."""
        self.circle(x, y, r, "+", size=12)

    def tokens(
        self,
        x: float,
        y: float,
        tokens: Sequence[str],
        *,
        width: float,
        height: float,
        gap: float,
        colors: Sequence[str] | None = None,
        size: float = 8,
    ) -> list[float]:
        """A row of small token boxes starting at x; returns their centres' x positions."""
        centres = []
        for k, token in enumerate(tokens):
            left = x + k * (width + gap)
            color = colors[k] if colors else WHITE
            self.box(left, y, width, height, token, color, size=size, rounding=0.04, pad=0.005)
            centres.append(left + width / 2)
        return centres

    def mask(
        self,
        x: float,
        y: float,
        cell: float,
        rows: int,
        cols: int,
        allowed: Callable[[int, int], bool],
        row_labels: Sequence[str] = (),
        col_labels: Sequence[str] = (),
    ) -> None:
        """An attention mask: a row per query (top to bottom), a column per key; dark cells are
        the keys a query may attend to."""
        for i in range(rows):
            for j in range(cols):
                color = "#3b6ea5" if allowed(i, j) else "#f4f4f4"
                top = y + (rows - 1 - i) * cell
                self.cell(x + j * cell, top, cell, cell, color, edge=WHITE)
        for i, label in enumerate(row_labels):
            row_y = y + (rows - 1 - i + 0.5) * cell
            self.ax.text(x - self.inches(0.04), row_y, label, ha="right", va="center", fontsize=7)
        for j, label in enumerate(col_labels):
            col_x = x + (j + 0.5) * cell
            self.ax.text(
                col_x, y - self.inches(0.05), label, ha="center", va="top", fontsize=7, rotation=90
            )
