"""Row-level reads and writes of the GeoPackage store, inside a caller's transaction.

:mod:`geo.store.gpkg` opens the connection, holds the lock and commits or
rolls back; the functions here only run SQL on the connection they are given.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any, Final

import geopandas as gpd

from geo.store import columns as columns
from geo.store.frames import utc_now_text as utc_now_text
from geo.store.frames import utc_text as utc_text
from geo.store.gpkg import schema as schema
from geo.store.gpkg.codec import (
    geometries_from_blobs,
    geometry_blobs,
    quote_identifier,
)
from geo.store.meta import SnapshotInfo, info_from_row

CHUNK_ROWS: Final = 20_000
INFO_COLUMNS: Final = (
    "snapshot_id, kind, reporting_date, imported_at, source_name, source_sha256, loaded_by, note, "
    "row_count, rolled_back, rolled_back_at, rolled_back_by, rollback_reason"
)
NEWEST_FIRST: Final = "ORDER BY reporting_date DESC, imported_at DESC, snapshot_id DESC"


def insert_rows(conn: sqlite3.Connection, sql: str, rows: Iterable[Sequence[Any]]) -> None:
    """Insert one chunk of feature rows (the single place feature rows are written).

    Parameters
    ----------
    conn
        An open connection to the store.
    sql
        The INSERT statement.
    rows
        The rows' values, in the statement's order.
    """
    conn.executemany(sql, rows)


def log_event(conn: sqlite3.Connection, snapshot_id: int, action: str, *, now: str, by: str, reason: str) -> None:
    """Append a save, rollback or restore to the audit log.

    Parameters
    ----------
    conn
        An open connection to the store.
    snapshot_id
        The snapshot's id.
    action
        ``save``, ``rollback`` or ``restore``.
    now
        The time, ISO text in UTC.
    by
        Who did it.
    reason
        Why.
    """
    conn.execute(
        "INSERT INTO snapshot_events (snapshot_id, action, at, by, reason) VALUES (?, ?, ?, ?, ?)",
        (snapshot_id, action, now, by, reason),
    )


def column_specs(conn: sqlite3.Connection, kind: str, gdf: gpd.GeoDataFrame) -> list[dict[str, Any]]:
    """Return how each column of ``gdf`` is stored, adding table columns canonical fields need.

    Parameters
    ----------
    conn
        An open connection to the store.
    kind
        ``parks`` or ``enterprises``.
    gdf
        The rows to store.

    Returns
    -------
    list of dict
        One spec per column (:func:`geo.store.columns.column_specs`).
    """

    def add_column(name: str, value_type: str) -> None:
        conn.execute(f"ALTER TABLE {quote_identifier(kind)} ADD COLUMN {quote_identifier(name)} {value_type}")

    return columns.column_specs(kind, gdf, existing=schema.table_columns(conn, kind), add_column=add_column)


def write_snapshot(conn: sqlite3.Connection, gdf: gpd.GeoDataFrame, meta: dict[str, str]) -> int:
    """Write metadata, rows and bookkeeping of a new snapshot; return its id.

    Parameters
    ----------
    conn
        An open connection to the store.
    gdf
        The rows to store, checked.
    meta
        The snapshot's metadata, checked, as text.

    Returns
    -------
    int
        The new snapshot's id.
    """
    kind = meta["kind"]
    now = utc_now_text()
    specs = column_specs(conn, kind, gdf)
    cursor = conn.execute(
        "INSERT INTO snapshots (kind, reporting_date, imported_at, source_name, source_sha256, loaded_by, note, "
        "row_count, columns_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (kind, meta["reporting_date"], now, meta["source_name"], meta["source_sha256"], meta["loaded_by"], meta["note"], len(gdf),
         columns.dump_specs(specs)),
    )  # fmt: skip
    snapshot_id = int(cursor.lastrowid or 0)
    sql_names, values = columns.encoded_columns(gdf, specs, geometry=geometry_blobs)
    names = ["snapshot_id", *map(quote_identifier, sql_names)]
    rows = list(zip([snapshot_id] * len(gdf), *values, strict=True))
    sql = f"INSERT INTO {quote_identifier(kind)} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
    for start in range(0, len(rows), CHUNK_ROWS):
        insert_rows(conn, sql, rows[start : start + CHUNK_ROWS])
    schema.update_contents(conn, kind, gdf.geometry.total_bounds, now=now)
    log_event(conn, snapshot_id, "saved", now=now, by=meta["loaded_by"], reason=meta["note"])
    return snapshot_id


def mark_rolled_back(conn: sqlite3.Connection, snapshot_id: int, *, now: str, by: str, reason: str) -> None:
    """Mark a snapshot withdrawn.

    Parameters
    ----------
    conn
        An open connection, inside a write transaction.
    snapshot_id
        The snapshot.
    now
        The time, ISO text in UTC.
    by
        Who withdraws it.
    reason
        Why.
    """
    conn.execute(
        "UPDATE snapshots SET rolled_back = 1, rolled_back_at = ?, rolled_back_by = ?, rollback_reason = ? WHERE snapshot_id = ?",
        (now, by, reason, snapshot_id),
    )


def clear_rolled_back(conn: sqlite3.Connection, snapshot_id: int) -> None:
    """Make a withdrawn snapshot count again.

    Parameters
    ----------
    conn
        An open connection, inside a write transaction.
    snapshot_id
        The snapshot.
    """
    conn.execute(
        "UPDATE snapshots SET rolled_back = 0, rolled_back_at = NULL, rolled_back_by = NULL, rollback_reason = NULL WHERE snapshot_id = ?",
        (snapshot_id,),
    )


def find_same_file(conn: sqlite3.Connection, kind: str, sha256: str) -> SnapshotInfo | None:
    """Return the newest snapshot of ``kind`` saved from a file with this SHA-256, or None.

    Parameters
    ----------
    conn
        An open connection to the store.
    kind
        ``parks`` or ``enterprises``.
    sha256
        The file's SHA-256 hex digest.

    Returns
    -------
    SnapshotInfo or None
        The newest snapshot from that file.
    """
    row = conn.execute(
        f"SELECT {INFO_COLUMNS} FROM snapshots WHERE kind = ? AND source_sha256 = ? {NEWEST_FIRST} LIMIT 1", (kind, sha256)
    ).fetchone()
    return None if row is None else info_from_row(row)


def find_info(conn: sqlite3.Connection, snapshot_id: object) -> SnapshotInfo | None:
    """Return the metadata of a snapshot, or None if there is none with that id.

    Parameters
    ----------
    conn
        An open connection to the store.
    snapshot_id
        The id given (anything: a non-integer finds nothing).

    Returns
    -------
    SnapshotInfo or None
        The snapshot's metadata.
    """
    if isinstance(snapshot_id, bool) or not isinstance(snapshot_id, int):
        return None
    row = conn.execute(f"SELECT {INFO_COLUMNS} FROM snapshots WHERE snapshot_id = ?", (snapshot_id,)).fetchone()
    return None if row is None else info_from_row(row)


def latest_info(conn: sqlite3.Connection, kind: str, as_of: date | None) -> SnapshotInfo | None:
    """Return the newest snapshot of ``kind`` not rolled back (reported on or before ``as_of``).

    Parameters
    ----------
    conn
        An open connection to the store.
    kind
        ``parks`` or ``enterprises``.
    as_of
        A date; None for the current snapshot.

    Returns
    -------
    SnapshotInfo or None
        The snapshot's metadata.
    """
    where = "kind = ? AND rolled_back = 0" + ("" if as_of is None else " AND reporting_date <= ?")
    params: tuple[str, ...] = (kind,) if as_of is None else (kind, as_of.isoformat())
    row = conn.execute(f"SELECT {INFO_COLUMNS} FROM snapshots WHERE {where} {NEWEST_FIRST} LIMIT 1", params).fetchone()
    return None if row is None else info_from_row(row)


def all_infos(conn: sqlite3.Connection, kind: str | None) -> list[SnapshotInfo]:
    """Return the metadata of every snapshot (of ``kind``), newest first.

    Parameters
    ----------
    conn
        An open connection to the store.
    kind
        ``parks`` or ``enterprises``. None for both.

    Returns
    -------
    list of SnapshotInfo
        Newest first.
    """
    where, params = ("", ()) if kind is None else ("WHERE kind = ?", (kind,))
    rows = conn.execute(f"SELECT {INFO_COLUMNS} FROM snapshots {where} {NEWEST_FIRST}", params).fetchall()
    return [info_from_row(r) for r in rows]


def load_rows(conn: sqlite3.Connection, info: SnapshotInfo) -> gpd.GeoDataFrame:
    """Return the rows of a snapshot with its saved columns and dtypes, in EPSG:4326.

    Parameters
    ----------
    conn
        An open connection to the store.
    info
        The snapshot to load.

    Returns
    -------
    GeoDataFrame
        The rows as saved, EPSG:4326.

    Raises
    ------
    StoreError
        A column the snapshot needs was renamed or dropped outside the app, or its values were damaged.
    """
    where = f"快照 #{info.snapshot_id}（{info.kind}）"
    (columns_json,) = conn.execute("SELECT columns_json FROM snapshots WHERE snapshot_id = ?", (info.snapshot_id,)).fetchone()
    specs = columns.load_specs(columns_json, where=where)
    names = columns.stored_names(specs)
    schema.require_columns(conn, info.kind, names, where=where)
    selected = ", ".join(map(quote_identifier, names)) or "NULL"
    sql = f"SELECT {selected} FROM {quote_identifier(info.kind)} WHERE snapshot_id = ? ORDER BY fid"
    rows = conn.execute(sql, (info.snapshot_id,)).fetchall()
    values = [list(v) for v in zip(*rows, strict=True)] if rows else [[] for _ in names]
    stored = dict(zip(names, values, strict=False))
    return columns.frame_from_columns(specs, stored, info, geometry=geometries_from_blobs, where=where)
