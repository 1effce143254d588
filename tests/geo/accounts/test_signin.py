"""Signing in: the right password only, the same words for a wrong name or password, a lock after repeated failures."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from geo.accounts import SINGLE_USER, SYSTEM, Account, signin
from geo.accounts import passwords as pw
from geo.accounts.book import SqliteAccountBook
from geo.errors import AccountError

KEQIAO = Account("keqiao_wang", "county", county="330603")
SECRET = "Keqiao-2024-report"


@pytest.fixture
def book(tmp_path: Path) -> Iterator[SqliteAccountBook]:
    signin.forget_failures()
    b = SqliteAccountBook(tmp_path / "parkmap.accounts.sqlite")
    b.add(KEQIAO, pw.hash_password(SECRET), by=SYSTEM)
    yield b
    signin.forget_failures()


def test_the_right_password_signs_in_and_a_wrong_name_or_password_get_the_same_words(book: SqliteAccountBook) -> None:
    assert signin.sign_in(book, " keqiao_wang ", SECRET) == KEQIAO
    with pytest.raises(AccountError) as wrong_password:
        signin.sign_in(book, "keqiao_wang", SECRET.lower())
    with pytest.raises(AccountError) as wrong_name:
        signin.sign_in(book, "nobody", SECRET)
    assert str(wrong_password.value) == str(wrong_name.value) == "账户名或密码不对。"


def test_five_failures_lock_the_name_for_a_minute_even_for_the_right_password(book: SqliteAccountBook) -> None:
    for _ in range(signin.MAX_FAILURES):
        with pytest.raises(AccountError, match="不对"):
            signin.sign_in(book, "keqiao_wang", "wrong-password-1", now=100.0)
    with pytest.raises(AccountError, match="暂时锁定"):
        signin.sign_in(book, "keqiao_wang", SECRET, now=130.0)
    assert signin.sign_in(book, "keqiao_wang", SECRET, now=100.0 + signin.LOCK_SECONDS + 1) == KEQIAO


def test_a_disabled_account_cannot_sign_in(book: SqliteAccountBook) -> None:
    book.set_disabled("keqiao_wang", True, by=SYSTEM)
    with pytest.raises(AccountError, match="已停用"):
        signin.sign_in(book, "keqiao_wang", SECRET)


def test_an_old_hash_is_renewed_at_sign_in(book: SqliteAccountBook) -> None:
    book.set_password_hash("keqiao_wang", PasswordHasher(time_cost=1, memory_cost=8 * 1024).hash(SECRET), by=SYSTEM)
    signin.sign_in(book, "keqiao_wang", SECRET)
    renewed = book.password_hash("keqiao_wang")
    assert renewed is not None and not pw.needs_rehash(renewed) and pw.verify(renewed, SECRET)


def test_sign_in_is_off_for_a_file_store_and_local_for_a_server_unless_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(signin.MODE_ENV_VAR, raising=False)
    assert signin.mode(Path("data/store/parkmap.gpkg")) == "off"
    assert signin.mode("postgresql://app@127.0.0.1/parkmap") == "local"
    assert signin.signed_out_account("off") == SINGLE_USER and signin.signed_out_account("local") is None
    monkeypatch.setenv(signin.MODE_ENV_VAR, "LOCAL")
    assert signin.mode(Path("x.gpkg")) == "local"
    monkeypatch.setenv(signin.MODE_ENV_VAR, "ldap")
    with pytest.raises(AccountError, match="可选 off"):
        signin.mode(Path("x.gpkg"))


def test_identity_provider_claims_give_the_role_and_county_and_the_book_overrides_them(book: SqliteAccountBook) -> None:
    claims = {"preferred_username": "yuecheng_zhao", "parkmap_role": "county", "parkmap_county": "330602"}
    assert signin.account_from_claims(claims) == Account("yuecheng_zhao", "county", "330602")
    assert signin.account_from_claims({"email": "keqiao_wang", "parkmap_role": "city"}, book) == KEQIAO
    with pytest.raises(AccountError, match="角色"):
        signin.account_from_claims({"sub": "someone"})
    with pytest.raises(AccountError, match="角色"):
        signin.account_from_claims({"sub": "someone", "parkmap_role": "admin"})
