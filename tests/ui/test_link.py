"""The view in the address bar (AppTest): changing the view writes it, opening a link restores it, a hostile link is a note."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.ui.test_shared import unescaped
from ui.link import LinkOptions, query_from_view, view_from_query

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "streamlit_app.py")
TIMEOUT_S = 120
XINCHANG = "330624"

OPTIONS = LinkOptions(
    dates=(date(2023, 12, 31), date(2024, 6, 30)),
    counties={"330600": ("全市", "Whole city"), XINCHANG: ("新昌县", "Xinchang County")},
    statuses=("planned", "under_construction", "built", "certified"),
    industries=("印染", "{{ 7*7 }}"),
    measures=("pct_floor_quota", "parks"),
    basemaps=("none", "osm"),
)


def _open(params: dict[str, str | list[str]]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    at.query_params.update(params)
    at.run()
    assert not at.exception, [(e.message, e.stack_trace[-3:]) for e in at.exception]
    return at


def test_a_link_is_read_only_for_what_the_app_offers() -> None:
    asked = view_from_query(
        {
            "date": ["2024-06-30"],
            "county": ["新昌县"],
            "status": ["built,certified,evil"],
            "industry": ["{{ 7*7 }}", "印染", "钢铁"],
            "layers": ["parks,gaps,<b>"],
            "measure": ["__import__"],
            "present": ["1"],
            "utm_source": ["x"],
        },
        OPTIONS,
    )
    assert asked.values == {
        "date": date(2024, 6, 30),
        "county": XINCHANG,
        "status": ["built", "certified"],
        "industry": ["{{ 7*7 }}", "印染"],
        "layers": ["parks", "gaps"],
        "present": True,
    }
    assert asked.ignored == [("status", "evil"), ("industry", "钢铁"), ("layers", "<b>"), ("measure", "__import__"), ("utm_source", "x")]


def test_what_a_view_writes_a_link_reads_back() -> None:
    view = {
        "as_of": date(2023, 12, 31),
        "adcode": XINCHANG,
        "statuses": ("built",),
        "industries": ("印染",),
        "layers": {"parks": True, "density": False, "clusters": False, "gaps": True},
        "measure": "parks",
        "basemap": "osm",
    }
    written = query_from_view(view, lang="en", presentation=True)
    assert written["county"] == XINCHANG and written["layers"] == "parks,gaps" and written["present"] == "1"
    params = {k: v if isinstance(v, list) else [v] for k, v in written.items() if k != "lang"}
    back = view_from_query(params, OPTIONS)
    assert back.ignored == []
    assert back.values == {
        "date": date(2023, 12, 31),
        "county": XINCHANG,
        "status": ["built"],
        "industry": ["印染"],
        "layers": ["parks", "gaps"],
        "measure": "parks",
        "basemap": "osm",
        "present": True,
    }


def test_the_view_goes_into_the_address_and_a_link_opens_it(small_store: Path) -> None:
    at = _open({})
    assert at.query_params["date"] == "2024-06-30" and at.query_params["county"] == "330600"
    at.select_slider(key="as_of").set_value(date(2023, 12, 31)).run()
    at.checkbox(key="layer_gaps").check().run()
    assert at.query_params["date"] == "2023-12-31"
    assert at.query_params["layers"] == "parks,gaps"
    link = {**at.query_params, "county": XINCHANG, "measure": "parks", "lang": "en"}

    opened = _open(link)  # a colleague opens the link: a new session
    assert any(m.label.endswith("Xinchang County") for m in opened.metric), [m.label for m in opened.metric]
    assert opened.select_slider(key="as_of").value == date(2023, 12, 31)
    assert opened.checkbox(key="layer_gaps").value is True
    assert opened.sidebar.radio(key="lang_choice").value == "English"
    assert opened.query_params["county"] == XINCHANG and opened.query_params["measure"] == "parks"
    assert not any("cannot be used" in w.value for w in opened.warning)
    share = next(e for e in opened.expander if e.label == "Share this view (link)")
    assert f"county={XINCHANG}" in share.code[0].value


HOSTILE = {
    "county": "<img src=x onerror=alert(1)>",
    "date": "2099-13-45",
    "status": "built,$x^2$",
    "industry": "![x](http://127.0.0.1:9/x.png)",
    "measure": "**bold** :red[big]",
    "lang": "fr",
    "present": "yes please",
    "{{7*7}}": "`code`",
}


def test_a_hostile_link_is_ignored_with_a_note_in_plain_words(small_store: Path) -> None:
    at = _open(HOSTILE)
    note = next(w.value for w in at.warning if "链接中" in w.value)
    for shown in ("区县", "统计日期", "计入总量的状态", "主导产业", "分级设色指标", "语言", "演示模式"):
        assert shown in note, shown
    typed, left = re.sub(r"\\(.)", r"\1", note), unescaped(note)
    for mark in ("<img", "$x^2$", "![x](http", "**bold**", ":red[big]", "{{7*7}}", "`code`"):
        assert mark in typed, mark  # shown as typed ...
        assert mark not in left, mark  # ... every mark escaped: never read as Markdown or HTML
    assert any(m.label.endswith("全市") for m in at.metric)  # the ignored county leaves the city
    assert at.select_slider(key="as_of").value == date(2024, 6, 30)
    assert at.query_params["county"] == "330600" and at.query_params["status"] == "built"  # the address holds what is shown
    assert "{{7*7}}" not in at.query_params
    at.button(key="link_dismiss").click().run()
    assert not any("链接中" in w.value for w in at.warning)


@pytest.mark.parametrize("value", ["a" * 5000, "\u202e\u0000x\nline"])
def test_a_long_or_control_character_value_is_shown_short_and_clean(small_store: Path, value: str) -> None:
    at = _open({"county": value})
    note = next(w.value for w in at.warning if "链接中" in w.value)
    assert len(note) < 400 and "\u202e" not in note and "\x00" not in note
