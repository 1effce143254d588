from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from geo.analysis.progress import PROGRESS_COLUMNS, entry_dates, progress_as_of, progress_series, quarter_ends
from geo.crs import WGS84
from geo.errors import GeoDataError

A, B, C, CITY = "330602", "330603", "330604", "330600"


@dataclass(frozen=True)
class Targets:
    parks: int = 10
    floor_area_m2: float = 100_000.0
    period_start: date = date(2021, 1, 1)
    period_end: date = date(2023, 12, 31)
    baseline_date: date = date(2020, 12, 31)
    comparison: str = "more_than"
    region_adcode: str = CITY


def quotas(parks_a: int = 6) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "adcode": [A, B, C],
            "name": ["甲区", "乙区", "丙县"],
            "parks_quota": [parks_a, 4, 1],
            "floor_area_quota_m2": [60_000.0, 40_000.0, 10_000.0],
            "official": [False, False, False],
        }
    )


def parks() -> gpd.GeoDataFrame:
    """The hand-checked register. County 丙县 (C) has no park."""
    rows = [
        # park_id, county, status, floor_area_m2, start, completion, certification
        ("p1", A, "built", 10_000.0, None, "2020-06-30", None),  # in the baseline
        ("p2", A, "certified", 20_000.0, None, "2021-03-31", "2021-09-01"),  # completed on 2021Q1's last day
        ("p3", A, "built", 5_000.0, "2020-10-01", "2021-04-01", None),  # completed the next day
        ("p4", B, "certified", 8_000.0, None, None, "2022-02-15"),  # no completion date: counts from certification
        ("p5", B, "under_construction", 30_000.0, "2022-05-01", "2023-10-31", None),  # pipeline
        ("p6", B, "planned", 50_000.0, None, None, None),
        ("p7", B, "built", 7_000.0, None, None, None),  # undated: counts from the register date
    ]
    columns = ["park_id", "county_adcode", "status", "floor_area_m2", "start_date", "completion_date", "certification_date"]
    frame = pd.DataFrame(rows, columns=columns)
    for column in ("start_date", "completion_date", "certification_date"):
        frame[column] = pd.to_datetime(frame[column])
    return gpd.GeoDataFrame(frame, geometry=[Point(120.5, 30.0)] * len(frame), crs=WGS84)


REPORTED = date(2022, 12, 31)


def cell(table: pd.DataFrame, adcode: str, measure: str, column: str, as_of: date | None = None) -> object:
    rows = table[(table["adcode"] == adcode) & (table["measure"] == measure)]
    if as_of is not None:
        rows = rows[rows["as_of"] == pd.Timestamp(as_of)]
    assert len(rows) == 1
    return rows[column].iloc[0]


def test_first_quarter_checked_by_hand() -> None:
    table = progress_as_of(parks(), as_of=date(2021, 3, 31), targets=Targets(), quotas=quotas(), reported_on=REPORTED)
    assert list(table.columns) == PROGRESS_COLUMNS
    assert table["adcode"].tolist() == [A, A, B, B, C, C, CITY, CITY]
    # p1 (baseline) and p2 (completed exactly on 2021-03-31) count; p3 (2021-04-01) is in the pipeline.
    assert cell(table, A, "parks", "value") == 2
    assert cell(table, A, "floor_area_m2", "value") == 30_000
    assert cell(table, A, "parks", "baseline") == 1
    assert cell(table, A, "parks", "pipeline") == 1
    assert cell(table, A, "parks", "projected_end") == 3
    assert cell(table, A, "floor_area_m2", "projected_end") == 35_000
    share = 90 / 1095
    assert cell(table, A, "parks", "time_elapsed_share") == pytest.approx(share)
    assert cell(table, A, "parks", "trajectory") == pytest.approx(1 + 5 * share)
    assert cell(table, A, "parks", "on_track")
    assert cell(table, A, "parks", "pct_complete") == pytest.approx(200 / 6)
    assert cell(table, CITY, "parks", "value") == 2
    assert cell(table, CITY, "floor_area_m2", "trajectory") == pytest.approx(10_000 + 90_000 * share)
    assert cell(table, B, "parks", "value") == 0
    assert not cell(table, B, "parks", "on_track")
    assert pd.isna(cell(table, CITY, "parks", "final"))
    assert pd.isna(cell(table, CITY, "parks", "met"))


def test_quarter_series_completed_on_last_day_counts_next_day_does_not() -> None:
    series = progress_series(parks(), targets=Targets(), quotas=quotas(), reported_on=REPORTED)
    assert sorted(series["as_of"].unique()) == [pd.Timestamp(d) for d in quarter_ends(date(2021, 1, 1), date(2023, 12, 31))]
    a_parks = series[(series["adcode"] == A) & (series["measure"] == "parks")]["value"].tolist()
    assert a_parks == [2, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3]
    b_parks = series[(series["adcode"] == B) & (series["measure"] == "parks")]["value"].tolist()
    # p4 certified 2022-02-15 -> 2022Q1; p7 undated, register of 2022-12-31 -> 2022Q4.
    assert b_parks == [0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 2, 2]
    assert cell(series, B, "parks", "pipeline", date(2022, 3, 31)) == 0
    assert cell(series, B, "parks", "pipeline", date(2022, 6, 30)) == 1
    assert cell(series, B, "floor_area_m2", "projected_end", date(2022, 6, 30)) == 38_000
    assert cell(series, CITY, "parks", "value", date(2023, 12, 31)) == 5


def test_quarter_ends_any_range() -> None:
    assert quarter_ends(date(2021, 1, 1), date(2023, 12, 31))[0] == date(2021, 3, 31)
    assert len(quarter_ends(date(2021, 1, 1), date(2023, 12, 31))) == 12
    assert quarter_ends(date(2022, 2, 1), date(2022, 9, 30)) == [date(2022, 3, 31), date(2022, 6, 30), date(2022, 9, 30)]


def test_after_the_plan_final_result_and_margin() -> None:
    table = progress_as_of(parks(), as_of=date(2024, 6, 30), targets=Targets(parks=5), quotas=quotas(parks_a=3), reported_on=REPORTED)
    assert cell(table, CITY, "parks", "final") == 5
    assert cell(table, CITY, "parks", "margin") == 0
    assert not cell(table, CITY, "parks", "met")  # the plan says "more than": 5 is not more than 5
    assert cell(table, A, "parks", "met")  # a county quota is reached at 3 of 3
    assert cell(table, A, "parks", "margin") == 0
    assert cell(table, CITY, "floor_area_m2", "final") == 50_000
    assert cell(table, CITY, "floor_area_m2", "margin") == -50_000
    reach = progress_as_of(
        parks(), as_of=date(2024, 6, 30), targets=Targets(parks=5, comparison="at_least"), quotas=quotas(), reported_on=REPORTED
    )
    assert cell(reach, CITY, "parks", "met")  # a target worded "at least" is met at 5 of 5


def test_county_without_parks_gets_zero_rows() -> None:
    table = progress_as_of(parks(), as_of=date(2023, 12, 31), targets=Targets(), quotas=quotas(), reported_on=REPORTED)
    assert cell(table, C, "parks", "value") == 0
    assert cell(table, C, "floor_area_m2", "value") == 0
    assert cell(table, C, "parks", "pct_complete") == 0
    assert not cell(table, C, "parks", "on_track")


def test_statuses_parameter_changes_the_totals() -> None:
    day = date(2023, 12, 31)
    default = progress_as_of(parks(), as_of=day, targets=Targets(), quotas=quotas(), reported_on=REPORTED)
    certified = progress_as_of(parks(), as_of=day, targets=Targets(), quotas=quotas(), reported_on=REPORTED, statuses=("certified",))
    building = progress_as_of(
        parks(), as_of=day, targets=Targets(), quotas=quotas(), reported_on=REPORTED, statuses=("under_construction", "built", "certified")
    )
    assert cell(default, CITY, "parks", "value") == 5
    assert cell(certified, CITY, "parks", "value") == 2  # p2 and p4
    assert cell(building, CITY, "parks", "value") == 6  # p5 counts from its start
    assert cell(building, B, "parks", "pipeline") == 0
    with pytest.raises(GeoDataError, match="choose one or more of"):
        progress_as_of(parks(), as_of=day, targets=Targets(), quotas=quotas(), statuses=("finished",))


def test_undated_parks_need_the_register_date() -> None:
    table = progress_as_of(parks(), as_of=date(2023, 12, 31), targets=Targets(), quotas=quotas())
    assert cell(table, B, "parks", "value") == 1
    assert cell(table, B, "parks", "undated_parks") == 1
    assert cell(table, CITY, "parks", "undated_parks") == 1


def test_entry_date_rule() -> None:
    entered = entry_dates(parks()).tolist()
    assert entered[1] == pd.Timestamp("2021-03-31")  # certified: completion date, not certification
    assert entered[3] == pd.Timestamp("2022-02-15")  # certified without completion: certification date
    assert pd.isna(entered[4]) and pd.isna(entered[5]) and pd.isna(entered[6])


def test_order_of_parks_does_not_matter_and_input_is_untouched() -> None:
    original = parks()
    before = original.copy()
    base = progress_series(original, targets=Targets(), quotas=quotas(), reported_on=REPORTED)
    shuffled = progress_series(original.sample(frac=1.0, random_state=1), targets=Targets(), quotas=quotas(), reported_on=REPORTED)
    pd.testing.assert_frame_equal(base, shuffled)
    pd.testing.assert_frame_equal(original, before)


def test_series_from_snapshots_skips_quarters_without_one() -> None:
    def snapshot(day: date) -> pd.DataFrame | None:
        return parks() if day >= date(2022, 1, 1) else None

    series = progress_series(snapshot, targets=Targets(), quotas=quotas())
    assert series["as_of"].min() == pd.Timestamp("2022-03-31")
    assert series["as_of"].nunique() == 8
    # A snapshot is reported on its quarter's date, so the undated p7 counts from 2022Q1.
    assert cell(series, B, "parks", "value", date(2022, 3, 31)) == 2


def test_missing_columns_are_named() -> None:
    with pytest.raises(GeoDataError, match="county_adcode"):
        progress_as_of(parks().drop(columns="county_adcode"), as_of=date(2022, 1, 1), targets=Targets(), quotas=quotas())
    with pytest.raises(GeoDataError, match="parks_quota"):
        progress_as_of(parks(), as_of=date(2022, 1, 1), targets=Targets(), quotas=quotas().drop(columns="parks_quota"))


def test_the_plan_is_judged_on_its_deadline_not_a_quarter_later() -> None:
    on_deadline = progress_as_of(parks(), as_of=date(2023, 12, 31), targets=Targets(), quotas=quotas(), reported_on=REPORTED)
    # A has 3 parks against a quota of 6: the final answer is "not met" on 2023-12-31 itself
    assert cell(on_deadline, A, "parks", "final") == 3
    assert not cell(on_deadline, A, "parks", "met")
    assert not cell(on_deadline, A, "parks", "on_track")
    assert cell(on_deadline, A, "parks", "margin") == -3


def test_before_the_plan_starts_nobody_is_behind() -> None:
    early = progress_as_of(parks(), as_of=date(2019, 12, 31), targets=Targets(), quotas=quotas(), reported_on=REPORTED)
    assert early["on_track"].isna().all()
    assert (early["time_elapsed_share"] == 0).all()


def test_more_than_is_judged_at_square_metre_resolution() -> None:
    """A target split that adds up to 100000.00000000001 m² is still exactly the target."""
    done = parks().assign(status="built", completion_date=pd.Timestamp("2021-06-30"), floor_area_m2=100_000.0 / 7)
    table = progress_as_of(done, as_of=date(2024, 3, 31), targets=Targets(), quotas=quotas(), reported_on=REPORTED)
    assert cell(table, CITY, "floor_area_m2", "final") == pytest.approx(100_000)
    assert not cell(table, CITY, "floor_area_m2", "met")  # the plan says "more than"


def test_a_plan_without_targets_gives_no_verdict() -> None:
    """A blank plan (python -m geo.region add) says nothing is on track or met rather than judging against 0."""
    blank = Targets(parks=0, floor_area_m2=0.0)
    zero = quotas(parks_a=0).assign(parks_quota=0, floor_area_quota_m2=0.0)
    during = progress_as_of(parks(), as_of=date(2022, 6, 30), targets=blank, quotas=zero, reported_on=REPORTED)
    after = progress_as_of(parks(), as_of=date(2024, 6, 30), targets=blank, quotas=zero, reported_on=REPORTED)
    for table in (during, after):
        assert table["on_track"].isna().all() and table["met"].isna().all()
    assert cell(during, CITY, "parks", "value") == 4  # the parks themselves are still counted (p1-p4)
