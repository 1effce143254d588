"""The local PostgreSQL cluster: loopback only, the app's role has no special powers, URLs without passwords connect."""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest

from geo.errors import StoreError
from geo.store import cluster as cluster_module
from geo.store.cluster import APP_ROLE, INSTALL_HINT, OWNER_ROLE, Cluster, find_bindir, main
from tests.pg import PgDatabase


def passwords(cluster: Cluster) -> list[str]:
    """Every password in the cluster's password file."""
    return [line.split(":")[4] for line in cluster.passfile.read_text().splitlines() if line.count(":") == 4]


def test_listens_on_loopback_only(pg_database: PgDatabase) -> None:
    with psycopg.connect(pg_database.superuser_url) as conn:
        assert conn.execute("SHOW listen_addresses").fetchone() == ("127.0.0.1",)
        hba = conn.execute("SELECT type, address, auth_method FROM pg_hba_file_rules ORDER BY line_number").fetchall()
    assert ("host", "127.0.0.1", "scram-sha-256") in hba
    assert {row[1] for row in hba if row[0] != "local"} == {"127.0.0.1"}


def test_app_role_has_no_special_powers(pg_database: PgDatabase) -> None:
    with psycopg.connect(pg_database.app_url) as conn:
        row = conn.execute(
            "SELECT rolsuper, rolbypassrls, rolcreatedb, rolcreaterole, rolreplication FROM pg_roles WHERE rolname = current_user"
        ).fetchone()
        assert conn.info.user == APP_ROLE
        assert row == (False, False, False, False, False)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("CREATE ROLE intruder")
        conn.rollback()
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("CREATE TABLE public.t (x int)")


def test_database_has_postgis_and_owner(pg_database: PgDatabase) -> None:
    with psycopg.connect(pg_database.owner_url) as conn:
        owner = conn.execute("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()").fetchone()
        assert owner == (OWNER_ROLE,)
        assert conn.execute("SELECT ST_AsText(ST_Point(120.58, 30.03, 4326))").fetchone() == ("POINT(120.58 30.03)",)
        conn.execute("CREATE SCHEMA parkmap")  # the owner may build the schema


def test_url_without_password_connects_through_passfile(pg_cluster: Cluster, pg_database: PgDatabase) -> None:
    url = pg_cluster.app_url(pg_database.name)
    parts = urlsplit(url)
    assert parts.password is None
    assert not any(secret in url for secret in passwords(pg_cluster))
    assert parts.query == f"passfile={pg_cluster.passfile}"
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT current_user").fetchone() == (APP_ROLE,)
    assert stat.S_IMODE(pg_cluster.passfile.stat().st_mode) == 0o600


def test_url_command_prints_no_password(pg_cluster: Cluster, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["url", "--dir", str(pg_cluster.data_dir), "--port", str(pg_cluster.port)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"PARKMAP_STORE='postgresql://{APP_ROLE}@127.0.0.1:{pg_cluster.port}/parkmap?passfile=")
    assert not any(secret in out for secret in passwords(pg_cluster))


def test_start_when_running_is_fine(pg_cluster: Cluster) -> None:
    assert pg_cluster.start() is False
    assert pg_cluster.status() == "running"


def test_missing_postgresql_names_the_packages(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="not installed") as caught:
        find_bindir(tmp_path / "no-such-bindir")
    assert INSTALL_HINT in str(caught.value)
    assert "postgresql-15-postgis-3" in str(caught.value)
    with pytest.raises(StoreError, match="apt-get install postgresql postgresql-15-postgis-3"):
        Cluster(tmp_path / "c", 54329, bindir=tmp_path / "no-such-bindir")


def test_missing_postgis_names_the_packages(tmp_path: Path) -> None:
    bindir = tmp_path / "lib" / "postgresql" / "15" / "bin"
    bindir.mkdir(parents=True)
    for program in ("initdb", "pg_ctl", "postgres", "pg_dump", "pg_restore"):
        (bindir / program).touch()
    with pytest.raises(StoreError, match="PostGIS is not installed") as caught:
        find_bindir(bindir)
    assert INSTALL_HINT in str(caught.value)


@pytest.fixture
def cluster_dir() -> Iterator[Path]:
    """A folder the server's OS user can reach (pytest's tmp_path is private to root)."""
    path = Path(tempfile.mkdtemp(prefix="parkmap-pg-test-"))
    yield path
    Cluster(path, 0).remove()
    shutil.rmtree(path, ignore_errors=True)


def test_command_line_start_twice_status_stop(
    cluster_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cluster_module, "_migrate", lambda cluster, db: print("migrated"))  # the store's own tests cover it
    port = str(cluster_module.free_port())
    where = ["--dir", str(cluster_dir), "--port", port]
    assert main(["start", *where]) == 0
    first = capsys.readouterr().out
    assert "created and started" in first
    assert main(["start", *where]) == 0
    second = capsys.readouterr().out
    assert "already running" in second
    store_line = second.strip().splitlines()[-1]
    assert store_line.startswith("PARKMAP_STORE='postgresql://parkmap_app@127.0.0.1:")
    cluster = Cluster(cluster_dir, int(port))
    assert not any(secret in first + second for secret in passwords(cluster))
    with psycopg.connect(store_line.split("=", 1)[1].strip("'")) as conn:
        assert conn.execute("SELECT current_user, current_database()").fetchone() == (APP_ROLE, "parkmap")
    assert main(["status", *where]) == 0
    assert main(["stop", *where]) == 0
    assert main(["stop", *where]) == 0
    assert "was not running" in capsys.readouterr().out
    assert main(["status", *where]) == 3


@pytest.mark.skipif(os.geteuid() != 0, reason="only as root does the server run as another OS user")
def test_folder_the_server_user_cannot_reach_is_refused(tmp_path: Path) -> None:
    # pytest's tmp_path is 0700 root: the postgres user cannot get in.
    with pytest.raises(StoreError, match="cannot reach"):
        Cluster(tmp_path / "c", cluster_module.free_port()).init()
