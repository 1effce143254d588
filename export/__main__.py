"""Command line: ``python -m export --out DIR [--as-of YYYY-MM-DD] [--statuses built,certified] [--lang zh|en] [--store PATH]``."""

from __future__ import annotations

import argparse
import sys
from datetime import date

from export import build_all
from export.fonts import CJKFontMissingError
from export.html_map import AssetsMissingError
from geo.errors import GeoDataError, StoreError
from geo.progress import check_statuses
from geo.schema import DEFAULT_COUNTED_STATUSES, STATUSES


def _as_of(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        msg = f"--as-of {text!r} is not a date; write it as YYYY-MM-DD, e.g. 2023-12-31."
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
    p.add_argument("--store", default=None, help="store location (default: $PARKMAP_STORE or data/store/parkmap.gpkg)")
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the export; print the files written, or a one-line error (never a traceback)."""
    args = parser().parse_args(argv)

    def show(step: str, share: float) -> None:
        print(f"[{share:4.0%}] {step}", file=sys.stderr, flush=True)

    try:
        written = build_all(args.out, as_of=args.as_of, statuses=args.statuses, lang=args.lang, store=args.store, progress=show)
    except (GeoDataError, StoreError, CJKFontMissingError, AssetsMissingError, OSError) as error:
        print(f"export failed: {error}", file=sys.stderr)
        return 1
    for path in written.values():
        print(f"wrote {path} ({path.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
