from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from geo.analysis.assign import assign_enterprises, county_codes, park_matches
from geo.crs import CGCS2000_GK_120E, WGS84
from geo.errors import CRSError, GeoDataError


@pytest.fixture
def counties() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"adcode": ["330603", "330602"], "name": ["东", "西"]},
        geometry=[box(120.5, 29.9, 120.6, 30.0), box(120.4, 29.9, 120.5, 30.0)],
        crs=WGS84,
    )


def metric_points(offsets_m: list[tuple[float, float]], *, origin: tuple[float, float] = (120.55, 29.95)) -> gpd.GeoSeries:
    """Points given as (east, north) metre offsets from a WGS-84 origin, returned in WGS-84."""
    centre = gpd.GeoSeries([Point(origin)], crs=WGS84).to_crs(CGCS2000_GK_120E).iloc[0]
    return gpd.GeoSeries([Point(centre.x + dx, centre.y + dy) for dx, dy in offsets_m], crs=CGCS2000_GK_120E).to_crs(WGS84)


def enterprises_at(geoms: list, **columns) -> gpd.GeoDataFrame:
    ids = [f"E{i}" for i in range(len(geoms))]
    return gpd.GeoDataFrame({"enterprise_id": ids, **columns}, geometry=list(geoms), crs=WGS84)


def test_points_get_the_county_they_lie_in(counties: gpd.GeoDataFrame) -> None:
    points = enterprises_at([Point(120.45, 29.95), Point(120.55, 29.95), Point(121.0, 29.95), None])
    codes = county_codes(points, counties)
    assert codes.tolist()[:3] == ["330602", "330603", pd.NA]
    assert codes.isna().iloc[3]


def test_point_on_shared_border_goes_to_lower_adcode(counties: gpd.GeoDataFrame) -> None:
    codes = county_codes(enterprises_at([Point(120.5, 29.95)]), counties)
    assert codes.tolist() == ["330602"]


def test_agrees_with_geopandas_sjoin_and_ignores_input_order(counties: gpd.GeoDataFrame) -> None:
    rng = np.random.default_rng(1)
    points = enterprises_at(list(gpd.points_from_xy(rng.uniform(120.35, 120.65, 2000), rng.uniform(29.85, 30.05, 2000))))
    codes = county_codes(points, counties)
    joined = gpd.sjoin(points, counties, how="left", predicate="within")
    assert codes.fillna("none").tolist() == joined["adcode"].fillna("none").tolist()
    shuffled = points.sample(frac=1.0, random_state=3)
    assert county_codes(shuffled, counties).sort_index().fillna("none").tolist() == codes.fillna("none").tolist()


def test_crs_missing_or_different_is_refused(counties: gpd.GeoDataFrame) -> None:
    points = enterprises_at([Point(120.45, 29.95)])
    with pytest.raises(CRSError, match="no coordinate reference system"):
        county_codes(points.set_crs(None, allow_override=True), counties)
    with pytest.raises(CRSError, match="EPSG:4549"):
        county_codes(points.to_crs(CGCS2000_GK_120E), counties)


@pytest.fixture
def parks() -> gpd.GeoDataFrame:
    point_park = metric_points([(0.0, 0.0)]).iloc[0]
    second_point_park = metric_points([(400.0, 0.0)]).iloc[0]
    parcel = metric_points([(-2000.0, -100.0), (-1800.0, 100.0)])
    parcel_box = box(parcel.iloc[0].x, parcel.iloc[0].y, parcel.iloc[1].x, parcel.iloc[1].y)
    return gpd.GeoDataFrame(
        {"park_id": ["P1", "P2", "P3"], "status": ["built"] * 3},
        geometry=[point_park, second_point_park, parcel_box],
        crs=WGS84,
    )


def test_park_by_radius_nearest_wins_and_parcel_by_containment(parks: gpd.GeoDataFrame) -> None:
    offsets = [(-300.0, 0.0), (-600.0, 0.0), (300.0, 0.0), (-1900.0, 0.0), (-1900.0, 150.0)]
    points = enterprises_at(list(metric_points(offsets)))
    result = park_matches(points, parks, radius_m=500.0)
    assert result["park_id"].fillna("none").tolist() == ["P1", "none", "P2", "P3", "none"]
    assert result["park_distance_m"].iloc[0] == pytest.approx(300.0, abs=0.5)
    assert result["park_distance_m"].iloc[2] == pytest.approx(100.0, abs=0.5)
    assert result["park_distance_m"].iloc[3] == 0.0


def test_radius_is_a_parameter(parks: gpd.GeoDataFrame) -> None:
    points = enterprises_at(list(metric_points([(-600.0, 0.0)])))
    assert park_matches(points, parks, radius_m=500.0)["park_id"].isna().all()
    assert park_matches(points, parks, radius_m=700.0)["park_id"].tolist() == ["P1"]
    with pytest.raises(GeoDataError, match="radius_m"):
        park_matches(points, parks, radius_m=-1.0)


def test_parcel_beats_a_nearby_park_point(parks: gpd.GeoDataFrame) -> None:
    extra = gpd.GeoDataFrame({"park_id": ["P0"], "status": ["built"]}, geometry=[metric_points([(-1750.0, 0.0)]).iloc[0]], crs=WGS84)
    both = pd.concat([parks, extra], ignore_index=True)
    points = enterprises_at(list(metric_points([(-1810.0, 0.0)])))
    assert park_matches(points, both)["park_id"].tolist() == ["P3"]


def test_assign_enterprises_adds_columns_without_mutating(counties: gpd.GeoDataFrame, parks: gpd.GeoDataFrame) -> None:
    rng = np.random.default_rng(7)
    offsets = list(zip(rng.uniform(-2500, 800, 300), rng.uniform(-300, 300, 300), strict=True))
    geoms = list(metric_points(offsets))
    firms = enterprises_at(geoms, county_adcode=["330603"] * 300)
    before = firms.copy()
    out = assign_enterprises(firms, counties=counties, parks=parks)
    pd.testing.assert_frame_equal(firms, before)
    assert {"located_county_adcode", "county_mismatch", "park_id", "park_distance_m"} <= set(out.columns)
    west = out["located_county_adcode"] == "330602"
    assert out.loc[west, "county_mismatch"].all()
    assert not out.loc[~west, "county_mismatch"].any()
    shuffled = assign_enterprises(firms.sample(frac=1.0, random_state=5), counties=counties, parks=parks).sort_index()
    pd.testing.assert_frame_equal(shuffled, out)


def test_non_point_enterprises_are_refused(counties: gpd.GeoDataFrame) -> None:
    with pytest.raises(GeoDataError, match="must hold points"):
        county_codes(enterprises_at([box(120.41, 29.91, 120.42, 29.92)]), counties)
