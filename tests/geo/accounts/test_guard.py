"""The store as one account uses it, on both backends: a county writes only its own county, the city reviews, every write is audited."""

from __future__ import annotations

from typing import Any

import pytest

from geo.accounts import Account
from geo.accounts.book import AccountBook
from geo.accounts.guard import GuardedStore
from geo.errors import PermissionDeniedError
from geo.reporting.periods import Period
from geo.store import SnapshotStore
from tests.geo.reporting.registers import register
from tests.geo.store.test_store import fresh_sha

CITY = Account("shi_li", "city", display_name="市经信局 李工")
KEQIAO = Account("keqiao_wang", "county", county="330603", display_name="柯桥区经信局 王工")
VIEWER = Account("guest", "viewer")
Q3 = Period(2024, 3)
Parts = tuple[Any, AccountBook]  # the store and its book, on both backends (conftest.py)


def as_(account: Account, parts: Parts) -> GuardedStore:
    return GuardedStore(parts[0], account, parts[1], county_names={"330602": "越城区", "330603": "柯桥区"})


def send(store: GuardedStore, county: str, **kw: object) -> list:
    parks = register([{"name": f"{county}园", "county": county, "park_id": f"P{county}"}])
    return store.submit(parks, period=Q3, counties=[county], source_name="台账.xlsx", source_sha256=fresh_sha(),
                        submitted_by="typed by hand", **kw)  # type: ignore[arg-type]  # fmt: skip


def test_the_guarded_store_is_a_store(parts: Parts) -> None:
    assert isinstance(as_(KEQIAO, parts), SnapshotStore)


def test_a_county_clerk_submits_for_its_county_and_the_record_names_the_account_not_what_was_typed(
    parts: Parts,
) -> None:
    (sub,) = send(as_(KEQIAO, parts), "330603")
    assert sub.state == "submitted" and sub.submitted_by == "柯桥区经信局 王工（keqiao_wang）"
    (event,) = parts[1].events()
    assert (event.action, event.account, event.county, event.target) == (
        "submit",
        "keqiao_wang",
        "330603",
        f"submission #{sub.submission_id}",
    )


def test_a_county_clerk_cannot_submit_for_another_county_approve_or_load_a_city_register(
    parts: Parts,
) -> None:
    keqiao = as_(KEQIAO, parts)
    with pytest.raises(PermissionDeniedError, match="不能为 越城区 报送"):
        send(keqiao, "330602")
    with pytest.raises(PermissionDeniedError, match="审核"):
        send(keqiao, "330603", approve_now=True)
    (sub,) = send(keqiao, "330603")
    with pytest.raises(PermissionDeniedError, match="市级账户"):
        keqiao.approve_submission(sub.submission_id)
    with pytest.raises(PermissionDeniedError, match="市级账户"):
        keqiao.save_snapshot(
            register([{"name": "x"}]), kind="parks", reporting_date=Q3.start, source_name="a.xlsx", source_sha256=fresh_sha()
        )
    assert [s.county_adcode for s in parts[0].list_submissions()] == ["330603"]  # nothing else was written
    assert [e.action for e in parts[1].events()] == ["submit"]  # refusals write nothing


def test_the_city_approves_and_returns_and_a_viewer_writes_nothing(parts: Parts) -> None:
    (a,) = send(as_(KEQIAO, parts), "330603")
    (b,) = send(as_(CITY, parts), "330602")
    city = as_(CITY, parts)
    assert city.approve_submission(a.submission_id).reviewed_by == "市经信局 李工（shi_li）"
    city.return_submission(b.submission_id, reason="缺少坐标")
    with pytest.raises(PermissionDeniedError, match="只读"):
        send(as_(VIEWER, parts), "330603")
    assert as_(VIEWER, parts).register() is not None  # a viewer reads the city's register
    assert [(e.action, e.account) for e in parts[1].events()] == [
        ("submit", "keqiao_wang"), ("submit", "shi_li"), ("approve", "shi_li"), ("return", "shi_li")]  # fmt: skip
    assert parts[1].events()[-1].summary == "缺少坐标"


def test_rollback_and_restore_are_the_citys_and_audited(parts: Parts) -> None:
    city = as_(CITY, parts)
    info = city.save_snapshot(
        register([{"name": "园"}]), kind="parks", reporting_date=Q3.start, source_name="全市.xlsx", source_sha256=fresh_sha()
    )
    assert info.loaded_by == "市经信局 李工（shi_li）"
    with pytest.raises(PermissionDeniedError):
        as_(KEQIAO, parts).rollback(info.snapshot_id, reason="错了")
    city.rollback(info.snapshot_id, reason="错了")
    city.restore(info.snapshot_id, reason="没错")
    assert [e.action for e in parts[1].events()] == ["save_snapshot", "rollback", "restore"]


def test_quota_and_plan_edits_are_checked_and_audited_with_before_and_after(parts: Parts) -> None:
    with pytest.raises(PermissionDeniedError):
        as_(KEQIAO, parts).ensure("edit_quotas")
    event = as_(CITY, parts).record("edit_quotas", "quotas 2021-2023", summary="柯桥区", before={"330603": 30}, after={"330603": 32})
    assert parts[1].events() == [event] and event.before == {"330603": 30}
