"""The atlas PDF: page count, A4 landscape, extractable county names, labels and notices."""

from __future__ import annotations

import io
from dataclasses import replace

import geopandas as gpd
import pandas as pd
import pytest
from pypdf import PdfReader

from export.atlas import atlas_pdf
from export.data import ExportData, prepare_export_data
from tests.export.conftest import AS_OF, make_parks

COUNTY_NAMES = ("越城区", "柯桥区", "上虞区", "新昌县", "诸暨市", "嵊州市")


pytestmark = pytest.mark.slow  # every test builds a PDF atlas (seconds each)


def _reader(data: ExportData) -> PdfReader:
    return PdfReader(io.BytesIO(atlas_pdf(data)))


def _texts(reader: PdfReader) -> list[str]:
    return [page.extract_text() for page in reader.pages]


@pytest.fixture(scope="module")
def small_atlas(small_data: ExportData) -> PdfReader:
    return _reader(small_data)


def test_city_page_then_one_page_per_county_with_names_extractable(small_atlas: PdfReader) -> None:
    assert len(small_atlas.pages) == 7
    texts = _texts(small_atlas)
    assert "绍兴市" in texts[0]
    for name in COUNTY_NAMES:
        assert name in texts[0], f"{name} missing from the city page's county table"
    for page_text, name in zip(texts[1:], COUNTY_NAMES, strict=True):
        assert f"{name}小微企业园" in page_text
    width, height = float(small_atlas.pages[0].mediabox.width), float(small_atlas.pages[0].mediabox.height)
    assert (round(width), round(height)) == (842, 595)  # A4 landscape in points


def test_county_page_lists_its_parks_indicators_and_chart(small_atlas: PdfReader, small_data: ExportData) -> None:
    keqiao = _texts(small_atlas)[2]
    for name in small_data.parks.loc[small_data.parks["county_adcode"] == "330603", "name"]:
        assert name in keqiao
    for word in ("园区数（个）", "建筑面积（万㎡）", "容积率", "季度进度", "直线进度线 2020-12-31 → 2023-12-31", "千米"):
        assert word in keqiao


def test_fonts_are_embedded(small_atlas: PdfReader) -> None:
    fonts = small_atlas.pages[1]["/Resources"]["/Font"]
    for ref in fonts.values():
        font = ref.get_object()
        descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
        descriptor = descendant["/FontDescriptor"].get_object()
        assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")), f"{font['/BaseFont']} is not embedded"


def test_indicative_quotas_labelled_and_no_synthetic_notice_on_real_data(small_atlas: PdfReader) -> None:
    texts = _texts(small_atlas)
    assert all("参考分解，非官方 / indicative, not official" in text for text in texts[:7])
    assert not any("synthetic sample data" in text for text in texts)


def test_sample_data_carries_the_notice_and_official_quotas_drop_the_label(small_data: ExportData, quotas: pd.DataFrame) -> None:
    data = replace(small_data, sample=True, quotas=quotas.assign(official=True))
    texts = _texts(_reader(data))
    assert all("合成示例数据，非真实数据 / synthetic sample data" in text for text in texts)
    assert not any("indicative, not official" in text for text in texts)


def test_long_park_table_continues_on_the_next_page(counties: gpd.GeoDataFrame, quotas: pd.DataFrame) -> None:
    parks = make_parks(counties, {"330602": 45, **dict.fromkeys(counties["adcode"][1:], 2)})
    data = prepare_export_data(parks, as_of=AS_OF, counties=counties, quotas=quotas, lang="en")
    texts = _texts(_reader(data))
    assert len(texts) == 8
    assert "Yuecheng District: small-micro enterprise parks (continued)" in texts[2]
    assert "Keqiao District" in texts[3]
    assert "Quarterly progress" in texts[1]
    listed = {name for name in parks.loc[parks["county_adcode"] == "330602", "name"] if name in texts[1] + texts[2]}
    assert len(listed) == 45


def test_map_labels_are_text_too(small_atlas: PdfReader, small_data: ExportData) -> None:
    """Park names on the county map (without the 小微企业园 suffix) are text, not outlines: once on the map, once in the table."""
    keqiao = _texts(small_atlas)[2]
    names = small_data.parks.loc[small_data.parks["county_adcode"] == "330603", "name"]
    for name in names:
        assert keqiao.count(name.replace("小微企业园", "")) >= 2, name
