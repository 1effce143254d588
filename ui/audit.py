"""The audit log on the data page (city accounts): every write, who and when, as a table and a formula-safe workbook."""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from typing import Any

import pandas as pd
import streamlit as st

from geo.accounts.book import AuditEvent
from geo.errors import GeoDataError
from geo.export_safety import neutralise_formulas
from geo.reporting.submissions import BEIJING
from geo.words import t
from ui import shared

COLUMNS = ("at", "account", "action", "target", "county", "summary", "change")


def _change(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> str:
    """``key: before → after`` for the keys that differ (all of ``after`` when there is no before)."""
    if after is None:
        return ""
    old = dict(before or {})
    parts = [f"{k}: {json.dumps(old[k], ensure_ascii=False)} → {json.dumps(v, ensure_ascii=False)}" if k in old
             else f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in after.items() if old.get(k, object()) != v]  # fmt: skip
    return "; ".join(parts)


def audit_table(events: list[AuditEvent], lang: str, *, county_names: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The audit log as people read it, newest first: Beijing time, the action in words, the change.

    Parameters
    ----------
    events
        From the account book.
    lang
        ``zh`` or ``en``.
    county_names
        Adcode → name.

    Returns
    -------
    DataFrame
        Columns headed in ``lang``.
    """
    names = dict(county_names or {})
    rows = [
        {
            "at": e.at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S") if e.at else "",
            "account": e.account,
            "action": t(f"audit_action_{e.action}", lang),
            "target": e.target,
            "county": names.get(e.county or "", e.county or ""),
            "summary": e.summary,
            "change": _change(e.before, e.after),
        }
        for e in reversed(events)
    ]
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    return frame.rename(columns={c: t("county" if c == "county" else f"audit_col_{c}", lang) for c in COLUMNS})


def audit_xlsx(table: pd.DataFrame, *, sheet: str) -> bytes:
    """The table as an xlsx workbook whose text cannot run as a formula (targets and reasons come from people and files).

    Parameters
    ----------
    table
        From :func:`audit_table`.
    sheet
        The sheet's name.

    Returns
    -------
    bytes
        The workbook.
    """
    buffer = io.BytesIO()
    options = {"strings_to_formulas": False, "strings_to_urls": False}
    with pd.ExcelWriter(buffer, engine="xlsxwriter", engine_kwargs={"options": options}) as xl:
        neutralise_formulas(table).to_excel(xl, sheet_name=sheet[:31], index=False)
    return buffer.getvalue()


def render(lang: str) -> None:
    """Show the audit log (city accounts only; others see nothing here).

    Parameters
    ----------
    lang
        ``zh`` or ``en``.
    """
    store = shared.current_store()
    if store.account.role != "city":
        return
    st.subheader(t("audit_title", lang))
    st.caption(t("audit_caption", lang))
    try:
        events = store.book.events()
    except GeoDataError as exc:
        st.error(shared.md_text(f"{t('audit_unreadable', lang)}：{exc}"))
        return
    if not events:
        st.caption(t("audit_empty", lang))
        return
    names = {c.adcode: c.label(lang) for c in shared.region().counties}
    table = audit_table(events, lang, county_names=names)
    wide_enough = {t("audit_col_account", lang): st.column_config.TextColumn(width="medium")}  # sized to the rows in view otherwise
    st.dataframe(shared.shown(table), hide_index=True, width="stretch", column_config=wide_enough)
    st.download_button(t("audit_download", lang, n=len(table)), audit_xlsx(table, sheet=t("audit_title", lang)),
                       file_name="audit_log.xlsx", key="audit_download")  # fmt: skip
