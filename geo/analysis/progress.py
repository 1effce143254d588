"""Parks and floor area by county against the plan's targets, at any date.

Counting rule
-------------
A park counts at date D when its status is in ``statuses`` (default: built
and certified) and the date it *entered* the counted set is on or before D
(a park completed on D counts at D). The entry date is the date of the
first counted status it reached, following planned -> under construction
(``start_date``) -> built (``completion_date``) -> certified
(``certification_date``):

* with the default statuses, a built or certified park counts from its
  ``completion_date``; a certified park without one counts from its
  ``certification_date`` (it was built by then);
* with ``statuses=("certified",)`` a certified park counts from its
  ``certification_date``;
* if that milestone's date is missing, the next later milestone date the
  park has is used (a conservative bound).

A park with a counted status and no usable date counts only from the
register's reporting date ``reported_on`` on: it is known to exist then, not
before. Without ``reported_on`` such parks are not counted at any date and
are reported in ``undated_parks``. Statuses are the park's *current*
statuses; for history that depends on past statuses, pass stored snapshots
to :func:`progress_series`.

Pipeline and projection
-----------------------
The pipeline at D is the parks under construction at D and not counted:
status ``under_construction`` with ``start_date`` on or before D (or no
start date and D on or after ``reported_on``), and built/certified parks
with ``start_date <= D < completion_date``. The projected end-of-plan value
is the value at D plus the pipeline parks whose (expected)
``completion_date`` is on or before the plan's end.

Trajectory
----------
The straight line from the baseline value (at the plan's ``baseline_date``,
by the same rule) to the target at ``period_end``. The share of plan time
elapsed is days since the baseline date over days from the baseline to the
end of the plan, clipped to 0..1. A county or the city is on track when its
value is at least the trajectory value; before the baseline date the plan has
not started and ``on_track`` is empty. From ``period_end`` itself on (the
plan's deadline is when it is judged), ``final`` is
the value at ``period_end``, ``margin`` is final minus target, and ``met``
compares them: for the city as the plan words it (``targets.comparison``,
"more_than": final > target), for a county as reaching its quota
(final >= quota). Parks whose county is not in the quota table count only in
the city row.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from geo.errors import GeoDataError
from geo.region.region import PlanTargets
from geo.schema import DEFAULT_COUNTED_STATUSES, STATUSES

CITY_ROW_NAME = "全市"  # the name of the whole-city row; its adcode is the plan's region_adcode
MEASURES = ("parks", "floor_area_m2")
_MILESTONE = {"planned": None, "under_construction": "start_date", "built": "completion_date", "certified": "certification_date"}

PROGRESS_COLUMNS = [
    "as_of",
    "adcode",
    "name",
    "measure",
    "value",
    "target",
    "target_official",
    "pct_complete",
    "baseline",
    "time_elapsed_share",
    "trajectory",
    "on_track",
    "pipeline",
    "pipeline_by_period_end",
    "projected_end",
    "projected_pct",
    "final",
    "margin",
    "met",
    "undated_parks",
]


def check_statuses(statuses: Sequence[str]) -> tuple[str, ...]:
    """Return ``statuses`` as a tuple, or raise naming the allowed values.

    Parameters
    ----------
    statuses
        Status codes chosen as counted.

    Returns
    -------
    tuple of str
        The same codes.
    """
    unknown = [s for s in statuses if s not in STATUSES]
    if unknown or not statuses:
        msg = f"Counted statuses {list(statuses)!r} are not allowed; choose one or more of {', '.join(STATUSES)}."
        raise GeoDataError(msg)
    return tuple(statuses)


def _date_column(parks: pd.DataFrame, column: str | None) -> pd.Series:
    if column is None or column not in parks.columns:
        return pd.Series(pd.NaT, index=parks.index, dtype="datetime64[ns]")
    return pd.to_datetime(parks[column], errors="coerce").astype("datetime64[ns]")


def entry_dates(parks: pd.DataFrame, *, statuses: Sequence[str] = DEFAULT_COUNTED_STATUSES) -> pd.Series:
    """Return the date each park enters the counted set (NaT: undated or never counted).

    See the module docstring for the rule. Parks whose status is not counted get NaT.

    Parameters
    ----------
    parks
        The park register, with ``status`` and its dates.
    statuses
        The status codes that count toward the total.

    Returns
    -------
    Series of datetime64
        The date each park enters the counted set; NaT when undated or not counted.
    """
    counted = check_statuses(statuses)
    status = parks["status"].astype("string")
    out = pd.Series(pd.NaT, index=parks.index, dtype="datetime64[ns]")
    for level, current in enumerate(STATUSES):
        if current not in counted:
            continue
        first = next(i for i, s in enumerate(STATUSES[: level + 1]) if s in counted)
        chosen = pd.Series(pd.NaT, index=parks.index, dtype="datetime64[ns]")
        for milestone in STATUSES[first : level + 1]:
            chosen = chosen.fillna(_date_column(parks, _MILESTONE[milestone]))
        rows = (status == current).fillna(False).to_numpy()
        out[rows] = chosen[rows]
    return out


@dataclass(frozen=True)
class _Prepared:
    """The park columns progress needs, as numpy arrays (datetime64[ns], NaT when missing)."""

    county: NDArray[np.int64]  # index into ``adcodes``; -1 when missing
    adcodes: tuple[str, ...]
    counted_status: NDArray[np.bool_]
    under_construction: NDArray[np.bool_]
    finished: NDArray[np.bool_]  # built or certified
    entry: NDArray[np.datetime64]
    start: NDArray[np.datetime64]
    completion: NDArray[np.datetime64]
    floor_area_m2: NDArray[np.float64]


def _prepare(parks: pd.DataFrame, statuses: tuple[str, ...]) -> _Prepared:
    for column in ("status", "county_adcode"):
        if column not in parks.columns:
            msg = f"The park table has no column {column!r}; it is needed to count parks by county."
            raise GeoDataError(msg)
    bad = ~parks["status"].isin(list(STATUSES)) & parks["status"].notna()
    if bad.any():
        msg = f"Park status {parks.loc[bad, 'status'].iloc[0]!r} is not one of {', '.join(STATUSES)}."
        raise GeoDataError(msg)
    floor = pd.to_numeric(parks["floor_area_m2"], errors="coerce") if "floor_area_m2" in parks.columns else np.nan
    codes, uniques = pd.factorize(parks["county_adcode"].astype("string"))
    status = parks["status"].astype("string")
    return _Prepared(
        county=np.asarray(codes, dtype="int64"),
        adcodes=tuple(str(u) for u in uniques),
        counted_status=status.isin(list(statuses)).to_numpy(dtype=bool),
        under_construction=(status == "under_construction").fillna(False).to_numpy(dtype=bool),
        finished=status.isin(["built", "certified"]).to_numpy(dtype=bool),
        entry=entry_dates(parks, statuses=statuses).to_numpy(dtype="datetime64[ns]"),
        start=_date_column(parks, "start_date").to_numpy(dtype="datetime64[ns]"),
        completion=_date_column(parks, "completion_date").to_numpy(dtype="datetime64[ns]"),
        floor_area_m2=pd.Series(floor, index=parks.index).fillna(0.0).to_numpy(dtype="float64"),
    )


def _known_by(dates: NDArray[np.datetime64], day: np.datetime64, reported_on: np.datetime64 | None) -> NDArray[np.bool_]:
    """True where ``dates <= day``, or where the date is missing and the register was reported by ``day``."""
    undated_ok = reported_on is not None and day >= reported_on
    return (dates <= day) | (np.isnat(dates) & undated_ok)


def _flags(prepared: _Prepared, day: np.datetime64, end: np.datetime64, reported_on: np.datetime64 | None) -> dict[str, NDArray[np.bool_]]:
    """Return per-park flags at ``day``: counted, pipeline, pipeline expected by ``end``."""
    counted = prepared.counted_status & _known_by(prepared.entry, day, reported_on)
    building = prepared.under_construction & _known_by(prepared.start, day, reported_on)
    finished = prepared.finished & (prepared.start <= day) & (prepared.completion > day)
    pipeline = (building | finished) & ~counted
    return {"counted": counted, "pipeline": pipeline, "by_end": pipeline & (prepared.completion <= end)}


def _sums(prepared: _Prepared, mask: NDArray[np.bool_], city: str) -> dict[str, dict[str, float]]:
    """Return {adcode: {"parks": n, "floor_area_m2": m2}} of the masked parks, plus the city total."""
    known = mask & (prepared.county >= 0)
    size = len(prepared.adcodes)
    parks = np.bincount(prepared.county[known], minlength=size)
    floor = np.bincount(prepared.county[known], weights=prepared.floor_area_m2[known], minlength=size)
    out = {code: {"parks": float(parks[i]), "floor_area_m2": float(floor[i])} for i, code in enumerate(prepared.adcodes)}
    out[city] = {"parks": float(mask.sum()), "floor_area_m2": float(prepared.floor_area_m2[mask].sum())}
    return out


def _elapsed_share(day: date, targets: PlanTargets) -> float:
    total = (targets.period_end - targets.baseline_date).days
    return float(np.clip((day - targets.baseline_date).days / total, 0.0, 1.0))


def _targets_table(targets: PlanTargets, quotas: pd.DataFrame) -> pd.DataFrame:
    for column in ("adcode", "name", "parks_quota", "floor_area_quota_m2"):
        if column not in quotas.columns:
            msg = f"The county quota table has no column {column!r}."
            raise GeoDataError(msg)
    official = quotas["official"].astype(bool) if "official" in quotas.columns else pd.Series(False, index=quotas.index)
    table = pd.DataFrame(
        {
            "adcode": quotas["adcode"].astype(str).to_numpy(),
            "name": quotas["name"].astype(str).to_numpy(),
            "parks": quotas["parks_quota"].astype("float64").to_numpy(),
            "floor_area_m2": quotas["floor_area_quota_m2"].astype("float64").to_numpy(),
            "official": official.to_numpy(),
        }
    )
    city = pd.DataFrame(
        [
            {
                "adcode": targets.region_adcode,
                "name": CITY_ROW_NAME,
                "parks": targets.parks,
                "floor_area_m2": targets.floor_area_m2,
                "official": True,
            }
        ]
    )
    return pd.concat([table, city], ignore_index=True).set_index("adcode")


def _as_day(day: date | None) -> np.datetime64 | None:
    return None if day is None else np.datetime64(day, "ns")


def progress_as_of(
    parks: pd.DataFrame,
    *,
    as_of: date,
    targets: PlanTargets,
    quotas: pd.DataFrame,
    statuses: Sequence[str] = DEFAULT_COUNTED_STATUSES,
    reported_on: date | None = None,
) -> pd.DataFrame:
    """Return each county's and the city's parks and floor area against target at ``as_of``.

    Parameters
    ----------
    parks
        The park table (PARK_COLUMNS; a GeoDataFrame in any CRS or a plain
        DataFrame: geometry is not used).
    as_of
        The date to evaluate, inclusive.
    targets
        The plan: its park targets, period, baseline and region
        (:func:`geo.region.region.load_plan`).
    quotas
        County quotas (:func:`geo.region.targets.load_county_quotas`): ``adcode``,
        ``name``, ``parks_quota``, ``floor_area_quota_m2``, ``official``.
    statuses
        Park statuses that count toward the totals.
    reported_on
        Date of the park register; parks without dates count from then on.

    Returns
    -------
    DataFrame with PROGRESS_COLUMNS, two rows (``measure`` = ``parks`` and
    ``floor_area_m2``, in m²) per county in quota order, then the city
    (adcode ``targets.region_adcode``). Values are floats; ``final``, ``margin`` and ``met`` are
    empty until ``as_of`` is after the plan's end.
    """
    counted = check_statuses(statuses)
    prepared = _prepare(parks, counted)
    return _progress_rows(prepared, as_of=as_of, targets=targets, quotas=quotas, reported_on=_as_day(reported_on))


def _progress_rows(
    prepared: _Prepared, *, as_of: date, targets: PlanTargets, quotas: pd.DataFrame, reported_on: np.datetime64 | None
) -> pd.DataFrame:
    goal = _targets_table(targets, quotas)
    day, end = np.datetime64(as_of, "ns"), np.datetime64(targets.period_end, "ns")
    flags = _flags(prepared, day, end, reported_on)
    city = targets.region_adcode
    sums = {
        "value": _sums(prepared, flags["counted"], city),
        "baseline": _sums(prepared, _flags(prepared, np.datetime64(targets.baseline_date, "ns"), end, reported_on)["counted"], city),
        "pipeline": _sums(prepared, flags["pipeline"], city),
        "by_end": _sums(prepared, flags["by_end"], city),
        "final": _sums(prepared, _flags(prepared, end, end, reported_on)["counted"], city),
    }
    undated = _sums(prepared, prepared.counted_status & np.isnat(prepared.entry), city)
    share = _elapsed_share(as_of, targets)
    after = as_of >= targets.period_end
    before = as_of < targets.baseline_date
    city_strict = targets.comparison == "more_than"
    zero = {"parks": 0.0, "floor_area_m2": 0.0}
    rows = []
    for adcode, target_row in goal.iterrows():
        for measure in MEASURES:
            got = {key: table.get(adcode, zero)[measure] for key, table in sums.items()}
            strict = city_strict and adcode == city
            rows.append(_measure_row(adcode, target_row, measure, got, share=share, after=after, before=before, strict=strict))
            rows[-1]["undated_parks"] = int(undated.get(adcode, zero)["parks"])
    table = pd.DataFrame(rows, columns=PROGRESS_COLUMNS)
    table["as_of"] = pd.Timestamp(as_of)
    for column in ("on_track", "met", "target_official"):
        table[column] = table[column].astype("boolean")
    return table


def _measure_row(
    adcode: str, goal: pd.Series, measure: str, got: dict[str, float], *, share: float, after: bool, before: bool, strict: bool
) -> dict:
    target = float(goal[measure])
    value = got["value"]
    trajectory = got["baseline"] + (target - got["baseline"]) * share
    projected = got["final"] if after else value + got["by_end"]
    final = got["final"] if after else np.nan
    # compare at m² / park resolution, so a split of the target that sums to 10000000.000000004 is not "more than"
    rounded_final, rounded_target = round(final, 3), round(target, 3)
    met = (rounded_final > rounded_target if strict else rounded_final >= rounded_target) if after else pd.NA
    on_track = met if after else (pd.NA if before else value >= trajectory)
    if target <= 0:  # a plan (or quota) not filled in yet: no verdict rather than "on track" against 0
        met = on_track = pd.NA
    return {
        "adcode": adcode,
        "name": goal["name"],
        "measure": measure,
        "value": value,
        "target": target,
        "target_official": bool(goal["official"]),
        "pct_complete": 100.0 * value / target if target > 0 else np.nan,
        "baseline": got["baseline"],
        "time_elapsed_share": share,
        "trajectory": trajectory,
        "on_track": on_track,
        "pipeline": got["pipeline"],
        "pipeline_by_period_end": got["by_end"],
        "projected_end": projected,
        "projected_pct": 100.0 * projected / target if target > 0 else np.nan,
        "final": final,
        "margin": final - target if after else np.nan,
        "met": met,
    }


def city_row_adcode(progress: pd.DataFrame) -> str:
    """Return the adcode of the whole-city rows of a progress table (they come last; "" for an empty table).

    Parameters
    ----------
    progress
        A table from :func:`progress_as_of` or :func:`progress_series`.

    Returns
    -------
    The region's adcode, as the table holds it.
    """
    return str(progress["adcode"].iloc[-1]) if len(progress) else ""


def quarter_ends(start: date, end: date) -> list[date]:
    """Return every calendar quarter's last day from ``start`` to ``end`` inclusive (three years: 12 dates).

    Parameters
    ----------
    start, end
        The first and last day of the period.

    Returns
    -------
    list of date
        The last day of each calendar quarter in the period.
    """
    if end < start:
        msg = f"The end date {end} is before the start date {start}."
        raise GeoDataError(msg)
    days = pd.date_range(pd.Timestamp(start), pd.Timestamp(end), freq="QE")
    return [d.date() for d in days]


def progress_series(
    parks: pd.DataFrame | Callable[[date], pd.DataFrame | None],
    *,
    targets: PlanTargets,
    quotas: pd.DataFrame,
    start: date | None = None,
    end: date | None = None,
    statuses: Sequence[str] = DEFAULT_COUNTED_STATUSES,
    reported_on: date | None = None,
) -> pd.DataFrame:
    """Return :func:`progress_as_of` at every quarter end, for charts.

    Parameters
    ----------
    parks
        The current park table, or a function returning the stored snapshot
        on or before a date (e.g. ``lambda d: store.as_of("parks", d)``;
        None when there is none, and that quarter is left out). A snapshot
        is treated as reported on the quarter's date.
    start, end
        Range of quarter ends; default the plan period.
    targets, quotas, statuses, reported_on
        As for :func:`progress_as_of`.

    Returns
    -------
    The rows of :func:`progress_as_of` for each quarter end, stacked in date order.
    """
    counted = check_statuses(statuses)
    days = quarter_ends(start or targets.period_start, end or targets.period_end)
    frames = []
    prepared = None if callable(parks) else _prepare(parks, counted)
    for day in days:
        if callable(parks):
            snapshot = parks(day)
            if snapshot is None:
                continue
            frames.append(progress_as_of(snapshot, as_of=day, targets=targets, quotas=quotas, statuses=counted, reported_on=day))
        elif prepared is not None:
            frames.append(_progress_rows(prepared, as_of=day, targets=targets, quotas=quotas, reported_on=_as_day(reported_on)))
    if not frames:
        return pd.DataFrame(columns=PROGRESS_COLUMNS)
    return pd.concat(frames, ignore_index=True)
