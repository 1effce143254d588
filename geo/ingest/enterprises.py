"""Import and check an enterprise list (企业名录), built for 250,000 rows and more.

The same machinery as :mod:`geo.ingest.parks` (row numbers, user headers, values as
given, error/warning), vectorised end to end: text columns are parsed with
pandas string methods or once per distinct value, points are placed with one
prepared point-in-polygon pass per county, and problems are kept in one
DataFrame.

Errors (row rejected): no 统一社会信用代码 (or, in a list without that
column, no 企业名称), a code repeated from an earlier row, no or unknown 所在区县, missing
or unreadable coordinates, a point outside Shaoxing or more than 2 km inside
another county than claimed. Warnings (row kept): in a column of credit codes, a code
that is malformed or whose check character does not match (a column mostly of
other ids, such as old registration numbers, is used as ids with one note),
unreadable optional values (left empty), 中型/大型 sizes, in a list without
codes the same name twice in one county (ids get ``-2``, ``-3``), swapped
lat/lon (fixed), points just across a county border.

Accepted rows come out as a GeoDataFrame in WGS-84 (EPSG:4326) with
:data:`geo.schema.ENTERPRISE_COLUMNS`, then the file's other columns.
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.crs import WGS84, check_datum
from geo.fields import ENTERPRISE_FIELDS
from geo.ingest.duplicates import first_row_of_group, name_key
from geo.ingest.importing import (
    Prepared,
    check_locations,
    check_parsed,
    coordinate_datum,
    extra_columns,
    file_fixes_datum,
    finish,
    guarded_import,
    keep_mask,
    parse_optional,
    prepare,
    typed_columns,
)
from geo.ingest.locate import CountyLookup, county_hints, parse_county
from geo.ingest.parsers import Parsed, cell_text, hashed_ids, normalise_text, parse_choice, parse_text
from geo.ingest.readers import RawTable, ReadLimits, read_table
from geo.ingest.report import ImportReport
from geo.ingest.vocabulary import SIZE_ALLOWED, size_class_code
from geo.region.boundaries import load_counties

CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = np.array([1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28], dtype=np.int64)
_CHAR_VALUE = np.full(256, -1, dtype=np.int64)
_CHAR_VALUE[np.frombuffer(CREDIT_CODE_ALPHABET.encode("ascii"), dtype=np.uint8)] = np.arange(31)
_SIZE_BAD = f"无法识别此值。可填：{SIZE_ALLOWED}；此值未导入，其余内容照常导入"
_CHECKSUM_BAD = "统一社会信用代码的校验位不符，可能有输错的字符；请核对。"
_IN_PARK_CONTRADICTION = "填了“否”，但“所在园区”有内容；请核对。"
_CODE_MALFORMED = "不是标准的 18 位统一社会信用代码（数字和大写字母，不含 I、O、Z、S、V）；已按原样作为企业编号导入，请核对。"
_FLAG_ALLOWED = "可填：是、否（也可填 Y/N、1/0）。"
_DATE_ALLOWED = "日期可写作 2021-03-05、2021/3/5、2021年3月 或 2021.3。"


def import_enterprises(
    source: str | Path | bytes | BinaryIO,
    *,
    datum: str = "wgs84",
    counties: gpd.GeoDataFrame | None = None,
    file_name: str | None = None,
    sheet: str | None = None,
    limits: ReadLimits | None = None,
) -> ImportReport:
    """Read an enterprise list file and check it; see :func:`validate_enterprises`.

    Parameters
    ----------
    source
        A path, the file's bytes or an open binary file.
    datum
        The datum the coordinates were typed in: ``wgs84``, ``cgcs2000``, ``gcj02`` or ``bd09``.
    counties
        County polygons with ``adcode`` (any CRS); default the region's shipped counties.
    file_name
        The file's name, when ``source`` is bytes or a stream.
    sheet
        The sheet or layer to read; None reads every one with register headers.
    limits
        Caps on the file; default those of an enterprise list.

    Returns
    -------
    ImportReport
        Accepted firms (WGS-84), problems per row and the rows to send back.

    Raises
    ------
    ImportFileError
        The file cannot be read at all. Any other failure is logged with its
        traceback and raised as an ImportFileError naming the file (base name
        only) and what to try.
    """
    datum = check_datum(datum)

    def run() -> ImportReport:
        table = read_table(source, file_name=file_name, sheet=sheet, limits=limits)
        return validate_enterprises(table, datum=datum, counties=counties)

    return guarded_import(run, source=source, file_name=file_name)


def validate_enterprises(raw: RawTable, *, datum: str = "wgs84", counties: gpd.GeoDataFrame | None = None) -> ImportReport:
    """Check a raw enterprise table and return accepted enterprises plus every problem.

    Parameters
    ----------
    raw
        Table from :func:`geo.ingest.readers.read_table`.
    datum
        Datum of the coordinates as typed: ``wgs84``, ``cgcs2000``, ``gcj02`` (Amap geocoding) or ``bd09``.
    counties
        County polygons (any CRS); default :func:`geo.region.boundaries.load_counties`.

    Returns
    -------
    ImportReport whose ``data`` is a GeoDataFrame in EPSG:4326 with
    ``ENTERPRISE_COLUMNS``, extra columns, and point geometry.
    """
    datum = check_datum(datum)
    counties = load_counties() if counties is None else counties
    lookup = CountyLookup.from_counties(counties)
    has_code = "credit_code" in _matched_fields(raw)
    prep = prepare(raw, kind="enterprises", required=("credit_code" if has_code else "name", "county", "coordinates"))
    effective, notes = coordinate_datum(raw, datum)
    values = _parse_fields(prep, lookup, notes)
    located, hint = check_locations(prep, values["county_adcode"], datum=effective, counties=counties, lookup=lookup)
    keep = keep_mask(prep)
    rows = np.flatnonzero(keep)
    frame = pd.DataFrame({key: series.to_numpy()[rows] for key, series in values.items()})
    frame["source_row"] = prep.source_rows[rows]
    frame = pd.concat([typed_columns(frame, "enterprises"), extra_columns(prep, rows)], axis=1)
    accepted = gpd.GeoDataFrame(frame, geometry=shapely.points(located.lon[rows], located.lat[rows]), crs=WGS84)
    hint = None if file_fixes_datum(raw) else hint
    return finish(prep, accepted, keep, datum=effective, hint=hint, notes=notes)


def _matched_fields(raw: RawTable) -> list[str]:
    from geo.ingest.headers import match_columns

    return list(match_columns([str(c) for c in raw.data.columns], kind="enterprises")[0])


def credit_code_status(codes: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Return (well_formed, checksum_ok) masks for 统一社会信用代码 (GB 32100-2015), vectorised.

    ``codes`` must already be normalised (NFKC, upper case, no spaces).

    Parameters
    ----------
    codes
        Normalised 统一社会信用代码.

    Returns
    -------
    tuple of ndarray
        ``(well_formed, checksum_ok)``, one bool per code.
    """
    text = codes.fillna("").astype(str)
    formed = text.str.fullmatch(f"[{CREDIT_CODE_ALPHABET}]{{18}}").fillna(False).to_numpy(dtype=bool)
    checksum_ok = np.zeros(len(text), dtype=bool)
    if formed.any():
        raw = np.array(text[formed].tolist(), dtype="S18").view(np.uint8).reshape(-1, 18)
        digits = _CHAR_VALUE[raw]
        expected = (31 - (digits[:, :17] @ _CREDIT_WEIGHTS) % 31) % 31
        checksum_ok[formed] = expected == digits[:, 17]
    return formed, checksum_ok


def _parse_fields(prep: Prepared, lookup: CountyLookup, notes: list[str]) -> dict[str, pd.Series]:
    values: dict[str, pd.Series] = {}
    name = parse_text(prep.column("name")) if "name" in prep.matches else None
    if name is not None:
        check_parsed(prep, "name", name, required="credit_code" not in prep.matches, allowed="请填写企业名称。")
    county = parse_county(prep.column("county"), lookup)
    allowed = f"可填：{lookup.allowed()}，{lookup.alias_hint()}。"
    hints = county_hints(prep.column("county"), lookup, unreadable=county.bad)
    check_parsed(prep, "county", county, required=True, allowed=allowed, hints=hints)
    values["county_adcode"] = county.values
    values["enterprise_id"] = _enterprise_ids(prep, county.values, name, notes)
    empty = pd.Series([""] * len(prep.body), index=prep.body.index, dtype=object)
    values["name"] = name.values if name is not None else parse_text(empty).values
    parse_optional(prep, values, ENTERPRISE_FIELDS, notes)
    values["size_class"] = _size_class(prep, empty)
    _check_consistency(prep, values)
    return values


def _size_class(prep: Prepared, empty: pd.Series) -> pd.Series:
    column = prep.column("size_class")
    parsed = parse_choice(column if column is not None else empty, size_class_code)
    if column is None:
        return parsed.values
    text = cell_text(column)
    larger = normalise_text(text).str.contains("中型|大型", regex=True).to_numpy(dtype=bool)
    header = prep.header("size_class")
    prep.log.add(larger & parsed.bad, field=header, value=text, severity="warning", message="不是小微企业（中型/大型），规模未导入。")
    prep.log.add(
        ~larger & parsed.bad,
        field=header,
        value=text,
        severity="warning",
        message=f"无法识别此值。可填：{SIZE_ALLOWED}；此值未导入，其余内容照常导入",
    )
    return parsed.values


def _name_ids(prep: Prepared, county: pd.Series, name: Parsed) -> pd.Series:
    """Ids for a list without credit codes: a hash of county and name, ``-2``, ``-3`` for repeats (warned)."""
    names = name_key(name.values)
    key = county.fillna("").astype(str) + "|" + names
    ids = hashed_ids(key, prefix="E")
    first = first_row_of_group(key.to_numpy(), prep.source_rows)
    repeat = names.ne("").to_numpy(dtype=bool) & county.notna().to_numpy(dtype=bool) & (first != prep.source_rows)
    message = np.full(len(first), "", dtype=object)
    message[repeat] = [
        f"与第 {r} 行企业名称和所在区县都相同，已作为两家企业导入（编号加后缀）；如是同一企业请删去一行。" for r in first[repeat]
    ]
    prep.log.add(repeat, field=prep.header("name"), value=cell_text(prep.column("name")), severity="warning", message=message)
    return ids


def _enterprise_ids(prep: Prepared, county: pd.Series, name: Parsed | None, notes: list[str]) -> pd.Series:
    """Return the credit code (checked) as id, or a hash of county and name in lists without codes."""
    if "credit_code" not in prep.matches:
        assert name is not None  # prepare() requires 企业名称 when there is no code column
        return _name_ids(prep, county, name)
    header = prep.header("credit_code")
    text = cell_text(prep.column("credit_code"))
    code = normalise_text(text).str.upper()
    formed, checksum_ok = credit_code_status(code)
    blank = code.eq("").to_numpy(dtype=bool)
    log = prep.log
    log.add(blank, field=header, value=text, severity="error", message="必填项为空。请填写 18 位统一社会信用代码（或本单位的企业编号）。")
    if formed.sum() >= 0.5 * (~blank).sum():
        # A column of credit codes: the odd malformed one is probably a typo.
        log.add(~blank & ~formed, field=header, value=text, severity="warning", message=_CODE_MALFORMED)
        log.add(formed & ~checksum_ok, field=header, value=text, severity="warning", message=_CHECKSUM_BAD)
    else:
        notes.append(f"“{header}”列多数不是标准的统一社会信用代码，按普通企业编号使用，未逐行校验格式。")
    first_row = pd.Series(prep.source_rows).groupby(code.to_numpy()).transform("first").to_numpy()
    repeat = ~blank & (first_row != prep.source_rows)
    repeat_message = "与第 " + pd.Series(first_row).astype(str).to_numpy(dtype=object) + " 行的统一社会信用代码重复；同一企业只能登记一次。"
    log.add(repeat, field=header, value=text, severity="error", message=repeat_message)
    return code.astype(object).where(~blank, None)


def _check_consistency(prep: Prepared, values: dict[str, pd.Series]) -> None:
    if "in_park" in prep.matches and "park_name" in prep.matches:
        contradiction = (values["in_park"].eq(False) & values["park_name"].notna()).fillna(False).to_numpy(dtype=bool)
        text = cell_text(prep.column("in_park"))
        prep.log.add(
            contradiction, field=prep.header("in_park"), value=text, severity="warning", message="填了“否”，但“所在园区”有内容；请核对。"
        )
    future = (values["registration_date"] > pd.Timestamp.now()).fillna(False).to_numpy(dtype=bool)
    if "registration_date" in prep.matches:
        text = cell_text(prep.column("registration_date"))
        prep.log.add(future, field=prep.header("registration_date"), value=text, severity="warning", message="成立日期在今天之后；请核对。")
