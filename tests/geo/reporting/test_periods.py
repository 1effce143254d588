from __future__ import annotations

from datetime import date

import pytest

from geo.reporting.periods import Period, parse_period, period_of, periods_between


@pytest.mark.parametrize("text", ["2024Q3", "2024-Q3", "2024 q3", "2024年第三季度", "2024年3季度", "2024年第3季度"])
def test_a_quarter_is_read_as_planners_write_it(text: str) -> None:
    assert parse_period(text) == Period(2024, 3)


def test_a_quarter_ends_on_its_last_day_and_is_due_after_the_grace_days() -> None:
    q3 = parse_period("2024Q3")
    assert (q3.start, q3.end, q3.due(grace_days=15)) == (date(2024, 7, 1), date(2024, 9, 30), date(2024, 10, 15))
    assert parse_period("2024Q4").end == date(2024, 12, 31)
    assert str(q3) == "2024Q3"


def test_months_for_a_monthly_region() -> None:
    m = parse_period("2024-02", cycle="month")
    assert (m.code, m.end) == ("2024-02", date(2024, 2, 29))
    assert parse_period("2024年12月", cycle="month").next() == Period(2025, 1, "month")


@pytest.mark.parametrize(("text", "cycle"), [("2024Q5", "quarter"), ("第三季度", "quarter"), ("2024-09", "quarter"), ("2024Q3", "month")])
def test_a_period_that_is_not_one_says_how_to_write_it(text: str, cycle: str) -> None:
    with pytest.raises(ValueError, match=r"2024Q3|2024-09"):
        parse_period(text, cycle=cycle)  # type: ignore[arg-type]


def test_periods_in_order_across_a_year_end() -> None:
    assert [p.code for p in periods_between(Period(2023, 3), Period(2024, 2))] == ["2023Q3", "2023Q4", "2024Q1", "2024Q2"]
    assert period_of(date(2024, 9, 30)) == Period(2024, 3) and period_of(date(2024, 10, 1)) == Period(2024, 4)
    assert Period(2024, 1).previous() == Period(2023, 4)
