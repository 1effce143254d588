"""The selected park's quarterly history, under its details: a small chart, a table, and a status going back in words.

The history comes from the approved submissions of the park's county only
(:func:`geo.reporting.history.park_history`). It is cached on the store's
location, the park and the ids of those submissions, so a new approval shows
at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import altair as alt
import pandas as pd
import streamlit as st

from geo.errors import StoreError
from geo.reporting.history import park_history, periods_in_force, status_regressions
from geo.reporting.periods import Period, parse_period
from geo.schema import SQM_PER_WAN_SQM, STATUS_LABELS_EN, STATUS_LABELS_ZH
from geo.words import t
from ui import shared
from ui.reporting import period_label

MIN_PERIODS: Final = 2  # fewer than this: nothing to compare, one line says so
CHART_WIDTH_PX: Final = 240
CHART_HEIGHT_PX: Final = 120
FLOOR_COLOUR: Final = "#1f77b4"
OCCUPANCY_COLOUR: Final = "#2ca02c"


def park_history_section(park_id: str, county_adcode: str, lang: str) -> None:
    """Draw the park's quarterly timeline: floor area and occupancy over the periods, a table, status regressions.

    Parameters
    ----------
    park_id
        The park selected on the map.
    county_adcode
        Its county (only that county's approved submissions are read).
    lang
        ``zh`` or ``en``.
    """
    store = shared.current_store()
    approved = tuple(sorted(s.submission_id for s in periods_in_force(store.list_submissions()) if s.county_adcode == county_adcode))
    try:
        history = cached_history(str(shared.store_location()), str(park_id), str(county_adcode), approved)
    except StoreError as exc:
        st.error(shared.md_text(f"{t('history_unreadable', lang)}: {exc}"))
        return
    st.markdown(f"**{t('history_park_title', lang)}**")
    if len(history) < MIN_PERIODS:
        st.caption(t("history_too_short", lang, n=len(history)))
        return
    labels = [period_label(_period(code), lang) for code in history["period"]]
    for text in regression_lines(history, lang):
        st.warning(text)
    names = list(dict.fromkeys(str(n) for n in history["name"].dropna()))
    if len(names) > 1:
        st.caption(t("history_renamed", lang, names=shared.md_text(" → ".join(names))))
    st.altair_chart(history_chart(history, labels, lang), width="content")
    st.dataframe(shared.shown(history_table(history, labels, lang)), hide_index=True, width="stretch")


@st.cache_data(show_spinner=False, max_entries=32)
def cached_history(location: str, park_id: str, county_adcode: str, approved: tuple[int, ...]) -> pd.DataFrame:
    """The park's history from the store at ``location``; ``approved`` (the county's approved submission ids) is the key
    that changes with a new approval."""
    del approved  # cache key only
    return park_history(shared.get_store(location), park_id, county_adcode=county_adcode)


def regression_lines(history: pd.DataFrame, lang: str) -> list[str]:
    """One sentence per status going back (a later status earlier in the order 谋划 → 在建 → 建成 → 已认定)."""
    words = STATUS_LABELS_ZH if lang == "zh" else STATUS_LABELS_EN
    return [
        t(
            "history_regression",
            lang,
            period=period_label(_period(step["period"]), lang),
            period_before=period_label(_period(step["period_before"]), lang),
            before=words[step["status_before"]],
            after=words[step["status"]],
        )
        for step in status_regressions(history).to_dict("records")
    ]


def history_chart(history: pd.DataFrame, labels: Sequence[str], lang: str) -> alt.HConcatChart:
    """Floor area (万㎡) and occupancy (%) over the periods, side by side; each period on its own tick."""
    data = pd.DataFrame(
        {
            "quarter": list(labels),
            "floor": (history["floor_area_m2"] / SQM_PER_WAN_SQM).round(2).to_numpy(),
            "occupancy": history["occupancy_pct"].round(1).to_numpy(),
        }
    )
    x = alt.X("quarter:O", sort=list(labels), title=None, axis=alt.Axis(labelAngle=-45))

    def line(field: str, title: str, colour: str) -> alt.Chart:
        tooltip = [alt.Tooltip("quarter:O", title=t("history_col_period", lang)), alt.Tooltip(f"{field}:Q", title=title, format=",.1f")]
        chart = alt.Chart(data, width=CHART_WIDTH_PX, height=CHART_HEIGHT_PX, title=title)
        return chart.mark_line(point=True, color=colour).encode(x=x, y=alt.Y(f"{field}:Q", title=None), tooltip=tooltip)

    floor = line("floor", t("history_chart_floor", lang), FLOOR_COLOUR)
    occupancy = line("occupancy", t("history_chart_occupancy", lang), OCCUPANCY_COLOUR)
    return alt.hconcat(floor, occupancy)


def history_table(history: pd.DataFrame, labels: Sequence[str], lang: str) -> pd.DataFrame:
    """The history as shown: period label, name, status label, floor area in 万㎡, occupancy, enterprises, tax per mu.

    An empty figure stays empty (no data), never 0.
    """
    words = STATUS_LABELS_ZH if lang == "zh" else STATUS_LABELS_EN
    rows = history.reset_index(drop=True)
    return pd.DataFrame(
        {
            t("history_col_period", lang): list(labels),
            t("history_col_name", lang): rows["name"],
            t("history_col_status", lang): rows["status"].map(lambda s: words.get(s, s)),
            t("history_col_floor", lang): (rows["floor_area_m2"] / SQM_PER_WAN_SQM).round(2),
            t("history_col_occupancy", lang): rows["occupancy_pct"].round(1),
            t("history_col_enterprises", lang): rows["enterprises"].round().astype("Int64"),
            t("history_col_tax_per_mu", lang): rows["tax_per_mu_wan_yuan"].round(2),
        }
    )


def _period(code: str) -> Period:
    """A period from its code (``2024Q3`` for a quarter, ``2024-09`` for a month)."""
    return parse_period(code, cycle="quarter" if "Q" in code else "month")
