"""Encode pandas columns as store values and back, the same way in every backend.

Each stored column gets a *value type* (``TEXT``, ``DOUBLE``, ``INTEGER``,
``BOOLEAN``, ``DATE``, ``DATETIME``; the GeoPackage store uses them as its
column types, the PostGIS store maps them to ``text``, ``double precision``,
``bigint``, ``boolean``, ``date``) and a *dtype token* that records the exact
pandas dtype, so that a snapshot loads with the dtypes it was saved with
(``str``, ``object``, ``float64``, ``Int64``, ``boolean``, ``datetime64[us]``,
...). Nulls (None, NaN, NA, NaT) are stored as SQL NULL.

Object columns holding only text are stored as text; object columns holding
anything else (a mix of numbers and text from a spreadsheet, for instance)
are stored as the text of each value (``str(value)``) and load as text.

Columns that are not canonical fields (a register's own extra columns) are
not given SQL columns of their own: their encoded values go into one JSON
object per row (:func:`encode_extras`, :func:`decode_extras`), so any
number of them, with any names, can be stored.

Dates and times travel as ISO text (``2024-01-31``, ``2024-01-31T08:00:00.123Z``)
both ways, so a backend only has to hand back what it was given.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any, Final

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from geo.errors import StoreError

_SQLITE_INT_MAX: Final = 2**63 - 1

SqlValue = str | int | float | bytes | None


# ---------------------------------------------------------------- dtypes


def quote_identifier(name: str) -> str:
    """Return ``name`` quoted as an SQL identifier (any text, including quotes).

    Parameters
    ----------
    name
        A column or table name, any text.

    Returns
    -------
    str
        The name in double quotes, inner quotes doubled.
    """
    return '"' + name.replace('"', '""') + '"'


def dtype_token(dtype: Any) -> str:
    """Return a text token from which :func:`dtype_from_token` rebuilds ``dtype``.

    Parameters
    ----------
    dtype
        A pandas or NumPy dtype.

    Returns
    -------
    str
        The token kept in ``columns_json``.
    """
    if isinstance(dtype, pd.StringDtype):
        na = "nan" if dtype.na_value is np.nan else "na"
        return f"string[{dtype.storage},{na}]"
    return str(dtype)


def dtype_from_token(token: str) -> Any:
    """Return the pandas dtype that :func:`dtype_token` described.

    Parameters
    ----------
    token
        A token from :func:`dtype_token`.

    Returns
    -------
    dtype
        The pandas dtype.
    """
    if token.startswith("string["):
        storage, na = token[len("string[") : -1].split(",")
        return pd.StringDtype(storage, na_value=np.nan if na == "nan" else pd.NA)
    return ptypes.pandas_dtype(token)


def sql_type_for(series: pd.Series, *, name: str) -> tuple[str, bool]:
    """Return the GeoPackage column type for ``series`` and whether values are stringified.

    Parameters
    ----------
    series
        One column to store.
    name
        The column's name, for the message.

    Returns
    -------
    tuple of (str, bool)
        The SQL type, and whether values are stored as text.

    Raises
    ------
    StoreError
        The column holds a kind of value a GeoPackage cannot keep (durations, periods, ...).
    """
    dtype = series.dtype
    if ptypes.is_bool_dtype(dtype):
        return "BOOLEAN", False
    if ptypes.is_integer_dtype(dtype):
        if ptypes.is_unsigned_integer_dtype(dtype) and series.max(skipna=True) > _SQLITE_INT_MAX:
            msg = f"Column {name!r} holds whole numbers above {_SQLITE_INT_MAX}, more than the store can keep; store them as text."
            raise StoreError(msg)
        return "INTEGER", False
    if ptypes.is_float_dtype(dtype):
        return "DOUBLE", False
    if isinstance(dtype, pd.DatetimeTZDtype):
        return "DATETIME", False
    if ptypes.is_datetime64_dtype(dtype):
        values = series.dropna()
        return ("DATE" if (values == values.dt.normalize()).all() else "DATETIME"), False
    if isinstance(dtype, pd.StringDtype):
        return "TEXT", False
    if isinstance(dtype, pd.CategoricalDtype):
        return "TEXT", True
    if ptypes.is_object_dtype(dtype):
        return "TEXT", ptypes.infer_dtype(series, skipna=True) not in ("string", "empty")
    msg = f"Column {name!r} holds values of type {dtype}, which the store cannot keep; convert it to text, numbers or dates."
    raise StoreError(msg)


# ---------------------------------------------------------------- encode


def _nulls_to_none(values: list[Any], mask: np.ndarray) -> list[Any]:
    if not mask.any():
        return values
    return [None if m else v for v, m in zip(values, mask, strict=True)]


def _datetime_texts(series: pd.Series, sql_type: str) -> list[Any]:
    mask = series.isna().to_numpy()
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        series = series.dt.tz_convert("UTC").dt.tz_localize(None)
        suffix = "Z"
    else:
        suffix = ""
    array = series.to_numpy()
    if sql_type == "DATE":
        texts = np.datetime_as_string(array.astype("datetime64[D]"))
    else:
        # GeoPackage DATETIME has milliseconds; finer values keep their digits (GDAL still parses them).
        valid = array[~mask]
        exact_ms = bool((valid.astype("datetime64[ms]") == valid).all())
        unit: Any = "ms" if exact_ms else np.datetime_data(array.dtype)[0]
        texts = np.char.add(np.datetime_as_string(array, unit=unit), suffix)
    return _nulls_to_none(texts.tolist(), mask)


def encode_column(series: pd.Series, *, sql_type: str, stringify: bool) -> list[SqlValue]:
    """Return the values of ``series`` as Python values sqlite3 can bind (None for nulls).

    Parameters
    ----------
    series
        One column to store.
    sql_type
        Its SQL type from :func:`sql_type_for`.
    stringify
        Store the values as text.

    Returns
    -------
    list
        One bindable value per row, None for nulls.
    """
    mask = series.isna().to_numpy()
    if sql_type in ("DATE", "DATETIME"):
        return _datetime_texts(series, sql_type)
    if sql_type == "INTEGER":
        filled = series.to_numpy(dtype=series.dtype.numpy_dtype if hasattr(series.dtype, "numpy_dtype") else None, na_value=0)
        return _nulls_to_none(filled.tolist(), mask)
    if sql_type == "BOOLEAN":
        return _nulls_to_none(series.to_numpy(dtype=bool, na_value=False).astype(int).tolist(), mask)
    if sql_type == "DOUBLE":
        return _nulls_to_none(series.to_numpy(dtype="float64", na_value=np.nan).tolist(), mask)
    values = series.to_numpy(dtype=object).tolist()
    if stringify:
        return [None if m else str(v) for v, m in zip(values, mask, strict=True)]
    return _nulls_to_none(values, mask)


def decode_column(values: list[Any], *, sql_type: str, token: str, name: str) -> pd.Series:
    """Return a Series with dtype ``token`` built from stored values (None for nulls).

    Parameters
    ----------
    values
        Values as read from the store.
    sql_type
        The column's SQL type.
    token
        The dtype token saved with the snapshot.
    name
        The column's name.

    Returns
    -------
    Series
        The column with its saved dtype.
    """
    dtype = dtype_from_token(token)
    if sql_type in ("DATE", "DATETIME"):
        raw = pd.Series(values, dtype=object, name=name)
        if isinstance(dtype, pd.DatetimeTZDtype):
            parsed = pd.to_datetime(raw, format="ISO8601", utc=True).dt.tz_convert(dtype.tz)
        else:
            parsed = pd.to_datetime(raw, format="%Y-%m-%d" if sql_type == "DATE" else "ISO8601")
        return parsed.astype(dtype)
    if sql_type == "INTEGER":
        return pd.Series(pd.array(values, dtype="Int64"), name=name).astype(dtype)
    if sql_type == "BOOLEAN":
        flags = [None if v is None else bool(v) for v in values]
        return pd.Series(pd.array(flags, dtype="boolean"), name=name).astype(dtype)
    if sql_type == "DOUBLE":
        return pd.Series(np.array([np.nan if v is None else v for v in values], dtype="float64"), name=name).astype(dtype)
    series = pd.Series(values, dtype=object, name=name)
    return series if ptypes.is_object_dtype(dtype) else series.astype(dtype)


def _strict(value: SqlValue) -> SqlValue:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value).replace("inf", "Infinity")  # "Infinity", "-Infinity": decode_column reads them back
    return value


def encode_extras(keys: Sequence[str], columns: Sequence[list[SqlValue]], *, rows: int, strict: bool = False) -> list[str | None]:
    """Return one JSON object per row with the non-null encoded values of the extra columns.

    ``columns[i]`` holds the values of ``keys[i]`` as :func:`encode_column`
    returned them. A row whose extra values are all null gets None (SQL NULL).
    With ``strict``, infinite numbers are written as the text ``"Infinity"`` /
    ``"-Infinity"`` (standard JSON, as PostgreSQL's ``jsonb`` requires, has no
    literal for them); a number column reads that text back as the number.

    Parameters
    ----------
    keys
        The ``extra_json`` key of each extra column.
    columns
        The encoded values of each extra column.
    rows
        The number of rows.
    strict
        Write standard JSON only (no ``Infinity`` literal).

    Returns
    -------
    list of str or None
        One JSON object (text) per row, None where every extra value is null.
    """
    if not keys:
        return [None] * rows
    texts: list[str | None] = []
    for values in zip(*columns, strict=True):
        record = {key: _strict(value) if strict else value for key, value in zip(keys, values, strict=True) if value is not None}
        texts.append(json.dumps(record, ensure_ascii=False) if record else None)
    return texts


def decode_extras(texts: Sequence[str | None], keys: Sequence[str], *, where: str) -> dict[str, list[Any]]:
    """Return ``{key: values}`` read back from the JSON objects :func:`encode_extras` wrote.

    Parameters
    ----------
    texts
        The ``extra_json`` value of each row.
    keys
        The keys the snapshot saved.
    where
        Names the snapshot in messages.

    Returns
    -------
    dict of str to list
        The values of each key, one per row (None where absent).

    Raises
    ------
    StoreError
        A row holds text that is not a JSON object (edited outside the app); ``where`` names the snapshot.
    """
    columns: dict[str, list[Any]] = {key: [None] * len(texts) for key in keys}
    for row, text in enumerate(texts):
        if text is None:
            continue
        try:
            record = json.loads(text)
        except (TypeError, ValueError):
            record = None
        if not isinstance(record, dict):
            msg = f"{where}第 {row + 1} 行的附加列（extra_json）内容已损坏，无法读取：{str(text)[:40]!r}。请从备份恢复数据库。"
            raise StoreError(msg)
        for key, value in record.items():
            column = columns.get(key)
            if column is not None:
                column[row] = value
    return columns
