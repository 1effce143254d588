"""Places and industries behind the synthetic sample data (see :mod:`geo.demo.sample`).

The places are data: ``data/regions/<adcode>/sample_places.json`` holds a
region's township centres and industrial clusters (Shaoxing's were written
from general knowledge of its economic geography: good enough for plausible
synthetic data, not a gazetteer; the tests check each position against the
county polygons). A region without that file gets a generic set made from
its county polygons (:func:`generic_places`): a few made-up "片区" per county
with common industries. The industry tables below are the same everywhere.

Units: Gaussian blob sizes are standard deviations in metres along the major
and minor axis; ``angle_deg`` turns the major axis anticlockwise from east.
Positions are WGS-84 longitude/latitude.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Final, NamedTuple

import geopandas as gpd
import numpy as np
import shapely

from geo.crs import WGS84, to_metric
from geo.errors import GeoDataError
from geo.region.region import Region, load_region


class County(NamedTuple):
    """A county's short name (for park and operator names) and share of parks."""

    name: str
    short: str
    park_share: float


class Town(NamedTuple):
    """A township (镇街) centre with its weight in the background and its park industries."""

    county: str
    name: str
    short: str
    lon: float
    lat: float
    background_weight: float
    park_weight: float
    park_industries: tuple[str, ...]


class Cluster(NamedTuple):
    """An industrial cluster: an anisotropic Gaussian blob of firms of one industry."""

    industry: str
    town: str
    lon: float
    lat: float
    sigma_major_m: float
    sigma_minor_m: float
    angle_deg: float
    weight: float


@dataclass(frozen=True)
class SamplePlaces:
    """The places of one region's synthetic sample."""

    city_short: str  # for operator names (<city short name>…园区运营有限公司)
    counties: tuple[County, ...]
    towns: tuple[Town, ...]
    clusters: tuple[Cluster, ...]
    service_industries: tuple[str, ...]
    generic: bool = False  # made from the county polygons, not from place knowledge


PLACES_FILE = "sample_places.json"
GENERIC_TOWNS_PER_COUNTY = 4  # the county seat and three more 片区
GENERIC_TOWN_MARGIN_M = 2_000.0  # made-up centres lie at least this far inside their county
GENERIC_PARK_INDUSTRIES: Final = ("机械装备", "新材料", "电子信息", "纺织", "智能装备", "汽配", "金属制品", "食品加工")
_GENERIC_NUMERALS = "一二三四五六七八九"


def load_places(region: Region | None = None, *, counties: gpd.GeoDataFrame | None = None) -> SamplePlaces:
    """Return the places of a region's synthetic sample: its ``sample_places.json``, else a generic set.

    Parameters
    ----------
    region
        The region (default: the region in use).
    counties
        Its county polygons (any CRS), for the generic set; loaded when needed.

    Returns
    -------
    SamplePlaces
        Counties, towns and clusters of the sample.
    """
    region = region or load_region()
    path = region.folder / PLACES_FILE
    if not path.exists():
        if counties is None:
            from geo.region.boundaries import load_counties

            counties = load_counties(city_adcode=region.adcode)
        return generic_places(region, counties)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return SamplePlaces(
            city_short=region.short_name,
            counties=tuple(County(c["name"], c["short"], float(c["park_share"])) for c in raw["counties"]),
            towns=tuple(_town(row) for row in raw["towns"]),
            clusters=tuple(Cluster(*row) for row in raw["clusters"]),
            service_industries=tuple(raw.get("service_industries", SERVICE_INDUSTRIES)),
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        msg = f"{path} cannot be read as the sample's places: {exc}"
        raise GeoDataError(msg) from exc


def _town(row: list) -> Town:
    county, name, short, lon, lat, background, park, industries = row
    return Town(str(county), str(name), str(short), float(lon), float(lat), float(background), float(park), tuple(industries))


def generic_places(region: Region, counties: gpd.GeoDataFrame) -> SamplePlaces:
    """Return made-up places spread over a region's county polygons (for a region without place knowledge).

    Each county gets its seat (a point well inside it) and three more 片区
    drawn inside it at least ``GENERIC_TOWN_MARGIN_M`` from its border, each
    with two common industries and one cluster. Parks are shared out half
    equally, half by county area. The same polygons give the same places.

    Parameters
    ----------
    region
        The region (for short names).
    counties
        Its county polygons (``adcode``, ``name``), any CRS.

    Returns
    -------
    SamplePlaces
        The places, marked ``generic``.
    """
    metric = to_metric(counties.to_crs(WGS84))
    area = metric.area.to_numpy()
    shares = 0.5 / len(metric) + 0.5 * area / area.sum()
    short_of = {c.adcode: c.short_name for c in region.counties}
    rng = np.random.default_rng([int(region.adcode), 7])
    county_rows, towns, clusters = [], [], []
    for (adcode, name, geometry), share in zip(metric[["adcode", "name", "geometry"]].itertuples(index=False), shares, strict=True):
        short = short_of.get(str(adcode), str(name)[:-1] if len(str(name)) > 2 else str(name))
        county_rows.append(County(str(name), short, float(share)))
        for k, (x, y) in enumerate(_generic_centres(rng, geometry)):
            lon, lat = gpd.GeoSeries([shapely.Point(x, y)], crs=metric.crs).to_crs(WGS84).iloc[0].coords[0]
            town = f"{short}{_GENERIC_NUMERALS[k]}片区" if k else f"{short}城区"
            industries = tuple(str(i) for i in rng.choice(GENERIC_PARK_INDUSTRIES, size=2, replace=False))
            lon, lat = round(lon, 4), round(lat, 4)
            seat_weight = 3.0 if k == 0 else 1.0
            towns.append(Town(str(name), town, town.removesuffix("片区"), lon, lat, seat_weight, 2.0, industries))
            clusters.append(Cluster(industries[0], town, lon, lat, 1500.0, 1000.0, float(rng.uniform(0, 180)), 2.0))
    return SamplePlaces(region.short_name, tuple(county_rows), tuple(towns), tuple(clusters), SERVICE_INDUSTRIES, generic=True)


def _generic_centres(rng: np.random.Generator, polygon: shapely.Geometry) -> list[tuple[float, float]]:
    """Return the seat (a point on the polygon's surface, well inside) and more centres inside a metric polygon."""
    inner = polygon.buffer(-GENERIC_TOWN_MARGIN_M)
    inner = inner if not inner.is_empty else polygon
    seat = shapely.point_on_surface(inner)
    centres = [(seat.x, seat.y)]
    x0, y0, x1, y1 = inner.bounds
    shapely.prepare(inner)
    while len(centres) < GENERIC_TOWNS_PER_COUNTY:
        x, y = rng.uniform(x0, x1, 64), rng.uniform(y0, y1, 64)
        inside = shapely.contains_xy(inner, x, y)
        centres.extend(zip(x[inside].tolist(), y[inside].tolist(), strict=True))
    return centres[:GENERIC_TOWNS_PER_COUNTY]


# 主导产业 of producer-service parks (生产性服务类).
SERVICE_INDUSTRIES: Final = ("电子商务", "科技研发", "数字经济", "现代物流", "文化创意", "检验检测")

# Industries of firms outside the clusters, with relative weights.
GENERIC_INDUSTRIES: Final = (
    ("批发和零售", 30.0),
    ("商务服务", 12.0),
    ("建筑装饰", 9.0),
    ("住宿和餐饮", 8.0),
    ("居民服务", 6.0),
    ("交通物流", 5.0),
    ("软件和信息技术服务", 5.0),
    ("机械装备", 6.0),
    ("金属制品", 4.0),
    ("食品加工", 3.0),
    ("农林牧渔", 4.0),
    ("文化体育", 3.0),
    ("科技推广和应用服务", 3.0),
    ("环保工程", 1.5),
    ("金融服务", 1.0),
)

# 行业 -> the plan's eight major (万亿) industries; industries not listed have none.
MAJOR_INDUSTRY_OF: Final = {
    "纺织": "时尚",
    "印染": "时尚",
    "化纤": "时尚",
    "经编": "时尚",
    "非织造布": "时尚",
    "袜业": "时尚",
    "服装": "时尚",
    "领带": "时尚",
    "珍珠": "时尚",
    "制伞": "时尚",
    "铜材五金": "高端装备制造",
    "管业阀门": "高端装备制造",
    "轴承": "高端装备制造",
    "厨具电器": "高端装备制造",
    "智能装备": "高端装备制造",
    "机械装备": "高端装备制造",
    "电机": "高端装备制造",
    "汽配": "高端装备制造",
    "纺机": "高端装备制造",
    "集成电路": "数字经济",
    "电子信息": "数字经济",
    "电子商务": "数字经济",
    "软件和信息技术服务": "数字经济",
    "科技推广和应用服务": "数字经济",
    "生物医药": "健康",
    "居民服务": "健康",
    "住宿和餐饮": "旅游",
    "文化体育": "文化",
    "环保工程": "环保",
    "环保装备": "环保",
    "金融服务": "金融",
    "黄酒酿造": "文化",
}

# Industries where tech-type (科技型) firms are common, and where they are rare.
TECH_INDUSTRIES: Final = frozenset({"集成电路", "电子信息", "软件和信息技术服务", "科技推广和应用服务", "生物医药"})
SEMI_TECH_INDUSTRIES: Final = frozenset({"智能装备", "轴承", "新材料", "化工新材料", "电机", "环保装备"})
