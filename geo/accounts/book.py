"""Where accounts and the audit log are kept, beside the store they guard.

For a GeoPackage store ``X.gpkg`` the book is the SQLite file
``X.accounts.sqlite`` next to it (the GeoPackage stays a plain GeoPackage
that QGIS opens); for a PostGIS store it is the tables ``parkmap.accounts``
and ``parkmap.audit_log`` in the same database (:mod:`geo.accounts.pgbook`).

The audit log is append-only: in SQLite, triggers abort any UPDATE or DELETE
on it; in PostgreSQL the app's role is granted INSERT and SELECT only.
An account change and its audit row are written in one transaction.

Examples
--------
>>> book = open_book()  # beside PARKMAP_STORE
>>> book.add(Account("keqiao_wang", "county", county="330603"), hash_password(pw), by=SYSTEM)
>>> book.events()[-1].action
'add_account'
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final, Protocol, runtime_checkable

from geo.accounts import Account, Role, require
from geo.errors import AccountError

AUDIT_ACTIONS: Final = {
    "submit": "报送",
    "approve": "通过",
    "return": "退回",
    "save_snapshot": "导入",
    "rollback": "撤回",
    "restore": "恢复",
    "restore_backup": "从备份恢复数据库",
    "edit_quotas": "修改区县目标",
    "edit_plan": "新建或修改规划",
    "add_account": "新建账户",
    "disable_account": "停用账户",
    "enable_account": "启用账户",
    "reset_password": "重设密码",
    "change_account": "修改账户",
}
SUFFIX: Final = ".accounts.sqlite"


@dataclass(frozen=True)
class AuditEvent:
    """One write, as the audit log keeps it.

    Attributes
    ----------
    action
        A key of :data:`AUDIT_ACTIONS`.
    account
        The account that made the write (its sign-in name).
    target
        What was written: ``submission #12``, ``snapshot #3``, ``account keqiao_wang``...
    county
        The county the write concerns, if one.
    summary
        One line for people.
    before, after
        For small edits, the values before and after (JSON objects); None otherwise.
    at
        When (UTC); set by the book when None.
    event_id
        Set by the book.
    """

    action: str
    account: str
    target: str
    county: str | None = None
    summary: str = ""
    before: Mapping[str, Any] | None = None
    after: Mapping[str, Any] | None = None
    at: datetime | None = None
    event_id: int | None = field(default=None, compare=False)


@runtime_checkable
class AccountBook(Protocol):
    """Accounts and the audit log; every implementation provides this."""

    def get(self, name: str) -> Account | None:
        """Return the account called ``name``, or None.

        Parameters
        ----------
        name
            The sign-in name.

        Returns
        -------
        Account or None
            The account.
        """
        ...

    def accounts(self) -> list[Account]:
        """Return every account, by name.

        Returns
        -------
        list of Account
            Disabled ones included.
        """
        ...

    def password_hash(self, name: str) -> str | None:
        """Return the stored password hash of ``name`` (None: no such account or no password).

        Parameters
        ----------
        name
            The sign-in name.

        Returns
        -------
        str or None
            The Argon2 hash.
        """
        ...

    def add(self, account: Account, password_hash: str | None, *, by: Account) -> Account:
        """Create ``account``; refuse a name already taken.

        Parameters
        ----------
        account
            The new account.
        password_hash
            From :func:`geo.accounts.passwords.hash_password`; None for an OIDC-only account.
        by
            Who creates it.

        Returns
        -------
        Account
            As stored.
        """
        ...

    def set_disabled(self, name: str, disabled: bool, *, by: Account) -> Account:
        """Disable or enable an account.

        Parameters
        ----------
        name
            The account.
        disabled
            True to disable.
        by
            Who changes it.

        Returns
        -------
        Account
            After the change.
        """
        ...

    def set_password_hash(self, name: str, password_hash: str, *, by: Account) -> Account:
        """Replace an account's password hash.

        Parameters
        ----------
        name
            The account.
        password_hash
            The new hash.
        by
            Who changes it (the account itself on a rehash at sign-in).

        Returns
        -------
        Account
            The account.
        """
        ...

    def log(self, event: AuditEvent) -> AuditEvent:
        """Append ``event`` to the audit log.

        Parameters
        ----------
        event
            The write to record.

        Returns
        -------
        AuditEvent
            With its id and time.
        """
        ...

    def events(self) -> list[AuditEvent]:
        """Return the audit log, oldest first.

        Returns
        -------
        list of AuditEvent
            Every event.
        """
        ...


def utc_text(moment: datetime | None = None) -> str:
    """Return ``moment`` (default now) as UTC ISO-8601 text with seconds.

    Parameters
    ----------
    moment
        An aware datetime, or None for now.

    Returns
    -------
    str
        ``2024-07-11T02:30:00+00:00``.
    """
    return (moment or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")


def dumps(value: Mapping[str, Any] | None) -> str | None:
    """Return ``value`` as compact JSON text (keys sorted, Chinese kept), or None.

    Parameters
    ----------
    value
        A JSON object, or None.

    Returns
    -------
    str or None
        The JSON text.
    """
    return None if value is None else json.dumps(dict(value), ensure_ascii=False, sort_keys=True, default=str)


def account_from_row(name: str, role: str, county: str | None, display_name: str | None, disabled: Any) -> Account:
    """Return the :class:`Account` a stored row describes.

    Parameters
    ----------
    name, role, county, display_name, disabled
        The row's columns.

    Returns
    -------
    Account
        The account.
    """
    checked: Role = role  # type: ignore[assignment]  # Account checks it
    return Account(name, checked, county or None, display_name or "", bool(disabled))


def event_from_row(row: tuple[Any, ...]) -> AuditEvent:
    """Return the :class:`AuditEvent` of a row ``(id, at, account, action, target, county, summary, before, after)``.

    Parameters
    ----------
    row
        The stored columns.

    Returns
    -------
    AuditEvent
        The event.
    """
    event_id, at, account, action, target, county, summary, before, after = row
    moment = at if isinstance(at, datetime) else datetime.fromisoformat(str(at))
    return AuditEvent(action, account, target, county, summary or "", _loads(before), _loads(after), moment, event_id)


def _loads(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    return dict(value) if isinstance(value, Mapping) else json.loads(value)


def account_event(action: str, account: Account, *, by: Account, before: Account | None = None) -> AuditEvent:
    """Return the audit event of an account change.

    Parameters
    ----------
    action
        ``add_account``, ``disable_account``, ``enable_account``, ``reset_password``.
    account
        The account after the change.
    by
        Who changed it.
    before
        The account before, for a change.

    Returns
    -------
    AuditEvent
        Without its id and time.
    """

    def shown(a: Account | None) -> dict[str, Any] | None:
        return None if a is None else {"role": a.role, "county": a.county, "display_name": a.display_name, "disabled": a.disabled}

    return AuditEvent(action, by.name, f"account {account.name}", account.county, AUDIT_ACTIONS[action], shown(before), shown(account))


_SQLITE_DDL: Final = (
    """CREATE TABLE IF NOT EXISTS accounts (
        name TEXT PRIMARY KEY NOT NULL, role TEXT NOT NULL, county TEXT, display_name TEXT NOT NULL DEFAULT '',
        password_hash TEXT, disabled INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL, updated_at TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS audit_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, at TEXT NOT NULL, account TEXT NOT NULL, action TEXT NOT NULL,
        target TEXT NOT NULL, county TEXT, summary TEXT NOT NULL DEFAULT '', before_json TEXT, after_json TEXT)""",
    """CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
    """CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
)
_COLUMNS: Final = "name, role, county, display_name, disabled"
_EVENT_COLUMNS: Final = "id, at, account, action, target, county, summary, before_json, after_json"


class SqliteAccountBook:
    """Accounts and audit log in a small SQLite file beside a GeoPackage store.

    Parameters
    ----------
    path
        The ``.accounts.sqlite`` file; created by the first write. Until
        then the book reads as empty.
    """

    def __init__(self, path: str | Path) -> None:
        self._path = Path(path).expanduser().resolve()

    @property
    def location(self) -> Path:
        """The SQLite file."""
        return self._path

    def __repr__(self) -> str:
        return f"SqliteAccountBook({str(self._path)!r})"

    @contextlib.contextmanager
    def _connect(self, *, write: bool) -> Iterator[sqlite3.Connection | None]:
        if not write and not self._path.exists():
            yield None
            return
        self._path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self._path, timeout=30.0, isolation_level=None)
        try:
            if write:
                conn.execute("BEGIN IMMEDIATE")
                for ddl in _SQLITE_DDL:
                    conn.execute(ddl)
            try:
                yield conn
            except BaseException:
                if write:
                    conn.execute("ROLLBACK")
                raise
            if write:
                conn.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            msg = f"账户库 {self._path} 无法读取或写入（{exc}）。"
            raise AccountError(msg) from exc
        finally:
            conn.close()

    def get(self, name: str) -> Account | None:
        """Return the account called ``name``, or None.

        Parameters
        ----------
        name
            The sign-in name.

        Returns
        -------
        Account or None
            The account.
        """
        with self._connect(write=False) as conn:
            row = None if conn is None else _fetch_one(conn, f"SELECT {_COLUMNS} FROM accounts WHERE name = ?", (name,))
        return None if row is None else account_from_row(*row)

    def accounts(self) -> list[Account]:
        """Return every account, by name.

        Returns
        -------
        list of Account
            Disabled ones included.
        """
        with self._connect(write=False) as conn:
            rows = [] if conn is None else _fetch_all(conn, f"SELECT {_COLUMNS} FROM accounts ORDER BY name")
        return [account_from_row(*row) for row in rows]

    def password_hash(self, name: str) -> str | None:
        """Return the stored password hash of ``name`` (None: no such account or no password).

        Parameters
        ----------
        name
            The sign-in name.

        Returns
        -------
        str or None
            The Argon2 hash.
        """
        with self._connect(write=False) as conn:
            row = None if conn is None else _fetch_one(conn, "SELECT password_hash FROM accounts WHERE name = ?", (name,))
        return None if row is None else row[0]

    def add(self, account: Account, password_hash: str | None, *, by: Account) -> Account:
        """Create ``account``; refuse a name already taken.

        Parameters
        ----------
        account
            The new account.
        password_hash
            The Argon2 hash; None for an OIDC-only account.
        by
            Who creates it.

        Returns
        -------
        Account
            As stored.
        """
        require(by, "manage_accounts")
        now = utc_text()
        with self._connect(write=True) as conn:
            assert conn is not None
            if _fetch_one(conn, "SELECT 1 FROM accounts WHERE name = ?", (account.name,)):
                msg = f"账户 {account.name} 已存在；要改密码请用 reset-password，要停用请用 disable。"
                raise AccountError(msg)
            conn.execute(
                "INSERT INTO accounts (name, role, county, display_name, password_hash, disabled, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (account.name, account.role, account.county, account.display_name, password_hash, int(account.disabled), now, now),
            )
            _insert_event(conn, account_event("add_account", account, by=by), now)
        return account

    def set_disabled(self, name: str, disabled: bool, *, by: Account) -> Account:
        """Disable or enable an account.

        Parameters
        ----------
        name
            The account.
        disabled
            True to disable.
        by
            Who changes it.

        Returns
        -------
        Account
            After the change.
        """
        require(by, "manage_accounts")
        now = utc_text()
        with self._connect(write=True) as conn:
            assert conn is not None
            before = self._existing(conn, name)
            conn.execute("UPDATE accounts SET disabled = ?, updated_at = ? WHERE name = ?", (int(disabled), now, name))
            after = Account(before.name, before.role, before.county, before.display_name, disabled)
            action = "disable_account" if disabled else "enable_account"
            _insert_event(conn, account_event(action, after, by=by, before=before), now)
        return after

    def set_password_hash(self, name: str, password_hash: str, *, by: Account) -> Account:
        """Replace an account's password hash.

        Parameters
        ----------
        name
            The account.
        password_hash
            The new hash.
        by
            Who changes it.

        Returns
        -------
        Account
            The account.
        """
        if by.name != name:  # an account renews its own hash at sign-in; anything else is the city's
            require(by, "manage_accounts")
        now = utc_text()
        with self._connect(write=True) as conn:
            assert conn is not None
            account = self._existing(conn, name)
            conn.execute("UPDATE accounts SET password_hash = ?, updated_at = ? WHERE name = ?", (password_hash, now, name))
            _insert_event(conn, account_event("reset_password", account, by=by), now)
        return account

    def log(self, event: AuditEvent) -> AuditEvent:
        """Append ``event`` to the audit log.

        Parameters
        ----------
        event
            The write to record.

        Returns
        -------
        AuditEvent
            With its id and time.
        """
        now = utc_text(event.at)
        with self._connect(write=True) as conn:
            assert conn is not None
            event_id = _insert_event(conn, event, now)
        return AuditEvent(event.action, event.account, event.target, event.county, event.summary, event.before, event.after,
                          datetime.fromisoformat(now), event_id)  # fmt: skip

    def events(self) -> list[AuditEvent]:
        """Return the audit log, oldest first.

        Returns
        -------
        list of AuditEvent
            Every event.
        """
        with self._connect(write=False) as conn:
            rows = [] if conn is None else _fetch_all(conn, f"SELECT {_EVENT_COLUMNS} FROM audit_log ORDER BY id")
        return [event_from_row(row) for row in rows]

    def _existing(self, conn: sqlite3.Connection, name: str) -> Account:
        row = _fetch_one(conn, f"SELECT {_COLUMNS} FROM accounts WHERE name = ?", (name,))
        if row is None:
            msg = f"没有名为 {name} 的账户（python -m geo.accounts list 列出全部账户）。"
            raise AccountError(msg)
        return account_from_row(*row)


def _fetch_one(conn: sqlite3.Connection, sql: str, params: tuple[Any, ...] = ()) -> tuple[Any, ...] | None:
    row: tuple[Any, ...] | None = conn.execute(sql, params).fetchone()
    return row


def _fetch_all(conn: sqlite3.Connection, sql: str) -> list[tuple[Any, ...]]:
    return list(conn.execute(sql).fetchall())


def _insert_event(conn: sqlite3.Connection, event: AuditEvent, now: str) -> int:
    cursor = conn.execute(
        "INSERT INTO audit_log (at, account, action, target, county, summary, before_json, after_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (now, event.account, event.action, event.target, event.county, event.summary, dumps(event.before), dumps(event.after)),
    )
    return int(cursor.lastrowid or 0)


def book_location(store_location: str | Path) -> str | Path:
    """Return where the book of the store at ``store_location`` is.

    Parameters
    ----------
    store_location
        A GeoPackage path or a database URL.

    Returns
    -------
    str or Path
        ``X.accounts.sqlite`` beside ``X.gpkg``; the same URL for a database.
    """
    if isinstance(store_location, str) and "://" in store_location:
        return store_location
    path = Path(store_location)
    return path.with_name(path.stem + SUFFIX)


def open_book(store_location: str | Path | None = None) -> AccountBook:
    """Return the account book of the store at ``store_location`` (default: ``PARKMAP_STORE``).

    Parameters
    ----------
    store_location
        A GeoPackage path or a ``postgresql://`` URL.

    Returns
    -------
    AccountBook
        The book (nothing is created before the first write).
    """
    if store_location is None:
        from geo.store import store_location as default_location

        store_location = default_location()
    where = book_location(store_location)
    if isinstance(where, str):
        from geo.accounts.pgbook import PostgresAccountBook

        return PostgresAccountBook(where)
    return SqliteAccountBook(where)
