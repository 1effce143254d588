"""Many users at once on one PostGIS store: ``python -m bench.server [--users 10,30] [--apps 2] [--json]``.

What it does, end to end (nothing is timed in a test; the figures depend on the machine):

1. starts a throwaway PostgreSQL + PostGIS cluster (:func:`geo.store.cluster.throwaway_cluster`;
   removed at the end), creates a database, migrates it as the owner and loads the shipped
   sample (``data/sample/330600``: the parks as 85 county reports, 250,000 synthetic firms)
   through :func:`geo.demo.bootstrap.load_sample_into_store`, as ``make db`` + ``make run`` do;
2. makes the accounts in the database's account book: one city, one per county
   (``data/regions/330600/region.json``), and viewers for the simulated users;
3. starts ``--apps`` app processes (the real Streamlit app, ``PARKMAP_SIGNIN=local``,
   ``PARKMAP_DB_POOL_MAX=--pool-max``) on their own ports, all on the one database;
   user ``i`` opens app ``i mod --apps``: no proxy, the apps share nothing but PostGIS;
4. warms each app with one visit (its time is ``cold_first_map_s``: empty caches);
5. for each N of ``--users``: N users sign in, wait for the first map, change the county and the
   measure four times; ``--clients ws`` (the default) makes each user a websocket session speaking
   Streamlit's protocol (:mod:`bench.server_ws`: the machine runs the app, not N browsers),
   ``--clients browser`` a headless Chromium page (:mod:`bench.server_clients`); once half of them have
   their map, six county accounts submit a register for a new quarter at once and the city
   approves each (:mod:`bench.server_writers`, in a process of its own); afterwards every
   submission is looked for in the store (``submissions_lost``); memory and connections are
   sampled throughout (:mod:`bench.server_probe`);
6. with ``--province N`` (default 2,500,000; 0 skips), saves an N-firm list (the sample's
   firms repeated, ids made unique) with the store's own save and times reading it back and
   one visit to the dashboard on it (:mod:`bench.server_province`).

A table is printed (``--json``: one JSON object) and the JSON written to ``--out``
(default ``artifacts/bench_server.json``); the apps' logs are kept beside it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import asdict
from datetime import date
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from bench import server_clients, server_ws
from bench.appserver import ROOT, app_server
from bench.server_clients import User, UserResult
from bench.server_probe import Probe
from bench.server_report import print_table, summarise
from bench.server_writers import WriterReport, check_submissions, run_writers, warm

DATABASE = "parkmap_bench"
PASSWORD = "bench-only-password-1"  # throwaway accounts in a throwaway cluster
CITY_NAME = "bench_city"
ARTIFACTS = ROOT / "artifacts"
# as a deployment runs it: no file watcher (other people's edits in the tree must not rerun or reload the app)
APP_ENV = {"STREAMLIT_SERVER_HEADLESS": "true", "STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none", "STREAMLIT_SERVER_RUN_ON_SAVE": "false"}
FIRST_PERIOD = (2024, 3)  # the sample's reports end at 2024Q2: each N gets the next quarter


def make_accounts(url: str, *, counties: list[str], viewers: int) -> tuple[Any, list[Any], list[str]]:
    """Create the city account, one account per county and ``viewers`` viewers in the database's account book.

    Parameters
    ----------
    url
        The app's PostGIS URL.
    counties
        The counties' adcodes.
    viewers
        How many viewer accounts (``bench_viewer_000``...).

    Returns
    -------
    tuple
        (the city account, the county accounts, the viewers' names); all share :data:`PASSWORD`.
    """
    from geo.accounts import SYSTEM, Account
    from geo.accounts.passwords import hash_password
    from geo.accounts.pgbook import PostgresAccountBook

    book, hashed = PostgresAccountBook(url), hash_password(PASSWORD)
    city = Account(CITY_NAME, "city", display_name="市经信局（基准测试）")
    county_accounts = [Account(f"bench_county_{c}", "county", county=c, display_name=f"{c} 经信局（基准测试）") for c in counties]
    names = [f"bench_viewer_{i:03d}" for i in range(viewers)]
    for account in [city, *county_accounts, *(Account(n, "viewer") for n in names)]:
        book.add(account, hashed, by=SYSTEM)
    return city, county_accounts, names


def period_code(step: int) -> str:
    """Return the ``step``-th new quarter after the sample's last one (0: 2024Q3).

    Parameters
    ----------
    step
        0, 1, 2...

    Returns
    -------
    str
        A quarter code such as ``2024Q4``.
    """
    index = FIRST_PERIOD[0] * 4 + FIRST_PERIOD[1] - 1 + step
    return f"{index // 4}Q{index % 4 + 1}"


def _log_errors(path: Path, offset: int) -> tuple[list[str], int]:
    """Tracebacks and error lines the app wrote to its log after byte ``offset``; the new offset."""
    with path.open("rb") as handle:
        handle.seek(offset)
        text = handle.read().decode(errors="replace")
    bad = [line.strip()[:300] for line in text.splitlines() if line.startswith("Traceback") or " ERROR " in line or "Error:" in line]
    return bad, offset + len(text.encode())


def _start_apps(stack: contextlib.ExitStack, url: str, *, apps: int, pool_max: int, folder: Path) -> tuple[list[str], list[Path]]:
    env = {"PARKMAP_SIGNIN": "local", "PARKMAP_DB_POOL_MAX": str(pool_max), **APP_ENV}
    urls, logs = [], []
    for k in range(apps):
        log = folder / f"bench_server_app{k}.log"
        urls.append(stack.enter_context(app_server(url, log_path=log, extra_env=env, quotas=folder / "county_quotas.csv")))
        logs.append(log)
    return urls, logs


def _users(names: list[str], urls: list[str], *, seed: int) -> list[User]:
    return [User(name, PASSWORD, urls[i % len(urls)], i % len(urls), seed + i) for i, name in enumerate(names)]


def run_users(users: list[User], args: argparse.Namespace, *, ramp_s: float, think_s: tuple[float, float],
              on_half_mapped: Callable[[], None] | None = None) -> list[UserResult]:  # fmt: skip
    """Run ``users`` with the clients ``args.clients`` names (websocket sessions or Chromium pages); one result per user.

    Parameters
    ----------
    users
        The users.
    args
        The command line (``clients``, ``timeout``, ``browsers``).
    ramp_s, think_s
        Users arrive evenly over ``ramp_s`` seconds; a user pauses ``think_s`` (MIN, MAX) between steps.
    on_half_mapped
        Called once when half the users have their first map (see :func:`bench.server_clients.run_users`).

    Returns
    -------
    list of UserResult
        In the order of ``users``.
    """
    timeout_ms = args.timeout * 1000
    if args.clients == "ws":
        return asyncio.run(server_ws.run_users(users, ramp_s=ramp_s, think_s=think_s, timeout_ms=timeout_ms, on_half_mapped=on_half_mapped))
    return asyncio.run(server_clients.run_users(users, ramp_s=ramp_s, think_s=think_s, timeout_ms=timeout_ms, browsers=args.browsers,
                                                on_half_mapped=on_half_mapped, failures=ARTIFACTS))  # fmt: skip


def _warm_up(urls: list[str], names: list[str], args: argparse.Namespace) -> list[UserResult]:
    """One visit per app, one after another, so each app's caches are full before the users come."""
    return [run_users([User(names[k], PASSWORD, url, k, 10_000 + k)], args, ramp_s=0, think_s=(0, 0))[0] for k, url in enumerate(urls)]


def run_round(
    n: int, step: int, *, cluster: Any, url: str, urls: list[str], ports: list[int], logs: list[Path], viewers: list[str],
    city: Any, counties: list[Any], region_counties: list[str], args: argparse.Namespace,
) -> dict[str, Any]:  # fmt: skip
    """Run N users while the county accounts submit for quarter ``step``; return the round's figures.

    Parameters
    ----------
    n
        Users.
    step
        Which new quarter the counties submit (see :func:`period_code`).
    cluster
        The running cluster (for the probe).
    url
        The app's PostGIS URL.
    urls, ports, logs
        The app processes' URLs, ports and log files.
    viewers
        Viewer account names (at least ``n``).
    city, counties
        The city account and the county accounts.
    region_counties
        Every county of the region, in order.
    args
        The command line.

    Returns
    -------
    dict
        The round's summary (see :func:`bench.server_report.summarise`) with its raw samples.
    """
    period = period_code(step)
    offsets = [log.stat().st_size for log in logs]
    pool = ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn"))
    pool.submit(warm).result()  # spawn the writers' process and import what they need now, not while the users wait
    writers: list[Future[WriterReport]] = []

    def start_writers() -> None:
        writers.append(pool.submit(run_writers, url, counties=counties, city=city, period_code=period, region_counties=region_counties))

    probe = Probe(app_ports=ports, pgdata=cluster.pgdata, superuser_url=cluster.superuser_url("postgres", with_password=True),
                  database=DATABASE, every_s=0.5)  # fmt: skip
    load_before = os.getloadavg()
    begun = time.perf_counter()
    with probe:
        results = run_users(_users(viewers[:n], urls, seed=step * 1000), args, ramp_s=args.ramp, think_s=args.think,
                            on_half_mapped=start_writers)  # fmt: skip
        report = writers[0].result() if writers else WriterReport(errors=["the writers never started"])
    wall_s = time.perf_counter() - begun
    pool.shutdown()
    lost, problems = check_submissions(url, report.expected, counties=counties)
    log_errors: list[str] = []
    for i, log in enumerate(logs):
        found, _ = _log_errors(log, offsets[i])
        log_errors += [f"app {i}: {line}" for line in found]
    return summarise(
        n=n, period=period, results=results, writers=report, lost=lost, problems=problems, log_errors=log_errors,
        peaks=probe.peaks, wall_s=wall_s, load=(load_before, os.getloadavg()),
    )  # fmt: skip


def measure(args: argparse.Namespace) -> dict[str, Any]:
    """Run the whole benchmark; return one dict of figures.

    Parameters
    ----------
    args
        The command line (see :func:`main`).

    Returns
    -------
    dict
        Machine, set-up timings, one summary per N, the province figures.
    """
    from geo.demo.bootstrap import load_sample_into_store
    from geo.region.region import load_region
    from geo.store import open_store
    from geo.store.cluster import APP_ROLE, throwaway_cluster
    from geo.store.postgis import close_pools, migrations

    result: dict[str, Any] = {"date": date.today().isoformat(), "machine": _machine(), "settings": _settings(args), "setup": {}}
    region_counties = list(load_region().county_adcodes)
    folder = Path(tempfile.mkdtemp(prefix="parkmap-bench-server-"))
    try:
        with throwaway_cluster() as cluster, contextlib.ExitStack() as stack:
            cluster.create_database(DATABASE)
            migrations.upgrade(cluster.owner_url(DATABASE, with_password=True), app_role=APP_ROLE)
            url = cluster.app_url(DATABASE)  # names the password file: never a password on a command line or in a log
            with cluster.admin(DATABASE) as conn:
                result["settings"]["max_connections"] = int(conn.execute("SHOW max_connections").fetchone()[0])  # type: ignore[index]
            _say(args, f"cluster on port {cluster.port}; loading the sample ...")
            start = time.perf_counter()
            saved = load_sample_into_store(open_store(url), sample_dir=args.sample_dir)
            result["setup"]["sample_load_s"] = round(time.perf_counter() - start, 1)
            result["setup"]["sample_snapshots"] = len(saved)
            start = time.perf_counter()
            city, counties, viewers = make_accounts(url, counties=region_counties, viewers=max(args.users) + args.apps)
            result["setup"]["accounts_s"] = round(time.perf_counter() - start, 1)
            _say(args, f"sample loaded in {result['setup']['sample_load_s']} s; starting {args.apps} app process(es) ...")
            urls, logs = _start_apps(stack, url, apps=args.apps, pool_max=args.pool_max, folder=folder)
            ports = [int(u.rsplit(":", 1)[1]) for u in urls]
            warm = _warm_up(urls, viewers[-args.apps :], args)
            result["warm_up"] = [asdict(w) for w in warm]
            result["setup"]["cold_first_map_s"] = [None if w.first_map_s is None else round(w.first_map_s, 2) for w in warm]
            rounds = []
            for step, n in enumerate(args.users):
                _say(args, f"N = {n}: users arrive over {args.ramp} s; the six counties submit {period_code(step)} meanwhile ...")
                rounds.append(run_round(n, step, cluster=cluster, url=url, urls=urls, ports=ports, logs=logs, viewers=viewers,
                                        city=city, counties=counties, region_counties=region_counties, args=args))  # fmt: skip
                _say(args, f"N = {n} done in {rounds[-1]['wall_s']} s")
            result["rounds"] = rounds
            stack.close()  # the apps stop before the province step needs the machine
            if args.province:
                from bench.server_province import measure_province

                _say(args, f"province scale: {args.province:,} enterprises ...")
                result["province"] = measure_province(url, n=args.province, folder=folder, timeout_ms=args.timeout * 1000,
                                                      viewer=viewers[0], password=PASSWORD)  # fmt: skip
            close_pools()
    finally:
        ARTIFACTS.mkdir(exist_ok=True)
        for log in folder.glob("*.log"):
            shutil.copy(log, ARTIFACTS / log.name)
        shutil.rmtree(folder, ignore_errors=True)
    return result


def _machine() -> dict[str, Any]:
    total_kb = next((int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")), 0)
    return {"cpu_count": os.cpu_count(), "memory_gb": round(total_kb / 1e6, 1), "platform": platform.platform(),
            "python": platform.python_version(), "load_average_at_start": [round(x, 1) for x in os.getloadavg()]}  # fmt: skip


def _settings(args: argparse.Namespace) -> dict[str, Any]:
    return {"clients": args.clients, "users": args.users, "apps": args.apps, "pool_max": args.pool_max, "browsers": args.browsers,
            "ramp_s": args.ramp, "think_s": list(args.think), "step_timeout_s": args.timeout,
            "province_enterprises": args.province}  # fmt: skip


def _say(args: argparse.Namespace, text: str) -> None:
    if not args.json:
        print(f"[bench.server {time.strftime('%H:%M:%S')}] {text}", flush=True)


def _ints(text: str) -> list[int]:
    values = [int(v) for v in text.split(",") if v.strip()]
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(f"expected whole numbers of 1 or more separated by commas, got {text!r}")
    return values


def _think(text: str) -> tuple[float, float]:
    low, _, high = text.partition(",")
    pair = (float(low), float(high or low))
    if pair[0] < 0 or pair[1] < pair[0]:
        raise argparse.ArgumentTypeError(f"expected MIN,MAX seconds with 0 <= MIN <= MAX, got {text!r}")
    return pair


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Read the command line.

    Parameters
    ----------
    argv
        Arguments (default ``sys.argv[1:]``).

    Returns
    -------
    argparse.Namespace
        The settings.
    """
    parser = argparse.ArgumentParser(prog="python -m bench.server", description="Many users at once on one PostGIS store.")
    parser.add_argument("--users", type=_ints, default=[10, 30], help="simulated users per round, e.g. 10,30")
    parser.add_argument("--apps", type=int, default=2, choices=range(1, 9), metavar="1..8", help="app processes on the one database")
    parser.add_argument("--pool-max", type=int, default=5, help="PARKMAP_DB_POOL_MAX of each app process")
    parser.add_argument(
        "--clients",
        choices=("ws", "browser"),
        default="ws",
        help="ws: each user a websocket session speaking Streamlit's protocol; browser: a headless Chromium page",
    )
    parser.add_argument("--browsers", type=int, default=1, help="with --clients browser: Chromium processes the users are spread over")
    parser.add_argument("--ramp", type=float, default=10.0, help="users arrive evenly over this many seconds")
    parser.add_argument("--think", type=_think, default=(1.0, 3.0), help="pause between a user's steps, MIN,MAX seconds")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds one step may take before it counts as an error")
    parser.add_argument("--province", type=int, default=2_500_000, help="enterprises for the province-scale step (0 skips it)")
    parser.add_argument("--sample-dir", type=Path, default=None, help="the generated sample (default data/sample/330600)")
    parser.add_argument("--out", type=Path, default=ARTIFACTS / "bench_server.json", help="where the JSON goes")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run ``python -m bench.server``; exit 1 when an error was seen or a submission was lost.

    Parameters
    ----------
    argv
        Arguments (default ``sys.argv[1:]``).

    Returns
    -------
    int
        The exit code.
    """
    args = parse_args(argv)
    result = measure(args)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print_table(result)
        print(f"JSON: {args.out}")
    bad = any(r["errors"] or r["submissions_lost"] for r in result["rounds"])
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
