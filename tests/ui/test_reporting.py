"""A county clerk submits on the data page, sees the changes, and the city approves: only that county changes."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from streamlit.testing.v1 import AppTest

from geo.reporting.submissions import BEIJING
from tests.geo.ingest.importdata import clean_parks
from tests.ui.test_data_page import TIMEOUT_S, _data_page, confirm


def _keqiao_file() -> bytes:
    frame = clean_parks("gcj02")  # 柯桥纺织园 (柯桥), 越城电子园 (越城), 诸暨袜业园 (诸暨)
    return frame.to_csv(index=False).encode("utf-8")


def test_a_county_submission_counts_for_that_county_only_after_the_city_approves(small_store: Path) -> None:
    from geo.store import open_store

    store = open_store(small_store)
    before = store.current("parks")
    others_before = before[before["county_adcode"] != "330603"].sort_values("name")["name"].tolist()

    at = AppTest.from_function(_data_page, default_timeout=TIMEOUT_S).run()
    confirm(at.file_uploader[0].set_value(("柯桥区2024Q3.csv", _keqiao_file(), "text/csv")).run())
    at.selectbox(key="submit_county").select("330603").run()
    at.text_input(key="submit_period").input("2024Q3").run()
    assert not at.exception, [e.message for e in at.exception]
    refused = [w.value for w in at.warning if "不属于" in w.value or "属于区县" in w.value]
    assert len(refused) == 2 and any("越城电子园" in w for w in refused)  # the other counties' rows, named, not lost silently
    changes = next(d.value for d in at.dataframe if "变化" in d.value.columns)
    assert "新增园区" in set(changes["变化"]) and "柯桥纺织园" in set(changes["园区"])
    assert "本期缺少（是否已撤销？）" in set(changes["变化"])  # the sample's 柯桥 parks are not in this file

    next(b for b in at.button if b.label.startswith("提交")).click().run()
    assert any("已提交报送" in s.value and "已提交" in s.value for s in at.success)
    assert open_store(small_store).current("parks")["name"].tolist() == before["name"].tolist()  # not yet in force

    at = AppTest.from_function(_data_page, default_timeout=TIMEOUT_S).run()
    board = next(d.value for d in at.dataframe if "2024年第3季度" in d.value.columns)
    today = datetime.now(BEIJING).date()  # the board shows Beijing days
    assert (
        board.loc["柯桥区", "2024年第3季度"] == f"已提交（逾期） · {today:%m-%d} · 本机用户（local）"
    )  # sent today, long after 15 October 2024, by the signed-in account (sign-in off: the local user)
    assert board.loc["嵊州市", "2024年第2季度"].startswith("已提交 · 07-")  # the sample's report waiting for review, sent on time
    assert board.loc["越城区", "2024年第2季度"].startswith("已通过 · ")
    mine = next(s for s in open_store(small_store).list_submissions() if s.county_adcode == "330603" and s.state == "submitted")
    at.selectbox(key="review_pick").set_value(mine.submission_id).run()  # the sample's 嵊州市 report waits for review too
    next(b for b in at.button if b.label == "通过").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert any("已通过" in s.value for s in at.success)

    after = open_store(small_store).current("parks")
    assert after.loc[after["county_adcode"] == "330603", "name"].tolist() == ["柯桥纺织园"]
    assert after[after["county_adcode"] != "330603"].sort_values("name")["name"].tolist() == others_before
