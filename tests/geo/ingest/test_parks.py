"""Park register import: the messy register, datums, formats, the CLI and the download of rejected rows."""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.crs import distance_m
from geo.errors import ImportFileError
from geo.ingest.parks import import_parks, main
from geo.ingest.report import REASON_COLUMN, rejected_for_correction, rejected_xlsx
from geo.schema import PARK_COLUMNS, STATUSES
from tests.geo.ingest.importdata import (
    COUNTIES,
    EXTREME,
    HANGZHOU,
    PARK_HEADERS,
    accounted_rows,
    clean_parks,
    frame_rows,
    in_datum,
    park_csv,
    point_near,
    points_inside,
    write_format,
    write_xlsx,
)

ROOT = Path(__file__).resolve().parents[3]
HEADERS = ["序号", "名称", "县(市、区)", "状态", "总建筑面积（㎡）", "用地面积", "开工日期", "星级", "入园企业数", "经度", "纬度", "联系人"]
FORMULA = '=HYPERLINK("http://evil.example","点我")'
XSS = "<img src=x onerror=alert(1)>"


def _gcj(adcode: str, east_m: float = 0.0, north_m: float = 0.0) -> tuple[float, float]:
    return in_datum(*point_near(adcode, east_m=east_m, north_m=north_m), "gcj02")


def messy_rows() -> list[list[object]]:
    """The messy register: Excel rows 4-19 (title row 1, note row 2, headers row 3), GCJ-02 coordinates."""
    k1, y1, k2, s1, z1 = _gcj("330603"), _gcj("330602"), _gcj("330603", 3000), _gcj("330604"), _gcj("330681")
    sz, xc, ok2, near = _gcj("330683"), in_datum(*HANGZHOU, "gcj02"), _gcj("330603", -3000), _gcj("330604", 20)
    z2 = _gcj("330681", 3000)
    return [
        ["绍兴市小微企业园台账（测试）"],
        ["说明：坐标取自高德地图"],
        HEADERS,
        [1, "柯桥A园", " 柯桥 ", "已建成", "125000", "150", "2021-03-05", "四星级", "35家", *k1, "张三"],  # 4
        [2, "越城B园", "330602", "在建", "12.5万㎡", "10公顷", "2021/3/5", "4星", 12, *y1, None],  # 5
        [3, FORMULA, "绍兴县", "谋划", "１２５０００", "20000㎡", "2021/3", "★★★★", None, *k2, None],  # 6
        [4, XSS, "上虞市", "规划中", 80000, "120亩", "2021年3月", 4, None, *s1, None],  # 7
        [5, "诸暨D园", "诸暨", "竣工", 60000, 90, "2021.3", None, None, z1[1], z1[0], None],  # 8: lat/lon swapped
        [6, "嵊州E园", "嵊州", "建成", "abc", 90, 44260, None, None, *sz, None],  # 9: floor area unreadable
        [None] * 12,  # 10: blank
        [7, "新昌F园", "Xinchang County", "建设中", 50000, 60, dt.date(2021, 3, 5), None, None, *xc, None],  # 11: outside Shaoxing
        [8, "越城G园", "越城区", "已认定", 50000, 60, None, None, None, *z2, None],  # 12: point in 诸暨
        [9, "柯桥A园", "柯桥区", "省级认定", 50000, 60, None, None, None, *ok2, None],  # 13: same name as row 4
        [10, "上虞H园", "上虞区", "不知道", 50000, 60, None, None, None, *_gcj("330604", 2000), None],  # 14: status unknown
        [11, "某I园", "  ", "拟建", 50000, 60, None, None, None, *_gcj("330602", 2000), None],  # 15: county blank
        [12, "上虞J园", "上虞", "建成", 50000, 60, None, "七星", "12家", *_gcj("330604", -2000), None],  # 16: star 7 (warning)
        [None, " ", None, None, None, None, None, None, None, None, None, None],  # 17: blank (spaces only)
        [None, "合计", None, None, 500000, None, None, None, None, None, None, None],  # 18: total row
        [13, "上虞K园", "上虞区", "建成", 50000, 60, None, None, None, *near, None],  # 19: within 50 m of row 7
    ]


@pytest.fixture(scope="module")
def messy(tmp_path_factory):
    points_inside()
    path = write_xlsx(tmp_path_factory.mktemp("messy") / "messy.xlsx", messy_rows())
    return path, import_parks(path, datum="gcj02")


def _problems(report, row):
    return report.problems[report.problems["row"] == row]


def test_messy_register_accounting(messy):
    _, report = messy
    assert report.rows == report.accepted + report.rejected == 14
    assert report.skipped_blank == 2
    assert sorted(report.data["source_row"]) == [4, 5, 6, 7, 8, 13, 16, 19]
    assert sorted(report.rejected_rows) == [9, 11, 12, 14, 15, 18]


@pytest.mark.parametrize(
    ("row", "field", "severity"),
    [
        (9, "总建筑面积（㎡）", "error"),
        (11, "经度/纬度", "error"),
        (12, "经度/纬度", "error"),
        (14, "状态", "error"),
        (15, "县(市、区)", "error"),
        (18, "名称", "error"),
        (8, "经度/纬度", "warning"),
        (13, "名称", "warning"),
        (16, "星级", "warning"),
        (19, "坐标", "warning"),
    ],
)
def test_messy_register_problem_fields(messy, row, field, severity):
    _, report = messy
    problems = _problems(report, row)
    assert ((problems["field"] == field) & (problems["severity"] == severity)).any(), problems.to_dict("records")


def test_messy_register_clean_rows_have_no_problems(messy):
    _, report = messy
    for row in (4, 5, 6, 7):
        assert _problems(report, row).empty, _problems(report, row).to_dict("records")


def test_messy_register_messages_quote_value_and_allowed_words(messy):
    _, report = messy
    floor = _problems(report, 9).iloc[0]
    assert floor["value"] == "abc" and "万平方米" in floor["message"]
    status = _problems(report, 14).iloc[0]
    assert status["value"] == "不知道" and "在建" in status["message"]
    wrong = _problems(report, 12).iloc[0]
    assert "诸暨市" in wrong["message"] and "越城区" in wrong["message"]


def test_messy_register_values(messy):
    _, report = messy
    parks = report.data.set_index("source_row")
    assert list(report.data.columns[: len(PARK_COLUMNS)]) == list(PARK_COLUMNS)
    assert report.data.crs.to_epsg() == 4326
    assert set(parks["status"]) <= set(STATUSES)
    assert parks.loc[[4, 5, 6, 7, 8, 13], "status"].tolist() == ["built", "under_construction", "planned", "planned", "built", "certified"]
    assert parks.loc[[4, 5, 6, 7], "floor_area_m2"].tolist() == [125_000, 125_000, 125_000, 80_000]
    assert parks.loc[[4, 5, 6], "land_area_mu"].tolist() == pytest.approx([150, 150, 30])
    assert parks.loc[[4, 5, 6, 7, 8], "start_date"].tolist() == [
        pd.Timestamp(d) for d in ["2021-03-05", "2021-03-05", "2021-03-01", "2021-03-01", "2021-03-01"]
    ]
    assert parks.loc[[4, 5, 6, 7], "star_rating"].tolist() == [4, 4, 4, 4]
    assert pd.isna(parks.loc[16, "star_rating"])
    assert parks.loc[[4, 16], "enterprises"].tolist() == [35, 12]
    assert parks.loc[[4, 6, 7, 8], "county_adcode"].tolist() == ["330603", "330603", "330604", "330681"]
    assert parks.loc[6, "name"] == FORMULA and parks.loc[7, "name"] == XSS  # stored as given
    assert parks.loc[4, "联系人"] == "张三"  # unknown columns kept


def test_messy_register_points_are_converted_to_wgs84(messy):
    _, report = messy
    parks = report.data.set_index("source_row")
    for row, adcode, east in ((4, "330603", 0), (6, "330603", 3000), (8, "330681", 0)):
        true_lon, true_lat = point_near(adcode, east_m=east)
        geom = parks.loc[row, "geometry"]
        assert distance_m(geom.x, geom.y, true_lon, true_lat) < 0.05


def test_park_ids_are_stable_and_unique(messy):
    path, report = messy
    again = import_parks(path, datum="gcj02")
    assert list(again.data["park_id"]) == list(report.data["park_id"])
    assert report.data["park_id"].is_unique


def test_rejected_rows_download_keeps_original_cells_and_reasons(messy):
    _, report = messy
    rejected = rejected_for_correction(report)
    assert list(rejected["原行号"]) == [9, 11, 12, 14, 15, 18]
    assert {"名称", "总建筑面积（㎡）", "联系人", REASON_COLUMN} <= set(rejected.columns)
    assert rejected.loc[rejected["原行号"] == 9, "总建筑面积（㎡）"].item() == "abc"
    assert "总建筑面积" in rejected.loc[rejected["原行号"] == 9, REASON_COLUMN].item()


def test_rejected_xlsx_neutralises_formulas(tmp_path):
    rows = frame_rows(clean_parks())
    rows.append([4, FORMULA, "柯桥区", "建成", None, None, None, None, None, None])
    report = import_parks(write_xlsx(tmp_path / "f.xlsx", rows))
    data = rejected_xlsx(report)
    sheet = pd.read_excel(io.BytesIO(data), dtype=str, engine="openpyxl")
    assert sheet["园区名称"].tolist() == ["'" + FORMULA]


@pytest.mark.parametrize("datum", ["wgs84", "cgcs2000", "gcj02", "bd09"])
def test_declared_datum_is_converted_to_true_wgs84(tmp_path, datum):
    report = import_parks(write_format(clean_parks(datum), tmp_path, "xlsx"), datum=datum)
    assert report.accepted == 3 and report.datum_hint is None
    for geom, adcode in zip(report.data.geometry, ["330603", "330602", "330681"], strict=True):
        assert distance_m(geom.x, geom.y, *point_near(adcode)) < 0.05


@pytest.mark.parametrize("fmt", ["xlsx", "csv-utf8", "csv-utf8-bom", "csv-gbk", "geojson", "gpkg", "shp-zip"])
def test_every_format_imports_the_same_parks(tmp_path, fmt):
    report = import_parks(write_format(clean_parks(), tmp_path, fmt))
    assert report.rejected == 0, report.problems.to_dict("records")
    assert sorted(report.data["county_adcode"]) == ["330602", "330603", "330681"]


def _border_points(n: int = 12) -> pd.DataFrame:
    """True points a few hundred metres inside Keqiao that GCJ-02 pushes out of it."""
    rng = np.random.default_rng(3)
    county = COUNTIES.set_index("adcode").loc["330603", "geometry"]
    rows, tries = [], 0
    while len(rows) < n and tries < 20000:
        tries += 1
        boundary = county.exterior if county.geom_type == "Polygon" else max(county.geoms, key=lambda g: g.area).exterior
        p = boundary.interpolate(rng.uniform(0, boundary.length))
        lon, lat = p.x + rng.normal(0, 0.004), p.y + rng.normal(0, 0.004)
        glon, glat = in_datum(lon, lat, "gcj02")
        inside = gpd.points_from_xy([lon, glon], [lat, glat], crs=4326).within(county)
        if inside[0] and not inside[1]:
            rows.append([len(rows) + 1, f"边界园{len(rows)}", "柯桥区", "建成", 5, 80, None, None, round(glon, 7), round(glat, 7)])
    return pd.DataFrame(rows, columns=clean_parks().columns)


def test_datum_hint_when_gcj02_points_are_declared_wgs84(tmp_path):
    path = write_xlsx(tmp_path / "border.xlsx", frame_rows(_border_points()))
    wrong = import_parks(path, datum="wgs84")
    assert wrong.datum_hint == "gcj02"
    assert any("gcj02" in line for line in wrong.summary_lines())
    right = import_parks(path, datum="gcj02")
    assert right.datum_hint is None and right.rejected == 0


def test_missing_required_column_refuses_the_file(tmp_path):
    frame = clean_parks().drop(columns=["建设状态"])
    with pytest.raises(ImportFileError, match="建设状态"):
        import_parks(write_xlsx(tmp_path / "m.xlsx", frame_rows(frame)))


def test_one_cell_coordinates(tmp_path):
    frame = clean_parks()
    frame["坐标"] = frame["经度"].astype(str) + "，" + frame["纬度"].astype(str)
    report = import_parks(write_xlsx(tmp_path / "c.xlsx", frame_rows(frame.drop(columns=["经度", "纬度"]))))
    assert report.accepted == 3


def _cli_file(tmp_path: Path, *, bad: bool) -> Path:
    frame = clean_parks()
    if bad:
        frame.loc[1, "建设状态"] = "???"
    return write_xlsx(tmp_path / "cli.xlsx", frame_rows(frame))


def test_cli_exit_codes_and_json(tmp_path, capsys):
    assert main(["check", str(_cli_file(tmp_path, bad=False))]) == 0
    assert "接受 3 行" in capsys.readouterr().out
    assert main(["check", str(_cli_file(tmp_path, bad=True)), "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert {"rows", "accepted", "rejected", "skipped_blank", "problems"} <= set(out)
    assert (out["rows"], out["accepted"], out["rejected"]) == (3, 2, 1)
    assert out["problems"][0] == {
        "row": 5,
        "field": "建设状态",
        "value": "???",
        "severity": "error",
        "message": out["problems"][0]["message"],
    }
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"\x00" * 100)
    assert main(["check", str(junk)]) == 2
    assert "不是表格文件" in capsys.readouterr().err


def test_cli_writes_accepted_parks(tmp_path, capsys):
    out = tmp_path / "ok.geojson"
    assert main(["check", str(_cli_file(tmp_path, bad=True)), "--crs", "wgs84", "--out", str(out)]) == 1
    capsys.readouterr()
    written = gpd.read_file(out)
    assert written.crs.to_epsg() == 4326
    assert {"name", "county_adcode", "status", "floor_area_m2", "land_area_mu", "star_rating", "enterprises", "source_row"} <= set(
        written.columns
    )
    assert sorted(written["source_row"]) == [4, 6]


def test_cli_in_a_subprocess(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "geo.parks", "check", str(_cli_file(tmp_path, bad=True)), "--crs", "gcj02", "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert json.loads(result.stdout)["rejected"] == 1
    summary = subprocess.run(
        [sys.executable, "-m", "geo.parks", "check", str(tmp_path / "none.xlsx")], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert summary.returncode == 2 and "找不到文件" in summary.stderr and "Traceback" not in summary.stderr


_cells = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["柯桥", "12.5万㎡", "建成", "谋划", "120.5", "30.0", "120.45,29.99", "", "★★", "=1+1", "2021/3"]),
    st.sampled_from(EXTREME),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(_cells, min_size=6, max_size=6), min_size=0, max_size=8))
def test_random_cells_never_break_the_accounting(rows):
    header = "园区名称,所在区县,建设状态,建筑面积,经度,纬度\n"
    body = "\n".join(",".join('"' + c.replace('"', '""') + '"' for c in row) for row in rows)
    try:
        report = import_parks((header + body).encode("utf-8"), file_name="random.csv")
    except ImportFileError:
        return
    accepted, rejected = accounted_rows(report)
    assert len(rows) == accepted + rejected + report.skipped_blank
    assert (report.accepted, report.rejected, report.rows) == (accepted, rejected, accepted + rejected)
    assert set(report.problems["severity"]) <= {"error", "warning"}


def _six_surveyed_parks() -> tuple[pd.DataFrame, list[tuple[float, float]]]:
    """Six parks, one per county, with their true (CGCS2000 = WGS-84 to centimetres) positions."""
    counties = {"330602": "越城区", "330603": "柯桥区", "330604": "上虞区", "330624": "新昌县", "330681": "诸暨市", "330683": "嵊州市"}
    truth = [point_near(adcode, east_m=150, north_m=-80) for adcode in counties]
    rows = [
        [i + 1, f"测绘园{i}", county, "建成", 5.0, 80, 3, 20, lon, lat]
        for i, (county, (lon, lat)) in enumerate(zip(counties.values(), truth, strict=True))
    ]
    return pd.DataFrame(rows, columns=clean_parks().columns), truth


@pytest.mark.parametrize("fmt", ["gpkg", "shp-zip"])
def test_cgcs2000_vector_file_is_not_shifted_by_a_declared_gcj02(tmp_path, fmt):
    frame, truth = _six_surveyed_parks()
    report = import_parks(write_format(frame, tmp_path, fmt), datum="gcj02")  # written in EPSG:4490
    assert report.accepted == 6, report.problems.to_dict("records")
    for geom, (lon, lat) in zip(report.data.geometry, truth, strict=True):
        assert distance_m(geom.x, geom.y, lon, lat) < 0.5
    assert any("CGCS2000（EPSG:4490）" in note and "未做高德/百度坐标纠偏" in note for note in report.notes)
    assert report.datum == "cgcs2000" and report.datum_hint is None


@pytest.mark.parametrize("datum", ["gcj02", "bd09"])
def test_geojson_keeps_the_declared_datum_and_says_so(tmp_path, datum):
    report = import_parks(write_format(clean_parks(datum), tmp_path, "geojson"), datum=datum)
    assert report.accepted == 3
    for geom, adcode in zip(report.data.geometry, ["330603", "330602", "330681"], strict=True):
        assert distance_m(geom.x, geom.y, *point_near(adcode)) < 0.05
    label = {"gcj02": "GCJ-02", "bd09": "BD-09"}[datum]
    assert any("EPSG:4326" in note and label in note for note in report.notes)


def test_merged_county_cells_are_filled_and_every_row_accepted(tmp_path):
    frame = clean_parks()
    frame["所在区县"] = ["柯桥区", None, None]
    frame[["经度", "纬度"]] = [point_near("330603", east_m=300 * i) for i in range(3)]
    rows = frame_rows(frame, title=False)
    report = import_parks(write_xlsx(tmp_path / "merged.xlsx", rows, merged=("C2:C4",)))
    assert report.accepted == 3, report.problems.to_dict("records")
    assert list(report.data["county_adcode"]) == ["330603"] * 3
    [warning] = report.problems.to_dict("records")
    assert (warning["row"], warning["field"], warning["severity"]) == (3, "所在区县", "warning")
    assert "C2:C4 为合并单元格" in warning["message"] and "柯桥区" in warning["message"]


def test_ambiguous_and_year_only_dates_are_kept_with_warnings(tmp_path):
    frame = clean_parks()
    frame.insert(4, "开工日期", [2021.1, "2021.10", 2023])
    frame.insert(5, "竣工日期", [None, "2023年", None])
    report = import_parks(write_xlsx(tmp_path / "dates.xlsx", frame_rows(frame)))
    assert report.accepted == 3
    parks = report.data.set_index("source_row")
    assert parks["start_date"].tolist() == [pd.Timestamp("2021-01-01"), pd.Timestamp("2021-10-01"), pd.Timestamp("2023-12-31")]
    assert parks.loc[5, "completion_date"] == pd.Timestamp("2023-12-31")
    problems = report.problems.set_index(["row", "field"])
    assert set(problems.index) == {(4, "开工日期"), (6, "开工日期"), (5, "竣工日期")}  # text "2021.10" (row 5) is fine
    assert set(problems["severity"]) == {"warning"}
    assert "2021-10" in problems.loc[(4, "开工日期"), "message"] and problems.loc[(4, "开工日期"), "value"] == "2021.1"
    assert "2023-12-31" in problems.loc[(6, "开工日期"), "message"]
    assert "2023-12-31" in problems.loc[(5, "竣工日期"), "message"]


KEQIAO = point_near("330603")


def _one_park(**cells: object) -> list[object]:
    row = {"name": "A园", "county": "柯桥区", "status": "建成", "floor": "5", "land": "80", "count": "3"}
    row.update(lon=KEQIAO[0], lat=KEQIAO[1])
    row.update(cells)
    return list(row.values())


@pytest.mark.parametrize("count", ["1e20", "12345678901234567890", "1000001"])
def test_absurd_enterprise_count_is_a_warning_not_a_crash(count):
    report = import_parks(park_csv([_one_park(count=count)]), file_name="p.csv")
    assert report.accepted == 1 and pd.isna(report.data["enterprises"].iloc[0])
    [problem] = report.problems.to_dict("records")
    assert (problem["field"], problem["value"], problem["severity"]) == ("入园企业数", count, "warning")
    assert "1,000,000" in problem["message"]


@pytest.mark.parametrize("floor", ["1e400", "1e308", "1001"])  # 1001 万平方米 is above the 1,000 万平方米 limit
def test_infinite_or_absurd_floor_area_rejects_the_row_with_the_range(floor):
    report = import_parks(park_csv([_one_park(floor=floor)]), file_name="p.csv")
    assert report.rejected == 1
    [problem] = report.problems.to_dict("records")
    assert (problem["field"], problem["severity"]) == ("建筑面积(万平方米)", "error")
    assert "超出可能的范围" in problem["message"] and "1,000 万平方米" in problem["message"]


@pytest.mark.parametrize("floor", ["inf", "nan", "-0"])
def test_inf_nan_and_negative_zero_floor_area_are_errors(floor):
    report = import_parks(park_csv([_one_park(floor=floor)]), file_name="p.csv")
    assert report.rejected == 1 and (report.problems["severity"] == "error").all()


@pytest.mark.parametrize("land", ["1e400", "1e308", "inf", "nan", "100001"])
def test_infinite_or_absurd_land_area_is_left_empty_with_the_range(land):
    report = import_parks(park_csv([_one_park(land=land)]), file_name="p.csv")
    assert report.accepted == 1 and np.isnan(report.data["land_area_mu"].iloc[0])
    [problem] = report.problems.to_dict("records")
    assert (problem["field"], problem["severity"]) == ("占地面积(亩)", "warning") and "100,000 亩" in problem["message"]


@pytest.mark.parametrize(("status", "floor"), [("谋划", ""), ("规划中", "0"), ("拟建", "")])
def test_planned_park_without_floor_area_is_kept_and_not_counted(status, floor):
    report = import_parks(park_csv([_one_park(status=status, floor=floor)]), file_name="p.csv")
    assert report.accepted == 1
    assert np.isnan(report.data["floor_area_m2"].iloc[0])  # missing, not invented
    [problem] = report.problems.to_dict("records")
    assert problem["severity"] == "warning" and "规划中园区尚无建筑面积" in problem["message"]


@pytest.mark.parametrize("floor", ["", "0"])
def test_built_park_without_floor_area_is_still_rejected(floor):
    report = import_parks(park_csv([_one_park(floor=floor)]), file_name="p.csv")
    assert report.rejected == 1


def test_planned_park_without_floor_area_does_not_break_progress_or_dashboard():
    from geo.analysis.dashboard import floor_area_by_status, headline
    from geo.analysis.progress import progress_as_of
    from tests.geo.analysis.test_progress import Targets, quotas

    rows = [
        _one_park(name="建成园", floor="5"),
        _one_park(name="谋划园", status="谋划", floor="", lon=KEQIAO[0] + 0.01),
    ]
    parks = import_parks(park_csv(rows), file_name="p.csv").data
    parks["county_adcode"] = "330602"  # the county of the test quotas
    parks["completion_date"] = pd.Timestamp("2021-06-30")
    table = progress_as_of(parks, as_of=dt.date(2022, 12, 31), targets=Targets(), quotas=quotas())
    city = table[(table["adcode"] == "330600") & (table["measure"] == "floor_area_m2")]
    assert city["value"].item() == 50_000.0
    assert np.isfinite(table.select_dtypes("number").to_numpy(dtype="float64", na_value=0.0)).all()
    assert headline(table).floor_area_m2 == 50_000.0
    by_status = floor_area_by_status(parks, as_of=dt.date(2022, 12, 31)).set_index("status")["floor_area_wan_m2"]
    assert by_status["built"] == 5.0 and by_status["planned"] == 0.0


@pytest.mark.parametrize("order", ["lon,lat", "lat,lon"])
def test_lonlat_typed_in_the_longitude_cell_is_read(order):
    lon, lat = KEQIAO
    pair = f"{lon},{lat}" if order == "lon,lat" else f"{lat}，{lon}"
    report = import_parks(park_csv([_one_park(lon=pair, lat="")]), file_name="p.csv")
    assert report.accepted == 1, report.problems.to_dict("records")
    geom = report.data.geometry.iloc[0]
    assert distance_m(geom.x, geom.y, lon, lat) < 0.05
    swapped = report.problems["message"].str.contains("填反").any()
    assert swapped == (order == "lat,lon")


def test_lonlat_typed_in_the_latitude_cell_is_read():
    report = import_parks(park_csv([_one_park(lon="", lat=f"{KEQIAO[0]} {KEQIAO[1]}")]), file_name="p.csv")
    assert report.accepted == 1, report.problems.to_dict("records")


def test_same_name_parks_in_one_county_get_distinct_ids_and_a_warning():
    rows = [_one_park(), _one_park(lon=KEQIAO[0] + 0.02), _one_park(lon=KEQIAO[0] + 0.04)]
    report = import_parks(park_csv(rows), file_name="p.csv")
    assert report.accepted == 3 and report.data["park_id"].is_unique
    repeats = report.problems[report.problems["message"].str.contains("园区名称相同")]
    assert list(repeats["row"]) == [3, 4] and (repeats["message"].str.contains("第 2 行")).all()


def test_near_duplicates_are_reported_once_per_row_naming_an_earlier_row():
    rows = [_one_park(name=f"园{i}", lon=KEQIAO[0] + i * 1e-5) for i in range(6)]  # about 1 m apart
    rows.append(_one_park(name="远园", lon=KEQIAO[0] + 0.05))
    report = import_parks(park_csv(rows), file_name="p.csv")
    near = report.problems[report.problems["field"] == "坐标"]
    assert list(near["row"]) == [3, 4, 5, 6, 7]
    earlier = near["message"].str.extract(r"第 (\d+) 行")[0].astype(int)
    assert (earlier < near["row"].to_numpy()).all()


def test_rows_of_several_sheets_are_told_apart_by_sheet(tmp_path) -> None:
    """Row numbers repeat across county sheets: problems, duplicates and the correction file name the sheet."""
    path = tmp_path / "分区台账.xlsx"
    book = xlsxwriter.Workbook(str(path))
    for sheet, adcode, county, area in (("柯桥区", "330603", "柯桥区", "abc"), ("越城区", "330602", "越城区", 6)):
        ws = book.add_worksheet(sheet)
        ws.write_row(0, 0, PARK_HEADERS)
        lon, lat = point_near(adcode)
        ws.write_row(1, 0, [1, "同名园", county, "建成", 5, 80, 3, 20, lon, lat])
        ws.write_row(2, 0, [2, f"{county}二园", county, "建成", area, 80, 3, 20, lon + 0.01, lat])
    book.close()
    report = import_parks(path)
    assert (report.rows, report.accepted, report.rejected) == (4, 3, 1)
    errors = report.problems[report.problems["severity"] == "error"]
    assert list(errors["sheet"]) == ["柯桥区"] and list(errors["row"]) == [3]
    fix = rejected_for_correction(report)
    assert list(fix["园区名称"]) == ["柯桥区二园"]  # not also 越城区二园, which sits on row 3 of its own sheet
    assert "建筑面积" in fix.loc[0, "错误原因"]
    assert any("“柯桥区”第 3 行" in line for line in report.summary_lines())
    same = report.problems[report.problems["message"].str.contains("名称相同")]
    assert list(same["sheet"]) == ["越城区"] and "“柯桥区”第 2 行" in same["message"].iloc[0]
    assert report.to_dict()["problems"][0]["sheet"] == "柯桥区"


def test_a_county_name_with_a_typo_asks_whether_it_is_the_close_one() -> None:
    frame = clean_parks("wgs84")
    frame.loc[2, "所在区县"] = "诸既市"  # a typo of 诸暨市
    frame.loc[1, "所在区县"] = "火星区"  # nothing close
    report = import_parks(frame.to_csv(index=False).encode(), file_name="台账.csv")
    messages = report.problems.set_index("value")["message"]
    assert messages["诸既市"].startswith("是否为诸暨市？无法识别此值。")
    assert messages["火星区"].startswith("无法识别此值。")
    assert report.rejected == 2  # a suggestion, never a silent correction
