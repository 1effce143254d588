"""Formula injection is neutralised in exported tables."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from geo.export_safety import neutralise_formulas, spreadsheet_safe, xlsx_text


def test_formula_cells_get_an_apostrophe_and_input_is_unchanged():
    frame = pd.DataFrame({"名称": ['=HYPERLINK("x")', "+1", "-2", "@SUM(A1)", "普通", None], "数": [1, -2, 3, 4, 5, 6]})
    before = frame.copy()
    out = neutralise_formulas(frame)
    assert out["名称"].tolist()[:5] == ['\'=HYPERLINK("x")', "'+1", "'-2", "'@SUM(A1)", "普通"]
    assert out["名称"].isna().iloc[5]
    assert out["数"].tolist() == [1, -2, 3, 4, 5, 6]
    pd.testing.assert_frame_equal(frame, before)


def test_header_cells_are_neutralised_too():
    assert list(neutralise_formulas(pd.DataFrame({"=cmd": [1]})).columns) == ["'=cmd"]


def test_categorical_cells_are_neutralised_too() -> None:
    import pandas as pd

    from geo.export_safety import neutralise_formulas

    out = neutralise_formulas(pd.DataFrame({"cat": pd.Categorical(["=1+1", "plain"])}))
    assert list(out["cat"].astype(str)) == ["'=1+1", "plain"]


FORMULA_PAYLOADS = [
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://x","y")',
    "+1+1",
    "-1+1",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
    "＝1",
    "＋1",
    "－1",
    "＠SUM(A1)",
    "-2+3+cmd|' /C calc'!A0",
]


@pytest.mark.parametrize("payload", FORMULA_PAYLOADS)
def test_every_formula_payload_is_neutralised_in_text_and_string_columns(payload: str) -> None:
    frame = pd.DataFrame({"object": [payload], "string": pd.Series([payload], dtype="string"), "n": [1]})
    out = neutralise_formulas(frame)
    assert out["object"].iloc[0] == "'" + payload
    assert out["string"].iloc[0] == "'" + payload
    assert out["n"].iloc[0] == 1


def test_unchanged_columns_keep_their_dtype() -> None:
    frame = pd.DataFrame({"cat": pd.Categorical(["a", "b"]), "s": pd.Series(["x", None], dtype="string"), "o": ["x", None]})
    out = neutralise_formulas(frame)
    assert out.dtypes.tolist() == frame.dtypes.tolist()


@pytest.mark.parametrize(
    ("given", "written"),
    [
        ("a\x0bb", "a\ufffdb"),
        ("\x00=1", "\ufffd=1"),
        ("tab\tline\nreturn\r", "tab\tline\nreturn\r"),
        ("_x000B_", "_x005F_x000B_"),
        ("a_x00e9_b_x12", "a_x005F_x00e9_b_x12"),
        ("lone \ud800 surrogate", "lone \ufffd surrogate"),
        ("普通", "普通"),
    ],
)
def test_xlsx_text_holds_what_xml_cannot(given: str, written: str) -> None:
    assert xlsx_text(given) == written


def test_spreadsheet_safe_frames_write_and_read_back_as_given(tmp_path) -> None:
    from openpyxl.utils.escape import unescape

    texts = ["=cmd|' /C calc'!A0", "a\x0bb", "_x000B_", "\x00", "普通"]
    frame = pd.DataFrame({"名称": texts, "\x0bhead": range(5)})
    path = tmp_path / "t.xlsx"
    spreadsheet_safe(frame).to_excel(path, index=False, engine="openpyxl")
    back = openpyxl.load_workbook(path).active  # unescape: what Excel shows of an inline string
    header = [unescape(c.value) for c in back[1]]
    cells = [unescape(row[0]) for row in back.iter_rows(min_row=2, values_only=True)]
    assert header == ["名称", "\ufffdhead"]
    assert cells == ["'=cmd|' /C calc'!A0", "a\ufffdb", "_x000B_", "\ufffd", "普通"]
