"""Import and check a park register (小微企业园台账).

Every non-blank row ends either accepted (perhaps with warnings) or rejected
with errors; each problem names the row as the user sees it in the file, the
user's header, the value as given and what is allowed. Accepted parks come out
as a GeoDataFrame in WGS-84 (EPSG:4326) with :data:`geo.schema.PARK_COLUMNS`,
then the file's other columns.

Errors (row rejected): a required field (名称, 所在区县, 建筑面积, 建设状态,
coordinates) empty or unreadable; floor area not above zero or above 1,000
万平方米 (a planned park may leave it blank or 0: a warning, and its floor
area stays missing so that it counts in no total); a point outside
Shaoxing or more than 2 km inside another county than the row claims (see
:mod:`geo.ingest.importing`); a 合计/小计 row. Warnings (row kept): optional values
that cannot be read or lie out of range (left empty: 占地面积 over 100,000 亩,
企业数 over 1,000,000), implausible floor area or plot ratio, star
ratings outside 1-5, swapped lat/lon (fixed), a point just across a county
border, duplicates (same name, or within 50 m of another park).

Command line::

    python -m geo.parks check FILE [--crs wgs84|cgcs2000|gcj02|bd09] [--json] [--out ACCEPTED.geojson]

The default ``--crs`` is ``wgs84``: coordinates are then taken exactly as
typed, so a wrong guess never shifts correct GPS or CGCS2000 data by the
GCJ-02 offset. Every import also tests the other datums against the rows'
所在区县 and 所在镇街 (:mod:`geo.ingest.datum`) and prints a hint, with the rows
behind it, when the points fit, say, GCJ-02 (Amap) clearly better; registers
whose coordinates were picked on Amap should be imported with ``--crs gcj02``.

Exit codes: 0 no row rejected, 1 some rows rejected, 2 the file cannot be read.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import sys
from pathlib import Path
from typing import BinaryIO

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.crs import DATUMS, WGS84, check_datum
from geo.errors import GeoDataError
from geo.fields import COUNT_MAX, FLOOR_AREA_MAX_M2, LAND_AREA_MAX_MU, PARK_FIELDS, TAX_PER_MU_MAX_WAN_YUAN, get_field
from geo.ingest.duplicates import earlier_point_within, first_row_of_group, name_key
from geo.ingest.importing import (
    Prepared,
    check_locations,
    check_parsed,
    coordinate_datum,
    derive_stored,
    extra_columns,
    file_fixes_datum,
    finish,
    guarded_import,
    keep_mask,
    parse_optional,
    prepare,
    scrub_paths,
    typed_columns,
)
from geo.ingest.locate import CountyLookup, county_hints, parse_county
from geo.ingest.parsers import allowed_text, cell_text, hashed_ids, parse_field, parse_text
from geo.ingest.readers import PARK_LIMITS, RawTable, ReadLimits, read_table
from geo.ingest.report import ImportReport
from geo.region.boundaries import load_counties
from geo.units import mu_to_m2, plot_ratio

REQUIRED = ("name", "county", "floor_area", "status", "coordinates")
FLOOR_AREA_PLAUSIBLE_M2 = (1_000.0, 1_000_000.0)
# Hard limits (a value beyond them is a typo or a broken file, never a park) are declared
# with their fields in geo.fields: FLOOR_AREA_MAX_M2, LAND_AREA_MAX_MU, COUNT_MAX, TAX_PER_MU_MAX_WAN_YUAN.
__all__ = ["COUNT_MAX", "FLOOR_AREA_MAX_M2", "LAND_AREA_MAX_MU", "TAX_PER_MU_MAX_WAN_YUAN", "import_parks", "main", "validate_parks"]
PLOT_RATIO_PLAUSIBLE = (0.3, 8.0)
DUPLICATE_RADIUS_M = 50.0
_TOTAL_WORDS = ("合计", "总计", "小计", "累计")
logger = logging.getLogger(__name__)
_PLANNED_NO_AREA = "规划中园区尚无建筑面积，已导入，但不计入建筑面积总量；建成后请补填。"


def import_parks(
    source: str | Path | bytes | BinaryIO,
    *,
    datum: str = "wgs84",
    counties: gpd.GeoDataFrame | None = None,
    file_name: str | None = None,
    sheet: str | None = None,
    limits: ReadLimits | None = None,
) -> ImportReport:
    """Read a register file and check it; see :func:`validate_parks`.

    ``limits`` default to :data:`geo.ingest.readers.PARK_LIMITS` (a city register, not a firm list).

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
        Caps on the file; default :data:`geo.ingest.readers.PARK_LIMITS`.

    Returns
    -------
    ImportReport
        Accepted parks (WGS-84), problems per row and the rows to send back.

    Raises
    ------
    ImportFileError
        The file cannot be read at all (message says why). Any other failure
        while reading or checking is logged with its traceback and raised as
        an ImportFileError naming the file (base name only) and what to try.
    """
    datum = check_datum(datum)

    def run() -> ImportReport:
        table = read_table(source, file_name=file_name, sheet=sheet, limits=limits or PARK_LIMITS)
        return validate_parks(table, datum=datum, counties=counties)

    return guarded_import(run, source=source, file_name=file_name)


def validate_parks(raw: RawTable, *, datum: str = "wgs84", counties: gpd.GeoDataFrame | None = None) -> ImportReport:
    """Check a raw register table and return accepted parks plus every problem.

    Parameters
    ----------
    raw
        Table from :func:`geo.ingest.readers.read_table`.
    datum
        Datum of the coordinates as typed: ``wgs84``, ``cgcs2000``, ``gcj02`` or ``bd09``.
    counties
        County polygons (any CRS) with ``adcode``, ``name``, ``name_en``;
        default :func:`geo.region.boundaries.load_counties`.

    Returns
    -------
    ImportReport whose ``data`` is a GeoDataFrame in EPSG:4326 with
    ``PARK_COLUMNS``, extra columns, and point geometry.
    """
    datum = check_datum(datum)
    counties = load_counties() if counties is None else counties
    lookup = CountyLookup.from_counties(counties)
    prep = prepare(raw, kind="parks", required=REQUIRED)
    effective, notes = coordinate_datum(raw, datum)
    values = _parse_fields(prep, lookup, notes)
    township = values["township"] if "township" in prep.matches else None
    located, hint = check_locations(
        prep, values["county_adcode"], datum=effective, counties=counties, lookup=lookup, township=township, noun="个园区"
    )
    _check_ranges(prep, values)
    _check_duplicates(prep, values, located.lon, located.lat)
    keep = keep_mask(prep)
    accepted = _accepted_parks(prep, values, located.lon, located.lat, keep)
    hint = None if file_fixes_datum(raw) else hint
    return finish(prep, accepted, keep, datum=effective, hint=hint, notes=notes)


def _parse_fields(prep: Prepared, lookup: CountyLookup, notes: list[str]) -> dict[str, pd.Series]:
    values: dict[str, pd.Series] = {}
    name = parse_text(prep.column("name"))
    check_parsed(prep, "name", name, required=True, allowed="请填写园区名称。")
    total = name.values.fillna("").astype(str).str.replace(r"\s", "", regex=True).isin(_TOTAL_WORDS).to_numpy(dtype=bool)
    prep.log.add(
        total,
        field=prep.header("name"),
        value=cell_text(prep.column("name")),
        severity="error",
        message="这是合计行，不是园区；导入时不需要合计行。",
    )
    values["name"] = name.values
    county = parse_county(prep.column("county"), lookup)
    allowed = f"可填：{lookup.allowed()}，{lookup.alias_hint()}。"
    hints = county_hints(prep.column("county"), lookup, unreadable=county.bad)
    check_parsed(prep, "county", county, required=True, allowed=allowed, hints=hints)
    values["county_adcode"] = county.values
    status = parse_field(get_field("status"), prep.column("status"))
    check_parsed(prep, "status", status, required=True, allowed=allowed_text(get_field("status")))
    values["status"] = status.values
    values["floor_area_m2"] = _parse_floor_area(prep, status.values.eq("planned").to_numpy(dtype=bool), notes)
    parse_optional(prep, values, PARK_FIELDS, notes)
    derive_stored(prep, values, PARK_FIELDS)
    return values


def _parse_floor_area(prep: Prepared, planned: np.ndarray, notes: list[str]) -> pd.Series:
    """Parse 建筑面积; a planned park may leave it blank or 0 (kept missing, with a warning)."""
    match = prep.matches["floor_area"]
    floor = parse_field(get_field("floor_area_m2"), prep.column("floor_area"), header_unit=match.unit)
    no_area = planned & (floor.blank | floor.values.eq(0).to_numpy(dtype=bool))
    check_parsed(
        prep,
        "floor_area",
        dataclasses.replace(floor, blank=floor.blank & ~no_area),
        required=True,
        allowed=allowed_text(get_field("floor_area_m2")),
    )
    prep.log.add(no_area, field=match.column, value=_text(prep, "floor_area"), severity="warning", message=_PLANNED_NO_AREA)
    if floor.flagged.any():
        notes.append(
            f"“{match.column}”没有注明单位：小于 1000 的数按万平方米、其余按平方米理解。建议在表头写明单位，如“建筑面积(万平方米)”。"
        )
    return floor.values.where(~no_area)


def _check_ranges(prep: Prepared, values: dict[str, pd.Series]) -> None:
    log = prep.log
    floor = values["floor_area_m2"].to_numpy(dtype="float64")
    floor_text = _text(prep, "floor_area")
    log.add(floor <= 0, field=prep.header("floor_area"), value=floor_text, severity="error", message="建筑面积必须大于 0。")
    low, high = FLOOR_AREA_PLAUSIBLE_M2
    odd = (floor > 0) & ((floor < low) | (floor > high))
    wan = pd.Series(floor / 10_000).map(lambda v: f"{v:,.2f}").to_numpy(dtype=object)
    log.add(
        odd,
        field=prep.header("floor_area"),
        value=floor_text,
        severity="warning",
        message="建筑面积折合 " + wan + " 万平方米，超出常见范围（0.1-100 万平方米）；请核对单位。",
    )
    land_m2 = mu_to_m2(values["land_area_mu"].to_numpy(dtype="float64"))
    ratio = plot_ratio(floor, values["land_area_mu"].to_numpy(dtype="float64"))
    lo, hi = PLOT_RATIO_PLAUSIBLE
    odd_ratio = np.isfinite(ratio) & (floor > 0) & ((ratio < lo) | (ratio > hi))
    ratio_text = pd.Series(ratio).map(lambda v: f"{v:.2f}").to_numpy(dtype=object)
    if "land_area" in prep.matches:
        message = "容积率（建筑面积/占地面积）为 " + ratio_text + f"，超出常见范围 {lo}-{hi}；请核对两个面积的单位。"
        log.add(odd_ratio, field=prep.header("land_area"), value=_text(prep, "land_area"), severity="warning", message=message)
        log.add(
            land_m2 <= 0, field=prep.header("land_area"), value=_text(prep, "land_area"), severity="warning", message="占地面积应大于 0。"
        )
    start, done = values["start_date"], values["completion_date"]
    early = (done < start).fillna(False).to_numpy(dtype=bool)
    if "completion_date" in prep.matches:
        log.add(
            early,
            field=prep.header("completion_date"),
            value=_text(prep, "completion_date"),
            severity="warning",
            message="竣工日期早于开工日期；请核对。",
        )
    above, total = values["above_scale_enterprises"], values["enterprises"]
    too_many = (above > total).fillna(False).to_numpy(dtype=bool)
    if "above_scale_enterprises" in prep.matches:
        log.add(
            too_many,
            field=prep.header("above_scale_enterprises"),
            value=_text(prep, "above_scale_enterprises"),
            severity="warning",
            message="规上企业数多于入园企业数；请核对。",
        )


def _text(prep: Prepared, field: str) -> np.ndarray:
    column = prep.column(field)
    return cell_text(column).to_numpy(dtype=object) if column is not None else np.full(len(prep.body), "", dtype=object)


def _check_duplicates(prep: Prepared, values: dict[str, pd.Series], lon: np.ndarray, lat: np.ndarray) -> None:
    """Warn once per row about a repeated name, else about an earlier park within 50 m (linear in rows)."""
    log = prep.log
    key = name_key(values["name"])
    named = key.ne("").to_numpy(dtype=bool)
    positions = np.arange(len(key))  # not row numbers: they repeat across sheets
    first = first_row_of_group(key.to_numpy(), positions)
    repeat = named & (first != positions)
    message = np.full(len(first), "", dtype=object)
    message[repeat] = [f"与{prep.row_label(p)}园区名称相同；如是同一园区请删去一行。" for p in first[repeat]]
    log.add(repeat, field=prep.header("name"), value=_text(prep, "name"), severity="warning", message=message)
    earlier = earlier_point_within(lon, lat, radius_m=DUPLICATE_RADIUS_M)
    near = (earlier >= 0) & ~repeat
    message = np.full(len(first), "", dtype=object)
    message[near] = [f"与{prep.row_label(p)}的园区相距不到 {DUPLICATE_RADIUS_M:.0f} 米；是否重复登记？" for p in earlier[near]]
    value = np.full(len(first), "", dtype=object)
    value[near] = [f"{x:.6f}, {y:.6f}" for x, y in zip(lon[near], lat[near], strict=True)]
    log.add(near, field="坐标", value=value, severity="warning", message=message)


def park_ids(county_adcode: pd.Series, name: pd.Series) -> pd.Series:
    """Return stable park ids: a hash of county and name, with ``-2``, ``-3`` for repeats.

    Parameters
    ----------
    county_adcode
        Each park's county.
    name
        Each park's name.

    Returns
    -------
    Series of str
        One id per park; same index.
    """
    return hashed_ids(county_adcode.fillna("").astype(str) + "|" + name_key(name), prefix="P")


def _accepted_parks(prep: Prepared, values: dict[str, pd.Series], lon: np.ndarray, lat: np.ndarray, keep: np.ndarray) -> gpd.GeoDataFrame:
    rows = np.flatnonzero(keep)
    frame = pd.DataFrame({key: series.to_numpy()[rows] if hasattr(series, "to_numpy") else series[rows] for key, series in values.items()})
    frame["park_id"] = park_ids(frame["county_adcode"], frame["name"]).to_numpy()
    frame["source_row"] = prep.source_rows[rows]
    frame = typed_columns(frame, "parks")
    frame = pd.concat([frame, extra_columns(prep, rows)], axis=1)
    return gpd.GeoDataFrame(frame, geometry=shapely.points(lon[rows], lat[rows]), crs=WGS84)


def write_geojson(gdf: gpd.GeoDataFrame, path: str | Path) -> None:
    """Write accepted features to a WGS-84 GeoJSON file (dates as ISO text).

    Parameters
    ----------
    gdf
        Accepted parks, any CRS.
    path
        The file to write.
    """
    out = gdf.to_crs(WGS84).copy()
    for column in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[column]):
            out[column] = out[column].dt.strftime("%Y-%m-%d").astype(object).where(out[column].notna(), None)
    out.to_file(path, driver="GeoJSON")


def _fail(message: str, *, as_json: bool) -> int:
    if as_json:
        print(json.dumps({"error": message}, ensure_ascii=False))
    print(f"无法导入：{message}", file=sys.stderr)
    return 2


def main(argv: list[str] | None = None) -> int:
    """Run ``python -m geo.parks check FILE ...``; return the exit code.

    Parameters
    ----------
    argv
        The arguments after the command; None reads ``sys.argv``.

    Returns
    -------
    int
        The exit code: 0 when every row is accepted, 1 when some are rejected, 2 when the file cannot be checked.
    """
    parser = argparse.ArgumentParser(
        prog="python -m geo.parks", description="检查小微企业园台账（Check a park register）.", epilog=__doc__.split("Command line::")[1]
    )
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser(
        "check", help="check a register file and report every problem", formatter_class=argparse.RawDescriptionHelpFormatter
    )
    check.add_argument("file", type=Path, help=".xlsx, .xls, .csv, GeoJSON, GeoPackage or zipped Shapefile")
    check.add_argument(
        "--crs",
        choices=DATUMS,
        default="wgs84",
        help="datum of the coordinates as typed (default wgs84: taken as typed; use gcj02 for Amap/Tencent, bd09 for Baidu)",
    )
    check.add_argument("--json", action="store_true", help="print one JSON object instead of the summary")
    check.add_argument("--out", type=Path, help="write the accepted parks to this GeoJSON file (WGS-84)")
    check.add_argument("--sheet", help="Excel sheet to read (default: the first)")
    args = parser.parse_args(argv)
    try:
        report = import_parks(args.file, datum=args.crs, sheet=args.sheet)
    except GeoDataError as exc:
        return _fail(scrub_paths(str(exc)), as_json=args.json)
    except Exception as exc:  # import_parks turns every failure into ImportFileError; kept as a last net
        return _fail(f"读取时出现意外错误（{type(exc).__name__}）。请把文件发给系统维护人员。", as_json=args.json)
    if args.out:
        try:
            write_geojson(report.data, args.out)
        except Exception:
            logger.exception("writing %s failed", args.out)
            return _fail(f"无法写入 {args.out.name}：请确认文件夹存在且有写入权限，或换一个文件名。", as_json=args.json)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False))
    else:
        print("\n".join(report.summary_lines()))
    return 1 if report.rejected else 0


if __name__ == "__main__":
    raise SystemExit(main())
