"""Back up and restore the store: a GeoPackage file, or the ``parkmap`` schema of a PostGIS database.

- GeoPackage: the backup is a consistent copy made with SQLite's backup API (safe while the app reads or an
  import writes). Restoring checks the file is a store, keeps the current file as
  ``<name>.before-restore-<time>.gpkg`` and moves the backup in with one atomic rename, holding the writers' lock.
- PostGIS: ``pg_dump -Fc`` of the ``parkmap`` schema (tables, data, grants); ``pg_restore --clean --if-exists``
  in one transaction (all or nothing), after a dump of what was there (``<file>.before-restore-<time>.dump``).
  Where the URL's password file also holds the superuser's line (the local cluster of ``make db``), both run as
  the superuser, so row-level security hides no row and the objects keep their owner (``parkmap_owner``);
  otherwise they run as the database owner with ``--no-owner``. Passwords reach the programs through the
  password file or ``PGPASSWORD``, never the command line or the output.

Command line: ``python -m geo.store.backup backup --out FILE`` / ``restore --file FILE`` [``--store LOCATION``]
(default ``PARKMAP_STORE``, else the GeoPackage store).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Final

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from geo.errors import StoreError
from geo.store.cluster import OWNER_ROLE, SUPERUSER, find_bindir
from geo.store.gpkg import GeoPackageStore
from geo.store.gpkg.files import check_store_file, sync_directory, writers_lock

__all__ = ["SCHEMA", "backup", "restore"]

SCHEMA: Final = "parkmap"
_POSTGRES_SCHEMES: Final = ("postgresql://", "postgres://")
_LOCK_TIMEOUT_S: Final = 60.0


def _stamp() -> str:
    return datetime.now().strftime("%Y%m%d-%H%M%S")


def _is_postgres(location: Path | str) -> bool:
    return isinstance(location, str) and location.startswith(_POSTGRES_SCHEMES)


def backup(location: Path | str, out: Path) -> Path:
    """Write a backup of the store at ``location`` to ``out`` (which must not exist yet).

    Parameters
    ----------
    location
        A GeoPackage store's path, or a ``postgresql://`` URL.
    out
        The backup file to write: a ``.gpkg`` copy, or a pg_dump archive for PostGIS.

    Returns
    -------
    Path
        ``out``, absolute.
    """
    out = Path(out).expanduser().resolve()
    if out.exists():
        msg = f"The backup file {out} exists already: choose another name (nothing was written)."
        raise StoreError(msg)
    out.parent.mkdir(parents=True, exist_ok=True)
    if _is_postgres(location):
        _pg_dump(_PgTarget.from_url(str(location)), out)
    else:
        _gpkg_copy(Path(location), out, what="store")
    return out


def restore(location: Path | str, file: Path) -> Path | None:
    """Replace the store at ``location`` with the backup ``file``; what was there is kept first.

    Parameters
    ----------
    location
        A GeoPackage store's path, or a ``postgresql://`` URL.
    file
        A backup made by :func:`backup` from the same kind of store.

    Returns
    -------
    Path or None
        Where the previous contents were kept (the old ``.gpkg``, or a dump beside ``file``); None if there were none.
    """
    file = Path(file).expanduser().resolve()
    if not file.is_file():
        msg = f"The backup file {file} does not exist."
        raise StoreError(msg)
    if _is_postgres(location):
        return _pg_restore(_PgTarget.from_url(str(location)), file)
    return _gpkg_restore(Path(location), file)


# -- GeoPackage -------------------------------------------------------------------------------


def _gpkg_copy(source: Path, out: Path, *, what: str) -> None:
    if not source.is_file():
        msg = f"There is no {what} at {source}: nothing to back up (has any register been loaded yet?)."
        raise StoreError(msg)
    check_store_file(source)
    partial = out.with_name(f".{out.name}.partial")
    try:
        # Read-write open (nothing is written): a journal left by a killed import is rolled back first.
        with contextlib.closing(sqlite3.connect(source)) as src, contextlib.closing(sqlite3.connect(partial)) as dst:
            src.backup(dst)
        os.replace(partial, out)
    except sqlite3.Error as exc:
        msg = f"Could not copy the {what} {source}: {exc}. Nothing was changed; try again when no import is running."
        raise StoreError(msg) from exc
    finally:
        partial.unlink(missing_ok=True)


def _gpkg_restore(target: Path, file: Path) -> Path | None:
    check_store_file(file)
    try:
        GeoPackageStore(file).list_snapshots()
    except (StoreError, sqlite3.Error) as exc:
        msg = f"The file {file} is a GeoPackage but not a park-map store backup ({exc}). The store was not changed."
        raise StoreError(msg) from exc
    target = target.expanduser().resolve()
    kept = target.with_name(f"{target.stem}.before-restore-{_stamp()}{target.suffix}")
    incoming = target.with_name(f".{target.name}.restoring")
    with writers_lock(target, timeout_s=_LOCK_TIMEOUT_S):
        try:
            _gpkg_copy(file, incoming, what="backup")
            if target.exists():
                try:
                    _gpkg_copy(target, kept, what="store")
                except StoreError:  # a damaged store (often why one restores): keep its bytes as they are
                    shutil.copy2(target, kept)
            os.replace(incoming, target)
        finally:
            incoming.unlink(missing_ok=True)
        sync_directory(target.parent)
    return kept if kept.exists() else None


# -- PostgreSQL -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _PgTarget:
    """Where to connect, who as, and the password to hand over out of sight (None: the password file has it)."""

    params: dict[str, str]
    password: str | None

    @classmethod
    def from_url(cls, url: str) -> _PgTarget:
        try:
            params = {k: str(v) for k, v in conninfo_to_dict(url).items() if v is not None}
        except psycopg.ProgrammingError as exc:
            msg = f"The store URL is not a valid PostgreSQL address ({exc}); check PARKMAP_STORE."
            raise StoreError(msg) from None
        password = params.pop("password", None)
        user = _admin_user(params) if password is None else params.get("user", "")
        return cls(params | {"user": user}, password)

    @property
    def where(self) -> str:
        return f"{self.params.get('dbname', '?')} on {self.params.get('host', 'localhost')}:{self.params.get('port', '5432')}"

    def env(self) -> dict[str, str]:
        return os.environ | ({"PGPASSWORD": self.password} if self.password else {})

    def conninfo(self) -> str:
        return make_conninfo(**self.params)

    def query_one(self, query: str, params: tuple[object, ...] = ()) -> object:
        try:
            with psycopg.connect(self.conninfo(), password=self.password, connect_timeout=10) as conn:
                row = conn.execute(query, params).fetchone()
        except psycopg.OperationalError as exc:
            reason = str(exc).replace(self.password or "\0", "***").strip()
            msg = f"Cannot reach the database {self.where} as {self.params.get('user')}: {reason}. Is it running (make db)?"
            raise StoreError(msg) from None
        return row[0] if row else None

    def has_schema(self) -> bool:
        return self.query_one("SELECT true FROM pg_namespace WHERE nspname = %s", (SCHEMA,)) is True

    def is_superuser(self) -> bool:
        return self.query_one("SELECT rolsuper FROM pg_roles WHERE rolname = current_user") is True


def _admin_user(params: dict[str, str]) -> str:
    """The superuser if the password file has its line for this server, else the owner if it has that, else the URL's user."""
    passfile = Path(params.get("passfile", "~/.pgpass")).expanduser()
    host, port = params.get("host", "localhost"), params.get("port", "5432")
    users = set()
    if passfile.is_file():
        for line in passfile.read_text().splitlines():
            fields = line.split(":")
            if len(fields) == 5 and fields[0] in (host, "*") and fields[1] in (port, "*"):
                users.add(fields[3])
    return next((u for u in (SUPERUSER, OWNER_ROLE) if u in users), params.get("user", ""))


def _run_pg(target: _PgTarget, program: str, args: list[str], *, doing: str) -> None:
    cmd = [str(find_bindir() / program), *args]
    done = subprocess.run(cmd, env=target.env(), capture_output=True, text=True, check=False)
    if done.returncode:
        detail = (done.stderr or done.stdout).strip().replace(target.password or "\0", "***")
        if "password authentication failed" in detail or "no password supplied" in detail:
            detail = f"the server refused the login of {target.params.get('user')} (check the password file or PARKMAP_STORE)"
        elif "row-level security" in detail or "COPY FROM not supported with row-level security" in detail:
            detail = (
                f"the store's tables limit rows by county (row-level security), so {target.params.get('user')} cannot "
                "see all of them; run it with the server's superuser, e.g. the PARKMAP_STORE line of make db, whose "
                "password file holds the superuser's login"
            )
        msg = f"Could not {doing} ({target.where}): {detail}"
        raise StoreError(msg)


def _pg_dump(target: _PgTarget, out: Path) -> None:
    if not target.has_schema():
        msg = f"The database {target.where} has no {SCHEMA} schema yet: there is nothing to back up (run make db to set it up)."
        raise StoreError(msg)
    partial = out.with_name(f".{out.name}.partial")
    try:
        _run_pg(target, "pg_dump", ["--format=custom", f"--schema={SCHEMA}", f"--file={partial}", target.conninfo()], doing="back up")
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)


def _pg_restore(target: _PgTarget, file: Path) -> Path | None:
    listing = subprocess.run([str(find_bindir() / "pg_restore"), "--list", str(file)], capture_output=True, text=True, check=False)
    if listing.returncode or f"SCHEMA - {SCHEMA} " not in listing.stdout:
        msg = f"The file {file} is not a PostGIS store backup (made with make backup). The database was not changed."
        raise StoreError(msg)
    kept = file.with_name(f"{file.stem}.before-restore-{_stamp()}.dump")
    if target.has_schema():
        _pg_dump(target, kept)
    owner_args = [] if target.is_superuser() else ["--no-owner"]
    args = ["--clean", "--if-exists", "--single-transaction", *owner_args, f"--dbname={target.conninfo()}", str(file)]
    _run_pg(target, "pg_restore", args, doing=f"restore {file.name}; the database is as it was before")
    return kept if kept.exists() else None


# -- command line -----------------------------------------------------------------------------


def _log_restore(location: Path | str, file: Path, kept: Path | None) -> None:
    """Append the restore to the audit log (the restored log ends where the backup was made; this says what happened after)."""
    from geo.accounts import cli_operator
    from geo.accounts.book import AuditEvent, open_book

    summary = f"从备份 {file.name} 恢复" + (f"；恢复前的数据保存在 {kept}" if kept else "")
    open_book(location).log(AuditEvent("restore_backup", cli_operator().name, f"backup {file.name}", summary=summary,
                                       after={"file": str(file), "kept": str(kept) if kept else None}))  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    """Run ``python -m geo.store.backup backup --out FILE`` or ``restore --file FILE``.

    Parameters
    ----------
    argv
        Arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        The exit code.
    """
    from geo.store import store_location

    parser = argparse.ArgumentParser(prog="python -m geo.store.backup", description="Back up or restore the park-map store.")
    parser.add_argument("--store", help="a .gpkg path or postgresql:// URL (default: PARKMAP_STORE, else the GeoPackage store)")
    commands = parser.add_subparsers(dest="action", required=True)
    commands.add_parser("backup", help="write a backup file").add_argument("--out", type=Path, required=True)
    commands.add_parser("restore", help="replace the store with a backup").add_argument("--file", type=Path, required=True)
    args = parser.parse_args(argv)
    location = args.store or store_location()
    try:
        if args.action == "backup":
            print(f"Backed up the store to {backup(location, args.out)}.")
        else:
            kept = restore(location, args.file)
            _log_restore(location, args.file, kept)
            print(f"Restored the store from {args.file}." + (f" What was there before is kept in {kept}." if kept else ""))
    except StoreError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
