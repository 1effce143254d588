"""The review map: added green, missing grey, moves as arrows, changed parks outlined, escaped text, local assets only."""

from __future__ import annotations

import json
import re

import folium
import geopandas as gpd
import pytest
from shapely.geometry import Point

from geo.crs import WGS84, wgs84_to_gcj02
from geo.reporting.changes import Changes, register_changes
from geo.words import t
from layers.changes import (
    ADDED_COLOUR,
    CHANGED_OUTLINE,
    CONTEXT_RADIUS_PX,
    LEGEND_STRIP_SHARE,
    MARGIN_SHARE,
    MIN_SPAN_DEG,
    MOVED_COLOUR,
    REMOVED_COLOUR,
    UNCHANGED_OPACITY,
    changes_layer,
    review_bounds,
    review_map,
    screen_bearing_deg,
)
from tests.layers.conftest import XSS_NAME
from tests.layers.test_base import _external_asset_urls

BACKTICK_NAME = "`${alert(2)}`</script>"


def _register(rows: list[tuple[str, str, str, float, float, float]]) -> gpd.GeoDataFrame:
    """(park_id, name, status, floor_area_m2, lon, lat) rows as a register of 柯桥区."""
    return gpd.GeoDataFrame(
        {
            "park_id": [r[0] for r in rows],
            "name": [r[1] for r in rows],
            "county_adcode": "330603",
            "status": [r[2] for r in rows],
            "floor_area_m2": [r[3] for r in rows],
            "land_area_mu": 30.0,
        },
        geometry=[Point(r[4], r[5]) for r in rows],
        crs=WGS84,
    )


@pytest.fixture
def previous() -> gpd.GeoDataFrame:
    return _register(
        [
            ("330603-001", "纺织园", "built", 100_000.0, 120.50, 30.00),
            ("330603-002", "轴承园", "built", 200_000.0, 120.60, 30.00),  # moves 1 km east
            ("330603-003", "袜业园", "built", 300_000.0, 120.55, 30.05),  # missing from the new register
            ("330603-004", "老园", "under_construction", 80_000.0, 120.52, 30.02),  # changes status, area and name
            ("330603-005", "不变园", "built", 50_000.0, 120.45, 29.95),
        ]
    )


@pytest.fixture
def current() -> gpd.GeoDataFrame:
    return _register(
        [
            ("330603-001", "纺织园", "built", 100_000.0, 120.50, 30.00),
            ("330603-002", "轴承园", "built", 200_000.0, 120.61, 30.00),
            ("330603-004", XSS_NAME, "built", 120_000.0, 120.52, 30.02),
            ("330603-005", "不变园", "built", 50_000.0, 120.45, 29.95),
            ("330603-006", BACKTICK_NAME, "planned", 40_000.0, 120.58, 30.06),  # added
        ]
    )


def _features(html: str) -> list[dict]:
    """Every GeoJSON feature the rendered page adds to the map."""
    found = []
    for data in re.findall(r"_add\((\{.*?\})\);\n", html):
        found.extend(json.loads(data)["features"])
    return found


def _at(features: list[dict], lon: float, lat: float) -> list[dict]:
    return [f for f in features if f["geometry"]["type"] == "Point" and f["geometry"]["coordinates"] == [lon, lat]]


def _rendered(previous: gpd.GeoDataFrame | None, current: gpd.GeoDataFrame, lang: str = "zh") -> str:
    base = previous if previous is not None else current.iloc[0:0]
    return review_map(previous, current, register_changes(base, current), lang=lang).get_root().render()


def test_added_parks_are_green_and_missing_ones_grey_at_their_previous_place(previous, current) -> None:
    features = _features(_rendered(previous, current))
    added = _at(features, 120.58, 30.06)
    assert [f["properties"]["_fill"] for f in added] == [ADDED_COLOUR]
    assert added[0]["properties"]["what"] == t("change_added", "zh")
    removed = _at(features, 120.55, 30.05)
    assert [f["properties"]["_fill"] for f in removed] == [REMOVED_COLOUR]
    assert removed[0]["properties"]["name"] == "袜业园"


def test_a_moved_park_has_a_line_from_its_old_to_its_new_place_with_an_arrow_head(previous, current) -> None:
    html = _rendered(previous, current)
    lines = [f for f in _features(html) if f["geometry"]["type"] == "LineString"]
    assert [f["geometry"]["coordinates"] for f in lines] == [[[120.60, 30.00], [120.61, 30.00]]]
    assert lines[0]["properties"]["what"].startswith("位置移动约 9")  # about 965 m
    assert f'"color": "{MOVED_COLOUR}"' in html
    assert "transform:rotate(90.0deg)" in html  # the head points east, the way the park moved
    assert "[30.0, 120.61]" in html  # ... at the new position
    assert _at(_features(html), 120.60, 30.00)[0]["properties"]["what"] == t("review_map_old_position", "zh")


def test_changed_parks_are_outlined_and_say_what_changed_before_and_after(previous, current) -> None:
    changed = _at(_features(_rendered(previous, current)), 120.52, 30.02)
    assert [f["properties"]["_line"] for f in changed] == [CHANGED_OUTLINE]
    what = changed[0]["properties"]["what"].split("<br>")
    assert "建设状态变化：上期 在建 → 本期 建成" in what
    assert "建筑面积（万㎡）：上期 8.00 → 本期 12.00" in what
    assert "更名：上期 老园 → 本期 &lt;img src=x onerror=alert(1)&gt;" in what


def test_unchanged_parks_are_small_and_faint(previous, current) -> None:
    unchanged = _at(_features(_rendered(previous, current)), 120.45, 29.95)
    assert [(f["properties"]["_r"], f["properties"]["_fo"]) for f in unchanged] == [(CONTEXT_RADIUS_PX, UNCHANGED_OPACITY)]


def test_the_legend_names_every_kind_of_mark(previous, current) -> None:
    for lang in ("zh", "en"):
        html = _rendered(previous, current, lang)
        assert "parkmap-legend" in html
        for key in ("review_map_legend", "review_map_added", "review_map_removed", "review_map_moved", "review_map_changed"):
            assert t(key, lang) in html


def test_names_from_the_file_are_escaped(previous, current) -> None:
    html = _rendered(previous, current)
    assert XSS_NAME not in html and "<img src=x" not in html
    assert "</script>`" not in html and "`${alert(2)}`<" not in html
    names = {f["properties"]["name"] for f in _features(html)}
    assert {"&lt;img src=x onerror=alert(1)&gt;", "`${alert(2)}`&lt;/script&gt;"} <= names


def test_the_map_loads_nothing_from_outside(previous, current) -> None:
    m = review_map(previous, current, register_changes(previous, current))
    assert _external_asset_urls(m.get_root().render()) == []

    def links(element: object) -> list[str]:  # what streamlit-folium collects from the map's elements
        found = [url for _, url in [*getattr(element, "default_js", []), *getattr(element, "default_css", [])]]
        return found + [url for child in getattr(element, "_children", {}).values() for url in links(child)]

    assert links(m) and all(url.startswith("/app/static/vendor/") for url in links(m))


def test_the_map_fits_the_changed_parks_or_all_parks_when_nothing_changed(previous, current) -> None:
    def parks_inside(bounds: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
        """The box the parks are framed in: the bounds less their margins and the legend's strip."""
        min_lon, min_lat, max_lon, max_lat = bounds
        height = (max_lat - min_lat) * (1 - LEGEND_STRIP_SHARE)
        lon_margin = (max_lon - min_lon) * MARGIN_SHARE / (1 + 2 * MARGIN_SHARE)
        lat_margin = height * MARGIN_SHARE / (1 + 2 * MARGIN_SHARE)
        return min_lon + lon_margin, max_lat - height + lat_margin, max_lon - lon_margin, max_lat - lat_margin

    found = register_changes(previous, current)
    assert parks_inside(review_bounds(previous, current, found)) == pytest.approx((120.52, 30.0, 120.61, 30.06))
    same = review_bounds(previous, previous, register_changes(previous, previous))
    assert parks_inside(same) == pytest.approx((120.45, 29.95, 120.60, 30.05))
    one = current.iloc[[0]]
    min_lon, min_lat, max_lon, max_lat = review_bounds(None, one, register_changes(one.iloc[0:0], one))
    assert (min_lon, max_lon, max_lat) == pytest.approx((120.50 - MIN_SPAN_DEG / 2, 120.50 + MIN_SPAN_DEG / 2, 30.0 + MIN_SPAN_DEG / 2))
    assert min_lat < 30.0 - MIN_SPAN_DEG / 2  # the legend's strip below
    min_lon, min_lat, max_lon, max_lat = review_bounds(previous, current, found)
    assert f"[[{min_lat}, {min_lon}], [{max_lat}, {max_lon}]]" in review_map(previous, current, found).get_root().render()
    with pytest.raises(ValueError, match="empty"):
        review_bounds(None, current.iloc[0:0], Changes())


def test_with_no_previous_register_every_park_is_added(current) -> None:
    features = _features(_rendered(None, current))
    assert {f["properties"]["_fill"] for f in features} == {ADDED_COLOUR}
    assert len(features) == len(current)


def test_a_register_without_park_ids_is_refused_by_name(current) -> None:
    with pytest.raises(ValueError, match="`current` must have a park_id column"):
        changes_layer(None, current.drop(columns="park_id"), Changes(), "zh")


def test_gcj02_datum_shifts_every_mark_onto_amap_tiles(previous, current) -> None:
    group = changes_layer(previous, current, register_changes(previous, current), "zh", datum="gcj02")
    m = folium.Map(tiles=None)
    group.add_to(m)
    lon, lat = wgs84_to_gcj02(120.58, 30.06)
    assert _at(_features(m.get_root().render()), float(lon), float(lat))


@pytest.mark.parametrize(("end", "bearing"), [((120.5, 30.1), 0.0), ((120.6, 30.0), 90.0), ((120.5, 29.9), 180.0), ((120.4, 30.0), 270.0)])
def test_arrow_heads_point_the_way_the_park_moved(end: tuple[float, float], bearing: float) -> None:
    assert screen_bearing_deg((120.5, 30.0), end) == pytest.approx(bearing)
