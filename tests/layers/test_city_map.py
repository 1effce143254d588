"""The composed dashboard map: layers, legends, notices, focus, presentation mode."""

from __future__ import annotations

import pandas as pd

from layers.city_map import MapContent, city_map


def _content(counties, parks, **extra) -> MapContent:
    return MapContent(counties=counties, county_values=pd.Series([40.0, 120.0]), measure="pct_floor_quota", parks=parks, **extra)


def test_map_has_counties_parks_legends_and_the_sample_notice(two_counties, three_parks) -> None:
    html = city_map(_content(two_counties, three_parks, notice_lines=["统计日期 2024-06-30"], sample_notice=True)).get_root().render()
    assert "parkmap-legend" in html and "parkmap-notice" in html and "parkmap-north" in html
    assert "\\u5408\\u6210" in html or "合成示例数据" in html  # the notice, JSON-escaped or not
    assert "L.control.zoom" not in html  # default zoom buttons come from the map options
    assert '"zoomControl": true' in html


def test_map_fits_the_selected_county(two_counties, three_parks) -> None:
    html = city_map(_content(two_counties, three_parks, selected_adcode="330603")).get_root().render()
    assert "[[29.9, 120.4], [30.0, 120.5]]" in html


def test_presentation_mode_has_a_title_and_no_zoom_buttons(two_counties, three_parks) -> None:
    m = city_map(_content(two_counties, three_parks, title="绍兴市小微企业园 · 全市"), presentation=True)
    html = m.get_root().render()
    assert '"zoomControl": false' in html
    assert "parkmap-title" in html
    assert "font-size:17px" in html


def test_amap_basemap_draws_every_overlay_in_gcj02(two_counties, three_parks) -> None:
    wgs = city_map(_content(two_counties, three_parks))
    gcj = city_map(_content(two_counties, three_parks), basemap="amap")

    def first_park(m) -> list[float]:
        layers = [c for c in m._children.values() if getattr(c, "data", None) and "park_id" in c.data["features"][0]["properties"]]
        return layers[0].data["features"][0]["geometry"]["coordinates"]

    dx = first_park(gcj)[0] - first_park(wgs)[0]
    assert 0.003 < dx < 0.006  # a few hundred metres east, the published GCJ-02 offset
