from __future__ import annotations

from geo.reporting.changes import register_changes
from tests.geo.reporting.registers import register

PREVIOUS = register(
    [
        {"park_id": "A", "name": "钱清园", "status": "under_construction", "floor": 40_000.0, "occupancy": 20.0},
        {"park_id": "B", "name": "杨汛桥园", "dlat": 20},
        {"park_id": "C", "name": "漓渚园", "dlat": 40},
        {"park_id": "D", "name": "齐贤园", "dlat": 60},
    ]
)


def test_every_kind_of_change_a_reviewer_checks() -> None:
    current = register(
        [
            {"park_id": "A", "name": "钱清园", "status": "planned", "floor": 52_500.0, "occupancy": 95.0},
            {"park_id": "B", "name": "杨汛桥智造园", "dlat": 20},
            {"park_id": "C", "name": "漓渚园", "dlat": 43},  # ~333 m north
            {"park_id": "E", "name": "新园", "dlat": 80},
        ]
    )
    changes = register_changes(PREVIOUS, current)
    summary = changes.summary()
    assert summary["added"] == ["E 新园"] and summary["removed"] == ["D 齐贤园"]
    assert summary["status_changed"] == ["A 钱清园"] and [c.flag for c in changes.regressions] == ["regression"]
    (area,) = changes.of_kind("area_changed")
    assert (area.before, area.after, area.amount) == (40_000.0, 52_500.0, 12_500.0)
    (moved,) = changes.of_kind("moved")
    assert moved.park_id == "C" and 300 < moved.amount < 370
    assert summary["renamed"] == ["B 杨汛桥智造园"]
    (jump,) = changes.of_kind("jump")
    assert (jump.park_id, jump.amount, jump.flag) == ("A", 75.0, "implausible")


def test_an_unchanged_register_has_no_changes_and_small_moves_are_not_moves() -> None:
    current = PREVIOUS.copy()
    current.geometry = current.geometry.translate(yoff=0.001)  # ~111 m
    assert register_changes(PREVIOUS, current).items == []


def test_a_step_forward_is_a_status_change_not_a_regression() -> None:
    current = PREVIOUS.copy()
    current.loc[0, "status"] = "built"
    changes = register_changes(PREVIOUS, current)
    assert [c.kind for c in changes.items] == ["status_changed"] and changes.regressions == []


def test_the_first_submission_adds_every_park_and_keeps_as_a_table() -> None:
    changes = register_changes(PREVIOUS.iloc[0:0], PREVIOUS)
    assert [c.kind for c in changes.items] == ["added"] * 4
    assert list(changes.to_frame()["park_id"]) == ["A", "B", "C", "D"]
