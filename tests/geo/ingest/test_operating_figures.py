"""A register's quarterly operating figures: 高新/专精特新 firms, jobs, revenue, output and tax, and the 亩均 figures derived from them."""

from __future__ import annotations

import math

import pytest

from geo.ingest.parks import import_parks
from geo.units import per_mu_annual
from tests.geo.ingest.importdata import in_datum, park_csv, point_near

HEADERS = [
    "园区名称",
    "所在区县",
    "建设状态",
    "建筑面积(万平方米)",
    "占地面积(亩)",
    "入园企业数",
    "高新技术企业数",
    "专精特新企业数",
    "从业人员数",
    "本季度营业收入(万元)",
    "本季度工业产值(万元)",
    "本季度税收(万元)",
    "亩均税收(万元/亩)",
    "经度",
    "纬度",
]


def _row(name: str, north_m: float, **cells: object) -> list[object]:
    lon, lat = in_datum(*point_near("330603", north_m=north_m), "gcj02")
    values = {
        "高新技术企业数": 3,
        "专精特新企业数": 2,
        "从业人员数": "820人",
        "本季度营业收入(万元)": 21000,
        "本季度工业产值(万元)": "18000万元",
    }
    values |= {"本季度税收(万元)": 1200, "亩均税收(万元/亩)": ""} | cells
    fixed = [name, "柯桥区", "建成", 6.0, 100, 40]
    return fixed + [values[h] for h in HEADERS[6:13]] + [lon, lat]


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    rows = [
        _row("甲园", 0),
        _row("乙园", 800, **{"亩均税收(万元/亩)": 55.5}),  # given: kept as given
        _row("丙园", 1600, **{"本季度税收(万元)": "", "本季度工业产值(万元)": ""}),  # no figures: no data, never 0
        _row("丁园", 2400, **{"本季度营业收入(万元)": -5, "从业人员数": "很多"}),
        _row("戊园", 3200, **{"本季度税收(万元)": -30}),  # a net tax refund can be negative
    ]
    path = tmp_path_factory.mktemp("operating") / "register.csv"
    path.write_bytes(park_csv(rows, HEADERS))
    return import_parks(path, datum="gcj02")


def _park(report, name):
    return report.data.set_index("name").loc[name]


def test_counts_and_money_are_read_with_their_units(report):
    park = _park(report, "甲园")
    assert (park["high_tech_enterprises"], park["specialised_enterprises"], park["jobs"]) == (3, 2, 820)
    assert (park["revenue_wan_yuan"], park["output_wan_yuan"], park["tax_wan_yuan"]) == (21000, 18000, 1200)


def test_per_mu_figures_are_annualised_from_the_quarter(report):
    park = _park(report, "甲园")
    assert park["tax_per_mu_wan_yuan"] == pytest.approx(1200 * 4 / 100)  # 48 万元/亩 a year
    assert park["output_per_mu_wan_yuan"] == pytest.approx(18000 * 4 / 100)


def test_a_given_tax_per_mu_is_kept(report):
    assert _park(report, "乙园")["tax_per_mu_wan_yuan"] == pytest.approx(55.5)


def test_missing_figures_stay_missing(report):
    park = _park(report, "丙园")
    assert math.isnan(park["tax_wan_yuan"]) and math.isnan(park["tax_per_mu_wan_yuan"])
    assert math.isnan(park["output_per_mu_wan_yuan"])


def test_unreadable_figures_are_reported_in_a_planners_words_and_the_park_kept(report):
    problems = report.problems[report.problems["row"] == 5]  # the header is row 1
    said = dict(zip(problems["field"], zip(problems["value"].astype(str), problems["message"], strict=True), strict=True))
    value, message = said["本季度营业收入(万元)"]
    assert value == "-5" and "不小于 0" in message and "万元" in message
    value, message = said["从业人员数"]
    assert value == "很多" and "整数" in message
    park = _park(report, "丁园")
    assert math.isnan(park["revenue_wan_yuan"]) and park["jobs"] is not None
    assert report.accepted == 5


def test_negative_tax_is_accepted(report):
    assert _park(report, "戊园")["tax_wan_yuan"] == -30


@pytest.mark.parametrize("months, expected", [(3, 40.0), (12, 10.0), (1, 120.0)])
def test_per_mu_annual_scales_by_period_length(months, expected):
    assert float(per_mu_annual(1000.0, 100.0, months=months)) == pytest.approx(expected)


@pytest.mark.parametrize("land", [0.0, -5.0, float("nan")])
def test_per_mu_annual_without_land_is_no_data(land):
    assert math.isnan(float(per_mu_annual(1000.0, land)))


def test_per_mu_annual_refuses_a_period_that_is_not_months():
    with pytest.raises(ValueError, match="months"):
        per_mu_annual(1.0, 1.0, months=0)
