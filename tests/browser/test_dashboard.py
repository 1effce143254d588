"""The dashboard in headless Debian Chromium: what a planner sees and clicks."""

from __future__ import annotations

import pytest

from tests.browser.conftest import MAP_FRAME, TEMPLATE_FILE, TEMPLATE_NAME, XSS_NAME, Recorder, save_artifact

pytestmark = pytest.mark.browser
COUNTY_STROKE = "#37474f"
PARK_STROKE = "#263238"
LOAD_TIMEOUT_MS = 90_000
SLIDER = ", ".join(f"[data-testid='stSidebar'] [data-testid='stSlider'] {thumb}" for thumb in ("input[type='range']", "[role='slider']"))


def _open(pg, url: str):
    pg.goto(url)
    frame_locator = pg.frame_locator(MAP_FRAME).first
    frame_locator.locator("path.leaflet-interactive").first.wait_for(timeout=LOAD_TIMEOUT_MS)
    frame = next(f for f in pg.frames if "streamlit_folium" in f.url)
    frame.wait_for_function("document.querySelectorAll('path.leaflet-interactive').length > 6", timeout=LOAD_TIMEOUT_MS)
    return frame


def _click_park_named(frame, part: str) -> str | None:
    """Click the park marker whose name contains ``part`` (opens its popup); return its name as the map holds it."""
    return frame.evaluate(
        """part => {
        let shown = null;
        window.map_div.eachLayer(l => {
          const p = l.feature && l.feature.properties;
          if (p && p.park_id && p.name.includes(part)) { l.fire('click', {latlng: l.getLatLng()}, true); shown = p.name; }
        });
        return shown;
      }""",
        part,
    )


def _count_paths(frame, stroke: str) -> int:
    return frame.evaluate("s => document.querySelectorAll(`path.leaflet-interactive[stroke='${s}']`).length", stroke)


SETTLED_JS = """() => {
  const m = window.map_div;
  if (!m || !m._parkmapFitted || m._animatingZoom || m._panAnim && m._panAnim._inProgress) { window._parkmapView = null; return false; }
  const v = JSON.stringify([m.getCenter(), m.getZoom(), m.getSize()]);
  const same = window._parkmapView === v;
  window._parkmapView = v;
  return same;
}"""


def _wait_settled(frame) -> None:
    """Wait until the map has fitted itself to its frame and its view holds still (a click lands where it was aimed)."""
    frame.wait_for_function(SETTLED_JS, timeout=LOAD_TIMEOUT_MS, polling=300)


def _click_latlng(pg, frame, lat: float, lng: float, *, want_stroke: str) -> None:
    """Click the map at a WGS-84 point, after checking what lies under it."""
    _wait_settled(frame)
    point = frame.evaluate(f"(() => {{ const p = window.map_div.latLngToContainerPoint([{lat}, {lng}]); return [p.x, p.y]; }})()")
    rect = frame.evaluate("(() => { const r = document.getElementById('map_div').getBoundingClientRect(); return [r.left, r.top]; })()")
    x, y = rect[0] + point[0], rect[1] + point[1]
    hit = frame.evaluate(f"(() => {{ const e = document.elementFromPoint({x}, {y}); return e && e.getAttribute('stroke'); }})()")
    assert hit == want_stroke, f"something else lies at ({lat}, {lng}): {hit}"
    iframe = pg.locator(MAP_FRAME).first
    iframe.scroll_into_view_if_needed()
    box = iframe.bounding_box()
    pg.mouse.click(box["x"] + point[0], box["y"] + point[1])  # a real click, as a planner's mouse makes it


def test_six_counties_and_the_parks_render_offline_without_errors(app_url: str, page: tuple[object, Recorder]) -> None:
    pg, rec = page
    frame = _open(pg, app_url)
    assert _count_paths(frame, COUNTY_STROKE) == 6
    assert _count_paths(frame, PARK_STROKE) >= 50
    legend = frame.locator(".parkmap-legend").inner_text()
    assert "建筑面积完成率" in legend and "已认定" in legend
    assert "合成示例数据" in frame.locator(".parkmap-notice").inner_text()
    assert "km" in frame.locator(".leaflet-control-scale").inner_text()
    pg.get_by_text("区县进度表").wait_for()
    path = save_artifact(pg, "main_page.png")
    assert path.stat().st_size > 50_000
    assert rec.external == [], rec.external
    assert rec.console_errors == [], rec.console_errors


def test_clicking_a_county_drills_down_and_back(app_url: str, page: tuple[object, Recorder]) -> None:
    pg, rec = page
    frame = _open(pg, app_url)
    pg.get_by_text("园区数（个） · 全市").wait_for()
    for lat, lng in ((29.42, 121.02), (29.45, 120.98), (29.38, 121.05), (29.48, 121.08)):  # inside 新昌县
        try:
            _click_latlng(pg, frame, lat, lng, want_stroke=COUNTY_STROKE)
            break
        except AssertionError:
            continue
    pg.get_by_text("园区数（个） · 新昌县").wait_for(timeout=LOAD_TIMEOUT_MS)
    # map click, sidebar and "返回全市" are one state: the 区县 box says 新昌县, and another control keeps it
    county_box = pg.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').filter(has_text="区县").first
    assert county_box.locator("input").input_value() == "新昌县"
    measure_box = pg.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').filter(has_text="分级设色指标").first
    measure_box.click()
    pg.get_by_role("option", name="园区数（个）").click()
    pg.wait_for_timeout(3000)
    pg.get_by_text("园区数（个） · 新昌县").wait_for(timeout=LOAD_TIMEOUT_MS)
    assert county_box.locator("input").input_value() == "新昌县"
    pg.get_by_role("button", name="返回全市").click()
    pg.get_by_text("园区数（个） · 全市").wait_for(timeout=LOAD_TIMEOUT_MS)
    assert rec.external == []


def test_hostile_park_name_is_shown_as_text_and_runs_nothing(app_url: str, page: tuple[object, Recorder]) -> None:
    pg, rec = page
    frame = _open(pg, app_url)
    opened = _click_park_named(frame, "onerror")
    assert opened is not None
    popup = frame.locator(".leaflet-popup-content")
    popup.wait_for()
    assert XSS_NAME in popup.inner_text()
    assert frame.locator(".leaflet-popup-content img").count() == 0
    pg.wait_for_timeout(500)
    assert rec.dialogs == []
    assert rec.external == []


def test_template_syntax_in_names_and_file_name_is_shown_as_typed(app_url: str, page: tuple[object, Recorder]) -> None:
    pg, rec = page
    frame = _open(pg, app_url)
    opened = _click_park_named(frame, "{{")
    assert opened == TEMPLATE_NAME
    popup = frame.locator(".leaflet-popup-content")
    popup.wait_for()
    assert popup.inner_text().count(TEMPLATE_NAME) == 2  # the name and the main industry, as typed
    map_text = frame.locator("body").inner_text()
    assert "49号园" not in map_text and "49台账" not in map_text
    assert TEMPLATE_FILE in map_text  # the source line on the map names the file as given
    assert "49台账" not in pg.locator("body").inner_text()
    assert rec.dialogs == []


# the longest stretch (ms) in which no county table heading was on the page, looked at on every animation frame;
# a heading swapped for its new copy may be absent for a frame, a page below the map dropped for the redraw is gone for seconds
WATCH_BELOW_MAP = """() => {
  const shown = () => [...document.querySelectorAll('h3')].some(h => h.innerText.includes('区县进度表'));
  window._belowMapGoneMs = 0;
  let goneSince = null;
  const look = (now) => {
    if (shown()) { goneSince = null; } else {
      goneSince = goneSince === null ? now : goneSince;
      window._belowMapGoneMs = Math.max(window._belowMapGoneMs, now - goneSince);
    }
    if (!window._stopWatch) { requestAnimationFrame(look); }
  };
  requestAnimationFrame(look);
}"""
BELOW_MAP_GONE_MS = 250  # longer than a frame or two; far shorter than the page below coming back in the next run


def test_a_filter_change_redraws_the_map_and_leaves_the_page_below_in_place(app_url: str, page: tuple[object, Recorder]) -> None:
    """The new map comes first; the tables and charts below it stay on screen meanwhile (nothing jumps, no blank page)."""
    pg, rec = page
    _open(pg, app_url)
    pg.get_by_text("区县进度表").wait_for(timeout=LOAD_TIMEOUT_MS)
    pg.wait_for_timeout(4000)  # the deferred run that drew the page below has finished
    before = pg.locator("strong", has_text="统计日期").first.inner_text()
    pg.evaluate(WATCH_BELOW_MAP)
    pg.locator(SLIDER).first.focus()
    pg.keyboard.press("ArrowLeft")
    pg.wait_for_function(
        "old => [...document.querySelectorAll('strong')].some(s => s.innerText.startsWith('统计日期') && s.innerText !== old)",
        arg=before,
        timeout=LOAD_TIMEOUT_MS,
    )
    pg.wait_for_timeout(3000)
    pg.evaluate("() => { window._stopWatch = true; }")
    gone_ms = pg.evaluate("() => window._belowMapGoneMs")
    print(f"county table absent for at most {gone_ms:.0f} ms")
    assert gone_ms < BELOW_MAP_GONE_MS
    assert pg.get_by_text("区县进度表").is_visible()
    assert rec.console_errors == [], rec.console_errors
