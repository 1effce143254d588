"""Command line for the store: ``python -m geo.store migrate --from FILE.gpkg --to postgresql://...``.

``migrate`` copies a GeoPackage store, row for row, into an empty PostGIS
store (see :mod:`geo.store.migrate`); the target's schema is created first
when the URL's role owns the database. Exit 0 on success, 2 with a message
(never the password) otherwise.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from geo.errors import StoreError


def main(argv: list[str] | None = None) -> int:
    """Run the command line.

    Parameters
    ----------
    argv
        The arguments (default ``sys.argv[1:]``).

    Returns
    -------
    int
        The exit status.
    """
    parser = argparse.ArgumentParser(prog="python -m geo.store", description="The snapshot store.")
    commands = parser.add_subparsers(dest="command", required=True)
    move = commands.add_parser("migrate", help="copy a GeoPackage store into an empty PostGIS store")
    move.add_argument("--from", dest="source", required=True, help="the GeoPackage store (.gpkg)")
    move.add_argument("--to", dest="target", required=True, help="postgresql:// URL of the empty target (the owner's)")
    args = parser.parse_args(argv)
    from geo.store import GeoPackageStore, open_store
    from geo.store.migrate import migrate_store
    from geo.store.postgis import PostgisStore

    try:
        path = Path(args.source)
        if not path.is_file():
            raise StoreError(f"There is no GeoPackage store at {path}.")
        source, target = GeoPackageStore(path), open_store(args.target)
        if not isinstance(target, PostgisStore):
            raise StoreError("--to must be a postgresql:// URL (the PostGIS store to copy into).")
        moved = migrate_store(source, target)
    except StoreError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    print(f"copied {moved.snapshots} snapshots ({moved.rows} rows) and {moved.submissions} submissions into {target.location}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
