"""Drawing helpers for the exported figures; the words themselves are in :mod:`geo.words`.

``t``, ``SYNTHETIC_NOTICE``, ``INDICATIVE_NOTICE`` and ``NO_DATA`` are
re-exported from :mod:`geo.words` for the export modules that import them
from here.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import matplotlib as mpl

from geo.export_safety import xml_text
from geo.words import INDICATIVE_NOTICE, NO_DATA, SYNTHETIC_NOTICE, t

__all__ = ["INDICATIVE_NOTICE", "NO_DATA", "SYNTHETIC_NOTICE", "drawable", "literal_text", "t"]


@contextmanager
def literal_text() -> Iterator[None]:
    """Run the block with matplotlib drawing every text as given.

    By default matplotlib reads text between two ``$`` as mathtext: a park
    named ``收入$5$万`` would lose its dollar signs and ``A$\\foo$B`` would stop
    the whole export with a parse error. Every text artist created inside
    this block has ``parse_math=False``.
    """
    with mpl.rc_context({"text.parse_math": False}):
        yield


def drawable(text: object) -> str:
    """Return data text (a park or file name) as a figure can draw it.

    Tabs become spaces and carriage returns line breaks; other control
    characters, which no font has, become U+FFFD.
    """
    lines = str(text).replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return xml_text(lines)
