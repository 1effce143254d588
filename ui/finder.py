"""Finding parks: search by name or operator, the park table linked to the map, its export, and the coverage gaps ranked."""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Mapping
from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd
import streamlit as st

from geo.analysis.dashboard import status_as_of
from geo.crs import wgs84_to_gcj02
from geo.export_safety import neutralise_formulas
from geo.fields import column_values, get_field, sheet_values
from geo.words import t
from layers.base import basemap_datum
from ui import shared

FOCUS_KEY = "map_focus"  # {"lat", "lon", "zoom", "park_id"}: where the map goes after a search or a table click
PARK_ZOOM, GAP_ZOOM = 15, 14
TABLE_FIELDS = (
    "name", "county_adcode", "township", "status", "floor_area_m2", "land_area_mu", "occupancy_pct",
    "enterprises", "tax_per_mu_wan_yuan", "main_industry", "operator",
)  # fmt: skip
TABLE_HEIGHT_PX = 320


def _key(text: object) -> str:
    """Text as searched: NFKC, no spaces, lower case (全角 and 半角 alike)."""
    return "".join(unicodedata.normalize("NFKC", "" if text is None or text != text else str(text)).split()).lower()


def search_parks(parks: gpd.GeoDataFrame, query: str) -> gpd.GeoDataFrame:
    """Return the parks whose name or operator contains ``query`` (every word of it), in the register's order.

    Parameters
    ----------
    parks
        The parks shown.
    query
        What the planner typed: words separated by spaces, each must appear in the name or the operator.

    Returns
    -------
    GeoDataFrame
        The matching rows (all rows when the query is blank).
    """
    words = [_key(w) for w in str(query).split() if _key(w)]
    if not words:
        return parks
    haystack = parks["name"].map(_key) + "|" + (parks["operator"].map(_key) if "operator" in parks else "")
    keep = pd.Series(True, index=parks.index)
    for word in words:
        keep &= haystack.str.contains(word, regex=False)
    return parks[keep]


def park_table(parks: gpd.GeoDataFrame, *, as_of: date, names: Mapping[str, str], lang: str) -> pd.DataFrame:
    """Return the parks as the table shows and exports them: status on ``as_of``, units 万㎡ and 亩, labels in ``lang``.

    Parameters
    ----------
    parks
        The parks.
    as_of
        The date whose status is shown.
    names
        County name by adcode.
    lang
        ``zh`` or ``en``.

    Returns
    -------
    DataFrame
        One row per park, the park ids as its index.
    """
    shown = parks.assign(status=status_as_of(parks, as_of=as_of))
    out = {}
    for name in TABLE_FIELDS:
        item = get_field(name)
        out[item.label(lang, sink="workbook")] = sheet_values(item, column_values(shown, item), lang, names=names)
    return pd.DataFrame(out).set_axis(parks["park_id"].astype(str).to_list())


def table_xlsx(table: pd.DataFrame, *, sheet: str) -> bytes:
    """The table as an xlsx workbook whose text cannot run as a formula (names and operators come from files)."""
    buffer = io.BytesIO()
    options = {"strings_to_formulas": False, "strings_to_urls": False}
    with pd.ExcelWriter(buffer, engine="xlsxwriter", engine_kwargs={"options": options}) as xl:
        neutralise_formulas(table).to_excel(xl, sheet_name=sheet, index=False)
    return buffer.getvalue()


def focus_on(lat: float, lon: float, *, zoom: int, park_id: str | None = None) -> None:
    """Send the map to a place (WGS-84) on the next run, and open that park's details."""
    county = st.session_state.get("county")
    st.session_state[FOCUS_KEY] = {"lat": float(lat), "lon": float(lon), "zoom": int(zoom), "park_id": park_id, "county": county}
    if park_id is not None:
        st.session_state["park_clicked"] = park_id


def clear_focus() -> None:
    """Let the map show the city or the county again (a callback: map click, 返回全市, 回到全图)."""
    st.session_state.pop(FOCUS_KEY, None)


def focus(adcode: str, *, basemap: str) -> dict | None:
    """Where the map should be centred now: ``{"center": (lat, lon), "zoom": z}`` in the basemap's datum, or None.

    A focus set while another county was shown (the sidebar's box changed since) is dropped.
    """
    wanted = st.session_state.get(FOCUS_KEY)
    if not wanted:
        return None
    if wanted.get("county") not in (None, adcode):
        clear_focus()
        return None
    lon, lat = wanted["lon"], wanted["lat"]
    if basemap_datum(basemap) == "gcj02":  # Amap / Tianditu-style tiles: overlays and the centre are shifted alike
        glon, glat = wgs84_to_gcj02(np.array([lon]), np.array([lat]))
        lon, lat = float(glon[0]), float(glat[0])
    return {"center": (lat, lon), "zoom": wanted["zoom"]}


def park_finder_section(parks: gpd.GeoDataFrame, view: dict, lang: str) -> None:
    """园区查找: a search box and the park table; a chosen row moves the map to the park and opens its details."""
    st.subheader(t("finder_title", lang))
    query = st.text_input(t("finder_search", lang), placeholder=t("finder_placeholder", lang), key="park_search")
    order = {c.adcode: i for i, c in enumerate(shared.region().counties)}
    found = search_parks(parks, query)
    found = found.iloc[found["county_adcode"].astype(str).map(order).fillna(len(order)).argsort(kind="stable")]  # the region's order
    names = {k: v for k, v in view["names"].items() if k != shared.region().adcode}
    table = park_table(found, as_of=view["as_of"], names=names, lang=lang)
    st.caption(t("finder_count", lang, n=len(found), total=len(parks)))
    if query.strip() and found.empty:
        st.info(t("finder_none", lang))
        return
    picked = st.dataframe(
        shared.shown(table),
        hide_index=True,
        width="stretch",
        height=TABLE_HEIGHT_PX,
        on_select="rerun",
        selection_mode="single-row",
        key="park_table",
    )
    rows = list(getattr(getattr(picked, "selection", None), "rows", []) or [])
    if rows:
        chosen = found.iloc[rows[0]]
        park_id = str(chosen["park_id"])
        if st.session_state.get(FOCUS_KEY, {}).get("park_id") != park_id:
            focus_on(chosen.geometry.y, chosen.geometry.x, zoom=PARK_ZOOM, park_id=park_id)
            st.rerun()
    file_name = t("finder_file", lang, date=view["as_of"].isoformat())
    st.download_button(t("finder_download", lang, n=len(found)), table_xlsx(table, sheet=t("layer_parks", lang)), file_name=file_name)


def ranked_gaps(gaps: gpd.GeoDataFrame, *, names: Mapping[str, str], lang: str) -> pd.DataFrame:
    """Return the coverage gaps ranked within each county by their firms (the most first), as the table shows them.

    Parameters
    ----------
    gaps
        From :func:`geo.analysis.gaps.coverage_gaps` (``county_adcode``, ``firms``, ``rank_in_county``,
        ``nearest_park_distance_m``, hexagons).
    names
        County name by adcode.
    lang
        ``zh`` or ``en``.

    Returns
    -------
    DataFrame
        County, rank in the county, firms, distance to the nearest park (km; blank when no park covers) and
        the centre; the county with the most firms in gaps first, then by rank.
    """
    if gaps.empty:
        return pd.DataFrame()
    centres = gaps.geometry.to_crs("EPSG:4549").centroid.to_crs(gaps.crs)
    county = gaps["county_adcode"].astype(str)
    table = pd.DataFrame(
        {
            "county": county.map(names).fillna(county),
            "rank": gaps["rank_in_county"].astype(int),
            "firms": gaps["firms"].astype(int),
            "nearest_km": (pd.to_numeric(gaps["nearest_park_distance_m"], errors="coerce") / 1000).round(1),
            "lat": centres.y.round(5),
            "lon": centres.x.round(5),
        }
    )
    table["total"] = table.groupby("county")["firms"].transform("sum")
    table = table.sort_values(["total", "county", "rank"], ascending=[False, True, True], kind="stable")
    words = {"county": t("county", lang), "firms": t("tip_small_firms", lang)}
    words |= {k: t(f"gaps_col_{k}", lang) for k in ("rank", "nearest_km", "lat", "lon")}
    return table.drop(columns=["total"]).rename(columns=words).reset_index(drop=True)


def ranked_gaps_section(gaps: gpd.GeoDataFrame | None, view: dict, lang: str) -> None:
    """覆盖缺口排名: each county's gaps ranked; a chosen row moves the map to the gap."""
    if gaps is None:
        return
    with st.expander(t("gaps_title", lang), expanded=bool(view["layers"]["gaps"])):
        names = {k: v for k, v in view["names"].items() if k != shared.region().adcode}
        table = ranked_gaps(gaps, names=names, lang=lang)
        if table.empty:
            st.info(t("gaps_none", lang))
            return
        st.caption(t("gaps_help", lang))
        picked = st.dataframe(table, hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row", key="gap_table")
        rows = list(getattr(getattr(picked, "selection", None), "rows", []) or [])
        if rows:
            row = table.iloc[rows[0]]
            lat, lon = float(row[t("gaps_col_lat", lang)]), float(row[t("gaps_col_lon", lang)])
            focus = st.session_state.get(FOCUS_KEY, {})
            if (focus.get("lat"), focus.get("lon")) != (lat, lon):
                focus_on(lat, lon, zoom=GAP_ZOOM)
                st.rerun()
