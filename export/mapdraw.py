"""Map furniture for static maps drawn with matplotlib in EPSG:4549 metres.

Everything here draws onto an existing ``Axes`` whose data coordinates are
CGCS2000 / 3-degree Gauss-Kruger CM 120E metres, so the scale bar measures
true metres (scale error across Shaoxing < 0.02 %) and grid north is within
0.7° of true north.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.transforms import Bbox
from shapely.geometry.base import BaseGeometry

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
LABEL_GID = "park-label"  # the gid of park names on a map (their halo copies: "park-label-halo")
LEADER_GID = "park-leader"
LEADER_COLOUR = "#455a64"
LEADER_HALO = [patheffects.Stroke(linewidth=1.8, foreground="white"), patheffects.Normal()]
_PAD_PT = 1.0  # clearance around every park name
_GAP_PT = 1.5  # between a circle's edge and the name beside it
_ADJACENT = ((1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (-1, 1), (1, -1), (-1, -1))  # beside the circle: right, left, ...
_RING_STEPS = (1.0, 2.0, 3.0, 4.5, 6.0, 8.0, 10.5, 13.5, 17.0)  # further rings (with a leader line), in name heights beyond the circle
_DIRECTIONS = 16
_RING_COST, _COVER_COST, _OUTLINE_COST, _CROSS_COST = 100.0, 300.0, 40.0, 250.0


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


@dataclass(frozen=True)
class ParkLabels:
    """What :func:`label_parks` drew.

    Attributes
    ----------
    labelled
        Parks whose name is on the map.
    unlabelled
        Parks left without a name on the map (beyond ``max_labels``, or no free place for it).
    leaders
        Labels set away from their circle and joined to it by a leader line.
    """

    labelled: int
    unlabelled: int
    leaders: int


def label_parks(
    ax: Axes,
    metric_parks: gpd.GeoDataFrame,
    labels: Sequence[str],
    *,
    fontsize: float,
    sizes_pt2: np.ndarray,
    outline: BaseGeometry | None = None,
    max_labels: int | None = None,
    drop_unplaced: bool = False,
) -> ParkLabels:
    """Label parks (in the order given, most important first) where their names collide with nothing.

    Each name goes in the first free place, in display coordinates: beside its circle (8 slots),
    else further out on rings of 16 directions, joined to the circle by a leader line. A place is
    free when the name stays inside the axes and clear of names and leader lines already placed,
    and of the map furniture drawn before (legend, scale bar, north arrow, notices, other text):
    so draw those first. Among free places, one covering fewer park circles and not crossing
    ``outline`` (EPSG:4549, the county's boundary) is preferred. Names are drawn as typed
    (never mathtext), with a white halo, and remain real text in a PDF.

    Parameters
    ----------
    metric_parks
        Parks in EPSG:4549 (as :func:`draw_parks` returns them), in the order to label them.
    sizes_pt2
        Their circle sizes (points², as drawn).
    max_labels
        Label at most this many (the first ones); the rest are counted as unlabelled.
    drop_unplaced
        Leave a park unlabelled when no free place is found; otherwise it goes where it collides least.
    """
    renderer = _renderer(ax)
    ax.apply_aspect()
    px = cast(Figure, ax.figure).dpi / 72
    frame = ax.get_window_extent(renderer)
    centres = ax.transData.transform(np.column_stack([metric_parks.geometry.x, metric_parks.geometry.y]))
    radii = np.sqrt(np.asarray(sizes_pt2, dtype="float64")) / 2 * px
    edge = None if outline is None else shapely.transform(outline, ax.transData.transform)
    placer = _Placer(frame, _furniture_boxes(ax, renderer, frame), centres, radii, edge, pad=_PAD_PT * px)
    count = len(labels) if max_labels is None else min(max_labels, len(labels))
    labelled = leaders = 0
    for i in range(count):
        label = drawable(labels[i])
        probe = ax.text(0, 0, label, fontsize=fontsize, parse_math=False)
        extent = probe.get_window_extent(renderer)
        probe.remove()
        place = placer.place(i, extent.width, extent.height, gap=radii[i] + _GAP_PT * px, forced=not drop_unplaced)
        if place is None:
            continue
        box, leader = place
        _draw_label(ax, metric_parks.geometry.iloc[i], box, leader, label, fontsize=fontsize)
        labelled, leaders = labelled + 1, leaders + (leader is not None)
    return ParkLabels(labelled=labelled, unlabelled=len(labels) - labelled, leaders=leaders)


def _renderer(ax: Axes) -> Any:
    canvas = ax.figure.canvas
    return (canvas if hasattr(canvas, "get_renderer") else FigureCanvasAgg(cast(Figure, ax.figure))).get_renderer()


def _furniture_boxes(ax: Axes, renderer: Any, frame: Bbox) -> np.ndarray:
    """Return (n, 4) display boxes of what labels must keep clear of: legend, patches, texts (axes and figure)."""
    legend = ax.get_legend()
    artists = [*ax.texts, *ax.patches, *([legend] if legend is not None else []), *cast(Figure, ax.figure).texts]
    boxes = [a.get_window_extent(renderer) for a in artists if a.get_visible() and not str(a.get_gid() or "").startswith(LABEL_GID)]
    rows = [b.extents for b in boxes if b.width > 0 and b.height > 0 and b.overlaps(frame)]
    return np.array(rows, dtype="float64").reshape(-1, 4)


def _draw_label(ax: Axes, point: Any, box: np.ndarray, leader: np.ndarray | None, label: str, *, fontsize: float) -> None:
    """Draw one name (halo, then text) with its lower-left corner at ``box``'s, and its leader line (display coordinates)."""
    to_data = ax.transData.inverted()
    anchor = tuple(to_data.transform(box[:2]))
    options: dict[str, Any] = {"xytext": anchor, "ha": "left", "va": "bottom", "fontsize": fontsize, "parse_math": False}
    ax.annotate(label, (point.x, point.y), path_effects=HALO, zorder=6.9, gid=f"{LABEL_GID}-halo", annotation_clip=True, **options)
    ax.annotate(label, (point.x, point.y), zorder=7, gid=LABEL_GID, annotation_clip=True, **options)
    if leader is not None:
        xs, ys = to_data.transform(leader.reshape(2, 2)).T
        line = Line2D(xs, ys, color=LEADER_COLOUR, linewidth=0.5, zorder=6.8, gid=LEADER_GID, path_effects=LEADER_HALO)
        ax.add_line(line)


class _Placer:
    """Greedy label placement in display coordinates: candidate places ranked, checked against what is placed."""

    def __init__(self, frame: Bbox, furniture: np.ndarray, centres: np.ndarray, radii: np.ndarray, edge: Any, *, pad: float) -> None:
        self.frame = np.array([frame.x0 + pad, frame.y0 + pad, frame.x1 - pad, frame.y1 - pad])
        self.blocked = furniture + np.array([-pad, -pad, pad, pad])
        self.leaders: list[Any] = []
        self.circles = np.column_stack([centres - radii[:, None], centres + radii[:, None]])
        self.centres, self.radii, self.edge, self.pad = centres, radii, edge, pad

    def place(self, i: int, width: float, height: float, *, gap: float, forced: bool) -> tuple[np.ndarray, np.ndarray | None] | None:
        """Return the best free box (x0, y0, x1, y1) for park ``i``'s name and its leader segment, or None."""
        boxes, ring = _candidate_boxes(self.centres[i], width, height, gap=gap)
        leaders = _leader_segments(self.centres[i], self.radii[i], boxes)
        geoms = shapely.box(*boxes.T)
        inside = np.all((boxes[:, :2] >= self.frame[:2]) & (boxes[:, 2:] <= self.frame[2:]), axis=1)
        hits = _overlap_area(boxes, self.blocked).sum(axis=1)
        lines = shapely.linestrings(leaders.reshape(-1, 2, 2))
        blocked = shapely.box(*self.blocked.T)
        line_hits = np.where(ring > 0, shapely.intersects(lines[:, None], blocked[None, :]).sum(axis=1), 0) if len(blocked) else 0
        if self.leaders:
            hits = hits + shapely.intersects(geoms[:, None], np.array(self.leaders)[None, :]).sum(axis=1)
        others = np.arange(len(self.circles)) != i
        cover = (_overlap_area(boxes, self.circles[others]) / np.maximum((2 * self.radii[others]) ** 2, 1)).sum(axis=1)
        cost = ring * _RING_COST + np.arange(len(boxes)) * 0.01 + cover * _COVER_COST
        if self.edge is not None:
            cost = cost + shapely.intersects(geoms, self.edge) * _OUTLINE_COST
        if self.leaders:
            crossings = shapely.intersects(lines[:, None], np.array(self.leaders)[None, :]).sum(axis=1)
            cost = cost + np.where(ring > 0, crossings, 0) * _CROSS_COST
        free = inside & (hits == 0) & (line_hits == 0)
        if free.any():
            best = int(np.flatnonzero(free)[np.argmin(cost[free])])
        elif forced:
            best = int(np.argmin(cost + (hits + line_hits) * 1e6 + ~inside * 1e9))
        else:
            return None
        box, leader = boxes[best], leaders[best] if ring[best] > 0 else None
        self.blocked = np.vstack([self.blocked, box + np.array([-self.pad, -self.pad, self.pad, self.pad])])
        if leader is not None:
            self.leaders.append(shapely.linestrings(leader.reshape(2, 2)))
        return box, leader


def _candidate_boxes(centre: np.ndarray, width: float, height: float, *, gap: float) -> tuple[np.ndarray, np.ndarray]:
    """Return candidate boxes (n, 4) around ``centre``, nearest first, and the ring of each (0 = beside the circle)."""
    directions = [np.array(d, dtype="float64") * (1 if 0 in d else np.sqrt(0.5)) for d in _ADJACENT]
    distances = [gap] * len(directions)
    rings = [0] * len(directions)
    angles = np.arange(_DIRECTIONS) * 2 * np.pi / _DIRECTIONS
    for ring, step in enumerate(_RING_STEPS, start=1):
        directions += [np.array([np.cos(a), np.sin(a)]) for a in angles]
        distances += [gap + step * height] * _DIRECTIONS
        rings += [ring] * _DIRECTIONS
    units = np.array(directions)
    anchors = centre + units * np.array(distances)[:, None]
    # A box sits on the side its direction points to: left edge at the anchor going right, centred going up or down, ...
    side = np.where(units > 0.38, 0.0, np.where(units < -0.38, -1.0, -0.5))
    lower_left = anchors + side * np.array([width, height])
    return np.column_stack([lower_left, lower_left + np.array([width, height])]), np.array(rings)


def _leader_segments(centre: np.ndarray, radius: float, boxes: np.ndarray) -> np.ndarray:
    """Return (n, 4) segments from the circle's edge to the nearest point of each box."""
    nearest = np.clip(centre, boxes[:, :2], boxes[:, 2:])
    offset = nearest - centre
    length = np.maximum(np.hypot(offset[:, 0], offset[:, 1]), 1e-9)[:, None]
    start = centre + offset / length * np.minimum(radius, length)
    return np.column_stack([start, nearest])


def _overlap_area(boxes: np.ndarray, others: np.ndarray) -> np.ndarray:
    """Return the (n, m) overlap areas of boxes (x0, y0, x1, y1) with others."""
    if not len(others):
        return np.zeros((len(boxes), 0))
    width = np.minimum(boxes[:, None, 2], others[None, :, 2]) - np.maximum(boxes[:, None, 0], others[None, :, 0])
    height = np.minimum(boxes[:, None, 3], others[None, :, 3]) - np.maximum(boxes[:, None, 1], others[None, :, 1])
    return np.clip(width, 0, None) * np.clip(height, 0, None)


def halo_text(ax: Axes, x: float, y: float, text: str, **options: object) -> None:
    """Write ``text`` with a white halo that stays real (extractable) text in a PDF."""
    zorder = float(options.pop("zorder", 6))  # type: ignore[arg-type]
    text = drawable(text)
    ax.text(x, y, text, path_effects=HALO, zorder=zorder - 0.1, **options)  # type: ignore[arg-type]
    ax.text(x, y, text, zorder=zorder, **options)  # type: ignore[arg-type]
