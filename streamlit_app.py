"""Shaoxing small-micro enterprise park map: the Streamlit entry point.

Run with ``make run``. Pages live in ``ui/``, not ``pages/``: Streamlit would
auto-discover a ``pages/`` folder as old-style pages and answer a bookmarked
URL such as /data with "Page not found". All data work is in ``geo/`` and all
map building in ``layers/``.
"""

from __future__ import annotations

import streamlit as st

from layers.assets import missing_assets
from layers.i18n import t
from ui import dashboard, data_page, shared

st.set_page_config(page_title="绍兴市小微企业园", page_icon="🗺️", layout="wide")


def _language() -> str:
    with st.sidebar:
        choice = st.radio(
            t("language", "zh"), ["中文", "English"], horizontal=True, key="lang_choice", on_change=shared.forget_language_widgets
        )
    return "zh" if choice == "中文" else "en"


def main() -> None:
    if missing_assets():
        st.error("地图组件未安装：请运行 `make run`（它会从 npm 安装 Leaflet 到 static/vendor/）。Map assets missing: run `make run`.")
        st.stop()
    lang = _language()
    pages = [
        st.Page(lambda: dashboard.render(lang), title="地图与进度" if lang == "zh" else "Map & progress", url_path="map", default=True),
        st.Page(lambda: data_page.render(lang), title="数据管理" if lang == "zh" else "Data", url_path="data"),
    ]
    st.navigation(pages).run()


main()
