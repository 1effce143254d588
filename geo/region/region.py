"""The region (a prefecture-level city and its counties) and its plans, read from ``data/regions/<adcode>/``.

Nothing about a particular city lives in code: its name, counties (adcodes,
English names, short forms, former names of merged or renamed counties), metric CRS and
plans (period, baseline, targets, lead unit) are files in the region's folder::

    data/regions/regions.json              which region is the default
    data/regions/<adcode>/region.json      the city and its counties
    data/regions/<adcode>/plans/<id>.json  one file per plan

``PARKMAP_REGION`` chooses the region (default: ``regions.json``), and
``PARKMAP_REGIONS_DIR`` the folder that holds the regions (tests use a
temporary one).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, Literal, Protocol

from geo import paths
from geo.errors import GeoDataError

Comparison = Literal["more_than", "at_least", "reach"]
COMPARISONS: tuple[Comparison, ...] = ("more_than", "at_least", "reach")


@dataclass(frozen=True)
class County:
    """One county-level division of the region."""

    adcode: str
    name: str
    short_name: str
    name_en: str
    former_names: tuple[str, ...] = ()

    def label(self, lang: str) -> str:
        """Return the county's name in ``lang`` ("zh" or "en").

        Parameters
        ----------
        lang
            ``zh`` or ``en``.

        Returns
        -------
        str
            The county's name.
        """
        return self.name if lang == "zh" else self.name_en


@dataclass(frozen=True)
class Region:
    """A prefecture-level city: its name, counties and the folder its data lives in."""

    adcode: str
    name: str
    short_name: str
    name_en: str
    province: str
    province_short: str
    metric_crs: str
    counties: tuple[County, ...]
    default_plan: str
    folder: Path
    official_area_km2: float | None = None
    alias_example_adcode: str = ""  # the county whose short and former names messages give as examples
    reporting_cycle: Literal["quarter", "month"] = "quarter"  # how often counties report their parks
    reporting_due_days: int = 15  # a period's report is due this many days after the period ends

    def label(self, lang: str) -> str:
        """Return the city's name in ``lang`` ("zh" or "en").

        Parameters
        ----------
        lang
            ``zh`` or ``en``.

        Returns
        -------
        str
            The city's name.
        """
        return self.name if lang == "zh" else self.name_en

    def county(self, adcode: str) -> County:
        """Return the county with ``adcode``; raise ``GeoDataError`` naming the known ones.

        Parameters
        ----------
        adcode
            A county's adcode.

        Returns
        -------
        County
            The county.
        """
        for county in self.counties:
            if county.adcode == str(adcode):
                return county
        known = ", ".join(f"{c.adcode} {c.name}" for c in self.counties)
        msg = f"{self.name} has no county with adcode {adcode!r}; its counties are {known}."
        raise GeoDataError(msg)

    @property
    def county_adcodes(self) -> tuple[str, ...]:
        """The counties' adcodes, in the region's order."""
        return tuple(c.adcode for c in self.counties)

    @property
    def city_prefixes(self) -> tuple[str, ...]:
        """How a county name may be prefixed in a register (<province><city><county>), longest first."""
        names = (
            f"{self.province}{self.name}",
            f"{self.province_short}{self.short_name}",
            f"{self.province_short}{self.name}",
            self.name,
            self.province,
        )
        return tuple(dict.fromkeys(sorted(names, key=len, reverse=True)))

    @property
    def plans_dir(self) -> Path:
        """The folder holding the region's plan files."""
        return self.folder / "plans"


class PlanTargets(Protocol):
    """What progress and the words read of a plan: a :class:`Plan`, or targets in hand (tests, what-if figures)."""

    @property
    def parks(self) -> int: ...
    @property
    def floor_area_m2(self) -> float: ...
    @property
    def period_start(self) -> date: ...
    @property
    def period_end(self) -> date: ...
    @property
    def baseline_date(self) -> date: ...
    @property
    def comparison(self) -> str: ...
    @property
    def region_adcode(self) -> str: ...


@dataclass(frozen=True)
class Target:
    """One quantitative target of a plan."""

    id: str
    label: str
    label_en: str
    value: float
    unit: str
    unit_en: str
    comparison: Comparison
    cumulative: str  # "total", "since_start" (counted from the plan's start) or "per_year"
    lead_unit: str
    measurable_from: str  # "parks", "enterprises" or "none"
    clause: str = ""


@dataclass(frozen=True)
class Plan:
    """A plan: its period, baseline, targets and lead unit (a fact from the plan's text)."""

    id: str
    title: str
    title_en: str
    document: str
    source: str
    source_text: str
    period_start: date
    period_end: date
    baseline_date: date
    comparison: Comparison
    lead_unit: str
    lead_unit_en: str
    targets: tuple[Target, ...]
    path: Path | None = None
    region_adcode: str = ""  # the adcode of the region the plan belongs to: the city row of progress

    def target(self, target_id: str) -> Target | None:
        """Return the target with ``target_id``, or ``None`` when the plan has none.

        Parameters
        ----------
        target_id
            A target's id, such as ``parks``.

        Returns
        -------
        Target or None
            The target.
        """
        return next((t for t in self.targets if t.id == target_id), None)

    @property
    def parks(self) -> int:
        """The plan's park target (0 when the plan sets none yet)."""
        found = self.target("parks_total")
        return int(found.value) if found else 0

    @property
    def floor_area_m2(self) -> float:
        """The plan's floor-area target in m² (0 when the plan sets none yet)."""
        found = self.target("park_floor_area_m2")
        return float(found.value) if found else 0.0


def is_city_adcode(adcode: str) -> bool:
    """Return whether ``adcode`` names a prefecture-level city (its last two digits are 00), not a county.

    Parameters
    ----------
    adcode
        Any adcode.

    Returns
    -------
    bool
        True for a prefecture-level city.
    """
    code = str(adcode)
    return len(code) == 6 and code.isdigit() and code.endswith("00")


def city_adcode_of(county_adcode: str) -> str:
    """Return the adcode of the prefecture-level city a county belongs to (its first four digits, then 00).

    Parameters
    ----------
    county_adcode
        A county's adcode.

    Returns
    -------
    str
        Its city's adcode.
    """
    return f"{str(county_adcode)[:4]}00"


def default_store_path() -> Path:
    """Return the store file of the region in use when ``PARKMAP_STORE`` is not set.

    A store holds one region's registers: the default region's is
    ``data/store/parkmap.gpkg`` (as before regions existed), another region's
    ``data/store/<adcode>/parkmap.gpkg``.

    Returns
    -------
    Path
        The store file (it may not exist yet).
    """
    store = data_root() / "store"
    adcode = current_adcode()
    return store / "parkmap.gpkg" if adcode == default_adcode() else store / adcode / "parkmap.gpkg"


def default_sample_dir(adcode: str | None = None) -> Path:
    """Return where a region's generated synthetic sample lives: ``data/sample/<adcode>/``.

    Parameters
    ----------
    adcode
        The region (default: the region in use).

    Returns
    -------
    Path
        The folder (it may not exist yet).
    """
    return data_root() / "sample" / (adcode or current_adcode())


def data_root() -> Path:
    """Return the data folder the regions sit in (``data/``, or the parent of ``PARKMAP_REGIONS_DIR``).

    Generated data (the synthetic sample, the store, planners' quota edits)
    lives beside the regions, so a temporary regions folder keeps them too.

    Returns
    -------
    Path
        The folder holding ``regions/``, ``sample/`` and ``store/``.
    """
    return regions_dir().parent


def regions_dir() -> Path:
    """Return the folder holding the regions (``PARKMAP_REGIONS_DIR`` or ``data/regions``)."""
    return Path(os.environ.get("PARKMAP_REGIONS_DIR") or paths.DATA_DIR / "regions")


def current_adcode() -> str:
    """Return the adcode of the region in use (``PARKMAP_REGION``, else the default in ``regions.json``)."""
    chosen = os.environ.get("PARKMAP_REGION", "").strip()
    return chosen or default_adcode()


def default_adcode() -> str:
    """Return the default region's adcode (``regions.json``, or the only region folder there is)."""
    index = regions_dir() / "regions.json"
    if index.exists():
        return str(_read_json(index)["default_region"])
    folders = sorted(p.name for p in regions_dir().iterdir() if (p / "region.json").exists())
    if len(folders) == 1:
        return folders[0]
    msg = f"No default region in {index}; set PARKMAP_REGION to one of {', '.join(folders) or '(none)'}."
    raise GeoDataError(msg)


def load_region(adcode: str | None = None) -> Region:
    """Return the region ``adcode`` (default: :func:`current_adcode`) from its ``region.json``.

    Parameters
    ----------
    adcode
        The region's adcode; None for the region in use.

    Returns
    -------
    Region
        The region, read from ``data/regions/<adcode>/region.json``.
    """
    code = str(adcode or current_adcode())
    path = regions_dir() / code / "region.json"
    return _load_region(code, str(regions_dir()), path.stat().st_mtime_ns if path.exists() else 0)


@cache
def _load_region(adcode: str, root: str, _mtime_ns: int) -> Region:
    folder = Path(root) / adcode
    path = folder / "region.json"
    if not path.exists():
        msg = (
            f"Region {adcode} is not set up: {path} is missing. "
            f"Build it with `python -m geo.region add --adcode {adcode}`, or choose another PARKMAP_REGION."
        )
        raise GeoDataError(msg)
    raw = _read_json(path)
    counties = tuple(
        County(
            adcode=str(c["adcode"]),
            name=c["name"],
            short_name=c.get("short_name") or c["name"],
            name_en=c.get("name_en") or c["name"],
            former_names=tuple(c.get("former_names", ())),
        )
        for c in raw["counties"]
    )
    return Region(
        adcode=str(raw["adcode"]),
        name=raw["name"],
        short_name=raw.get("short_name") or raw["name"],
        name_en=raw.get("name_en") or raw["name"],
        province=raw.get("province", ""),
        province_short=raw.get("province_short", raw.get("province", "")),
        metric_crs=raw.get("metric_crs", "EPSG:4549"),
        counties=counties,
        default_plan=raw.get("default_plan", ""),
        folder=folder,
        official_area_km2=raw.get("official_area_km2"),
        alias_example_adcode=str(raw.get("alias_example_adcode", "")),
        **_reporting_rule(raw.get("reporting", {}), path),
    )


REPORTING_CYCLES = ("quarter", "month")
MAX_DUE_DAYS = 92


def _reporting_rule(raw: object, path: Path) -> dict[str, Any]:
    """The region's reporting rule (``"reporting": {"cycle": "quarter", "due_days": 15}``), checked."""
    rule = raw if isinstance(raw, dict) else {}
    cycle, due = rule.get("cycle", "quarter"), rule.get("due_days", 15)
    if cycle not in REPORTING_CYCLES:
        msg = f"{path}: reporting.cycle must be one of {', '.join(REPORTING_CYCLES)} (报送周期：季度 quarter 或 月度 month), not {cycle!r}."
        raise GeoDataError(msg)
    if isinstance(due, bool) or not isinstance(due, int) or not 0 <= due <= MAX_DUE_DAYS:
        msg = f"{path}: reporting.due_days must be a whole number of days from 0 to {MAX_DUE_DAYS} after the period ends, not {due!r}."
        raise GeoDataError(msg)
    return {"reporting_cycle": cycle, "reporting_due_days": due}


def plan_ids(region: Region | None = None) -> list[str]:
    """Return the ids of the region's plans, oldest period first.

    Parameters
    ----------
    region
        The region; None loads the region in use.

    Returns
    -------
    list of str
        The plans' ids.
    """
    region = region or load_region()
    plans = [load_plan(p.stem, region=region) for p in sorted(region.plans_dir.glob("*.json"))]
    return [p.id for p in sorted(plans, key=lambda p: (p.period_start, p.id))]


def load_plan(plan_id: str | None = None, *, region: Region | None = None) -> Plan:
    """Return plan ``plan_id`` of ``region`` (default: ``PARKMAP_PLAN``, else the region's default plan).

    Parameters
    ----------
    plan_id
        The plan's id; None for ``PARKMAP_PLAN`` or the region's default plan.
    region
        The region; None loads the region in use.

    Returns
    -------
    Plan
        The plan, read from ``plans/<id>.json``.
    """
    region = region or load_region()
    chosen = plan_id or os.environ.get("PARKMAP_PLAN", "").strip() or region.default_plan
    path = region.plans_dir / f"{chosen}.json"
    if not path.exists():
        known = ", ".join(p.stem for p in sorted(region.plans_dir.glob("*.json"))) or "(none)"
        msg = f"{region.name} has no plan {chosen!r}; its plans are {known}."
        raise GeoDataError(msg)
    return _load_plan(str(path), path.stat().st_mtime_ns, region.adcode)


@cache
def _load_plan(path: str, _mtime_ns: int, region_adcode: str) -> Plan:
    raw = _read_json(Path(path))
    try:
        plan = _plan_from_json(raw, path, region_adcode)
    except KeyError as exc:
        msg = f"{path}: the plan lacks the field {exc.args[0]!r}."
        raise GeoDataError(msg) from exc
    except (TypeError, ValueError) as exc:
        msg = f"{path}: {exc}. Dates are written YYYY-MM-DD and target values as numbers."
        raise GeoDataError(msg) from exc
    if not plan.baseline_date <= plan.period_start < plan.period_end:
        msg = (
            f"{path}: the plan runs from {plan.period_start} to {plan.period_end} with its baseline on {plan.baseline_date}; "
            "the baseline must be on or before the start, and the start before the end."
        )
        raise GeoDataError(msg)
    return plan


def _plan_from_json(raw: dict[str, Any], path: str, region_adcode: str) -> Plan:
    comparison = raw.get("comparison", "more_than")
    return Plan(
        id=str(raw["id"]),
        title=raw["title"],
        title_en=raw.get("title_en") or raw["title"],
        document=raw.get("document", ""),
        source=raw.get("source", raw["title"]),
        source_text=raw.get("source_text", ""),
        period_start=date.fromisoformat(raw["period_start"]),
        period_end=date.fromisoformat(raw["period_end"]),
        baseline_date=date.fromisoformat(raw["baseline_date"]),
        comparison=_comparison(comparison, path),
        lead_unit=raw.get("lead_unit", ""),
        lead_unit_en=raw.get("lead_unit_en", raw.get("lead_unit", "")),
        targets=tuple(_target(t, path) for t in raw.get("targets", ())),
        path=Path(path),
        region_adcode=region_adcode,
    )


def _target(raw: dict[str, Any], path: str) -> Target:
    return Target(
        id=str(raw["id"]),
        label=raw["label"],
        label_en=raw.get("label_en") or raw["label"],
        value=float(raw["value"]),
        unit=raw.get("unit", ""),
        unit_en=raw.get("unit_en", raw.get("unit", "")),
        comparison=_comparison(raw.get("comparison", "at_least"), path),
        cumulative=raw.get("cumulative", "total"),
        lead_unit=raw.get("lead_unit", ""),
        measurable_from=raw.get("measurable_from", "none"),
        clause=raw.get("clause", ""),
    )


def _comparison(value: str, path: str) -> Comparison:
    if value not in COMPARISONS:
        msg = f"{path}: comparison {value!r} is not one of {', '.join(COMPARISONS)}."
        raise GeoDataError(msg)
    return value  # type: ignore[return-value]


def _read_json(path: Path) -> dict[str, Any]:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        msg = f"{path} cannot be read as JSON: {exc}"
        raise GeoDataError(msg) from exc
    if not isinstance(raw, dict):
        msg = f"{path} must hold one JSON object."
        raise GeoDataError(msg)
    return raw
