"""The region and its plans as files: loaders, errors, adding a plan (API and command line), quotas per plan."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from geo.errors import GeoDataError
from geo.ingest.locate import CountyLookup
from geo.region import targets
from geo.region.__main__ import main
from geo.region.boundaries import load_counties
from geo.region.plans import PlanInput, add_plan, blank_plan
from geo.region.region import city_adcode_of, is_city_adcode, load_plan, load_region, plan_ids, regions_dir

SHIPPED = Path(__file__).resolve().parents[3] / "data" / "regions"


@pytest.fixture
def regions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the shipped regions in a temporary folder (PARKMAP_REGIONS_DIR), quotas edits beside it."""
    root = tmp_path / "regions"
    shutil.copytree(SHIPPED, root)
    monkeypatch.setenv("PARKMAP_REGIONS_DIR", str(root))
    monkeypatch.delenv("PARKMAP_REGION", raising=False)
    monkeypatch.delenv("PARKMAP_PLAN", raising=False)
    monkeypatch.setenv("PARKMAP_QUOTAS", str(tmp_path / "quotas.csv"))
    return root


def next_plan(**changes: object) -> PlanInput:
    base = {
        "plan_id": "2024-2026",
        "title": "绍兴市小微企业园三年计划(2024—2026年)",
        "period_start": date(2024, 1, 1),
        "period_end": date(2026, 12, 31),
        "baseline_date": date(2023, 12, 31),
        "parks": 160,
        "floor_area_m2": 12_000_000.0,
        "comparison": "at_least",
        "lead_unit": "市经信局",
    }
    return PlanInput(**{**base, **changes})  # type: ignore[arg-type]


def test_shipped_region_and_plan_are_read_from_data() -> None:
    region = load_region()
    assert (region.adcode, region.name, region.name_en) == ("330600", "绍兴市", "Shaoxing")
    assert len(region.counties) == 6
    assert region.county("330603").former_names == ("绍兴县",)
    plan = load_plan()
    assert (plan.id, plan.parks, plan.floor_area_m2) == ("2021-2023", 140, 10_000_000)
    assert (plan.period_start, plan.period_end, plan.baseline_date) == (date(2021, 1, 1), date(2023, 12, 31), date(2020, 12, 31))
    assert plan.comparison == "more_than"
    assert plan.region_adcode == "330600"
    assert plan_ids(region) == ["2021-2023"]


def test_adcode_rules() -> None:
    assert is_city_adcode("330600") and not is_city_adcode("330603")
    assert city_adcode_of("330603") == "330600"


def test_a_region_without_a_folder_says_how_to_build_it(regions: Path) -> None:
    with pytest.raises(GeoDataError, match=r"Region 339900 is not set up.*python -m geo.region add --adcode 339900"):
        load_region("339900")


def test_an_unknown_plan_id_names_the_plans_there_are(regions: Path) -> None:
    with pytest.raises(GeoDataError, match="绍兴市 has no plan '2030-2032'; its plans are 2021-2023"):
        load_plan("2030-2032")


def test_a_bad_comparison_in_a_plan_file_is_named(regions: Path) -> None:
    path = regions / "330600" / "plans" / "2021-2023.json"
    raw = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps({**raw, "comparison": "roughly"}, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(GeoDataError, match="comparison 'roughly' is not one of more_than, at_least, reach"):
        load_plan("2021-2023")


def test_a_plan_file_without_a_period_or_with_a_late_baseline_is_named(regions: Path) -> None:
    path = regions / "330600" / "plans" / "2021-2023.json"
    raw = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps({k: v for k, v in raw.items() if k != "period_end"}, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(GeoDataError, match="lacks the field 'period_end'"):
        load_plan("2021-2023")
    path.write_text(json.dumps({**raw, "baseline_date": "2021-06-30"}, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(GeoDataError, match="the baseline must be on or before the start"):
        load_plan("2021-2023")


def test_add_plan_writes_a_file_the_loader_reads_back(regions: Path) -> None:
    plan = add_plan(next_plan())
    assert plan.path == regions / "330600" / "plans" / "2024-2026.json"
    assert (plan.parks, plan.floor_area_m2, plan.comparison, plan.lead_unit) == (160, 12_000_000, "at_least", "市经信局")
    assert plan_ids() == ["2021-2023", "2024-2026"]
    assert load_plan().id == "2021-2023"  # the default stays the default
    again = load_plan("2024-2026")
    assert again.target("parks_total").comparison == "at_least"  # type: ignore[union-attr]


def test_add_plan_refuses_bad_input_naming_every_problem_and_writes_nothing(regions: Path) -> None:
    bad = next_plan(plan_id="2024/2026", title=" ", period_end=date(2023, 6, 30), baseline_date=date(2024, 3, 1), parks=-1)
    with pytest.raises(GeoDataError) as caught:
        add_plan(bad)
    text = str(caught.value)
    for words in ("plan id", "title", "the end must be after the start", "baseline must be on or before", "0 or more"):
        assert words in text
    assert plan_ids() == ["2021-2023"]
    add_plan(next_plan())
    with pytest.raises(GeoDataError, match="already has plan 2024-2026"):
        add_plan(next_plan(parks=1))
    assert load_plan("2024-2026").parks == 160


def test_plan_add_and_list_on_the_command_line(regions: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["plan", "add", "--id", "2024-2026", "--title", "下一轮计划", "--start", "2024-01-01", "--end", "2026-12-31"]
    assert main([*argv, "--parks", "160", "--floor-area-m2", "12000000", "--lead-unit", "市经信局"]) == 0
    assert "wrote" in capsys.readouterr().out
    plan = load_plan("2024-2026")
    assert plan.baseline_date == date(2023, 12, 31)  # the day before the start by default
    assert plan.comparison == "more_than"
    assert main(["plan", "list"]) == 0
    listed = capsys.readouterr().out
    assert "* 2021-2023" in listed and "  2024-2026" in listed and "parks 160" in listed
    assert main([*argv, "--parks", "1", "--floor-area-m2", "1"]) == 2
    assert "already has plan 2024-2026" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main([*argv[:-4], "--start", "2024-13-01", "--end", "2026-12-31", "--parks", "1", "--floor-area-m2", "1"])
    assert "not a date" in capsys.readouterr().err


def test_quotas_are_per_plan(regions: Path, tmp_path: Path) -> None:
    shipped = targets.load_county_quotas()
    assert shipped["parks_quota"].sum() == 140
    plan = add_plan(next_plan())
    derived = targets.load_county_quotas(plan=plan)  # no shipped file: the indicative split of this plan's targets
    assert derived["parks_quota"].sum() == 160
    assert derived["floor_area_quota_m2"].sum() == 12_000_000
    assert not derived["official"].any()
    edited = derived.copy()
    edited.loc[edited["adcode"] == "330603", "parks_quota"] = 40
    saved = targets.save_county_quotas(edited, plan=plan)
    assert saved == tmp_path / "quotas.2024-2026.csv"  # beside PARKMAP_QUOTAS, which is the default plan's
    assert targets.load_county_quotas(plan=plan).set_index("adcode").loc["330603", "parks_quota"] == 40
    pd.testing.assert_frame_equal(targets.load_county_quotas(), shipped)  # the 2021-2023 quotas are untouched


def test_user_quotas_default_to_a_file_per_region_and_plan(regions: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PARKMAP_QUOTAS")
    path = targets.user_quotas_path()
    assert path.parts[-4:] == ("store", "330600", "quotas", "2021-2023.csv")


def test_plan_targets_table_is_a_view_of_the_chosen_plan(regions: Path) -> None:
    add_plan(next_plan())
    table = targets.load_plan_targets(load_plan("2024-2026")).set_index("indicator_id")
    assert table.loc["parks_total", "target_value"] == 160
    assert table.loc["parks_total", "period_end"] == "2026-12-31"


def test_locate_reads_former_names_and_prefixes_from_the_region(regions: Path) -> None:
    counties = load_counties()
    lookup = CountyLookup.from_counties(counties)
    assert lookup.alias_hint() == "也可填简称（柯桥）或旧称（绍兴县）"  # region.json's alias_example_adcode
    assert lookup.city == "绍兴市"
    assert lookup.code("绍兴县") == "330603"
    assert lookup.code("浙江省绍兴市柯桥区") == "330603"
    path = regions / "330600" / "region.json"
    raw = json.loads(path.read_text(encoding="utf-8"))
    for county in raw["counties"]:
        if county["adcode"] == "330624":
            county["former_names"] = ["新昌旧县"]
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    renamed = CountyLookup.from_counties(counties, region=load_region())
    assert renamed.code("新昌旧县") == "330624"
    assert renamed.code("绍兴县") == "330603"


def test_blank_plan_has_zero_targets_and_the_period_asked_for() -> None:
    plan = blank_plan("嘉兴市", period_start=date(2024, 1, 1), period_end=date(2026, 12, 31))
    assert (plan.plan_id, plan.parks, plan.floor_area_m2, plan.baseline_date) == ("2024-2026", 0, 0.0, date(2023, 12, 31))
    assert "嘉兴市" in plan.title and "待填写" in plan.title


def test_regions_dir_follows_the_environment(regions: Path) -> None:
    assert regions_dir() == regions


def test_the_sample_timeline_follows_the_plan_and_never_dates_a_register_in_the_future(regions: Path) -> None:
    from geo.demo.timeline import sample_timeline

    shipped = sample_timeline(load_plan())
    assert (shipped.target_date.date(), shipped.register_date.date()) == (date(2023, 12, 31), date(2024, 6, 30))
    assert min(shipped.completion_year_weights) == 2016 and max(shipped.completion_year_weights) == 2023
    later = add_plan(
        next_plan(plan_id="2027-2029", period_start=date(2027, 1, 1), period_end=date(2029, 12, 31), baseline_date=date(2026, 12, 31))
    )
    anchored = sample_timeline(later, today=date(2026, 12, 2))
    assert anchored.register_date.date() <= date(2026, 12, 2)
    assert anchored.target_date.date() == date(2025, 12, 31)
    assert anchored.building_start < anchored.register_date
    assert anchored.target_floor_area_m2 == 12_000_000


def _set_reporting(root: Path, rule: object) -> None:
    path = root / "330600" / "region.json"
    raw = json.loads(path.read_text(encoding="utf-8"))
    raw["reporting"] = rule
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")


def test_the_reporting_rule_is_quarterly_due_in_15_days_unless_the_region_says_otherwise(regions: Path) -> None:
    region = load_region("330600")
    assert (region.reporting_cycle, region.reporting_due_days) == ("quarter", 15)
    _set_reporting(regions, {"cycle": "month", "due_days": 10})
    region = load_region("330600")
    assert (region.reporting_cycle, region.reporting_due_days) == ("month", 10)


@pytest.mark.parametrize(
    "rule, said",
    [({"cycle": "weekly"}, "reporting.cycle"), ({"due_days": -1}, "reporting.due_days"), ({"due_days": "15天"}, "reporting.due_days")],
)
def test_a_bad_reporting_rule_is_refused_with_the_field_named(regions: Path, rule: dict, said: str) -> None:
    _set_reporting(regions, rule)
    with pytest.raises(GeoDataError, match=said):
        load_region("330600")
