"""The store contract fixtures: every test that is not about files runs on both backends.

``store`` is a fresh, empty store: a GeoPackage file under ``tmp_path``, or a
PostGIS database (B's ``pg_database``: upgraded as its owner, opened with the
app's login, as ``make db`` sets it up). ``store_at()`` opens the same store
again (another process or page reload would). ``gpkg_store`` is for the tests
about the file itself.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from geo.store import GeoPackageStore, SnapshotStore, open_store
from geo.store.postgis import PostgisStore, close_pool
from geo.store.postgis.migrations import upgrade

BACKENDS = ("gpkg", "postgis")


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The store backend under test."""
    return str(request.param)


@pytest.fixture
def store_at(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Callable[[], SnapshotStore]]:
    """Open (again) the test's store; the PostGIS database's pool is closed after the test."""
    if backend == "gpkg":
        path = tmp_path / "store" / "parkmap.gpkg"
        yield lambda: GeoPackageStore(path)
        return
    database = request.getfixturevalue("pg_database")
    upgrade(database.owner_url)
    yield lambda: open_store(database.app_url)
    close_pool(database.app_url)


@pytest.fixture
def store(store_at: Callable[[], SnapshotStore]) -> SnapshotStore:
    """A fresh, empty store of the backend under test."""
    return store_at()


@pytest.fixture
def gpkg_store(tmp_path: Path) -> GeoPackageStore:
    """A fresh GeoPackage store, for the tests about the file."""
    return GeoPackageStore(tmp_path / "store" / "parkmap.gpkg")


def fingerprint(store: SnapshotStore) -> Any:
    """What a failed or refused write must leave exactly as it was: the file's bytes, or every table's rows."""
    if isinstance(store, GeoPackageStore):
        return store.location.read_bytes() if store.location.exists() else None
    assert isinstance(store, PostgisStore)
    with store._connection() as conn:
        tables = [r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'parkmap' ORDER BY tablename")]
        return {t: conn.execute(f"SELECT * FROM parkmap.{t} ORDER BY 1").fetchall() for t in tables}  # type: ignore[arg-type]


def nothing_stored(store: SnapshotStore) -> bool:
    """True when nothing was ever written: no file, or no snapshot row."""
    if isinstance(store, GeoPackageStore):
        return not store.location.exists()
    return store.list_snapshots().empty


def snapshot_actions(store: SnapshotStore, snapshot_id: int) -> list[str]:
    """The audit log's actions for one snapshot, in order."""
    if isinstance(store, GeoPackageStore):
        with sqlite3.connect(store.location) as conn:
            return [
                r[0] for r in conn.execute("SELECT action FROM snapshot_events WHERE snapshot_id = ? ORDER BY event_id", (snapshot_id,))
            ]
    assert isinstance(store, PostgisStore)
    with store._connection() as conn:
        query = "SELECT action FROM parkmap.snapshot_events WHERE snapshot_id = %s ORDER BY event_id"
        return [r[0] for r in conn.execute(query, (snapshot_id,))]


def write_error(store: SnapshotStore) -> Exception:
    """An error the backend's database could raise in the middle of a write."""
    if isinstance(store, GeoPackageStore):
        return sqlite3.OperationalError("disk I/O error")
    return psycopg.errors.DiskFull("could not extend file")
