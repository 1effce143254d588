"""The data page's form for a new plan: it saves a valid plan and chooses it, and refuses a bad one in words."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.region.region import load_plan, plan_ids
from ui.shared import md_text

TIMEOUT_S = 60
SHIPPED = Path(__file__).resolve().parents[2] / "data" / "regions"


def _form() -> None:
    from ui.plan_form import plan_section

    plan_section("zh")


@pytest.fixture
def regions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "regions"
    shutil.copytree(SHIPPED, root)
    monkeypatch.setenv("PARKMAP_REGIONS_DIR", str(root))
    for name in ("PARKMAP_REGION", "PARKMAP_PLAN"):
        monkeypatch.delenv(name, raising=False)
    return root


def test_the_form_saves_the_next_plan_and_chooses_it(regions: Path) -> None:
    at = AppTest.from_function(_form, default_timeout=TIMEOUT_S).run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.text_input[0].value == "2024-2026"  # proposed from the current plan's period
    assert at.date_input[0].value == date(2024, 1, 1)
    at.number_input[0].set_value(160)
    at.number_input[1].set_value(1200.0)
    at.button[0].click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert [s.value for s in at.success] == [md_text("已保存计划 2024-2026，已设为当前计划。")]
    assert at.session_state["plan_id"] == "2024-2026"
    assert plan_ids() == ["2021-2023", "2024-2026"]
    plan = load_plan("2024-2026")
    assert (plan.parks, plan.floor_area_m2, plan.period_end) == (160, 12_000_000, date(2026, 12, 31))


def test_the_form_refuses_an_end_before_the_start(regions: Path) -> None:
    at = AppTest.from_function(_form, default_timeout=TIMEOUT_S).run()
    at.date_input[1].set_value(date(2023, 6, 30))
    at.button[0].click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert any("须晚于开始日期" in e.value for e in at.error)
    assert "plan_id" not in at.session_state
    assert plan_ids() == ["2021-2023"]
