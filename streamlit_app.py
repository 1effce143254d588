"""The small-micro enterprise park map: the Streamlit entry point.

Run with ``make run``. Pages live in ``ui/``, not ``pages/``: Streamlit would
auto-discover a ``pages/`` folder as old-style pages and answer a bookmarked
URL such as /data with "Page not found". All data work is in ``geo/`` and all
map building in ``layers/``.
"""

from __future__ import annotations

import streamlit as st

from geo.region.region import load_region
from geo.words import LANGUAGE_NAMES, t
from layers.assets import missing_assets
from ui import dashboard, data_page, link, shared, signin

st.set_page_config(page_title=t("map_title", "zh", city=load_region().name), page_icon="🗺️", layout="wide")

# Streamlit cuts a metric's label and value with "…" ("计划尚未…", "Under construction (not cou…"): wrap them instead.
GLOBAL_CSS = """
<style>
[data-testid="stMetricLabel"] [data-testid="stMarkdownContainer"], [data-testid="stMetricLabel"] p,
[data-testid="stMetricValue"] [data-testid="stMarkdownContainer"], [data-testid="stMetricValue"] p {
  white-space: normal; overflow: visible; text-overflow: clip; overflow-wrap: break-word;
}
</style>
"""


def _language() -> str:
    with st.sidebar:
        choice = st.radio(
            t("language", "zh"),
            list(LANGUAGE_NAMES.values()),
            horizontal=True,
            key="lang_choice",
            on_change=shared.forget_language_widgets,
        )
    return "zh" if choice == LANGUAGE_NAMES["zh"] else "en"


def main() -> None:
    if missing_assets():
        st.error(f"{t('assets_missing', 'zh')} {t('assets_missing', 'en')}")  # before a language is chosen: both
        st.stop()
    st.html(GLOBAL_CSS)
    link.restore_language()  # a shared link's language, before the switch is drawn
    lang = _language()
    account = signin.gate(lang)  # None while the sign-in form is shown (sign-in off: always someone)
    pages = [
        st.Page(lambda: dashboard.render(lang), title=t("page_map", lang), url_path="map", default=True),
        st.Page(lambda: data_page.render(lang), title=t("page_data", lang), url_path="data"),
    ]
    if account is None:
        # no page and no page links until someone signs in (without a navigation this run, Streamlit kept the
        # last one's links after 退出登录); the URL keeps its page, so a bookmarked /data opens once signed in
        st.navigation(pages, position="hidden")
        st.stop()
    st.navigation(pages).run()


main()
