"""导出当前视图 on the dashboard (AppTest): the files follow the view on screen."""

from __future__ import annotations

import io
from pathlib import Path

from pypdf import PdfReader
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "streamlit_app.py")


def test_the_view_of_a_drilled_county_downloads_as_png_and_pdf(small_store: Path) -> None:
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params.update({"county": "330624", "date": "2023-12-31"})
    at.run()
    at.button(key="view_export_build").click().run()
    assert not at.exception, [e.message for e in at.exception]
    labels = [b.label for b in at.get("download_button")]
    assert "下载 PNG 图片" in labels and "下载 PDF 文件" in labels
    _key, png, pdf = at.session_state["view_export"]
    assert png.startswith(b"\x89PNG") and pdf.startswith(b"%PDF")
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "新昌县" in text and "统计日期 2023-12-31" in text and "合成示例数据" in text
