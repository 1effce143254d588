"""Tables drawn as real text on matplotlib axes (vector, extractable in the PDF)."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from export.text import drawable

HEADER_FILL = "#37474f"
STRIPE_FILL = "#f1f4f6"
MIN_FONT_PT = 4.5


@dataclass(frozen=True)
class Column:
    """One table column: header, width in inches and alignment ("left", "right", "center")."""

    header: str
    width_in: float
    align: str = "right"


def text_width_em(text: str) -> float:
    """Return the approximate width of ``text`` in ems (CJK characters are one em, others about half)."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WFA" else 0.56 for ch in text)


def fitted_size(text: str, *, width_in: float, fontsize: float) -> float:
    """Return ``fontsize`` reduced just enough for ``text`` to fit in ``width_in`` (not below 4.5 pt)."""
    needed_pt = text_width_em(text) * fontsize
    available_pt = width_in * 72 - 4
    return fontsize if needed_pt <= available_pt else max(MIN_FONT_PT, fontsize * available_pt / needed_pt)


def rows_that_fit(*, height_in: float, row_height_pt: float) -> int:
    """Return how many body rows fit under the header in ``height_in``."""
    return max(1, int(height_in * 72 / row_height_pt + 1e-6) - 1)


def draw_table(
    ax: Axes,
    columns: Sequence[Column],
    rows: Sequence[Sequence[str]],
    *,
    fontsize: float,
    row_height_pt: float,
    colours: Sequence[str | None] | None = None,
) -> None:
    """Draw a header row and ``rows`` from the top of ``ax`` (axis turned off; coordinates in inches).

    ``colours`` optionally gives a text colour per row.
    """
    box = ax.get_position()
    fig_w, fig_h = cast(Figure, ax.figure).get_size_inches()
    width_in, height_in = box.width * fig_w, box.height * fig_h
    ax.set_xlim(0, width_in)
    ax.set_ylim(0, height_in)
    ax.set_axis_off()
    row_in = row_height_pt / 72
    total_w = sum(c.width_in for c in columns)
    for i, cells in enumerate([[c.header for c in columns], *rows]):
        top = height_in - i * row_in
        fill = HEADER_FILL if i == 0 else (STRIPE_FILL if i % 2 == 0 else None)
        if fill:
            ax.add_patch(Rectangle((0, top - row_in), total_w, row_in, facecolor=fill, edgecolor="none", zorder=0))
        colour = "white" if i == 0 else ((colours[i - 1] if colours else None) or "#212121")
        _draw_row(ax, columns, cells, top=top - row_in / 2, fontsize=fontsize, colour=colour, bold=i == 0)


def _draw_row(ax: Axes, columns: Sequence[Column], cells: Sequence[str], *, top: float, fontsize: float, colour: str, bold: bool) -> None:
    left = 0.0
    for column, cell in zip(columns, cells, strict=True):
        pad = 0.03
        x = {"left": left + pad, "right": left + column.width_in - pad, "center": left + column.width_in / 2}[column.align]
        text = drawable(cell)
        size = fitted_size(text, width_in=column.width_in, fontsize=fontsize)
        weight = "bold" if bold else "normal"
        ax.text(x, top, text, ha=column.align, va="center", fontsize=size, color=colour, fontweight=weight)
        left += column.width_in
