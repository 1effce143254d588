"""A CJK font for matplotlib, so Chinese text renders (no empty boxes) and embeds in PDFs.

TrueType fonts are preferred: matplotlib embeds them in PDF as Type 42
(CID TrueType) with a ToUnicode map, so the text stays extractable. Debian's
``fonts-wqy-zenhei`` is TrueType; ``fonts-noto-cjk`` (OpenType/CFF) is the
fallback and also works.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import matplotlib as mpl
from matplotlib import font_manager

# Font files in order of preference (Debian package in brackets).
CJK_FONT_CANDIDATES: tuple[str, ...] = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",  # fonts-wqy-zenhei (TrueType)
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",  # fonts-wqy-microhei (TrueType)
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",  # fonts-noto-cjk (OpenType/CFF)
)
# Family names matplotlib may already know (any platform).
CJK_FAMILY_NAMES: tuple[str, ...] = (
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Source Han Sans SC",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
)


class CJKFontMissingError(RuntimeError):
    """No font that can draw Chinese text is installed."""


@lru_cache(maxsize=1)
def cjk_font_family() -> str:
    """Return the family name of an installed CJK font, registering its file with matplotlib.

    Raises
    ------
    CJKFontMissingError
        When no CJK font is found; the message says which Debian package to install.
    """
    for candidate in CJK_FONT_CANDIDATES:
        if Path(candidate).exists():
            font_manager.fontManager.addfont(candidate)
            return font_manager.FontProperties(fname=candidate).get_name()
    known = {entry.name for entry in font_manager.fontManager.ttflist}
    for family in CJK_FAMILY_NAMES:
        if family in known:
            return family
    msg = (
        "No Chinese (CJK) font was found, so maps and the atlas cannot show Chinese text. "
        "Install one and try again: on Debian `sudo apt-get install fonts-wqy-zenhei` (or fonts-noto-cjk)."
    )
    raise CJKFontMissingError(msg)


@contextmanager
def cjk_style() -> Iterator[None]:
    """Run the block with matplotlib set for CJK text and extractable, embedded PDF fonts."""
    family = cjk_font_family()
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)  # "weight normal not found" noise
    settings = {
        "font.family": [family, "DejaVu Sans"],
        "pdf.fonttype": 42,
        "ps.fonttype": 42,
        "axes.unicode_minus": False,
        "svg.fonttype": "none",
    }
    with mpl.rc_context(settings):  # type: ignore[arg-type]
        yield
