from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geo.analysis.land_use import LAND_USE_COLUMNS, land_use_by_county

COUNTIES = pd.DataFrame({"adcode": ["330602", "330603", "330604"], "name": ["越城区", "柯桥区", "上虞区"]})


def parks() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "park_id": ["a", "b", "c", "d"],
            "county_adcode": ["330602", "330602", "330603", "330603"],
            "status": ["built", "certified", "built", "planned"],
            "floor_area_m2": [100_000.0, 50_000.0, 40_000.0, 99_000.0],
            "land_area_mu": [60.0, None, 30.0, 10.0],
            "enterprises": pd.array([50, 30, None, 5], dtype="Int64"),
            "tax_per_mu_wan_yuan": [20.0, 99.0, 40.0, 1.0],
        }
    )


def row(table: pd.DataFrame, adcode: str) -> pd.Series:
    return table.set_index("adcode").loc[adcode]


def test_ratios_by_county_checked_by_hand() -> None:
    table = land_use_by_county(parks(), counties=COUNTIES)
    assert list(table.columns) == LAND_USE_COLUMNS
    yue = row(table, "330602")
    assert yue["parks"] == 2
    assert yue["floor_area_m2"] == 150_000
    assert yue["land_area_mu"] == 60  # the park without land area is not read as 0 亩 of land...
    assert yue["parks_with_land_area"] == 1
    assert yue["plot_ratio"] == pytest.approx(100_000 / (60 * 666.6667), rel=1e-6)  # ...nor its floor area as land-less floor
    assert yue["floor_area_per_mu_m2"] == pytest.approx(100_000 / 60)
    assert yue["enterprises_per_10k_m2"] == pytest.approx(80 / 15)
    assert yue["tax_per_mu_wan_yuan"] == pytest.approx(20.0)  # park b has no land area to weight its tax
    ke = row(table, "330603")
    assert ke["parks"] == 1  # the planned park is not counted by default
    assert np.isnan(ke["enterprises_per_10k_m2"])
    assert ke["tax_per_mu_wan_yuan"] == pytest.approx(40.0)


def test_city_row_weights_tax_by_land() -> None:
    city = row(land_use_by_county(parks(), counties=COUNTIES), "330600")
    assert city["parks"] == 3
    assert city["land_area_mu"] == 90
    assert city["tax_per_mu_wan_yuan"] == pytest.approx((20 * 60 + 40 * 30) / 90)
    assert city["plot_ratio"] == pytest.approx(140_000 / (90 * 666.6667), rel=1e-6)


def test_county_without_parks_and_statuses_parameter() -> None:
    table = land_use_by_county(parks(), counties=COUNTIES, statuses=("built", "certified", "planned"))
    shang = row(table, "330604")
    assert shang["parks"] == 0
    assert shang["floor_area_m2"] == 0
    assert np.isnan(shang["plot_ratio"])
    assert row(table, "330603")["parks"] == 2
    assert row(table, "330603")["land_area_mu"] == 40
