"""Plan targets and county quotas."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from geo.errors import GeoDataError
from geo.region import targets
from geo.region.boundaries import load_counties


def test_city_targets_are_the_plan_text() -> None:
    city = targets.load_city_targets()
    assert city.parks == 140
    assert city.floor_area_m2 == 10_000_000
    assert (city.period_start, city.period_end) == (date(2021, 1, 1), date(2023, 12, 31))
    assert city.lead_unit == "市经信局"
    assert "超过140个" in city.source_text and "1000万平方米" in city.source_text


def test_plan_targets_table_has_every_quantitative_target_and_lead_unit() -> None:
    table = targets.load_plan_targets().set_index("indicator_id")
    expected = {
        "new_small_micro_firms": (55000, "市市场监管局"),
        "new_major_industry_firms": (12000, "市市场监管局"),
        "pool_city": (4500, "市市场监管局"),
        "pool_county": (13500, "市市场监管局"),
        "pool_province": (1500, "市市场监管局"),
        "upgraded_industrial": (1500, "市经信局"),
        "upgraded_services": (200, "市发改委"),
        "new_tech_firms": (1500, "市科技局"),
        "foreign_trade_firms_per_year": (165, "市商务局"),
        "parks_total": (140, "市经信局"),
    }
    for key, (value, lead) in expected.items():
        assert table.loc[key, "target_value"] == value
        assert table.loc[key, "lead_unit"] == lead
    assert set(table["measurable_from"]) <= {"parks", "enterprises", "none"}


def test_default_quotas_add_up_to_the_city_targets_and_say_indicative() -> None:
    quotas = targets.load_county_quotas(targets.shipped_quotas_path())
    assert len(quotas) == 6
    assert quotas["parks_quota"].sum() == 140
    assert quotas["floor_area_quota_m2"].sum() == 10_000_000
    assert not quotas["official"].any()
    assert (quotas["floor_area_quota_m2"] % 10_000 == 0).all()


def test_shipped_quotas_are_what_the_documented_method_gives() -> None:
    recomputed = targets.indicative_quotas(load_counties(), targets.load_city_targets())
    shipped = targets.load_county_quotas(targets.shipped_quotas_path())
    pd.testing.assert_frame_equal(recomputed.reset_index(drop=True), shipped.reset_index(drop=True), check_dtype=False)
    # larger counties get more, but every county gets at least an equal half-share
    by_code = shipped.set_index("adcode")
    assert by_code.loc["330681", "parks_quota"] > by_code.loc["330602", "parks_quota"]
    assert by_code["parks_quota"].min() >= 140 * 0.5 / 6 - 1


def test_edited_quotas_are_saved_and_win_over_the_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARKMAP_QUOTAS", str(tmp_path / "q.csv"))
    edited = targets.load_county_quotas()
    edited.loc[edited["adcode"] == "330603", "parks_quota"] = 30
    edited["official"] = True
    targets.save_county_quotas(edited)
    again = targets.load_county_quotas()
    assert again.set_index("adcode").loc["330603", "parks_quota"] == 30
    assert again["official"].all()


def test_bad_quota_names_county_field_and_value() -> None:
    table = targets.load_county_quotas(targets.shipped_quotas_path())
    table["floor_area_quota_m2"] = table["floor_area_quota_m2"].astype(object)
    table.loc[table["adcode"] == "330624", "floor_area_quota_m2"] = "lots"
    with pytest.raises(GeoDataError, match="新昌县: floor_area_quota_m2 = 'lots'"):
        targets.validate_quotas(table)
