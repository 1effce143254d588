"""Shared test settings and fixtures: no test may reach the network; one headless Chromium per session."""

from __future__ import annotations

import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import box

from bench.appserver import CHROMIUM, CHROMIUM_ARGS

pytest_plugins = ["tests.pg"]  # pg_cluster, pg_database: PostgreSQL + PostGIS


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every browser test is slow too, so `pytest -m "not slow"` (make test-fast) never starts Chromium."""
    for item in items:
        if item.get_closest_marker("browser") is not None and item.get_closest_marker("slow") is None:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
    """Refuse connections to anything but this machine (browser tests use loopback)."""
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> object:
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and host not in ("127.0.0.1", "localhost", "::1") and not host.startswith("/"):
            msg = f"test tried to reach the network: {address!r}"
            raise RuntimeError(msg)
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture(scope="session")
def small_sample_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small synthetic sample (60 parks, 6,000 firms) written like the shipped one."""
    from geo.demo.sample import write_sample

    out = tmp_path_factory.mktemp("sample")
    write_sample(out, n_parks=60, n_enterprises=6_000)
    return out


@pytest.fixture(scope="session")
def small_store_template(small_sample_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small sample loaded once per session the way the app's first start loads it (every quarterly report replayed)."""
    from geo.demo.bootstrap import load_sample_into_store
    from geo.store import open_store

    location = tmp_path_factory.mktemp("store-template") / "parkmap.gpkg"
    load_sample_into_store(open_store(location), sample_dir=small_sample_dir)
    return location


@pytest.fixture
def small_store(small_store_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A store holding the small sample (a copy of the session's); PARKMAP_STORE and PARKMAP_QUOTAS point into tmp_path."""
    location = tmp_path / "parkmap.gpkg"
    shutil.copyfile(small_store_template, location)
    monkeypatch.setenv("PARKMAP_STORE", str(location))
    monkeypatch.setenv("PARKMAP_QUOTAS", str(tmp_path / "county_quotas.csv"))
    return location


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's Chromium, headless, driven by Playwright (one per test session: Playwright's sync API allows one)."""
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian chromium is not installed: run `make test` (it installs it) or `apt-get install chromium`.")
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def two_counties() -> gpd.GeoDataFrame:
    """Two hand-made counties side by side (越城区, 柯桥区), sharing one border, in WGS-84."""
    return gpd.GeoDataFrame(
        {"adcode": ["330602", "330603"], "name": ["越城区", "柯桥区"], "name_en": ["Yuecheng District", "Keqiao District"]},
        geometry=[box(120.5, 29.9, 120.6, 30.0), box(120.4, 29.9, 120.5, 30.0)],
        crs=4326,
    )
