"""The review map of a register: what changed against the county's previous approved register.

Added parks are green, parks missing from the new register grey (at their
previous position), a moved park has an arrow from its old position to its
new one, and a park whose status, name, floor or land area (or occupancy)
changed has an orange outline. Hovering a park says what changed, before →
after. Parks that did not change are drawn small and faint, for context.

Both registers are WGS-84 points (any CRS is accepted and reprojected) with
the stable ``park_id`` of :mod:`geo.reporting.identity`; the changes are
:func:`geo.reporting.changes.register_changes` of the two.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import folium
import geopandas as gpd
import pandas as pd
from shapely.geometry import LineString, Point

from geo.fields import field_label, format_value, get_field
from geo.reporting.changes import Change, Changes
from geo.words import t
from layers.assets import APP_STATIC_URL
from layers.base import base_map
from layers.counties import county_layer, in_datum
from layers.legend import CategoricalLegend, legend_control, with_opacity

ADDED_COLOUR = "#2e7d32"
REMOVED_COLOUR = "#9e9e9e"
MOVED_COLOUR = "#1565c0"
CHANGED_OUTLINE = "#e65100"
CHANGED_FILL = "#fff3e0"
UNCHANGED_COLOUR = "#607d8b"
UNCHANGED_OPACITY = 0.35
OUTLINE_COLOUR = "#263238"
MARKER_RADIUS_PX = 7.0
CONTEXT_RADIUS_PX = 3.0
ARROW_HEAD_LENGTH_PX = 11.0
ARROW_HEAD_WIDTH_PX = 10.0
MIN_SPAN_DEG = 0.02  # about 2 km: a single changed park is not drawn at street level
MARGIN_SHARE = 0.15  # of the changed parks' extent, added on each side
LEGEND_STRIP_SHARE = 0.3  # of the map's height kept free of parks at the bottom, where the legend and scale bar are
# Changes of a park's attributes (not of its presence or place): drawn with the orange outline.
ATTRIBUTE_KINDS = ("status_changed", "renamed", "area_changed", "land_changed", "jump")
# The catalogue field whose before and after a change of this kind shows (geo.fields).
_FIELD_OF_KIND: Mapping[str, str] = {
    "status_changed": "status",
    "area_changed": "floor_area_m2",
    "land_changed": "land_area_mu",
    "jump": "occupancy_pct",
}


@dataclass(frozen=True)
class _Style:
    """How one park's marker is drawn."""

    radius: float
    fill: str
    line: str
    weight: float
    fill_opacity: float = 0.95
    dash: str = ""

    def props(self) -> dict[str, object]:
        """Return the style as feature properties (read back by the layer's style function)."""
        return {"_r": self.radius, "_fill": self.fill, "_line": self.line, "_w": self.weight, "_fo": self.fill_opacity, "_dash": self.dash}


_ADDED = _Style(MARKER_RADIUS_PX, ADDED_COLOUR, OUTLINE_COLOUR, 1.0)
_REMOVED = _Style(MARKER_RADIUS_PX, REMOVED_COLOUR, "#616161", 1.5, dash="3 2")
_CHANGED = _Style(MARKER_RADIUS_PX, CHANGED_FILL, CHANGED_OUTLINE, 3.0)
_MOVED = _Style(MARKER_RADIUS_PX, MOVED_COLOUR, OUTLINE_COLOUR, 1.0)
_OLD_POSITION = _Style(4.0, "#ffffff", MOVED_COLOUR, 1.5, fill_opacity=0.8)
_UNCHANGED = _Style(CONTEXT_RADIUS_PX, UNCHANGED_COLOUR, UNCHANGED_COLOUR, 0.5, fill_opacity=UNCHANGED_OPACITY)


def changes_layer(
    previous: gpd.GeoDataFrame | None,
    current: gpd.GeoDataFrame,
    changes: Changes,
    lang: str = "zh",
    *,
    datum: str = "wgs84",
) -> folium.FeatureGroup:
    """Return the changes of a register as one feature group, with its legend.

    Parameters
    ----------
    previous
        The previous approved register (points with ``park_id`` and ``name``, any CRS); None or empty
        when the county has none (then every park is added).
    current
        The new register (points with ``park_id`` and ``name``, any CRS).
    changes
        ``register_changes(previous, current)``.
    lang
        ``zh`` or ``en``: the language of tooltips and the legend.
    datum
        ``wgs84`` or ``gcj02`` (for Amap tiles): the datum to draw in.

    Returns
    -------
    folium.FeatureGroup
        Unchanged parks (faint), move arrows, then the changed parks on top, and the legend.

    Notes
    -----
    Park names come from uploaded files: every text is HTML-escaped before it reaches the page.
    """
    prev, cur = _positions(previous, datum, name="previous"), _positions(current, datum, name="current")
    by_park = _changes_by_park(changes)
    group = folium.FeatureGroup(name=t("review_map_layer", lang), control=False)
    context = [_point(row, _UNCHANGED, [t("review_map_unchanged", lang)]) for pid, row in cur.iterrows() if pid not in by_park]
    if context:
        _points_layer(context, lang).add_to(group)
    moves = [(pid, c) for pid, found in by_park.items() for c in found if c.kind == "moved" and pid in prev.index and pid in cur.index]
    if moves:
        _add_arrows(group, moves, prev, cur, lang)
    marked = [_changed_point(pid, found, prev, cur, lang) for pid, found in by_park.items()]
    marked += [_point(prev.loc[pid], _OLD_POSITION, [t("review_map_old_position", lang)]) for pid, _ in moves]
    shown = [feature for feature in marked if feature is not None]
    if shown:
        _points_layer(shown, lang).add_to(group)
    legend_control(change_legend(lang)).add_to(group)
    return group


def change_legend(lang: str = "zh") -> CategoricalLegend:
    """Return the legend of the review map.

    Parameters
    ----------
    lang
        ``zh`` or ``en``.

    Returns
    -------
    CategoricalLegend
        Added, missing, moved, changed and unchanged parks, as they are drawn.
    """
    items = [
        (ADDED_COLOUR, t("review_map_added", lang)),
        (REMOVED_COLOUR, t("review_map_removed", lang)),
        (MOVED_COLOUR, t("review_map_moved", lang)),
        (CHANGED_FILL, t("review_map_changed", lang)),
        (with_opacity(UNCHANGED_COLOUR, UNCHANGED_OPACITY), t("review_map_unchanged", lang)),
    ]
    borders = ["1px solid #555", "1px dashed #616161", "1px solid #555", f"3px solid {CHANGED_OUTLINE}", "1px solid #90a4ae"]
    return CategoricalLegend(t("review_map_legend", lang), items, shape="circle", borders=borders)


def review_bounds(
    previous: gpd.GeoDataFrame | None, current: gpd.GeoDataFrame, changes: Changes, *, datum: str = "wgs84"
) -> tuple[float, float, float, float]:
    """Return the bounds of the changed parks (old and new positions), or of all parks when nothing changed.

    Parameters
    ----------
    previous
        The previous approved register (any CRS), None or empty when there is none.
    current
        The new register (any CRS).
    changes
        ``register_changes(previous, current)``.
    datum
        ``wgs84`` or ``gcj02``: the datum of the bounds.

    Returns
    -------
    tuple of float
        ``(min_lon, min_lat, max_lon, max_lat)`` with a margin of :data:`MARGIN_SHARE` of the extent on each side,
        at least :data:`MIN_SPAN_DEG` wide and high, and a strip of :data:`LEGEND_STRIP_SHARE` of the height
        below the parks for the legend.

    Raises
    ------
    ValueError
        When both registers are empty: there is nothing to show.
    """
    prev, cur = _positions(previous, datum, name="previous"), _positions(current, datum, name="current")
    wanted: list[tuple[float, float]] = []
    for found in _changes_by_park(changes).values():
        for change in found:
            for frame, side in ((cur, "after"), (prev, "before")):
                if change.park_id in frame.index and (side == "after" or change.kind in ("removed", "moved")):
                    wanted.append((frame.at[change.park_id, "lon"], frame.at[change.park_id, "lat"]))
    if not wanted:
        whole = cur if len(cur) else prev
        wanted = list(zip(whole["lon"], whole["lat"], strict=True))
    if not wanted:
        msg = "Both registers (`previous` and `current`) are empty: there is no park to show on the review map."
        raise ValueError(msg)
    (min_lon, max_lon), (min_lat, max_lat) = (_padded(min(v), max(v)) for v in zip(*wanted, strict=True))
    strip = (max_lat - min_lat) * LEGEND_STRIP_SHARE / (1 - LEGEND_STRIP_SHARE)
    return min_lon, min_lat - strip, max_lon, max_lat


def review_base_map(
    bounds: tuple[float, float, float, float],
    *,
    lang: str = "zh",
    counties: gpd.GeoDataFrame | None = None,
    basemap: str = "none",
    tianditu_key: str | None = None,
    asset_base_url: str = APP_STATIC_URL,
    datum: str = "wgs84",
) -> folium.Map:
    """Return the review map's base: local Leaflet, the basemap and county outlines, fitted to ``bounds``.

    Parameters
    ----------
    bounds
        ``(min_lon, min_lat, max_lon, max_lat)`` in the basemap's datum (:func:`review_bounds`).
    lang
        ``zh`` or ``en``.
    counties
        County polygons (``adcode``, ``name``, any CRS) drawn as outlines; None for none.
    basemap
        A key of :data:`layers.base.BASEMAPS`.
    tianditu_key
        The Tianditu ``tk``; required for ``tianditu``.
    asset_base_url
        Where the app serves ``static/vendor``.
    datum
        The basemap's datum (``layers.base.basemap_datum(basemap)``).

    Returns
    -------
    folium.Map
        A new map without the changes.
    """
    m = base_map(
        bounds=bounds, basemap=basemap, tianditu_key=tianditu_key, asset_base_url=asset_base_url, tile_error_message=t("tile_error", lang)
    )
    if counties is not None and len(counties):
        county_layer(counties, datum=datum, name=t("county", lang)).add_to(m)
    return m


def review_map(
    previous: gpd.GeoDataFrame | None,
    current: gpd.GeoDataFrame,
    changes: Changes,
    *,
    lang: str = "zh",
    counties: gpd.GeoDataFrame | None = None,
    asset_base_url: str = APP_STATIC_URL,
) -> folium.Map:
    """Return the whole review map (no tiles, so it works offline), fitted to the changed parks.

    Parameters
    ----------
    previous
        The previous approved register (WGS-84 points with ``park_id``), None or empty when there is none.
    current
        The new register (WGS-84 points with ``park_id``).
    changes
        ``register_changes(previous, current)``.
    lang
        ``zh`` or ``en``.
    counties
        County polygons drawn as outlines for orientation; None for none.
    asset_base_url
        Where the app serves ``static/vendor``.

    Returns
    -------
    folium.Map
        The base map with the changes and the legend, drawn in WGS-84.
    """
    bounds = review_bounds(previous, current, changes)
    m = review_base_map(bounds, lang=lang, counties=counties, asset_base_url=asset_base_url)
    changes_layer(previous, current, changes, lang).add_to(m)
    return m


def _padded(low: float, high: float) -> tuple[float, float]:
    """The range with a margin on each side (no mark under the map's edge or legend), at least MIN_SPAN_DEG wide."""
    margin = max(MARGIN_SHARE * (high - low), (MIN_SPAN_DEG - (high - low)) / 2, 0.0)
    return float(low - margin), float(high + margin)


def _positions(frame: gpd.GeoDataFrame | None, datum: str, *, name: str) -> pd.DataFrame:
    """park_id → name, lon, lat in the datum drawn (empty for None)."""
    if frame is None or not len(frame):
        return pd.DataFrame({"name": pd.Series(dtype=str), "lon": pd.Series(dtype=float), "lat": pd.Series(dtype=float)})
    if "park_id" not in frame.columns:
        has = ", ".join(map(str, frame.columns))
        msg = f"`{name}` must have a park_id column (as geo.reporting.identity.match_parks gives it); it has {has}."
        raise ValueError(msg)
    drawn = in_datum(frame, datum)
    points = drawn.geometry.where(drawn.geometry.geom_type == "Point", drawn.geometry.representative_point())
    names = drawn["name"].astype(str) if "name" in drawn.columns else drawn["park_id"].astype(str)
    out = pd.DataFrame({"name": names.to_numpy(), "lon": points.x.to_numpy(), "lat": points.y.to_numpy()})
    return out.set_axis(drawn["park_id"].astype(str).to_numpy()).loc[lambda d: ~d.index.duplicated()]


def _changes_by_park(changes: Changes) -> dict[str, list[Change]]:
    out: dict[str, list[Change]] = {}
    for change in changes.items:
        out.setdefault(str(change.park_id), []).append(change)
    return out


def _changed_point(pid: str, found: Sequence[Change], prev: pd.DataFrame, cur: pd.DataFrame, lang: str) -> dict | None:
    kinds = {c.kind for c in found}
    lines = [_describe(c, lang) for c in found]
    if "removed" in kinds:
        return _point(prev.loc[pid], _REMOVED, lines) if pid in prev.index else None
    if pid not in cur.index:
        return None
    style = _ADDED if "added" in kinds else _CHANGED if kinds & set(ATTRIBUTE_KINDS) else _MOVED
    return _point(cur.loc[pid], style, lines)


def _point(row: pd.Series, style: _Style, lines: Sequence[str]) -> dict:
    """One GeoJSON feature: a park's point with its escaped tooltip text and marker style."""
    return {
        "type": "Feature",
        "geometry": Point(float(row["lon"]), float(row["lat"])).__geo_interface__,
        "properties": {"name": html.escape(str(row["name"])), "what": "<br>".join(html.escape(line) for line in lines)} | style.props(),
    }


def _tooltip(lang: str) -> folium.GeoJsonTooltip:
    aliases = [html.escape(field_label("name", lang, sink="tooltip")), html.escape(t("col_change", lang))]
    return folium.GeoJsonTooltip(fields=["name", "what"], aliases=aliases, sticky=True)


def _collection(features: list[dict]) -> dict:
    """A feature collection whose features carry our own ids (folium styles by them, not by a park's name)."""
    return {"type": "FeatureCollection", "features": [feature | {"id": str(i)} for i, feature in enumerate(features)]}


def _points_layer(features: list[dict], lang: str) -> folium.GeoJson:
    def style(feature: dict) -> dict:
        p = feature["properties"]
        out = {"radius": p["_r"], "fill": True, "fillColor": p["_fill"], "color": p["_line"], "weight": p["_w"], "fillOpacity": p["_fo"]}
        return out | ({"dashArray": p["_dash"]} if p["_dash"] else {})

    return folium.GeoJson(
        _collection(features),
        marker=folium.CircleMarker(radius=MARKER_RADIUS_PX, fill=True),
        style_function=style,
        tooltip=_tooltip(lang),
        zoom_on_click=False,
    )


def _add_arrows(group: folium.FeatureGroup, moves: Sequence[tuple[str, Change]], prev: pd.DataFrame, cur: pd.DataFrame, lang: str) -> None:
    """Add a line from each moved park's old position to its new one, with an arrow head at the new end."""
    features = []
    for pid, change in moves:
        start, end = (float(prev.at[pid, "lon"]), float(prev.at[pid, "lat"])), (float(cur.at[pid, "lon"]), float(cur.at[pid, "lat"]))
        props = {"name": html.escape(str(cur.at[pid, "name"])), "what": html.escape(_describe(change, lang))}
        features.append({"type": "Feature", "geometry": LineString([start, end]).__geo_interface__, "properties": props})
        _arrow_head(start, end).add_to(group)
    line = {"color": MOVED_COLOUR, "weight": 2.5, "opacity": 0.9}
    folium.GeoJson(_collection(features), style_function=lambda _: line, tooltip=_tooltip(lang), zoom_on_click=False).add_to(group)


def _arrow_head(start: tuple[float, float], end: tuple[float, float]) -> folium.Marker:
    """A triangle at ``end`` (lon, lat), pointing along the line from ``start``, its tip at the edge of the park's marker."""
    bearing = screen_bearing_deg(start, end)
    reach = MARKER_RADIUS_PX + 1.5
    size = math.ceil(2 * (reach + ARROW_HEAD_LENGTH_PX + 1))
    c, half = size // 2, ARROW_HEAD_WIDTH_PX / 2
    points = f"{c:g},{c + reach:g} {c - half:g},{c + reach + ARROW_HEAD_LENGTH_PX:g} {c + half:g},{c + reach + ARROW_HEAD_LENGTH_PX:g}"
    svg = (
        f'<div style="width:{size:g}px;height:{size:g}px;transform:rotate({bearing:.1f}deg);">'
        f'<svg width="{size:g}" height="{size:g}" viewBox="0 0 {size:g} {size:g}">'
        f'<polygon points="{points}" fill="{MOVED_COLOUR}" stroke="#ffffff" stroke-width="1"/></svg></div>'
    )
    return folium.Marker(
        [float(end[1]), float(end[0])],
        icon=folium.DivIcon(html=svg, icon_size=(size, size), icon_anchor=(size // 2, size // 2), class_name="parkmap-arrow"),
        interactive=False,
    )


def screen_bearing_deg(start: tuple[float, float], end: tuple[float, float]) -> float:
    """Return the direction from ``start`` to ``end`` on a web map, in degrees clockwise from up (north).

    Parameters
    ----------
    start, end
        ``(lon, lat)`` in degrees.

    Returns
    -------
    float
        0 for north, 90 for east, 180 for south, 270 for west (as drawn in Web Mercator).
    """

    def merc_y(lat: float) -> float:
        return math.degrees(math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)))

    dx, dy = float(end[0]) - float(start[0]), merc_y(float(end[1])) - merc_y(float(start[1]))
    return math.degrees(math.atan2(dx, dy)) % 360.0


def _describe(change: Change, lang: str) -> str:
    """What one change is, before → after, in plain text (escaped by the caller)."""
    flag = f" · {t(f'flag_{change.flag}', lang)}" if change.flag else ""
    if change.kind == "moved":
        return t("review_map_moved_by", lang, metres=f"{change.amount or 0:,.0f}")
    if change.kind in _FIELD_OF_KIND:
        item = get_field(_FIELD_OF_KIND[change.kind])
        what = t("change_status_changed", lang) if change.kind == "status_changed" else field_label(item.name, lang, sink="tooltip")
        before, after = format_value(item, change.before, lang), format_value(item, change.after, lang)
        return t("review_map_before_after", lang, what=what, before=before, after=after) + flag
    if change.kind == "renamed":
        return t("review_map_before_after", lang, what=t("change_renamed", lang), before=str(change.before), after=str(change.after))
    return t(f"change_{change.kind}", lang) + flag
