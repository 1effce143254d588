"""Meeting pack on the dashboard: the same five files as `make report`, with a progress bar."""

from __future__ import annotations

import tempfile
from pathlib import Path

import geopandas as gpd
import streamlit as st

from export import build_all
from export.data import prepare_export_data
from geo.words import t
from ui import cycle, shared

FILES = {
    "map.png": "image/png",
    "atlas.pdf": "application/pdf",
    "summary.xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "map.html": "text/html",
    "parks.gif": "image/gif",
}


def meeting_pack_section(parks: gpd.GeoDataFrame, view: dict, lang: str, *, loaded: shared.Loaded) -> None:
    """Build the meeting pack for the current as-of date and statuses, then offer the files."""
    with st.expander(t("meeting_pack", lang)):
        st.caption(t("meeting_pack_help", lang))
        firms_info = shared.latest("enterprises")
        key = (loaded.key, view["as_of"], view["statuses"], lang, firms_info and firms_info.snapshot_id)
        if st.button(t("meeting_pack_build", lang), key="build_pack"):
            bar = st.progress(0.0, text=t("meeting_pack_building", lang))
            firms = shared.current("enterprises")  # the same list the dashboard measures the firm indicators from
            data = prepare_export_data(
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
                enterprises=None if firms is None else firms.data,
                data_line=cycle.data_periods_text(loaded, lang) if loaded.dates else "",
            )

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
