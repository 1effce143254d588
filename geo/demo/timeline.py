"""The dates and totals the synthetic sample is built around, taken from a plan.

The sample's register is dated half a year after the plan's deadline, parks
complete over the eight years up to it, certification batches fall twice a
year, and the parks completed by the deadline total close to the plan's
floor-area target. Every date here is an offset from the plan's period, so
the sample follows whichever plan a region has (a plan ending on 31 December
of year Y: register dated 30 June or 1 July of Y+1, completions from Y-7 to Y).
A register cannot be dated
in the future (the store refuses it): for a plan that has not ended half a
year before today, the sample is built around the last year-end that has.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from geo.region.region import Plan, load_plan

REGISTER_DELAY_DAYS = 182  # the register is dated half a year after the deadline
BUILDING_START_DELAY_DAYS = 243  # parks under construction started from about September of the plan's first year
PLANNED_START_DELAY_DAYS = 15  # planned parks start a fortnight after the register's date or later
# Completions per year, by years before the deadline's year (0: that year).
COMPLETION_YEAR_WEIGHTS_BY_OFFSET = {-7: 4, -6: 8, -5: 12, -4: 14, -3: 16, -2: 16, -1: 16, 0: 14}
FIRST_START_OFFSET_YEARS = -8  # no park started before 1 January of this year (relative to the deadline's)
# Provincial certification (认定) batches: (years from the deadline's year, month, day), once or twice a year.
CERTIFICATION_BATCH_OFFSETS = (
    (-6, 12, 20), (-5, 6, 22), (-5, 12, 21), (-4, 7, 12), (-4, 12, 20), (-3, 12, 18), (-2, 6, 25),
    (-2, 12, 24), (-1, 6, 24), (-1, 12, 23), (0, 6, 21), (0, 12, 22), (1, 6, 21),
)  # fmt: skip
FLOOR_AREA_PER_PARK_M2 = 66_700.0  # a plan without a floor-area target yet: a typical park's floor area


@dataclass(frozen=True)
class SampleTimeline:
    """The dates and the floor-area total a synthetic register is built around."""

    target_date: pd.Timestamp  # the plan's deadline
    register_date: pd.Timestamp  # the register's "as of" date: statuses hold on this day
    new_firms_since: pd.Timestamp  # the plan's first day: firms founded from then on are new
    park_start_min: pd.Timestamp
    building_start: pd.Timestamp
    late_start: pd.Timestamp  # parks completed after the deadline complete from this day
    planned_start: pd.Timestamp
    completion_year_weights: dict[int, int]
    certification_batches: tuple[pd.Timestamp, ...]
    target_floor_area_m2: float | None  # None: the plan sets none; the sample uses a typical park size


def sample_timeline(plan: Plan | None = None, *, today: date | None = None) -> SampleTimeline:
    """Return the sample's dates for a plan.

    Parameters
    ----------
    plan
        The plan (default: the chosen plan of the region in use).
    today
        Today's date (for tests; None uses the clock): the register is never dated after it.

    Returns
    -------
    SampleTimeline
        Dates as ``pandas.Timestamp``; the floor-area target in m² (None when the plan sets none).
    """
    plan = plan or load_plan()
    end = pd.Timestamp(plan.period_end)
    start = pd.Timestamp(plan.period_start)
    latest = pd.Timestamp(today or date.today())
    if end + pd.Timedelta(days=REGISTER_DELAY_DAYS) > latest:
        anchored = pd.Timestamp((latest - pd.Timedelta(days=REGISTER_DELAY_DAYS)).year - 1, 12, 31)
        start, end = start - (end - anchored), anchored
    register = end + pd.Timedelta(days=REGISTER_DELAY_DAYS)
    year = end.year
    return SampleTimeline(
        target_date=end,
        register_date=register,
        new_firms_since=pd.Timestamp(plan.period_start),
        park_start_min=pd.Timestamp(year + FIRST_START_OFFSET_YEARS, 1, 1),
        building_start=start + pd.Timedelta(days=BUILDING_START_DELAY_DAYS),
        late_start=end + pd.Timedelta(days=1),
        planned_start=register + pd.Timedelta(days=PLANNED_START_DELAY_DAYS),
        completion_year_weights={year + k: w for k, w in COMPLETION_YEAR_WEIGHTS_BY_OFFSET.items()},
        certification_batches=tuple(pd.Timestamp(year + k, m, d) for k, m, d in CERTIFICATION_BATCH_OFFSETS),
        target_floor_area_m2=plan.floor_area_m2 if plan.floor_area_m2 > 0 else None,
    )
