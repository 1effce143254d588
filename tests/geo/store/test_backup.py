"""Backup and restore, round trip row for row: the GeoPackage store, and every table of the PostGIS ``parkmap`` schema."""

from __future__ import annotations

import contextlib
import sqlite3
import subprocess
from datetime import date
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from geo.errors import StoreError
from geo.store import open_store
from geo.store.backup import SCHEMA, backup, main, restore
from geo.store.cluster import APP_ROLE, OWNER_ROLE, Cluster, find_bindir
from tests.pg import PgDatabase

# -- GeoPackage ---------------------------------------------------------------------------------


def gpkg_rows(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every table of a SQLite file, its rows in a stable order."""
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        tables = [name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {t: sorted(conn.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables}


def save_another_snapshot(location: Path) -> None:
    """Change the store through its own API: the current parks again, cut to three, as a new snapshot."""
    store = open_store(location)
    parks = store.current("parks")
    assert parks is not None
    store.save_snapshot(
        parks.head(3), kind="parks", reporting_date=date.today(), source_name="later.xlsx", source_sha256="f" * 64, loaded_by="test"
    )


def test_geopackage_round_trip_row_for_row(small_store: Path, tmp_path: Path) -> None:
    before = gpkg_rows(small_store)
    snapshots = open_store(small_store).list_snapshots()
    out = backup(small_store, tmp_path / "backups" / "store.gpkg")
    assert gpkg_rows(out) == before
    save_another_snapshot(small_store)
    changed = gpkg_rows(small_store)
    assert changed != before
    kept = restore(small_store, out)
    assert gpkg_rows(small_store) == before
    assert open_store(small_store).list_snapshots().equals(snapshots)
    assert kept is not None and kept.name.startswith("parkmap.before-restore-") and kept.suffix == ".gpkg"
    assert gpkg_rows(kept) == changed  # nothing is lost: the replaced store is kept


def test_geopackage_restore_refuses_what_is_not_a_store(small_store: Path, tmp_path: Path) -> None:
    before = gpkg_rows(small_store)
    text = tmp_path / "notes.gpkg"
    text.write_text("not a database")
    plain = tmp_path / "plain.gpkg"
    with contextlib.closing(sqlite3.connect(plain)) as conn:
        conn.execute("CREATE TABLE t (x)")
    for bad in (text, plain, tmp_path / "missing.gpkg"):
        with pytest.raises(StoreError):
            restore(small_store, bad)
    assert gpkg_rows(small_store) == before
    assert not list(tmp_path.glob("*.before-restore-*"))


def test_backup_does_not_overwrite(small_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "store.gpkg"
    out.write_bytes(b"keep me")
    with pytest.raises(StoreError, match="exists already"):
        backup(small_store, out)
    assert out.read_bytes() == b"keep me"


def test_command_line_uses_parkmap_store(small_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = gpkg_rows(small_store)  # small_store sets PARKMAP_STORE
    assert main(["backup", "--out", str(tmp_path / "b.gpkg")]) == 0
    save_another_snapshot(small_store)
    assert main(["restore", "--file", str(tmp_path / "b.gpkg")]) == 0
    assert "kept in" in capsys.readouterr().out
    assert gpkg_rows(small_store) == before
    from geo.accounts.book import open_book

    (logged,) = open_book(small_store).events()  # the restore is in the audit log, with where the old data went
    assert logged.action == "restore_backup" and logged.account.startswith("cli.") and "before-restore" in logged.summary
    assert main(["--store", str(tmp_path / "none.gpkg"), "backup", "--out", str(tmp_path / "c.gpkg")]) == 1
    assert "nothing to back up" in capsys.readouterr().err


# -- PostgreSQL ---------------------------------------------------------------------------------


def schema_rows(url: str) -> dict[str, list[tuple[object, ...]]]:
    """Every table of schema ``parkmap`` (whatever the store puts there), all rows, in a stable order."""
    with psycopg.connect(url) as conn:
        tables = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s AND table_type = 'BASE TABLE' ORDER BY 1",
            (SCHEMA,),
        ).fetchall()
        return {
            t: conn.execute(
                sql.SQL("SELECT * FROM {}.{} AS r ORDER BY r::text").format(sql.Identifier(SCHEMA), sql.Identifier(t))
            ).fetchall()
            for (t,) in tables
        }


def build_schema(owner_url: str, *, with_rls: bool) -> None:
    """A stand-in for the store's schema, made by its owner: geometry, Chinese and hostile text, nulls, a sequence, grants."""
    with psycopg.connect(owner_url) as conn:
        conn.execute("CREATE SCHEMA parkmap")
        conn.execute(
            "CREATE TABLE parkmap.parks (park_id text PRIMARY KEY, name text, county_adcode text NOT NULL, "
            "floor_area_m2 double precision, completed date, geom geometry(Point, 4326))"
        )
        conn.execute(
            "INSERT INTO parkmap.parks VALUES "
            "('P001', '柯桥经编小微企业园', '330603', 125000.5, '2022-12-01', ST_SetSRID(ST_Point(120.49, 30.08), 4326)), "
            "('P002', '=1+1', '330602', NULL, NULL, ST_SetSRID(ST_Point(120.58, 30.0), 4326)), "
            "('P003', $$'; DROP TABLE parks;--$$, '330681', 0, '2021-03-01', NULL)"
        )
        conn.execute("CREATE TABLE parkmap.events (event_id bigserial PRIMARY KEY, note text, at timestamptz DEFAULT now())")
        conn.execute("INSERT INTO parkmap.events (note) SELECT 'event ' || i FROM generate_series(1, 50) AS i")
        if with_rls:  # as the store will: counties limited by row-level security, forced on the owner too
            conn.execute("ALTER TABLE parkmap.parks ENABLE ROW LEVEL SECURITY")
            conn.execute("ALTER TABLE parkmap.parks FORCE ROW LEVEL SECURITY")
            conn.execute("CREATE POLICY county ON parkmap.parks USING (county_adcode = current_setting('parkmap.county', true))")
        conn.execute(f"GRANT USAGE ON SCHEMA parkmap TO {APP_ROLE}")
        conn.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA parkmap TO {APP_ROLE}")


def change_everything(owner_url: str) -> None:
    """What a bad day does: a table dropped, rows changed, removed and added."""
    with psycopg.connect(owner_url) as conn:
        conn.execute("ALTER TABLE parkmap.parks NO FORCE ROW LEVEL SECURITY")
        conn.execute("DROP TABLE parkmap.events")
        conn.execute("UPDATE parkmap.parks SET name = 'changed', geom = NULL WHERE park_id = 'P001'")
        conn.execute("DELETE FROM parkmap.parks WHERE park_id = 'P002'")
        conn.execute("INSERT INTO parkmap.parks VALUES ('P009', 'new', '330683', 1, NULL, NULL)")


@pytest.mark.parametrize("flavour", ["owner URL with its password", "app URL with the password file"])
def test_postgis_round_trip_row_for_row(pg_cluster: Cluster, pg_database: PgDatabase, tmp_path: Path, flavour: str) -> None:
    by_passfile = flavour.endswith("password file")
    location = pg_cluster.app_url(pg_database.name) if by_passfile else pg_database.owner_url
    build_schema(pg_database.owner_url, with_rls=by_passfile)
    before = schema_rows(pg_database.superuser_url)
    assert before["parks"] and len(before["events"]) == 50
    out = backup(location, tmp_path / "parkmap.dump")
    change_everything(pg_database.owner_url)
    assert schema_rows(pg_database.superuser_url) != before
    kept = restore(location, out)
    assert schema_rows(pg_database.superuser_url) == before
    assert kept is not None and kept.exists()
    with psycopg.connect(pg_database.superuser_url) as conn:
        owners = conn.execute("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'parkmap'").fetchall()
        forced = conn.execute("SELECT relforcerowsecurity FROM pg_class WHERE oid = 'parkmap.parks'::regclass").fetchone()
    assert owners == [(OWNER_ROLE,)]
    assert forced == (by_passfile,)
    with psycopg.connect(pg_database.app_url) as conn:  # the grants came back too
        assert conn.execute("SELECT count(*) FROM parkmap.events").fetchone() == (50,)


def test_postgis_restore_of_a_wrong_file_changes_nothing(pg_database: PgDatabase, tmp_path: Path) -> None:
    build_schema(pg_database.owner_url, with_rls=False)
    before = schema_rows(pg_database.superuser_url)
    bogus = tmp_path / "bogus.dump"
    bogus.write_bytes(b"PGDMP but not really")
    with pytest.raises(StoreError, match="not a PostGIS store backup"):
        restore(pg_database.owner_url, bogus)
    assert schema_rows(pg_database.superuser_url) == before


def test_postgis_backup_of_an_empty_database_says_so(pg_database: PgDatabase, tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no parkmap schema"):
        backup(pg_database.owner_url, tmp_path / "x.dump")
    assert not (tmp_path / "x.dump").exists()


def test_postgis_passwords_stay_out_of_sight(pg_database: PgDatabase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build_schema(pg_database.owner_url, with_rls=False)
    seen: list[list[str]] = []
    real_run = subprocess.run

    def spy(cmd: list[str], **kwargs: object) -> object:
        seen.append(list(cmd))
        return real_run(cmd, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(subprocess, "run", spy)
    password = psycopg.conninfo.conninfo_to_dict(pg_database.owner_url)["password"]
    pg_dump = str(find_bindir() / "pg_dump")
    backup(pg_database.owner_url, tmp_path / "a.dump")
    assert pg_dump in [cmd[0] for cmd in seen]
    assert not any(str(password) in arg for cmd in seen for arg in cmd)
    wrong = pg_database.owner_url.replace(str(password), "wrong-secret")
    with pytest.raises(StoreError) as caught:
        backup(wrong, tmp_path / "b.dump")
    assert "wrong-secret" not in str(caught.value)


def test_postgis_backup_as_owner_under_forced_row_security_says_what_to_do(pg_database: PgDatabase, tmp_path: Path) -> None:
    build_schema(pg_database.owner_url, with_rls=True)
    with pytest.raises(StoreError, match=r"row-level security.*superuser"):
        backup(pg_database.owner_url, tmp_path / "x.dump")
    assert not list(tmp_path.iterdir())


def test_postgis_store_round_trip_through_its_api(pg_cluster: Cluster, pg_database: PgDatabase, small_store: Path, tmp_path: Path) -> None:
    from geo.store.postgis import close_pool
    from geo.store.postgis.migrations import upgrade

    upgrade(pg_database.owner_url)
    location = pg_cluster.app_url(pg_database.name)  # what make db prints: the app's login, the password file
    parks = open_store(small_store).current("parks")
    assert parks is not None
    try:
        store = open_store(location)
        store.save_snapshot(
            parks, kind="parks", reporting_date=date(2023, 12, 31), source_name="a.xlsx", source_sha256="a" * 64, loaded_by="t"
        )
        before, snapshots = schema_rows(pg_database.superuser_url), store.list_snapshots()
        out = backup(location, tmp_path / "store.dump")
        store.save_snapshot(
            parks.head(3), kind="parks", reporting_date=date.today(), source_name="b.xlsx", source_sha256="b" * 64, loaded_by="t"
        )
        assert schema_rows(pg_database.superuser_url) != before
        restore(location, out)
        assert schema_rows(pg_database.superuser_url) == before
        assert open_store(location).list_snapshots().equals(snapshots)
    finally:
        close_pool(location)
