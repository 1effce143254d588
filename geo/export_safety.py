"""Make tables safe to open in a spreadsheet program.

A cell whose text begins with ``=``, ``+``, ``-`` or ``@`` (or a tab or
carriage return) is run as a formula by Excel and WPS: a register cell such as
``=HYPERLINK("http://evil", "点击")`` would become a live link in a file the
planner downloads. Every table this product exports passes through
:func:`neutralise_formulas`, which puts a leading apostrophe on such text so
the spreadsheet shows it as text. Numbers are left alone.
"""

from __future__ import annotations

import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_text(value: object) -> object:
    """Return ``value`` with a leading ``'`` if it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def neutralise_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``df`` whose text cells cannot be run as formulas.

    Parameters
    ----------
    df
        Any table (a GeoDataFrame works too; its geometry is left alone).

    Returns
    -------
    A new DataFrame; text cells that begin with ``=``, ``+``, ``-``, ``@``, a tab
    or a carriage return get a leading apostrophe. Column names are treated the
    same way. ``df`` is not changed.
    """
    out = df.copy()
    for column in out.columns:
        series = out[column]
        if pd.api.types.is_string_dtype(series.dtype) or series.dtype == object or isinstance(series.dtype, pd.CategoricalDtype):
            text = series.astype("object")
            risky = text.map(lambda v: isinstance(v, str) and v.startswith(FORMULA_PREFIXES))
            if risky.any():
                out[column] = text.where(~risky, "'" + text[risky].astype(str))
    out.columns = [neutralise_text(c) for c in out.columns]
    return out
