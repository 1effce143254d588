"""The data line: which period each county's figures are from, the same words on screen and in the meeting pack."""

from __future__ import annotations

from datetime import date

from geo.reporting.lines import data_line, period_label
from geo.reporting.periods import Period

NAMES = {"330602": "越城区", "330603": "柯桥区", "330604": "上虞区"}
Q2, Q3 = date(2024, 6, 30), date(2024, 9, 30)


def test_one_period_for_all_counties() -> None:
    assert data_line(dict.fromkeys(NAMES, Q2), names=NAMES, lang="zh") == "数据：各区县2024年第2季度报送"
    assert data_line(dict.fromkeys(NAMES, Q2), names=NAMES, lang="en") == "Data: every county's 2024Q2 report"


def test_the_odd_counties_are_named_in_the_regions_order() -> None:
    dates = {"330604": Q3, "330602": Q2, "330603": Q3}
    assert data_line(dates, names=NAMES, lang="zh") == "数据：越城区 2024年第2季度，其余区县2024年第3季度报送"


def test_a_county_without_a_report_is_said_and_one_file_is_named() -> None:
    line = data_line({"330602": Q2, "330603": Q2}, names=NAMES, lang="zh", sources=["全市台账.xlsx"])
    assert line == "数据：全市台账.xlsx（各区县2024年第2季度报送；上虞区尚无报送）"


def test_months_and_quarters_are_written_as_planners_write_them() -> None:
    assert period_label(Period(2024, 3), "zh") == "2024年第3季度" and period_label(Period(2024, 9, "month"), "zh") == "2024年9月"
    assert data_line({"330602": Q3}, names={"330602": "越城区"}, lang="zh", cycle="month") == "数据：各区县2024年9月报送"
