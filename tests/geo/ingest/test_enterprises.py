"""Enterprise list import: canonical columns, codes, flags, accounting under random input."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.crs import distance_m
from geo.errors import ImportFileError
from geo.ingest.enterprises import CREDIT_CODE_ALPHABET, credit_code_status, import_enterprises
from geo.schema import ENTERPRISE_COLUMNS
from tests.geo.ingest.importdata import EXTREME, accounted_rows, in_datum, point_near

HEADERS = [
    "统一社会信用代码",
    "企业名称",
    "所在区县",
    "所在镇街",
    "行业",
    "八大万亿产业",
    "企业规模",
    "成立日期",
    "是否入园",
    "所在园区",
    "是否规上",
    "是否科技型",
    "经度",
    "纬度",
]
FLAGS = ["小型", "2021-03-05", "是", "A园", "否", "是"]
WEIGHTS = np.array([1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28])


def valid_code(seed: int) -> str:
    body = np.random.default_rng(seed).integers(0, 31, 17)
    check = (31 - int(body @ WEIGHTS) % 31) % 31
    return "".join(CREDIT_CODE_ALPHABET[i] for i in [*body, check])


def enterprise_csv(tmp_path, rows, *, encoding="utf-8-sig"):
    path = tmp_path / "firms.csv"
    pd.DataFrame(rows, columns=HEADERS).to_csv(path, index=False, encoding=encoding)
    return path


def firm(i, county="柯桥区", adcode="330603", **changes):
    lon, lat = in_datum(*point_near(adcode, east_m=100 * i), "gcj02")
    row = dict(
        zip(
            HEADERS,
            [valid_code(i), f"示例企业{i}", county, "柯桥街道", "纺织业", "时尚", *FLAGS, lon, lat],
            strict=True,
        )
    )
    row.update(changes)
    return [row[h] for h in HEADERS]


def test_clean_list_imports_with_canonical_columns(tmp_path):
    report = import_enterprises(enterprise_csv(tmp_path, [firm(i) for i in range(5)]), datum="gcj02")
    assert (report.rows, report.accepted, report.rejected) == (5, 5, 0)
    assert report.problems.empty
    data = report.data
    assert list(data.columns[: len(ENTERPRISE_COLUMNS)]) == list(ENTERPRISE_COLUMNS)
    assert data.crs.to_epsg() == 4326
    first = data.iloc[0]
    assert tuple(first[["size_class", "major_industry", "in_park", "above_scale", "tech_type"]]) == (
        "small",
        "时尚",
        True,
        False,
        True,
    )
    assert first["registration_date"] == pd.Timestamp("2021-03-05")
    assert list(data["source_row"]) == [2, 3, 4, 5, 6]


def test_problem_rows_and_fields(tmp_path):
    rows = [
        firm(0),
        firm(1, **{"统一社会信用代码": valid_code(0)}),  # row 3: repeats row 2
        firm(2, **{"所在区县": "杭州"}),  # row 4: unknown county
        firm(3, **{"经度": "", "纬度": ""}),  # row 5: no coordinates
        firm(4, **{"企业规模": "中型"}),  # row 6: warning
        firm(5, **{"是否规上": "也许"}),  # row 7: warning
        firm(6, **{"统一社会信用代码": valid_code(6)[:-1] + ("0" if valid_code(6)[-1] != "0" else "1")}),  # row 8: checksum
    ]
    report = import_enterprises(enterprise_csv(tmp_path, rows), datum="gcj02")
    assert report.rows == report.accepted + report.rejected == 7
    assert sorted(report.rejected_rows) == [3, 4, 5]
    problems = report.problems
    assert isinstance(problems, pd.DataFrame)
    errors = problems[problems["severity"] == "error"]
    assert set(zip(errors["row"], errors["field"], strict=True)) == {(3, "统一社会信用代码"), (4, "所在区县"), (5, "经度/纬度")}
    warnings = problems[problems["severity"] == "warning"]
    assert set(zip(warnings["row"], warnings["field"], strict=True)) == {(6, "企业规模"), (7, "是否规上"), (8, "统一社会信用代码")}
    assert "第 2 行" in errors.loc[errors["row"] == 3, "message"].item()


def test_gbk_list_without_codes_uses_name_hash_ids(tmp_path):
    rows = [firm(i) for i in range(3)]
    frame = pd.DataFrame(rows, columns=HEADERS).drop(columns=["统一社会信用代码"])
    path = tmp_path / "gbk.csv"
    frame.to_csv(path, index=False, encoding="gbk")
    report = import_enterprises(path, datum="gcj02")
    assert report.accepted == 3
    assert report.data["enterprise_id"].str.fullmatch(r"E[0-9a-f]{12}").all()


def test_column_of_other_ids_is_used_with_one_note(tmp_path):
    rows = [firm(i, **{"统一社会信用代码": f"SYN330603{i:09d}"}) for i in range(4)]
    report = import_enterprises(enterprise_csv(tmp_path, rows), datum="gcj02")
    assert report.accepted == 4 and report.problems.empty
    assert len(report.notes) == 1 and "统一社会信用代码" in report.notes[0]


def test_credit_code_checksum():
    codes = pd.Series([valid_code(1), "91330600MA2BCDEFGH", "short", "91330600I00000000X"])
    formed, ok = credit_code_status(codes)
    assert list(formed) == [True, True, False, False]
    assert ok[0] and not ok[2]


def test_missing_required_columns_refuse_the_file(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("企业名称,行业\nA,纺织\n", encoding="utf-8")
    with pytest.raises(ImportFileError, match="所在区县"):
        import_enterprises(path)


_cells = st.one_of(
    st.text(max_size=10),
    st.sampled_from(["柯桥", "是", "否", "小型", "120.45", "29.99", "120.45,29.99", "", "2021/3", "SYN1"]),
    st.sampled_from(EXTREME),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(_cells, min_size=5, max_size=5), min_size=0, max_size=10))
def test_random_cells_never_break_the_accounting(rows):
    header = "统一社会信用代码,所在区县,是否入园,经度,纬度\n"
    body = "\n".join(",".join('"' + c.replace('"', '""') + '"' for c in row) for row in rows)
    try:
        report = import_enterprises((header + body).encode("utf-8"), file_name="random.csv")
    except ImportFileError:
        return
    accepted, rejected = accounted_rows(report)
    assert len(rows) == accepted + rejected + report.skipped_blank
    assert (report.accepted, report.rejected, report.rows) == (accepted, rejected, accepted + rejected)
    assert report.data["enterprise_id"].is_unique


def test_cgcs2000_geopackage_is_read_as_cgcs2000_whatever_is_declared(tmp_path):
    truth = [point_near("330603", east_m=200 * i) for i in range(3)]
    frame = pd.DataFrame({"统一社会信用代码": [valid_code(i) for i in range(3)], "企业名称": ["甲", "乙", "丙"], "所在区县": "柯桥区"})
    gdf = gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(*zip(*truth, strict=True)), crs="EPSG:4490")
    gdf.to_file(tmp_path / "firms.gpkg", driver="GPKG")
    report = import_enterprises(tmp_path / "firms.gpkg", datum="bd09")
    assert report.accepted == 3, report.problems.to_dict("records")
    for geom, (lon, lat) in zip(report.data.geometry, truth, strict=True):
        assert distance_m(geom.x, geom.y, lon, lat) < 0.5
    assert any("EPSG:4490" in note for note in report.notes)


def test_list_without_codes_gives_same_name_rows_distinct_ids_and_warns(tmp_path):
    names = ["甲厂", "甲厂", "乙厂", "乙厂", "乙厂", "丙厂", "丙厂", "丁厂", "戊厂"]  # 6 of 9 rows share a name
    rows = [firm(i, **{"企业名称": name}) for i, name in enumerate(names)]
    rows.append(firm(9, **{"企业名称": "甲厂", "所在区县": "越城区"}))  # same name, other county: a different firm
    rows[-1][HEADERS.index("经度")], rows[-1][HEADERS.index("纬度")] = in_datum(*point_near("330602"), "gcj02")
    frame = pd.DataFrame(rows, columns=HEADERS).drop(columns=["统一社会信用代码"])
    path = tmp_path / "names.csv"
    frame.to_csv(path, index=False)
    report = import_enterprises(path, datum="gcj02")
    assert report.accepted == 10
    ids = report.data.set_index("source_row")["enterprise_id"]
    assert ids.is_unique
    assert ids[3] == ids[2] + "-2" and ids[6] == ids[4] + "-3"
    again = import_enterprises(path, datum="gcj02").data["enterprise_id"]
    assert list(again) == list(report.data["enterprise_id"])  # stable
    warned = report.problems[report.problems["message"].str.contains("企业名称和所在区县都相同")]
    assert list(warned["row"]) == [3, 5, 6, 8]
    assert (warned["field"] == "企业名称").all() and (warned["severity"] == "warning").all()
    assert "第 4 行" in warned.loc[warned["row"] == 6, "message"].item()


def test_list_with_codes_does_not_warn_about_same_names(tmp_path):
    rows = [firm(i, **{"企业名称": "同名厂"}) for i in range(3)]
    report = import_enterprises(enterprise_csv(tmp_path, rows), datum="gcj02")
    assert report.accepted == 3 and report.problems.empty
