"""Read a vector file (GeoJSON, GeoPackage, zipped Shapefile) into a raw table.

Attributes become columns and the geometry becomes ``经度``/``纬度`` columns
(a polygon gives a point inside it; an empty or missing geometry gives blank
coordinates, so the importer rejects that row with a reason). The file must
carry a CRS; a projected CRS is converted to longitude/latitude and flagged.

Nothing leaves the machine while reading: a GeoJSON whose ``crs`` is a link
or a web address (GDAL would fetch it) is refused before GDAL sees it. A
GeoPackage is read only through its real feature and attribute tables listed
in ``gpkg_contents`` (a view could run forever). A zipped Shapefile is unpacked
here, in any folder of the zip; one without its ``.shx`` or ``.dbf`` is refused
by name, and a ``.dbf`` without ``.cpg`` is decoded as UTF-8 or else GB18030.
Several layers (or Shapefiles) are all read when they hold register headers.
"""

from __future__ import annotations

import codecs
import io
import re
import sqlite3
import tempfile
import time
import zipfile
import zlib
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
import pandas as pd
import shapely

from geo.errors import ImportFileError
from geo.ingest.headers import header_score
from geo.ingest.readers.core import GEOMETRY_LAT, GEOMETRY_LON, RawTable, ReadLimits, check_size, check_zip_safety, combine_parts

LAYER_WORD = "图层"
_CRS_MEMBER = re.compile(rb'"crs"\s*:\s*\{')
_URL = re.compile(rb"[a-zA-Z][a-zA-Z0-9+.-]*://")
_OGC_CRS_URL = re.compile(rb"https?://www\.opengis\.net/def/crs/")  # GDAL reads these locally
_GPKG_SECONDS = 2.0
_SHP_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
# (label, path on disk, layer name or None, encoding or None)
Source = tuple[str, Path, str | None, str | None]


def read_vector(data: bytes, name: str, kind: str, layer: str | None, limits: ReadLimits) -> RawTable:
    """Read every layer with register headers (or the named one) of a ``geojson``/``gpkg``/``shp`` (zip) file's bytes.

    Parameters
    ----------
    data
        The file's bytes.
    name
        The file's name as the planner gave it, used in messages.
    kind
        ``geojson``, ``gpkg`` or ``shp`` (a zip).
    layer
        The layer to read; None reads every layer with register headers.
    limits
        The caps that apply to this import.

    Returns
    -------
    RawTable
        The attributes as written with each feature's geometry, stacked with the layer's name per row when several.
    """
    check_size(len(data), limits.max_vector_bytes, name)
    if kind == "geojson":
        refuse_crs_links(data, name)
    if kind == "shp":
        check_zip_safety(data, name, limits)
    with tempfile.TemporaryDirectory() as folder:
        sources, skipped = _sources(data, name, kind, Path(folder), layer)
        parts: list[tuple[str, RawTable]] = []
        total = 0
        for label, path, layer_name, encoding in sources:
            gdf = _read_layer(path, layer_name, encoding, name=name, folder=folder, limits=limits)
            total += len(gdf)
            _check_features(total, name, limits)
            parts.append((label, _vector_table(gdf, name, kind)))
    chosen = [(label, table) for label, table in parts if _has_headers(table)] or parts[:1]
    kept = {id(table) for _, table in chosen}
    skipped += [(label, "没有台账表头") for label, table in parts if id(table) not in kept]
    return combine_parts(chosen, skipped, word=LAYER_WORD, limits=limits)


def _has_headers(table: RawTable) -> bool:
    return header_score(c for c in table.data.columns if c not in (GEOMETRY_LON, GEOMETRY_LAT)) >= 2


def refuse_crs_links(data: bytes, name: str) -> None:
    """Refuse a GeoJSON whose ``crs`` member is a link or a web address, which GDAL would fetch.

    Parameters
    ----------
    data
        The GeoJSON's bytes.
    name
        The file's name as the planner gave it, used in messages.
    """
    for found in _CRS_MEMBER.finditer(data):
        member = data[found.end() : found.end() + 2000].split(b"}", 2)
        text = b"}".join(member[:2])
        urls = [u for u in _URL.finditer(text) if not _OGC_CRS_URL.match(text, u.start())]
        if b'"link"' in text or urls:
            msg = (
                f"文件 {name} 的坐标系写成了网络链接（crs 为 link 或网址）。为安全起见，读取文件时不访问网络。"
                "请在 GIS 软件里把坐标系设为 CGCS2000（EPSG:4490）或 WGS-84（EPSG:4326）后另存为 GeoJSON，再导入。"
            )
            raise ImportFileError(msg)


def _check_features(count: int, name: str, limits: ReadLimits) -> None:
    if count > limits.max_features:
        msg = f"文件 {name} 超过 {limits.max_features:,} 个要素，超出一次导入的上限。请按区县拆分后分批导入。"
        raise ImportFileError(msg)


def _sources(data: bytes, name: str, kind: str, folder: Path, layer: str | None) -> tuple[list[Source], list[tuple[str, str]]]:
    if kind == "shp":
        return _shapefiles(data, name, folder), []
    path = folder / ("upload.gpkg" if kind == "gpkg" else "upload.geojson")
    path.write_bytes(data)
    if kind == "geojson":
        return [(Path(name).stem, path, None, None)], []
    tables, skipped = gpkg_tables(path, name)
    if layer is not None:
        if layer not in tables:
            msg = f"GeoPackage 文件 {name} 里没有名为“{layer}”的图层；有：{'、'.join(tables)}。"
            raise ImportFileError(msg)
        tables = [layer]
    return [(table, path, table, None) for table in tables], skipped


def gpkg_tables(path: Path, name: str) -> tuple[list[str], list[tuple[str, str]]]:
    """Return a GeoPackage's real feature/attribute tables from ``gpkg_contents``, and the entries skipped (views).

    Parameters
    ----------
    path
        The GeoPackage, copied to a temporary folder.
    name
        The file's name as the planner gave it, used in messages.

    Returns
    -------
    tuple
        ``(table names, skipped)`` where skipped holds ``(name, why)`` for views and other entries not read.
    """
    deadline = time.monotonic() + _GPKG_SECONDS
    try:
        db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
        try:
            db.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
            rows = db.execute(
                "SELECT c.table_name, c.data_type, m.type FROM gpkg_contents c "
                "LEFT JOIN sqlite_master m ON m.name = c.table_name ORDER BY c.rowid"
            ).fetchall()
        finally:
            db.close()
    except sqlite3.Error as exc:
        msg = f"文件 {name} 不是有效的 GeoPackage（缺少图层目录 gpkg_contents 或文件已损坏）。请在 GIS 软件里重新导出后再导入。"
        raise ImportFileError(msg) from exc
    tables = [str(t) for t, kind, obj in rows if kind in ("features", "attributes") and obj == "table"]
    skipped = [(str(t), "是视图或不是要素表，不读取") for t, kind, obj in rows if str(t) not in tables]
    if not tables:
        msg = f"GeoPackage 文件 {name} 里没有可读取的要素表（视图不读取）。请在 GIS 软件里把图层导出为普通要素表后再导入。"
        raise ImportFileError(msg)
    return tables, skipped


def _shapefiles(data: bytes, name: str, folder: Path) -> list[Source]:
    """Unpack each Shapefile of a zip (any folder) as layerN.*; refuse one missing .shx or .dbf."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = {m.lower(): m for m in archive.namelist() if not m.endswith("/")}
            stems = sorted(m[:-4] for m in members if m.endswith(".shp"))
            sources: list[Source] = []
            for index, stem in enumerate(stems):
                label = PurePosixPath(members[stem + ".shp"]).stem
                for part in (".shx", ".dbf"):
                    if stem + part not in members:
                        msg = (
                            f"压缩文件 {name} 里的 Shapefile“{label}”缺少 {part} 文件。"
                            "请把同名的 .shp、.shx、.dbf、.prj（和 .cpg）一起打包后再导入。"
                        )
                        raise ImportFileError(msg)
                for part in _SHP_PARTS:
                    if stem + part in members:
                        (folder / f"layer{index}{part}").write_bytes(archive.read(members[stem + part]))
                encoding = None if stem + ".cpg" in members else dbf_encoding((folder / f"layer{index}.dbf").read_bytes())
                sources.append((label, folder / f"layer{index}.shp", None, encoding))
    except ImportFileError:
        raise
    except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError, ValueError, zlib.error) as exc:
        msg = f"压缩文件 {name} 已损坏，无法解压（文件头或压缩方式无法识别）。请重新打包（用系统自带的“压缩”功能）后再导入。"
        raise ImportFileError(msg) from exc
    return sources


def dbf_encoding(dbf: bytes) -> str | None:
    """Return the encoding of a ``.dbf`` with no ``.cpg``: None when its header names one, else UTF-8 or GB18030.

    Parameters
    ----------
    dbf
        The ``.dbf`` file's bytes.

    Returns
    -------
    str or None
        None when the header names an encoding (GDAL reads it) or the text is ASCII, else ``UTF-8`` or ``GB18030``.
    """
    if len(dbf) > 29 and dbf[29] != 0:
        return None  # a language driver id: GDAL maps it
    sample = dbf[: 4 * 1024 * 1024]
    if sample.isascii():
        return None
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        return "GB18030"
    return "UTF-8"


def _read_layer(path: Path, layer: str | None, encoding: str | None, *, name: str, folder: str, limits: ReadLimits) -> Any:
    import pyogrio

    options: dict[str, Any] = {"layer": layer} if layer is not None else {}
    if encoding is not None:
        options["encoding"] = encoding
    try:
        return pyogrio.read_dataframe(path, max_features=limits.max_features + 1, **options)
    except Exception as exc:  # pyogrio/GDAL raise many types for unreadable files
        detail = re.sub(r"\S*" + re.escape(folder) + r"\S*", "（文件）", str(exc))
        msg = f"地理数据文件 {name} 无法读取（{detail}）。请导入 GeoJSON、GeoPackage 或包含 .shp/.shx/.dbf/.prj 的 .zip。"
        raise ImportFileError(msg) from exc


def _vector_table(gdf: Any, name: str, kind: str) -> RawTable:
    if gdf.crs is None:
        msg = f"文件 {name} 没有坐标系信息（Shapefile 缺少 .prj 文件）。请连同 .prj 一起打包，或另存为 CGCS2000（EPSG:4490）。"
        raise ImportFileError(msg)
    projected = bool(gdf.crs.is_projected)
    epsg = gdf.crs.to_epsg()
    if projected:
        gdf = gdf.to_crs("EPSG:4326")
    lon, lat, empty = _points(np.asarray(gdf.geometry.values, dtype=object))
    table = pd.DataFrame(gdf.drop(columns=gdf.geometry.name)).astype(object)
    for label in (GEOMETRY_LON, GEOMETRY_LAT):
        if label in table.columns:
            table = table.rename(columns={label: f"{label}(属性)"})
    ok = ~np.isnan(lon)
    table[GEOMETRY_LON] = np.where(ok, lon, "")
    table[GEOMETRY_LAT] = np.where(ok, lat, "")
    table = table.reset_index(drop=True)
    rows = np.arange(1, len(table) + 1, dtype=np.int64)
    types = shapely.get_type_id(np.asarray(gdf.geometry.values, dtype=object))
    notes: tuple[str, ...] = ("坐标取自几何图形（面取内部一点）。",) if ((types != 0) & (types >= 0)).any() else ()
    if empty:
        notes += (f"{empty:,} 个要素的几何图形为空（空的面或空集合），这些行没有坐标。",)
    return RawTable(table, rows, name, kind, coordinates_projected=projected, notes=notes, source_epsg=epsg)


def _points(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Return longitudes, latitudes (NaN where no point) and the count of empty geometries."""
    missing = shapely.is_missing(geoms)
    empty = ~missing & shapely.is_empty(geoms)
    usable = geoms.copy()
    usable[missing | empty] = None
    try:
        points = shapely.point_on_surface(usable)
    except shapely.errors.GEOSException:  # an invalid polygon: fall back to one geometry at a time
        points = np.array([_point_or_none(g) for g in usable], dtype=object)
    return shapely.get_x(points), shapely.get_y(points), int(empty.sum())


def _point_or_none(geom: Any) -> Any:
    try:
        return None if geom is None else shapely.point_on_surface(geom)
    except shapely.errors.GEOSException:
        return shapely.centroid(geom)
