"""County polygons: outlines and choropleths of a measure."""

from __future__ import annotations

import html
from collections.abc import Sequence

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from geo.crs import WGS84, require_crs, to_gcj02
from geo.words import t
from layers.geojson import POLYGON_DECIMALS, feature_collection
from layers.legend import CategoricalLegend, ContinuousLegend

# Stepped classes for "% of quota": a planner reads these at a glance.
PCT_BREAKS = (25.0, 50.0, 75.0, 100.0)
PCT_COLOURS = ("#fde0c5", "#facba6", "#f59e72", "#9ecae1", "#2171b5")  # <25, 25-50, 50-75, 75-100, >=100
RAMP_COLOURS = ("#f7fbff", "#c6dbef", "#6baed6", "#2171b5", "#08306b")
NO_DATA_COLOUR = "#d9d9d9"
COUNTY_ZH, COUNTY_NAMES_ZH = t("county", "zh"), t("county_names", "zh")  # default names of the county layers


def in_datum(gdf: gpd.GeoDataFrame, datum: str) -> gpd.GeoDataFrame:
    """Return ``gdf`` in the datum of the basemap: WGS-84, or shifted to GCJ-02.

    Parameters
    ----------
    gdf
        Geometries in any CRS.
    datum
        ``wgs84`` or ``gcj02`` (for Amap tiles): the datum to draw in.

    Returns
    -------
    GeoDataFrame
        A copy in WGS-84, or shifted to GCJ-02 (labelled EPSG:4326).
    """
    require_crs(gdf)
    return to_gcj02(gdf) if datum == "gcj02" else gdf.to_crs(WGS84)


def pct_class_colour(values: Sequence[float] | np.ndarray) -> list[str]:
    """Return the stepped colour of each % complete value (grey where missing).

    Parameters
    ----------
    values
        Per cent of quota reached, NaN where unknown.

    Returns
    -------
    list of str
        One hex colour per value.
    """
    arr = np.asarray(values, dtype="float64")
    idx = np.searchsorted(PCT_BREAKS, arr, side="right")
    return [NO_DATA_COLOUR if np.isnan(v) else PCT_COLOURS[i] for v, i in zip(arr, idx, strict=True)]


def pct_legend(title: str, *, fill_opacity: float = 1.0) -> CategoricalLegend:
    """Return the legend of the stepped % complete classes.

    Parameters
    ----------
    title
        The legend's title (escaped when drawn).
    fill_opacity
        The county layer's fill opacity: the swatches are drawn at it, so they look like the map.

    Returns
    -------
    CategoricalLegend
        The five % classes with their colours.
    """
    labels = ("< 25%", "25–50%", "50–75%", "75–100%", "≥ 100%")
    return CategoricalLegend(title, list(zip(PCT_COLOURS, labels, strict=True)), fill_opacity=fill_opacity)


def ramp_colour(values: Sequence[float] | np.ndarray) -> list[str]:
    """Return ramp colours for values scaled between their min and max (grey where missing).

    Parameters
    ----------
    values
        Any measure, NaN where unknown.

    Returns
    -------
    list of str
        One hex colour per value.
    """
    arr = np.asarray(values, dtype="float64")
    finite = arr[np.isfinite(arr)]
    if finite.size == 0:
        return [NO_DATA_COLOUR] * len(arr)
    low, high = float(finite.min()), float(finite.max())
    span = high - low or 1.0
    idx = np.clip(((arr - low) / span * (len(RAMP_COLOURS) - 1)).round(), 0, len(RAMP_COLOURS) - 1)
    return [NO_DATA_COLOUR if not np.isfinite(v) else RAMP_COLOURS[int(i)] for v, i in zip(arr, idx, strict=True)]


def ramp_legend(title: str, low_label: str, high_label: str, *, fill_opacity: float = 1.0) -> ContinuousLegend:
    """Return the legend of the continuous colour ramp.

    Parameters
    ----------
    title
        The legend's title (escaped when drawn).
    low_label, high_label
        Text at the light and dark ends of the ramp.
    fill_opacity
        The county layer's fill opacity (the ramp is drawn at it).

    Returns
    -------
    ContinuousLegend
        The colour ramp from low to high.
    """
    return ContinuousLegend(title, RAMP_COLOURS, low_label, high_label, fill_opacity=fill_opacity)


def county_layer(
    counties: gpd.GeoDataFrame,
    *,
    fill_colours: Sequence[str] | None = None,
    tooltip_columns: Sequence[tuple[str, str]] = (),
    name: str = COUNTY_ZH,
    datum: str = "wgs84",
    highlight_adcode: str | None = None,
    fill_opacity: float = 0.6,
) -> folium.GeoJson:
    """Return the county polygons as one GeoJSON layer.

    Parameters
    ----------
    counties
        County polygons with ``adcode`` and ``name`` in any CRS; reprojected to
        WGS-84 (or shifted to GCJ-02 when ``datum="gcj02"``).
    fill_colours
        One colour per county (same order); ``None`` draws outlines only.
    tooltip_columns
        ``(column, label)`` pairs shown on hover; values are HTML-escaped.
    highlight_adcode
        The county drilled into: drawn with a thick outline.
    name
        The layer's name (layer control, escaped).
    datum
        ``wgs84`` or ``gcj02`` (for Amap tiles): the datum to draw in.
    fill_opacity
        Fill opacity, 0 to 1 (lower when hexagons are drawn over the counties).

    Returns
    -------
    folium.GeoJson
        The county polygons, styled per county.
    """
    frame = in_datum(counties, datum)
    props = pd.DataFrame({"adcode": frame["adcode"].astype(str), "name": frame["name"].astype(str).map(html.escape)})
    for column, _ in tooltip_columns:
        props[column] = frame[column].map(lambda v: html.escape(str(v)) if pd.notna(v) else "—")
    colours = list(fill_colours) if fill_colours is not None else [None] * len(frame)
    props["_fill"] = colours
    data = gpd.GeoDataFrame(props, geometry=frame.geometry.values, crs=frame.crs)

    def style(feature: dict) -> dict:
        fill = feature["properties"]["_fill"]
        selected = feature["properties"]["adcode"] == highlight_adcode
        return {
            "color": "#b10026" if selected else "#37474f",
            "weight": 4 if selected else 1.5,
            "fillColor": fill or "#ffffff",
            "fillOpacity": fill_opacity if fill else 0.0,
        }

    tooltip = None
    if tooltip_columns:
        fields = ["name", *[c for c, _ in tooltip_columns]]
        aliases = ["", *[html.escape(label) for _, label in tooltip_columns]]
        tooltip = folium.GeoJsonTooltip(fields=fields, aliases=aliases, sticky=True)
    return folium.GeoJson(
        feature_collection(data, decimals=POLYGON_DECIMALS),
        name=name,
        style_function=style,
        highlight_function=lambda _: {"weight": 3, "color": "#000000"},
        tooltip=tooltip,
        zoom_on_click=False,
    )


def county_labels(counties: gpd.GeoDataFrame, *, datum: str = "wgs84", name: str = COUNTY_NAMES_ZH) -> folium.FeatureGroup:
    """Return county name labels at a point inside each county.

    Parameters
    ----------
    counties
        County polygons with ``name``, any CRS.
    datum
        ``wgs84`` or ``gcj02`` (for Amap tiles): the datum to draw in.
    name
        The group's name.

    Returns
    -------
    folium.FeatureGroup
        One text marker per county.
    """
    frame = in_datum(counties, datum)
    group = folium.FeatureGroup(name=name, control=False)
    points = frame.geometry.representative_point()
    for label, point in zip(frame["name"].astype(str), points, strict=True):
        folium.Marker(
            [point.y, point.x],
            icon=folium.DivIcon(
                html=f'<div style="font-size:13px;font-weight:600;color:#263238;text-shadow:0 0 3px #fff,0 0 3px #fff;'
                f'white-space:nowrap;transform:translate(-50%,-50%);">{html.escape(label)}</div>',
                icon_size=(0, 0),
            ),
            interactive=False,
        ).add_to(group)
    return group
