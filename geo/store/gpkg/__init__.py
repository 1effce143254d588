"""The GeoPackage snapshot store: one ``.gpkg`` file, written with ``sqlite3``.

How writes stay safe
--------------------
Every change (a save, a rollback, a restore) is one SQLite transaction
(``BEGIN IMMEDIATE`` ... ``COMMIT``) in the default rollback-journal mode:
the feature rows, any new columns (SQLite DDL is transactional), the
metadata row, the audit event and the GeoPackage bookkeeping commit together
or not at all. An exception halfway through rolls the transaction back, and
a crash (power cut, killed process) leaves a hot journal that SQLite replays
on the next open, so the file is always either before or after the change.
The very first save builds the new file under a temporary name and moves it
into place with ``os.replace``, so even creation is all-or-nothing.

Writers from several processes or threads are serialised by an exclusive
``fcntl.flock`` on ``<store>.lock`` (waiting up to ``lock_timeout_s``),
and SQLite's own file locks back this up against other programs (QGIS).
Readers are never blocked by the lock file: they read a consistent state
inside their own read transaction.

The SQL itself lives in :mod:`geo.store.gpkg.schema` (tables) and
:mod:`geo.store.gpkg.rows` (rows); this module owns connections, the lock
and the transaction.

Why not "write a copy, then rename": copying a file that grows by one
enterprise list (250,000 rows) per import on every import does not scale;
appending inside a transaction costs only the new rows.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Final

import geopandas as gpd
import pandas as pd

from geo.errors import DuplicateSnapshotError, StoreError
from geo.reporting.periods import period_of
from geo.store.gpkg import files as files
from geo.store.gpkg import rows as rows
from geo.store.gpkg import schema as schema
from geo.store.gpkg import submissions as submissions
from geo.store.gpkg.review import SubmissionMethods
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

_SQLITE_TIMEOUT_S: Final = 60.0
_WRITE_CACHE_KIB: Final = 128 * 1024
_KIND_LABELS: Final = {"parks": "园区台账", "enterprises": "企业名录"}


class GeoPackageStore(SubmissionMethods):
    """Snapshots of parks and enterprises, and county submissions, in one GeoPackage file.

    Parameters
    ----------
    path
        The ``.gpkg`` file. It (and its folder) is created by the first save;
        until then the store reads as empty.
    lock_timeout_s
        How long a save, rollback or restore waits for another one to finish
        before giving up with a :class:`~geo.errors.StoreError`.

    Notes
    -----
    Input and output GeoDataFrames are in WGS-84 (EPSG:4326). Loaded frames
    have a fresh ``RangeIndex`` and carry their metadata in
    ``gdf.attrs["snapshot"]`` (see :meth:`SnapshotInfo.as_dict`).
    """

    def __init__(self, path: str | Path, *, lock_timeout_s: float = 120.0) -> None:
        self._path = Path(path).expanduser().resolve()
        self._lock_timeout_s = lock_timeout_s
        if self._path.is_dir():
            msg = f"The store location {self._path} is a folder; give a file name ending in .gpkg."
            raise StoreError(msg)
        files.remove_stale_new_files(self._path)
        with self._reading():
            pass  # refuses a 0-byte or foreign file, a damaged one and one of a newer layout

    @property
    def location(self) -> Path:
        """The GeoPackage file (absolute path)."""
        return self._path

    def __repr__(self) -> str:
        return f"GeoPackageStore({str(self._path)!r})"

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
            same = rows.find_same_file(conn, kind, meta["source_sha256"])
            if same is not None:
                raise _duplicate(same)
            snapshot_id = rows.write_snapshot(conn, gdf, meta)
            if kind == "parks":  # a whole-city register: approved at once for every county it speaks for
                submissions.insert(
                    conn,
                    snapshot_id=snapshot_id,
                    counties=submissions.whole_region_counties(conn, snapshot_id),
                    period=period_of(date.fromisoformat(meta["reporting_date"])).code,
                    reporting_date=date.fromisoformat(meta["reporting_date"]),
                    by=meta["loaded_by"],
                    now=rows.utc_now_text(),
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
            now = rows.utc_now_text()
            conn.execute(
                "UPDATE snapshots SET rolled_back = 1, rolled_back_at = ?, rolled_back_by = ?, rollback_reason = ? WHERE snapshot_id = ?",
                (now, by, reason, snapshot_id),
            )
            rows.log_event(conn, snapshot_id, "rolled_back", now=now, by=by, reason=reason)
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
            now = rows.utc_now_text()
            conn.execute(
                "UPDATE snapshots SET rolled_back = 0, rolled_back_at = NULL, rolled_back_by = NULL, rollback_reason = NULL "
                "WHERE snapshot_id = ?",
                (snapshot_id,),
            )
            rows.log_event(conn, snapshot_id, "restored", now=now, by=by, reason=reason)
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
            infos = [] if conn is None else rows.all_infos(conn, kind)
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
            return None if conn is None else rows.latest_info(conn, kind, as_of)

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
            return rows.load_rows(conn, self._info_or_raise(conn, snapshot_id))

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

    def _exists(self) -> bool:
        """Return True when the store file is there; raise if it is there but not a store."""
        if not self._path.is_file():
            return False
        files.check_store_file(self._path)
        return True

    def _connect(self, path: Path) -> sqlite3.Connection:
        try:
            return sqlite3.connect(path, timeout=_SQLITE_TIMEOUT_S, isolation_level=None)
        except sqlite3.Error as exc:
            msg = f"Cannot open the store {path}: {exc}."
            raise StoreError(msg) from exc

    @contextlib.contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection | None]:
        if not self._exists():
            yield None
            return
        conn = self._connect(self._path)
        try:
            conn.execute("BEGIN")
            version = schema.layout_version(conn)
            yield conn if version > 0 else None
            conn.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            raise self._unreadable(exc) from exc
        finally:
            conn.close()

    def _unreadable(self, exc: sqlite3.Error) -> StoreError:
        msg = (
            f"Cannot read the store {self._path}: {exc}. 数据库文件无法读取（可能已损坏或不完整）；"
            "程序不会改动它。请从备份恢复，或把 PARKMAP_STORE 指向另一个文件。"
        )
        return StoreError(msg)

    @contextlib.contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        with files.writers_lock(self._path, timeout_s=self._lock_timeout_s):
            creating = not self._exists()
            target = files.new_file_path(self._path) if creating else self._path
            if creating:
                files.remove_with_side_files(target)
            try:
                conn = self._connect(target)
                with self._transaction(conn, creating=creating):
                    yield conn
            except BaseException as exc:
                if creating:
                    files.remove_with_side_files(target)
                error = self._write_error(exc)
                if error is exc:
                    raise
                raise error from exc
            if creating:
                self._move_into_place(target)

    @contextlib.contextmanager
    def _transaction(self, conn: sqlite3.Connection, *, creating: bool) -> Iterator[None]:
        try:
            if creating:
                conn.execute(f"PRAGMA application_id = {schema.APPLICATION_ID}")
                conn.execute(f"PRAGMA user_version = {schema.USER_VERSION}")
            # A page cache big enough for a 250,000-row list keeps the file untouched (and readers
            # unblocked) until COMMIT, instead of spilling pages under an exclusive lock.
            conn.execute(f"PRAGMA cache_size = -{_WRITE_CACHE_KIB}")
            conn.execute("BEGIN IMMEDIATE")
            schema.ensure_schema(conn)
            yield
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        finally:
            conn.close()

    def _write_error(self, exc: BaseException) -> BaseException:
        """Return the error to raise for a failed write: planner words for file-system and SQLite failures."""
        if isinstance(exc, PermissionError) or (isinstance(exc, sqlite3.OperationalError) and "readonly" in str(exc)):
            return files.not_writable_error(self._path, exc if isinstance(exc, OSError) else PermissionError(str(exc)))
        if isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError):
            return self._unreadable(exc)
        if isinstance(exc, sqlite3.Error):
            msg = f"Could not write to the store {self._path}: {exc}. Nothing was changed."
            return StoreError(msg)
        return exc

    def _move_into_place(self, target: Path) -> None:
        try:
            os.replace(target, self._path)
        except OSError as exc:
            files.remove_with_side_files(target)
            raise files.not_writable_error(self._path, exc) from exc
        files.sync_directory(self._path.parent)

    def _not_found(self, snapshot_id: object) -> StoreError:
        return StoreError(f"There is no snapshot {snapshot_id!r} in the store {self._path}; see list_snapshots() for the ids.")

    def _info_or_raise(self, conn: sqlite3.Connection, snapshot_id: int) -> SnapshotInfo:
        info = rows.find_info(conn, snapshot_id)
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
            info = rows.latest_info(conn, kind, as_of)
            return None if info is None else rows.load_rows(conn, info)


def _duplicate(same: SnapshotInfo) -> DuplicateSnapshotError:
    kind = _KIND_LABELS.get(same.kind, same.kind)
    msg = (
        f"该文件已保存为快照 #{same.snapshot_id}（{kind}，填报日期 {same.reporting_date:%Y-%m-%d}，"
        f"{same.imported_at:%Y-%m-%d %H:%M} UTC 由 {same.loaded_by} 导入），没有重复保存。"
    )
    if same.rolled_back:
        msg += f"该快照已撤回；如需重新使用，请在“导入历史”中恢复快照 #{same.snapshot_id}。"
    return DuplicateSnapshotError(msg, snapshot_id=same.snapshot_id)
