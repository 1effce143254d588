"""Read a register file into a raw table, with row numbers as the user sees them.

Formats: Excel (``.xlsx``, ``.xls``), CSV (UTF-8, UTF-8 with BOM, UTF-16,
GBK/GB18030, detected), GeoJSON, GeoPackage and zipped Shapefile. The format
is recognised from the file's first bytes, not only its name, so a CSV saved
as ``.xls`` or a register renamed by e-mail still reads.

Nothing is interpreted here: cells stay as given (text, numbers, dates), so
that a problem can quote the value the user typed. Vector files become a
table with ``经度``/``纬度`` columns taken from the geometry (a polygon gives a
point inside it); they must carry a CRS.

Hostile input is refused before it can exhaust memory: size caps per format,
an Excel file whose compressed XML would expand too far (zip bomb) is rejected
from the zip directory alone, the row cap is enforced while reading, and
binary junk is recognised from its first bytes. Every refusal is an
:class:`~geo.errors.ImportFileError` whose message a planner can act on.

This module is the entry point and reads CSV; Excel reading lives in
:mod:`geo.ingest.readers.excel`, vector files in :mod:`geo.ingest.readers.vector`, and the
shared types, safety checks and grid-to-table step in :mod:`geo.ingest.readers.core`.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

import pandas as pd

from geo.errors import ImportFileError
from geo.ingest.readers.core import (
    GEOMETRY_LAT,
    GEOMETRY_LON,
    HEADER_SEARCH_ROWS,
    MB,
    PARK_LIMITS,
    CellNote,
    MergedRange,
    RawTable,
    ReadLimits,
    blank_mask,
    check_size,
    check_width,
    check_zip_safety,
    excel_range,
    fill_merged,
    find_header_row,
    table_from_grid,
)
from geo.ingest.readers.excel import read_excel
from geo.ingest.readers.vector import read_vector

__all__ = [
    "GEOMETRY_LAT",
    "GEOMETRY_LON",
    "HEADER_SEARCH_ROWS",
    "MB",
    "PARK_LIMITS",
    "CellNote",
    "MergedRange",
    "RawTable",
    "ReadLimits",
    "blank_mask",
    "check_zip_safety",
    "excel_range",
    "fill_merged",
    "find_header_row",
    "read_table",
    "sniff_format",
]

_MAGIC_ZIP = b"PK\x03\x04"
_MAGIC_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MAGIC_SQLITE = b"SQLite format 3\x00"
_DELIMITERS = (",", "\t", ";", "|")


def read_table(
    source: str | Path | bytes | BinaryIO,
    *,
    file_name: str | None = None,
    sheet: str | None = None,
    limits: ReadLimits | None = None,
) -> RawTable:
    """Read a register or list file into a :class:`RawTable`.

    Parameters
    ----------
    source
        A path, the file's bytes (e.g. an upload) or a binary file object.
    file_name
        Name shown in messages (defaults to the path's name).
    sheet
        Excel sheet or GeoPackage layer to read; default the first visible one.
    limits
        Size and row caps; default :class:`ReadLimits()`.

    Returns
    -------
    RawTable with cells as given; coordinates are not converted.

    Raises
    ------
    ImportFileError
        The file is too large, unsafe, not a table, or has no header row.
    """
    limits = limits or ReadLimits()
    data, name = _read_bytes(source, file_name=file_name, limits=limits)
    kind = sniff_format(data, name)
    if kind == "csv":
        return _read_csv(data, name, limits)
    if kind in ("xlsx", "xls"):
        return read_excel(data, name, kind, sheet, limits)
    return read_vector(data, name, kind, sheet, limits)


def _read_bytes(source: str | Path | bytes | BinaryIO, *, file_name: str | None, limits: ReadLimits) -> tuple[bytes, str]:
    cap = max(limits.max_csv_bytes, limits.max_excel_bytes, limits.max_vector_bytes)
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.is_file():
            msg = f"找不到文件 {path}（File not found）。"
            raise ImportFileError(msg)
        check_size(path.stat().st_size, cap, path.name)
        return path.read_bytes(), file_name or path.name
    data = bytes(source) if isinstance(source, (bytes, bytearray, memoryview)) else source.read(cap + 1)
    name = file_name or str(getattr(source, "name", "上传的文件"))
    check_size(len(data), cap, name)
    return data, Path(name).name


def sniff_format(data: bytes, name: str) -> str:
    """Return the file format from the first bytes (and, for zips, the member names).

    Parameters
    ----------
    data
        The file's bytes.
    name
        The file's name as the planner gave it, used in messages.

    Returns
    -------
    str
        One of ``shp``, ``xlsx``, ``xls``, ``gpkg``, ``geojson``, ``csv``.
    """
    if data.startswith(_MAGIC_ZIP):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, ValueError, OSError) as exc:
            msg = f"文件 {name} 看起来是压缩文件，但已损坏，无法打开（{exc}）。"
            raise ImportFileError(msg) from exc
        if any(n.lower().endswith(".shp") for n in names):
            return "shp"
        if "xl/workbook.xml" in names or any(n.startswith("xl/") for n in names):
            return "xlsx"
        msg = f"压缩文件 {name} 里既没有 Excel 表格也没有 Shapefile（.shp）。"
        raise ImportFileError(msg)
    if data.startswith(_MAGIC_OLE):
        return "xls"
    if data.startswith(_MAGIC_SQLITE):
        return "gpkg"
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"{") and b'"type"' in data[:65536]:
        return "geojson"
    return "csv"


# --------------------------------------------------------------------- CSV


def _decode(data: bytes, name: str) -> tuple[str, str]:
    """Return (text, encoding) for UTF-8 (with or without BOM), UTF-16 or GB18030 bytes."""
    if data.startswith(b"\xef\xbb\xbf"):
        candidates: tuple[str, ...] = ("utf-8-sig",)
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ("utf-16",)
    else:
        if b"\x00" in data[:65536]:
            raise ImportFileError(_not_a_table(name))
        candidates = ("utf-8", "gb18030")
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        sample = text[:65536]
        controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\r\n")
        if controls > max(2, len(sample) // 200):
            raise ImportFileError(_not_a_table(name))
        return text, ("gbk" if encoding == "gb18030" else encoding)
    msg = f"文件 {name} 的文字编码无法识别（不是 UTF-8 也不是 GBK）。请在 Excel 里另存为“CSV UTF-8”或 .xlsx 后再导入。"
    raise ImportFileError(msg)


def _not_a_table(name: str) -> str:
    return f"文件 {name} 不是表格文件（内容像是二进制数据）。请导入 Excel（.xlsx）、CSV、GeoJSON、GeoPackage 或压缩的 Shapefile（.zip）。"


def _sniff_delimiter(lines: list[str]) -> str:
    best, best_count = ",", 0
    for delimiter in _DELIMITERS:
        count = max((line.count(delimiter) for line in lines), default=0)
        if count > best_count:
            best, best_count = delimiter, count
    return best


def _read_csv(data: bytes, name: str, limits: ReadLimits) -> RawTable:
    if len(data) > limits.max_csv_bytes:
        check_size(len(data), limits.max_csv_bytes, name)
    text, encoding = _decode(data, name)
    head_lines = text[:200_000].splitlines()[:200]
    delimiter = _sniff_delimiter(head_lines[: HEADER_SEARCH_ROWS + 20])
    width = max((len(r) for r in _csv_rows(head_lines, delimiter, name)), default=1)
    check_width(width, name, limits)
    nrows = limits.max_rows + HEADER_SEARCH_ROWS + 1
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            header=None,
            names=list(range(width)),
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            nrows=nrows,
            engine="c",
        )
    except (pd.errors.ParserError, ValueError) as exc:
        _refuse_open_quote(str(exc), name)
        frame = pd.DataFrame(list(_csv_rows(io.StringIO(text), delimiter, name, limit=nrows)), dtype=object)
    check_width(frame.shape[1], name, limits)
    frame = frame.fillna("").astype(str)
    return table_from_grid(frame, name=name, file_format="csv", limits=limits, encoding=encoding)


def _csv_rows(lines: Iterable[str], delimiter: str, name: str, *, limit: int | None = None) -> Iterator[list[str]]:
    """Yield CSV records; a cell over the csv module's field limit becomes a message naming the line."""
    reader = csv.reader(lines, delimiter=delimiter)
    count = 0
    try:
        for row in reader:
            yield row
            count += 1
            if limit is not None and count >= limit:
                return
    except csv.Error as exc:
        msg = (
            f"文件 {name} 第 {reader.line_num} 行附近无法按 CSV 读取：有一格超过 {csv.field_size_limit():,} 个字符，"
            '或一个引号（"）没有配对结束。请在 Excel 里打开检查这一行，另存为 CSV 或 .xlsx 后再导入。'
        )
        raise ImportFileError(msg) from exc


def _refuse_open_quote(error: str, name: str) -> None:
    found = re.search(r"EOF inside string starting at row (\d+)", error)
    if found:
        msg = (
            f'文件 {name} 第 {int(found.group(1)) + 1} 行有一个引号（"）没有配对结束，其后的内容都会被读成一格。'
            "请在 Excel 或记事本里检查这一行，补上引号或删去多余的引号后再导入。"
        )
        raise ImportFileError(msg)
