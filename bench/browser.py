"""Benchmark the map in a real browser: ``python -m bench.browser [--json] [--runs 5] [--store S] [--no-explore]``.

The app runs as a subprocess on a loopback port with its own temporary store
holding the synthetic sample (``--parks`` parks, ``--enterprises``
enterprises; by default the city scale, 150 and 250,000). Headless Debian
Chromium (Playwright) opens it in a new browser context per run, after one
warm-up visit that fills the server's caches (the density layer included).
Times are medians over ``--runs`` runs, in seconds; bytes are medians too. Each run visits, in
turn and each in a new context, the two floors of :mod:`bench.browser_floor` and the app:

* ``floor_first_map_s``       the bare Streamlit page with one ``st_folium`` map of the six counties
  (``page.goto`` to its first visible path); ``floor_payload_bytes`` its map's websocket bytes;
* ``static_first_map_s``      the same counties in a static Leaflet page from a local HTTP server;
* ``first_map_ratio_app_vs_floor``  ``first_map_s`` over ``floor_first_map_s`` (medians of the same
  run; ``first_map_ratio_samples`` the ratio run by run), target <= 1.5;
* ``header_s``                ``page.goto`` to the header's first visible number (``stMetricValue``);
* ``page_complete_s``         ``page.goto`` to the whole page drawn (the part below the map comes in a second run);
* ``first_map_s``             ``page.goto`` to the first visible ``path.leaflet-interactive``
  inside the map iframe (a first visit: Streamlit's own bundle is fetched too);
* ``asof_redraw_s``           ArrowLeft on the focused 统计日期 slider thumb to a *new*
  Leaflet map with paths in the map iframe: the old map object is marked before
  the key press, so a redraw in the same iframe and a new iframe are both seen;
  the headline "统计日期 YYYY-MM-DD" is checked to have changed as well;
* ``density_on_s``            click on the 企业密度 checkbox to the redrawn map;
* ``asof_redraw_density_s``   as ``asof_redraw_s``, with the density layer on;
* ``*_msg_s``                 the same start to the arrival of the websocket frame carrying the
  map (the server's share and transfer; the rest is the browser's), and ``*_new_iframe``
  1 when the new map came in a new iframe (the component was remounted), else 0;
* ``density_cold_s``          ``density_on_s`` on the warm-up visit, with empty server caches;
* ``map_payload_bytes``       bytes of the websocket frames (Streamlit ForwardMsgs, read through
  CDP ``Network.webSocketFrameReceived``) that carry the ``st_folium`` component,
  i.e. the map's HTML and script, during the first render; ``map_payload_density_bytes``
  the same for the render with the density layer on;
* ``map_assets_bytes``        HTTP bytes on the wire (CDP ``encodedDataLength``) of the map
  iframe's own files (component bundle, Leaflet) on a first visit; cached afterwards;
* ``explore_*``               the same parks and enterprises through ``GeoDataFrame.explore()``
  (see :mod:`bench.browser_explore`): HTML bytes, Python time to build and save,
  and time to the first visible path when Chromium opens the page from a local
  HTTP server; also at ``--explore-small`` enterprises for scale.

Nothing may leave the machine: Chromium resolves every host but 127.0.0.1 to
nothing (``--host-resolver-rules``) and every request to another host is
recorded in ``external_requests``, which must stay empty.
"""

from __future__ import annotations

import argparse
import base64
import json
import math
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.appserver import CHROMIUM, app_server, free_port
from bench.appserver import CHROMIUM_ARGS as BASE_CHROMIUM_ARGS
from bench.browser_explore import measure_explore, static_server
from bench.browser_floor import floor_run, floor_server, static_run, write_static_page

CHROMIUM_ARGS = [*BASE_CHROMIUM_ARGS, "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]  # nothing but loopback resolves
LOCAL_PREFIXES = ("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:", "about:")
MAP_FRAME = "iframe[title='streamlit_folium.st_folium']"
# the slider thumb: an <input type=range> since Streamlit's react-aria slider, role=slider before it
SLIDER = ", ".join(f"[data-testid='stSidebar'] [data-testid='stSlider'] {thumb}" for thumb in ("input[type='range']", "[role='slider']"))
DENSITY_LABEL = "企业密度（H3 六边形）"
AS_OF_LABEL = "统计日期"
MAP_ASSET_MARKERS = ("/component/streamlit_folium", "/app/static/vendor/")
TIMEOUT_MS = 120_000
TARGETS = {
    "first_map_ratio_app_vs_floor": 1.5,
    "asof_redraw_s": 0.5,
    "asof_redraw_density_s": 1.0,
    "map_payload_bytes": 1_000_000,
    "map_payload_density_bytes": 2_000_000,
}

# The app keeps its base map and swaps one feature group of overlays (window.feature_group);
# a redraw is done when a map or an overlay group that was not there before is on the map with paths.
MARK_OLD_MAPS = """sel => { let n = 0;
  for (const f of document.querySelectorAll(sel)) {
    f.__benchOld = true; const w = f.contentWindow;
    if (w && w.map_div) { w.map_div.__benchOld = true; n++; }
    if (w && w.feature_group) { w.feature_group.forEach(g => { g.__benchOld = true; }); }
  }
  return n; }"""
NEW_MAP_DRAWN = """sel => [...document.querySelectorAll(sel)].some(f => {
  const w = f.contentWindow;
  if (!(w && w.map_div && w.document.querySelector('path.leaflet-interactive'))) { return false; }
  if (!w.map_div.__benchOld) { return true; }
  return (w.feature_group || []).some(g => !g.__benchOld && w.map_div.hasLayer(g));
})"""
NEW_MAP_IN_NEW_IFRAME = """sel => [...document.querySelectorAll(sel)].some(f => {
  const w = f.contentWindow;
  return !!(w && w.map_div && !w.map_div.__benchOld && !f.__benchOld);
})"""
BELOW_MAP_PENDING = ".st-key-below_map_pending"  # ui.dashboard: the note shown until the page below the map is drawn
HEADER_METRIC = "[data-testid='stMetricValue']"  # the header's numbers (parks, floor area...)
QUIET_S = 0.5  # no websocket frame for this long: the server has nothing more to send
MAIN_THREAD_IDLE = "() => new Promise(done => requestIdleCallback(() => done(true), {timeout: 10000}))"
APP_BUSY = "() => !!document.querySelector(\"[data-testid='stStatusWidgetRunningIcon'], [data-stale='true']\")"


def prepare_store(folder: Path, *, n_parks: int, n_enterprises: int) -> Path:
    """Write the synthetic sample into ``folder`` and load it into a new store there; return the store path."""
    from geo.demo.bootstrap import load_sample_into_store
    from geo.demo.sample import write_sample
    from geo.store import open_store

    sample_dir = folder / "sample"
    write_sample(sample_dir, n_parks=n_parks, n_enterprises=n_enterprises)
    location = folder / "parkmap.gpkg"
    saved = load_sample_into_store(open_store(location), sample_dir=sample_dir)
    if {info.kind for info in saved} != {"parks", "enterprises"}:  # the parks come as the counties' quarterly reports
        msg = f"expected parks and enterprises in the new store at {location}, got {len(saved)} snapshots"
        raise RuntimeError(msg)
    return location


@dataclass
class Traffic:
    """Websocket frames and HTTP bytes a page received, from the Chrome DevTools Protocol."""

    frames: list[tuple[int, bool, float]] = field(default_factory=list)  # (bytes, carries the map, perf_counter on arrival)
    urls: dict[str, str] = field(default_factory=dict)
    http: list[tuple[str, int]] = field(default_factory=list)  # (url, bytes on the wire)
    ws_extensions: list[str] = field(default_factory=list)

    def attach(self, context: Any, page: Any) -> None:
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable", {"maxTotalBufferSize": 200_000_000})
        cdp.on("Network.webSocketFrameReceived", self._frame)
        cdp.on("Network.requestWillBeSent", lambda e: self.urls.__setitem__(e["requestId"], e["request"]["url"]))
        cdp.on("Network.loadingFinished", lambda e: self.http.append((self.urls.get(e["requestId"], ""), int(e["encodedDataLength"]))))
        cdp.on("Network.webSocketHandshakeResponseReceived", self._handshake)

    def _frame(self, event: dict) -> None:
        response = event["response"]
        data = base64.b64decode(response["payloadData"]) if response["opcode"] == 2 else response["payloadData"].encode()
        self.frames.append((len(data), b"streamlit_folium" in data, time.perf_counter()))

    def _handshake(self, event: dict) -> None:
        headers = {k.lower(): v for k, v in event["response"].get("headers", {}).items()}
        self.ws_extensions.append(headers.get("sec-websocket-extensions", ""))

    def map_bytes(self, since: int = 0) -> int:
        return sum(n for n, is_map, _ in self.frames[since:] if is_map)

    def first_map_frame_at(self, since: int = 0) -> float:
        """When (``time.perf_counter``, as Python saw the CDP event) the first map frame after ``since`` arrived."""
        return next((at for _, is_map, at in self.frames[since:] if is_map), math.nan)

    def asset_bytes(self) -> int:
        return sum(n for url, n in self.http if any(marker in url for marker in MAP_ASSET_MARKERS))


def launch(playwright: Any) -> Any:
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def new_page(browser: Any, external: list[str]) -> tuple[Any, Any]:
    """A fresh context and page; requests to other hosts are appended to ``external``."""
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
    context.on("request", lambda r: None if r.url.startswith(LOCAL_PREFIXES) else external.append(r.url))
    return context, context.new_page()


def wait_idle(page: Any) -> None:
    """Wait until the app has finished its run (no running icon, no stale elements) twice in a row."""
    for _ in range(2):
        page.wait_for_function(f"() => !({APP_BUSY})()", timeout=TIMEOUT_MS)
        page.wait_for_timeout(300)


def wait_quiet(page: Any, traffic: Traffic) -> None:
    """Wait until no websocket frame came for :data:`QUIET_S` and the page's main thread is idle (``requestIdleCallback``).

    A timed step must start on a page at rest: the running icon can be gone while the browser still lays
    out the tables and charts of the run before, and a key press then waited up to 1 s for them.
    """
    deadline = time.perf_counter() + TIMEOUT_MS / 1000
    while (quiet := time.perf_counter() - (traffic.frames[-1][2] if traffic.frames else 0.0)) < QUIET_S:
        if time.perf_counter() > deadline:
            raise TimeoutError(f"the app kept sending websocket frames for {TIMEOUT_MS / 1000:.0f} s")
        page.wait_for_timeout((QUIET_S - quiet) * 1000 + 20)  # CDP events (frames) are dispatched meanwhile
    page.evaluate(MAIN_THREAD_IDLE)


def _headline(page: Any) -> str:
    return page.locator("strong", has_text=AS_OF_LABEL).first.inner_text()


def _timed_redraw(page: Any, traffic: Traffic, action: Callable[[], object], *, name: str) -> dict[str, float]:
    """Time ``action()`` until a new Leaflet map with paths exists in the map iframe.

    Returns ``{name}_s`` (the whole), ``{name}_msg_s`` (until the websocket frame
    carrying the new map arrived: the server's share plus transfer),
    ``{name}_new_iframe`` (1.0 when the map came in a new iframe) and
    ``{name}_map_bytes``.
    """
    if page.evaluate(MARK_OLD_MAPS, MAP_FRAME) < 1:
        msg = "no Leaflet map (window.map_div) found in the map iframe before the change"
        raise RuntimeError(msg)
    mark = len(traffic.frames)
    start = time.perf_counter()
    action()
    page.wait_for_function(NEW_MAP_DRAWN, arg=MAP_FRAME, polling="raf", timeout=TIMEOUT_MS)
    seconds = time.perf_counter() - start
    return {
        f"{name}_s": seconds,
        f"{name}_msg_s": traffic.first_map_frame_at(mark) - start,
        f"{name}_new_iframe": float(page.evaluate(NEW_MAP_IN_NEW_IFRAME, MAP_FRAME)),
        f"{name}_map_bytes": traffic.map_bytes(mark),
    }


def _step_as_of(page: Any, traffic: Traffic, *, name: str) -> dict[str, float]:
    before = _headline(page)
    page.locator(SLIDER).first.focus()
    out = _timed_redraw(page, traffic, lambda: page.keyboard.press("ArrowLeft"), name=name)
    page.wait_for_function(
        "([label, old]) => [...document.querySelectorAll('strong')].some(s => s.innerText.startsWith(label) && s.innerText !== old)",
        arg=[AS_OF_LABEL, before],
        timeout=TIMEOUT_MS,
    )
    wait_idle(page)
    wait_quiet(page, traffic)
    return out


def _step_density_on(page: Any, traffic: Traffic) -> dict[str, float]:
    label = page.locator("[data-testid='stSidebar']").get_by_text(DENSITY_LABEL, exact=True)
    out = _timed_redraw(page, traffic, label.click, name="density_on")
    wait_idle(page)
    wait_quiet(page, traffic)
    return out


def _first_map(page: Any, traffic: Traffic, url: str) -> dict[str, float]:
    start = time.perf_counter()
    page.goto(url, wait_until="commit")
    page.locator(HEADER_METRIC).first.wait_for(state="visible", timeout=TIMEOUT_MS)
    header = time.perf_counter() - start
    page.frame_locator(MAP_FRAME).first.locator("path.leaflet-interactive").first.wait_for(state="visible", timeout=TIMEOUT_MS)
    out = {"first_map_s": time.perf_counter() - start, "header_s": header, "first_map_msg_s": traffic.first_map_frame_at(0) - start}
    wait_idle(page)
    page.locator(BELOW_MAP_PENDING).wait_for(state="detached", timeout=TIMEOUT_MS)  # the page below the map, drawn after it
    wait_idle(page)
    out["page_complete_s"] = time.perf_counter() - start
    wait_quiet(page, traffic)
    out |= {"map_payload_bytes": traffic.map_bytes(), "map_assets_bytes": traffic.asset_bytes()}
    out["first_load_ws_bytes"] = sum(n for n, _, _ in traffic.frames)
    return out


def app_run(browser: Any, url: str, external: list[str]) -> dict[str, float]:
    """One visit in a new context: first map, as-of redraw, density on, as-of redraw with density."""
    context, page = new_page(browser, external)
    traffic = Traffic()
    traffic.attach(context, page)
    try:
        out = _first_map(page, traffic, url)
        out |= _step_as_of(page, traffic, name="asof_redraw")
        out |= _step_density_on(page, traffic)
        out |= _step_as_of(page, traffic, name="asof_redraw_density")
        out["map_payload_density_bytes"] = out.pop("density_on_map_bytes")
        out["ws_compressed"] = float(any("deflate" in e for e in traffic.ws_extensions))
        return out
    finally:
        context.close()


def warm_up(browser: Any, url: str, external: list[str]) -> float:
    """Visit once and switch the density layer on, so the server's caches are full; return the density cold time."""
    context, page = new_page(browser, external)
    try:
        page.goto(url, wait_until="commit")
        page.frame_locator(MAP_FRAME).first.locator("path.leaflet-interactive").first.wait_for(state="visible", timeout=TIMEOUT_MS)
        wait_idle(page)
        page.locator(BELOW_MAP_PENDING).wait_for(state="detached", timeout=TIMEOUT_MS)
        wait_idle(page)
        return _step_density_on(page, Traffic())["density_on_s"]
    finally:
        context.close()


def _median(rows: list[dict[str, float]], key: str) -> float:
    return statistics.median(row[key] for row in rows)


def measure(
    *,
    runs: int,
    port: int | None,
    n_parks: int,
    n_enterprises: int,
    explore_small: int,
    explore_timeout_s: float,
    store: Path | None = None,
    explore: bool = True,
) -> dict[str, Any]:
    """Run the whole benchmark; return one dict of figures (see the module docstring).

    The bare page, the static page and the app are visited in turn in each run (interleaved, so load
    on the machine falls on all three alike); ``store`` reuses a store holding the sample.
    """
    from playwright.sync_api import sync_playwright

    notes: list[str] = []
    external: list[str] = []
    result: dict[str, Any] = {
        "machine": {"cpu_count": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()}
    }
    result |= {"runs": runs, "parks": n_parks, "enterprises": n_enterprises}
    with tempfile.TemporaryDirectory(prefix="parkmap-bench-") as tmp:
        folder = Path(tmp)
        if store is None:
            start = time.perf_counter()
            store = prepare_store(folder, n_parks=n_parks, n_enterprises=n_enterprises)
            notes.append(f"store prepared in {time.perf_counter() - start:.1f} s (write_sample + load_sample_into_store)")
        else:
            notes.append(f"store reused: {store}")
        static_page = write_static_page(folder / "www_static")
        with (
            sync_playwright() as p,
            app_server(store, port=port or free_port(), log_path=folder / "server.log") as url,
            floor_server(folder / "floor", log_path=folder / "floor.log") as floor_url,
            static_server(static_page.parent) as static_url,
        ):
            browser = launch(p)
            try:
                result["machine"]["chromium"] = browser.version
                result["density_cold_s"] = warm_up(browser, url, external)
                floor_run(browser, floor_url, external)  # warm-up: the bare page's caches and the first session
                rows = []
                for _ in range(runs):
                    row = floor_run(browser, floor_url, external)
                    row |= static_run(browser, f"{static_url}/{static_page.name}", external)
                    row |= app_run(browser, url, external)
                    rows.append(row)
                for key in rows[0]:
                    median = _median(rows, key)
                    result[key] = None if math.isnan(median) else median
                result["samples"] = {key: [round(row[key], 3) for row in rows] for key in rows[0] if key.endswith("_s")}
                result["first_map_ratio_samples"] = [round(r["first_map_s"] / r["floor_first_map_s"], 2) for r in rows]
                if explore:
                    result |= measure_explore(
                        browser, store, n=n_enterprises, n_small=min(explore_small, n_enterprises), runs=runs,
                        timeout_s=explore_timeout_s, folder=folder, external=external, notes=notes,
                    )  # fmt: skip
            finally:
                browser.close()
    result["ws_compressed"] = bool(result.get("ws_compressed"))
    result["external_requests"] = sorted(set(external))
    _add_ratios(result)
    result["notes"] = notes + _standard_notes(result)
    return result


def _add_ratios(result: dict[str, Any]) -> None:
    pairs = {
        "first_map_ratio_app_vs_floor": ("first_map_s", "floor_first_map_s"),
        "header_ratio_app_vs_floor": ("header_s", "floor_first_map_s"),
        "first_map_ratio_app_vs_static": ("first_map_s", "static_first_map_s"),
        "payload_ratio_explore_vs_app": ("explore_payload_bytes", "map_payload_bytes"),
        "first_map_ratio_explore_vs_app": ("explore_first_map_s", "first_map_s"),
    }
    for name, (num, den) in pairs.items():
        a, b = result.get(num), result.get(den)
        result[name] = round(a / b, 2) if isinstance(a, (int, float)) and isinstance(b, (int, float)) and b > 0 else None


def _standard_notes(result: dict[str, Any]) -> list[str]:
    notes = [
        f"medians over {result['runs']} runs on {result['machine']['cpu_count']} CPUs; each run is a new browser context",
        "map payload = websocket frames carrying the st_folium component (uncompressed ForwardMsg bytes; "
        + ("permessage-deflate was negotiated" if result["ws_compressed"] else "no websocket compression negotiated")
        + "); map assets = HTTP bytes of the component bundle and Leaflet on a first visit",
        "redraw = key press or click until a new map, or a new overlay group on the kept map, is drawn with paths in the map iframe; "
        f"each change is made on a page at rest (no websocket frame for {QUIET_S} s, the main thread idle)",
        "no request left the machine"
        if not result["external_requests"]
        else "REQUESTS TO OTHER HOSTS WERE MADE (blocked): see external_requests",
    ]
    for key, target in TARGETS.items():
        value = result.get(key)
        if isinstance(value, (int, float)):
            verdict = "meets" if value <= target else "MISSES"
            notes.append(f"{key} = {value:,.{0 if key.endswith('bytes') else 3}f} {verdict} the target <= {target:,}")
    return notes


def print_table(result: dict[str, Any]) -> None:
    machine = result["machine"]
    print(f"Browser benchmark: {result['parks']} parks, {result['enterprises']:,} enterprises, median of {result['runs']} runs")
    print(f"  machine: {machine['cpu_count']} CPUs, {machine['platform']}, Chromium {machine.get('chromium', '?')}")
    for key, value in result.items():
        if key in ("machine", "samples", "first_map_ratio_samples", "notes", "external_requests", "runs", "parks", "enterprises"):
            continue
        print(f"  {key:<34}{_shown(value)}")
    print(f"  external_requests                 {len(result['external_requests'])}")
    for note in result["notes"]:
        print(f"  - {note}")


def _shown(value: object) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.3f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.browser", description="Benchmark the map in headless Chromium.")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--runs", type=int, default=5, help="runs per figure (median)")
    parser.add_argument("--port", type=int, default=None, help="app port (default: a free one)")
    parser.add_argument("--parks", type=int, default=150, help="parks in the sample")
    parser.add_argument("--enterprises", type=int, default=250_000, help="enterprises in the sample")
    parser.add_argument("--explore-small", type=int, default=25_000, help="enterprises in the smaller explore() run")
    parser.add_argument("--store", type=Path, default=None, help="reuse this store holding the sample (default: a new one)")
    parser.add_argument("--no-explore", action="store_true", help="skip the explore() comparison")
    parser.add_argument("--explore-timeout", type=float, default=120.0, help="seconds allowed to explore() build and to its first map")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    result = measure(
        runs=args.runs, port=args.port, n_parks=args.parks, n_enterprises=args.enterprises,
        explore_small=args.explore_small, explore_timeout_s=args.explore_timeout, store=args.store,
        explore=not args.no_explore,
    )  # fmt: skip
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print_table(result)
    return 0 if not result["external_requests"] else 1


if __name__ == "__main__":
    sys.exit(main())
