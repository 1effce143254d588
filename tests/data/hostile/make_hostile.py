"""Build the hostile and broken files of issue 9, one function per shape.

Each builder writes one small file (big files are built cheaply: an xlsx whose
only cell sits at XFD1048576 is 2 KB of hand-written XML) and returns its path.
Nothing here is committed as a binary; run::

    python tests/data/hostile/make_hostile.py [FOLDER]

to write every file into ``FOLDER`` (default ``tests/data/hostile/out/``,
ignored by git). The tests call :data:`BUILDERS` into a temporary folder.
"""

from __future__ import annotations

import io
import json
import sqlite3
import struct
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

from xlsxwriter.utility import xl_col_to_name

HEADERS = ["园区名称", "所在区县", "建设状态", "建筑面积(万平方米)", "经度", "纬度"]
PARK = ["柯桥纺织园", "柯桥区", "建成", "5.5", "120.4454", "29.99371"]
PARK2 = ["越城电子园", "越城区", "建成", "6.5", "120.62652", "30.06882"]

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    "{sheets}</Types>"
)
_SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_RNS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _col(index: int) -> str:
    return xl_col_to_name(index)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _sheet_xml(rows: list[list[str]], *, dimension: str | None = None, extra_cell: str = "", merges: tuple[str, ...] = ()) -> str:
    body = []
    for r, row in enumerate(rows, start=1):
        cells = "".join(f'<c r="{_col(c)}{r}" t="inlineStr"><is><t>{_escape(v)}</t></is></c>' for c, v in enumerate(row) if v != "")
        body.append(f'<row r="{r}">{cells}</row>')
    body.append(extra_cell)
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    merge = f'<mergeCells count="{len(merges)}">' + "".join(f'<mergeCell ref="{m}"/>' for m in merges) + "</mergeCells>" if merges else ""
    head = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet {_NS} {_RNS}>'
    return f"{head}{dim}<sheetData>{''.join(body)}</sheetData>{merge}</worksheet>"


def write_xlsx_xml(path: Path, sheets: dict[str, str]) -> Path:
    """Write an .xlsx from hand-made sheet XML (sheet name -> worksheet XML), in order."""
    names = list(sheets)
    overrides = "".join(f'<Override PartName="/xl/worksheets/sheet{i + 1}.xml" ContentType="{_SHEET_TYPE}"/>' for i in range(len(names)))
    book_sheets = "".join(f'<sheet name="{_escape(n)}" sheetId="{i + 1}" r:id="rId{i + 1}"/>' for i, n in enumerate(names))
    rels = "".join(
        f'<Relationship Id="rId{i + 1}" Type="{_REL}/worksheet" Target="worksheets/sheet{i + 1}.xml"/>' for i in range(len(names))
    )
    pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES.format(sheets=overrides))
        archive.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{pkg}"><Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr("xl/workbook.xml", f"<workbook {_NS} {_RNS}><sheets>{book_sheets}</sheets></workbook>")
        archive.writestr("xl/_rels/workbook.xml.rels", f'<Relationships xmlns="{pkg}">{rels}</Relationships>')
        for i, name in enumerate(names):
            archive.writestr(f"xl/worksheets/sheet{i + 1}.xml", sheets[name])
    return path


# ------------------------------------------------------------------ Excel


def giant_cell_xlsx(folder: Path) -> Path:
    """A register whose stray cell sits at XFD1048576, the last cell Excel allows."""
    cell = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    xml = _sheet_xml([HEADERS, PARK], dimension="A1:XFD1048576", extra_cell=cell)
    return write_xlsx_xml(folder / "giant_cell.xlsx", {"园区台账": xml})


def giant_merge_xlsx(folder: Path) -> Path:
    """A register with a merged range A5:XFD1048576 below its rows."""
    rows = [HEADERS, PARK, PARK2, PARK, ["合并说明"]]
    return write_xlsx_xml(folder / "giant_merge.xlsx", {"园区台账": _sheet_xml(rows, merges=("A5:XFD1048576",))})


def many_columns_xlsx(folder: Path) -> Path:
    """A register with 10,006 header cells (Excel allows 16,384 columns)."""
    header = HEADERS + [f"列{i}" for i in range(10_000)]
    return write_xlsx_xml(folder / "many_columns.xlsx", {"园区台账": _sheet_xml([header, PARK])})


def million_rows_xlsx(folder: Path) -> Path:
    """A park workbook declaring 1,000,000 rows (dimension) with its rows written out."""
    path = folder / "million_rows.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        write_xlsx_xml(folder / "_tmp.xlsx", {"园区台账": "<worksheet/>"})
        with zipfile.ZipFile(folder / "_tmp.xlsx") as template:
            for item in template.namelist():
                if not item.startswith("xl/worksheets/"):
                    archive.writestr(item, template.read(item))
        (folder / "_tmp.xlsx").unlink()
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            head = _sheet_xml([HEADERS], dimension="A1:F1000001").split("</sheetData>")[0]
            member.write(head.encode())
            for r in range(2, 1_000_002):
                member.write(
                    f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>园{r}</t></is></c><c r="D{r}"><v>{r % 97}</v></c></row>'.encode()
                )
            member.write(b"</sheetData></worksheet>")
    return path


def multi_sheet_xlsx(folder: Path) -> Path:
    """One sheet per county, a cover sheet first and a notes sheet last."""
    sheets = {
        "封面": _sheet_xml([["绍兴市小微企业园台账"], ["2024 年"]]),
        "柯桥区": _sheet_xml([["柯桥区台账"], HEADERS, PARK]),
        "越城区": _sheet_xml([HEADERS, PARK2, ["越城二园", "越城区", "在建", "3", "120.62", "30.06"]]),
        "说明": _sheet_xml([["填表说明"], ["面积单位为万平方米"]]),
    }
    return write_xlsx_xml(folder / "multi_sheet.xlsx", sheets)


def cover_sheet_xlsx(folder: Path) -> Path:
    """A visible title-only cover sheet before the data sheet."""
    sheets = {"封面": _sheet_xml([["绍兴市小微企业园台账"]]), "园区台账": _sheet_xml([HEADERS, PARK, PARK2])}
    return write_xlsx_xml(folder / "cover_sheet.xlsx", sheets)


# -------------------------------------------------------------------- CSV


def giant_cell_csv(folder: Path) -> Path:
    """A register with one cell of 200,000 characters (over the csv module's 131,072)."""
    path = folder / "giant_cell.csv"
    path.write_text(",".join(HEADERS) + "\n" + ",".join(PARK) + "\n" + "备注" * 100_000 + ",柯桥区\n", encoding="utf-8")
    return path


def unterminated_quote_csv(folder: Path) -> Path:
    """A register whose third row opens a quote that never closes."""
    path = folder / "unterminated_quote.csv"
    path.write_text(",".join(HEADERS) + "\n" + ",".join(PARK) + '\n"越城电子园,越城区,建成\n' + ",".join(PARK2) + "\n", encoding="utf-8")
    return path


def many_columns_csv(folder: Path) -> Path:
    """A register with 100,000 columns."""
    path = folder / "many_columns.csv"
    header = HEADERS + [f"c{i}" for i in range(100_000)]
    path.write_text(",".join(header) + "\n" + ",".join(PARK) + "\n", encoding="utf-8")
    return path


# ---------------------------------------------------------------- GeoJSON


def _feature(geometry: dict | None, name: str) -> dict:
    return {
        "type": "Feature",
        "properties": {"园区名称": name, "所在区县": "柯桥区", "建设状态": "建成", "建筑面积": 5.5},
        "geometry": geometry,
    }


def empty_geometry_geojson(folder: Path) -> Path:
    """One good point, one empty Polygon and one empty GeometryCollection."""
    features = [
        _feature({"type": "Point", "coordinates": [120.4454, 29.99371]}, "柯桥纺织园"),
        _feature({"type": "Polygon", "coordinates": []}, "空面园"),
        _feature({"type": "GeometryCollection", "geometries": []}, "空集合园"),
    ]
    path = folder / "empty_geometry.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False), encoding="utf-8")
    return path


def crs_link_geojson(folder: Path, url: str = "http://127.0.0.1:9/crs.wkt") -> Path:
    """A GeoJSON whose ``crs`` member is a link GDAL would fetch."""
    doc = {
        "type": "FeatureCollection",
        "crs": {"type": "link", "properties": {"href": url, "type": "ogcwkt"}},
        "features": [_feature({"type": "Point", "coordinates": [120.4454, 29.99371]}, "柯桥纺织园")],
    }
    path = folder / "crs_link.geojson"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def crs_name_url_geojson(folder: Path, url: str = "http://127.0.0.1:9/crs.wkt") -> Path:
    """A GeoJSON whose named ``crs`` is a URL (GDAL fetches non-OGC URLs too)."""
    doc = {"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": url}}, "features": [_feature(None, "A")]}
    path = folder / "crs_name_url.geojson"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def many_features_geojson(folder: Path, count: int = 400_000) -> Path:
    """A GeoJSON with more features than any register holds."""
    path = folder / "many_features.geojson"
    with path.open("w", encoding="utf-8") as out:
        out.write('{"type":"FeatureCollection","features":[')
        for i in range(count):
            sep = "," if i else ""
            out.write(f'{sep}{{"type":"Feature","properties":{{"n":{i}}},"geometry":{{"type":"Point","coordinates":[120.4454,29.99371]}}}}')
        out.write("]}")
    return path


# --------------------------------------------------------- Shapefile, zip


def _shapefile_members(folder: Path, *, encoding: str = "UTF-8") -> dict[str, bytes]:
    import geopandas as gpd
    import shapely

    shp = folder / "_shp"
    shp.mkdir(exist_ok=True)
    gdf = gpd.GeoDataFrame(
        {"名称": ["柯桥纺织园", "越城电子园"], "区县": ["柯桥区", "越城区"], "状态": ["建成", "建成"], "floor_area": [5.5, 6.5]},
        geometry=[shapely.Point(120.4454, 29.99371), shapely.Point(120.62652, 30.06882)],
        crs="EPSG:4490",
    )
    gdf.to_file(shp / "parks.shp", encoding=encoding)
    members = {p.name: p.read_bytes() for p in sorted(shp.iterdir())}
    for p in shp.iterdir():
        p.unlink()
    shp.rmdir()
    return members


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def shp_without_shx(folder: Path) -> Path:
    """A zipped Shapefile missing its .shx index."""
    members = {k: v for k, v in _shapefile_members(folder).items() if not k.endswith(".shx")}
    return _zip(folder / "no_shx.zip", members)


def gbk_dbf_without_cpg(folder: Path) -> Path:
    """A zipped Shapefile whose .dbf is GBK-encoded with no .cpg saying so (language driver byte 0)."""
    members = {k: v for k, v in _shapefile_members(folder, encoding="GBK").items() if not k.endswith(".cpg")}
    dbf = bytearray(members["parks.dbf"])
    dbf[29] = 0  # no language driver id, as many Chinese tools write
    members["parks.dbf"] = bytes(dbf)
    return _zip(folder / "gbk_no_cpg.zip", members)


def shp_in_folder(folder: Path) -> Path:
    """A zipped Shapefile inside a folder of the zip, as Windows 'send to zip' makes it."""
    members = {f"园区/{k}": v for k, v in _shapefile_members(folder).items()}
    return _zip(folder / "shp_in_folder.zip", members)


def two_shapefiles(folder: Path) -> Path:
    """A zip holding two Shapefiles (two counties)."""
    members = _shapefile_members(folder)
    both = {f"a_{k}".replace("a_parks", "keqiao"): v for k, v in members.items()}
    both.update({k.replace("parks", "yuecheng"): v for k, v in members.items()})
    return _zip(folder / "two_shapefiles.zip", both)


def _corrupt(data: bytes) -> bytes:
    """Set every member's compression method (local and central headers) to 99, which does not exist."""
    out = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):
        start = out.find(signature)
        while start != -1:
            struct.pack_into("<H", out, start + offset, 99)
            start = out.find(signature, start + 4)
    return bytes(out)


def damaged_zip(folder: Path) -> Path:
    """A workbook zip whose member headers name a compression method that does not exist."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", "<worksheet/>")
    path = folder / "damaged.xlsx"
    path.write_bytes(_corrupt(buffer.getvalue()))
    return path


def damaged_shp_zip(folder: Path) -> Path:
    """A zipped Shapefile with the same damaged headers."""
    path = _zip(folder / "damaged_shp.zip", _shapefile_members(folder))
    path.write_bytes(_corrupt(path.read_bytes()))
    return path


# --------------------------------------------------------------- GeoPackage


def recursive_view_gpkg(folder: Path) -> Path:
    """A GeoPackage whose first layer is a view over an endless recursive CTE; a real table follows."""
    import geopandas as gpd
    import shapely

    path = folder / "recursive_view.gpkg"
    path.unlink(missing_ok=True)
    gdf = gpd.GeoDataFrame(
        {"园区名称": ["柯桥纺织园"], "所在区县": ["柯桥区"], "建设状态": ["建成"], "建筑面积": [5.5]},
        geometry=[shapely.Point(120.4454, 29.99371)],
        crs="EPSG:4490",
    )
    gdf.to_file(path, driver="GPKG", layer="parks")
    with sqlite3.connect(path) as db:
        db.execute("CREATE VIEW aaa AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x AS fid, x AS n FROM c")
        db.execute("INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id) VALUES ('aaa', 'attributes', 'aaa', 0)")
    return path


def two_layer_gpkg(folder: Path) -> Path:
    """A GeoPackage with one layer per county."""
    import geopandas as gpd
    import shapely

    path = folder / "two_layers.gpkg"
    path.unlink(missing_ok=True)
    for layer, (name, county, lon, lat) in {
        "keqiao": [*PARK[:2], 120.4454, 29.99371],
        "yuecheng": [*PARK2[:2], 120.62652, 30.06882],
    }.items():
        gdf = gpd.GeoDataFrame(
            {"园区名称": [name], "所在区县": [county], "建设状态": ["建成"], "建筑面积": [5.5]},
            geometry=[shapely.Point(lon, lat)],
            crs="EPSG:4490",
        )
        gdf.to_file(path, driver="GPKG", layer=layer)
    return path


BUILDERS: dict[str, Callable[[Path], Path]] = {
    "giant_cell_xlsx": giant_cell_xlsx,
    "giant_merge_xlsx": giant_merge_xlsx,
    "many_columns_xlsx": many_columns_xlsx,
    "million_rows_xlsx": million_rows_xlsx,
    "multi_sheet_xlsx": multi_sheet_xlsx,
    "cover_sheet_xlsx": cover_sheet_xlsx,
    "giant_cell_csv": giant_cell_csv,
    "unterminated_quote_csv": unterminated_quote_csv,
    "many_columns_csv": many_columns_csv,
    "empty_geometry_geojson": empty_geometry_geojson,
    "crs_link_geojson": crs_link_geojson,
    "crs_name_url_geojson": crs_name_url_geojson,
    "many_features_geojson": many_features_geojson,
    "shp_without_shx": shp_without_shx,
    "gbk_dbf_without_cpg": gbk_dbf_without_cpg,
    "shp_in_folder": shp_in_folder,
    "two_shapefiles": two_shapefiles,
    "damaged_zip": damaged_zip,
    "damaged_shp_zip": damaged_shp_zip,
    "recursive_view_gpkg": recursive_view_gpkg,
    "two_layer_gpkg": two_layer_gpkg,
}


def main(argv: list[str]) -> int:
    """Write every hostile file into the folder given (default ``out/`` beside this script)."""
    folder = Path(argv[0]) if argv else Path(__file__).with_name("out")
    folder.mkdir(parents=True, exist_ok=True)
    for name, build in BUILDERS.items():
        print(f"{name}: {build(folder)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
