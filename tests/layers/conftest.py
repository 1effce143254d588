"""Small hand-made parks and counties for layer tests."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from geo.crs import WGS84

XSS_NAME = "<img src=x onerror=alert(1)>"


@pytest.fixture
def three_parks() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "park_id": ["a", "b", "c"],
            "name": ["大唐袜业小微企业园", XSS_NAME, "`${alert(2)}`</script>"],
            "county_adcode": ["330602", "330603", "330603"],
            "status": ["built", "under_construction", "certified"],
            "floor_area_m2": [150_000.0, 30_000.0, None],
            "land_area_mu": [60.0, 20.0, None],
            "star_rating": pd.array([4, None, 5], dtype="Int64"),
            "enterprises": pd.array([80, None, 12], dtype="Int64"),
            "main_industry": ["袜业", None, "轴承"],
        },
        geometry=[Point(120.55, 29.95), Point(120.45, 29.95), Point(120.42, 29.92)],
        crs=WGS84,
    )
