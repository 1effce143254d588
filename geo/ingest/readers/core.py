"""Shared pieces of the register readers: result types, size and zip checks, grid to table.

:mod:`geo.ingest.readers` (entry point and CSV), :mod:`geo.ingest.readers.excel` and
:mod:`geo.ingest.readers.vector` build on these. A grid is a whole sheet as rows of
cells (columns 0..n-1); :func:`table_from_grid` finds its header, fills merged
ranges below it and returns a :class:`RawTable` with row numbers as the user
sees them. Nothing is interpreted: cells stay as given.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from xlsxwriter.utility import xl_col_to_name

from geo.errors import ImportFileError
from geo.ingest.headers import header_score

MB = 1024 * 1024
HEADER_SEARCH_ROWS = 30  # the header must be within the first 30 rows
GEOMETRY_LON = "经度"
GEOMETRY_LAT = "纬度"


@dataclass(frozen=True)
class ReadLimits:
    """Caps that keep a hostile or mistaken file from exhausting the machine."""

    max_csv_bytes: int = 200 * MB
    max_excel_bytes: int = 50 * MB
    max_vector_bytes: int = 200 * MB
    max_unzipped_bytes: int = 400 * MB  # total uncompressed size of an xlsx / zip
    max_zip_ratio: float = 200.0  # uncompressed / compressed, per member
    max_zip_members: int = 10_000
    max_rows: int = 2_000_000  # enterprise lists: the sample city has 250,000 firms
    max_columns: int = 500
    max_cell_chars: int = 32_767  # Excel's own limit for one cell
    max_features: int = 300_000  # features of a GeoJSON / GeoPackage / Shapefile
    max_sheet_cells: int = 40_000_000  # rows x columns of one sheet as stored (memory while reading)
    max_merged_ranges: int = 20_000


# Caps for a park register: a city has hundreds of parks, never tens of thousands.
PARK_LIMITS = ReadLimits(max_rows=20_000, max_features=20_000)


@dataclass(frozen=True)
class RawTable:
    """A file's table as given, before any interpretation.

    Attributes
    ----------
    data
        One column per header (labels as written, made unique), one row per
        row below the header, blank rows included; cells as given.
    source_rows
        Row number of each row of ``data`` as the user sees it: the Excel row
        number, the CSV line number, or the feature number of a vector file.
    file_format
        ``xlsx``, ``xls``, ``csv``, ``geojson``, ``gpkg`` or ``shp``.
    header_row
        Row number of the header (``None`` for vector files).
    coordinates_projected
        True when the geometry came in a projected CRS and was converted to
        longitude/latitude: its coordinates are then true WGS-84/CGCS2000 and
        no GCJ-02/BD-09 correction applies.
    source_epsg
        EPSG code of a vector file's own CRS (4490 for CGCS2000, 4326 for
        GeoJSON), ``None`` for tables or an unrecognised CRS.
    cell_notes
        Per-cell warnings made while reading (e.g. merged cells filled).
    """

    data: pd.DataFrame
    source_rows: np.ndarray
    file_name: str
    file_format: str
    header_row: int | None = None
    sheet: str | None = None
    encoding: str | None = None
    coordinates_projected: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)
    source_epsg: int | None = None
    cell_notes: tuple[CellNote, ...] = field(default_factory=tuple)
    source_parts: np.ndarray | None = None  # per row: the sheet or layer it came from, when several were read


@dataclass(frozen=True)
class CellNote:
    """A warning about one cell made while reading: row as the user sees it, column label, value."""

    row: int
    column: str
    value: str
    message: str
    sheet: str | None = None


MergedRange = tuple[tuple[int, int], tuple[int, int]]  # ((first row, first column), (last row, last column)), 0-based


def check_size(size: int, cap: int, name: str) -> None:
    """Refuse a file of ``size`` bytes that is empty or larger than ``cap``.

    Parameters
    ----------
    size
        The file's size in bytes.
    cap
        The largest size allowed for this format, in bytes.
    name
        The file's name as the planner gave it, used in messages.
    """
    if size > cap:
        msg = f"文件 {name} 有 {size / MB:,.1f} MB，超过上限 {cap / MB:,.0f} MB。请把表格拆成几个文件，或删去不需要的工作表和列后再导入。"
        raise ImportFileError(msg)
    if size == 0:
        msg = f"文件 {name} 是空的（0 字节）。"
        raise ImportFileError(msg)


def check_zip_safety(data: bytes, name: str, limits: ReadLimits) -> None:
    """Refuse a zip (xlsx) whose members would expand too far, from its directory alone.

    Parameters
    ----------
    data
        The zip's bytes (an xlsx or a zipped shapefile).
    name
        The file's name as the planner gave it, used in messages.
    limits
        The caps that apply to this import.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        msg = f"文件 {name} 已损坏，无法打开（{exc}）。请在 Excel 里重新保存后再导入。"
        raise ImportFileError(msg) from exc
    total = sum(m.file_size for m in members)
    worst = max((m.file_size / max(m.compress_size, 1) for m in members), default=0.0)
    if len(members) > limits.max_zip_members or total > limits.max_unzipped_bytes or worst > limits.max_zip_ratio:
        msg = (
            f"文件 {name} 解压后有 {total / MB:,.0f} MB（压缩比 {worst:,.0f} 倍），超出安全上限 "
            f"（{limits.max_unzipped_bytes / MB:,.0f} MB、{limits.max_zip_ratio:,.0f} 倍），为防止“压缩炸弹”已拒绝。"
            "正常的台账不会这么大；请确认文件来源，或删去多余的工作表后重新保存。"
        )
        raise ImportFileError(msg)


# ------------------------------------------------------------ header + grid


def blank_mask(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a boolean frame: True where a cell is empty, missing or only spaces.

    Parameters
    ----------
    frame
        Any table.

    Returns
    -------
    DataFrame of bool
        Same shape and labels as ``frame``: True where a cell is empty, missing or only spaces.
    """
    out = {}
    for column in frame.columns:
        series = frame[column]
        text = series if series.dtype != object and pd.api.types.is_string_dtype(series.dtype) else series.astype(str)
        out[column] = text.str.strip().eq("").fillna(True).to_numpy(dtype=bool) | series.isna().to_numpy()
    return pd.DataFrame(out, index=frame.index)


def find_header_row(frame: pd.DataFrame) -> int:
    """Return the 0-based index of the header row: the early row most like known headers.

    Parameters
    ----------
    frame
        A whole-sheet grid, before any header is chosen.

    Returns
    -------
    int
        The 0-based row index of the header.
    """
    search = frame.iloc[:HEADER_SEARCH_ROWS].to_numpy(dtype=object)
    scores = [header_score(row) for row in search]
    if scores and max(scores) >= 2:
        return int(np.argmax(scores))
    filled = [i for i, row in enumerate(search) if sum(1 for c in row if str(c).strip()) >= 2]
    if not filled:
        msg = "在文件前 30 行里找不到表头（至少两个非空的列名，例如“园区名称、所在区县”）。"
        raise ImportFileError(msg)
    return filled[0]


def table_from_grid(
    grid: pd.DataFrame,
    *,
    name: str,
    file_format: str,
    limits: ReadLimits,
    sheet: str | None = None,
    encoding: str | None = None,
    merged: list[MergedRange] | None = None,
) -> RawTable:
    """Cut a whole-sheet grid (columns 0..n-1) into header and body; fill merged ranges below the header.

    Parameters
    ----------
    grid
        The whole sheet, columns numbered 0..n-1.
    name
        The file's name as the planner gave it, used in messages.
    file_format
        The format read (``xlsx``, ``csv`` ...), kept on the table.
    limits
        The caps that apply to this import.
    sheet
        The sheet's name, if any.
    encoding
        The text encoding used, for a text file.
    merged
        Merged cell ranges of the sheet, 0-based.

    Returns
    -------
    RawTable
        The header as written and the body, with merged values filled and noted.
    """
    if grid.size == 0:
        msg = f"文件 {name} 里没有任何数据。"
        raise ImportFileError(msg)
    check_width(grid.shape[1], name, limits)
    header_index = find_header_row(grid)
    if len(merged or []) > limits.max_merged_ranges:
        msg = f"文件 {name} 有 {len(merged or []):,} 处合并单元格，超过上限 {limits.max_merged_ranges:,} 处。请取消合并后再导入。"
        raise ImportFileError(msg)
    grid, filled = fill_merged(grid, merged or [], below=header_index)
    body = grid.iloc[header_index + 1 :]
    check_rows(len(body), name, limits)
    check_cell_sizes(grid, name, limits)
    blank = blank_mask(body)
    labels = _unique_headers(grid.iloc[header_index].to_numpy(dtype=object))
    keep = [j for j, label in enumerate(labels) if label is not None or not blank.iloc[:, j].all()]
    body = body.iloc[:, keep].reset_index(drop=True)
    body.columns = [labels[j] or f"第{j + 1}列" for j in keep]
    source_rows = np.arange(header_index + 2, header_index + 2 + len(body), dtype=np.int64)
    notes = tuple(
        CellNote(row=first + 1, column=labels[left] or f"第{left + 1}列", value=value, message=message)
        for first, left, value, message in filled
    )
    return RawTable(body, source_rows, name, file_format, header_row=header_index + 1, sheet=sheet, encoding=encoding, cell_notes=notes)


def check_rows(count: int, name: str, limits: ReadLimits) -> None:
    """Refuse a table of more than ``limits.max_rows`` rows.

    Parameters
    ----------
    count
        The table's number of rows.
    name
        The file's name as the planner gave it, used in messages.
    limits
        The caps that apply to this import.
    """
    if count > limits.max_rows:
        msg = f"文件 {name} 超过 {limits.max_rows:,} 行，超出一次导入的上限。请按区县拆分后分批导入。"
        raise ImportFileError(msg)


def check_width(width: int, name: str, limits: ReadLimits) -> None:
    """Refuse a table of more than ``limits.max_columns`` columns.

    Parameters
    ----------
    width
        The table's number of columns.
    name
        The file's name as the planner gave it, used in messages.
    limits
        The caps that apply to this import.
    """
    if width > limits.max_columns:
        msg = (
            f"文件 {name} 有 {width:,} 列，超过上限 {limits.max_columns:,} 列。"
            "台账不会有这么多列：通常是右侧远处有误填或带格式的单元格（Excel 里按 Ctrl+End 可找到最后一格）；请删去多余的列后另存再导入。"
        )
        raise ImportFileError(msg)


def check_cell_sizes(grid: pd.DataFrame, name: str, limits: ReadLimits, *, first_row: int = 1) -> None:
    """Refuse a grid with a cell longer than ``limits.max_cell_chars``; name its row (grid row 0 is ``first_row``).

    Parameters
    ----------
    grid
        The cells to check.
    name
        The file's name as the planner gave it, used in messages.
    limits
        The caps that apply to this import.
    first_row
        The file's row number of the grid's row 0, for the message.
    """
    for position, column in enumerate(grid.columns):
        series = grid[column]
        if series.dtype != object and not pd.api.types.is_string_dtype(series.dtype):
            continue
        lengths = series.str.len() if pd.api.types.is_string_dtype(series.dtype) else series.map(_text_length)
        over = np.flatnonzero(lengths.fillna(0).to_numpy() > limits.max_cell_chars)
        if len(over):
            row = int(over[0]) + first_row
            label = column if isinstance(column, str) else f"第{position + 1}列"
            msg = (
                f"文件 {name} 第 {row} 行“{label}”格有 {int(lengths.iloc[over[0]]):,} 个字符，"
                f"超过单元格上限 {limits.max_cell_chars:,} 个字符（Excel 的上限）。请检查这一格是否误粘贴了大段内容。"
            )
            raise ImportFileError(msg)


def _text_length(value: object) -> int:
    return len(value) if isinstance(value, str) else 0


def combine_parts(parts: list[tuple[str, RawTable]], skipped: list[tuple[str, str]], *, word: str, limits: ReadLimits) -> RawTable:
    """Stack tables read from several sheets or layers; add a ``word`` column naming each row's part, and a note.

    Row numbers stay those of each part (the planner finds a row by sheet and
    row); cell notes name their part. One part is returned as it is, with a
    note only if others were skipped.

    Parameters
    ----------
    parts
        ``(part name, table)`` for each sheet or layer read, at least one.
    skipped
        ``(part name, why)`` for each part not read.
    word
        What a part is called in the note (工作表, 图层).
    limits
        The caps that apply to this import.

    Returns
    -------
    RawTable
        One table of every part's rows, with a column naming each row's part and a note.
    """
    first = parts[0][1]
    read = "、".join(f"{part}（{len(table.data):,} 行）" for part, table in parts)
    note = f"已读取{word}：{read}"
    if skipped:
        note += f"；未读取：{'、'.join(f'{part}（{why}）' for part, why in skipped)}"
    if len(parts) == 1:
        notes = (*first.notes, note + "。") if skipped else first.notes
        return replace(first, notes=notes)
    check_rows(sum(len(table.data) for _, table in parts), first.file_name, limits)
    frames = [table.data.assign(**{word: part}) for part, table in parts]
    data = pd.concat(frames, ignore_index=True, sort=False).astype(object).fillna("")
    check_width(data.shape[1], first.file_name, limits)
    labels = [part for part, table in parts for _ in range(len(table.data))]
    cell_notes = tuple(
        CellNote(n.row, n.column, n.value, f"{word}“{part}”：{n.message}", sheet=part) for part, table in parts for n in table.cell_notes
    )
    notes = tuple(dict.fromkeys(n for _, table in parts for n in table.notes))
    return replace(
        first,
        data=data,
        source_rows=np.concatenate([table.source_rows for _, table in parts]),
        sheet="、".join(part for part, _ in parts),
        notes=(*notes, f"{note}。各行的“{word}”列注明来源，行号为该{word}内的行号。"),
        cell_notes=cell_notes,
        source_parts=np.array(labels, dtype=object),
    )


def excel_range(first: tuple[int, int], last: tuple[int, int]) -> str:
    """Return an Excel range such as ``B5:B9`` for 0-based (row, column) corners.

    Parameters
    ----------
    first
        0-based ``(row, column)`` of the top-left cell.
    last
        0-based ``(row, column)`` of the bottom-right cell.

    Returns
    -------
    str
        The range as Excel writes it, such as ``B5:B9``.
    """

    return f"{xl_col_to_name(first[1])}{first[0] + 1}:{xl_col_to_name(last[1])}{last[0] + 1}"


def fill_merged(grid: pd.DataFrame, merged: list[MergedRange], *, below: int) -> tuple[pd.DataFrame, list[tuple[int, int, str, str]]]:
    """Copy each merged range's top-left value into its other cells, for ranges that start below the header.

    Only ranges spanning more than one row are filled (a county merged down a
    block of parks); a range within one row is a title or remark, not a value
    shared by several records. Returns the new grid and, per filled range,
    (first filled row, column, value, message) with 0-based grid positions.

    Parameters
    ----------
    grid
        The whole sheet; not changed.
    merged
        Merged cell ranges, 0-based.
    below
        The header's row index: only ranges starting below it are filled.

    Returns
    -------
    tuple
        ``(new grid, filled)``: per filled range, (first filled row, column, value, message), 0-based.
    """
    out = grid
    filled: list[tuple[int, int, str, str]] = []
    height, width = grid.shape
    for (top, left), (bottom, right) in sorted(merged):
        if top <= below or bottom == top or top >= height or left >= width:
            continue
        value = grid.iat[top, left]
        text = "" if value is None else str(value).strip()
        if not text:
            continue
        if out is grid:
            out = grid.copy()
        last_row, last_col = min(bottom, height - 1), min(right, width - 1)
        out.iloc[top : last_row + 1, left : last_col + 1] = value
        message = f"{excel_range((top, left), (last_row, last_col))} 为合并单元格，已按首格值“{text}”填充；请核对这些行是否确实同属此值。"
        filled.append((top + 1, left, text, message))
    return out, filled


def _unique_headers(row: np.ndarray) -> list[str | None]:
    seen: dict[str, int] = {}
    out: list[str | None] = []
    for cell in row:
        text = "" if cell is None or (isinstance(cell, float) and np.isnan(cell)) else str(cell).strip()
        if not text:
            out.append(None)
            continue
        seen[text] = seen.get(text, 0) + 1
        out.append(text if seen[text] == 1 else f"{text}({seen[text]})")
    return out
