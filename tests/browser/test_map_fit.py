"""The dashboard's normal map at the screens planners use: every county clear of the legend and the notice.

The map fits itself in the browser, to its frame's real width and clear of the legend and notice boxes as
drawn there; a fit guessed on the server for a 950-px frame put the legend over eastern 新昌县 at 1366 px.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser.conftest import MAP_FRAME, save_artifact

pytestmark = pytest.mark.browser
LOAD_TIMEOUT_MS = 90_000
SCREENS = [(1366, 768), (1440, 900), (1920, 1080)]
XINCHANG = "330624"

# The screen boxes (left, top, right, bottom) of each county's path, the legend and the notice, in the map's frame.
BOXES_JS = """() => {
  const r = e => { const b = e.getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom]; };
  const counties = {};
  window.map_div.eachLayer(l => {
    const p = l.feature && l.feature.properties;
    if (p && p.adcode && !p.park_id && l._path) { counties[p.adcode] = r(l._path); }
  });
  return {counties, legend: r(document.querySelector('.parkmap-legend')), notice: r(document.querySelector('.parkmap-notice')),
          frame: r(document.getElementById('map_div'))};
}"""


def _overlap(a: list[float], b: list[float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.fixture(params=SCREENS, ids=lambda s: f"{s[0]}x{s[1]}")
def map_boxes(request: pytest.FixtureRequest, browser: object, app_url: str) -> Iterator[tuple[dict, object, tuple[int, int]]]:
    """The dashboard at one screen size, once the map has fitted itself; yields (boxes, page, size)."""
    width, height = request.param
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")  # type: ignore[attr-defined]
    pg = context.new_page()
    pg.goto(app_url)
    pg.frame_locator(MAP_FRAME).first.locator(".parkmap-legend").wait_for(timeout=LOAD_TIMEOUT_MS)
    frame = pg.locator(MAP_FRAME).first.element_handle().content_frame()
    frame.wait_for_function("window.map_div && window.map_div._parkmapFitted", timeout=LOAD_TIMEOUT_MS)
    pg.wait_for_timeout(500)
    yield frame.evaluate(BOXES_JS), pg, (width, height)
    context.close()


def test_every_county_is_clear_of_the_legend_and_the_notice(map_boxes: tuple[dict, object, tuple[int, int]]) -> None:
    boxes, pg, (width, height) = map_boxes
    pg.locator(MAP_FRAME).first.scroll_into_view_if_needed()  # type: ignore[attr-defined]
    save_artifact(pg, f"map_fit_{width}x{height}.png")
    assert len(boxes["counties"]) == 6
    assert XINCHANG in boxes["counties"]
    for adcode, county in boxes["counties"].items():
        assert not _overlap(county, boxes["legend"]), f"{adcode} at {county} lies under the legend {boxes['legend']} at {width} px"
        assert not _overlap(county, boxes["notice"]), f"{adcode} at {county} lies under the notice {boxes['notice']} at {width} px"
    frame = boxes["frame"]
    for adcode, county in boxes["counties"].items():  # and none is pushed out of the frame
        assert county[0] >= frame[0] and county[1] >= frame[1] and county[2] <= frame[2] and county[3] <= frame[3], adcode
    city_width = max(c[2] for c in boxes["counties"].values()) - min(c[0] for c in boxes["counties"].values())
    city_height = max(c[3] for c in boxes["counties"].values()) - min(c[1] for c in boxes["counties"].values())
    free_w, free_h = boxes["legend"][0] - frame[0], boxes["notice"][1] - frame[1]
    assert city_width > free_w / 2.5 or city_height > free_h / 2.5, "the city was fitted far too small"
