"""``python -m geo.reporting compare LAST.xlsx THIS.xlsx``: what changed between two registers of a county or the city.

A county clerk (or the city reviewer) gives last period's register and this
period's; both are read and checked exactly as on import. Parks are matched by
register code (园区编码), else by name within the county, else by place
(within 200 m); the report lists parks added, missing, status changes (and
regressions such as 在建 → 谋划), floor- and land-area changes, moves over
200 m, renames, occupancy that jumps implausibly, and rows that could be one
of several parks (never guessed)::

    python -m geo.reporting compare 柯桥区2024Q2.xlsx 柯桥区2024Q3.xlsx --crs gcj02 [--county 330603] [--json]

Exit codes: 0 compared, 2 a file cannot be read or has no accepted row.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import geopandas as gpd

from geo.crs import DATUMS
from geo.errors import GeoDataError
from geo.ingest.importing import scrub_paths
from geo.ingest.parks import import_parks
from geo.reporting.changes import Change, Changes, register_changes
from geo.reporting.cli import add_commands, run
from geo.reporting.identity import Matching, match_parks
from geo.schema import STATUS_LABELS_ZH

_KIND_WORDS = {
    "added": "新增园区",
    "removed": "本期缺少（是否已撤销？）",
    "status_changed": "建设状态变化",
    "area_changed": "建筑面积变化",
    "land_changed": "占地面积变化",
    "moved": "位置移动超过 200 米",
    "renamed": "更名",
    "jump": "入驻率变化异常",
}


def compare_registers(previous: gpd.GeoDataFrame, current: gpd.GeoDataFrame) -> tuple[Matching, Changes, gpd.GeoDataFrame]:
    """Match the parks of two registers and list what changed.

    Parameters
    ----------
    previous
        Last period's accepted parks (WGS-84); their ids are given afresh, county by county.
    current
        This period's accepted parks (WGS-84).

    Returns
    -------
    tuple
        The matching of ``current`` to ``previous``, the changes, and ``current`` with its ``park_id``.
    """
    first = match_parks(previous.iloc[0:0].assign(park_id=[]), previous)
    previous = previous.assign(park_id=first.park_ids)
    matching = match_parks(previous, current)
    current = current.assign(park_id=matching.park_ids)
    return matching, register_changes(previous, current), current


def _read(path: Path, datum: str, county: str | None) -> gpd.GeoDataFrame:
    report = import_parks(path, datum=datum)
    parks = report.data
    if county:
        parks = parks[parks["county_adcode"].astype(str) == county]
    if not len(parks):
        where = f"区县 {county} " if county else ""
        msg = f"{path.name}：没有{where}可用的园区行（{report.rejected} 行被拒绝）；请先用 python -m geo.parks check 查看原因。"
        raise GeoDataError(msg)
    return parks


def _line(change: Change) -> str:
    if change.kind == "status_changed":
        before = STATUS_LABELS_ZH.get(str(change.before), str(change.before))
        after = STATUS_LABELS_ZH.get(str(change.after), str(change.after))
        return f"{change.name}：{before} → {after}" + ("（倒退，请核实）" if change.flag == "regression" else "")
    if change.kind == "area_changed":
        return f"{change.name}：{_wan(change.before)} → {_wan(change.after)} 万㎡（{_wan(change.amount, sign=True)} 万㎡）"
    if change.kind == "land_changed":
        return f"{change.name}：{_num(change.before)} → {_num(change.after)} 亩"
    if change.kind == "moved":
        return f"{change.name}：移动约 {change.amount:,.0f} 米"
    if change.kind == "renamed":
        return f"{change.before} → {change.after}"
    if change.kind == "jump":
        return f"{change.name}：入驻率 {_num(change.before)}% → {_num(change.after)}%"
    return str(change.name)


def _wan(value: float | None, *, sign: bool = False) -> str:
    return "—" if value is None else (f"{value / 10_000:+,.2f}" if sign else f"{value / 10_000:,.2f}")


def _num(value: float | None) -> str:
    return "—" if value is None else f"{value:,.1f}"


def summary_lines(matching: Matching, changes: Changes) -> list[str]:
    """Return the report a clerk reads: counts of matched parks, then each kind of change.

    Parameters
    ----------
    matching
        How this period's parks were matched.
    changes
        What changed.

    Returns
    -------
    list of str
        Lines in Chinese.
    """
    how = {k: matching.how.count(k) for k in ("code", "name", "location", "new")}
    counts = f"按编码认出 {how['code']} 个，按名称 {how['name']} 个，按位置 {how['location']} 个，新增 {how['new']} 个"
    lines = [f"本期 {len(matching.how)} 个园区：{counts}。"]
    for kind, word in _KIND_WORDS.items():
        items = changes.of_kind(kind)
        if items:
            lines.append(f"{word}（{len(items)}）：")
            lines += [f"  {_line(c)}" for c in items]
    for row in matching.ambiguous:
        lines.append(f"无法确定：{row.name} 可能是上期的 {'、'.join(row.candidates)}（{row.reason}），已作为新园区，请核实。")
    if len(lines) == 1:
        lines.append("与上期相比没有变化。")
    return lines


def main(argv: list[str] | None = None) -> int:
    """Run ``python -m geo.reporting compare``; return the exit code.

    Parameters
    ----------
    argv
        Command-line arguments (default ``sys.argv[1:]``).

    Returns
    -------
    int
        0 when compared, 2 when a file cannot be used.
    """
    parser = argparse.ArgumentParser(
        prog="python -m geo.reporting", description="园区台账季度报送：报送、审核、报送情况、全市台账、比较两期。"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    compare = sub.add_parser("compare", help="what changed between last period's register and this one")
    compare.add_argument("previous", type=Path, help="last period's register")
    compare.add_argument("current", type=Path, help="this period's register")
    compare.add_argument("--crs", choices=DATUMS, default="wgs84", help="datum of both files' coordinates (default wgs84)")
    compare.add_argument("--previous-crs", choices=DATUMS, help="datum of the previous file, when it differs")
    compare.add_argument("--county", help="compare only this county (adcode)")
    compare.add_argument("--json", action="store_true", help="print one JSON object")
    add_commands(sub)
    args = parser.parse_args(argv)
    if args.command != "compare":
        return run(args)
    try:
        previous = _read(args.previous, args.previous_crs or args.crs, args.county)
        current = _read(args.current, args.crs, args.county)
    except GeoDataError as exc:
        print(scrub_paths(str(exc)), file=sys.stderr)
        return 2
    matching, changes, _ = compare_registers(previous, current)
    if args.json:
        out = {
            "parks": len(current),
            "matched_by": {k: matching.how.count(k) for k in ("code", "name", "location", "new")},
            "changes": changes.summary(),
            "regressions": [f"{c.park_id} {c.name}" for c in changes.regressions],
            "ambiguous": [{"name": a.name, "candidates": list(a.candidates), "reason": a.reason} for a in matching.ambiguous],
        }
        print(json.dumps(out, ensure_ascii=False))
    else:
        print("\n".join(summary_lines(matching, changes)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
