"""The data page shows what a file holds as text: no Markdown from headers or file names, no live formulas."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from geo.errors import ImportFileError
from geo.export_safety import FORMULA_PREFIXES, neutralise_text
from geo.ingest.parks import import_parks
from geo.region.boundaries import load_counties
from geo.words import columns
from tests.geo.test_export_safety import FORMULA_PAYLOADS
from tests.ui.test_shared import unescaped
from ui.shared import md_text

TIMEOUT_S = 120
HOSTILE_HEADER = "![x](http://127.0.0.1:9/x.png) $x^2$ **bold** :red[big]"
HOSTILE_FILE = "![f](f.png) $y$ <b>.csv"  # the uploader keeps what follows the last /
LEFT_TO_MARKDOWN = ("![", "](", "$", "**", ":red[", "<")


def _data_page() -> None:
    from ui import data_page

    data_page.render("zh")


def _upload(name: str, content: bytes, *, datum: str | None = "gcj02") -> AppTest:
    """Upload a file on the data page and confirm its datum (None: leave it unconfirmed)."""
    at = AppTest.from_function(_data_page, default_timeout=TIMEOUT_S).run()
    at.file_uploader[0].set_value((name, content, "text/csv")).run()
    assert not at.exception, [e.message for e in at.exception]
    if datum is not None:
        confirm(at, datum)
    return at


def confirm(at: AppTest, datum: str = "gcj02") -> AppTest:
    """Choose the datum in the data page's required choice (nothing to do when the file was refused before it)."""
    choice = next((r for r in at.radio if str(r.key).startswith("datum_confirm")), None)
    if choice is not None:
        choice.set_value(datum).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _markdown_bodies(at: AppTest) -> list[str]:
    elements = [*at.error, *at.warning, *at.info, *at.success, *at.caption, *at.markdown]
    return [str(e.value) for e in elements]


def test_a_refused_file_is_named_as_text_not_rendered_as_markdown(small_store: Path) -> None:
    content = f"{HOSTILE_HEADER},b\n1,2\n".encode()
    with pytest.raises(ImportFileError) as refused:
        import_parks(content, datum="gcj02", counties=load_counties(), file_name=HOSTILE_FILE)
    at = _upload(HOSTILE_FILE, content)
    error = next(e.value for e in at.error if "无法读取文件" in e.value)
    assert md_text(refused.value) in error
    for escaped in (r"\!\[x\]\(http\:", r"\$x\^2\$", r"\*\*bold\*\*", r"\:red\[big\]", r"\!\[f\]\(f\.png\)", r"\$y\$", r"\<b\>"):
        assert escaped in error
    for body in _markdown_bodies(at):
        assert not any(mark in unescaped(body) for mark in LEFT_TO_MARKDOWN), body


def test_the_problems_table_shows_formulas_as_text(small_store: Path) -> None:
    rows = {"名称": FORMULA_PAYLOADS, "所在区县": "越城区", "建筑面积": FORMULA_PAYLOADS, "建设状态": "建成", "经度": 120.58, "纬度": 30.0}
    frame = pd.DataFrame(rows).assign(**{"![h](http://127.0.0.1:9/h.png) $z$": "x"})
    content = frame.to_csv(index=False, quoting=1).encode()
    raw = import_parks(content, datum="gcj02", counties=load_counties(), file_name="p.csv").problems
    risky = {v for v in raw["value"] if isinstance(v, str) and v.startswith(FORMULA_PREFIXES)}
    assert len(risky) >= 8  # the payloads reach the problems table
    at = _upload("p.csv", content)
    table = at.dataframe[0].value
    cells = [v for column in table.columns for v in table[column] if isinstance(v, str)]
    assert not [v for v in cells if v.startswith(FORMULA_PREFIXES)]
    assert {neutralise_text(v) for v in risky} <= set(table[columns("problems", "zh")["value"]])
    for body in _markdown_bodies(at):
        assert not any(mark in unescaped(body) for mark in LEFT_TO_MARKDOWN), body


def _good_register() -> bytes:
    from tests.geo.ingest.importdata import clean_parks

    return clean_parks("gcj02").to_csv(index=False).encode("utf-8")


def _save(at: AppTest) -> AppTest:
    next(b for b in at.button if b.label.startswith("保存")).click().run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_saving_a_register_withdraws_the_sample_and_the_same_file_twice_is_said_not_stored(small_store: Path) -> None:
    from geo.demo.bootstrap import is_sample
    from geo.store import open_store

    at = _save(_upload("柯桥区台账.csv", _good_register()))
    assert any("已保存为快照" in s.value for s in at.success)
    assert any("合成示例数据已自动撤回" in i.value for i in at.info)
    store = open_store(small_store)
    assert store.latest_info("parks").source_name == "柯桥区台账.csv"
    assert is_sample(store.latest_info("enterprises"))  # the firm list is another kind
    count = len(store.list_snapshots())
    _save(at)  # the same file again
    assert any("已保存为快照" in i.value and "没有重复保存" in i.value for i in at.info)
    assert len(open_store(small_store).list_snapshots()) == count


def test_a_damaged_store_is_a_message_and_stays_as_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    location = tmp_path / "parkmap.gpkg"
    location.write_bytes(b"")  # a 0-byte store, e.g. after a full disk
    monkeypatch.setenv("PARKMAP_STORE", str(location))
    monkeypatch.setenv("PARKMAP_QUOTAS", str(tmp_path / "county_quotas.csv"))
    at = AppTest.from_function(_data_page, default_timeout=TIMEOUT_S).run()
    assert not at.exception, [e.message for e in at.exception]
    assert any("数据库无法使用" in e.value for e in at.error)
    assert location.read_bytes() == b""


def test_history_times_are_beijing_time_and_the_rejected_file_is_not_named_xlsx_xlsx(small_store: Path) -> None:
    from geo.store import open_store
    from ui.data_page import rejected_file_name

    at = AppTest.from_function(_data_page, default_timeout=TIMEOUT_S).run()
    assert not at.exception, [e.message for e in at.exception]
    headers = columns("history", "zh")
    history = next(d.value for d in at.dataframe if headers["imported_at"] in d.value.columns)
    stored = pd.to_datetime(open_store(small_store).list_snapshots()["imported_at"], utc=True)
    beijing = stored.dt.tz_convert("Asia/Shanghai").dt.strftime("%Y-%m-%d %H:%M")
    assert list(history[headers["imported_at"]]) == list(beijing)
    assert not any("+00:00" in str(v) for v in history[headers["imported_at"]])
    assert rejected_file_name("柯桥区台账.xlsx", "zh") == "柯桥区台账_被拒绝的行.xlsx"
    assert rejected_file_name("Keqiao.csv", "en") == "Keqiao_rejected_rows.xlsx"


def test_quotas_are_entered_in_wan_m2_and_a_split_that_misses_the_plan_is_flagged(small_store: Path) -> None:
    from geo.region.targets import load_county_quotas
    from ui.data_page import quotas_from_editor

    at = AppTest.from_function(_data_page, default_timeout=TIMEOUT_S).run()
    assert not at.exception, [e.message for e in at.exception]
    shipped = load_county_quotas()
    editor = next(d for d in at.dataframe if "floor_area_quota_wan_m2" in d.value.columns).value
    assert list(editor["floor_area_quota_wan_m2"]) == list(shipped["floor_area_quota_m2"] / 10_000)  # 122.0, not 1220000
    assert not any("不一致" in w.value for w in at.warning)  # the indicative split adds up to the plan
    back = quotas_from_editor(editor)
    assert list(back["floor_area_quota_m2"]) == list(shipped["floor_area_quota_m2"])
    shipped.assign(parks_quota=shipped["parks_quota"] + 1).to_csv(small_store.parent / "county_quotas.csv", index=False)
    at = AppTest.from_function(_data_page, default_timeout=TIMEOUT_S).run()
    warning = next(w.value for w in at.warning if "不一致" in w.value)
    assert "合计 146 个" in warning and "规划目标 140 个" in warning


def test_an_enterprise_list_uploaded_as_a_park_register_suggests_switching_the_kind(small_store: Path) -> None:
    from tests.geo.ingest.importdata import point_near

    rows = []
    for i, (adcode, county) in enumerate([("330603", "柯桥区"), ("330602", "越城区"), ("330681", "诸暨市")]):
        lon, lat = point_near(adcode)
        rows.append(
            {"统一社会信用代码": f"91330600MA2{i:07d}", "企业名称": f"测试纺织有限公司{i}", "所在区县": county, "经度": lon, "纬度": lat}
        )
    content = pd.DataFrame(rows).to_csv(index=False).encode("utf-8")
    at = _upload("企业名录.csv", content)  # the kind is still 园区台账
    hint = next(i.value for i in at.info if "看起来是企业名录" in i.value)
    assert "可接受 3 行" in hint
    assert not any("看起来是" in i.value for i in _upload("柯桥区台账.csv", _good_register()).info)
