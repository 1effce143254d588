from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # runs the whole benchmark in a subprocess

ROOT = Path(__file__).resolve().parents[2]
KEYS = (
    "county_assign_s",
    "sjoin_baseline_s",
    "park_assign_s",
    "h3_aggregate_s",
    "clusters_s",
    "progress_s",
    "import_250k_s",
    "n_1m_total_s",
    "n_1m_peak_mb",
)


def test_bench_runs_end_to_end_and_prints_one_json_object() -> None:
    command = [sys.executable, "-m", "bench", "--json", "--n", "3000", "--runs", "1", "--n-large", "4000", "--import-runs", "1"]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=240, check=False)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    for key in KEYS:
        assert key in result, key
    for key in ("county_assign_s", "sjoin_baseline_s", "park_assign_s", "h3_aggregate_s", "clusters_s", "progress_s", "n_1m_total_s"):
        assert isinstance(result[key], float) and result[key] > 0, key
    assert result["n"] == 3000
    assert result["n_large"] == 4000
    assert result["n_1m_peak_mb"] > 0
    assert result["import_250k_s"] is None or result["import_250k_s"] > 0
    assert "import_note" in result


def test_bench_prints_a_table_without_json() -> None:
    command = [sys.executable, "-m", "bench", "--n", "1000", "--runs", "1", "--n-large", "1000", "--import-runs", "1"]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=240, check=False)
    assert done.returncode == 0, done.stderr
    assert "county_assign_s" in done.stdout
    assert "Targets:" in done.stdout
