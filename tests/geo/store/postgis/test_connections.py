"""Connections to a PostGIS store: a bounded pool however often the store is opened, and the password never shown."""

from __future__ import annotations

import logging
import threading
from datetime import date
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from geo.errors import StoreError
from geo.store import open_store
from geo.store.cluster import free_port
from geo.store.postgis import close_pool, migrations
from geo.store.postgis.connect import masked_url, pool_max
from tests.geo.store.test_store import make_parks, save
from tests.pg import PgDatabase

SECRET = "Zq9-distinctive-Secret"


def _with(url: str, *, password: str | None = None, port: int | None = None, database: str | None = None) -> str:
    parts = urlsplit(url)
    user = parts.username or ""
    netloc = f"{user}:{password or parts.password}@{parts.hostname}:{port or parts.port}"
    return urlunsplit((parts.scheme, netloc, f"/{database}" if database else parts.path, "", ""))


def _connections(pg_database: PgDatabase) -> int:
    with psycopg.connect(pg_database.superuser_url) as conn:
        (n,) = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s", (pg_database.name,)).fetchone() or (0,)
    return int(n)


def test_the_location_and_repr_mask_the_password(pg_database: PgDatabase) -> None:
    migrations.upgrade(pg_database.owner_url)
    store = open_store(pg_database.app_url)
    password = urlsplit(pg_database.app_url).password
    assert password and password not in str(store.location) and password not in repr(store)
    assert str(store.location).startswith("postgresql://parkmap_app:***@127.0.0.1:") and str(store.location) in repr(store)
    assert masked_url("postgresql://u@h/db?password=abc&sslmode=disable") == "postgresql://u@h/db?password=***&sslmode=disable"
    close_pool(pg_database.app_url)


@pytest.mark.parametrize("fault", ["wrong password", "server down", "no such database"])
def test_connection_errors_are_plain_words_without_the_password(
    pg_database: PgDatabase, caplog: pytest.LogCaptureFixture, fault: str
) -> None:
    migrations.upgrade(pg_database.owner_url)
    url = {
        "wrong password": _with(pg_database.app_url, password=SECRET),
        "server down": _with(pg_database.app_url, password=SECRET, port=free_port()),
        "no such database": _with(pg_database.owner_url, database="no_such_db"),
    }[fault]
    expected = {
        "wrong password": "refused the password",
        "server down": "Cannot reach the database server",
        "no such database": "no_such_db",
    }
    caplog.set_level(logging.DEBUG)
    with pytest.raises(StoreError, match=expected[fault]) as caught:
        open_store(url)
    message = str(caught.value)
    assert SECRET not in message and SECRET not in caplog.text and "Traceback" not in message
    assert caught.value.__cause__ is None and caught.value.__suppress_context__  # no libpq text hiding behind it
    owner_password = urlsplit(pg_database.owner_url).password or "?"
    assert owner_password not in message and owner_password not in caplog.text


def test_opening_the_store_hundreds_of_times_keeps_the_connections_bounded(pg_database: PgDatabase) -> None:
    migrations.upgrade(pg_database.owner_url)
    save(open_store(pg_database.app_url), make_parks(4), date(2023, 12, 31))
    errors: list[BaseException] = []

    def reruns() -> None:  # what a Streamlit session does on every rerun
        try:
            for _ in range(100):
                store = open_store(pg_database.app_url)
                assert len(store.list_snapshots()) == 1 and store.current("parks") is not None
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=reruns) for _ in range(4)]
    for thread in threads:
        thread.start()
    peak = 0
    while any(t.is_alive() for t in threads):
        peak = max(peak, _connections(pg_database) - 1)  # minus this query's own connection
    for thread in threads:
        thread.join()
    assert errors == []
    assert 1 <= peak <= pool_max() == 5
    close_pool(pg_database.app_url)
    assert _connections(pg_database) - 1 == 0


def test_a_bad_pool_size_is_refused_in_words(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARKMAP_DB_POOL_MAX", "lots")
    with pytest.raises(StoreError, match="PARKMAP_DB_POOL_MAX must be a whole number"):
        pool_max()
    monkeypatch.setenv("PARKMAP_DB_POOL_MAX", "2")
    assert pool_max() == 2
