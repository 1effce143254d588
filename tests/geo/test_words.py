"""The catalogue of words: both languages everywhere, the same placeholders, no figure of a plan in a word."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from datetime import date

import pytest

from geo.region.region import load_plan, load_region
from geo.words import COLUMNS, MEASURES, WORDS, columns, measure_label, placeholders, plan_values, subtitle_key, t

CJK = re.compile(r"[\u3400-\u9fff]")
# Words that are the same in both languages on purpose (names of things, not sentences).
SAME_IN_BOTH = {"basemap_osm", "language"}


@pytest.mark.parametrize("key", sorted(WORDS))
def test_every_word_has_both_languages_with_the_same_placeholders(key: str) -> None:
    zh, en = WORDS[key]
    assert zh.strip() and en.strip()
    assert placeholders(zh) == placeholders(en), key
    if key not in SAME_IN_BOTH:
        assert zh != en
        assert CJK.search(zh), f"{key}: the Chinese word has no Chinese"


def test_english_words_are_english() -> None:
    """Apart from the deliberately bilingual ones, no Chinese in an English word."""
    allowed = {"language", "map_label_note"}  # names 语言 and the suffix 小微企业园 on purpose
    chinese = {k: en for k, (_, en) in WORDS.items() if CJK.search(en) and k not in allowed}
    assert not chinese


def test_no_two_keys_hold_the_same_words() -> None:
    """One key per wording; only the exported tables' column headers (``col_*``) may repeat a label."""
    counts = Counter(pair for key, pair in WORDS.items() if not key.startswith("col_"))
    assert [pair for pair, n in counts.items() if n > 1] == []


@pytest.mark.parametrize("figure", ["绍兴", "Shaoxing", "140", "1000万", "2021", "2023", "2020-12-31"])
def test_no_figure_of_the_region_or_plan_is_written_into_a_word(figure: str) -> None:
    assert [k for k, pair in WORDS.items() if any(figure in w for w in pair)] == []


def test_columns_of_every_table_in_both_languages() -> None:
    for kind, table in COLUMNS.items():
        zh, en = columns(kind, "zh"), columns(kind, "en")
        assert list(zh) == list(en) == list(table)
        assert all(CJK.search(v) for v in zh.values()), kind
        assert not any(CJK.search(v) for v in en.values()), kind


def test_unknown_language_and_key_are_named() -> None:
    with pytest.raises(ValueError, match="zh or en"):
        t("city", "fr")
    with pytest.raises(KeyError, match="no_such_word"):
        t("no_such_word", "zh")
    with pytest.raises(KeyError, match="'city_title' needs the value 'city'"):
        t("city_title", "zh")
    with pytest.raises(KeyError, match="no_such_table"):
        columns("no_such_table", "en")
    with pytest.raises(ValueError, match="zh or en"):
        columns("county", "de")


def test_measures_have_labels() -> None:
    assert measure_label("pct_floor_quota", "zh") == "建筑面积完成率（占区县目标 %）"
    assert {measure_label(m, "en") for m in MEASURES} == {
        "Floor area, % of county quota",
        "Parks, % of county quota",
        "Parks",
        "Floor area (10k m²)",
        "Floor area per km² (m²/km²)",
    }
    with pytest.raises(KeyError, match="pct_nothing"):
        measure_label("pct_nothing", "zh")


def test_titles_are_formatted_from_the_region_and_the_plan() -> None:
    region, plan = load_region("330600"), load_plan("2021-2023", region=load_region("330600"))
    zh, en = plan_values(region, plan, "zh"), plan_values(region, plan, "en")
    assert t("city_title", "zh", **zh) == "绍兴市小微企业园分布与建设进度"
    assert t("subtitle", "zh", **zh) == "对照《绍兴市小微企业三年成长计划(2021—2023年)》：园区总量超过140个、总建筑面积超过1000万平方米"
    assert t("subtitle", "en", **en) == (
        "Against the Shaoxing three-year growth plan for small and micro enterprises (2021–2023):"
        " more than 140 parks and more than 10 million m² of floor area"
    )
    assert t("map_title", "en", **en) == "Shaoxing small-micro enterprise parks"
    assert t("chart_trajectory_dates", "zh", **zh) == "直线进度线 2020-12-31 → 2023-12-31"
    assert (zh["period"], en["period"]) == ("2021—2023", "2021–2023")


def test_another_plan_gives_other_titles() -> None:
    region = load_region("330600")
    plan = replace(
        load_plan("2021-2023", region=region),
        title="绍兴市小微企业园提升计划(2024—2026年)",
        period_start=date(2024, 1, 1),
        period_end=date(2026, 12, 31),
        baseline_date=date(2023, 12, 31),
        comparison="at_least",
        targets=(),
    )
    values = plan_values(region, plan, "zh")
    assert values["parks_target"] == "0"
    assert subtitle_key(plan) == "subtitle_no_targets"  # a plan without targets never reads "不少于0个"
    assert t(subtitle_key(plan), "zh", **values) == (
        "对照《绍兴市小微企业园提升计划(2024—2026年)》（2024—2026）：园区和建筑面积目标尚未填写，请在“数据管理”页填写规划目标"
    )
    assert subtitle_key(load_plan("2021-2023", region=region)) == "subtitle"
    assert plan_values(region, plan, "en")["comparison"] == "at least"
    assert t("chart_trajectory_dates", "en", **values) == "Straight-line trajectory 2023-12-31 → 2026-12-31"
