"""The store's public methods for snapshots, written once over a backend's row functions.

A backend (:class:`geo.store.gpkg.GeoPackageStore`,
:class:`geo.store.postgis.PostgisStore`) provides connections and the SQL;
this class checks what it is asked, runs the backend's row functions inside one
transaction and words the refusals, so that both backends accept and refuse
the same things with the same messages. What a backend provides:

``_reading()``
    A context manager yielding a connection inside a read transaction
    (a consistent view), or None while the store holds nothing yet.
``_writing()``
    A context manager yielding a connection inside a write transaction
    that commits on exit (or rolls back on an error), writers serialised.
``_rows``
    A module of row functions taking that connection: ``find_same_file``,
    ``write_snapshot``, ``find_info``, ``latest_info``, ``all_infos``,
    ``load_rows``, ``log_event``, ``mark_rolled_back``, ``clear_rolled_back``.
``_subs``
    A module of submission functions: ``present``, ``insert``, ``review``,
    ``all_submissions``, ``find``, ``whole_region_counties``.
``location``
    Where the data lives, for messages.
"""

from __future__ import annotations

from datetime import date
from types import ModuleType
from typing import Any

import geopandas as gpd
import pandas as pd

from geo.errors import StoreError
from geo.reporting.periods import period_of
from geo.store.frames import duplicate_error, utc_now_text
from geo.store.meta import (
    SnapshotInfo,
    check_date,
    check_kind,
    check_reporting_date,
    check_sha256,
    check_snapshot_frame,
    check_text,
    snapshot_frame,
)


class SnapshotMethods:
    """Saving, listing, loading, rolling back and restoring snapshots; mixed into each store backend."""

    _rows: ModuleType
    _subs: ModuleType
    _reading: Any
    _writing: Any
    location: Any
    in_force: Any
    register: Any

    # ------------------------------------------------------------ writing

    def save_snapshot(
        self,
        gdf: gpd.GeoDataFrame,
        *,
        kind: str,
        reporting_date: date,
        source_name: str,
        source_sha256: str,
        loaded_by: str,
        note: str = "",
    ) -> SnapshotInfo:
        """Store the rows of ``gdf`` as a new snapshot and return its metadata.

        Parameters
        ----------
        gdf
            Accepted rows in WGS-84 (EPSG:4326): canonical columns plus any
            extra ones. Values are stored exactly as given.
        kind
            ``"parks"`` or ``"enterprises"``.
        reporting_date
            填报日期, the date the data describes (not in the future).
        source_name, source_sha256
            The imported file's name and the SHA-256 hex digest of its bytes.
        loaded_by
            Who or what loaded it.
        note
            Optional free text.

        Returns
        -------
        SnapshotInfo
            The new snapshot's metadata.

        Raises
        ------
        CRSError
            ``gdf`` has no CRS or is not in EPSG:4326.
        DuplicateSnapshotError
            A file with the same SHA-256 is already stored as a snapshot of this
            kind (its id is ``exc.snapshot_id``); nothing is saved.
        StoreError
            Bad metadata, an empty frame, an unstorable column, or the store is busy.
        """
        kind = check_kind(kind)
        gdf = check_snapshot_frame(gdf)
        meta = {
            "kind": kind,
            "reporting_date": check_reporting_date(reporting_date).isoformat(),
            "source_name": check_text(source_name, name="source_name"),
            "source_sha256": check_sha256(source_sha256),
            "loaded_by": check_text(loaded_by, name="loaded_by"),
            "note": check_text(note, name="note", required=False),
        }
        with self._writing() as conn:
            same = self._rows.find_same_file(conn, kind, meta["source_sha256"])
            if same is not None:
                raise duplicate_error(same)
            snapshot_id = self._rows.write_snapshot(conn, gdf, meta)
            if kind == "parks":  # a whole-city register: approved at once for every county it speaks for
                self._subs.insert(
                    conn,
                    snapshot_id=snapshot_id,
                    counties=self._subs.whole_region_counties(conn, snapshot_id),
                    period=period_of(date.fromisoformat(meta["reporting_date"])).code,
                    reporting_date=date.fromisoformat(meta["reporting_date"]),
                    by=meta["loaded_by"],
                    now=utc_now_text(),
                    changes={},
                    approve=True,
                )
        return self.snapshot_info(snapshot_id)

    def rollback(self, snapshot_id: int, *, by: str, reason: str) -> SnapshotInfo:
        """Withdraw a snapshot: it stays stored for audit but is no longer current.

        Parameters
        ----------
        snapshot_id
            The snapshot's id.
        by
            Who withdraws it.
        reason
            Why (not blank).

        Returns
        -------
        SnapshotInfo
            The snapshot's metadata after the change.

        Raises
        ------
        StoreError
            The snapshot does not exist or is already rolled back, or ``by``/``reason`` is blank.
        """
        by = check_text(by, name="by")
        reason = check_text(reason, name="reason")
        with self._writing() as conn:
            info = self._info_or_raise(conn, snapshot_id)
            if info.rolled_back:
                when = "?" if info.rolled_back_at is None else f"{info.rolled_back_at:%Y-%m-%d %H:%M} UTC"
                msg = (
                    f"快照 #{snapshot_id} 已于 {when} 由 {info.rolled_back_by} 撤回，无需再次撤回。"
                    f"Snapshot {snapshot_id} was already rolled back."
                )
                raise StoreError(msg)
            now = utc_now_text()
            self._rows.mark_rolled_back(conn, snapshot_id, now=now, by=by, reason=reason)
            self._rows.log_event(conn, snapshot_id, "rolled_back", now=now, by=by, reason=reason)
        return self.snapshot_info(snapshot_id)

    def restore(self, snapshot_id: int, *, by: str, reason: str = "") -> SnapshotInfo:
        """Undo a rollback: the snapshot counts again (and is current if it is the latest).

        Parameters
        ----------
        snapshot_id
            The snapshot's id.
        by
            Who restores it.
        reason
            Why (may be blank).

        Returns
        -------
        SnapshotInfo
            The snapshot's metadata after the change.

        Raises
        ------
        StoreError
            The snapshot does not exist or is not rolled back.
        """
        by = check_text(by, name="by")
        reason = check_text(reason, name="reason", required=False)
        with self._writing() as conn:
            info = self._info_or_raise(conn, snapshot_id)
            if not info.rolled_back:
                msg = (
                    f"快照 #{snapshot_id} 没有被撤回，无需恢复（只有已撤回的快照可以恢复）。"
                    f"Snapshot {snapshot_id} is not rolled back, so there is nothing to restore."
                )
                raise StoreError(msg)
            now = utc_now_text()
            self._rows.clear_rolled_back(conn, snapshot_id)
            self._rows.log_event(conn, snapshot_id, "restored", now=now, by=by, reason=reason)
        return self.snapshot_info(snapshot_id)

    # ------------------------------------------------------------ reading

    def list_snapshots(self, kind: str | None = None) -> pd.DataFrame:
        """Return the metadata of every snapshot, newest first (the order that picks ``current``).

        Columns are :data:`geo.store.meta.SNAPSHOT_COLUMNS`; ``is_current``
        marks the snapshot :meth:`current` returns for its kind.

        Parameters
        ----------
        kind
            ``parks`` or ``enterprises``. None lists both.

        Returns
        -------
        DataFrame
            One row per snapshot, newest first.
        """
        if kind is not None:
            kind = check_kind(kind)
        with self._reading() as conn:
            infos = [] if conn is None else self._rows.all_infos(conn, kind)
        return snapshot_frame(infos)

    def snapshot_info(self, snapshot_id: int) -> SnapshotInfo:
        """Return the metadata of one snapshot, or raise :class:`StoreError` if there is none.

        Parameters
        ----------
        snapshot_id
            The snapshot's id.

        Returns
        -------
        SnapshotInfo
            Its metadata.
        """
        with self._reading() as conn:
            if conn is None:
                raise self._not_found(snapshot_id)
            return self._info_or_raise(conn, snapshot_id)

    def latest_info(self, kind: str, *, as_of: date | None = None) -> SnapshotInfo | None:
        """Return the metadata of the current snapshot (or the one in force on ``as_of``).

        Parameters
        ----------
        kind
            ``parks`` or ``enterprises``.
        as_of
            A date: the snapshot in force then; None for the current one.

        Returns
        -------
        SnapshotInfo or None
            Its metadata, or None when no snapshot counts.
        """
        kind = check_kind(kind)
        if kind == "parks":
            chosen = self.in_force(as_of)
            if not chosen:
                return None
            newest = max(chosen.values(), key=lambda s: (s.describes, s.reviewed_at or s.submitted_at, s.snapshot_id))
            return self.snapshot_info(newest.snapshot_id)
        with self._reading() as conn:
            return None if conn is None else self._rows.latest_info(conn, kind, as_of)

    def load_snapshot(self, snapshot_id: int) -> gpd.GeoDataFrame:
        """Return the rows of a snapshot as saved (columns, order and dtypes), in EPSG:4326.

        Parameters
        ----------
        snapshot_id
            The snapshot's id.

        Returns
        -------
        GeoDataFrame
            The rows as saved, EPSG:4326.
        """
        with self._reading() as conn:
            if conn is None:
                raise self._not_found(snapshot_id)
            return self._rows.load_rows(conn, self._info_or_raise(conn, snapshot_id))

    def current(self, kind: str) -> gpd.GeoDataFrame | None:
        """Return the latest snapshot (by reporting date, then import time) not rolled back, or None.

        Parameters
        ----------
        kind
            ``parks`` or ``enterprises``.

        Returns
        -------
        GeoDataFrame or None
            The current rows, EPSG:4326.
        """
        return self._load_latest(check_kind(kind), None)

    def as_of(self, kind: str, when: date) -> gpd.GeoDataFrame | None:
        """Return the latest snapshot not rolled back with ``reporting_date <= when``, or None.

        Parameters
        ----------
        kind
            ``parks`` or ``enterprises``.
        when
            The date looked at.

        Returns
        -------
        GeoDataFrame or None
            The rows in force on ``when``, EPSG:4326.
        """
        return self._load_latest(check_kind(kind), check_date(when, name="when"))

    def is_empty(self, kind: str) -> bool:
        """Return True when no snapshot of ``kind`` counts (none saved, or all rolled back).

        Parameters
        ----------
        kind
            ``parks`` or ``enterprises``.

        Returns
        -------
        bool
            True when no snapshot of ``kind`` counts.
        """
        return self.latest_info(kind) is None

    # ------------------------------------------------------------ internals

    def _not_found(self, snapshot_id: object) -> StoreError:
        return StoreError(f"There is no snapshot {snapshot_id!r} in the store {self.location}; see list_snapshots() for the ids.")

    def _info_or_raise(self, conn: Any, snapshot_id: int) -> SnapshotInfo:
        info = self._rows.find_info(conn, snapshot_id)
        if info is None:
            raise self._not_found(snapshot_id)
        return info

    def _load_latest(self, kind: str, as_of: date | None) -> gpd.GeoDataFrame | None:
        if kind == "parks":  # the consolidated register, with the columns as saved
            register = self.register(as_of)
            if register is None:
                return None
            out = register.drop(columns=["submission_id", "period"])
            out.attrs = register.attrs
            return out
        with self._reading() as conn:
            if conn is None:
                return None
            info = self._rows.latest_info(conn, kind, as_of)
            return None if info is None else self._rows.load_rows(conn, info)
