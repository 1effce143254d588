"""The slide PNG: size, CJK font, scale bar in true metres."""

from __future__ import annotations

import io

import pytest
from matplotlib.figure import Figure
from matplotlib.ft2font import FT2Font
from matplotlib.patches import Rectangle
from PIL import Image

from export import fonts
from export.data import ExportData
from export.fonts import CJKFontMissingError, cjk_font_family
from export.mapdraw import fit_extent, scale_bar
from export.static_map import city_png
from geo.words import SYNTHETIC_NOTICE, WORDS


def test_png_is_slide_sized_and_at_least_2400_px_wide(small_data: ExportData) -> None:
    image = Image.open(io.BytesIO(city_png(small_data)))
    assert image.format == "PNG"
    assert image.size[0] >= 2400
    assert image.size == (2560, 1440)


def test_png_refuses_a_resolution_too_low_for_slides(small_data: ExportData) -> None:
    with pytest.raises(ValueError, match="2400 px"):
        city_png(small_data, dpi=100)


def test_cjk_font_has_every_glyph_the_exports_use() -> None:
    """No empty boxes: the chosen font has a glyph for every character of the labels and county names."""
    from matplotlib import font_manager

    path = font_manager.findfont(font_manager.FontProperties(family=cjk_font_family()), fallback_to_default=False)
    charmap = FT2Font(path).get_charmap()
    words = [zh for zh, _ in WORDS.values()] + ["越城区柯桥区上虞区新昌县诸暨市嵊州市", SYNTHETIC_NOTICE, "谋划在建建成已认定"]
    missing = {ch for word in words for ch in word if ord(ch) > 0x2E80 and ord(ch) not in charmap}
    assert not missing, f"font {path} lacks {sorted(missing)}"


def test_missing_cjk_font_fails_with_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts, "CJK_FONT_CANDIDATES", ("/nonexistent/font.ttc",))
    monkeypatch.setattr(fonts, "CJK_FAMILY_NAMES", ("No Such CJK Font",))
    cjk_font_family.cache_clear()
    try:
        with pytest.raises(CJKFontMissingError, match="fonts-wqy-zenhei"):
            cjk_font_family()
    finally:
        cjk_font_family.cache_clear()


def test_scale_bar_measures_true_metres() -> None:
    fig = Figure(figsize=(8, 6))
    ax = fig.add_axes((0, 0, 1, 1))
    fit_extent(ax, (400_000, 3_250_000, 500_000, 3_330_000), pad=0)  # 100 km wide, EPSG:4549 metres
    length_km = scale_bar(ax, lang="zh", fontsize=8)
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert length_km == 20
    assert sum(bar.get_width() for bar in bars) == pytest.approx(length_km * 1000)
    assert any(text.get_text() == "20 千米" for text in ax.texts)
