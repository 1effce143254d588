"""Make tables safe to open in a spreadsheet program, and text safe to write into one.

A cell whose text begins with ``=``, ``+``, ``-`` or ``@`` (or a tab, a
carriage return, or the full-width ``＝ ＋ － ＠`` an input method may turn
into them) is run as a formula by Excel and WPS: a register cell such as
``=HYPERLINK("http://evil", "点击")`` would become a live link in a file the
planner downloads. Every table this product exports or shows passes through
:func:`neutralise_formulas`, which puts a leading apostrophe on such text so
the spreadsheet shows it as text. Numbers are left alone.

An ``.xlsx`` file is XML, which cannot hold most control characters (a
vertical tab pasted from Word, a NUL byte), and Excel reads ``_x000B_`` in a
cell as an escaped character. :func:`spreadsheet_safe` also replaces the
first with U+FFFD and escapes the second, so every register text can be
written and reads back as given.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
REPLACEMENT_CHARACTER = "\ufffd"
# characters XML 1.0 cannot hold (tab, line feed and carriage return can), lone surrogates, U+FFFE/U+FFFF
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_OOXML_ESCAPE = re.compile("_(x[0-9A-Fa-f]{4}_)")


def neutralise_text(value: object) -> object:
    """Return ``value`` with a leading ``'`` if it is text a spreadsheet would run as a formula.

    Parameters
    ----------
    value
        A cell value of any type.

    Returns
    -------
    object
        ``value`` unchanged, or the text with a leading ``'`` when it would run as a formula.
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def xml_text(text: str) -> str:
    """Return ``text`` with every character XML 1.0 cannot hold replaced by U+FFFD.

    Parameters
    ----------
    text
        Any text.

    Returns
    -------
    str
        The text with characters XML 1.0 cannot hold replaced by U+FFFD.
    """
    return _NOT_XML.sub(REPLACEMENT_CHARACTER, text)


def xlsx_text(value: object) -> object:
    """Return ``value`` as text an ``.xlsx`` cell holds and Excel shows as given (other values unchanged).

    Characters XML cannot hold become U+FFFD; a literal ``_x000B_`` is written
    as ``_x005F_x000B_``, the OOXML escape of its underscore, so that Excel
    does not read it as a vertical tab.

    Parameters
    ----------
    value
        A cell value of any type.

    Returns
    -------
    object
        The text as an ``.xlsx`` cell holds it; other values unchanged.
    """
    if not isinstance(value, str):
        return value
    return _OOXML_ESCAPE.sub(r"_x005F_\1", xml_text(value))


def _is_text(series: pd.Series) -> bool:
    dtype = series.dtype
    return pd.api.types.is_string_dtype(dtype) or pd.api.types.is_object_dtype(dtype) or isinstance(dtype, pd.CategoricalDtype)


def map_text(df: pd.DataFrame, func: Callable[[object], object]) -> pd.DataFrame:
    """Return a copy of ``df`` with ``func`` applied to every cell of its text columns and to the column names.

    A column ``func`` leaves unchanged keeps its dtype; ``df`` is not changed.

    Parameters
    ----------
    df
        A table; not changed.
    func
        Applied to each non-missing cell of the text columns and to each column name.

    Returns
    -------
    DataFrame
        A new table with the mapped text.
    """
    out = df.copy()
    for column in out.columns:
        series = out[column]
        if _is_text(series):
            text = series.astype("object")
            mapped = text.map(func, na_action="ignore").astype("object")
            if (mapped != text).where(text.notna(), False).astype(bool).any():
                out[column] = mapped
    out.columns = [func(c) for c in out.columns]
    return out


def neutralise_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``df`` whose text cells cannot be run as formulas.

    Parameters
    ----------
    df
        Any table (a GeoDataFrame works too; its geometry is left alone).

    Returns
    -------
    A new DataFrame; text cells that begin with one of :data:`FORMULA_PREFIXES`
    get a leading apostrophe. Column names are treated the same way. ``df``
    is not changed.
    """
    return map_text(df, neutralise_text)


def spreadsheet_safe(df: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``df`` ready for an ``.xlsx`` sheet: formulas neutralised, text as XML can hold it.

    See :func:`neutralise_formulas` and :func:`xlsx_text`. For the openpyxl
    writer, which writes text as given; xlsxwriter escapes control characters
    and ``_x`` itself (use :func:`neutralise_formulas` alone there).

    Parameters
    ----------
    df
        A table; not changed.

    Returns
    -------
    DataFrame
        A new table ready for an ``.xlsx`` sheet written with openpyxl.
    """
    return map_text(neutralise_formulas(df), xlsx_text)
