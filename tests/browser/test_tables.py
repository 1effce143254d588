"""Tables as a planner sees them at a laptop's 1366 px: the county progress table needs no sideways scrolling, in English too."""

from __future__ import annotations

import pytest

from tests.browser.conftest import Recorder, save_artifact

pytestmark = pytest.mark.browser
LOAD_TIMEOUT_MS = 90_000
OVERFLOW_JS = """(el) => {
  const s = el.querySelector('.dvn-scroller');
  return s ? s.scrollWidth - s.clientWidth : -1;
}"""


@pytest.mark.parametrize(("lang", "title"), [("en", "Progress by county"), ("zh", "区县进度表")])
def test_the_county_table_fits_a_1366_px_screen_without_scrolling_sideways(
    app_url: str, page: tuple[object, Recorder], lang: str, title: str
) -> None:
    pg, rec = page
    pg.set_viewport_size({"width": 1366, "height": 768})  # type: ignore[attr-defined]
    pg.goto(f"{app_url}/?lang={lang}")  # type: ignore[attr-defined]
    heading = pg.get_by_role("heading", name=title)  # type: ignore[attr-defined]
    heading.wait_for(timeout=LOAD_TIMEOUT_MS)
    table = pg.locator("[data-testid='stElementContainer']:below(:text('" + title + "'))").locator("[data-testid='stDataFrame']").first  # type: ignore[attr-defined]
    table.scroll_into_view_if_needed()
    table.locator(".dvn-scroller").wait_for(timeout=LOAD_TIMEOUT_MS)
    pg.wait_for_timeout(800)  # type: ignore[attr-defined]
    overflow = table.evaluate(OVERFLOW_JS)
    save_artifact(pg, f"county_table_{lang}_1366.png")
    assert 0 <= overflow <= 1, f"the county table scrolls sideways by {overflow} px"
    assert rec.external == []
