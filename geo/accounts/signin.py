"""How people sign in: turned off, local accounts, or an identity provider (OIDC).

``PARKMAP_SIGNIN`` chooses:

``off``
    Nobody signs in; everyone is :data:`geo.accounts.SINGLE_USER` (a city
    account) and the app says so. The default for a GeoPackage store
    (``make run`` on one laptop).
``local``
    Accounts of the :mod:`geo.accounts.book`, passwords checked against
    their Argon2 hashes. The default for a PostGIS store (a shared server on
    an intranet without an identity provider).
``oidc``
    Streamlit's own ``st.login`` (configured in ``.streamlit/secrets.toml``);
    the role and county come from the claims named by
    ``PARKMAP_OIDC_ROLE_CLAIM`` (default ``parkmap_role``) and
    ``PARKMAP_OIDC_COUNTY_CLAIM`` (default ``parkmap_county``); an account of
    the book with the same name, if any, overrides them (and can disable it).

Failed sign-ins are counted per name: after :data:`MAX_FAILURES` in a row
the name is locked for :data:`LOCK_SECONDS`. The message never says whether
the name exists.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Mapping
from typing import Any, Final, Literal

from geo.accounts import SINGLE_USER, Account
from geo.accounts import passwords as pw
from geo.accounts.book import AccountBook
from geo.errors import AccountError

Mode = Literal["off", "local", "oidc"]
MODES: Final[tuple[Mode, ...]] = ("off", "local", "oidc")
MODE_ENV_VAR: Final = "PARKMAP_SIGNIN"
ROLE_CLAIM_ENV_VAR: Final = "PARKMAP_OIDC_ROLE_CLAIM"
COUNTY_CLAIM_ENV_VAR: Final = "PARKMAP_OIDC_COUNTY_CLAIM"
MAX_FAILURES: Final = 5
LOCK_SECONDS: Final = 60.0
_WRONG: Final = "账户名或密码不对。"

_failures: dict[str, tuple[int, float]] = {}
_failures_lock = threading.Lock()


def mode(store_location: object) -> Mode:
    """Return the sign-in mode: ``PARKMAP_SIGNIN`` if set, else ``local`` for a database store and ``off`` for a file.

    Parameters
    ----------
    store_location
        The store's location (a path, or a URL).

    Returns
    -------
    str
        ``off``, ``local`` or ``oidc``.

    Raises
    ------
    AccountError
        ``PARKMAP_SIGNIN`` holds something else.
    """
    value = os.environ.get(MODE_ENV_VAR, "").strip().lower()
    if not value:
        return "local" if isinstance(store_location, str) and "://" in store_location else "off"
    if value not in MODES:
        msg = f"{MODE_ENV_VAR}={value!r} 不可用：可选 off（不登录）、local（本地账户）、oidc（统一身份认证）。"
        raise AccountError(msg)
    chosen: Mode = value  # type: ignore[assignment]  # checked above
    return chosen


def sign_in(book: AccountBook, name: str, password: str, *, now: float | None = None) -> Account:
    """Return the account when ``password`` is right for ``name``; rehash an old hash on the way.

    Parameters
    ----------
    book
        The account book.
    name
        The sign-in name as typed (surrounding spaces ignored).
    password
        The password as typed.
    now
        The clock (seconds, monotonic); for tests.

    Returns
    -------
    Account
        The signed-in account.

    Raises
    ------
    AccountError
        Wrong name or password (the same words for both), a disabled account,
        or a name locked after too many failures.
    """
    name = name.strip()
    moment = time.monotonic() if now is None else now
    with _failures_lock:
        count, since = _failures.get(name, (0, moment))
        if count >= MAX_FAILURES and moment - since < LOCK_SECONDS:
            wait = int(LOCK_SECONDS - (moment - since)) + 1
            msg = f"连续 {count} 次密码错误，该账户已暂时锁定；请 {wait} 秒后再试。"
            raise AccountError(msg)
    stored = book.password_hash(name)
    account = book.get(name)
    if account is None or not pw.verify(stored, password):
        with _failures_lock:
            count, _ = _failures.get(name, (0, moment))
            _failures[name] = (count + 1, moment)
        raise AccountError(_WRONG)
    with _failures_lock:
        _failures.pop(name, None)
    if account.disabled:
        msg = f"账户 {name} 已停用；请联系市经信局。"
        raise AccountError(msg)
    if stored and pw.needs_rehash(stored):
        book.set_password_hash(name, pw.rehash(password), by=account)  # today's settings, same password
    return account


def account_from_claims(claims: Mapping[str, Any], book: AccountBook | None = None) -> Account:
    """Return the account an identity provider's claims describe.

    Parameters
    ----------
    claims
        ``st.user`` as a mapping: ``email`` or ``preferred_username`` or
        ``sub`` names the account; the role and county claims give its rights.
    book
        The account book; an account there with the same name decides the
        role and county (and a disabled one cannot sign in).

    Returns
    -------
    Account
        The account.

    Raises
    ------
    AccountError
        No name in the claims, no or an unknown role, or a disabled account.
    """
    name = str(claims.get("preferred_username") or claims.get("email") or claims.get("sub") or "").strip()
    if not name:
        raise AccountError("统一身份认证没有给出账户名（preferred_username、email 或 sub）。")
    known = book.get(name) if book is not None else None
    if known is not None:
        if known.disabled:
            msg = f"账户 {name} 已停用；请联系市经信局。"
            raise AccountError(msg)
        return known
    role = str(claims.get(os.environ.get(ROLE_CLAIM_ENV_VAR, "parkmap_role"), "") or "").strip()
    county_value = claims.get(os.environ.get(COUNTY_CLAIM_ENV_VAR, "parkmap_county"))
    county = str(county_value).strip() if county_value not in (None, "") else None
    if not role:
        msg = f"统一身份认证没有给出账户 {name} 的角色；请在身份提供方为其设置 {os.environ.get(ROLE_CLAIM_ENV_VAR, 'parkmap_role')}。"
        raise AccountError(msg)
    return Account(name.replace(" ", "_")[:64], role, county)  # type: ignore[arg-type]  # Account checks the role


def signed_out_account(signin_mode: Mode) -> Account | None:
    """Return who someone is before signing in: :data:`SINGLE_USER` when sign-in is off, else nobody.

    Parameters
    ----------
    signin_mode
        From :func:`mode`.

    Returns
    -------
    Account or None
        The account, or None (the page asks to sign in).
    """
    return SINGLE_USER if signin_mode == "off" else None


def forget_failures() -> None:
    """Clear the failed-sign-in counters (tests; an administrator after unlocking)."""
    with _failures_lock:
        _failures.clear()
