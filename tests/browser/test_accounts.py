"""Issue 12's accounts in a browser, on PostGIS: a county clerk signs in and submits, is refused another county, the city approves.

The app runs against a migrated PostGIS database holding the small sample
(its quarterly reports replayed, 嵊州市's 2024Q2 report waiting), with local
sign-in and two accounts: ``keqiao_wang`` (柯桥区) and ``shi_li`` (the city).
The clerk is refused another county in the page (the 报送区县 box offers only
柯桥区, a 越城区 row of the file is left out) and through the store API (by the
guard, and by the database's row-level security when the guard is bypassed).
The city returns 嵊州市's report with a reason that looks like a formula,
approves 柯桥区's, and reads the audit log on screen and as xlsx.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any, cast

import openpyxl
import pandas as pd
import pytest

from bench.appserver import app_server
from geo.accounts import SYSTEM, Account
from geo.accounts.guard import GuardedStore
from geo.accounts.passwords import hash_password
from geo.accounts.pgbook import PostgresAccountBook
from geo.demo.bootstrap import load_sample_into_store
from geo.errors import PermissionDeniedError, StoreError
from geo.export_safety import FORMULA_PREFIXES
from geo.reporting.periods import Period
from geo.store import open_store
from geo.store.postgis import PostgisStore, close_pool
from geo.store.postgis.migrations import upgrade
from geo.store.synthetic import is_synthetic
from tests.browser.conftest import ARTIFACTS, MAP_FRAME, Recorder
from tests.browser.test_cycle import (
    KEQIAO,
    TIMEOUT_MS,
    YUECHENG,
    _approve,
    _choose,
    _dashboard_figures,
    _data_line,
    _expected,
    _go,
    _keqiao_register,
    _map_drawn,
    _settled,
    _submit,
    _type,
)
from tests.geo.ingest.importdata import clean_parks
from tests.geo.reporting.registers import register
from tests.geo.store.conftest import fingerprint
from tests.pg import PgDatabase

pytestmark = pytest.mark.browser
CITY_ADCODE = "330600"
CLERK = Account("keqiao_wang", "county", county=KEQIAO, display_name="柯桥区经信局 王工")
CITY = Account("shi_li", "city", display_name="市经信局 李工")
PASSWORDS = {CLERK.name: "Keqiao-2024-report", CITY.name: "Shaoxing-city-review"}
HOSTILE_PARK = '=HYPERLINK("http://x","y")'
HOSTILE_REASON = '=HYPERLINK("http://x","请补全嵊州市台账")'
VIEWPORT = {"width": 1440, "height": 900}


@pytest.fixture
def accounts_app(pg_database: PgDatabase, small_sample_dir: Path, tmp_path: Path) -> Iterator[str]:
    """The app with local sign-in on a migrated PostGIS database holding the small sample and the two accounts."""
    upgrade(pg_database.owner_url)
    load_sample_into_store(open_store(pg_database.app_url), sample_dir=small_sample_dir)
    book = PostgresAccountBook(pg_database.app_url)
    for account in (CLERK, CITY):
        book.add(account, hash_password(PASSWORDS[account.name]), by=SYSTEM)
    log = tmp_path / "server_accounts.log"
    try:
        with app_server(
            pg_database.app_url, log_path=log, extra_env={"PARKMAP_SIGNIN": "local"}, quotas=tmp_path / "county_quotas.csv"
        ) as url:
            yield url
    finally:
        close_pool(pg_database.app_url)
        if log.exists():
            ARTIFACTS.mkdir(exist_ok=True)
            shutil.copy(log, ARTIFACTS / log.name)


def _register_file(folder: Path) -> tuple[Path, list[str]]:
    """柯桥区's 2024Q3 register with a park named like a formula and one 越城区 row; return it and the 柯桥区 names."""
    keqiao = _keqiao_register()
    hostile = keqiao.assign(序号=2, 园区名称=HOSTILE_PARK, 纬度=keqiao["纬度"] + 0.004)  # ~440 m north: another park
    clean = clean_parks("gcj02")
    yuecheng = clean[clean["所在区县"] == "越城区"].assign(序号=3)
    frame = pd.concat([keqiao, hostile, yuecheng], ignore_index=True)
    path = folder / "柯桥区2024Q3.csv"
    frame.to_csv(path, index=False, encoding="utf-8")
    return path, [*keqiao["园区名称"], HOSTILE_PARK]


def _shot(pg, name: str) -> Path:
    """A screenshot of what the window shows (1440 × 900), kept as an artifact."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    pg.screenshot(path=str(path))
    return path


def _sign_in(pg, name: str, password: str) -> None:
    """Type a name and password into the sign-in form and press 登录."""
    pg.locator(".st-key-signin_name input").fill(name)
    pg.locator(".st-key-signin_password input").fill(password)
    pg.get_by_role("button", name="登录", exact=True).click()
    _settled(pg)


def _signed_in(pg, label: str) -> None:
    """Wait for the sidebar's 已登录 line and the dashboard's first map."""
    pg.locator("[data-testid='stSidebar']").get_by_text(f"已登录：{label}", exact=True).wait_for(timeout=TIMEOUT_MS)
    _map_drawn(pg)
    _settled(pg)


def _no_map(pg) -> None:
    """Nothing of the app but the form: no map and no figures (what the page drew for the last account is gone).

    The page links may stay in the sidebar after signing out (Streamlit keeps the last navigation it was
    sent); they lead to the form again.
    """
    _settled(pg)
    for shown in (MAP_FRAME, "[data-testid='stMetric']", "[data-testid='stDataFrame']"):
        pg.locator(shown).first.wait_for(state="detached", timeout=TIMEOUT_MS)
    assert pg.locator(".st-key-signin_name input").is_visible()


def _city_figures(pg) -> str:
    """The dashboard's parks metric for the whole city (全市)."""
    metric = pg.locator("[data-testid='stMetric']").filter(has_text="园区数（个） · 全市")
    return metric.locator("[data-testid='stMetricValue']").inner_text().strip()


def _county_options(pg) -> list[str]:
    """The options of the 报送区县 box (opened and closed again without choosing)."""
    box = pg.locator(".st-key-submit_county")
    box.scroll_into_view_if_needed()
    box.get_by_role("button", name="Open").click()
    options = pg.get_by_role("option").all_inner_texts()
    pg.keyboard.press("Escape")
    return [o.strip() for o in options]


def _refused_through_the_api(app_url: str) -> None:
    """As keqiao_wang, write 越城区 through the guard, then bypassing it: both refused, nothing stored or audited."""
    book = PostgresAccountBook(app_url)
    clerk = book.get(CLERK.name)
    assert clerk is not None and clerk == CLERK
    store = open_store(app_url)
    assert isinstance(store, PostgisStore)
    before = fingerprint(store)
    parks = register([{"name": "越城电子园", "county": YUECHENG, "park_id": "PY-API"}])
    sent = {"period": Period(2024, 3), "counties": [YUECHENG], "source_name": "越城区2024Q3.xlsx",
            "source_sha256": hashlib.sha256(b"yuecheng as keqiao").hexdigest(), "submitted_by": CLERK.name}  # fmt: skip
    with pytest.raises(PermissionDeniedError, match="只能为本区县"):
        GuardedStore(store, clerk, book).submit(parks, **sent)  # type: ignore[arg-type]
    with pytest.raises(StoreError, match=r"row-level security|权限") as refused:
        store.for_account(clerk).submit(parks, **sent)  # type: ignore[arg-type]  # bypassing the guard
    assert not isinstance(refused.value, PermissionDeniedError)  # the database said no, not the app's check
    assert fingerprint(store) == before


def _return_shengzhou(pg) -> None:
    """As the city: return 嵊州市's waiting 2024Q2 report with a reason that looks like a formula."""
    _go(pg, "数据管理", ready="报送情况")
    _map_drawn(pg)
    _choose(pg, pg.locator(".st-key-review_pick"), "嵊州市")
    _type(pg, "return_reason", HOSTILE_REASON)
    pg.locator(".st-key-return_button button").click()
    pg.get_by_text("已退回区县").wait_for(timeout=TIMEOUT_MS)
    _settled(pg)


def _withdrawn_sample_reports(app_url: str) -> list[int]:
    """The snapshots of 柯桥区's synthetic reports, rolled back when its real report was approved."""
    store = open_store(app_url)
    snapshots = {s.snapshot_id for s in store.list_submissions() if s.county_adcode == KEQIAO}
    return [i for i in sorted(snapshots) if is_synthetic(info := store.snapshot_info(i)) and info.rolled_back]


GRID_CELLS_JS = """(grid) => [...grid.querySelectorAll("[aria-rowindex] [aria-colindex]")]
  .map(c => [c.parentElement.getAttribute("aria-rowindex"), c.getAttribute("aria-colindex"), c.innerText.trim()])"""
GRID_SCROLL_JS = """(grid, axis) => { const s = grid.querySelector(".dvn-scroller");
  if (axis === "home") { s.scrollTop = 0; s.scrollLeft = 0; return true; }
  const [pos, size] = axis === "down" ? ["scrollTop", "clientHeight"] : ["scrollLeft", "clientWidth"];
  const before = s[pos]; s[pos] += Math.max(s[size] - 80, 40); if (axis === "right") s.scrollTop = 0;
  return s[pos] !== before; }"""


def _grid_table(grid) -> list[list[str]]:
    """Every cell of a Streamlit data grid, header row first (it draws only the cells in view: scroll it through both ways).

    ``grid`` is the grid's element handle: a locator filtered by text would lose it once that text scrolls out of view.
    """
    cells: dict[tuple[int, int], str] = {}
    grid.evaluate(GRID_SCROLL_JS, "home")
    while True:
        while True:
            cells |= {(int(r), int(c)): text for r, c, text in grid.evaluate(GRID_CELLS_JS)}
            if not grid.evaluate(GRID_SCROLL_JS, "down"):
                break
            grid.owner_frame().page.wait_for_timeout(200)  # the grid redraws the cells now in view
        if not grid.evaluate(GRID_SCROLL_JS, "right"):
            break
        grid.owner_frame().page.wait_for_timeout(200)
    rows, cols = sorted({r for r, _ in cells}), sorted({c for _, c in cells})
    return [[cells.get((r, c), "") for c in cols] for r in rows]


def _audit_on_screen(pg) -> tuple[list[str], list[list[str]]]:
    """The 操作日志 table's header and rows, once it is drawn."""
    title = pg.get_by_text("操作日志", exact=True)
    title.wait_for(timeout=TIMEOUT_MS)
    grid = pg.locator("[data-testid='stDataFrame']").filter(has_text="时间（北京时间）").last
    grid.wait_for(timeout=TIMEOUT_MS)
    grid.scroll_into_view_if_needed()
    handle = grid.element_handle()
    header, *rows = _grid_table(handle)
    handle.evaluate("g => { const s = g.querySelector('.dvn-scroller'); s.scrollLeft = 0; s.scrollTop = s.scrollHeight; }")
    return header, rows  # the grid is left showing the sign-ins' writes, for the screenshot


def _audit_workbook(pg, folder: Path) -> list[list[str]]:
    """Download the audit log as xlsx; return its rows (header first); no cell is a formula."""
    with pg.expect_download(timeout=TIMEOUT_MS) as done:
        pg.get_by_role("button", name=re.compile(r"^下载操作日志")).click()
    path = folder / "audit_log.xlsx"
    done.value.save_as(path)
    sheet = openpyxl.load_workbook(path).active
    assert sheet is not None
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert all(cell.data_type != "f" for cell in cells)
    assert not [c.value for c in cells if isinstance(c.value, str) and c.value.startswith(FORMULA_PREFIXES)]
    return [["" if c.value is None else str(c.value) for c in row] for row in sheet.iter_rows()]


def test_a_county_clerk_submits_is_refused_another_county_and_the_city_approves(
    accounts_app: str, pg_database: PgDatabase, page: tuple[object, Recorder], tmp_path: Path
) -> None:
    pg, rec = cast(Any, page[0]), page[1]
    pg.set_viewport_size(VIEWPORT)
    app_url = pg_database.app_url
    path, names = _register_file(tmp_path)

    pg.goto(accounts_app)
    pg.locator(".st-key-signin_name input").wait_for(timeout=TIMEOUT_MS)
    _no_map(pg)
    assert pg.locator("[data-testid='stSidebarNav']").count() == 0  # no page links before anyone signed in
    _shot(pg, "accounts_signin.png")
    _sign_in(pg, CLERK.name, "not-the-password")
    pg.get_by_text("账户名或密码不对", exact=False).wait_for(timeout=TIMEOUT_MS)
    _no_map(pg)

    _sign_in(pg, CLERK.name, PASSWORDS[CLERK.name])
    _signed_in(pg, "柯桥区经信局 王工（区县 · 柯桥区）")
    dated = re.search(r"统计日期 (\d{4}-\d{2}-\d{2})", _data_line(pg))
    assert dated is not None
    whole_city = _expected(app_url, CITY_ADCODE, date.fromisoformat(dated.group(1)))  # type: ignore[arg-type]  # a URL works too
    assert _city_figures(pg) == whole_city.parks

    shown = [("'" + n) if n.startswith("=") else n for n in names]  # the changes table marks a formula-like name as text
    _submit(pg, path, names=shown)
    refusal = pg.locator("[data-testid='stAlertContentWarning']").filter(has_text="越城电子园")
    assert "未收入本次报送" in refusal.inner_text()
    assert _county_options(pg) == ["柯桥区"]  # no 全市, no other county
    assert pg.get_by_role("button", name="通过", exact=True).count() == 0
    assert pg.get_by_text("操作日志", exact=True).count() == 0
    pg.locator(".st-key-submit_county").evaluate("e => e.scrollIntoView({block: 'start'})")  # the box, the refusal, the changes
    _shot(pg, "accounts_county_data.png")

    _refused_through_the_api(app_url)

    pg.locator(".st-key-signout button").click()
    pg.locator(".st-key-signin_name input").wait_for(timeout=TIMEOUT_MS)
    _no_map(pg)
    assert pg.locator("[data-testid='stSidebarNav']").count() == 0  # signed out: the page links went too
    assert pg.url.rstrip("/").endswith("/data")  # the page the clerk left, for whoever signs in next
    _sign_in(pg, CITY.name, PASSWORDS[CITY.name])
    pg.locator("[data-testid='stSidebar']").get_by_text("已登录：市经信局 李工（市级）", exact=True).wait_for(timeout=TIMEOUT_MS)
    pg.get_by_role("heading", name="导入数据").wait_for(timeout=TIMEOUT_MS)  # signed in on that page (the data page), not the map
    _go(pg, "地图与进度", ready="区县进度表")
    keqiao_before, _ = _dashboard_figures(pg, KEQIAO)
    _return_shengzhou(pg)
    _approve(pg, added=len(names))

    _go(pg, "地图与进度", ready="区县进度表")
    _map_drawn(pg)
    in_force = open_store(app_url).register()
    assert in_force is not None
    assert sorted(in_force.loc[in_force["county_adcode"] == KEQIAO, "name"]) == sorted(names)  # the hostile name stored as typed
    keqiao_after, as_of = _dashboard_figures(pg, KEQIAO)
    assert keqiao_after != keqiao_before
    assert keqiao_after == _expected(app_url, KEQIAO, as_of)  # type: ignore[arg-type]

    _go(pg, "数据管理", ready="操作日志")
    header, on_screen = _audit_on_screen(pg)
    workbook = _audit_workbook(pg, tmp_path)  # the same table as a file: every row, nothing virtualised
    assert workbook[0] == header and header[:3] == ["时间（北京时间）", "账户", "操作"], header
    rows = workbook[1:]
    withdrawn = _withdrawn_sample_reports(app_url)  # approving 柯桥区's real report withdrew its synthetic ones
    assert withdrawn
    who = [(row[1], row[2], row[3] if row[2] == "撤回" else row[4]) for row in rows]
    assert who == [
        *(("shi_li", "撤回", f"snapshot #{i}") for i in sorted(withdrawn, reverse=True)),
        ("shi_li", "通过", "柯桥区"),
        ("shi_li", "退回", "嵊州市"),
        ("keqiao_wang", "报送", "柯桥区"),
        ("system", "新建账户", ""),  # shi_li: a city account has no county
        ("system", "新建账户", "柯桥区"),
    ], rows
    ours = rows[len(withdrawn) :]
    assert ours[0][3] == ours[2][3]  # approved what keqiao_wang submitted
    assert ours[1][5] == "'" + HOSTILE_REASON  # the reason as typed, marked as text
    assert ours[2][5] == f"2024Q3 {path.name}（{len(names)} 个园区）"
    assert [row[3] for row in ours[3:]] == ["account shi_li", "account keqiao_wang"]
    assert all("rolled_back: true" in row[-1] for row in rows[: len(withdrawn)])  # before → after
    # the grid on screen shows the same rows; it draws only the cells in view, so check the rows it drew whole
    assert on_screen[0][:6] == rows[0][:6]  # newest first
    whole = [row[:6] for row in on_screen if all(row[:4])]
    assert len(whole) >= len(rows) // 2 and all(row in [r[:6] for r in rows] for row in whole)
    pg.get_by_text("操作日志", exact=True).scroll_into_view_if_needed()
    _shot(pg, "accounts_city_audit.png")

    assert rec.external == [], rec.external
    assert rec.console_errors == [], rec.console_errors
    assert rec.dialogs == [], rec.dialogs
