"""How a snapshot's columns are stored, the same way in every backend.

Every saved snapshot keeps a *column description* (``snapshots.columns_json``):
one spec per column of the frame, in order, saying where the column went and
with which value type and dtype token (:mod:`geo.store.values`):

- the geometry: ``{"name": ..., "sql": "geom", "type": "GEOMETRY"}``;
- the first column of each canonical field name (:mod:`geo.schema`): its own
  SQL column, typed from the field catalogue (:mod:`geo.fields`), so QGIS
  shows the field under its name (``{"name", "sql", "type", "dtype", "stringify"}``);
- every other column (unknown names, a second ``name``): a key of the row's
  ``extra_json`` object (``{"name", "json", ...}``).

The backends differ only in how they run SQL and encode geometries; what to
store and how to rebuild the frame is decided here.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

import geopandas as gpd

from geo.crs import WGS84
from geo.errors import StoreError
from geo.fields import stored_fields
from geo.schema import ENTERPRISE_COLUMNS, PARK_COLUMNS
from geo.store.meta import SnapshotInfo
from geo.store.values import decode_column, decode_extras, dtype_token, encode_column, encode_extras, sql_type_for

EXTRA_JSON: Final = "extra_json"
EXTRA_PREFIX: Final = "原表_"
CANONICAL: Final = {"parks": PARK_COLUMNS, "enterprises": ENTERPRISE_COLUMNS}
_VALUE_TYPES: Final = {
    "str": "TEXT",
    "code": "TEXT",
    "adcode": "TEXT",
    "float": "DOUBLE",
    "Int64": "INTEGER",
    "int": "INTEGER",
    "date": "DATE",
    "bool": "BOOLEAN",
}
_TYPE_WORDS: Final = {"TEXT": "文字", "DOUBLE": "数字", "INTEGER": "整数", "DATE": "日期", "BOOLEAN": "是/否"}

GeometryEncoder = Callable[[Any], list[Any]]
GeometryDecoder = Callable[[list[Any]], Any]


def canonical_type(kind: str, column: str) -> str:
    """Return the value type of a canonical column, from its dtype in the field catalogue.

    Parameters
    ----------
    kind
        ``parks`` or ``enterprises``.
    column
        A canonical column name.

    Returns
    -------
    str
        The value type (``TEXT``, ``DOUBLE``, ``INTEGER``, ``DATE`` ...).

    Raises
    ------
    KeyError
        ``column`` is not a stored field of ``kind`` (a catalogue mistake).
    """
    item = next((f for f in stored_fields(kind) if f.name == column), None)
    if item is None:
        msg = f"{column!r} is not a stored field of {kind}."
        raise KeyError(msg)
    return _VALUE_TYPES[item.dtype]


def extra_key(name: str, *, used: set[str], reserved: set[str]) -> str:
    """Return the key an extra column gets in ``extra_json``: its name, or ``原表_<name>`` if that is taken.

    Parameters
    ----------
    name
        The extra column's name.
    used
        Keys already given (the new key is added).
    reserved
        Names that are not free (canonical columns, the geometry).

    Returns
    -------
    str
        The key.
    """
    numbered = (f"{EXTRA_PREFIX}{name}_{i}" for i in itertools.count(2))
    key = next(c for c in itertools.chain((name, f"{EXTRA_PREFIX}{name}"), numbered) if c not in used and c not in reserved)
    used.add(key)
    return key


def _canonical_spec(
    kind: str, series: Any, name: str, existing: dict[str, tuple[str, str]], add_column: Callable[[str, str], None]
) -> dict[str, Any]:
    """Return how a canonical column is stored: in its own SQL column, of the catalogue's type.

    Whole numbers in a number column are stored as numbers; an all-empty
    column of any dtype is stored as nulls. Any other mismatch is refused
    (the caller's data is wrong), never stored beside the field.
    """
    expected = canonical_type(kind, name)
    sql_type, stringify = sql_type_for(series, name=name)
    if sql_type != expected:
        widening = sql_type == "INTEGER" and expected == "DOUBLE"
        if not (widening or bool(series.isna().all())):
            msg = (
                f"列“{name}”应为{_TYPE_WORDS[expected]}，但这份数据里是 {series.dtype}（{_TYPE_WORDS.get(sql_type, sql_type)}），"
                "无法保存；请检查数据的这一列。数据库未改动。"
            )
            raise StoreError(msg)
        sql_type, stringify = expected, False
    if name.lower() not in existing:
        add_column(name, expected)
        existing[name.lower()] = (name, expected)
    sql_name = existing[name.lower()][0]
    return {"name": name, "sql": sql_name, "type": sql_type, "dtype": dtype_token(series.dtype), "stringify": stringify}


def column_specs(
    kind: str, gdf: gpd.GeoDataFrame, *, existing: dict[str, tuple[str, str]], add_column: Callable[[str, str], None]
) -> list[dict[str, Any]]:
    """Return how each column of ``gdf`` is stored (the column description of the snapshot).

    The first column of each canonical name gets an SQL column; every other
    column (unknown names, a second ``name``) goes into ``extra_json`` under
    its own name, or ``原表_<name>`` when that is taken.

    Parameters
    ----------
    kind
        ``parks`` or ``enterprises``.
    gdf
        The rows to store.
    existing
        ``{lower-case name: (name, type)}`` of the table's columns (updated when a column is added).
    add_column
        Called with ``(name, value type)`` for a canonical column the table lacks.

    Returns
    -------
    list of dict
        One spec per column: its SQL name and type, or its ``extra_json`` key, and its dtype token.
    """
    canonical = set(CANONICAL[kind])
    geometry_name = gdf.geometry.name
    keys: set[str] = set()
    seen: set[str] = set()
    reserved = canonical | {str(geometry_name)}
    specs: list[dict[str, Any]] = []
    geometry_seen = False
    for position, column in enumerate(gdf.columns):
        name, series = str(column), gdf.iloc[:, position]
        if column == geometry_name and not geometry_seen:
            geometry_seen = True
            specs.append({"name": name, "sql": "geom", "type": "GEOMETRY", "dtype": "geometry", "stringify": False})
        elif name in canonical and name not in seen:
            seen.add(name)
            specs.append(_canonical_spec(kind, series, name, existing, add_column))
        else:
            sql_type, stringify = sql_type_for(series, name=name)
            key = extra_key(name, used=keys, reserved=reserved)
            specs.append({"name": key, "json": key, "type": sql_type, "dtype": dtype_token(series.dtype), "stringify": stringify})
    return specs


def _encode(gdf: gpd.GeoDataFrame, position: int, spec: dict[str, Any], geometry: GeometryEncoder) -> list[Any]:
    series = gdf.iloc[:, position]
    if spec["type"] == "GEOMETRY":
        return geometry(series.values)
    try:
        return encode_column(series, sql_type=spec["type"], stringify=spec["stringify"])
    except (TypeError, ValueError, OverflowError) as exc:
        msg = f"Column {spec['name']!r} cannot be stored: {exc}."
        raise StoreError(msg) from exc


def encoded_columns(
    gdf: gpd.GeoDataFrame, specs: list[dict[str, Any]], *, geometry: GeometryEncoder, strict_json: bool = False
) -> tuple[list[str], list[list[Any]]]:
    """Return the SQL column names and their values: the typed columns in spec order, then ``extra_json``.

    Parameters
    ----------
    gdf
        The rows to store.
    specs
        Their column description (:func:`column_specs`).
    geometry
        Encodes an array of shapely geometries (WGS-84) as the backend stores them.
    strict_json
        Write ``extra_json`` as standard JSON only (see :func:`geo.store.values.encode_extras`).

    Returns
    -------
    tuple of (list of str, list of list)
        The SQL names (unquoted) and one list of values per name.
    """
    typed = [(i, s) for i, s in enumerate(specs) if "json" not in s]
    extra = [(i, s) for i, s in enumerate(specs) if "json" in s]
    extras = encode_extras(
        [s["json"] for _, s in extra], [_encode(gdf, i, s, geometry) for i, s in extra], rows=len(gdf), strict=strict_json
    )
    columns = [*(_encode(gdf, i, s, geometry) for i, s in typed), extras]
    return [*(s["sql"] for _, s in typed), EXTRA_JSON], columns


def dump_specs(specs: list[dict[str, Any]]) -> str:
    """Return the JSON kept in ``snapshots.columns_json``.

    Parameters
    ----------
    specs
        The column specs from :func:`column_specs`.

    Returns
    -------
    str
        JSON text.
    """
    return json.dumps(specs, ensure_ascii=False)


def load_specs(columns_json: Any, *, where: str) -> list[dict[str, Any]]:
    """Return the column description kept with a snapshot, refusing one edited into nonsense.

    Parameters
    ----------
    columns_json
        The stored JSON text.
    where
        Names the snapshot in the message.

    Returns
    -------
    list of dict
        One spec per column.
    """
    try:
        specs = json.loads(columns_json)
        if not all(isinstance(s, dict) and {"name", "type", "dtype"} <= s.keys() and ("sql" in s or "json" in s) for s in specs):
            raise TypeError(columns_json)
    except (TypeError, ValueError):
        msg = f"{where}的列说明（snapshots.columns_json）已损坏，无法读取这个快照；请从备份恢复数据库。"
        raise StoreError(msg) from None
    return specs


def stored_names(specs: Sequence[dict[str, Any]]) -> list[str]:
    """Return the SQL columns a snapshot's rows are read from (typed columns, then ``extra_json`` if any extra).

    Parameters
    ----------
    specs
        The snapshot's column description.

    Returns
    -------
    list of str
        SQL column names, unquoted.
    """
    typed = [s["sql"] for s in specs if "json" not in s]
    return typed + ([EXTRA_JSON] if any("json" in s for s in specs) else [])


def require_columns(present: Mapping[str, Any], table: str, names: Sequence[str], *, where: str) -> None:
    """Raise naming the first of ``names`` that ``table`` lacks (renamed or dropped outside the app, e.g. in QGIS).

    Parameters
    ----------
    present
        The table's columns, by lower-case name.
    table
        The table's name.
    names
        The columns needed.
    where
        Names the snapshot in the message.
    """
    for name in names:
        if name.lower() not in present:
            msg = (
                f"{where}需要表 {table} 中的列“{name}”，但数据库里没有这一列（可能在 QGIS 等软件中被改名或删除）。"
                "请把该列名改回，或从备份恢复数据库；数据未改动。"
            )
            raise StoreError(msg)


def _decode(column: list[Any], spec: dict[str, Any], where: str, geometry: GeometryDecoder) -> Any:
    if spec["type"] == "GEOMETRY":
        return gpd.GeoSeries(geometry(column), crs=WGS84)
    try:
        return decode_column(column, sql_type=spec["type"], token=spec["dtype"], name=spec["name"])
    except (TypeError, ValueError, OverflowError) as exc:
        msg = f"{where}的列“{spec['name']}”中有无法读取的值（可能在程序外被修改）：{exc}。"
        raise StoreError(msg) from exc


def frame_from_columns(
    specs: Sequence[dict[str, Any]], values: Mapping[str, list[Any]], info: SnapshotInfo, *, geometry: GeometryDecoder, where: str
) -> gpd.GeoDataFrame:
    """Return a snapshot's frame rebuilt from the stored columns, with its saved names, order and dtypes.

    Parameters
    ----------
    specs
        The snapshot's column description.
    values
        SQL column name (as in :func:`stored_names`) → its values, in row order; dates as ISO text.
    info
        The snapshot's metadata (kept in ``attrs["snapshot"]``).
    geometry
        Decodes the stored geometry values into shapely geometries.
    where
        Names the snapshot in messages.

    Returns
    -------
    GeoDataFrame
        The rows as saved, EPSG:4326.
    """
    keys = [s["json"] for s in specs if "json" in s]
    extras = decode_extras(values[EXTRA_JSON], keys, where=where) if keys else {}
    data: dict[str, Any] = {}
    geometry_name = "geometry"
    for spec in specs:
        column = extras[spec["json"]] if "json" in spec else values[spec["sql"]]
        if spec["type"] == "GEOMETRY":
            geometry_name = spec["name"]
        data[spec["name"]] = _decode(column, spec, where, geometry)
    gdf = gpd.GeoDataFrame(data, geometry=geometry_name, crs=WGS84)
    gdf.attrs["snapshot"] = info.as_dict()
    return gdf
