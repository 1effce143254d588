"""A park's quarterly history: approved submissions only, one row per period, renames kept, no data stays NaN."""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from geo.reporting.history import HISTORY_COLUMNS, park_history, periods_in_force, status_regressions
from geo.reporting.periods import Period
from geo.store import GeoPackageStore
from tests.geo.reporting.registers import register
from tests.geo.store.test_store import fresh_sha

Q1, Q2, Q3, Q4 = (Period(2024, q) for q in (1, 2, 3, 4))
PARK = "330603-0001"


def _keqiao(name: str, status: str, floor: float, occupancy: float | None, **extra: object) -> gpd.GeoDataFrame:
    """柯桥's register: the park followed and a neighbour that is always there."""
    parks = register(
        [
            {"park_id": PARK, "name": name, "status": status, "floor": floor, "occupancy": occupancy},
            {"park_id": "330603-0002", "name": "柯桥邻园", "dlat": 5},
        ]
    )
    parks["enterprises"] = [12, 30]
    for column, value in extra.items():  # a count with a gap: nullable integers
        parks[column] = pd.array([value, None], dtype="Int64")
    return parks


def _submit(store: GeoPackageStore, parks: gpd.GeoDataFrame, period: Period, county: str = "330603", **kw: object) -> int:
    (sub,) = store.submit(
        parks, period=period, counties=[county], source_name="台账.xlsx", source_sha256=fresh_sha(), submitted_by="区经信局", **kw
    )  # type: ignore[arg-type]
    return sub.submission_id


def three_quarters(location: Path) -> GeoPackageStore:
    """柯桥 over 2024: Q1 在建; Q2 renamed and back to 谋划, no occupancy, a 高新 count; Q3 returned once, then
    approved; Q4 only submitted. 越城 has its own park in Q1."""
    store = GeoPackageStore(location)
    _submit(store, _keqiao("柯桥智造园", "under_construction", 50_000.0, 60.0), Q1, approve_now=True)
    _submit(store, register([{"park_id": "330602-0001", "name": "越城园", "county": "330602"}]), Q1, "330602", approve_now=True)
    _submit(store, _keqiao("柯桥智造园（一期）", "planned", 52_000.0, None, high_tech_enterprises=3), Q2, approve_now=True)
    wrong = _submit(store, _keqiao("柯桥智造园（一期）", "built", 9_990_000.0, 80.0), Q3)
    store.return_submission(wrong, by="市经信局", reason="面积单位错误")
    fixed = _submit(store, _keqiao("柯桥智造园（一期）", "built", 99_900.0, 80.0), Q3)
    store.approve_submission(fixed, by="市经信局")
    _submit(store, _keqiao("柯桥智造园（一期）", "certified", 99_900.0, 90.0), Q4)  # waiting for review
    return store


@pytest.fixture
def store(tmp_path: Path) -> GeoPackageStore:
    return three_quarters(tmp_path / "parkmap.gpkg")


def test_a_rename_keeps_the_park_in_one_history_of_its_approved_periods(store: GeoPackageStore) -> None:
    history = park_history(store, PARK, county_adcode="330603")
    assert list(history.columns[: len(HISTORY_COLUMNS)]) == list(HISTORY_COLUMNS)
    assert history["period"].tolist() == ["2024Q1", "2024Q2", "2024Q3"]  # Q4 is only submitted
    assert history["name"].tolist() == ["柯桥智造园", "柯桥智造园（一期）", "柯桥智造园（一期）"]
    assert history["reporting_date"].tolist() == [Q1.end, Q2.end, Q3.end]
    assert history["status"].tolist() == ["under_construction", "planned", "built"]


def test_a_returned_submission_does_not_appear(store: GeoPackageStore) -> None:
    waiting = next(s for s in store.list_submissions() if s.state == "submitted")
    store.return_submission(waiting.submission_id, by="市经信局", reason="缺少入驻率")  # Q4's only submission
    history = park_history(store, PARK)
    assert "2024Q4" not in set(history["period"])
    returned = {s.submission_id for s in store.list_submissions() if s.state == "returned"}
    assert returned and not returned & set(history["submission_id"])
    assert history.loc[history["period"] == "2024Q3", "floor_area_m2"].tolist() == [99_900.0]  # the approved one, not 9,990,000


def test_the_county_is_found_when_not_given(store: GeoPackageStore) -> None:
    assert park_history(store, PARK).equals(park_history(store, PARK, county_adcode="330603"))
    assert park_history(store, "330602-0001")["name"].tolist() == ["越城园"]
    missing = park_history(store, "no-such-park")
    assert missing.empty and list(missing.columns) == list(HISTORY_COLUMNS)


def test_a_step_back_from_under_construction_to_planned_is_a_regression(store: GeoPackageStore) -> None:
    steps = status_regressions(park_history(store, PARK))
    assert steps.to_dict("records") == [
        {"period_before": "2024Q1", "period": "2024Q2", "status_before": "under_construction", "status": "planned"}
    ]


def test_a_history_moving_forward_has_no_regression() -> None:
    history = pd.DataFrame({"period": ["2024Q1", "2024Q2", "2024Q3"], "status": ["planned", None, "built"]})
    assert status_regressions(history).empty
    back = pd.DataFrame({"period": ["2024Q1", "2024Q2", "2024Q3"], "status": ["built", "unknown", "planned"]})
    assert status_regressions(back)[["period_before", "period"]].values.tolist() == [["2024Q1", "2024Q3"]]


def test_missing_figures_stay_nan_never_zero(store: GeoPackageStore) -> None:
    history = park_history(store, PARK).set_index("period")
    assert math.isnan(history.loc["2024Q2", "occupancy_pct"])  # an empty cell
    assert history["tax_per_mu_wan_yuan"].isna().all()  # no register gives it
    assert history["high_tech_enterprises"].tolist()[1] == 3.0  # one register has the optional column...
    assert history.loc[["2024Q1", "2024Q3"], "high_tech_enterprises"].isna().all()  # ...the others have no data
    assert "jobs" not in history.columns  # an optional figure no register has is left out
    assert history["enterprises"].tolist() == [12.0, 12.0, 12.0]
    assert history["occupancy_pct"].dtype == "float64"


def test_a_resubmission_approved_later_is_the_only_row_of_its_period(store: GeoPackageStore) -> None:
    again = _keqiao("柯桥智造园（一期）", "built", 100_500.0, 85.0)
    _submit(store, again, Q3, approve_now=True)
    history = park_history(store, PARK)
    assert history["period"].tolist() == ["2024Q1", "2024Q2", "2024Q3"]
    assert history["floor_area_m2"].tolist()[-1] == 100_500.0
    assert len(periods_in_force(store.list_submissions())) == 4  # 柯桥 Q1-Q3 and 越城 Q1


def test_a_blank_park_id_is_refused(store: GeoPackageStore) -> None:
    with pytest.raises(ValueError, match="park_id"):
        park_history(store, "  ")
