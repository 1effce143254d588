"""The floors for :mod:`bench.browser`: what the app's first map is measured against, in the same run.

* the **bare page** (``floor_*``): a Streamlit page holding nothing but one ``st_folium`` map of the
  six counties (the app's base map, its simplified county borders in one ``folium.GeoJson``, Leaflet
  from the app's own static files). The app cannot show its map faster than Streamlit and the
  component can show any map; ``first_map_ratio_app_vs_floor`` is the app over this page.
* the **static page** (``static_*``): the same county borders in a plain HTML page with Leaflet and
  the GeoJSON inlined, served by a local HTTP server: what the browser alone needs.

The bare page runs as its own Streamlit server (from a temporary folder whose ``static`` links to the
app's, with the app's ``.streamlit/config.toml``), started once for the whole benchmark.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.appserver import ROOT, free_port, wait_healthy

MAP_FRAME = "iframe[title='streamlit_folium.st_folium']"
TIMEOUT_MS = 120_000
MAP_HEIGHT_PX = 640  # as the app's map

FLOOR_SCRIPT = '''"""A bare Streamlit page: one st_folium map of the six counties (written by bench.browser_floor)."""
import folium
import streamlit as st
from streamlit_folium import st_folium

from geo.region.boundaries import load_counties, simplify_counties
from layers.base import base_map

st.set_page_config(page_title="floor", layout="wide")


@st.cache_data(show_spinner=False)
def counties_geojson() -> tuple[str, tuple[float, ...]]:
    counties = simplify_counties(load_counties(), tolerance_m=30.0)[["adcode", "name", "geometry"]]
    return counties.to_json(), tuple(float(v) for v in counties.total_bounds)


data, bounds = counties_geojson()
m = base_map(bounds=bounds, basemap="none")
folium.GeoJson(data, name="counties").add_to(m)
st_folium(m, key="map", height=MAP_HEIGHT_PX, use_container_width=True, returned_objects=[])
'''.replace("MAP_HEIGHT_PX", str(MAP_HEIGHT_PX))

STATIC_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>static</title>
<link rel="stylesheet" href="vendor/leaflet/leaflet.css"/>
<script src="vendor/leaflet/leaflet.js"></script>
<style>html, body {margin: 0;} #map {height: %dpx;}</style>
</head><body><div id="map"></div><script>
var data = %s;
var map = L.map('map', {zoomSnap: 0.25});
var layer = L.geoJSON(data).addTo(map);
map.fitBounds(layer.getBounds());
</script></body></html>
"""


def counties_geojson() -> str:
    """The six counties as the bare page draws them (WGS-84, simplified as the app's display borders)."""
    from geo.region.boundaries import load_counties, simplify_counties

    return str(simplify_counties(load_counties(), tolerance_m=30.0)[["adcode", "name", "geometry"]].to_json())


def write_static_page(folder: Path) -> Path:
    """Write the static Leaflet page (and a link to the local Leaflet) into ``folder``; return the page."""
    (folder / "vendor").mkdir(parents=True, exist_ok=True)
    leaflet = folder / "vendor" / "leaflet"
    if not leaflet.exists():
        leaflet.symlink_to(ROOT / "static" / "vendor" / "leaflet", target_is_directory=True)
    page = folder / "static_map.html"
    page.write_text(STATIC_PAGE % (MAP_HEIGHT_PX, json.dumps(json.loads(counties_geojson()))), encoding="utf-8")
    return page


@contextmanager
def floor_server(folder: Path, *, log_path: Path) -> Iterator[str]:
    """Run the bare page on a free 127.0.0.1 port; yield its URL once healthy; always stop it."""
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "floor_app.py"
    script.write_text(FLOOR_SCRIPT, encoding="utf-8")
    if not (folder / "static").exists():
        (folder / "static").symlink_to(ROOT / "static", target_is_directory=True)  # Streamlit serves <script dir>/static
    port = free_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)}
    command = [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port), "--server.address", "127.0.0.1"]
    with log_path.open("w") as log:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)  # cwd: the app's config.toml
        try:
            url = f"http://127.0.0.1:{port}"
            wait_healthy(url, proc)
            yield url
        finally:
            if sys.exc_info()[0] is not None:
                log.flush()
                print(f"floor server log (tail):\n{log_path.read_text(errors='replace')[-4000:]}", file=sys.stderr)
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def floor_run(browser: Any, url: str, external: list[str]) -> dict[str, float]:
    """One visit to the bare page in a new context: ``floor_first_map_s`` and the map's websocket bytes."""
    from bench.browser import Traffic, new_page

    context, page = new_page(browser, external)
    traffic = Traffic()
    traffic.attach(context, page)
    try:
        start = time.perf_counter()
        page.goto(url, wait_until="commit")
        page.frame_locator(MAP_FRAME).first.locator("path.leaflet-interactive").first.wait_for(state="visible", timeout=TIMEOUT_MS)
        seconds = time.perf_counter() - start
        page.wait_for_timeout(300)
        return {"floor_first_map_s": seconds, "floor_payload_bytes": traffic.map_bytes()}
    finally:
        context.close()


def static_run(browser: Any, url: str, external: list[str]) -> dict[str, float]:
    """One visit to the static Leaflet page in a new context: ``static_first_map_s``."""
    from bench.browser import new_page

    context, page = new_page(browser, external)
    try:
        start = time.perf_counter()
        page.goto(url, wait_until="commit")
        page.locator("path.leaflet-interactive").first.wait_for(state="visible", timeout=TIMEOUT_MS)
        return {"static_first_map_s": time.perf_counter() - start}
    finally:
        context.close()
