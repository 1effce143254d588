"""`python -m geo.accounts`: add, list, disable, enable, reset-password; passwords from stdin never printed."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from geo.accounts import passwords as pw
from geo.accounts.__main__ import main
from geo.accounts.book import SqliteAccountBook

SECRET = "Keqiao-2024-report"


def run(store: Path, *args: str, stdin: str = "", monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main(["--store", str(store), *args])


def test_a_county_account_is_added_listed_disabled_and_its_password_reset(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "parkmap.gpkg"
    assert run(store, "add", "keqiao_wang", "--role", "county", "--county", "330603", "--display", "柯桥区经信局 王工",
               "--password-stdin", stdin=SECRET + "\n", monkeypatch=monkeypatch) == 0  # fmt: skip
    assert "已新建账户 keqiao_wang（county 柯桥区）" in capsys.readouterr().out
    book = SqliteAccountBook(tmp_path / "parkmap.accounts.sqlite")
    assert pw.verify(book.password_hash("keqiao_wang"), SECRET)
    assert run(store, "list", monkeypatch=monkeypatch) == 0
    listed = capsys.readouterr().out
    assert "keqiao_wang\tcounty\t330603\t柯桥区\t启用\t柯桥区经信局 王工" in listed and SECRET not in listed
    assert run(store, "disable", "keqiao_wang", monkeypatch=monkeypatch) == 0
    assert book.get("keqiao_wang").disabled  # type: ignore[union-attr]
    assert run(store, "reset-password", "keqiao_wang", "--password-stdin", stdin="Another-pass-2025\n", monkeypatch=monkeypatch) == 0
    assert pw.verify(book.password_hash("keqiao_wang"), "Another-pass-2025")
    out = capsys.readouterr()
    assert SECRET not in out.out + out.err and "Another-pass-2025" not in out.out + out.err
    assert [e.action for e in book.events()] == ["add_account", "disable_account", "reset_password"]
    assert all(e.account.startswith("cli.") for e in book.events())


@pytest.mark.parametrize(
    ("args", "stdin", "words"),
    [
        (["add", "x1", "--role", "county", "--county", "110101", "--password-stdin"], SECRET, "no county with adcode"),
        (["add", "x1", "--role", "county", "--password-stdin"], SECRET, "6 位行政区划代码"),
        (["add", "x1", "--role", "city", "--password-stdin"], "short", "至少 10 个字符"),
        (["reset-password", "nobody", "--password-stdin"], SECRET, "没有名为 nobody 的账户"),
    ],
)
def test_a_refused_command_says_why_and_stores_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], args: list[str], stdin: str, words: str
) -> None:
    assert run(tmp_path / "parkmap.gpkg", *args, stdin=stdin + "\n", monkeypatch=monkeypatch) == 1
    err = capsys.readouterr().err
    assert err.startswith("未完成：") and words in err and "Traceback" not in err
    assert SqliteAccountBook(tmp_path / "parkmap.accounts.sqlite").accounts() == []
