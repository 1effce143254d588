"""Row-level reads and writes of the GeoPackage store, inside a caller's transaction.

:mod:`geo.store_gpkg` opens the connection, holds the lock and commits or
rolls back; the functions here only run SQL on the connection they are given.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Any, Final

import geopandas as gpd

from geo import store_gpkg_schema as schema
from geo.crs import WGS84
from geo.errors import StoreError
from geo.store_codec import (
    decode_column,
    dtype_token,
    encode_column,
    geometries_from_blobs,
    geometry_blobs,
    quote_identifier,
    sql_type_for,
)
from geo.store_meta import SnapshotInfo, info_from_row

CHUNK_ROWS: Final = 20_000
INFO_COLUMNS: Final = (
    "snapshot_id, kind, reporting_date, imported_at, source_name, source_sha256, loaded_by, note, "
    "row_count, rolled_back, rolled_back_at, rolled_back_by, rollback_reason"
)
NEWEST_FIRST: Final = "ORDER BY reporting_date DESC, imported_at DESC, snapshot_id DESC"


def utc_now_text() -> str:
    """Return the current UTC time as GeoPackage DATETIME text (``2024-01-31T08:00:00.123Z``)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def insert_rows(conn: sqlite3.Connection, sql: str, rows: Iterable[Sequence[Any]]) -> None:
    """Insert one chunk of feature rows (the single place feature rows are written)."""
    conn.executemany(sql, rows)


def log_event(conn: sqlite3.Connection, snapshot_id: int, action: str, *, now: str, by: str, reason: str) -> None:
    """Append a save, rollback or restore to the audit log."""
    conn.execute(
        "INSERT INTO snapshot_events (snapshot_id, action, at, by, reason) VALUES (?, ?, ?, ?, ?)",
        (snapshot_id, action, now, by, reason),
    )


def column_specs(conn: sqlite3.Connection, kind: str, gdf: gpd.GeoDataFrame) -> list[dict[str, Any]]:
    """Return how each column of ``gdf`` is stored, adding table columns it needs."""
    existing = schema.table_columns(conn, kind)
    taken: set[str] = set()
    specs: list[dict[str, Any]] = []
    for column in gdf.columns:
        name = str(column)
        if name == gdf.geometry.name:
            specs.append({"name": name, "sql": "geom", "type": "GEOMETRY", "dtype": "geometry", "stringify": False})
            continue
        sql_type, stringify = sql_type_for(gdf[column], name=name)
        sql_name, is_new = schema.resolve_sql_name(name, sql_type, existing=existing, taken=taken)
        if is_new:
            conn.execute(f"ALTER TABLE {quote_identifier(kind)} ADD COLUMN {quote_identifier(sql_name)} {sql_type}")
            existing[sql_name.lower()] = (sql_name, sql_type)
        taken.add(sql_name.lower())
        specs.append({"name": name, "sql": sql_name, "type": sql_type, "dtype": dtype_token(gdf[column].dtype), "stringify": stringify})
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


def write_snapshot(conn: sqlite3.Connection, gdf: gpd.GeoDataFrame, meta: dict[str, str]) -> int:
    """Write metadata, rows and bookkeeping of a new snapshot; return its id."""
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
    columns = [[snapshot_id] * len(gdf)] + [_encode(gdf, i, spec) for i, spec in enumerate(specs)]
    names = ", ".join(["snapshot_id"] + [quote_identifier(s["sql"]) for s in specs])
    sql = f"INSERT INTO {quote_identifier(kind)} ({names}) VALUES ({', '.join('?' * (len(specs) + 1))})"
    rows = list(zip(*columns, strict=True))
    for start in range(0, len(rows), CHUNK_ROWS):
        insert_rows(conn, sql, rows[start : start + CHUNK_ROWS])
    schema.update_contents(conn, kind, gdf.geometry.total_bounds, now=now)
    log_event(conn, snapshot_id, "saved", now=now, by=meta["loaded_by"], reason=meta["note"])
    return snapshot_id


def find_info(conn: sqlite3.Connection, snapshot_id: object) -> SnapshotInfo | None:
    """Return the metadata of a snapshot, or None if there is none with that id."""
    if isinstance(snapshot_id, bool) or not isinstance(snapshot_id, int):
        return None
    row = conn.execute(f"SELECT {INFO_COLUMNS} FROM snapshots WHERE snapshot_id = ?", (snapshot_id,)).fetchone()
    return None if row is None else info_from_row(row)


def latest_info(conn: sqlite3.Connection, kind: str, as_of: date | None) -> SnapshotInfo | None:
    """Return the newest snapshot of ``kind`` not rolled back (reported on or before ``as_of``)."""
    where = "kind = ? AND rolled_back = 0" + ("" if as_of is None else " AND reporting_date <= ?")
    params: tuple[str, ...] = (kind,) if as_of is None else (kind, as_of.isoformat())
    row = conn.execute(f"SELECT {INFO_COLUMNS} FROM snapshots WHERE {where} {NEWEST_FIRST} LIMIT 1", params).fetchone()
    return None if row is None else info_from_row(row)


def all_infos(conn: sqlite3.Connection, kind: str | None) -> list[SnapshotInfo]:
    """Return the metadata of every snapshot (of ``kind``), newest first."""
    where, params = ("", ()) if kind is None else ("WHERE kind = ?", (kind,))
    rows = conn.execute(f"SELECT {INFO_COLUMNS} FROM snapshots {where} {NEWEST_FIRST}", params).fetchall()
    return [info_from_row(r) for r in rows]


def load_rows(conn: sqlite3.Connection, info: SnapshotInfo) -> gpd.GeoDataFrame:
    """Return the rows of a snapshot with its saved columns and dtypes, in EPSG:4326."""
    (columns_json,) = conn.execute("SELECT columns_json FROM snapshots WHERE snapshot_id = ?", (info.snapshot_id,)).fetchone()
    specs: list[dict[str, Any]] = json.loads(columns_json)
    names = ", ".join(quote_identifier(s["sql"]) for s in specs)
    sql = f"SELECT {names} FROM {quote_identifier(info.kind)} WHERE snapshot_id = ? ORDER BY fid"
    rows = conn.execute(sql, (info.snapshot_id,)).fetchall()
    values = [list(v) for v in zip(*rows, strict=True)] if rows else [[] for _ in specs]
    data: dict[str, Any] = {}
    geometry_name = "geometry"
    for spec, column in zip(specs, values, strict=True):
        if spec["type"] == "GEOMETRY":
            geometry_name = spec["name"]
            data[spec["name"]] = gpd.GeoSeries(geometries_from_blobs(column), crs=WGS84)
        else:
            data[spec["name"]] = decode_column(column, sql_type=spec["type"], token=spec["dtype"], name=spec["name"])
    gdf = gpd.GeoDataFrame(data, geometry=geometry_name, crs=WGS84)
    gdf.attrs["snapshot"] = info.as_dict()
    return gdf
