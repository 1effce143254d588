"""The map the browser receives at city scale (six counties, 150 parks) stays under 1 MB: a layer test, not a timing."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import Point

from geo.crs import WGS84
from geo.region.boundaries import load_counties, simplify_counties
from layers.city_map import MapContent, city_base_map, overlay_group

MAX_MAP_BYTES = 1_000_000
N_PARKS = 150


def _city_parks(counties: gpd.GeoDataFrame, n: int) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(0)
    minx, miny, maxx, maxy = counties.total_bounds
    xs, ys = rng.uniform(minx, maxx, n), rng.uniform(miny, maxy, n)
    return gpd.GeoDataFrame(
        {
            "park_id": [f"P{i:04d}" for i in range(n)],
            "name": [f"绍兴市第{i}号小微企业园（<b>{'测试' * 8}</b>）" for i in range(n)],
            "county_adcode": rng.choice(counties["adcode"].astype(str).to_numpy(), n),
            "status": rng.choice(["built", "certified", "under_construction", "planned"], n),
            "floor_area_m2": rng.uniform(20_000, 400_000, n),
            "land_area_mu": rng.uniform(30, 400, n),
            "star_rating": pd.array(rng.integers(1, 6, n), dtype="Int64"),
            "enterprises": pd.array(rng.integers(5, 300, n), dtype="Int64"),
            "main_industry": rng.choice(["纺织印染", "袜业", "轴承", "珍珠"], n),
            "operator": [f"运营公司{i}" for i in range(n)],
        },
        geometry=[Point(x, y) for x, y in zip(xs, ys, strict=True)],
        crs=WGS84,
    )


def test_the_city_map_with_150_parks_is_under_1_mb() -> None:
    counties = simplify_counties(load_counties(city_adcode="330600"), tolerance_m=30.0)
    parks = _city_parks(counties, N_PARKS)
    content = MapContent(
        counties=counties,
        county_values=pd.Series(np.linspace(10, 90, len(counties))),
        measure="pct_floor_quota",
        parks=parks,
        notice_lines=["统计日期 2024-06-30", "数据来源：合成示例"],
        sample_notice=True,
        max_floor_area_m2=float(parks["floor_area_m2"].max()),
    )
    base = city_base_map(counties)
    base_html = base.get_root().render()
    overlay = overlay_group(content)
    overlay.add_to(base)
    whole = base.get_root().render()
    assert len(base_html.encode()) + len(whole.encode()) < MAX_MAP_BYTES  # st_folium sends the base and the overlay group
    assert "<b>测试" not in whole  # text from data stays escaped
