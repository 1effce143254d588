"""The synthetic city-wide enterprise list, as a planner receives it (see :mod:`geo.demo.sample`).

Firms in parks sit within ``IN_PARK_MAX_RADIUS_M`` of their park, as many as
the register's 入园企业数 (thinned a little: lists never match exactly). The
other firms come from a mixture of anisotropic Gaussian blobs: the industrial
clusters of :data:`geo.demo.clusters.CLUSTERS` (each a broad blob plus a few
tight hot spots), a background around every township centre, and a thin
uniform scatter over the city. Points outside the city are redrawn; the county
is the one containing the published position.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.crs import gcj02_to_wgs84
from geo.demo import clusters as sc
from geo.demo.clusters import SamplePlaces, load_places
from geo.demo.space import OUTSIDE, CountyIndex, disc_points, gaussian_points, nearest, publish, to_metric_xy, to_wgs84_xy
from geo.demo.timeline import SampleTimeline, sample_timeline

ENTERPRISE_HEADERS = (
    "统一社会信用代码", "企业名称", "所在区县", "所在镇街", "行业", "八大万亿产业", "企业规模", "成立日期",
    "是否入园", "所在园区", "是否规上", "是否科技型", "经度", "纬度",
)  # fmt: skip

CLUSTER_SHARE, TOWN_SHARE, UNIFORM_SHARE = 0.55, 0.40, 0.05  # of the firms outside parks
CLUSTER_CORE_SHARE = 0.6  # of a cluster's firms in its broad blob; the rest in hot spots
HOT_SPOTS_PER_CLUSTER, HOT_SPOT_SIGMA_M = 3, (300.0, 800.0)
HOT_SPOT_SPREAD = 0.6  # hot-spot centres scatter over this fraction of the core's sigmas
CLUSTER_INDUSTRY_RATE = 0.8  # firms in a cluster that belong to its industry
SEAT_WEIGHT = 2.5  # towns with at least this background weight are county seats: wider blobs
SEAT_SIGMA_M, TOWN_SIGMA_M = (3000.0, 2200.0), (1300.0, 900.0)
IN_PARK_SIGMA_M, IN_PARK_MAX_RADIUS_M = 70.0, 250.0
IN_PARK_LISTED = (0.85, 1.0)  # share of a park's 入园企业数 found in the list, uniform range
IN_PARK_MAX_SHARE = 0.3  # of the list, for tiny lists
PARK_INDUSTRY_RATE = 0.75  # in-park firms in the park's 主导产业
SMALL_SHARE = 0.14  # 小型 among firms that are not above scale (the rest 微型)
ABOVE_SCALE_RATE = {"小型": 0.2, "微型": 0.005}
TECH_RATE = (0.25, 0.10, 0.02)  # tech-type share in TECH_, SEMI_TECH_ and other industries
MAJOR_LABEL_RATE = 0.32  # firms in an industry of the eight that the list labels so
FOUNDED_FROM = np.datetime64("1995-01-01")
FOUNDED_GROWTH_PER_YEAR = 0.07  # exponential growth of registrations: ~25 % founded in the last 3.5 years
ID_PREFIX = "SYN"  # 统一社会信用代码 of synthetic firms: SYN + adcode + 9 digits
NAME_PREFIX = "示例企业"
_MAX_ROUNDS = 50


def generate_enterprises(
    parks: pd.DataFrame,
    *,
    seed: int,
    n: int,
    counties: gpd.GeoDataFrame,
    places: SamplePlaces | None = None,
    timeline: SampleTimeline | None = None,
) -> pd.DataFrame:
    """Return a synthetic enterprise list with the Chinese headers of :data:`ENTERPRISE_HEADERS`.

    Parameters
    ----------
    parks
        A park register as made by :func:`geo.demo.parks.generate_parks`
        (GCJ-02 ``经度``/``纬度``, ``入园企业数``, ``规上企业数``, ...).
    seed
        Seed of the random generator; the same seed and parks give the same list.
    n
        Number of firms (rows).
    counties
        The city's counties, as for :func:`geo.demo.parks.generate_parks`.
    places, timeline
        The region's sample places and the plan's dates, as for
        :func:`geo.demo.parks.generate_parks` (defaults: the region in use, its chosen plan).

    Returns
    -------
    DataFrame, one row per firm in random order. ``经度``/``纬度`` are GCJ-02
    rounded to 6 decimals; the position converted back to WGS-84 lies in
    ``所在区县``. Flags are ``是``/``否``; blanks are missing values.
    """
    if not 0 <= n <= 10_000_000:
        msg = f"`n` must be between 0 and 10,000,000 firms, got {n}."
        raise ValueError(msg)
    index = CountyIndex.from_counties(counties)
    places = places or load_places(counties=counties)
    timeline = timeline or sample_timeline()
    rng = np.random.default_rng([seed, 1])
    inside = _in_park_firms(rng, parks, n, index)
    outside = _free_firms(rng, n - len(inside), index, places)
    firms = pd.concat([inside, outside], ignore_index=True)
    firms = firms.iloc[rng.permutation(len(firms))].reset_index(drop=True)
    return _enterprise_list(rng, firms, index, register_date=timeline.register_date)


def _in_park_firms(rng: np.random.Generator, parks: pd.DataFrame, n: int, index: CountyIndex) -> pd.DataFrame:
    """Return the firms in parks: position near the park, park name, township, industry, above-scale flag."""
    listed = parks["入园企业数"].fillna(0).to_numpy(dtype=float) * rng.uniform(*IN_PARK_LISTED, len(parks))
    if listed.sum() > IN_PARK_MAX_SHARE * n:
        listed *= IN_PARK_MAX_SHARE * n / listed.sum()
    counts = np.round(listed).astype(int)
    park = np.repeat(np.arange(len(parks)), counts)
    above_share = parks["规上企业数"].fillna(0).to_numpy(dtype=float) / np.maximum(parks["入园企业数"].fillna(0).to_numpy(dtype=float), 1)
    rank = pd.Series(rng.random(len(park))).groupby(park).rank(method="first").to_numpy() - 1
    lon, lat = gcj02_to_wgs84(parks["经度"].to_numpy(dtype=float), parks["纬度"].to_numpy(dtype=float))
    park_x, park_y = to_metric_xy(np.asarray(lon), np.asarray(lat))
    x, y = disc_points(rng, centre_m=(park_x[park], park_y[park]), sigma_m=IN_PARK_SIGMA_M, max_radius_m=IN_PARK_MAX_RADIUS_M)
    own = rng.random(len(park)) < PARK_INDUSTRY_RATE
    industry = np.where(own, parks["主导产业"].to_numpy(dtype=object)[park], _generic_industries(rng, len(park)))
    table = _located(pd.DataFrame({"x": x, "y": y, "industry": industry}), index)
    return table.assign(
        park=parks["园区名称"].to_numpy(dtype=object)[park],
        town=parks["所在镇街"].to_numpy(dtype=object)[park],
        above_scale=rank < np.round(above_share[park] * counts[park]),
    )


def _free_firms(rng: np.random.Generator, n: int, index: CountyIndex, places: SamplePlaces) -> pd.DataFrame:
    """Return ``n`` firms outside parks drawn from the cluster, town and uniform mixture, all inside the city."""
    comps = _components(rng, places)
    if n <= 0:
        return pd.DataFrame(columns=["x", "y", "industry", "gcj_lon", "gcj_lat", "county", "park", "town", "above_scale"])
    p = np.append(comps["weight"].to_numpy(), UNIFORM_SHARE)
    chunks, have = [], 0
    for _ in range(_MAX_ROUNDS):
        if have >= n:
            break
        m = int((n - have) * 1.3) + 100
        pick = rng.choice(len(p), size=m, p=p / p.sum())
        x, y = _mixture_points(rng, comps, pick, index)
        own = np.append(comps["industry"].to_numpy(dtype=object), "")[pick]
        own_used = (own != "") & (rng.random(m) < CLUSTER_INDUSTRY_RATE)
        industry = np.where(own_used, own, _generic_industries(rng, m))
        table = _located(pd.DataFrame({"x": x, "y": y, "industry": industry}), index)
        table = table[table["county"] != OUTSIDE]
        chunks.append(table)
        have += len(table)
    if have < n:
        msg = f"Could not place {n} firms inside the counties in {_MAX_ROUNDS} rounds; check the county boundaries."
        raise ValueError(msg)
    free = pd.concat(chunks, ignore_index=True).iloc[:n]
    towns = _town_table(index, places)
    which = nearest(
        free["x"].to_numpy(), free["y"].to_numpy(), group=free["county"].to_numpy(),
        targets_x_m=towns["x"].to_numpy(), targets_y_m=towns["y"].to_numpy(), target_group=towns["county"].to_numpy(),
    )  # fmt: skip
    town = towns["name"].to_numpy(dtype=object)[which]
    return free.assign(park=None, town=np.where(which >= 0, town, None), above_scale=False)


def _components(rng: np.random.Generator, places: SamplePlaces) -> pd.DataFrame:
    """Return the Gaussian blobs: centre and sigmas in metres, angle, weight (summing to 1 - UNIFORM_SHARE), industry."""
    return pd.concat([*_cluster_components(rng, places), _town_components(rng, places)], ignore_index=True)


def _cluster_components(rng: np.random.Generator, places: SamplePlaces) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return each cluster's broad core blob and its tight hot spots, which lie within the core."""
    cl = pd.DataFrame(list(places.clusters), columns=list(sc.Cluster._fields))
    cx, cy = to_metric_xy(cl["lon"].to_numpy(), cl["lat"].to_numpy())
    weight = cl["weight"].to_numpy() / cl["weight"].sum() * CLUSTER_SHARE
    cores = pd.DataFrame(
        {
            "x": cx,
            "y": cy,
            "sx": cl["sigma_major_m"],
            "sy": cl["sigma_minor_m"],
            "angle": cl["angle_deg"],
            "weight": weight * CLUSTER_CORE_SHARE,
            "industry": cl["industry"],
        }
    )
    spot = np.repeat(np.arange(len(cl)), HOT_SPOTS_PER_CLUSTER)
    sx, sy = gaussian_points(
        rng,
        centre_m=(cx[spot], cy[spot]),
        sigma_m=(cores["sx"].to_numpy()[spot] * HOT_SPOT_SPREAD, cores["sy"].to_numpy()[spot] * HOT_SPOT_SPREAD),
        angle_deg=cores["angle"].to_numpy()[spot],
    )
    sigma = rng.uniform(*HOT_SPOT_SIGMA_M, len(spot))
    spots = pd.DataFrame(
        {
            "x": sx,
            "y": sy,
            "sx": sigma,
            "sy": sigma * rng.uniform(0.5, 1.0, len(spot)),
            "angle": rng.uniform(0, 180, len(spot)),
            "weight": weight[spot] * (1 - CLUSTER_CORE_SHARE) / HOT_SPOTS_PER_CLUSTER,
            "industry": cl["industry"].to_numpy()[spot],
        }
    )
    return cores, spots


def _town_components(rng: np.random.Generator, places: SamplePlaces) -> pd.DataFrame:
    """Return the background blob around each township, wider around county seats."""
    tw = pd.DataFrame(list(places.towns), columns=list(sc.Town._fields))
    tx, ty = to_metric_xy(tw["lon"].to_numpy(), tw["lat"].to_numpy())
    seat = tw["background_weight"].to_numpy() >= SEAT_WEIGHT
    return pd.DataFrame(
        {
            "x": tx,
            "y": ty,
            "sx": np.where(seat, SEAT_SIGMA_M[0], TOWN_SIGMA_M[0]),
            "sy": np.where(seat, SEAT_SIGMA_M[1], TOWN_SIGMA_M[1]),
            "angle": rng.uniform(0, 180, len(tw)),
            "weight": tw["background_weight"].to_numpy() / tw["background_weight"].sum() * TOWN_SHARE,
            "industry": "",
        }
    )


def _mixture_points(rng: np.random.Generator, comps: pd.DataFrame, pick: np.ndarray, index: CountyIndex) -> tuple[np.ndarray, np.ndarray]:
    """Return metric x/y for mixture draws ``pick`` (the last index is the uniform scatter)."""
    blob = np.minimum(pick, len(comps) - 1)
    x, y = gaussian_points(
        rng,
        centre_m=(comps["x"].to_numpy()[blob], comps["y"].to_numpy()[blob]),
        sigma_m=(comps["sx"].to_numpy()[blob], comps["sy"].to_numpy()[blob]),
        angle_deg=comps["angle"].to_numpy()[blob],
    )
    uniform = pick == len(comps)
    xmin, ymin, xmax, ymax = index.bounds_m
    x[uniform] = rng.uniform(xmin, xmax, uniform.sum())
    y[uniform] = rng.uniform(ymin, ymax, uniform.sum())
    return x, y


def _located(table: pd.DataFrame, index: CountyIndex) -> pd.DataFrame:
    """Add WGS-84 and published GCJ-02 coordinates and the county index of the published position."""
    lon, lat = to_wgs84_xy(table["x"].to_numpy(), table["y"].to_numpy())
    gcj_lon, gcj_lat, county = publish(lon, lat, index)
    return table.assign(gcj_lon=gcj_lon, gcj_lat=gcj_lat, county=county)


def _town_table(index: CountyIndex, places: SamplePlaces) -> pd.DataFrame:
    """Return township names with metric centres and county index."""
    tw = pd.DataFrame(list(places.towns), columns=list(sc.Town._fields))
    x, y = to_metric_xy(tw["lon"].to_numpy(), tw["lat"].to_numpy())
    return pd.DataFrame({"name": tw["name"], "x": x, "y": y, "county": [index.position(c) for c in tw["county"]]})


def _generic_industries(rng: np.random.Generator, n: int) -> np.ndarray:
    """Return ``n`` industries drawn from the background mix."""
    names = np.array([name for name, _ in sc.GENERIC_INDUSTRIES], dtype=object)
    weights = np.array([w for _, w in sc.GENERIC_INDUSTRIES])
    return names[rng.choice(len(names), size=n, p=weights / weights.sum())]


def _founding_dates(rng: np.random.Generator, n: int, register_date: pd.Timestamp) -> np.ndarray:
    """Return founding dates (YYYY-MM-DD strings) up to the register's date, more frequent in recent years."""
    span = (register_date - pd.Timestamp(FOUNDED_FROM)).days
    rate = FOUNDED_GROWTH_PER_YEAR / 365.25
    days = np.floor(np.log1p(rng.random(n) * np.expm1(rate * span)) / rate).astype(np.int64)
    return np.datetime_as_string(FOUNDED_FROM + np.minimum(days, span).astype("timedelta64[D]"), unit="D")


def _enterprise_list(rng: np.random.Generator, firms: pd.DataFrame, index: CountyIndex, *, register_date: pd.Timestamp) -> pd.DataFrame:
    """Return the list with identifiers, attributes and the Chinese headers."""
    n = len(firms)
    industry = firms["industry"].to_numpy(dtype=object)
    above = firms["above_scale"].to_numpy(dtype=bool)
    size = np.where(rng.random(n) < np.where(above, 0.85, SMALL_SHARE), "小型", "微型")
    free = firms["park"].isna().to_numpy()
    above = np.where(free, rng.random(n) < np.where(size == "小型", ABOVE_SCALE_RATE["小型"], ABOVE_SCALE_RATE["微型"]), above)
    major = pd.Series(industry).map(sc.MAJOR_INDUSTRY_OF).to_numpy(dtype=object)
    major = np.where(pd.notna(major) & (rng.random(n) < MAJOR_LABEL_RATE), major, None)
    tech_rate = np.select(
        [np.isin(industry, list(sc.TECH_INDUSTRIES)), np.isin(industry, list(sc.SEMI_TECH_INDUSTRIES))], TECH_RATE[:2], TECH_RATE[2]
    )
    adcode = np.array(index.adcodes, dtype=object)[firms["county"].to_numpy(dtype=np.int64)]
    number = pd.Series(np.arange(1, n + 1)).astype(str)
    width = max(6, len(str(n)))
    return pd.DataFrame(
        {
            "统一社会信用代码": ID_PREFIX + pd.Series(adcode) + number.str.zfill(9),
            "企业名称": NAME_PREFIX + number.str.zfill(width),
            "所在区县": np.array(index.names, dtype=object)[firms["county"].to_numpy(dtype=np.int64)],
            "所在镇街": firms["town"].to_numpy(dtype=object),
            "行业": industry,
            "八大万亿产业": major,
            "企业规模": size,
            "成立日期": _founding_dates(rng, n, register_date),
            "是否入园": np.where(free, "否", "是"),
            "所在园区": firms["park"].to_numpy(dtype=object),
            "是否规上": np.where(above, "是", "否"),
            "是否科技型": np.where(rng.random(n) < tech_rate, "是", "否"),
            "经度": firms["gcj_lon"].to_numpy(),
            "纬度": firms["gcj_lat"].to_numpy(),
        },
        columns=list(ENTERPRISE_HEADERS),
    )
