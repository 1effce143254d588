"""Benchmark the analytics chain at city scale: ``python -m bench [--json] [--n 250000] [--runs 5]``.

Data are generated in memory (seeded, :mod:`bench.synthetic`): ``--n``
enterprises inside the six counties, concentrated in blobs, and 150 parks.
Each figure is the median over ``--runs`` runs, in seconds:

* ``county_assign_s``  enterprises to counties (:func:`geo.analysis.assign.county_codes`);
* ``sjoin_baseline_s`` plain ``geopandas.sjoin`` of the same points and counties, same run;
* ``park_assign_s``    enterprises to parks (:func:`geo.analysis.assign.park_matches`, 500 m);
* ``h3_aggregate_s``   map hexagons at zoom 12 (:func:`geo.analysis.hexbins.hexbin_counts`);
* ``clusters_s``       :func:`geo.analysis.clusters.enterprise_clusters`;
* ``gaps_s``           :func:`geo.analysis.gaps.coverage_gaps`;
* ``progress_s``       :func:`geo.analysis.progress.progress_series`, 12 quarters, all counties;
* ``chain_s``          all of the above (except the sjoin baseline) end to end;
* ``import_250k_s``    :func:`geo.ingest.enterprises.import_enterprises` on a CSV of ``--n`` rows, if it exists;
* ``n_1m_total_s``, ``n_1m_peak_mb``  the chain at ``--n-large`` (default 1,000,000)
  enterprises in a fresh subprocess; peak is that process's maximum RSS,
  data generation included.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from bench.synthetic import synthetic_enterprises, synthetic_parks
from geo.analysis.assign import assign_enterprises, county_codes, park_matches
from geo.analysis.clusters import enterprise_clusters
from geo.analysis.gaps import coverage_gaps
from geo.analysis.hexbins import hexbin_counts
from geo.analysis.progress import progress_series
from geo.region.boundaries import load_counties
from geo.region.targets import load_city_targets, load_county_quotas

STEP_KEYS = ("county_assign_s", "sjoin_baseline_s", "park_assign_s", "h3_aggregate_s", "clusters_s", "gaps_s", "progress_s", "chain_s")
MAP_ZOOM = 12


def _seconds(func: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = func()
    return time.perf_counter() - start, result


def whole_chain(firms: gpd.GeoDataFrame, parks: gpd.GeoDataFrame, counties: gpd.GeoDataFrame) -> dict[str, Any]:
    """Run what the app runs on a new enterprise list; return the outputs."""
    assigned = assign_enterprises(firms, counties=counties, parks=parks)
    return {
        "hexbins": hexbin_counts(assigned, zoom=MAP_ZOOM),
        "clusters": enterprise_clusters(assigned),
        "gaps": coverage_gaps(assigned, parks),
        "progress": progress_series(parks, targets=load_city_targets(), quotas=load_county_quotas()),
    }


def run_once(firms: gpd.GeoDataFrame, parks: gpd.GeoDataFrame, counties: gpd.GeoDataFrame) -> dict[str, float]:
    """Time every step once on the same data."""
    targets, quotas = load_city_targets(), load_county_quotas()
    times: dict[str, float] = {}
    times["county_assign_s"], _ = _seconds(lambda: county_codes(firms, counties))
    times["sjoin_baseline_s"], _ = _seconds(
        lambda: gpd.sjoin(firms[["geometry"]], counties[["adcode", "geometry"]], how="left", predicate="within")
    )
    times["park_assign_s"], _ = _seconds(lambda: park_matches(firms, parks))
    assigned = assign_enterprises(firms, counties=counties, parks=parks)
    times["h3_aggregate_s"], _ = _seconds(lambda: hexbin_counts(assigned, zoom=MAP_ZOOM))
    times["clusters_s"], _ = _seconds(lambda: enterprise_clusters(assigned))
    times["gaps_s"], _ = _seconds(lambda: coverage_gaps(assigned, parks))
    times["progress_s"], _ = _seconds(lambda: progress_series(parks, targets=targets, quotas=quotas))
    times["chain_s"], _ = _seconds(lambda: whole_chain(firms, parks, counties))
    return times


def _credit_codes(n: int) -> list[str]:
    """Unique, well-formed 统一社会信用代码 (GB 32100 check character) for synthetic rows."""
    alphabet = np.array(list("0123456789ABCDEFGHJKLMNPQRTUWXY"))
    weights = np.array([1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28])
    digits = np.zeros((n, 17), dtype=np.int64)
    digits[:, :8] = [9, 1, 3, 3, 0, 6, 0, 2]
    serial = np.arange(n)
    for position in range(16, 7, -1):
        digits[:, position] = serial % 31
        serial //= 31
    check = (31 - (digits * weights).sum(axis=1) % 31) % 31
    chars = alphabet[np.column_stack([digits, check])]
    return ["".join(row) for row in chars.tolist()]


def write_enterprise_csv(firms: gpd.GeoDataFrame, counties: gpd.GeoDataFrame, path: Path) -> None:
    """Write the synthetic firms as a register CSV with the usual Chinese headers."""
    names = dict(zip(counties["adcode"], counties["name"], strict=True))
    table = pd.DataFrame(
        {
            "统一社会信用代码": _credit_codes(len(firms)),
            "企业名称": [f"合成企业{i}" for i in range(len(firms))],
            "所在区县": firms["county_adcode"].map(names),
            "经度": firms.geometry.x.round(6),
            "纬度": firms.geometry.y.round(6),
            "行业": firms["industry"],
            "企业规模": firms["size_class"].map({"small": "小型", "micro": "微型"}),
            "成立日期": firms["registration_date"].dt.strftime("%Y-%m-%d"),
            "是否科技型": np.where(firms["tech_type"], "是", "否"),
        }
    )
    table.to_csv(path, index=False, encoding="utf-8")


def import_timing(firms: gpd.GeoDataFrame, counties: gpd.GeoDataFrame, *, runs: int) -> tuple[float | None, str]:
    """Return the median time to import the firms as a CSV through geo.ingest.enterprises, with a note."""
    try:
        from geo.ingest.enterprises import import_enterprises
    except ImportError as exc:
        return None, f"geo.ingest.enterprises has no import function yet ({exc})"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "enterprises.csv"
        write_enterprise_csv(firms, counties, path)
        times, report = [], None
        for _ in range(runs):
            seconds, report = _seconds(lambda: import_enterprises(path, counties=counties))
            times.append(seconds)
    accepted = getattr(report, "accepted", "?")
    return statistics.median(times), f"{len(firms)} CSV rows, {accepted} accepted, median of {runs}"


def large_run(n: int, *, seed: int) -> dict[str, Any]:
    """Run the chain once on ``n`` enterprises in a fresh Python process; return its time and peak RSS."""
    command = [sys.executable, "-m", "bench", "--chain-only", "--n", str(n), "--seed", str(seed)]
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=Path(__file__).resolve().parent.parent)
    if done.returncode != 0:
        return {"total_s": None, "peak_mb": None, "note": f"failed: {done.stderr.strip()[-300:]}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def chain_only(n: int, *, seed: int) -> dict[str, Any]:
    counties = load_counties()
    generate_s, (parks, firms) = _seconds(lambda: _data(counties, n=n, seed=seed))
    total_s, _ = _seconds(lambda: whole_chain(firms, parks, counties))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes
    return {"total_s": total_s, "peak_mb": peak_mb, "generate_s": generate_s, "n": n}


def _data(counties: gpd.GeoDataFrame, *, n: int, seed: int) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    parks = synthetic_parks(counties, seed=seed)
    return parks, synthetic_enterprises(counties, parks, n=n, seed=seed + 1)


def measure(*, n: int, runs: int, seed: int, n_large: int, import_runs: int) -> dict[str, Any]:
    """Return every benchmark figure as one flat dictionary."""
    counties = load_counties()
    parks, firms = _data(counties, n=n, seed=seed)
    per_run = [run_once(firms, parks, counties) for _ in range(runs)]
    result: dict[str, Any] = {"n": n, "runs": runs, "parks": len(parks), "data": "synthetic (bench.synthetic), seeded"}
    result.update({key: statistics.median(r[key] for r in per_run) for key in STEP_KEYS})
    result["county_vs_sjoin_ratio"] = result["county_assign_s"] / result["sjoin_baseline_s"]
    result["import_250k_s"], result["import_note"] = import_timing(firms, counties, runs=import_runs)
    large = large_run(n_large, seed=seed)
    result["n_large"] = n_large
    result["n_1m_total_s"] = large.get("total_s")
    result["n_1m_peak_mb"] = large.get("peak_mb")
    result["n_1m_generate_s"] = large.get("generate_s")
    if "note" in large:
        result["n_1m_note"] = large["note"]
    return result


def print_table(result: dict[str, Any]) -> None:
    print(f"Synthetic city-scale benchmark: {result['n']:,} enterprises, {result['parks']} parks, median of {result['runs']} runs")
    for key, value in result.items():
        if key in ("n", "runs", "parks", "data"):
            continue
        shown = f"{value:10.3f}" if isinstance(value, float) else f"{value!s:>10}"
        print(f"  {key:<24}{shown}")
    print("Targets: chain at 250k < 3 s; chain at 1M < 20 s and < 4,096 MB; county_assign_s <= sjoin_baseline_s.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--n", type=int, default=250_000, help="enterprises (default 250,000)")
    parser.add_argument("--runs", type=int, default=5, help="runs per figure; medians are reported (default 5)")
    parser.add_argument("--seed", type=int, default=20210101)
    parser.add_argument("--n-large", type=int, default=1_000_000, help="enterprises for the n_1m figures (default 1,000,000)")
    parser.add_argument("--import-runs", type=int, default=3, help="runs of the CSV import (default 3)")
    parser.add_argument("--chain-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.chain_only:
        print(json.dumps(chain_only(args.n, seed=args.seed)))
        return 0
    result = measure(n=args.n, runs=args.runs, seed=args.seed, n_large=args.n_large, import_runs=args.import_runs)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print_table(result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
