"""Row-level reads and writes of the PostGIS store, inside a caller's transaction.

Feature rows are written with ``COPY ... FROM STDIN`` (250,000 enterprises in
one statement) into a temporary table, then moved by one ``INSERT ... SELECT``
(row-level security refuses COPY into the table itself, and the policies
check each row of the INSERT): the typed canonical columns as the values
:mod:`geo.store.values` encodes (dates as ISO text, which the server parses),
the geometry as hex EWKB with SRID 4326, the extra columns as one ``jsonb``
object per row. They are read back with ``ST_AsBinary`` (binary WKB →
shapely), dates as ISO text and ``extra_json`` as text, so the shared
:func:`geo.store.columns.frame_from_columns` rebuilds the frame exactly as the
GeoPackage store does.

PostgreSQL text cannot hold the character U+0000: a frame with it is refused
with the column named (nothing is written), where a GeoPackage keeps it.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any, Final

import numpy as np
import psycopg
import shapely
from psycopg import sql

from geo.errors import StoreError
from geo.store import columns as columns
from geo.store.frames import utc_now_text
from geo.store.meta import SnapshotInfo, info_from_row
from geo.store.postgis.submissions import iso_time

CHUNK_ROWS: Final = 20_000
INFO_COLUMNS: Final = (
    "snapshot_id, kind, to_char(reporting_date, 'YYYY-MM-DD'), "
    + iso_time("imported_at")
    + ", source_name, source_sha256, loaded_by, note, row_count, rolled_back, "
    + iso_time("rolled_back_at")
    + ", rolled_back_by, rollback_reason"
)
NEWEST_FIRST: Final = "ORDER BY reporting_date DESC, imported_at DESC, snapshot_id DESC"
_NUL = "\x00"


def ewkb_hex(geometries: Any) -> list[str | None]:
    """Return hex EWKB (SRID 4326) for an array of shapely geometries, None where there is none.

    Parameters
    ----------
    geometries
        Shapely geometries (None or empty allowed), WGS-84.

    Returns
    -------
    list of str or None
        What PostGIS parses into ``geometry(Geometry, 4326)``.
    """
    geoms = shapely.set_srid(np.asarray(geometries, dtype=object), 4326)
    return shapely.to_wkb(geoms, hex=True, include_srid=True, flavor="extended").tolist()


def geometries_from_wkb(values: list[bytes | None]) -> np.ndarray:
    """Return shapely geometries from WKB (None stays None).

    Parameters
    ----------
    values
        ``ST_AsBinary`` values.

    Returns
    -------
    ndarray of object
        Shapely geometries.
    """
    return shapely.from_wkb(np.asarray(values, dtype=object))


def table_columns(conn: psycopg.Connection, table: str) -> dict[str, tuple[str, str]]:
    """Return ``{lower-case name: (name, data type)}`` of a table of the ``parkmap`` schema.

    Parameters
    ----------
    conn
        An open connection.
    table
        The table's name.

    Returns
    -------
    dict
        Its columns.
    """
    rows = conn.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'parkmap' AND table_name = %s",
        (table,),
    ).fetchall()
    return {str(n).lower(): (str(n), str(t)) for n, t in rows}


def _refuse_new_column(name: str, value_type: str) -> None:
    msg = (
        f"数据库缺少字段目录中的列“{name}”：请运行 make db 或 python -m geo.store.postgis upgrade 更新数据库结构。"
        f" The database lacks the catalogue's column {name!r}: run python -m geo.store.postgis upgrade."
    )
    raise StoreError(msg)


def _refuse_nul(names: list[str], values: list[list[Any]], specs: list[dict[str, Any]]) -> None:
    labels = {s["sql"]: s["name"] for s in specs if "sql" in s}
    for name, column in zip(names, values, strict=True):
        if name == "geom":
            continue
        if name == columns.EXTRA_JSON:
            bad = next((t for t in column if t is not None and "\\u0000" in t), None)
            record = {} if bad is None else json.loads(bad)
            label = next((k for k, v in record.items() if isinstance(v, str) and _NUL in v), "extra_json")
        else:
            bad = next((v for v in column if isinstance(v, str) and _NUL in v), None)
            label = labels.get(name, name)
        if bad is not None:
            msg = (
                f"列“{label}”中有空字符（U+0000），PostGIS 数据库无法保存；请在文件中删除这个字符。数据库未改动。"
                f" Column {label!r} holds the character U+0000, which PostgreSQL cannot store."
            )
            raise StoreError(msg)


def write_snapshot(conn: psycopg.Connection, gdf: Any, meta: dict[str, str], *, copied: SnapshotInfo | None = None) -> int:
    """Write metadata, rows and the audit event of a new snapshot; return its id.

    Parameters
    ----------
    conn
        An open connection, inside a write transaction.
    gdf
        The rows to store, checked.
    meta
        The snapshot's metadata, checked, as text.
    copied
        The snapshot's metadata in another store, when it is copied (``python -m geo.store migrate``):
        it keeps its id and import time, and its audit events are copied by the caller.

    Returns
    -------
    int
        The new snapshot's id.
    """
    kind = meta["kind"]
    now = utc_now_text() if copied is None else copied.imported_at.isoformat()
    specs = columns.column_specs(kind, gdf, existing=table_columns(conn, kind), add_column=_refuse_new_column)
    names, values = columns.encoded_columns(gdf, specs, geometry=ewkb_hex, strict_json=True)
    _refuse_nul(names, values, specs)
    row = conn.execute(
        "INSERT INTO parkmap.snapshots (snapshot_id, kind, reporting_date, imported_at, source_name, source_sha256, loaded_by, note, "
        "row_count, columns_json) VALUES (coalesce(%s, nextval(pg_get_serial_sequence('parkmap.snapshots', 'snapshot_id'))), "
        "%s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING snapshot_id",
        (None if copied is None else copied.snapshot_id, kind, meta["reporting_date"], now, meta["source_name"],
         meta["source_sha256"], meta["loaded_by"], meta["note"], len(gdf), columns.dump_specs(specs)),
    ).fetchone()  # fmt: skip
    snapshot_id = int(row[0]) if row else 0
    # COPY cannot write into a table under row-level security: the rows go by COPY into a temporary table of the
    # same columns, then by one INSERT ... SELECT, which the policies check row by row (a county's rows only).
    listed = sql.SQL(", ").join(map(sql.Identifier, ["snapshot_id", *names]))
    conn.execute("DROP TABLE IF EXISTS pg_temp.parkmap_staging")
    conn.execute(sql.SQL("CREATE TEMP TABLE parkmap_staging ON COMMIT DROP AS SELECT {} FROM {} WITH NO DATA").format(
        listed, sql.Identifier("parkmap", kind)))  # fmt: skip
    with conn.cursor() as cur, cur.copy(sql.SQL("COPY pg_temp.parkmap_staging ({}) FROM STDIN").format(listed)) as copy:
        for values_row in zip([snapshot_id] * len(gdf), *values, strict=True):
            copy.write_row(values_row)
    conn.execute(
        sql.SQL("INSERT INTO {} ({}) SELECT {} FROM pg_temp.parkmap_staging").format(sql.Identifier("parkmap", kind), listed, listed)
    )
    if copied is None:
        log_event(conn, snapshot_id, "saved", now=now, by=meta["loaded_by"], reason=meta["note"])
    return snapshot_id


def log_event(conn: psycopg.Connection, snapshot_id: int, action: str, *, now: str, by: str, reason: str) -> None:
    """Append a save, rollback or restore to the audit log.

    Parameters
    ----------
    conn
        An open connection, inside a write transaction.
    snapshot_id
        The snapshot's id.
    action
        ``saved``, ``rolled_back`` or ``restored``.
    now
        The time, ISO text in UTC.
    by
        Who did it.
    reason
        Why.
    """
    conn.execute(
        "INSERT INTO parkmap.snapshot_events (snapshot_id, action, at, done_by, reason) VALUES (%s, %s, %s, %s, %s)",
        (snapshot_id, action, now, by, reason),
    )


def mark_rolled_back(conn: psycopg.Connection, snapshot_id: int, *, now: str, by: str, reason: str) -> None:
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
        "UPDATE parkmap.snapshots SET rolled_back = true, rolled_back_at = %s, rolled_back_by = %s, rollback_reason = %s "
        "WHERE snapshot_id = %s",
        (now, by, reason, snapshot_id),
    )


def clear_rolled_back(conn: psycopg.Connection, snapshot_id: int) -> None:
    """Make a withdrawn snapshot count again.

    Parameters
    ----------
    conn
        An open connection, inside a write transaction.
    snapshot_id
        The snapshot.
    """
    conn.execute(
        "UPDATE parkmap.snapshots SET rolled_back = false, rolled_back_at = NULL, rolled_back_by = NULL, rollback_reason = NULL "
        "WHERE snapshot_id = %s",
        (snapshot_id,),
    )


def _one(conn: psycopg.Connection, where: str, params: tuple[Any, ...]) -> SnapshotInfo | None:
    row = conn.execute(f"SELECT {INFO_COLUMNS} FROM parkmap.snapshots WHERE {where} {NEWEST_FIRST} LIMIT 1", params).fetchone()
    return None if row is None else info_from_row(row)


def find_same_file(conn: psycopg.Connection, kind: str, sha256: str) -> SnapshotInfo | None:
    """Return the newest snapshot of ``kind`` saved from a file with this SHA-256, or None.

    Parameters
    ----------
    conn
        An open connection.
    kind
        ``parks`` or ``enterprises``.
    sha256
        The file's SHA-256 hex digest.

    Returns
    -------
    SnapshotInfo or None
        The newest snapshot from that file.
    """
    return _one(conn, "kind = %s AND source_sha256 = %s", (kind, sha256))


def find_info(conn: psycopg.Connection, snapshot_id: object) -> SnapshotInfo | None:
    """Return the metadata of a snapshot, or None if there is none with that id.

    Parameters
    ----------
    conn
        An open connection.
    snapshot_id
        The id given (anything: a non-integer finds nothing).

    Returns
    -------
    SnapshotInfo or None
        The snapshot's metadata.
    """
    if isinstance(snapshot_id, bool) or not isinstance(snapshot_id, int) or abs(snapshot_id) >= 2**63:
        return None
    return _one(conn, "snapshot_id = %s", (snapshot_id,))


def latest_info(conn: psycopg.Connection, kind: str, as_of: date | None) -> SnapshotInfo | None:
    """Return the newest snapshot of ``kind`` not rolled back (reported on or before ``as_of``).

    Parameters
    ----------
    conn
        An open connection.
    kind
        ``parks`` or ``enterprises``.
    as_of
        A date; None for the current snapshot.

    Returns
    -------
    SnapshotInfo or None
        The snapshot's metadata.
    """
    if as_of is None:
        return _one(conn, "kind = %s AND NOT rolled_back", (kind,))
    return _one(conn, "kind = %s AND NOT rolled_back AND reporting_date <= %s", (kind, as_of))


def all_infos(conn: psycopg.Connection, kind: str | None) -> list[SnapshotInfo]:
    """Return the metadata of every snapshot (of ``kind``), newest first.

    Parameters
    ----------
    conn
        An open connection.
    kind
        ``parks`` or ``enterprises``. None for both.

    Returns
    -------
    list of SnapshotInfo
        Newest first.
    """
    where, params = ("", ()) if kind is None else ("WHERE kind = %s", (kind,))
    rows = conn.execute(f"SELECT {INFO_COLUMNS} FROM parkmap.snapshots {where} {NEWEST_FIRST}", params).fetchall()
    return [info_from_row(r) for r in rows]


def _select(name: str, data_type: str) -> sql.Composable:
    column = sql.Identifier(name)
    if name == "geom":
        return sql.SQL("ST_AsBinary({})").format(column)
    if data_type == "date":
        return sql.SQL("to_char({}, 'YYYY-MM-DD')").format(column)
    if data_type == "jsonb":
        return sql.SQL("{}::text").format(column)
    return column


def load_rows(conn: psycopg.Connection, info: SnapshotInfo) -> Any:
    """Return the rows of a snapshot with its saved columns and dtypes, in EPSG:4326.

    Parameters
    ----------
    conn
        An open connection.
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
    (columns_json,) = conn.execute(
        "SELECT columns_json::text FROM parkmap.snapshots WHERE snapshot_id = %s", (info.snapshot_id,)
    ).fetchone() or (None,)
    specs = columns.load_specs(columns_json, where=where)
    names = columns.stored_names(specs)
    present = table_columns(conn, info.kind)
    columns.require_columns(present, info.kind, names, where=where)
    selected = sql.SQL(", ").join(_select(present[n.lower()][0], present[n.lower()][1]) for n in names) if names else sql.SQL("NULL")
    query = sql.SQL("SELECT {} FROM {} WHERE snapshot_id = %s ORDER BY fid").format(selected, sql.Identifier("parkmap", info.kind))
    with conn.cursor(binary=True) as cur:
        rows = cur.execute(query, (info.snapshot_id,)).fetchall()
    values = [list(v) for v in zip(*rows, strict=True)] if rows else [[] for _ in names]
    stored = dict(zip(names, values, strict=False))
    return columns.frame_from_columns(specs, stored, info, geometry=geometries_from_wkb, where=where)
