"""H3 hexagon counts for the map, at a resolution that follows the zoom level.

The browser receives hexagons, never raw enterprise points: the resolution
is chosen so that a hexagon is about ``hex_edge_px`` screen pixels across at
the current zoom, and it is coarsened until at most ``max_cells`` hexagons
remain. Whatever the number of enterprises, the map payload stays bounded.

H3 cells are computed once per point at the finest resolution needed;
coarser parents are derived with bit operations on the 64-bit H3 index
(the parent keeps the first ``res`` digits and fills the rest with 7), which
is exact and vectorised.
"""

from __future__ import annotations

import math

import geopandas as gpd
import h3
import h3.api.basic_int as h3int
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

from geo.analysis.assign import point_lonlat
from geo.crs import WGS84
from geo.errors import GeoDataError

MAX_RESOLUTION = 15
DEFAULT_MAX_CELLS = 5_000
_WEB_MERCATOR_M_PER_PX_Z0 = 156_543.033_928  # metres per 256-px tile pixel at zoom 0, equator
_RES_SHIFT = np.uint64(52)
_RES_MASK = np.uint64(0xF) << _RES_SHIFT
_EDGE_M = np.array([h3.average_hexagon_edge_length(r, unit="m") for r in range(MAX_RESOLUTION + 1)])

CellArray = NDArray[np.uint64]


def h3_resolution_for_zoom(zoom: float, *, hex_edge_px: float = 12.0, latitude_deg: float = 30.0) -> int:
    """Return the H3 resolution whose hexagons are about ``hex_edge_px`` pixels across at a zoom.

    Parameters
    ----------
    zoom
        Web-map (Leaflet, EPSG:3857 tiles) zoom level, 0-22.
    hex_edge_px
        Wanted hexagon edge length on screen, in pixels.
    latitude_deg
        Latitude of the map centre (Shaoxing is at about 30 N).

    Returns
    -------
    An H3 resolution 0-15: 6 at zoom 9 (whole city), 8 at zoom 12, 10 at zoom 15.
    """
    if not 0 <= zoom <= 24:
        msg = f"`zoom` must be a web-map zoom level between 0 and 24, not {zoom!r}."
        raise GeoDataError(msg)
    metres_per_px = _WEB_MERCATOR_M_PER_PX_Z0 * math.cos(math.radians(latitude_deg)) / 2.0**zoom
    wanted_edge_m = hex_edge_px * metres_per_px
    return int(np.argmin(np.abs(np.log(_EDGE_M / wanted_edge_m))))


def _check_resolution(resolution: int) -> int:
    if not 0 <= int(resolution) <= MAX_RESOLUTION or int(resolution) != resolution:
        msg = f"`resolution` must be an H3 resolution from 0 to {MAX_RESOLUTION}, not {resolution!r}."
        raise GeoDataError(msg)
    return int(resolution)


def lonlat_cells(lon: NDArray[np.float64], lat: NDArray[np.float64], *, resolution: int) -> CellArray:
    """Return the H3 cell (uint64) of each WGS-84 coordinate; 0 where a coordinate is NaN.

    Parameters
    ----------
    lon, lat
        WGS-84 longitudes and latitudes in degrees (NaN where missing).
    resolution
        H3 resolution, 0-15.

    Returns
    -------
    ndarray of uint64
        The H3 cell of each coordinate; 0 where a coordinate is NaN.
    """
    res = _check_resolution(resolution)
    out = np.zeros(len(lon), dtype=np.uint64)
    valid = np.flatnonzero(np.isfinite(lon) & np.isfinite(lat))
    cells = map(h3int.latlng_to_cell, lat[valid].tolist(), lon[valid].tolist(), [res] * len(valid))
    out[valid] = np.fromiter(cells, dtype=np.uint64, count=len(valid))
    return out


def h3_cells(points: gpd.GeoDataFrame | gpd.GeoSeries, *, resolution: int) -> CellArray:
    """Return the H3 cell of each point (any CRS; cells are defined on WGS-84); 0 for missing points.

    Parameters
    ----------
    points
        Points in any CRS (missing or empty points allowed).
    resolution
        H3 resolution, 0-15.

    Returns
    -------
    ndarray of uint64
        The H3 cell of each point; 0 for missing points.
    """
    lon, lat = point_lonlat(points)
    return lonlat_cells(lon, lat, resolution=resolution)


def parent_cells(cells: CellArray, *, resolution: int) -> CellArray:
    """Return the parent of each H3 cell at a coarser ``resolution`` (0 stays 0).

    Parameters
    ----------
    cells
        H3 cells as uint64 (0 for none).
    resolution
        The coarser H3 resolution wanted.

    Returns
    -------
    ndarray of uint64
        The parent of each cell; 0 stays 0.
    """
    res = _check_resolution(resolution)
    cells = np.asarray(cells, dtype=np.uint64)
    current = (cells & _RES_MASK) >> _RES_SHIFT
    if np.any((cells != 0) & (current < res)):
        msg = f"Cannot take parents at resolution {res}: some cells are coarser than that."
        raise GeoDataError(msg)
    fill = np.uint64((1 << ((MAX_RESOLUTION - res) * 3)) - 1)
    parents = (cells & ~_RES_MASK) | (np.uint64(res) << _RES_SHIFT) | fill
    return np.where(cells == 0, np.uint64(0), parents)


def cell_polygons(cells: CellArray) -> gpd.GeoSeries:
    """Return the hexagon of each H3 cell as a WGS-84 (EPSG:4326) polygon.

    Parameters
    ----------
    cells
        H3 cells as uint64.

    Returns
    -------
    GeoSeries
        One hexagon per cell, EPSG:4326.
    """
    polygons = []
    for cell in np.asarray(cells, dtype=np.uint64).tolist():
        ring = np.asarray(h3int.cell_to_boundary(cell))[:, ::-1]  # (lat, lng) -> (x, y)
        polygons.append(shapely.Polygon(ring))
    return gpd.GeoSeries(polygons, crs=WGS84)


def cell_ids(cells: CellArray) -> list[str]:
    """Return the usual hexadecimal string ids of H3 cells.

    Parameters
    ----------
    cells
        H3 cells as uint64.

    Returns
    -------
    list of str
        The hexadecimal id of each cell.
    """
    return [h3.int_to_str(c) for c in np.asarray(cells, dtype=np.uint64).tolist()]


def count_cells(cells: CellArray, *, max_cells: int = DEFAULT_MAX_CELLS) -> tuple[CellArray, NDArray[np.int64], int]:
    """Count points per cell, coarsening until at most ``max_cells`` cells remain.

    Parameters
    ----------
    cells
        H3 cells as uint64 (0 for missing points, not counted).
    max_cells
        The most cells the result may hold.

    Returns
    -------
    (unique cells, counts, resolution used). Cells equal to 0 (missing
    points) are not counted.
    """
    cells = np.asarray(cells, dtype=np.uint64)
    cells = cells[cells != 0]
    unique, counts = np.unique(cells, return_counts=True)
    if len(unique) == 0:
        return unique, counts.astype("int64"), 0
    res = int((unique[0] & _RES_MASK) >> _RES_SHIFT)
    while len(unique) > max_cells and res > 0:
        res -= 1
        parents = parent_cells(unique, resolution=res)
        unique, inverse = np.unique(parents, return_inverse=True)
        counts = np.bincount(inverse, weights=counts, minlength=len(unique)).astype("int64")
    return unique, counts.astype("int64"), res


def hexbin_counts(
    points: gpd.GeoDataFrame | gpd.GeoSeries,
    *,
    zoom: float | None = None,
    resolution: int | None = None,
    max_cells: int = DEFAULT_MAX_CELLS,
    bounds_wgs84: tuple[float, float, float, float] | None = None,
) -> gpd.GeoDataFrame:
    """Return hexagons with the number of points in each, for the map.

    Parameters
    ----------
    points
        Enterprise points in any CRS (normally EPSG:4326).
    zoom
        Map zoom level; sets the resolution via :func:`h3_resolution_for_zoom`.
    resolution
        H3 resolution to use instead of ``zoom`` (give exactly one).
    max_cells
        Upper bound on the number of hexagons returned; the resolution is
        lowered until it holds.
    bounds_wgs84
        Optional (west, south, east, north) in degrees: count only points in
        this box, e.g. the map viewport.

    Returns
    -------
    GeoDataFrame in EPSG:4326 with ``h3_cell`` (string id), ``resolution``,
    ``count`` and hexagon ``geometry``, ordered by cell id; empty when there
    are no points.
    """
    if (zoom is None) == (resolution is None):
        msg = "Give either `zoom` (map zoom level) or `resolution` (H3 resolution), not both or neither."
        raise GeoDataError(msg)
    if max_cells < 1:
        msg = f"`max_cells` must be at least 1, not {max_cells!r}."
        raise GeoDataError(msg)
    res = _check_resolution(resolution) if resolution is not None else h3_resolution_for_zoom(float(zoom))  # type: ignore[arg-type]
    lon, lat = point_lonlat(points)
    if bounds_wgs84 is not None:
        west, south, east, north = bounds_wgs84
        keep = (lon >= west) & (lon <= east) & (lat >= south) & (lat <= north)
        lon, lat = lon[keep], lat[keep]
    unique, counts, used = count_cells(lonlat_cells(lon, lat, resolution=res), max_cells=max_cells)
    frame = pd.DataFrame(
        {"h3_cell": pd.array(cell_ids(unique), dtype="string"), "resolution": used if len(unique) else res, "count": counts}
    )
    return gpd.GeoDataFrame(frame, geometry=cell_polygons(unique).to_numpy(), crs=WGS84)
