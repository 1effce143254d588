"""Coverage gaps: places with many small-micro firms and no park nearby.

Firms are counted on the H3 grid of :mod:`geo.analysis.clusters` (default resolution
8, about 0.57 km² cells). A cell is a gap when it holds at least ``min_firms``
small-micro firms and no park lies within ``max_distance_m`` of the cell
centre, measured in CGCS2000 / Gauss-Kruger CM 120E (EPSG:4549, metres) to
the park's point or parcel polygon. Gaps are ranked by firm count within each
county (rank 1 = most firms) and city-wide.

Which parks cover a place is a parameter: by default parks under
construction, built or certified (firms can move into them now or soon);
planned parks are not counted.
"""

from __future__ import annotations

import geopandas as gpd
import h3.api.basic_int as h3int
import numpy as np
import pandas as pd
import shapely

from geo.analysis.assign import lonlat_to_metric
from geo.analysis.clusters import county_column
from geo.analysis.hexbins import cell_ids, cell_polygons, h3_cells
from geo.crs import WGS84, require_crs, to_metric
from geo.errors import GeoDataError

DEFAULT_MAX_DISTANCE_M = 2_000.0
DEFAULT_GAP_MIN_FIRMS = 50
SMALL_MICRO = ("small", "micro")
COVERING_STATUSES = ("under_construction", "built", "certified")

GAP_COLUMNS = [
    "h3_cell",
    "county_adcode",
    "firms",
    "nearest_park_id",
    "nearest_park_distance_m",
    "rank_in_county",
    "rank",
    "geometry",
]


def small_micro_mask(enterprises: pd.DataFrame, *, size_classes: tuple[str, ...] | None = SMALL_MICRO) -> tuple[pd.Series, str]:
    """Return which firms count as small-micro, and a note on how that was decided.

    ``size_classes=None`` counts every firm. When ``size_class`` is missing or
    empty for every row, every firm counts and the note says so (the register
    then gives no size, and firms are assumed small-micro, as the register of
    this product is of small-micro firms).

    Parameters
    ----------
    enterprises
        Enterprise rows, with ``size_class`` when the register gives it.
    size_classes
        The size classes that count; None counts every firm.

    Returns
    -------
    tuple of (Series of bool, str)
        The mask (same index as ``enterprises``) and a note on how it was decided.
    """
    if size_classes is None:
        return pd.Series(True, index=enterprises.index), "all firms"
    if "size_class" not in enterprises.columns or enterprises["size_class"].isna().all():
        return pd.Series(True, index=enterprises.index), "size_class missing: all firms counted"
    mask = enterprises["size_class"].isin(list(size_classes)).fillna(False).astype(bool)
    return mask, f"size_class in {', '.join(size_classes)}"


def coverage_gaps(
    enterprises: gpd.GeoDataFrame,
    parks: gpd.GeoDataFrame,
    *,
    max_distance_m: float = DEFAULT_MAX_DISTANCE_M,
    min_firms: int = DEFAULT_GAP_MIN_FIRMS,
    resolution: int = 8,
    size_classes: tuple[str, ...] | None = SMALL_MICRO,
    park_statuses: tuple[str, ...] = COVERING_STATUSES,
) -> gpd.GeoDataFrame:
    """Return H3 cells with many small-micro firms and no park within ``max_distance_m``.

    Parameters
    ----------
    enterprises
        Enterprise points in any CRS (normally EPSG:4326); the located county
        (from :func:`geo.analysis.assign.assign_enterprises`) is used when present.
    parks
        Parks (PARK_COLUMNS) with point or polygon geometries, any CRS.
    max_distance_m
        A cell whose centre has a park within this distance (metres, EPSG:4549) is covered.
    min_firms
        Fewest small-micro firms a cell needs to be reported.
    resolution
        H3 resolution of the cells.
    size_classes
        ``size_class`` values counted as small-micro; None counts all firms.
    park_statuses
        Park statuses that cover a place.

    Returns
    -------
    GeoDataFrame in EPSG:4326 with GAP_COLUMNS, one row per gap cell, sorted
    by ``rank`` (most firms first). ``nearest_park_distance_m`` is NaN when no
    park has a covering status. ``attrs["size_filter"]`` says which firms were counted.
    """
    require_crs(enterprises, name="enterprises")
    require_crs(parks, name="parks")
    if max_distance_m < 0 or min_firms < 1:
        msg = f"`max_distance_m` must be 0 or more and `min_firms` at least 1 (got {max_distance_m!r}, {min_firms!r})."
        raise GeoDataError(msg)
    mask, note = small_micro_mask(enterprises, size_classes=size_classes)
    firms = enterprises[mask.to_numpy()]
    cells = h3_cells(firms, resolution=resolution)
    occupied, inverse, counts = np.unique(cells, return_inverse=True, return_counts=True)
    busy = np.flatnonzero((counts >= min_firms) & (occupied != 0))
    covering = parks[parks["status"].isin(list(park_statuses))] if "status" in parks.columns else parks
    park_id, distance_m = _nearest_parks(occupied[busy], covering)
    gap = ~(distance_m <= max_distance_m)
    keep = busy[gap]
    county = county_column(firms)
    counties = _cell_majority(firms[county], inverse, keep) if county else [None] * len(keep)
    table = pd.DataFrame(
        {
            "_cell": occupied[keep],
            "h3_cell": pd.array(cell_ids(occupied[keep]), dtype="string"),
            "county_adcode": pd.array(counties, dtype="string"),
            "firms": counts[keep].astype("int64"),
            "nearest_park_id": pd.array(park_id[gap], dtype="string"),
            "nearest_park_distance_m": distance_m[gap],
        }
    )
    table = table.sort_values(["firms", "h3_cell"], ascending=[False, True], kind="stable").reset_index(drop=True)
    table["rank"] = np.arange(1, len(table) + 1)
    table["rank_in_county"] = table.groupby(table["county_adcode"].fillna(""), sort=False).cumcount() + 1
    hexagons = cell_polygons(table["_cell"].to_numpy()).to_numpy()
    out = gpd.GeoDataFrame(table.drop(columns="_cell"), geometry=hexagons, crs=WGS84)[GAP_COLUMNS]
    out.attrs["size_filter"] = note
    return out


def _nearest_parks(cells: np.ndarray, parks: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Return the nearest park id and distance (EPSG:4549 metres) from each cell centre."""
    ids = np.full(len(cells), None, dtype=object)
    distance = np.full(len(cells), np.nan)
    park_geoms = np.asarray(to_metric(parks).geometry.values) if len(parks) else np.empty(0, dtype=object)
    present = np.flatnonzero(~shapely.is_missing(park_geoms) & ~shapely.is_empty(park_geoms)) if len(park_geoms) else np.empty(0, "int64")
    if len(cells) == 0 or len(present) == 0:
        return ids, distance
    centres = np.array([h3int.cell_to_latlng(c) for c in cells.tolist()])
    x, y = lonlat_to_metric(centres[:, 1], centres[:, 0])
    tree = shapely.STRtree(park_geoms[present])
    (cell_idx, park_idx), dist = tree.query_nearest(shapely.points(x, y), return_distance=True, all_matches=False)
    ids[cell_idx] = parks["park_id"].astype(str).to_numpy()[present][park_idx]
    distance[cell_idx] = dist
    return ids, distance


def _cell_majority(values: pd.Series, inverse: np.ndarray, cells: np.ndarray) -> list[str | None]:
    """Return the most common value of ``values`` among the firms of each listed cell (ties: smallest)."""
    frame = pd.DataFrame({"cell": inverse, "value": values.astype("string").to_numpy()})
    frame = frame[frame["cell"].isin(cells) & frame["value"].notna()]
    counts = frame.groupby(["cell", "value"]).size().reset_index(name="n")
    counts = counts.sort_values(["cell", "n", "value"], ascending=[True, False, True])
    best = counts.drop_duplicates("cell").set_index("cell")["value"]
    return [best.get(c) for c in cells.tolist()]
