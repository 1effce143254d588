"""Accounts over both stores: a GeoPackage with its book beside it, or a PostGIS database holding both."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from geo.accounts.book import AccountBook, SqliteAccountBook
from geo.store import GeoPackageStore, open_store


@pytest.fixture(params=["gpkg", "postgis"])
def parts(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Any, AccountBook]]:
    """A fresh store and its account book, on the backend under test (PostGIS: upgraded as owner, opened as the app)."""
    if request.param == "gpkg":
        yield GeoPackageStore(tmp_path / "parkmap.gpkg"), SqliteAccountBook(tmp_path / "parkmap.accounts.sqlite")
        return
    from geo.accounts.pgbook import PostgresAccountBook
    from geo.store.postgis import close_pool
    from geo.store.postgis.migrations import upgrade

    database = request.getfixturevalue("pg_database")
    upgrade(database.owner_url)
    yield open_store(database.app_url), PostgresAccountBook(database.app_url)
    close_pool(database.app_url)
