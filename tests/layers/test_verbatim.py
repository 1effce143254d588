"""Text from data is never compiled as a template, wherever it reaches the map."""

from __future__ import annotations

import html
import itertools
import json
import pickle
from pathlib import Path

import folium
import geopandas as gpd
import pandas as pd
import pytest
from branca import element as branca_element
from shapely.geometry import Point, box
from streamlit_folium import _get_feature_group_string

from geo.crs import WGS84
from layers import verbatim
from layers.city_map import MapContent, city_base_map, city_map, overlay_group


def command_payload(marker: Path) -> str:
    """A name that, compiled as Jinja, would run a shell command creating ``marker``."""
    return "{{ cycler.__init__.__globals__.os.popen('touch " + str(marker) + "').read() }}"


def _shown(text: str, page: str) -> bool:
    forms = {text, html.escape(text)}
    return any(form in page or json.dumps(form)[1:-1] in page for form in forms)


TEMPLATE_PAYLOADS = ["{{ 7*7 }}号园", "{% if 1 %}条件{% endif %}园", "{# 注释", "坏模板{{园", "{{'x'}}", "{%- raw %}"]


def _hostile_content(marker: Path, payload: str) -> MapContent:
    bad = f"{payload}|{command_payload(marker)}"
    counties = gpd.GeoDataFrame(
        {"adcode": ["330602", "330603"], "name": [f"越城区{bad}", "柯桥区"], "name_en": [f"Yuecheng{bad}", "Keqiao"], "tip": [bad, "x"]},
        geometry=[box(120.5, 29.9, 120.6, 30.0), box(120.4, 29.9, 120.5, 30.0)],
        crs=WGS84,
    )
    parks = gpd.GeoDataFrame(
        {
            "park_id": ["a", "b"],
            "name": [bad, "正常园"],
            "county_adcode": ["330602", "330603"],
            "status": ["built", "planned"],
            "floor_area_m2": [150_000.0, None],
            "land_area_mu": [60.0, None],
            "main_industry": [bad, None],
            "operator": [bad, None],
            "township": [bad, None],
        },
        geometry=[Point(120.55, 29.95), Point(120.45, 29.95)],
        crs=WGS84,
    )
    area = [box(120.5, 29.9, 120.52, 29.92)]
    clusters = gpd.GeoDataFrame(
        {"firms": [12], "top_industries": [bad], "county_adcode": ["330602"], "in_park_share": [0.5]}, geometry=area, crs=WGS84
    )
    return MapContent(
        counties=counties,
        county_values=pd.Series([40.0, 120.0]),
        measure="pct_floor_quota",
        parks=parks,
        clusters=clusters,
        county_tooltips=[("tip", bad)],
        notice_lines=[f"数据来源：{bad}.xlsx"],
        sample_notice=True,
        title=bad,
        subtitle=bad,
    )


@pytest.mark.parametrize("payload", TEMPLATE_PAYLOADS)
@pytest.mark.parametrize("presentation", [False, True])
def test_template_text_in_every_field_shows_literally_and_runs_nothing(tmp_path: Path, payload: str, presentation: bool) -> None:
    marker = tmp_path / "pwned"
    page = city_map(_hostile_content(marker, payload), presentation=presentation).get_root().render()
    assert not marker.exists()  # the command never ran
    assert "49号园" not in page and "条件园" not in page
    # the literal text reaches the page (HTML-escaped, possibly inside JSON: neither touches braces)
    assert _shown(payload, page) and _shown(command_payload(marker), page)


def test_dashboard_path_through_streamlit_folium_keeps_text_literal(tmp_path: Path) -> None:
    """The dashboard sends the overlays as one feature group script (streamlit-folium's own render path)."""
    marker = tmp_path / "pwned"
    content = _hostile_content(marker, "{{ 7*7 }}号园")
    script = _get_feature_group_string(overlay_group(content), city_base_map(content.counties))
    assert not marker.exists()
    assert "{{ 7*7 }}" in script and "49号园" not in script


def _deterministic_render(build) -> str:
    counter = itertools.count()
    original = branca_element.Element._generate_id
    branca_element.Element._generate_id = classmethod(lambda cls: f"{next(counter):032x}")  # type: ignore[method-assign]
    try:
        return build().get_root().render()
    finally:
        branca_element.Element._generate_id = original  # type: ignore[method-assign]


def test_ordinary_maps_render_exactly_as_with_stock_branca(two_counties, three_parks, monkeypatch: pytest.MonkeyPatch) -> None:
    """The guard changes nothing for text without template syntax: same bytes as branca's own rendering."""
    content = MapContent(
        counties=two_counties,
        county_values=pd.Series([40.0, 120.0]),
        measure="pct_floor_quota",
        parks=three_parks,
        notice_lines=["统计日期"],
    )
    guarded = _deterministic_render(lambda: city_map(content, presentation=True))
    monkeypatch.setattr(branca_element.Element, "__init__", verbatim._stock_init)
    monkeypatch.setattr(branca_element.Element, "__setstate__", verbatim._stock_setstate)
    stock = _deterministic_render(lambda: city_map(content, presentation=True))
    assert guarded == stock
    assert "parkmap-legend" in guarded


def test_stock_branca_would_have_evaluated_the_name(monkeypatch: pytest.MonkeyPatch) -> None:
    """Why the guard exists: without it, ``{{ 7*7 }}`` in a park name renders as 49."""
    monkeypatch.setattr(branca_element.Element, "__init__", verbatim._stock_init)
    m = folium.Map(tiles=None)
    folium.Marker([30.0, 120.5], tooltip="{{ 7*7 }}号园").add_to(m)
    assert "49号园" in m.get_root().render()


def test_guard_holds_after_pickling_as_streamlit_caches_do() -> None:
    element = branca_element.Element("{{ 7*7 }}")
    restored = pickle.loads(pickle.dumps(element))
    assert restored.render() == "{{ 7*7 }}"
    assert verbatim.installed()


def test_branca_loops_still_render_children() -> None:
    figure = branca_element.Figure()
    figure.html.add_child(branca_element.Element("<p>一</p>"))
    figure.html.add_child(branca_element.Element("<p>{{ 二 }}</p>"))
    page = figure.render()
    assert "<p>一</p>" in page and "<p>{{ 二 }}</p>" in page
