"""Header variants in registers, mapped to the canonical fields.

The variants themselves are declared with each field in :mod:`geo.fields`.
County bureaus write the same column in many ways: ``园区名称``, ``名称``,
``name``; ``建筑面积(万平方米)``, ``总建筑面积（㎡）``; ``县(市、区)``. This
module recognises them and reads the unit written in the header, so that the
value parsers in :mod:`geo.ingest.parsers` know whether ``12.5`` means 万平方米 or m².

Headers are compared after Unicode NFKC normalisation (full-width letters and
brackets become ASCII), lower-casing and removing spaces and the ``*`` that
templates use to mark a required column.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from geo.fields import ENTERPRISE_FIELDS, PARK_FIELDS, fields_of

TableKind = Literal["parks", "enterprises"]

# Header variants of the point, which is not a column of the tables (normalised: NFKC, lower case, no spaces).
LOCATION_ALIASES: dict[str, tuple[str, ...]] = {
    "lon": ("经度", "lon", "lng", "longitude", "x", "经度(e)", "东经"),
    "lat": ("纬度", "lat", "latitude", "y", "纬度(n)", "北纬"),
    "lonlat": ("坐标", "经纬度", "经纬度坐标", "位置坐标", "coordinates", "lonlat", "lon,lat", "经度,纬度"),
}
_LOCATION_LABELS_ZH = {"lon": "经度", "lat": "纬度", "lonlat": "坐标"}


def _aliases(kind: TableKind) -> dict[str, tuple[str, ...]]:
    """Import key -> header variants, from the field catalogue, then the point's columns."""
    return {f.import_key: f.aliases for f in fields_of(kind) if f.aliases} | LOCATION_ALIASES


def _labels() -> dict[str, str]:
    """Import key -> the Chinese name a planner sees when the column is missing (parks first)."""
    labels: dict[str, str] = {}
    for field in (*PARK_FIELDS, *ENTERPRISE_FIELDS):
        labels.setdefault(field.import_key, field.label("zh", sink="missing", unit=False))
    return labels | _LOCATION_LABELS_ZH


# Import key (the catalogue's ``key``) -> header variants: views of geo.fields.
PARK_ALIASES: dict[str, tuple[str, ...]] = _aliases("parks")
ENTERPRISE_ALIASES: dict[str, tuple[str, ...]] = _aliases("enterprises")
# What a user sees when a column is missing, per import key.
FIELD_LABELS_ZH: dict[str, str] = _labels()

# Units a header may carry, normalised (NFKC turns ㎡ and m² into "m2").
_UNIT_WORDS = ("万平方米", "万平米", "万m2", "平方米", "平米", "m2", "亩", "公顷", "hm2", "ha", "%", "万元/亩", "万元", "家", "个", "人")
_BRACKETS = re.compile(r"[(\[](?P<inner>[^()\[\]]*)[)\]]")
# Header detection ignores one-letter aliases (x, y): data cells look like that too.
_ALL_ALIASES = frozenset(a for table in (PARK_ALIASES, ENTERPRISE_ALIASES) for names in table.values() for a in names if len(a) > 1)


def normalise_header(text: object) -> str:
    """Return a header in comparable form: NFKC, lower case, no spaces, no ``*`` marks.

    Parameters
    ----------
    text
        A header as written (any cell value).

    Returns
    -------
    str
        The comparable form; empty for None.
    """
    if text is None:
        return ""
    norm = unicodedata.normalize("NFKC", str(text)).lower()
    norm = re.sub(r"[\s*＊]+", "", norm)
    return norm.replace("（", "(").replace("）", ")").replace("【", "[").replace("】", "]")


def split_unit(header: str) -> tuple[str, str | None]:
    """Split a normalised header into its base and the unit written in brackets.

    ``建筑面积(万平方米)`` -> (``建筑面积``, ``万平方米``); ``县(市、区)`` has no
    unit and is returned whole.

    Parameters
    ----------
    header
        A header from :func:`normalise_header`.

    Returns
    -------
    tuple of (str, str or None)
        The base header and its unit, or None when it names none.
    """
    for match in _BRACKETS.finditer(header):
        inner = match.group("inner").replace("单位:", "").replace("单位", "")
        if inner in _UNIT_WORDS:
            return (header[: match.start()] + header[match.end() :]).strip(), inner
    for unit in ("万平方米", "平方米", "公顷", "亩"):  # 建筑面积万平方米 with no brackets
        if header.endswith(unit) and len(header) > len(unit):
            return header[: -len(unit)], unit
    return header, None


def header_score(cells: Iterable[object]) -> int:
    """Return how many cells of a row look like known headers (to find the header row).

    Parameters
    ----------
    cells
        The cells of one row.

    Returns
    -------
    int
        The number of cells that are known headers.
    """
    score = 0
    for cell in cells:
        norm = normalise_header(cell)
        if norm and (norm in _ALL_ALIASES or split_unit(norm)[0] in _ALL_ALIASES):
            score += 1
    return score


@dataclass(frozen=True)
class ColumnMatch:
    """One canonical field found in a file's headers."""

    field: str  # canonical field, e.g. "floor_area"
    column: str  # the header as the user wrote it (the DataFrame column label)
    unit: str | None  # unit written in the header, normalised (e.g. "万平方米", "m2", "亩")


def match_columns(headers: Sequence[str], *, kind: TableKind) -> tuple[dict[str, ColumnMatch], list[str]]:
    """Map a file's headers to canonical fields.

    Parameters
    ----------
    headers
        Column labels as written in the file.
    kind
        ``"parks"`` or ``"enterprises"``; decides which variants are known.

    Returns
    -------
    ``(matches, extra)``: canonical field -> :class:`ColumnMatch` (the first
    column wins when two headers mean the same field), and the headers that
    match nothing (kept as extra columns).
    """
    aliases = PARK_ALIASES if kind == "parks" else ENTERPRISE_ALIASES
    lookup = {alias: field for field, names in aliases.items() for alias in names}
    matches: dict[str, ColumnMatch] = {}
    extra: list[str] = []
    for header in headers:
        norm = normalise_header(header)
        base, unit = split_unit(norm)
        field = lookup.get(norm) or lookup.get(base)
        if field is None or field in matches:
            extra.append(header)
            continue
        matches[field] = ColumnMatch(field=field, column=header, unit=unit)
    return matches, extra
