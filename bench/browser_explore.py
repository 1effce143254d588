"""The baseline for :mod:`bench.browser`: what a user would otherwise do, ``GeoDataFrame.explore()``.

Run as a subprocess (so a build that runs out of time or memory can be
killed): ``python -m bench.browser_explore --store S --n N --out map.html``
reads the current parks and the first ``N`` enterprises of a seeded shuffle
from the store at ``S``, builds ``parks.explore()`` with the enterprises added
by ``firms.explore(m=...)``, both with geopandas' defaults (every column in
the tooltip) except ``tiles=None`` (the app's default basemap is none too), saves the folium map and prints one JSON object:
``{"n": ..., "build_s": ..., "bytes": ...}``. ``build_s`` covers explore()
and ``save()``, not reading the store.

:func:`localize_html` makes the saved page work without internet: explore()
loads Leaflet and its extras from CDNs; the Leaflet script and stylesheet are
pointed at a local copy and every other CDN ``<script>``/``<link>`` is dropped.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import re
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

LOCAL_LEAFLET_JS = "/vendor/leaflet/leaflet.js"
LOCAL_LEAFLET_CSS = "/vendor/leaflet/leaflet.css"
ROOT = Path(__file__).resolve().parent.parent
VENDOR_LEAFLET = ROOT / "static" / "vendor" / "leaflet"
HEAD_CHARS = 50_000  # the CDN links are all in the page head
_SCRIPT_SRC = re.compile(r'<script\s+src="(https?:)?//[^"]*"\s*>\s*</script>\s*')
_LINK_HREF = re.compile(r'<link\s+rel="stylesheet"\s+href="(https?:)?//[^"]*"\s*/?>\s*')
_LEAFLET_JS = re.compile(r'<script\s+src="(https?:)?//[^"]*/leaflet(?:@[\d.]+)?/dist/leaflet\.js"\s*>\s*</script>')
_LEAFLET_CSS = re.compile(r'<link\s+rel="stylesheet"\s+href="(https?:)?//[^"]*/leaflet(?:@[\d.]+)?/dist/leaflet\.css"\s*/?>')


def localize_html(html: str) -> tuple[str, list[str]]:
    """Return the page with Leaflet from ``/vendor/leaflet/`` and no other CDN links, and the links dropped."""
    head, rest = html[:HEAD_CHARS], html[HEAD_CHARS:]
    head, n_js = _LEAFLET_JS.subn(f'<script src="{LOCAL_LEAFLET_JS}"></script>', head)
    head, n_css = _LEAFLET_CSS.subn(f'<link rel="stylesheet" href="{LOCAL_LEAFLET_CSS}"/>', head)
    if n_js != 1 or n_css != 1:
        msg = f"expected one Leaflet script and stylesheet from a CDN in the explore() page, found {n_js} and {n_css}"
        raise ValueError(msg)
    dropped = [m.group(0).strip() for m in (*_SCRIPT_SRC.finditer(head), *_LINK_HREF.finditer(head))]
    head = _LINK_HREF.sub("", _SCRIPT_SRC.sub("", head))
    return head + rest, dropped


def build_explore_map(store_location: str, *, n: int, out: Path, seed: int = 0) -> dict[str, float | int]:
    """Build and save the explore() map of the stored parks and ``n`` stored enterprises (input CRS any, map in WGS-84)."""
    from geo.store import open_store

    store = open_store(store_location)
    parks, firms = store.current("parks"), store.current("enterprises")
    if parks is None or firms is None:
        msg = f"the store at {store_location} holds no parks or no enterprises: load the sample first"
        raise ValueError(msg)
    if n < len(firms):
        firms = firms.sample(n=n, random_state=seed)
    parks.attrs, firms.attrs = {}, {}
    start = time.perf_counter()
    m = parks.explore(color="red", tiles=None)  # no basemap, like the app's default: nothing to fetch
    firms.explore(m=m)
    m.save(str(out))
    build_s = time.perf_counter() - start
    return {"n": len(firms), "parks": len(parks), "build_s": build_s, "bytes": out.stat().st_size, "peak_mb": _peak_mb()}


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build_in_subprocess(store: Path, *, n: int, out: Path, timeout_s: float) -> dict[str, Any] | None:
    """Run :func:`build_explore_map` in a child process; None if it did not finish within ``timeout_s`` or failed."""
    command = [sys.executable, "-m", "bench.browser_explore", "--store", str(store), "--n", str(n), "--out", str(out)]
    try:
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=timeout_s, check=False)
    except subprocess.TimeoutExpired:
        return None
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit code {done.returncode}"}
    return json.loads(done.stdout)


def localize_file(source: Path, target: Path) -> list[str]:
    """Copy the explore() page to ``target`` with local Leaflet (see :func:`localize_html`); return the dropped links."""
    with source.open(encoding="utf-8") as src, target.open("w", encoding="utf-8") as dst:
        head, dropped = localize_html(src.read(HEAD_CHARS))
        dst.write(head)
        shutil.copyfileobj(src, dst, 16 * 1024 * 1024)
    return dropped


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        del format, args


class _QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        del request, client_address  # a closed tab breaks its pipes: not an error worth a traceback


@contextmanager
def static_server(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on a free 127.0.0.1 port in a thread; yield its URL; always stop it."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = _QuietServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def first_map_s(browser: Any, url: str, *, timeout_s: float, external: list[str]) -> float | None:
    """Seconds from ``goto`` to the first visible Leaflet path on ``url`` in a new context; None on timeout."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    from bench.browser import new_page

    context, page = new_page(browser, external)
    try:
        start = time.perf_counter()
        page.goto(url, wait_until="commit", timeout=timeout_s * 1000)
        page.locator("path.leaflet-interactive").first.wait_for(state="visible", timeout=timeout_s * 1000)
        return time.perf_counter() - start
    except PlaywrightTimeout:
        return None
    finally:
        context.close()


SLOW_RUN_S = 30.0  # an explore() page slower than this to show is opened once, not ``runs`` times


def explore_case(
    browser: Any, store: Path, *, n: int, runs: int, timeout_s: float, www: Path, base_url: str, external: list[str]
) -> dict[str, Any]:
    """Build, localise and open the explore() map of ``n`` enterprises; return its figures and notes."""
    raw, page = www.parent / f"explore_raw_{n}.html", www / f"explore_{n}.html"
    built = build_in_subprocess(store, n=n, out=raw, timeout_s=timeout_s)
    if built is None or "error" in built:
        why = f"failed: {built['error']}" if built else f"did not build and save within {timeout_s:.0f} s (killed)"
        return {"n": n, "build_s": None, "bytes": None, "first_map_s": None, "notes": [f"explore() of {n:,} enterprises {why}"]}
    dropped = localize_file(raw, page)
    raw.unlink()
    built["bytes"] = page.stat().st_size
    notes = [
        f"explore() of {n:,} enterprises: Leaflet JS/CSS rewritten to the local copy, {len(dropped)} other CDN links dropped; "
        f"build peak {built['peak_mb']:,.0f} MB"
    ]
    times: list[float] = []
    for _ in range(runs):
        seconds = first_map_s(browser, f"{base_url}/{page.name}", timeout_s=timeout_s, external=external)
        if seconds is None:
            notes.append(f"explore() page of {n:,} enterprises showed no map within {timeout_s:.0f} s in Chromium")
            break
        times.append(seconds)
        if seconds > SLOW_RUN_S:
            notes.append(f"explore() page of {n:,} enterprises opened once only ({seconds:.0f} s)")
            break
    page.unlink()
    median = statistics.median(times) if times else None
    return {**built, "first_map_s": median, "first_map_samples": [round(t, 3) for t in times], "notes": notes}


def measure_explore(
    browser: Any, store: Path, *, n: int, n_small: int, runs: int, timeout_s: float, folder: Path, external: list[str], notes: list[str]
) -> dict[str, Any]:
    """The explore() figures at ``n`` and ``n_small`` enterprises, keyed ``explore_*`` and ``explore_small_*``."""
    www = folder / "www"
    (www / "vendor").mkdir(parents=True, exist_ok=True)
    (www / "vendor" / "leaflet").symlink_to(VENDOR_LEAFLET, target_is_directory=True)
    out: dict[str, Any] = {}
    with static_server(www) as base_url:
        for prefix, size in (("explore_small", n_small), ("explore", n)):
            case = explore_case(browser, store, n=size, runs=runs, timeout_s=timeout_s, www=www, base_url=base_url, external=external)
            notes.extend(case.pop("notes"))
            out[f"{prefix}_n"] = case["n"]
            for key in ("build_s", "bytes", "first_map_s", "first_map_samples", "peak_mb"):
                out[f"{prefix}_{'payload_bytes' if key == 'bytes' else key}"] = case.get(key)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.browser_explore", description=__doc__.splitlines()[0])
    parser.add_argument("--store", required=True, help="GeoPackage store holding parks and enterprises")
    parser.add_argument("--n", type=int, required=True, help="number of enterprises to put on the map")
    parser.add_argument("--out", type=Path, required=True, help="HTML file to write")
    args = parser.parse_args(argv)
    print(json.dumps(build_explore_map(args.store, n=args.n, out=args.out)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
