"""What the dashboard shows: dates to pick, headline, county view, statuses on a date."""

from __future__ import annotations

from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from geo.analysis.dashboard import (
    as_of_choices,
    county_view,
    default_as_of,
    filter_parks,
    floor_area_by_status,
    headline,
    measure_values,
    status_as_of,
)
from geo.analysis.progress import progress_as_of
from geo.crs import WGS84
from geo.region.targets import CityTargets

A, B = "330602", "330603"
TARGETS = CityTargets(
    parks=3,
    floor_area_m2=30_000.0,
    period_start=date(2021, 1, 1),
    period_end=date(2023, 12, 31),
    baseline_date=date(2020, 12, 31),
    lead_unit="x",
    lead_unit_en="x",
    source="x",
    source_text="x",
)
QUOTAS = pd.DataFrame(
    {
        "adcode": [A, B],
        "name": ["甲区", "乙区"],
        "parks_quota": [2, 1],
        "floor_area_quota_m2": [20_000.0, 10_000.0],
        "official": [False, False],
    }
)
COUNTIES = gpd.GeoDataFrame(
    {"adcode": [A, B], "name": ["甲区", "乙区"]}, geometry=[box(120.5, 29.9, 120.6, 30.0), box(120.4, 29.9, 120.5, 30.0)], crs=WGS84
)


def parks() -> gpd.GeoDataFrame:
    frame = pd.DataFrame(
        {
            "park_id": ["p1", "p2", "p3", "p4"],
            "county_adcode": [A, A, B, B],
            "status": ["certified", "built", "built", "under_construction"],
            "floor_area_m2": [10_000.0, 10_000.0, 10_000.0, 5_000.0],
            "start_date": pd.to_datetime(["2019-01-01", "2021-01-01", None, "2023-01-01"]),
            "completion_date": pd.to_datetime(["2020-06-30", "2024-03-31", None, "2025-06-30"]),
            "certification_date": pd.to_datetime(["2021-06-30", None, None, None]),
            "main_industry": ["纺织", "袜业", "纺织", None],
        }
    )
    return gpd.GeoDataFrame(frame, geometry=[Point(120.55, 29.95)] * 2 + [Point(120.45, 29.95)] * 2, crs=WGS84)


def test_reporting_date_is_a_choice_and_the_default() -> None:
    choices = as_of_choices(reported_on=date(2026, 11, 25), today=date(2026, 11, 25))
    assert choices[0] == date(2018, 3, 31)
    assert date(2026, 11, 25) in choices and choices[-1] == date(2026, 12, 31)
    assert default_as_of(choices, reported_on=date(2026, 11, 25)) == date(2026, 11, 25)
    plain = as_of_choices(reported_on=None, today=date(2024, 5, 1))
    assert plain[-1] == date(2024, 12, 31) and default_as_of(plain, reported_on=None) == date(2024, 12, 31)


def test_headline_after_the_plan_reports_the_result_at_the_deadline_not_today() -> None:
    progress = progress_as_of(parks(), as_of=date(2024, 6, 30), targets=TARGETS, quotas=QUOTAS, reported_on=date(2024, 6, 30))
    head = headline(progress)
    assert head.final
    assert head.parks == 3  # today: p1, p2 (completed 2024-03-31), p3 (undated, counts from the report)
    assert head.final_parks == 1  # at 2023-12-31 only p1 had counted
    assert head.parks_margin == -2 and head.parks_met is False
    assert head.undated_parks == 1


def test_headline_before_the_plan_has_no_on_track_verdict() -> None:
    progress = progress_as_of(parks(), as_of=date(2019, 12, 31), targets=TARGETS, quotas=QUOTAS, reported_on=date(2024, 6, 30))
    head = headline(progress)
    assert head.parks_on_track is None and head.floor_on_track is None
    assert county_view(progress, COUNTIES)["on_track"].isna().all()


def test_county_view_ranks_and_measures() -> None:
    progress = progress_as_of(parks(), as_of=date(2022, 12, 31), targets=TARGETS, quotas=QUOTAS, reported_on=date(2024, 6, 30))
    view = county_view(progress, COUNTIES)
    assert list(view["adcode"]) == [A, B]
    assert list(view["parks"]) == [1, 0]
    assert list(view["rank"]) == [1, 2]
    assert measure_values(view, "pct_floor_quota").tolist() == [50.0, 0.0]
    assert measure_values(view, "floor_area_wan_m2").tolist() == [1.0, 0.0]
    assert measure_values(view, "floor_area_per_km2").iloc[0] == pytest.approx(10_000 / view["area_km2"].iloc[0])
    with pytest.raises(ValueError, match="pct_floor_quota"):
        measure_values(view, "nonsense")


def test_status_on_a_date_follows_the_dates_and_never_runs_ahead() -> None:
    got = status_as_of(parks(), as_of=date(2021, 3, 31))
    assert list(got) == ["built", "under_construction", "built", "planned"]  # p1 built, not yet certified
    assert list(status_as_of(parks(), as_of=date(2030, 1, 1))) == ["certified", "built", "built", "under_construction"]


def test_filters_and_floor_area_by_status() -> None:
    assert list(filter_parks(parks(), adcode=B)["park_id"]) == ["p3", "p4"]
    assert list(filter_parks(parks(), industries=["纺织"])["park_id"]) == ["p1", "p3"]
    table = floor_area_by_status(parks(), as_of=date(2022, 12, 31))
    assert set(table["county_adcode"]) == {A, B}
    assert np.isclose(table["floor_area_wan_m2"].sum(), 3.0)  # p4 starts 2023
