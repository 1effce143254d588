from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from geo.analysis.clusters import CLUSTER_COLUMNS, enterprise_clusters
from geo.crs import CGCS2000_GK_120E, WGS84
from geo.errors import CRSError, GeoDataError

ORIGIN = gpd.GeoSeries.from_xy([120.5], [30.0], crs=WGS84).to_crs(CGCS2000_GK_120E).iloc[0]
# Planted blob centres, metres east/north of 120.5E 30N.
BLOBS = {"A": (-8000.0, 5000.0), "B": (6000.0, -4000.0), "C": (9000.0, 9000.0)}


def firms_from_metric(x: np.ndarray, y: np.ndarray, **columns) -> gpd.GeoDataFrame:
    geometry = gpd.points_from_xy(ORIGIN.x + x, ORIGIN.y + y, crs=CGCS2000_GK_120E)
    frame = gpd.GeoDataFrame({"enterprise_id": [f"E{i}" for i in range(len(x))], **columns}, geometry=geometry)
    return frame.to_crs(WGS84)


def planted(*, blob_firms: int = 400, noise_firms: int = 2000, seed: int = 0) -> gpd.GeoDataFrame:
    """Three tight blobs (sigma 300 m) over uniform noise on a 40 km square (about 1.3 firms/km²)."""
    rng = np.random.default_rng(seed)
    xs, ys, industries, blob = [], [], [], []
    for name, (cx, cy) in BLOBS.items():
        xs.append(rng.normal(cx, 300.0, blob_firms))
        ys.append(rng.normal(cy, 300.0, blob_firms))
        industries += ["纺织" if name == "A" else "机械"] * blob_firms
        blob += [name] * blob_firms
    xs.append(rng.uniform(-20_000, 20_000, noise_firms))
    ys.append(rng.uniform(-20_000, 20_000, noise_firms))
    industries += ["服务"] * noise_firms
    blob += ["noise"] * noise_firms
    county = np.where(np.concatenate(xs) < 0, "330602", "330603")
    return firms_from_metric(np.concatenate(xs), np.concatenate(ys), industry=industries, blob=blob, located_county_adcode=county)


def centre_offsets_m(clusters: gpd.GeoDataFrame) -> np.ndarray:
    centres = clusters.to_crs(CGCS2000_GK_120E).geometry.centroid
    return np.column_stack([centres.x - ORIGIN.x, centres.y - ORIGIN.y])


def test_planted_clusters_are_found_where_they_were_planted() -> None:
    clusters = enterprise_clusters(planted())
    assert list(clusters.columns) == CLUSTER_COLUMNS
    assert clusters.crs == WGS84
    assert len(clusters) == 3
    offsets = centre_offsets_m(clusters)
    for cx, cy in BLOBS.values():
        assert np.min(np.hypot(offsets[:, 0] - cx, offsets[:, 1] - cy)) < 400.0
    assert clusters["firms"].between(250, 420).all()  # the core; sparse fringe cells stay out
    assert clusters["cluster_id"].tolist() == [1, 2, 3]
    assert clusters["firms"].is_monotonic_decreasing


def test_uniform_noise_gives_no_cluster() -> None:
    noise = planted(blob_firms=0, noise_firms=8000)
    clusters = enterprise_clusters(noise)
    assert clusters.empty
    assert list(clusters.columns) == CLUSTER_COLUMNS


def test_input_order_does_not_change_clusters() -> None:
    firms = planted()
    base = enterprise_clusters(firms)
    shuffled = enterprise_clusters(firms.sample(frac=1.0, random_state=11).reset_index(drop=True))
    pd.testing.assert_frame_equal(pd.DataFrame(base.drop(columns="geometry")), pd.DataFrame(shuffled.drop(columns="geometry")))
    assert base.geometry.geom_equals(shuffled.geometry).all()


def test_cluster_attributes_county_industry_and_park_share() -> None:
    firms = planted()
    firms["park_id"] = pd.array(np.where(firms["blob"] == "A", "P1", None), dtype="string")
    clusters = enterprise_clusters(firms)
    textile = clusters[clusters["dominant_industry"] == "纺织"].iloc[0]
    assert textile["county_adcode"] == "330602"
    assert textile["in_park_share"] > 0.95
    assert textile["top_industries"].startswith("纺织 (")
    others = clusters[clusters["dominant_industry"] == "机械"]
    assert len(others) == 2
    assert (others["county_adcode"] == "330603").all()
    assert (others["in_park_share"] < 0.05).all()


def test_clusters_per_industry() -> None:
    only_textile = enterprise_clusters(planted(), industry="纺织")
    assert len(only_textile) == 1
    assert only_textile["dominant_industry_share"].iloc[0] == 1.0
    with pytest.raises(GeoDataError, match="major_industry"):
        enterprise_clusters(planted(), industry="环保", industry_column="major_industry")


def test_thresholds_change_what_is_a_cluster() -> None:
    firms = planted()
    assert enterprise_clusters(firms, min_firms=1000).empty
    assert enterprise_clusters(firms, min_density_per_km2=10_000).empty


def test_unknown_park_membership_is_not_zero() -> None:
    firms = planted().drop(columns="located_county_adcode")
    clusters = enterprise_clusters(firms)
    assert clusters["in_park_share"].isna().all()
    assert clusters["county_adcode"].isna().all()


def test_no_crs_is_refused() -> None:
    with pytest.raises(CRSError):
        enterprise_clusters(planted().set_crs(None, allow_override=True))
