"""Where Streamlit's own widgets speak English or cut words, the app says the thing itself (AppTest).

Streamlit's "Choose options", "Select all", "Upload", "200MB per file" and a refused file's red icon cannot
be translated: the multiselects get placeholders and no "Select all", the uploader a caption, a refused
file type a message; a label the sidebar cuts is offered short, and the import's reasons get a wide,
wrapping column.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.words import MEASURES, columns
from tests.ui.test_data_page import confirm

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "streamlit_app.py")
TIMEOUT_S = 120
SIDEBAR_CHARS = 13  # what the sidebar's 240-px select box shows of a Chinese label without cutting it
BAD_REGISTER = "\r\n".join(
    [
        "园区名称,所在区县,建设状态,建筑面积(万平方米),占地面积(亩),竣工日期,经度,纬度",
        "坏行小微企业园,柯桥区,已建成,很多,60,2022-03-01,120.48,30.08",
        "另一个园,柯桥区,快好了,12,abc,明年,200,95",
    ]
).encode("utf-8")


def _no_exception(at: AppTest) -> None:
    assert not at.exception, [(e.message, e.stack_trace[-3:]) for e in at.exception]


@pytest.fixture
def app(small_store: Path) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S).run()
    _no_exception(at)
    return at


def _data_page(lang: str) -> None:
    from ui import data_page

    data_page.render(lang)


def _upload(name: str, content: bytes, *, lang: str = "zh") -> AppTest:
    at = AppTest.from_function(_data_page, args=(lang,), default_timeout=TIMEOUT_S).run()
    at.file_uploader[0].set_value((name, content, "application/octet-stream")).run()
    confirm(at)
    _no_exception(at)
    return at


def _display_width(text: str) -> float:
    """Width in Chinese characters: a CJK character or full-width sign counts 1, anything else a half."""
    return sum(1.0 if ord(ch) > 0x2E7F else 0.5 for ch in text)


@pytest.mark.parametrize(
    ("lang", "statuses", "industries"), [("zh", "请选择要计入的状态", "全部产业"), ("en", "Choose the statuses to count", "All industries")]
)
def test_the_sidebar_multiselects_say_their_placeholder_in_words_and_offer_no_select_all(
    app: AppTest, lang: str, statuses: str, industries: str
) -> None:
    if lang == "en":
        app.radio(key="lang_choice").set_value("English").run()
        _no_exception(app)
    boxes = {m.label: m for m in app.sidebar.multiselect}
    status_box = next(m for label, m in boxes.items() if label in ("计入总量的状态", "Statuses counted"))
    industry_box = app.multiselect(key="industries")
    assert status_box.proto.placeholder == statuses  # not Streamlit's "Choose options"
    assert industry_box.proto.placeholder == industries
    assert not status_box.proto.select_all and not industry_box.proto.select_all  # no English "Select all"


def test_the_measure_box_offers_labels_the_sidebar_does_not_cut(app: AppTest) -> None:
    box = next(s for s in app.sidebar.selectbox if s.label == "分级设色指标")
    assert len(box.options) == len(MEASURES)
    too_wide = [o for o in box.options if _display_width(o) > SIDEBAR_CHARS]
    assert not too_wide, too_wide
    assert "建筑面积完成率（%）" in box.options
    assert "区县目标" in box.proto.help  # the full meaning, where the short label leaves it out


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("zh", ("拖到上方框内", "200 兆", "50 兆", "97-2003 旧版", "CSV", "GeoPackage")),
        ("en", ("Drag a file", "Upload", "200 MB", ".xls", ".gpkg")),
    ],
)
def test_the_uploader_says_in_words_what_it_takes(small_store: Path, lang: str, words: tuple[str, ...]) -> None:
    at = AppTest.from_function(_data_page, args=(lang,), default_timeout=TIMEOUT_S).run()
    _no_exception(at)
    hint = next(c.value for c in at.caption if "200" in c.value)
    assert all(w in hint for w in words), hint
    assert "Shapefile" in hint


def test_a_refused_file_type_is_said_in_chinese(small_store: Path) -> None:
    at = _upload("柯桥区台账.docx", b"PK\x03\x04 not a register")
    messages = [e.value.replace("\\", "") for e in at.error]  # as shown: the file name is Markdown-escaped
    assert any("不能导入“柯桥区台账.docx”：不支持 .docx 格式的文件" in m and "xlsx、xls、csv" in m for m in messages), messages
    assert not at.metric  # nothing was read


def test_an_xls_name_is_taken_to_the_reader(small_store: Path) -> None:
    at = _upload("柯桥区台账.xls", BAD_REGISTER)  # a CSV saved as .xls: the reader knows it by its bytes
    assert not any("不能导入" in e.value for e in at.error)
    assert [m.label for m in at.metric][:3] == ["总行数", "接受", "拒绝"]


def test_the_reasons_of_rejected_rows_get_a_wide_wrapping_column(small_store: Path) -> None:
    at = _upload("柯桥区台账.csv", BAD_REGISTER)
    reason = columns("problems", "zh")["message"]
    table = next(d for d in at.dataframe if reason in d.value.columns)
    config = json.loads(table.proto.columns)
    assert config[reason]["width"] == "large", config
    assert table.proto.row_height >= 60  # a reason is a sentence or two: it wraps inside a taller row
