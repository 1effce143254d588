"""Accounts, their roles and what each role may write.

Three roles, as the reporting cycle needs them:

``city`` (市经信局)
    Every county: approves and returns county submissions, loads whole-city
    registers and enterprise lists, rolls back and restores, edits quotas
    and plans, manages accounts.
``county`` (区县经信局)
    One county (``county`` is its adcode): submits that county's register
    and sees the whole city's dashboard. Nothing else is written.
``viewer``
    Reads only.

:func:`require` is the one place that decides; the store layer
(:class:`geo.accounts.guard.GuardedStore`) calls it before every write, so
the rules hold for the GeoPackage store whatever the page shows, and on
PostGIS row-level security enforces the same county limit inside the
database as well (see :mod:`geo.store.postgis`).

When sign-in is turned off (a single-user GeoPackage install, the default
for ``make run``) everyone is :data:`SINGLE_USER`, a city account, and the
app says so.
"""

from __future__ import annotations

import getpass
import re
from dataclasses import dataclass
from typing import Final, Literal, get_args

from geo.errors import AccountError, PermissionDeniedError

Role = Literal["city", "county", "viewer"]
ROLES: Final[tuple[Role, ...]] = get_args(Role)
Action = Literal["submit", "review", "save_snapshot", "rollback", "restore", "edit_plan", "edit_quotas", "manage_accounts"]
ACTIONS: Final[tuple[Action, ...]] = get_args(Action)

ROLE_LABELS: Final = {"city": ("市级", "city"), "county": ("区县", "county"), "viewer": ("只读", "viewer")}
ACTION_LABELS: Final = {
    "submit": "报送区县台账",
    "review": "审核（通过或退回）报送",
    "save_snapshot": "导入全市台账或企业名录",
    "rollback": "撤回导入",
    "restore": "恢复导入",
    "edit_plan": "编辑规划",
    "edit_quotas": "编辑区县分解目标",
    "manage_accounts": "管理账户",
}
_NAME = re.compile(r"[A-Za-z0-9_.@-]{2,64}")
_ADCODE = re.compile(r"\d{6}")


@dataclass(frozen=True)
class Account:
    """One person or bureau that signs in.

    Attributes
    ----------
    name
        The sign-in name (2–64 letters, digits, ``_ . @ -``); recorded with every write.
    role
        ``city``, ``county`` or ``viewer``.
    county
        The county's adcode for a ``county`` account; None otherwise.
    display_name
        How the app names the account (e.g. "柯桥区经信局 王工"); blank: the name.
    disabled
        A disabled account cannot sign in; its past writes keep its name.
    """

    name: str
    role: Role
    county: str | None = None
    display_name: str = ""
    disabled: bool = False

    def __post_init__(self) -> None:
        if not _NAME.fullmatch(self.name):
            msg = f"账户名 {self.name!r} 不可用：请用 2–64 个英文字母、数字或 _ . @ -（例如 keqiao_wang）。"
            raise AccountError(msg)
        if self.role not in ROLES:
            msg = f"角色 {self.role!r} 不存在：可选 {', '.join(ROLES)}（市级、区县、只读）。"
            raise AccountError(msg)
        if self.role == "county" and (self.county is None or not _ADCODE.fullmatch(self.county)):
            msg = f"区县账户 {self.name} 需要所属区县的 6 位行政区划代码（例如 --county 330603），现为 {self.county!r}。"
            raise AccountError(msg)
        if self.role != "county" and self.county is not None:
            msg = f"只有区县账户属于某个区县；{self.role} 账户 {self.name} 不能设 county={self.county!r}。"
            raise AccountError(msg)

    @property
    def label(self) -> str:
        """The name written into the records (``loaded_by``, ``submitted_by``): the display name with the account."""
        return f"{self.display_name}（{self.name}）" if self.display_name and self.display_name != self.name else self.name


SINGLE_USER: Final = Account("local", "city", display_name="本机用户")
"""Everyone when sign-in is off: a city account named ``local``."""

SYSTEM: Final = Account("system", "city", display_name="系统")
"""Command-line tools and the sample loader."""


def allowed(account: Account, action: Action, county: str | None = None) -> bool:
    """Return True when ``account`` may do ``action`` (for ``county`` where it names one).

    Parameters
    ----------
    account
        Who asks.
    action
        One of :data:`ACTIONS`.
    county
        The county written (``submit``); None for actions not about one county.

    Returns
    -------
    bool
        Whether the rules allow it.
    """
    if account.disabled or account.role == "viewer":
        return False
    if account.role == "city":
        return True
    return action == "submit" and county is not None and county == account.county


def require(account: Account, action: Action, county: str | None = None, *, county_name: str | None = None) -> None:
    """Raise :class:`~geo.errors.PermissionDeniedError` unless ``account`` may do ``action``.

    Parameters
    ----------
    account
        Who asks.
    action
        One of :data:`ACTIONS`.
    county
        The county written, where the action names one.
    county_name
        The county's name for the message (default: its adcode).

    Raises
    ------
    PermissionDeniedError
        With a message saying what the role allows.
    """
    if allowed(account, action, county):
        return
    what = ACTION_LABELS[action]
    if account.disabled:
        msg = f"账户 {account.name} 已停用，不能{what}。"
    elif account.role == "viewer":
        msg = f"账户 {account.name} 是只读账户，不能{what}；需要时请市经信局开通报送或审核权限。"
    elif action == "submit":
        msg = f"区县账户 {account.name} 只能为本区县（{account.county}）报送，不能为 {county_name or county} 报送。"
    else:
        msg = f"区县账户 {account.name} 不能{what}：这是市级账户的操作。"
    raise PermissionDeniedError(msg, account=account.name, action=action, county=county)


def cli_operator() -> Account:
    """Return the account a command-line change is recorded as: ``cli.<operating-system user>``, a city account.

    Returns
    -------
    Account
        ``cli.root``, ``cli.wang``... (``system`` when the user cannot be told).
    """
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = ""
    name = "".join(c for c in f"cli.{user}" if c.isalnum() or c in "_.@-")[:64]
    return Account(name if len(name) > len("cli.") else SYSTEM.name, "city", display_name="命令行")
