"""The coordinate datum, confirmed by the planner on every upload before anything is checked or saved.

A register typed in BD-09 (Baidu) and read as GCJ-02 (Amap) lies ~700 m off, and every row moves alike, so
no row looks wrong. The data page therefore has no silent default: after a file is chosen, a required
choice says in plain words which source gives which datum; it is prefilled only when the check of the file
(:mod:`geo.ingest.datum`, read as GCJ-02, the most common source) finds the points look like another datum,
and says so. Until the planner has chosen, the report is not shown and the save button stays disabled.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import streamlit as st

from geo.errors import GeoDataError
from geo.ingest.report import ImportReport
from geo.words import t

CONFIRM_ORDER = ("gcj02", "bd09", "wgs84", "cgcs2000")  # the sources a register most often comes from first
PROVISIONAL = "gcj02"


def confirm_key(kind: str, content: bytes, lang: str) -> str:
    """The choice's widget key: one per file (a new upload asks again), kind and language."""
    return f"datum_confirm.{kind}.{hashlib.sha256(content).hexdigest()[:16]}.{lang}"


def hinted_datum(check: Callable[[str], ImportReport]) -> str | None:
    """The datum the file's points look like when read as GCJ-02 (None: no evidence, or the file cannot be read).

    Parameters
    ----------
    check
        Reads and checks the file in a datum (cached by the page).

    Returns
    -------
    str or None
        A key of :data:`geo.crs.DATUMS`.
    """
    try:
        hint = check(PROVISIONAL).datum_hint
    except GeoDataError:
        return None
    return str(hint) if hint in CONFIRM_ORDER else None


def datum_confirmed(kind: str, content: bytes, lang: str, *, check: Callable[[str], ImportReport], save_label: str) -> str | None:
    """Ask which datum the file's coordinates are in; return it once chosen, else None (with the save button disabled).

    Parameters
    ----------
    kind
        ``parks`` or ``enterprises``.
    content
        The uploaded file.
    lang
        ``zh`` or ``en``.
    check
        Reads and checks the file in a datum (cached by the page).
    save_label
        The save button's words, shown disabled until the datum is chosen.

    Returns
    -------
    str or None
        The confirmed datum, or None while it is not.
    """
    hint = hinted_datum(check)
    if hint is not None:
        st.warning(t("datum_prefilled", lang, datum=t(f"datum_{hint}", lang)))
    chosen = st.radio(
        t("datum_confirm", lang),
        CONFIRM_ORDER,
        index=CONFIRM_ORDER.index(hint) if hint else None,
        format_func=lambda d: t(f"datum_{d}", lang),
        key=confirm_key(kind, content, lang),
        horizontal=True,
    )
    st.caption(t("datum_confirm_help", lang))
    if chosen is None:
        st.info(t("datum_confirm_needed", lang))
        st.button(save_label, type="primary", disabled=True, key="save_disabled")
        return None
    return str(chosen)
