"""Issue 11's quarterly cycle in a browser: 柯桥区 submits its 2024Q3 register, the city approves it, only 柯桥区 changes.

The store is the small sample loaded as the app's first start loads it (every
quarterly report replayed through the submission path, 嵊州市's 2024Q2 report
waiting for review): ``_prepare_store``'s whole-city snapshots have no county
reports, so no board and no cycle to drive.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from geo.analysis.dashboard import headline
from geo.analysis.progress import progress_as_of
from geo.region.targets import load_city_targets, load_county_quotas
from geo.schema import SQM_PER_WAN_SQM
from geo.store import open_store
from tests.browser.conftest import MAP_FRAME, Recorder, map_frame, running_app, save_artifact
from tests.geo.ingest.importdata import clean_parks

pytestmark = pytest.mark.browser
TIMEOUT_MS = 90_000
KEQIAO, YUECHENG = "330603", "330602"
NAMES = {KEQIAO: "柯桥区", YUECHENG: "越城区"}
PERIOD_LABEL = "2024年第3季度"


@dataclass(frozen=True)
class Figures:
    """A county's two header metrics, as the dashboard prints them."""

    parks: str
    floor_wan_m2: str


@pytest.fixture
def cycle_app(small_store_template: Path, tmp_path: Path) -> Iterator[str]:
    """The app on its own copy of the sample store (its county reports replayed, as on a first start)."""
    shutil.copyfile(small_store_template, tmp_path / "parkmap.gpkg")
    with running_app(tmp_path, log_name="server_cycle.log") as url:
        yield url


def _keqiao_register() -> pd.DataFrame:
    """柯桥区's 2024Q3 register: the 柯桥区 row of the import tests' clean file (GCJ-02, as Amap gives it)."""
    frame = clean_parks("gcj02")
    return frame[frame["所在区县"] == "柯桥区"]


def _expected(store: Path, adcode: str, as_of: date) -> Figures:
    """The figures the dashboard should show for a county at ``as_of``, from the store's consolidated register now.

    As the dashboard does: undated parks count from the newest date the register describes.
    """
    register = open_store(store).register()
    reported_on = max(date.fromisoformat(c["reporting_date"]) for c in register.attrs["register"].values())
    progress = progress_as_of(register, as_of=as_of, targets=load_city_targets(), quotas=load_county_quotas(), reported_on=reported_on)
    head = headline(progress, adcode=adcode)
    return Figures(f"{head.parks:,.0f}", f"{head.floor_area_m2 / SQM_PER_WAN_SQM:,.1f}")


def _settled(pg) -> None:
    """Wait until no script run is going on (Streamlit marks its app root ``notRunning``)."""
    pg.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(timeout=TIMEOUT_MS)


def _go(pg, page_title: str, *, ready: str) -> None:
    """Open a page from the sidebar navigation, as a planner does (the session and its state are kept)."""
    pg.locator("[data-testid='stSidebarNav'] a").filter(has_text=page_title).click()
    pg.get_by_text(ready, exact=True).first.wait_for(timeout=TIMEOUT_MS)
    _settled(pg)


def _choose(pg, box, option: str) -> None:
    """Pick ``option`` in a Streamlit select box (the first option whose text holds it).

    The box is scrolled into view first: its list closes when the page scrolls under it.
    """
    box.scroll_into_view_if_needed()
    box.get_by_role("button", name="Open").click()  # the arrow: a click on the box's label only focuses it
    pg.get_by_role("option").filter(has_text=option).first.click()
    _settled(pg)


def _type(pg, key: str, text: str) -> None:
    """Type into the text input of widget ``key`` and commit it (Enter), as a user does."""
    field = pg.locator(f".st-key-{key} input")
    field.fill(text)
    field.press("Enter")
    _settled(pg)


def _data_line(pg) -> str:
    """The line under the title: the date the figures are for and which period each county's data is from."""
    return (
        pg.locator("[data-testid='stMain'] [data-testid='stMarkdownContainer']")
        .filter(has_text=re.compile(r"统计日期 \d"))
        .first.inner_text()
    )


def _dashboard_figures(pg, adcode: str) -> tuple[Figures, date]:
    """Select a county in the sidebar 区县 box; return its header metrics and the date they are for."""
    name = NAMES[adcode]
    label = f"园区数（个） · {name}"
    if pg.get_by_text(label, exact=True).count() == 0:
        box = pg.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").filter(has_text="区县").first
        _choose(pg, box, name)
        pg.get_by_text(label, exact=True).wait_for(timeout=TIMEOUT_MS)
    metrics = pg.locator("[data-testid='stMetric']")
    parks = metrics.filter(has_text=label).locator("[data-testid='stMetricValue']").inner_text()
    floor = metrics.filter(has_text="总建筑面积（万㎡）").locator("[data-testid='stMetricValue']").inner_text()
    as_of = re.search(r"统计日期 (\d{4}-\d{2}-\d{2})", _data_line(pg))
    assert as_of is not None, _data_line(pg)
    return Figures(parks.strip(), floor.strip()), date.fromisoformat(as_of.group(1))


def _map_drawn(pg) -> None:
    """Wait until the page's (first) map has drawn a shape in view (Leaflet leaves shapes out of view as an empty ``M0 0``)."""
    map_frame(pg).locator("path.leaflet-interactive:not([d='M0 0'])").first.wait_for(timeout=TIMEOUT_MS)


MAP_AT_REST_JS = """() => {
  const m = window.map_div;
  if (!m || m._animatingZoom || document.querySelector('.leaflet-zoom-anim')) return false;
  const view = [m.getZoom(), m.getCenter().lat, m.getCenter().lng].join();
  const same = window.parkmapTestView === view;
  window.parkmapTestView = view;
  return same;
}"""


def _map_at_rest(pg) -> None:
    """Wait until the first map's view has stopped changing (st_folium zooms it to the fitted view after it is drawn)."""
    frame = next(f for f in pg.frames if "streamlit_folium" in f.url)
    frame.wait_for_function(MAP_AT_REST_JS, polling=500, timeout=TIMEOUT_MS)


def _open_dashboard(pg, url: str) -> None:
    pg.goto(url)
    _map_drawn(pg)
    _settled(pg)


def _submit(pg, register: Path, *, names: list[str]) -> None:
    """As 柯桥区's clerk: upload the register, say for which county and period, check the changes (``names`` new), submit."""
    _go(pg, "数据管理", ready="导入数据")
    pg.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(register))
    pg.get_by_text("GCJ-02（高德、腾讯地图坐标）", exact=True).click()  # the datum is confirmed on every upload
    county_box = pg.locator(".st-key-submit_county")
    county_box.wait_for(timeout=TIMEOUT_MS)
    _choose(pg, county_box, "柯桥区")
    _type(pg, "submit_period", "2024Q3")
    pg.get_by_text(f"与上期相比的变化（{PERIOD_LABEL}）").wait_for(timeout=TIMEOUT_MS)
    changes = pg.locator("[data-testid='stDataFrame']").filter(has_text="变化").first
    changes.wait_for(timeout=TIMEOUT_MS)
    cells = changes.locator("[role='gridcell']").all_inner_texts()
    assert "新增园区" in cells and set(names) <= set(cells), cells
    pg.get_by_role("button", name=re.compile(f"^提交 柯桥区 {PERIOD_LABEL}")).click()
    pg.get_by_text("已提交报送", exact=False).wait_for(timeout=TIMEOUT_MS)
    assert "已提交" in pg.locator("[data-testid='stAlertContentSuccess']").inner_text()
    _settled(pg)


def _approve(pg, *, added: int) -> None:
    """As the city: pick 柯桥区's submission on the board (嵊州市's waits too), see what it changes and its map, approve it."""
    _go(pg, "数据管理", ready="报送情况")
    _map_drawn(pg)  # the review map has its height: the page stops moving
    _choose(pg, pg.locator(".st-key-review_pick"), f"柯桥区 {PERIOD_LABEL}")
    assert f"柯桥区 {PERIOD_LABEL}" in pg.locator(".st-key-review_pick").get_by_role("combobox").input_value()
    pg.get_by_text(f"新增园区 {added}").wait_for(timeout=TIMEOUT_MS)  # the counts of what it changes, above its map
    _settled(pg)  # the pick's rerun is over: its review map is the one that stays
    _map_drawn(pg)
    pg.locator(MAP_FRAME).first.scroll_into_view_if_needed()
    _map_at_rest(pg)
    save_artifact(pg, "cycle_review.png")
    pg.get_by_role("button", name="通过", exact=True).click()
    pg.get_by_text("已计入全市台账").wait_for(timeout=TIMEOUT_MS)
    _settled(pg)


def test_a_county_submits_the_city_approves_and_only_that_county_changes(
    cycle_app: str, page: tuple[object, Recorder], tmp_path: Path
) -> None:
    pg, rec = page
    store, register = tmp_path / "parkmap.gpkg", _keqiao_register()
    register.to_csv(tmp_path / "柯桥区2024Q3.csv", index=False, encoding="utf-8")
    _open_dashboard(pg, cycle_app)
    keqiao_start, _ = _dashboard_figures(pg, KEQIAO)
    _submit(pg, tmp_path / "柯桥区2024Q3.csv", names=register["园区名称"].tolist())

    _go(pg, "地图与进度", ready="区县进度表")
    keqiao_before, as_of = _dashboard_figures(pg, KEQIAO)
    assert keqiao_before == keqiao_start == _expected(store, KEQIAO, as_of)  # submitted, not approved: still its 2024Q2 report
    yuecheng_before, _ = _dashboard_figures(pg, YUECHENG)
    assert f"柯桥区 {PERIOD_LABEL}" not in _data_line(pg)

    _approve(pg, added=len(register))

    _go(pg, "地图与进度", ready="区县进度表")
    _map_drawn(pg)
    in_force = open_store(store).register()
    assert in_force.loc[in_force["county_adcode"] == KEQIAO, "name"].tolist() == register["园区名称"].tolist()
    yuecheng_after, _ = _dashboard_figures(pg, YUECHENG)
    keqiao_after, as_of = _dashboard_figures(pg, KEQIAO)
    assert keqiao_after == _expected(store, KEQIAO, as_of) and keqiao_after != keqiao_before
    assert yuecheng_after == yuecheng_before  # another county's report did not move
    assert f"柯桥区 {PERIOD_LABEL}" in _data_line(pg)
    _map_at_rest(pg)
    save_artifact(pg, "cycle_dashboard.png")
    assert rec.external == [], rec.external
    assert rec.console_errors == [], rec.console_errors
