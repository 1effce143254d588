"""Parks appearing quarter by quarter, as an animated GIF for the meeting pack (``parks.gif``).

One frame per quarter end from the plan's start to the as-of date: the
counties, and the parks counted on that date (status from their dates, as
the map of that date shows them), with the quarter and the city's count and
floor area in the frame's title. The last frame stays longer. Drawn with
matplotlib (no browser, no tiles) and put together with Pillow.
"""

from __future__ import annotations

import io
from datetime import date

import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from export.captions import notices, wan
from export.data import ExportData
from export.fonts import cjk_style
from export.mapdraw import county_labels, draw_counties, draw_parks, fit_extent, scale_bar
from export.static_map import max_floor_area
from export.text import drawable
from geo.analysis.dashboard import status_as_of
from geo.reporting.lines import period_label
from geo.reporting.periods import period_of, periods_between
from geo.words import t

FRAME_SIZE_IN = (8.0, 6.0)
FRAME_DPI = 110  # 880 x 660 px: light enough for a slide deck
FRAME_MS, LAST_FRAME_MS = 700, 3000
MAX_FRAMES = 40  # ten years of quarters
COUNTY_FILL = "#e3eaf2"


def quarter_ends(data: ExportData) -> list[date]:
    """The quarter ends the animation shows: from the plan's first quarter to the as-of date (the last 40 at most)."""
    first, last = period_of(data.targets.period_start), period_of(data.as_of)
    ends = [p.end for p in periods_between(first, last) if p.end <= data.as_of] if last >= first else []
    return ends[-MAX_FRAMES:] or [data.as_of]


def counted_on(data: ExportData, day: date) -> pd.DataFrame:
    """The parks counted on ``day`` (their status then is one of the export's statuses), with that status."""
    parks = data.parks.assign(status=status_as_of(data.parks, as_of=day))
    return parks[parks["status"].isin(list(data.statuses))]


def _frame(data: ExportData, day: date, *, top_m2: float) -> Image.Image:
    parks = counted_on(data, day)
    fig = Figure(figsize=FRAME_SIZE_IN, dpi=FRAME_DPI, facecolor="white")
    ax = fig.add_axes((0.02, 0.08, 0.96, 0.78))
    ax.set_axis_off()
    draw_counties(ax, data.counties, colours=[COUNTY_FILL] * len(data.counties))
    if len(parks):
        draw_parks(ax, parks, max_floor_area_m2=top_m2, px_to_pt=0.5)
    county_labels(ax, data.counties, [data.county_name(str(a)) for a in data.counties["adcode"]], fontsize=9)
    fit_extent(ax, data.counties.to_crs("EPSG:4549").total_bounds, pad=0.03)
    scale_bar(ax, lang=data.lang, fontsize=8)
    label = period_label(period_of(day), data.lang)
    floor = wan(float(pd.to_numeric(parks["floor_area_m2"], errors="coerce").sum()))
    fig.text(0.03, 0.94, drawable(t("gif_title", data.lang, period=label)), fontsize=17, fontweight="bold", va="center")
    fig.text(0.03, 0.885, drawable(t("gif_counts", data.lang, parks=f"{len(parks):,}", floor=floor)), fontsize=12, va="center")
    lines = notices(data)
    if lines:
        fig.text(0.03, 0.03, drawable(" · ".join(lines)), fontsize=8, color="#b71c1c", va="bottom")
    buffer = io.BytesIO()
    FigureCanvasAgg(fig).print_png(buffer)
    buffer.seek(0)
    return Image.open(buffer).convert("P", palette=Image.Palette.ADAPTIVE, colors=128)


def parks_gif(data: ExportData) -> bytes:
    """Return the animated GIF of parks appearing quarter by quarter up to the as-of date.

    Parameters
    ----------
    data
        The export inputs (the register, counties, statuses counted, plan, language).

    Returns
    -------
    bytes
        A looping GIF, one frame per quarter end, the last frame held for three seconds.
    """
    days = quarter_ends(data)
    top = max_floor_area(data)
    with cjk_style():
        frames = [_frame(data, day, top_m2=top) for day in days]
    durations = [FRAME_MS] * (len(frames) - 1) + [LAST_FRAME_MS]
    out = io.BytesIO()
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:], duration=durations, loop=0, optimize=False)
    return out.getvalue()
