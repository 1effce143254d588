"""The composed dashboard map: layers, legends, notices, focus, presentation mode."""

from __future__ import annotations

import pandas as pd
import pytest

from layers.city_map import (
    LEGEND_RESERVE_PX,
    NOTICE_RESERVE_PX,
    MapContent,
    city_base_map,
    city_map,
    fit_zoom,
    map_view,
    overlay_group,
)


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
    assert f'"paddingBottomRight": [{LEGEND_RESERVE_PX}, {NOTICE_RESERVE_PX}]' in html  # map.html: nothing under the legend
    whole = city_map(_content(two_counties, three_parks)).get_root().render()
    assert f'"paddingBottomRight": [{LEGEND_RESERVE_PX}, {NOTICE_RESERVE_PX}]' in whole  # the city too, not only a county


def test_presentation_mode_has_a_title_zoom_buttons_and_no_wheel_zoom(two_counties, three_parks) -> None:
    m = city_map(_content(two_counties, three_parks, title="绍兴市小微企业园 · 全市"), presentation=True)
    html = m.get_root().render()
    assert '"zoomControl": false' not in html  # a projector has no keyboard at hand: the +/- buttons stay
    assert "scrollWheelZoom.disable()" in html  # the wheel no longer zooms into a corner
    assert "#map_div, .folium-map {height: 100vh !important;}" in html  # as tall as the frame the app gives it
    assert "fitBounds(bounds" in html  # fitted in the browser, at the frame's real size
    assert "parkmap-title" in html
    assert "font-size:17px" in html


def test_the_normal_map_keeps_wheel_zoom_and_the_app_fit(two_counties, three_parks) -> None:
    html = city_map(_content(two_counties, three_parks)).get_root().render()
    assert "scrollWheelZoom.disable()" not in html
    assert "100vh" not in html


def test_amap_basemap_draws_every_overlay_in_gcj02(two_counties, three_parks) -> None:
    wgs = city_map(_content(two_counties, three_parks))
    gcj = city_map(_content(two_counties, three_parks), basemap="amap")

    def first_park(m) -> list[float]:
        def walk(element):
            for child in element._children.values():
                yield child
                yield from walk(child)

        layers = [c for c in walk(m) if getattr(c, "data", None) and "park_id" in c.data["features"][0]["properties"]]
        return layers[0].data["features"][0]["geometry"]["coordinates"]

    dx = first_park(gcj)[0] - first_park(wgs)[0]
    assert 0.003 < dx < 0.006  # a few hundred metres east, the published GCJ-02 offset


def test_base_map_stays_the_same_while_overlays_change(two_counties, three_parks) -> None:
    """The app keeps the base in the browser; only the overlay group changes with filters."""
    first = city_base_map(two_counties).get_root().render()
    second = city_base_map(two_counties).get_root().render()
    strip = lambda html: __import__("re").sub(r"_[0-9a-f]{32}", "", html)  # noqa: E731 - folium's random element ids
    assert strip(first) == strip(second)
    assert "park_id" not in first
    group = overlay_group(_content(two_counties, three_parks, notice_lines=["x"]))
    kinds = [type(c).__name__ for c in group._children.values()]
    # choropleth, labels, parks, legend, notice, and the fit in the browser
    assert kinds == ["GeoJson", "FeatureGroup", "GeoJson", "MapBox", "MapBox", "_FitToFocus"]


def test_the_normal_map_fits_in_the_browser_clear_of_the_legend_and_notice_as_drawn(two_counties, three_parks) -> None:
    """The frame's real width is known only in the browser (a 1366-px screen's map is narrower than the guess)."""
    html = city_map(_content(two_counties, three_parks, selected_adcode="330603")).get_root().render()
    assert "fitBounds(bounds" in html
    assert "querySelector(selector)" in html and "'.parkmap-legend', 'right'" in html and "'.parkmap-notice', 'bottom'" in html
    assert f"'.parkmap-legend', 'right', {LEGEND_RESERVE_PX}" in html  # the fixed room only when a box is missing
    assert "[[29.9, 120.4], [30.0, 120.5]]" in html
    assert "_parkmapFitted === done" in html  # fitted again only when the focus, frame or boxes change


def test_a_found_park_keeps_the_app_view_and_the_next_fit_happens(two_counties, three_parks) -> None:
    group = overlay_group(_content(two_counties, three_parks), fit=False)
    kinds = [type(c).__name__ for c in group._children.values()]
    assert "_FitToFocus" not in kinds and kinds[-1] == "_ForgetFit"
    m = city_base_map(two_counties)
    group.add_to(m)
    assert "._parkmapFitted = null;" in m.get_root().render()


def test_fit_zoom_and_view_follow_the_selected_county(two_counties, three_parks) -> None:
    city = map_view(_content(two_counties, three_parks), width_px=900, height_px=640)
    county = map_view(_content(two_counties, three_parks, selected_adcode="330602"), width_px=900, height_px=640)
    assert county.zoom >= city.zoom
    # the county sits left of the legend and above the notice: the centre is east and south of the county's
    lat, lon = county.center
    assert 120.55 < lon < 120.65 and 29.85 < lat < 29.95
    assert county.zoom == fit_zoom((120.5, 29.9, 120.6, 30.0), 900 - LEGEND_RESERVE_PX, 640 - NOTICE_RESERVE_PX)
    world_px = 256 * 2**county.zoom
    assert (lon - 120.55) / 360 * world_px == pytest.approx(LEGEND_RESERVE_PX / 2)  # half the legend's width, in pixels
    # Shaoxing (about 1.35 x 1.2 degrees) fits a 900 x 640 map at zoom 9.25
    assert 9.0 <= fit_zoom((119.9, 29.2, 121.25, 30.4), 900, 640) <= 9.5
    assert fit_zoom((120.0, 30.0, 120.01, 30.01), 900, 640) > 15


def test_a_map_with_layers_from_synthetic_firms_says_so(two_counties, three_parks) -> None:
    html = city_map(_content(two_counties, three_parks, sample_firms_notice=True)).get_root().render()
    assert "企业图层为合成示例数据" in html
    plain = city_map(_content(two_counties, three_parks)).get_root().render()
    assert "合成示例" not in plain


def test_the_web_map_has_a_circle_size_legend_next_to_the_status_legend(two_counties, three_parks) -> None:
    html = city_map(_content(two_counties, three_parks, max_floor_area_m2=120_000.0)).get_root().render()
    assert (
        "\\u5efa\\u7b51\\u9762\\u79ef\\uff08\\u4e07\\u33a1\\uff0c\\u5706\\u5927\\u5c0f\\uff09" in html or "建筑面积（万㎡，圆大小）" in html
    )
    no_parks = city_map(_content(two_counties, None)).get_root().render()
    assert "圆大小）" not in no_parks and "\\u5706\\u5927\\u5c0f\\uff09" not in no_parks
