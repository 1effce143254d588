"""The dashboard's overlay, rendered once and shared: the browser gets the very script it got before, and new content draws anew."""

from __future__ import annotations

import folium
import geopandas as gpd
import pandas as pd
import pytest
import streamlit_folium
from folium.elements import JSCSSMixin
from shapely.geometry import Point

from layers.city_map import MapContent, city_base_map, content_digest, overlay_group
from ui.map_overlay import RenderedOverlay, overlay_script

TEMPLATE_NAME = "{{ 7*7 }}号园{% if 1 %}"
XSS_NAME = "<img src=x onerror=alert(1)>"


@pytest.fixture
def parks() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "park_id": ["a", "b", "c"],
            "name": ["大唐袜业小微企业园", XSS_NAME, TEMPLATE_NAME],
            "county_adcode": ["330602", "330603", "330603"],
            "status": ["built", "under_construction", "certified"],
            "floor_area_m2": [150_000.0, 30_000.0, None],
            "main_industry": ["袜业", None, TEMPLATE_NAME],
        },
        geometry=[Point(120.55, 29.95), Point(120.45, 29.95), Point(120.42, 29.92)],
        crs=4326,
    )


def _content(counties: gpd.GeoDataFrame, parks: gpd.GeoDataFrame, **extra: object) -> MapContent:
    given = {"county_values": pd.Series([40.0, 120.0]), "notice_lines": ["统计日期：2024-06-30", TEMPLATE_NAME]} | extra
    return MapContent(counties=counties, measure="pct_floor_quota", parks=parks, **given)


def _as_sent(group: folium.FeatureGroup, counties: gpd.GeoDataFrame) -> str:
    """What streamlit-folium sends the browser for ``group`` added to a new base map of the dashboard's kind."""
    base = city_base_map(counties)
    return streamlit_folium._get_feature_group_string(group, map=base)


@pytest.mark.parametrize(("lang", "presentation", "fit"), [("zh", False, True), ("en", True, True), ("zh", False, False)])
def test_the_browser_gets_the_same_script_from_the_rendered_overlay(two_counties, parks, lang, presentation, fit) -> None:
    content = _content(two_counties, parks, selected_adcode="330603", sample_notice=True)
    original = _as_sent(overlay_group(content, lang=lang, presentation=presentation, fit=fit), two_counties)
    script = overlay_script(overlay_group(content, lang=lang, presentation=presentation, fit=fit), folium.Map(tiles=None))
    assert _as_sent(RenderedOverlay(script, digest="-"), two_counties) == original
    assert "map_div" in original and "feature_group_feature_group_0" in original


def test_the_overlay_loads_no_script_or_stylesheet_of_its_own(two_counties, parks) -> None:
    """streamlit-folium collects such links from the group's elements; a rendered overlay has none, so none may be needed."""
    group = overlay_group(_content(two_counties, parks))

    def walk(element):
        yield element
        for child in element._children.values():
            yield from walk(child)

    assert not [e for e in walk(group) if isinstance(e, JSCSSMixin)]


def test_names_from_the_file_stay_text_in_the_rendered_overlay(two_counties, parks) -> None:
    script = overlay_script(overlay_group(_content(two_counties, parks)), folium.Map(tiles=None))
    sent = _as_sent(RenderedOverlay(script, digest="-"), two_counties)
    assert "49号园" not in sent  # never compiled as a template, neither when rendered nor when sent
    assert "{{ 7*7 }}" in sent  # as typed (its Chinese part JSON-escaped)
    assert XSS_NAME not in sent


def test_the_digest_follows_what_is_drawn(two_counties, parks) -> None:
    same = content_digest(_content(two_counties, parks.copy()), "zh", "none", False, True)
    assert content_digest(_content(two_counties, parks), "zh", "none", False, True) == same
    renamed = parks.assign(name=["大唐袜业小微企业园（二期）", XSS_NAME, TEMPLATE_NAME])
    moved = parks.set_geometry([Point(120.55, 29.95), Point(120.45, 29.95), Point(120.43, 29.92)])
    restatused = parks.assign(status=["built", "built", "certified"])
    changed = [
        content_digest(_content(two_counties, renamed), "zh", "none", False, True),
        content_digest(_content(two_counties, moved), "zh", "none", False, True),
        content_digest(_content(two_counties, restatused), "zh", "none", False, True),
        content_digest(_content(two_counties, parks, selected_adcode="330602"), "zh", "none", False, True),
        content_digest(_content(two_counties, parks), "en", "none", False, True),
        content_digest(_content(two_counties, parks), "zh", "none", True, True),
        content_digest(_content(two_counties, parks), "zh", "none", False, False),
        content_digest(_content(two_counties, parks.iloc[:2]), "zh", "none", False, True),
        content_digest(_content(two_counties, parks, county_values=pd.Series([41.0, 120.0])), "zh", "none", False, True),
    ]
    assert same not in changed and len(set(changed)) == len(changed)


def test_cells_pandas_cannot_hash_still_count(two_counties, parks) -> None:
    listed = parks.assign(main_industry=[["袜业"], None, ["轴承", "机械"]])
    other = parks.assign(main_industry=[["袜业"], None, ["轴承"]])
    assert content_digest(_content(two_counties, listed)) != content_digest(_content(two_counties, other))
