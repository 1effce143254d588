"""The account book of a PostGIS store: ``parkmap.accounts`` and ``parkmap.audit_log`` in the same database.

The tables are made by the store's migrations (:mod:`geo.store.postgis.migrations`).
The app's role may read and add accounts and change their state, and may
only INSERT into and SELECT from the audit log: a trigger refuses UPDATE,
DELETE and TRUNCATE on it for every role, its owner included. Connections
come from the store's bounded pool (:func:`geo.store.postgis.connect.pool_for`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Final

import psycopg
from psycopg.types.json import Jsonb

from geo.accounts import Account, require
from geo.accounts.book import AuditEvent, account_event, account_from_row, event_from_row
from geo.errors import AccountError
from geo.store.postgis import declare_acting
from geo.store.postgis.connect import connection_error, masked_url, pool_for

_COLUMNS: Final = "name, role, county, display_name, disabled"
_EVENT_COLUMNS: Final = "id, at, account, action, target, county, summary, before_json, after_json"


class PostgresAccountBook:
    """Accounts and audit log in the PostGIS store's database.

    Parameters
    ----------
    url
        The store's ``postgresql://`` URL.
    """

    def __init__(self, url: str) -> None:
        self._url = url

    @property
    def location(self) -> str:
        """The database URL, password masked."""
        return masked_url(self._url)

    def __repr__(self) -> str:
        return f"PostgresAccountBook({self.location!r})"

    @contextmanager
    def _cursor(self, acting: Account | None = None) -> Iterator[psycopg.Cursor[Any]]:
        """A cursor in one transaction; ``acting``: the account that writes, declared for row-level security."""
        try:
            with pool_for(self._url).connection() as conn, conn.transaction(), conn.cursor() as cur:
                if acting is not None:
                    declare_acting(conn, acting.role if not acting.disabled else "none", acting.county or "", acting.name)
                yield cur
        except psycopg.errors.UndefinedTable as exc:
            msg = f"数据库 {self.location} 还没有账户表：请运行 make db（或 python -m geo.store.postgis upgrade）升级数据库。"
            raise AccountError(msg) from exc
        except psycopg.Error as exc:
            if isinstance(exc, psycopg.OperationalError):
                raise connection_error(exc, self._url) from exc
            msg = f"账户库写入或读取失败：{connection_error(exc, self._url)}"
            raise AccountError(msg) from exc

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
        with self._cursor() as cur:
            row = cur.execute(f"SELECT {_COLUMNS} FROM parkmap.accounts WHERE name = %s", (name,)).fetchone()
        return None if row is None else account_from_row(*row)

    def accounts(self) -> list[Account]:
        """Return every account, by name.

        Returns
        -------
        list of Account
            Disabled ones included.
        """
        with self._cursor() as cur:
            rows = cur.execute(f"SELECT {_COLUMNS} FROM parkmap.accounts ORDER BY name").fetchall()
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
        with self._cursor() as cur:
            row = cur.execute("SELECT password_hash FROM parkmap.accounts WHERE name = %s", (name,)).fetchone()
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
        with self._cursor(by) as cur:
            done = cur.execute(
                "INSERT INTO parkmap.accounts (name, role, county, display_name, password_hash, disabled) "
                "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (name) DO NOTHING",
                (account.name, account.role, account.county, account.display_name, password_hash, account.disabled),
            ).rowcount
            if not done:
                msg = f"账户 {account.name} 已存在；要改密码请用 reset-password，要停用请用 disable。"
                raise AccountError(msg)
            _insert_event(cur, account_event("add_account", account, by=by))
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
        with self._cursor(by) as cur:
            before = _existing(cur, name)
            cur.execute("UPDATE parkmap.accounts SET disabled = %s, updated_at = now() WHERE name = %s", (disabled, name))
            after = Account(before.name, before.role, before.county, before.display_name, disabled)
            _insert_event(cur, account_event("disable_account" if disabled else "enable_account", after, by=by, before=before))
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
        with self._cursor(by) as cur:
            account = _existing(cur, name)
            cur.execute("UPDATE parkmap.accounts SET password_hash = %s, updated_at = now() WHERE name = %s", (password_hash, name))
            _insert_event(cur, account_event("reset_password", account, by=by))
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
        with self._cursor() as cur:
            event_id = _insert_event(cur, event)
            row = cur.execute(f"SELECT {_EVENT_COLUMNS} FROM parkmap.audit_log WHERE id = %s", (event_id,)).fetchone()
        assert row is not None
        return event_from_row(tuple(row))

    def events(self) -> list[AuditEvent]:
        """Return the audit log, oldest first.

        Returns
        -------
        list of AuditEvent
            Every event.
        """
        with self._cursor() as cur:
            rows = cur.execute(f"SELECT {_EVENT_COLUMNS} FROM parkmap.audit_log ORDER BY id").fetchall()
        return [event_from_row(tuple(row)) for row in rows]


def _existing(cur: psycopg.Cursor[Any], name: str) -> Account:
    row = cur.execute(f"SELECT {_COLUMNS} FROM parkmap.accounts WHERE name = %s FOR UPDATE", (name,)).fetchone()
    if row is None:
        msg = f"没有名为 {name} 的账户（python -m geo.accounts list 列出全部账户）。"
        raise AccountError(msg)
    return account_from_row(*row)


def _insert_event(cur: psycopg.Cursor[Any], event: AuditEvent) -> int:
    row = cur.execute(
        "INSERT INTO parkmap.audit_log (at, account, action, target, county, summary, before_json, after_json) "
        "VALUES (coalesce(%s, now()), %s, %s, %s, %s, %s, %s, %s) RETURNING id",
        (event.at, event.account, event.action, event.target, event.county, event.summary,
         None if event.before is None else Jsonb(dict(event.before)), None if event.after is None else Jsonb(dict(event.after))),
    ).fetchone()  # fmt: skip
    assert row is not None
    return int(row[0])
