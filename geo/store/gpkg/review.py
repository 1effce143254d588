"""The submission side of :class:`geo.store.gpkg.GeoPackageStore`: submit, review, and the consolidated register.

Kept apart from the snapshot methods so each file reads as one task; the class
mixes both in. See :mod:`geo.store.gpkg.submissions` for the tables.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

import geopandas as gpd
import pandas as pd

from geo.crs import WGS84
from geo.errors import StoreError
from geo.reporting.periods import Period
from geo.reporting.submissions import STATE_LABELS, Submission, approve, in_force, return_submission
from geo.store.gpkg import rows as rows
from geo.store.gpkg import submissions as subs
from geo.store.meta import SnapshotInfo, check_reporting_date, check_sha256, check_snapshot_frame, check_text


def _has_submissions(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'submissions'").fetchone() is not None


class SubmissionMethods:
    """Submissions and the consolidated register; mixed into the GeoPackage store (which provides the connections)."""

    _reading: Any
    _writing: Any

    # ------------------------------------------------------------ writing

    def submit(
        self,
        gdf: gpd.GeoDataFrame,
        *,
        period: Period,
        counties: Sequence[str],
        source_name: str,
        source_sha256: str,
        submitted_by: str,
        changes: Mapping[str, Mapping[str, Any]] | None = None,
        approve_now: bool = False,
        reporting_date: date | None = None,
        note: str = "",
        at: datetime | None = None,
    ) -> list[Submission]:
        """Store a register as one submission per county, atomically; return them.

        Parameters
        ----------
        gdf
            The accepted parks (WGS-84), each with ``county_adcode`` among ``counties`` and a ``park_id``.
        period
            The reporting period.
        counties
            The counties this file reports for (a county with no row reports that it has no parks).
        source_name, source_sha256
            The file's name and the SHA-256 of its bytes.
        submitted_by
            Who submits.
        changes
            County adcode → what changed against its previous period (JSON-ready), kept with the submission.
        approve_now
            Approve at once (single-user install, or the city loading a register it checked itself).
        reporting_date
            The date the register describes; default the period's end, or today while the period is still running.
        note
            Free text.
        at
            When it was sent, for a history being loaded (the synthetic sample's quarters); None: now.

        Returns
        -------
        list of Submission
            One per county, in the order of ``counties``.

        Raises
        ------
        StoreError
            No county, rows of a county not in ``counties``, a file already stored, or bad metadata.
        """
        wanted = [check_text(c, name="counties") for c in counties]
        if not wanted:
            raise StoreError("`counties` must name at least one county the file reports for.")
        gdf = check_snapshot_frame(gdf)
        found = gdf["county_adcode"].astype(str)
        stray = sorted(set(found) - set(wanted))
        if stray:
            msg = f"文件中有区县 {'、'.join(stray)} 的行，但本次只为 {'、'.join(wanted)} 报送；请先去掉这些行。"
            raise StoreError(msg)
        day = reporting_date or min(period.end, date.today())
        by = check_text(submitted_by, name="submitted_by")
        meta = {
            "kind": "parks",
            "reporting_date": check_reporting_date(day).isoformat(),
            "source_name": check_text(source_name, name="source_name"),
            "source_sha256": check_sha256(source_sha256),
            "loaded_by": by,
            "note": check_text(note, name="note", required=False) or f"报送 {period.code}",
        }
        with self._writing() as conn:
            same = rows.find_same_file(conn, "parks", meta["source_sha256"])
            if same is not None:
                from geo.store.gpkg import _duplicate

                raise _duplicate(same)
            snapshot_id = rows.write_snapshot(conn, gdf, meta)
            per_county = {c: int((found == c).sum()) for c in wanted}
            ids = subs.insert(
                conn,
                snapshot_id=snapshot_id,
                counties=per_county,
                period=period.code,
                reporting_date=day,
                by=by,
                now=rows.utc_text(at),
                changes=changes or {},
                approve=approve_now,
            )
        return [self.submission(i) for i in ids]

    def approve_submission(self, submission_id: int, *, by: str, at: datetime | None = None) -> Submission:
        """Approve a submitted register: from now on it is the county's register for its period.

        Parameters
        ----------
        submission_id
            The submission.
        by
            Who approves.
        at
            When, for a history being loaded; None: now.

        Returns
        -------
        Submission
            After the change.
        """
        return self._review(submission_id, by=by, reason="", returning=False, at=at)

    def return_submission(self, submission_id: int, *, by: str, reason: str, at: datetime | None = None) -> Submission:
        """Send a submission back to its county with a reason; it never counts.

        Parameters
        ----------
        submission_id
            The submission.
        by
            Who returns it.
        reason
            What the county must fix (required).
        at
            When, for a history being loaded; None: now.

        Returns
        -------
        Submission
            After the change.
        """
        return self._review(submission_id, by=by, reason=reason, returning=True, at=at)

    def _review(self, submission_id: int, *, by: str, reason: str, returning: bool, at: datetime | None) -> Submission:
        by = check_text(by, name="by")
        with self._writing() as conn:
            found = self._find_or_raise(conn, submission_id)
            now = rows.utc_text(at)
            try:
                when = pd.Timestamp(now).to_pydatetime()
                done = return_submission(found, by=by, at=when, reason=reason) if returning else approve(found, by=by, at=when)
            except ValueError as exc:
                raise StoreError(str(exc)) from exc
            subs.review(conn, submission_id, state=done.state, by=by, reason=done.reason, now=now)
        return self.submission(submission_id)

    # ------------------------------------------------------------ reading

    def list_submissions(self) -> list[Submission]:
        """Return every submission, oldest first.

        Returns
        -------
        list of Submission
            Every county submission of every period, in any state.
        """
        with self._reading() as conn:
            if conn is None or not _has_submissions(conn):
                return []
            return subs.all_submissions(conn)

    def submission(self, submission_id: int) -> Submission:
        """Return one submission.

        Parameters
        ----------
        submission_id
            Its id.

        Returns
        -------
        Submission
            The submission.
        """
        with self._reading() as conn:
            return self._find_or_raise(conn, submission_id)

    def load_submission(self, submission_id: int) -> gpd.GeoDataFrame:
        """Return the parks of one submission (its county's rows of the stored file), WGS-84.

        Parameters
        ----------
        submission_id
            Its id.

        Returns
        -------
        GeoDataFrame
            The county's rows as saved.
        """
        with self._reading() as conn:
            found = self._find_or_raise(conn, submission_id)
            frame = rows.load_rows(conn, _info(conn, found.snapshot_id))
        return _county_rows(frame, found.county_adcode)

    def register(self, as_of: date | None = None) -> gpd.GeoDataFrame | None:
        """Return the city's consolidated register: per county, its approved submission in force at ``as_of``.

        Parameters
        ----------
        as_of
            A date; None for the register in force now (every approved submission counts, whatever its date).

        Returns
        -------
        GeoDataFrame or None
            The parks, WGS-84, with ``submission_id`` and ``period`` columns; None when no submission counts.
            ``attrs["register"]`` maps each county to its submission's id, period and reporting date.
        """
        with self._reading() as conn:
            if conn is None:
                return None
            if not _has_submissions(conn):  # a store of an older layout, not yet migrated by a write
                info = rows.latest_info(conn, "parks", as_of)
                return None if info is None else _legacy(rows.load_rows(conn, info), info)
            chosen = in_force(subs.all_submissions(conn), as_of=as_of or date.max)
            if not chosen:
                return None
            frames = {sid: rows.load_rows(conn, _info(conn, sid)) for sid in {s.snapshot_id for s in chosen.values()}}
        return _consolidate(frames, chosen)

    def in_force(self, as_of: date | None = None) -> dict[str, Submission]:
        """Return, per county, the approved submission in force at ``as_of`` (None: now).

        Parameters
        ----------
        as_of
            A date, or None.

        Returns
        -------
        dict
            County adcode → submission; counties without one are absent.
        """
        return in_force(self.list_submissions(), as_of=as_of or date.max)

    # ------------------------------------------------------------ internals

    def _find_or_raise(self, conn: sqlite3.Connection | None, submission_id: int) -> Submission:
        found = None if conn is None or not _has_submissions(conn) else subs.find(conn, submission_id)
        if found is None:
            raise self._no_submission(submission_id)
        return found

    def _no_submission(self, submission_id: object) -> StoreError:
        return StoreError(f"没有编号为 {submission_id!r} 的报送；可用 python -m geo.reporting status 查看各区县的报送。")


def _info(conn: sqlite3.Connection, snapshot_id: int) -> SnapshotInfo:
    info = rows.find_info(conn, snapshot_id)
    if info is None:
        msg = f"报送所指的快照 #{snapshot_id} 不在数据库中（可能在其他软件中被删除）；请从备份恢复数据库。"
        raise StoreError(msg)
    return info


def _county_rows(frame: gpd.GeoDataFrame, county: str) -> gpd.GeoDataFrame:
    out = frame[frame["county_adcode"].astype(str) == county].reset_index(drop=True)
    out.attrs = dict(frame.attrs)
    return out


def _legacy(frame: gpd.GeoDataFrame, info: SnapshotInfo) -> gpd.GeoDataFrame:
    out = frame.assign(submission_id=pd.NA, period="")
    out.attrs = {"snapshot": info.as_dict(), "register": {}}
    return out


def _consolidate(frames: Mapping[int, gpd.GeoDataFrame], chosen: Mapping[str, Submission]) -> gpd.GeoDataFrame:
    """Each county's rows from its snapshot in force, in the snapshot's own row order, newest snapshot first."""
    by_snapshot: dict[int, dict[str, Submission]] = {}
    for county, sub in chosen.items():
        by_snapshot.setdefault(sub.snapshot_id, {})[county] = sub
    parts = []
    for snapshot_id in sorted(by_snapshot, reverse=True):
        frame, mine = frames[snapshot_id], by_snapshot[snapshot_id]
        county = frame["county_adcode"].astype(str)
        rows_ = frame[county.isin(list(mine))]
        ids = county[county.isin(list(mine))].map({c: s.submission_id for c, s in mine.items()})
        periods = county[county.isin(list(mine))].map({c: s.period.code for c, s in mine.items()})
        parts.append(rows_.assign(submission_id=ids.astype("int64"), period=periods))
    nonempty = [p for p in parts if len(p)]
    out = nonempty[0].reset_index(drop=True) if len(nonempty) == 1 else pd.concat(nonempty or parts[:1], ignore_index=True)
    result = gpd.GeoDataFrame(out, geometry="geometry", crs=WGS84)
    newest = max(chosen.values(), key=lambda s: (s.describes, s.snapshot_id))
    result.attrs = {
        "snapshot": dict(frames[newest.snapshot_id].attrs.get("snapshot", {})),
        "register": {
            c: {
                "submission_id": s.submission_id,
                "period": s.period.code,
                "reporting_date": s.describes.isoformat(),
                "snapshot_id": s.snapshot_id,
            }
            for c, s in sorted(chosen.items())
        },
    }
    return result


__all__ = ["STATE_LABELS", "SubmissionMethods"]
