"""A local PostgreSQL + PostGIS cluster from Debian's packages: the project's shared server and the tests' throwaway one.

Layout of a cluster folder (``data/postgres/`` for ``make db``)::

    pgdata/      the server's files (owned by the server's OS user, 0700)
    run/         its Unix socket (only the bootstrap superuser may use it, by peer)
    server.log   the server's log
    pgpass       libpq password file (0600): one line per role, never printed

The server listens on 127.0.0.1 only; every TCP login uses scram-sha-256.
Two roles are made: ``parkmap_owner`` (owns the databases and the schema,
runs migrations) and ``parkmap_app`` (what the app signs in as: no
superuser, no CREATEDB/CREATEROLE, cannot bypass row-level security).
As root, server commands run as the ``postgres`` OS user (``runuser``).

Examples
--------
>>> cluster = Cluster(Path("data/postgres"), 54329)
>>> cluster.start()  # initialises on first use
>>> cluster.ensure_roles(); cluster.create_database("parkmap", exists_ok=True)
>>> cluster.app_url("parkmap")  # postgresql://parkmap_app@127.0.0.1:54329/parkmap?passfile=/abs/.../pgpass

Command line: ``python -m geo.store.cluster start|stop|status|url [--dir data/postgres] [--port 54329] [--db parkmap]``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Final, Literal
from urllib.parse import parse_qs, quote, urlsplit

import psycopg
from psycopg import sql

from geo import paths
from geo.errors import StoreError

__all__ = [
    "APP_ROLE",
    "DEFAULT_DB",
    "DEFAULT_DIR",
    "DEFAULT_PORT",
    "INSTALL_HINT",
    "OWNER_ROLE",
    "SUPERUSER",
    "TEMPLATE_DB",
    "TEST_ENV_VAR",
    "Cluster",
    "find_bindir",
    "free_port",
    "throwaway_cluster",
]

OWNER_ROLE: Final = "parkmap_owner"
APP_ROLE: Final = "parkmap_app"
SUPERUSER: Final = "postgres"
TEMPLATE_DB: Final = "parkmap_template"
DEFAULT_DB: Final = "parkmap"
DEFAULT_PORT: Final = 54329
DEFAULT_DIR: Final = paths.DATA_DIR / "postgres"
TEST_ENV_VAR: Final = "PARKMAP_TEST_PG"  # make test: the throwaway cluster's superuser URL
HOST: Final = "127.0.0.1"
SERVER_OS_USER: Final = "postgres"  # the server's OS user when we run as root
INSTALL_HINT: Final = "apt-get install postgresql postgresql-15-postgis-3"
FALLBACK_BINDIR: Final = Path("/usr/lib/postgresql/15/bin")
_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_SOCKET_PATH_MAX: Final = 100  # sun_path is 108 bytes; ".s.PGSQL.NNNNN" is appended
Status = Literal["running", "stopped", "absent"]


def _run(cmd: list[str], *, check: bool = True, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, check=check, capture_output=True, text=True, cwd=cwd)


def find_bindir(bindir: Path | None = None) -> Path:
    """Return the folder of PostgreSQL's server programs, checking that PostGIS is installed too.

    Parameters
    ----------
    bindir
        Use this folder instead of asking ``pg_config --bindir`` (falling back to /usr/lib/postgresql/15/bin).

    Returns
    -------
    Path
        A folder holding ``initdb``, ``pg_ctl``, ``postgres``, ``pg_dump`` and ``pg_restore``.

    Raises
    ------
    StoreError
        A program or PostGIS is missing; the message says what to install.
    """
    sharedir: Path | None = None
    if bindir is None:
        pg_config = shutil.which("pg_config") or (str(FALLBACK_BINDIR / "pg_config") if (FALLBACK_BINDIR / "pg_config").exists() else None)
        if pg_config:
            found = _run([pg_config, "--bindir", "--sharedir"], check=False).stdout.split()
            if len(found) == 2:
                bindir, sharedir = Path(found[0]), Path(found[1])
        bindir = bindir or FALLBACK_BINDIR
    missing = [p for p in ("initdb", "pg_ctl", "postgres", "pg_dump", "pg_restore") if not (bindir / p).is_file()]
    if missing:
        msg = f"PostgreSQL is not installed here (no {', '.join(missing)} in {bindir}). Install it as root: {INSTALL_HINT}"
        raise StoreError(msg)
    if sharedir is None:
        out = _run([str(bindir / "pg_config"), "--sharedir"], check=False).stdout.strip() if (bindir / "pg_config").exists() else ""
        sharedir = Path(out) if out else bindir.parent.parent.parent.parent / "share" / "postgresql" / bindir.parent.name
    if not (sharedir / "extension" / "postgis.control").is_file():
        msg = f"PostGIS is not installed for this PostgreSQL (no {sharedir}/extension/postgis.control). Install it as root: {INSTALL_HINT}"
        raise StoreError(msg)
    return bindir


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now.

    Returns
    -------
    int
        The port number.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def _port_taken(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((HOST, port))
        except OSError:
            return True
    return False


class Cluster:
    """One PostgreSQL cluster in ``data_dir``, listening on 127.0.0.1:``port``.

    ``throwaway`` clusters (tests) trade durability for speed: fsync,
    synchronous_commit and full_page_writes are off.
    """

    def __init__(self, data_dir: Path, port: int, *, throwaway: bool = False, bindir: Path | None = None) -> None:
        self.data_dir = Path(data_dir).expanduser().resolve()
        self.port = port
        self.throwaway = throwaway
        self.bindir = find_bindir(bindir)
        self.pgdata = self.data_dir / "pgdata"
        self.socket_dir = self.data_dir / "run"
        self.log_file = self.data_dir / "server.log"
        self.passfile = self.data_dir / "pgpass"
        self._as_root = os.geteuid() == 0

    @classmethod
    def attach(cls, url: str) -> Cluster:
        """Return the cluster a superuser URL of the form :meth:`superuser_url` gives (``?passfile=`` in its folder).

        Parameters
        ----------
        url
            ``postgresql://postgres@127.0.0.1:PORT/postgres?passfile=/abs/dir/pgpass``.

        Returns
        -------
        Cluster
            The cluster, not started or stopped by this call.
        """
        parts = urlsplit(url)
        passfile = parse_qs(parts.query).get("passfile", [""])[0]
        if parts.port is None or not passfile or not Path(passfile).is_file():
            msg = f"{url!r} does not name a local cluster: expected postgresql://postgres@127.0.0.1:PORT/postgres?passfile=/abs/dir/pgpass"
            raise StoreError(msg)
        return cls(Path(passfile).parent, parts.port, throwaway=True)

    # -- server processes -------------------------------------------------------------------

    def _server_cmd(self, program: str, *args: str) -> list[str]:
        cmd = [str(self.bindir / program), *args]
        return ["runuser", "-u", SERVER_OS_USER, "--", *cmd] if self._as_root else cmd

    def _give_to_server(self, path: Path) -> None:
        if self._as_root:
            entry = pwd.getpwnam(SERVER_OS_USER)
            os.chown(path, entry.pw_uid, entry.pw_gid)

    def _check_server_os_user(self) -> None:
        if not self._as_root:
            return
        try:
            pwd.getpwnam(SERVER_OS_USER)
        except KeyError:
            msg = f"There is no '{SERVER_OS_USER}' user on this machine (Debian's postgresql package makes it). Install: {INSTALL_HINT}"
            raise StoreError(msg) from None

    def initialised(self) -> bool:
        """Return whether the cluster's files exist.

        Returns
        -------
        bool
            True once :meth:`init` has run.
        """
        return (self.pgdata / "PG_VERSION").is_file()

    def init(self) -> None:
        """Create the cluster (initdb, loopback-only settings, pg_hba, passwords); does nothing if it exists."""
        if self.initialised():
            return
        self._check_server_os_user()
        if len(str(self.socket_dir)) > _SOCKET_PATH_MAX:
            msg = f"The folder {self.data_dir} is too deep for the server's socket: choose a shorter --dir."
            raise StoreError(msg)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.data_dir.chmod(0o711 if self._as_root else 0o700)
        for folder in (self.pgdata, self.socket_dir):
            folder.mkdir(mode=0o700, exist_ok=True)
            self._give_to_server(folder)
        self.log_file.touch(mode=0o600)
        self._give_to_server(self.log_file)
        if self._as_root and _run(["runuser", "-u", SERVER_OS_USER, "--", "test", "-w", str(self.pgdata)], check=False).returncode:
            msg = (
                f"The '{SERVER_OS_USER}' user cannot reach {self.data_dir}: every folder above it must let others in "
                f"(chmod o+x), or choose another --dir."
            )
            raise StoreError(msg)
        locale = "C.UTF-8" if "c.utf8" in _run(["locale", "-a"], check=False).stdout.lower() else "C"
        args = ["-D", str(self.pgdata), "-U", SUPERUSER, "--encoding=UTF8", f"--locale={locale}", "--auth-local=peer"]
        args += ["--auth-host=scram-sha-256", "--no-instructions", *(["--no-sync"] if self.throwaway else [])]
        done = _run(self._server_cmd("initdb", *args), check=False, cwd=self.data_dir)
        if done.returncode:
            msg = f"Could not create the database cluster in {self.pgdata}:\n{done.stderr.strip()}"
            raise StoreError(msg)
        self._write_settings(pwd.getpwuid(os.geteuid()).pw_name)
        self._write_passwords({SUPERUSER: secrets.token_urlsafe(24)})
        self._bootstrap_superuser_password()

    def _write_settings(self, os_user: str) -> None:
        settings = {
            "listen_addresses": f"'{HOST}'",
            "port": str(self.port),
            "unix_socket_directories": f"'{self.socket_dir}'",
            "unix_socket_permissions": "0700",
            "max_connections": "100",
            "password_encryption": "'scram-sha-256'",
        }
        if self.throwaway:
            settings |= {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}
        lines = ["# Written by geo.store.cluster; change the port with --port on the next start."]
        (self.pgdata / "parkmap.conf").write_text("\n".join([*lines, *(f"{k} = {v}" for k, v in settings.items())]) + "\n")
        with (self.pgdata / "postgresql.conf").open("a") as conf:
            conf.write("\ninclude 'parkmap.conf'\n")
        (self.pgdata / "pg_hba.conf").write_text(
            "# Written by geo.store.cluster: the bootstrap superuser by peer on the socket, everyone by password on loopback.\n"
            f"local   all   {SUPERUSER}   peer map=parkmap\n"
            f"host    all   all   {HOST}/32   scram-sha-256\n"
        )
        (self.pgdata / "pg_ident.conf").write_text(f"parkmap   {os_user}   {SUPERUSER}\nparkmap   {SERVER_OS_USER}   {SUPERUSER}\n")
        for name in ("parkmap.conf", "pg_hba.conf", "pg_ident.conf"):
            self._give_to_server(self.pgdata / name)

    def _set_port(self) -> None:
        conf = self.pgdata / "parkmap.conf"
        text = re.sub(r"(?m)^port = \d+$", f"port = {self.port}", conf.read_text())
        conf.write_text(text)
        passwords = self._passwords()
        self._write_passwords(passwords)

    def _configured_port(self) -> int | None:
        found = re.search(r"(?m)^port = (\d+)$", (self.pgdata / "parkmap.conf").read_text())
        return int(found.group(1)) if found else None

    def status(self) -> Status:
        """Return ``"running"``, ``"stopped"`` or ``"absent"`` (never initialised).

        Returns
        -------
        str
            The cluster's state.
        """
        if not self.initialised():
            return "absent"
        done = _run(self._server_cmd("pg_ctl", "-D", str(self.pgdata), "status"), check=False, cwd=self.data_dir)
        return "running" if done.returncode == 0 else "stopped"

    def start(self) -> bool:
        """Start the server (initialising it first if needed) and wait until it accepts connections.

        Returns
        -------
        bool
            False when it was already running.
        """
        self.init()
        if self.status() == "running":
            return False
        if self._configured_port() != self.port:
            self._set_port()
        if _port_taken(self.port):
            msg = f"Port {self.port} on {HOST} is already used by another program: start the database on another port (--port)."
            raise StoreError(msg)
        cmd = self._server_cmd("pg_ctl", "-D", str(self.pgdata), "-l", str(self.log_file), "-w", "-t", "60", "-s", "start")
        done = _run(cmd, check=False, cwd=self.data_dir)
        if done.returncode:
            tail = "\n".join(self.log_file.read_text(errors="replace").splitlines()[-15:]) if self.log_file.exists() else ""
            msg = f"The database server in {self.data_dir} did not start. Its log ({self.log_file}) ends with:\n{tail or done.stderr}"
            raise StoreError(msg)
        return True

    def stop(self) -> bool:
        """Stop the server (fast shutdown; immediate for a throwaway cluster).

        Returns
        -------
        bool
            False when it was not running.
        """
        if self.status() != "running":
            return False
        mode = "immediate" if self.throwaway else "fast"
        _run(self._server_cmd("pg_ctl", "-D", str(self.pgdata), "-m", mode, "-w", "-s", "stop"), cwd=self.data_dir)
        return True

    def remove(self) -> None:
        """Stop the server and delete the whole cluster folder (for throwaway clusters)."""
        with contextlib.suppress(subprocess.CalledProcessError, StoreError):
            self.stop()
        shutil.rmtree(self.data_dir, ignore_errors=True)

    # -- passwords and URLs -----------------------------------------------------------------

    def _passwords(self) -> dict[str, str]:
        if not self.passfile.exists():
            return {}
        out = {}
        for line in self.passfile.read_text().splitlines():
            parts = line.split(":")
            if len(parts) == 5 and not line.startswith("#"):
                out[parts[3]] = parts[4]
        return out

    def _write_passwords(self, passwords: dict[str, str]) -> None:
        lines = [f"{HOST}:{self.port}:*:{user}:{password}" for user, password in passwords.items()]
        fd = os.open(self.passfile.with_suffix(".tmp"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write("\n".join(lines) + "\n")
        os.replace(self.passfile.with_suffix(".tmp"), self.passfile)

    def _password(self, role: str) -> str:
        found = self._passwords().get(role)
        if found is None:
            msg = f"No password for {role} in {self.passfile}: run `python -m geo.store.cluster start --dir {self.data_dir}`."
            raise StoreError(msg)
        return found

    def _url(self, role: str, db: str, *, with_password: bool) -> str:
        who = f"{role}:{quote(self._password(role), safe='')}" if with_password else role
        query = "" if with_password else f"?passfile={quote(str(self.passfile), safe='/')}"
        return f"postgresql://{who}@{HOST}:{self.port}/{quote(db, safe='')}{query}"

    def owner_url(self, db: str, *, with_password: bool = False) -> str:
        """Return the URL the schema owner (migrations) connects with.

        Parameters
        ----------
        db
            Database name.
        with_password
            Put the password in the URL (tests); by default the URL names the password file instead (safe to print).

        Returns
        -------
        str
            A ``postgresql://`` URL on 127.0.0.1.
        """
        return self._url(OWNER_ROLE, db, with_password=with_password)

    def app_url(self, db: str, *, with_password: bool = False) -> str:
        """Return the URL the app connects with (the ``PARKMAP_STORE`` value).

        Parameters
        ----------
        db
            Database name.
        with_password
            Put the password in the URL (tests); by default the URL names the password file instead (safe to print).

        Returns
        -------
        str
            A ``postgresql://`` URL on 127.0.0.1.
        """
        return self._url(APP_ROLE, db, with_password=with_password)

    def superuser_url(self, db: str = "postgres", *, with_password: bool = False) -> str:
        """Return the bootstrap superuser's URL (administration and tests only).

        Parameters
        ----------
        db
            Database name.
        with_password
            Put the password in the URL; by default the URL names the password file instead.

        Returns
        -------
        str
            A ``postgresql://`` URL on 127.0.0.1.
        """
        return self._url(SUPERUSER, db, with_password=with_password)

    # -- roles and databases ----------------------------------------------------------------

    def _bootstrap_superuser_password(self) -> None:
        """Set the superuser's password over the socket (peer login), the only time the socket is needed."""
        self.start()
        with psycopg.connect(host=str(self.socket_dir), port=self.port, user=SUPERUSER, dbname="postgres", autocommit=True) as conn:
            self._set_password(conn, SUPERUSER, self._password(SUPERUSER))

    @staticmethod
    def _set_password(conn: psycopg.Connection, role: str, password: str) -> None:
        # The SCRAM verifier is computed here, so the password itself never reaches the server or its log.
        verifier = conn.pgconn.encrypt_password(password.encode(), role.encode(), b"scram-sha-256").decode()
        conn.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(sql.Identifier(role), sql.Literal(verifier)))

    @contextlib.contextmanager
    def admin(self, db: str = "postgres") -> Iterator[psycopg.Connection]:
        """Yield an autocommit superuser connection over TCP.

        Parameters
        ----------
        db
            Database to connect to.

        Yields
        ------
        psycopg.Connection
            Closed on exit.
        """
        with psycopg.connect(self.superuser_url(db, with_password=True), autocommit=True) as conn:
            yield conn

    def ensure_roles(self) -> None:
        """Create (or repair) ``parkmap_owner`` and ``parkmap_app`` with their attributes and the passwords in the password file."""
        passwords = self._passwords()
        attributes = "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOREPLICATION"
        with self.admin() as conn:
            for role in (OWNER_ROLE, APP_ROLE):
                exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
                verb = "ALTER" if exists else "CREATE"
                conn.execute(sql.SQL(f"{verb} ROLE {{}} {attributes}").format(sql.Identifier(role)))
                passwords.setdefault(role, secrets.token_urlsafe(24))
                self._write_passwords(passwords)
                self._set_password(conn, role, passwords[role])

    def _ensure_template(self, conn: psycopg.Connection) -> None:
        row = conn.execute("SELECT datallowconn FROM pg_database WHERE datname = %s", (TEMPLATE_DB,)).fetchone()
        if row is not None and not row[0]:
            return  # built and sealed
        if row is not None:  # a half-built template from an interrupted run
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(TEMPLATE_DB)))
        conn.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(sql.Identifier(TEMPLATE_DB), sql.Identifier(OWNER_ROLE)))
        with self.admin(TEMPLATE_DB) as template:
            template.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        ident = sql.Identifier(TEMPLATE_DB)
        conn.execute(sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC").format(ident))
        conn.execute(sql.SQL("ALTER DATABASE {} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false").format(ident))

    def create_database(self, name: str, *, exists_ok: bool = False) -> bool:
        """Create database ``name`` with PostGIS, owned by ``parkmap_owner``, which ``parkmap_app`` may connect to.

        It is cloned from ``parkmap_template`` (made on first use), so it is fast enough for one per test.

        Parameters
        ----------
        name
            Lower-case letters, digits and ``_``.
        exists_ok
            Leave an existing database as it is (its grants are renewed) instead of raising.

        Returns
        -------
        bool
            False when it existed already.
        """
        if not _NAME.match(name) or name in ("postgres", TEMPLATE_DB, "template0", "template1"):
            msg = f"Database name {name!r} is not allowed: use lower-case letters, digits and _ (not a system name)."
            raise StoreError(msg)
        ident = sql.Identifier(name)
        with self.admin() as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is not None
            if exists and not exists_ok:
                msg = f"The database {name} exists already on {HOST}:{self.port}."
                raise StoreError(msg)
            if not exists:
                self._ensure_template(conn)
                template = sql.Identifier(TEMPLATE_DB)
                owner = sql.Identifier(OWNER_ROLE)
                conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {} OWNER {} STRATEGY FILE_COPY").format(ident, template, owner))
            conn.execute(sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC").format(ident))
            conn.execute(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(ident, sql.Identifier(APP_ROLE)))
        return not exists

    def drop_database(self, name: str) -> None:
        """Drop database ``name`` if it exists, ending every connection to it.

        Parameters
        ----------
        name
            The database.
        """
        with self.admin() as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@contextlib.contextmanager
def throwaway_cluster(*, bindir: Path | None = None) -> Iterator[Cluster]:
    """Yield a started throwaway cluster with its roles, in a new temporary folder on a free port; removed on exit.

    Parameters
    ----------
    bindir
        PostgreSQL's program folder (default: found with pg_config).

    Yields
    ------
    Cluster
        Running, roles made.
    """
    find_bindir(bindir)  # before making anything: a missing install is said first
    cluster = Cluster(Path(tempfile.mkdtemp(prefix="parkmap-pg-")), free_port(), throwaway=True, bindir=bindir)
    try:
        cluster.start()
        cluster.ensure_roles()
        yield cluster
    finally:
        cluster.remove()


# -- command line ---------------------------------------------------------------------------


def _migrate(cluster: Cluster, db: str) -> None:
    cmd = [sys.executable, "-m", "geo.store.postgis", "upgrade", "--url", cluster.owner_url(db), "--app-role", APP_ROLE]
    if subprocess.run(cmd, cwd=paths.PROJECT_DIR, check=False).returncode:
        msg = f"The schema migration of database {db} failed (see above); the server keeps running."
        raise StoreError(msg)


def _cmd_start(cluster: Cluster, db: str) -> None:
    fresh = not cluster.initialised()
    started = cluster.start()
    cluster.ensure_roles()
    cluster.create_database(db, exists_ok=True)
    state = "created and started" if fresh else ("started" if started else "already running")
    print(f"PostgreSQL + PostGIS in {cluster.data_dir}: {state}, on {HOST}:{cluster.port} (loopback only).")
    _migrate(cluster, db)
    print("Use it with:")
    print(f"PARKMAP_STORE='{cluster.app_url(db)}'")


def _cmd_throwaway(command: list[str]) -> int:
    if not command:
        msg = "Give the command to run after --, e.g. python -m geo.store.cluster throwaway -- pytest"
        raise StoreError(msg)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so the cluster is removed on kill too
    with throwaway_cluster() as cluster:
        env = os.environ | {TEST_ENV_VAR: cluster.superuser_url()}
        try:
            return subprocess.run(command, env=env, check=False).returncode
        except KeyboardInterrupt:
            return 130


def main(argv: list[str] | None = None) -> int:
    """Run ``python -m geo.store.cluster start|stop|status|url|throwaway``.

    Parameters
    ----------
    argv
        Arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        The exit code.
    """
    parser = argparse.ArgumentParser(prog="python -m geo.store.cluster", description="The project's local PostgreSQL + PostGIS server.")
    parser.add_argument("action", choices=["start", "stop", "status", "url", "throwaway"])
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="cluster folder (default data/postgres)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"TCP port on {HOST} (default {DEFAULT_PORT})")
    parser.add_argument("--db", default=DEFAULT_DB, help=f"database (default {DEFAULT_DB})")
    parser.add_argument("--role", choices=["app", "owner", "superuser"], default="app", help="whose URL `url` prints")
    argv = sys.argv[1:] if argv is None else argv
    command = argv[argv.index("--") + 1 :] if "--" in argv else []
    args = parser.parse_args(argv[: argv.index("--")] if "--" in argv else argv)
    try:
        if args.action == "throwaway":
            return _cmd_throwaway(command)
        cluster = Cluster(args.dir, args.port)
        if args.action == "start":
            _cmd_start(cluster, args.db)
        elif args.action == "stop":
            print(
                f"Stopped the database server in {cluster.data_dir}."
                if cluster.stop()
                else f"The database server in {cluster.data_dir} was not running."
            )
        elif args.action == "status":
            state = cluster.status()
            print(f"{cluster.data_dir}: {state}" + (f" on {HOST}:{cluster.port}" if state == "running" else ""))
            return 0 if state == "running" else 3
        else:
            url = {"app": cluster.app_url, "owner": cluster.owner_url, "superuser": cluster.superuser_url}[args.role](args.db)
            print(f"PARKMAP_STORE='{url}'" if args.role == "app" else url)
    except StoreError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
