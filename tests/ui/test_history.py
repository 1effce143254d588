"""The selected park's quarterly history on the dashboard: its approved periods, a rename, a status going back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.store import GeoPackageStore
from tests.geo.reporting.test_history import PARK, three_quarters
from tests.ui.test_words import NEUTRAL, WORD, visible

TIMEOUT_S = 120
ZH_PERIODS = ["2024年第1季度", "2024年第2季度", "2024年第3季度"]


def _section(park_id: str, county: str, lang: str) -> None:
    from ui.history import park_history_section

    park_history_section(park_id, county, lang)


def _details(park_id: str) -> None:
    from ui import shared
    from ui.tables import park_details

    parks = shared.current_store().register()
    park_details(parks, park_id, {c.adcode: c.name for c in shared.region().counties}, "zh")


@pytest.fixture
def history_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> GeoPackageStore:
    """柯桥 reported 2024Q1-Q3 (approved; one return), Q4 waiting; the app's store points at it."""
    location = tmp_path / "parkmap.gpkg"
    monkeypatch.setenv("PARKMAP_STORE", str(location))
    monkeypatch.setenv("PARKMAP_QUOTAS", str(tmp_path / "county_quotas.csv"))
    return three_quarters(location)


def _run(park_id: str, county: str, lang: str) -> AppTest:
    at = AppTest.from_function(_section, args=(park_id, county, lang), default_timeout=TIMEOUT_S).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _history_table(at: AppTest, period_header: str) -> object:
    return next(d.value for d in at.dataframe if period_header in d.value.columns)


def test_the_section_shows_the_approved_periods_a_rename_and_the_step_back(history_store: GeoPackageStore) -> None:
    at = _run(PARK, "330603", "zh")
    table = _history_table(at, "期次")
    assert table["期次"].tolist() == ZH_PERIODS  # the returned Q3 and the waiting Q4 are not there
    assert table["名称"].tolist() == ["柯桥智造园", "柯桥智造园（一期）", "柯桥智造园（一期）"]
    assert table["建设状态"].tolist() == ["在建", "谋划", "建成"]
    assert table["建筑面积(万㎡)"].tolist() == [5.0, 5.2, 9.99]
    assert table["入驻率(%)"].isna().tolist() == [False, True, False]  # no data, not 0
    assert table["亩均税收(万元/亩)"].isna().all()
    warnings = [w.value for w in at.warning]
    assert len(warnings) == 1 and all(word in warnings[0] for word in ("2024年第2季度", "在建", "谋划", "退回"))
    assert any("柯桥智造园 → 柯桥智造园（一期）" in c.value for c in at.caption)
    (chart,) = at.get("vega_lite_chart")
    spec = json.dumps(json.loads(chart.proto.spec), ensure_ascii=False)
    assert all(label in spec for label in ZH_PERIODS) and "逐期建筑面积（万㎡）" in spec and "逐期入驻率（%）" in spec


def test_the_chinese_section_shows_no_period_code_or_identifier(history_store: GeoPackageStore) -> None:
    texts, options, tables = visible(_run(PARK, "330603", "zh"))
    data = ["柯桥智造园（一期）", "柯桥智造园"]
    shown = [*texts, *options, *(str(c) for table in tables for c in table.columns)]
    shown += [str(v) for table in tables for v in table.iloc[:, 0]]  # the period column
    offending = [text for text in shown if set(WORD.findall(_strip(text, data))) - NEUTRAL]
    assert offending == []


def _strip(text: str, data: list[str]) -> str:
    for item in data:
        text = text.replace(item, " ")
    return text


def test_the_english_section_shows_period_codes_and_the_step_back(history_store: GeoPackageStore) -> None:
    at = _run(PARK, "330603", "en")
    assert _history_table(at, "Period")["Period"].tolist() == ["2024Q1", "2024Q2", "2024Q3"]
    (warning,) = [w.value for w in at.warning]
    assert "went back" in warning and "Under construction" in warning and "Planned" in warning and "2024Q2" in warning


def test_a_new_approval_shows_at_once(history_store: GeoPackageStore) -> None:
    _run(PARK, "330603", "zh")  # fills the cache
    waiting = next(s for s in history_store.list_submissions() if s.state == "submitted")
    history_store.approve_submission(waiting.submission_id, by="市经信局")
    table = _history_table(_run(PARK, "330603", "zh"), "期次")
    assert table["期次"].tolist() == [*ZH_PERIODS, "2024年第4季度"]
    assert table["建设状态"].tolist()[-1] == "已认定"


def test_a_park_with_one_period_gets_one_line(history_store: GeoPackageStore) -> None:
    at = _run("330602-0001", "330602", "zh")
    assert [c.value for c in at.caption] == ["该园区仅有 1 期已通过的季度报送，暂无历史可比。"]
    assert not at.dataframe and not at.warning


def test_the_park_details_show_the_history_under_the_selected_park(history_store: GeoPackageStore) -> None:
    at = AppTest.from_function(_details, args=(PARK,), default_timeout=TIMEOUT_S).run()
    assert not at.exception, [e.message for e in at.exception]
    assert any(md.value == "**园区详情**" for md in at.markdown)
    assert any(md.value == "**季度报送历史**" for md in at.markdown)
    assert _history_table(at, "期次")["期次"].tolist() == ZH_PERIODS
    assert any("退回" in w.value and "谋划" in w.value for w in at.warning)
