"""Meeting pack on the dashboard: the same five files as `make report`, with a progress bar."""

from __future__ import annotations

import tempfile
from pathlib import Path

import geopandas as gpd
import streamlit as st

from export import build_all
from export.animation import parks_gif
from export.data import ExportData, prepare_export_data
from geo.words import t
from ui import cycle, shared

FILES = {
    "map.png": "image/png",
    "atlas.pdf": "application/pdf",
    "summary.xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "map.html": "text/html",
    "parks.gif": "image/gif",
}


def _export_data(parks: gpd.GeoDataFrame, view: dict, lang: str, *, loaded: shared.Loaded, firms: bool) -> ExportData:
    """The pack's inputs for what the dashboard shows (the firm list only when ``firms``: the GIF does without it)."""
    listed = shared.current("enterprises") if firms else None  # the same list the dashboard measures the firm indicators from
    return prepare_export_data(
        parks,
        as_of=view["as_of"],
        counties=shared.counties(),
        targets=shared.city_targets(),
        quotas=shared.quotas(),
        statuses=view["statuses"] or ("built", "certified"),
        lang=lang,
        reported_on=loaded.reporting_date,
        source_name="、".join(loaded.sources) or loaded.info.source_name,
        sample=loaded.is_sample,
        enterprises=None if listed is None else listed.data,
        data_line=cycle.data_periods_text(loaded, lang) if loaded.dates else "",
    )


def play_section(parks: gpd.GeoDataFrame, view: dict, lang: str, *, loaded: shared.Loaded) -> None:
    """逐季度播放: the parks appearing quarter by quarter up to the as-of date, played in the page (the pack's parks.gif)."""
    with st.expander(t("play_title", lang)):
        key = (loaded.key, view["as_of"], view["statuses"], view["industries"], lang)
        if st.button(t("play_button", lang), key="play_build"):
            with st.spinner(t("play_building", lang)):
                st.session_state["play_gif"] = (key, parks_gif(_export_data(parks, view, lang, loaded=loaded, firms=False)))
        built = st.session_state.get("play_gif")
        if built and built[0] == key:
            st.image(built[1], caption=t("play_caption", lang))
            st.download_button(t("play_download", lang), built[1], file_name=f"{view['as_of']}_parks.gif", mime="image/gif", key="play_dl")


def meeting_pack_section(parks: gpd.GeoDataFrame, view: dict, lang: str, *, loaded: shared.Loaded) -> None:
    """Build the meeting pack for the current as-of date and statuses, then offer the files."""
    with st.expander(t("meeting_pack", lang)):
        st.caption(t("meeting_pack_help", lang))
        firms_info = shared.latest("enterprises")
        key = (loaded.key, view["as_of"], view["statuses"], lang, firms_info and firms_info.snapshot_id)
        if st.button(t("meeting_pack_build", lang), key="build_pack"):
            bar = st.progress(0.0, text=t("meeting_pack_building", lang))
            data = _export_data(parks, view, lang, loaded=loaded, firms=True)

            def show(step: str, share: float) -> None:
                bar.progress(share, text=shared.md_text(step))

            with tempfile.TemporaryDirectory() as folder:
                paths = build_all(folder, as_of=view["as_of"], data=data, progress=show)
                st.session_state["meeting_pack"] = (key, {name: Path(p).read_bytes() for name, p in paths.items()})
        built = st.session_state.get("meeting_pack")
        if not built or built[0] != key:
            return
        cols = st.columns(len(FILES))
        for col, (name, mime) in zip(cols, FILES.items(), strict=True):
            col.download_button(name, built[1][name], file_name=f"{view['as_of']}_{name}", mime=mime, key=f"dl_{name}")
