"""Coordinate conversions against an independent implementation (prcoords)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import prcoords
import pytest
import shapely
from shapely.geometry import LineString, MultiPolygon, Point, Polygon

from geo import crs
from geo.errors import CRSError

N_POINTS = 3000
# Shaoxing's extent with a margin, WGS-84 degrees.
LON_RANGE = (119.9, 121.3)
LAT_RANGE = (29.2, 30.45)


@pytest.fixture(scope="module")
def city_points() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(42)
    return rng.uniform(*LON_RANGE, N_POINTS), rng.uniform(*LAT_RANGE, N_POINTS)


def _ref(func, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Apply a prcoords function, which takes and returns (lat, lon)."""
    out = np.array([func((y, x)) for x, y in zip(lon, lat, strict=True)])
    return out[:, 1], out[:, 0]


def test_wgs84_to_gcj02_matches_prcoords(city_points) -> None:
    lon, lat = city_points
    ref_lon, ref_lat = _ref(prcoords.wgs_gcj, lon, lat)
    got_lon, got_lat = crs.wgs84_to_gcj02(lon, lat)
    assert crs.distance_m(got_lon, got_lat, ref_lon, ref_lat).max() < 0.001


def test_gcj02_to_wgs84_within_half_metre_of_prcoords_precise_inverse(city_points) -> None:
    lon, lat = city_points
    gcj_lon, gcj_lat = _ref(prcoords.wgs_gcj, lon, lat)
    ref_lon, ref_lat = _ref(prcoords.gcj_wgs_bored, gcj_lon, gcj_lat)
    got_lon, got_lat = crs.gcj02_to_wgs84(gcj_lon, gcj_lat)
    assert crs.distance_m(got_lon, got_lat, ref_lon, ref_lat).max() < 0.5
    # and our inverse really inverts: back to the original WGS-84 points
    assert crs.distance_m(got_lon, got_lat, lon, lat).max() < 0.01


def test_one_step_inverse_would_not_be_good_enough(city_points) -> None:
    """The common rough inverse is off by metres; ours must not be."""
    lon, lat = city_points
    gcj_lon, gcj_lat = crs.wgs84_to_gcj02(lon, lat)
    rough_lon, rough_lat = _ref(prcoords.gcj_wgs, gcj_lon, gcj_lat)
    assert crs.distance_m(rough_lon, rough_lat, lon, lat).max() > 0.5


def test_bd09_both_directions_match_prcoords(city_points) -> None:
    lon, lat = city_points
    gcj_lon, gcj_lat = crs.wgs84_to_gcj02(lon, lat)
    ref_lon, ref_lat = _ref(prcoords.gcj_bd, gcj_lon, gcj_lat)
    got_lon, got_lat = crs.gcj02_to_bd09(gcj_lon, gcj_lat)
    assert crs.distance_m(got_lon, got_lat, ref_lon, ref_lat).max() < 0.001
    back_lon, back_lat = crs.bd09_to_gcj02(got_lon, got_lat)
    assert crs.distance_m(back_lon, back_lat, gcj_lon, gcj_lat).max() < 0.01
    ref_wgs_lon, ref_wgs_lat = _ref(prcoords.bd_wgs_bored, got_lon, got_lat)
    wgs_lon, wgs_lat = crs.bd09_to_wgs84(got_lon, got_lat)
    assert crs.distance_m(wgs_lon, wgs_lat, ref_wgs_lon, ref_wgs_lat).max() < 0.5
    assert crs.distance_m(*crs.wgs84_to_bd09(lon, lat), got_lon, got_lat).max() < 0.001


def test_gcj02_shift_in_shaoxing_is_a_few_hundred_metres_north_east_to_south_east() -> None:
    """At Shaoxing the published shift moves points east (~+0.0045°) and slightly south."""
    gcj_lon, gcj_lat = crs.wgs84_to_gcj02(120.58, 30.0)
    assert 0.003 < gcj_lon - 120.58 < 0.006
    assert -0.004 < gcj_lat - 30.0 < 0
    assert 300 < crs.distance_m(120.58, 30.0, gcj_lon, gcj_lat) < 700


@pytest.mark.parametrize(
    "func", [crs.wgs84_to_gcj02, crs.gcj02_to_wgs84, crs.wgs84_to_bd09, crs.bd09_to_wgs84, crs.gcj02_to_bd09, crs.bd09_to_gcj02]
)
def test_scalars_in_scalars_out(func) -> None:
    lon, lat = func(120.5, 30.0)
    assert isinstance(lon, float)
    assert isinstance(lat, float)


@pytest.mark.parametrize("func", [crs.wgs84_to_gcj02, crs.gcj02_to_wgs84])
def test_points_outside_china_pass_through(func) -> None:
    lon, lat = func(np.array([2.35, -74.0]), np.array([48.85, 40.7]))
    np.testing.assert_array_equal(lon, [2.35, -74.0])
    np.testing.assert_array_equal(lat, [48.85, 40.7])


def _sample_gdf() -> gpd.GeoDataFrame:
    shell = [(120.5, 30.0), (120.6, 30.0), (120.6, 30.1), (120.5, 30.1)]
    hole = [(120.52, 30.02), (120.54, 30.02), (120.54, 30.04), (120.52, 30.04)]
    geoms = [
        Point(120.55, 30.05),
        LineString([(120.5, 30.0), (120.6, 30.1)]),
        Polygon(shell, [hole]),
        MultiPolygon([Polygon(shell), Polygon([(120.7, 30.0), (120.8, 30.0), (120.8, 30.1)])]),
    ]
    return gpd.GeoDataFrame({"name": ["p", "l", "poly", "multi"]}, geometry=geoms, crs=crs.WGS84)


def test_gdf_round_trip_gcj02_keeps_every_geometry_type_and_hole() -> None:
    wgs = _sample_gdf()
    gcj = crs.to_gcj02(wgs)
    assert gcj.attrs["datum"] == "gcj02"
    back = crs.to_wgs84(gcj, datum="gcj02")
    assert list(back.geom_type) == list(wgs.geom_type)
    assert len(back.geometry[2].interiors) == 1
    assert shapely.get_num_coordinates(back.geometry.values).tolist() == shapely.get_num_coordinates(wgs.geometry.values).tolist()
    assert back.geom_equals_exact(wgs, tolerance=1e-8).all()
    # the input was not changed
    assert wgs.geometry[0].equals(Point(120.55, 30.05))


def test_gdf_from_bd09_and_cgcs2000() -> None:
    wgs = _sample_gdf()
    bd_lon, bd_lat = crs.wgs84_to_bd09(120.55, 30.05)
    bd = gpd.GeoDataFrame(geometry=[Point(bd_lon, bd_lat)], crs=crs.WGS84)
    assert crs.to_wgs84(bd, datum="bd09").geometry[0].distance(Point(120.55, 30.05)) < 1e-8
    cgcs = wgs.to_crs(crs.CGCS2000_GK_120E)
    back = crs.to_wgs84(cgcs, datum="cgcs2000")
    assert back.crs == crs.WGS84
    assert back.geom_equals_exact(wgs, tolerance=1e-7).all()


def test_gdf_without_crs_is_refused() -> None:
    bare = gpd.GeoDataFrame(geometry=[Point(120.5, 30.0)])
    with pytest.raises(CRSError, match="no coordinate reference system"):
        crs.to_wgs84(bare, datum="gcj02")


def test_unknown_datum_names_the_allowed_ones() -> None:
    with pytest.raises(CRSError, match="wgs84, cgcs2000, gcj02, bd09"):
        crs.to_wgs84(_sample_gdf(), datum="beijing54")


def test_gcj02_in_projected_crs_is_refused() -> None:
    with pytest.raises(CRSError, match="longitude/latitude"):
        crs.to_wgs84(_sample_gdf().to_crs(crs.CGCS2000_GK_120E), datum="gcj02")


def test_area_and_distance_agree_with_geodesic_to_0_1_percent() -> None:
    geod = crs._GEOD
    rng = np.random.default_rng(7)
    for _ in range(20):
        lon0, lat0 = rng.uniform(119.95, 121.2), rng.uniform(29.3, 30.3)
        size = rng.uniform(0.005, 0.3)
        square = Polygon([(lon0, lat0), (lon0 + size, lat0), (lon0 + size, lat0 + size), (lon0, lat0 + size)])
        geodesic_area = abs(geod.geometry_area_perimeter(square)[0])
        got = crs.area_m2(gpd.GeoSeries([square], crs=crs.WGS84))[0]
        assert abs(got / geodesic_area - 1) < 0.001
        line = gpd.GeoSeries([LineString([(lon0, lat0), (lon0 + size, lat0 + size)])], crs=crs.WGS84)
        geodesic_length = crs.distance_m(lon0, lat0, lon0 + size, lat0 + size)
        assert abs(crs.length_m(line)[0] / geodesic_length - 1) < 0.001


def test_distance_of_one_degree_of_latitude() -> None:
    assert crs.distance_m(120.0, 29.5, 120.0, 30.5) == pytest.approx(110_860, rel=0.001)


def test_distance_from_one_point_to_many() -> None:
    got = crs.distance_m(120.0, 30.0, np.array([120.0, 120.0]), np.array([30.0, 30.5]))
    assert got[0] == 0.0
    assert got[1] == pytest.approx(55_430, rel=0.001)
