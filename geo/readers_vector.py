"""Read a vector file (GeoJSON, GeoPackage, zipped Shapefile) into a raw table.

Attributes become columns and the geometry becomes ``经度``/``纬度`` columns
(a polygon gives a point inside it). The file must carry a CRS; a projected
CRS is converted to longitude/latitude and flagged on the table.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from geo.errors import ImportFileError
from geo.readers_core import GEOMETRY_LAT, GEOMETRY_LON, RawTable, ReadLimits, check_size, check_zip_safety


def read_vector(data: bytes, name: str, kind: str, layer: str | None, limits: ReadLimits) -> RawTable:
    """Read one layer (default the first) of a ``geojson``/``gpkg``/``shp`` (zip) file's bytes."""
    import pyogrio

    check_size(len(data), limits.max_vector_bytes, name)
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
