"""The city map as a static image for slides, drawn without a browser (matplotlib, no tiles).

Drawn in EPSG:4549 metres so the scale bar is true. The same drawing is the
atlas's city page map (:func:`draw_city_map`).
"""

from __future__ import annotations

import io

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from export.captions import date_line, notices, plan_words, source_lines, wan
from export.data import ExportData
from export.fonts import cjk_style
from export.mapdraw import (
    county_colours,
    county_labels,
    draw_counties,
    draw_legend,
    draw_parks,
    fit_extent,
    legend_handles,
    north_arrow,
    scale_bar,
)
from export.text import drawable, literal_text
from geo.analysis.dashboard import headline
from geo.schema import SQM_PER_WAN_SQM
from geo.words import subtitle_key, t

PNG_SIZE_IN = (16.0, 9.0)  # slide shape
PNG_DPI = 160  # 2560 x 1440 px
NOTICE_RED = "#b71c1c"


def max_floor_area(data: ExportData) -> float:
    """Return the floor area that gets the largest circle (fixed across maps of one export)."""
    floor = data.parks["floor_area_m2"].astype("float64")
    return float(floor.max()) if len(floor) and floor.max() > 0 else 1.0


def draw_city_map(ax: Axes, data: ExportData, *, label_size: float, px_to_pt: float) -> None:
    """Draw the six counties coloured by floor area % of quota, parks by status and size, scale bar and north arrow."""
    pct = data.view["floor_pct"].to_numpy(dtype="float64")
    draw_counties(ax, data.counties, colours=county_colours(pct))
    if len(data.parks_on_date):
        draw_parks(ax, data.parks_on_date, max_floor_area_m2=max_floor_area(data), px_to_pt=px_to_pt)
    names = [data.county_name(a) for a in data.view["adcode"]]
    labels = [f"{n}\n{p:.0f}%" if p == p else n for n, p in zip(names, pct, strict=True)]
    county_labels(ax, data.counties, labels, fontsize=label_size)
    fit_extent(ax, data.counties.to_crs("EPSG:4549").total_bounds, pad=0.03)
    scale_bar(ax, lang=data.lang, fontsize=label_size * 0.75)
    north_arrow(ax, fontsize=label_size * 0.9)


def headline_lines(data: ExportData, *, adcode: str | None = None) -> list[str]:
    """Return the area's parks and floor area against target, time elapsed and whether on track."""
    head = headline(data.progress, adcode=adcode)
    lang = data.lang
    if head.final:
        state = t("final_met" if head.parks_met and head.floor_met else "final_not_met", lang)
    elif head.parks_on_track is None:
        state = "—"  # before the plan started
    else:
        state = t("on_track_yes" if head.parks_on_track and head.floor_on_track else "on_track_no", lang)
    pipeline = t("pipeline_value", lang, parks=f"{head.pipeline_parks:,.0f}", floor=wan(head.pipeline_floor_area_m2))
    return [
        f"{t('parks', lang)}  {head.parks:,.0f} / {head.parks_target:,.0f}  ({head.parks_pct:.0f}%)",
        f"{t('floor_area', lang)}  {wan(head.floor_area_m2)} / {head.floor_area_target_m2 / SQM_PER_WAN_SQM:,.0f}  ({head.floor_pct:.0f}%)",
        f"{t('time_elapsed', lang)}  {head.time_elapsed_share:.0%} · {state}",
        f"{t('pipeline_short', lang)}  {pipeline}",
    ]


def city_figure(data: ExportData) -> Figure:
    """Return the slide-shaped city map figure (16 x 9 in): title, map, legend, headline, sources, notices."""
    fig = Figure(figsize=PNG_SIZE_IN, dpi=PNG_DPI, facecolor="white")
    fig.text(0.02, 0.95, t("city_title", data.lang, **plan_words(data)), fontsize=28, fontweight="bold", va="center")
    subtitle = t(subtitle_key(data.targets), data.lang, **plan_words(data))
    fig.text(
        0.02,
        0.905,
        f"{date_line(data)}  |  {subtitle}",
        fontsize=13,
        color="#455a64",
        va="center",
    )
    ax = fig.add_axes((0.01, 0.1, 0.66, 0.77))
    draw_city_map(ax, data, label_size=17, px_to_pt=0.9)
    legend_ax = fig.add_axes((0.69, 0.31, 0.3, 0.57))
    legend_ax.set_axis_off()
    handles, labels = legend_handles(lang=data.lang, max_floor_area_m2=max_floor_area(data), px_to_pt=0.9)
    draw_legend(legend_ax, handles, labels, fontsize=12.5)
    for i, line in enumerate(headline_lines(data)):
        fig.text(0.695, 0.27 - i * 0.04, line, fontsize=14, va="center", color="#263238")
    for i, line in enumerate(source_lines(data)):
        fig.text(0.02, 0.07 - i * 0.027, drawable(line), fontsize=11, color="#455a64", va="center")
    for i, line in enumerate(notices(data)):
        fig.text(0.98, 0.07 - i * 0.027, line, fontsize=12, color=NOTICE_RED, ha="right", va="center", fontweight="bold")
    return fig


def city_png(data: ExportData, *, dpi: int = PNG_DPI) -> bytes:
    """Return the city map as PNG bytes (16 x 9 in; 2560 x 1440 px at the default ``dpi``)."""
    if dpi * PNG_SIZE_IN[0] < 2400:
        msg = f"dpi={dpi} gives an image {dpi * PNG_SIZE_IN[0]:.0f} px wide; slides need at least 2400 px (dpi >= 150)."
        raise ValueError(msg)
    with cjk_style(), literal_text():
        fig = city_figure(data)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=dpi, facecolor="white")
    return buffer.getvalue()
