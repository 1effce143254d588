"""The sidebar's plan chooser: shown when the region has several plans; the titles follow the chosen plan."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo import paths
from geo.words import t

TIMEOUT_S = 120


def _dashboard() -> None:
    from ui import dashboard

    dashboard.render("zh")


def _plan_label(at: AppTest) -> list[str]:
    return [s.label for s in at.sidebar.selectbox if s.label == t("plan", "zh")]


@pytest.fixture
def two_plans(small_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The shipped regions in a temporary folder, Shaoxing with a second plan (2024–2026, 200 parks)."""
    root = tmp_path / "regions"
    shutil.copytree(paths.DATA_DIR / "regions", root)
    plans = root / "330600" / "plans"
    plan = json.loads((plans / "2021-2023.json").read_text(encoding="utf-8"))
    plan |= {
        "id": "2024-2026",
        "title": "绍兴市小微企业园提升计划(2024—2026年)",
        "title_en": "Shaoxing park upgrading plan (2024–2026)",
        "period_start": "2024-01-01",
        "period_end": "2026-12-31",
        "baseline_date": "2023-12-31",
        "comparison": "at_least",
    }
    plan["targets"] = [dict(target, value=200) if target["id"] == "parks_total" else target for target in plan["targets"]]
    (plans / "2024-2026.json").write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
    quotas = root / "330600" / "quotas"
    if (quotas / "2021-2023.csv").exists():
        shutil.copy(quotas / "2021-2023.csv", quotas / "2024-2026.csv")
    monkeypatch.setenv("PARKMAP_REGIONS_DIR", str(root))
    return root


def test_one_plan_no_chooser(small_store: Path) -> None:
    at = AppTest.from_function(_dashboard, default_timeout=TIMEOUT_S).run()
    assert not at.exception, [e.message for e in at.exception]
    assert _plan_label(at) == []


def test_the_chosen_plan_titles_the_dashboard(two_plans: Path) -> None:
    at = AppTest.from_function(_dashboard, default_timeout=TIMEOUT_S).run()
    assert not at.exception, [e.message for e in at.exception]
    chooser = next(s for s in at.sidebar.selectbox if s.label == t("plan", "zh"))
    assert chooser.options == ["绍兴市小微企业三年成长计划(2021—2023年)", "绍兴市小微企业园提升计划(2024—2026年)"]
    assert "超过140个" in at.caption[0].value
    chooser.set_value("2024-2026").run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.session_state["plan_id"] == "2024-2026"
    assert at.title[0].value == "绍兴市小微企业园分布与建设进度"
    assert at.caption[0].value == "对照《绍兴市小微企业园提升计划(2024—2026年)》：园区总量不少于200个、总建筑面积不少于1000万平方米"
    assert any(p.proto.text == "2024-01-01 – 2026-12-31" for p in at.get("progress"))


def test_a_blank_plan_says_its_targets_are_not_filled_in(two_plans: Path) -> None:
    """A plan made by `python -m geo.region add` has targets of 0: no "more than 0", no "on track" against 0."""
    plans = two_plans / "330600" / "plans"
    plan = json.loads((plans / "2024-2026.json").read_text(encoding="utf-8"))
    plan["targets"] = [dict(target, value=0) for target in plan["targets"]]
    (plans / "2024-2026.json").write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
    quotas = two_plans / "330600" / "quotas" / "2024-2026.csv"
    if quotas.exists():
        quotas.unlink()
    at = AppTest.from_function(_dashboard, default_timeout=TIMEOUT_S).run()
    next(s for s in at.sidebar.selectbox if s.label == t("plan", "zh")).set_value("2024-2026").run()
    assert not at.exception, [e.message for e in at.exception]
    assert "目标尚未填写" in at.caption[0].value and "0个" not in at.caption[0].value
    verdicts = [m.value for m in at.metric if m.label == t("on_track", "zh")]
    assert verdicts == [t("targets_not_set", "zh")]
    assert all("目标 0" not in p.proto.text for p in at.get("progress"))
