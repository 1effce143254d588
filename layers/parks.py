"""Parks as circle markers sized by floor area and coloured by status."""

from __future__ import annotations

import html
from collections.abc import Mapping

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from geo.schema import SQM_PER_MU, SQM_PER_WAN_SQM, STATUS_LABELS_EN, STATUS_LABELS_ZH, STATUSES
from layers.counties import in_datum
from layers.legend import CategoricalLegend

STATUS_COLOURS: Mapping[str, str] = {
    "planned": "#bdbdbd",
    "under_construction": "#ff7f00",
    "built": "#ffd92f",
    "certified": "#1b9e77",
}
MIN_RADIUS_PX = 4.0
MAX_RADIUS_PX = 16.0

_LABELS = {
    "zh": {
        "name": "园区",
        "county": "区县",
        "status": "状态",
        "floor": "建筑面积（万㎡）",
        "land": "占地（亩）",
        "ratio": "容积率",
        "star": "星级",
        "firms": "入园企业（家）",
        "industry": "主导产业",
        "legend": "园区状态（圆大小 = 建筑面积）",
    },
    "en": {
        "name": "Park",
        "county": "County",
        "status": "Status",
        "floor": "Floor area (10k m²)",
        "land": "Land (mu)",
        "ratio": "Plot ratio",
        "star": "Stars",
        "firms": "Enterprises",
        "industry": "Main industry",
        "legend": "Park status (size = floor area)",
    },
}


def marker_radius_px(floor_area_m2: pd.Series, *, max_floor_area_m2: float | None = None) -> np.ndarray:
    """Return marker radii: area of the circle proportional to floor area."""
    values = pd.to_numeric(floor_area_m2, errors="coerce").fillna(0).clip(lower=0).to_numpy(dtype="float64")
    top = max_floor_area_m2 or (values.max() if values.size else 0.0) or 1.0
    return MIN_RADIUS_PX + (MAX_RADIUS_PX - MIN_RADIUS_PX) * np.sqrt(np.clip(values / top, 0, 1))


def _fmt(value: object, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA or value is pd.NaT:
        return "—"
    if isinstance(value, float | np.floating):
        return f"{value:,.{digits}f}"
    return html.escape(str(value))


def _park_properties(parks: gpd.GeoDataFrame, *, county_names: Mapping[str, str], lang: str) -> pd.DataFrame:
    """Return the escaped, formatted properties shown in tooltips and popups."""
    labels = STATUS_LABELS_ZH if lang == "zh" else STATUS_LABELS_EN
    floor = pd.to_numeric(parks["floor_area_m2"], errors="coerce")
    land = pd.to_numeric(parks.get("land_area_mu"), errors="coerce") if "land_area_mu" in parks else pd.Series(np.nan, index=parks.index)
    ratio = floor / (land * SQM_PER_MU)
    props = pd.DataFrame(index=parks.index)
    props["park_id"] = parks.get("park_id", pd.Series(parks.index.astype(str), index=parks.index)).astype(str).map(html.escape)
    props["name"] = parks["name"].map(_fmt)
    props["county"] = parks["county_adcode"].astype(str).map(lambda a: html.escape(county_names.get(a, a)))
    props["status"] = parks["status"].map(lambda s: html.escape(labels.get(s, str(s))))
    props["floor"] = (floor / SQM_PER_WAN_SQM).map(lambda v: _fmt(v, 2))
    props["land"] = land.map(lambda v: _fmt(v, 0))
    props["ratio"] = ratio.replace([np.inf, -np.inf], np.nan).map(lambda v: _fmt(v, 2))
    for key, column in (("star", "star_rating"), ("firms", "enterprises"), ("industry", "main_industry")):
        props[key] = parks[column].map(_fmt) if column in parks else "—"
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

    All text from the data is HTML-escaped before it reaches the page.
    """
    frame = in_datum(parks, datum)
    props = _park_properties(frame, county_names=county_names, lang=lang)
    props["_radius"] = marker_radius_px(frame["floor_area_m2"], max_floor_area_m2=max_floor_area_m2).round(1)
    props["_colour"] = frame["status"].map(lambda s: STATUS_COLOURS.get(s, "#000000"))
    data = gpd.GeoDataFrame(props, geometry=frame.geometry.values, crs=frame.crs)
    text = _LABELS[lang]
    fields = ["name", "county", "status", "floor", "land", "ratio", "star", "firms", "industry"]
    aliases = [text[f] for f in fields]

    def style(feature: dict) -> dict:
        p = feature["properties"]
        return {"radius": p["_radius"], "fill": True, "fillColor": p["_colour"], "color": "#263238", "weight": 1, "fillOpacity": 0.95}

    return folium.GeoJson(
        data.__geo_interface__,
        name=name,
        marker=folium.CircleMarker(radius=MIN_RADIUS_PX, fill=True),
        style_function=style,
        tooltip=folium.GeoJsonTooltip(fields=["name", "status", "floor"], aliases=[text["name"], text["status"], text["floor"]]),
        popup=folium.GeoJsonPopup(fields=fields, aliases=aliases, max_width=320),
        zoom_on_click=False,
    )


def status_legend(lang: str = "zh") -> CategoricalLegend:
    labels = STATUS_LABELS_ZH if lang == "zh" else STATUS_LABELS_EN
    return CategoricalLegend(_LABELS[lang]["legend"], [(STATUS_COLOURS[s], labels[s]) for s in STATUSES], shape="circle")
