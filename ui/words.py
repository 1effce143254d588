"""The catalogue of words as the pages use it: the plan's figures and on-screen table headers in the chosen language."""

from __future__ import annotations

import pandas as pd

from geo.fields import field_label
from geo.words import WORDS, columns, plan_values, t
from ui import shared


def plan_words(lang: str) -> dict[str, str]:
    """Return the region's and the chosen plan's figures as values for the words (see :func:`geo.words.plan_values`).

    Parameters
    ----------
    lang
        ``"zh"`` or ``"en"``.

    Returns
    -------
    dict[str, str]
        ``city``, ``plan_title``, ``parks_target``, ``floor_target``, ``comparison``, ``start``, ``end``...
    """
    return plan_values(shared.region(), shared.plan(), lang)


def titled(table: pd.DataFrame, kind: str, lang: str) -> pd.DataFrame:
    """Return ``table`` with its column identifiers replaced by the catalogue's headers of ``kind``.

    Parameters
    ----------
    table
        A table whose columns are identifiers (``snapshot_id``, ``severity``...).
    kind
        The catalogue table (see :func:`geo.words.columns`).
    lang
        ``"zh"`` or ``"en"``.

    Returns
    -------
    pandas.DataFrame
        A copy with translated headers; a column the catalogue does not name keeps a field label when it is a
        register field, else its identifier.
    """
    headers = columns(kind, lang)
    return table.rename(columns={c: headers.get(str(c)) or field_word(str(c), lang) for c in table.columns})


def field_word(name: str, lang: str) -> str:
    """Return the field catalogue's label of a park or enterprise field, or ``name`` itself when it is none.

    Parameters
    ----------
    name
        A canonical column name (``floor_area_m2``) or any other text (a header as the register typed it).
    lang
        ``"zh"`` or ``"en"``.

    Returns
    -------
    str
        The label in ``lang``, or ``name`` unchanged.
    """
    for kind in ("parks", "enterprises"):
        try:
            return field_label(name, lang, kind=kind)
        except KeyError:
            continue
    return name


def words_of(values: pd.Series, prefix: str, lang: str) -> pd.Series:
    """Return identifiers in a column (``error``, ``parks``...) as the words ``<prefix>_<identifier>``; others unchanged.

    Parameters
    ----------
    values
        A column of identifiers.
    prefix
        The catalogue key prefix, e.g. ``"severity"`` for ``severity_error``.
    lang
        ``"zh"`` or ``"en"``.

    Returns
    -------
    pandas.Series
        The words, same index.
    """
    return values.map(lambda v: t(f"{prefix}_{v}", lang) if f"{prefix}_{v}" in WORDS else v)
