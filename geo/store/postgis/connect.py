"""Connections to a PostGIS store: one bounded pool per URL per process, and errors that never show the password.

Streamlit calls :func:`geo.store.open_store` on every rerun, so opening a store
must not open a connection: :func:`pool_for` keeps one
:class:`psycopg_pool.ConnectionPool` per URL for the life of the process
(at most ``PARKMAP_DB_POOL_MAX`` connections, default 5), reused by every
store object on that URL and closed at exit. A request waits for a free
connection rather than opening another, so many page reloads never reach the
server's ``max_connections``.

The URL's password is a secret: :func:`masked_url` is what ``location`` and
``repr`` show, and :func:`connection_error` turns libpq's failures (wrong
password, server down, no such database or user) into a
:class:`~geo.errors.StoreError` in plain words built only from the masked URL.
"""

from __future__ import annotations

import atexit
import os
import threading
from typing import Final
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

import psycopg
from psycopg_pool import ConnectionPool, PoolTimeout

from geo.errors import StoreError

POOL_ENV_VAR: Final = "PARKMAP_DB_POOL_MAX"
DEFAULT_POOL_MAX: Final = 5
CONNECT_TIMEOUT_S: Final = 5
WAIT_TIMEOUT_S: Final = 30.0
_MASK: Final = "***"
_POOLS: dict[str, ConnectionPool] = {}
_POOLS_LOCK = threading.Lock()


def masked_url(url: str) -> str:
    """Return ``url`` with its password (in the user part or a ``password=`` parameter) replaced by ``***``.

    Parameters
    ----------
    url
        A ``postgresql://`` URL.

    Returns
    -------
    str
        The same URL, safe to show and log.
    """
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        user, host = netloc.rsplit("@", 1)
        if ":" in user:
            user = user.split(":", 1)[0] + ":" + _MASK
        netloc = f"{user}@{host}"
    query = parts.query
    if "password" in query:
        pairs = [(k, _MASK if k == "password" else v) for k, v in parse_qsl(query, keep_blank_values=True)]
        query = urlencode(pairs, safe="*/")
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def _secrets(url: str) -> list[str]:
    parts = urlsplit(url)
    found = [v for k, v in parse_qsl(parts.query) if k == "password" and v]
    if parts.password:
        found += [parts.password, unquote(parts.password)]
    return [s for s in found if s]


def scrub(text: str, url: str) -> str:
    """Return ``text`` with every occurrence of the URL's password replaced by ``***``.

    Parameters
    ----------
    text
        A message that may quote the URL or a server's words.
    url
        The URL whose password must not appear.

    Returns
    -------
    str
        The text without the password.
    """
    for secret in _secrets(url):
        text = text.replace(secret, _MASK)
    return text


def _where(url: str) -> tuple[str, str, str]:
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    port = f":{parts.port}" if parts.port else ""
    database = parts.path.lstrip("/") or (parts.username or "")
    return f"{host}{port}", database, parts.username or ""


def connection_error(exc: BaseException, url: str) -> StoreError:
    """Return the planner's message for a failed connection (never holding the password).

    Parameters
    ----------
    exc
        What psycopg or the pool raised.
    url
        The store's URL.

    Returns
    -------
    StoreError
        Says what failed and what to do next.
    """
    server, database, user = _where(url)
    text = str(exc)
    shown = masked_url(url)
    if "password authentication failed" in text or "no password supplied" in text:
        msg = f"数据库拒绝了用户 {user} 的密码（{server}）。请检查 PARKMAP_STORE 中的用户名和密码（{shown}）。"
        msg += f" The database server at {server} refused the password of user {user!r}."
    elif f'database "{database}" does not exist' in text:
        msg = f"数据库服务器 {server} 上没有名为 {database} 的数据库。请运行 make db 创建它，或检查 PARKMAP_STORE（{shown}）。"
        msg += f" There is no database {database!r} on {server}."
    elif "role" in text and "does not exist" in text:
        msg = f"数据库服务器 {server} 上没有用户 {user}。请运行 make db，或检查 PARKMAP_STORE（{shown}）。"
        msg += f" There is no database user {user!r} on {server}."
    elif isinstance(exc, PoolTimeout) or "Connection refused" in text or "could not connect" in text or "timeout" in text:
        msg = f"无法连接数据库服务器 {server}：服务器没有运行或无法访问。本机数据库可用 make db 启动；请检查 PARKMAP_STORE（{shown}）。"
        msg += f" Cannot reach the database server at {server}: is it running?"
    else:
        msg = f"无法连接数据库 {shown}：{scrub(text, url).strip()}"
    return StoreError(msg)


def pool_max() -> int:
    """Return the most connections one process opens per database URL (``PARKMAP_DB_POOL_MAX``, default 5).

    Returns
    -------
    int
        At least 1.
    """
    text = os.environ.get(POOL_ENV_VAR, "").strip()
    if not text:
        return DEFAULT_POOL_MAX
    if not text.isdigit() or int(text) < 1:
        msg = f"{POOL_ENV_VAR} must be a whole number of connections, 1 or more; got {text!r}."
        raise StoreError(msg)
    return int(text)


def pool_for(url: str) -> ConnectionPool:
    """Return the process's pool for ``url``, making it (after one test connection) on first use.

    Parameters
    ----------
    url
        A ``postgresql://`` URL.

    Returns
    -------
    ConnectionPool
        Shared by every store on this URL in this process.

    Raises
    ------
    StoreError
        The server cannot be reached or refuses the login (in plain words, without the password).
    """
    with _POOLS_LOCK:
        pool = _POOLS.get(url)
        if pool is not None and not pool.closed:
            return pool
        try:
            psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT_S).close()
        except psycopg.Error as exc:
            raise connection_error(exc, url) from None
        pool = ConnectionPool(
            url,
            min_size=1,
            max_size=pool_max(),
            kwargs={"connect_timeout": CONNECT_TIMEOUT_S},
            timeout=WAIT_TIMEOUT_S,
            check=ConnectionPool.check_connection,
            name=f"parkmap {masked_url(url)}",
            open=True,
        )
        _POOLS[url] = pool
        return pool


def close_pool(url: str) -> None:
    """Close the pool for ``url`` (its connections end); the next :func:`pool_for` makes a new one.

    Parameters
    ----------
    url
        A URL given to :func:`pool_for`.
    """
    with _POOLS_LOCK:
        pool = _POOLS.pop(url, None)
    if pool is not None:
        pool.close()


def close_pools() -> None:
    """Close every pool of this process (registered to run at exit)."""
    with _POOLS_LOCK:
        pools = list(_POOLS.values())
        _POOLS.clear()
    for pool in pools:
        pool.close()


atexit.register(close_pools)
