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

The SQL itself lives in :mod:`geo.store.gpkg.schema` (tables),
:mod:`geo.store.gpkg.rows` (rows) and :mod:`geo.store.gpkg.submissions`;
the public methods, shared with the PostGIS store, in :mod:`geo.store.base`
and :mod:`geo.store.review`; this module owns connections, the lock and the
transaction.

Why not "write a copy, then rename": copying a file that grows by one
enterprise list (250,000 rows) per import on every import does not scale;
appending inside a transaction costs only the new rows.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Final

from geo.errors import StoreError
from geo.store.base import SnapshotMethods
from geo.store.gpkg import files as files
from geo.store.gpkg import rows as rows
from geo.store.gpkg import schema as schema
from geo.store.gpkg import submissions as submissions
from geo.store.review import SubmissionMethods

_SQLITE_TIMEOUT_S: Final = 60.0
_WRITE_CACHE_KIB: Final = 128 * 1024


class GeoPackageStore(SnapshotMethods, SubmissionMethods):
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

    _rows = rows
    _subs = submissions

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
