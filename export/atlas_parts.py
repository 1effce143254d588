"""Pieces of the atlas pages: county map, indicator block, park table and county table rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from export.captions import wan
from export.data import ExportData
from export.mapdraw import (
    ParkLabels,
    county_colours,
    county_labels,
    draw_counties,
    draw_legend,
    draw_parks,
    fit_extent,
    label_parks,
    legend_handles,
    marker_sizes_pt2,
    north_arrow,
    scale_bar,
)
from export.static_map import headline_lines, max_floor_area
from export.tables import Column, draw_table
from export.text import INDICATIVE_NOTICE, t
from geo.analysis.dashboard import headline, plan_over
from geo.crs import to_metric
from geo.fields import column_values, format_value, shown_in
from geo.schema import STATUSES
from geo.words import verdict, verdict_header

COUNTY_PX_TO_PT = 0.55
NAME_SUFFIXES = ("小微企业园", "小微园")
CONTEXT_FILL = "#eceff1"
NOTICE_RED = "#b71c1c"
MAX_MAP_LABELS = 40  # more names than this on a county map are no longer legible at 5.5 pt


def short_name(name: str) -> str:
    """Return a park name without the common word 小微企业园 (for map labels; tables keep the full name)."""
    for word in NAME_SUFFIXES:
        shorter = name.replace(word, "").strip()
        if shorter and shorter != name:
            return shorter
    return name


def county_parks(data: ExportData, adcode: str) -> pd.DataFrame:
    """Return the county's parks (status on the as-of date), most advanced status first, then largest first."""
    parks = data.parks_on_date[data.parks_on_date["county_adcode"].astype(str) == adcode]
    rank = parks["status"].map({s: i for i, s in enumerate(STATUSES)}).fillna(-1)
    floor = pd.to_numeric(parks["floor_area_m2"], errors="coerce").fillna(0)
    order = np.lexsort((-floor.to_numpy(), -rank.to_numpy()))
    return parks.iloc[order]


def draw_county_map(ax: Axes, data: ExportData, adcode: str, *, fontsize: float) -> ParkLabels:
    """Draw one county in its progress class among grey neighbours, its parks labelled with their names.

    The legend, scale bar and north arrow are drawn first, so the names keep clear of them; at most
    :data:`MAX_MAP_LABELS` parks are named, largest first, and a park whose name finds no free place
    stays unlabelled (it is in the page's table). Returns what was labelled, for the caption.
    """
    focus = data.counties["adcode"].astype(str) == adcode
    pct = data.view.set_index("adcode")["floor_pct"].reindex(data.counties["adcode"].astype(str)).to_numpy(dtype="float64")
    colours = [c if f else CONTEXT_FILL for c, f in zip(county_colours(pct), focus, strict=True)]
    draw_counties(ax, data.counties, colours=colours, linewidth=0.6)
    others = data.counties[~focus.to_numpy()]
    county_labels(ax, others, [data.county_name(a) for a in others["adcode"].astype(str)], fontsize=fontsize * 1.3, colour="#90a4ae")
    parks = county_parks(data, adcode)
    county = to_metric(data.counties[focus.to_numpy()])
    fit_extent(ax, county.total_bounds, pad=0.05)
    handles, labels = legend_handles(lang=data.lang, max_floor_area_m2=max_floor_area(data), px_to_pt=COUNTY_PX_TO_PT, choropleth=False)
    draw_legend(ax, handles, labels, fontsize=fontsize * 0.95, loc="lower right")
    scale_bar(ax, lang=data.lang, fontsize=fontsize * 1.1, location=(0.04, 0.04))
    north_arrow(ax, fontsize=fontsize * 1.4, location=(0.94, 0.85))
    if not len(parks):
        return ParkLabels(labelled=0, unlabelled=0, leaders=0)
    metric = draw_parks(ax, parks, max_floor_area_m2=max_floor_area(data), px_to_pt=COUNTY_PX_TO_PT)
    sizes = marker_sizes_pt2(metric["floor_area_m2"], max_floor_area_m2=max_floor_area(data), px_to_pt=COUNTY_PX_TO_PT)
    names = [short_name(str(n)) for n in metric["name"]]
    outline = county.geometry.union_all().boundary
    return label_parks(
        ax, metric, names, fontsize=fontsize, sizes_pt2=sizes, outline=outline, max_labels=MAX_MAP_LABELS, drop_unplaced=True
    )


def unlabelled_caption(placed: ParkLabels, lang: str) -> str:
    """Return the line under a county map saying how many parks are not named on it ("" when all are)."""
    if not placed.unlabelled:
        return ""
    if lang == "zh":
        return f"图上标注 {placed.labelled} 个园区名称（建筑面积大者优先），另 {placed.unlabelled} 个未标注，见右侧园区表。"
    return f"{placed.labelled} parks named on the map (largest first); {placed.unlabelled} more are not labelled, see the park table."


def indicator_rows(data: ExportData, adcode: str) -> list[list[str]]:
    """Return the county's parks and floor area against its quota as table rows."""
    head = headline(data.progress, adcode=adcode)
    lang = data.lang
    return [
        [t("parks", lang), f"{head.parks:,.0f}", f"{head.parks_target:,.0f}", f"{head.parks_pct:.1f}%"],
        [t("floor_area", lang), wan(head.floor_area_m2), wan(head.floor_area_target_m2, 0), f"{head.floor_pct:.1f}%"],
    ]


def land_use_line(data: ExportData, adcode: str) -> str:
    """Return land area, plot ratio, enterprises and tax per 亩 of the county's counted parks."""
    row = data.land_use[data.land_use["adcode"].astype(str) == adcode].iloc[0]
    lang = data.lang

    def num(value: float, digits: int) -> str:
        return "—" if pd.isna(value) else f"{value:,.{digits}f}"

    return (
        f"{t('land_area', lang)} {num(row['land_area_mu'], 0)} · {t('plot_ratio', lang)} {num(row['plot_ratio'], 2)} · "
        f"{t('firms', lang)} {num(row['enterprises'], 0)} · {t('tax_per_mu', lang)} {num(row['tax_per_mu_wan_yuan'], 1)}"
    )


def draw_indicators(ax: Axes, data: ExportData, adcode: str, *, fontsize: float) -> None:
    """Draw the indicator table, time elapsed / on-track state, pipeline, land use and the quota label."""
    lang = data.lang
    columns = [
        Column(t("indicator", lang), 1.5, "left"),
        Column(t("value", lang), 0.9),
        Column(t("quota", lang), 0.9),
        Column(t("pct", lang), 0.8),
    ]
    draw_table(ax, columns, indicator_rows(data, adcode), fontsize=fontsize, row_height_pt=fontsize * 1.9)
    height = ax.get_ylim()[1]
    lines = headline_lines(data, adcode=adcode)[2:]
    head = headline(data.progress, adcode=adcode)
    projected = t("pipeline_value", lang, parks=f"{head.projected_parks:,.0f}", floor=wan(head.projected_floor_area_m2))
    lines += [f"{t('projected', lang)}  {projected}", land_use_line(data, adcode)]
    step = fontsize * 1.75 / 72
    top = height - 3 * fontsize * 1.9 / 72 - step * 0.4
    for i, line in enumerate(lines):
        ax.text(0.03, top - i * step, line, fontsize=fontsize * 0.95, va="center", color="#263238")
    official = bool(data.quotas.loc[data.quotas["adcode"].astype(str) == adcode, "official"].all())
    if not official:
        quota_label = f"{t('quota', lang)}：{INDICATIVE_NOTICE}" if lang == "zh" else f"Quota: {INDICATIVE_NOTICE}"
        ax.text(0.03, top - len(lines) * step, quota_label, fontsize=fontsize * 0.95, va="center", color=NOTICE_RED)


# Width (inches) and alignment of the park table's columns; a catalogue field shown in the atlas without an entry gets the default.
_PARK_COLUMN_LAYOUT: dict[str, tuple[float, str]] = {
    "name": (1.95, "left"),
    "status": (0.55, "center"),
    "floor_area_m2": (0.75, "right"),
    "land_area_mu": (0.55, "right"),
    "plot_ratio": (0.45, "right"),
    "star_rating": (0.55, "center"),
    "enterprises": (0.55, "right"),
}
_DEFAULT_LAYOUT = (0.55, "right")


def park_columns(lang: str) -> list[Column]:
    """Return the park table's columns (widths in inches): a number, then the catalogue fields whose ``shows.atlas`` is set."""
    columns = [Column(t("col_no", lang), 0.3, "right")]
    for item in shown_in("atlas"):
        width, align = _PARK_COLUMN_LAYOUT.get(item.name, _DEFAULT_LAYOUT)
        columns.append(Column(item.label(lang, sink="atlas"), width, align))
    return columns


def park_rows(data: ExportData, adcode: str) -> list[list[str]]:
    """Return the county's park table rows: no., then each atlas field as text (floor area 万㎡, land 亩, plot ratio, stars ...)."""
    parks = county_parks(data, adcode)
    fields = shown_in("atlas")
    values = [column_values(parks, item).tolist() for item in fields]
    rows = []
    for i, cells in enumerate(zip(*values, strict=True), start=1):
        rows.append([str(i), *(format_value(item, v, data.lang, glyphs=True) for item, v in zip(fields, cells, strict=True))])
    return rows


def county_table_rows(data: ExportData) -> tuple[list[Column], list[list[str]]]:
    """Return the city page's county table: parks and floor area against quota, on track and rank."""
    lang, final = data.lang, plan_over(data.progress)
    columns = [
        Column(t("col_county", lang), 0.55, "left"),
        Column(t("parks", lang), 0.68),
        Column(t("col_parks_pct", lang), 0.5),
        Column(t("floor_area", lang), 0.82),
        Column(t("col_floor_pct", lang), 0.5),
        Column(verdict_header(final=final, lang=lang), 0.55, "center"),
        Column(t("col_rank", lang), 0.3),
    ]
    rows = []
    for row in data.view.itertuples():
        state = verdict(row.on_track, final=final, lang=lang)
        rows.append(
            [
                data.county_name(str(row.adcode)),
                f"{row.parks:,.0f} / {row.parks_quota:,.0f}",
                f"{row.parks_pct:.0f}%",
                f"{wan(row.floor_area_m2)} / {wan(row.floor_quota_m2, 0)}",
                f"{row.floor_pct:.0f}%",
                state,
                str(row.rank),
            ]
        )
    return columns, rows
