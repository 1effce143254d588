from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest

from geo.analysis.gaps import GAP_COLUMNS, coverage_gaps
from geo.crs import CGCS2000_GK_120E, WGS84
from geo.errors import GeoDataError

ORIGIN = gpd.GeoSeries.from_xy([120.5], [30.0], crs=WGS84).to_crs(CGCS2000_GK_120E).iloc[0]


def at_metres(x: list[float] | np.ndarray, y: list[float] | np.ndarray) -> gpd.GeoSeries:
    return gpd.GeoSeries.from_xy(ORIGIN.x + np.asarray(x), ORIGIN.y + np.asarray(y), crs=CGCS2000_GK_120E).to_crs(WGS84)


def firms() -> gpd.GeoDataFrame:
    """Two tight groups of 200 firms: west (county 330602) and east (330603), 10 km apart."""
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.normal(-5000, 100, 200), rng.normal(5000, 100, 200)])
    y = rng.normal(0, 100, 400)
    return gpd.GeoDataFrame(
        {
            "enterprise_id": [f"E{i}" for i in range(400)],
            "size_class": ["micro"] * 200 + ["small"] * 200,
            "located_county_adcode": ["330602"] * 200 + ["330603"] * 200,
        },
        geometry=at_metres(x, y).to_numpy(),
        crs=WGS84,
    )


def parks(points_m: list[tuple[float, float]], statuses: list[str]) -> gpd.GeoDataFrame:
    xs, ys = zip(*points_m, strict=True)
    return gpd.GeoDataFrame(
        {"park_id": [f"P{i}" for i in range(len(xs))], "status": statuses}, geometry=at_metres(list(xs), list(ys)).to_numpy(), crs=WGS84
    )


def test_group_without_a_park_is_a_gap_and_the_covered_one_is_not() -> None:
    gaps = coverage_gaps(firms(), parks([(-5000.0, 500.0)], ["built"]), max_distance_m=2000.0, min_firms=20)
    assert list(gaps.columns) == GAP_COLUMNS
    assert gaps.crs == WGS84
    assert len(gaps) >= 1
    assert set(gaps["county_adcode"]) == {"330603"}
    assert (gaps["nearest_park_id"] == "P0").all()
    assert (gaps["nearest_park_distance_m"] > 9000).all()
    assert gaps["rank"].tolist() == list(range(1, len(gaps) + 1))
    assert gaps["rank_in_county"].tolist() == list(range(1, len(gaps) + 1))
    assert gaps["firms"].is_monotonic_decreasing


def test_distance_parameter_decides_coverage() -> None:
    park = parks([(3500.0, 0.0)], ["built"])
    assert set(coverage_gaps(firms(), park, max_distance_m=1000.0, min_firms=20)["county_adcode"]) == {"330602", "330603"}
    assert set(coverage_gaps(firms(), park, max_distance_m=2500.0, min_firms=20)["county_adcode"]) == {"330602"}


def test_planned_parks_do_not_cover_by_default() -> None:
    planned = parks([(5000.0, 0.0), (-5000.0, 0.0)], ["planned", "certified"])
    gaps = coverage_gaps(firms(), planned, min_firms=20)
    assert set(gaps["county_adcode"]) == {"330603"}
    assert coverage_gaps(firms(), planned, min_firms=20, park_statuses=("planned", "certified")).empty


def test_no_parks_at_all_every_busy_cell_is_a_gap_ranked_per_county() -> None:
    none = parks([(0.0, 0.0)], ["built"]).iloc[0:0]
    gaps = coverage_gaps(firms(), none, min_firms=20)
    assert set(gaps["county_adcode"]) == {"330602", "330603"}
    assert gaps["nearest_park_distance_m"].isna().all()
    for _, group in gaps.groupby("county_adcode"):
        assert sorted(group["rank_in_county"]) == list(range(1, len(group) + 1))
    assert gaps["firms"].sum() <= 400


def test_size_class_filter_and_missing_size_class() -> None:
    enterprises = firms()
    enterprises.loc[enterprises["located_county_adcode"] == "330603", "size_class"] = "medium"
    none = parks([(0.0, 0.0)], ["built"]).iloc[0:0]
    assert set(coverage_gaps(enterprises, none, min_firms=20)["county_adcode"]) == {"330602"}
    assert set(coverage_gaps(enterprises, none, min_firms=20, size_classes=None)["county_adcode"]) == {"330602", "330603"}
    no_size = coverage_gaps(enterprises.drop(columns="size_class"), none, min_firms=20)
    assert no_size.attrs["size_filter"].startswith("size_class missing")
    assert set(no_size["county_adcode"]) == {"330602", "330603"}


def test_input_order_does_not_matter_and_bad_options_are_refused() -> None:
    none = parks([(0.0, 0.0)], ["built"]).iloc[0:0]
    base = coverage_gaps(firms(), none, min_firms=20)
    shuffled = coverage_gaps(firms().sample(frac=1.0, random_state=4), none, min_firms=20)
    assert base.drop(columns="geometry").equals(shuffled.drop(columns="geometry"))
    with pytest.raises(GeoDataError, match="max_distance_m"):
        coverage_gaps(firms(), none, max_distance_m=-5.0)
