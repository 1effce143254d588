"""Row-level reads and writes of the GeoPackage store, inside a caller's transaction.

:mod:`geo.store.gpkg` opens the connection, holds the lock and commits or
rolls back; the functions here only run SQL on the connection they are given.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Any, Final

import geopandas as gpd

from geo.crs import WGS84
from geo.errors import StoreError
from geo.store.gpkg import schema as schema
from geo.store.gpkg.codec import (
    decode_column,
    decode_extras,
    dtype_token,
    encode_column,
    encode_extras,
    geometries_from_blobs,
    geometry_blobs,
    quote_identifier,
    sql_type_for,
)
from geo.store.meta import SnapshotInfo, info_from_row

CHUNK_ROWS: Final = 20_000
INFO_COLUMNS: Final = (
    "snapshot_id, kind, reporting_date, imported_at, source_name, source_sha256, loaded_by, note, "
    "row_count, rolled_back, rolled_back_at, rolled_back_by, rollback_reason"
)
NEWEST_FIRST: Final = "ORDER BY reporting_date DESC, imported_at DESC, snapshot_id DESC"


def utc_now_text() -> str:
    """Return the current UTC time as GeoPackage DATETIME text (``2024-01-31T08:00:00.123Z``)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def utc_text(moment: datetime | None) -> str:
    """Return a past moment as GeoPackage DATETIME text in UTC (None: now).

    Parameters
    ----------
    moment
        A time with its zone (a history being replayed: when a report was really sent or reviewed), or None.

    Returns
    -------
    str
        ``2024-01-31T08:00:00.123Z``.

    Raises
    ------
    StoreError
        The time has no zone, or is in the future.
    """
    if moment is None:
        return utc_now_text()
    if moment.tzinfo is None:
        raise StoreError(f"A recorded time needs its time zone (for example +08:00), not {moment.isoformat()}.")
    if moment > datetime.now(UTC):
        raise StoreError(f"A recorded time cannot be in the future: {moment.isoformat()}.")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


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


_TYPE_WORDS: Final = {"TEXT": "文字", "DOUBLE": "数字", "INTEGER": "整数", "DATE": "日期", "BOOLEAN": "是/否"}


def _canonical_spec(conn: sqlite3.Connection, kind: str, series: Any, name: str, existing: dict[str, tuple[str, str]]) -> dict[str, Any]:
    """Return how a canonical column is stored: in its own SQL column, of the catalogue's type.

    Whole numbers in a number column are stored as numbers; an all-empty
    column of any dtype is stored as nulls. Any other mismatch is refused
    (the caller's data is wrong), never stored beside the field.
    """
    expected = schema.canonical_type(kind, name)
    sql_type, stringify = sql_type_for(series, name=name)
    if sql_type != expected:
        widening = sql_type == "INTEGER" and expected == "DOUBLE"
        if not (widening or bool(series.isna().all())):
            msg = (
                f"列“{name}”应为{_TYPE_WORDS[expected]}，但这份数据里是 {series.dtype}（{_TYPE_WORDS.get(sql_type, sql_type)}），"
                "无法保存；请检查数据的这一列。数据库未改动。"
            )
            raise StoreError(msg)
        sql_type, stringify = expected, False
    if name.lower() not in existing:
        conn.execute(f"ALTER TABLE {quote_identifier(kind)} ADD COLUMN {quote_identifier(name)} {expected}")
        existing[name.lower()] = (name, expected)
    sql_name = existing[name.lower()][0]
    return {"name": name, "sql": sql_name, "type": sql_type, "dtype": dtype_token(series.dtype), "stringify": stringify}


def column_specs(conn: sqlite3.Connection, kind: str, gdf: gpd.GeoDataFrame) -> list[dict[str, Any]]:
    """Return how each column of ``gdf`` is stored, adding table columns canonical fields need.

    The first column of each canonical name gets an SQL column; every other
    column (unknown names, a second ``name``) goes into ``extra_json`` under
    its own name, or ``原表_<name>`` when that is taken.

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
        One spec per column: its SQL name and type, or its ``extra_json`` key, and its dtype token.
    """
    canonical = set(schema.CANONICAL[kind])
    geometry_name = gdf.geometry.name
    existing = schema.table_columns(conn, kind)
    keys: set[str] = set()
    seen: set[str] = set()
    reserved = canonical | {str(geometry_name)}
    specs: list[dict[str, Any]] = []
    geometry_seen = False
    for position, column in enumerate(gdf.columns):
        name, series = str(column), gdf.iloc[:, position]
        if column == geometry_name and not geometry_seen:
            geometry_seen = True
            specs.append({"name": name, "sql": "geom", "type": "GEOMETRY", "dtype": "geometry", "stringify": False})
        elif name in canonical and name not in seen:
            seen.add(name)
            specs.append(_canonical_spec(conn, kind, series, name, existing))
        else:
            sql_type, stringify = sql_type_for(series, name=name)
            key = schema.extra_key(name, used=keys, reserved=reserved)
            specs.append({"name": key, "json": key, "type": sql_type, "dtype": dtype_token(series.dtype), "stringify": stringify})
    return specs


def _encode(gdf: gpd.GeoDataFrame, position: int, spec: dict[str, Any]) -> list[Any]:
    series = gdf.iloc[:, position]
    if spec["type"] == "GEOMETRY":
        return geometry_blobs(series.values)
    try:
        return encode_column(series, sql_type=spec["type"], stringify=spec["stringify"])
    except (TypeError, ValueError, OverflowError) as exc:
        msg = f"Column {spec['name']!r} cannot be stored: {exc}."
        raise StoreError(msg) from exc


def _row_values(gdf: gpd.GeoDataFrame, specs: list[dict[str, Any]], snapshot_id: int) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Return the SQL column names and the rows to insert (typed columns, then ``extra_json``)."""
    typed = [(i, s) for i, s in enumerate(specs) if "json" not in s]
    extra = [(i, s) for i, s in enumerate(specs) if "json" in s]
    extras = encode_extras([s["json"] for _, s in extra], [_encode(gdf, i, s) for i, s in extra], rows=len(gdf))
    columns = [[snapshot_id] * len(gdf), *(_encode(gdf, i, s) for i, s in typed), extras]
    names = ["snapshot_id", *(quote_identifier(s["sql"]) for _, s in typed), schema.EXTRA_JSON]
    return names, list(zip(*columns, strict=True))


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
         schema.dump_columns(specs)),
    )  # fmt: skip
    snapshot_id = int(cursor.lastrowid or 0)
    names, rows = _row_values(gdf, specs, snapshot_id)
    sql = f"INSERT INTO {quote_identifier(kind)} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
    for start in range(0, len(rows), CHUNK_ROWS):
        insert_rows(conn, sql, rows[start : start + CHUNK_ROWS])
    schema.update_contents(conn, kind, gdf.geometry.total_bounds, now=now)
    log_event(conn, snapshot_id, "saved", now=now, by=meta["loaded_by"], reason=meta["note"])
    return snapshot_id


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


def _stored_specs(conn: sqlite3.Connection, info: SnapshotInfo, where: str) -> list[dict[str, Any]]:
    (columns_json,) = conn.execute("SELECT columns_json FROM snapshots WHERE snapshot_id = ?", (info.snapshot_id,)).fetchone()
    try:
        specs = json.loads(columns_json)
        if not all(isinstance(s, dict) and {"name", "type", "dtype"} <= s.keys() and ("sql" in s or "json" in s) for s in specs):
            raise TypeError(columns_json)
    except (TypeError, ValueError):
        msg = f"{where}的列说明（snapshots.columns_json）已损坏，无法读取这个快照；请从备份恢复数据库。"
        raise StoreError(msg) from None
    return specs


def _decode(column: list[Any], spec: dict[str, Any], where: str) -> Any:
    if spec["type"] == "GEOMETRY":
        return gpd.GeoSeries(geometries_from_blobs(column), crs=WGS84)
    try:
        return decode_column(column, sql_type=spec["type"], token=spec["dtype"], name=spec["name"])
    except (TypeError, ValueError, OverflowError) as exc:
        msg = f"{where}的列“{spec['name']}”中有无法读取的值（可能在程序外被修改）：{exc}。"
        raise StoreError(msg) from exc


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
    specs = _stored_specs(conn, info, where)
    typed = [s for s in specs if "json" not in s]
    keys = [s["json"] for s in specs if "json" in s]
    names = [s["sql"] for s in typed] + ([schema.EXTRA_JSON] if keys else [])
    schema.require_columns(conn, info.kind, names, where=where)
    selected = ", ".join(map(quote_identifier, names)) or "NULL"
    sql = f"SELECT {selected} FROM {quote_identifier(info.kind)} WHERE snapshot_id = ? ORDER BY fid"
    rows = conn.execute(sql, (info.snapshot_id,)).fetchall()
    values = [list(v) for v in zip(*rows, strict=True)] if rows else [[] for _ in names]
    stored = dict(zip((s["sql"] for s in typed), values, strict=False))
    extras = decode_extras(values[-1], keys, where=where) if keys else {}
    data: dict[str, Any] = {}
    geometry_name = "geometry"
    for spec in specs:
        column = extras[spec["json"]] if "json" in spec else stored[spec["sql"]]
        if spec["type"] == "GEOMETRY":
            geometry_name = spec["name"]
        data[spec["name"]] = _decode(column, spec, where)
    gdf = gpd.GeoDataFrame(data, geometry=geometry_name, crs=WGS84)
    gdf.attrs["snapshot"] = info.as_dict()
    return gdf
