"""The blank register template: layout, guide sheet, drop-downs, and that it imports back."""

from __future__ import annotations

import io
import zipfile

import openpyxl

from geo.ingest.parks import import_parks
from geo.ingest.template import TEMPLATE_HEADERS, build_template
from tests.geo.ingest.importdata import point_near

EXPECTED = (
    "序号, 园区编码, 园区名称, 所在区县, 所在镇街, 园区类型, 建设状态, 建筑面积(万平方米), 占地面积(亩), 开工日期, 竣工日期, 认定日期, "
    "星级, 入园企业数, 规上企业数, 高新技术企业数, 专精特新企业数, 从业人员数, 可出租面积(万平方米), 已出租面积(万平方米), "
    "入驻率(%), 本季度营业收入(万元), 本季度工业产值(万元), 本季度税收(万元), 亩均税收(万元/亩), 亩均产出(万元/亩), "
    "主导产业, 运营主体, 经度, 纬度, 备注"
)


def test_headers_on_row_three_and_guide_sheet():
    book = openpyxl.load_workbook(io.BytesIO(build_template()))
    assert book.sheetnames == ["园区台账", "填写说明"]
    sheet = book["园区台账"]
    assert [c.value for c in sheet[3]] == EXPECTED.split(", ") == list(TEMPLATE_HEADERS)
    guide = book["填写说明"]
    rows = list(guide.iter_rows(values_only=True))
    assert rows[0] == ("列名", "必填", "单位/格式", "填写要求")
    by_header = {r[0]: r for r in rows[1:]}
    assert set(by_header) == set(TEMPLATE_HEADERS)
    assert by_header["园区名称"][1] == "是" and by_header["星级"][1] == "否"
    assert "柯桥区" in by_header["所在区县"][3]
    assert "在建" in by_header["建设状态"][3]


def test_dropdowns_for_county_status_type_and_star():
    book = openpyxl.load_workbook(io.BytesIO(build_template()))
    validations = book["园区台账"].data_validations.dataValidation
    formulas = " ".join(v.formula1 for v in validations)
    for word in ("柯桥区", "在建", "生产制造类", "四星级"):
        assert word in formulas
    with zipfile.ZipFile(io.BytesIO(build_template())) as archive:
        assert all(info.file_size < 1_000_000 for info in archive.infolist())


def test_blank_template_imports_as_empty_and_filled_template_imports(tmp_path):
    report = import_parks(build_template(), file_name="模板.xlsx")
    assert (report.rows, report.accepted, report.rejected) == (0, 0, 0)
    book = openpyxl.load_workbook(io.BytesIO(build_template()))
    sheet = book["园区台账"]
    lon, lat = point_near("330603")
    values = {
        "园区名称": "柯桥模板园",
        "所在区县": "柯桥区",
        "建设状态": "建成",
        "建筑面积(万平方米)": 5,
        "星级": "四星级",
        "经度": lon,
        "纬度": lat,
    }
    for col, header in enumerate(TEMPLATE_HEADERS, start=1):
        if header in values:
            sheet.cell(row=4, column=col, value=values[header])
    path = tmp_path / "filled.xlsx"
    book.save(path)
    filled = import_parks(path)
    assert filled.accepted == 1 and filled.problems.empty
    assert filled.data.iloc[0]["floor_area_m2"] == 50_000 and filled.data.iloc[0]["star_rating"] == 4
