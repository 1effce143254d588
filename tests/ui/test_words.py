"""Every label on screen comes from the catalogue of words, in the chosen language.

The dashboard and the data page are rendered in Chinese and in English; the
test reads every visible text (titles, Markdown, captions, alerts, metrics,
progress bars, widget labels and options, tabs, expanders, buttons, table
headers, chart titles and tooltips) and fails when a Chinese page shows an
internal identifier or an English-only label, or an English page shows a
Chinese-only label. Data (county, park and file names, the store's path) and
the deliberately bilingual notices are allowed.
"""

from __future__ import annotations

import html
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from geo.analysis.indicators import INDICATOR_COLUMNS
from geo.analysis.land_use import LAND_USE_COLUMNS
from geo.ingest.report import PROBLEM_COLUMNS
from geo.region.targets import QUOTA_COLUMNS
from geo.schema import ENTERPRISE_COLUMNS, PARK_COLUMNS, STATUSES
from geo.store.meta import SNAPSHOT_COLUMNS
from geo.words import INDICATIVE_NOTICE, LANGUAGE_NAMES, SYNTHETIC_NOTICE, columns, t
from tests.ui.test_data_page import confirm

TIMEOUT_S = 120
CJK = re.compile(r"[\u3400-\u9fff]")
WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
IDENTIFIERS = {
    *PARK_COLUMNS,
    *ENTERPRISE_COLUMNS,
    *SNAPSHOT_COLUMNS,
    *QUOTA_COLUMNS,
    *LAND_USE_COLUMNS,
    *INDICATOR_COLUMNS,
    *PROBLEM_COLUMNS,
    *STATUSES,
    "adcode",
    "indicator_id",
    "pct_complete",
    "measured",
    "snapshot_id",
    "error",
    "warning",
    "sheet",
    "position",
    "parks",
    "enterprises",
    "gcj02",
    "bd09",
    "wgs84",
    "cgcs2000",
    "measure",
    "quarter",
    "area",
    "series",
    "status_label",
    "floor_area_wan_m2",
}
# Names of formats, systems and products: the same in both languages.
NEUTRAL = {
    "Excel", "CSV", "GeoJSON", "GeoPackage", "Shapefile", "xlsx", "PNG", "PDF", "A4", "HTML", "H3", "GCJ", "BD", "WGS",
    "CGCS2000", "GPS", "EPSG", "CM", "cnmaps", "data", "Amap", "OpenStreetMap", "tk", "TIANDITU_KEY", "tianditu_key",
    "streamlit", "secrets", "toml", "km", "m", "SHA", "Language", "English", "px", "Q", "Y", "d",
}  # fmt: skip


def _render(page: str, lang: str) -> None:
    from ui import dashboard, data_page

    (dashboard if page == "dashboard" else data_page).render(lang)


def _two_county_sheets() -> bytes:
    """A register in two sheets with a problem in each (the problems table then has its ``sheet`` column)."""
    rows = {"名称": ["甲园", "乙园"], "所在区县": "越城区", "建筑面积": ["12000", "很大"], "建设状态": "建成", "经度": 120.58, "纬度": 30.0}
    out = io.BytesIO()
    with pd.ExcelWriter(out, engine="openpyxl") as writer:
        pd.DataFrame(rows).to_excel(writer, sheet_name="越城区", index=False)
        pd.DataFrame(rows).assign(纬度=91.0).to_excel(writer, sheet_name="柯桥区", index=False)
    return out.getvalue()


def _nodes(node: object) -> Iterator[object]:
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _nodes(child)


def _chart_texts(spec: str) -> list[str]:
    """Titles of a Vega-Lite chart: axis and legend titles and tooltip titles (field names when no title is set)."""
    found: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, dict):
            if "tooltip" in value:
                tips = value["tooltip"] if isinstance(value["tooltip"], list) else [value["tooltip"]]
                found.extend(str(tip.get("title", tip.get("field", ""))) for tip in tips if isinstance(tip, dict))
            if isinstance(value.get("title"), str):
                found.append(value["title"])
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(json.loads(spec))
    return found


def _map_texts(overlays: str) -> list[str]:
    """The map's visible words: tooltip labels (folium's ``aliases``) and the text of legends and notices."""
    aliases = [alias for found in re.findall(r"let aliases = (\[.*?\]);", overlays) for alias in json.loads(found)]
    boxes = [html.unescape(m).strip() for m in re.findall(r">([^<>{}`$]+)<", overlays)]
    return [text for text in [*aliases, *boxes] if text and "+" not in text and "=" not in text]


def _as_shown(node: object) -> pd.DataFrame:
    """A table with the headers the browser shows: a column's configured label, else its name."""
    table = node.value  # type: ignore[attr-defined]
    config = json.loads(node.proto.columns or "{}")  # type: ignore[attr-defined]
    labels = {name: spec["label"] for name, spec in config.items() if isinstance(spec, dict) and spec.get("label")}
    return table.rename(columns=lambda c: labels.get(str(c), labels.get(f"col:{c}", c)))


def visible(at: AppTest) -> tuple[list[str], list[str], list[pd.DataFrame]]:
    """Return (labels and texts, option texts, tables) the page shows."""
    texts: list[str] = []
    options: list[str] = []
    tables: list[pd.DataFrame] = []
    for node in _nodes(at._tree):
        proto = getattr(node, "proto", None)
        kind = getattr(node, "type", "")
        if kind == "dataframe":
            tables.append(_as_shown(node))
            continue
        if kind == "vega_lite_chart":
            texts.extend(_chart_texts(proto.spec))  # type: ignore[union-attr]
            continue
        if getattr(proto, "json_args", ""):
            texts.extend(_map_texts(json.loads(proto.json_args).get("feature_group", "")))  # type: ignore[union-attr]
        for name in ("label", "body", "text", "help", "placeholder"):
            value = getattr(proto, name, None)
            if isinstance(value, str) and value:
                texts.append(value)
        if kind == "metric":
            texts.append(str(node.value))  # type: ignore[attr-defined]
        if proto is not None and hasattr(proto, "options") and kind not in ("select_slider",):
            options.extend(str(o) for o in proto.options)
    return texts, options, tables


def _data_strings(small_store: Path) -> list[str]:
    """What the pages show as data: county, park, industry and file names, the store's path."""
    from geo.region.region import load_region
    from geo.store import open_store

    store = open_store(small_store)
    region = load_region()
    strings = [str(small_store), str(small_store.parent), region.name, *(c.name for c in region.counties)]
    for kind in ("parks", "enterprises"):
        frame = store.current(kind)
        for column in ("name", "main_industry", "operator", "industry", "township", "park_name"):
            if column in frame.columns:
                strings.extend(frame[column].dropna().astype(str).unique())
    strings.extend(store.list_snapshots()["source_name"].astype(str))
    for sub in store.list_submissions():  # who sent and reviewed each report, and why one was returned, are data too
        strings.extend(s for s in (sub.submitted_by, sub.reviewed_by, sub.reason) if s)
    return sorted(set(strings), key=len, reverse=True)


def _without(text: str, data: list[str]) -> str:
    """``text`` as shown (Markdown escapes removed) without the data strings in it."""
    text = re.sub(r"\\(.)", r"\1", text)
    for item in data:
        text = text.replace(item, " ")
    return text


@pytest.fixture
def shown(small_store: Path, request: pytest.FixtureRequest) -> tuple[str, list[str], list[str], list[pd.DataFrame], list[str]]:
    page, lang = request.param
    at = AppTest.from_function(_render, args=(page.split("+")[0], lang), default_timeout=TIMEOUT_S).run()
    if page.endswith("+import"):
        xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        confirm(at.file_uploader[0].set_value(("两个区县.xlsx", _two_county_sheets(), xlsx)).run())
        assert columns("problems", lang)["sheet"] in at.dataframe[0].value.columns  # the problems table, with its sheet column
    assert not at.exception, [e.message for e in at.exception]
    texts, options, tables = visible(at)
    assert texts and tables  # the page was drawn
    data = _data_strings(small_store) + (_report_notes() if page.endswith("+import") else [])
    return lang, texts, options, tables, sorted(set(data), key=len, reverse=True)  # longest first


def _report_notes() -> list[str]:
    """The import report's notes: written by geo.ingest in Chinese only (not yet through the catalogue)."""
    from geo.ingest.parks import import_parks
    from geo.region.boundaries import load_counties
    from ui.shared import md_text

    report = import_parks(_two_county_sheets(), datum="gcj02", counties=load_counties(), file_name="两个区县.xlsx")
    return [re.sub(r"\\(.)", r"\1", md_text(note)) for note in [*report.notes, *report.summary_lines()]]


PAGES = [(page, lang) for lang in ("zh", "en") for page in ("dashboard", "data", "data+import")]


@pytest.mark.parametrize("shown", [p for p in PAGES if p[1] == "zh"], indirect=True, ids=lambda p: "-".join(p))
def test_a_chinese_page_shows_no_identifier_and_no_english_only_label(shown: tuple) -> None:
    _, texts, options, tables, data = shown
    headers = [str(c) for table in tables for c in table.columns]
    # values that are identifiers in a table's cells (kinds, severities, statuses)
    cells = [str(v) for table in tables for c in table.columns for v in table[c].dropna().unique() if isinstance(v, str)]
    offending = []
    for text in [*texts, *options, *headers]:
        words = set(WORD.findall(_without(text, data)))
        if words & IDENTIFIERS or words - NEUTRAL:
            offending.append(text)
    offending += [v for v in cells if v in IDENTIFIERS]
    assert offending == []


@pytest.mark.parametrize("shown", [p for p in PAGES if p[1] == "en"], indirect=True, ids=lambda p: "-".join(p))
def test_an_english_page_shows_no_identifier_and_no_chinese_only_label(shown: tuple) -> None:
    _, texts, options, tables, data = shown
    bilingual = [SYNTHETIC_NOTICE, INDICATIVE_NOTICE, t("language", "en"), LANGUAGE_NAMES["zh"]]
    headers = [str(c) for table in tables for c in table.columns]
    offending = [text for text in [*texts, *options, *headers] if CJK.search(_without(text, bilingual + data))]
    offending += [h for h in headers + options if h in IDENTIFIERS or "_" in h]
    offending += [text for text in texts if re.search(r"\b[a-z]+_[a-z0-9_]+\b", _without(text, data))]
    assert offending == []


def test_the_check_sees_an_identifier_and_an_english_label() -> None:
    """The checks above can fail: a raw header and an English label on a Chinese page are caught."""
    words = set(WORD.findall("snapshot_id"))
    assert words & IDENTIFIERS
    assert set(WORD.findall("Import data")) - NEUTRAL
    assert not set(WORD.findall("上传文件：Excel / CSV / GeoJSON")) - NEUTRAL
