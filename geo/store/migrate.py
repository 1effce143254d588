"""Move a GeoPackage store into an empty PostGIS store, row for row (``python -m geo.store migrate``).

Every snapshot is copied with its rows (through the same column encoding a
save uses, so columns and dtypes load back identical), its metadata, import
time, rollback state and audit events; every submission with its state,
times, changes and events. Ids are kept (the sequences continue after them),
so a submission's number on paper still finds it. The copy is one
transaction under the store's writers' lock: an error leaves the target as
empty as it was. A target that already holds data is refused.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import psycopg

from geo.errors import StoreError
from geo.store.gpkg import GeoPackageStore
from geo.store.gpkg import submissions as gpkg_submissions
from geo.store.postgis import PostgisStore
from geo.store.postgis import rows as pg_rows

_SEQUENCES: Final = (
    ("snapshots", "snapshot_id"),
    ("snapshot_events", "event_id"),
    ("submissions", "submission_id"),
    ("submission_events", "event_id"),
    ("parks", "fid"),
    ("enterprises", "fid"),
)
_SUBMISSION_FIELDS: Final = (
    "submission_id, snapshot_id, county_adcode, period, reporting_date, state, submitted_by, submitted_at, "
    "reviewed_by, reviewed_at, reason, row_count, changes_json"
)


@dataclass(frozen=True)
class Moved:
    """What :func:`migrate_store` copied."""

    snapshots: int
    rows: int
    submissions: int


def _refuse_unless_empty(target: PostgisStore) -> None:
    held = len(target.list_snapshots())
    if held or target.list_submissions():
        msg = (
            f"目标数据库 {target.location} 已有数据（{held} 个快照），不会向其中迁移；请换一个空数据库。"
            f" The target store already holds {held} snapshots: migrate only into an empty PostGIS store."
        )
        raise StoreError(msg)


def _source_events(path: Path) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]], list[tuple[object, ...]]]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        if not gpkg_submissions.present(conn):
            msg = f"The GeoPackage {path} is of an older layout: save or roll back once in the app to bring it up to date, then migrate."
            raise StoreError(msg)
        snapshot_events = conn.execute(
            "SELECT event_id, snapshot_id, action, at, by, reason FROM snapshot_events ORDER BY event_id"
        ).fetchall()
        subs = conn.execute(f"SELECT {_SUBMISSION_FIELDS} FROM submissions ORDER BY submission_id").fetchall()
        sub_events = conn.execute(
            "SELECT event_id, submission_id, action, at, by, reason FROM submission_events ORDER BY event_id"
        ).fetchall()
    finally:
        conn.close()
    return snapshot_events, subs, sub_events


def migrate_store(source: GeoPackageStore, target: PostgisStore) -> Moved:
    """Copy every snapshot and submission of ``source`` into the empty ``target``, in one transaction.

    Parameters
    ----------
    source
        The GeoPackage store.
    target
        An empty PostGIS store (its role must own the database, or be granted ``UPDATE`` on the sequences).

    Returns
    -------
    Moved
        How many snapshots, feature rows and submissions were copied.

    Raises
    ------
    StoreError
        The target holds data, the source is of an older layout, or the copy failed (the target stays empty).
    """
    _refuse_unless_empty(target)
    infos = sorted((source.snapshot_info(int(i)) for i in source.list_snapshots()["snapshot_id"]), key=lambda i: i.snapshot_id)
    snapshot_events, subs, sub_events = _source_events(source.location)
    count = 0
    with target._writing() as conn:
        for info in infos:
            frame = source.load_snapshot(info.snapshot_id)
            meta = {k: str(v) for k, v in info.as_dict().items() if k in ("kind", "source_name", "source_sha256", "loaded_by", "note")}
            meta["reporting_date"] = info.reporting_date.isoformat()
            pg_rows.write_snapshot(conn, frame, meta, copied=info)
            if info.rolled_back:
                when = (info.rolled_back_at or info.imported_at).isoformat()
                pg_rows.mark_rolled_back(conn, info.snapshot_id, now=when, by=info.rolled_back_by or "", reason=info.rollback_reason or "")
            count += len(frame)
        _copy(conn, "snapshot_events (event_id, snapshot_id, action, at, done_by, reason)", snapshot_events)
        _copy(conn, f"submissions ({_SUBMISSION_FIELDS})", subs)
        _copy(conn, "submission_events (event_id, submission_id, action, at, done_by, reason)", sub_events)
        try:
            for table, column in _SEQUENCES:
                conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('parkmap.{table}', '{column}'), "  # type: ignore[arg-type]
                    f"coalesce((SELECT max({column}) FROM parkmap.{table}), 0) + 1, false)"
                )
        except psycopg.errors.InsufficientPrivilege as exc:
            msg = (
                f"迁移需要数据库所有者的连接（{exc.diag.message_primary}）：请用 parkmap_owner 的 URL 运行。 Migrate with the owner's URL."
            )
            raise StoreError(msg) from None
    return Moved(snapshots=len(infos), rows=count, submissions=len(subs))


def _copy(conn: psycopg.Connection, target: str, rows: list[tuple[object, ...]]) -> None:
    """Insert metadata rows (a few hundred): INSERT, since COPY cannot write into a table under row-level security."""
    if not rows:
        return
    placeholders = ", ".join(["%s"] * len(rows[0]))
    with conn.cursor() as cur:
        cur.executemany(f"INSERT INTO parkmap.{target} VALUES ({placeholders})", rows)  # type: ignore[arg-type]
