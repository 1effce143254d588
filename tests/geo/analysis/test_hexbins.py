from __future__ import annotations

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import pytest
import shapely

from geo.analysis.hexbins import h3_cells, h3_resolution_for_zoom, hexbin_counts, parent_cells
from geo.crs import CGCS2000_GK_120E, WGS84
from geo.errors import CRSError, GeoDataError


def random_points(n: int, *, seed: int = 0, spread_deg: float = 0.1) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    lon = 120.5 + rng.uniform(-spread_deg, spread_deg, n)
    lat = 30.0 + rng.uniform(-spread_deg, spread_deg, n)
    return gpd.GeoDataFrame({"enterprise_id": [f"E{i}" for i in range(n)]}, geometry=gpd.points_from_xy(lon, lat), crs=WGS84)


@pytest.mark.parametrize(("zoom", "resolution"), [(9, 6), (12, 8), (15, 10)])
def test_resolution_follows_zoom(zoom: int, resolution: int) -> None:
    assert h3_resolution_for_zoom(zoom) == resolution


def test_resolution_never_decreases_when_zooming_in() -> None:
    resolutions = [h3_resolution_for_zoom(z) for z in range(0, 23)]
    assert resolutions == sorted(resolutions)
    assert resolutions[0] == 0 and resolutions[-1] >= 13


def test_counts_add_up_and_each_point_is_in_its_hexagon() -> None:
    points = random_points(500)
    bins = hexbin_counts(points, resolution=8)
    assert bins.crs == WGS84
    assert bins["count"].sum() == 500
    assert (bins["resolution"] == 8).all()
    expected = pd.Series([h3.latlng_to_cell(p.y, p.x, 8) for p in points.geometry]).value_counts()
    assert dict(zip(bins["h3_cell"], bins["count"], strict=True)) == expected.to_dict()
    hits = gpd.sjoin(points, bins, predicate="within")
    assert len(hits) == 500
    assert hits.groupby("h3_cell").size().sort_index().tolist() == bins.set_index("h3_cell")["count"].sort_index().tolist()


def test_cell_cap_coarsens_resolution_and_keeps_the_total() -> None:
    points = random_points(3000, spread_deg=0.3)
    fine = hexbin_counts(points, resolution=10)
    capped = hexbin_counts(points, resolution=10, max_cells=40)
    assert len(fine) > 40
    assert len(capped) <= 40
    assert capped["resolution"].iloc[0] < 10
    assert capped["count"].sum() == 3000


def test_parent_cells_match_h3() -> None:
    cells = h3_cells(random_points(50), resolution=11)
    for res in (0, 5, 9, 11):
        expected = [h3.str_to_int(h3.cell_to_parent(h3.int_to_str(c), res)) for c in cells.tolist()]
        assert parent_cells(cells, resolution=res).tolist() == expected


def test_input_order_and_crs_do_not_change_the_result() -> None:
    points = random_points(400)
    base = hexbin_counts(points, zoom=13)
    shuffled = hexbin_counts(points.sample(frac=1.0, random_state=2), zoom=13)
    metric = hexbin_counts(points.to_crs(CGCS2000_GK_120E), zoom=13)
    for other in (shuffled, metric):
        assert other["h3_cell"].tolist() == base["h3_cell"].tolist()
        assert other["count"].tolist() == base["count"].tolist()


def test_viewport_bounds_limit_the_points() -> None:
    points = random_points(1000)
    west_half = hexbin_counts(points, resolution=7, bounds_wgs84=(120.0, 29.0, 120.5, 31.0))
    inside = int((points.geometry.x <= 120.5).sum())
    assert west_half["count"].sum() == inside
    assert shapely.union_all(west_half.geometry.values).bounds[0] < 120.5


def test_bad_arguments_are_refused() -> None:
    points = random_points(5)
    with pytest.raises(GeoDataError, match="either `zoom`"):
        hexbin_counts(points, zoom=10, resolution=8)
    with pytest.raises(GeoDataError, match="resolution"):
        hexbin_counts(points, resolution=16)
    with pytest.raises(CRSError):
        hexbin_counts(points.set_crs(None, allow_override=True), zoom=10)


def test_no_points_gives_an_empty_layer() -> None:
    empty = hexbin_counts(random_points(0), zoom=10)
    assert len(empty) == 0
    assert list(empty.columns) == ["h3_cell", "resolution", "count", "geometry"]
