"""Steps shared by the park and enterprise imports.

:func:`prepare` drops blank rows (counting them), maps the headers and refuses
a file that lacks a required column. :func:`check_parsed` turns a parser's
masks into problems. :func:`check_locations` reads the coordinates, converts
them to WGS-84 and checks them against the county each row claims. Every
function here works on whole columns.

Location rule: a point inside the claimed county is fine. A point outside it
but within :data:`BORDER_TOLERANCE_M` (2 km) of it is accepted with a warning,
because county polygons are generalised and a datum slip moves points by up to
a kilometre. A point farther away, in another county or outside Shaoxing, is
an error: either the coordinates or the county are wrong, and accepting the
row would put the park on the map in one county while counting it in another.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.errors import GeoDataError, ImportFileError
from geo.fields import Field, fields_of
from geo.ingest.datum import DatumEvidence, detect_datum, load_township_centres
from geo.ingest.headers import FIELD_LABELS_ZH, ColumnMatch, TableKind, match_columns
from geo.ingest.locate import CountyLookup, Located, locate_points, parse_coordinate, split_lonlat
from geo.ingest.parsers import Parsed, allowed_text, cell_text, parse_field
from geo.ingest.readers import RawTable, blank_mask
from geo.ingest.report import ROW_COLUMN, ImportReport, ProblemLog

BORDER_TOLERANCE_M = 2_000.0
CGCS2000_EPSG = 4490
WGS84_EPSG = 4326
OUTPUT_RESERVED = frozenset({"geometry", "source_row", "park_id", "enterprise_id"})
logger = logging.getLogger(__name__)
T = TypeVar("T")
# A directory part of a path ("/tmp/abc/", "C:\\Users\\x\\"): removed from messages, the base name stays.
# A web address in a header or value ("http://host/x.png") is data, not a server path: left as typed.
_DIRECTORY = re.compile(r"(?<![\w.:/])(?:[A-Za-z]:)?(?:[\\/][^\s\\/\"'“”‘’（）()，。；：,;]*)+[\\/]")


def scrub_paths(message: str, *, source: object = None) -> str:
    """Return a message with every directory part of a path removed (``/tmp/x/a.xlsx`` -> ``a.xlsx``).

    ``source``, when a path, is replaced by its base name first (folders with
    spaces in their names are not caught by the pattern).

    Parameters
    ----------
    message
        Any message.
    source
        The file imported (a path), if any.

    Returns
    -------
    str
        The message with file names only.
    """
    if isinstance(source, (str, Path)) and str(source):
        path = Path(source)
        for shown in {str(path.resolve()), str(path.absolute()), str(source)}:
            message = message.replace(shown, path.name)
    return _DIRECTORY.sub("", message)


def shown_name(source: object, file_name: str | None) -> str:
    """Return the base name of a file for messages, never its folder on the server.

    Parameters
    ----------
    source
        A path, bytes or an uploaded file.
    file_name
        The name given with it, if any.

    Returns
    -------
    str
        The file's base name (``上传的文件`` when none is known).
    """
    if file_name:
        return Path(str(file_name)).name or "上传的文件"
    if isinstance(source, (str, Path)):
        return Path(source).name or "上传的文件"
    return Path(str(getattr(source, "name", "") or "上传的文件")).name


def guarded_import(run: Callable[[], T], *, source: object, file_name: str | None) -> T:
    """Run an import; turn any failure into an :class:`ImportFileError` a planner can act on.

    A :class:`GeoDataError` keeps its message (folders removed). Anything else
    is a bug or a file the readers do not expect: it is logged with its
    traceback for the maintainer and the planner is told what to try.

    Parameters
    ----------
    run
        Does the import.
    source
        The file imported (for messages).
    file_name
        Its name, if given.

    Returns
    -------
    object
        What ``run`` returns.
    """
    name = shown_name(source, file_name)
    try:
        return run()
    except GeoDataError as exc:
        cleaned = scrub_paths(str(exc), source=source)
        if cleaned == str(exc):
            raise
        raise ImportFileError(cleaned) from exc
    except Exception as exc:
        logger.exception("import of %s failed", name)
        reason = "文件太大或太复杂，内存不足" if isinstance(exc, MemoryError) else "文件内容不符合预期的格式"
        msg = (
            f"文件 {name} 无法读取：{reason}。请在 Excel 中打开后另存为 .xlsx 或 .csv（UTF-8）后重试；如仍不行，请把文件发给系统维护人员。"
        )
        raise ImportFileError(msg) from exc


@dataclass
class Prepared:
    """A raw table with blank rows removed and headers mapped."""

    table: RawTable
    body: pd.DataFrame  # non-blank rows, original columns, cells as given
    source_rows: np.ndarray
    skipped_blank: int
    matches: dict[str, ColumnMatch]
    extra: list[str]
    log: ProblemLog

    def column(self, field: str) -> pd.Series | None:
        """Return the column holding a canonical field, or None when the file has none.

        Parameters
        ----------
        field
            A canonical field name.

        Returns
        -------
        Series or None
            The column's cells.
        """
        match = self.matches.get(field)
        return None if match is None else self.body[match.column]

    def header(self, field: str) -> str:
        """Return the user's header for a field (or the field's Chinese name).

        Parameters
        ----------
        field
            A canonical field name.

        Returns
        -------
        str
            The header as written in the file, else the field's Chinese label.
        """
        match = self.matches.get(field)
        return match.column if match else FIELD_LABELS_ZH.get(field, field)

    def row_label(self, position: int) -> str:
        """Return how a planner finds a checked row: ``第 3 行``, or ``“柯桥区”第 3 行`` when several sheets were read.

        Parameters
        ----------
        position
            The row's position in the body.

        Returns
        -------
        str
            The row's label, in Chinese.
        """
        row = f"第 {int(self.source_rows[position])} 行"
        parts = self.log.parts
        return row if parts is None else f"“{parts[position]}”{row}"


def prepare(table: RawTable, *, kind: TableKind, required: tuple[str, ...]) -> Prepared:
    """Drop blank rows, map headers, and refuse a file missing a required column.

    Parameters
    ----------
    table
        The file's table as read.
    kind
        ``parks`` or ``enterprises``.
    required
        The fields the file must have a column for (``coordinates`` for lon/lat).

    Returns
    -------
    Prepared
        The body without blank rows, the header matches and an empty problem log.
    """
    blank_rows = blank_mask(table.data).all(axis=1).to_numpy(dtype=bool) if len(table.data.columns) else np.ones(len(table.data), bool)
    body = table.data.loc[~blank_rows].reset_index(drop=True)
    source_rows = table.source_rows[~blank_rows]
    matches, extra = match_columns([str(c) for c in body.columns], kind=kind)
    has_coordinates = ("lon" in matches and "lat" in matches) or "lonlat" in matches
    missing = [f for f in required if f not in matches and not (f == "coordinates" and has_coordinates)]
    if missing:
        wanted = "、".join("经度和纬度（或一列“坐标”）" if f == "coordinates" else FIELD_LABELS_ZH.get(f, f) for f in missing)
        found = "、".join(str(c) for c in table.data.columns) or "（无）"
        where = f"（表头在第 {table.header_row} 行）" if table.header_row else ""
        msg = f"文件 {table.file_name} 缺少必填列：{wanted}。找到的列{where}：{found}。请按导入模板填写列名。"
        raise ImportFileError(msg)
    parts = None if table.source_parts is None else np.asarray(table.source_parts, dtype=object)[~blank_rows]
    log = ProblemLog(source_rows, parts=parts)
    for note in table.cell_notes:
        where = source_rows == note.row
        if parts is not None and note.sheet is not None:
            where &= parts == note.sheet  # row numbers repeat across sheets
        log.add(where, field=note.column, value=note.value, severity="warning", message=note.message)
    return Prepared(table, body, source_rows, int(blank_rows.sum()), matches, extra, log)


_DATUM_NAMES = {"gcj02": "GCJ-02（高德/腾讯）", "bd09": "BD-09（百度）"}


def coordinate_datum(table: RawTable, declared: str) -> tuple[str, list[str]]:
    """Return the datum to read a table's coordinates in, and file notes that explain it.

    A projected vector file was already converted to longitude/latitude and a
    file whose CRS is CGCS2000 (EPSG:4490) is survey data: both are read as
    the national datum whatever was declared, since a GCJ-02/BD-09 correction
    would shift them by about 500 m. A vector file in EPSG:4326 keeps the
    declared datum (Amap exports GCJ-02 GeoJSON labelled 4326), with a note.

    Parameters
    ----------
    table
        The file's table as read (with its CRS, if any).
    declared
        The datum the planner chose.

    Returns
    -------
    tuple of (str, list of str)
        The datum to use and the notes for the report.
    """
    if table.coordinates_projected:
        notes = [f"文件带投影坐标系，坐标已是国家标准坐标，未再按 {declared} 换算。"] if declared in _DATUM_NAMES else []
        return "wgs84", notes
    if file_fixes_datum(table):
        return "cgcs2000", ["文件自带坐标系 CGCS2000（EPSG:4490），已按此读取，未做高德/百度坐标纠偏。"]
    if table.source_epsg == WGS84_EPSG and declared in _DATUM_NAMES:
        name = _DATUM_NAMES[declared]
        return declared, [
            f"文件坐标系标为 EPSG:4326（WGS-84），按导入时所选已当作 {name} 坐标换算。如果文件确是 WGS-84 坐标，请改选 wgs84 后重新导入。"
        ]
    return declared, []


def file_fixes_datum(table: RawTable) -> bool:
    """True when the file's own CRS says which datum its coordinates are in (projected, or CGCS2000).

    Parameters
    ----------
    table
        The file's table as read.

    Returns
    -------
    bool
        True when the file's CRS fixes the datum.
    """
    return table.coordinates_projected or table.source_epsg == CGCS2000_EPSG


def check_parsed(
    prep: Prepared,
    field: str,
    parsed: Parsed,
    *,
    required: bool,
    allowed: str,
    hints: pd.Series | None = None,
) -> None:
    """Record blank-but-required cells and unreadable cells of one field.

    An unreadable or out-of-range cell (``parsed.out_of_range``) of a required
    field is an error; of an optional field a warning (the value is left empty
    and the row is still imported). A value
    read with an assumption the parser explains (``parsed.warnings``) is a
    warning.

    Parameters
    ----------
    prep
        The table being checked.
    field
        The canonical field.
    parsed
        Its parsed cells.
    required
        Whether the field is required.
    allowed
        What the cells may hold, quoted in messages.
    hints
        Per cell, a question put before the message of an unreadable cell (such as "是否为诸暨市？"); "" for none.
    """
    header = prep.header(field)
    text = cell_text(prep.body[prep.matches[field].column])
    if required:
        prep.log.add(parsed.blank, field=header, value=text, severity="error", message=f"必填项为空。{allowed}")
    severity = "error" if required else "warning"
    suffix = "" if required else "；此值未导入，其余内容照常导入"
    unreadable = f"无法识别此值。{allowed}{suffix}"
    message = unreadable if hints is None else (hints.astype(str).to_numpy(dtype=object) + unreadable)
    prep.log.add(parsed.bad, field=header, value=text, severity=severity, message=message)
    if parsed.out_of_range is not None:
        message = f"数值超出可能的范围。{allowed}{suffix}"
        prep.log.add(parsed.out_of_range, field=header, value=text, severity=severity, message=message)
    if parsed.warnings is not None:
        noted = parsed.warnings != ""
        prep.log.add(noted, field=header, value=text, severity="warning", message=parsed.warnings)


def coordinate_text(prep: Prepared) -> tuple[pd.Series, pd.Series, str]:
    """Return (lon text, lat text, field label) from two columns or one "lon,lat" column.

    Parameters
    ----------
    prep
        The table being checked.

    Returns
    -------
    tuple of (Series, Series, str)
        Longitude text, latitude text, and the headers to name in messages.
    """
    empty = pd.Series([""] * len(prep.body), index=prep.body.index, dtype=str)
    lon = cell_text(prep.column("lon")) if "lon" in prep.matches else empty
    lat = cell_text(prep.column("lat")) if "lat" in prep.matches else empty
    label = f"{prep.header('lon')}/{prep.header('lat')}"
    if "lonlat" in prep.matches:
        split_lon, split_lat = split_lonlat(prep.column("lonlat"))
        both_blank = lon.str.strip().eq("") & lat.str.strip().eq("")
        lon = lon.where(~both_blank, split_lon)
        lat = lat.where(~both_blank, split_lat)
        label = prep.header("lonlat") if "lon" not in prep.matches else label
    lon, lat = _pair_in_one_cell(lon, lat)
    return lon, lat, label


def _pair_in_one_cell(lon: pd.Series, lat: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Split "120.58,30.01" typed into the 经度 (or 纬度) cell while the other cell is empty.

    The two numbers are taken in the order typed as (lon, lat); a "lat,lon"
    pair is then fixed by the swap detection of :func:`geo.ingest.locate.locate_points`.
    """
    for full, empty in ((lon, lat), (lat, lon)):
        alone = empty.str.strip().eq("") & full.str.strip().ne("")
        if not alone.any():
            continue
        first, second = split_lonlat(full[alone])
        pair = second.str.strip().ne("")
        rows = pair[pair].index
        lon, lat = lon.copy(), lat.copy()
        lon.loc[rows], lat.loc[rows] = first[rows], second[rows]
    return lon, lat


def check_locations(
    prep: Prepared,
    claimed: pd.Series,
    *,
    datum: str,
    counties: gpd.GeoDataFrame,
    lookup: CountyLookup,
    township: pd.Series | None = None,
    noun: str = "条记录",
) -> tuple[Located, DatumEvidence | None]:
    """Read, convert and check every row's point; return the locations and the datum evidence.

    Parameters
    ----------
    prep
        The table being checked.
    claimed
        The county adcode each row gives (None where unknown).
    datum
        The datum to read the coordinates in.
    counties
        County polygons with ``adcode``, any CRS.
    lookup
        Turns county names and codes into adcodes.
    township
        The 所在镇街 each row gives (None where blank), or None to leave townships out of the datum check.
    noun
        How rows are counted in the datum hint ("个园区").

    Returns
    -------
    tuple of (Located, DatumEvidence or None)
        The located points, and each datum's score with the datum that fits clearly better, if one does
        (:func:`geo.ingest.datum.detect_datum`).
    """
    lon_text, lat_text, label = coordinate_text(prep)
    lon, lat = parse_coordinate(lon_text), parse_coordinate(lat_text)
    value = (lon_text + ", " + lat_text).to_numpy(dtype=object)
    log = prep.log
    allowed = "坐标应为十进制度（如 120.58）或度分秒（如 120°35'12\"E）。"
    log.add(lon.blank | lat.blank, field=label, value=value, severity="error", message="缺少坐标（经度、纬度都必填）。")
    log.add(lon.bad | lat.bad, field=label, value=value, severity="error", message=f"无法识别坐标。{allowed}")
    x = lon.values.to_numpy(dtype="float64")
    y = lat.values.to_numpy(dtype="float64")
    claimed_codes = claimed.to_numpy(dtype=object)
    located = locate_points(x, y, claimed_codes, datum=datum, counties=counties)
    readable = np.isfinite(x) & np.isfinite(y)
    log.add(readable & located.swapped, field=label, value=value, severity="warning", message="经度和纬度填反了，已自动对调。")
    _check_place(prep, located, readable, claimed_codes, value=value, label=label, lookup=lookup)
    centres = load_township_centres() if township is not None and township.notna().any() else None
    evidence = detect_datum(x, y, claimed_codes, declared=datum, counties=counties, township=township, centres=centres, noun=noun)
    return located, evidence


def _check_place(
    prep: Prepared, located: Located, readable: np.ndarray, claimed: np.ndarray, *, value: np.ndarray, label: str, lookup: CountyLookup
) -> None:
    known = pd.notna(claimed)
    distance = located.distance_to_claimed_m
    outside_city = readable & (located.county == None)  # noqa: E711 (element-wise)
    wrong_county = readable & ~outside_city & known & (located.county != claimed)
    near = known & (distance <= BORDER_TOLERANCE_M)
    flagged = np.flatnonzero(outside_city | wrong_county)
    km = np.full(len(claimed), "", dtype=object)
    claimed_name = np.full(len(claimed), "", dtype=object)
    found_name = np.full(len(claimed), "", dtype=object)
    km[flagged] = [f"{d / 1000:,.1f}" if np.isfinite(d) else "?" for d in distance[flagged]]
    claimed_name[flagged] = [lookup.names.get(c, "") for c in claimed[flagged]]
    found_name[flagged] = [lookup.names.get(c, "") for c in located.county[flagged]]
    log = prep.log
    log.add(
        outside_city & ~near,
        field=label,
        value=value,
        severity="error",
        message=f"坐标不在{lookup.city}范围内。请核对经纬度和坐标系（高德/腾讯为 gcj02，百度为 bd09）。",
    )
    log.add(
        (outside_city | wrong_county) & near,
        field=label,
        value=value,
        severity="warning",
        message="坐标在所填区县" + claimed_name + "边界外约 " + km + " 公里，已按所填区县导入；请核对位置。",
    )
    log.add(
        wrong_county & ~near,
        field=label,
        value=value,
        severity="error",
        message="坐标位于" + found_name + "，但所在区县填的是" + claimed_name + "（相距约 " + km + " 公里）。请核对区县或坐标。",
    )


def extra_columns(prep: Prepared, rows: np.ndarray) -> pd.DataFrame:
    """Return the unmatched columns of the given rows as text, renamed if they clash with output names.

    Parameters
    ----------
    prep
        The table being checked.
    rows
        Positions of the rows to keep.

    Returns
    -------
    DataFrame
        The unmatched columns as text.
    """
    out = {}
    for column in prep.extra:
        name = f"原表_{column}" if column in OUTPUT_RESERVED else column
        out[name] = cell_text(prep.body[column]).to_numpy(dtype=object)[rows]
    return pd.DataFrame(out)


def finish(
    prep: Prepared, accepted: gpd.GeoDataFrame, keep: np.ndarray, *, datum: str, hint: DatumEvidence | None, notes: list[str]
) -> ImportReport:
    """Assemble the report: counts, problems, accepted features and the original rows.

    Parameters
    ----------
    prep
        The table being checked.
    accepted
        The accepted rows as features, WGS-84.
    keep
        True for each accepted row (by position).
    datum
        The datum the coordinates were read in.
    hint
        The datum evidence (:func:`check_locations`), if any; its ``likely`` datum becomes ``datum_hint``.
    notes
        Notes on the whole file.

    Returns
    -------
    ImportReport
        The import's report.
    """
    problems = prep.log.frame()
    original = prep.body.copy()
    original.insert(0, ROW_COLUMN, prep.source_rows)
    rows = len(prep.body)
    accepted_count = int(keep.sum())
    return ImportReport(
        file_name=prep.table.file_name,
        datum=datum,
        rows=rows,
        accepted=accepted_count,
        rejected=rows - accepted_count,
        skipped_blank=prep.skipped_blank,
        problems=problems.drop(columns="position"),
        data=accepted,
        original=original,
        rejected_rows=prep.source_rows[~keep],
        datum_hint=None if hint is None else hint.likely,
        datum_evidence=hint,
        notes=(*prep.table.notes, *notes),
        rejected_positions=np.flatnonzero(~keep),
        parts=prep.log.parts,
    )


def keep_mask(prep: Prepared) -> np.ndarray:
    """Return True for rows without any error.

    Parameters
    ----------
    prep
        The table being checked.

    Returns
    -------
    ndarray of bool
        True for rows without an error.
    """
    keep = np.ones(len(prep.body), dtype=bool)
    keep[prep.log.error_positions()] = False
    return keep


def parse_optional(prep: Prepared, values: dict[str, pd.Series], fields: tuple[Field, ...], notes: list[str]) -> None:
    """Parse every optional catalogue field with a parser into ``values`` (missing where the file has no column).

    Unreadable and out-of-range cells are warnings (the value is left empty);
    an area read without a unit anywhere gets one file note.

    Parameters
    ----------
    prep
        The table being checked.
    values
        Parsed columns by field name; filled in place.
    fields
        The catalogue's fields for this kind.
    notes
        Notes on the whole file; appended to.
    """
    empty = pd.Series([""] * len(prep.body), index=prep.body.index, dtype=object)
    for item in fields:
        if item.required or item.parser is None or item.parser == "county" or item.name in values:
            continue
        match = prep.matches.get(item.import_key)
        parsed = parse_field(item, prep.column(item.import_key) if match else empty, header_unit=match.unit if match else None)
        if match:
            check_parsed(prep, item.import_key, parsed, required=False, allowed=allowed_text(item))
            if item.parser == "area_m2" and parsed.flagged.any():
                notes.append(f"“{match.column}”没有注明单位：小于 1000 的数按万平方米、其余按平方米理解。建议在表头写明单位。")
        values[item.name] = parsed.values


def derive_stored(prep: Prepared, values: dict[str, pd.Series], fields: tuple[Field, ...]) -> None:
    """Fill stored derived fields (入驻率 from leased and leasable area) where the register left them blank.

    A given value wins. A derived value outside the field's range (0 to
    ``maximum``) is a warning on the first input's column and is left empty.

    Parameters
    ----------
    prep
        The table being checked.
    values
        Parsed columns by field name; filled in place.
    fields
        The catalogue's fields for this kind.
    """
    for item in fields:
        if item.derive is None or not item.stored or not all(i in values for i in item.inputs):
            continue
        derived = pd.Series(item.derive({i: values[i] for i in item.inputs}), index=prep.body.index).astype("float64")
        blank = values[item.name].isna() if item.name in values else pd.Series(True, index=prep.body.index)
        bad = (blank & derived.notna() & ((derived < 0) | (derived > item.maximum))).to_numpy(dtype=bool)
        first = next(i for i in item.inputs)
        key = next((f.import_key for f in fields if f.name == first), first)
        label = item.label("zh", unit=False)
        shown = derived.map(lambda v: f"{v:,.1f}").to_numpy(dtype=object)
        message = f"由此算出的{label}为 " + shown + f"，超出 0-{item.maximum:,.0f}；{label}未导入，请核对。"
        if key in prep.matches:
            prep.log.add(bad, field=prep.header(key), value=cell_text(prep.column(key)), severity="warning", message=message)
        fill = blank.to_numpy(dtype=bool) & ~bad
        current = values.get(item.name, pd.Series(np.nan, index=prep.body.index, dtype="float64"))
        values[item.name] = current.where(~fill, derived)


_DTYPES = {"float": "float64", "Int64": "Int64", "int": "int64", "bool": "boolean"}


def typed_columns(frame: pd.DataFrame, kind: TableKind) -> pd.DataFrame:
    """Return ``frame`` with every stored catalogue column in its catalogue dtype, in catalogue order.

    Text, codes and adcodes are object columns with None for missing; dates are ``datetime64[ns]``.

    Parameters
    ----------
    frame
        Accepted rows.
    kind
        ``parks`` or ``enterprises``.

    Returns
    -------
    DataFrame
        A copy with the catalogue's columns and dtypes.
    """
    out = frame.copy()
    columns = [f for f in fields_of(kind) if f.stored]
    for item in columns:
        column = out[item.name] if item.name in out else pd.Series(None, index=out.index, dtype=object)
        if item.dtype == "date":
            out[item.name] = pd.to_datetime(column).astype("datetime64[ns]")
        elif item.dtype in _DTYPES:
            out[item.name] = column.astype(_DTYPES[item.dtype])
        else:
            out[item.name] = column.astype(object).where(column.notna(), None)
    return out[[f.name for f in columns]]
