"""What the dashboard shows, computed from the analytics: pure tables, no UI.

The app turns these into widgets; tests check them without a browser.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.analysis.progress import city_row_adcode
from geo.crs import area_m2
from geo.region.region import is_city_adcode
from geo.schema import SQM_PER_WAN_SQM


def as_of_choices(*, reported_on: date | None, today: date, first_year: int = 2018, last_year: int = 2024) -> list[date]:
    """Return the dates a planner can pick: quarter ends from ``first_year`` Q1, plus the register's reporting date.

    The range runs to the end of ``last_year`` or of the quarter holding
    ``today`` or the reporting date, whichever is latest, so a register
    reported today can always be looked at on its own date.

    Parameters
    ----------
    reported_on
        The register's reporting date, if known.
    today
        Today's date.
    first_year
        The first year offered (from its first quarter).
    last_year
        The range runs at least to the end of this year.

    Returns
    -------
    list of date
        Quarter ends and the reporting date, sorted.
    """
    latest = max(date(last_year, 12, 31), today, reported_on or today)
    ends = [d.date() for d in pd.date_range(f"{first_year}-01-01", pd.Timestamp(latest) + pd.offsets.QuarterEnd(0), freq="QE")]
    return sorted(set(ends) | ({reported_on} if reported_on else set()))


def default_as_of(choices: Sequence[date], *, reported_on: date | None) -> date:
    """Return the register's reporting date when it is a choice (undated parks count from it), else the last choice.

    Parameters
    ----------
    choices
        The dates offered, sorted (from :func:`as_of_choices`).
    reported_on
        The register's reporting date, if known.

    Returns
    -------
    date
        The date the dashboard opens on.
    """
    if reported_on in choices:
        return reported_on  # type: ignore[return-value]
    return choices[-1]


@dataclass(frozen=True)
class Headline:
    """The indicators at the top of the page, for the city or one county."""

    adcode: str
    name: str
    parks: float
    parks_target: float
    parks_pct: float
    floor_area_m2: float
    floor_area_target_m2: float
    floor_pct: float
    time_elapsed_share: float
    parks_on_track: bool | None  # None before the plan starts
    floor_on_track: bool | None
    pipeline_parks: float
    pipeline_floor_area_m2: float
    projected_parks: float
    projected_floor_area_m2: float
    target_official: bool
    final: bool
    parks_met: bool | None
    floor_met: bool | None
    final_parks: float  # at the plan's end date (NaN before it)
    final_floor_area_m2: float
    parks_margin: float  # final minus target (NaN before the end)
    floor_margin_m2: float
    undated_parks: int  # parks with a counted status and no dates: they count from the reporting date


def headline(progress: pd.DataFrame, *, adcode: str | None = None) -> Headline:
    """Return the headline indicators of one area (None: the whole city) from :func:`geo.analysis.progress.progress_as_of`.

    Parameters
    ----------
    progress
        Progress rows from :func:`geo.analysis.progress.progress_as_of` (city row and one per county).
    adcode
        The county's adcode; None for the whole city.

    Returns
    -------
    Headline
        The area's parks and floor area against its target, and whether it is on track.
    """
    adcode = adcode or city_row_adcode(progress)
    rows = progress[progress["adcode"].astype(str) == adcode].set_index("measure")
    if rows.empty:
        msg = f"No progress rows for adcode {adcode!r}."
        raise KeyError(msg)
    p, f = rows.loc["parks"], rows.loc["floor_area_m2"]
    final = bool(pd.notna(p["final"]))
    return Headline(
        adcode=adcode,
        name=str(p["name"]),
        parks=float(p["value"]),
        parks_target=float(p["target"]),
        parks_pct=float(p["pct_complete"]),
        floor_area_m2=float(f["value"]),
        floor_area_target_m2=float(f["target"]),
        floor_pct=float(f["pct_complete"]),
        time_elapsed_share=float(p["time_elapsed_share"]),
        parks_on_track=bool(p["on_track"]) if pd.notna(p["on_track"]) else None,
        floor_on_track=bool(f["on_track"]) if pd.notna(f["on_track"]) else None,
        pipeline_parks=float(p["pipeline"]),
        pipeline_floor_area_m2=float(f["pipeline"]),
        projected_parks=float(p["projected_end"]),
        projected_floor_area_m2=float(f["projected_end"]),
        target_official=bool(p["target_official"]),
        final=final,
        parks_met=bool(p["met"]) if final and pd.notna(p["met"]) else None,
        floor_met=bool(f["met"]) if final and pd.notna(f["met"]) else None,
        final_parks=float(p["final"]),
        final_floor_area_m2=float(f["final"]),
        parks_margin=float(p["margin"]),
        floor_margin_m2=float(f["margin"]),
        undated_parks=int(p["undated_parks"]),
    )


def county_view(progress: pd.DataFrame, counties: gpd.GeoDataFrame, *, area_km2: pd.Series | None = None) -> pd.DataFrame:
    """Return one row per county: values, quotas, % complete, rank, on track, density.

    Ranked by floor area % of quota (1 = furthest ahead), ties by parks %.

    Parameters
    ----------
    progress
        Progress rows from :func:`geo.analysis.progress.progress_as_of` (city row and one per county).
    counties
        County polygons with ``adcode``, any CRS (for the area in km²).
    area_km2
        Each county's area in km² by adcode, when the caller keeps it (:func:`county_areas_km2`);
        else measured from ``counties``.

    Returns
    -------
    DataFrame
        One row per county, in the order of ``counties``, with ``rank`` by floor area % of quota.
    """
    rows = progress[progress["adcode"].astype(str) != city_row_adcode(progress)]
    wide = rows.pivot(index="adcode", columns="measure", values=["value", "target", "pct_complete", "on_track", "pipeline"])
    wide.columns = [f"{stat}_{measure}" for stat, measure in wide.columns]
    names = rows.drop_duplicates("adcode").set_index("adcode")["name"]
    if area_km2 is None:
        area_km2 = county_areas_km2(counties)
    view = pd.DataFrame(
        {
            "adcode": wide.index.astype(str),
            "name": names.reindex(wide.index).to_numpy(),
            "parks": wide["value_parks"].to_numpy(dtype="float64"),
            "parks_quota": wide["target_parks"].to_numpy(dtype="float64"),
            "parks_pct": wide["pct_complete_parks"].to_numpy(dtype="float64"),
            "floor_area_m2": wide["value_floor_area_m2"].to_numpy(dtype="float64"),
            "floor_quota_m2": wide["target_floor_area_m2"].to_numpy(dtype="float64"),
            "floor_pct": wide["pct_complete_floor_area_m2"].to_numpy(dtype="float64"),
            # empty (<NA>) before the plan starts
            "on_track": (wide["on_track_parks"].astype("boolean") & wide["on_track_floor_area_m2"].astype("boolean")).to_numpy(),
            "pipeline_parks": wide["pipeline_parks"].to_numpy(dtype="float64"),
            "pipeline_floor_area_m2": wide["pipeline_floor_area_m2"].to_numpy(dtype="float64"),
        }
    )
    view["area_km2"] = view["adcode"].map(area_km2).to_numpy(dtype="float64")
    view["floor_area_per_km2"] = view["floor_area_m2"] / view["area_km2"]
    order = view.sort_values(["floor_pct", "parks_pct"], ascending=False, kind="stable").index
    view.loc[order, "rank"] = np.arange(1, len(view) + 1)
    view["rank"] = view["rank"].astype("int64")
    order_in_counties = counties["adcode"].astype(str).tolist()
    return view.set_index("adcode").loc[order_in_counties].reset_index()


def county_areas_km2(counties: gpd.GeoDataFrame) -> pd.Series:
    """Return each county's area in km² (EPSG:4549), indexed by adcode.

    Parameters
    ----------
    counties
        County polygons with ``adcode``, any CRS.

    Returns
    -------
    Series
        Area in km² by adcode (str).
    """
    return pd.Series(area_m2(counties) / 1e6, index=counties["adcode"].astype(str).to_numpy(), name="area_km2")


def measure_values(view: pd.DataFrame, measure: str) -> pd.Series:
    """Return the choropleth value per county (aligned with ``view``) for a measure key.

    Parameters
    ----------
    view
        The table from :func:`county_view`.
    measure
        A choropleth measure key, such as ``pct_floor_quota``.

    Returns
    -------
    Series of float
        The value per county, aligned with ``view``.
    """
    columns = {
        "pct_floor_quota": view["floor_pct"],
        "pct_parks_quota": view["parks_pct"],
        "parks": view["parks"],
        "floor_area_wan_m2": view["floor_area_m2"] / SQM_PER_WAN_SQM,
        "floor_area_per_km2": view["floor_area_per_km2"],
    }
    if measure not in columns:
        msg = f"Unknown measure {measure!r}; choose one of {', '.join(columns)}."
        raise ValueError(msg)
    return columns[measure]


def filter_parks(parks: gpd.GeoDataFrame, *, adcode: str | None = None, industries: Sequence[str] = ()) -> gpd.GeoDataFrame:
    """Return the parks of one county (None: all) and of the given main industries (empty: all).

    Parameters
    ----------
    parks
        The park register.
    adcode
        A county's adcode; None (or the city's) keeps every county.
    industries
        Main industries to keep; empty keeps all.

    Returns
    -------
    GeoDataFrame
        The parks kept, as given (a selection of rows).
    """
    keep = pd.Series(True, index=parks.index)
    if adcode and not is_city_adcode(adcode):
        keep &= parks["county_adcode"].astype(str) == adcode
    if industries:
        keep &= parks["main_industry"].isin(list(industries))
    return parks.loc[keep]


def floor_area_by_status(parks: pd.DataFrame, *, as_of: date) -> pd.DataFrame:
    """Return floor area (万㎡) per county and status, for parks whose start date is on or before ``as_of``.

    Parks with no start date are included (their timing is unknown).

    Parameters
    ----------
    parks
        The park register, with ``county_adcode``, ``status``, ``start_date`` and ``floor_area_m2``.
    as_of
        The date looked at.

    Returns
    -------
    DataFrame
        Columns ``county_adcode``, ``status``, ``floor_area_wan_m2``.
    """
    started = pd.to_datetime(parks["start_date"], errors="coerce")
    current = parks.loc[started.isna() | (started <= pd.Timestamp(as_of))]
    table = current.groupby(["county_adcode", "status"], observed=True)["floor_area_m2"].sum() / SQM_PER_WAN_SQM
    return table.rename("floor_area_wan_m2").reset_index()


_STATUS_RANK = {"planned": 0, "under_construction": 1, "built": 2, "certified": 3}


def status_as_of(parks: pd.DataFrame, *, as_of: date) -> pd.Series:
    """Return each park's status on ``as_of``, from its dates where it has them.

    A park counts as under construction from its start date, built from its
    completion date, certified from its certification date; it never shows a
    later stage than its current status. Parks without any date keep their
    current status.

    Parameters
    ----------
    parks
        The park register, with ``status`` and any of ``start_date``, ``completion_date``, ``certification_date``.
    as_of
        The date looked at.

    Returns
    -------
    Series of str
        Each park's status on ``as_of``; same index as ``parks``.
    """
    day = pd.Timestamp(as_of)
    rank = parks["status"].map(_STATUS_RANK)
    derived = pd.Series(0, index=parks.index)
    for column, stage in (("start_date", 1), ("completion_date", 2), ("certification_date", 3)):
        if column in parks:
            reached = pd.to_datetime(parks[column], errors="coerce") <= day
            derived = derived.where(~reached, np.maximum(derived, stage))
    dated = pd.Series(False, index=parks.index)
    for column in ("start_date", "completion_date", "certification_date"):
        if column in parks:
            dated |= pd.to_datetime(parks[column], errors="coerce").notna()
    result = np.where(dated, np.minimum(rank.fillna(0), derived), rank.fillna(0)).astype(int)
    names = {v: k for k, v in _STATUS_RANK.items()}
    return pd.Series([names[r] for r in result], index=parks.index, name="status")


def plan_over(progress: pd.DataFrame) -> bool:
    """Return True when ``progress`` is at or after the plan's end date (its verdicts are then met / not met).

    Parameters
    ----------
    progress
        A table from :func:`geo.analysis.progress.progress_as_of`.

    Returns
    -------
    bool
        Whether the final result is known.
    """
    return bool(len(progress)) and bool(progress["final"].notna().any())


def city_view_row(progress: pd.DataFrame, *, name: str) -> dict[str, object]:
    """Return the whole city as one more row of :func:`county_view` (rank empty), for tables that end with 全市.

    Parameters
    ----------
    progress
        A table from :func:`geo.analysis.progress.progress_as_of`.
    name
        The row's name, such as "全市".

    Returns
    -------
    dict
        The city's values under :func:`county_view`'s column names.
    """
    head = headline(progress)
    on_track = None if head.parks_on_track is None else head.parks_on_track and head.floor_on_track
    return {
        "adcode": head.adcode, "name": name, "parks": head.parks, "parks_quota": head.parks_target, "parks_pct": head.parks_pct,
        "floor_area_m2": head.floor_area_m2, "floor_quota_m2": head.floor_area_target_m2, "floor_pct": head.floor_pct,
        "on_track": on_track, "rank": pd.NA, "pipeline_parks": head.pipeline_parks,
        "pipeline_floor_area_m2": head.pipeline_floor_area_m2,
    }  # fmt: skip
