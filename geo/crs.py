"""Coordinate systems a Shaoxing planner meets, and metric measurement.

Four datums arrive in practice:

* ``wgs84``    GPS, OpenStreetMap (EPSG:4326).
* ``cgcs2000`` China's official datum since 2018 (EPSG:4490); within
  centimetres of WGS-84, converted through PROJ.
* ``gcj02``    Amap/Gaode and Tencent. A published obfuscation of WGS-84 that
  PROJ does not know: points move by a few hundred metres.
* ``bd09``     Baidu: GCJ-02 plus a second shift.

The point conversions are vectorised with numpy and take scalars or arrays.
Inverse conversions (to WGS-84) are solved iteratively so that they are exact
to millimetres, not the metres of the common one-step inverse.

Areas and distances are measured in CGCS2000 / 3-degree Gauss-Kruger CM 120E
(EPSG:4549), whose scale error across Shaoxing (119.9-121.2 E) is below
0.02 % in length, or geodesically on the WGS-84 ellipsoid.
"""

from __future__ import annotations

from typing import Literal, TypeVar

import geopandas as gpd
import numpy as np
import pyproj
import shapely
from numpy.typing import ArrayLike, NDArray

from geo.errors import CRSError

WGS84 = "EPSG:4326"
CGCS2000 = "EPSG:4490"
CGCS2000_GK_120E = "EPSG:4549"
WEB_MERCATOR = "EPSG:3857"

Datum = Literal["wgs84", "cgcs2000", "gcj02", "bd09"]
DATUMS: tuple[str, ...] = ("wgs84", "cgcs2000", "gcj02", "bd09")

# Krasovsky 1940 ellipsoid, as used by the GCJ-02 formula.
_GCJ_A = 6378245.0
_GCJ_EE = 0.00669342162296594323
# Baidu's constants.
_BD_X_PI = np.pi * 3000.0 / 180.0
_BD_DLON = 0.0065
_BD_DLAT = 0.0060
# The conventional "mainland China" box outside which GCJ-02 is the identity.
_CHINA_LON = (72.004, 137.8347)
_CHINA_LAT = (0.8293, 55.8271)

_INVERSE_TOLERANCE_DEG = 1e-11  # about 1 micrometre
_INVERSE_MAX_ITERATIONS = 30

_GEOD = pyproj.Geod(ellps="WGS84")

Coords = tuple[NDArray[np.float64], NDArray[np.float64]]
GeoT = TypeVar("GeoT", gpd.GeoDataFrame, gpd.GeoSeries)


def _as_arrays(lon: ArrayLike, lat: ArrayLike) -> Coords:
    lon_a = np.asarray(lon, dtype="float64")
    lat_a = np.asarray(lat, dtype="float64")
    return np.broadcast_arrays(lon_a, lat_a)  # type: ignore[return-value]


def _unwrap(lon: NDArray[np.float64], lat: NDArray[np.float64], scalar: bool) -> tuple:
    if scalar:
        return float(lon), float(lat)
    return lon, lat


def in_mainland_china(lon: ArrayLike, lat: ArrayLike) -> NDArray[np.bool_]:
    """Return True where a point lies in the box where GCJ-02 applies.

    Parameters
    ----------
    lon, lat
        Longitudes and latitudes in degrees (scalars or arrays of the same shape).

    Returns
    -------
    ndarray of bool
        True where the point is inside the box where GCJ-02 applies.
    """
    lon_a, lat_a = _as_arrays(lon, lat)
    return (lon_a >= _CHINA_LON[0]) & (lon_a <= _CHINA_LON[1]) & (lat_a >= _CHINA_LAT[0]) & (lat_a <= _CHINA_LAT[1])


def _gcj_offset(lon: NDArray[np.float64], lat: NDArray[np.float64]) -> Coords:
    """Return the GCJ-02 shift in degrees (dlon, dlat) at WGS-84 points."""
    x = lon - 105.0
    y = lat - 35.0
    sqrt_abs_x = np.sqrt(np.abs(x))
    common = (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt_abs_x
    dlat = dlat + common
    dlat = dlat + (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    dlat = dlat + (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt_abs_x
    dlon = dlon + common
    dlon = dlon + (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    dlon = dlon + (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0

    rad_lat = np.radians(lat)
    magic = 1.0 - _GCJ_EE * np.sin(rad_lat) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat_deg = (dlat * 180.0) / ((_GCJ_A * (1.0 - _GCJ_EE)) / (magic * sqrt_magic) * np.pi)
    dlon_deg = (dlon * 180.0) / (_GCJ_A / sqrt_magic * np.cos(rad_lat) * np.pi)
    return dlon_deg, dlat_deg


def _wgs84_to_gcj02(lon: NDArray[np.float64], lat: NDArray[np.float64]) -> Coords:
    dlon, dlat = _gcj_offset(lon, lat)
    inside = in_mainland_china(lon, lat)
    return np.where(inside, lon + dlon, lon), np.where(inside, lat + dlat, lat)


def _gcj02_to_bd09(lon: NDArray[np.float64], lat: NDArray[np.float64]) -> Coords:
    z = np.sqrt(lon * lon + lat * lat) + 0.00002 * np.sin(lat * _BD_X_PI)
    theta = np.arctan2(lat, lon) + 0.000003 * np.cos(lon * _BD_X_PI)
    return z * np.cos(theta) + _BD_DLON, z * np.sin(theta) + _BD_DLAT


def _invert(forward, lon: NDArray[np.float64], lat: NDArray[np.float64]) -> Coords:
    """Solve ``forward(x) == (lon, lat)`` by fixed-point iteration.

    The forward transforms are shifts that vary slowly with position, so
    ``x <- x - (forward(x) - target)`` converges to micrometres in a few steps.
    """
    guess_lon = lon.copy()
    guess_lat = lat.copy()
    fwd_lon, fwd_lat = forward(guess_lon, guess_lat)
    guess_lon = lon - (fwd_lon - lon)
    guess_lat = lat - (fwd_lat - lat)
    for _ in range(_INVERSE_MAX_ITERATIONS):
        fwd_lon, fwd_lat = forward(guess_lon, guess_lat)
        err_lon = fwd_lon - lon
        err_lat = fwd_lat - lat
        guess_lon = guess_lon - err_lon
        guess_lat = guess_lat - err_lat
        worst = np.nanmax(np.abs(np.concatenate([err_lon.ravel(), err_lat.ravel()])), initial=0.0)
        if worst < _INVERSE_TOLERANCE_DEG:
            break
    return guess_lon, guess_lat


def wgs84_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple:
    """Convert WGS-84 longitude/latitude to GCJ-02 (Amap).

    Points outside mainland China are returned unchanged.

    Parameters
    ----------
    lon, lat
        Longitudes and latitudes in degrees (scalars or arrays of the same shape).

    Returns
    -------
    tuple
        ``(lon, lat)`` in GCJ-02: floats for scalar input, arrays otherwise.
    """
    scalar = np.ndim(lon) == 0 and np.ndim(lat) == 0
    lon_a, lat_a = _as_arrays(lon, lat)
    return _unwrap(*_wgs84_to_gcj02(lon_a, lat_a), scalar)


def gcj02_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> tuple:
    """Convert GCJ-02 (Amap) longitude/latitude to WGS-84, exact to millimetres.

    Points outside mainland China are returned unchanged.

    Parameters
    ----------
    lon, lat
        GCJ-02 longitudes and latitudes in degrees (scalars or arrays of the same shape).

    Returns
    -------
    tuple
        ``(lon, lat)`` in WGS-84: floats for scalar input, arrays otherwise.
    """
    scalar = np.ndim(lon) == 0 and np.ndim(lat) == 0
    lon_a, lat_a = _as_arrays(lon, lat)
    out_lon, out_lat = _invert(_wgs84_to_gcj02, lon_a, lat_a)
    inside = in_mainland_china(lon_a, lat_a)
    out_lon = np.where(inside, out_lon, lon_a)
    out_lat = np.where(inside, out_lat, lat_a)
    return _unwrap(out_lon, out_lat, scalar)


def gcj02_to_bd09(lon: ArrayLike, lat: ArrayLike) -> tuple:
    """Convert GCJ-02 (Amap) longitude/latitude to BD-09 (Baidu).

    Parameters
    ----------
    lon, lat
        GCJ-02 longitudes and latitudes in degrees (scalars or arrays of the same shape).

    Returns
    -------
    tuple
        ``(lon, lat)`` in BD-09: floats for scalar input, arrays otherwise.
    """
    scalar = np.ndim(lon) == 0 and np.ndim(lat) == 0
    lon_a, lat_a = _as_arrays(lon, lat)
    return _unwrap(*_gcj02_to_bd09(lon_a, lat_a), scalar)


def bd09_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple:
    """Convert BD-09 (Baidu) longitude/latitude to GCJ-02, exact to millimetres.

    Parameters
    ----------
    lon, lat
        BD-09 longitudes and latitudes in degrees (scalars or arrays of the same shape).

    Returns
    -------
    tuple
        ``(lon, lat)`` in GCJ-02: floats for scalar input, arrays otherwise.
    """
    scalar = np.ndim(lon) == 0 and np.ndim(lat) == 0
    lon_a, lat_a = _as_arrays(lon, lat)
    out_lon, out_lat = _invert(_gcj02_to_bd09, lon_a, lat_a)
    return _unwrap(out_lon, out_lat, scalar)


def wgs84_to_bd09(lon: ArrayLike, lat: ArrayLike) -> tuple:
    """Convert WGS-84 longitude/latitude to BD-09 (Baidu).

    Parameters
    ----------
    lon, lat
        WGS-84 longitudes and latitudes in degrees (scalars or arrays of the same shape).

    Returns
    -------
    tuple
        ``(lon, lat)`` in BD-09: floats for scalar input, arrays otherwise.
    """
    scalar = np.ndim(lon) == 0 and np.ndim(lat) == 0
    lon_a, lat_a = _as_arrays(lon, lat)
    return _unwrap(*_gcj02_to_bd09(*_wgs84_to_gcj02(lon_a, lat_a)), scalar)


def bd09_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> tuple:
    """Convert BD-09 (Baidu) longitude/latitude to WGS-84, exact to millimetres.

    Parameters
    ----------
    lon, lat
        BD-09 longitudes and latitudes in degrees (scalars or arrays of the same shape).

    Returns
    -------
    tuple
        ``(lon, lat)`` in WGS-84: floats for scalar input, arrays otherwise.
    """
    scalar = np.ndim(lon) == 0 and np.ndim(lat) == 0
    gcj_lon, gcj_lat = bd09_to_gcj02(np.asarray(lon, "float64"), np.asarray(lat, "float64"))
    out_lon, out_lat = gcj02_to_wgs84(gcj_lon, gcj_lat)
    return _unwrap(np.asarray(out_lon), np.asarray(out_lat), scalar)


_TO_WGS84 = {"gcj02": gcj02_to_wgs84, "bd09": bd09_to_wgs84}


def check_datum(datum: str) -> str:
    """Return ``datum`` normalised, or raise naming the allowed datums.

    Parameters
    ----------
    datum
        A datum name as typed (``WGS-84``, ``gcj02``, ``CGCS2000``, ``bd_09`` ...).

    Returns
    -------
    str
        One of :data:`DATUMS`.
    """
    key = str(datum).strip().lower().replace("-", "").replace("_", "")
    key = {"wgs84": "wgs84", "cgcs2000": "cgcs2000", "gcj02": "gcj02", "bd09": "bd09"}.get(key, key)
    if key not in DATUMS:
        msg = (
            f"Unknown coordinate system {datum!r}: use one of {', '.join(DATUMS)} "
            "(wgs84 = GPS/OpenStreetMap, cgcs2000 = official survey data, "
            "gcj02 = Amap/Tencent, bd09 = Baidu)."
        )
        raise CRSError(msg)
    return key


def require_crs(gdf: gpd.GeoDataFrame | gpd.GeoSeries, *, name: str = "gdf") -> pyproj.CRS:
    """Return the CRS of ``gdf`` or raise when it has none.

    Parameters
    ----------
    gdf
        The data to check.
    name
        The parameter's name, used in the error message.

    Returns
    -------
    pyproj.CRS
        The CRS of ``gdf``.
    """
    if gdf.crs is None:
        msg = (
            f"`{name}` has no coordinate reference system; set one with "
            "`.set_crs(...)` (for example EPSG:4326 for WGS-84 or EPSG:4490 for CGCS2000)."
        )
        raise CRSError(msg)
    return pyproj.CRS.from_user_input(gdf.crs)


def _transform_geometries(geoms: NDArray, func) -> NDArray:
    """Apply a (lon, lat) -> (lon, lat) function to every vertex of every geometry."""

    def apply(coords: NDArray[np.float64]) -> NDArray[np.float64]:
        if len(coords) == 0:
            return coords
        lon, lat = func(coords[:, 0], coords[:, 1])
        return np.column_stack([lon, lat])

    return shapely.transform(geoms, apply)


def to_wgs84(gdf: GeoT, *, datum: str) -> GeoT:
    """Return a copy of ``gdf`` with its geometries in WGS-84 (EPSG:4326).

    Parameters
    ----------
    gdf
        Points, lines or polygons (with holes, multi-part) in any CRS PROJ
        knows. GCJ-02 and BD-09 data have no EPSG code: they must carry a
        geographic CRS (EPSG:4326 or EPSG:4490) and ``datum`` says which
        obfuscation the coordinates carry.
    datum
        ``wgs84``, ``cgcs2000``, ``gcj02`` or ``bd09``.

    Returns
    -------
    A new GeoDataFrame or GeoSeries in EPSG:4326, WGS-84 coordinates.
    """
    key = check_datum(datum)
    crs = require_crs(gdf)
    if key in ("wgs84", "cgcs2000"):
        return gdf.to_crs(WGS84)
    if not crs.is_geographic:
        msg = (
            f"{key.upper()} coordinates must be longitude/latitude in degrees, but the data is in {crs.name}; {key} has no projected form."
        )
        raise CRSError(msg)
    out = gdf.set_crs(WGS84, allow_override=True)
    converted = _transform_geometries(np.asarray(out.geometry.values), _TO_WGS84[key])
    if isinstance(out, gpd.GeoDataFrame):
        out = out.copy()
        out[out.geometry.name] = gpd.GeoSeries(converted, index=out.index, crs=WGS84)
        return out
    return gpd.GeoSeries(converted, index=out.index, crs=WGS84, name=out.name)


def to_gcj02(gdf: GeoT) -> GeoT:
    """Return a copy of ``gdf`` shifted into GCJ-02, for drawing on Amap tiles.

    The input may be in any CRS. The output is labelled EPSG:4326 (GCJ-02 has
    no EPSG code) and carries ``attrs["datum"] = "gcj02"``: use it only for
    display on GCJ-02 tiles, never for measurement or joins.

    Parameters
    ----------
    gdf
        Geometries in any CRS.

    Returns
    -------
    GeoDataFrame or GeoSeries
        A copy in GCJ-02, labelled EPSG:4326, for display on GCJ-02 tiles only.
    """
    require_crs(gdf)
    out = gdf.to_crs(WGS84)
    converted = _transform_geometries(np.asarray(out.geometry.values), wgs84_to_gcj02)
    if isinstance(out, gpd.GeoDataFrame):
        out = out.copy()
        out[out.geometry.name] = gpd.GeoSeries(converted, index=out.index, crs=WGS84)
    else:
        out = gpd.GeoSeries(converted, index=out.index, crs=WGS84, name=out.name)
    out.attrs["datum"] = "gcj02"
    return out


def to_metric(gdf: GeoT) -> GeoT:
    """Return ``gdf`` in CGCS2000 / Gauss-Kruger CM 120E (EPSG:4549), metres.

    Parameters
    ----------
    gdf
        Geometries in any CRS.

    Returns
    -------
    GeoDataFrame or GeoSeries
        The geometries in EPSG:4549 (metres).
    """
    require_crs(gdf)
    return gdf.to_crs(CGCS2000_GK_120E)


def area_m2(gdf: gpd.GeoDataFrame | gpd.GeoSeries) -> NDArray[np.float64]:
    """Return the area of each geometry in square metres (EPSG:4549).

    Parameters
    ----------
    gdf
        Geometries in any CRS.

    Returns
    -------
    ndarray of float
        Area of each geometry in m², measured in EPSG:4549.
    """
    return np.asarray(to_metric(gdf).area, dtype="float64")


def length_m(gdf: gpd.GeoDataFrame | gpd.GeoSeries) -> NDArray[np.float64]:
    """Return the length (perimeter for polygons) of each geometry in metres.

    Parameters
    ----------
    gdf
        Geometries in any CRS.

    Returns
    -------
    ndarray of float
        Length (perimeter for polygons) of each geometry in metres, measured in EPSG:4549.
    """
    return np.asarray(to_metric(gdf).length, dtype="float64")


def distance_m(lon1: ArrayLike, lat1: ArrayLike, lon2: ArrayLike, lat2: ArrayLike) -> NDArray[np.float64]:
    """Return geodesic distances in metres between WGS-84 points (vectorised).

    Parameters
    ----------
    lon1, lat1
        First points, WGS-84 degrees.
    lon2, lat2
        Second points, WGS-84 degrees (broadcast against the first).

    Returns
    -------
    ndarray of float
        Geodesic distance between each pair in metres.
    """
    a_lon, a_lat, b_lon, b_lat = np.broadcast_arrays(*(np.asarray(v, dtype="float64") for v in (lon1, lat1, lon2, lat2)))
    _, _, dist = _GEOD.inv(a_lon, a_lat, b_lon, b_lat)
    return np.asarray(dist, dtype="float64")
