"""The data page: import registers and enterprise lists, quotas, snapshot history."""

from __future__ import annotations

import hashlib
from datetime import date

import pandas as pd
import streamlit as st

from geo.crs import DATUMS
from geo.demo.bootstrap import retire_sample
from geo.errors import DuplicateSnapshotError, GeoDataError
from geo.export_safety import neutralise_formulas
from geo.ingest.enterprises import import_enterprises
from geo.ingest.parks import import_parks
from geo.ingest.report import ImportReport, rejected_xlsx
from geo.ingest.template import build_template
from geo.region.targets import INDICATIVE_LABEL_EN, INDICATIVE_LABEL_ZH, save_county_quotas
from geo.store import store_location
from ui import shared

DATUM_LABELS = {
    "gcj02": "GCJ-02（高德、腾讯地图坐标）",
    "bd09": "BD-09（百度地图坐标）",
    "wgs84": "WGS-84（GPS、天地图、奥维）",
    "cgcs2000": "CGCS2000（国家2000坐标系）",
}
KIND_LABELS = {"parks": "园区台账 Park register", "enterprises": "企业名录 Enterprise list"}


@st.cache_data(show_spinner=False)
def _template() -> bytes:
    """The blank register template (built once per process, not on every rerun)."""
    return build_template(counties=shared.counties())


@st.cache_data(show_spinner=False, max_entries=4)
def _check(kind: str, content: bytes, file_name: str, datum: str) -> ImportReport:
    importer = import_parks if kind == "parks" else import_enterprises
    return importer(content, datum=datum, counties=shared.counties(), file_name=file_name)


def _import_section(lang: str) -> None:
    st.subheader("导入数据 Import" if lang == "zh" else "Import data")
    cols = st.columns(3)
    kind = cols[0].radio("类型 Kind", list(KIND_LABELS), format_func=KIND_LABELS.get, key="import_kind")
    datum = cols[1].selectbox(
        "坐标系 Coordinate system", list(DATUMS), index=list(DATUMS).index("gcj02"), format_func=lambda d: DATUM_LABELS.get(d, d)
    )
    reporting_date = cols[2].date_input("填报日期 Reporting date", value=date.today(), max_value=date.today(), key="reporting_date")
    upload = st.file_uploader(
        "Excel / CSV / GeoJSON / GeoPackage / zipped Shapefile", type=["xlsx", "csv", "geojson", "json", "gpkg", "zip"]
    )
    st.download_button("下载空白台账模板 Blank register template (.xlsx)", _template(), file_name="小微企业园台账模板.xlsx")
    if upload is None:
        return
    content = upload.getvalue()
    try:
        report = _check(kind, content, upload.name, str(datum))
    except GeoDataError as exc:
        st.error(f"无法读取文件 Cannot read the file: {shared.md_text(exc)}")
        return
    _show_report(report)
    if report.accepted == 0:
        st.error("没有可导入的行。No row can be imported.")
        return
    who = st.text_input("导入人 Loaded by", value="", placeholder="姓名/单位 name or bureau", key="loaded_by")
    label = f"保存 {report.accepted} 行到数据库（填报日期 {reporting_date}）Save {report.accepted} rows"
    if st.button(label, type="primary", disabled=not who.strip()):
        _save(report, kind=kind, reporting_date=reporting_date, file_name=upload.name, content=content, by=who.strip())


def _save(report: ImportReport, *, kind: str, reporting_date: date, file_name: str, content: bytes, by: str) -> None:
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
            note=f"{report.accepted}/{report.rows} rows accepted, {report.rejected} rejected",
        )
    except DuplicateSnapshotError as exc:
        st.info(shared.md_text(str(exc)))
        return
    except GeoDataError as exc:
        st.error(shared.md_text(f"未保存，数据未改动 Not saved, nothing changed: {exc}"))
        return
    retired = retire_sample(store, kind, by=by)
    st.success(f"已保存为快照 {info.snapshot_id}。Saved as snapshot {info.snapshot_id}.")
    if retired:
        st.info("合成示例数据已自动撤回（可在下方历史中恢复）。The synthetic sample was withdrawn (restorable in the history below).")


def _show_report(report: ImportReport) -> None:
    cols = st.columns(4)
    cols[0].metric("总行数 Rows", f"{report.rows:,}")
    cols[1].metric("接受 Accepted", f"{report.accepted:,}")
    cols[2].metric("拒绝 Rejected", f"{report.rejected:,}")
    cols[3].metric("空行 Blank (skipped)", f"{report.skipped_blank:,}")
    if report.datum_hint:
        st.warning(shared.md_text(report.summary_lines()[2]))
    for note in report.notes:
        st.info(shared.md_text(note))
    if len(report.problems):
        st.dataframe(shared.shown(report.problems), hide_index=True, width="stretch")
    if report.rejected:
        st.download_button(
            "下载被拒绝的行及原因 Download rejected rows with reasons (.xlsx)",
            rejected_xlsx(report),
            file_name=f"rejected_{report.file_name}.xlsx",
        )


def _quota_section(lang: str) -> None:
    st.subheader("区县目标 County quotas")
    quotas = shared.quotas()
    if not quotas["official"].all():
        st.caption(f"⚠ {INDICATIVE_LABEL_ZH} / {INDICATIVE_LABEL_EN}: {shared.md_text(quotas['method'].iloc[0])}")
    edited = st.data_editor(
        shared.shown(quotas),
        hide_index=True,
        disabled=["adcode", "name"],
        column_config={
            "parks_quota": st.column_config.NumberColumn("园区目标（个）", min_value=0, step=1),
            "floor_area_quota_m2": st.column_config.NumberColumn("建筑面积目标（㎡）", min_value=0, step=10000),
            "official": st.column_config.CheckboxColumn("正式下达 Official"),
            "method": st.column_config.TextColumn("说明 Method"),
        },
        key="quota_editor",
    )
    totals = f"合计 Total: {int(edited['parks_quota'].sum())} 个, {edited['floor_area_quota_m2'].sum() / 1e4:,.0f} 万㎡"
    st.caption(totals)
    st.caption(
        "注意：计划目标是全市“超过”140个、“超过”1000万㎡。各区县目标之和正好等于 140 个时，即使各区县都完成，全市仍未“超过”。"
        " The plan asks for *more than* 140 parks: quotas that add up to exactly 140 can all be met while the city is not."
    )
    if st.button("保存区县目标 Save quotas"):
        try:
            path = save_county_quotas(edited, plan=shared.plan())
        except GeoDataError as exc:
            st.error(shared.md_text(exc))
        else:
            st.success(f"已保存 Saved: {shared.md_text(path)}")


def _history_section(lang: str) -> None:
    st.subheader("导入历史 Snapshot history")
    try:
        store = shared.current_store()
        history = store.list_snapshots()
    except GeoDataError as exc:  # a StoreError: damaged, 0-byte or newer store file
        st.error(shared.md_text(str(exc)))
        return
    st.caption(shared.md_text(f"数据库 Store: {store_location()}"))
    if history.empty:
        st.info("还没有导入记录。No imports yet.")
        return
    st.dataframe(neutralise_formulas(pd.DataFrame(history)), hide_index=True, width="stretch")
    cols = st.columns([1, 2, 1, 1])
    snapshot_id = int(cols[0].selectbox("快照 Snapshot", history["snapshot_id"].tolist()))
    reason = cols[1].text_input("原因 Reason", key="rollback_reason")
    rolled_back = bool(history.loc[history["snapshot_id"] == snapshot_id, "rolled_back"].iloc[0])
    # Only what applies is enabled: a withdrawn snapshot can be restored, a counting one rolled back.
    roll = cols[2].button("撤回 Roll back", disabled=rolled_back or not reason.strip())
    restore = cols[3].button("恢复 Restore", disabled=not rolled_back)
    try:
        if roll:
            store.rollback(snapshot_id, by="app", reason=reason.strip())
        if restore:
            store.restore(snapshot_id, by="app", reason=reason.strip())
    except GeoDataError as exc:  # a StoreError, e.g. another tab changed the snapshot meanwhile
        st.error(shared.md_text(str(exc)))
        return
    if roll or restore:
        st.rerun()


def render(lang: str) -> None:
    """Draw the data page."""
    st.title("数据管理" if lang == "zh" else "Data")
    _import_section(lang)
    st.divider()
    _quota_section(lang)
    st.divider()
    _history_section(lang)
