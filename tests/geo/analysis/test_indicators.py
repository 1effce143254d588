from __future__ import annotations

from datetime import date

import pandas as pd

from geo.analysis.indicators import INDICATOR_COLUMNS, NO_DATA, enterprise_indicators

TARGETS = {"new_small_micro_firms": 55_000, "new_major_industry_firms": 12_000, "new_tech_firms": 1_500}
START = date(2021, 1, 1)


def firms() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "enterprise_id": [f"E{i}" for i in range(6)],
            "registration_date": pd.to_datetime(["2020-12-31", "2021-01-01", "2022-05-05", "2023-12-31", "2024-01-02", None]),
            "size_class": ["micro", "small", "micro", None, "small", "micro"],
            "major_industry": [None, "时尚", None, "环保", "金融", "文化"],
            "tech_type": pd.array([True, True, False, True, None, True], dtype="boolean"),
        }
    )


def by_id(table: pd.DataFrame) -> pd.DataFrame:
    return table.set_index("indicator_id")


def test_counts_firms_registered_in_the_plan_window() -> None:
    table = by_id(enterprise_indicators(firms(), targets=TARGETS, period_start=START, as_of=date(2023, 12, 31)))
    assert list(table.reset_index().columns) == INDICATOR_COLUMNS
    assert table.loc["new_small_micro_firms", "value"] == 2  # 2021-01-01 and 2022-05-05; not 2020-12-31, not 2024
    assert table.loc["new_major_industry_firms", "value"] == 1  # 时尚 2021-01-01; 环保 2023-12-31 has no size class, so is not "of them"
    assert table.loc["new_tech_firms", "value"] == 2
    assert table.loc["new_small_micro_firms", "pct_complete"] == 100 * 2 / 55_000
    assert (table["status"] == "measured").all()
    assert table.loc["new_small_micro_firms", "rows_with_data"] == 4


def test_without_as_of_later_registrations_count() -> None:
    table = by_id(enterprise_indicators(firms(), targets=TARGETS, period_start=START))
    assert table.loc["new_small_micro_firms", "value"] == 3
    assert table.loc["new_major_industry_firms", "value"] == 2  # 时尚 and 金融 (2024); 环保 has no size class


def test_missing_or_empty_fields_give_no_data_not_zero() -> None:
    frame = firms().drop(columns="tech_type")
    frame["major_industry"] = None
    table = by_id(enterprise_indicators(frame, targets=TARGETS, period_start=START))
    assert table.loc["new_tech_firms", "status"] == NO_DATA
    assert pd.isna(table.loc["new_tech_firms", "value"])
    assert "tech_type" in table.loc["new_tech_firms", "note"]
    assert table.loc["new_major_industry_firms", "status"] == NO_DATA
    assert table.loc["new_small_micro_firms", "status"] == "measured"
    no_dates = by_id(enterprise_indicators(firms().drop(columns="registration_date"), targets=TARGETS, period_start=START))
    assert (no_dates["status"] == NO_DATA).all()
    assert no_dates["value"].isna().all()


def test_major_industry_firms_are_a_subset_of_new_small_micro_firms() -> None:
    from geo.analysis.indicators import enterprise_indicators

    firms = pd.DataFrame(
        {
            "registration_date": pd.to_datetime(["2022-01-01"] * 3),
            "size_class": ["small", None, None],  # medium/large firms arrive with no size class
            "major_industry": ["数字经济"] * 3,
            "tech_type": [False] * 3,
        }
    )
    table = enterprise_indicators(firms, targets={}, period_start=date(2021, 1, 1)).set_index("indicator_id")
    assert table.loc["new_small_micro_firms", "value"] == 1
    assert table.loc["new_major_industry_firms", "value"] == 1
