"""Small hand-made county registers for the reporting tests (WGS-84, canonical columns)."""

from __future__ import annotations

import geopandas as gpd
from shapely.geometry import Point

# Around 柯桥 (330603) and 越城 (330602); 0.001° of latitude is about 111 m.
KEQIAO = (120.49, 30.08)
YUECHENG = (120.58, 30.00)


def register(rows: list[dict]) -> gpd.GeoDataFrame:
    """Return a register from rows with name, county, status, floor, dlat (north offset in 0.001°)."""
    records, points = [], []
    for row in rows:
        lon, lat = KEQIAO if row.get("county", "330603") == "330603" else YUECHENG
        points.append(Point(lon + row.get("dlon", 0.0) * 0.001, lat + row.get("dlat", 0.0) * 0.001))
        records.append(
            {
                "park_id": row.get("park_id"),
                "park_code": row.get("code"),
                "name": row["name"],
                "county_adcode": row.get("county", "330603"),
                "status": row.get("status", "built"),
                "floor_area_m2": row.get("floor", 50_000.0),
                "land_area_mu": row.get("land", 60.0),
                "occupancy_pct": row.get("occupancy"),
            }
        )
    return gpd.GeoDataFrame(records, geometry=points, crs="EPSG:4326")
