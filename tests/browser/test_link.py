"""A shared link in headless Debian Chromium: the address opens the view it names, and the view writes its address."""

from __future__ import annotations

import urllib.parse

import pytest

from tests.browser.conftest import MAP_FRAME, Recorder, save_artifact

pytestmark = pytest.mark.browser
LOAD_TIMEOUT_MS = 90_000
XINCHANG = "330624"


def test_a_link_with_a_county_and_a_date_opens_that_view(app_url: str, page: tuple[object, Recorder]) -> None:
    pg, rec = page
    pg.goto(f"{app_url}/?county={XINCHANG}&date=2023-12-31&layers=parks")  # type: ignore[attr-defined]
    pg.get_by_text("园区数（个） · 新昌县").wait_for(timeout=LOAD_TIMEOUT_MS)  # type: ignore[attr-defined]
    pg.get_by_text("统计日期 2023-12-31").first.wait_for(timeout=LOAD_TIMEOUT_MS)  # type: ignore[attr-defined]
    county_box = pg.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').filter(has_text="区县").first  # type: ignore[attr-defined]
    assert county_box.locator("input").input_value() == "新昌县"
    pg.frame_locator(MAP_FRAME).first.locator(".parkmap-legend").wait_for(timeout=LOAD_TIMEOUT_MS)  # type: ignore[attr-defined]
    pg.wait_for_timeout(1500)  # type: ignore[attr-defined]
    query = urllib.parse.parse_qs(urllib.parse.urlparse(pg.url).query)  # type: ignore[attr-defined]
    assert query["county"] == [XINCHANG] and query["date"] == ["2023-12-31"] and query["lang"] == ["zh"]
    save_artifact(pg, "link_xinchang.png")
    assert rec.external == [] and rec.dialogs == []


def test_a_hostile_link_is_a_note_and_runs_nothing(app_url: str, page: tuple[object, Recorder]) -> None:
    pg, rec = page
    hostile = urllib.parse.quote("<img src=x onerror=alert(1)>")
    pg.goto(f"{app_url}/?county={hostile}&date=1999-99-99")  # type: ignore[attr-defined]
    note = pg.get_by_text("无法使用，已忽略").first  # type: ignore[attr-defined]
    note.wait_for(timeout=LOAD_TIMEOUT_MS)
    assert "<img src=x onerror=alert(1)>" in pg.locator('[data-testid="stAlert"]').first.inner_text()  # type: ignore[attr-defined]
    pg.get_by_text("园区数（个） · 全市").wait_for(timeout=LOAD_TIMEOUT_MS)  # type: ignore[attr-defined]
    pg.wait_for_timeout(500)  # type: ignore[attr-defined]
    assert rec.dialogs == [] and rec.external == []
