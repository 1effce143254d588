"""GeoJSON for the browser: coordinates rounded to what a screen can show, no bounding boxes.

Every map redraw sends its overlays to the browser again, so their size is the redraw's cost:
shapely writes 15–17 digits per coordinate and geopandas a bounding box per feature. Rounding
each vertex on its own keeps shared county borders shared (the same vertex rounds the same way).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

POLYGON_DECIMALS = 5  # 1e-5° ≈ 1 m at Shaoxing's latitude: finer than a pixel at any zoom the app offers
POINT_DECIMALS = 6  # ≈ 0.1 m: a park's point is as given


def feature_collection(gdf: gpd.GeoDataFrame, *, decimals: int) -> dict:
    """Return ``gdf`` (already in the drawing datum) as a GeoJSON FeatureCollection dict for folium.

    Parameters
    ----------
    gdf
        Features in lon/lat; every non-geometry column becomes a property (values JSON-ready:
        str, int, float or None).
    decimals
        Decimal places kept in each coordinate (:data:`POLYGON_DECIMALS`, :data:`POINT_DECIMALS`).

    Returns
    -------
    dict
        A FeatureCollection whose features have string ids from the index and no ``bbox``.
    """
    rounded = shapely.transform(np.asarray(gdf.geometry.values), lambda xy: np.round(xy, decimals))
    frame = gdf.set_geometry(gpd.GeoSeries(rounded, index=gdf.index, crs=gdf.crs))
    return frame.to_geo_dict(na="null", show_bbox=False, drop_id=False)
