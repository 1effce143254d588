"""A real app server and headless Debian Chromium for browser tests.

The server runs on a free loopback port with its own store in a temporary
folder, so tests never touch the user's data. Every request the page makes
is recorded, so tests can assert that nothing leaves the machine.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest

from bench.appserver import CHROMIUM, app_server

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts"
LOCAL_PREFIXES = ("http://127.0.0.1", "http://localhost", "ws://127.0.0.1", "ws://localhost", "data:", "blob:", "about:")


XSS_NAME = "<img src=x onerror=alert(1)>"
TEMPLATE_NAME = "{{ 7*7 }}号园{# 注释"  # Jinja syntax: must show as typed, never as 49
TEMPLATE_FILE = "{{ 7*7 }}台账{% if 1 %}.xlsx"


def _prepare_store(location: Path, sample_dir: Path) -> None:
    """The small sample through the import path, two parks given hostile names, the register a hostile file name."""
    from geo.demo.bootstrap import SAMPLE_DATUM, SAMPLE_ENTERPRISES, SAMPLE_LOADER, SAMPLE_PARKS
    from geo.ingest.enterprises import import_enterprises
    from geo.ingest.parks import import_parks
    from geo.store import open_store

    store = open_store(location)
    parks = import_parks(sample_dir / SAMPLE_PARKS, datum=SAMPLE_DATUM).data
    parks.loc[parks.index[0], "name"] = XSS_NAME
    parks.loc[parks.index[1], ["name", "main_industry"]] = [TEMPLATE_NAME, TEMPLATE_NAME]
    firms = import_enterprises(sample_dir / SAMPLE_ENTERPRISES, datum=SAMPLE_DATUM).data
    for kind, data in (("parks", parks), ("enterprises", firms)):
        store.save_snapshot(
            data,
            kind=kind,
            reporting_date=date(2024, 6, 30),
            source_name=TEMPLATE_FILE if kind == "parks" else f"{kind}.test",
            source_sha256="0" * 64,
            loaded_by=SAMPLE_LOADER,
        )


@contextmanager
def running_app(store_dir: Path, *, log_name: str = "server.log") -> Iterator[str]:
    """Run the app with its store in ``store_dir``; yield its URL; keep the server log as an artifact."""
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian chromium is not installed: run `make test` (it installs it) or `apt-get install chromium`.")
    try:
        with app_server(store_dir / "parkmap.gpkg", log_path=store_dir / log_name) as url:
            yield url
    finally:
        ARTIFACTS.mkdir(exist_ok=True)
        shutil.copy(store_dir / log_name, ARTIFACTS / log_name)


@pytest.fixture(scope="session")
def app_url(tmp_path_factory: pytest.TempPathFactory, small_sample_dir: Path) -> Iterator[str]:
    """The app on the small sample, one park with a hostile name (shared by the dashboard tests)."""
    store_dir = tmp_path_factory.mktemp("store")
    _prepare_store(store_dir / "parkmap.gpkg", small_sample_dir)
    with running_app(store_dir) as url:
        yield url


@dataclass
class Recorder:
    """What a page asked for and complained about."""

    external: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


@pytest.fixture
def page(browser: object) -> Iterator[tuple[object, Recorder]]:
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN")  # type: ignore[attr-defined]
    pg = context.new_page()
    rec = Recorder()
    pg.on("request", lambda r: None if r.url.startswith(LOCAL_PREFIXES) else rec.external.append(r.url))
    pg.on("console", lambda m: rec.console_errors.append(m.text) if m.type == "error" else None)
    pg.on("dialog", lambda d: (rec.dialogs.append(d.message), d.dismiss()))
    yield pg, rec
    context.close()


MAP_FRAME = "iframe[title='streamlit_folium.st_folium']"


def map_frame(pg: object) -> object:
    return pg.frame_locator(MAP_FRAME).first  # type: ignore[attr-defined]


def save_artifact(pg: object, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    pg.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
    return path
