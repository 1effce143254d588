"""Quarterly progress charts: actual against the straight-line trajectory to the target."""

from __future__ import annotations

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.dates import DateFormatter, YearLocator

from export.data import ExportData
from geo.schema import SQM_PER_WAN_SQM
from geo.words import t

ACTUAL_COLOUR = "#1f5fa6"
TRAJECTORY_COLOUR = "#e07b00"
TARGET_COLOUR = "#8d6e63"


def series_for(data: ExportData, *, adcode: str, measure: str) -> pd.DataFrame:
    """Return one area's quarterly rows of one measure (``parks`` or ``floor_area_m2``), in display units."""
    rows = data.series[(data.series["adcode"].astype(str) == adcode) & (data.series["measure"] == measure)].copy()
    rows["as_of"] = pd.to_datetime(rows["as_of"])
    scale = SQM_PER_WAN_SQM if measure == "floor_area_m2" else 1.0
    for column in ("value", "target", "baseline"):
        rows[column] = rows[column].astype("float64") / scale
    return rows.sort_values("as_of")


def draw_progress(ax: Axes, data: ExportData, *, adcode: str, measure: str, fontsize: float) -> None:
    """Draw actual (up to the as-of date) against the straight line from the baseline to the target.

    The trajectory runs from the baseline value on the plan's ``baseline_date``
    to the target on its ``period_end``.
    """
    rows = series_for(data, adcode=adcode, measure=measure)
    lang = data.lang
    label = t("parks" if measure == "parks" else "floor_area", lang)
    ax.set_title(t("chart_title", lang, measure=label), fontsize=fontsize * 1.1, loc="left")
    if rows.empty:
        return
    start, end = pd.Timestamp(data.targets.baseline_date), pd.Timestamp(data.targets.period_end)
    baseline, target = float(rows["baseline"].iloc[0]), float(rows["target"].iloc[-1])
    ax.plot(
        [start, end],
        [baseline, target],
        color=TRAJECTORY_COLOUR,
        linestyle="--",
        linewidth=1.4,
        label=t("chart_trajectory_dates", lang, baseline=data.targets.baseline_date.isoformat(), end=data.targets.period_end.isoformat()),
    )
    ax.axhline(target, color=TARGET_COLOUR, linestyle=":", linewidth=1.0, label=f"{t('chart_target', lang)} {target:,.0f}")
    shown = rows[rows["as_of"] <= pd.Timestamp(data.as_of)]
    ax.plot(shown["as_of"], shown["value"], color=ACTUAL_COLOUR, marker="o", markersize=2.5, linewidth=1.8, label=t("chart_actual", lang))
    ax.axvline(end, color="#9e9e9e", linewidth=0.6)
    ax.xaxis.set_major_locator(YearLocator())
    ax.xaxis.set_major_formatter(DateFormatter("%Y"))
    ax.tick_params(labelsize=fontsize * 0.9)
    ax.grid(axis="y", color="#e0e0e0", linewidth=0.5)
    top = max(float(shown["value"].max()) if len(shown) else 0.0, target, baseline)
    ax.set_ylim(0, top * 1.45 or 1.0)  # headroom for the legend above the lines
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.legend(fontsize=fontsize * 0.85, loc="upper left", frameon=False)
