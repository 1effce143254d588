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
"""

from __future__ import annotations

import csv
import io
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd

from geo.errors import ImportFileError
from geo.fields import header_score

MB = 1024 * 1024
HEADER_SEARCH_ROWS = 30  # the header must be within the first 30 rows
GEOMETRY_LON = "经度"
GEOMETRY_LAT = "纬度"

_MAGIC_ZIP = b"PK\x03\x04"
_MAGIC_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MAGIC_SQLITE = b"SQLite format 3\x00"
_DELIMITERS = (",", "\t", ";", "|")


@dataclass(frozen=True)
class ReadLimits:
    """Caps that keep a hostile or mistaken file from exhausting the machine."""

    max_csv_bytes: int = 200 * MB
    max_excel_bytes: int = 50 * MB
    max_vector_bytes: int = 200 * MB
    max_unzipped_bytes: int = 400 * MB  # total uncompressed size of an xlsx / zip
    max_zip_ratio: float = 200.0  # uncompressed / compressed, per member
    max_zip_members: int = 10_000
    max_rows: int = 2_000_000


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


@dataclass(frozen=True)
class CellNote:
    """A warning about one cell made while reading: row as the user sees it, column label, value."""

    row: int
    column: str
    value: str
    message: str


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
        return _read_excel(data, name, kind, sheet, limits)
    return _read_vector(data, name, kind, sheet, limits)


def _read_bytes(source: str | Path | bytes | BinaryIO, *, file_name: str | None, limits: ReadLimits) -> tuple[bytes, str]:
    cap = max(limits.max_csv_bytes, limits.max_excel_bytes, limits.max_vector_bytes)
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.is_file():
            msg = f"找不到文件 {path}（File not found）。"
            raise ImportFileError(msg)
        _check_size(path.stat().st_size, cap, path.name)
        return path.read_bytes(), file_name or path.name
    data = bytes(source) if isinstance(source, (bytes, bytearray, memoryview)) else source.read(cap + 1)
    name = file_name or str(getattr(source, "name", "上传的文件"))
    _check_size(len(data), cap, name)
    return data, Path(name).name


def _check_size(size: int, cap: int, name: str) -> None:
    if size > cap:
        msg = f"文件 {name} 有 {size / MB:,.1f} MB，超过上限 {cap / MB:,.0f} MB。请把表格拆成几个文件，或删去不需要的工作表和列后再导入。"
        raise ImportFileError(msg)
    if size == 0:
        msg = f"文件 {name} 是空的（0 字节）。"
        raise ImportFileError(msg)


def sniff_format(data: bytes, name: str) -> str:
    """Return the file format from the first bytes (and, for zips, the member names)."""
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
        _check_size(len(data), limits.max_csv_bytes, name)
    text, encoding = _decode(data, name)
    head_lines = text[:200_000].splitlines()[:200]
    delimiter = _sniff_delimiter(head_lines[: HEADER_SEARCH_ROWS + 20])
    width = max((len(r) for r in csv.reader(head_lines, delimiter=delimiter)), default=1)
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
    except (pd.errors.ParserError, ValueError):
        frame = _read_csv_ragged(text, delimiter, nrows)
    frame = frame.fillna("").astype(str)
    return _table_from_grid(frame, name=name, file_format="csv", limits=limits, encoding=encoding)


def _read_csv_ragged(text: str, delimiter: str, nrows: int) -> pd.DataFrame:
    """Parse a CSV whose rows have different numbers of fields (slower, exact)."""
    rows: list[list[str]] = []
    for row in csv.reader(io.StringIO(text), delimiter=delimiter):
        rows.append(row)
        if len(rows) >= nrows:
            break
    return pd.DataFrame(rows, dtype=object).fillna("").astype(str)


# ------------------------------------------------------------------- Excel


def check_zip_safety(data: bytes, name: str, limits: ReadLimits) -> None:
    """Refuse a zip (xlsx) whose members would expand too far, from its directory alone."""
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


def _read_excel(data: bytes, name: str, kind: str, sheet: str | None, limits: ReadLimits) -> RawTable:
    import python_calamine

    _check_size(len(data), limits.max_excel_bytes, name)
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
    return _table_from_grid(grid, name=name, file_format=kind, limits=limits, sheet=sheet_name, merged=merged)


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


# ------------------------------------------------------------ header + grid


def blank_mask(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a boolean frame: True where a cell is empty, missing or only spaces."""
    out = {}
    for column in frame.columns:
        series = frame[column]
        text = series if series.dtype != object and pd.api.types.is_string_dtype(series.dtype) else series.astype(str)
        out[column] = text.str.strip().eq("").fillna(True).to_numpy(dtype=bool) | series.isna().to_numpy()
    return pd.DataFrame(out, index=frame.index)


def find_header_row(frame: pd.DataFrame) -> int:
    """Return the 0-based index of the header row: the early row most like known headers."""
    search = frame.iloc[:HEADER_SEARCH_ROWS].to_numpy(dtype=object)
    scores = [header_score(row) for row in search]
    if scores and max(scores) >= 2:
        return int(np.argmax(scores))
    filled = [i for i, row in enumerate(search) if sum(1 for c in row if str(c).strip()) >= 2]
    if not filled:
        msg = "在文件前 30 行里找不到表头（至少两个非空的列名，例如“园区名称、所在区县”）。"
        raise ImportFileError(msg)
    return filled[0]


def _table_from_grid(
    grid: pd.DataFrame,
    *,
    name: str,
    file_format: str,
    limits: ReadLimits,
    sheet: str | None = None,
    encoding: str | None = None,
    merged: list[MergedRange] | None = None,
) -> RawTable:
    """Cut a whole-sheet grid (columns 0..n-1) into header and body; fill merged ranges below the header."""
    if grid.size == 0:
        msg = f"文件 {name} 里没有任何数据。"
        raise ImportFileError(msg)
    header_index = find_header_row(grid)
    grid, filled = fill_merged(grid, merged or [], below=header_index)
    body = grid.iloc[header_index + 1 :]
    if len(body) > limits.max_rows:
        msg = f"文件 {name} 超过 {limits.max_rows:,} 行，超出一次导入的上限。请按区县拆分后分批导入。"
        raise ImportFileError(msg)
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


MergedRange = tuple[tuple[int, int], tuple[int, int]]  # ((first row, first column), (last row, last column)), 0-based


def excel_range(first: tuple[int, int], last: tuple[int, int]) -> str:
    """Return an Excel range such as ``B5:B9`` for 0-based (row, column) corners."""

    def column_letters(index: int) -> str:
        letters = ""
        index += 1
        while index:
            index, rest = divmod(index - 1, 26)
            letters = chr(ord("A") + rest) + letters
        return letters

    return f"{column_letters(first[1])}{first[0] + 1}:{column_letters(last[1])}{last[0] + 1}"


def fill_merged(grid: pd.DataFrame, merged: list[MergedRange], *, below: int) -> tuple[pd.DataFrame, list[tuple[int, int, str, str]]]:
    """Copy each merged range's top-left value into its other cells, for ranges that start below the header.

    Only ranges spanning more than one row are filled (a county merged down a
    block of parks); a range within one row is a title or remark, not a value
    shared by several records. Returns the new grid and, per filled range,
    (first filled row, column, value, message) with 0-based grid positions.
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
        message = f"{excel_range((top, left), (bottom, right))} 为合并单元格，已按首格值“{text}”填充；请核对这些行是否确实同属此值。"
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


# ------------------------------------------------------------------ vector


def _read_vector(data: bytes, name: str, kind: str, layer: str | None, limits: ReadLimits) -> RawTable:
    import pyogrio

    _check_size(len(data), limits.max_vector_bytes, name)
    if kind == "shp":
        check_zip_safety(data, name, limits)
    suffix = {"geojson": ".geojson", "gpkg": ".gpkg", "shp": ".zip"}[kind]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"upload{suffix}"
        path.write_bytes(data)
        try:
            layers = [str(row[0]) for row in pyogrio.list_layers(path)]
            chosen = layer if layer in layers else layers[0]
            gdf = pyogrio.read_dataframe(path, layer=chosen, max_features=limits.max_rows + 1)
        except Exception as exc:  # pyogrio/GDAL raise many types for unreadable files
            msg = f"地理数据文件 {name} 无法读取（{exc}）。请导入 GeoJSON、GeoPackage 或包含 .shp/.shx/.dbf/.prj 的 .zip。"
            raise ImportFileError(msg) from exc
    if len(gdf) > limits.max_rows:
        msg = f"文件 {name} 超过 {limits.max_rows:,} 个要素，超出一次导入的上限。"
        raise ImportFileError(msg)
    return _vector_table(gdf, name, kind)


def _vector_table(gdf, name: str, kind: str) -> RawTable:
    if gdf.crs is None:
        msg = f"文件 {name} 没有坐标系信息（Shapefile 缺少 .prj 文件）。请连同 .prj 一起打包，或另存为 CGCS2000（EPSG:4490）。"
        raise ImportFileError(msg)
    projected = bool(gdf.crs.is_projected)
    epsg = gdf.crs.to_epsg()
    if projected:
        gdf = gdf.to_crs("EPSG:4326")
    geoms = gdf.geometry
    points = geoms.where(geoms.geom_type.isin(["Point"]) | geoms.isna() | geoms.is_empty, geoms.representative_point())
    ok = points.notna() & ~points.is_empty
    table = pd.DataFrame(gdf.drop(columns=gdf.geometry.name)).astype(object)
    for label in (GEOMETRY_LON, GEOMETRY_LAT):
        if label in table.columns:
            table = table.rename(columns={label: f"{label}(属性)"})
    table[GEOMETRY_LON] = np.where(ok, points.x.where(ok), "")
    table[GEOMETRY_LAT] = np.where(ok, points.y.where(ok), "")
    table = table.reset_index(drop=True)
    rows = np.arange(1, len(table) + 1, dtype=np.int64)
    notes = ("坐标取自几何图形（面取内部一点）。",) if (geoms.geom_type != "Point").any() else ()
    return RawTable(table, rows, name, kind, coordinates_projected=projected, notes=notes, source_epsg=epsg)
