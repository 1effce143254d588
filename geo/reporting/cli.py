"""``python -m geo.reporting submit|approve|return|status|register``: the quarterly cycle from a bureau's scripts.

All act on the store named by ``PARKMAP_STORE`` (default ``data/store/parkmap.gpkg``)::

    python -m geo.reporting submit 柯桥区2024Q3.xlsx --county 330603 --period 2024Q3 --crs gcj02 --by 柯桥区经信局 [--json]
    python -m geo.reporting approve 12 --by 市经信局
    python -m geo.reporting return 12 --by 市经信局 --reason "缺少坐标"
    python -m geo.reporting status --period 2024Q3 [--json]
    python -m geo.reporting register --as-of 2024-09-30 --out 全市台账.geojson

``submit`` exits as ``python -m geo.parks check``: 0 every row accepted, 1 some rows refused (listed, not lost:
they are in the report and not stored), 2 the file cannot be used.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

from geo.crs import DATUMS
from geo.errors import GeoDataError
from geo.ingest.importing import scrub_paths
from geo.ingest.parks import import_parks
from geo.region.region import load_region
from geo.reporting.periods import Cycle, parse_period
from geo.reporting.service import approve_submission, prepare_submission, save_submission
from geo.reporting.submissions import STATE_LABELS, board_state


def add_commands(sub: Any) -> None:
    """Add the cycle's sub-commands to the ``geo.reporting`` parser.

    Parameters
    ----------
    sub
        The parser's sub-parsers object.
    """
    submit = sub.add_parser("submit", help="submit a county's (or the whole city's) register for a period")
    submit.add_argument("file", type=Path)
    submit.add_argument("--county", required=True, help="the county's adcode, or 'all' for a whole-city file")
    submit.add_argument("--period", required=True, help="e.g. 2024Q3")
    submit.add_argument("--crs", choices=DATUMS, default="wgs84", help="datum of the file's coordinates")
    submit.add_argument("--by", required=True, help="who submits")
    submit.add_argument("--approve", action="store_true", help="approve at once (single-user install)")
    submit.add_argument("--json", action="store_true")
    for name, helptext in (("approve", "approve a submission"), ("return", "return a submission to its county")):
        review = sub.add_parser(name, help=helptext)
        review.add_argument("submission_id", type=int)
        review.add_argument("--by", required=True)
        if name == "return":
            review.add_argument("--reason", required=True)
    status = sub.add_parser("status", help="each county's state for a period")
    status.add_argument("--period", required=True)
    status.add_argument("--json", action="store_true")
    register = sub.add_parser("register", help="the consolidated register in force at a date")
    register.add_argument("--as-of", type=date.fromisoformat, default=None)
    register.add_argument("--out", type=Path, required=True)


def run(args: argparse.Namespace) -> int:
    """Run one cycle command; return its exit code.

    Parameters
    ----------
    args
        The parsed arguments.

    Returns
    -------
    int
        0 done, 1 some rows refused (submit), 2 nothing done (the message says why).
    """
    from geo.store import open_store

    try:
        store = open_store()
        handler = {"submit": _submit, "approve": _review, "return": _review, "status": _status, "register": _register}[args.command]
        return handler(store, args)
    except (GeoDataError, ValueError) as exc:
        message = scrub_paths(str(exc))
        if getattr(args, "json", False):
            print(json.dumps({"error": message}, ensure_ascii=False))
        print(message, file=sys.stderr)
        return 2


def _submit(store: Any, args: argparse.Namespace) -> int:
    region = load_region()
    codes = [c.adcode for c in region.counties]
    county = None if args.county == "all" else args.county
    if county is not None and county not in codes:
        msg = f"--county {args.county}：不是本市的区县代码；可用 {', '.join(codes)} 或 all。"
        raise GeoDataError(msg)
    report = import_parks(args.file, datum=args.crs)
    if report.data is None or not len(report.data):
        msg = f"{args.file.name}：没有可用的园区行（{report.rejected} 行被拒绝）；请先用 python -m geo.parks check 查看原因。"
        raise GeoDataError(msg)
    prepared = prepare_submission(
        report.data, store=store, period=parse_period(args.period, cycle=_cycle()), county=county, region_counties=codes
    )
    if not len(prepared.parks):
        msg = f"{args.file.name}：没有区县 {args.county} 的园区行；" + "；".join(r.message for r in prepared.refused[:5])
        raise GeoDataError(msg)
    made = save_submission(
        store,
        prepared,
        by=args.by,
        source_name=args.file.name,
        source_sha256=hashlib.sha256(args.file.read_bytes()).hexdigest(),
        approve_now=args.approve,
    )
    rejected = report.rejected + len(prepared.refused)
    out = {
        "submission_id": made[0].submission_id if len(made) == 1 else [s.submission_id for s in made],
        "state": made[0].state,
        "rows": report.rows,
        "accepted": len(prepared.parks),
        "rejected": rejected,
        "refused_other_county": [r.message for r in prepared.refused],
        "changes": prepared.summary(),
        "ambiguous": [{"name": a.name, "candidates": list(a.candidates), "reason": a.reason} for a in prepared.ambiguous],
    }
    if args.json:
        print(json.dumps(out, ensure_ascii=False))
    else:
        ids = "、".join(f"#{s.submission_id}（{s.county_adcode}）" for s in made)
        print(f"已报送 {ids}，{args.period}，状态：{STATE_LABELS[made[0].state][0]}；收入 {len(prepared.parks)} 行，拒绝 {rejected} 行。")
        for refused in prepared.refused:
            print(refused.message)
    return 1 if rejected else 0


def _review(store: Any, args: argparse.Namespace) -> int:
    if args.command == "approve":
        done = approve_submission(store, args.submission_id, by=args.by)
    else:
        done = store.return_submission(args.submission_id, by=args.by, reason=args.reason)
    print(f"报送 #{done.submission_id}（{done.county_adcode}，{done.period.code}）：{STATE_LABELS[done.state][0]}")
    return 0


def _status(store: Any, args: argparse.Namespace) -> int:
    period = parse_period(args.period, cycle=_cycle())
    region = load_region()
    everything = store.list_submissions()
    rows: list[dict[str, Any]] = []
    for county in region.counties:
        state = board_state(
            everything, county_adcode=county.adcode, period=period, today=date.today(), grace_days=load_region().reporting_due_days
        )
        mine = [s for s in everything if s.county_adcode == county.adcode and s.period == period]
        last = max(mine, key=lambda s: s.submission_id) if mine else None
        rows.append(
            {
                "county_adcode": county.adcode,
                "county": county.name,
                "state": state,
                "submission_id": None if last is None else last.submission_id,
                "by": "" if last is None else last.submitted_by,
                "reason": "" if last is None else last.reason,
            }
        )
    if args.json:
        print(json.dumps({"period": period.code, "counties": rows}, ensure_ascii=False))
    else:
        words = {"not_submitted": "未报", "late": "逾期", **{k: v[0] for k, v in STATE_LABELS.items()}}
        for row in rows:
            print(f"{row['county']}\t{words[str(row['state'])]}\t{row['submission_id'] or ''}\t{row['by']}")
    return 0


def _register(store: Any, args: argparse.Namespace) -> int:
    register = store.register(args.as_of)
    if register is None:
        msg = "在该日期没有已通过的报送，无法导出全市台账。"
        raise GeoDataError(msg)
    from geo.ingest.parks import write_geojson

    write_geojson(register, args.out)
    print(f"已导出 {len(register)} 个园区（{len(register.attrs.get('register', {}))} 个区县）到 {args.out.name}")
    return 0


def _cycle() -> Cycle:
    """The region's reporting cycle (its region.json): ``quarter`` or ``month``."""
    return load_region().reporting_cycle
