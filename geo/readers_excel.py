"""Read an Excel workbook (``.xlsx``, ``.xls``) into a raw table.

The sheet is read whole with calamine; :func:`geo.readers_core.table_from_grid`
then finds the header and fills merged ranges below it. An ``.xlsx`` is
checked for a zip bomb from its directory before it is opened.
"""

from __future__ import annotations

import io

import pandas as pd

from geo.errors import ImportFileError
from geo.readers_core import HEADER_SEARCH_ROWS, RawTable, ReadLimits, check_size, check_zip_safety, table_from_grid


def read_excel(data: bytes, name: str, kind: str, sheet: str | None, limits: ReadLimits) -> RawTable:
    """Read one sheet (default the first visible) of an ``xlsx``/``xls`` file's bytes."""
    import python_calamine

    check_size(len(data), limits.max_excel_bytes, name)
    if kind == "xlsx":
        check_zip_safety(data, name, limits)
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet_name = _pick_sheet(workbook, sheet, name)
        worksheet = workbook.get_sheet_by_name(sheet_name)
        rows = worksheet.to_python(skip_empty_area=False, nrows=limits.max_rows + HEADER_SEARCH_ROWS + 1)
    except ImportFileError:
        raise
    except Exception as exc:  # calamine raises several error types for damaged or encrypted files
        msg = f"Excel 文件 {name} 无法读取（{type(exc).__name__}: {exc}）。文件可能已损坏或设置了密码；请在 Excel 里另存为 .xlsx 后再导入。"
        raise ImportFileError(msg) from exc
    try:
        merged = list(worksheet.merged_cell_ranges or [])
    except Exception:  # merge information is a convenience: a file calamine cannot report it for still reads
        merged = []
    grid = pd.DataFrame(rows, dtype=object).fillna("")
    return table_from_grid(grid, name=name, file_format=kind, limits=limits, sheet=sheet_name, merged=merged)


def _pick_sheet(workbook, sheet: str | None, name: str) -> str:
    names = list(workbook.sheet_names)
    if sheet is not None:
        if sheet not in names:
            msg = f"Excel 文件 {name} 里没有名为“{sheet}”的工作表；有：{'、'.join(names)}。"
            raise ImportFileError(msg)
        return sheet
    visible = [m.name for m in workbook.sheets_metadata if str(m.visible).endswith("Visible") and "WorkSheet" in str(m.typ)]
    if not (visible or names):
        msg = f"Excel 文件 {name} 里没有工作表。"
        raise ImportFileError(msg)
    return (visible or names)[0]
