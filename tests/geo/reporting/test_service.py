"""Approving a county's real report withdraws that county's synthetic sample reports, and only those."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

from geo.reporting.periods import Period
from geo.reporting.service import approve_submission, prepare_submission, save_submission
from geo.store import open_store
from geo.store.synthetic import is_synthetic

KEQIAO = "330603"


def _real_keqiao(store, period: Period) -> int:
    """Submit a real 柯桥 register (two of the sample's parks, as the bureau reports them) for ``period``."""
    parks = store.register(period.end)
    mine = parks[parks["county_adcode"] == KEQIAO].head(2).drop(columns=["submission_id", "period"])
    prepared = prepare_submission(mine, store=store, period=period, county=KEQIAO, region_counties=[KEQIAO])
    made = save_submission(
        store, prepared, by="柯桥区经信局", source_name="柯桥区2023Q4.xlsx", source_sha256=hashlib.sha256(b"kq").hexdigest()
    )
    return made[0].submission_id


def test_an_approved_real_report_for_an_earlier_quarter_replaces_the_countys_sample(small_store: Path) -> None:
    store = open_store(small_store)
    others_before = store.register()
    others_before = others_before[others_before["county_adcode"] != KEQIAO]
    submission_id = _real_keqiao(store, Period(2023, 4))
    assert store.register().attrs["register"][KEQIAO]["period"] == "2024Q2"  # submitted only: the sample still counts
    approve_submission(store, submission_id, by="市经信局")
    now = store.register()
    assert now.attrs["register"][KEQIAO]["period"] == "2023Q4"  # not hidden behind the sample's made-up 2024 quarters
    assert (now["county_adcode"] == KEQIAO).sum() == 2
    others = now[now["county_adcode"] != KEQIAO]
    assert sorted(others["park_id"]) == sorted(others_before["park_id"])  # the other counties keep their sample
    keqiao_sample = [s for s in store.list_submissions() if s.county_adcode == KEQIAO and is_synthetic(store.snapshot_info(s.snapshot_id))]
    assert keqiao_sample and all(not s.counts for s in keqiao_sample)
    assert not store.is_empty("enterprises")


def test_returning_a_real_report_leaves_the_sample_in_place(small_store: Path) -> None:
    store = open_store(small_store)
    submission_id = _real_keqiao(store, Period(2023, 4))
    store.return_submission(submission_id, by="市经信局", reason="缺少坐标")
    assert store.register(date(2024, 6, 30)).attrs["register"][KEQIAO]["period"] == "2024Q2"
