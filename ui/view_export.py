"""导出当前视图: the dashboard's view, exactly as on screen, as PNG and PDF (export/view_map.py draws it)."""

from __future__ import annotations

import geopandas as gpd
import streamlit as st

from export.view_map import ViewSpec, view_pdf, view_png
from geo.words import t
from ui import shared
from ui.meeting import _export_data
from ui.words import plan_words

LAYER_WORDS = {"parks": "layer_parks", "density": "layer_density", "clusters": "layer_clusters", "gaps": "layer_gaps"}


def view_spec(view: dict, lang: str, *, header_line: str, layers: dict, synthetic_firms: bool) -> ViewSpec:
    """The view's county, measure and layers with the dashboard header's words.

    Parameters
    ----------
    view
        The sidebar's choices (``adcode``, ``names``, ``measure``, ``layers``).
    lang
        ``zh`` or ``en``.
    header_line
        The line under the dashboard's title (date, data periods, industry filter), as shown there.
    layers
        The enterprise layers drawn on the map (``hexes``, ``clusters``, ``gaps``), as the map has them.
    synthetic_firms
        An enterprise layer shown is drawn from the synthetic firm list (its notice goes on the file).

    Returns
    -------
    ViewSpec
        What :func:`export.view_map.view_png` and :func:`export.view_map.view_pdf` draw.
    """
    city = shared.region().adcode
    shown = [t(word, lang) for key, word in LAYER_WORDS.items() if view["layers"].get(key)]
    return ViewSpec(
        title=t("city_title", lang, **plan_words(lang)),
        area=view["names"][view["adcode"]],
        data_line=header_line,
        measure=view["measure"],
        adcode=None if view["adcode"] == city else view["adcode"],
        show_parks=bool(view["layers"].get("parks")),
        layers_line=t("view_layers_line", lang, layers=("、" if lang == "zh" else ", ").join(shown) or "—"),
        hexes=layers.get("hexes"),
        clusters=layers.get("clusters"),
        gaps=layers.get("gaps"),
        extra_notices=(t("sample_firms_notice", lang),) if synthetic_firms else (),
    )


def view_export_section(parks: gpd.GeoDataFrame, view: dict, lang: str, *, loaded: shared.Loaded, spec: ViewSpec) -> None:
    """Offer the view as PNG and PDF, drawn on request (a few seconds) and kept while the view stays the same."""
    with st.expander(t("view_export_title", lang)):
        st.caption(t("view_export_caption", lang))
        key = (loaded.key, view["as_of"], view["statuses"], view["industries"], view["adcode"], view["measure"],
               tuple(sorted(k for k, on in view["layers"].items() if on)), lang)  # fmt: skip
        if st.button(t("view_export_build", lang), key="view_export_build"):
            with st.spinner(t("meeting_pack_building", lang)):
                data = _export_data(parks, view, lang, loaded=loaded, firms=False)
                words = {"clusters": t("layer_clusters", lang), "gaps": t("layer_gaps", lang)}
                st.session_state["view_export"] = (key, view_png(data, spec, layer_words=words), view_pdf(data, spec, layer_words=words))
        built = st.session_state.get("view_export")
        if not built or built[0] != key:
            return
        stem = f"{view['as_of']}_{view['adcode']}"
        cols = st.columns(2)
        cols[0].download_button(t("view_export_png", lang), built[1], file_name=f"{stem}.png", mime="image/png", key="view_png")
        cols[1].download_button(t("view_export_pdf", lang), built[2], file_name=f"{stem}.pdf", mime="application/pdf", key="view_pdf")
