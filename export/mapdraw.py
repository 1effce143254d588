"""Map furniture for static maps drawn with matplotlib in EPSG:4549 metres.

Everything here draws onto an existing ``Axes`` whose data coordinates are
CGCS2000 / 3-degree Gauss-Kruger CM 120E metres, so the scale bar measures
true metres (scale error across Shaoxing < 0.02 %) and grid north is within
0.7° of true north.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import geopandas as gpd
import numpy as np
import pandas as pd
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.transforms import Bbox

from export.text import drawable
from geo.crs import to_metric
from geo.schema import SQM_PER_WAN_SQM, STATUS_LABELS_EN, STATUS_LABELS_ZH, STATUSES
from geo.words import measure_label, t
from layers.counties import NO_DATA_COLOUR, PCT_COLOURS, pct_class_colour
from layers.parks import STATUS_COLOURS, marker_radius_px, size_legend_values

FILL_ALPHA = 0.75  # as the web map's fill opacity
# The halo is a separate outline-only copy under the text: text drawn *with* a path effect becomes
# glyph outlines in the PDF, and could no longer be searched or extracted.
HALO = [patheffects.Stroke(linewidth=2.5, foreground="white")]
PCT_CLASS_LABELS = ("< 25%", "25–50%", "50–75%", "75–100%", "≥ 100%")
_NICE_KM = (0.5, 1, 2, 5, 10, 20, 25, 50, 100)
# (dx, dy, ha, va) label positions around a point, in offset points (scaled by the marker size)
_LABEL_SLOTS = (
    (1, 0, "left", "center"),
    (-1, 0, "right", "center"),
    (0, 1, "center", "bottom"),
    (0, -1, "center", "top"),
    (1, 1, "left", "bottom"),
    (-1, 1, "right", "bottom"),
    (1, -1, "left", "top"),
    (-1, -1, "right", "top"),
)


def fit_extent(ax: Axes, bounds: Sequence[float], *, pad: float = 0.04) -> None:
    """Set equal-aspect limits that show ``bounds`` (minx, miny, maxx, maxy) and fill the axes box."""
    minx, miny, maxx, maxy = bounds
    width, height = (maxx - minx) * (1 + 2 * pad), (maxy - miny) * (1 + 2 * pad)
    box = ax.get_position()
    fig_w, fig_h = cast(Figure, ax.figure).get_size_inches()
    box_ratio = (box.height * fig_h) / (box.width * fig_w)
    if height / width > box_ratio:
        width = height / box_ratio
    else:
        height = width * box_ratio
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    ax.set_xlim(cx - width / 2, cx + width / 2)
    ax.set_ylim(cy - height / 2, cy + height / 2)
    ax.set_aspect("equal", adjustable="box")
    ax.set_axis_off()


def county_colours(pct: Sequence[float] | np.ndarray) -> list[str]:
    """Return the stepped class colour of each county's floor area % of quota (grey when missing)."""
    return pct_class_colour(np.asarray(pct, dtype="float64"))


def draw_counties(ax: Axes, counties: gpd.GeoDataFrame, *, colours: Sequence[str] | str, linewidth: float = 0.8, zorder: int = 1) -> None:
    """Fill and outline county polygons (any CRS; drawn in EPSG:4549)."""
    metric = to_metric(counties)
    metric.plot(ax=ax, color=colours, alpha=FILL_ALPHA, zorder=zorder)
    metric.boundary.plot(ax=ax, color="#37474f", linewidth=linewidth, zorder=zorder)
    outline = metric.geometry.union_all().boundary
    gpd.GeoSeries([outline], crs=metric.crs).plot(ax=ax, color="#263238", linewidth=linewidth * 2, zorder=zorder + 1)


def county_labels(ax: Axes, counties: gpd.GeoDataFrame, labels: Sequence[str], *, fontsize: float, colour: str = "#263238") -> None:
    """Write one label per county at a point inside it, with a white halo."""
    points = to_metric(counties).geometry.representative_point()
    for point, label in zip(points, labels, strict=True):
        halo_text(ax, point.x, point.y, label, ha="center", va="center", fontsize=fontsize, color=colour, zorder=6, clip_on=True)


def marker_sizes_pt2(floor_area_m2: pd.Series, *, max_floor_area_m2: float, px_to_pt: float) -> np.ndarray:
    """Return scatter sizes (points²) for parks: circle area grows with floor area, as on the web map."""
    radius_pt = marker_radius_px(floor_area_m2, max_floor_area_m2=max_floor_area_m2) * px_to_pt
    return (2 * radius_pt) ** 2


def draw_parks(ax: Axes, parks: gpd.GeoDataFrame, *, max_floor_area_m2: float, px_to_pt: float) -> gpd.GeoDataFrame:
    """Draw parks as circles coloured by status, largest first; return them in EPSG:4549 in drawing order."""
    metric = to_metric(parks)
    metric = metric.iloc[np.argsort(-pd.to_numeric(metric["floor_area_m2"], errors="coerce").fillna(0).to_numpy(), kind="stable")]
    sizes = marker_sizes_pt2(metric["floor_area_m2"], max_floor_area_m2=max_floor_area_m2, px_to_pt=px_to_pt)
    colours = metric["status"].map(lambda s: STATUS_COLOURS.get(s, "#000000")).tolist()
    ax.scatter(metric.geometry.x, metric.geometry.y, s=sizes, c=colours, edgecolors="white", linewidths=0.6, alpha=0.92, zorder=5)
    return metric


def scale_bar(ax: Axes, *, lang: str, fontsize: float, location: tuple[float, float] = (0.04, 0.05)) -> float:
    """Draw a two-segment scale bar in true kilometres at ``location`` (axes fraction); return its length in km."""
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    target_km = (x1 - x0) / 1000 * 0.22
    length_km = max([k for k in _NICE_KM if k <= target_km] or [_NICE_KM[0]])
    left, bottom = x0 + location[0] * (x1 - x0), y0 + location[1] * (y1 - y0)
    height, half = (y1 - y0) * 0.012, length_km * 500.0
    for i, colour in enumerate(("#263238", "white")):
        ax.add_patch(Rectangle((left + i * half, bottom), half, height, facecolor=colour, edgecolor="#263238", linewidth=0.8, zorder=8))
    for frac, value in ((0, 0), (0.5, length_km / 2), (1, length_km)):
        text = f"{value:g}" + (f" {t('km', lang)}" if frac == 1 else "")
        halo_text(ax, left + frac * 2 * half, bottom + height * 1.6, text, ha="center", va="bottom", fontsize=fontsize, zorder=8)
    return length_km


def north_arrow(ax: Axes, *, fontsize: float, location: tuple[float, float] = (0.95, 0.88)) -> None:
    """Draw a north arrow (grid north of EPSG:4549, within 0.7° of true north in Shaoxing) at ``location``."""
    x, y = location
    ax.annotate(
        "",
        xy=(x, y + 0.07),
        xytext=(x, y),
        xycoords="axes fraction",
        arrowprops={
            "facecolor": "#263238",
            "edgecolor": "#263238",
            "width": fontsize * 0.25,
            "headwidth": fontsize,
            "headlength": fontsize,
        },
    )
    ax.text(x, y + 0.075, "N", transform=ax.transAxes, ha="center", va="bottom", fontsize=fontsize * 1.2, fontweight="bold", zorder=8)


def legend_handles(*, lang: str, max_floor_area_m2: float, px_to_pt: float, choropleth: bool = True) -> tuple[list, list[str]]:
    """Return legend handles and labels: floor-area % classes, park status colours, circle sizes."""
    statuses = STATUS_LABELS_ZH if lang == "zh" else STATUS_LABELS_EN
    header = Line2D([], [], linestyle="none")
    handles: list = []
    labels: list[str] = []
    if choropleth:
        handles += [header, *[_patch(c) for c in PCT_COLOURS], _patch(NO_DATA_COLOUR)]
        labels += [measure_label("pct_floor_quota", lang), *PCT_CLASS_LABELS, t("no_quota", lang)]
    handles += [
        header,
        *[
            Line2D([], [], marker="o", linestyle="none", markersize=8, markerfacecolor=STATUS_COLOURS[s], markeredgecolor="white")
            for s in STATUSES
        ],
    ]
    labels += [t("legend_status", lang), *[statuses[s] for s in STATUSES]]
    values = size_legend_values(max_floor_area_m2)
    sizes = np.sqrt(marker_sizes_pt2(pd.Series(values), max_floor_area_m2=max_floor_area_m2, px_to_pt=px_to_pt))
    handles += [
        header,
        *[Line2D([], [], marker="o", linestyle="none", markersize=s, markerfacecolor="#b0bec5", markeredgecolor="#37474f") for s in sizes],
    ]
    labels += [t("floor_area", lang), *[f"{v / SQM_PER_WAN_SQM:g}" for v in values]]
    return handles, labels


def _patch(colour: str) -> Patch:
    return Patch(facecolor=colour, alpha=FILL_ALPHA, edgecolor="#37474f")


def draw_legend(ax: Axes, handles: list, labels: list[str], *, fontsize: float, loc: str = "upper left", headers: int = 3) -> None:
    """Draw one legend whose header rows (handles without a marker) are bold."""
    legend = ax.legend(  # type: ignore[call-overload]  # loc is one of matplotlib's location names
        handles,
        labels,
        loc=loc,
        fontsize=fontsize,
        frameon=True,
        framealpha=0.92,
        borderpad=0.8,
        labelspacing=0.7,
        handletextpad=0.8,
        edgecolor="#b0bec5",
    )
    for handle, text in zip(handles, legend.get_texts(), strict=True):
        if isinstance(handle, Line2D) and handle.get_marker() in (None, "None", "none", ""):
            text.set_fontweight("bold")
            text.set_fontsize(fontsize * 1.05)
    legend.set_zorder(10)


def label_parks(ax: Axes, metric_parks: gpd.GeoDataFrame, labels: Sequence[str], *, fontsize: float, sizes_pt2: np.ndarray) -> None:
    """Label parks beside their circles, choosing for each the free slot that overlaps least."""
    canvas = ax.figure.canvas
    renderer = (canvas if hasattr(canvas, "get_renderer") else FigureCanvasAgg(cast(Figure, ax.figure))).get_renderer()
    frame = ax.get_window_extent(renderer)
    taken = _circle_boxes(ax, metric_parks, sizes_pt2)
    for x, y, name, size in zip(metric_parks.geometry.x, metric_parks.geometry.y, labels, sizes_pt2, strict=True):
        label = drawable(name)
        gap = np.sqrt(size) / 2 + 1.5
        best: dict[str, Any] = {}
        best_cost, best_box = np.inf, None
        for dx, dy, ha, va in _LABEL_SLOTS:
            options: dict[str, Any] = {
                "xytext": (dx * gap, dy * gap),
                "textcoords": "offset points",
                "ha": ha,
                "va": va,
                "fontsize": fontsize,
            }
            probe = ax.annotate(label, (x, y), **options)
            box = probe.get_window_extent(renderer)
            probe.remove()
            cost = sum(_overlap(box, other) for other in taken) + _outside(box, frame)
            if cost < best_cost:
                best, best_cost, best_box = options, cost, box
            if cost == 0:
                break
        ax.annotate(label, (x, y), path_effects=HALO, zorder=6.9, annotation_clip=True, **best)
        ax.annotate(label, (x, y), zorder=7, annotation_clip=True, **best)
        if best_box is not None:
            taken.append(best_box)


def halo_text(ax: Axes, x: float, y: float, text: str, **options: object) -> None:
    """Write ``text`` with a white halo that stays real (extractable) text in a PDF."""
    zorder = float(options.pop("zorder", 6))  # type: ignore[arg-type]
    text = drawable(text)
    ax.text(x, y, text, path_effects=HALO, zorder=zorder - 0.1, **options)  # type: ignore[arg-type]
    ax.text(x, y, text, zorder=zorder, **options)  # type: ignore[arg-type]


def _circle_boxes(ax: Axes, metric_parks: gpd.GeoDataFrame, sizes_pt2: np.ndarray) -> list[Bbox]:
    """Return the display-space boxes of the park circles, so labels keep clear of them."""
    centres = ax.transData.transform(np.column_stack([metric_parks.geometry.x, metric_parks.geometry.y]))
    radii_px = np.sqrt(sizes_pt2) / 2 * ax.figure.dpi / 72
    return [Bbox.from_extents(x - r, y - r, x + r, y + r) for (x, y), r in zip(centres, radii_px, strict=True)]


def _overlap(a: Bbox, b: Bbox) -> float:
    width = min(a.x1, b.x1) - max(a.x0, b.x0)
    height = min(a.y1, b.y1) - max(a.y0, b.y0)
    return width * height if width > 0 and height > 0 else 0.0


def _outside(box: Bbox, frame: Bbox) -> float:
    inside = _overlap(box, frame)
    return (box.width * box.height - inside) * 4
