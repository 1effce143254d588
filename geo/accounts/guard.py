"""The store as one account may use it: every write checked against the account's role, recorded with its name, audited.

:class:`GuardedStore` wraps any :class:`~geo.store.SnapshotStore`. Reads pass
through (every role sees the whole city's dashboard). Each write first asks
:func:`geo.accounts.require`, then writes with the account's
:attr:`~geo.accounts.Account.label` as ``loaded_by`` / ``submitted_by`` /
``by`` (whatever name the caller passed is ignored: "who" is the signed-in
account, never typed), then appends one event per change to the audit log
of the :mod:`geo.accounts.book`.

The audit row is written after the change commits, so the log never claims
a write that did not happen. A store that enforces accounts itself (PostGIS,
with row-level security) provides ``for_account(account)``; the guard then
writes through that, so a county account is refused by the database too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from geo.accounts import Account, Action, require
from geo.accounts.book import AccountBook, AuditEvent
from geo.reporting.periods import Period
from geo.reporting.submissions import Submission
from geo.store.meta import SnapshotInfo

_KIND_WORDS = {"parks": "园区台账", "enterprises": "企业名录"}


class GuardedStore:
    """A store seen through one account.

    Parameters
    ----------
    store
        The store (GeoPackage or PostGIS).
    account
        Who is signed in.
    book
        Where the audit log is kept.
    county_names
        Adcode → county name, for messages (optional).
    """

    def __init__(self, store: Any, account: Account, book: AccountBook, *, county_names: Mapping[str, str] | None = None) -> None:
        self._inner = store
        self._writer = store.for_account(account) if hasattr(store, "for_account") else store
        self._account = account
        self._book = book
        self._names = dict(county_names or {})

    @property
    def account(self) -> Account:
        """The account this store acts for."""
        return self._account

    @property
    def book(self) -> AccountBook:
        """The account book (and audit log) beside the store."""
        return self._book

    @property
    def inner(self) -> Any:
        """The store without the guard (for caches keyed by its location)."""
        return self._inner

    @property
    def location(self) -> Path | str:
        """Where the data lives."""
        location: Path | str = self._inner.location
        return location

    def __repr__(self) -> str:
        return f"GuardedStore({self._inner!r}, account={self._account.name!r})"

    def ensure(self, action: Action, county: str | None = None) -> None:
        """Raise :class:`~geo.errors.PermissionDeniedError` unless the account may do ``action``.

        Parameters
        ----------
        action
            One of :data:`geo.accounts.ACTIONS`.
        county
            The county written, where the action names one.
        """
        require(self._account, action, county, county_name=self._names.get(county or ""))

    def _log(self, action: str, target: str, *, county: str | None = None, summary: str = "",
             after: Mapping[str, Any] | None = None) -> None:  # fmt: skip
        self._book.log(AuditEvent(action, self._account.name, target, county, summary, None, after))

    # ------------------------------------------------------------ reads pass through

    def list_snapshots(self, kind: str | None = None) -> pd.DataFrame:
        """Return snapshot metadata, newest first (see :meth:`geo.store.SnapshotStore.list_snapshots`).

        Parameters
        ----------
        kind
            ``parks``, ``enterprises`` or None.

        Returns
        -------
        DataFrame
            One row per snapshot.
        """
        frame: pd.DataFrame = self._inner.list_snapshots(kind)
        return frame

    def snapshot_info(self, snapshot_id: int) -> SnapshotInfo:
        """Return one snapshot's metadata.

        Parameters
        ----------
        snapshot_id
            The snapshot.

        Returns
        -------
        SnapshotInfo
            Its metadata.
        """
        info: SnapshotInfo = self._inner.snapshot_info(snapshot_id)
        return info

    def latest_info(self, kind: str, *, as_of: date | None = None) -> SnapshotInfo | None:
        """Return the metadata of the snapshot in force (now or at ``as_of``).

        Parameters
        ----------
        kind
            ``parks`` or ``enterprises``.
        as_of
            A date, or None.

        Returns
        -------
        SnapshotInfo or None
            Its metadata.
        """
        info: SnapshotInfo | None = self._inner.latest_info(kind, as_of=as_of)
        return info

    def load_snapshot(self, snapshot_id: int) -> gpd.GeoDataFrame:
        """Return one snapshot's rows.

        Parameters
        ----------
        snapshot_id
            The snapshot.

        Returns
        -------
        GeoDataFrame
            Its rows.
        """
        frame: gpd.GeoDataFrame = self._inner.load_snapshot(snapshot_id)
        return frame

    def current(self, kind: str) -> gpd.GeoDataFrame | None:
        """Return the current snapshot of ``kind``.

        Parameters
        ----------
        kind
            ``parks`` or ``enterprises``.

        Returns
        -------
        GeoDataFrame or None
            Its rows.
        """
        frame: gpd.GeoDataFrame | None = self._inner.current(kind)
        return frame

    def as_of(self, kind: str, when: date) -> gpd.GeoDataFrame | None:
        """Return the snapshot of ``kind`` in force on ``when``.

        Parameters
        ----------
        kind
            ``parks`` or ``enterprises``.
        when
            The date.

        Returns
        -------
        GeoDataFrame or None
            Its rows.
        """
        frame: gpd.GeoDataFrame | None = self._inner.as_of(kind, when)
        return frame

    def is_empty(self, kind: str) -> bool:
        """Return True when no snapshot of ``kind`` counts.

        Parameters
        ----------
        kind
            ``parks`` or ``enterprises``.

        Returns
        -------
        bool
            Whether it is empty.
        """
        return bool(self._inner.is_empty(kind))

    def list_submissions(self) -> list[Submission]:
        """Return every submission, oldest first.

        Returns
        -------
        list of Submission
            In any state.
        """
        found: list[Submission] = self._inner.list_submissions()
        return found

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
        found: Submission = self._inner.submission(submission_id)
        return found

    def load_submission(self, submission_id: int) -> gpd.GeoDataFrame:
        """Return the parks of one submission.

        Parameters
        ----------
        submission_id
            Its id.

        Returns
        -------
        GeoDataFrame
            Its rows.
        """
        frame: gpd.GeoDataFrame = self._inner.load_submission(submission_id)
        return frame

    def register(self, as_of: date | None = None) -> gpd.GeoDataFrame | None:
        """Return the consolidated register in force at ``as_of``.

        Parameters
        ----------
        as_of
            A date, or None for now.

        Returns
        -------
        GeoDataFrame or None
            The register.
        """
        frame: gpd.GeoDataFrame | None = self._inner.register(as_of)
        return frame

    def in_force(self, as_of: date | None = None) -> dict[str, Submission]:
        """Return, per county, the approved submission in force at ``as_of``.

        Parameters
        ----------
        as_of
            A date, or None for now.

        Returns
        -------
        dict
            County adcode → submission.
        """
        found: dict[str, Submission] = self._inner.in_force(as_of)
        return found

    # ------------------------------------------------------------ writes: checked, named, audited

    def save_snapshot(
        self,
        gdf: gpd.GeoDataFrame,
        *,
        kind: str,
        reporting_date: date,
        source_name: str,
        source_sha256: str,
        loaded_by: str = "",
        note: str = "",
    ) -> SnapshotInfo:
        """Store a whole-city register or enterprise list (city accounts only).

        Parameters
        ----------
        gdf
            The accepted rows (WGS-84).
        kind
            ``parks`` or ``enterprises``.
        reporting_date
            The date the data describes.
        source_name, source_sha256
            The file's name and SHA-256.
        loaded_by
            Ignored: the signed-in account is recorded.
        note
            Free text.

        Returns
        -------
        SnapshotInfo
            The new snapshot.
        """
        self.ensure("save_snapshot")
        info: SnapshotInfo = self._writer.save_snapshot(gdf, kind=kind, reporting_date=reporting_date, source_name=source_name,
                                                        source_sha256=source_sha256, loaded_by=self._account.label, note=note)  # fmt: skip
        self._log("save_snapshot", f"snapshot #{info.snapshot_id}",
                  summary=f"{_KIND_WORDS.get(kind, kind)} {reporting_date.isoformat()} {source_name}（{info.row_count} 行）",
                  after={"kind": kind, "reporting_date": reporting_date.isoformat(), "source_name": source_name,
                         "rows": info.row_count})  # fmt: skip
        return info

    def rollback(self, snapshot_id: int, *, by: str = "", reason: str) -> SnapshotInfo:
        """Withdraw a snapshot (city accounts only).

        Parameters
        ----------
        snapshot_id
            The snapshot.
        by
            Ignored: the signed-in account is recorded.
        reason
            Why.

        Returns
        -------
        SnapshotInfo
            After the change.
        """
        self.ensure("rollback")
        info: SnapshotInfo = self._writer.rollback(snapshot_id, by=self._account.label, reason=reason)
        self._log("rollback", f"snapshot #{snapshot_id}", summary=reason, after={"rolled_back": True, "reason": reason})
        return info

    def restore(self, snapshot_id: int, *, by: str = "", reason: str = "") -> SnapshotInfo:
        """Undo a rollback (city accounts only).

        Parameters
        ----------
        snapshot_id
            The snapshot.
        by
            Ignored: the signed-in account is recorded.
        reason
            Why.

        Returns
        -------
        SnapshotInfo
            After the change.
        """
        self.ensure("restore")
        info: SnapshotInfo = self._writer.restore(snapshot_id, by=self._account.label, reason=reason)
        self._log("restore", f"snapshot #{snapshot_id}", summary=reason, after={"rolled_back": False, "reason": reason})
        return info

    def submit(
        self,
        gdf: gpd.GeoDataFrame,
        *,
        period: Period,
        counties: Sequence[str],
        source_name: str,
        source_sha256: str,
        submitted_by: str = "",
        changes: Mapping[str, Mapping[str, Any]] | None = None,
        approve_now: bool = False,
        reporting_date: date | None = None,
        note: str = "",
        at: datetime | None = None,
    ) -> list[Submission]:
        """Submit a register for ``counties`` (each must be the account's own; approving at once needs a city account).

        Parameters
        ----------
        gdf
            The accepted parks (WGS-84).
        period
            The reporting period.
        counties
            The counties the file reports for.
        source_name, source_sha256
            The file's name and SHA-256.
        submitted_by
            Ignored: the signed-in account is recorded.
        changes
            County → what changed.
        approve_now
            Approve at once.
        reporting_date
            The date the register describes.
        note
            Free text.
        at
            When it was sent (a history being loaded).

        Returns
        -------
        list of Submission
            One per county.
        """
        for county in counties:
            self.ensure("submit", county)
        if approve_now:
            self.ensure("review")
        made: list[Submission] = self._writer.submit(gdf, period=period, counties=counties, source_name=source_name,
                                                     source_sha256=source_sha256, submitted_by=self._account.label, changes=changes,
                                                     approve_now=approve_now, reporting_date=reporting_date, note=note, at=at)  # fmt: skip
        for sub in made:
            self._log("submit", f"submission #{sub.submission_id}", county=sub.county_adcode,
                      summary=f"{period.code} {source_name}（{sub.row_count} 个园区）{'，当即通过' if approve_now else ''}",
                      after={"period": period.code, "state": sub.state, "rows": sub.row_count})  # fmt: skip
        return made

    def approve_submission(self, submission_id: int, *, by: str = "", at: datetime | None = None) -> Submission:
        """Approve a submission (city accounts only).

        Parameters
        ----------
        submission_id
            The submission.
        by
            Ignored: the signed-in account is recorded.
        at
            When (a history being loaded).

        Returns
        -------
        Submission
            After the change.
        """
        self.ensure("review")
        done: Submission = self._writer.approve_submission(submission_id, by=self._account.label, at=at)
        self._log("approve", f"submission #{submission_id}", county=done.county_adcode, summary=done.period.code,
                  after={"state": done.state})  # fmt: skip
        return done

    def return_submission(self, submission_id: int, *, by: str = "", reason: str, at: datetime | None = None) -> Submission:
        """Return a submission to its county with a reason (city accounts only).

        Parameters
        ----------
        submission_id
            The submission.
        by
            Ignored: the signed-in account is recorded.
        reason
            What to fix.
        at
            When (a history being loaded).

        Returns
        -------
        Submission
            After the change.
        """
        self.ensure("review")
        done: Submission = self._writer.return_submission(submission_id, by=self._account.label, reason=reason, at=at)
        self._log("return", f"submission #{submission_id}", county=done.county_adcode, summary=reason,
                  after={"state": done.state, "reason": reason})  # fmt: skip
        return done

    def record(self, action: Action, target: str, *, summary: str = "", before: Mapping[str, Any] | None = None,
               after: Mapping[str, Any] | None = None) -> AuditEvent:  # fmt: skip
        """Audit a write kept outside the store (quotas, plans): :meth:`ensure` before writing, this after.

        Parameters
        ----------
        action
            ``edit_quotas`` or ``edit_plan``.
        target
            What is written (a file or plan id).
        summary
            One line for people.
        before, after
            The values before and after.

        Returns
        -------
        AuditEvent
            As logged.
        """
        self.ensure(action)
        return self._book.log(AuditEvent(action, self._account.name, target, None, summary, before, after))
