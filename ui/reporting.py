"""Quarterly reporting on the data page: a county's submission with its changes, the board, and the city's review."""

from __future__ import annotations

import hashlib
from datetime import date

import geopandas as gpd
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo.errors import DuplicateSnapshotError, GeoDataError
from geo.ingest.report import ImportReport
from geo.reporting.changes import Changes, register_changes
from geo.reporting.lines import period_label
from geo.reporting.periods import Cycle, Period, parse_period, period_of, periods_between
from geo.reporting.service import Prepared, approve_submission, prepare_submission, previous_registers, save_submission
from geo.reporting.submissions import Completeness, Submission, beijing_day, board_state, completeness
from geo.words import t
from layers.base import BASEMAPS, basemap_datum
from layers.changes import changes_layer, review_base_map, review_bounds
from layers.city_map import fit_zoom
from ui import shared

CITY = "all"
BOARD_PERIODS = 6
CHANGE_KINDS = ("added", "removed", "status_changed", "area_changed", "land_changed", "moved", "renamed", "jump")
REVIEW_MAP_HEIGHT_PX = 460
REVIEW_MAP_WIDTH_GUESS_PX = 900  # the map fills the column; its zoom is fitted to about this width


def due_days() -> int:
    """Days after a period's end its report is due (the region's rule; 15 unless its region.json says otherwise)."""
    return shared.region().reporting_due_days


def cycle() -> Cycle:
    """How often the region's counties report: ``quarter`` or ``month`` (its region.json)."""
    return shared.region().reporting_cycle


def county_names(lang: str = "zh") -> dict[str, str]:
    """County adcode → name in ``lang``, in the region's order."""
    return {c.adcode: c.label(lang) for c in shared.region().counties}


def submission_choice(lang: str, reporting_date: date) -> tuple[str, Period | None]:
    """Ask which county the register reports for and for which period; return (county or ``all``, period or None)."""
    names = county_names(lang)
    account = shared.account()
    options = [CITY, *names] if account.role == "city" else [c for c in names if c == account.county]  # a county reports its own
    cols = st.columns(2)
    county = cols[0].selectbox(
        t("submit_county", lang),
        options,
        format_func=lambda c: t("submit_whole_city", lang) if c == CITY else names[c],
        key="submit_county",
    )
    text = cols[1].text_input(
        t("submit_period", lang), value=period_label(period_of(reporting_date, cycle=cycle()), lang), key="submit_period"
    )
    try:
        return str(county), parse_period(text, cycle=cycle())
    except ValueError as exc:
        st.error(shared.md_text(exc))
        return str(county), None


def county_submission(report: ImportReport, *, county: str, period: Period, file_name: str, content: bytes, lang: str) -> None:
    """Show what a county's register changes against its previous period, then submit it (optionally approved at once)."""
    store = shared.current_store()
    try:
        prepared = prepare_submission(report.data, store=store, period=period, county=county, region_counties=list(county_names()))
    except GeoDataError as exc:
        st.error(shared.md_text(t("not_saved", lang, error=exc)))
        return
    for refused in prepared.refused:
        st.warning(shared.md_text(refused.message))
    if not len(prepared.parks):
        st.error(t("no_row", lang))
        return
    show_changes(prepared, lang)
    city = store.account.role == "city"  # only the city may approve at once; a county's report waits for review
    approve_now = st.checkbox(t("submit_approve_now", lang), value=False, key="submit_approve_now") if city else False
    label = t("submit_button", lang, county=county_names(lang)[county], period=period_label(period, lang), n=len(prepared.parks))
    if not st.button(label, type="primary", key="submit_button"):
        return
    try:
        made = save_submission(
            store,
            prepared,
            by=store.account.label,
            source_name=file_name,
            source_sha256=hashlib.sha256(content).hexdigest(),
            approve_now=approve_now,
        )
    except DuplicateSnapshotError as exc:
        st.info(shared.md_text(str(exc)))
        return
    except GeoDataError as exc:
        st.error(shared.md_text(t("not_saved", lang, error=exc)))
        return
    state = t(f"board_{made[0].state}", lang)
    st.success(t("submitted", lang, id=made[0].submission_id, state=state))


def show_changes(prepared: Prepared, lang: str) -> None:
    """The changes against the previous period, as a table a clerk checks before submitting."""
    frames = [found.to_frame() for found in prepared.changes.values()]
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if table.empty:
        st.info(t("changes_none", lang))
        return
    st.subheader(t("changes_title", lang, period=period_label(prepared.period, lang)))
    shown = pd.DataFrame(
        {
            t("col_park", lang): table["name"].astype(str),
            t("col_change", lang): table["kind"].map(lambda k: t(f"change_{k}", lang)),
            t("col_before", lang): table["before"].astype(str),
            t("col_after", lang): table["after"].astype(str),
            t("col_flag", lang): table["flag"].map(lambda f: t(f"flag_{f}", lang) if f else ""),
        }
    )
    st.dataframe(shared.shown(shown), hide_index=True, width="stretch")  # names from the file: formulas neutralised
    before = previous_registers(shared.current_store(), period=prepared.period, counties=list(prepared.changes))
    previous = pd.concat(list(before.values()), ignore_index=True) if before else None
    found = Changes([c for county in prepared.changes.values() for c in county.items])
    review_map_section(previous, prepared.parks, found, lang=lang, key="submit_review_map")
    for item in prepared.ambiguous:
        st.warning(shared.md_text(t("ambiguous_row", lang, name=item.name, reason=item.reason)))


def board_cell(everything: list[Submission], *, county: str, period: Period, today: date, lang: str) -> str:
    """One cell of the board: the state, ``（逾期）`` when the first report came after the due date, then its date and who sent it."""
    state = board_state(everything, county_adcode=county, period=period, today=today, grace_days=due_days())
    mine = [s for s in everything if s.county_adcode == county and s.period == period]
    if not mine:
        return t(f"board_{state}", lang)
    due = period.due(grace_days=due_days())
    first, last = min(mine, key=lambda s: s.submitted_at), max(mine, key=lambda s: (s.submitted_at, s.submission_id))
    late = t("board_sent_late", lang) if beijing_day(first.submitted_at) > due else ""
    return f"{t(f'board_{state}', lang)}{late} · {beijing_day(last.submitted_at):%m-%d} · {last.submitted_by}"


def plan_periods(today: date) -> list[Period]:
    """The plan's periods whose reports are due by ``today`` (the plan's start to its end, or to the last period ended)."""
    plan = shared.city_targets()
    first = period_of(plan.period_start, cycle=cycle())
    last = min(period_of(plan.period_end, cycle=cycle()), period_of(today, cycle=cycle()).previous())
    return periods_between(first, last) if last >= first else []


def completeness_by_county(everything: list[Submission], *, today: date) -> dict[str, Completeness]:
    """Each county's reporting completeness over the plan's periods due so far."""
    periods = plan_periods(today)
    return {c: completeness(everything, county_adcode=c, periods=periods, today=today, grace_days=due_days()) for c in county_names()}


def board_section(lang: str) -> None:
    """报送情况: counties × the last periods, then the submissions waiting for the city's review."""
    st.subheader(t("board_title", lang))
    store = shared.current_store()
    everything = store.list_submissions()
    today = date.today()
    last = period_of(today, cycle=cycle()).previous()
    recent = periods_between(Period(last.year - 1, last.index, last.cycle), last)[-BOARD_PERIODS // 2 :]
    reported = sorted({s.period for s in everything if s.period.cycle == last.cycle})[-BOARD_PERIODS // 2 :]
    periods = sorted({*recent, *reported})  # the latest calendar periods, and the latest ones reported
    names = county_names(lang)
    grid = pd.DataFrame(
        {period_label(p, lang): [board_cell(everything, county=c, period=p, today=today, lang=lang) for c in names] for p in periods},
        index=list(names.values()),
    )
    rates = completeness_by_county(everything, today=today)
    rate = t("cycle_col_rate", lang)
    grid[rate] = [rates[c].percent for c in names]
    st.dataframe(
        grid,
        width="stretch",
        column_config={
            rate: st.column_config.ProgressColumn(rate, min_value=0, max_value=100, format="%.0f%%", help=t("board_rate_help", lang))
        },
    )
    st.caption(t("board_help", lang, days=due_days()))
    if store.account.role != "city":
        mine = [s for s in everything if s.county_adcode == store.account.county]
        st.caption(t("county_only_review", lang))
        _own_submissions(mine, lang)
        return
    waiting = [s for s in everything if s.state == "submitted"]
    if not waiting:
        st.caption(t("review_none", lang))
        return
    st.subheader(t("review_title", lang))
    labels = {s.submission_id: t("review_option", lang, id=s.submission_id, county=names.get(s.county_adcode, s.county_adcode),
                                  period=period_label(s.period, lang), by=s.submitted_by, n=s.row_count) for s in waiting}  # fmt: skip
    chosen = st.selectbox(t("review_pick", lang), list(labels), format_func=lambda i: labels[i], key="review_pick")
    sub = next(s for s in waiting if s.submission_id == chosen)
    counts = {k: len(v) for k, v in sub.changes.items() if v}
    st.caption(shared.md_text("；".join(f"{t(f'change_{k}', lang)} {n}" for k, n in counts.items()) or t("changes_none", lang)))
    try:
        current = store.load_submission(sub.submission_id)
        previous = previous_registers(store, period=sub.period, counties=[sub.county_adcode]).get(sub.county_adcode)
    except GeoDataError as exc:
        st.error(shared.md_text(exc))
    else:
        found = register_changes(current.iloc[0:0] if previous is None else previous, current)
        review_map_section(previous, current, found, lang=lang, key=f"review_map_{sub.submission_id}")
    reason = st.text_input(t("return_reason", lang), value="", key="return_reason")
    cols = st.columns(2)
    try:
        if cols[0].button(t("approve_button", lang), type="primary", key="approve_button"):
            done = approve_submission(store, sub.submission_id, by=store.account.label)
            st.success(t("approved_done", lang, id=done.submission_id))
        if cols[1].button(t("return_button", lang), disabled=not reason.strip(), key="return_button"):
            done = store.return_submission(sub.submission_id, by=store.account.label, reason=reason.strip())
            st.success(t("returned_done", lang, id=done.submission_id))
    except GeoDataError as exc:
        st.error(shared.md_text(exc))


def _own_submissions(mine: list[Submission], lang: str) -> None:
    """A county's own submissions, newest first: period, state, when, and the city's reason for a returned one."""
    if not mine:
        return
    rows = [{t("history_col_period", lang): period_label(s.period, lang), t("col_status", lang): t(f"board_{s.state}", lang),
             t("own_col_sent", lang): f"{beijing_day(s.submitted_at):%Y-%m-%d}", t("reason", lang): s.reason or ""}
            for s in sorted(mine, key=lambda s: (s.submitted_at, s.submission_id), reverse=True)]  # fmt: skip
    st.dataframe(shared.shown(pd.DataFrame(rows)), hide_index=True, width="stretch")


def review_map_section(previous: gpd.GeoDataFrame | None, current: gpd.GeoDataFrame, changes: Changes, *, lang: str, key: str) -> None:
    """The map of what a register changes against the previous approved one (drawn in the dashboard's basemap)."""
    if not len(current) and (previous is None or not len(previous)):
        return
    basemap, tianditu_key = str(shared.chosen("basemap", "none")), shared.tianditu_key()
    if basemap not in BASEMAPS or (BASEMAPS[basemap].needs_key and not tianditu_key):
        basemap = "none"
    datum = basemap_datum(basemap)
    bounds = review_bounds(previous, current, changes, datum=datum)
    base = review_base_map(bounds, lang=lang, counties=shared.display_counties(), basemap=basemap, tianditu_key=tianditu_key, datum=datum)
    st.caption(t("review_map_caption" if previous is not None and len(previous) else "review_map_no_previous", lang))
    st_folium(
        base,
        key=key,
        height=REVIEW_MAP_HEIGHT_PX,
        use_container_width=True,
        feature_group_to_add=changes_layer(previous, current, changes, lang, datum=datum),
        center=((bounds[1] + bounds[3]) / 2, (bounds[0] + bounds[2]) / 2),
        zoom=fit_zoom(bounds, REVIEW_MAP_WIDTH_GUESS_PX, REVIEW_MAP_HEIGHT_PX),
        returned_objects=[],
    )
