"""The dashboard's map, composed from the layers: one function for the app and the exports."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import folium
import geopandas as gpd
import pandas as pd

from layers.assets import APP_STATIC_URL
from layers.base import base_map, basemap_datum
from layers.counties import county_labels, county_layer, in_datum, pct_class_colour, pct_legend, ramp_colour, ramp_legend
from layers.enterprises import cluster_gap_legend, cluster_layer, density_legend, gap_layer, hexbin_layer
from layers.i18n import measure_label, t
from layers.legend import DEFAULT_FONT_PX, legend_control, north_arrow_control, notice_control, title_control
from layers.parks import park_layer, status_legend

PCT_MEASURES = ("pct_floor_quota", "pct_parks_quota")
PRESENTATION_FONT_PX = 17


@dataclass(frozen=True)
class MapContent:
    """What goes on the map; every GeoDataFrame in any CRS (drawn in the basemap's datum)."""

    counties: gpd.GeoDataFrame  # adcode, name (+ name_en)
    county_values: pd.Series  # choropleth value per county, aligned with ``counties``
    measure: str  # a key of layers.i18n.MEASURES
    parks: gpd.GeoDataFrame | None = None
    hexes: gpd.GeoDataFrame | None = None
    clusters: gpd.GeoDataFrame | None = None
    gaps: gpd.GeoDataFrame | None = None
    county_tooltips: Sequence[tuple[str, str]] = ()  # (column of counties, label)
    notice_lines: Sequence[str] = ()
    sample_notice: bool = False
    selected_adcode: str | None = None
    max_floor_area_m2: float | None = None
    extra_legends: Sequence[object] = field(default_factory=tuple)
    title: str | None = None  # drawn on the map in presentation mode
    subtitle: str = ""


def city_map(
    content: MapContent,
    *,
    lang: str = "zh",
    basemap: str = "none",
    tianditu_key: str | None = None,
    asset_base_url: str = APP_STATIC_URL,
    presentation: bool = False,
) -> folium.Map:
    """Return the full dashboard map: choropleth, labels, parks, enterprise layers, legends, notices.

    ``presentation=True`` draws for a projector: title on the map, larger
    legend and notice text, no zoom buttons.

    The map fits the selected county (or the city), and every overlay is drawn
    in the basemap's datum (GCJ-02 for Amap, else WGS-84).
    """
    datum = basemap_datum(basemap)
    counties = in_datum(content.counties, datum)
    focus = counties
    if content.selected_adcode:
        picked = counties[counties["adcode"].astype(str) == content.selected_adcode]
        focus = picked if len(picked) else counties
    m = base_map(
        bounds=tuple(focus.total_bounds),
        basemap=basemap,
        tianditu_key=tianditu_key,
        asset_base_url=asset_base_url,
        tile_error_message=t("tile_error", lang),
        zoom_control=not presentation,
    )
    values = content.county_values.to_numpy(dtype="float64")
    is_pct = content.measure in PCT_MEASURES
    colours = pct_class_colour(values) if is_pct else ramp_colour(values)
    title = measure_label(content.measure, lang)
    county_layer(
        content.counties,
        fill_colours=colours,
        tooltip_columns=content.county_tooltips,
        datum=datum,
        highlight_adcode=content.selected_adcode,
        name=t("county", lang),
        fill_opacity=0.25 if content.hexes is not None and len(content.hexes) else 0.6,
    ).add_to(m)
    county_labels(content.counties, datum=datum).add_to(m)
    legends: list[object] = [pct_legend(title) if is_pct else ramp_legend(title, *_range_labels(values))]
    _add_enterprise_layers(m, content, lang=lang, datum=datum, legends=legends)
    if content.parks is not None and len(content.parks):
        names = dict(zip(counties["adcode"].astype(str), counties["name"].astype(str), strict=True))
        park_layer(
            content.parks,
            county_names=names,
            lang=lang,
            datum=datum,
            max_floor_area_m2=content.max_floor_area_m2,
            name=t("layer_parks", lang),
        ).add_to(m)
        legends.append(status_legend(lang))
    legends.extend(content.extra_legends)
    font_px = PRESENTATION_FONT_PX if presentation else DEFAULT_FONT_PX
    legend_control(*legends, font_px=font_px).add_to(m)  # type: ignore[arg-type]
    warning = t("sample_notice", lang) if content.sample_notice else None
    notice_control(list(content.notice_lines), warning=warning, font_px=font_px).add_to(m)
    north_arrow_control(font_px=font_px).add_to(m)
    if presentation and content.title:
        title_control(content.title, subtitle=content.subtitle).add_to(m)
    return m


def _range_labels(values: object) -> tuple[str, str]:
    series = pd.Series(values, dtype="float64").dropna()
    if series.empty:
        return "—", "—"
    return f"{series.min():,.0f}", f"{series.max():,.0f}"


def _add_enterprise_layers(m: folium.Map, content: MapContent, *, lang: str, datum: str, legends: list[object]) -> None:
    names = dict(zip(content.counties["adcode"].astype(str), content.counties["name"].astype(str), strict=True))
    if content.hexes is not None and len(content.hexes):
        hexbin_layer(content.hexes, datum=datum, name=t("layer_density", lang), count_label=t("layer_density", lang)).add_to(m)
        legends.append(density_legend(content.hexes, title=t("layer_density", lang)))
    shown = []
    if content.clusters is not None and len(content.clusters):
        words = {
            "firms": t("tip_firms", lang),
            "industry": t("tip_industry", lang),
            "county": t("county", lang),
            "in_park": t("tip_in_park", lang),
        }
        cluster_layer(content.clusters, county_names=names, datum=datum, name=t("layer_clusters", lang), labels=words).add_to(m)
        shown.append("clusters")
    if content.gaps is not None and len(content.gaps):
        words = {
            "rank": t("tip_rank", lang),
            "firms": t("tip_small_firms", lang),
            "county": t("county", lang),
            "distance": t("tip_distance", lang),
        }
        gap_layer(content.gaps, county_names=names, datum=datum, name=t("layer_gaps", lang), labels=words).add_to(m)
        shown.append("gaps")
    if shown:
        legends.append(cluster_gap_legend(cluster_label=t("layer_clusters", lang), gap_label=t("layer_gaps", lang)))
