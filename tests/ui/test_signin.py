"""Signing in to the app (AppTest): nothing shows before sign-in, a wrong password is refused in words, the account is named."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.accounts import SYSTEM, Account, signin
from geo.accounts import passwords as pw
from geo.accounts.book import SqliteAccountBook

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "streamlit_app.py")
SECRET = "Keqiao-2024-report"
HOSTILE_DISPLAY = "**柯桥** <b>王工</b> $x$"


@pytest.fixture
def local_signin(small_store: Path, monkeypatch: pytest.MonkeyPatch) -> SqliteAccountBook:
    monkeypatch.setenv(signin.MODE_ENV_VAR, "local")
    signin.forget_failures()
    book = SqliteAccountBook(small_store.with_name("parkmap.accounts.sqlite"))
    book.add(Account("keqiao_wang", "county", county="330603", display_name=HOSTILE_DISPLAY), pw.hash_password(SECRET), by=SYSTEM)
    return book


def _sign_in(name: str, password: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not at.exception
    at.text_input(key="signin_name").set_value(name)
    at.text_input(key="signin_password").set_value(password)
    at.button[0].click().run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_before_sign_in_the_page_shows_only_the_form(local_signin: SqliteAccountBook) -> None:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not at.exception
    assert [w.label for w in at.text_input] == ["账户名", "密码"]
    assert not at.metric  # no figures before sign-in


def test_a_wrong_password_is_refused_in_words_and_shows_nothing(local_signin: SqliteAccountBook) -> None:
    at = _sign_in("keqiao_wang", "not-the-password")
    assert any("账户名或密码不对" in e.value for e in at.error)
    assert not at.metric


def test_a_county_clerk_signs_in_sees_the_city_dashboard_and_is_named_as_typed(local_signin: SqliteAccountBook) -> None:
    at = _sign_in("keqiao_wang", SECRET)
    assert any(m.label.startswith("园区数") for m in at.metric)  # the whole city's dashboard
    named = [c.value for c in at.sidebar.caption if "已登录" in c.value]
    assert named and "区县 · 柯桥区" in named[0]
    assert "\\*\\*柯桥\\*\\*" in named[0] and "\\<b\\>" in named[0] and "\\$x\\$" in named[0]  # shown as text, not Markdown
    assert "signin_password" not in at.session_state  # the password is not kept in the session


def test_with_sign_in_off_the_app_says_so(small_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(signin.MODE_ENV_VAR, raising=False)
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not at.exception
    assert any("单机模式" in c.value for c in at.sidebar.caption)
