"""Every text a register can hold exports: template syntax, mathtext, control characters, formulas, markup, RTL, emoji."""

from __future__ import annotations

import io

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
from openpyxl.utils.escape import unescape
from pypdf import PdfReader

from export.atlas import atlas_pdf
from export.data import ExportData, prepare_export_data
from export.static_map import city_png
from export.text import drawable
from export.workbook import summary_xlsx
from geo.export_safety import neutralise_text, xml_text
from tests.export.conftest import AS_OF, make_parks

HOSTILE = (
    "{{ 7*7 }}园",
    "{% if %}园",
    "{#园",
    "$x$园",
    "收入$5$万与$10$万",
    r"A$\undefinedcommand$B",
    "竖\x0b线",
    "空\x00字",
    "_x000B_园",
    "=cmd|' /C calc'!A0",
    "<script>alert(1)</script>",
    "![x](http://h/x.png)",
    "\u200f右到左\u200f",
    "表情😀园",
    "长" * 2000,
)
SOURCE = r"台账 A$\undefinedcommand$B {{ 1 }} ![x](http://h/x.png)" + "\x0b.xlsx"  # on every page and the map
NOT_DRAWN = ("😀",)  # the CJK font has no emoji: drawn as a box, so not in the PDF's text


@pytest.fixture(scope="module")
def hostile_data(counties: gpd.GeoDataFrame, quotas: pd.DataFrame) -> ExportData:
    parks = make_parks(counties, dict.fromkeys(counties["adcode"], 3))
    n = len(HOSTILE)
    parks.loc[: n - 1, "name"] = HOSTILE
    parks.loc[: n - 1, "status"] = "built"
    parks.loc[: n - 1, "completion_date"] = pd.Timestamp("2020-06-30")
    parks["main_industry"] = [HOSTILE[i % n] for i in range(len(parks))]
    parks["operator"] = [HOSTILE[-1 - i % n] for i in range(len(parks))]
    parks["township"] = [HOSTILE[(i + 3) % n] for i in range(len(parks))]
    return prepare_export_data(parks, as_of=AS_OF, counties=counties, quotas=quotas, reported_on=AS_OF, source_name=SOURCE)


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore:Glyph .* missing from font")
def test_atlas_shows_every_name_as_given(hostile_data: ExportData) -> None:
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(atlas_pdf(hostile_data))).pages)
    for name in HOSTILE:
        if not any(ch in name for ch in NOT_DRAWN):
            assert drawable(name) in text, name[:40]
    assert drawable(SOURCE) in text


@pytest.mark.filterwarnings("ignore:Glyph .* missing from font")
def test_city_png_draws(hostile_data: ExportData) -> None:
    assert city_png(hostile_data).startswith(b"\x89PNG")


def test_workbook_holds_every_text_as_given(hostile_data: ExportData) -> None:
    book = openpyxl.load_workbook(io.BytesIO(summary_xlsx(hostile_data)))
    shown = {unescape(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row if isinstance(c, str)}
    for name in HOSTILE:
        assert neutralise_text(xml_text(name)) in shown, name[:40]
    assert f"{xml_text(SOURCE)}（填报日期 2022-12-31）" in " ".join(shown)
