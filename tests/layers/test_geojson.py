"""What the browser receives for a layer: rounded, without bounding boxes, shared borders still shared."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import Polygon

from geo.region.boundaries import load_counties, simplify_counties
from layers.geojson import POLYGON_DECIMALS, feature_collection


@pytest.fixture(scope="module")
def display_counties() -> gpd.GeoDataFrame:
    return simplify_counties(load_counties(city_adcode="330600"), tolerance_m=30.0)


def test_county_borders_are_a_third_smaller_and_within_a_metre(display_counties: gpd.GeoDataFrame) -> None:
    sent = feature_collection(display_counties, decimals=POLYGON_DECIMALS)
    before = len(json.dumps(display_counties.__geo_interface__, ensure_ascii=False))
    after = len(json.dumps(sent, ensure_ascii=False))
    assert after < 0.7 * before
    assert all("bbox" not in f for f in sent["features"]) and "bbox" not in sent
    drawn = gpd.GeoDataFrame.from_features(sent["features"], crs=display_counties.crs)
    moved = np.abs(shapely.get_coordinates(drawn.geometry.values) - shapely.get_coordinates(display_counties.geometry.values))
    assert moved.max() <= 0.5e-5 + 1e-12  # half the last decimal: ≈ 0.5 m
    assert [f["properties"]["name"] for f in sent["features"]] == display_counties["name"].tolist()
    assert [f["id"] for f in sent["features"]] == [str(i) for i in display_counties.index]


def test_a_shared_border_stays_shared_after_rounding() -> None:
    left = Polygon([(120.0, 30.0), (120.123456789, 30.0), (120.123456789, 30.1), (120.0, 30.1)])
    right = Polygon([(120.123456789, 30.0), (120.3, 30.0), (120.3, 30.1), (120.123456789, 30.1)])
    sent = feature_collection(gpd.GeoDataFrame({"n": ["a", "b"]}, geometry=[left, right], crs=4326), decimals=5)
    a, b = (shapely.geometry.shape(f["geometry"]) for f in sent["features"])
    assert a.intersection(b).length == pytest.approx(0.1)  # they touch along the whole border: no gap, no overlap
    assert a.intersection(b).area == 0.0
    assert a.bounds[2] == b.bounds[0] == 120.12346


def test_missing_values_are_null_not_nan() -> None:
    frame = gpd.GeoDataFrame({"count": [1.0, np.nan]}, geometry=shapely.points([(120, 30), (121, 30)]), crs=4326)
    sent = feature_collection(frame, decimals=6)
    assert [f["properties"]["count"] for f in sent["features"]] == [1.0, None]
    json.dumps(sent, allow_nan=False)  # strict JSON: a NaN would break the page's parser
