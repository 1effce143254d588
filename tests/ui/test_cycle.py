"""The reporting cycle on the dashboard: a county's newer report changes only that county, the data line names each county's period,
a past date shows the reports in force then, late counties are named, and completeness is counted per county."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.reporting.periods import Period, periods_between
from geo.reporting.submissions import Submission, completeness
from tests.test_app import APP, TIMEOUT_S, _metric, _no_exception

KEQIAO = "330603"


def _keqiao_q3(small_store: Path) -> tuple[int, int]:
    """Approve a 2024Q3 report of 柯桥区 without its largest park; return (parks of 柯桥 before, after)."""
    from geo.store import open_store

    store = open_store(small_store)
    parks = store.current("parks")
    mine = parks[parks["county_adcode"] == KEQIAO]
    kept = mine.drop(index=mine["floor_area_m2"].idxmax())
    store.submit(
        kept,
        period=Period(2024, 3),
        counties=[KEQIAO],
        source_name="柯桥区2024Q3.xlsx",
        source_sha256=hashlib.sha256(b"keqiao 2024Q3").hexdigest(),
        submitted_by="柯桥区经信局",
        approve_now=True,
    )
    return len(mine), len(kept)


def _floor_wan(small_store: Path, adcode: str, as_of: date) -> str:
    """The 总建筑面积 metric the dashboard should show for a county, from the store's consolidated register."""
    from geo.analysis.dashboard import headline
    from geo.analysis.progress import progress_as_of
    from geo.region.targets import load_city_targets, load_county_quotas
    from geo.store import open_store

    register = open_store(small_store).register(as_of)
    progress = progress_as_of(register, as_of=as_of, targets=load_city_targets(), quotas=load_county_quotas(), reported_on=as_of)
    return f"{headline(progress, adcode=adcode).floor_area_m2 / 10_000:,.1f}"


def test_a_county_report_changes_that_county_and_the_data_line_says_which_period(small_store: Path) -> None:
    yuecheng_before = _floor_wan(small_store, "330602", date(2024, 9, 30))
    keqiao_before = _floor_wan(small_store, KEQIAO, date(2024, 9, 30))
    _keqiao_q3(small_store)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S).run()
    _no_exception(at)
    line = next(md.value for md in at.markdown if "统计日期" in md.value)
    assert "柯桥区 2024年第3季度" in line and "其余区县2024年第2季度报送" in line
    banner = next(w.value for w in at.warning if "合成示例数据" in w.value)  # the other counties are still the sample
    assert "5 个区县" in banner and "越城区" in banner and "嵊州市" in banner and "柯桥区" not in banner
    at.select_slider(key="as_of").set_value(date(2024, 9, 30)).run()
    for adcode, before in ((KEQIAO, keqiao_before), ("330602", yuecheng_before)):
        at.selectbox(key="county_sel.zh").set_value(adcode).run()
        _no_exception(at)
        shown = _metric(at, "总建筑面积").value
        assert shown == _floor_wan(small_store, adcode, date(2024, 9, 30))
        assert (shown != before) == (adcode == KEQIAO)  # only 柯桥区 changed


def test_a_past_date_shows_the_reports_in_force_then(small_store: Path) -> None:
    from geo.store import open_store

    before, after = _keqiao_q3(small_store)
    now = open_store(small_store).register()
    then = open_store(small_store).register(date(2024, 6, 30))
    assert (now["county_adcode"] == KEQIAO).sum() == after and (then["county_adcode"] == KEQIAO).sum() == before
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S).run()
    at.select_slider(key="as_of").set_value(date(2024, 6, 30)).run()
    _no_exception(at)
    line = next(md.value for md in at.markdown if "统计日期" in md.value)
    assert "柯桥区" not in line and "其余区县2024年第2季度报送" in line  # 柯桥's 2024Q3 report is not in force on 30 June


def test_late_counties_are_named_at_the_top(small_store: Path) -> None:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S).run()
    _no_exception(at)
    late = [w.value for w in at.warning if "逾期" in w.value]
    assert len(late) == 1 and all(name in late[0] for name in ("越城区", "柯桥区", "嵊州市")) and "6 个区县" in late[0]


def test_in_english_the_late_counties_and_the_data_line_name_counties_in_english(small_store: Path) -> None:
    _keqiao_q3(small_store)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S).run()
    at.radio(key="lang_choice").set_value("English").run()
    _no_exception(at)
    late = next(w.value for w in at.warning if "reports are late" in w.value)
    assert all(name in late for name in ("Yuecheng", "Keqiao", "Shengzhou")) and "越城区" not in late
    banner = next(w.value for w in at.warning if "synthetic" in w.value)
    assert "Yuecheng" in banner and "嵊州市" not in banner and "Keqiao" not in banner
    line = next(md.value for md in at.markdown if "As of" in md.value)
    assert "Keqiao" in line and "柯桥区" not in line


def _sub(sid: int, period: Period, state: str, submitted: date) -> Submission:
    at = datetime(submitted.year, submitted.month, submitted.day, 2, 0, tzinfo=UTC)
    return Submission(
        submission_id=sid,
        county_adcode=KEQIAO,
        period=period,
        state=state,
        submitted_by="柯桥区经信局",
        submitted_at=at,
        reviewed_by=None,
        reviewed_at=None,
        reason="",
        reporting_date=period.end,
        snapshot_id=sid,
        source_name="x.xlsx",
        row_count=1,
    )


def test_completeness_counts_approved_periods_and_the_ones_on_time() -> None:
    quarters = periods_between(Period(2023, 1), Period(2023, 4))
    subs = [
        _sub(1, Period(2023, 1), "approved", date(2023, 4, 10)),  # on time
        _sub(2, Period(2023, 2), "returned", date(2023, 7, 14)),  # on time, returned ...
        _sub(3, Period(2023, 2), "approved", date(2023, 7, 30)),  # ... and approved later: reported, on time by its first
        _sub(4, Period(2023, 3), "approved", date(2023, 11, 1)),  # late
        _sub(5, Period(2023, 4), "returned", date(2024, 1, 5)),  # never approved: not reported
    ]
    done = completeness(subs, county_adcode=KEQIAO, periods=quarters, today=date(2024, 6, 1), grace_days=15)
    assert (done.due, done.reported, done.on_time) == (4, 3, 2)
    assert done.rate == pytest.approx(0.75)
    early = completeness(subs, county_adcode=KEQIAO, periods=quarters, today=date(2023, 10, 10), grace_days=15)
    assert early.due == 2  # 2023Q3 is due on 15 October


def test_a_report_sent_after_midnight_beijing_time_on_the_due_day_is_late() -> None:
    quarter = Period(2023, 1)  # due 2023-04-15
    sent = _sub(1, quarter, "approved", date(2023, 4, 15))
    late = Submission(**{**sent.__dict__, "submitted_at": datetime(2023, 4, 15, 17, 30, tzinfo=UTC)})  # 01:30 on the 16th in Beijing
    assert completeness([sent], county_adcode=KEQIAO, periods=[quarter], today=date(2024, 1, 1), grace_days=15).on_time == 1
    assert completeness([late], county_adcode=KEQIAO, periods=[quarter], today=date(2024, 1, 1), grace_days=15).on_time == 0


def _on_time() -> dict[str, int]:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S).run()
    _no_exception(at)
    table = next(d.value for d in at.dataframe if "按时报送" in d.value.columns)
    return dict(zip(table["区县"], table["按时报送"], strict=True))


def test_the_regions_due_date_rule_decides_what_is_late(small_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import json
    import shutil

    from tests.ui.test_data_page import _data_page

    # the sample's late reports: 嵊州市 2021Q3 after 26 days, 新昌县 2022Q4 after 19, 越城区 2023Q2 after 24
    assert _on_time() == {"越城区": 11, "柯桥区": 12, "上虞区": 12, "新昌县": 11, "诸暨市": 12, "嵊州市": 11}
    root = tmp_path / "regions"
    shutil.copytree(Path(__file__).resolve().parents[2] / "data" / "regions", root)
    path = root / "330600" / "region.json"
    raw = json.loads(path.read_text(encoding="utf-8")) | {"reporting": {"cycle": "quarter", "due_days": 30}}
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setenv("PARKMAP_REGIONS_DIR", str(root))
    assert set(_on_time().values()) == {12}  # due after 30 days: none of them was late
    at = AppTest.from_function(_data_page, default_timeout=TIMEOUT_S).run()
    _no_exception(at)
    assert any("截止日为期末后 30 天" in c.value for c in at.caption)
