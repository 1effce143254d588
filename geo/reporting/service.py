"""A county's register becomes a submission: split by county, other counties' rows refused, ids matched, changes listed.

:func:`prepare_submission` does everything that can be shown before saving
(the clerk sees it); :func:`save_submission` stores it. The command line and
the data page both go through here, so they refuse and report the same things.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import geopandas as gpd
import pandas as pd

from geo.reporting.changes import Changes, register_changes
from geo.reporting.identity import Ambiguous, match_parks
from geo.reporting.periods import Period
from geo.reporting.submissions import Submission, in_force
from geo.store.synthetic import is_synthetic, withdraw_synthetic_reports


@dataclass(frozen=True)
class Refused:
    """A row of the file that belongs to another county than the one submitting."""

    source_row: object
    name: str
    county_found: str
    county_submitting: str

    @property
    def message(self) -> str:
        """The reason, in a planner's words."""
        return (
            f"第 {self.source_row} 行“{self.name}”属于区县 {self.county_found}，"
            f"而本次报送的是区县 {self.county_submitting}：该行未收入本次报送，请交由所属区县报送。"
        )


@dataclass
class Prepared:
    """A register ready to be stored as one submission per county, with what changed."""

    period: Period
    counties: list[str]
    parks: gpd.GeoDataFrame  # accepted rows of the counties submitting, with their matched ``park_id``
    changes: dict[str, Changes] = field(default_factory=dict)
    ambiguous: list[Ambiguous] = field(default_factory=list)
    refused: list[Refused] = field(default_factory=list)

    def changes_json(self) -> dict[str, dict[str, Any]]:
        """Return county → the summary of its changes (lists of park names per kind), for storing.

        Returns
        -------
        dict
            County adcode → ``{"added": [...], "removed": [...], ...}``.
        """
        return {county: found.summary() for county, found in self.changes.items()}

    def summary(self) -> dict[str, list[str]]:
        """Return the changes of all counties together, per kind.

        Returns
        -------
        dict
            ``added``, ``removed``, ``status_changed``, ``area_changed``, ``moved``, ``renamed`` (and the others) →
            park names.
        """
        out: dict[str, list[str]] = {k: [] for k in ("added", "removed", "status_changed", "area_changed", "moved", "renamed")}
        for found in self.changes.values():
            for kind, names in found.summary().items():
                out.setdefault(kind, []).extend(names)
        return out


def previous_registers(store: Any, *, period: Period, counties: list[str]) -> dict[str, gpd.GeoDataFrame]:
    """Return each county's register from its approved submission in force at the end of the previous period.

    Parameters
    ----------
    store
        The store (with submissions).
    period
        The period being submitted.
    counties
        The counties submitting.

    Returns
    -------
    dict
        County adcode → its previous parks (empty frame when it has none).
    """
    chosen = in_force(store.list_submissions(), as_of=period.previous().end)
    return {c: store.load_submission(chosen[c].submission_id) for c in counties if c in chosen}


def prepare_submission(parks: gpd.GeoDataFrame, *, store: Any, period: Period, county: str | None, region_counties: list[str]) -> Prepared:
    """Split a register by county, refuse rows of other counties, match park ids and list the changes.

    Parameters
    ----------
    parks
        The file's accepted parks (WGS-84), as the importer returns them.
    store
        The store, for the counties' previous registers.
    period
        The period the file reports.
    county
        The county submitting; None for the whole city (every county of ``region_counties`` reports, a county
        without rows reporting that it has none).
    region_counties
        Every county of the region, in order.

    Returns
    -------
    Prepared
        What will be stored, and what changed, per county.
    """
    found = parks["county_adcode"].astype(str)
    counties = list(region_counties) if county is None else [county]
    stray = ~found.isin(counties)
    refused = [
        Refused(row.get("source_row", pos + 1), str(row.get("name", "")), str(row["county_adcode"]), county or "")
        for pos, (_, row) in enumerate(parks[stray].iterrows())
    ]
    kept = parks[~stray].reset_index(drop=True)
    previous = previous_registers(store, period=period, counties=counties)
    parts, changes, ambiguous = [], {}, []
    for adcode in counties:
        mine = kept[kept["county_adcode"].astype(str) == adcode]
        before = previous.get(adcode, kept.iloc[0:0].assign(park_id=pd.Series(dtype=object)))
        matching = match_parks(before, mine)
        mine = mine.assign(park_id=matching.park_ids)
        ambiguous.extend(matching.ambiguous)
        changes[adcode] = register_changes(before, mine)
        parts.append(mine)
    merged = pd.concat(parts, ignore_index=True) if parts else kept
    frame = gpd.GeoDataFrame(merged, geometry=kept.geometry.name, crs=kept.crs)
    return Prepared(period=period, counties=counties, parks=frame, changes=changes, ambiguous=ambiguous, refused=refused)


def save_submission(
    store: Any,
    prepared: Prepared,
    *,
    by: str,
    source_name: str,
    source_sha256: str,
    approve_now: bool = False,
    reporting_date: date | None = None,
) -> list[Submission]:
    """Store a prepared register as one submission per county (atomically) and return them.

    Parameters
    ----------
    store
        The store.
    prepared
        From :func:`prepare_submission`.
    by
        Who submits.
    source_name, source_sha256
        The file's name and the SHA-256 of its bytes.
    approve_now
        Approve at once (a single-user install).
    reporting_date
        The date the register describes (default: the period's end, or today while the period runs).

    Returns
    -------
    list of Submission
        One per county. Approved at once, the synthetic sample's reports of those counties are withdrawn.
    """
    made = store.submit(
        prepared.parks,
        period=prepared.period,
        counties=prepared.counties,
        source_name=source_name,
        source_sha256=source_sha256,
        submitted_by=by,
        changes=prepared.changes_json(),
        approve_now=approve_now,
        reporting_date=reporting_date,
    )
    if approve_now:
        withdraw_synthetic_reports(store, prepared.counties, by=by)
    return made


def approve_submission(store: Any, submission_id: int, *, by: str) -> Submission:
    """Approve a submission; the synthetic sample's reports of its county, if any, are withdrawn (never mixed with real ones).

    Without this a real report for an earlier quarter than the sample's last
    one would stay hidden behind the made-up later quarters.

    Parameters
    ----------
    store
        The store.
    submission_id
        The submission.
    by
        Who approves.

    Returns
    -------
    Submission
        After the change.
    """
    done = store.approve_submission(submission_id, by=by)
    if not is_synthetic(store.snapshot_info(done.snapshot_id)):
        withdraw_synthetic_reports(store, [done.county_adcode], by=by)
    return done
