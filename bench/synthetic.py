"""Seeded synthetic parks and enterprises inside the six Shaoxing counties, in memory.

SYNTHETIC DATA for timing only: nothing here describes real parks or firms.
Enterprises are concentrated in a few dozen Gaussian blobs (most around
parks, as real firms are) over a uniform background, the shape that stresses
clustering and park assignment; every point lies inside a county polygon.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.analysis.assign import lonlat_to_metric
from geo.crs import CGCS2000_GK_120E, WGS84
from geo.schema import MAJOR_INDUSTRIES

INDUSTRIES = ("纺织", "印染", "机械", "电子", "化工", "医药", "服装", "建材", "食品", "软件", "物流", "商贸")
STATUS_WEIGHTS = {"planned": 0.1, "under_construction": 0.15, "built": 0.45, "certified": 0.3}
BLOB_SHARE = 0.7


def _inside_city(lon: np.ndarray, lat: np.ndarray, city: shapely.Geometry) -> np.ndarray:
    return shapely.contains_xy(city, lon, lat)


def _uniform_in_city(rng: np.random.Generator, n: int, city: shapely.Geometry) -> tuple[np.ndarray, np.ndarray]:
    minx, miny, maxx, maxy = city.bounds
    lon_parts, lat_parts, have = [], [], 0
    while have < n:
        lon = rng.uniform(minx, maxx, 2 * (n - have) + 16)
        lat = rng.uniform(miny, maxy, 2 * (n - have) + 16)
        keep = _inside_city(lon, lat, city)
        lon_parts.append(lon[keep])
        lat_parts.append(lat[keep])
        have += int(keep.sum())
    return np.concatenate(lon_parts)[:n], np.concatenate(lat_parts)[:n]


def _blob_points(
    rng: np.random.Generator, n: int, centres: tuple[np.ndarray, np.ndarray], sigma_m: np.ndarray, city: shapely.Geometry
) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian points around metric centres, redrawn until all fall inside the city."""
    cx, cy = lonlat_to_metric(*centres)
    lon_parts, lat_parts, have = [], [], 0
    while have < n:
        m = n - have + 16
        pick = rng.integers(0, len(cx), m)
        x = cx[pick] + rng.normal(0.0, 1.0, m) * sigma_m[pick]
        y = cy[pick] + rng.normal(0.0, 1.0, m) * sigma_m[pick]
        pts = gpd.GeoSeries.from_xy(x, y, crs=CGCS2000_GK_120E).to_crs(WGS84)
        lon, lat = pts.x.to_numpy(), pts.y.to_numpy()
        keep = _inside_city(lon, lat, city)
        lon_parts.append(lon[keep])
        lat_parts.append(lat[keep])
        have += int(keep.sum())
    return np.concatenate(lon_parts)[:n], np.concatenate(lat_parts)[:n]


def synthetic_parks(counties: gpd.GeoDataFrame, *, n: int = 150, seed: int = 1) -> gpd.GeoDataFrame:
    """Return ``n`` synthetic parks (a third with square parcel polygons) in EPSG:4326."""
    rng = np.random.default_rng(seed)
    city = shapely.union_all(np.asarray(counties.geometry.values))
    shapely.prepare(city)
    lon, lat = _uniform_in_city(rng, n, city)
    points = gpd.GeoSeries.from_xy(lon, lat, crs=WGS84)
    parcels = points.to_crs(CGCS2000_GK_120E).buffer(150.0, cap_style="square").to_crs(WGS84)
    is_parcel = rng.random(n) < 1 / 3
    geometry = np.where(is_parcel, np.asarray(parcels.values), np.asarray(points.values))
    start = pd.Timestamp("2019-01-01") + pd.to_timedelta(rng.integers(0, 4 * 365, n), unit="D")
    completion = start + pd.to_timedelta(rng.integers(300, 900, n), unit="D")
    status = rng.choice(list(STATUS_WEIGHTS), n, p=list(STATUS_WEIGHTS.values()))
    frame = pd.DataFrame(
        {
            "park_id": [f"SYN-P{i:04d}" for i in range(n)],
            "name": [f"合成园区{i}" for i in range(n)],
            "status": status,
            "floor_area_m2": rng.uniform(20_000, 200_000, n).round(),
            "land_area_mu": rng.uniform(30, 300, n).round(1),
            "start_date": start,
            "completion_date": completion,
            "certification_date": completion + pd.to_timedelta(rng.integers(60, 400, n), unit="D"),
            "enterprises": rng.integers(5, 200, n),
            "tax_per_mu_wan_yuan": rng.uniform(5, 60, n).round(1),
        }
    )
    parks = gpd.GeoDataFrame(frame, geometry=geometry, crs=WGS84)
    parks["county_adcode"] = _county_of(parks.geometry.representative_point(), counties)
    return parks


def _county_of(points: gpd.GeoSeries, counties: gpd.GeoDataFrame) -> np.ndarray:
    out = np.full(len(points), None, dtype=object)
    for adcode, geom in zip(counties["adcode"], counties.geometry, strict=True):
        out[shapely.contains_xy(geom, points.x.to_numpy(), points.y.to_numpy())] = adcode
    return out


def synthetic_enterprises(counties: gpd.GeoDataFrame, parks: gpd.GeoDataFrame, *, n: int, seed: int = 2) -> gpd.GeoDataFrame:
    """Return ``n`` synthetic enterprises (ENTERPRISE_COLUMNS subset) in EPSG:4326, 70 % in blobs."""
    rng = np.random.default_rng(seed)
    city = shapely.union_all(np.asarray(counties.geometry.values))
    shapely.prepare(city)
    centres = parks.geometry.representative_point()
    pick = rng.choice(len(parks), size=min(40, len(parks)), replace=False)
    sigma_m = rng.uniform(400.0, 2_500.0, len(pick))
    n_blob = int(n * BLOB_SHARE)
    blob_lon, blob_lat = _blob_points(rng, n_blob, (centres.x.to_numpy()[pick], centres.y.to_numpy()[pick]), sigma_m, city)
    bg_lon, bg_lat = _uniform_in_city(rng, n - n_blob, city)
    lon, lat = np.concatenate([blob_lon, bg_lon]), np.concatenate([blob_lat, bg_lat])
    geometry = shapely.points(lon, lat)
    registered = pd.Timestamp("2005-01-01") + pd.to_timedelta(rng.integers(0, 19 * 365, n), unit="D")
    frame = pd.DataFrame(
        {
            "enterprise_id": [f"SYN{i:09d}" for i in range(n)],
            "industry": rng.choice(INDUSTRIES, n),
            "major_industry": np.where(rng.random(n) < 0.3, rng.choice(MAJOR_INDUSTRIES, n).astype(object), np.array(None, dtype=object)),
            "size_class": rng.choice(["small", "micro"], n, p=[0.2, 0.8]),
            "registration_date": registered,
            "tech_type": rng.random(n) < 0.05,
        }
    )
    firms = gpd.GeoDataFrame(frame, geometry=geometry, crs=WGS84)
    firms["county_adcode"] = _county_of(gpd.GeoSeries(geometry, crs=WGS84), counties)
    return firms
