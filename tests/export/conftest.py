"""Hand-made parks over the real six counties (the CLI test uses the synthetic sample in a temporary store)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from export.data import ExportData, prepare_export_data
from geo.crs import WGS84
from geo.region.boundaries import load_counties
from geo.region.targets import load_county_quotas, shipped_quotas_path

AS_OF = date(2022, 12, 31)
FORMULA_NAME = '=HYPERLINK("x")'
XSS_NAME = "<img src=x onerror=alert(1)>"
STATUS_CYCLE = ("certified", "built", "under_construction", "planned")


@pytest.fixture(autouse=True)
def _shipped_quotas(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Use the shipped indicative quotas, never a planner's saved table."""
    monkeypatch.setenv("PARKMAP_QUOTAS", str(tmp_path / "no_quotas_here.csv"))


@pytest.fixture(scope="session")
def quotas() -> pd.DataFrame:
    """The shipped indicative county quotas (not official)."""
    return load_county_quotas(shipped_quotas_path())


@pytest.fixture(scope="session")
def counties() -> gpd.GeoDataFrame:
    return load_counties()


def make_parks(counties: gpd.GeoDataFrame, per_county: dict[str, int]) -> gpd.GeoDataFrame:
    """Return parks spread inside the given counties, with every status, dates, and two hostile names."""
    rng = np.random.default_rng(6)
    rows, points = [], []
    for adcode, count in per_county.items():
        county = counties.loc[counties["adcode"] == adcode, "geometry"]
        for point in county.sample_points(count, rng=rng).iloc[0].geoms:
            i = len(rows)
            status = STATUS_CYCLE[i % len(STATUS_CYCLE)]
            start = pd.Timestamp("2019-03-01") + pd.Timedelta(days=40 * i)
            rows.append(
                {
                    "park_id": f"p{i}",
                    "name": f"测试{i}号小微企业园",
                    "county_adcode": adcode,
                    "status": status,
                    "floor_area_m2": 20_000.0 + 5_000.0 * (i % 7),
                    "land_area_mu": 30.0 + i % 5,
                    "start_date": start,
                    "completion_date": start + pd.Timedelta(days=500) if status in ("built", "certified") else pd.NaT,
                    "certification_date": start + pd.Timedelta(days=700) if status == "certified" else pd.NaT,
                    "star_rating": pd.NA if status != "certified" else 1 + i % 5,
                    "enterprises": 10 + i,
                    "main_industry": "纺织",
                }
            )
            points.append(point)
    parks = gpd.GeoDataFrame(pd.DataFrame(rows), geometry=points, crs=WGS84)
    parks["star_rating"] = parks["star_rating"].astype("Int64")
    parks.loc[0, "name"] = FORMULA_NAME
    parks.loc[1, "name"] = XSS_NAME
    return parks


@pytest.fixture(scope="session")
def small_parks(counties: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Four parks in each of the six counties."""
    return make_parks(counties, dict.fromkeys(counties["adcode"], 4))


@pytest.fixture(scope="session")
def small_data(small_parks: gpd.GeoDataFrame, counties: gpd.GeoDataFrame, quotas: pd.DataFrame) -> ExportData:
    """Export inputs for the small parks (not the sample, indicative quotas)."""
    return prepare_export_data(small_parks, as_of=AS_OF, counties=counties, quotas=quotas, reported_on=AS_OF, source_name="测试台账.xlsx")
