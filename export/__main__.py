"""Command line: the meeting pack.

``python -m export --out DIR [--as-of YYYY-MM-DD] [--statuses built,certified] [--lang zh|en] [--store PATH]
[--region ADCODE] [--plan ID]`` writes the pack for the store's current data, measured against the plan
(default: ``PARKMAP_PLAN``, else the region's default plan) of the region (``PARKMAP_REGION``, else the default);
``python -m export --out DIR --parks FILE [--crs gcj02] [--sheet NAME] ...`` writes it straight from a register
file (read and checked as on import; the store is not touched; rejected rows are left out and counted).

Exit codes: 0 written, 1 an export step failed (store, fonts, assets), 2 the register file was refused or no row passed.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from datetime import date
from pathlib import Path

from export import build_all
from export.data import ExportData, export_data_from_file
from export.fonts import CJKFontMissingError
from export.html_map import AssetsMissingError
from geo.analysis.progress import check_statuses
from geo.crs import DATUMS
from geo.errors import GeoDataError, StoreError
from geo.schema import DEFAULT_COUNTED_STATUSES, STATUSES


def _as_of(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        msg = f"--as-of {text!r} is not a date; write it as YYYY-MM-DD, e.g. {date.today().isoformat()}."
        raise argparse.ArgumentTypeError(msg) from None


def _statuses(text: str) -> tuple[str, ...]:
    wanted = tuple(s.strip() for s in text.split(",") if s.strip())
    try:
        return check_statuses(wanted)
    except GeoDataError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def parser() -> argparse.ArgumentParser:
    """Return the command-line parser."""
    p = argparse.ArgumentParser(prog="python -m export", description="Write map.html, map.png, atlas.pdf and summary.xlsx for a meeting.")
    p.add_argument("--out", required=True, help="folder to write the four files into")
    p.add_argument("--as-of", type=_as_of, default=date.today(), help="date the exports describe, YYYY-MM-DD (default: today)")
    p.add_argument(
        "--statuses",
        type=_statuses,
        default=DEFAULT_COUNTED_STATUSES,
        help=f"park statuses counted toward the totals, comma-separated from {','.join(STATUSES)} (default: built,certified)",
    )
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of titles and labels (default: zh)")
    p.add_argument("--store", default=None, help="store location (default: $PARKMAP_STORE, else the region's store under data/store)")
    p.add_argument("--region", default=None, help="region adcode (default: $PARKMAP_REGION, else the default region)")
    p.add_argument("--plan", default=None, help="plan id to measure progress against (default: $PARKMAP_PLAN, else the region's default)")
    p.add_argument("--parks", type=Path, default=None, help="build the pack from this park register file instead of the store")
    p.add_argument(
        "--crs",
        choices=DATUMS,
        default="wgs84",
        help="with --parks: datum of the coordinates as typed (wgs84 default; gcj02 for Amap/Tencent, bd09 for Baidu)",
    )
    p.add_argument("--sheet", default=None, help="with --parks: Excel sheet to read")
    p.add_argument(
        "--reported-on",
        type=_as_of,
        default=None,
        help="with --parks: the register's reporting date, YYYY-MM-DD (default: the --as-of date); parks without dates count from it",
    )
    return p


def _from_file(args: argparse.Namespace) -> ExportData | None:
    """Return the export inputs read from ``--parks``, or None (message printed) when the file gives none."""
    try:
        data, report = export_data_from_file(
            args.parks,
            datum=args.crs,
            as_of=args.as_of,
            statuses=args.statuses,
            lang=args.lang,
            sheet=args.sheet,
            reported_on=args.reported_on,
        )
    except GeoDataError as error:
        print(f"export failed: {error}", file=sys.stderr)
        return None
    if report.rejected:
        print(
            f"{report.file_name}: {report.rejected} of {report.rows} rows rejected and left out of the pack "
            f"(python -m geo.parks check {report.file_name} lists them).",
            file=sys.stderr,
        )
    return data


def _log_unexpected(folder: Path) -> Path:
    """Write the current exception's traceback to ``export_error.log`` in ``folder`` and return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / "export_error.log"
    log.write_text(traceback.format_exc(), encoding="utf-8")
    return log


def main(argv: list[str] | None = None) -> int:
    """Run the export; print the files written, or a one-line error (never a traceback)."""
    args = parser().parse_args(argv)
    for option, variable in ((args.region, "PARKMAP_REGION"), (args.plan, "PARKMAP_PLAN")):
        if option:
            os.environ[variable] = option

    def show(step: str, share: float) -> None:
        print(f"[{share:4.0%}] {step}", file=sys.stderr, flush=True)

    data = None
    if args.parks is not None:
        data = _from_file(args)
        if data is None:
            return 2
    try:
        written = build_all(args.out, as_of=args.as_of, statuses=args.statuses, lang=args.lang, store=args.store, data=data, progress=show)
    except (GeoDataError, StoreError, CJKFontMissingError, AssetsMissingError, OSError) as error:
        print(f"export failed: {error}", file=sys.stderr)
        return 1
    except Exception as error:  # a bug must still reach the planner as a message; the traceback goes to a log
        log = _log_unexpected(Path(args.out))
        print(f"export failed: unexpected error ({type(error).__name__}). Please send {log} to the maintainer.", file=sys.stderr)
        return 1
    for path in written.values():
        print(f"wrote {path} ({path.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
