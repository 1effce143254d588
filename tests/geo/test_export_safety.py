"""Formula injection is neutralised in exported tables."""

from __future__ import annotations

import pandas as pd

from geo.export_safety import neutralise_formulas


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
