"""The data page: import registers and enterprise lists, quotas, snapshot history."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from geo.demo.bootstrap import retire_sample
from geo.errors import DuplicateSnapshotError, GeoDataError
from geo.export_safety import neutralise_formulas
from geo.ingest.enterprises import import_enterprises
from geo.ingest.parks import import_parks
from geo.ingest.readers import ReadLimits
from geo.ingest.report import ImportReport, rejected_xlsx
from geo.ingest.template import build_template
from geo.region.targets import INDICATIVE_METHOD, save_county_quotas
from geo.schema import SQM_PER_WAN_SQM
from geo.store import store_location
from geo.words import columns, t
from ui import audit, plan_form, reporting, shared
from ui.datum import datum_confirmed
from ui.words import field_word, plan_words, titled, words_of

BEIJING = ZoneInfo("Asia/Shanghai")  # 北京时间, the time every bureau reads

KINDS = ("parks", "enterprises")
# What the readers take (geo.ingest.readers); the uploader itself accepts any file, so that a refused one
# gets a message in words (Streamlit's own refusal is a red icon with an English tooltip)
UPLOAD_TYPES = ("xlsx", "xls", "csv", "geojson", "json", "gpkg", "zip")
PROBLEM_ROW_PX = 74  # three lines: a reason is a sentence or two, and a cell wraps only inside its row
HISTORY_FIRST = ("snapshot_id", "kind", "reporting_date", "is_current", "rolled_back", "source_name", "row_count", "loaded_by")


@st.cache_data(show_spinner=False)
def _template() -> bytes:
    """The blank register template (built once per process, not on every rerun)."""
    return build_template(counties=shared.counties())


@st.cache_data(show_spinner=False, max_entries=4)
def _check(kind: str, content: bytes, file_name: str, datum: str) -> ImportReport:
    importer = import_parks if kind == "parks" else import_enterprises
    return importer(content, datum=datum, counties=shared.counties(), file_name=file_name)


def _suggest_other_kind(kind: str, content: bytes, file_name: str, datum: str, *, accepted: int, lang: str) -> None:
    """Say so when the file reads better as the other kind (an enterprise list uploaded as a park register)."""
    other = "enterprises" if kind == "parks" else "parks"
    try:
        alternative = _check(other, content, file_name, datum)
    except GeoDataError:
        return
    if alternative.accepted > max(accepted, alternative.rejected):
        st.info(t("kind_hint", lang, other=t(f"kind_{other}", lang), n=f"{alternative.accepted:,}"))


def _import_section(lang: str) -> None:
    st.subheader(t("import_title", lang))
    account = shared.account()
    if account.role == "viewer":
        st.info(t("viewer_read_only", lang))
        return
    cols = st.columns(2)
    kinds = list(KINDS) if account.role == "city" else ["parks"]  # a county submits its register; the city loads the rest
    kind = cols[0].radio(
        t("import_kind", lang),
        kinds,
        index=kinds.index(str(shared.chosen("import_kind", kinds[0]))) if shared.chosen("import_kind", kinds[0]) in kinds else 0,
        format_func=lambda k: t(f"kind_{k}", lang),
        key=shared.widget_key("import_kind", lang),
    )
    if account.role == "county":
        st.caption(t("county_only_import", lang))
    st.session_state["import_kind"] = kind
    reporting_date = cols[1].date_input(t("reporting_date", lang), value=date.today(), max_value=date.today(), key="reporting_date")
    upload = st.file_uploader(t("upload", lang))
    st.caption(upload_hint(lang))  # Streamlit's "Upload" and "200MB per file" cannot be translated: say them here
    st.download_button(t("template_download", lang), _template(), file_name=t("template_file", lang))
    if upload is None:
        return
    refused = upload_refusal(upload.name, lang)
    if refused:
        st.error(refused)
        return
    content = upload.getvalue()
    # the datum is confirmed for every file, before the check is shown or anything saved (no silent default)
    datum = datum_confirmed(
        kind, content, lang, check=lambda d: _check(kind, content, upload.name, d), save_label=t("save_button_waiting", lang)
    )
    if datum is None:
        return
    try:
        report = _check(kind, content, upload.name, str(datum))
    except GeoDataError as exc:
        st.error(t("cannot_read", lang, error=shared.md_text(exc)))
        _suggest_other_kind(kind, content, upload.name, str(datum), accepted=0, lang=lang)
        return
    _show_report(report, lang)
    if report.accepted == 0 or report.rejected > report.accepted:
        _suggest_other_kind(kind, content, upload.name, str(datum), accepted=report.accepted, lang=lang)
    if report.accepted == 0:
        st.error(t("no_row", lang))
        return
    if kind == "parks":
        county, period = reporting.submission_choice(lang, reporting_date)
        if period is None:
            return
        if county != reporting.CITY:  # a county's submission replaces only that county, once approved
            reporting.county_submission(report, county=county, period=period, file_name=upload.name, content=content, lang=lang)
            return
    label = t("save_rows", lang, n=report.accepted, date=reporting_date)
    if st.button(label, type="primary"):  # who saves is the signed-in account (the store records it), never typed
        _save(report, kind=kind, reporting_date=reporting_date, file_name=upload.name, content=content, by=account.label, lang=lang)


def _save(report: ImportReport, *, kind: str, reporting_date: date, file_name: str, content: bytes, by: str, lang: str) -> None:
    """Save the accepted rows as a snapshot; say so, or say why not (same file already stored, store unusable)."""
    store = shared.current_store()
    try:
        info = store.save_snapshot(
            report.data,
            kind=kind,
            reporting_date=reporting_date,
            source_name=file_name,
            source_sha256=hashlib.sha256(content).hexdigest(),
            loaded_by=by,
            note=t("save_note", lang, accepted=report.accepted, rows=report.rows, rejected=report.rejected),
        )
    except DuplicateSnapshotError as exc:
        st.info(shared.md_text(str(exc)))
        return
    except GeoDataError as exc:
        st.error(shared.md_text(t("not_saved", lang, error=exc)))
        return
    retired = retire_sample(store, kind, by=by)
    st.success(t("saved", lang, id=info.snapshot_id))
    if retired:
        st.info(t("sample_withdrawn", lang))


def _show_report(report: ImportReport, lang: str) -> None:
    cols = st.columns(4)
    cols[0].metric(t("rows_total", lang), f"{report.rows:,}")
    cols[1].metric(t("rows_accepted", lang), f"{report.accepted:,}")
    cols[2].metric(t("rows_rejected", lang), f"{report.rejected:,}")
    cols[3].metric(t("rows_blank", lang), f"{report.skipped_blank:,}")
    if report.datum_hint:
        st.warning(shared.md_text(report.summary_lines()[2]))
    for note in report.notes:
        st.info(shared.md_text(note))
    if len(report.problems):
        st.dataframe(
            _problems_table(report.problems, lang),
            hide_index=True,
            width="stretch",
            column_config=problems_columns(lang),
            row_height=PROBLEM_ROW_PX,
        )
    if report.rejected:
        st.download_button(
            t("download_rejected", lang),
            rejected_xlsx(report),
            file_name=rejected_file_name(report.file_name, lang),
        )


def _types_text(lang: str) -> str:
    return ("、" if lang == "zh" else ", ").join(UPLOAD_TYPES)


def upload_hint(lang: str) -> str:
    """What the uploader takes, in ``lang``: how to choose a file, the size caps and the formats."""
    mb = int(st.get_option("server.maxUploadSize"))
    excel_mb = min(ReadLimits().max_excel_bytes // (1024 * 1024), mb)
    return t("upload_hint", lang, mb=mb, excel_mb=excel_mb)


def upload_refusal(file_name: str, lang: str) -> str | None:
    """The message for a file whose name ends in a format the importer does not read, else None (Markdown-safe)."""
    suffix = Path(file_name).suffix.lower().lstrip(".")
    if suffix in UPLOAD_TYPES:
        return None
    shown = f".{suffix}" if suffix else t("no_extension", lang)
    return shared.md_text(t("upload_refused", lang, name=file_name, suffix=shown, types=_types_text(lang)))


def rejected_file_name(file_name: str, lang: str) -> str:
    """The rejected rows' file name: ``柯桥区台账_被拒绝的行.xlsx`` for ``柯桥区台账.xlsx`` (not ``….xlsx.xlsx``)."""
    return t("rejected_file", lang, stem=Path(file_name).stem or "register")


def local_times(values: pd.Series) -> pd.Series:
    """Store times (UTC) as a planner reads them: Beijing time, to the minute, blank when missing."""
    times = pd.to_datetime(values, utc=True, errors="coerce").dt.tz_convert(BEIJING)
    return times.dt.strftime("%Y-%m-%d %H:%M").fillna("")


def _problems_table(problems: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The import problems with headers, field names and severities in ``lang`` (formulas neutralised)."""
    shown = shared.shown(problems.drop(columns=["position"], errors="ignore"))
    shown["severity"] = words_of(shown["severity"], "severity", lang)
    shown["field"] = shown["field"].map(lambda f: field_word(str(f), lang))
    return titled(shown, "problems", lang)


def problems_columns(lang: str) -> dict:
    """Column widths of the problems table: the reason, a sentence or two, gets the room (it was cut to one line)."""
    headers = columns("problems", lang)
    return {headers["message"]: st.column_config.TextColumn(headers["message"], width="large")}


def _history_table(history: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The snapshot history with headers and kinds in ``lang`` (formulas neutralised)."""
    shown = neutralise_formulas(pd.DataFrame(history))
    shown["kind"] = words_of(shown["kind"], "kind", lang)
    for column in ("imported_at", "rolled_back_at"):
        shown[column] = local_times(history[column])
    shown["reporting_date"] = pd.to_datetime(history["reporting_date"]).dt.strftime("%Y-%m-%d")  # a day, not midnight
    # what a planner checks first (which snapshot counts, which is withdrawn) comes before the file details
    first = [c for c in HISTORY_FIRST if c in shown.columns]
    shown = shown[first + [c for c in shown.columns if c not in first]]
    return titled(shown, "history", lang)


def _quota_section(lang: str) -> None:
    st.subheader(t("quotas_title", lang))
    quotas = shared.quotas()
    if not quotas["official"].all():
        method = str(quotas["method"].iloc[0])
        method = t("indicative_method", lang) if method == INDICATIVE_METHOD else method
        st.caption(f"⚠ {t('quota_indicative', lang)}: {shared.md_text(method)}")
    headers = columns("quotas", lang)
    # floor area is entered in 万㎡, as everywhere else on screen; stored in m²
    shown = shared.shown(quotas).assign(floor_area_quota_wan_m2=quotas["floor_area_quota_m2"] / SQM_PER_WAN_SQM)
    shown = shown.drop(columns=["floor_area_quota_m2"])[["adcode", "name", "parks_quota", "floor_area_quota_wan_m2", "official", "method"]]
    city = shared.account().role == "city"  # quotas are the city's to set; others see them read-only
    entered = st.data_editor(
        shown,
        hide_index=True,
        disabled=["adcode", "name"] if city else True,
        column_config={
            "adcode": st.column_config.TextColumn(headers["adcode"]),
            "name": st.column_config.TextColumn(headers["name"]),
            "parks_quota": st.column_config.NumberColumn(headers["parks_quota"], min_value=0, step=1),
            "floor_area_quota_wan_m2": st.column_config.NumberColumn(
                headers["floor_area_quota_wan_m2"], min_value=0.0, step=1.0, format="%.2f"
            ),
            "official": st.column_config.CheckboxColumn(headers["official"]),
            "method": st.column_config.TextColumn(headers["method"]),
        },
        key="quota_editor",
    )
    edited = quotas_from_editor(entered)
    parks_sum, floor_sum = int(edited["parks_quota"].sum()), float(edited["floor_area_quota_m2"].sum())
    st.caption(t("quota_total", lang, parks=parks_sum, floor=f"{floor_sum / SQM_PER_WAN_SQM:,.0f}"))
    plan = shared.plan()
    if (plan.parks or plan.floor_area_m2) and (parks_sum != plan.parks or round(floor_sum) != round(plan.floor_area_m2)):
        st.warning(t("quota_sum_differs", lang, parks=parks_sum, floor=f"{floor_sum / SQM_PER_WAN_SQM:,.2f}", **plan_words(lang)))
    if plan.comparison == "more_than":
        st.caption(t("quota_more_than_note", lang, **plan_words(lang)))
    if not city:
        return
    store = shared.current_store()
    if st.button(t("save_quotas", lang)):
        try:
            store.ensure("edit_quotas")
            path = save_county_quotas(edited, plan=shared.plan())
            store.record("edit_quotas", f"quotas {shared.plan().id}", summary=str(path),
                         before=_quota_values(quotas), after=_quota_values(edited))  # fmt: skip
        except GeoDataError as exc:
            st.error(shared.md_text(exc))
        else:
            st.success(t("quotas_saved", lang, path=shared.md_text(path)))


def _quota_values(quotas: pd.DataFrame) -> dict[str, list[float]]:
    """Adcode → [parks, floor area m²], what the audit log keeps of a quota table."""
    return {str(r.adcode): [int(r.parks_quota), round(float(r.floor_area_quota_m2), 2)] for r in quotas.itertuples()}


def quotas_from_editor(entered: pd.DataFrame) -> pd.DataFrame:
    """The quota table as stored (floor area in m²) from the editor's (floor area in 万㎡)."""
    floor_m2 = (pd.to_numeric(entered["floor_area_quota_wan_m2"], errors="coerce") * SQM_PER_WAN_SQM).round(2)
    return entered.drop(columns=["floor_area_quota_wan_m2"]).assign(floor_area_quota_m2=floor_m2)[
        ["adcode", "name", "parks_quota", "floor_area_quota_m2", "official", "method"]
    ]


def _history_section(lang: str) -> None:
    st.subheader(t("history_title", lang))
    done = st.session_state.pop("history_done", None)
    if done:
        st.success(done)
    try:
        store = shared.current_store()
        history = store.list_snapshots()
    except GeoDataError as exc:  # a StoreError: damaged, 0-byte or newer store file
        st.error(shared.md_text(str(exc)))
        return
    st.caption(shared.md_text(t("store", lang, path=store_location())))
    if history.empty:
        st.info(t("no_imports", lang))
        return
    st.dataframe(_history_table(history, lang), hide_index=True, width="stretch")
    if store.account.role != "city":  # rolling back and restoring are the city's
        return
    who = store.account.display_name or store.account.name  # for the message; the store records the account
    cols = st.columns([1, 3, 1, 1])
    snapshot_id = int(cols[0].selectbox(t("snapshot", lang), history["snapshot_id"].tolist()))
    reason = cols[1].text_input(t("reason", lang), key="rollback_reason")
    rolled_back = bool(history.loc[history["snapshot_id"] == snapshot_id, "rolled_back"].iloc[0])
    # Only what applies is enabled: a withdrawn snapshot can be restored, a counting one rolled back (with a reason).
    roll = cols[2].button(t("roll_back", lang), disabled=rolled_back or not reason.strip())
    restore = cols[3].button(t("restore", lang), disabled=not rolled_back)
    try:
        if roll:
            store.rollback(snapshot_id, by=who, reason=reason.strip())
            st.session_state["history_done"] = t("rolled_back_done", lang, id=snapshot_id, by=who)
        if restore:
            store.restore(snapshot_id, by=who, reason=reason.strip())
            st.session_state["history_done"] = t("restored_done", lang, id=snapshot_id, by=who)
    except GeoDataError as exc:  # a StoreError, e.g. another tab changed the snapshot meanwhile
        st.error(shared.md_text(str(exc)))
        return
    if roll or restore:
        st.rerun()


def render(lang: str) -> None:
    """Draw the data page."""
    st.title(t("page_data", lang))
    _import_section(lang)
    st.divider()
    reporting.board_section(lang)
    st.divider()
    _quota_section(lang)
    st.divider()
    plan_form.plan_section(lang)
    st.divider()
    _history_section(lang)
    st.divider()
    audit.render(lang)
