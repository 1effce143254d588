"""Many writers and readers on one PostGIS store: writers serialised and nothing lost, readers never blocked."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date

import psycopg
import pytest
from geopandas.testing import assert_geodataframe_equal

from geo.errors import StoreError
from geo.reporting.periods import Period
from geo.store import SnapshotStore, open_store
from geo.store.postgis import PostgisStore, close_pool, migrations
from geo.store.postgis import rows as pg_rows
from tests.geo.reporting.registers import register
from tests.geo.store.conftest import fingerprint
from tests.geo.store.test_store import fresh_sha, make_parks, save
from tests.pg import PgDatabase

COUNTIES = ("330602", "330603", "330604", "330624", "330681", "330683")


@pytest.fixture
def url(pg_database: PgDatabase) -> Iterator[str]:
    migrations.upgrade(pg_database.owner_url)
    yield pg_database.app_url
    close_pool(pg_database.app_url)


def test_six_counties_submitting_at_once_lose_nothing(url: str) -> None:
    start = threading.Barrier(len(COUNTIES))
    errors: list[BaseException] = []

    def county(code: str) -> None:
        try:
            store = open_store(url)
            parks = register([{"name": f"{code}园{i}", "county": code, "park_id": f"{code}-{i}", "dlat": i} for i in range(3)])
            start.wait()
            for quarter in (1, 2):
                store.submit(parks, period=Period(2024, quarter), counties=[code], source_name=f"{code}.xlsx",
                             source_sha256=fresh_sha(), submitted_by=code, approve_now=quarter == 1)  # fmt: skip
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=county, args=(c,)) for c in COUNTIES]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    store = open_store(url)
    subs = store.list_submissions()
    assert len(subs) == 12 and len({s.submission_id for s in subs}) == 12 and len({s.snapshot_id for s in subs}) == 12
    assert {s.county_adcode for s in subs if s.state == "approved"} == set(COUNTIES)
    current = store.register()
    assert current is not None and len(current) == 18 and set(current["county_adcode"]) == set(COUNTIES)


def test_readers_are_not_blocked_by_a_writer_and_a_second_writer_waits_then_gives_up(url: str) -> None:
    store = open_store(url)
    first = save(store, make_parks(4), date(2023, 6, 30))
    holding, release = threading.Event(), threading.Event()

    def slow_writer() -> None:
        assert isinstance(store, PostgisStore)
        with store._writing() as conn:
            pg_rows.mark_rolled_back(conn, first, now="2024-01-01T00:00:00Z", by="x", reason="held")
            holding.set()
            release.wait(timeout=60)

    writer = threading.Thread(target=slow_writer)
    writer.start()
    try:
        assert holding.wait(timeout=30)
        reader = open_store(url)
        assert reader.list_snapshots()["rolled_back"].tolist() == [False]  # the writer's change is not visible yet
        current = reader.current("parks")
        assert current is not None and current.attrs["snapshot"]["snapshot_id"] == first
        with pytest.raises(StoreError, match="busy"):
            save(PostgisStore(url, lock_timeout_s=0.3), make_parks(2), date(2023, 12, 31))
    finally:
        release.set()
        writer.join()
    assert open_store(url).snapshot_info(first).rolled_back


def test_a_save_failing_after_its_rows_are_copied_leaves_the_store_as_it_was(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    store = open_store(url)
    first = save(store, make_parks(3), date(2023, 6, 30))
    before = fingerprint(store)

    def broken(*args: object, **kwargs: object) -> None:
        raise psycopg.errors.DiskFull("could not extend file")

    monkeypatch.setattr(pg_rows, "log_event", broken)
    with pytest.raises(StoreError, match="Nothing was changed"):
        save(store, make_parks(6), date(2023, 12, 31))
    monkeypatch.undo()
    assert fingerprint(store) == before
    assert store.current("parks").attrs["snapshot"]["snapshot_id"] == first
    later = make_parks(6)
    assert_geodataframe_equal(store.load_snapshot(save(store, later, date(2023, 12, 31))), later)


def test_text_postgresql_cannot_hold_is_refused_naming_the_column(url: str) -> None:
    store: SnapshotStore = open_store(url)
    for column in ("name", "备注"):
        parks = make_parks(2)
        parks[column] = ["a\x00b", "ok"]
        with pytest.raises(StoreError, match=f"列“{column}”中有空字符"):
            save(store, parks, date(2023, 1, 1))
    assert store.list_snapshots().empty
