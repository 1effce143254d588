"""The synthetic sample's quarterly reports: a real city's cycle, replayed into the store through the submission path."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from geo.crs import distance_m
from geo.demo.quarters import LATE, MOVE_PERIOD, PENDING_COUNTY, RENAME_PERIOD, RETURNED_PERIOD
from geo.reporting.changes import register_changes
from geo.reporting.periods import Period, parse_period, periods_between
from geo.store import open_store

QUARTERS = periods_between(Period(2021, 1), Period(2024, 2))


@pytest.fixture(scope="module")
def listed(small_sample_dir: Path) -> list[dict]:
    return json.loads((small_sample_dir / "submissions.json").read_text(encoding="utf-8"))["reports"]


@pytest.fixture
def store(small_store: Path):
    return open_store(small_store)


def test_every_county_reports_every_quarter_of_the_plan_and_after(listed: list[dict]) -> None:
    approved = {(r["county"], r["period"]) for r in listed if r["review"] == "approved"}
    counties = {r["county"] for r in listed}
    assert len(counties) == 6
    expected = {(c, q.code) for c in counties for q in QUARTERS} - {(PENDING_COUNTY, "2024Q2")}
    assert approved == expected
    assert [r["review"] for r in listed].count("returned") == 1
    assert all("合成示例" in r["submitted_by"] for r in listed)


def test_reports_are_listed_in_the_order_sent_and_three_came_late(listed: list[dict]) -> None:
    sent = [r["submitted_at"] for r in listed]
    assert sent == sorted(sent)
    late = {
        (r["county"], r["period"])
        for r in listed
        if date.fromisoformat(r["submitted_at"][:10]) > parse_period(r["period"]).due(grace_days=15)
    }
    assert late == {(c, p.code) for c, p, _ in LATE}


def test_the_replayed_store_holds_the_cycle_with_its_states(store) -> None:
    subs = store.list_submissions()
    assert len(subs) == 85
    assert {s.state for s in subs} == {"approved", "returned", "submitted"}
    returned = next(s for s in subs if s.state == "returned")
    assert returned.period == RETURNED_PERIOD and "小数点" in returned.reason
    late = [s for s in subs if s.submitted_at.date() > s.period.due(grace_days=15)]
    assert len(late) == len(LATE)
    waiting = next(s for s in subs if s.state == "submitted")
    assert waiting.period == QUARTERS[-1]


def test_the_register_now_is_each_countys_latest_approved_quarter(store, small_sample_dir: Path) -> None:
    from geo.region.boundaries import load_counties

    register = store.register()
    periods = {c: v["period"] for c, v in register.attrs["register"].items()}
    names = dict(zip(load_counties()["adcode"], load_counties()["name"], strict=True))
    assert {names[c] for c, p in periods.items() if p == "2024Q1"} == {PENDING_COUNTY}  # its 2024Q2 report waits for review
    assert sorted(periods.values()) == ["2024Q1", *["2024Q2"] * 5]
    final = pd.read_excel(small_sample_dir / "sample_parks_synthetic.xlsx", header=2, engine="openpyxl")
    done = final[final["所在区县"] != PENDING_COUNTY]
    shown = register[register["county_adcode"].map(names) != PENDING_COUNTY]
    assert sorted(shown["name"]) == sorted(done["园区名称"])  # the last quarter's reports hold the final register's parks
    by_name = done.set_index("园区名称")
    assert (shown.set_index("name")["floor_area_m2"] / 10_000).round(2).to_dict() == by_name["建筑面积(万平方米)"].to_dict()


def _approved(store) -> dict[str, dict[str, pd.DataFrame]]:
    """County adcode → period code → the approved register."""
    out: dict[str, dict[str, pd.DataFrame]] = {}
    for sub in store.list_submissions():
        if sub.state == "approved":
            out.setdefault(sub.county_adcode, {})[sub.period.code] = store.load_submission(sub.submission_id)
    return out


def _story(store, kind: str, period: Period):
    """The county and the change of ``kind`` that the county's ``period`` report made against its previous quarter."""
    for county, registers in _approved(store).items():
        before, after = registers.get(period.previous().code), registers.get(period.code)
        if before is None or after is None:
            continue
        found = [c for c in register_changes(before, after).items if c.kind == kind]
        if found:
            return county, found, before, after
    raise AssertionError(f"no {kind} in any county's {period.code} report")


def test_a_rename_keeps_the_park_id(store) -> None:
    _county, found, before, after = _story(store, "renamed", RENAME_PERIOD)
    change = found[0]
    assert str(change.before).endswith("工业园区") and str(change.after).endswith("小微企业园")
    assert change.park_id in set(before["park_id"]) and change.park_id in set(after["park_id"])


def test_a_corrected_position_is_a_move_of_the_same_park(store) -> None:
    _county, found, before, after = _story(store, "moved", MOVE_PERIOD)
    change = found[0]
    old = before.set_index("park_id").loc[change.park_id, "geometry"]
    new = after.set_index("park_id").loc[change.park_id, "geometry"]
    assert distance_m(old.x, old.y, new.x, new.y) == pytest.approx(350, abs=15)


def test_one_park_is_suspended_for_a_quarter_and_the_past_shows_it(store) -> None:
    registers = _approved(store)
    found = [
        (period, change, after)
        for period in QUARTERS[1:]
        for by_period in registers.values()
        if period.code in by_period and period.previous().code in by_period
        for after in [by_period[period.code]]
        for change in register_changes(by_period[period.previous().code], after).items
        if change.kind == "status_changed" and change.flag == "regression"
    ]
    assert len(found) == 1, found  # one suspension (在建 → 谋划), and it resumes the next quarter without a flag
    period, change, after = found[0]
    assert after.set_index("park_id").loc[change.park_id, "status"] == "planned"
    then = store.register(period.end)
    assert then.set_index("park_id").loc[change.park_id, "status"] == "planned"  # progress at that date counts it as planned
    now = store.register()
    assert now.set_index("park_id").loc[change.park_id, "status"] != "planned"


def test_the_returned_report_never_counts(store) -> None:
    returned = next(s for s in store.list_submissions() if s.state == "returned")
    wrong = store.load_submission(returned.submission_id)
    then = store.register(returned.period.end)
    mine = then[then["county_adcode"] == returned.county_adcode]
    assert wrong["floor_area_m2"].max() > 5 * mine["floor_area_m2"].max()  # the decimal-point mistake is not in force


def test_built_parks_report_operating_figures_and_unbuilt_ones_none(store) -> None:
    register = store.register()
    built = register[register["status"].isin(["built", "certified"])]
    planned = register[register["status"] == "planned"]
    assert built["tax_wan_yuan"].notna().mean() > 0.9 and built["occupancy_pct"].between(0, 100).all()
    assert (built["tax_per_mu_wan_yuan"] > 0).all() and (built["jobs"] > 0).all()
    assert planned["tax_wan_yuan"].isna().all() and planned["occupancy_pct"].isna().all()
    early = store.register(date(2021, 3, 31))
    same = built.set_index("park_id").index.intersection(early.set_index("park_id").index)
    grew = built.set_index("park_id").loc[same, "enterprises"].sum() >= early.set_index("park_id").loc[same, "enterprises"].sum()
    assert grew  # firms move in after completion
