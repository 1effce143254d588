"""The data page's form for adding a plan (the next three-year plan, for example).

It calls :func:`geo.region.plans.add_plan`, the same function as
``python -m geo.region plan add``; a plan saved here can be chosen at once
(``st.session_state["plan_id"]``), and the dashboard, charts and pack follow it.
"""

from __future__ import annotations

from datetime import date, timedelta

import streamlit as st

from geo.errors import GeoDataError
from geo.region.plans import PlanInput, add_plan
from geo.region.region import COMPARISONS
from geo.schema import SQM_PER_WAN_SQM
from geo.words import t
from ui import shared


def _w(key: str, lang: str, **values: object) -> str:
    return t(f"plan_form_{key}", lang, **values)


def plan_section(lang: str) -> None:
    """Show the form that adds a plan to the region in use; on success the new plan becomes the chosen one.

    Parameters
    ----------
    lang
        ``"zh"`` or ``"en"``.
    """
    region, current = shared.region(), shared.plan()
    store = shared.current_store()
    if store.account.role != "city":  # plans are the city's to add
        return
    st.subheader(_w("heading", lang))
    start_default = current.period_end + timedelta(days=1)
    end_default = date(start_default.year + (current.period_end.year - current.period_start.year), 12, 31)
    example = f"{start_default.year}—{end_default.year}" if lang == "zh" else f"{start_default.year}–{end_default.year}"
    st.caption(_w("intro", lang, example=example))
    with st.form("add_plan"):
        left, right = st.columns(2)
        plan_id = left.text_input(_w("plan_id", lang), value=f"{start_default.year}-{end_default.year}")
        document = right.text_input(_w("document", lang))
        title = st.text_input(
            _w("title", lang), value=_w("default_title", lang, city=region.label(lang), start=start_default.year, end=end_default.year)
        )
        a, b, c = st.columns(3)
        start = a.date_input(_w("start", lang), value=start_default)
        end = b.date_input(_w("end", lang), value=end_default)
        baseline = c.date_input(_w("baseline", lang), value=start_default - timedelta(days=1))
        a, b, c = st.columns(3)
        parks = a.number_input(_w("parks", lang), min_value=0, value=int(current.parks), step=1)
        floor_wan = b.number_input(_w("floor", lang), min_value=0.0, value=current.floor_area_m2 / SQM_PER_WAN_SQM, step=10.0)
        comparison = c.selectbox(
            _w("comparison", lang),
            COMPARISONS,
            index=COMPARISONS.index(current.comparison),
            format_func=lambda k: t(f"cmp_{k}", lang),
        )
        lead_unit = st.text_input(_w("lead_unit", lang), value=current.lead_unit)
        submitted = st.form_submit_button(_w("save", lang))
    if not submitted:
        return
    try:
        entered = PlanInput(
            plan_id=plan_id.strip(),
            title=title,
            document=document,
            period_start=_as_date(start),
            period_end=_as_date(end),
            baseline_date=_as_date(baseline),
            parks=int(parks),
            floor_area_m2=float(floor_wan) * SQM_PER_WAN_SQM,
            comparison=str(comparison),
            lead_unit=lead_unit,
        )
        store.ensure("edit_plan")
        saved = add_plan(entered, region=region)
        added = {"parks": saved.parks, "floor_area_m2": saved.floor_area_m2, "period_end": saved.period_end.isoformat()}
        store.record("edit_plan", f"plan {saved.id}", summary=saved.title, after=added)
    except GeoDataError as exc:
        st.error(shared.md_text(exc))
        return
    st.session_state["plan_id"] = saved.id
    st.success(shared.md_text(_w("saved", lang, id=saved.id)))


def _as_date(value: object) -> date:
    """Return the date a ``st.date_input`` gave (a date, or the first of a range)."""
    if isinstance(value, tuple):
        value = value[0] if value else None
    if not isinstance(value, date):
        msg = "请填写日期 / enter a date."  # a cleared date field
        raise GeoDataError(msg)
    return value
