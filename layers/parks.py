"""Parks as circle markers sized by floor area and coloured by status."""

from __future__ import annotations

import html
from collections.abc import Mapping

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from geo.fields import Field, column_values, format_value, shown_in
from geo.schema import SQM_PER_WAN_SQM, STATUS_LABELS_EN, STATUS_LABELS_ZH, STATUSES
from layers.counties import in_datum
from layers.geojson import POINT_DECIMALS, feature_collection
from layers.legend import CategoricalLegend, SizeLegend

STATUS_COLOURS: Mapping[str, str] = {
    "planned": "#bdbdbd",
    "under_construction": "#ff7f00",
    "built": "#ffd92f",
    "certified": "#1b9e77",
}
MIN_RADIUS_PX = 4.0
MAX_RADIUS_PX = 16.0

_LEGEND = {"zh": "园区状态（圆大小 = 建筑面积）", "en": "Park status (size = floor area)"}
_SIZE_TITLE = {"zh": "建筑面积（万㎡，圆大小）", "en": "Floor area (10k m², circle size)"}
POPUP_FIELDS = shown_in("popup")
TOOLTIP_FIELDS = shown_in("tooltip")


def marker_radius_px(floor_area_m2: pd.Series, *, max_floor_area_m2: float | None = None) -> np.ndarray:
    """Return marker radii: area of the circle proportional to floor area.

    Parameters
    ----------
    floor_area_m2
        Each park's floor area in m² (missing counts as 0).
    max_floor_area_m2
        The floor area of the largest marker; default the largest given.

    Returns
    -------
    ndarray of float
        Radii in pixels.
    """
    values = pd.to_numeric(floor_area_m2, errors="coerce").fillna(0).clip(lower=0).to_numpy(dtype="float64")
    top = max_floor_area_m2 or (values.max() if values.size else 0.0) or 1.0
    return MIN_RADIUS_PX + (MAX_RADIUS_PX - MIN_RADIUS_PX) * np.sqrt(np.clip(values / top, 0, 1))


_FORMATTED: dict[tuple[str, str, tuple[tuple[str, str], ...], type, object], str] = {}
_FORMATTED_MAX = 50_000  # entries kept between maps (a few fields of a few hundred parks per language)


def _formatted(item: Field, value: object, lang: str, names: tuple[tuple[str, str], ...]) -> str:
    """``format_value`` escaped for HTML, remembered between maps: a redraw formats the same parks again.

    ``format_value`` is a pure function of its arguments; values that cannot be dictionary keys are
    formatted each time.
    """
    try:
        key = (item.name, lang, names, type(value), value)
        hit = _FORMATTED.get(key)
    except TypeError:  # an unhashable value (a list from a GeoJSON register)
        return html.escape(format_value(item, value, lang, names=dict(names)))
    if hit is None:
        if len(_FORMATTED) >= _FORMATTED_MAX:
            _FORMATTED.clear()
        hit = _FORMATTED[key] = html.escape(format_value(item, value, lang, names=dict(names)))
    return hit


def _park_properties(parks: gpd.GeoDataFrame, *, county_names: Mapping[str, str], lang: str) -> pd.DataFrame:
    """Return the escaped, formatted properties shown in tooltips and popups (one per catalogue field, keyed by ``prop``)."""
    props = pd.DataFrame(index=parks.index)
    props["park_id"] = parks.get("park_id", pd.Series(parks.index.astype(str), index=parks.index)).astype(str).map(html.escape)
    names = tuple(sorted((str(k), str(v)) for k, v in county_names.items()))
    for item in {f.name: f for f in (*POPUP_FIELDS, *TOOLTIP_FIELDS)}.values():
        values = column_values(parks, item)
        props[item.prop] = [_formatted(item, v, lang, names) for v in values]
    return props


def park_layer(
    parks: gpd.GeoDataFrame,
    *,
    county_names: Mapping[str, str],
    lang: str = "zh",
    datum: str = "wgs84",
    max_floor_area_m2: float | None = None,
    name: str = "园区",
) -> folium.GeoJson:
    """Return parks as one GeoJSON layer of circle markers with tooltip and popup.

    Parameters
    ----------
    parks
        Points with the canonical park columns (``geo.schema.PARK_COLUMNS``),
        any CRS; drawn in WGS-84, or GCJ-02 when ``datum="gcj02"``.
    county_names
        adcode -> county name for the popup.
    lang
        ``"zh"`` or ``"en"`` for labels.
    max_floor_area_m2
        Floor area that gets the largest marker; fixed across redraws so sizes
        stay comparable when filters change.
    datum
        ``wgs84`` or ``gcj02`` (for Amap tiles): the datum to draw in.
    name
        The layer's name.

    Returns
    -------
    folium.GeoJson
        The parks as circle markers sized by floor area and coloured by status.

    Notes
    -----
    All text from the data is HTML-escaped before it reaches the page. The
    popup shows the catalogue fields whose ``shows.popup`` is set
    (:mod:`geo.fields`), with their labels and display formats.
    """
    frame = in_datum(parks, datum)
    props = _park_properties(frame, county_names=county_names, lang=lang)
    props["_radius"] = marker_radius_px(frame["floor_area_m2"], max_floor_area_m2=max_floor_area_m2).round(1)
    props["_colour"] = frame["status"].map(lambda s: STATUS_COLOURS.get(s, "#000000"))
    data = gpd.GeoDataFrame(props, geometry=frame.geometry.values, crs=frame.crs)
    fields = [f.prop for f in POPUP_FIELDS]
    aliases = [f.label(lang, sink="popup") for f in POPUP_FIELDS]
    tips, tip_aliases = [f.prop for f in TOOLTIP_FIELDS], [f.label(lang, sink="tooltip") for f in TOOLTIP_FIELDS]

    def style(feature: dict) -> dict:
        p = feature["properties"]
        return {"radius": p["_radius"], "fill": True, "fillColor": p["_colour"], "color": "#263238", "weight": 1, "fillOpacity": 0.95}

    return folium.GeoJson(
        feature_collection(data, decimals=POINT_DECIMALS),
        name=name,
        marker=folium.CircleMarker(radius=MIN_RADIUS_PX, fill=True),
        style_function=style,
        tooltip=folium.GeoJsonTooltip(fields=tips, aliases=tip_aliases),
        popup=folium.GeoJsonPopup(fields=fields, aliases=aliases, max_width=320),
        zoom_on_click=False,
    )


def status_legend(lang: str = "zh") -> CategoricalLegend:
    """Return the legend of the park status colours.

    Parameters
    ----------
    lang
        ``zh`` or ``en``.

    Returns
    -------
    CategoricalLegend
        One circle per status.
    """
    labels = STATUS_LABELS_ZH if lang == "zh" else STATUS_LABELS_EN
    return CategoricalLegend(_LEGEND[lang], [(STATUS_COLOURS[s], labels[s]) for s in STATUSES], shape="circle")


def size_legend_values(max_floor_area_m2: float) -> list[float]:
    """Return two or three round floor areas (m²) to show in the circle-size legend (5, 10, 20 万㎡ ...).

    Parameters
    ----------
    max_floor_area_m2
        The floor area of the largest circle.

    Returns
    -------
    list of float
        Floor areas in m², smallest first, none above ``max_floor_area_m2``.
    """
    top_wan = max_floor_area_m2 / SQM_PER_WAN_SQM
    nice: list[float] = [v for v in (1, 2, 5, 10, 20, 50, 100, 200) if v <= top_wan]
    picks = nice[-3:] if len(nice) >= 3 else nice or [max(round(top_wan, 1), 0.1)]
    return [v * SQM_PER_WAN_SQM for v in picks]


def size_legend(max_floor_area_m2: float, lang: str = "zh") -> SizeLegend:
    """Return the legend of circle sizes: the circles the map draws for round floor areas.

    Parameters
    ----------
    max_floor_area_m2
        The floor area of the largest circle (as passed to :func:`park_layer`).
    lang
        ``zh`` or ``en``.

    Returns
    -------
    SizeLegend
        Two or three circles labelled in 万㎡ (the unit is in the title).
    """
    values = size_legend_values(max_floor_area_m2)
    radii = marker_radius_px(pd.Series(values), max_floor_area_m2=max_floor_area_m2)
    labels = [f"{v / SQM_PER_WAN_SQM:g}" for v in values]
    return SizeLegend(_SIZE_TITLE[lang], list(zip(radii.tolist(), labels, strict=True)))
