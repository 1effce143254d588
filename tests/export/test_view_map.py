"""The current view as a file: only what the dashboard shows (county, layers, date, language), its header's words, text as typed."""

from __future__ import annotations

import io
from dataclasses import replace

import geopandas as gpd
import pandas as pd
import pytest
from pypdf import PdfReader

import export.view_map as view_map
from export.data import ExportData, prepare_export_data
from export.view_map import ViewSpec, view_parks, view_pdf, view_png
from geo.words import SYNTHETIC_NOTICE
from tests.export.conftest import AS_OF, make_parks

XINCHANG = "330624"
DOLLAR_NAME = "收入$5$万 A$\\foo$B园"
HEADER_LINE = "统计日期 2022-12-31 · 数据：测试台账.xlsx（2022-12-31 报送）"


@pytest.fixture(scope="module")
def parks(counties: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    out = make_parks(counties, dict.fromkeys(counties["adcode"], 3))
    first = out.index[out["county_adcode"] == XINCHANG][0]
    out.loc[first, "name"] = DOLLAR_NAME
    return out


@pytest.fixture(scope="module")
def sample_data(parks: gpd.GeoDataFrame, counties: gpd.GeoDataFrame, quotas: pd.DataFrame) -> ExportData:
    return prepare_export_data(
        parks, as_of=AS_OF, counties=counties, quotas=quotas, reported_on=AS_OF, source_name="测试台账.xlsx", sample=True
    )


def _spec(**extra: object) -> ViewSpec:
    values: dict = {"title": "绍兴市小微企业园分布与建设进度", "area": "新昌县", "data_line": HEADER_LINE, "adcode": XINCHANG}
    return ViewSpec(**(values | extra))


def test_the_view_of_a_county_draws_only_that_countys_parks(sample_data: ExportData, monkeypatch: pytest.MonkeyPatch) -> None:
    drawn: list[gpd.GeoDataFrame] = []
    real = view_map.draw_parks

    def spy(ax, parks, **options):
        drawn.append(parks)
        return real(ax, parks, **options)

    monkeypatch.setattr(view_map, "draw_parks", spy)
    png = view_png(sample_data, _spec(), dpi=60)
    assert png.startswith(b"\x89PNG")
    assert len(drawn) == 1 and len(drawn[0]) == 3
    assert set(drawn[0]["county_adcode"].astype(str)) == {XINCHANG}
    assert (drawn[0]["status"] == sample_data.parks_on_date.loc[drawn[0].index, "status"]).all()  # the status on the date
    drawn.clear()
    view_png(sample_data, _spec(adcode=None, area="全市"), dpi=60)
    assert len(drawn[0]) == len(sample_data.parks)  # the city: every park
    drawn.clear()
    view_png(sample_data, _spec(show_parks=False), dpi=60)
    assert drawn == [] and len(view_parks(sample_data, _spec(show_parks=False))) == 0  # the park layer off: none


def test_the_pdf_says_the_dashboards_title_and_line_and_the_sample_notice(sample_data: ExportData) -> None:
    reader = PdfReader(io.BytesIO(view_pdf(sample_data, _spec(layers_line="图层：园区"))))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "绍兴市小微企业园分布与建设进度 · 新昌县" in text
    assert HEADER_LINE in text
    assert "图层：园区" in text
    assert SYNTHETIC_NOTICE in text
    assert reader.metadata.title == "绍兴市小微企业园分布与建设进度 · 新昌县"


def test_a_park_name_with_dollar_signs_is_drawn_as_typed(sample_data: ExportData) -> None:
    text = PdfReader(io.BytesIO(view_pdf(sample_data, _spec()))).pages[0].extract_text()
    assert DOLLAR_NAME in text  # no mathtext: the $ signs and the backslash stay


def test_real_data_has_no_sample_notice_and_english_words(sample_data: ExportData, parks: gpd.GeoDataFrame) -> None:
    english = prepare_export_data(parks, as_of=AS_OF, counties=sample_data.counties, quotas=sample_data.quotas, lang="en")
    spec = replace(_spec(), title="Shaoxing small-micro enterprise parks", area="Xinchang County", data_line="As of 2022-12-31")
    text = PdfReader(io.BytesIO(view_pdf(english, spec))).pages[0].extract_text()
    assert "Xinchang County" in text and "As of 2022-12-31" in text
    assert SYNTHETIC_NOTICE not in text
