"""The words that say which period a register's figures are from: ``柯桥区 2024年第3季度，其余区县2024年第2季度报送``.

One source for the dashboard's data line and the meeting pack's, so screen and
paper say the same.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date

from geo.reporting.periods import Cycle, Period, period_of
from geo.words import t


def period_label(period: Period, lang: str) -> str:
    """Return a period as planners write it: ``2024年第3季度`` (``2024年9月``) in Chinese, ``2024Q3`` in English.

    Parameters
    ----------
    period
        The period.
    lang
        ``zh`` or ``en``.

    Returns
    -------
    str
        Its label.
    """
    if lang != "zh":
        return period.code
    return f"{period.year}年第{period.index}季度" if period.cycle == "quarter" else f"{period.year}年{period.index}月"


def data_line(
    dates: Mapping[str, date], *, names: Mapping[str, str], lang: str, cycle: Cycle = "quarter", sources: Sequence[str] = ()
) -> str:
    """Return the data line: which period each county's rows describe, the odd ones named, counties with none said.

    Parameters
    ----------
    dates
        County adcode → the date its rows in force describe.
    names
        County adcode → name, in the region's order (every county of the region).
    lang
        ``zh`` or ``en``.
    cycle
        The region's reporting cycle.
    sources
        The files the rows come from; one file (a whole-city register) is named.

    Returns
    -------
    str
        ``数据：柯桥区 2024年第3季度，其余区县2024年第2季度报送`` and the like. Plain text: county and file
        names are data, escape it before Markdown.
    """
    order = {c: i for i, c in enumerate(names)}
    periods = {county: period_of(day, cycle=cycle) for county, day in dates.items()}
    if not periods:
        return t("data_line", lang, periods="—")
    missing = [names[c] for c in names if c not in periods]
    common, _ = Counter(periods.values()).most_common(1)[0]
    ranked = sorted(periods.items(), key=lambda cp: order.get(cp[0], len(order)))
    odd = [f"{names.get(c, c)} {period_label(p, lang)}" for c, p in ranked if p != common]
    sep = "、" if lang == "zh" else ", "
    if odd:
        text = t("data_period_mixed", lang, counties=sep.join(odd), period=period_label(common, lang))
    else:
        text = t("data_period_all", lang, period=period_label(common, lang))
    text += t("data_period_missing", lang, counties=sep.join(missing)) if missing else ""
    if len(sources) == 1:  # one whole-city file: name it
        return t("data_line_file", lang, source=sources[0], periods=text)
    return t("data_line", lang, periods=text)
