"""The tables of the GeoPackage snapshot store, written with plain ``sqlite3``.

Layout (GeoPackage 1.2 core, readable by GDAL/pyogrio and QGIS):

``gpkg_spatial_ref_sys``, ``gpkg_contents``, ``gpkg_geometry_columns``
    The required GeoPackage metadata tables.
``parks``, ``enterprises``
    Feature tables holding the rows of every snapshot of that kind:
    ``fid`` (primary key, insertion order), ``geom`` (GEOMETRY, EPSG:4326),
    ``snapshot_id``, then the canonical columns of :mod:`geo.schema`, each
    of the type its dtype in :mod:`geo.fields` gives (a column of another
    type is converted when that loses nothing, else refused: never a
    ``name__double`` side column that QGIS would not show under the field's
    name), then ``extra_json``: every other column of a
    snapshot, one JSON object per row (layout 2). Stores of layout 1 kept
    extra columns as SQL columns of their own; those snapshots still load.
``parks_current``, ``enterprises_current``
    Views over the current snapshot (latest reporting date, then import
    time, not rolled back), registered as layers for QGIS users.
``snapshots``
    One row of metadata per snapshot (an attributes table), including a
    JSON description of its columns and their pandas dtypes.
``snapshot_events``
    Audit log: every save, rollback and restore with time, person and reason.
``parkmap_store``
    ``key``/``value`` rows; ``layout_version`` is :data:`LAYOUT_VERSION`. A
    store without it is layout 1 and is migrated by the next write; a store
    of a newer layout is refused (``PRAGMA user_version`` is the GeoPackage
    version, so it cannot hold ours).

No R-tree spatial index is created: its triggers call SQL functions that
only GDAL/SpatiaLite provide, so plain ``sqlite3`` writes would fail.
QGIS reads the layers without one (it can add one on request).
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Iterable
from typing import Any, Final

import pyproj

from geo.errors import StoreError
from geo.store import columns as columns
from geo.store.columns import CANONICAL as CANONICAL
from geo.store.columns import EXTRA_JSON as EXTRA_JSON
from geo.store.columns import canonical_type as canonical_type
from geo.store.gpkg import submissions as submissions
from geo.store.gpkg.codec import quote_identifier

APPLICATION_ID: Final = 0x47504B47  # "GPKG"
USER_VERSION: Final = 10200  # GeoPackage 1.2
LAYOUT_VERSION: Final = 3
LAYOUT_TABLE: Final = "parkmap_store"
SCHEMA_NOTE: Final = f"parkmap snapshot store, layout {LAYOUT_VERSION}"
RESERVED: Final = frozenset({"fid", "geom", "snapshot_id", EXTRA_JSON})

DESCRIPTIONS: Final = {
    "parks": "小微企业园 small-micro enterprise parks, every snapshot (filter by snapshot_id)",
    "enterprises": "小微企业 enterprises, every snapshot (filter by snapshot_id)",
}

_CORE_DDL: Final = (
    """CREATE TABLE IF NOT EXISTS gpkg_spatial_ref_sys (
        srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, organization TEXT NOT NULL,
        organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT)""",
    """CREATE TABLE IF NOT EXISTS gpkg_contents (
        table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE,
        description TEXT DEFAULT '',
        last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
        min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
        CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id))""",
    """CREATE TABLE IF NOT EXISTS gpkg_geometry_columns (
        table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
        srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
        CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
        CONSTRAINT uk_gc_table_name UNIQUE (table_name),
        CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
        CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id))""",
    """CREATE TABLE IF NOT EXISTS snapshots (
        snapshot_id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('parks', 'enterprises')),
        reporting_date DATE NOT NULL, imported_at DATETIME NOT NULL,
        source_name TEXT NOT NULL, source_sha256 TEXT NOT NULL, loaded_by TEXT NOT NULL,
        note TEXT NOT NULL, row_count INTEGER NOT NULL, rolled_back BOOLEAN NOT NULL DEFAULT 0,
        rolled_back_at DATETIME, rolled_back_by TEXT, rollback_reason TEXT, columns_json TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS snapshot_events (
        event_id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
        snapshot_id INTEGER NOT NULL REFERENCES snapshots(snapshot_id),
        action TEXT NOT NULL CHECK (action IN ('saved', 'rolled_back', 'restored')),
        at DATETIME NOT NULL, by TEXT NOT NULL, reason TEXT NOT NULL)""",
    f"CREATE TABLE IF NOT EXISTS {LAYOUT_TABLE} (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL)",
)


def _srs_rows() -> list[tuple[Any, ...]]:
    wgs84 = pyproj.CRS.from_epsg(4326).to_wkt("WKT1_GDAL")
    return [
        ("Undefined cartesian SRS", -1, "NONE", -1, "undefined", "undefined cartesian coordinate reference system"),
        ("Undefined geographic SRS", 0, "NONE", 0, "undefined", "undefined geographic coordinate reference system"),
        ("WGS 84 geodetic", 4326, "EPSG", 4326, wgs84, "longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid"),
    ]


def _feature_table_ddl(kind: str) -> list[str]:
    table = quote_identifier(kind)
    columns = ", ".join(f"{quote_identifier(c)} {canonical_type(kind, c)}" for c in CANONICAL[kind])
    current = quote_identifier(f"{kind}_current")
    ddl = [
        f"CREATE TABLE IF NOT EXISTS {table} (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, geom GEOMETRY, "
        f"snapshot_id INTEGER NOT NULL REFERENCES snapshots(snapshot_id), {columns}, {EXTRA_JSON} TEXT)",
        f"CREATE INDEX IF NOT EXISTS {quote_identifier(f'{kind}_snapshot_id_idx')} ON {table} (snapshot_id)",
    ]
    if kind == "parks":  # the parks in force are the consolidated register of submissions (geo.store.gpkg.submissions)
        return ddl
    return [
        *ddl,
        f"CREATE VIEW IF NOT EXISTS {current} AS SELECT * FROM {table} WHERE snapshot_id = ("
        f"SELECT snapshot_id FROM snapshots WHERE kind = '{kind}' AND rolled_back = 0 "
        "ORDER BY reporting_date DESC, imported_at DESC, snapshot_id DESC LIMIT 1)",
    ]


def _register_layers(conn: sqlite3.Connection, kind: str) -> None:
    contents = "INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, description, srs_id) VALUES (?, ?, ?, ?, ?)"
    geometry = "INSERT OR IGNORE INTO gpkg_geometry_columns VALUES (?, 'geom', 'GEOMETRY', 4326, 2, 0)"
    current = f"{kind}_current"
    conn.execute(contents, (kind, "features", kind, f"{DESCRIPTIONS[kind]}; {SCHEMA_NOTE}", 4326))
    conn.execute(contents, (current, "features", current, f"Current snapshot of {kind} (view); {SCHEMA_NOTE}", 4326))
    conn.execute(geometry, (kind,))
    conn.execute(geometry, (current,))


def layout_version(conn: sqlite3.Connection) -> int:
    """Return the store's layout version: 0 for a file without tables, 1 for a store from before versions.

    Parameters
    ----------
    conn
        An open connection to the store.

    Returns
    -------
    int
        The layout version.

    Raises
    ------
    StoreError
        The version row is missing or not a number (edited outside the app), or
        the store comes from a newer program.
    """
    names = {str(r[0]) for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if LAYOUT_TABLE not in names:
        return 1 if "snapshots" in names else 0
    row = conn.execute(f"SELECT value FROM {LAYOUT_TABLE} WHERE key = 'layout_version'").fetchone()
    text = "" if row is None else str(row[0]).strip()
    if not text.isdigit():
        msg = f"数据库的版本记录已损坏（{LAYOUT_TABLE}.layout_version = {text!r}），程序不会改动它；请从备份恢复数据库。"
        raise StoreError(msg)
    version = int(text)
    if version > LAYOUT_VERSION:
        msg = (
            f"这个数据库由更新版本的程序创建（版本 {version}），请升级程序。"
            f"本程序只能读写版本 {LAYOUT_VERSION} 及以前的数据库，数据未改动。"
        )
        raise StoreError(msg)
    return version


def _migrate(conn: sqlite3.Connection, version: int) -> None:
    """Bring an old store to the current layout, inside the caller's transaction.

    Layout 1 → 2 adds ``extra_json`` (old extra columns stay readable). Layout 2 → 3 adds submissions: every parks
    snapshot becomes an approved whole-city submission for its reporting date's quarter, and ``parks_current``
    becomes the consolidated register.
    """
    for kind in CANONICAL:
        if EXTRA_JSON not in table_columns(conn, kind):
            conn.execute(f"ALTER TABLE {quote_identifier(kind)} ADD COLUMN {EXTRA_JSON} TEXT")
    if 0 < version < 3:
        conn.execute("DROP VIEW IF EXISTS parks_current")
        submissions.create(conn)
        submissions.migrate_snapshots(conn)
    conn.execute(f"INSERT OR REPLACE INTO {LAYOUT_TABLE} VALUES ('layout_version', ?)", (str(LAYOUT_VERSION),))


def ensure_schema(conn: sqlite3.Connection) -> None:
    """Create whatever part of the store's layout is missing, migrating an old layout (inside the caller's transaction).

    Parameters
    ----------
    conn
        An open connection to the store. inside a write transaction.
    """
    version = layout_version(conn)
    for ddl in _CORE_DDL:
        conn.execute(ddl)
    conn.executemany("INSERT OR IGNORE INTO gpkg_spatial_ref_sys VALUES (?, ?, ?, ?, ?, ?)", _srs_rows())
    insert = "INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, description) VALUES (?, 'attributes', ?, ?)"
    conn.execute(insert, ("snapshots", "snapshots", f"One row per imported snapshot; {SCHEMA_NOTE}"))
    conn.execute(insert, ("snapshot_events", "snapshot_events", f"Audit log of saves, rollbacks and restores; {SCHEMA_NOTE}"))
    conn.execute(insert, (LAYOUT_TABLE, LAYOUT_TABLE, f"Store layout version; {SCHEMA_NOTE}"))
    for kind in CANONICAL:
        for ddl in _feature_table_ddl(kind):
            conn.execute(ddl)
        _register_layers(conn, kind)
    if version < LAYOUT_VERSION:
        _migrate(conn, version)
    submissions.create(conn)


def table_columns(conn: sqlite3.Connection, table: str) -> dict[str, tuple[str, str]]:
    """Return ``{lower-case name: (name, declared type)}`` for a table's columns.

    Parameters
    ----------
    conn
        An open connection to the store.
    table
        A table's name.

    Returns
    -------
    dict
        ``{lower-case name: (name, declared type)}``.
    """
    rows = conn.execute(f"PRAGMA table_info({quote_identifier(table)})").fetchall()
    return {str(r[1]).lower(): (str(r[1]), str(r[2]).upper()) for r in rows}


def require_columns(conn: sqlite3.Connection, table: str, names: Iterable[str], *, where: str) -> None:
    """Raise naming the first of ``names`` that ``table`` lacks (renamed or dropped outside the app, e.g. in QGIS).

    Without this check SQLite would read a missing ``"name"`` as the text ``name`` in every row.

    Parameters
    ----------
    conn
        An open connection to the store.
    table
        A table's name.
    names
        The columns needed.
    where
        Names the snapshot in the message.
    """
    columns.require_columns(table_columns(conn, table), table, list(names), where=where)


def update_contents(conn: sqlite3.Connection, kind: str, bounds: Iterable[float], *, now: str) -> None:
    """Widen the layer extent in ``gpkg_contents`` to ``bounds`` and stamp ``last_change``.

    Parameters
    ----------
    conn
        An open connection to the store.
    kind
        ``parks`` or ``enterprises``.
    bounds
        ``(min_x, min_y, max_x, max_y)`` of the rows saved, WGS-84.
    now
        The time, ISO text in UTC.
    """
    min_x, min_y, max_x, max_y = (float(b) for b in bounds)
    if any(math.isnan(b) for b in (min_x, min_y, max_x, max_y)):  # only empty geometries
        conn.execute("UPDATE gpkg_contents SET last_change = ? WHERE table_name IN (?, ?)", (now, kind, f"{kind}_current"))
        return
    for table in (kind, f"{kind}_current"):
        conn.execute(
            "UPDATE gpkg_contents SET last_change = ?, "
            "min_x = min(coalesce(min_x, ?), ?), min_y = min(coalesce(min_y, ?), ?), "
            "max_x = max(coalesce(max_x, ?), ?), max_y = max(coalesce(max_y, ?), ?) WHERE table_name = ?",
            (now, min_x, min_x, min_y, min_y, max_x, max_x, max_y, max_y, table),
        )
