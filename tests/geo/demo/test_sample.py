"""Tests of the seeded synthetic sample data (geo.demo.sample and its helper modules)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
import shapely

from geo.crs import distance_m, gcj02_to_wgs84
from geo.demo import clusters as sc
from geo.demo import sample
from geo.demo.parks import generate_parks
from geo.demo.timeline import sample_timeline
from geo.region.boundaries import load_counties
from geo.schema import MAJOR_INDUSTRIES, SQM_PER_MU, SQM_PER_WAN_SQM

TIMELINE = sample_timeline()  # the shipped plan's dates: register 2024-06-30, deadline 2023-12-31
CERTIFICATION_BATCHES, REGISTER_DATE, TARGET_DATE = TIMELINE.certification_batches, TIMELINE.register_date, TIMELINE.target_date
PLACES = sc.load_places()  # data/regions/330600/sample_places.json
SEED = 7
N_PARKS = 40
N_ENTERPRISES = 12_000  # large enough that the parks' firms are not scaled down

# The headers as the brief spells them: a typo in the module's constants must fail here.
PARK_HEADERS = [
    "序号", "园区名称", "所在区县", "所在镇街", "园区类型", "建设状态", "建筑面积(万平方米)", "占地面积(亩)", "开工日期",
    "竣工日期", "认定日期", "星级", "入园企业数", "规上企业数", "入驻率(%)", "亩均税收(万元/亩)", "主导产业", "运营主体",
    "经度", "纬度", "备注",
]  # fmt: skip
ENTERPRISE_HEADERS = [
    "统一社会信用代码", "企业名称", "所在区县", "所在镇街", "行业", "八大万亿产业", "企业规模", "成立日期", "是否入园",
    "所在园区", "是否规上", "是否科技型", "经度", "纬度",
]  # fmt: skip
DATANG = (120.16, 29.76)  # 诸暨大唐, the sock town


def _write(root: Path, seed: int) -> dict[str, Path]:
    files = sample.write_sample(root, seed=seed, n_parks=N_PARKS, n_enterprises=N_ENTERPRISES)
    return {"parks": files[0], "enterprises": files[1], "reports": files[2], "manifest": files[3]}


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return _write(tmp_path_factory.mktemp("sample_a"), SEED)


@pytest.fixture(scope="module")
def written_again(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return _write(tmp_path_factory.mktemp("sample_b"), SEED)


@pytest.fixture(scope="module")
def written_other_seed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return _write(tmp_path_factory.mktemp("sample_c"), SEED + 1)


def _read_parks(path: Path) -> pd.DataFrame:
    return pd.read_excel(path, sheet_name="园区台账", header=2, engine="openpyxl")


def _read_enterprises(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, encoding="utf-8-sig", dtype={"统一社会信用代码": str, "成立日期": str})


@pytest.fixture(scope="module")
def parks(written: dict[str, Path]) -> pd.DataFrame:
    return _read_parks(written["parks"])


@pytest.fixture(scope="module")
def enterprises(written: dict[str, Path]) -> pd.DataFrame:
    return _read_enterprises(written["enterprises"])


@pytest.fixture(scope="module")
def county_geoms() -> dict[str, shapely.Geometry]:
    counties = load_counties()
    return dict(zip(counties["name"], counties.geometry, strict=True))


def _wgs84(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    lon, lat = gcj02_to_wgs84(frame["经度"].to_numpy(dtype=float), frame["纬度"].to_numpy(dtype=float))
    return np.asarray(lon), np.asarray(lat)


def _outside_claimed_county(frame: pd.DataFrame, county_geoms: dict[str, shapely.Geometry]) -> int:
    lon, lat = _wgs84(frame)
    inside = np.zeros(len(frame), dtype=bool)
    for name, geom in county_geoms.items():
        rows = (frame["所在区县"] == name).to_numpy()
        inside[rows] = shapely.contains_xy(geom, lon[rows], lat[rows])
    return int((~inside).sum())


# --- files, determinism, labelling -------------------------------------------------------------


def test_file_names_say_synthetic(written: dict[str, Path]) -> None:
    assert written["parks"].name == "sample_parks_synthetic.xlsx"
    assert written["enterprises"].name == "sample_enterprises_synthetic.csv"
    names = sorted(p.name for p in written["parks"].parent.iterdir())
    assert names == sorted([*(p.name for p in written.values()), "submissions"])  # the quarterly reports' folder
    reports = sorted(p.name for p in (written["parks"].parent / "submissions").iterdir())
    assert reports and all(n.endswith(".xlsx") and n[:6] in {f"{y}Q{q}" for y in range(2021, 2025) for q in (1, 2, 3, 4)} for n in reports)


def test_same_seed_gives_identical_files(written: dict[str, Path], written_again: dict[str, Path]) -> None:
    assert written["enterprises"].read_bytes() == written_again["enterprises"].read_bytes()
    pd.testing.assert_frame_equal(_read_parks(written["parks"]), _read_parks(written_again["parks"]))
    notes = [
        pd.read_excel(w["parks"], sheet_name="说明", engine="openpyxl").replace(str(w["parks"].parent), "<out>", regex=True)
        for w in (written, written_again)
    ]
    pd.testing.assert_frame_equal(*notes)  # the workbooks differ only in the output folder they name


def test_different_seed_gives_different_data(written: dict[str, Path], written_other_seed: dict[str, Path]) -> None:
    a, b = _read_parks(written["parks"]), _read_parks(written_other_seed["parks"])
    assert not np.allclose(a["经度"], b["经度"])
    assert set(a["园区名称"]) != set(b["园区名称"])
    ea, eb = _read_enterprises(written["enterprises"]), _read_enterprises(written_other_seed["enterprises"])
    assert (ea["经度"].to_numpy()[:1000] != eb["经度"].to_numpy()[:1000]).mean() > 0.99


def test_manifest_describes_a_complete_synthetic_set(written: dict[str, Path]) -> None:
    manifest = json.loads(written["manifest"].read_text(encoding="utf-8"))
    assert manifest["synthetic"] is True
    assert "合成" in manifest["notice"]
    assert manifest["seed"] == SEED
    assert manifest["counts"] == {"parks": N_PARKS, "enterprises": N_ENTERPRISES}
    assert manifest["coordinate_system"] == "GCJ-02"
    assert manifest["created_by"].startswith("python -m geo.demo.sample --out ")
    assert f"--seed {SEED} --enterprises {N_ENTERPRISES} --parks {N_PARKS}" in manifest["created_by"]
    for entry in [*manifest["files"], manifest["reports"]]:
        path = written["manifest"].parent / entry["name"]
        assert entry["bytes"] == path.stat().st_size
        assert entry["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    listed = json.loads(written["reports"].read_text(encoding="utf-8"))
    assert listed["synthetic"] is True and manifest["reports"]["reports"] == len(listed["reports"]) == 6 * 14 + 1
    for report in listed["reports"]:  # every quarterly report is there, as listed
        assert hashlib.sha256((written["manifest"].parent / report["file"]).read_bytes()).hexdigest() == report["sha256"]


def test_workbook_layout_and_synthetic_labels(written: dict[str, Path]) -> None:
    workbook = openpyxl.load_workbook(written["parks"])
    assert workbook.sheetnames == ["园区台账", "说明"]
    sheet = workbook["园区台账"]
    assert sheet["A1"].value == "绍兴市小微企业园台账（合成示例数据，非真实数据）"
    assert "GCJ-02" in sheet["A2"].value and "合成" in sheet["A2"].value
    assert [cell.value for cell in sheet[3]] == PARK_HEADERS
    assert sheet["A4"].value == 1
    assert sheet.max_row == 3 + N_PARKS
    notes = " ".join(str(cell.value) for row in workbook["说明"].iter_rows() for cell in row)
    for needle in ("合成", "非真实", str(SEED), "GCJ-02", "python -m geo.demo.sample"):
        assert needle in notes
    props = workbook.properties
    assert "合成" in props.title and "synthetic" in props.subject
    assert "synthetic" in props.keywords and "synthetic" in props.description.lower()


def test_csv_is_excel_utf8_with_exact_headers(written: dict[str, Path], enterprises: pd.DataFrame) -> None:
    raw = written["enterprises"].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw[3:].split(b"\r\n", 1)[0].decode("utf-8").split(",") == ENTERPRISE_HEADERS
    assert list(enterprises.columns) == ENTERPRISE_HEADERS
    assert len(enterprises) == N_ENTERPRISES


# --- parks -------------------------------------------------------------------------------------


def test_park_count_counties_and_unique_names(parks: pd.DataFrame) -> None:
    assert len(parks) == N_PARKS
    assert parks["序号"].tolist() == list(range(1, N_PARKS + 1))
    assert set(parks["所在区县"]) <= {c.name for c in PLACES.counties}
    assert parks["园区名称"].is_unique
    assert parks["园区名称"].str.fullmatch(r".+小微企业园(?:（.+期）)?").all()
    assert set(parks["园区类型"]) <= {"生产制造类", "生产性服务类"}


def test_parks_lie_in_the_county_they_name(parks: pd.DataFrame, county_geoms: dict[str, shapely.Geometry]) -> None:
    assert _outside_claimed_county(parks, county_geoms) == 0


def test_parks_are_apart(parks: pd.DataFrame) -> None:
    lon, lat = _wgs84(parks)
    i, j = np.triu_indices(len(parks), k=1)
    assert distance_m(lon[i], lat[i], lon[j], lat[j]).min() >= 500


def test_park_coordinates_are_gcj02_with_six_decimals(parks: pd.DataFrame) -> None:
    lon, lat = _wgs84(parks)
    shift_m = distance_m(lon, lat, parks["经度"].to_numpy(), parks["纬度"].to_numpy())
    assert np.all((shift_m > 200) & (shift_m < 900))  # the GCJ-02 offset around Shaoxing
    assert np.allclose(parks["经度"], parks["经度"].round(6), rtol=0, atol=1e-9)


def test_plot_ratios_and_sizes_are_plausible(parks: pd.DataFrame) -> None:
    floor_m2 = parks["建筑面积(万平方米)"] * SQM_PER_WAN_SQM
    plot_ratio = floor_m2 / (parks["占地面积(亩)"] * SQM_PER_MU)
    assert plot_ratio.between(1.5, 3.5).mean() >= 0.85
    assert plot_ratio.between(0.8, 5.0).all()
    assert parks["建筑面积(万平方米)"].between(3, 15).mean() >= 0.75
    assert parks["占地面积(亩)"].between(25, 200).mean() >= 0.85


def test_status_agrees_with_dates(parks: pd.DataFrame) -> None:
    status, start, done, certified = parks["建设状态"], parks["开工日期"], parks["竣工日期"], parks["认定日期"]
    assert set(status) <= {"谋划", "在建", "建成", "已认定"}
    assert start.between(pd.Timestamp("2015-01-01"), pd.Timestamp("2024-12-31")).all()
    build_days = (done - start).dt.days
    assert build_days.between(365, 3 * 366).all()
    assert (certified.notna() == (status == "已认定")).all()
    assert (done[status.isin(["建成", "已认定"])] <= REGISTER_DATE).all()
    assert (done[status.isin(["谋划", "在建"])] > REGISTER_DATE).all()
    assert (start[status == "谋划"] > REGISTER_DATE).all()
    assert (start[status == "在建"] <= REGISTER_DATE).all()
    is_certified = status == "已认定"
    assert (certified[is_certified] > done[is_certified]).all()
    assert (certified[is_certified] <= REGISTER_DATE).all()
    assert certified.dropna().isin(CERTIFICATION_BATCHES).all()


def test_operating_figures_agree_with_status(parks: pd.DataFrame) -> None:
    built = parks["建设状态"].isin(["建成", "已认定"])
    assert parks.loc[built, "入园企业数"].between(10, 150).all()
    assert parks.loc[~built, "入园企业数"].fillna(0).le(10).all()
    assert (parks["规上企业数"].fillna(0) <= parks["入园企业数"].fillna(0)).all()
    assert parks.loc[built, "入驻率(%)"].between(0, 100).all()
    assert parks.loc[~built, "入驻率(%)"].isna().all()
    assert parks.loc[built, "亩均税收(万元/亩)"].between(10, 80).all()
    assert parks.loc[parks["建设状态"] == "已认定", "星级"].isin(["三星级", "四星级", "五星级"]).all()
    assert parks.loc[~built, "星级"].isna().all()


def test_default_register_lands_near_the_plan_targets() -> None:
    parks = generate_parks(seed=sample.DEFAULT_SEED, n_parks=sample.DEFAULT_PARKS, counties=load_counties())
    counted = parks["建设状态"].isin(["建成", "已认定"]) & (parks["竣工日期"] <= TARGET_DATE)
    assert 130 <= counted.sum() <= 148
    assert 900 <= parks.loc[counted, "建筑面积(万平方米)"].sum() <= 1100
    assert counted.sum() < len(parks)  # some pipeline left to show
    by_county = parks["所在区县"].value_counts()
    assert by_county["新昌县"] == by_county.min()
    assert set(by_county.nlargest(3).index) == {"柯桥区", "诸暨市", "上虞区"}


# --- enterprises -------------------------------------------------------------------------------


def test_enterprise_fields(enterprises: pd.DataFrame) -> None:
    assert enterprises["统一社会信用代码"].str.fullmatch(r"SYN33\d{4}\d{9}").all()
    assert enterprises["统一社会信用代码"].is_unique
    assert enterprises["企业名称"].str.fullmatch(r"示例企业\d{6}").all()
    assert set(enterprises["企业规模"]) == {"小型", "微型"}
    assert 0.10 <= (enterprises["企业规模"] == "小型").mean() <= 0.20
    for column in ("是否入园", "是否规上", "是否科技型"):
        assert set(enterprises[column]) == {"是", "否"}, column
    labelled = enterprises["八大万亿产业"].dropna()
    assert set(labelled) <= set(MAJOR_INDUSTRIES)
    assert 0.15 <= len(labelled) / len(enterprises) <= 0.25
    assert enterprises["所在镇街"].notna().all()


def test_founding_dates_favour_recent_years(enterprises: pd.DataFrame) -> None:
    founded = enterprises["成立日期"]
    assert founded.str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    assert founded.min() >= "1995-01-01" and founded.max() <= "2024-12-31"
    since_2021 = (founded >= "2021-01-01").mean()
    assert 55_000 / 250_000 <= since_2021 <= 70_000 / 250_000
    assert (founded.str[:4] == "2020").sum() > (founded.str[:4] == "2000").sum()


def test_enterprises_lie_in_the_county_they_name(enterprises: pd.DataFrame, county_geoms: dict[str, shapely.Geometry]) -> None:
    assert _outside_claimed_county(enterprises, county_geoms) == 0


def test_every_county_has_firms_and_keqiao_most(enterprises: pd.DataFrame) -> None:
    share = enterprises["所在区县"].value_counts(normalize=True)
    assert set(share.index) == {c.name for c in PLACES.counties}
    assert share.min() > 0.04
    assert share.idxmax() == "柯桥区"


def test_socks_concentrate_around_datang(enterprises: pd.DataFrame) -> None:
    socks = enterprises[enterprises["行业"] == "袜业"]
    assert len(socks) > 100
    lon, lat = _wgs84(socks)
    to_datang_m = distance_m(lon, lat, np.full(len(socks), DATANG[0]), np.full(len(socks), DATANG[1]))
    assert np.median(to_datang_m) < 5_000
    everyone = _wgs84(enterprises)
    all_to_datang_m = distance_m(*everyone, np.full(len(enterprises), DATANG[0]), np.full(len(enterprises), DATANG[1]))
    assert np.median(all_to_datang_m) > 20_000  # the concentration is not just where everybody is
    assert (socks["所在区县"] == "诸暨市").mean() > 0.9


@pytest.mark.parametrize(
    ("industry", "county"), [("珍珠", "诸暨市"), ("制伞", "上虞区"), ("领带", "嵊州市"), ("轴承", "新昌县"), ("纺织", "柯桥区")]
)
def test_cluster_industries_sit_in_their_county(enterprises: pd.DataFrame, industry: str, county: str) -> None:
    firms = enterprises[enterprises["行业"] == industry]
    assert len(firms) > 50
    assert firms["所在区县"].value_counts().idxmax() == county


def test_in_park_firms_sit_at_their_park(parks: pd.DataFrame, enterprises: pd.DataFrame) -> None:
    in_park = enterprises[enterprises["是否入园"] == "是"]
    assert enterprises.loc[enterprises["是否入园"] == "否", "所在园区"].isna().all()
    assert in_park["所在园区"].isin(parks["园区名称"]).all()
    located = in_park.merge(
        parks[["园区名称", "所在区县", "经度", "纬度"]], left_on="所在园区", right_on="园区名称", suffixes=("", "_park")
    )
    assert len(located) == len(in_park)
    firm_lon, firm_lat = _wgs84(located)
    park_lon, park_lat = gcj02_to_wgs84(located["经度_park"].to_numpy(), located["纬度_park"].to_numpy())
    assert distance_m(firm_lon, firm_lat, park_lon, park_lat).max() <= 300
    assert (located["所在区县"] == located["所在区县_park"]).all()


def test_in_park_counts_follow_the_register(parks: pd.DataFrame, enterprises: pd.DataFrame) -> None:
    listed = enterprises[enterprises["是否入园"] == "是"].groupby("所在园区").size()
    register = parks.set_index("园区名称")["入园企业数"].fillna(0)
    listed = listed.reindex(register.index, fill_value=0)
    assert (listed <= register).all()
    assert (listed >= np.floor(register * 0.8)).all()
    above = enterprises[(enterprises["是否入园"] == "是") & (enterprises["是否规上"] == "是")].groupby("所在园区").size()
    assert (above.reindex(register.index, fill_value=0) <= parks.set_index("园区名称")["规上企业数"].fillna(0)).all()


def test_in_park_firms_are_capped_for_tiny_lists() -> None:
    counties = load_counties()
    parks = generate_parks(seed=3, n_parks=30, counties=counties)
    firms = sample.generate_enterprises(parks, seed=3, n=500, counties=counties)
    assert len(firms) == 500
    assert (firms["是否入园"] == "是").sum() <= 0.3 * 500 + 30


# --- data tables and arguments -----------------------------------------------------------------


def test_place_tables_lie_in_their_counties(county_geoms: dict[str, shapely.Geometry]) -> None:
    town_county = {t.name: t.county for t in PLACES.towns}
    for town in PLACES.towns:
        assert county_geoms[town.county].contains(shapely.Point(town.lon, town.lat)), town.name
    for cluster in PLACES.clusters:
        assert county_geoms[town_county[cluster.town]].contains(shapely.Point(cluster.lon, cluster.lat)), cluster
    assert {t.county for t in PLACES.towns} == {c.name for c in PLACES.counties}
    assert set(sc.MAJOR_INDUSTRY_OF.values()) <= set(MAJOR_INDUSTRIES)


def test_counts_out_of_range_are_refused() -> None:
    with pytest.raises(ValueError, match="n_parks"):
        generate_parks(seed=1, n_parks=0, counties=load_counties())
    with pytest.raises(ValueError, match="`n`"):
        sample.generate_enterprises(pd.DataFrame(), seed=1, n=-5, counties=load_counties())


def test_counties_without_a_needed_county_are_refused() -> None:
    counties = load_counties()
    with pytest.raises(ValueError, match="新昌县"):
        generate_parks(seed=1, n_parks=20, counties=counties[counties["name"] != "新昌县"])


def test_command_line_writes_the_set(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cli"
    assert sample.main(["--out", str(out), "--seed", "11", "--parks", "8", "--enterprises", "300"]) == 0
    expected = ["manifest.json", "sample_enterprises_synthetic.csv", "sample_parks_synthetic.xlsx", "submissions", "submissions.json"]
    assert sorted(p.name for p in out.iterdir()) == expected
    assert "synthetic data" in capsys.readouterr().out
    before = {p.name: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert sample.main(["--out", str(out), "--parks", "0"]) == 2
    assert "n_parks" in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before  # a refused run leaves the set as it was
