"""The summary workbook: sheets, formula injection neutralised, plan indicators."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date

import openpyxl
import pandas as pd
import pytest

from export.data import ExportData, plan_indicators
from export.text import NO_DATA
from export.workbook import summary_xlsx
from tests.export.conftest import AS_OF, FORMULA_NAME


def _book(data: ExportData) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(summary_xlsx(data)))


def test_sheets_open_with_openpyxl(small_data: ExportData) -> None:
    book = _book(small_data)
    assert book.sheetnames == ["说明", "区县进度", "园区名录", "计划指标"]
    counties = [row[0] for row in book["区县进度"].iter_rows(min_row=2, values_only=True)]
    assert counties == ["越城区", "柯桥区", "上虞区", "新昌县", "诸暨市", "嵊州市", "全市"]
    assert book["园区名录"].max_row == len(small_data.parks) + 1


def test_formula_in_a_park_name_comes_back_as_text(small_data: ExportData) -> None:
    book = _book(small_data)
    cells = [cell for row in book["园区名录"].iter_rows() for cell in row if isinstance(cell.value, str) and "HYPERLINK" in cell.value]
    assert len(cells) == 1
    assert cells[0].data_type == "s"
    assert cells[0].value == "'" + FORMULA_NAME
    formulas = [cell.coordinate for sheet in book for row in sheet.iter_rows() for cell in row if cell.data_type == "f"]
    assert formulas == []


def test_plan_sheet_has_every_target_with_lead_unit_and_no_data_where_unmeasured(small_data: ExportData) -> None:
    sheet = pd.read_excel(io.BytesIO(summary_xlsx(small_data)), sheet_name="计划指标", engine="openpyxl")
    assert len(sheet) == 11
    assert sheet["牵头单位"].notna().all()
    measured = sheet.set_index("indicator_id")["测算值"]
    city_parks = small_data.view["parks"].sum()
    assert float(measured["parks_total"]) == city_parks
    assert measured["pool_city"] == NO_DATA
    assert measured["new_small_micro_firms"] == NO_DATA  # no enterprise list given


def test_enterprise_indicators_measured_when_an_enterprise_list_is_given(small_data: ExportData) -> None:
    firms = pd.DataFrame(
        {
            "registration_date": pd.to_datetime(["2021-05-01", "2022-01-01", "2019-01-01", "2023-06-01"]),
            "size_class": ["small", "micro", "small", "micro"],
            "major_industry": ["时尚", None, None, None],
            "tech_type": [True, False, True, False],
        }
    )
    plan = plan_indicators(small_data.progress, enterprises=firms, as_of=AS_OF, period_start=small_data.targets.period_start)
    values = plan.set_index("indicator_id")["measured_value"]
    assert values["new_small_micro_firms"] == 2  # the 2023 firm is after the as-of date, the 2019 one before the plan
    assert values["new_tech_firms"] == 1
    assert plan.set_index("indicator_id").loc["pool_city", "status"] == NO_DATA


def test_english_workbook(small_data: ExportData) -> None:
    book = _book(replace(small_data, lang="en"))
    assert book.sheetnames == ["About", "Counties", "Park register", "Plan indicators"]


@pytest.mark.parametrize(
    ("as_of", "header", "words"),
    [(date(2022, 6, 30), "进度", {"符合进度", "落后于进度"}), (date(2024, 6, 30), "是否达成", {"已达成", "未达成"})],
)
def test_one_wording_per_phase_in_workbook_and_atlas(small_parks, counties, quotas, as_of: date, header: str, words: set[str]) -> None:
    """During the plan the verdict is on track / behind; after its end it is met / not met, as the dashboard's header says."""
    from export.atlas_parts import county_table_rows
    from export.data import prepare_export_data

    data = prepare_export_data(small_parks, as_of=as_of, counties=counties, quotas=quotas, reported_on=as_of, source_name="台账.xlsx")
    sheet = pd.read_excel(io.BytesIO(summary_xlsx(data)), sheet_name="区县进度", engine="openpyxl")
    assert header in sheet.columns and set(sheet[header].dropna()) <= words | {"—"}
    assert set(sheet[header].dropna()) & words
    columns, rows = county_table_rows(data)
    position = [c.header for c in columns].index(header)
    assert {row[position] for row in rows} <= words | {"—"}
