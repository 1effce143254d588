"""The store's public methods for county submissions: submit, review, and the consolidated register.

Written once over a backend's row functions, as :mod:`geo.store.base` is for
snapshots: a backend mixes both in and provides the connections and the SQL.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from types import ModuleType
from typing import Any

import geopandas as gpd
import pandas as pd

from geo.errors import StoreError
from geo.reporting.periods import Period
from geo.reporting.submissions import STATE_LABELS, Submission, approve, in_force, return_submission
from geo.store.frames import consolidate, county_rows, duplicate_error, legacy_register, utc_text
from geo.store.meta import SnapshotInfo, check_reporting_date, check_sha256, check_snapshot_frame, check_text


class SubmissionMethods:
    """Submissions and the consolidated register; mixed into each store backend (see :mod:`geo.store.base`)."""

    _rows: ModuleType
    _subs: ModuleType
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
            same = self._rows.find_same_file(conn, "parks", meta["source_sha256"])
            if same is not None:
                raise duplicate_error(same)
            snapshot_id = self._rows.write_snapshot(conn, gdf, meta)
            per_county = {c: int((found == c).sum()) for c in wanted}
            ids = self._subs.insert(
                conn,
                snapshot_id=snapshot_id,
                counties=per_county,
                period=period.code,
                reporting_date=day,
                by=by,
                now=utc_text(at),
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
            now = utc_text(at)
            try:
                when = pd.Timestamp(now).to_pydatetime()
                done = return_submission(found, by=by, at=when, reason=reason) if returning else approve(found, by=by, at=when)
            except ValueError as exc:
                raise StoreError(str(exc)) from exc
            self._subs.review(conn, submission_id, state=done.state, by=by, reason=done.reason, now=now)
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
            if conn is None or not self._subs.present(conn):
                return []
            return self._subs.all_submissions(conn)

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
            frame = self._rows.load_rows(conn, self._info(conn, found.snapshot_id))
        return county_rows(frame, found.county_adcode)

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
            if not self._subs.present(conn):  # a store of an older layout, not yet migrated by a write
                info = self._rows.latest_info(conn, "parks", as_of)
                return None if info is None else legacy_register(self._rows.load_rows(conn, info), info)
            chosen = in_force(self._subs.all_submissions(conn), as_of=as_of or date.max)
            if not chosen:
                return None
            frames = {sid: self._rows.load_rows(conn, self._info(conn, sid)) for sid in {s.snapshot_id for s in chosen.values()}}
        return consolidate(frames, chosen)

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

    def _find_or_raise(self, conn: Any, submission_id: int) -> Submission:
        found = None if conn is None or not self._subs.present(conn) else self._subs.find(conn, submission_id)
        if found is None:
            raise self._no_submission(submission_id)
        return found

    def _no_submission(self, submission_id: object) -> StoreError:
        return StoreError(f"没有编号为 {submission_id!r} 的报送；可用 python -m geo.reporting status 查看各区县的报送。")

    def _info(self, conn: Any, snapshot_id: int) -> SnapshotInfo:
        info = self._rows.find_info(conn, snapshot_id)
        if info is None:
            msg = f"报送所指的快照 #{snapshot_id} 不在数据库中（可能在其他软件中被删除）；请从备份恢复数据库。"
            raise StoreError(msg)
        return info


__all__ = ["STATE_LABELS", "SubmissionMethods"]
