"""The PostGIS snapshot store: the same store as the GeoPackage file, in a shared PostgreSQL + PostGIS database.

Chosen by ``PARKMAP_STORE=postgresql://user:password@host:port/database``.
The public methods are the GeoPackage store's own (:mod:`geo.store.base`,
:mod:`geo.store.review`); this package provides connections, transactions
and SQL: :mod:`~geo.store.postgis.migrations` (the ``parkmap`` schema, in
versions), :mod:`~geo.store.postgis.rows` (snapshots and their rows, written
with ``COPY``), :mod:`~geo.store.postgis.submissions` and
:mod:`~geo.store.postgis.connect` (pools, masked URLs, errors).

How writes stay safe
--------------------
Every change (a save, a submission, a review, a rollback) is one
transaction: rows, metadata and audit events commit together or not at all.
Writers are serialised by a transaction-level advisory lock
(``pg_advisory_xact_lock``), so two counties submitting at once cannot both
pass the duplicate-file check or interleave; a writer waits for it up to
``lock_timeout_s`` and then gives up in words. Readers take no lock: each
read runs in one ``REPEATABLE READ READ ONLY`` transaction, a consistent
view that a writer never blocks.

Opening
-------
Opening a store costs no new connection after the first (one pool per URL
per process, :func:`~geo.store.postgis.connect.pool_for`). The first open
of a URL checks the schema version: the newest is used as is; an older one
is migrated when the role may (the database's owner) and is otherwise
refused with what to run; a newer one is refused.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Final

import psycopg
from psycopg_pool import PoolTimeout

from geo.accounts import Account
from geo.errors import StoreError
from geo.store.base import SnapshotMethods
from geo.store.postgis import migrations as migrations
from geo.store.postgis import rows as rows
from geo.store.postgis import submissions as submissions
from geo.store.postgis.connect import close_pool, close_pools, connection_error, masked_url, pool_for, scrub
from geo.store.review import SubmissionMethods

__all__ = ["PostgisStore", "close_pool", "close_pools"]

WRITE_LOCK_KEY: Final = 0x70_6B_77_72_69_74  # "pkwrit": one writer at a time per database
SYSTEM_ACTING: Final = ("system", "", "system")  # the command line, the sample loader: no account signed in
_CHECKED: set[str] = set()  # URLs whose schema was found current by this process


class PostgisStore(SnapshotMethods, SubmissionMethods):
    """Snapshots of parks and enterprises, and county submissions, in a PostGIS database.

    Parameters
    ----------
    url
        ``postgresql://user:password@host:port/database`` (the password may
        also come from a ``passfile`` parameter or ``~/.pgpass``).
    lock_timeout_s
        How long a write waits for another one to finish before giving up
        with a :class:`~geo.errors.StoreError`.

    Notes
    -----
    Input and output GeoDataFrames are in WGS-84 (EPSG:4326), as in the GeoPackage store.
    """

    _rows = rows
    _subs = submissions

    def __init__(self, url: str, *, lock_timeout_s: float = 120.0) -> None:
        self._url = url
        self._lock_timeout_s = lock_timeout_s
        self._pool = pool_for(url)
        self._acting: tuple[str, str, str] = SYSTEM_ACTING
        if url not in _CHECKED:
            self._check_schema()
            _CHECKED.add(url)

    def for_account(self, account: Account) -> PostgisStore:
        """Return this store writing as ``account``: row-level security in the database then applies its role and county.

        Every write transaction declares the account (``parkmap.role``,
        ``parkmap.county``, ``parkmap.account``, local to the transaction), and
        the schema's policies refuse what the role may not write, whatever
        the caller checked before. The plain store writes as ``system``.

        Parameters
        ----------
        account
            The signed-in account.

        Returns
        -------
        PostgisStore
            A store on the same pool.
        """
        bound = PostgisStore(self._url, lock_timeout_s=self._lock_timeout_s)
        role = "none" if account.disabled else account.role
        bound._acting = (role, account.county or "", account.name)
        return bound

    @property
    def location(self) -> str:
        """The database URL with its password masked (``postgresql://parkmap_app:***@127.0.0.1:54329/parkmap``)."""
        return masked_url(self._url)

    def __repr__(self) -> str:
        return f"PostgisStore({self.location!r})"

    # ------------------------------------------------------------ internals

    def _check_schema(self) -> None:
        with self._connection() as conn:
            version = migrations.current_version(conn)
            stale = version == migrations.HEAD and any(migrations.missing_columns(conn).values())
            owner = migrations.can_migrate(conn)
            conn.rollback()
        if version > migrations.HEAD:
            raise migrations.newer_error(version)
        if version == migrations.HEAD and not stale:
            return
        if not owner:
            raise migrations.behind_error(version)
        migrations.upgrade(self._url, app_role=_app_role_or_none(self._url))

    @contextlib.contextmanager
    def _connection(self) -> Iterator[psycopg.Connection]:
        try:
            with self._pool.connection() as conn:
                yield conn
        except PoolTimeout as exc:
            raise connection_error(exc, self._url) from None
        except psycopg.Error as exc:
            if not _lost_connection(exc):
                raise
            raise connection_error(exc, self._url) from None

    @contextlib.contextmanager
    def _reading(self) -> Iterator[psycopg.Connection]:
        with self._connection() as conn:
            try:
                with conn.transaction():
                    conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                    yield conn
            except psycopg.Error as exc:
                if _lost_connection(exc):
                    raise
                msg = f"Cannot read the store {self.location}: {scrub(str(exc), self._url)}. 数据库无法读取；数据未改动。"
                raise StoreError(msg) from None

    @contextlib.contextmanager
    def _writing(self) -> Iterator[psycopg.Connection]:
        with self._connection() as conn:
            try:
                with conn.transaction():
                    conn.execute(f"SET LOCAL lock_timeout = '{int(self._lock_timeout_s * 1000)}ms'")
                    conn.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK_KEY,))
                    declare_acting(conn, *self._acting)
                    yield conn
            except psycopg.errors.LockNotAvailable:
                msg = (
                    f"The store {self.location} is busy: another import has been writing for more than "
                    f"{self._lock_timeout_s:g} s. Wait for it to finish and try again."
                )
                raise StoreError(msg) from None
            except psycopg.errors.InsufficientPrivilege as exc:
                msg = f"数据库用户没有写入权限（{scrub(str(exc), self._url).strip()}）；数据未改动。请检查 PARKMAP_STORE 使用的用户。"
                raise StoreError(msg) from None
            except psycopg.Error as exc:
                if _lost_connection(exc):
                    raise
                msg = f"Could not write to the store {self.location}: {scrub(str(exc), self._url).strip()}. Nothing was changed."
                raise StoreError(msg) from None


def declare_acting(conn: psycopg.Connection, role: str, county: str, account: str) -> None:
    """Declare, for the rest of the current transaction only, who writes (read by the row-level security policies).

    Parameters
    ----------
    conn
        A connection inside a transaction.
    role
        ``city``, ``county``, ``viewer``, ``system`` or ``none``.
    county
        The county's adcode for a county account, else blank.
    account
        The account's sign-in name.
    """
    conn.execute(
        "SELECT set_config(%s, %s, true), set_config(%s, %s, true), set_config(%s, %s, true)",
        (migrations.ACTING_ROLE, role, migrations.ACTING_COUNTY, county, migrations.ACTING_ACCOUNT, account),
    )


def _lost_connection(exc: psycopg.Error) -> bool:
    """True for a failure of the connection itself (server gone, restarted, unreachable), not of a statement."""
    state = exc.sqlstate or ""
    return isinstance(exc, psycopg.OperationalError) and (not state or state.startswith(("08", "57P")))


def _app_role_or_none(url: str) -> str | None:
    """The app's role to grant rights to after an automatic upgrade, when the cluster has it."""
    try:
        with psycopg.connect(url, connect_timeout=5) as conn:
            found = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (migrations.APP_ROLE,)).fetchone()
    except psycopg.Error as exc:
        raise connection_error(exc, url) from None
    return migrations.APP_ROLE if found else None
