"""The base map: local assets only, scale bar, basemaps and their datum."""

from __future__ import annotations

import re

import pytest

from layers import assets
from layers.base import BASEMAPS, base_map, basemap_datum

BOUNDS = (119.9, 29.2, 121.3, 30.4)


def _external_asset_urls(html: str) -> list[str]:
    srcs = re.findall(r'<script[^>]+src="([^"]+)"', html) + re.findall(r'<link[^>]+href="([^"]+)"', html)
    return [u for u in srcs if u.startswith(("http:", "https:", "//"))]


def test_default_map_loads_nothing_from_outside() -> None:
    html = base_map(bounds=BOUNDS).get_root().render()
    assert _external_asset_urls(html) == []
    assert '<script src="/app/static/vendor/leaflet/leaflet.js"></script>' in html
    assert "tile.openstreetmap.org" not in html and "L.tileLayer" not in html


def test_map_fits_the_city_and_has_a_metric_scale_bar() -> None:
    html = base_map(bounds=BOUNDS).get_root().render()
    assert "fitBounds" in html and "[[29.2, 119.9], [30.4, 121.3]]" in html
    assert "L.control.scale({imperial: false" in html


def test_amap_basemap_is_gcj02_and_shows_a_message_when_tiles_fail() -> None:
    assert basemap_datum("amap") == "gcj02"
    assert basemap_datum("osm") == basemap_datum("tianditu") == basemap_datum("none") == "wgs84"
    html = base_map(bounds=BOUNDS, basemap="amap").get_root().render()
    assert "autonavi.com" in html
    assert "tileerror" in html and "底图无法加载" in html


def test_tianditu_without_a_key_says_where_to_put_it() -> None:
    with pytest.raises(ValueError, match="TIANDITU_KEY"):
        base_map(bounds=BOUNDS, basemap="tianditu")
    html = base_map(bounds=BOUNDS, basemap="tianditu", tianditu_key="abc123").get_root().render()
    assert "tk=abc123" in html


def test_unknown_basemap_lists_the_choices() -> None:
    with pytest.raises(ValueError, match="none, osm, tianditu, amap"):
        base_map(bounds=BOUNDS, basemap="google")
    assert set(BASEMAPS) == {"none", "osm", "tianditu", "amap"}


def test_standalone_html_inlines_leaflet() -> None:
    if assets.missing_assets():
        pytest.skip("static/vendor not installed (make installs it)")
    html = assets.inline_assets(base_map(bounds=BOUNDS).get_root().render())
    assert _external_asset_urls(html) == []
    assert "/app/static/vendor" not in html
    assert "Leaflet" in html and len(html) > 100_000
