"""Small register and list files built in code for the import tests."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import xlsxwriter
from xlsxwriter.utility import xl_cell_to_rowcol

from geo.crs import wgs84_to_bd09, wgs84_to_gcj02
from geo.ingest.locate import county_at
from geo.ingest.readers import RawTable
from geo.region.boundaries import load_counties

COUNTIES = load_counties()
# A true WGS-84 point well inside each county (checked in points_inside below).
CENTRES = {
    "330602": (120.62652, 30.06882),
    "330603": (120.44540, 29.99371),
    "330604": (120.90157, 30.00412),
    "330624": (120.97765, 29.39336),
    "330681": (120.26971, 29.67068),
    "330683": (120.80620, 29.58033),
}
HANGZHOU = (120.155, 30.274)  # outside Shaoxing
# Numbers typed or exported by hostile or broken files.
EXTREME = ["1e20", "12345678901234567890", "1" * 400, "1e400", "1e308", "-1e400", "inf", "-inf", "nan", "NaN", "-0", "1,2", "１２３", ""]

# DBF field names hold at most 10 bytes: real Chinese shapefiles use short names.
SHP_NAMES = {
    "园区名称": "名称",
    "所在区县": "区县",
    "建设状态": "状态",
    "建筑面积(万平方米)": "floor_area",
    "占地面积(亩)": "land_area",
    "入园企业数": "enterprise",
}
PARK_HEADERS = ["序号", "园区名称", "所在区县", "建设状态", "建筑面积(万平方米)", "占地面积(亩)", "星级", "入园企业数", "经度", "纬度"]


def point_near(adcode: str, *, east_m: float = 0.0, north_m: float = 0.0) -> tuple[float, float]:
    """Return a WGS-84 point offset from a county's centre by metres east and north."""
    lon, lat = CENTRES[adcode]
    return lon + east_m / (111_320 * np.cos(np.radians(lat))), lat + north_m / 110_540


def in_datum(lon: float, lat: float, datum: str) -> tuple[float, float]:
    """Return a true WGS-84 point as it would be typed in ``datum``."""
    if datum == "gcj02":
        return tuple(float(v) for v in wgs84_to_gcj02(lon, lat))
    if datum == "bd09":
        return tuple(float(v) for v in wgs84_to_bd09(lon, lat))
    return lon, lat


def clean_parks(datum: str = "wgs84") -> pd.DataFrame:
    """Return three valid parks with coordinates typed in ``datum``."""
    rows = []
    parks = [("330603", "柯桥纺织园", "柯桥区"), ("330602", "越城电子园", "越城区"), ("330681", "诸暨袜业园", "诸暨市")]
    for i, (adcode, name, county) in enumerate(parks):
        lon, lat = in_datum(*point_near(adcode), datum)
        rows.append([i + 1, name, county, "建成", 5.5 + i, 80 + i, 3, 20 + i, round(lon, 7), round(lat, 7)])
    return pd.DataFrame(rows, columns=PARK_HEADERS)


def write_xlsx(
    path: Path,
    rows: list[list[object]],
    *,
    sheet: str = "园区台账",
    extra_sheet_first: bool = False,
    merged: tuple[str, ...] = (),
) -> Path:
    """Write rows (lists of cells; None = empty) to an .xlsx, strings never turned into formulas.

    ``merged`` lists Excel ranges (``"B2:B4"``) to merge, as Excel does: the
    top-left cell keeps its value and the others are left empty.
    """
    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False})
    if extra_sheet_first:
        book.add_worksheet("封面").write(0, 0, "封面")
    ws = book.add_worksheet(sheet)
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            if cell is None:
                continue
            if isinstance(cell, (dt.date, dt.datetime)):
                ws.write_datetime(r, c, cell, date_format)
            elif isinstance(cell, str):
                ws.write_string(r, c, cell)
            else:
                ws.write(r, c, cell)
    for cells in merged:
        first_row, first_col, last_row, last_col = xl_range_cells(cells)
        top_left = rows[first_row][first_col]
        ws.merge_range(first_row, first_col, last_row, last_col, "" if top_left is None else top_left)
    book.close()
    return path


def xl_range_cells(cells: str) -> tuple[int, int, int, int]:
    """Return 0-based (first row, first column, last row, last column) of a range like ``B2:B4``."""
    first, last = cells.split(":")
    return (*xl_cell_to_rowcol(first), *xl_cell_to_rowcol(last))


def frame_rows(frame: pd.DataFrame, *, title: bool = True) -> list[list[object]]:
    """Return a frame as sheet rows, with a title and a note row above the headers."""
    rows: list[list[object]] = [["绍兴市小微企业园台账"], ["说明：测试数据"]] if title else []
    rows.append(list(frame.columns))
    rows.extend([None if pd.isna(v) else v for v in row] for row in frame.itertuples(index=False))
    return rows


def write_format(frame: pd.DataFrame, folder: Path, fmt: str) -> Path:
    """Write a park table in one of the supported formats; vector formats carry the points as geometry."""
    if fmt == "xlsx":
        return write_xlsx(folder / "parks.xlsx", frame_rows(frame))
    if fmt.startswith("csv"):
        encoding = {"csv-utf8": "utf-8", "csv-utf8-bom": "utf-8-sig", "csv-gbk": "gbk"}[fmt]
        path = folder / f"parks-{fmt}.csv"
        text = "绍兴市小微企业园台账\n" + frame.to_csv(index=False)
        path.write_bytes(text.encode(encoding))
        return path
    gdf = gpd.GeoDataFrame(frame.drop(columns=["经度", "纬度"]), geometry=shapely.points(frame["经度"], frame["纬度"]), crs="EPSG:4490")
    if fmt == "geojson":
        path = folder / "parks.geojson"
        gdf.to_crs("EPSG:4326").to_file(path, driver="GeoJSON")
        return path
    if fmt == "gpkg":
        path = folder / "parks.gpkg"
        gdf.to_file(path, driver="GPKG", layer="parks")
        return path
    if fmt == "shp-zip":
        shp_dir = folder / "shp"
        shp_dir.mkdir()
        gdf.rename(columns=SHP_NAMES).to_file(shp_dir / "parks.shp", encoding="utf-8")
        path = folder / "parks.zip"
        with zipfile.ZipFile(path, "w") as archive:
            for member in shp_dir.iterdir():
                archive.write(member, member.name)
        return path
    raise ValueError(fmt)


def zip_bomb_xlsx(*, uncompressed_mb: int = 300) -> bytes:
    """Return a small .xlsx-looking zip whose sheet XML expands to ``uncompressed_mb`` MB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        chunk = b"<row>" + b"A" * (1024 * 1024 - 11) + b"</row>"
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            for _ in range(uncompressed_mb):
                member.write(chunk)
    return buffer.getvalue()


def points_inside() -> None:
    """Assert that the test centres lie in their counties (guards the fixtures themselves)."""
    lon = np.array([p[0] for p in CENTRES.values()])
    lat = np.array([p[1] for p in CENTRES.values()])
    assert list(county_at(lon, lat, COUNTIES)) == list(CENTRES)


def raw_table(frame: pd.DataFrame, *, file_name: str = "table.csv") -> RawTable:
    """Return a frame as the readers would (header on row 1, data from row 2), cells kept as given."""
    data = frame.copy()
    data.columns = [str(c) for c in data.columns]
    return RawTable(data.reset_index(drop=True), np.arange(2, len(data) + 2), file_name, "csv", header_row=1)


def park_csv(rows: list[list[object]], headers: list[str] | None = None) -> bytes:
    """Return a park register as CSV bytes (cells written as text, quoted)."""
    headers = headers or ["园区名称", "所在区县", "建设状态", "建筑面积(万平方米)", "占地面积(亩)", "入园企业数", "经度", "纬度"]
    lines = [",".join(headers)]
    lines += [",".join('"' + str("" if c is None else c).replace('"', '""') + '"' for c in row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def accounted_rows(report) -> tuple[int, int]:
    """Return (accepted, rejected) counted apart from the report's own counts.

    Accepted: rows of the accepted frame. Rejected: distinct source rows with
    at least one error problem. A row may not be both.
    """
    accepted = set(report.data["source_row"].astype(int))
    errors = report.problems.loc[report.problems["severity"] == "error", "row"]
    rejected = set(errors.astype(int))
    assert not accepted & rejected, sorted(accepted & rejected)[:5]
    assert len(accepted) == len(report.data), "a source row accepted twice"
    return len(accepted), len(rejected)
