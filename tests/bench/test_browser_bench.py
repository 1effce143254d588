"""The browser benchmark end to end on a tiny sample: it runs, prints one JSON object, nothing leaves the machine.

No timing assertions: the figures depend on the machine.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench.browser_explore import LOCAL_LEAFLET_CSS, LOCAL_LEAFLET_JS, localize_html

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
POSITIVE_KEYS = (
    "floor_first_map_s",
    "static_first_map_s",
    "header_s",
    "first_map_ratio_app_vs_floor",
    "page_complete_s",
    "first_map_s",
    "asof_redraw_s",
    "density_on_s",
    "asof_redraw_density_s",
    "map_payload_bytes",
    "map_payload_density_bytes",
    "map_assets_bytes",
    "explore_build_s",
    "explore_payload_bytes",
    "explore_first_map_s",
    "explore_small_build_s",
    "explore_small_payload_bytes",
    "explore_small_first_map_s",
)

CDN_HEAD = """<!DOCTYPE html><html><head>
<script src="https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"></script>
<script src="https://code.jquery.com/jquery-3.7.1.min.js"></script>
<link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css"/>
<link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/css/bootstrap.min.css"/>
</head><body><script>var x = 1;</script></body></html>"""


def test_localize_html_points_leaflet_at_the_local_copy_and_drops_other_cdn_links() -> None:
    html, dropped = localize_html(CDN_HEAD)
    assert f'<script src="{LOCAL_LEAFLET_JS}"></script>' in html
    assert f'<link rel="stylesheet" href="{LOCAL_LEAFLET_CSS}"/>' in html
    assert "https://" not in html
    assert len(dropped) == 2
    assert "<script>var x = 1;</script>" in html


def test_localize_html_refuses_a_page_without_cdn_leaflet() -> None:
    with pytest.raises(ValueError, match="one Leaflet script"):
        localize_html("<html><head></head><body></body></html>")


@pytest.mark.browser
@pytest.mark.slow
def test_browser_bench_runs_end_to_end_and_prints_one_json_object() -> None:
    if not CHROMIUM.exists():
        pytest.fail("Debian chromium is not installed: run `make test` (it installs it) or `apt-get install chromium`.")
    command = [sys.executable, "-m", "bench.browser", "--json", "--parks", "40", "--enterprises", "3000", "--runs", "1"]
    command += ["--explore-small", "1000", "--explore-timeout", "60"]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=180, check=False)
    assert done.returncode == 0, done.stderr[-4000:]
    result = json.loads(done.stdout)
    for key in POSITIVE_KEYS:
        value = result.get(key)
        assert isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0, (key, value)
    assert result["runs"] == 1 and result["parks"] == 40 and result["enterprises"] == 3000
    assert result["explore_n"] == 3000 and result["explore_small_n"] == 1000
    assert result["machine"]["cpu_count"] >= 1
    assert result["external_requests"] == []
    assert isinstance(result["notes"], list) and result["notes"]
    assert set(result["samples"]) >= {"first_map_s", "asof_redraw_s", "asof_redraw_density_s"}
