"""Enterprise layers: density hexagons, cluster outlines, coverage-gap cells.

The browser never receives enterprise points: only aggregates from
``geo.analysis.hexbins``, ``geo.analysis.clusters`` and ``geo.analysis.gaps``, so the payload stays
bounded however many enterprises are loaded.
"""

from __future__ import annotations

import html
from collections.abc import Mapping

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from geo.words import t
from layers.counties import in_datum
from layers.geojson import POLYGON_DECIMALS, feature_collection
from layers.legend import CategoricalLegend, ContinuousLegend, with_opacity

DENSITY_COLOURS = ("#f2f0f7", "#cbc9e2", "#9e9ac8", "#756bb1", "#54278f")  # purples: distinct from the choropleth
CLUSTER_COLOUR = "#6a1b9a"
GAP_COLOUR = "#c62828"
_WORDS_ZH = {k: t(k, "zh") for k in ("layer_clusters", "layer_gaps", "layer_density", "tip_firms")}  # default layer names


def density_classes(counts: pd.Series) -> tuple[list[str], list[float]]:
    """Return a colour per hexagon from quantile classes of its count, and the class breaks.

    Parameters
    ----------
    counts
        Enterprise count per hexagon.

    Returns
    -------
    tuple
        ``(colours, breaks)``: one hex colour per hexagon, and the class breaks used.
    """
    values = pd.to_numeric(counts, errors="coerce").fillna(0).to_numpy(dtype="float64")
    if values.size == 0:
        return [], []
    breaks = sorted(set(np.quantile(values, [0.5, 0.75, 0.9, 0.97]).round().tolist()))
    idx = np.searchsorted(breaks, values, side="right")
    return [DENSITY_COLOURS[min(i, len(DENSITY_COLOURS) - 1)] for i in idx], breaks


def hexbin_layer(
    hexes: gpd.GeoDataFrame, *, datum: str = "wgs84", name: str = _WORDS_ZH["layer_density"], count_label: str = _WORDS_ZH["tip_firms"]
) -> folium.GeoJson:
    """Return H3 hexagons coloured by enterprise count (``count`` column), with a tooltip.

    Parameters
    ----------
    hexes
        H3 hexagons with a ``count`` column, any CRS.
    datum
        ``wgs84`` or ``gcj02`` (for Amap tiles): the datum to draw in.
    name
        The layer's name.
    count_label
        The tooltip's label for the count.

    Returns
    -------
    folium.GeoJson
        The hexagons, coloured by count class.
    """
    frame = in_datum(hexes, datum)
    colours, _ = density_classes(frame["count"])
    data = gpd.GeoDataFrame(
        {"count": frame["count"].astype(int).to_numpy(), "_fill": colours}, geometry=frame.geometry.values, crs=frame.crs
    )
    return folium.GeoJson(
        feature_collection(data, decimals=POLYGON_DECIMALS),
        name=name,
        style_function=lambda f: {"fillColor": f["properties"]["_fill"], "color": "#54278f", "weight": 0.2, "fillOpacity": 0.55},
        tooltip=folium.GeoJsonTooltip(fields=["count"], aliases=[html.escape(count_label)]),
        smooth_factor=0,
    )


def density_legend(hexes: gpd.GeoDataFrame, *, title: str) -> ContinuousLegend:
    """Return the legend of the enterprise density hexagons.

    Parameters
    ----------
    hexes
        The hexagons drawn (with ``count``).
    title
        The legend's title.

    Returns
    -------
    ContinuousLegend
        A ramp from 1 to the largest count.
    """
    counts = pd.to_numeric(hexes["count"], errors="coerce")
    high = int(counts.max()) if len(counts) else 0
    return ContinuousLegend(title, DENSITY_COLOURS, "1", f"{high:,}")


def _tooltip_layer(
    frame: gpd.GeoDataFrame, columns: dict[str, np.ndarray], *, name: str, style: dict, words: Mapping[str, str]
) -> folium.GeoJson:
    """Return polygons with the given (already formatted and escaped) columns as a tooltip."""
    data = gpd.GeoDataFrame(columns, geometry=frame.geometry.values, crs=frame.crs)
    fields = list(columns)
    return folium.GeoJson(
        feature_collection(data, decimals=POLYGON_DECIMALS),
        name=name,
        style_function=lambda _: style,
        tooltip=folium.GeoJsonTooltip(fields=fields, aliases=[html.escape(words[f]) for f in fields]),
    )


def _county_names(adcodes: pd.Series, county_names: Mapping[str, str]) -> np.ndarray:
    return adcodes.map(lambda a: html.escape(county_names.get(str(a), str(a)))).to_numpy()


def cluster_layer(
    clusters: gpd.GeoDataFrame,
    *,
    county_names: Mapping[str, str],
    datum: str = "wgs84",
    name: str = _WORDS_ZH["layer_clusters"],
    labels: Mapping[str, str] | None = None,
) -> folium.GeoJson:
    """Return cluster outlines with firm count, dominant industries and share already in parks.

    ``labels`` overrides the tooltip labels (keys ``firms``, ``industry``, ``county``, ``in_park``).

    Parameters
    ----------
    clusters
        Cluster polygons with firm count, industries, county and in-park share, any CRS.
    county_names
        County name by adcode, for the tooltip.
    datum
        ``wgs84`` or ``gcj02`` (for Amap tiles): the datum to draw in.
    name
        The layer's name.
    labels
        Tooltip labels to use instead of the Chinese ones.

    Returns
    -------
    folium.GeoJson
        The cluster outlines with tooltips (text escaped).
    """
    words = {
        "firms": t("tip_firms", "zh"),
        "industry": t("tip_industry", "zh"),
        "county": t("county", "zh"),
        "in_park": t("tip_in_park", "zh"),
    }
    words |= dict(labels or {})
    frame = in_datum(clusters, datum)
    share = pd.to_numeric(frame["in_park_share"], errors="coerce")
    columns = {
        "firms": frame["firms"].astype(int).map("{:,}".format).to_numpy(),
        "industry": frame["top_industries"].fillna("—").astype(str).map(html.escape).to_numpy(),
        "county": _county_names(frame["county_adcode"], county_names),
        "in_park": share.map(lambda v: "—" if pd.isna(v) else f"{v:.0%}").to_numpy(),
    }
    style = {"color": CLUSTER_COLOUR, "weight": 2.5, "fill": True, "fillOpacity": 0.05, "dashArray": "6 4"}
    return _tooltip_layer(frame, columns, name=name, style=style, words=words)


def gap_layer(
    gaps: gpd.GeoDataFrame,
    *,
    county_names: Mapping[str, str],
    datum: str = "wgs84",
    name: str = _WORDS_ZH["layer_gaps"],
    labels: Mapping[str, str] | None = None,
) -> folium.GeoJson:
    """Return coverage-gap cells (many small-micro firms, no park nearby), ranked.

    ``labels`` overrides the tooltip labels (keys ``rank``, ``firms``, ``county``, ``distance``).

    Parameters
    ----------
    gaps
        Gap cells with ``rank``, firm count, county and ``nearest_park_distance_m``, any CRS.
    county_names
        County name by adcode, for the tooltip.
    datum
        ``wgs84`` or ``gcj02`` (for Amap tiles): the datum to draw in.
    name
        The layer's name.
    labels
        Tooltip labels to use instead of the Chinese ones.

    Returns
    -------
    folium.GeoJson
        The gap cells with tooltips (text escaped).
    """
    words = {"rank": t("rank", "zh"), "firms": t("tip_small_firms", "zh"), "county": t("county", "zh"), "distance": t("tip_distance", "zh")}
    words |= dict(labels or {})
    frame = in_datum(gaps, datum)
    distance_km = pd.to_numeric(frame["nearest_park_distance_m"], errors="coerce") / 1000
    columns = {
        "rank": frame["rank"].astype(int).to_numpy(),
        "firms": frame["firms"].astype(int).to_numpy(),
        "county": _county_names(frame["county_adcode"], county_names),
        "distance": distance_km.map(lambda v: "—" if pd.isna(v) else f"{v:.1f}").to_numpy(),
    }
    style = {"color": GAP_COLOUR, "weight": 2, "fillColor": GAP_COLOUR, "fillOpacity": 0.35}
    return _tooltip_layer(frame, columns, name=name, style=style, words=words)


def cluster_gap_legend(*, cluster_label: str, gap_label: str) -> CategoricalLegend:
    """Return the legend of the cluster and gap layers.

    Parameters
    ----------
    cluster_label, gap_label
        What the cluster and gap colours mean.

    Returns
    -------
    CategoricalLegend
        Two entries: clusters and gaps.
    """
    # drawn as the layers are: a dashed, nearly empty outline for clusters, a half-filled area for gaps
    items = [(with_opacity(CLUSTER_COLOUR, 0.05), cluster_label), (with_opacity(GAP_COLOUR, 0.35), gap_label)]
    return CategoricalLegend("", items, borders=(f"2px dashed {CLUSTER_COLOUR}", f"2px solid {GAP_COLOUR}"))
