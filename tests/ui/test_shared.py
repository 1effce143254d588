"""The text and table helpers every page uses before data reaches Streamlit."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from geo.export_safety import FORMULA_PREFIXES
from ui.shared import md_text, shown


def unescaped(markdown: str) -> str:
    """Return ``markdown`` without its backslash escapes: what Markdown would still interpret."""
    return re.sub(r"\\.", "", markdown, flags=re.DOTALL)


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("![x](http://127.0.0.1:9/x.png)", r"\!\[x\]\(http\:\/\/127\.0\.0\.1\:9\/x\.png\)"),
        ("$x^2$", r"\$x\^2\$"),
        ("**bold** _it_ ~s~", r"\*\*bold\*\* \_it\_ \~s\~"),
        (":red[big] :smile:", r"\:red\[big\] \:smile\:"),
        ("<img src=x onerror=alert(1)>", r"\<img src\=x onerror\=alert\(1\)\>"),
        ("# 1. - + | {} `c` \\", r"\# 1\. \- \+ \| \{\} \`c\` \\"),
        ("    indented\n# second", "indented  \n\\# second"),
        ("园区名称", "园区名称"),
    ],
)
def test_md_text_escapes_everything_markdown_would_interpret(text: str, escaped: str) -> None:
    assert md_text(text) == escaped
    assert not re.search(r"[!-/:-@\[-`{-~]", unescaped(md_text(text)))


def test_shown_tables_have_no_formula_left_and_no_attrs() -> None:
    frame = pd.DataFrame({"名称": ["=1+1", "＠SUM(A1)", "普通"], "n": [-1, 2, 3]})
    frame.attrs = {"snapshot": 1}
    out = shown(frame)
    assert out["名称"].tolist() == ["'=1+1", "'＠SUM(A1)", "普通"]
    assert out["n"].tolist() == [-1, 2, 3]
    assert out.attrs == {}
    assert not any(str(v).startswith(FORMULA_PREFIXES) for v in out["名称"])
