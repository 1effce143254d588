"""The meeting pack says which period each county's figures are from, as the dashboard does."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from export.captions import source_lines
from export.data import load_export_data


def test_the_pack_from_the_store_says_each_countys_period(small_store: Path) -> None:
    data = load_export_data(as_of=date(2024, 6, 30), store=small_store)
    assert source_lines(data)[0] == "数据：嵊州市 2024年第1季度，其余区县2024年第2季度报送"  # 嵊州市's 2024Q2 waits for review
    assert data.sample and data.reported_on == date(2024, 6, 30)
    english = load_export_data(as_of=date(2024, 6, 30), store=small_store, lang="en")
    assert source_lines(english)[0] == "Data: Shengzhou City 2024Q1; the other counties' 2024Q2 report"
