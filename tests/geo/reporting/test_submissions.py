from __future__ import annotations

from datetime import date, datetime

import pytest

from geo.errors import GeoDataError
from geo.reporting.periods import Period
from geo.reporting.submissions import Submission, approve, board_state, consolidated_register, in_force, return_submission
from tests.geo.reporting.registers import register

T0 = datetime(2024, 10, 5, 9, 0)


def sub(sid: str, county: str, period: str, state: str = "submitted", at: datetime = T0) -> Submission:
    year, q = period.split("Q")
    return Submission(sid, county, Period(int(year), int(q)), state, "clerk", at)  # type: ignore[arg-type]


def test_approval_puts_a_submission_in_force_submitting_alone_does_not() -> None:
    waiting = sub("s1", "330603", "2024Q3")
    assert in_force([waiting], as_of=date(2024, 9, 30)) == {}
    approved = approve(waiting, by="city", at=T0)
    assert in_force([approved], as_of=date(2024, 9, 30)) == {"330603": approved}
    assert in_force([approved], as_of=date(2024, 9, 29)) == {}  # its period ends after that date


def test_a_returned_submission_never_counts_and_needs_a_reason() -> None:
    with pytest.raises(GeoDataError, match="原因"):
        return_submission(sub("s1", "330603", "2024Q3"), by="city", at=T0, reason=" ")
    returned = return_submission(sub("s1", "330603", "2024Q3"), by="city", at=T0, reason="面积单位错误")
    assert returned.reason == "面积单位错误" and in_force([returned], as_of=date(2025, 1, 1)) == {}
    with pytest.raises(GeoDataError, match="已退回"):
        approve(returned, by="city", at=T0)


def test_the_latest_period_wins_and_a_resubmission_approved_later_replaces_the_first() -> None:
    q2 = approve(sub("s1", "330603", "2024Q2"), by="city", at=T0)
    q3a = approve(sub("s2", "330603", "2024Q3"), by="city", at=datetime(2024, 10, 6))
    q3b = approve(sub("s3", "330603", "2024Q3"), by="city", at=datetime(2024, 10, 9))
    assert in_force([q3b, q2, q3a], as_of=date(2024, 12, 31))["330603"] is q3b
    assert in_force([q3b, q2, q3a], as_of=date(2024, 8, 1))["330603"] is q2


def test_a_county_submission_leaves_the_other_counties_untouched() -> None:
    city = register([{"name": "越城甲园", "county": "330602"}, {"name": "柯桥甲园"}, {"name": "柯桥乙园", "dlat": 10}])
    keqiao = register([{"name": "柯桥丙园"}])
    whole = approve(Submission("w", "330602", Period(2024, 2), "submitted", "city", T0), by="city", at=T0)
    whole_kq = approve(Submission("w", "330603", Period(2024, 2), "submitted", "city", T0), by="city", at=T0)
    county = approve(sub("k", "330603", "2024Q3"), by="city", at=T0)
    chosen = in_force([whole, whole_kq, county], as_of=date(2024, 9, 30))
    result = consolidated_register({"w": city, "k": keqiao}, chosen)
    assert sorted(result["name"]) == ["柯桥丙园", "越城甲园"]
    assert dict(zip(result["name"], result["period"], strict=True)) == {"越城甲园": "2024Q2", "柯桥丙园": "2024Q3"}


def test_the_board_says_late_after_the_due_date() -> None:
    subs = [sub("s1", "330603", "2024Q3")]
    kwargs = {"period": Period(2024, 3), "grace_days": 15}
    assert board_state(subs, county_adcode="330603", today=date(2024, 11, 1), **kwargs) == "submitted"
    assert board_state(subs, county_adcode="330602", today=date(2024, 10, 15), **kwargs) == "not_submitted"
    assert board_state(subs, county_adcode="330602", today=date(2024, 10, 16), **kwargs) == "late"
    assert board_state([approve(subs[0], by="c", at=T0)], county_adcode="330603", today=date(2025, 1, 1), **kwargs) == "approved"
