"""Submissions and their review, and the city's register at a date.

A submission is one county's register for one period (a file for several
counties is split into one submission per county). Its states::

    submitted (已提交) ──approve──▶ approved (已通过)
        │
        └────return (reason)──▶ returned (已退回) ── a new submission for the same period replaces it

The city's register at a date is, for each county, its latest approved
submission for a period ending on or before that date ("latest" by period,
then by approval time: a resubmission approved later replaces the earlier one).
A county's submission replaces only that county's parks; a returned or merely
submitted register never counts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

import geopandas as gpd
import pandas as pd

from geo.crs import WGS84
from geo.errors import GeoDataError
from geo.reporting.periods import Period

BEIJING = ZoneInfo("Asia/Shanghai")  # 北京时间: a report is due by the end of the day there

State = Literal["submitted", "approved", "returned"]
STATE_LABELS = {"submitted": ("已提交", "submitted"), "approved": ("已通过", "approved"), "returned": ("已退回", "returned")}
# What the submission board shows for a county and period.
BoardState = Literal["not_submitted", "submitted", "approved", "returned", "late"]


@dataclass(frozen=True)
class Submission:
    """One county's register for one period, and where it stands in review."""

    submission_id: int
    county_adcode: str
    period: Period
    state: State
    submitted_by: str
    submitted_at: datetime
    reviewed_by: str = ""
    reviewed_at: datetime | None = None
    reason: str = ""  # why it was returned
    reporting_date: date | None = None  # the date the register describes; None: the period's end
    snapshot_id: int = 0  # the stored file (snapshot) holding the rows
    source_name: str = ""
    row_count: int = 0  # this county's rows
    changes: Mapping[str, Any] = field(default_factory=dict)  # what changed against the previous period (summary)
    counts: bool = True  # False when its file (snapshot) has been withdrawn

    @property
    def describes(self) -> date:
        """The date the register describes: its reporting date, else its period's end."""
        return self.reporting_date or self.period.end


def approve(submission: Submission, *, by: str, at: datetime) -> Submission:
    """Return the submission approved by ``by`` at ``at``.

    Parameters
    ----------
    submission
        A submission in state ``submitted``.
    by
        Who approves (the city reviewer's account).
    at
        When.

    Returns
    -------
    Submission
        The same submission, state ``approved``.

    Raises
    ------
    GeoDataError
        When the submission is not waiting for review.
    """
    _require_submitted(submission, "通过 approve")
    return replace(submission, state="approved", reviewed_by=by, reviewed_at=at)


def return_submission(submission: Submission, *, by: str, at: datetime, reason: str) -> Submission:
    """Return the submission sent back to its county with ``reason``.

    Parameters
    ----------
    submission
        A submission in state ``submitted``.
    by
        Who returns it.
    at
        When.
    reason
        What the county must fix (required).

    Returns
    -------
    Submission
        The same submission, state ``returned``.
    """
    _require_submitted(submission, "退回 return")
    if not reason.strip():
        msg = "退回时必须写明原因。 A returned submission needs a reason."
        raise GeoDataError(msg)
    return replace(submission, state="returned", reviewed_by=by, reviewed_at=at, reason=reason.strip())


def _require_submitted(submission: Submission, action: str) -> None:
    if submission.state != "submitted":
        label = STATE_LABELS[submission.state][0]
        msg = f"报送 {submission.submission_id} 的状态是“{label}”，不能{action}；只有“已提交”的报送可以审核。"
        raise GeoDataError(msg)


def in_force(submissions: Iterable[Submission], *, as_of: date) -> dict[str, Submission]:
    """Return, per county, the approved submission in force at ``as_of``.

    Parameters
    ----------
    submissions
        Every submission of the region (any state).
    as_of
        The date of the register wanted.

    Returns
    -------
    dict
        County adcode → its latest approved submission for a period ending on or before ``as_of``;
        counties with none are absent.
    """
    chosen: dict[str, Submission] = {}
    for sub in submissions:
        if sub.state != "approved" or not sub.counts or sub.describes > as_of:
            continue
        best = chosen.get(sub.county_adcode)
        if best is None or _rank(sub) > _rank(best):
            chosen[sub.county_adcode] = sub
    return chosen


def _rank(sub: Submission) -> tuple[date, datetime, int]:
    return (sub.describes, sub.reviewed_at or sub.submitted_at, sub.submission_id)


def consolidated_register(registers: Mapping[int, gpd.GeoDataFrame], chosen: Mapping[str, Submission]) -> gpd.GeoDataFrame:
    """Combine the registers of the submissions in force into the city's register.

    Parameters
    ----------
    registers
        Submission id → its accepted parks (WGS-84).
    chosen
        County adcode → submission in force (from :func:`in_force`).

    Returns
    -------
    GeoDataFrame
        The parks of each county from its submission in force (only that county's rows), with
        ``submission_id`` and ``period`` columns; WGS-84.
    """
    parts = []
    for county, sub in chosen.items():
        frame = registers[sub.submission_id]
        rows = frame[frame["county_adcode"].astype(str) == county].copy()
        rows["submission_id"] = sub.submission_id
        rows["period"] = sub.period.code
        parts.append(rows)
    if not parts:
        return gpd.GeoDataFrame({"submission_id": [], "period": []}, geometry=gpd.GeoSeries([], crs=WGS84), crs=WGS84)
    return gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry", crs=WGS84)


def board_state(submissions: Iterable[Submission], *, county_adcode: str, period: Period, today: date, grace_days: int) -> BoardState:
    """Return what the submission board shows for one county and period.

    Parameters
    ----------
    submissions
        Every submission of the region.
    county_adcode
        The county.
    period
        The period.
    today
        The date the board is looked at (a period not submitted by its due date is late).
    grace_days
        Days after the period's end a submission is due (the region's rule).

    Returns
    -------
    str
        ``approved`` when any submission for the period is approved, else the state of the latest one,
        else ``late`` past the due date, else ``not_submitted``.
    """
    mine = [s for s in submissions if s.county_adcode == county_adcode and s.period == period]
    if any(s.state == "approved" for s in mine):
        return "approved"
    if mine:
        return max(mine, key=lambda s: (s.submitted_at, s.submission_id)).state
    return "late" if today > period.due(grace_days=grace_days) else "not_submitted"


@dataclass(frozen=True)
class Completeness:
    """How completely one county reported over a run of periods."""

    county_adcode: str
    due: int  # periods whose due date has passed
    reported: int  # of them, periods with an approved submission
    on_time: int  # of those, periods whose first submission came by the due date

    @property
    def rate(self) -> float | None:
        """Share of due periods reported (0-1); None when no period was due yet."""
        return self.reported / self.due if self.due else None

    @property
    def percent(self) -> float | None:
        """The rate in per cent, one decimal; None when no period was due yet."""
        return round(100 * self.reported / self.due, 1) if self.due else None


def completeness(
    submissions: Iterable[Submission], *, county_adcode: str, periods: Iterable[Period], today: date, grace_days: int
) -> Completeness:
    """Return a county's reporting completeness over ``periods`` (periods not yet due are left out).

    Parameters
    ----------
    submissions
        Every submission of the region.
    county_adcode
        The county.
    periods
        The periods looked at (for example the plan's quarters).
    today
        The date looked at: a period counts once its due date has passed.
    grace_days
        Days after a period's end its submission is due.

    Returns
    -------
    Completeness
        Periods due, reported (an approved submission, whenever it came) and reported on time
        (the period's first submission, whatever became of it, came by the due date).
    """
    mine = [s for s in submissions if s.county_adcode == county_adcode]
    due = [p for p in periods if p.due(grace_days=grace_days) < today]
    reported = on_time = 0
    for period in due:
        these = [s for s in mine if s.period == period]
        if any(s.state == "approved" for s in these):
            reported += 1
            first = min(s.submitted_at for s in these)
            on_time += beijing_day(first) <= period.due(grace_days=grace_days)
    return Completeness(county_adcode, due=len(due), reported=reported, on_time=on_time)


def beijing_day(moment: datetime) -> date:
    """Return the calendar day in Beijing (the bureaus' day) of a stored time (UTC when it carries no zone).

    Parameters
    ----------
    moment
        A time.

    Returns
    -------
    date
        Its day in Beijing.
    """
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(BEIJING).date()
