"""Province scale, measured where it can be: a multi-million-row enterprise list in PostGIS and the dashboard on it.

Zhejiang has 11 cities, about 1,200 parks and a few million enterprises. The
parks are small (1,200 rows are nothing to PostGIS or to the map); the
enterprises are what grows. This step makes an ``n``-row list from the city
sample's 250,000 synthetic firms (repeated, ids made unique, the same
places: so every county holds ``n / 250,000`` times the firms), saves it with
the store's own ``save_snapshot`` (COPY, one transaction), reads it back as
the app does (``current("enterprises")``, in a fresh process whose peak RSS
is taken), and opens the dashboard on it once with empty caches and once
warm (one app process, one browser user). The city region and its map stay
as they are: this measures the data volume of a province, not a province
map.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import math
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import psycopg

from bench.appserver import ROOT, app_server
from bench.server_clients import User, run_users
from bench.server_probe import app_pids, memory_mb

READ_SCRIPT = """
import json, resource, sys, time
from geo.store import open_store
start = time.perf_counter()
frame = open_store(sys.argv[1]).current("enterprises")
print(json.dumps({"rows": len(frame), "read_s": time.perf_counter() - start,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6}))
"""


def repeated_enterprises(firms: pd.DataFrame, n: int) -> pd.DataFrame:
    """Return ``n`` rows made of ``firms`` repeated, each copy's ``enterprise_id`` suffixed so ids stay unique.

    Parameters
    ----------
    firms
        An enterprise list (GeoDataFrame, WGS-84).
    n
        Rows wanted.

    Returns
    -------
    GeoDataFrame
        ``n`` rows, the same CRS, ``source_row`` numbered 2.. as a file's rows are.
    """
    copies = []
    for k in range(math.ceil(n / len(firms))):
        part = firms.copy()
        part["enterprise_id"] = part["enterprise_id"].astype(str) + (f"-{k:02d}" if k else "")
        copies.append(part)
    out = pd.concat(copies, ignore_index=True).iloc[:n].copy()
    out["source_row"] = range(2, len(out) + 2)
    return out


def _read_in_fresh_process(url: str) -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-c", READ_SCRIPT, url], cwd=ROOT, capture_output=True, text=True, check=True)
    found: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


def measure_province(url: str, *, n: int, folder: Path, timeout_ms: float, viewer: str, password: str) -> dict[str, Any]:
    """Save an ``n``-firm list into the store, read it back, open the dashboard on it; return the figures.

    Parameters
    ----------
    url
        The app's PostGIS URL (the store holds the city sample).
    n
        Enterprises to save.
    folder
        Where the app's log goes.
    timeout_ms
        How long one browser step may take.
    viewer, password
        A viewer account for the visits.

    Returns
    -------
    dict
        Seconds and MB: save, read back (and its peak RSS), database size, the visits' times, the app's RSS after them.
    """
    from geo.store import open_store

    store = open_store(url)
    out: dict[str, Any] = {"enterprises": n}
    sample = _read_in_fresh_process(url)
    out["read_250k_s"], out["read_250k_peak_rss_mb"] = round(sample["read_s"], 1), round(sample["peak_rss_mb"])
    firms = store.current("enterprises")
    big = repeated_enterprises(firms, n)
    del firms
    sha = hashlib.sha256(f"bench.server province {n} {time.time()}".encode()).hexdigest()
    start = time.perf_counter()
    store.save_snapshot(big, kind="enterprises", reporting_date=date(2024, 9, 30), source_name=f"province_{n}_bench.csv",
                        source_sha256=sha, loaded_by="bench.server", note="bench.server: the city sample's firms repeated")  # fmt: skip
    out["save_s"] = round(time.perf_counter() - start, 1)
    del big
    read = _read_in_fresh_process(url)
    out["read_s"], out["read_peak_rss_mb"] = round(read["read_s"], 1), round(read["peak_rss_mb"])
    with psycopg.connect(url) as conn:  # the sizes the database reports
        row = conn.execute("SELECT pg_database_size(current_database()), pg_total_relation_size('parkmap.enterprises')").fetchone()
    out["database_mb"], out["enterprises_table_mb"] = (None, None) if row is None else (round(row[0] / 1e6), round(row[1] / 1e6))
    from bench.server import APP_ENV

    env = {"PARKMAP_SIGNIN": "local", **APP_ENV}
    with app_server(url, log_path=folder / "bench_server_province_app.log", extra_env=env, quotas=folder / "county_quotas.csv") as app:
        port = int(app.rsplit(":", 1)[1])
        for label in ("cold", "warm"):
            (visit,) = asyncio.run(
                run_users([User(viewer, password, app, 0, 7)], ramp_s=0, think_s=(0.5, 0.5), timeout_ms=timeout_ms, failures=folder)
            )
            out[f"first_map_{label}_s"] = None if visit.first_map_s is None else round(visit.first_map_s, 1)
            out[f"redraw_{label}_median_s"] = (
                round(sorted(s for _, s in visit.redraws)[len(visit.redraws) // 2], 2) if visit.redraws else None
            )
            out[f"errors_{label}"] = visit.errors[:5]
        out["app_rss_after_mb"], out["app_pss_after_mb"] = (round(v) for v in memory_mb(app_pids(port)))
    return out
