from __future__ import annotations

import pytest

from geo.reporting.identity import match_parks, next_park_id
from tests.geo.reporting.registers import register

PREVIOUS = register(
    [
        {"park_id": "330603-0001", "name": "钱清小微企业园", "code": "KQ-01"},
        {"park_id": "330603-0002", "name": "杨汛桥小微企业园", "dlat": 20},
        {"park_id": "330603-0003", "name": "漓渚小微企业园", "dlat": 40},
    ]
)


def test_the_same_name_in_the_same_county_is_the_same_park() -> None:
    current = register([{"name": "杨汛桥小微企业园", "dlat": 20}, {"name": "漓渚小微企业园 ", "dlat": 40}])
    result = match_parks(PREVIOUS, current)
    assert result.park_ids == ["330603-0002", "330603-0003"] and result.how == ["name", "name"]


def test_a_rename_within_200_m_keeps_the_park_id() -> None:
    current = register([{"name": "漓渚智造园", "dlat": 40.9}])  # renamed, ~100 m north
    result = match_parks(PREVIOUS, current)
    assert result.park_ids == ["330603-0003"] and result.how == ["location"]


def test_the_register_code_wins_over_name_and_place() -> None:
    current = register([{"name": "全新名称园", "code": "KQ-01", "dlat": 60}])
    assert match_parks(PREVIOUS, current).park_ids == ["330603-0001"]


def test_a_park_far_away_with_a_new_name_is_new() -> None:
    current = register([{"name": "齐贤小微企业园", "dlat": 80}])
    result = match_parks(PREVIOUS, current)
    assert result.park_ids == ["330603-0004"] and result.how == ["new"] and result.ambiguous == []


def test_the_same_name_in_another_county_is_another_park() -> None:
    current = register([{"name": "钱清小微企业园", "county": "330602"}])
    assert match_parks(PREVIOUS, current).park_ids == ["330602-0001"]


def test_two_candidates_within_200_m_are_listed_never_guessed() -> None:
    previous = register([{"park_id": "330603-0001", "name": "甲园"}, {"park_id": "330603-0002", "name": "乙园", "dlat": 1}])
    current = register([{"name": "丙园", "dlat": 0.5}])
    result = match_parks(previous, current)
    assert result.how == ["new"] and result.park_ids == ["330603-0003"]
    assert [(a.name, a.candidates) for a in result.ambiguous] == [("丙园", ("330603-0001", "330603-0002"))]


def test_a_first_submission_gives_every_park_a_new_id() -> None:
    current = register([{"name": "甲园"}, {"name": "乙园", "county": "330602"}])
    assert match_parks(PREVIOUS.iloc[0:0], current).park_ids == ["330603-0001", "330602-0001"]


def test_registers_must_be_in_wgs84() -> None:
    with pytest.raises(ValueError, match="WGS-84"):
        match_parks(PREVIOUS, register([{"name": "甲园"}]).to_crs("EPSG:4549"))


def test_next_park_id_skips_the_ids_in_use() -> None:
    assert next_park_id("330603", {"330603-0009", "330602-0100"}) == "330603-0010"
