"""The plan's enterprise targets that loaded enterprise data can measure.

Three kinds of plan target can be counted from an enterprise register (the
values come from the plan file, :func:`geo.region.targets.load_plan_targets`):

* ``new_small_micro_firms``: firms with ``size_class`` small or
  micro and a ``registration_date`` from the plan start to ``as_of``;
* ``new_major_industry_firms``: of those new small-micro firms, the
  ones with a ``major_industry`` (one of the eight 万亿 industries) — a subset,
  as the plan words it ("其中"), so it can never exceed the first figure;
* ``new_tech_firms``: firms with ``tech_type`` True registered in the
  same window. The plan counts firms *newly recognised* as tech-type; the
  register gives no recognition date, so firms registered earlier and
  recognised since the plan start are missed: the figure is a lower bound, and the
  note says so.

An indicator is computed only when its fields are present with at least one
non-null value; otherwise its row says "no data" and its value is empty.
Nothing is estimated or filled in. Rows with a null in a needed field are
left out of the count, and the note gives how many rows had the data.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import pandas as pd

INDICATOR_FIELDS: dict[str, tuple[str, ...]] = {
    "new_small_micro_firms": ("registration_date", "size_class"),
    "new_major_industry_firms": ("registration_date", "size_class", "major_industry"),
    "new_tech_firms": ("registration_date", "tech_type"),
}
INDICATOR_LABELS_EN = {
    "new_small_micro_firms": "New small-micro firms since the plan start",
    "new_major_industry_firms": "Of them, in the eight major industries",
    "new_tech_firms": "New tech-type firms (lower bound)",
}
INDICATOR_COLUMNS = ["indicator_id", "indicator_en", "value", "target", "pct_complete", "status", "rows_with_data", "note"]
NO_DATA = "no data"
MEASURED = "measured"


def _has_data(enterprises: pd.DataFrame, fields: tuple[str, ...]) -> list[str]:
    """Return the fields that are missing or empty in every row."""
    return [f for f in fields if f not in enterprises.columns or enterprises[f].isna().all()]


def _selection(enterprises: pd.DataFrame, indicator: str) -> pd.Series:
    if indicator == "new_small_micro_firms":
        return enterprises["size_class"].isin(["small", "micro"]).fillna(False).astype(bool)
    if indicator == "new_major_industry_firms":
        small_micro = enterprises["size_class"].isin(["small", "micro"]).fillna(False).astype(bool)
        return enterprises["major_industry"].notna() & small_micro
    return enterprises["tech_type"].astype("boolean").fillna(False).astype(bool)


def enterprise_indicators(
    enterprises: pd.DataFrame,
    *,
    targets: Mapping[str, float],
    period_start: date,
    as_of: date | None = None,
) -> pd.DataFrame:
    """Return the measurable enterprise indicators against their targets.

    Parameters
    ----------
    enterprises
        The enterprise table (ENTERPRISE_COLUMNS; geometry and CRS are not used).
    targets
        Target per indicator id, e.g. from :func:`geo.region.targets.load_plan_targets`:
        ``dict(zip(plan["indicator_id"], plan["target_value"]))``.
    period_start
        First day of the plan (``Plan.period_start``): firms registered from then on are new.
    as_of
        Last registration date counted (inclusive); None counts all.

    Returns
    -------
    DataFrame with INDICATOR_COLUMNS, one row per indicator in INDICATOR_FIELDS:
    ``value`` (Int64, <NA> for "no data"), ``target``, ``pct_complete``,
    ``status`` ("measured" or "no data") and a ``note`` saying what was counted
    or which field is missing.
    """
    rows = []
    for indicator, fields in INDICATOR_FIELDS.items():
        target = float(targets.get(indicator, float("nan")))
        missing = _has_data(enterprises, fields)
        base = {"indicator_id": indicator, "indicator_en": INDICATOR_LABELS_EN[indicator], "target": target}
        if missing:
            note = f"no value in field(s) {', '.join(missing)}"
            rows.append({**base, "value": pd.NA, "pct_complete": float("nan"), "status": NO_DATA, "rows_with_data": 0, "note": note})
            continue
        registered = pd.to_datetime(enterprises["registration_date"], errors="coerce")
        known = registered.notna() & enterprises[fields[1]].notna()
        window = registered >= pd.Timestamp(period_start)
        if as_of is not None:
            window &= registered <= pd.Timestamp(as_of)
        value = int((known & window & _selection(enterprises, indicator)).sum())
        note = f"{int(known.sum())} of {len(enterprises)} rows give {' and '.join(fields)}"
        if indicator == "new_tech_firms":
            note += "; registered since the plan start (recognition dates are not in the data: a lower bound)"
        pct = 100.0 * value / target if target > 0 else float("nan")
        rows.append({**base, "value": value, "pct_complete": pct, "status": MEASURED, "rows_with_data": int(known.sum()), "note": note})
    table = pd.DataFrame(rows, columns=INDICATOR_COLUMNS)
    table["value"] = table["value"].astype("Int64")
    return table
