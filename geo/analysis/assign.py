"""Assign enterprises to counties (point in polygon) and to parks.

County assignment tests every point against each county polygon with
:func:`shapely.intersects_xy` on prepared polygons, after a bounding-box
prefilter on plain coordinate arrays. With a handful of large polygons and
hundreds of thousands of points this is several times faster than
``geopandas.sjoin`` (no Point objects, no per-point tree query), and it is
measured against ``sjoin`` in ``python -m bench``. A point on a border shared
by two counties goes to the county with the lower adcode.

Park assignment works in CGCS2000 / 3-degree Gauss-Kruger CM 120E
(EPSG:4549, metres). An enterprise belongs to a park when it lies inside the
park's parcel polygon (parks whose geometry is a polygon), or within
``radius_m`` of the park's point (parks whose geometry is a point; default
500 m). When several parks qualify the nearest wins: distance 0 inside a
parcel, then distance to the park's centre, then the smaller ``park_id``.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from geo.crs import CGCS2000_GK_120E, WGS84, require_crs, to_metric
from geo.errors import CRSError, GeoDataError

DEFAULT_PARK_RADIUS_M = 500.0

_TO_METRIC = pyproj.Transformer.from_crs(WGS84, CGCS2000_GK_120E, always_xy=True)
_POLYGONAL = ("Polygon", "MultiPolygon")

FloatArray = NDArray[np.float64]


def point_lonlat(points: gpd.GeoDataFrame | gpd.GeoSeries, *, name: str = "points") -> tuple[FloatArray, FloatArray]:
    """Return WGS-84 longitude and latitude arrays of point geometries.

    Parameters
    ----------
    points
        Points in any CRS. Missing or empty geometries give NaN.
    name
        The parameter name used in error messages.

    Returns
    -------
    Two float arrays (longitude, latitude) in EPSG:4326, in row order.
    """
    require_crs(points, name=name)
    geoms = points.geometry if isinstance(points, gpd.GeoDataFrame) else points
    if len(geoms) == 0:
        return np.empty(0), np.empty(0)
    types = shapely.get_type_id(np.asarray(geoms.values))
    bad = (types != 0) & (types != -1)  # -1: missing geometry
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        msg = f"`{name}` must hold points; row {first} is a {geoms.iloc[first].geom_type}."
        raise GeoDataError(msg)
    wgs = geoms.to_crs(WGS84) if not pyproj.CRS(geoms.crs).equals(pyproj.CRS(WGS84)) else geoms
    values = np.asarray(wgs.values)
    return shapely.get_x(values), shapely.get_y(values)


def lonlat_to_metric(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Project WGS-84 longitude/latitude arrays to EPSG:4549 easting/northing in metres.

    Parameters
    ----------
    lon, lat
        WGS-84 longitudes and latitudes in degrees.

    Returns
    -------
    tuple of ndarray
        ``(x, y)``: EPSG:4549 easting and northing in metres.
    """
    x, y = _TO_METRIC.transform(lon, lat)
    return np.asarray(x, dtype="float64"), np.asarray(y, dtype="float64")


def _check_same_crs(left: gpd.GeoDataFrame | gpd.GeoSeries, right: gpd.GeoDataFrame, *, names: tuple[str, str]) -> None:
    left_crs, right_crs = require_crs(left, name=names[0]), require_crs(right, name=names[1])
    if not left_crs.equals(right_crs):
        msg = (
            f"`{names[0]}` is in {left_crs.to_string()} but `{names[1]}` is in {right_crs.to_string()}; "
            f"convert one with `.to_crs(...)` (both are normally EPSG:4326, WGS-84)."
        )
        raise CRSError(msg)


def county_codes(points: gpd.GeoDataFrame | gpd.GeoSeries, counties: gpd.GeoDataFrame, *, adcode_column: str = "adcode") -> pd.Series:
    """Return the adcode of the county polygon each point lies in.

    Parameters
    ----------
    points
        Enterprise (or any) points; same CRS as ``counties`` (normally EPSG:4326).
    counties
        County polygons with an ``adcode_column``, e.g. from
        :func:`geo.region.boundaries.load_counties`.
    adcode_column
        Column of ``counties`` holding the code to return.

    Returns
    -------
    String Series aligned with ``points``; <NA> for points outside every
    county or without a geometry.
    """
    _check_same_crs(points, counties, names=("points", "counties"))
    if adcode_column not in counties.columns:
        msg = f"`counties` has no column {adcode_column!r}; it has {', '.join(map(str, counties.columns))}."
        raise GeoDataError(msg)
    lon, lat = point_lonlat(points)
    if not pyproj.CRS(counties.crs).equals(pyproj.CRS(WGS84)):
        counties = counties.to_crs(WGS84)
    order = np.argsort(counties[adcode_column].astype(str).to_numpy(), kind="stable")
    found = np.full(len(lon), -1, dtype="int64")
    for k in order:
        _mark_inside(counties.geometry.iloc[k], lon, lat, found, label=int(k))
    codes = counties[adcode_column].astype(str).to_numpy()
    out = pd.Series(pd.NA, index=points.index, dtype="string")
    hit = found >= 0
    out.iloc[np.flatnonzero(hit)] = codes[found[hit]]
    return out


def _mark_inside(polygon: shapely.Geometry, x: FloatArray, y: FloatArray, found: NDArray[np.int64], *, label: int) -> None:
    """Set ``found`` to ``label`` where it is still -1 and (x, y) lies in ``polygon`` (in place, on our own array)."""
    if polygon is None or polygon.is_empty:
        return
    minx, miny, maxx, maxy = polygon.bounds
    candidates = np.flatnonzero((found < 0) & (x >= minx) & (x <= maxx) & (y >= miny) & (y <= maxy))
    if len(candidates) == 0:
        return
    shapely.prepare(polygon)
    inside = shapely.intersects_xy(polygon, x[candidates], y[candidates])
    found[candidates[inside]] = label


def park_matches(
    points: gpd.GeoDataFrame | gpd.GeoSeries, parks: gpd.GeoDataFrame, *, radius_m: float = DEFAULT_PARK_RADIUS_M
) -> pd.DataFrame:
    """Return the park each point belongs to, and its distance in metres.

    Parameters
    ----------
    points
        Enterprise points; same CRS as ``parks`` (normally EPSG:4326).
    parks
        Parks with ``park_id`` and a point or parcel-polygon geometry.
    radius_m
        Distance in metres (EPSG:4549) within which a point belongs to a park
        given as a point. Parcel polygons use containment only.

    Returns
    -------
    DataFrame aligned with ``points``: ``park_id`` (string, <NA> when no
    park qualifies) and ``park_distance_m`` (0 inside a parcel, NaN when none).
    """
    if radius_m < 0 or not np.isfinite(radius_m):
        msg = f"`radius_m` must be a distance of 0 metres or more, not {radius_m!r}."
        raise GeoDataError(msg)
    _check_same_crs(points, parks, names=("points", "parks"))
    if "park_id" not in parks.columns:
        msg = "`parks` has no column 'park_id'; every park needs a stable id."
        raise GeoDataError(msg)
    lon, lat = point_lonlat(points)
    x, y = lonlat_to_metric(lon, lat)
    pairs = _candidate_pairs(x, y, to_metric(parks), radius_m=radius_m)
    out = pd.DataFrame({"park_id": pd.Series(pd.NA, index=points.index, dtype="string"), "park_distance_m": np.nan}, index=points.index)
    if len(pairs[0]) == 0:
        return out
    point_idx, park_idx, dist, centre_dist = pairs
    park_rank = np.argsort(np.argsort(parks["park_id"].astype(str).to_numpy(), kind="stable"), kind="stable")
    order = np.lexsort((park_rank[park_idx], centre_dist, dist, point_idx))
    first = order[np.r_[True, point_idx[order][1:] != point_idx[order][:-1]]]
    ids = parks["park_id"].astype(str).to_numpy()
    out.iloc[point_idx[first], 0] = ids[park_idx[first]]
    out.iloc[point_idx[first], 1] = dist[first]
    return out


def _candidate_pairs(x: FloatArray, y: FloatArray, parks_m: gpd.GeoDataFrame, *, radius_m: float) -> tuple[NDArray, ...]:
    """Return (point index, park index, distance to park, distance to park centre) for every qualifying pair."""
    valid = np.flatnonzero(np.isfinite(x) & np.isfinite(y))
    empty = (np.empty(0, "int64"), np.empty(0, "int64"), np.empty(0), np.empty(0))
    if len(valid) == 0 or len(parks_m) == 0:
        return empty
    tree = cKDTree(np.column_stack([x[valid], y[valid]]))
    geoms = np.asarray(parks_m.geometry.values)
    parts: list[tuple[NDArray, ...]] = []
    for k, geom in enumerate(geoms):
        if geom is None or geom.is_empty:
            continue
        centre = shapely.centroid(geom)
        cx, cy = centre.x, centre.y
        if geom.geom_type in _POLYGONAL:
            reach = float(shapely.hausdorff_distance(centre, shapely.boundary(geom))) + 1e-6
            cand = valid[np.asarray(tree.query_ball_point([cx, cy], r=reach), dtype="int64")]
            shapely.prepare(geom)
            cand = cand[shapely.intersects_xy(geom, x[cand], y[cand])]
            dist = np.zeros(len(cand))
        else:
            cand = valid[np.asarray(tree.query_ball_point([cx, cy], r=radius_m), dtype="int64")]
            dist = np.hypot(x[cand] - cx, y[cand] - cy)
        parts.append((cand, np.full(len(cand), k), dist, np.hypot(x[cand] - cx, y[cand] - cy)))
    if not parts:
        return empty
    return tuple(np.concatenate(column) for column in zip(*parts, strict=True))


def assign_enterprises(
    enterprises: gpd.GeoDataFrame,
    *,
    counties: gpd.GeoDataFrame,
    parks: gpd.GeoDataFrame,
    radius_m: float = DEFAULT_PARK_RADIUS_M,
) -> gpd.GeoDataFrame:
    """Return a copy of ``enterprises`` with the county and park each one lies in.

    Parameters
    ----------
    enterprises
        Enterprise points (ENTERPRISE_COLUMNS), EPSG:4326.
    counties
        County polygons with ``adcode``, EPSG:4326.
    parks
        Parks (PARK_COLUMNS) with point or parcel-polygon geometries, EPSG:4326.
    radius_m
        Radius in metres around a park point (default 500 m).

    Returns
    -------
    GeoDataFrame in the input CRS with three added columns:
    ``located_county_adcode`` (county containing the point),
    ``county_mismatch`` (True where the register's ``county_adcode`` differs
    from the located one, <NA> when either is unknown), ``park_id`` and
    ``park_distance_m`` (see :func:`park_matches`).
    """
    require_crs(enterprises, name="enterprises")
    located = county_codes(enterprises, counties)
    matches = park_matches(enterprises, parks, radius_m=radius_m)
    out = enterprises.copy()
    out["located_county_adcode"] = located
    if "county_adcode" in out.columns:
        register = out["county_adcode"].astype("string")
        out["county_mismatch"] = (register != located).astype("boolean").where(register.notna() & located.notna())
    else:
        out["county_mismatch"] = pd.Series(pd.NA, index=out.index, dtype="boolean")
    out["park_id"] = matches["park_id"]
    out["park_distance_m"] = matches["park_distance_m"]
    return out
