"""Find repeated rows in an import: the same name twice, or two points a few metres apart.

Both checks report each row at most once, naming one earlier row, and both
run in time and memory linear in the number of rows, whatever the data: a
register of 30,000 parks all typed at one point gives 29,999 warnings, not
450 million pairs.

Near points: the points are put on a grid of cells half the radius wide, in
CGCS2000 / 3-degree Gauss-Kruger 120E (EPSG:4549, metres). Any two points in
one cell are within the radius, so every point but the first of its cell is
near that first one ("leader"). Each leader is then compared with every point
within the radius; a point lies within the radius of at most 25 leaders (one
per cell of the 5 x 5 cells around it), so the pairs found stay bounded.
"""

from __future__ import annotations

import unicodedata

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.crs import CGCS2000_GK_120E, WGS84

_MAX_METRIC_COORD_M = 1e9  # far outside China; beyond this a point is not compared


def name_key(names: pd.Series) -> pd.Series:
    """Return names as compared for repeats: NFKC, no spaces, lower case ("" for blank).

    Parameters
    ----------
    names
        Park or firm names as given.

    Returns
    -------
    Series of str
        The comparison key of each name; same index.
    """
    return names.fillna("").astype(str).map(lambda s: "".join(unicodedata.normalize("NFKC", s).split()).lower())


def first_row_of_group(keys: np.ndarray, source_rows: np.ndarray) -> np.ndarray:
    """Return, for each row, the source row of the first row with the same key.

    Parameters
    ----------
    keys
        One key per row.
    source_rows
        The file's row number of each row.

    Returns
    -------
    ndarray of int64
        For each row, the source row of the first row with the same key.
    """
    return pd.Series(source_rows).groupby(keys, sort=False).transform("first").to_numpy(dtype=np.int64)


def earlier_point_within(lon: np.ndarray, lat: np.ndarray, *, radius_m: float) -> np.ndarray:
    """Return, for each WGS-84 point, the position of an earlier point within ``radius_m`` (-1 for none).

    Positions are indices into ``lon``/``lat``; "earlier" means a smaller
    position. Points that are not finite are never matched.

    Parameters
    ----------
    lon, lat
        WGS-84 longitudes and latitudes in degrees (NaN where missing).
    radius_m
        The distance in metres within which two points are the same place.

    Returns
    -------
    ndarray of int64
        For each point, the position of an earlier point within ``radius_m``, or -1.
    """
    out = np.full(len(lon), -1, dtype=np.int64)
    ok = np.flatnonzero(np.isfinite(lon) & np.isfinite(lat))
    if len(ok) < 2:
        return out
    metric = gpd.GeoSeries(shapely.points(lon[ok], lat[ok]), crs=WGS84).to_crs(CGCS2000_GK_120E)
    x, y = metric.x.to_numpy(), metric.y.to_numpy()
    usable = np.isfinite(x) & np.isfinite(y) & (np.abs(x) < _MAX_METRIC_COORD_M) & (np.abs(y) < _MAX_METRIC_COORD_M)
    ok, x, y = ok[usable], x[usable], y[usable]
    if len(ok) < 2:
        return out
    cell = radius_m / 2.0
    cells = pd.DataFrame({"cx": np.floor(x / cell).astype(np.int64), "cy": np.floor(y / cell).astype(np.int64)})
    leader = cells.groupby(["cx", "cy"], sort=False).ngroup().to_numpy()
    first = pd.Series(np.arange(len(ok))).groupby(leader).transform("min").to_numpy()
    follower = first != np.arange(len(ok))
    out[ok[follower]] = ok[first[follower]]
    leaders = np.flatnonzero(~follower)
    points = shapely.points(x, y)
    hit, other = shapely.STRtree(points).query(points[leaders], predicate="dwithin", distance=radius_m)
    pairs = pd.DataFrame({"leader": leaders[hit], "other": other})
    pairs = pairs[pairs["other"] < pairs["leader"]]
    earliest = pairs.groupby("leader")["other"].min()
    out[ok[earliest.index.to_numpy()]] = ok[earliest.to_numpy()]
    return out
