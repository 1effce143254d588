"""The county table as shown and as downloaded."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pandas as pd

from geo.analysis.progress import progress_as_of
from geo.region.boundaries import load_counties
from geo.region.targets import load_city_targets, load_county_quotas
from geo.store import open_store
from ui.tables import county_csv


def test_the_county_csv_carries_its_date_and_a_whole_city_row(small_store: Path) -> None:
    parks = open_store(small_store).current("parks")
    as_of = date(2023, 12, 31)
    progress = progress_as_of(parks, as_of=as_of, targets=load_city_targets(), quotas=load_county_quotas(), reported_on=as_of)
    table = pd.read_csv(io.BytesIO(county_csv(progress, load_counties(), "zh")), encoding="utf-8-sig")
    assert set(table["统计日期"]) == {"2023-12-31"}
    assert list(table["区县"])[-1] == "全市" and len(table) == 7
    city, counties = table.iloc[-1], table.iloc[:-1]
    assert city["园区数"] == counties["园区数"].sum() and city["园区目标"] == 140
    assert city["是否达成"] in {"已达成", "未达成"}  # the plan ended on this date: one wording per phase
