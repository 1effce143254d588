"""PostgreSQL + PostGIS fixtures: one throwaway cluster per test session, a fresh database per test.

``make test`` starts the cluster around pytest (``python -m geo.store.cluster throwaway -- pytest``) and exports
``PARKMAP_TEST_PG``, the cluster's superuser URL with ``?passfile=`` naming its password file (which also holds
the owner's and the app's passwords). Without it, the first test that asks for a database starts its own
throwaway cluster in a temporary folder and the session stops and removes it at the end. Missing PostgreSQL
or PostGIS fails the test with the command to install them: these tests are never skipped.

Each test's database is cloned from a template that already has PostGIS; the next one is made in a background
thread while the current test runs, and used ones are dropped there too, so a test waits for a database only
when the one before it was quicker than a clone.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import pytest

from geo.errors import StoreError
from geo.store.cluster import TEST_ENV_VAR, Cluster, throwaway_cluster


@dataclass(frozen=True)
class PgDatabase:
    """A fresh, empty database with PostGIS, owned by ``parkmap_owner``; the URLs carry their passwords."""

    name: str
    owner_url: str
    app_url: str
    superuser_url: str


class _Spares:
    """Databases made one ahead and dropped after use, on one worker thread (errors come back on the next take)."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pg-spares")
        self.drops: list[Future[None]] = []
        self.next = self.worker.submit(self._make)

    def _make(self) -> str:
        name = f"test_{uuid.uuid4().hex[:12]}"
        self.cluster.create_database(name)
        return name

    def take(self) -> str:
        name = self.next.result()
        self.next = self.worker.submit(self._make)
        return name

    def give_back(self, name: str) -> None:
        self.drops.append(self.worker.submit(self.cluster.drop_database, name))

    def close(self) -> None:
        try:
            for done in self.drops:
                done.result()
            self.cluster.drop_database(self.next.result())
        finally:
            self.worker.shutdown(wait=True)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    """The session's running throwaway cluster, with ``parkmap_owner`` and ``parkmap_app`` made."""
    url = os.environ.get(TEST_ENV_VAR, "").strip()
    try:
        if url:
            cluster = Cluster.attach(url)
            if cluster.status() != "running":
                pytest.fail(f"{TEST_ENV_VAR} names a cluster in {cluster.data_dir} that is not running: run the tests with make test.")
            yield cluster
            return
        with throwaway_cluster() as own:
            yield own
    except StoreError as exc:
        pytest.fail(str(exc))


@pytest.fixture(scope="session")
def _pg_spares(pg_cluster: Cluster) -> Iterator[_Spares]:
    spares = _Spares(pg_cluster)
    yield spares
    spares.close()


@pytest.fixture
def pg_database(pg_cluster: Cluster, _pg_spares: _Spares) -> Iterator[PgDatabase]:
    """A fresh database with PostGIS for one test (dropped after it, open connections ended)."""
    name = _pg_spares.take()
    yield PgDatabase(
        name=name,
        owner_url=pg_cluster.owner_url(name, with_password=True),
        app_url=pg_cluster.app_url(name, with_password=True),
        superuser_url=pg_cluster.superuser_url(name, with_password=True),
    )
    _pg_spares.give_back(name)
