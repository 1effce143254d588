"""Manage local accounts: ``python -m geo.accounts add|list|disable|enable|reset-password``.

Acts on the account book beside the store named by ``PARKMAP_STORE`` (or
``--store``). Passwords are read from a prompt (typed twice) or, with
``--password-stdin``, from the first line of standard input; they never
appear on the command line. Every change is written to the audit log as
made by the operating-system user running the command (``cli:<user>``).

Examples
--------
    python -m geo.accounts add keqiao_wang --role county --county 330603 --display "柯桥区经信局 王工"
    python -m geo.accounts list
    printf '%s\\n' "$NEW" | python -m geo.accounts reset-password keqiao_wang --password-stdin
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Sequence

from geo.accounts import ROLES, Account, cli_operator
from geo.accounts import passwords as pw
from geo.accounts.book import AccountBook, open_book
from geo.errors import GeoDataError


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        line = sys.stdin.readline()
        return line.rstrip("\r\n")
    first = getpass.getpass("新密码：")
    second = getpass.getpass("再输入一次：")
    if first != second:
        raise GeoDataError("两次输入的密码不一致。")
    return first


def _county_name(adcode: str | None, *, strict: bool = False) -> str:
    """The county's name in the current region (``strict``: refuse an adcode outside it)."""
    if adcode is None:
        return ""
    from geo.region.region import load_region

    try:
        return load_region().county(adcode).name
    except GeoDataError:
        if strict:
            raise
        return adcode


def _add(book: AccountBook, args: argparse.Namespace) -> str:
    account = Account(args.name, args.role, args.county, args.display or "")
    _county_name(account.county, strict=True)  # a county outside the region is refused before anything is stored
    book.add(account, pw.hash_password(_password(args)), by=cli_operator())
    return f"已新建账户 {account.name}（{account.role}{' ' + _county_name(account.county) if account.county else ''}）。"


def _list(book: AccountBook, _args: argparse.Namespace) -> str:
    rows = [f"{a.name}\t{a.role}\t{a.county or '-'}\t{_county_name(a.county) or '-'}\t{'停用' if a.disabled else '启用'}\t{a.display_name}"
            for a in book.accounts()]  # fmt: skip
    return "\n".join(["账户\t角色\t区县\t区县名\t状态\t显示名", *rows]) if rows else "还没有账户：用 python -m geo.accounts add 新建。"


def _disable(book: AccountBook, args: argparse.Namespace) -> str:
    book.set_disabled(args.name, True, by=cli_operator())
    return f"已停用账户 {args.name}。"


def _enable(book: AccountBook, args: argparse.Namespace) -> str:
    book.set_disabled(args.name, False, by=cli_operator())
    return f"已启用账户 {args.name}。"


def _reset(book: AccountBook, args: argparse.Namespace) -> str:
    if book.get(args.name) is None:
        msg = f"没有名为 {args.name} 的账户（python -m geo.accounts list 列出全部账户）。"
        raise GeoDataError(msg)
    book.set_password_hash(args.name, pw.hash_password(_password(args)), by=cli_operator())
    return f"已重设账户 {args.name} 的密码。"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (0 done, 1 refused with a message).

    Parameters
    ----------
    argv
        The arguments (default ``sys.argv[1:]``).

    Returns
    -------
    int
        The exit code.
    """
    parser = argparse.ArgumentParser(prog="python -m geo.accounts", description="管理本地账户（市级、区县、只读）。")
    parser.add_argument("--store", help="the store (default: PARKMAP_STORE, else data/store/parkmap.gpkg)")
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add", help="新建账户")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--county", help="区县账户所属区县的 6 位代码，例如 330603")
    add.add_argument("--display", help="显示名，例如 柯桥区经信局 王工")
    add.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码（第一行）")
    commands.add_parser("list", help="列出账户")
    for name, text in (("disable", "停用账户"), ("enable", "启用账户")):
        commands.add_parser(name, help=text).add_argument("name")
    reset = commands.add_parser("reset-password", help="重设密码")
    reset.add_argument("name")
    reset.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码（第一行）")
    args = parser.parse_args(argv)
    actions = {"add": _add, "list": _list, "disable": _disable, "enable": _enable, "reset-password": _reset}
    try:
        print(actions[args.command](open_book(args.store), args))
    except GeoDataError as exc:
        print(f"未完成：{exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
