"""The reporting cycle on the dashboard: which period each county's figures are from, who has not reported, and how completely."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from geo.reporting.lines import data_line
from geo.reporting.periods import Period, period_of
from geo.reporting.submissions import board_state
from geo.words import t
from ui import shared
from ui.reporting import completeness_by_county, county_names, cycle, due_days, period_label


def data_periods_text(loaded: shared.Loaded, lang: str) -> str:
    """Which period each county's figures describe (:func:`geo.reporting.lines.data_line`), or the file and its date.

    Parameters
    ----------
    loaded
        The register shown (its ``dates``: county → the date its rows describe).
    lang
        ``zh`` or ``en``.

    Returns
    -------
    str
        Plain text (county and file names are data: escape it before Markdown).
    """
    if not loaded.dates:
        return t("data_source", lang, source=loaded.info.source_name, date=loaded.info.reporting_date.isoformat())
    return data_line(loaded.dates, names=county_names(lang), lang=lang, cycle=cycle(), sources=loaded.sources)


def due_period(today: date) -> Period:
    """The latest period that has ended: the one the counties are reporting now."""
    return period_of(today, cycle=cycle()).previous()


def missing_counties_notice(lang: str, *, today: date | None = None) -> None:
    """At the top of the dashboard: the counties that have not reported the current period (late ones as a warning)."""
    today = today or date.today()
    store = shared.current_store()
    everything = store.list_submissions()
    if not everything:
        return
    period = due_period(today)
    names = county_names(lang)
    states = {c: board_state(everything, county_adcode=c, period=period, today=today, grace_days=due_days()) for c in names}
    late = [names[c] for c, s in states.items() if s in ("late", "returned")]
    waiting = [names[c] for c, s in states.items() if s == "not_submitted"]
    due = period.due(grace_days=due_days())
    label = period_label(period, lang)
    sep = "、" if lang == "zh" else ", "
    if late:
        st.warning(shared.md_text(t("cycle_late", lang, period=label, due=due.isoformat(), counties=sep.join(late), n=len(late))))
    if waiting:
        st.info(shared.md_text(t("cycle_waiting", lang, period=label, due=due.isoformat(), counties=sep.join(waiting), n=len(waiting))))


def completeness_table(lang: str, *, today: date | None = None) -> pd.DataFrame:
    """Each county's reporting over the plan period so far: periods due, reported, on time, and the rate."""
    done = completeness_by_county(shared.current_store().list_submissions(), today=today or date.today())
    return pd.DataFrame(
        [
            {
                t("county", lang): name,
                t("cycle_col_due", lang): done[adcode].due,
                t("cycle_col_reported", lang): done[adcode].reported,
                t("cycle_col_on_time", lang): done[adcode].on_time,
                t("cycle_col_rate", lang): done[adcode].percent,
            }
            for adcode, name in county_names(lang).items()
        ]
    )


def completeness_section(lang: str) -> None:
    """A folded table of each county's reporting completeness over the plan period."""
    if not shared.current_store().list_submissions():
        return
    with st.expander(t("cycle_completeness", lang)):
        plan = shared.city_targets()
        start, end = plan.period_start.isoformat(), plan.period_end.isoformat()
        st.caption(t("cycle_completeness_help", lang, start=start, end=end, days=due_days()))
        table = completeness_table(lang)
        rate = t("cycle_col_rate", lang)
        st.dataframe(
            table,
            hide_index=True,
            width="stretch",
            column_config={rate: st.column_config.ProgressColumn(rate, min_value=0, max_value=100, format="%.0f%%")},
        )


def sample_banner(loaded: shared.Loaded, lang: str) -> None:
    """Say the data is synthetic: all of it, or the counties whose real reports have not come in yet."""
    names = county_names(lang)
    synthetic = [names.get(c, c) for c in names if c in loaded.synthetic_counties]
    if not loaded.dates or len(synthetic) == len(loaded.dates):
        st.warning(t("sample_banner", lang))
        return
    sep = "、" if lang == "zh" else ", "
    st.warning(shared.md_text(t("sample_banner_partial", lang, counties=sep.join(synthetic), n=len(synthetic))))
