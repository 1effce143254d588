"""Header variants and the value parsers (geo.ingest.headers, geo.ingest.parsers, geo.ingest.locate, geo.ingest.vocabulary)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from geo.ingest.headers import match_columns, split_unit
from geo.ingest.locate import CountyLookup, parse_coordinate, parse_county, split_lonlat, swapped_mask
from geo.ingest.parsers import parse_area_m2, parse_count, parse_date, parse_flag, parse_percent, parse_star
from geo.ingest.vocabulary import park_type_code, size_class_code, status_code
from tests.geo.ingest.importdata import COUNTIES


@pytest.mark.parametrize(
    ("header", "field", "unit"),
    [
        ("园区名称", "name", None),
        ("名称", "name", None),
        ("Name", "name", None),
        ("县(市、区)", "county", None),
        ("县（市、区）", "county", None),
        ("所在区县", "county", None),
        ("  区 县 ", "county", None),
        ("建筑面积(万平方米)", "floor_area", "万平方米"),
        ("总建筑面积（㎡）", "floor_area", "m2"),
        ("总建筑面积(m²)", "floor_area", "m2"),
        ("用地面积(公顷)", "land_area", "公顷"),
        ("占地面积（亩）", "land_area", "亩"),
        ("状态", "status", None),
        ("LONGITUDE", "lon", None),
        ("lat", "lat", None),
        ("经纬度", "lonlat", None),
        ("星级", "star_rating", None),
        ("*入园企业数", "enterprises", None),
        ("入驻率(%)", "occupancy", "%"),
    ],
)
def test_park_header_variants_map_to_one_field(header, field, unit):
    matches, extra = match_columns([header], kind="parks")
    assert extra == []
    assert matches[field].column == header
    assert matches[field].unit == unit


def test_unknown_columns_are_kept_and_first_duplicate_wins():
    matches, extra = match_columns(["名称", "园区名称", "联系人", "备注"], kind="parks")
    assert matches["name"].column == "名称"
    assert extra == ["园区名称", "联系人", "备注"]


def test_enterprise_headers_differ_from_park_headers():
    matches, _ = match_columns(["统一社会信用代码", "企业名称", "所在园区", "成立日期", "是否规上"], kind="enterprises")
    assert set(matches) == {"credit_code", "name", "park_name", "registration_date", "above_scale"}


def test_split_unit_leaves_non_unit_brackets():
    assert split_unit("县(市、区)") == ("县(市、区)", None)
    assert split_unit("建筑面积(万平方米)") == ("建筑面积", "万平方米")


@pytest.mark.parametrize(
    ("cell", "header_unit", "m2"),
    [
        ("12.5", "万平方米", 125_000),
        (12.5, "万平方米", 125_000),
        ("12.5万㎡", "m2", 125_000),
        ("125000㎡", "万平方米", 125_000),
        ("125,000", "m2", 125_000),
        ("１２５，０００", "m2", 125_000),
        ("１２．５", "万平方米", 125_000),
        ("30 m²", None, 30),
        ("150亩", "万平方米", 100_000),
        ("10公顷", "亩", 100_000),
        ("150", "亩", 100_000),
    ],
)
def test_areas_read_units_from_cell_then_header(cell, header_unit, m2):
    parsed = parse_area_m2(pd.Series([cell], dtype=object), header_unit=header_unit, default_unit="亩")
    assert parsed.values[0] == pytest.approx(m2, rel=1e-9)
    assert not parsed.bad[0]


def test_area_without_any_unit_is_guessed_and_flagged():
    parsed = parse_area_m2(pd.Series(["12.5", "125000"]), header_unit=None, default_unit=None)
    assert list(parsed.values) == [125_000, 125_000]
    assert parsed.flagged.all()


@pytest.mark.parametrize("cell", ["abc", "12.5.3", "12斤", "-3"])
def test_bad_areas_are_marked_bad(cell):
    parsed = parse_area_m2(pd.Series([cell]), header_unit="万平方米", default_unit=None)
    assert parsed.bad[0] and np.isnan(parsed.values[0])


def test_counts_stars_percent_flags():
    assert parse_count(pd.Series(["35家", "３５", 35.0, "35.5", ""], dtype=object)).values.tolist()[:3] == [35, 35, 35]
    assert parse_count(pd.Series(["35.5"])).bad[0]
    stars = parse_star(pd.Series(["四星级", "4星", "★★★★", 4, "五星", "七星", ""], dtype=object))
    assert stars.values.tolist()[:5] == [4, 4, 4, 4, 5]
    assert list(stars.bad) == [False] * 5 + [True, False]
    pct = parse_percent(pd.Series(["85%", "85", 0.85, "120"], dtype=object))
    assert pct.values.tolist()[:3] == pytest.approx([85, 85, 85])
    assert list(pct.flagged) == [False, False, True, False]
    assert pct.bad[3]
    flags = parse_flag(pd.Series(["是", "否", "Y", "n", "√", "也许"]))
    assert flags.values.tolist()[:5] == [True, False, True, False, True]
    assert flags.bad[5]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("2021-03-05", "2021-03-05"),
        ("2021/3/5", "2021-03-05"),
        ("2021/3", "2021-03-01"),
        ("2021年3月", "2021-03-01"),
        ("2021年3月5日", "2021-03-05"),
        ("2021.3", "2021-03-01"),
        ("20210305", "2021-03-05"),
        (44260, "2021-03-05"),
        ("44260", "2021-03-05"),
        (dt.date(2021, 3, 5), "2021-03-05"),
        (dt.datetime(2021, 3, 5, 0, 0), "2021-03-05"),
        ("２０２１－０３－０５", "2021-03-05"),
    ],
)
def test_date_forms(cell, expected):
    parsed = parse_date(pd.Series([cell], dtype=object))
    assert parsed.values[0] == pd.Timestamp(expected)


@pytest.mark.parametrize("cell", ["2021-13-01", "去年", "1800-01-01", "3/5"])
def test_bad_dates(cell):
    assert parse_date(pd.Series([cell])).bad[0]


@pytest.mark.parametrize(
    ("word", "code"),
    [
        ("已建成", "built"),
        ("建成", "built"),
        ("竣工", "built"),
        ("在建", "under_construction"),
        ("建设中", "under_construction"),
        ("谋划", "planned"),
        ("规划中", "planned"),
        ("拟建", "planned"),
        ("已认定", "certified"),
        ("省级认定", "certified"),
        ("built", "built"),
        ("未建成", None),
        ("不知道", None),
    ],
)
def test_status_words(word, code):
    assert status_code(word) == code


def test_park_type_and_size_words():
    assert park_type_code("生产制造类") == "manufacturing"
    assert park_type_code("生产性服务类") == "producer_services"
    assert size_class_code("小型") == "small"
    assert size_class_code("微型企业") == "micro"
    assert size_class_code("中型") is None


@pytest.mark.parametrize(
    ("cell", "adcode"),
    [
        ("柯桥区", "330603"),
        ("柯桥", "330603"),
        (" 柯 桥 ", "330603"),
        ("绍兴县", "330603"),
        ("上虞市", "330604"),
        ("诸暨", "330681"),
        ("嵊州", "330683"),
        ("Xinchang County", "330624"),
        ("keqiao", "330603"),
        ("330602", "330602"),
        (330602.0, "330602"),
        ("330602000000", "330602"),
        ("绍兴市越城区", "330602"),
        ("滨海新区", None),
        ("杭州市", None),
    ],
)
def test_county_variants(cell, adcode):
    parsed = parse_county(pd.Series([cell], dtype=object), CountyLookup.from_counties(COUNTIES))
    assert parsed.values[0] == adcode
    assert parsed.bad[0] == (adcode is None)


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        ("120.5823", 120.5823),
        (120.5823, 120.5823),
        ("120°35'12.3\"E", 120 + 35 / 60 + 12.3 / 3600),
        ("120°35′12.3″", 120 + 35 / 60 + 12.3 / 3600),
        ("东经120度35分12.3秒", 120 + 35 / 60 + 12.3 / 3600),
        ("30°N", 30.0),
        ("１２０．５", 120.5),
    ],
)
def test_coordinates_decimal_and_dms(cell, value):
    parsed = parse_coordinate(pd.Series([cell], dtype=object))
    assert parsed.values[0] == pytest.approx(value, abs=1e-9)


@pytest.mark.parametrize("cell", ["abc", "120°75'", "inf", "nan"])
def test_bad_coordinates(cell):
    assert parse_coordinate(pd.Series([cell])).bad[0]


def test_one_cell_lon_lat_and_swap_detection():
    lon, lat = split_lonlat(pd.Series(["120.5,30.1", "120.5，30.1", "120.5 30.1", "120.5;30.1"]))
    assert list(lon) == ["120.5"] * 4 and list(lat) == ["30.1"] * 4
    assert list(swapped_mask(np.array([30.0, 120.0]), np.array([120.0, 30.0]))) == [True, False]


@pytest.mark.parametrize(
    ("cell", "expected", "warned"),
    [
        (2021.1, "2021-01-01", "2021-10"),  # the number Excel stores for a typed 2021.10
        ("2021.10", "2021-10-01", None),  # text keeps the 0
        ("2021.1", "2021-01-01", None),  # text: January as written
        (2021.3, "2021-03-01", None),  # only .1 can be a lost .10
        (2021.11, "2021-11-01", None),
        (2023, "2023-12-31", "2023-12-31"),
        (2023.0, "2023-12-31", "2023-12-31"),
        ("2023", "2023-12-31", "2023-12-31"),
        ("2023年", "2023-12-31", "2023-12-31"),
    ],
)
def test_ambiguous_and_year_only_dates_are_read_with_a_warning(cell, expected, warned):
    parsed = parse_date(pd.Series([cell], dtype=object))
    assert parsed.values[0] == pd.Timestamp(expected)
    assert not parsed.bad[0]
    assert parsed.warnings is not None
    if warned is None:
        assert not parsed.flagged[0] and parsed.warnings[0] == ""
    else:
        assert parsed.flagged[0] and warned in parsed.warnings[0]


def test_date_warnings_line_up_with_their_rows():
    parsed = parse_date(pd.Series(["2021-03-05", 2021.1, None, "2022"], dtype=object))
    assert [bool(w) for w in parsed.warnings] == [False, True, False, True]
    assert "2021.1" in parsed.warnings[1] and "2022-12-31" in parsed.warnings[3]
