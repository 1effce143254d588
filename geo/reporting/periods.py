"""Reporting periods: quarters (``2024Q3``, ending 2024-09-30) or months (``2024-09``), and their due dates.

A period is named as planners write it. Its end date is the date a county's
register describes; its due date is the end plus the region's grace days
(for example 15 days after the quarter ends).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

Cycle = Literal["quarter", "month"]
_QUARTER = re.compile(r"^\s*(?P<year>\d{4})\s*[-_ ]?\s*[Qq季]\s*(?P<q>[1-4])\s*$")
_QUARTER_ZH = re.compile(r"^\s*(?P<year>\d{4})\s*年?\s*第?\s*(?P<q>[1-4一二三四])\s*季度?\s*$")
_MONTH = re.compile(r"^\s*(?P<year>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*月?\s*$")
_ZH_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4}


@dataclass(frozen=True, order=True)
class Period:
    """One reporting period: a quarter (``index`` 1-4) or a month (``index`` 1-12) of ``year``."""

    year: int
    index: int
    cycle: Cycle = "quarter"

    @property
    def code(self) -> str:
        """The period as written in files and on screen: ``2024Q3`` or ``2024-09``."""
        return f"{self.year}Q{self.index}" if self.cycle == "quarter" else f"{self.year}-{self.index:02d}"

    def __str__(self) -> str:
        return self.code

    @property
    def start(self) -> date:
        """The first day of the period."""
        month = 3 * (self.index - 1) + 1 if self.cycle == "quarter" else self.index
        return date(self.year, month, 1)

    @property
    def end(self) -> date:
        """The last day of the period (the date its registers describe)."""
        return self.next().start - timedelta(days=1)

    def due(self, *, grace_days: int) -> date:
        """Return the date by which a submission for this period is due.

        Parameters
        ----------
        grace_days
            Days after the period's end (the region's rule, e.g. 15).

        Returns
        -------
        date
            ``end + grace_days``.
        """
        return self.end + timedelta(days=grace_days)

    def next(self) -> Period:
        """Return the period after this one."""
        last = 4 if self.cycle == "quarter" else 12
        if self.index == last:
            return Period(self.year + 1, 1, self.cycle)
        return Period(self.year, self.index + 1, self.cycle)

    def previous(self) -> Period:
        """Return the period before this one."""
        last = 4 if self.cycle == "quarter" else 12
        if self.index == 1:
            return Period(self.year - 1, last, self.cycle)
        return Period(self.year, self.index - 1, self.cycle)


def parse_period(text: object, *, cycle: Cycle = "quarter") -> Period:
    """Read a period as a planner writes it.

    Parameters
    ----------
    text
        ``2024Q3``, ``2024-Q3``, ``2024年第三季度``, ``2024年3季度`` for quarters; ``2024-09``,
        ``2024年9月`` for months.
    cycle
        The region's reporting cycle; a month is refused in a quarterly region and the other way round.

    Returns
    -------
    Period
        The period.

    Raises
    ------
    ValueError
        When the text is not a period of ``cycle``, with an example of what is allowed.
    """
    raw = str(text)
    quarter = _QUARTER.match(raw) or _QUARTER_ZH.match(raw)
    month = _MONTH.match(raw)
    if cycle == "quarter" and quarter:
        q = quarter.group("q")
        return Period(int(quarter.group("year")), _ZH_DIGITS.get(q) or int(q), "quarter")
    if cycle == "month" and month and 1 <= int(month.group("m")) <= 12:
        return Period(int(month.group("year")), int(month.group("m")), "month")
    example = "2024Q3 或 2024年第三季度" if cycle == "quarter" else "2024-09 或 2024年9月"
    msg = f"报送期“{raw}”无法识别：请写成 {example}。 (Period {raw!r} is not a {cycle}; write it like {example.split(' ')[0]}.)"
    raise ValueError(msg)


def period_of(day: date, *, cycle: Cycle = "quarter") -> Period:
    """Return the period that contains ``day``.

    Parameters
    ----------
    day
        Any date.
    cycle
        ``"quarter"`` or ``"month"``.

    Returns
    -------
    Period
        The quarter (or month) holding ``day``.
    """
    if cycle == "quarter":
        return Period(day.year, (day.month - 1) // 3 + 1, "quarter")
    return Period(day.year, day.month, "month")


def periods_between(first: Period, last: Period) -> list[Period]:
    """Return every period from ``first`` to ``last``, both included (empty when ``last`` is earlier).

    Parameters
    ----------
    first, last
        Periods of the same cycle.

    Returns
    -------
    list of Period
        In time order.
    """
    if first.cycle != last.cycle:
        msg = f"Periods {first} and {last} are of different cycles ({first.cycle}, {last.cycle})."
        raise ValueError(msg)
    out: list[Period] = []
    current = first
    while current <= last:
        out.append(current)
        current = current.next()
    return out
