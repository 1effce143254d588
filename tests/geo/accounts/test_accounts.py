"""Roles: what a city, county and viewer account may write, and the words when it may not."""

from __future__ import annotations

import pytest

from geo.accounts import ACTIONS, SINGLE_USER, Account, allowed, require
from geo.errors import AccountError, PermissionDeniedError

CITY = Account("shi_li", "city", display_name="市经信局 李工")
KEQIAO = Account("keqiao_wang", "county", county="330603")
VIEWER = Account("guest", "viewer")


def test_a_county_account_submits_only_for_its_own_county_and_nothing_else() -> None:
    assert allowed(KEQIAO, "submit", "330603")
    assert not allowed(KEQIAO, "submit", "330602")
    assert not allowed(KEQIAO, "submit", None)
    assert [a for a in ACTIONS if allowed(KEQIAO, a, "330603")] == ["submit"]


def test_the_city_may_do_everything_a_viewer_nothing_a_disabled_account_nothing() -> None:
    assert all(allowed(CITY, a, "330602") for a in ACTIONS)
    assert not any(allowed(VIEWER, a, "330603") for a in ACTIONS)
    off = Account("old", "city", disabled=True)
    assert not any(allowed(off, a) for a in ACTIONS)


def test_a_refusal_names_the_account_the_county_and_what_the_role_allows() -> None:
    with pytest.raises(PermissionDeniedError, match="只能为本区县（330603）报送，不能为 越城区 报送") as caught:
        require(KEQIAO, "submit", "330602", county_name="越城区")
    assert caught.value.account == "keqiao_wang" and caught.value.county == "330602"
    with pytest.raises(PermissionDeniedError, match="审核"):
        require(KEQIAO, "review")
    with pytest.raises(PermissionDeniedError, match="只读"):
        require(VIEWER, "submit", "330603")


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"name": "王", "role": "city"}, "账户名"),
        ({"name": "a b", "role": "city"}, "账户名"),
        ({"name": "x1", "role": "admin"}, "角色"),
        ({"name": "x1", "role": "county"}, "6 位行政区划代码"),
        ({"name": "x1", "role": "county", "county": "33060"}, "6 位行政区划代码"),
        ({"name": "x1", "role": "viewer", "county": "330603"}, "只有区县账户"),
    ],
)
def test_a_malformed_account_is_refused_in_words(kwargs: dict[str, str], words: str) -> None:
    with pytest.raises(AccountError, match=words):
        Account(**kwargs)  # type: ignore[arg-type]


def test_the_label_recorded_with_writes_keeps_the_sign_in_name() -> None:
    assert CITY.label == "市经信局 李工（shi_li）"
    assert KEQIAO.label == "keqiao_wang"
    assert SINGLE_USER.role == "city" and SINGLE_USER.label == "本机用户（local）"
