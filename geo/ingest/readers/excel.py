"""Read an Excel workbook (``.xlsx``, ``.xls``) into a raw table.

Sheets are read whole with calamine; :func:`geo.ingest.readers.core.table_from_grid`
then finds the header and fills merged ranges below it. An ``.xlsx`` is
checked before it is opened: for a zip bomb from its directory, and for a
sheet whose cells reach so far (a stray cell at XFD1048576) that holding the
sheet as a grid would exhaust memory, from a scan of the cell references.

Without a named sheet, every visible sheet whose first rows hold register
headers is read (one sheet per county is common) and the sheets are stacked;
a note says which sheets were read and which skipped (a cover, a notes page).
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

import pandas as pd

from geo.errors import ImportFileError
from geo.ingest.headers import header_score
from geo.ingest.readers.core import (
    HEADER_SEARCH_ROWS,
    MergedRange,
    RawTable,
    ReadLimits,
    check_size,
    check_width,
    check_zip_safety,
    combine_parts,
    table_from_grid,
)

SHEET_WORD = "工作表"
# Cell references scanned before a sheet is opened (literal-prefixed patterns: ~0.5 s per 100 MB of XML).
_ROW_REF = re.compile(rb'\sr="(\d+)"')  # <row r="12">
_WIDE_REF = re.compile(rb'\sr="([A-Z]{2,3})\d')  # cells beyond column Z
_TALL_REF = re.compile(rb'\sr="[A-Z]{1,3}(\d{7,})"')  # cells at row 1,000,000 or below
_CHUNK = 4 * 1024 * 1024


def read_excel(data: bytes, name: str, kind: str, sheet: str | None, limits: ReadLimits) -> RawTable:
    """Read the named sheet, or every visible sheet with register headers, of an ``xlsx``/``xls`` file's bytes.

    Parameters
    ----------
    data
        The workbook's bytes.
    name
        The file's name as the planner gave it, used in messages.
    kind
        ``xlsx`` or ``xls``.
    sheet
        The sheet to read; None reads every visible sheet with register headers.
    limits
        The caps that apply to this import.

    Returns
    -------
    RawTable
        The sheet(s) as written, stacked with the sheet's name per row when several.
    """
    import python_calamine

    check_size(len(data), limits.max_excel_bytes, name)
    if kind == "xlsx":
        check_zip_safety(data, name, limits)
        check_sheet_extents(data, name, limits)
    workbook = _calamine(lambda: python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data)), name)
    if sheet is not None:
        return _sheet_table(workbook, _named_sheet(workbook, sheet, name), name, kind, limits)
    parts: list[tuple[str, RawTable]] = []
    skipped: list[tuple[str, str]] = []
    for sheet_name in _visible_sheets(workbook, name):
        grid, merged = _sheet_grid(workbook, sheet_name, name, limits)
        if grid.size == 0:
            skipped.append((sheet_name, "空白"))
        elif max((header_score(row) for row in grid.iloc[:HEADER_SEARCH_ROWS].to_numpy(dtype=object)), default=0) < 2:
            skipped.append((sheet_name, "没有台账表头，可能是封面或说明"))
        else:
            parts.append((sheet_name, table_from_grid(grid, name=name, file_format=kind, limits=limits, sheet=sheet_name, merged=merged)))
    if not parts:  # no sheet has known headers: read the first one as before, so the importer names the missing columns
        return _sheet_table(workbook, _visible_sheets(workbook, name)[0], name, kind, limits)
    return combine_parts(parts, skipped, word=SHEET_WORD, limits=limits)


def check_sheet_extents(data: bytes, name: str, limits: ReadLimits) -> None:
    """Refuse an ``xlsx`` whose sheets reach too many rows, columns or cells, before any sheet is loaded.

    The scan reads row numbers of ``<row>`` elements, and cell references past
    column Z or at row 1,000,000 and beyond; a sheet's cells then span at most
    the rows x columns found, which bounds what opening it allocates.

    Parameters
    ----------
    data
        The xlsx's bytes.
    name
        The file's name as the planner gave it, used in messages.
    limits
        The caps that apply to this import.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for member in archive.infolist():
            if member.filename.startswith("xl/worksheets/") and member.filename.endswith(".xml"):
                rows, columns = _extent(archive, member)
                _check_extent(rows, columns, name, limits)


def _extent(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> tuple[int, int]:
    rows, widest = 0, b"A"
    try:
        with archive.open(member) as stream:
            tail = b""
            while chunk := stream.read(_CHUNK):
                text = tail + chunk
                for found in (_ROW_REF.findall(text), _TALL_REF.findall(text)):
                    if found:
                        rows = max(rows, int(max(found, key=lambda b: (len(b), b))))
                wide = _WIDE_REF.findall(text)
                widest = max([widest, *wide], key=lambda b: (len(b), b))
                tail = text[-64:]
    except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError, ValueError):
        return 0, 0  # calamine reports a damaged member when it reads it
    return rows, _column_number(widest.decode())


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def _check_extent(rows: int, columns: int, name: str, limits: ReadLimits) -> None:
    if columns > limits.max_columns:
        check_width(columns, name, limits)
    if rows > limits.max_rows + HEADER_SEARCH_ROWS + 1:
        msg = (
            f"Excel 文件 {name} 的工作表用到第 {rows:,} 行，超过一次导入的上限 {limits.max_rows:,} 行。"
            "如确有这么多行，请按区县拆分后分批导入；如下方是误填或带格式的空行，请删除这些行后另存，再导入。"
        )
        raise ImportFileError(msg)
    if rows * max(columns, 1) > limits.max_sheet_cells:
        msg = (
            f"Excel 文件 {name} 的工作表范围达到 {rows:,} 行 × {columns:,} 列，超过上限 {limits.max_sheet_cells:,} 个单元格。"
            "通常是远处有误填或带格式的单元格：请在 Excel 里按 Ctrl+End 找到最后一格，删除多余的行和列后另存，再导入。"
        )
        raise ImportFileError(msg)


def _calamine(call: Any, name: str) -> Any:
    try:
        return call()
    except ImportFileError:
        raise
    except Exception as exc:  # calamine raises several error types for damaged or encrypted files
        msg = f"Excel 文件 {name} 无法读取（{type(exc).__name__}: {exc}）。文件可能已损坏或设置了密码；请在 Excel 里另存为 .xlsx 后再导入。"
        raise ImportFileError(msg) from exc


def _sheet_grid(workbook: Any, sheet_name: str, name: str, limits: ReadLimits) -> tuple[pd.DataFrame, list[MergedRange]]:
    worksheet = _calamine(lambda: workbook.get_sheet_by_name(sheet_name), name)
    _check_extent(int(worksheet.height), int(worksheet.width), name, limits)
    rows = _calamine(lambda: worksheet.to_python(skip_empty_area=False, nrows=limits.max_rows + HEADER_SEARCH_ROWS + 1), name)
    try:
        merged = list(worksheet.merged_cell_ranges or [])
    except Exception:  # merge information is a convenience: a file calamine cannot report it for still reads
        merged = []
    return pd.DataFrame(rows, dtype=object).fillna(""), merged


def _sheet_table(workbook: Any, sheet_name: str, name: str, kind: str, limits: ReadLimits) -> RawTable:
    grid, merged = _sheet_grid(workbook, sheet_name, name, limits)
    return table_from_grid(grid, name=name, file_format=kind, limits=limits, sheet=sheet_name, merged=merged)


def _named_sheet(workbook: Any, sheet: str, name: str) -> str:
    names = list(workbook.sheet_names)
    if sheet not in names:
        msg = f"Excel 文件 {name} 里没有名为“{sheet}”的工作表；有：{'、'.join(names)}。"
        raise ImportFileError(msg)
    return sheet


def _visible_sheets(workbook: Any, name: str) -> list[str]:
    names = list(workbook.sheet_names)
    visible = [m.name for m in workbook.sheets_metadata if str(m.visible).endswith("Visible") and "WorkSheet" in str(m.typ)]
    if not (visible or names):
        msg = f"Excel 文件 {name} 里没有工作表。"
        raise ImportFileError(msg)
    return visible or names
