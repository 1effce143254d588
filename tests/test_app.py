"""The Streamlit app driven through its widgets (AppTest): no exception on any path."""

from __future__ import annotations

import io
import os
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "streamlit_app.py")
TIMEOUT_S = 120


@pytest.fixture
def app(small_store: Path) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _metric(at: AppTest, startswith: str):
    return next(m for m in at.metric if m.label.startswith(startswith))


def _no_exception(at: AppTest) -> None:
    assert not at.exception, [(e.message, e.stack_trace[-3:]) for e in at.exception]


def test_first_page_shows_progress_against_the_plan_with_the_sample_notice(app: AppTest) -> None:
    labels = [m.label for m in app.metric]
    assert any(label.startswith("园区数") for label in labels)
    assert "总建筑面积（万㎡）" in labels
    assert any("合成示例数据" in w.value for w in app.warning)
    assert any("统计日期 2024-06-30" in md.value for md in app.markdown)
    assert any("参考分解" in c.value for c in app.caption)


def _expected_headline(small_store: Path, as_of: date, *, register=None):
    """The city's headline at ``as_of`` from the store's register in force then (or the ``register`` given)."""
    from geo.analysis.dashboard import headline
    from geo.analysis.progress import progress_as_of
    from geo.region.targets import load_city_targets, load_county_quotas
    from geo.store import open_store

    store = open_store(small_store)
    parks = store.register(as_of) if register is None else register
    reported = max(date.fromisoformat(v["reporting_date"]) for v in parks.attrs["register"].values())
    progress = progress_as_of(parks, as_of=as_of, targets=load_city_targets(), quotas=load_county_quotas(), reported_on=reported)
    return headline(progress)


def test_earlier_date_shows_whether_the_city_is_on_track(app: AppTest, small_store: Path) -> None:
    app.select_slider(key="as_of").set_value(date(2022, 6, 30)).run()
    _no_exception(app)
    assert "统计日期 2022-06-30" in " ".join(md.value for md in app.markdown)
    head = _expected_headline(small_store, date(2022, 6, 30))
    expected = "符合进度" if head.parks_on_track and head.floor_on_track else "落后于进度"
    assert _metric(app, "进度").value == expected
    assert _metric(app, "计划时间已过").value == "50%"
    assert float(_metric(app, "园区数").value.replace(",", "")) == head.parks


def test_after_the_plan_the_margin_is_the_result_at_the_deadline(app: AppTest, small_store: Path) -> None:
    head = _expected_headline(small_store, date(2024, 6, 30))
    caption = next(c.value for c in app.caption if "与目标差额" in c.value)
    assert caption.startswith("2023-12-31 实际")
    assert f"与目标差额 {head.parks_margin:+,.0f} 个" in caption
    assert head.final_parks != head.parks or head.parks_margin == head.final_parks - 140


def test_a_county_without_a_quota_shows_a_dash_not_a_crash(app: AppTest, small_store: Path) -> None:
    from geo.region.targets import load_county_quotas, save_county_quotas

    quotas = load_county_quotas()
    quotas.loc[quotas["adcode"] == "330624", ["parks_quota", "floor_area_quota_m2"]] = 0
    save_county_quotas(quotas)
    app.selectbox(key="county_sel.zh").set_value("330624").run()
    _no_exception(app)
    assert _metric(app, "园区数").label.endswith("新昌县")


def test_counted_statuses_change_the_totals(app: AppTest) -> None:
    before = float(_metric(app, "园区数").value.replace(",", ""))
    app.multiselect(key="statuses.zh").set_value(["certified"]).run()
    _no_exception(app)
    after = float(_metric(app, "园区数").value.replace(",", ""))
    assert after < before


def test_county_drill_down_from_the_sidebar_and_back(app: AppTest) -> None:
    app.selectbox(key="county_sel.zh").set_value("330603").run()
    _no_exception(app)
    assert _metric(app, "园区数").label.endswith("柯桥区")
    back = next(b for b in app.button if b.label == "返回全市")
    back.click().run()
    _no_exception(app)
    assert _metric(app, "园区数").label.endswith("全市")


@pytest.mark.parametrize("measure", ["pct_floor_quota", "pct_parks_quota", "parks", "floor_area_wan_m2", "floor_area_per_km2"])
def test_every_choropleth_measure(app: AppTest, measure: str) -> None:
    app.selectbox(key="measure.zh").set_value(measure).run()
    _no_exception(app)


def test_enterprise_layers_and_industry_filter(app: AppTest) -> None:
    for key in ("layer_density", "layer_clusters", "layer_gaps"):
        app.checkbox(key=key).check()
    app.checkbox(key="layer_parks").uncheck()
    app.run()
    _no_exception(app)
    industries = app.multiselect(key="industries").options
    app.multiselect(key="industries").set_value(industries[:1]).run()
    _no_exception(app)


@pytest.mark.parametrize("basemap", ["osm", "amap", "tianditu"])
def test_basemaps_and_a_missing_tianditu_key(app: AppTest, basemap: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TIANDITU_KEY", raising=False)
    app.sidebar.selectbox[-1].set_value(basemap).run()
    _no_exception(app)
    warned = any("天地图需要密钥" in w.value for w in app.warning)
    assert warned == (basemap == "tianditu")


def test_english_switch(app: AppTest) -> None:
    app.radio(key="lang_choice").set_value("English").run()
    _no_exception(app)
    assert any(m.label == "Floor area (10k m²)" for m in app.metric)
    assert app.title[0].value.startswith("Shaoxing")


def test_chart_measure_switch(app: AppTest) -> None:
    app.radio(key="chart_measure.zh").set_value("parks").run()
    _no_exception(app)


def _data_page() -> None:
    from ui import data_page

    data_page.render("zh")


def test_data_page_quotas_history_and_rollback(small_store: Path) -> None:
    at = AppTest.from_function(_data_page, default_timeout=TIMEOUT_S).run()
    _no_exception(at)
    assert any("参考分解" in c.value for c in at.caption)
    assert any("合计" in c.value and "140 个" in c.value for c in at.caption)
    next(b for b in at.button if b.label == "保存区县目标").click().run()
    _no_exception(at)
    assert (small_store.parent / "county_quotas.csv").exists()
    # roll back the park snapshot: the dashboard then has no park data
    from geo.store import open_store

    parks_id = open_store(small_store).latest_info("parks").snapshot_id
    next(s for s in at.selectbox if s.label == "快照").set_value(parks_id)
    at.text_input(key="rollback_reason").input("wrong file").run()
    next(b for b in at.button if b.label == "撤回").click().run()
    _no_exception(at)
    assert open_store(small_store).snapshot_info(parks_id).rolled_back_by == "本机用户（local）"  # the account, never typed, never "app"
    assert any(f"已撤回快照 {parks_id}（本机用户）" in s.value for s in at.success)  # said on screen, not only done
    history = next(d.value for d in at.dataframe if "快照编号" in d.value.columns)
    assert list(history.columns[:5]) == ["快照编号", "类型", "填报日期", "当前使用", "已撤回"]  # the state is in view
    # that county's 2024Q2 report no longer counts: its 2024Q1 report is in force again, the other counties keep theirs
    store = open_store(small_store)
    county = next(s.county_adcode for s in store.list_submissions() if s.snapshot_id == parks_id)
    periods = {c: v["period"] for c, v in store.register().attrs["register"].items()}
    assert periods[county] == "2024Q1" and list(periods.values()).count("2024Q2") == 4  # 嵊州市's 2024Q2 waits for review
    assert open_store(small_store).latest_info("enterprises") is not None


def test_presentation_mode_hides_controls_and_comes_back(app: AppTest) -> None:
    next(b for b in app.sidebar.button if b.label == "演示模式（投影用）").click().run()
    _no_exception(app)
    assert any("stSidebar" in md.value and "display: none" in md.value for md in app.markdown)
    assert not any(s.value == t for s in app.subheader for t in ("区县进度表",))
    next(b for b in app.button if b.label == "退出演示模式").click().run()
    _no_exception(app)
    assert any(s.value == "区县进度表" for s in app.subheader)


@pytest.mark.slow
def test_meeting_pack_builds_four_files_for_download(app: AppTest) -> None:
    next(b for b in app.button if b.label == "生成会议材料").click().run()
    _no_exception(app)
    key, files = app.session_state["meeting_pack"]
    assert sorted(files) == ["atlas.pdf", "map.html", "map.png", "parks.gif", "summary.xlsx"]
    assert files["atlas.pdf"].startswith(b"%PDF")
    assert files["map.png"].startswith(b"\x89PNG")
    assert key[1] == date(2024, 6, 30)
    # one source of numbers: the pack's plan sheet measures the firm indicators the dashboard shows
    from geo.analysis.indicators import enterprise_indicators
    from geo.region.targets import load_city_targets, load_plan_targets
    from geo.store import open_store

    plan = load_plan_targets()
    firms = open_store(os.environ["PARKMAP_STORE"]).current("enterprises")
    targets = dict(zip(plan["indicator_id"], plan["target_value"], strict=True))
    shown = enterprise_indicators(firms, targets=targets, period_start=load_city_targets().period_start, as_of=date(2024, 6, 30))
    sheet = pd.read_excel(io.BytesIO(files["summary.xlsx"]), sheet_name="计划指标", engine="openpyxl").set_index("indicator_id")
    measured = shown[shown["status"] == "measured"].set_index("indicator_id")["value"]
    assert len(measured) and all(float(sheet.loc[i, "测算值"]) == float(v) for i, v in measured.items())
    assert sheet.loc["parks_total", "期末实际"] < sheet.loc["parks_total", "测算值"]  # 142 at 2023-12-31, 146 now


def test_older_registers_show_as_reported_points(small_store: Path) -> None:
    from geo.reporting.periods import Period, periods_between
    from geo.store import open_store
    from ui.charts import chart_data

    store = open_store(small_store)
    parks = store.current("parks")
    older = parks[parks["completion_date"] <= "2022-12-31"]
    store.save_snapshot(
        older, kind="parks", reporting_date=date(2022, 12, 31), source_name="2022年底台账.xlsx", source_sha256="1" * 64, loaded_by="test"
    )
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S).run()
    _no_exception(at)
    no_quarters = pd.DataFrame(columns=["as_of", "adcode", "name", "measure", "value", "trajectory", "target"])
    data = chart_data(no_quarters, measure="parks", adcode="330600", lang="zh", statuses=("built", "certified"), end=date(2024, 6, 30))
    reported = data[(data["series"] == "历次填报值") & (data["area"] == "全市")].sort_values("quarter")
    # one point a quarter from the first report on, each from the reports in force at that quarter's end
    assert list(reported["quarter"].dt.date) == [p.end for p in periods_between(Period(2021, 1), Period(2024, 2))]
    by_quarter = dict(zip(reported["quarter"].dt.date, reported["value"], strict=True))
    assert by_quarter[date(2022, 12, 31)] <= len(older)  # the register saved for that date, approved last, is in force then
    for quarter in (date(2021, 6, 30), date(2022, 12, 31), date(2023, 9, 30)):
        assert by_quarter[quarter] == _expected_headline(small_store, quarter, register=store.register(quarter)).parks


def test_language_switch_keeps_filters_and_county(app: AppTest) -> None:
    app.multiselect(key="statuses.zh").set_value(["certified"])
    app.selectbox(key="county_sel.zh").set_value("330603").run()
    app.radio(key="lang_choice").set_value("English").run()
    _no_exception(app)
    assert app.multiselect(key="statuses.en").value == ["certified"]
    assert app.selectbox(key="county_sel.en").value == "330603"
    assert _metric(app, "Parks").label.endswith("Keqiao District")


@pytest.mark.slow
def test_register_text_is_shown_as_text_on_the_dashboard(small_store: Path) -> None:
    """A file name and park fields with Markdown, LaTeX and formulas: escaped, neutralised, and the meeting pack builds."""
    import re

    from geo.export_safety import FORMULA_PREFIXES
    from geo.store import open_store

    store = open_store(small_store)
    parks = store.current("parks")
    info = store.latest_info("parks")
    first = parks.index[0]
    parks.loc[first, ["name", "main_industry", "operator"]] = ["=cmd|' /C calc'!A0", '=HYPERLINK("http://x","y")', "@SUM(A1)"]
    source = r"![x](http://127.0.0.1:9/x.png) $\undefinedcommand$ **台账**.xlsx"
    store.save_snapshot(
        parks, kind="parks", reporting_date=info.reporting_date, source_name=source, source_sha256="2" * 64, loaded_by="test"
    )
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    at.session_state["park_clicked"] = str(parks.loc[first, "park_id"])
    at.run()
    _no_exception(at)
    line = next(md.value for md in at.markdown if "统计日期" in md.value)
    assert r"\!\[x\]\(http\:\/\/127\.0\.0\.1\:9\/x\.png\) \$\\undefinedcommand\$ \*\*台账\*\*\.xlsx" in line
    assert not re.search(r"!\[|\]\(|\$", re.sub(r"\\.", "", line))
    details = next(df.value for df in at.dataframe if "园区名称 Name" in list(df.value.iloc[:, 0]))
    shown = dict(zip(details.iloc[:, 0], details.iloc[:, 1], strict=True))
    assert shown["园区名称 Name"] == "'=cmd|' /C calc'!A0"
    assert shown["主导产业 Main industry"] == '\'=HYPERLINK("http://x","y")'
    assert shown["运营主体 Operator"] == "'@SUM(A1)"
    for frame in (df.value for df in at.dataframe):
        cells = [v for column in frame.columns for v in frame[column] if isinstance(v, str)]
        assert not [v for v in cells if v.startswith(FORMULA_PREFIXES)]
    next(b for b in at.button if b.label == "生成会议材料").click().run()  # the file name is on every page of the pack
    _no_exception(at)
    assert sorted(at.session_state["meeting_pack"][1]) == ["atlas.pdf", "map.html", "map.png", "parks.gif", "summary.xlsx"]


def test_quarterly_charts_put_each_point_at_its_quarter_and_the_city_first(small_store: Path) -> None:
    from ui.charts import _progress_chart, chart_data

    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S).run()
    _no_exception(at)
    series = pd.DataFrame(
        {
            "as_of": pd.to_datetime(["2021-03-31", "2021-06-30"]),
            "adcode": ["330603", "330603"],
            "name": ["柯桥区", "柯桥区"],
            "measure": ["parks", "parks"],
            "value": [10.0, 12.0],
            "trajectory": [9.0, 11.0],
            "target": [20.0, 20.0],
        }
    )
    data = chart_data(series, measure="parks", adcode="330600", lang="zh", statuses=("built", "certified"), end=date(2024, 6, 30))
    actual = data[(data["series"] == "实际") & (data["area"] == "柯桥区")]
    assert list(actual["period"]) == ["2021Q1", "2021Q2"]  # 2021-03-31 is in 2021Q1, not at the 2021-Q2 tick
    spec = _progress_chart(data, "zh").to_dict()
    assert spec["facet"]["sort"] == ["全市", "越城区", "柯桥区", "上虞区", "新昌县", "诸暨市", "嵊州市"]
    assert spec["spec"]["layer"][0]["encoding"]["x"]["field"] == "period"


def test_quarters_after_the_latest_register_are_marked_as_projected(app: AppTest) -> None:
    slider = app.select_slider(key="as_of")
    reported = slider.value  # the default is the register's own reporting date
    assert not any("推算" in c.value for c in app.sidebar.caption)
    later = next(d for d in slider.options if str(d).startswith(str(reported.year + 1)))
    assert "（推算）" in later  # the slider's label says so
    slider.set_value(date.fromisoformat(later[:10])).run()
    _no_exception(app)
    assert any(f"最新台账的填报日期 {reported}" in c.value for c in app.sidebar.caption)


def test_layers_from_synthetic_firms_carry_the_notice_after_a_real_register_is_loaded(small_store: Path) -> None:
    """A planner's own park register replaces the sample parks; the firm list is still synthetic and says so."""
    from geo.demo.bootstrap import retire_sample
    from geo.store import open_store

    store = open_store(small_store)
    parks = store.current("parks")
    store.save_snapshot(
        parks, kind="parks", reporting_date=date(2024, 6, 30), source_name="柯桥区台账.xlsx", source_sha256="2" * 64, loaded_by="王工"
    )
    retire_sample(store, "parks", by="王工")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S).run()
    _no_exception(at)
    assert not any("合成示例" in w.value for w in at.warning)  # parks are real, no enterprise layer on
    at.checkbox(key="layer_density").check().run()
    _no_exception(at)
    assert any("合成示例企业名录" in w.value for w in at.warning)


def test_the_industry_filter_applies_to_the_header_and_tables_and_says_so(app: AppTest) -> None:
    def parks_metric() -> int:
        return int(next(m.value for m in app.metric if m.label.startswith("园区数（个）")).replace(",", ""))

    everything = parks_metric()
    box = app.multiselect(key="industries")
    industry = box.options[0]
    box.set_value([industry]).run()
    _no_exception(app)
    assert any(f"主导产业：{industry}" in md.value for md in app.markdown)
    filtered = parks_metric()
    assert 0 < filtered < everything
    table = next(d.value for d in app.dataframe if "园区数" in d.value.columns and "排名" in d.value.columns)
    assert int(table["园区数"].sum()) == filtered  # the county table counts the same parks as the header


def test_what_every_session_shares_is_never_changed_by_a_session(app: AppTest) -> None:
    """The region and its counties are one object for all sessions: a run that altered them would alter every planner's map."""
    from geopandas.testing import assert_geodataframe_equal

    from geo.region.boundaries import load_counties
    from geo.region.region import current_adcode, regions_dir
    from ui import shared

    def held() -> dict[str, object]:
        key = (current_adcode(), str(regions_dir()))
        return {
            "region": shared._region(*key),
            "counties": shared._counties(*key).copy(),
            "display": shared._display_counties(*key).copy(),
            "areas": shared._county_areas(*key).copy(),
        }

    before = held()
    app.selectbox(key="county_sel.zh").set_value("330624").run()
    app.selectbox(key="measure.zh").set_value("floor_area_per_km2").run()
    for key in ("layer_density", "layer_clusters", "layer_gaps"):
        app.checkbox(key=key).check()
    app.radio(key="lang_choice").set_value("English").run()
    _no_exception(app)
    after = held()
    assert after["region"] == before["region"]
    assert_geodataframe_equal(after["counties"], before["counties"])
    assert_geodataframe_equal(after["display"], before["display"])
    pd.testing.assert_series_equal(after["areas"], before["areas"])
    assert_geodataframe_equal(after["counties"], load_counties(city_adcode=current_adcode()))
