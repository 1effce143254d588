"""Everything an export shows, computed once: parks, progress, land use and plan indicators.

The exports draw from one :class:`ExportData`, so the map, atlas and workbook
of one run agree with each other and with the dashboard (same functions from
``geo``). Build it from the store with :func:`load_export_data`, from a
register file with :func:`export_data_from_file` (the store untouched), or
from tables in hand with :func:`prepare_export_data` (tests, the app's cache).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import geopandas as gpd
import pandas as pd

from export.text import NO_DATA
from geo.analysis.dashboard import county_view, status_as_of
from geo.analysis.indicators import enterprise_indicators
from geo.analysis.land_use import land_use_by_county
from geo.analysis.progress import check_statuses, city_row_adcode, progress_as_of, progress_series
from geo.crs import WGS84, require_crs
from geo.demo.bootstrap import is_sample, load_sample_into_store
from geo.errors import GeoDataError
from geo.ingest.parks import import_parks
from geo.ingest.report import ImportReport
from geo.region.boundaries import load_counties
from geo.region.region import Plan, Region, load_plan, load_region
from geo.region.targets import load_county_quotas, load_plan_targets
from geo.reporting.lines import data_line
from geo.schema import DEFAULT_COUNTED_STATUSES
from geo.store import SnapshotStore, open_store

LANGS = ("zh", "en")


@dataclass(frozen=True)
class ExportData:
    """The inputs and results every export draws on (all geometry in WGS-84, EPSG:4326).

    Attributes
    ----------
    parks
        The park register as loaded (current statuses).
    parks_on_date
        The same parks with ``status`` as it was on ``as_of`` (what the maps show).
    counties
        County polygons: ``adcode``, ``name``, ``name_en``.
    progress, view, series, land_use
        :func:`geo.analysis.progress.progress_as_of`, :func:`geo.analysis.dashboard.county_view`,
        :func:`geo.analysis.progress.progress_series` (quarterly, baseline to plan end or
        ``as_of``) and :func:`geo.analysis.land_use.land_use_by_county` (of the parks
        counted on ``as_of``).
    targets
        The chosen plan (:class:`geo.region.region.Plan`): period, baseline, park targets, lead unit.
    plan
        All plan targets with lead units and, where the data can measure them,
        ``measured_value`` (else ``status`` is "无数据 / no data").
    region
        The region (city name, counties) the pack is about.
    """

    parks: gpd.GeoDataFrame
    parks_on_date: gpd.GeoDataFrame
    counties: gpd.GeoDataFrame
    as_of: date
    statuses: tuple[str, ...]
    lang: str
    targets: Plan
    quotas: pd.DataFrame
    progress: pd.DataFrame
    view: pd.DataFrame
    series: pd.DataFrame
    land_use: pd.DataFrame
    plan: pd.DataFrame
    source_name: str
    reported_on: date | None
    sample: bool
    data_line: str = ""  # which period each county's figures are from (geo.reporting.lines.data_line); "" names the file
    region: Region = field(default_factory=load_region)

    @property
    def quotas_official(self) -> bool:
        """True only when every county quota is marked official."""
        return bool(self.quotas["official"].all()) if len(self.quotas) else False

    def county_name(self, adcode: str) -> str:
        """Return the county's name in the export language."""
        row = self.counties[self.counties["adcode"].astype(str) == adcode]
        if row.empty:
            return adcode
        column = "name_en" if self.lang == "en" and "name_en" in row else "name"
        return str(row.iloc[0][column])


def prepare_export_data(
    parks: gpd.GeoDataFrame,
    *,
    as_of: date,
    counties: gpd.GeoDataFrame | None = None,
    targets: Plan | None = None,
    quotas: pd.DataFrame | None = None,
    statuses: Sequence[str] = DEFAULT_COUNTED_STATUSES,
    lang: str = "zh",
    reported_on: date | None = None,
    source_name: str = "",
    sample: bool = False,
    enterprises: pd.DataFrame | None = None,
    data_line: str = "",
) -> ExportData:
    """Return the export inputs computed from a park register (and optionally an enterprise list).

    Parameters
    ----------
    parks
        Park points with the canonical columns (``geo.schema.PARK_COLUMNS``), any CRS.
    as_of
        The date the exports describe (inclusive).
    counties, targets, quotas
        Default: the region's boundaries, the chosen plan (``PARKMAP_PLAN`` or the
        region's default) and that plan's county quotas.
    statuses
        Park statuses counted toward the totals.
    lang
        ``"zh"`` or ``"en"``.
    reported_on, source_name, sample
        The register's reporting date, file name, and whether it is the synthetic sample.
    enterprises
        The enterprise list, for the plan's enterprise indicators (None: "no data").
    data_line
        Which period each county's figures are from (:func:`geo.reporting.lines.data_line`), said on every
        page in place of the file name; "" names the file and its date.

    Returns
    -------
    The :class:`ExportData` every export draws on.
    """
    if lang not in LANGS:
        msg = f"Language {lang!r} is not available; choose one of {', '.join(LANGS)}."
        raise ValueError(msg)
    require_crs(parks, name="parks")
    counted = check_statuses(statuses)
    parks = parks.to_crs(WGS84)
    region = load_region(targets.region_adcode or None) if targets is not None else load_region()
    counties = (load_counties(city_adcode=region.adcode) if counties is None else counties).to_crs(WGS84)
    targets = targets or load_plan(region=region)
    quotas = load_county_quotas(plan=targets, region=region) if quotas is None else quotas
    common = {"targets": targets, "quotas": quotas, "statuses": counted, "reported_on": reported_on}
    progress = progress_as_of(parks, as_of=as_of, **common)
    end = max(as_of, targets.period_end)
    series = progress_series(parks, start=targets.baseline_date, end=end, **common)
    on_date = parks.assign(status=status_as_of(parks, as_of=as_of))
    return ExportData(
        parks=parks,
        parks_on_date=on_date,
        counties=counties,
        as_of=as_of,
        statuses=counted,
        lang=lang,
        targets=targets,
        quotas=quotas,
        progress=progress,
        view=county_view(progress, counties),
        series=series,
        land_use=land_use_by_county(on_date, counties=counties, statuses=counted),
        plan=plan_indicators(progress, enterprises=enterprises, as_of=as_of, period_start=targets.period_start, targets=targets),
        source_name=source_name,
        reported_on=reported_on,
        sample=sample,
        data_line=data_line,
        region=region,
    )


def plan_indicators(
    progress: pd.DataFrame, *, enterprises: pd.DataFrame | None, as_of: date, period_start: date, targets: Plan | None = None
) -> pd.DataFrame:
    """Return every plan target with its lead unit and the value the loaded data measures.

    Parameters
    ----------
    progress
        :func:`geo.analysis.progress.progress_as_of` of the parks.
    enterprises
        The enterprise list (None: the enterprise targets have no data).
    as_of, period_start
        The date described and the plan's first day.
    targets
        The plan (default: the chosen plan of the region in use).

    Returns
    -------
    The rows of :func:`geo.region.targets.load_plan_targets` plus ``measured_value``
    (NaN where not measurable), ``pct_complete``, ``status`` ("measured" or
    "无数据 / no data") and ``note``.
    """
    plan = load_plan_targets(targets).copy()
    city = progress[progress["adcode"].astype(str) == city_row_adcode(progress)].set_index("measure")["value"]
    values = {"parks_total": float(city.get("parks", float("nan"))), "park_floor_area_m2": float(city.get("floor_area_m2", float("nan")))}
    notes = {"parks_total": "园区台账 / park register", "park_floor_area_m2": "园区台账 / park register"}
    if enterprises is not None and len(enterprises):
        wanted = dict(zip(plan["indicator_id"], plan["target_value"], strict=True))
        measured = enterprise_indicators(enterprises, targets=wanted, period_start=period_start, as_of=as_of)
        for row in measured.itertuples():
            if row.status == "measured":
                values[row.indicator_id] = float(row.value)
                notes[row.indicator_id] = str(row.note)
    plan["measured_value"] = plan["indicator_id"].map(values).astype("float64")
    plan["pct_complete"] = 100.0 * plan["measured_value"] / plan["target_value"]
    plan["status"] = plan["measured_value"].map(lambda v: "measured" if pd.notna(v) else NO_DATA)
    plan["note"] = plan["indicator_id"].map(notes).fillna("")
    return plan


def load_export_data(
    *,
    as_of: date,
    statuses: Sequence[str] = DEFAULT_COUNTED_STATUSES,
    lang: str = "zh",
    store: SnapshotStore | str | Path | None = None,
) -> ExportData:
    """Return the export inputs for the store's current data (the sample is loaded into an empty store first).

    Parameters
    ----------
    store
        A store, or its location (default ``$PARKMAP_STORE`` or data/store/parkmap.gpkg).

    Raises
    ------
    GeoDataError
        When the store holds no park register and no sample has been generated.
    """
    store = store if isinstance(store, SnapshotStore) else open_store(store)
    if store.is_empty("parks"):
        load_sample_into_store(store)
    parks, info = store.current("parks"), store.latest_info("parks")
    if parks is None or info is None:
        msg = "The store holds no park register. Import one in the app, or run `make data/sample/manifest.json` to generate the sample."
        raise GeoDataError(msg)
    in_force = parks.attrs.get("register", {})
    snapshots = [store.snapshot_info(int(v["snapshot_id"])) for v in in_force.values()] or [info]
    dates = {c: date.fromisoformat(v["reporting_date"]) for c, v in in_force.items()}
    region = load_region()
    line = ""
    if dates:
        sources = list(dict.fromkeys(i.source_name for i in snapshots))
        names = {c.adcode: c.label(lang) for c in region.counties}
        line = data_line(dates, names=names, lang=lang, cycle=region.reporting_cycle, sources=sources)
    return prepare_export_data(
        parks,
        as_of=as_of,
        statuses=statuses,
        lang=lang,
        reported_on=max(dates.values()) if dates else info.reporting_date,
        source_name="、".join(dict.fromkeys(i.source_name for i in snapshots)),
        sample=any(is_sample(i) for i in snapshots),
        enterprises=store.current("enterprises"),
        data_line=line,
    )


def export_data_from_file(
    path: str | Path,
    *,
    datum: str,
    as_of: date,
    statuses: Sequence[str] = DEFAULT_COUNTED_STATUSES,
    lang: str = "zh",
    sheet: str | None = None,
    reported_on: date | None = None,
) -> tuple[ExportData, ImportReport]:
    """Return the export inputs for a park register file, read and checked as on import, without touching the store.

    Rows the import rejects are left out of the pack and counted in the returned report.
    ``reported_on`` is the register's reporting date (填报日期; default ``as_of``): a built park
    without dates counts from that date on, as in the app.

    Raises
    ------
    ImportFileError
        The file cannot be read (the message says why).
    GeoDataError
        No row of the file could be accepted.
    """
    report = import_parks(path, datum=datum, sheet=sheet)
    if report.accepted == 0:
        msg = (
            f"{report.file_name}：没有一行能通过检查（共 {report.rows} 行），无法生成材料。"
            "请先运行 python -m geo.parks check 查看每一行的问题。"
        )
        raise GeoDataError(msg)
    data = prepare_export_data(
        report.data, as_of=as_of, statuses=statuses, lang=lang, source_name=report.file_name, reported_on=reported_on or as_of
    )
    return data, report
