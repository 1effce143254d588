"""The dashboard's map, composed from the layers: one module for the app and the exports.

The map comes in two parts so the app can redraw quickly: a *base* (Leaflet,
basemap tiles, scale bar, north arrow) that stays in the browser, and one
feature group of *overlays* (choropleth, parks, enterprise layers, legends,
notices) that the app swaps when a filter changes. :func:`city_map` joins the
two for standalone use (exports, tests).
"""

from __future__ import annotations

import hashlib
import json
import math
import pickle
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import MacroElement, Template

from geo.crs import area_m2
from geo.words import measure_label, t
from layers.assets import APP_STATIC_URL
from layers.base import base_map, basemap_datum
from layers.counties import county_labels, county_layer, in_datum, pct_class_colour, pct_legend, ramp_colour, ramp_legend
from layers.enterprises import cluster_gap_legend, cluster_layer, density_legend, gap_layer, hexbin_layer
from layers.legend import DEFAULT_FONT_PX, legend_control, north_arrow_control, notice_control, title_control
from layers.parks import park_layer, size_legend, status_legend

PCT_MEASURES = ("pct_floor_quota", "pct_parks_quota")
PRESENTATION_FONT_PX = 17
TILE_PX = 256
FIT_PADDING_PX = 20
# Room kept free for the boxes drawn over the map, so no county hides under them: the legend on the right
# (bottom-right corner, as wide as its widest line) and the notice along the bottom (bottom-left corner).
LEGEND_RESERVE_PX, NOTICE_RESERVE_PX = 230, 100
PRESENTATION_LEGEND_RESERVE_PX, PRESENTATION_NOTICE_RESERVE_PX = 320, 130
BOX_GAP_PX = 8  # between a county and the legend or notice box, in the browser's fit

# Presentation mode on a projector: the map fills its frame's height (the app sizes the frame to the
# viewport), the legend never grows past the frame, the mouse wheel scrolls nothing instead of zooming
# into a corner, and the +/- buttons sit under the title (top left, away from the legend as it grows).
_PRESENTATION_FRAME_TEMPLATE = """
{% macro header(this, kwargs) %}
<style>
#map_div, .folium-map {height: 100vh !important;}
html, body {overflow: hidden;}
.parkmap-legend {max-height: calc(100vh - 120px); overflow-y: auto;}
.leaflet-top.leaflet-left {display: flex; flex-direction: column; align-items: flex-start;}
.leaflet-top.leaflet-left .parkmap-title {order: -1;}
</style>
{% endmacro %}
{% macro script(this, kwargs) %}
{{ this._parent.get_name() }}.scrollWheelZoom.disable();
{% endmacro %}
"""

# Fits the map to the focus (the city, or the drilled county) in the browser, at the frame's real size, with
# the legend (right) and the notice (bottom) measured where they are drawn, so no county hides under them;
# the fixed reserves are used when a box is not on the map. It fits once its overlays are on the map, and
# again only when the focus, the frame's size or the boxes' room changes: a filter change keeps the view the
# planner panned to. Deferred, and after any zoom animation, so it follows streamlit-folium's own setView.
_FIT_TO_FOCUS_TEMPLATE = """
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = new (L.Layer.extend({
  onAdd: function(map) {
    var bounds = L.latLngBounds({{ this.bounds_json }});
    var room = function(selector, side, fallback) {
      var box = map.getContainer().querySelector(selector);
      if (!box || !box.offsetWidth) { return fallback; }
      var frame = map.getContainer().getBoundingClientRect(), rect = box.getBoundingClientRect();
      return (side === 'right' ? frame.right - rect.left : frame.bottom - rect.top) + {{ this.gap_px }};
    };
    var fit = this._fit = function() {
      // a zoom animation under way (streamlit-folium's own setView) would swallow the new view: fit when it ends
      if (map._animatingZoom) { map.once('zoomend', fit); return; }
      var size = map.getSize();
      var right = Math.min(room('.parkmap-legend', 'right', {{ this.reserve_right_px }}), size.x / 2);
      var bottom = Math.min(room('.parkmap-notice', 'bottom', {{ this.reserve_bottom_px }}), size.y / 2);
      var done = [{{ this.bounds_json }}, size.x, size.y, Math.round(right), Math.round(bottom)].join('|');
      if (map._parkmapFitted === done) { return; }
      map._parkmapFitted = done;
      map.fitBounds(bounds, {paddingTopLeft: [{{ this.padding_px }}, {{ this.padding_px }}],
                             paddingBottomRight: [right, bottom], animate: false});
    };
    setTimeout(fit, 0);
    map.on('resize', this._fit);
  },
  onRemove: function(map) { map.off('resize', this._fit); }
}))();
{{ this.get_name() }}.addTo({{ this._parent.get_name() }});
{% endmacro %}
"""

# While the map shows a found park (the app's own centre and zoom), the next fit must happen whatever it was.
_FORGET_FIT_TEMPLATE = """
{% macro script(this, kwargs) %}
{{ this._parent.get_name() }}._parkmapFitted = null;
{% endmacro %}
"""


class _PresentationFrame(MacroElement):
    """The base map's presentation settings (see ``_PRESENTATION_FRAME_TEMPLATE``)."""

    _template = Template(_PRESENTATION_FRAME_TEMPLATE)

    def __init__(self) -> None:
        super().__init__()
        self._name = "PresentationFrame"


class _FitToFocus(MacroElement):
    """Fit the map to (min_lon, min_lat, max_lon, max_lat) in the browser, at the frame's real size, clear of legend and notice."""

    _template = Template(_FIT_TO_FOCUS_TEMPLATE)

    def __init__(
        self,
        bounds: tuple[float, float, float, float],
        *,
        padding_px: int = FIT_PADDING_PX,
        reserve_px: tuple[int, int] = (PRESENTATION_LEGEND_RESERVE_PX, PRESENTATION_NOTICE_RESERVE_PX),
        gap_px: int = BOX_GAP_PX,
    ) -> None:
        super().__init__()
        self._name = "FitToFocus"
        min_lon, min_lat, max_lon, max_lat = bounds
        self.bounds_json = json.dumps([[min_lat, min_lon], [max_lat, max_lon]])
        self.padding_px = int(padding_px)
        self.reserve_right_px, self.reserve_bottom_px = (int(v) for v in reserve_px)
        self.gap_px = int(gap_px)


class _ForgetFit(MacroElement):
    """Make the next :class:`_FitToFocus` fit even if the focus is the one fitted last (the map showed a found park)."""

    _template = Template(_FORGET_FIT_TEMPLATE)

    def __init__(self) -> None:
        super().__init__()
        self._name = "ForgetFit"


@dataclass(frozen=True)
class MapContent:
    """What goes on the map; every GeoDataFrame in any CRS (drawn in the basemap's datum)."""

    counties: gpd.GeoDataFrame  # adcode, name (+ name_en)
    county_values: pd.Series  # choropleth value per county, aligned with ``counties``
    measure: str  # one of geo.words.MEASURES
    parks: gpd.GeoDataFrame | None = None
    hexes: gpd.GeoDataFrame | None = None
    clusters: gpd.GeoDataFrame | None = None
    gaps: gpd.GeoDataFrame | None = None
    county_tooltips: Sequence[tuple[str, str]] = ()  # (column of counties, label)
    notice_lines: Sequence[str] = ()
    sample_notice: bool = False
    sample_firms_notice: bool = False  # an enterprise layer drawn here comes from the synthetic firm list
    selected_adcode: str | None = None
    max_floor_area_m2: float | None = None
    extra_legends: Sequence[object] = field(default_factory=tuple)
    title: str | None = None  # drawn on the map in presentation mode
    subtitle: str = ""


def content_digest(content: MapContent, *options: object) -> str:
    """Return a digest of everything ``content`` draws (and of ``options``): equal digests draw the same overlay.

    Tables count by their columns, dtypes, index, values and geometry (WKB) and CRS; other fields by
    ``repr``. Used to share a rendered overlay between runs and sessions (``ui.map_overlay``).

    Parameters
    ----------
    content
        What goes on the map.
    *options
        Whatever else the overlay depends on (language, basemap, presentation, fit).

    Returns
    -------
    str
        A hex digest.
    """
    digest = hashlib.blake2b(digest_size=20)
    for item in (*(getattr(content, f.name) for f in fields(content)), *options):
        digest.update(b"\x1f")
        if isinstance(item, pd.DataFrame | pd.Series):
            _digest_table(digest, item)
        else:
            digest.update(repr(item).encode())
    return digest.hexdigest()


def _digest_table(digest: Any, table: pd.DataFrame | pd.Series) -> None:
    frame = table.to_frame() if isinstance(table, pd.Series) else table
    geometry = frame.geometry if isinstance(frame, gpd.GeoDataFrame) else None
    plain = pd.DataFrame(frame.drop(columns=geometry.name)) if geometry is not None else pd.DataFrame(frame)
    digest.update(repr([(str(c), str(t)) for c, t in plain.dtypes.items()]).encode())
    try:
        digest.update(pd.util.hash_pandas_object(plain, index=True).to_numpy().tobytes())
    except TypeError:  # unhashable cells (a list from a GeoJSON register)
        digest.update(pickle.dumps(plain))
    if geometry is not None:
        digest.update(str(geometry.crs).encode())
        digest.update(b"".join(w if w is not None else b"-" for w in shapely.to_wkb(np.asarray(geometry.values))))


@dataclass(frozen=True)
class MapView:
    """Where the map looks: centre (lat, lon) and zoom, in the basemap's datum."""

    center: tuple[float, float]
    zoom: float


def city_base_map(
    counties: gpd.GeoDataFrame,
    *,
    lang: str = "zh",
    basemap: str = "none",
    tianditu_key: str | None = None,
    asset_base_url: str = APP_STATIC_URL,
    presentation: bool = False,
) -> folium.Map:
    """Return the part of the map that does not change with filters: tiles, scale bar, north arrow.

    Parameters
    ----------
    counties
        County polygons in any CRS; the map is fitted to them.
    lang
        ``zh`` or ``en``: the language of labels, legends and notices.
    basemap
        A key of :data:`layers.base.BASEMAPS`; overlays are drawn in its datum.
    tianditu_key
        The Tianditu ``tk``; required for ``tianditu``.
    asset_base_url
        Where the app serves ``static/vendor``.
    presentation
        Draw for a projector: larger text; the map fills its frame's height, the mouse wheel does not
        zoom (the +/- buttons do).

    Returns
    -------
    folium.Map
        The base map, without overlays.
    """
    datum = basemap_datum(basemap)
    m = base_map(
        bounds=tuple(in_datum(counties, datum).total_bounds),
        basemap=basemap,
        tianditu_key=tianditu_key,
        asset_base_url=asset_base_url,
        tile_error_message=t("tile_error", lang),
    )
    north_arrow_control(font_px=PRESENTATION_FONT_PX if presentation else DEFAULT_FONT_PX).add_to(m)
    if presentation:
        m.add_child(_PresentationFrame())
    return m


def overlay_group(
    content: MapContent, *, lang: str = "zh", basemap: str = "none", presentation: bool = False, fit: bool = True
) -> folium.FeatureGroup:
    """Return every overlay as one feature group: choropleth, labels, enterprise layers, parks, legends, notices.

    The group also fits the map to the city (or the selected county) in the browser, at the frame's real size
    and clear of the legend and the notice as drawn there; it fits again only when that focus, the frame's
    size or the boxes' room changes, so a filter change keeps the view the planner panned to.

    Parameters
    ----------
    content
        What goes on the map.
    lang
        ``zh`` or ``en``: the language of labels, legends and notices.
    basemap
        A key of :data:`layers.base.BASEMAPS`; overlays are drawn in its datum.
    presentation
        Draw for a projector: title on the map, larger legend and notice text.
    fit
        Fit the map in the browser (see above). ``False`` while the app moves the map itself (to a found
        park): the map stays where the app puts it, and the next fit happens whatever it was before.

    Returns
    -------
    folium.FeatureGroup
        One group holding every overlay, to add to a base map.
    """
    datum = basemap_datum(basemap)
    group = folium.FeatureGroup(name="overlays", control=False)
    values = content.county_values.to_numpy(dtype="float64")
    is_pct = content.measure in PCT_MEASURES
    title = measure_label(content.measure, lang)
    fill_opacity = 0.25 if content.hexes is not None and len(content.hexes) else 0.6
    county_layer(
        content.counties,
        fill_colours=pct_class_colour(values) if is_pct else ramp_colour(values),
        tooltip_columns=content.county_tooltips,
        datum=datum,
        highlight_adcode=content.selected_adcode,
        name=t("county", lang),
        fill_opacity=fill_opacity,
    ).add_to(group)
    county_labels(content.counties, datum=datum, name=t("county_names", lang)).add_to(group)
    choropleth = (
        pct_legend(title, fill_opacity=fill_opacity) if is_pct else ramp_legend(title, *_range_labels(values), fill_opacity=fill_opacity)
    )
    legends: list[object] = [choropleth]
    _add_enterprise_layers(group, content, lang=lang, datum=datum, legends=legends)
    if content.parks is not None and len(content.parks):
        names = dict(zip(content.counties["adcode"].astype(str), content.counties["name"].astype(str), strict=True))
        park_layer(
            content.parks,
            county_names=names,
            lang=lang,
            datum=datum,
            max_floor_area_m2=content.max_floor_area_m2,
            name=t("layer_parks", lang),
        ).add_to(group)
        legends.append(status_legend(lang))
        top = content.max_floor_area_m2 or float(pd.to_numeric(content.parks["floor_area_m2"], errors="coerce").max() or 0.0)
        if top > 0:
            legends.append(size_legend(top, lang))
    legends.extend(content.extra_legends)
    font_px = PRESENTATION_FONT_PX if presentation else DEFAULT_FONT_PX
    legend_control(*legends, font_px=font_px).add_to(group)  # type: ignore[arg-type]
    warning = (
        t("sample_notice", lang) if content.sample_notice else (t("sample_firms_notice", lang) if content.sample_firms_notice else None)
    )
    notice_control(list(content.notice_lines), warning=warning, font_px=font_px).add_to(group)
    if presentation and content.title:
        title_control(content.title, subtitle=content.subtitle).add_to(group)
    if not fit:
        group.add_child(_ForgetFit())
    elif presentation:
        group.add_child(_FitToFocus(focus_bounds(content, basemap=basemap)))
    else:
        group.add_child(_FitToFocus(focus_bounds(content, basemap=basemap), reserve_px=(LEGEND_RESERVE_PX, NOTICE_RESERVE_PX)))
    return group


def focus_bounds(content: MapContent, *, basemap: str = "none") -> tuple[float, float, float, float]:
    """Return (min_lon, min_lat, max_lon, max_lat) of the selected county, or of the city, in the basemap's datum.

    Parameters
    ----------
    content
        What goes on the map (``selected_adcode`` picks the county).
    basemap
        A key of :data:`layers.base.BASEMAPS`; overlays are drawn in its datum.

    Returns
    -------
    tuple of float
        ``(min_lon, min_lat, max_lon, max_lat)`` in the basemap's datum.
    """
    counties = in_datum(content.counties, basemap_datum(basemap))
    picked = counties[counties["adcode"].astype(str) == content.selected_adcode] if content.selected_adcode else counties
    min_lon, min_lat, max_lon, max_lat = (picked if len(picked) else counties).total_bounds
    return float(min_lon), float(min_lat), float(max_lon), float(max_lat)


def map_view(content: MapContent, *, basemap: str = "none", width_px: int = 900, height_px: int = 640) -> MapView:
    """Return the centre and zoom that fit the selected county (or the whole city) in a map of this size.

    Parameters
    ----------
    content
        What goes on the map (``selected_adcode`` picks the county).
    basemap
        A key of :data:`layers.base.BASEMAPS`; overlays are drawn in its datum.
    width_px, height_px
        The map's size on screen in pixels.

    Returns
    -------
    MapView
        Centre (lat, lon) and zoom in the basemap's datum.
    """
    bounds = focus_bounds(content, basemap=basemap)
    min_lon, min_lat, max_lon, max_lat = bounds
    right, bottom = min(LEGEND_RESERVE_PX, width_px // 3), min(NOTICE_RESERVE_PX, height_px // 4)
    zoom = fit_zoom(bounds, width_px - right, height_px - bottom)
    # the county (or city) sits in the part of the frame the legend and the notice leave free: the centre moves
    # half their width east and half their height south of the bounds' centre
    world_px = TILE_PX * 2**zoom
    lon = (min_lon + max_lon) / 2 + right / 2 / world_px * 360.0
    y = (_merc_y(min_lat) + _merc_y(max_lat)) / 2 - bottom / 2 / world_px
    lat = math.degrees(2 * math.atan(math.exp(y * 2 * math.pi)) - math.pi / 2)
    return MapView(center=(lat, lon), zoom=zoom)


def _merc_y(lat: float) -> float:
    """Web Mercator y of a latitude, in world widths (0 at the equator)."""
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) / (2 * math.pi)


def fit_zoom(bounds: Sequence[float] | np.ndarray, width_px: int, height_px: int, *, padding_px: int = 20, snap: float = 0.25) -> float:
    """Return the largest web-map zoom (in ``snap`` steps) at which lon/lat ``bounds`` fit the given size.

    Parameters
    ----------
    bounds
        ``(min_lon, min_lat, max_lon, max_lat)`` in degrees.
    width_px, height_px
        The map's size on screen in pixels.
    padding_px
        Space kept free on each side, in pixels.
    snap
        The zoom step (Leaflet's ``zoomSnap``).

    Returns
    -------
    float
        The zoom, a multiple of ``snap``.
    """
    min_lon, min_lat, max_lon, max_lat = (float(v) for v in bounds)

    x_span = max((max_lon - min_lon) / 360.0, 1e-9)
    y_span = max(_merc_y(max_lat) - _merc_y(min_lat), 1e-9)
    zoom = min(math.log2((width_px - 2 * padding_px) / (TILE_PX * x_span)), math.log2((height_px - 2 * padding_px) / (TILE_PX * y_span)))
    return math.floor(zoom / snap) * snap


def city_map(
    content: MapContent,
    *,
    lang: str = "zh",
    basemap: str = "none",
    tianditu_key: str | None = None,
    asset_base_url: str = APP_STATIC_URL,
    presentation: bool = False,
) -> folium.Map:
    """Return the whole map in one piece (base and overlays), fitted to the selected county or the city.

    ``presentation=True`` draws for a projector: title on the map, larger
    legend and notice text, the map as tall as its frame, no zooming by the
    mouse wheel (the +/- buttons stay). Every overlay is drawn in the
    basemap's datum (GCJ-02 for Amap, else WGS-84).

    Parameters
    ----------
    content
        What goes on the map.
    lang
        ``zh`` or ``en``: the language of labels, legends and notices.
    basemap
        A key of :data:`layers.base.BASEMAPS`; overlays are drawn in its datum.
    tianditu_key
        The Tianditu ``tk``; required for ``tianditu``.
    asset_base_url
        Where the app serves ``static/vendor``.
    presentation
        Draw for a projector.

    Returns
    -------
    folium.Map
        The map with its overlays, fitted to the selected county or the city.
    """
    m = city_base_map(
        content.counties, lang=lang, basemap=basemap, tianditu_key=tianditu_key, asset_base_url=asset_base_url, presentation=presentation
    )
    overlay_group(content, lang=lang, basemap=basemap, presentation=presentation).add_to(m)
    if not presentation:  # the first view before the browser fits it (with the legend and notice as drawn)
        min_lon, min_lat, max_lon, max_lat = focus_bounds(content, basemap=basemap)
        m.fit_bounds(
            [[min_lat, min_lon], [max_lat, max_lon]],
            padding_top_left=(FIT_PADDING_PX, FIT_PADDING_PX),
            padding_bottom_right=(LEGEND_RESERVE_PX, NOTICE_RESERVE_PX),
        )
    return m


def _range_labels(values: object) -> tuple[str, str]:
    series = pd.Series(values, dtype="float64").dropna()
    if series.empty:
        return "—", "—"
    return f"{series.min():,.0f}", f"{series.max():,.0f}"


def _add_enterprise_layers(group: folium.FeatureGroup, content: MapContent, *, lang: str, datum: str, legends: list[object]) -> None:
    names = dict(zip(content.counties["adcode"].astype(str), content.counties["name"].astype(str), strict=True))
    if content.hexes is not None and len(content.hexes):
        hexbin_layer(content.hexes, datum=datum, name=t("layer_density", lang), count_label=t("layer_density", lang)).add_to(group)
        cell_km2 = float(np.median(area_m2(content.hexes))) / 1e6 if len(content.hexes) else 0.0
        legends.append(density_legend(content.hexes, title=t("density_legend", lang, km2=f"{cell_km2:.2f}")))
    shown = []
    if content.clusters is not None and len(content.clusters):
        words = {
            "firms": t("tip_firms", lang),
            "industry": t("tip_industry", lang),
            "county": t("county", lang),
            "in_park": t("tip_in_park", lang),
        }
        cluster_layer(content.clusters, county_names=names, datum=datum, name=t("layer_clusters", lang), labels=words).add_to(group)
        shown.append("clusters")
    if content.gaps is not None and len(content.gaps):
        words = {
            "rank": t("rank", lang),
            "firms": t("tip_small_firms", lang),
            "county": t("county", lang),
            "distance": t("tip_distance", lang),
        }
        gap_layer(content.gaps, county_names=names, datum=datum, name=t("layer_gaps", lang), labels=words).add_to(group)
        shown.append("gaps")
    if shown:
        legends.append(cluster_gap_legend(cluster_label=t("layer_clusters", lang), gap_label=t("layer_gaps", lang)))
