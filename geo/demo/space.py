"""Spatial helpers for the synthetic sample data (see :mod:`geo.demo.sample`).

Points are drawn in metres in CGCS2000 / Gauss-Kruger CM 120E (EPSG:4549),
converted to WGS-84, published as GCJ-02 rounded to 6 decimals, and assigned
to a county by testing the *published* position (converted back to WGS-84)
against the WGS-84 county polygons. So a reader who converts the published
coordinates back to WGS-84 finds every point inside the county it claims.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
from numpy.typing import NDArray

from geo.crs import CGCS2000_GK_120E, WGS84, gcj02_to_wgs84, require_crs, to_metric, wgs84_to_gcj02

COORD_DECIMALS = 6  # about 0.1 m
OUTSIDE = -1  # county index of a point outside every county

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]


@dataclass(frozen=True)
class CountyIndex:
    """County polygons ready for fast point-in-polygon tests.

    ``geoms`` are prepared private copies of the WGS-84 polygons (the caller's
    GeoDataFrame is not touched); ``boundaries_m`` are the county outlines in
    EPSG:4549 metres, for distances to the border.
    """

    names: tuple[str, ...]
    adcodes: tuple[str, ...]
    geoms: NDArray[np.object_]
    boundaries_m: NDArray[np.object_]
    bounds_m: tuple[float, float, float, float]

    @classmethod
    def from_counties(cls, counties: gpd.GeoDataFrame) -> CountyIndex:
        """Build the index from a county GeoDataFrame with ``adcode`` and ``name`` columns (any CRS).

        Parameters
        ----------
        counties
            County polygons with ``adcode`` and ``name``, any CRS.

        Returns
        -------
        CountyIndex
            The index, in WGS-84 and EPSG:4549.
        """
        require_crs(counties, name="counties")
        missing = {"adcode", "name"} - set(counties.columns)
        if missing or counties.empty:
            msg = f"`counties` must be a non-empty GeoDataFrame with columns adcode and name; missing: {sorted(missing)}."
            raise ValueError(msg)
        wgs = counties.to_crs(WGS84)
        geoms = shapely.from_wkb(shapely.to_wkb(np.asarray(wgs.geometry.values)))
        shapely.prepare(geoms)
        metric = to_metric(wgs)
        return cls(
            names=tuple(str(n) for n in wgs["name"]),
            adcodes=tuple(str(a) for a in wgs["adcode"]),
            geoms=geoms,
            boundaries_m=np.asarray(metric.boundary.values),
            bounds_m=tuple(float(v) for v in metric.total_bounds),  # type: ignore[arg-type]
        )

    def position(self, name: str) -> int:
        """Return the index of a county by its Chinese name, or raise naming the known ones.

        Parameters
        ----------
        name
            A county's Chinese name.

        Returns
        -------
        int
            Its index.
        """
        if name not in self.names:
            msg = f"County {name!r} is not in the boundaries; known counties: {', '.join(self.names)}."
            raise ValueError(msg)
        return self.names.index(name)

    def locate(self, lon: Floats, lat: Floats) -> Ints:
        """Return the county index of each WGS-84 point, or ``OUTSIDE``.

        Parameters
        ----------
        lon, lat
            WGS-84 longitudes and latitudes in degrees.

        Returns
        -------
        ndarray of int64
            The county index of each point, or ``OUTSIDE``.
        """
        out = np.full(len(lon), OUTSIDE, dtype=np.int64)
        for i, geom in enumerate(self.geoms):
            todo = np.flatnonzero(out == OUTSIDE)
            inside = shapely.contains_xy(geom, lon[todo], lat[todo])
            out[todo[inside]] = i
        return out

    def margin_m(self, x_m: Floats, y_m: Floats, county: Ints) -> Floats:
        """Return the distance in metres from EPSG:4549 points to the border of the given counties.

        Parameters
        ----------
        x_m, y_m
            EPSG:4549 coordinates in metres.
        county
            The county index of each point.

        Returns
        -------
        ndarray of float
            Distance from each point to its county's border, in metres.
        """
        return np.asarray(shapely.distance(self.boundaries_m[county], shapely.points(x_m, y_m)), dtype="float64")


def to_metric_xy(lon: Floats, lat: Floats) -> tuple[Floats, Floats]:
    """Return EPSG:4549 x/y in metres of WGS-84 points.

    Parameters
    ----------
    lon, lat
        WGS-84 longitudes and latitudes in degrees.

    Returns
    -------
    tuple of ndarray
        ``(x, y)`` in EPSG:4549, metres.
    """
    metric = to_metric(gpd.GeoSeries.from_xy(lon, lat, crs=WGS84))
    return metric.x.to_numpy(dtype="float64"), metric.y.to_numpy(dtype="float64")


def to_wgs84_xy(x_m: Floats, y_m: Floats) -> tuple[Floats, Floats]:
    """Return WGS-84 longitude/latitude of EPSG:4549 points.

    Parameters
    ----------
    x_m, y_m
        EPSG:4549 coordinates in metres.

    Returns
    -------
    tuple of ndarray
        ``(lon, lat)`` in WGS-84 degrees.
    """
    wgs = gpd.GeoSeries.from_xy(x_m, y_m, crs=CGCS2000_GK_120E).to_crs(WGS84)
    return wgs.x.to_numpy(dtype="float64"), wgs.y.to_numpy(dtype="float64")


def publish(lon: Floats, lat: Floats, index: CountyIndex) -> tuple[Floats, Floats, Ints]:
    """Return GCJ-02 coordinates rounded as published, and the county of that published position.

    Parameters
    ----------
    lon, lat
        True WGS-84 positions.
    index
        The counties.

    Returns
    -------
    GCJ-02 longitude and latitude rounded to ``COORD_DECIMALS``, and the
    county index of the rounded position converted back to WGS-84
    (``OUTSIDE`` when it is in no county).
    """
    gcj_lon, gcj_lat = wgs84_to_gcj02(lon, lat)
    gcj_lon = np.round(np.asarray(gcj_lon, dtype="float64"), COORD_DECIMALS)
    gcj_lat = np.round(np.asarray(gcj_lat, dtype="float64"), COORD_DECIMALS)
    back_lon, back_lat = gcj02_to_wgs84(gcj_lon, gcj_lat)
    return gcj_lon, gcj_lat, index.locate(np.asarray(back_lon), np.asarray(back_lat))


def gaussian_points(
    rng: np.random.Generator,
    *,
    centre_m: tuple[Floats, Floats],
    sigma_m: tuple[Floats, Floats],
    angle_deg: Floats,
) -> tuple[Floats, Floats]:
    """Draw one point per row from anisotropic Gaussian blobs, in metres.

    ``sigma_m`` holds the standard deviations along the major and minor axis;
    ``angle_deg`` turns the major axis anticlockwise from east.

    Parameters
    ----------
    rng
        The random generator (seeded by the caller).
    centre_m
        ``(x, y)`` of each blob's centre, EPSG:4549 metres.
    sigma_m
        ``(major, minor)`` standard deviations in metres.
    angle_deg
        The major axis's angle from east, anticlockwise, per row.

    Returns
    -------
    tuple of ndarray
        ``(x, y)`` of one point per row, EPSG:4549 metres.
    """
    dx = rng.standard_normal(len(angle_deg)) * sigma_m[0]
    dy = rng.standard_normal(len(angle_deg)) * sigma_m[1]
    theta = np.radians(angle_deg)
    cos, sin = np.cos(theta), np.sin(theta)
    return centre_m[0] + cos * dx - sin * dy, centre_m[1] + sin * dx + cos * dy


def disc_points(rng: np.random.Generator, *, centre_m: tuple[Floats, Floats], sigma_m: float, max_radius_m: float) -> tuple[Floats, Floats]:
    """Draw Gaussian points around centres, pulling any beyond ``max_radius_m`` back inside it.

    Parameters
    ----------
    rng
        The random generator (seeded by the caller).
    centre_m
        ``(x, y)`` of each centre, EPSG:4549 metres.
    sigma_m
        The standard deviation in metres.
    max_radius_m
        No point lies farther than this from its centre.

    Returns
    -------
    tuple of ndarray
        ``(x, y)`` of one point per centre, EPSG:4549 metres.
    """
    n = len(centre_m[0])
    dx = rng.standard_normal(n) * sigma_m
    dy = rng.standard_normal(n) * sigma_m
    radius = np.hypot(dx, dy)
    too_far = radius > max_radius_m
    shrink = np.ones(n)
    shrink[too_far] = max_radius_m * rng.uniform(0.3, 1.0, too_far.sum()) / radius[too_far]
    return centre_m[0] + dx * shrink, centre_m[1] + dy * shrink


def place_inside(
    rng: np.random.Generator,
    index: CountyIndex,
    *,
    centre_m: tuple[Floats, Floats],
    county: Ints,
    sigma_m: float,
    margin_m: float,
    max_rounds: int = 200,
) -> tuple[Floats, Floats, Floats, Floats]:
    """Scatter one point around each centre so that it lies ``margin_m`` inside its county.

    Returns EPSG:4549 x/y and the published GCJ-02 longitude/latitude. Points
    that fail are redrawn; raise ``ValueError`` if a centre is so close to
    its border that no draw succeeds.

    Parameters
    ----------
    rng
        The random generator (seeded by the caller).
    index
        The counties.
    centre_m
        ``(x, y)`` of each centre, EPSG:4549 metres.
    county
        The county index each point must fall in.
    sigma_m
        The scatter's standard deviation in metres.
    margin_m
        How far inside its county each point must lie, in metres.
    max_rounds
        How many times failed points are redrawn.

    Returns
    -------
    tuple of ndarray
        ``(x, y, gcj_lon, gcj_lat)``: EPSG:4549 metres and GCJ-02 degrees.
    """
    n = len(county)
    x, y = np.empty(n), np.empty(n)
    gcj_lon, gcj_lat = np.empty(n), np.empty(n)
    todo = np.arange(n)
    for _ in range(max_rounds):
        if todo.size == 0:
            return x, y, gcj_lon, gcj_lat
        tx, ty = disc_points(rng, centre_m=(centre_m[0][todo], centre_m[1][todo]), sigma_m=sigma_m, max_radius_m=4 * sigma_m)
        lon, lat = to_wgs84_xy(tx, ty)
        glon, glat, found = publish(lon, lat, index)
        ok = (found == county[todo]) & (index.margin_m(tx, ty, county[todo]) >= margin_m)
        done = todo[ok]
        x[done], y[done], gcj_lon[done], gcj_lat[done] = tx[ok], ty[ok], glon[ok], glat[ok]
        todo = todo[~ok]
    msg = f"Could not place {todo.size} point(s) {margin_m:.0f} m inside their county; move their centres inland."
    raise ValueError(msg)


def nearest(x_m: Floats, y_m: Floats, *, group: Ints, targets_x_m: Floats, targets_y_m: Floats, target_group: Ints) -> Ints:
    """Return, for each point, the index of the nearest target in the same group (``-1`` if the group has none).

    Parameters
    ----------
    x_m, y_m
        The points, EPSG:4549 metres.
    group
        Each point's group (such as its county).
    targets_x_m, targets_y_m
        The targets, EPSG:4549 metres.
    target_group
        Each target's group.

    Returns
    -------
    ndarray of int64
        The index of the nearest target in the same group, or -1.
    """
    out = np.full(len(x_m), -1, dtype=np.int64)
    for g in np.unique(group):
        rows = np.flatnonzero(group == g)
        candidates = np.flatnonzero(target_group == g)
        if candidates.size == 0:
            continue
        d2 = (x_m[rows, None] - targets_x_m[candidates]) ** 2 + (y_m[rows, None] - targets_y_m[candidates]) ** 2
        out[rows] = candidates[np.argmin(d2, axis=1)]
    return out
