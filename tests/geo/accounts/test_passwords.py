"""Password hashes: Argon2id, a wrong password or a damaged hash is just "no", weak passwords are refused."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from geo.accounts import passwords as pw
from geo.errors import AccountError


def test_a_hash_verifies_its_password_only_and_never_holds_it() -> None:
    stored = pw.hash_password("Keqiao-2024-report")
    assert stored.startswith("$argon2id$") and "Keqiao" not in stored
    assert pw.verify(stored, "Keqiao-2024-report")
    assert not pw.verify(stored, "keqiao-2024-report")
    assert stored != pw.hash_password("Keqiao-2024-report")  # salted


@pytest.mark.parametrize("stored", [None, "", "not-a-hash", "$argon2id$v=19$m=65536,t=3,p=4$broken"])
def test_a_missing_or_damaged_hash_never_matches_and_never_raises(stored: str | None) -> None:
    assert not pw.verify(stored, "anything-at-all")


@pytest.mark.parametrize(("password", "words"), [("short1!", "至少 10 个字符"), ("aaaaaaaaaaaa", "过于简单")])
def test_a_weak_password_is_refused_in_words(password: str, words: str) -> None:
    with pytest.raises(AccountError, match=words):
        pw.hash_password(password)


def test_a_hash_made_with_weaker_settings_asks_to_be_renewed() -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024).hash("Keqiao-2024-report")
    assert pw.verify(weak, "Keqiao-2024-report")
    assert pw.needs_rehash(weak)
    assert not pw.needs_rehash(pw.hash_password("Keqiao-2024-report"))
