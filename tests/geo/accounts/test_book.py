"""The account book beside a GeoPackage store: accounts, their changes audited, an audit log nobody can edit."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from geo.accounts import SYSTEM, Account
from geo.accounts.book import AuditEvent, SqliteAccountBook, book_location, open_book
from geo.errors import AccountError

KEQIAO = Account("keqiao_wang", "county", county="330603", display_name="柯桥区经信局 王工")


@pytest.fixture
def book(tmp_path: Path) -> SqliteAccountBook:
    return SqliteAccountBook(tmp_path / "parkmap.accounts.sqlite")


def test_the_book_sits_beside_its_geopackage_and_in_the_database_of_a_server(tmp_path: Path) -> None:
    assert book_location(tmp_path / "parkmap.gpkg") == tmp_path / "parkmap.accounts.sqlite"
    assert book_location("postgresql://app@127.0.0.1/parkmap") == "postgresql://app@127.0.0.1/parkmap"
    assert isinstance(open_book(tmp_path / "x.gpkg"), SqliteAccountBook)


def test_a_new_book_reads_as_empty_without_creating_a_file(book: SqliteAccountBook) -> None:
    assert book.accounts() == [] and book.events() == [] and book.get("keqiao_wang") is None
    assert not book.location.exists()


def test_accounts_are_added_disabled_and_reset_and_every_change_is_audited(book: SqliteAccountBook) -> None:
    book.add(KEQIAO, "$argon2id$hash1", by=SYSTEM)
    assert book.get("keqiao_wang") == KEQIAO and book.password_hash("keqiao_wang") == "$argon2id$hash1"
    with pytest.raises(AccountError, match="已存在"):
        book.add(KEQIAO, "$argon2id$hash2", by=SYSTEM)
    assert book.set_disabled("keqiao_wang", True, by=SYSTEM).disabled
    book.set_password_hash("keqiao_wang", "$argon2id$hash3", by=SYSTEM)
    assert book.password_hash("keqiao_wang") == "$argon2id$hash3"
    with pytest.raises(AccountError, match="没有名为 nobody 的账户"):
        book.set_disabled("nobody", True, by=SYSTEM)
    events = book.events()
    assert [e.action for e in events] == ["add_account", "disable_account", "reset_password"]
    assert {e.account for e in events} == {"system"} and events[0].county == "330603"
    assert events[1].before == {"county": "330603", "disabled": False, "display_name": "柯桥区经信局 王工", "role": "county"}
    assert events[1].after is not None and events[1].after["disabled"] is True
    assert all("hash" not in str(e.after) for e in events)  # a password hash never reaches the log


def test_the_audit_log_is_append_only_even_through_sql(book: SqliteAccountBook) -> None:
    book.log(AuditEvent("edit_quotas", "shi_li", "quotas 2021-2023", summary="柯桥区 30 → 32"))
    conn = sqlite3.connect(book.location)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("UPDATE audit_log SET account = 'someone_else'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("DELETE FROM audit_log")
    conn.close()
    (event,) = book.events()
    assert event.account == "shi_li" and event.summary == "柯桥区 30 → 32" and event.at is not None


def test_hostile_text_in_an_event_comes_back_as_the_same_text(book: SqliteAccountBook) -> None:
    hostile = '=HYPERLINK("http://x")<script>\'; DROP TABLE audit_log;--'
    book.log(AuditEvent("edit_plan", "shi_li", hostile, summary=hostile, after={"name": hostile}))
    (event,) = book.events()
    assert event.target == hostile and event.after == {"name": hostile}
