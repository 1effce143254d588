"""Vectorised readers for the values planners type into registers.

Each parser takes a column as given (text, numbers or dates) and returns a
:class:`Parsed`: the values in canonical units, and boolean masks saying which
cells were blank, which could not be read, and which were read with an
assumption the user should hear about. No parser raises on bad cells; the
validation modules turn the masks into problems with row numbers.

:func:`parse_field` reads a column of any catalogue field (:mod:`geo.fields`)
with the parser its ``parser`` key names.

Columns with few distinct values (statuses, dates, flags, star ratings) are
parsed once per distinct value and mapped back, so a 250,000-row column costs
one pass of pandas; numbers and coordinates use vectorised string methods.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo.fields import Field
from geo.ingest.vocabulary import (
    MAJOR_ALLOWED,
    NOT_MAJOR_WORDS,
    PARK_TYPE_ALLOWED,
    STATUS_ALLOWED,
    major_industry_name,
    park_type_code,
    status_code,
)
from geo.units import SQM_PER_HECTARE, SQM_PER_MU, SQM_PER_WAN_SQM, m2_to_mu

# Unit words (after NFKC, lower case, no spaces) -> square metres per unit.
AREA_UNITS_M2: dict[str, float] = {
    "万平方米": SQM_PER_WAN_SQM,
    "万平米": SQM_PER_WAN_SQM,
    "万m2": SQM_PER_WAN_SQM,
    "万方": SQM_PER_WAN_SQM,
    "平方米": 1.0,
    "平米": 1.0,
    "m2": 1.0,
    "sqm": 1.0,
    "亩": SQM_PER_MU,
    "公顷": SQM_PER_HECTARE,
    "ha": SQM_PER_HECTARE,
    "hm2": SQM_PER_HECTARE,
}
EXCEL_EPOCH = pd.Timestamp("1899-12-30")
DATE_MIN = pd.Timestamp("1949-01-01")
DATE_MAX = pd.Timestamp("2100-12-31")
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?"
_NUMBER_WITH_UNIT = re.compile(rf"^(?P<num>{_NUMBER})(?P<unit>.*)$")
_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


@dataclass(frozen=True)
class Parsed:
    """Result of parsing one column.

    Attributes
    ----------
    values
        Parsed values, same index as the input; missing where blank or bad.
    blank
        True where the cell was empty.
    bad
        True where the cell held something that could not be read.
    flagged
        True where the value was read with an assumption (e.g. a guessed unit).
    warnings
        Per-row warning text ("" for none) for parsers whose assumptions need
        a row-by-row explanation (dates); ``None`` for the others.
    out_of_range
        True where the cell was read as a number but lies outside the range
        the parser was given (``1e400``, ``1e20`` enterprises); the value is
        left missing. ``None`` for parsers without a range.
    """

    values: pd.Series
    blank: np.ndarray
    bad: np.ndarray
    flagged: np.ndarray
    warnings: np.ndarray | None = None
    out_of_range: np.ndarray | None = None


def _cell_to_text(value: object) -> str:
    if value is None or value is pd.NaT:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (dt.datetime, pd.Timestamp)):
        return value.strftime("%Y-%m-%d") if (value.hour, value.minute, value.second) == (0, 0, 0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def cell_text(series: pd.Series) -> pd.Series:
    """Return a column as text, cells as the user sees them ("" for blank; 330603.0 -> "330603").

    Parameters
    ----------
    series
        One column of the file, cells as read.

    Returns
    -------
    Series of str
        The cells as text; same index.
    """
    if pd.api.types.is_string_dtype(series.dtype) and series.dtype != object:
        return series.fillna("").astype(str)
    return series.map(_cell_to_text).astype(str)


def normalise_text(text: pd.Series) -> pd.Series:
    """NFKC (full-width digits, letters and ㎡ become ASCII), lower case, all spaces removed.

    Parameters
    ----------
    text
        Text cells.

    Returns
    -------
    Series of str
        The normalised text; same index.
    """
    return text.str.normalize("NFKC").str.lower().str.replace(r"\s+", "", regex=True)


def map_unique(text: pd.Series, func: Callable[[str], object]) -> pd.Series:
    """Apply ``func`` once per distinct value of a text column and map the results back.

    Parameters
    ----------
    text
        Text cells.
    func
        Turns one distinct text into a value.

    Returns
    -------
    Series of object
        ``func``'s value for each cell; same index.
    """
    values = pd.Series(text.to_numpy(dtype=object), index=text.index, dtype=object)
    lookup = {u: func(u) for u in pd.unique(values.to_numpy())}
    return values.map(lookup).astype(object)


def _masks(text: pd.Series, values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    blank = text.str.strip().eq("").to_numpy(dtype=bool)
    bad = ~blank & values.isna().to_numpy(dtype=bool)
    return blank, bad


def _split_number(series: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Return (text, number, unit) for cells like ``12.5万㎡``, ``1,234``, ``３５家``."""
    text = cell_text(series)
    norm = normalise_text(text).str.replace(r"(?<=\d),(?=\d{3})", "", regex=True)
    parts = norm.str.extract(_NUMBER_WITH_UNIT)
    number = pd.to_numeric(parts["num"], errors="coerce").astype("float64")
    unit = parts["unit"].fillna("").astype(str)
    return text, number, unit


def _out_of_range(values: pd.Series, maximum: float) -> np.ndarray:
    """True where a number was read but is not finite (``1e400``) or its size exceeds ``maximum``."""
    number = values.to_numpy(dtype="float64")
    with np.errstate(invalid="ignore"):
        return ~np.isnan(number) & ~(np.isfinite(number) & (np.abs(number) <= maximum))


def parse_area_m2(series: pd.Series, *, header_unit: str | None, default_unit: str | None, maximum_m2: float = math.inf) -> Parsed:
    """Parse areas to square metres; the unit comes from the cell, else the header, else the default.

    With no unit anywhere (``default_unit=None``), values under 1,000 are read
    as 万平方米 and larger ones as m², and flagged. Areas above ``maximum_m2``
    or not finite (``1e400``) are ``out_of_range`` and left missing.

    Parameters
    ----------
    series
        One column of the file, cells as read.
    header_unit
        The unit written in the header, if any.
    default_unit
        The unit to assume when neither cell nor header gives one; None guesses by size.
    maximum_m2
        The largest area accepted, in m².

    Returns
    -------
    Parsed
        Values, and masks of blank, unreadable and flagged cells.
    """
    text, number, unit = _split_number(series)
    unit = unit.str.replace("㎡", "m2").str.replace("m²", "m2")
    cell_factor = unit.map(AREA_UNITS_M2).astype("float64")
    known_unit = unit.eq("") | cell_factor.notna()
    fallback = AREA_UNITS_M2.get(header_unit or default_unit or "", np.nan)
    flagged = np.zeros(len(text), dtype=bool)
    if np.isnan(fallback):
        guessed = np.where(number < 1000, SQM_PER_WAN_SQM, 1.0)
        factor = cell_factor.fillna(pd.Series(guessed, index=text.index))
        flagged = (unit.eq("") & number.notna()).to_numpy(dtype=bool)
    else:
        factor = cell_factor.fillna(fallback)
    with np.errstate(over="ignore", invalid="ignore"):
        values = (number * factor).where(known_unit & (number >= 0))
    out = _out_of_range(values, maximum_m2)
    values = values.where(~out)
    blank, bad = _masks(text, values)
    return Parsed(values.astype("float64"), blank, bad & ~out, flagged & ~blank & ~out, out_of_range=out)


def parse_number(series: pd.Series, *, allowed_units: tuple[str, ...] = (), maximum: float = math.inf) -> Parsed:
    """Parse plain numbers (``1,234.5``, full-width digits); a trailing unit must be one of ``allowed_units``.

    Numbers whose size exceeds ``maximum`` (either sign) or that are not
    finite are ``out_of_range`` and left missing.

    Parameters
    ----------
    series
        One column of the file, cells as read.
    allowed_units
        Units a number may be followed by.
    maximum
        The largest size accepted (either sign).

    Returns
    -------
    Parsed
        Values, and masks of blank, unreadable and flagged cells.
    """
    text, number, unit = _split_number(series)
    ok = unit.eq("") | unit.isin(allowed_units)
    values = number.where(ok)
    out = _out_of_range(values, maximum)
    values = values.where(~out)
    blank, bad = _masks(text, values)
    return Parsed(values, blank, bad & ~out, np.zeros(len(text), dtype=bool), out_of_range=out)


def parse_count(series: pd.Series, *, maximum: float = 1_000_000) -> Parsed:
    """Parse counts such as ``35``, ``35家``, ``35个``, ``35.0`` into nullable integers.

    Counts above ``maximum`` (``1e20``, a 20-digit number) are ``out_of_range``.

    Parameters
    ----------
    series
        One column of the file, cells as read.
    maximum
        The largest count accepted.

    Returns
    -------
    Parsed
        Values, and masks of blank, unreadable and flagged cells.
    """
    parsed = parse_number(series, allowed_units=("家", "个", "户", "人"), maximum=maximum)
    whole = parsed.values.where((parsed.values >= 0) & (parsed.values % 1 == 0))
    blank, bad = _masks(cell_text(series), whole)
    out = parsed.out_of_range if parsed.out_of_range is not None else np.zeros(len(whole), dtype=bool)
    return Parsed(whole.astype("Int64"), blank, bad & ~out, parsed.flagged, out_of_range=out)


def parse_percent(series: pd.Series) -> Parsed:
    """Parse ``85%``, ``85`` or ``0.85`` into a percentage 0-100; fractions under 1 are flagged and scaled.

    Parameters
    ----------
    series
        One column of the file, cells as read.

    Returns
    -------
    Parsed
        Values, and masks of blank, unreadable and flagged cells.
    """
    text, number, unit = _split_number(series)
    ok = unit.isin(["", "%"])
    fraction = unit.eq("") & (number > 0) & (number < 1)
    values = number.where(~fraction, number * 100).where(ok & (number >= 0) & (number <= 100))
    blank, bad = _masks(text, values)
    return Parsed(values, blank, bad, fraction.to_numpy(dtype=bool) & ~bad)


def _star(text: str) -> int | None:
    norm = unicodedata.normalize("NFKC", text).strip().replace(" ", "")
    if not norm:
        return None
    if set(norm) <= {"★", "☆"}:
        value = norm.count("★")
    else:
        core = re.sub(r"(星级|星|级|stars?)$", "", norm.lower())
        if core in _CN_DIGITS:
            value = _CN_DIGITS[core]
        elif re.fullmatch(r"\d{1,3}(\.0+)?", core):
            value = int(float(core))
        else:
            return None
    return value if 1 <= value <= 5 else None


def parse_star(series: pd.Series) -> Parsed:
    """Parse star ratings (``四星级``, ``4星``, ``★★★★``, ``4``) into Int64 1-5.

    Parameters
    ----------
    series
        One column of the file, cells as read.

    Returns
    -------
    Parsed
        Values, and masks of blank, unreadable and flagged cells.
    """
    text = cell_text(series)
    values = map_unique(text, _star)
    blank, bad = _masks(text, values)
    return Parsed(values.astype("Int64"), blank, bad, np.zeros(len(text), dtype=bool))


_DATE_YMD = re.compile(r"^(\d{4})[-/.年](\d{1,2})(?:(?:[-/.月](\d{1,2})日?)|月)?$")
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_DATE_YEAR = re.compile(r"^(\d{4})年?$")
_DATE_SERIAL = re.compile(r"^\d{5}(\.\d+)?$")


def _date(text: str) -> pd.Timestamp | None:
    norm = unicodedata.normalize("NFKC", text).strip()
    norm = re.sub(r"[T\s]+\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$", "", norm).replace(" ", "")
    if not norm:
        return None
    if _DATE_SERIAL.match(norm):
        stamp = EXCEL_EPOCH + pd.Timedelta(days=int(float(norm)))
    else:
        match = _DATE_YMD.match(norm) or _DATE_COMPACT.match(norm)
        year_only = _DATE_YEAR.match(norm)
        if match:
            year, month, day = int(match[1]), int(match[2]), int(match[3] or 1)
        elif year_only:
            year, month, day = int(year_only[1]), 12, 31  # "completed in 2023": not before the year's end
        else:
            return None
        try:
            stamp = pd.Timestamp(year=year, month=month, day=day)
        except ValueError:
            return None
    return stamp if DATE_MIN <= stamp <= DATE_MAX else None


def parse_date(series: pd.Series) -> Parsed:
    """Parse dates: 2021-03-05, 2021/3/5, 2021/3, 2021年3月, 2021.3, 20210305, Excel serials, date cells.

    A date given to the month only falls on the 1st. Dates outside 1949-2100 are bad.
    Two readings are kept but flagged, with a per-row warning:

    * a year alone (``2023``) falls on 31 December, a conservative bound for
      "completed in 2023";
    * a *number* such as 2021.1 is read as January, but Excel stores a typed
      "2021.10" as the number 2021.1, so it may mean October. Text "2021.10"
      is October and is not flagged.

    Parameters
    ----------
    series
        One column of the file, cells as read.

    Returns
    -------
    Parsed
        Values, and masks of blank, unreadable and flagged cells.
    """
    text = cell_text(series)
    values = pd.to_datetime(map_unique(text, _date), errors="coerce").astype("datetime64[ns]")
    blank, bad = _masks(text, values)
    read = values.notna().to_numpy(dtype=bool)
    norm = normalise_text(text)
    year = norm.str.slice(0, 4).to_numpy(dtype=object)
    ambiguous = read & norm.str.fullmatch(r"\d{4}\.1").to_numpy(dtype=bool)
    cells = series.to_numpy(dtype=object)
    ambiguous[ambiguous] = [isinstance(v, (float, np.floating)) for v in cells[ambiguous]]  # numbers only, not text
    year_only = read & norm.str.fullmatch(r"\d{4}年?").to_numpy(dtype=bool)
    warnings = np.full(len(text), "", dtype=object)
    warnings[ambiguous] = [
        f"数字 {t} 已按 {t[:4]} 年 1 月读取；但 Excel 会把输入的“{t[:4]}.10”存成数字 {t}，可能是 10 月。"
        f"若是 10 月，请写作 {t[:4]}-10，或把单元格设为日期格式后填写。"
        for t in text[ambiguous]
    ]
    warnings[year_only] = [f"只填了年份，已按 {y}-12-31（当年年底）读取。如知道月份，请写作 {y}-06 这样的年-月。" for y in year[year_only]]
    return Parsed(values, blank, bad, ambiguous | year_only, warnings)


_TRUE = {"是", "y", "yes", "true", "1", "√", "✓", "有", "已入园", "入园", "t"}
_FALSE = {"否", "n", "no", "false", "0", "×", "x", "无", "未入园", "不是", "f"}


def _flag(text: str) -> bool | None:
    norm = unicodedata.normalize("NFKC", text).strip().lower()
    if norm in _TRUE:
        return True
    if norm in _FALSE:
        return False
    return None


def parse_flag(series: pd.Series) -> Parsed:
    """Parse 是/否 (also Y/N, yes/no, true/false, 1/0, √/×) into nullable booleans.

    Parameters
    ----------
    series
        One column of the file, cells as read.

    Returns
    -------
    Parsed
        Values, and masks of blank, unreadable and flagged cells.
    """
    text = cell_text(series)
    values = map_unique(text, _flag)
    blank, bad = _masks(text, values)
    return Parsed(values.astype("boolean"), blank, bad, np.zeros(len(text), dtype=bool))


def parse_choice(series: pd.Series, choose: Callable[[str], str | None]) -> Parsed:
    """Parse a column of words with ``choose`` (normalised text -> canonical code or None).

    Parameters
    ----------
    series
        One column of the file, cells as read.
    choose
        Turns normalised text into a canonical code, or None when not understood.

    Returns
    -------
    Parsed
        Values, and masks of blank, unreadable and flagged cells.
    """
    text = cell_text(series)
    values = map_unique(text, lambda t: choose(unicodedata.normalize("NFKC", t).strip().lower().replace(" ", "")))
    blank, bad = _masks(text, values)
    return Parsed(values, blank, bad, np.zeros(len(text), dtype=bool))


def parse_text(series: pd.Series) -> Parsed:
    """Return text cells as given (stripped of surrounding spaces), blank as missing.

    Parameters
    ----------
    series
        One column of the file, cells as read.

    Returns
    -------
    Parsed
        Values, and masks of blank, unreadable and flagged cells.
    """
    text = cell_text(series)
    values = text.str.strip().astype(object).where(text.str.strip().ne(""), None)
    blank = text.str.strip().eq("").to_numpy(dtype=bool)
    return Parsed(values, blank, np.zeros(len(text), dtype=bool), np.zeros(len(text), dtype=bool))


def hashed_ids(keys: pd.Series, *, prefix: str) -> pd.Series:
    """Return stable ids: ``prefix`` + 12 hex digits of the key's SHA-1, with ``-2``, ``-3`` for repeated keys.

    Parameters
    ----------
    keys
        One key per row (such as county and name).
    prefix
        The ids' first letter(s).

    Returns
    -------
    Series of str
        One id per row; same index.
    """
    base = keys.astype(str).map(lambda k: prefix + hashlib.sha1(k.encode("utf-8")).hexdigest()[:12])
    nth = base.groupby(base.to_numpy()).cumcount()
    return base.where(nth == 0, base + "-" + (nth + 1).astype(str)).astype(object)


def _major(word: str) -> str | None:
    if word in NOT_MAJOR_WORDS:
        return ""  # said explicitly: not one of the eight
    return major_industry_name(word)


def _area_mu(series: pd.Series, item: Field, header_unit: str | None) -> Parsed:
    parsed = parse_area_m2(series, header_unit=header_unit, default_unit="亩", maximum_m2=item.maximum * SQM_PER_MU)
    return dataclasses.replace(parsed, values=m2_to_mu(parsed.values))


def _wan_yuan(series: pd.Series, item: Field) -> Parsed:
    """Amounts in 万元 that cannot be negative (营业收入, 产值): a negative one is unreadable."""
    parsed = parse_number(series, allowed_units=("万元",), maximum=item.maximum)
    values = parsed.values.where(~(parsed.values < 0))
    blank, bad = _masks(cell_text(series), values)
    out = parsed.out_of_range if parsed.out_of_range is not None else np.zeros(len(values), dtype=bool)
    return Parsed(values, blank, bad & ~out, parsed.flagged, out_of_range=out)


def _major_industry(series: pd.Series) -> Parsed:
    parsed = parse_choice(series, _major)
    return dataclasses.replace(parsed, values=parsed.values.where(parsed.values.ne(""), None))


_FIELD_PARSERS: dict[str, Callable[[pd.Series, Field, str | None], Parsed]] = {
    "text": lambda s, f, u: parse_text(s),
    "date": lambda s, f, u: parse_date(s),
    "flag": lambda s, f, u: parse_flag(s),
    "star": lambda s, f, u: parse_star(s),
    "percent": lambda s, f, u: parse_percent(s),
    "count": lambda s, f, u: parse_count(s, maximum=f.maximum),
    "area_m2": lambda s, f, u: parse_area_m2(s, header_unit=u, default_unit=None, maximum_m2=f.maximum),
    "area_mu": _area_mu,
    "wan_yuan_per_mu": lambda s, f, u: parse_number(s, allowed_units=("万元/亩", "万元"), maximum=f.maximum),
    "wan_yuan": lambda s, f, u: _wan_yuan(s, f),
    "signed_wan_yuan": lambda s, f, u: parse_number(s, allowed_units=("万元",), maximum=f.maximum),  # net tax can be negative
    "park_type": lambda s, f, u: parse_choice(s, park_type_code),
    "status": lambda s, f, u: parse_choice(s, status_code),
    "major_industry": lambda s, f, u: _major_industry(s),
}
_CHOICES_ALLOWED = {
    "park_type": f"可填：{PARK_TYPE_ALLOWED}。",
    "status": f"可填：{STATUS_ALLOWED}。",
    "major_industry": f"可填：{MAJOR_ALLOWED}；不属于时留空或填“否”。",
}


def parse_field(item: Field, series: pd.Series, *, header_unit: str | None = None) -> Parsed:
    """Parse a register column of a catalogue field with the parser its ``parser`` key names.

    Parameters
    ----------
    item
        The field; ``item.parser`` picks the parser, ``item.maximum`` its range (in the stored unit).
    series
        The column as given.
    header_unit
        Unit written in the column's header (for areas), e.g. ``万平方米``.

    Returns
    -------
    Parsed values in the field's stored unit.

    Raises
    ------
    KeyError
        The field has no parser the import knows (a catalogue mistake).
    """
    if item.parser not in _FIELD_PARSERS:
        msg = f"Field {item.name!r} has parser {item.parser!r}; known parsers: {', '.join(_FIELD_PARSERS)}."
        raise KeyError(msg)
    return _FIELD_PARSERS[item.parser](series, item, header_unit)


def allowed_text(item: Field) -> str:
    """Return what a field's cells may hold, in a planner's words (quoted in import messages).

    Parameters
    ----------
    item
        A catalogue field.

    Returns
    -------
    str
        What its cells may hold, in Chinese; empty when anything goes.
    """
    return item.allowed or _CHOICES_ALLOWED.get(item.parser or "", "")
