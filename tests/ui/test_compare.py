"""Comparing two dates on the dashboard: what each county counted at A and at B, from the reports in force then."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from streamlit.testing.v1 import AppTest

from tests.test_app import APP, TIMEOUT_S, _expected_headline, _no_exception


def test_the_table_gives_each_dates_count_from_the_reports_in_force_then(small_store: Path) -> None:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S).run()
    _no_exception(at)
    a, b = date(2022, 6, 30), date(2023, 12, 31)
    at.selectbox(key="compare_b").set_value(b).run()
    at.selectbox(key="compare_a").set_value(a).run()
    _no_exception(at)
    table = next(d.value for d in at.dataframe if "园区增减" in d.value.columns)
    city = table.iloc[-1]
    head_a, head_b = _expected_headline(small_store, a), _expected_headline(small_store, b)
    assert (city["较早日期园区数"], city["较晚日期园区数"]) == (head_a.parks, head_b.parks)
    assert city["园区增减"] == head_b.parks - head_a.parks
    assert abs(city["建筑面积增减（万㎡）"] - round((head_b.floor_area_m2 - head_a.floor_area_m2) / 10_000, 1)) <= 0.11
    assert len(table) == 7 and table.iloc[:6]["园区增减"].sum() == city["园区增减"]  # six counties, then the city
    assert any("2022-06-30 至 2023-12-31 的变化" in c.value for c in at.caption)


def test_a_later_a_than_b_is_refused_in_words(small_store: Path) -> None:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S).run()
    at.selectbox(key="compare_b").set_value(date(2022, 6, 30)).run()
    at.selectbox(key="compare_a").set_value(date(2023, 6, 30)).run()
    _no_exception(at)
    assert any("较早日期应早于较晚日期" in w.value for w in at.warning)


def test_play_draws_the_quarters_in_the_page(small_store: Path) -> None:
    import io

    from PIL import Image

    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S).run()
    next(b for b in at.button if b.label == "播放（生成动画）").click().run()
    _no_exception(at)
    _key, gif = at.session_state["play_gif"]
    assert Image.open(io.BytesIO(gif)).n_frames == 14  # 2021Q1 to 2024Q2
    assert any(b.label == "下载动画（GIF）" for b in at.get("download_button"))
