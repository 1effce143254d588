"""The synthetic park register (小微企业园台账), as a planner receives it (see :mod:`geo.demo.sample`).

One row per park, with the register's Chinese headers. Parks are drawn per
county (shares in the region's :class:`geo.demo.clusters.SamplePlaces`), placed
around its townships at least ``PARK_MARGIN_M`` inside their county, and given
dates, sizes and operating figures that agree with each other as of the
register date (:mod:`geo.demo.timeline`). Floor areas are scaled so that the
parks completed by the plan's deadline total close to the plan's target.
"""

from __future__ import annotations

from collections import Counter

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.demo.clusters import SamplePlaces, load_places
from geo.demo.space import CountyIndex, place_inside, to_metric_xy
from geo.demo.timeline import FLOOR_AREA_PER_PARK_M2, SampleTimeline, sample_timeline
from geo.schema import PARK_TYPE_LABELS_ZH, SQM_PER_MU, SQM_PER_WAN_SQM, STATUS_LABELS_ZH

PARK_HEADERS = (
    "序号", "园区名称", "所在区县", "所在镇街", "园区类型", "建设状态", "建筑面积(万平方米)", "占地面积(亩)",
    "开工日期", "竣工日期", "认定日期", "星级", "入园企业数", "规上企业数", "入驻率(%)", "亩均税收(万元/亩)",
    "主导产业", "运营主体", "经度", "纬度", "备注",
)  # fmt: skip

# Dates (register date, deadline, completion years, certification batches) come from the plan: geo.demo.timeline.
PARKS_AT_TARGET = 150  # a register of this many parks totals near the plan's floor-area target at its deadline

PRODUCER_SERVICE_SHARE = 0.12  # 生产性服务类 among parks
SERVICE_TOWN_MIN_WEIGHT = 1.0  # ...placed only in towns with at least this background weight
FIRST_INDUSTRY_SHARE = 0.65  # a town's parks mostly follow its first industry
DONE_BY_TARGET_SHARE = (0.90, 0.96)  # share of parks completed by the deadline (uniform range)
LATE_STAGE_SHARES = (0.35, 0.45, 0.20)  # the rest: completed after the deadline, under construction, planned
BUILD_DAYS = (365, 1095)  # construction takes 1-3 years
CERTIFY_MIN_DAYS = 60  # a batch considers parks completed at least this long before it
CERTIFY_RATE = 0.85  # share of completed parks that apply for certification
CERTIFY_BATCH_DELAY_P = (0.55, 0.30, 0.15)  # certified in the first, second or third eligible batch
FLOOR_AREA_SPREAD = (0.95, 1.04)  # counted total / target, uniform range
# Land area: a floor plus a log-normal excess (most parks 35-120 亩), capped.
LAND_MU_FLOOR, LAND_MU_EXCESS_MEDIAN, LAND_MU_SIGMA, LAND_MU_MAX = 33.0, 13.0, 0.8, 200.0
PLOT_RATIO_TRIANGLE = (1.5, 1.8, 3.2)
OUTLIER_SHARE = 0.04  # parks with a plot ratio or land area outside the usual ranges
SQM_PER_FIRM = (600.0, 1400.0)
TAX_PER_MU_MEDIAN, TAX_PER_MU_SIGMA, TAX_PER_MU_RANGE = 30.0, 0.45, (10.0, 80.0)
PARK_SIGMA_M = 1500.0  # parks scatter this far around their township centre
PARK_MARGIN_M = 600.0  # ...and stay this far inside their county, so in-park firms do too
MAX_PARKS = 1000  # ample for a city (about 150); more crowd the townships past PARK_MIN_SPACING_M
PARK_MIN_SPACING_M = 500.0  # parks closer than this look like duplicate entries to the importer
_MAX_SPACING_ROUNDS = 100

_STAGE_PLANNED, _STAGE_BUILDING, _STAGE_DONE_LATE, _STAGE_DONE = 0, 1, 2, 3
_PHASES = "一二三四五六七八九十"
_OPERATOR_TEMPLATES = ("{city}{place}园区运营有限公司", "{city}{place}小微园开发建设有限公司", "{place}{industry}产业园管理有限公司")


def generate_parks(
    *, seed: int, n_parks: int, counties: gpd.GeoDataFrame, places: SamplePlaces | None = None, timeline: SampleTimeline | None = None
) -> pd.DataFrame:
    """Return a synthetic park register with the Chinese headers of :data:`PARK_HEADERS`.

    Parameters
    ----------
    seed
        Seed of the random generator; the same seed gives the same table.
    n_parks
        Number of parks (rows).
    counties
        The city's counties (any CRS; e.g. :func:`geo.region.boundaries.load_counties`)
        with ``adcode`` and ``name`` columns naming the counties of ``places``.
    places
        Counties, towns and clusters (default: :func:`geo.demo.clusters.load_places`
        for the region in use).
    timeline
        Dates and floor-area total (default: :func:`geo.demo.timeline.sample_timeline`
        of the chosen plan).

    Returns
    -------
    DataFrame, one row per park, ordered by county and start date. ``经度`` /
    ``纬度`` are GCJ-02 (as geocoded by Amap), rounded to 6 decimals; dates are
    ``datetime64``; blanks are missing values.
    """
    if not 1 <= n_parks <= MAX_PARKS:
        msg = f"`n_parks` must be between 1 and {MAX_PARKS}, got {n_parks}."
        raise ValueError(msg)
    index = CountyIndex.from_counties(counties)
    places = places or load_places(counties=counties)
    timeline = timeline or sample_timeline()
    rng = np.random.default_rng([seed, 0])
    table = _park_places(rng, n_parks, places)
    table = table.join(_park_dates(rng, n_parks, timeline))
    table = table.join(_park_sizes(rng, table["stage"].to_numpy(), timeline))
    table = table.join(_park_operations(rng, table))
    table = table.join(_park_positions(rng, table, index, places))
    return _park_register(rng, table, places, timeline)


def _park_places(rng: np.random.Generator, n: int, places: SamplePlaces) -> pd.DataFrame:
    """Return county, township, industry and type of each park."""
    shares = np.array([c.park_share for c in places.counties])
    counts = _largest_remainder(shares / shares.sum(), n)
    rows: list[dict[str, str]] = []
    for county, k in zip(places.counties, counts, strict=True):
        towns = [t for t in places.towns if t.county == county.name]
        industrial = [t for t in towns if t.park_weight > 0]
        by_industry = _weighted_choice(rng, industrial, [t.park_weight for t in industrial], k)
        urban = [t for t in towns if t.background_weight >= SERVICE_TOWN_MIN_WEIGHT]
        by_people = _weighted_choice(rng, urban, [t.background_weight for t in urban], k)
        service = rng.random(k) < PRODUCER_SERVICE_SHARE
        for is_service, industry_town, people_town in zip(service, by_industry, by_people, strict=True):
            town = people_town if is_service else industry_town
            if is_service:
                industry = str(rng.choice(places.service_industries))
            else:
                weights = [FIRST_INDUSTRY_SHARE] + [(1 - FIRST_INDUSTRY_SHARE) / max(len(town.park_industries) - 1, 1)] * (
                    len(town.park_industries) - 1
                )
                industry = _weighted_choice(rng, list(town.park_industries), weights, 1)[0]
            park_type = "producer_services" if is_service else "manufacturing"
            rows.append(
                {
                    "county": county.name,
                    "county_short": county.short,
                    "town": town.name,
                    "town_short": town.short,
                    "industry": industry,
                    "park_type": park_type,
                }
            )
    return pd.DataFrame(rows)


def _park_dates(rng: np.random.Generator, n: int, timeline: SampleTimeline) -> pd.DataFrame:
    """Return the stage, start, completion and certification date of each park."""
    done = round(n * rng.uniform(*DONE_BY_TARGET_SHARE))
    late = rng.multinomial(n - done, LATE_STAGE_SHARES)
    stage = np.repeat([_STAGE_DONE, _STAGE_DONE_LATE, _STAGE_BUILDING, _STAGE_PLANNED], [done, *late])
    stage = rng.permutation(stage)
    years = np.array(list(timeline.completion_year_weights))
    weights = np.array(list(timeline.completion_year_weights.values()), dtype=float)
    year = rng.choice(years, size=n, p=weights / weights.sum())
    completion = pd.to_datetime(year.astype(str)) + pd.to_timedelta(rng.integers(0, 365, n), unit="D")
    late_start = timeline.late_start
    completion = completion.where(stage != _STAGE_DONE_LATE, late_start + pd.to_timedelta(rng.integers(0, 181, n), unit="D"))
    room = np.minimum((completion - timeline.park_start_min).days.to_numpy(), BUILD_DAYS[1])
    start = completion - pd.to_timedelta(rng.integers(BUILD_DAYS[0], np.maximum(room, BUILD_DAYS[0]) + 1), unit="D")
    building_start = timeline.building_start + pd.to_timedelta(rng.integers(0, 1000, n), unit="D")
    planned_start = timeline.planned_start + pd.to_timedelta(rng.integers(0, 170, n), unit="D")
    start = start.where(stage != _STAGE_BUILDING, building_start).where(stage != _STAGE_PLANNED, planned_start)
    shortest = np.clip((timeline.register_date - start).days.to_numpy() + 30, *BUILD_DAYS)  # only used for unfinished parks
    future = start + pd.to_timedelta(rng.integers(shortest, BUILD_DAYS[1] + 1), unit="D")
    completion = completion.where(stage >= _STAGE_DONE_LATE, future)
    certified = _certification(rng, completion, stage, timeline)
    return pd.DataFrame({"stage": stage, "start": start, "completion": completion, "certified": certified})


def _certification(rng: np.random.Generator, completion: pd.DatetimeIndex, stage: np.ndarray, timeline: SampleTimeline) -> pd.Series:
    """Return the certification batch date of each park, NaT if not (yet) certified."""
    batches = pd.DatetimeIndex(timeline.certification_batches)
    first = batches.searchsorted(completion + pd.Timedelta(days=CERTIFY_MIN_DAYS))
    chosen = first + rng.choice(len(CERTIFY_BATCH_DELAY_P), size=len(stage), p=CERTIFY_BATCH_DELAY_P)
    applies = (rng.random(len(stage)) < CERTIFY_RATE) & (stage >= _STAGE_DONE_LATE) & (chosen < len(batches))
    dates = pd.Series(pd.NaT, index=range(len(stage)), dtype="datetime64[ns]")
    dates[applies] = batches[chosen[applies]]
    return dates.where(dates <= timeline.register_date)


def _park_sizes(rng: np.random.Generator, stage: np.ndarray, timeline: SampleTimeline) -> pd.DataFrame:
    """Return floor area (m²) and land area (亩), scaled so the counted parks total near the target."""
    n = len(stage)
    land_mu = np.minimum(LAND_MU_FLOOR + rng.lognormal(np.log(LAND_MU_EXCESS_MEDIAN), LAND_MU_SIGMA, n), LAND_MU_MAX)
    plot_ratio = rng.triangular(*PLOT_RATIO_TRIANGLE, n)
    outlier = rng.random(n) < OUTLIER_SHARE
    kind = rng.integers(0, 3, n)
    plot_ratio = np.where(outlier & (kind == 0), rng.uniform(0.9, 1.4, n), plot_ratio)
    plot_ratio = np.where(outlier & (kind == 1), rng.uniform(3.6, 4.5, n), plot_ratio)
    land_mu = np.where(outlier & (kind == 2), rng.uniform(220.0, 350.0, n), land_mu)
    floor_m2 = land_mu * SQM_PER_MU * plot_ratio
    counted = stage == _STAGE_DONE
    target = timeline.target_floor_area_m2 if timeline.target_floor_area_m2 is not None else FLOOR_AREA_PER_PARK_M2 * PARKS_AT_TARGET
    wanted = target * n / PARKS_AT_TARGET * rng.uniform(*FLOOR_AREA_SPREAD)
    scale = wanted / floor_m2[counted].sum() if counted.any() else 1.0
    floor_wan = np.round(floor_m2 * scale / SQM_PER_WAN_SQM, 2)
    return pd.DataFrame({"floor_area_m2": floor_wan * SQM_PER_WAN_SQM, "land_area_mu": np.round(land_mu * scale, 1)})


def _park_operations(rng: np.random.Generator, table: pd.DataFrame) -> pd.DataFrame:
    """Return star rating, firms, above-scale firms, occupancy and tax per 亩 of each park."""
    n = len(table)
    stage = table["stage"].to_numpy()
    certified = table["certified"].notna().to_numpy()
    built = stage >= _STAGE_DONE_LATE
    occupancy = np.where(certified, rng.uniform(80, 100, n), np.where(stage == _STAGE_DONE, rng.uniform(60, 98, n), rng.uniform(25, 75, n)))
    occupancy = np.where(built, np.round(occupancy, 1), np.nan)
    firms = np.clip(np.round(table["floor_area_m2"].to_numpy() * occupancy / 100 / rng.uniform(*SQM_PER_FIRM, n)), 10, 150)
    early_firms = np.where(rng.random(n) < 0.5, rng.integers(0, 9, n), np.nan)
    firms = np.where(built, firms, np.where(stage == _STAGE_BUILDING, early_firms, np.nan))
    above = np.where(np.isnan(firms), np.nan, rng.binomial(np.nan_to_num(firms).astype(int), rng.uniform(0.05, 0.25, n)))
    above = np.where(built, above, np.where(np.isnan(firms), np.nan, 0))
    tax = np.clip(rng.lognormal(np.log(TAX_PER_MU_MEDIAN), TAX_PER_MU_SIGMA, n), *TAX_PER_MU_RANGE)
    tax = np.where(stage == _STAGE_DONE, np.round(tax, 1), np.where(built, np.round(np.maximum(tax * 0.5, 10.0), 1), np.nan))
    stars = np.where(certified, rng.choice(["三星级", "四星级", "五星级"], n, p=[0.55, 0.33, 0.12]), "")
    stars = np.where(~certified & (stage == _STAGE_DONE), rng.choice(["", "一星级", "二星级"], n, p=[0.4, 0.2, 0.4]), stars)
    return pd.DataFrame(
        {
            "stars": pd.Series(stars, dtype=object).where(stars != "", None),
            "firms": pd.array(firms, dtype="Int64"),
            "above_scale": pd.array(above, dtype="Int64"),
            "occupancy_pct": occupancy,
            "tax_per_mu": tax,
        }
    )


def _park_positions(rng: np.random.Generator, table: pd.DataFrame, index: CountyIndex, places: SamplePlaces) -> pd.DataFrame:
    """Return published GCJ-02 longitude/latitude of each park, well inside its county."""
    town_of = {t.name: t for t in places.towns}
    lon = np.array([town_of[name].lon for name in table["town"]])
    lat = np.array([town_of[name].lat for name in table["town"]])
    centre = to_metric_xy(lon, lat)
    county = np.array([index.position(name) for name in table["county"]], dtype=np.int64)
    x, y, gcj_lon, gcj_lat = place_inside(rng, index, centre_m=centre, county=county, sigma_m=PARK_SIGMA_M, margin_m=PARK_MARGIN_M)
    for _ in range(_MAX_SPACING_ROUNDS):
        close = _too_close(x, y, PARK_MIN_SPACING_M)
        if close.size == 0:
            return pd.DataFrame({"gcj_lon": gcj_lon, "gcj_lat": gcj_lat})
        again = place_inside(
            rng, index, centre_m=(centre[0][close], centre[1][close]), county=county[close], sigma_m=PARK_SIGMA_M, margin_m=PARK_MARGIN_M
        )
        x[close], y[close], gcj_lon[close], gcj_lat[close] = again
    msg = f"Could not keep {PARK_MIN_SPACING_M:.0f} m between parks; too many parks for the townships ({len(table)})."
    raise ValueError(msg)


def _too_close(x_m: np.ndarray, y_m: np.ndarray, spacing_m: float) -> np.ndarray:
    """Return the rows that lie within ``spacing_m`` of an earlier row (metric coordinates)."""
    d2 = (x_m[:, None] - x_m[None, :]) ** 2 + (y_m[:, None] - y_m[None, :]) ** 2
    earlier = np.tril(d2 < spacing_m**2, k=-1)
    return np.flatnonzero(earlier.any(axis=1))


def _park_register(rng: np.random.Generator, table: pd.DataFrame, places: SamplePlaces, timeline: SampleTimeline) -> pd.DataFrame:
    """Return the register: names, operators and notes added, Chinese headers, one row per park."""
    county_order = {c.name: i for i, c in enumerate(places.counties)}
    table = table.assign(order=table["county"].map(county_order)).sort_values(["order", "start"], kind="stable")
    table = table.reset_index(drop=True)
    status = np.select(
        [table["certified"].notna(), table["stage"] >= _STAGE_DONE_LATE, table["stage"] == _STAGE_BUILDING],
        ["certified", "built", "under_construction"],
        default="planned",
    )
    return pd.DataFrame(
        {
            "序号": np.arange(1, len(table) + 1),
            "园区名称": _park_names(table),
            "所在区县": table["county"],
            "所在镇街": table["town"],
            "园区类型": table["park_type"].map(PARK_TYPE_LABELS_ZH),
            "建设状态": pd.Series(status).map(STATUS_LABELS_ZH),
            "建筑面积(万平方米)": np.round(table["floor_area_m2"] / SQM_PER_WAN_SQM, 2),
            "占地面积(亩)": table["land_area_mu"],
            "开工日期": table["start"],
            "竣工日期": table["completion"],
            "认定日期": table["certified"],
            "星级": table["stars"],
            "入园企业数": table["firms"],
            "规上企业数": table["above_scale"],
            "入驻率(%)": table["occupancy_pct"],
            "亩均税收(万元/亩)": table["tax_per_mu"],
            "主导产业": table["industry"],
            "运营主体": _operators(rng, table, city=places.city_short),
            "经度": table["gcj_lon"],
            "纬度": table["gcj_lat"],
            "备注": _notes(table, timeline),
        },
        columns=list(PARK_HEADERS),
    )


def _park_names(table: pd.DataFrame) -> list[str]:
    """Return unique names such as 大唐袜业小微企业园 and, for later phases, …（二期）, in start order."""
    base = (table["town_short"] + table["industry"] + "小微企业园").tolist()
    seen: Counter[str] = Counter()
    names = [""] * len(base)
    for row in np.argsort(table["start"].to_numpy(), kind="stable"):
        seen[base[row]] += 1
        phase = seen[base[row]]
        suffix = "" if phase == 1 else f"（{_PHASES[phase - 1] if phase <= len(_PHASES) else phase}期）"
        names[row] = base[row] + suffix
    return names


def _operators(rng: np.random.Generator, table: pd.DataFrame, *, city: str) -> list[str]:
    """Return an operating company name (运营主体) for each park."""
    template = rng.integers(0, len(_OPERATOR_TEMPLATES), len(table))
    out = []
    for k, county, town, industry in zip(template, table["county_short"], table["town_short"], table["industry"], strict=True):
        place = county if town == county else county + town
        out.append(_OPERATOR_TEMPLATES[k].format(city=city, place=place, industry=industry))
    return out


def _notes(table: pd.DataFrame, timeline: SampleTimeline) -> list[str | None]:
    """Return the 备注 of each park: expected completion, certification batch."""
    batch_label = {}
    batches = timeline.certification_batches
    for batch in batches:
        nth = sum(1 for b in batches if b.year == batch.year and b <= batch)
        batch_label[batch] = f"{batch.year}年第{_PHASES[nth - 1]}批认定"
    notes: list[str | None] = []
    for stage, certified in zip(table["stage"], table["certified"], strict=True):
        if stage == _STAGE_PLANNED:
            notes.append("计划开工，竣工日期为预计")
        elif stage == _STAGE_BUILDING:
            notes.append("竣工日期为预计")
        elif pd.notna(certified):
            notes.append(batch_label[certified])
        else:
            notes.append(None)
    return notes


def _largest_remainder(shares: np.ndarray, n: int) -> np.ndarray:
    """Split ``n`` into integer counts proportional to ``shares`` (which sum to 1)."""
    raw = shares * n
    counts = np.floor(raw).astype(int)
    counts[np.argsort(-(raw - counts), kind="stable")[: n - counts.sum()]] += 1
    return counts


def _weighted_choice(rng: np.random.Generator, items: list, weights: list[float], k: int) -> list:
    """Return ``k`` items drawn with replacement with the given relative weights."""
    p = np.asarray(weights, dtype=float)
    return [items[i] for i in rng.choice(len(items), size=k, p=p / p.sum())]
