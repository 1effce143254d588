"""Park markers: size by floor area, colour by status, escaped text, datum shift."""

from __future__ import annotations

import json

import folium
import pandas as pd

from geo.crs import wgs84_to_gcj02
from layers.parks import MAX_RADIUS_PX, MIN_RADIUS_PX, STATUS_COLOURS, park_layer, status_legend
from tests.layers.conftest import XSS_NAME

NAMES = {"330602": "越城区", "330603": "柯桥区"}


def _features(layer: folium.GeoJson) -> list[dict]:
    return layer.data["features"]


def _child(layer: folium.GeoJson, kind: type) -> object:
    return next(c for c in layer._children.values() if isinstance(c, kind))


def test_markers_sized_by_floor_area_and_coloured_by_status(three_parks) -> None:
    feats = _features(park_layer(three_parks, county_names=NAMES))
    radius = [f["properties"]["_radius"] for f in feats]
    assert radius[0] == MAX_RADIUS_PX  # the largest park
    assert MIN_RADIUS_PX < radius[1] < radius[0]
    assert radius[2] == MIN_RADIUS_PX  # unknown floor area: smallest, still shown
    assert [f["properties"]["_colour"] for f in feats] == [STATUS_COLOURS[s] for s in ("built", "under_construction", "certified")]


def test_popup_shows_units_a_planner_reads(three_parks) -> None:
    props = _features(park_layer(three_parks, county_names=NAMES))[0]["properties"]
    assert props["floor"] == "15.00"  # 万㎡
    assert props["land"] == "60"  # 亩
    assert props["ratio"] == "3.75"  # 150000 / (60 * 666.67)
    assert props["county"] == "越城区" and props["status"] == "建成"
    assert props["star"] == "4" and props["firms"] == "80"


def test_english_labels(three_parks) -> None:
    layer = park_layer(three_parks, county_names=NAMES, lang="en")
    assert _features(layer)[1]["properties"]["status"] == "Under construction"
    assert "Floor area (10k m²)" in _child(layer, folium.GeoJsonPopup).aliases


def test_text_from_data_is_escaped_everywhere_it_reaches_html(three_parks) -> None:
    m = folium.Map(tiles=None)
    park_layer(three_parks, county_names=NAMES).add_to(m)
    html = m.get_root().render()
    assert XSS_NAME not in html
    assert "<img src=x" not in html
    assert "</script>`" not in html
    names = [f["properties"]["name"] for f in _features(park_layer(three_parks, county_names=NAMES))]
    assert names[1] == "&lt;img src=x onerror=alert(1)&gt;"
    assert names[2] == "`${alert(2)}`&lt;/script&gt;"


def test_gcj02_datum_shifts_markers_onto_amap_tiles(three_parks) -> None:
    wgs = _features(park_layer(three_parks, county_names=NAMES))[0]["geometry"]["coordinates"]
    gcj = _features(park_layer(three_parks, county_names=NAMES, datum="gcj02"))[0]["geometry"]["coordinates"]
    expected = wgs84_to_gcj02(120.55, 29.95)
    assert list(wgs) == [120.55, 29.95]
    assert abs(gcj[0] - expected[0]) <= 0.5e-6 and abs(gcj[1] - expected[1]) <= 0.5e-6  # sent to the browser at 6 decimals (0.1 m)


def test_status_legend_lists_all_four_statuses() -> None:
    html = status_legend("zh").to_html()
    for label in ("谋划", "在建", "建成", "已认定"):
        assert label in html
    assert json.dumps(STATUS_COLOURS["certified"]).strip('"') in html


def test_the_size_legend_draws_the_circles_the_map_draws() -> None:
    from layers.parks import marker_radius_px, size_legend

    legend = size_legend(120_000.0, "zh")
    assert [label for _, label in legend.items] == ["2", "5", "10"] and legend.title.startswith("建筑面积（万㎡")
    radii = [r for r, _ in legend.items]
    assert radii == marker_radius_px(pd.Series([20_000.0, 50_000.0, 100_000.0]), max_floor_area_m2=120_000.0).tolist()
    html = legend.to_html()
    assert f"width:{2 * radii[-1]:.1f}px" in html and html.count("border-radius:50%") == 3
    assert size_legend(3_000.0, "en").items[0][1] == "0.3"  # a register of tiny parks still gets one circle


def test_remembered_formatting_gives_the_same_layer_as_formatting_afresh(three_parks) -> None:
    from layers import parks as parks_module

    parks_module._FORMATTED.clear()
    fresh = park_layer(three_parks, county_names=NAMES).data
    again = park_layer(three_parks, county_names=NAMES).data  # from the remembered values
    assert again == fresh
    other = park_layer(three_parks, county_names={"330602": "<b>越城</b>", "330603": "柯桥区"}).data
    assert other["features"][0]["properties"]["county"] == "&lt;b&gt;越城&lt;/b&gt;"  # county names are part of the key, escaped
    english = park_layer(three_parks, county_names=NAMES, lang="en").data
    assert english["features"][0]["properties"]["status"] == "Built"
