"""The dashboard's current view as a file: exactly what is on screen, as PNG (slides) and PDF (print).

The drilled county (or the city), the choropleth measure, the layers shown (parks, density hexagons,
clusters, coverage gaps), the statuses counted and the industry filter (already applied to the parks
given), the date and the language. The title and the data line are the dashboard header's own words;
the synthetic sample carries its notice. Drawn with matplotlib in EPSG:4549 metres (true scale bar), every
text from data drawn as given (no mathtext), the PDF's text extractable.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from export.atlas_parts import CONTEXT_FILL, short_name
from export.captions import notices, source_lines
from export.data import ExportData
from export.fonts import cjk_style
from export.mapdraw import (
    FILL_ALPHA,
    county_labels,
    draw_counties,
    draw_legend,
    draw_parks,
    fit_extent,
    label_parks,
    legend_handles,
    marker_sizes_pt2,
    north_arrow,
    scale_bar,
)
from export.static_map import PNG_DPI, PNG_SIZE_IN, headline_lines, max_floor_area
from export.text import drawable, literal_text
from geo.analysis.dashboard import measure_values
from geo.crs import to_metric
from geo.words import measure_label
from layers.counties import pct_class_colour, ramp_colour
from layers.enterprises import CLUSTER_COLOUR, GAP_COLOUR, density_classes

PCT_MEASURES = ("pct_floor_quota", "pct_parks_quota")
NOTICE_RED = "#b71c1c"
PX_TO_PT = 0.9
CHOROPLETH_ROWS = 7  # legend_handles' first rows: the measure's title, five classes, no quota
LABELLED_PARKS_MAX = 60  # a county view labels its parks; the city view has too many


@dataclass(frozen=True)
class ViewSpec:
    """What the dashboard shows besides the data: which county, the measure, the layers, and the header's words."""

    title: str  # the dashboard's title
    area: str  # the city or the drilled county, as the header names it
    data_line: str  # the header's line: "统计日期 … · 数据：… · 主导产业：…"
    measure: str = "pct_floor_quota"
    adcode: str | None = None  # the drilled county; None for the city
    show_parks: bool = True
    layers_line: str = ""  # "图层：园区、覆盖缺口"
    hexes: gpd.GeoDataFrame | None = None
    clusters: gpd.GeoDataFrame | None = None
    gaps: gpd.GeoDataFrame | None = None
    extra_notices: Sequence[str] = field(default_factory=tuple)  # e.g. synthetic firms behind an enterprise layer


def view_parks(data: ExportData, spec: ViewSpec) -> gpd.GeoDataFrame:
    """Return the parks the view draws: the drilled county's (or all), status on the date; none when the layer is off.

    Parameters
    ----------
    data
        The export inputs; ``parks_on_date`` already filtered by industry as on screen.
    spec
        The view.

    Returns
    -------
    GeoDataFrame
        The parks to draw, WGS-84.
    """
    parks = data.parks_on_date
    if not spec.show_parks:
        return parks.iloc[0:0]
    if spec.adcode:
        parks = parks[parks["county_adcode"].astype(str) == spec.adcode]
    return parks


def _county_colours(data: ExportData, spec: ViewSpec) -> list[str]:
    values = measure_values(data.view, spec.measure).to_numpy(dtype="float64")
    colours = pct_class_colour(values) if spec.measure in PCT_MEASURES else ramp_colour(values)
    if spec.adcode:  # the drilled county in colour among grey neighbours, as the atlas draws a county
        focus = data.view["adcode"].astype(str).to_numpy() == spec.adcode
        colours = [c if f else CONTEXT_FILL for c, f in zip(colours, focus, strict=True)]
    return list(colours)


def _draw_enterprise_layers(ax: Axes, spec: ViewSpec) -> list[tuple[object, str]]:
    """Draw the enterprise layers shown; return their legend entries (handle, label)."""
    entries: list[tuple[object, str]] = []
    if spec.hexes is not None and len(spec.hexes):
        colours, _ = density_classes(spec.hexes["count"])
        to_metric(spec.hexes).plot(ax=ax, color=colours, alpha=0.8, linewidth=0, zorder=2)
    if spec.clusters is not None and len(spec.clusters):
        to_metric(spec.clusters).boundary.plot(ax=ax, color=CLUSTER_COLOUR, linewidth=1.6, linestyle="--", zorder=3)
        entries.append((Patch(facecolor="none", edgecolor=CLUSTER_COLOUR, linestyle="--", linewidth=1.6), "clusters"))
    if spec.gaps is not None and len(spec.gaps):
        to_metric(spec.gaps).plot(ax=ax, color=GAP_COLOUR, alpha=0.35, edgecolor=GAP_COLOUR, linewidth=1.2, zorder=3)
        entries.append((Patch(facecolor=GAP_COLOUR, alpha=0.35, edgecolor=GAP_COLOUR), "gaps"))
    return entries


def draw_view_map(ax: Axes, data: ExportData, spec: ViewSpec, *, label_size: float) -> gpd.GeoDataFrame:
    """Draw the view's map: counties by the measure, the enterprise layers shown, the parks shown; return the parks drawn."""
    draw_counties(ax, data.counties, colours=_county_colours(data, spec))
    focus = data.counties[data.counties["adcode"].astype(str) == spec.adcode] if spec.adcode else data.counties
    fit_extent(ax, to_metric(focus if len(focus) else data.counties).total_bounds, pad=0.04)
    _draw_enterprise_layers(ax, spec)
    parks = view_parks(data, spec)
    names = [data.county_name(a) for a in data.counties["adcode"].astype(str)]
    county_labels(ax, data.counties, names, fontsize=label_size)
    if len(parks):
        metric = draw_parks(ax, parks, max_floor_area_m2=max_floor_area(data), px_to_pt=PX_TO_PT)
        if spec.adcode and len(metric) <= LABELLED_PARKS_MAX:
            sizes = marker_sizes_pt2(metric["floor_area_m2"], max_floor_area_m2=max_floor_area(data), px_to_pt=PX_TO_PT)
            label_parks(ax, metric, [short_name(str(n)) for n in metric["name"]], fontsize=label_size * 0.6, sizes_pt2=sizes)
    scale_bar(ax, lang=data.lang, fontsize=label_size * 0.75)
    north_arrow(ax, fontsize=label_size * 0.9)
    return parks


def _legend(ax: Axes, data: ExportData, spec: ViewSpec, layer_words: dict[str, str]) -> None:
    """The view's legend: the measure's classes (or ramp ends), then parks (when shown), then the enterprise layers shown."""
    is_pct = spec.measure in PCT_MEASURES
    handles, labels = legend_handles(lang=data.lang, max_floor_area_m2=max_floor_area(data), px_to_pt=PX_TO_PT, choropleth=is_pct)
    if not is_pct:  # a ramp: its two ends, as the web legend shows them
        values = measure_values(data.view, spec.measure).astype("float64")
        low, high = float(values.min()), float(values.max())
        ends = ramp_colour(np.array([low, high]))
        handles = [Line2D([], [], linestyle="none"), *[Patch(facecolor=c, alpha=FILL_ALPHA, edgecolor="#37474f") for c in ends], *handles]
        labels = [measure_label(spec.measure, data.lang), f"{low:,.0f}", f"{high:,.0f}", *labels]
    if not spec.show_parks:  # no status colours or circle sizes for parks not drawn
        handles, labels = handles[: CHOROPLETH_ROWS if is_pct else 3], labels[: CHOROPLETH_ROWS if is_pct else 3]
    for kind, colour in (("clusters", CLUSTER_COLOUR), ("gaps", GAP_COLOUR)):
        shown = getattr(spec, kind)
        if shown is not None and len(shown):
            style = {"facecolor": "none", "linestyle": "--"} if kind == "clusters" else {"facecolor": colour, "alpha": 0.35}
            handles.append(Patch(edgecolor=colour, **style))  # type: ignore[arg-type]
            labels.append(layer_words.get(kind, kind))
    draw_legend(ax, handles, labels, fontsize=12.5)


def view_figure(data: ExportData, spec: ViewSpec, *, layer_words: dict[str, str] | None = None) -> Figure:
    """Return the view as a slide-shaped figure (16 x 9 in): the header's title and line, the map, legend, figures, sources, notices.

    Parameters
    ----------
    data
        The export inputs for the view's parks (industry filter applied), date, statuses and language.
    spec
        What the dashboard shows (county, measure, layers) and its header's words.
    layer_words
        Legend words of the cluster and gap layers (``{"clusters": ..., "gaps": ...}``).

    Returns
    -------
    Figure
        The figure (draw it inside :func:`export.text.literal_text` and :func:`export.fonts.cjk_style`).
    """
    fig = Figure(figsize=PNG_SIZE_IN, dpi=PNG_DPI, facecolor="white")
    fig.text(0.02, 0.955, drawable(f"{spec.title} · {spec.area}"), fontsize=26, fontweight="bold", va="center")
    fig.text(0.02, 0.91, drawable(spec.data_line), fontsize=13, color="#455a64", va="center")
    if spec.layers_line:
        fig.text(0.02, 0.878, drawable(spec.layers_line), fontsize=11, color="#607d8b", va="center")
    ax = fig.add_axes((0.01, 0.1, 0.66, 0.76))
    draw_view_map(ax, data, spec, label_size=16)
    legend_ax = fig.add_axes((0.69, 0.31, 0.3, 0.55))
    legend_ax.set_axis_off()
    _legend(legend_ax, data, spec, layer_words or {})
    for i, line in enumerate(headline_lines(data, adcode=spec.adcode)):
        fig.text(0.695, 0.27 - i * 0.04, drawable(line), fontsize=14, va="center", color="#263238")
    for i, line in enumerate(source_lines(data)):
        fig.text(0.02, 0.07 - i * 0.027, drawable(line), fontsize=11, color="#455a64", va="center")
    for i, line in enumerate([*notices(data), *spec.extra_notices]):
        fig.text(0.98, 0.07 - i * 0.027, drawable(line), fontsize=12, color=NOTICE_RED, ha="right", va="center", fontweight="bold")
    return fig


def view_png(data: ExportData, spec: ViewSpec, *, layer_words: dict[str, str] | None = None, dpi: int = PNG_DPI) -> bytes:
    """Return the view as PNG bytes (16 x 9 in; 2560 x 1440 px at the default ``dpi``).

    Parameters
    ----------
    data, spec, layer_words
        See :func:`view_figure`.
    dpi
        Pixels per inch.

    Returns
    -------
    bytes
        The PNG file.
    """
    with cjk_style(), literal_text():
        buffer = io.BytesIO()
        view_figure(data, spec, layer_words=layer_words).savefig(buffer, format="png", dpi=dpi, facecolor="white")
    return buffer.getvalue()


def view_pdf(data: ExportData, spec: ViewSpec, *, layer_words: dict[str, str] | None = None) -> bytes:
    """Return the view as a one-page PDF (vector, CJK font embedded, text extractable).

    Parameters
    ----------
    data, spec, layer_words
        See :func:`view_figure`.

    Returns
    -------
    bytes
        The PDF file.
    """
    buffer = io.BytesIO()
    metadata = {"Title": drawable(f"{spec.title} · {spec.area}"), "Subject": drawable(spec.data_line), "Creator": "parkmap export"}
    with cjk_style(), literal_text(), PdfPages(buffer, metadata=metadata) as pdf:
        pdf.savefig(view_figure(data, spec, layer_words=layer_words))
    return buffer.getvalue()
