"""A park's quarterly history: its figures in each approved submission of its county, period by period.

Only approved submissions count, as for the city's register
(:func:`geo.reporting.submissions.in_force`): a returned or merely submitted
register never appears, nor one whose stored file has been withdrawn. When a
county's submission for a period was approved again later (a resubmission),
the later one is the period's register and the only one shown.

A park keeps its ``park_id`` across periods (:mod:`geo.reporting.identity`),
so a rename stays in one history and shows as a change of ``name``. A figure
a register does not give (no such column, or an empty cell) is NaN: no data,
never 0.

Examples
--------
>>> history = park_history(open_store(), "330603-0007")
>>> history[["period", "name", "status", "floor_area_m2"]]
>>> status_regressions(history)  # e.g. 在建 (2024Q2) → 谋划 (2024Q3)
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Final

import pandas as pd

from geo.reporting.submissions import Submission
from geo.schema import STATUSES

if TYPE_CHECKING:
    from geo.store import SnapshotStore

# Always in a history, in this order (a figure missing from a register is NaN).
HISTORY_COLUMNS: Final = (
    "period",
    "reporting_date",
    "submission_id",
    "name",
    "status",
    "floor_area_m2",
    "occupancy_pct",
    "enterprises",
    "tax_per_mu_wan_yuan",
)
# Figures not every register gives: in a history only when one of the park's registers has the column.
OPTIONAL_COLUMNS: Final = (
    "land_area_mu",
    "above_scale_enterprises",
    "high_tech_enterprises",
    "specialised_enterprises",
    "jobs",
    "revenue_wan_yuan",
    "output_wan_yuan",
    "tax_wan_yuan",
    "output_per_mu_wan_yuan",
)
_TEXT_COLUMNS: Final = ("name", "status")
_FIGURES: Final = ("floor_area_m2", "occupancy_pct", "enterprises", "tax_per_mu_wan_yuan", *OPTIONAL_COLUMNS)
REGRESSION_COLUMNS: Final = ("period_before", "period", "status_before", "status")


def park_history(store: SnapshotStore, park_id: str, *, county_adcode: str | None = None) -> pd.DataFrame:
    """Return one park's figures in each approved submission of its county that holds it, oldest period first.

    Parameters
    ----------
    store
        The store holding the county submissions (:func:`geo.store.open_store`).
    park_id
        The park's stable id (``park_id`` column of the registers).
    county_adcode
        The park's county. None: the county of the park in the newest approved register that holds it
        (found by reading the stored files newest first, each once).

    Returns
    -------
    DataFrame
        One row per period (no geometry): :data:`HISTORY_COLUMNS` (``period`` is the period's code such as
        ``2024Q3``, ``reporting_date`` the date the register describes, ``status`` a code of
        :data:`geo.schema.STATUSES`), then the :data:`OPTIONAL_COLUMNS` any of these registers has. Figures are
        floats, NaN where the register gives none. Empty (with :data:`HISTORY_COLUMNS`) when no approved
        register holds the park.

    Raises
    ------
    ValueError
        When ``park_id`` is blank.
    """
    wanted = str(park_id).strip()
    if not wanted:
        msg = "`park_id` must name a park (the park_id column of the register); got a blank id."
        raise ValueError(msg)
    counted = periods_in_force(store.list_submissions())
    county = county_adcode if county_adcode is not None else _county_of(store, wanted, counted)
    mine = sorted((s for s in counted if s.county_adcode == county), key=lambda s: s.period)
    records: list[dict[str, object]] = []
    present: set[str] = set()
    for sub in mine:
        frame = store.load_submission(sub.submission_id)
        if "park_id" not in frame.columns:
            continue
        match = frame[frame["park_id"].astype(str) == wanted]
        if match.empty:
            continue
        present.update(c for c in OPTIONAL_COLUMNS if c in frame.columns)
        records.append(_record(sub, match.iloc[0]))
    kept = [*HISTORY_COLUMNS, *(c for c in OPTIONAL_COLUMNS if c in present)]
    return pd.DataFrame(records, columns=kept).astype(dict.fromkeys(_figures(kept), "float64"))


def periods_in_force(submissions: Iterable[Submission]) -> list[Submission]:
    """Return, per county and period, the approved submission that is that period's register.

    Parameters
    ----------
    submissions
        Submissions of any state (:meth:`geo.store.SnapshotStore.list_submissions`).

    Returns
    -------
    list of Submission
        Approved submissions whose file still counts; of several for one county and period, the one
        approved last (as :func:`geo.reporting.submissions.in_force` would choose). Returned and merely
        submitted ones are left out.
    """
    chosen: dict[tuple[str, object], Submission] = {}
    for sub in submissions:
        if sub.state != "approved" or not sub.counts:
            continue
        key = (sub.county_adcode, sub.period)
        best = chosen.get(key)
        if best is None or _rank(sub) > _rank(best):
            chosen[key] = sub
    return list(chosen.values())


def status_regressions(history: pd.DataFrame) -> pd.DataFrame:
    """Return the periods where the park's status went back (a status earlier in :data:`geo.schema.STATUSES`).

    Parameters
    ----------
    history
        A park's history (:func:`park_history`), oldest period first.

    Returns
    -------
    DataFrame
        One row per step back, columns :data:`REGRESSION_COLUMNS`: the period before and its status, the
        period and its (earlier) status. A status that is not a known code, or missing, is skipped: the next
        known one is compared with the last known one.
    """
    steps: list[dict[str, object]] = []
    last: tuple[str, str, int] | None = None
    for period, status in zip(history["period"].astype(str), history["status"], strict=True):
        if not isinstance(status, str) or status not in STATUSES:
            continue
        rank = STATUSES.index(status)
        if last is not None and rank < last[2]:
            steps.append({"period_before": last[0], "period": period, "status_before": last[1], "status": status})
        last = (period, status, rank)
    return pd.DataFrame(steps, columns=list(REGRESSION_COLUMNS))


def _county_of(store: SnapshotStore, park_id: str, counted: Sequence[Submission]) -> str | None:
    """The county of ``park_id`` in the newest approved register holding it; each stored file is read once."""
    by_snapshot: dict[int, list[Submission]] = {}
    for sub in sorted(counted, key=_rank, reverse=True):
        by_snapshot.setdefault(sub.snapshot_id, []).append(sub)
    for snapshot_id, subs in by_snapshot.items():  # newest first (dicts keep insertion order)
        frame = store.load_snapshot(snapshot_id)
        if "park_id" not in frame.columns or "county_adcode" not in frame.columns:
            continue
        counties = {s.county_adcode for s in subs}
        rows = frame[(frame["park_id"].astype(str) == park_id) & frame["county_adcode"].astype(str).isin(counties)]
        if not rows.empty:
            return str(rows["county_adcode"].iloc[0])
    return None


def _record(sub: Submission, row: pd.Series) -> dict[str, object]:
    """One history row: the submission's period and date, the park's text and figures (absent → NaN)."""
    record: dict[str, object] = {
        "period": sub.period.code,
        "reporting_date": sub.describes,
        "submission_id": sub.submission_id,
    }
    for column in _TEXT_COLUMNS:
        value = row.get(column)
        record[column] = None if value is None or pd.isna(value) else str(value)
    for column in _FIGURES:
        record[column] = _number(row.get(column))
    return record


def _number(value: object) -> float:
    """A figure as a float; NaN for no data (absent, empty, or not a number), never 0."""
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan


def _figures(columns: Sequence[str]) -> list[str]:
    return [c for c in columns if c in _FIGURES]


def _rank(sub: Submission) -> tuple[date, datetime, int]:
    """Later register first: by the date it describes, then approval time, then id."""
    return (sub.describes, sub.reviewed_at or sub.submitted_at, sub.submission_id)


__all__ = ["HISTORY_COLUMNS", "OPTIONAL_COLUMNS", "REGRESSION_COLUMNS", "park_history", "periods_in_force", "status_regressions"]
