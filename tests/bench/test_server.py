"""The many-users benchmark's pieces with tiny numbers, so that ``python -m bench.server`` does not rot.

No timing assertions: the figures depend on the machine. The writers and the probe run against a
test database; the end-to-end run (a cluster, two app processes, two websocket users) is marked slow.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import psycopg
import pytest
from shapely.geometry import Point

from bench.server import make_accounts, parse_args, period_code
from bench.server_clients import UserResult
from bench.server_probe import Peaks, Probe, memory_mb, process_tree
from bench.server_province import repeated_enterprises
from bench.server_report import print_table, quantile, summarise
from bench.server_writers import Expected, WriterReport, check_submissions, run_writers
from geo.reporting.periods import Period
from geo.store import open_store
from geo.store.cluster import Cluster
from geo.store.postgis import close_pool, migrations
from tests.geo.reporting.registers import register
from tests.geo.store.test_store import fresh_sha
from tests.pg import PgDatabase

ROOT = Path(__file__).resolve().parents[2]
TWO = ["330602", "330603"]


def test_quantiles_periods_and_the_command_line() -> None:
    assert quantile([], 0.5) is None
    assert quantile([3.0, 1.0, 2.0], 0.5) == 2.0
    assert quantile([1.0, 2.0, 3.0, 4.0, 5.0], 0.95) == pytest.approx(4.8)
    assert [period_code(i) for i in range(3)] == ["2024Q3", "2024Q4", "2025Q1"]
    args = parse_args(["--users", "2,3", "--think", "0,0.5", "--province", "0"])
    assert args.users == [2, 3] and args.think == (0.0, 0.5) and args.province == 0 and args.clients == "ws"
    assert parse_args(["--clients", "browser"]).clients == "browser"
    with pytest.raises(SystemExit):
        parse_args(["--users", "0"])


def test_a_round_is_summarised_with_medians_errors_and_losses(capsys: pytest.CaptureFixture[str]) -> None:
    ok = UserResult("a", 0, open_s=1.0, first_map_s=2.0, redraws=[("county", 0.5), ("measure", 0.7)], done=True)
    failed = UserResult("b", 1, open_s=1.5, errors=["sign-in: TimeoutError"])
    writers = WriterReport(expected=[Expected("330602", "2024Q3", ("x",), (1,))], submit_s=[0.2], approve_s=[0.1], wall_s=1.0)
    summary = summarise(n=2, period="2024Q3", results=[ok, failed], writers=writers, lost=0, problems=[], log_errors=["app 0: Traceback"],
                        peaks=Peaks(app_rss_mb=100.0, connections=3), wall_s=9.0, load=((1.0, 1.0, 1.0), (2.0, 1.0, 1.0)))  # fmt: skip
    assert summary["users_finished"] == 1 and summary["errors"] == 2
    assert summary["first_map_s"]["n"] == 1 and summary["redraw_s"]["median"] == pytest.approx(0.6)
    assert summary["redraw_by_step_s"]["county"]["n"] == 1 and summary["connections_peak"] == 3
    print_table({"date": "2024-07-01", "machine": {"cpu_count": 2, "memory_gb": 1.0, "load_average_at_start": [1.0]},
                 "settings": {"apps": 2, "pool_max": 5}, "setup": {}, "rounds": [summary], "province": {"save_s": 1.0}})  # fmt: skip
    shown = capsys.readouterr().out
    assert "N = 2" in shown and "TimeoutError" in shown and "save_s" in shown and "headless Chromium" in shown  # no clients named: browser


def test_repeated_enterprises_keep_ids_unique() -> None:
    firms = gpd.GeoDataFrame({"enterprise_id": ["a", "b"], "source_row": [2, 3]}, geometry=[Point(120.5, 30.0)] * 2, crs="EPSG:4326")
    big = repeated_enterprises(firms, 5)
    assert len(big) == 5 and big["enterprise_id"].is_unique and list(big["source_row"]) == [2, 3, 4, 5, 6] and big.crs == firms.crs


def test_memory_of_this_process_is_read_from_proc() -> None:
    assert process_tree(os.getpid())[0] == os.getpid()
    rss, pss = memory_mb([os.getpid(), 2**22 + 7])  # a pid that does not exist counts 0
    assert rss > 10 and 0 < pss <= rss


@pytest.fixture
def url(pg_database: PgDatabase) -> Iterator[str]:
    migrations.upgrade(pg_database.owner_url)
    yield pg_database.app_url
    close_pool(pg_database.app_url)


@pytest.mark.slow
def test_two_counties_submit_at_once_the_city_approves_and_nothing_is_lost(url: str) -> None:
    store = open_store(url)
    for code in TWO:
        parks = register([{"name": f"{code}园{i}", "county": code, "park_id": f"{code}-{i}", "dlat": 3 * i} for i in range(3)])
        store.submit(parks, period=Period(2024, 2), counties=[code], source_name=f"{code}.xlsx", source_sha256=fresh_sha(),
                     submitted_by="system", approve_now=True)  # fmt: skip
    city, counties, viewers = make_accounts(url, counties=TWO, viewers=2)
    assert len(viewers) == 2 and [a.county for a in counties] == TWO
    report = run_writers(url, counties=counties, city=city, period_code="2024Q3", region_counties=TWO)
    assert report.errors == [] and len(report.expected) == 2 and len(report.approve_s) == 2
    assert check_submissions(url, report.expected, counties=counties) == (0, [])
    in_force = store.in_force()
    assert {code: s.period.code for code, s in in_force.items()} == dict.fromkeys(TWO, "2024Q3")
    # a submission the writers claim but the store does not hold is counted as lost, and so is a county that never submitted
    yuecheng = next(e for e in report.expected if e.county == "330602")
    lost, problems = check_submissions(url, [yuecheng, Expected("330603", "2025Q1", ("x",), (1,))], counties=counties)
    assert lost == 1 and "0 submissions" in problems[0]
    assert check_submissions(url, [yuecheng], counties=counties) == (1, ["330603: no submission was made"])


@pytest.mark.slow
def test_the_probe_sees_the_postgres_processes_and_the_connections(pg_cluster: Cluster, pg_database: PgDatabase) -> None:
    probe = Probe(app_ports=[], pgdata=pg_cluster.pgdata, superuser_url=pg_database.superuser_url, database=pg_database.name)
    with psycopg.connect(pg_database.app_url) as held, psycopg.connect(pg_database.superuser_url, autocommit=True) as conn:
        held.execute("SELECT 1")
        probe.sample(conn)
    assert probe.peaks.postgres_rss_mb > 1 and probe.peaks.connections >= 1
    assert probe.peaks.connections_by_role.get("parkmap_app", 0) >= 1


@pytest.mark.slow
@pytest.mark.browser  # the users are websocket clients (the default); the province step's visit is a browser's
def test_the_benchmark_runs_end_to_end_with_two_users(small_sample_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "bench_server.json"
    command = [sys.executable, "-m", "bench.server", "--users", "2", "--apps", "2", "--ramp", "0", "--think", "0,0.2",
               "--province", "3000", "--sample-dir", str(small_sample_dir), "--out", str(out), "--json"]  # fmt: skip
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=1800, check=False)
    assert out.exists(), done.stderr[-3000:]
    result = json.loads(out.read_text(encoding="utf-8"))
    (round_,) = result["rounds"]
    assert round_["submissions"] == 6 and round_["submissions_lost"] == 0, round_["submission_problems"]
    assert round_["errors"] == 0, round_["error_list"]
    assert result["settings"]["clients"] == "ws" and round_["received_mb"] > 0
    assert round_["first_map_s"]["n"] == 2 and round_["redraw_s"]["n"] == 8
    assert round_["connections_peak"] >= 1 and round_["memory_peak_mb"]["app_rss_mb"] > 0
    assert result["province"]["enterprises"] == 3000 and result["province"]["save_s"] >= 0
    assert done.returncode == 0
