"""Comparing two dates: per county, parks and floor area counted at A and at B, and a map of what changed between them."""

from __future__ import annotations

from datetime import date

import geopandas as gpd
import pandas as pd
import streamlit as st

from geo.analysis.dashboard import city_view_row, county_view, status_as_of
from geo.analysis.progress import progress_as_of
from geo.reporting.changes import register_changes
from geo.schema import DEFAULT_COUNTED_STATUSES, SQM_PER_WAN_SQM
from geo.words import t
from ui import shared
from ui.reporting import review_map_section


def counted(parks: gpd.GeoDataFrame, *, as_of: date, statuses: tuple[str, ...], reported_on: date) -> pd.DataFrame:
    """Parks and floor area counted at ``as_of`` per county and for the whole city (the last row)."""
    progress = progress_as_of(
        parks, as_of=as_of, targets=shared.city_targets(), quotas=shared.quotas(), statuses=statuses, reported_on=reported_on
    )
    view = county_view(progress, shared.counties(), area_km2=shared.county_areas())
    city = pd.DataFrame([city_view_row(progress, name="")])
    return pd.concat([view, city], ignore_index=True)[["adcode", "parks", "floor_area_m2"]].set_index("adcode")


def comparison_table(before: pd.DataFrame, after: pd.DataFrame, *, names: dict[str, str], lang: str) -> pd.DataFrame:
    """Each county's parks and floor area (万㎡) counted at A and at B and the difference, the whole city last.

    Parameters
    ----------
    before, after
        From :func:`counted` at date A and at date B.
    names
        Area name by adcode (the city's adcode included).
    lang
        ``zh`` or ``en``.

    Returns
    -------
    DataFrame
        One row per area, headers in ``lang``.
    """
    rows = after.index
    floor_a, floor_b = before["floor_area_m2"].reindex(rows) / SQM_PER_WAN_SQM, after["floor_area_m2"] / SQM_PER_WAN_SQM
    return pd.DataFrame(
        {
            t("county", lang): [names.get(str(a), str(a)) for a in rows],
            t("compare_parks_a", lang): before["parks"].reindex(rows).astype("Int64").to_numpy(),
            t("compare_parks_b", lang): after["parks"].astype("Int64").to_numpy(),
            t("compare_parks_delta", lang): (after["parks"] - before["parks"].reindex(rows)).astype("Int64").to_numpy(),
            t("compare_floor_a", lang): floor_a.round(1).to_numpy(),
            t("compare_floor_b", lang): floor_b.round(1).to_numpy(),
            t("compare_floor_delta", lang): (floor_b - floor_a).round(1).to_numpy(),
        }
    )


def _register_at(latest: shared.Loaded, day: date) -> shared.Loaded:
    """The register in force on ``day`` (each county's report then); the latest before any report."""
    if not latest.dates or day >= latest.reporting_date:
        return latest
    return shared.current("parks", as_of=day) or latest


def compare_section(latest: shared.Loaded, view: dict, choices: list[date], lang: str) -> None:
    """两个日期对比: pick A and B; the table of what was counted then, and the map of parks added, gone and changed."""
    with st.expander(t("compare_title", lang)):
        if len(choices) < 2:
            st.info(t("compare_too_few", lang))
            return
        cols = st.columns(2)
        default_b = choices.index(view["as_of"]) if view["as_of"] in choices else len(choices) - 1
        b = cols[1].selectbox(t("compare_b", lang), choices, index=default_b, key="compare_b")
        a = cols[0].selectbox(t("compare_a", lang), choices, index=max(default_b - 4, 0), key="compare_a")
        if a >= b:
            st.warning(t("compare_order", lang))
            return
        statuses = view["statuses"] or DEFAULT_COUNTED_STATUSES
        first, second = _register_at(latest, a), _register_at(latest, b)
        before = counted(first.data, as_of=a, statuses=statuses, reported_on=min(first.reporting_date, a))
        after = counted(second.data, as_of=b, statuses=statuses, reported_on=min(second.reporting_date, b))
        names = dict(view["names"])
        st.dataframe(comparison_table(before, after, names=names, lang=lang), hide_index=True, width="stretch")
        selected = None if view["adcode"] == shared.region().adcode else view["adcode"]
        old, new = _on(first.data, a, selected), _on(second.data, b, selected)
        changes = register_changes(old, new)
        st.caption(t("compare_map_caption", lang, a=a.isoformat(), b=b.isoformat(), area=names.get(view["adcode"], "")))
        review_map_section(old, new, changes, lang=lang, key=f"compare_map_{a}_{b}_{view['adcode']}")


def _on(parks: gpd.GeoDataFrame, day: date, adcode: str | None) -> gpd.GeoDataFrame:
    """The parks of ``adcode`` (all when None) with their status on ``day``."""
    mine = parks if adcode is None else parks[parks["county_adcode"].astype(str) == adcode]
    return mine.assign(status=status_as_of(mine, as_of=day)).reset_index(drop=True)
