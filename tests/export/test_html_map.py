"""The standalone map.html: opens offline in headless Chromium with no request leaving the file."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from export.data import ExportData
from export.html_map import standalone_html
from layers.assets import missing_assets
from tests.export.conftest import XSS_NAME

LOCAL = ("file:", "data:", "about:", "blob:")


@pytest.fixture(scope="module")
def map_file(small_data: ExportData, tmp_path_factory: pytest.TempPathFactory) -> Path:
    if missing_assets():
        pytest.fail("Leaflet is not installed: run `make static/vendor/leaflet/leaflet.js` (npm ci) first.")
    path = tmp_path_factory.mktemp("html") / "map.html"
    path.write_text(standalone_html(small_data), encoding="utf-8")
    return path


def test_html_has_no_external_links_and_escapes_park_names(map_file: Path) -> None:
    page = map_file.read_text(encoding="utf-8")
    assert "<script src=" not in page
    assert '<link rel="stylesheet" href=' not in page
    assert XSS_NAME not in page
    assert "<title>绍兴市小微企业园分布与建设进度</title>" in page
    assert "参考分解，非官方 / indicative, not official" in page
    assert "synthetic sample data" not in page  # real data: no synthetic notice


def test_html_of_the_sample_carries_the_synthetic_notice(small_data: ExportData) -> None:
    assert "合成示例数据，非真实数据 / synthetic sample data" in standalone_html(replace(small_data, sample=True))


@pytest.mark.browser
def test_html_renders_offline_with_no_external_request(map_file: Path, small_data: ExportData, browser: object) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    external: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: None if request.url.startswith(LOCAL) else external.append(request.url))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("dialog", lambda dialog: (errors.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    try:
        page.goto(map_file.as_uri(), wait_until="load")
        page.wait_for_selector(".leaflet-interactive", state="attached", timeout=15_000)
        shapes = page.locator(".leaflet-interactive").count()
        counties = page.locator("path.leaflet-interactive").count()
        legend_text = page.locator(".parkmap-legend").inner_text()
    finally:
        context.close()
    assert external == []
    assert errors == []
    assert shapes >= 6 + len(small_data.parks)  # six county polygons and one circle per park
    assert counties >= 6
    assert "≥ 100%" in legend_text
