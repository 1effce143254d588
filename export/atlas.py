"""The meeting atlas: an A4 landscape PDF with a city page and one page per county.

Each county page has the county map with its parks labelled, its indicators
against its quota (labelled indicative when the quota is not official), its
quarterly progress chart and its park table; a table too long for one page
continues on the next. Pages are vector (matplotlib PDF backend) with the CJK
font embedded as TrueType, so text can be searched and extracted.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator

from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from export.atlas_parts import (
    county_table_rows,
    draw_county_map,
    draw_indicators,
    park_columns,
    park_rows,
    unlabelled_caption,
)
from export.captions import date_line, notices, plan_words, source_lines
from export.charts import draw_progress
from export.data import ExportData
from export.fonts import cjk_style
from export.mapdraw import draw_legend, legend_handles
from export.static_map import draw_city_map, headline_lines, max_floor_area
from export.tables import draw_table, rows_that_fit
from export.text import drawable, literal_text
from geo.words import t

A4_LANDSCAPE_IN = (11.69, 8.27)
TABLE_FONT_PT = 7.0
ROW_PT = 11.5
MIN_ROW_PT = 9.5
FIRST_PAGE_TABLE = (0.50, 0.06, 0.49, 0.6)  # park table area on a county's first page (figure fraction)
MORE_PAGE_TABLE = (0.03, 0.06, 0.94, 0.80)  # on a continuation page
NOTICE_RED = "#b71c1c"


def _frame(data: ExportData, title: str, page: int) -> Figure:
    """Return an A4 landscape page with title, date line, sources, notices and page number."""
    fig = Figure(figsize=A4_LANDSCAPE_IN, facecolor="white")
    fig.text(0.02, 0.955, drawable(title), fontsize=17, fontweight="bold", va="center")
    fig.text(0.02, 0.915, date_line(data), fontsize=8.5, color="#455a64", va="center")
    for i, line in enumerate(notices(data)):
        fig.text(0.98, 0.955 - i * 0.03, line, fontsize=9, color=NOTICE_RED, ha="right", va="center", fontweight="bold")
    for i, line in enumerate(source_lines(data)):
        fig.text(0.02, 0.032 - i * 0.02, drawable(line), fontsize=6.5, color="#607d8b", va="center")
    fig.text(0.98, 0.022, t("page", data.lang, page=page), fontsize=7, color="#607d8b", ha="right", va="center")
    return fig


def city_page(data: ExportData, *, page: int = 1) -> Figure:
    """Return the city page: map with legend, headline, county table and city progress chart."""
    fig = _frame(data, t("city_title", data.lang, **plan_words(data)), page)
    ax = fig.add_axes((0.01, 0.07, 0.5, 0.8))
    draw_city_map(ax, data, label_size=10, px_to_pt=0.55)
    legend_ax = fig.add_axes((0.49, 0.4, 0.13, 0.47))
    legend_ax.set_axis_off()
    handles, labels = legend_handles(lang=data.lang, max_floor_area_m2=max_floor_area(data), px_to_pt=0.55)
    draw_legend(legend_ax, handles, labels, fontsize=6.5)
    for i, line in enumerate(headline_lines(data)):
        fig.text(0.655, 0.86 - i * 0.033, line, fontsize=9, va="center", color="#263238")
    columns, rows = county_table_rows(data)
    draw_table(fig.add_axes((0.655, 0.49, 0.335, 0.235)), columns, rows, fontsize=TABLE_FONT_PT, row_height_pt=ROW_PT * 1.2)
    for i, measure in enumerate(("parks", "floor_area_m2")):
        draw_progress(
            fig.add_axes((0.665 + i * 0.17, 0.1, 0.14, 0.3)), data, adcode=data.targets.region_adcode, measure=measure, fontsize=6.5
        )
    return fig


def county_pages(data: ExportData, adcode: str, *, first_page: int) -> list[Figure]:
    """Return a county's page, plus continuation pages when its park table is long.

    The first page's table squeezes its rows (down to 9.5 pt) before a
    continuation page is started.
    """
    title = t("county_title", data.lang, name=data.county_name(adcode))
    fig = _frame(data, title, first_page)
    placed = draw_county_map(fig.add_axes((0.01, 0.37, 0.47, 0.52)), data, adcode, fontsize=5.5)
    if caption := unlabelled_caption(placed, data.lang):
        fig.text(0.02, 0.352, caption, fontsize=6.5, color="#455a64", va="center")
    for i, measure in enumerate(("parks", "floor_area_m2")):
        draw_progress(fig.add_axes((0.05 + i * 0.235, 0.09, 0.19, 0.22)), data, adcode=adcode, measure=measure, fontsize=6.5)
    draw_indicators(fig.add_axes((0.5, 0.64, 0.49, 0.24)), data, adcode, fontsize=8)
    rows, columns = park_rows(data, adcode), park_columns(data.lang)
    if not rows:
        fig.text(0.5, 0.55, t("no_parks_county", data.lang), fontsize=9)
    height_pt = FIRST_PAGE_TABLE[3] * A4_LANDSCAPE_IN[1] * 72
    row_pt = min(ROW_PT, max(MIN_ROW_PT, height_pt / (len(rows) + 1)))
    capacity = rows_that_fit(height_in=height_pt / 72, row_height_pt=row_pt)
    draw_table(fig.add_axes(FIRST_PAGE_TABLE), columns, rows[:capacity], fontsize=min(TABLE_FONT_PT, row_pt * 0.68), row_height_pt=row_pt)
    pages = [fig]
    rest = rows[capacity:]
    more = rows_that_fit(height_in=MORE_PAGE_TABLE[3] * A4_LANDSCAPE_IN[1], row_height_pt=ROW_PT)
    while rest:
        page = _frame(data, title + t("continued", data.lang), first_page + len(pages))
        draw_table(page.add_axes(MORE_PAGE_TABLE), columns, rest[:more], fontsize=TABLE_FONT_PT, row_height_pt=ROW_PT)
        pages.append(page)
        rest = rest[more:]
    return pages


def atlas_pages(data: ExportData) -> Iterator[Figure]:
    """Yield the atlas pages in order: the city, then each county (with continuation pages)."""
    yield city_page(data, page=1)
    page = 2
    for adcode in data.counties["adcode"].astype(str):
        figures = county_pages(data, adcode, first_page=page)
        page += len(figures)
        yield from figures


def atlas_pdf(data: ExportData, *, progress: Callable[[float], None] | None = None) -> bytes:
    """Return the atlas as PDF bytes (A4 landscape, vector, text extractable).

    Parameters
    ----------
    data
        The export inputs (:func:`export.data.load_export_data`).
    progress
        Called with the share of pages done (0..1) after each county.
    """
    buffer = io.BytesIO()
    total = 1 + len(data.counties)
    metadata = {"Title": t("city_title", data.lang, **plan_words(data)), "Subject": date_line(data), "Creator": "parkmap export"}
    with cjk_style(), literal_text(), PdfPages(buffer, metadata=metadata) as pdf:
        for done, fig in enumerate(atlas_pages(data), start=1):
            pdf.savefig(fig)
            if progress is not None:
                progress(min(done / total, 1.0))
    return buffer.getvalue()
