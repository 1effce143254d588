"""The PostGIS schema: versioned migrations from empty and from the previous version, rights of the app's role."""

from __future__ import annotations

from datetime import date

import psycopg
import pytest
from geopandas.testing import assert_geodataframe_equal

from geo.errors import StoreError
from geo.store import open_store
from geo.store.meta import check_snapshot_frame
from geo.store.postgis import close_pool, migrations
from geo.store.postgis import rows as pg_rows
from tests.geo.store.test_store import fresh_sha, make_enterprises, make_parks
from tests.pg import PgDatabase


def _meta(kind: str, day: date) -> dict[str, str]:
    return {"kind": kind, "reporting_date": day.isoformat(), "source_name": "台账.xlsx", "source_sha256": fresh_sha(),
            "loaded_by": "王工", "note": ""}  # fmt: skip


def _versions(url: str) -> list[int]:
    with psycopg.connect(url) as conn:
        return [r[0] for r in conn.execute("SELECT version FROM parkmap.schema_migrations ORDER BY version")]


def test_an_empty_database_is_upgraded_to_the_newest_version_and_again_changes_nothing(pg_database: PgDatabase) -> None:
    assert migrations.upgrade(pg_database.owner_url) == migrations.HEAD == 3
    assert migrations.upgrade(pg_database.owner_url) == migrations.HEAD
    assert _versions(pg_database.owner_url) == [1, 2, 3]
    with psycopg.connect(pg_database.owner_url) as conn:
        tables = {r[0] for r in conn.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'parkmap'")}
        indexes = {r[0] for r in conn.execute("SELECT indexdef FROM pg_indexes WHERE schemaname = 'parkmap' AND tablename = 'enterprises'")}
        geometry = conn.execute(
            "SELECT type, srid FROM geometry_columns WHERE f_table_schema = 'parkmap' AND f_table_name = 'parks'"
        ).fetchone()
    assert {"snapshots", "snapshot_events", "parks", "enterprises", "submissions", "submission_events", "schema_migrations"} <= tables
    assert {"accounts", "audit_log"} <= tables
    assert {"parks_current", "enterprises_current", "submission_parks"} <= tables
    assert any("USING gist (geom)" in i for i in indexes) and any("(snapshot_id)" in i for i in indexes)
    assert geometry == ("GEOMETRY", 4326)


def test_the_app_role_may_read_and_add_but_not_delete_or_migrate(pg_database: PgDatabase) -> None:
    migrations.upgrade(pg_database.owner_url)
    store = open_store(pg_database.app_url)
    store.save_snapshot(make_parks(4), kind="parks", reporting_date=date(2023, 12, 31), source_name="a.xlsx",
                        source_sha256=fresh_sha(), loaded_by="王工")  # fmt: skip
    refused = ["DELETE FROM parkmap.snapshot_events", "DELETE FROM parkmap.parks", "INSERT INTO parkmap.schema_migrations VALUES (9, 'x')",
               "DROP TABLE parkmap.parks", "CREATE TABLE parkmap.mine (x int)", "TRUNCATE parkmap.submissions",
               "DELETE FROM parkmap.audit_log", "UPDATE parkmap.audit_log SET account = 'x'",
               "INSERT INTO parkmap.snapshots (kind, reporting_date, imported_at, source_name, source_sha256, loaded_by, note, row_count, "
               "columns_json) VALUES ('parks', '2024-01-01', now(), 'a', 'b', 'c', '', 0, '[]')"]  # the last: nobody declared  # fmt: skip
    with psycopg.connect(pg_database.app_url, autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM parkmap.schema_migrations").fetchone() == (3,)
        assert conn.execute("SELECT count(*) FROM parkmap.parks_current").fetchone() == (4,)
        for statement in refused:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)  # type: ignore[arg-type]
    with pytest.raises(StoreError, match="does not own this database"):
        migrations.upgrade(pg_database.app_url)
    close_pool(pg_database.app_url)


def test_a_store_of_the_previous_version_keeps_its_data_when_upgraded(pg_database: PgDatabase) -> None:
    assert migrations.upgrade(pg_database.owner_url, target=1) == 1
    parks, firms = make_parks(8), make_enterprises(6)
    with psycopg.connect(pg_database.owner_url) as conn, conn.transaction():  # what version 1 of the app wrote
        parks_id = pg_rows.write_snapshot(conn, check_snapshot_frame(parks), _meta("parks", date(2023, 12, 31)))
        firms_id = pg_rows.write_snapshot(conn, check_snapshot_frame(firms), _meta("enterprises", date(2023, 12, 31)))
    with pytest.raises(StoreError, match=r"schema is version 1, this app needs 3: run make db or python -m geo.store.postgis upgrade"):
        open_store(pg_database.app_url)  # the app's role cannot migrate: it says what to run
    assert migrations.upgrade(pg_database.owner_url) == 3
    store = open_store(pg_database.app_url)
    assert_geodataframe_equal(store.load_snapshot(parks_id), parks)
    assert_geodataframe_equal(store.load_snapshot(firms_id), firms)
    subs = store.list_submissions()
    assert {s.county_adcode for s in subs} == set(parks["county_adcode"]) and {s.state for s in subs} == {"approved"}
    assert {s.period.code for s in subs} == {"2023Q4"} and {s.snapshot_id for s in subs} == {parks_id}
    current = store.current("parks")
    assert current is not None and sorted(current["park_id"]) == sorted(parks["park_id"])
    close_pool(pg_database.app_url)


def test_the_owner_opening_an_older_store_migrates_it(pg_database: PgDatabase) -> None:
    migrations.upgrade(pg_database.owner_url, target=1, app_role=None)
    store = open_store(pg_database.owner_url)
    assert _versions(pg_database.owner_url) == [1, 2, 3] and store.list_submissions() == []
    close_pool(pg_database.owner_url)


def test_a_store_of_a_newer_program_is_refused(pg_database: PgDatabase) -> None:
    migrations.upgrade(pg_database.owner_url)
    with psycopg.connect(pg_database.owner_url) as conn:
        conn.execute("INSERT INTO parkmap.schema_migrations (version, title) VALUES (7, 'from the future')")
    for url in (pg_database.owner_url, pg_database.app_url):
        with pytest.raises(StoreError, match=r"version 7, newer than this app \(3\)"):
            open_store(url)
    with pytest.raises(StoreError, match="版本 7"):
        migrations.upgrade(pg_database.owner_url)
    close_pool(pg_database.owner_url)
    close_pool(pg_database.app_url)


def test_the_command_line_upgrades_and_reports_the_version(pg_database: PgDatabase, capsys: pytest.CaptureFixture[str]) -> None:
    from geo.store.postgis.__main__ import main

    assert main(["version", "--url", pg_database.owner_url]) == 0
    assert "schema version 0" in capsys.readouterr().out
    assert main(["upgrade", "--url", pg_database.owner_url, "--app-role", "parkmap_app"]) == 0
    out = capsys.readouterr().out
    assert "schema version 3" in out and ":***@" in out
    assert main(["upgrade", "--url", pg_database.app_url]) == 2
    assert "owner" in capsys.readouterr().err
