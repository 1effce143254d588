"""Password hashes for local accounts: Argon2id through ``argon2-cffi`` (no home-made crypto).

Only hashes are stored. :func:`verify` answers True or False and never
raises for a wrong password or a damaged hash; :func:`needs_rehash` says
when the stored hash was made with weaker settings than today's, so the
next sign-in can replace it.
"""

from __future__ import annotations

from typing import Final

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from geo.errors import AccountError

MIN_LENGTH: Final = 10
_HASHER: Final = PasswordHasher()  # argon2-cffi's defaults follow RFC 9106's recommended profile


def check_strength(password: str) -> None:
    """Refuse a password too short or too plain to protect a county's reports.

    Parameters
    ----------
    password
        The new password.

    Raises
    ------
    AccountError
        Shorter than :data:`MIN_LENGTH`, or one repeated character.
    """
    if len(password) < MIN_LENGTH:
        msg = f"密码至少 {MIN_LENGTH} 个字符（现为 {len(password)} 个）。"
        raise AccountError(msg)
    if len(set(password)) < 4:
        msg = "密码过于简单（重复字符）：请混用字母、数字和符号。"
        raise AccountError(msg)


def hash_password(password: str) -> str:
    """Return the Argon2id hash of ``password`` (checked with :func:`check_strength` first).

    Parameters
    ----------
    password
        The password.

    Returns
    -------
    str
        The encoded hash (``$argon2id$...``), salt included.
    """
    check_strength(password)
    return _HASHER.hash(password)


def rehash(password: str) -> str:
    """Return a new hash of a password that already verified, made with today's settings (no strength check: it is in use).

    Parameters
    ----------
    password
        The password just verified.

    Returns
    -------
    str
        The encoded hash.
    """
    return _HASHER.hash(password)


def verify(stored_hash: str | None, password: str) -> bool:
    """Return True when ``password`` matches ``stored_hash``.

    Parameters
    ----------
    stored_hash
        The stored hash; None (no password set) never matches.
    password
        What was typed.

    Returns
    -------
    bool
        Whether it matches.
    """
    if not stored_hash:
        return False
    try:
        return _HASHER.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """Return True when ``stored_hash`` was made with other settings than today's.

    Parameters
    ----------
    stored_hash
        A hash :func:`verify` accepted.

    Returns
    -------
    bool
        Whether to store a new hash.
    """
    try:
        return _HASHER.check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True
