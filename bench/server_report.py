"""Figures of the many-users benchmark: one summary per round (N users) and the printed table."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from bench.server_clients import UserResult
from bench.server_probe import Peaks
from bench.server_writers import WriterReport

CLIENTS = {"ws": "websocket clients speaking Streamlit's protocol (bench.server_ws)",
           "browser": "headless Chromium pages (bench.server_clients)"}  # fmt: skip


def quantile(values: list[float], q: float) -> float | None:
    """Return the ``q`` quantile (linear interpolation between order statistics, numpy's default), or None without values.

    Parameters
    ----------
    values
        The sample.
    q
        Between 0 and 1.

    Returns
    -------
    float or None
        The quantile.
    """
    if not values:
        return None
    ordered = sorted(values)
    at = q * (len(ordered) - 1)
    low = int(at)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (at - low)


def _stats(values: list[float]) -> dict[str, Any]:
    median, p95 = quantile(values, 0.5), quantile(values, 0.95)
    return {"median": None if median is None else round(median, 2), "p95": None if p95 is None else round(p95, 2),
            "max": round(max(values), 2) if values else None, "n": len(values)}  # fmt: skip


def summarise(
    *, n: int, period: str, results: list[UserResult], writers: WriterReport, lost: int, problems: list[str], log_errors: list[str],
    peaks: Peaks, wall_s: float, load: tuple[tuple[float, ...], tuple[float, ...]],
) -> dict[str, Any]:  # fmt: skip
    """Return one round's figures: time to first map and to redraw (median, p95), errors, submissions lost, memory, connections.

    Parameters
    ----------
    n
        Users in the round.
    period
        The quarter the counties submitted.
    results
        One per user.
    writers
        What the county and city accounts did.
    lost
        Submissions not found intact in the store afterwards.
    problems
        What was wrong with them.
    log_errors
        Error lines in the apps' logs during the round.
    peaks
        The probe's peaks.
    wall_s
        How long the round took.
    load
        The 1-, 5- and 15-minute load averages before and after.

    Returns
    -------
    dict
        The round's summary (seconds, MB).
    """
    user_errors = [f"{r.name}: {e}" for r in results for e in r.errors]
    errors = user_errors + [f"writer: {e}" for e in writers.errors] + log_errors
    redraws = [s for r in results for _, s in r.redraws]
    by_step: dict[str, list[float]] = {}
    for r in results:
        for step, seconds in r.redraws:
            by_step.setdefault(step, []).append(seconds)
    return {
        "users": n,
        "period_submitted": period,
        "users_finished": sum(r.done for r in results),
        "open_s": _stats([r.open_s for r in results if r.open_s is not None]),
        "first_map_s": _stats([r.first_map_s for r in results if r.first_map_s is not None]),
        "visit_to_map_s": _stats([r.open_s + r.first_map_s for r in results if r.open_s is not None and r.first_map_s is not None]),
        "redraw_s": _stats(redraws),
        "redraw_by_step_s": {step: _stats(values) for step, values in by_step.items()},
        "received_mb": round(sum(getattr(r, "bytes_received", 0) for r in results) / 1e6, 1),
        "errors": len(errors),
        "error_list": errors[:50],
        "submissions": len(writers.expected),
        "submissions_lost": lost,
        "submission_problems": problems,
        "submit_s": _stats(writers.submit_s),
        "approve_s": _stats(writers.approve_s),
        "writers_wall_s": round(writers.wall_s, 2),
        "memory_peak_mb": {k: round(v, 0) for k, v in asdict(peaks).items() if k.endswith("_mb")},
        "connections_peak": peaks.connections,
        "connections_peak_by_role": peaks.connections_by_role,
        "probe_samples": peaks.samples,
        "wall_s": round(wall_s, 1),
        "load_average_before_after": [[round(x, 1) for x in load[0]], [round(x, 1) for x in load[1]]],
        "per_user": [asdict(r) for r in results],
    }


def _cell(stats: dict[str, Any]) -> str:
    if stats.get("median") is None:
        return "n/a"
    return f"{stats['median']:.2f} / {stats['p95']:.2f}"


def _pair(memory: dict[str, float], who: str) -> str:
    return f"{memory[who + '_rss_mb']:.0f} / {memory[who + '_pss_mb']:.0f}"


def print_table(result: dict[str, Any]) -> None:
    """Print the benchmark's figures as a table, then the province figures and the notes.

    Parameters
    ----------
    result
        What :func:`bench.server.measure` returned.
    """
    machine, settings = result["machine"], result["settings"]
    print(f"Many users at once ({result['date']}): {machine['cpu_count']} CPUs, {machine['memory_gb']} GB, load at start "
          f"{machine['load_average_at_start']}; {settings['apps']} app process(es), pool max {settings['pool_max']} each, "
          f"max_connections {settings.get('max_connections')}")  # fmt: skip
    print(f"  users are {CLIENTS.get(settings.get('clients', 'browser'), settings.get('clients'))}")
    setup = result["setup"]
    print(f"  sample load {setup.get('sample_load_s')} s; cold first map per app {setup.get('cold_first_map_s')} s")
    rows = [
        ("users (finished)", lambda r: f"{r['users']} ({r['users_finished']})"),
        ("open → sign-in form, s (median / p95)", lambda r: _cell(r["open_s"])),
        ("sign in → first map, s (median / p95)", lambda r: _cell(r["first_map_s"])),
        ("open → first map, s (median / p95)", lambda r: _cell(r["visit_to_map_s"])),
        ("redraw after a filter change, s (median / p95)", lambda r: _cell(r["redraw_s"])),
        ("errors", lambda r: str(r["errors"])),
        ("received by the clients, MB", lambda r: str(r.get("received_mb", "n/a")) if r.get("received_mb") else "n/a"),
        ("submissions (lost)", lambda r: f"{r['submissions']} ({r['submissions_lost']})"),
        ("submit / approve, s (median)", lambda r: f"{r['submit_s']['median']} / {r['approve_s']['median']}"),
        ("app processes RSS / PSS peak, MB", lambda r: _pair(r["memory_peak_mb"], "app")),
        ("postgres RSS / PSS peak, MB", lambda r: _pair(r["memory_peak_mb"], "postgres")),
        ("connections at peak", lambda r: str(r["connections_peak"])),
        ("load average before → after (1 min)", lambda r: "{} → {}".format(*(x[0] for x in r["load_average_before_after"]))),
        ("round took, s", lambda r: str(r["wall_s"])),
    ]  # fmt: skip
    rounds = result.get("rounds", [])
    print(f"  {'':<48}" + "".join(f"{'N = ' + str(r['users']):>22}" for r in rounds))
    for label, cell in rows:
        print(f"  {label:<48}" + "".join(f"{cell(r):>22}" for r in rounds))
    for r in rounds:
        for line in r["error_list"][:10] + r["submission_problems"][:10]:
            print(f"  ! N = {r['users']}: {line}")
    province = result.get("province")
    if province:
        print("  province scale:")
        for key, value in province.items():
            print(f"    {key:<40}{value}")
