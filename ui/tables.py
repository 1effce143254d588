"""Tables of the dashboard: counties against quotas, park details, land use, enterprise indicators."""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import pandas as pd
import streamlit as st

from geo.analysis.dashboard import city_view_row, county_view, plan_over, status_as_of
from geo.analysis.indicators import MEASURED, enterprise_indicators
from geo.analysis.land_use import land_use_by_county
from geo.export_safety import neutralise_formulas
from geo.fields import column_values, format_value, shown_in
from geo.region.targets import load_plan_targets
from geo.schema import SQM_PER_WAN_SQM
from geo.words import columns, t, verdict, verdict_header
from ui import shared
from ui.history import park_history_section
from ui.words import titled

PCT_BAR_PX = 105  # a % column: its number and a bar long enough to compare


def _area_names(table: pd.DataFrame, counties: gpd.GeoDataFrame, lang: str) -> pd.Series:
    """The county (or whole-city) name of each row, in ``lang``, from its ``adcode``."""
    names = dict(zip(counties["adcode"].astype(str), counties["name" if lang == "zh" else "name_en"].astype(str), strict=True))
    names[shared.region().adcode] = t("city", lang)
    return table["adcode"].astype(str).map(names).fillna(table["name"])


def county_table(progress: pd.DataFrame, counties: gpd.GeoDataFrame, lang: str, *, with_city: bool = False) -> pd.DataFrame:
    """Return each county against its quota (and the whole city last), headers in ``lang`` (the catalogue's ``county`` table)."""
    view, final = county_view(progress, counties, area_km2=shared.county_areas()), plan_over(progress)
    if with_city:
        view = pd.concat([view, pd.DataFrame([city_view_row(progress, name=t("city", lang))])], ignore_index=True)
    english = view["adcode"].map(dict(zip(counties["adcode"], counties["name_en"], strict=True))).fillna(view["name"])
    names = view["name"] if lang == "zh" else english
    table = pd.DataFrame(
        {
            "name": names,
            "parks": view["parks"].astype(int),
            "parks_quota": view["parks_quota"].astype(int),
            "parks_pct": view["parks_pct"].round(1),
            "floor_area_wan_m2": (view["floor_area_m2"] / SQM_PER_WAN_SQM).round(1),
            "floor_quota_wan_m2": (view["floor_quota_m2"] / SQM_PER_WAN_SQM).round(0),
            "floor_pct": view["floor_pct"].round(1),
            "rank": view["rank"],
            "on_track": view["on_track"].map(lambda v: verdict(v, final=final, lang=lang)),
            "pipeline_parks": view["pipeline_parks"].astype(int),
        }
    )
    headers = columns("county", lang) | {"on_track": verdict_header(final=final, lang=lang)}
    return table.sort_values("rank").reset_index(drop=True).rename(columns=headers)


def county_table_section(progress: pd.DataFrame, counties: gpd.GeoDataFrame, lang: str) -> None:
    st.subheader(t("county_table", lang))
    table = county_table(progress, counties, lang)
    headers = columns("county", lang)
    pct_cols = [headers["parks_pct"], headers["floor_pct"]]
    # a fixed width: sized to its header, "Parks %" left the bar a few pixels wide
    config = {c: st.column_config.ProgressColumn(c, format="%.1f%%", min_value=0, max_value=100, width=PCT_BAR_PX) for c in pct_cols}
    st.dataframe(shared.shown(table), hide_index=True, width="stretch", column_config=config)
    quotas = shared.quotas()
    if not quotas["official"].all():
        st.caption(f"⚠ {t('quota_indicative', lang)}")
    as_of = pd.Timestamp(progress["as_of"].iloc[0]).date().isoformat()
    st.download_button(
        t("download_csv", lang), county_csv(progress, counties, lang), file_name=t("county_csv_file", lang, date=as_of), mime="text/csv"
    )


def county_csv(progress: pd.DataFrame, counties: gpd.GeoDataFrame, lang: str) -> bytes:
    """The county table as a CSV a planner can file: its as-of date on every row and a last row for the whole city."""
    table = county_table(progress, counties, lang, with_city=True)
    table.insert(0, t("as_of_label", lang), pd.Timestamp(progress["as_of"].iloc[0]).date().isoformat())
    return neutralise_formulas(table).to_csv(index=False).encode("utf-8-sig")


def park_details(parks: gpd.GeoDataFrame, park_id: str | None, names: Mapping[str, str], lang: str) -> None:
    """Show the clicked park's register entry (text shown as given, never as HTML).

    The rows are the catalogue fields whose ``shows.details`` is set (:mod:`geo.fields`).
    """
    if not park_id:
        return
    match = parks[parks["park_id"].astype(str) == str(park_id)]
    if match.empty:
        return
    fields = {
        item.label(lang, sink="details"): format_value(item, column_values(match, item).iloc[0], lang, names=names)
        for item in shown_in("details")
    }
    with st.container(border=True):
        st.markdown(f"**{t('park_details', lang)}**")
        shown = pd.DataFrame({"": list(fields), " ": list(fields.values())})
        st.dataframe(shared.shown(shown), hide_index=True, width="stretch")
        park_history_section(str(park_id), str(match["county_adcode"].iloc[0]), lang)


def land_use_section(parks: gpd.GeoDataFrame, counties: gpd.GeoDataFrame, view: dict, lang: str) -> None:
    with st.expander(t("land_use", lang)):
        current = parks.assign(status=status_as_of(parks, as_of=view["as_of"]))
        table = land_use_by_county(current, counties=counties, statuses=view["statuses"] or ("built", "certified"))
        table = table.assign(name=_area_names(table, counties, lang)).drop(columns=["adcode"])
        st.dataframe(titled(shared.shown(table).round(2), "land_use", lang), hide_index=True, width="stretch")
    with st.expander(t("indicators", lang)):
        firms = shared.current("enterprises")
        if firms is None:
            st.info(t("no_data", lang))
            return
        plan = load_plan_targets(shared.plan())
        targets = dict(zip(plan["indicator_id"], plan["target_value"], strict=True))
        table = enterprise_indicators(firms.data, targets=targets, period_start=shared.city_targets().period_start, as_of=view["as_of"])
        st.dataframe(shared.shown(_indicator_table(table, lang)), hide_index=True, width="stretch")


def _indicator_table(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The plan's enterprise indicators with their names from the plan and headers and statuses in ``lang``.

    The ``note`` (which fields the register gives) is written in English by the analysis and shown in English only.
    """
    plan = shared.plan()
    names = {target.id: target.label if lang == "zh" else target.label_en for target in plan.targets}
    shown = table.assign(indicator=table["indicator_id"].map(names).fillna(table["indicator_en"]))
    shown["status"] = shown["status"].map(lambda v: t("status_measured" if v == MEASURED else "no_data", lang))
    kept = ["indicator", "value", "target", "pct_complete", "status", "rows_with_data"] + (["note"] if lang == "en" else [])
    return shown[kept].rename(columns=columns("indicators", lang))
