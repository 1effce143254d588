"""Command line for the PostGIS store's schema.

``python -m geo.store.postgis upgrade --url URL [--app-role parkmap_app]``
    Create or migrate the ``parkmap`` schema (as the database's owner) and
    grant the app's role its rights; prints the version reached.
``python -m geo.store.postgis version --url URL``
    Print the database's schema version and the one this program needs.

``--url`` defaults to ``PARKMAP_STORE``. Exit 0 on success, 2 with a message
(never the password) when the server, the role or the schema is not right.
"""

from __future__ import annotations

import argparse
import os
import sys

import psycopg

from geo.errors import StoreError
from geo.store.postgis import migrations
from geo.store.postgis.connect import connection_error, masked_url


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
    parser = argparse.ArgumentParser(prog="python -m geo.store.postgis", description="The PostGIS store's schema.")
    commands = parser.add_subparsers(dest="command", required=True)
    up = commands.add_parser("upgrade", help="create or migrate the parkmap schema (as the database's owner)")
    up.add_argument("--url", default=os.environ.get("PARKMAP_STORE", ""), help="postgresql:// URL of the owner role")
    up.add_argument("--app-role", default=migrations.APP_ROLE, help="the app's login role to grant its rights to ('' for none)")
    up.add_argument("--to", type=int, default=None, help="stop at this version (default: the newest)")
    ver = commands.add_parser("version", help="print the database's schema version")
    ver.add_argument("--url", default=os.environ.get("PARKMAP_STORE", ""), help="postgresql:// URL")
    args = parser.parse_args(argv)
    if not args.url.startswith(("postgresql://", "postgres://")):
        print("Give --url postgresql://user:password@host:port/database (or set PARKMAP_STORE).", file=sys.stderr)
        return 2
    try:
        if args.command == "upgrade":
            version = migrations.upgrade(args.url, app_role=args.app_role or None, target=args.to)
            print(f"{masked_url(args.url)}: schema version {version} (this program needs {migrations.HEAD})")
            return 0
        print(f"{masked_url(args.url)}: schema version {_version(args.url)} (this program needs {migrations.HEAD})")
        return 0
    except StoreError as exc:
        print(str(exc), file=sys.stderr)
        return 2


def _version(url: str) -> int:
    try:
        with psycopg.connect(url, connect_timeout=5) as conn:
            return migrations.current_version(conn)
    except psycopg.Error as exc:
        raise connection_error(exc, url) from None


if __name__ == "__main__":
    sys.exit(main())
