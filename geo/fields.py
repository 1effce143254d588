"""The field catalogue: every park and enterprise field, declared once.

A :class:`Field` names a canonical column and says everything the product
needs to know about it: its dtype and unit, its Chinese and English labels,
the header variants registers use for it, which parser reads it, how it is
displayed, and where it shows (map popup, details panel, atlas table,
summary workbook, blank template). Import, the store's column types, the
template, the popup, the details panel, the atlas table and the workbook all
read this catalogue; :data:`geo.schema.PARK_COLUMNS` and
:data:`geo.schema.ENTERPRISE_COLUMNS` are views of it.

Derived fields (plot ratio; 入驻率 from leased and leasable floor area;
亩均税收 and 亩均产出 from the quarter's tax and output and the land area) carry
a ``derive`` function over the other columns; their arithmetic lives in
:mod:`geo.units`. A derived field that is ``stored`` is filled at import where
the register leaves it blank; one that is not stored is computed where shown.

Adding a field is one entry in :data:`PARK_FIELDS` or
:data:`ENTERPRISE_FIELDS` (plus, for a new kind of value, a parser key in
:func:`geo.ingest.parsers.parse_field`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from geo import units

Kind = Literal["parks", "enterprises"]
DType = Literal["str", "code", "adcode", "float", "Int64", "int", "date", "bool"]
Format = Literal["text", "wan_m2", "mu", "int", "pct", "ratio2", "money1", "date", "stars", "status", "park_type", "county"]
Sink = Literal["popup", "tooltip", "details", "atlas", "workbook", "template"]
Lang = Literal["zh", "en"]
Derive = Callable[[Mapping[str, pd.Series]], pd.Series]
MISSING = "—"


@dataclass(frozen=True)
class Shows:
    """Where a field appears."""

    popup: bool = False
    tooltip: bool = False
    details: bool = False
    atlas: bool = False
    workbook: bool = False
    template: bool = False


@dataclass(frozen=True)
class Field:
    """One canonical column of the park or enterprise table.

    Attributes
    ----------
    name
        Canonical column name, unit in the name (``floor_area_m2``).
    kind
        ``"parks"`` or ``"enterprises"``.
    dtype
        ``str`` (text), ``code`` (a word from a fixed list), ``adcode``, ``float``,
        ``Int64`` (nullable whole number), ``int``, ``date`` or ``bool`` (nullable).
    label_zh, label_en
        What a planner reads, without the unit.
    unit_zh, unit_en
        Display unit shown after the label: ``建筑面积（万㎡）``, ``Floor area (10k m²)``.
    key
        The import's name for the register column (``floor_area``); default ``name``.
    aliases
        Header variants (normalised: NFKC, lower case, no spaces) that mean this field.
    parser
        Key of the parser in :func:`geo.ingest.parsers.parse_field`; ``None`` for
        fields the import fills itself (ids, row numbers) or derives.
    allowed
        How to fill the column, in a planner's words (used in import messages).
    maximum
        Largest plausible size of a value (in the stored unit), beyond which it is refused.
    fmt
        Display format (see :func:`format_value`).
    digits
        Digits after the decimal point when shown as text.
    sheet_digits
        Rounding of the number written to the workbook (``None``: as stored).
    shows
        Where the field appears.
    required
        The register must give it (template header in orange, import refuses a blank).
    template_header, template_unit, template_note
        The template's column header (with unit in brackets), the unit column and
        the how-to-fill text of its guide sheet.
    example
        A cell as a planner would type it (the catalogue's round-trip test imports one of each).
    derive
        For derived fields: the values from the other columns of the table.
    inputs
        The fields ``derive`` reads (the import names their headers in messages).
    stored
        False for a derived field computed only where it is shown (plot ratio).
    short
        Key of the value in map feature properties (``floor``).
    listed_last
        Tables (details panel, workbook) list it after the figures (dates).
    labels
        Per-sink label overrides ``{sink: (zh, en)}`` where a place needs other words
        (the narrow atlas column ``企业（家）``, the details panel's bilingual labels).
    """

    name: str
    kind: Kind
    dtype: DType
    label_zh: str
    label_en: str
    unit_zh: str = ""
    unit_en: str = ""
    key: str = ""
    aliases: tuple[str, ...] = ()
    parser: str | None = None
    allowed: str = ""
    maximum: float = math.inf
    fmt: Format = "text"
    digits: int = 0
    sheet_digits: int | None = None
    shows: Shows = field(default_factory=Shows)
    required: bool = False
    template_header: str = ""
    template_unit: str = ""
    template_note: str = ""
    example: str = ""
    derive: Derive | None = None
    inputs: tuple[str, ...] = ()
    stored: bool = True
    short: str = ""
    listed_last: bool = False
    labels: Mapping[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def import_key(self) -> str:
        """The import's name for the register column."""
        return self.key or self.name

    @property
    def prop(self) -> str:
        """The key of the field's value in map feature properties."""
        return self.short or self.name

    def label(self, lang: str, *, sink: str | None = None, unit: bool = True) -> str:
        """Return the label in ``lang`` (``zh``/``en``), with the display unit, as ``sink`` shows it.

        Parameters
        ----------
        lang
            ``zh`` or ``en``.
        sink
            Where the label is shown (``popup``, ``details``, ``atlas``, ``workbook`` ...); None for the field's usual label.
        unit
            Add the display unit in brackets.

        Returns
        -------
        str
            The label.
        """
        if sink is not None and sink in self.labels:
            zh, en = self.labels[sink]
            return zh if lang == "zh" else en
        text, shown_unit = (self.label_zh, self.unit_zh) if lang == "zh" else (self.label_en, self.unit_en)
        if not unit or not shown_unit:
            return text
        return f"{text}（{shown_unit}）" if lang == "zh" else f"{text} ({shown_unit})"


_DATE_HELP = "日期可写作 2021-03-05、2021/3/5、2021年3月 或 2021.3。"
_DATE_NOTE = "2021-03-05、2021/3/5、2021年3月 或 2021.3；只到月份时按当月 1 日"
_FLAG_HELP = "可填：是、否（也可填 Y/N、1/0）。"
COUNT_MAX = 1_000_000
LAND_AREA_MAX_MU = 100_000.0  # about 67 km2
FLOOR_AREA_MAX_M2 = 10_000_000.0  # 1,000 万平方米, ten times the largest park
TAX_PER_MU_MAX_WAN_YUAN = 10_000.0
OUTPUT_PER_MU_MAX_WAN_YUAN = 100_000.0  # 10 亿元 a 亩 a year; the best parks report a few thousand
MONEY_MAX_WAN_YUAN = 10_000_000.0  # 1,000 亿元 in a quarter, far beyond any park
# The operating figures (营业收入, 工业产值, 税收) a register gives are for one quarter (its
# headers say 本季度), not year to date; 亩均 figures derived from them are annualised (× 12 / 3).
REPORTING_PERIOD_MONTHS = 3
_COUNT_HELP = f"应为 0 到 {COUNT_MAX:,} 之间的整数，如 {{example}} 或 {{example}}家。"
_MONEY_HELP = "应为本季度的金额（万元），可带单位“万元”，如 {example} 或 {example}万元；"
_AREA_HELP = "应为大于 0 的数字，可带单位：万平方米、平方米（㎡）、亩、公顷，例如 12.5 或 12.5万㎡。"

_COUNTY_ALIASES = (
    "所在区县",
    "区县",
    "县(市、区)",
    "县(市,区)",
    "县市区",
    "区、县(市)",
    "县区",
    "所属区县",
    "区县(市)",
    "county",
    "district",
    "adcode",
)
_TOWNSHIP_ALIASES = ("所在镇街", "镇街", "镇(街道)", "乡镇街道", "所在乡镇", "镇街道", "街道", "乡镇", "township", "town")


def _plot_ratio(table: Mapping[str, pd.Series]) -> pd.Series:
    return units.plot_ratio(table["floor_area_m2"], table["land_area_mu"])


def _occupancy(table: Mapping[str, pd.Series]) -> pd.Series:
    return units.ratio(table["leased_area_m2"], table["leasable_area_m2"], scale=100.0)


def _tax_per_mu(table: Mapping[str, pd.Series]) -> pd.Series:
    return units.per_mu_annual(table["tax_wan_yuan"], table["land_area_mu"], months=REPORTING_PERIOD_MONTHS)


def _output_per_mu(table: Mapping[str, pd.Series]) -> pd.Series:
    return units.per_mu_annual(table["output_wan_yuan"], table["land_area_mu"], months=REPORTING_PERIOD_MONTHS)


PARK_FIELDS: tuple[Field, ...] = (
    Field("park_id", "parks", "str", "园区编号", "Park id", shows=Shows(workbook=True), labels={"workbook": ("park_id", "park_id")}),
    Field(
        "park_code",
        "parks",
        "str",
        "园区编码",
        "Park code",
        aliases=("园区编码", "统一编码", "园区代码", "园区编号", "park_code"),
        parser="text",
        shows=Shows(details=True, workbook=True, template=True),
        template_header="园区编码",
        example="KQ-2021-007",
        template_note="本单位给园区的编码（如有）；每季度报送时保持不变，用来认出同一个园区",
        labels={"details": ("园区编码 Park code", "园区编码 Park code")},
    ),
    Field(
        "name",
        "parks",
        "str",
        "园区名称",
        "Park",
        aliases=("园区名称", "名称", "小微企业园名称", "小微园名称", "园区", "name", "park_name", "parkname"),
        parser="text",
        allowed="请填写园区名称。",
        required=True,
        shows=Shows(popup=True, tooltip=True, details=True, atlas=True, workbook=True, template=True),
        template_header="园区名称",
        example="柯桥测试小微企业园",
        template_note="园区全称，如“柯桥区XX小微企业园”；同一区县内不要重名",
        labels={
            "popup": ("园区", "Park"),
            "tooltip": ("园区", "Park"),
            "details": ("园区名称 Name", "园区名称 Name"),
            "missing": ("名称", "Name"),
        },
    ),
    Field(
        "county_adcode",
        "parks",
        "adcode",
        "区县",
        "County",
        key="county",
        aliases=_COUNTY_ALIASES,
        parser="county",
        required=True,
        fmt="county",
        short="county",
        shows=Shows(popup=True, details=True, workbook=True, template=True),
        template_header="所在区县",
        example="柯桥区",
        template_note="{counties}；也可填简称（{short}）、旧称（{former}）或行政区划代码",  # examples from region.json
        labels={"details": ("区县 County", "区县 County"), "missing": ("所在区县", "County")},
    ),
    Field(
        "township",
        "parks",
        "str",
        "镇街",
        "Township",
        aliases=_TOWNSHIP_ALIASES,
        parser="text",
        shows=Shows(workbook=True, template=True),
        template_header="所在镇街",
        example="柯桥街道",
        template_note="镇或街道名称",
        labels={"missing": ("所在镇街", "Township")},
    ),
    Field(
        "park_type",
        "parks",
        "code",
        "园区类型",
        "Park type",
        aliases=("园区类型", "类型", "园区类别", "type", "park_type"),
        parser="park_type",
        fmt="park_type",
        shows=Shows(template=True),
        template_header="园区类型",
        example="生产制造类",
        template_note="{park_types}",
    ),
    Field(
        "status",
        "parks",
        "code",
        "状态",
        "Status",
        aliases=("建设状态", "状态", "建设进度", "建设情况", "status"),
        parser="status",
        required=True,
        fmt="status",
        shows=Shows(popup=True, tooltip=True, details=True, atlas=True, workbook=True, template=True),
        template_header="建设状态",
        example="建成",
        template_note="{statuses}",
        labels={
            "details": ("状态 Status", "状态 Status"),
            "workbook": ("状态（统计日）", "Status on as-of date"),
            "missing": ("建设状态", "Status"),
        },
    ),
    Field(
        "floor_area_m2",
        "parks",
        "float",
        "建筑面积",
        "Floor area",
        "万㎡",
        "10k m²",
        key="floor_area",
        aliases=("建筑面积", "总建筑面积", "园区建筑面积", "floor_area", "floorarea", "floor_area_m2"),
        parser="area_m2",
        allowed=f"建筑面积{_AREA_HELP}最大 {FLOOR_AREA_MAX_M2 / 10_000:,.0f} 万平方米。",
        maximum=FLOOR_AREA_MAX_M2,
        required=True,
        fmt="wan_m2",
        digits=2,
        sheet_digits=4,
        short="floor",
        shows=Shows(popup=True, tooltip=True, details=True, atlas=True, workbook=True, template=True),
        template_header="建筑面积(万平方米)",
        example="12.5",
        template_unit="万平方米",
        template_note="大于 0 的数字；单元格里也可写单位，如 125000㎡ 或 18.7亩 会自动换算",
        labels={
            "details": ("建筑面积 Floor area (万㎡)", "建筑面积 Floor area (万㎡)"),
            "missing": ("建筑面积", "Floor area"),
            "atlas": ("建筑面积（万㎡）", "Floor (10k m²)"),
        },
    ),
    Field(
        "land_area_mu",
        "parks",
        "float",
        "占地",
        "Land",
        "亩",
        "mu",
        key="land_area",
        aliases=("占地面积", "用地面积", "土地面积", "占地", "land_area", "landarea", "land_area_mu"),
        parser="area_mu",
        allowed=f"占地面积{_AREA_HELP.replace('万平方米、', '')}最大 {LAND_AREA_MAX_MU:,.0f} 亩。",
        maximum=LAND_AREA_MAX_MU,
        fmt="mu",
        short="land",
        shows=Shows(popup=True, details=True, atlas=True, workbook=True, template=True),
        template_header="占地面积(亩)",
        example="150",
        template_unit="亩",
        template_note="大于 0 的数字；也可写 2.5公顷 或 16000㎡",
        labels={"details": ("占地 Land (亩)", "占地 Land (亩)"), "missing": ("占地面积", "Land area")},
    ),
    Field(
        "plot_ratio",
        "parks",
        "float",
        "容积率",
        "Plot ratio",
        fmt="ratio2",
        digits=2,
        sheet_digits=2,
        derive=_plot_ratio,
        inputs=("floor_area_m2", "land_area_mu"),
        stored=False,
        short="ratio",
        shows=Shows(popup=True, details=True, atlas=True, workbook=True),
        labels={"details": ("容积率 Plot ratio", "容积率 Plot ratio")},
    ),
    Field(
        "start_date",
        "parks",
        "date",
        "开工日期",
        "Start date",
        aliases=("开工日期", "开工时间", "start_date"),
        parser="date",
        allowed=_DATE_HELP,
        fmt="date",
        listed_last=True,
        shows=Shows(workbook=True, template=True),
        template_header="开工日期",
        example="2020-03-05",
        template_unit="日期",
        template_note=_DATE_NOTE,
    ),
    Field(
        "completion_date",
        "parks",
        "date",
        "竣工日期",
        "Completion date",
        aliases=("竣工日期", "竣工时间", "建成日期", "建成时间", "completion_date"),
        parser="date",
        allowed=_DATE_HELP,
        fmt="date",
        listed_last=True,
        shows=Shows(details=True, workbook=True, template=True),
        template_header="竣工日期",
        example="2021-06",
        template_unit="日期",
        template_note=_DATE_NOTE,
        labels={"details": ("竣工日期 Completed", "竣工日期 Completed")},
    ),
    Field(
        "certification_date",
        "parks",
        "date",
        "认定日期",
        "Certification date",
        aliases=("认定日期", "认定时间", "认定批次", "certification_date"),
        parser="date",
        allowed=_DATE_HELP,
        fmt="date",
        listed_last=True,
        shows=Shows(workbook=True, template=True),
        template_header="认定日期",
        example="2022-01-10",
        template_unit="日期",
        template_note=_DATE_NOTE,
    ),
    Field(
        "star_rating",
        "parks",
        "Int64",
        "星级",
        "Stars",
        aliases=("星级", "星级评定", "评定星级", "star", "star_rating", "stars"),
        parser="star",
        allowed="星级应为 1-5，可写作 4、4星、四星级 或 ★★★★。",
        fmt="stars",
        short="star",
        shows=Shows(popup=True, details=True, atlas=True, workbook=True, template=True),
        template_header="星级",
        example="四星级",
        template_note="1-5 星：可填 4、4星、四星级 或 ★★★★",
        labels={"details": ("星级 Stars", "星级 Stars")},
    ),
    Field(
        "enterprises",
        "parks",
        "Int64",
        "入园企业",
        "Enterprises",
        "家",
        aliases=("入园企业数", "入驻企业数", "入园企业", "企业数", "入驻企业", "enterprises"),
        parser="count",
        allowed=_COUNT_HELP.format(example=35),
        maximum=COUNT_MAX,
        fmt="int",
        short="firms",
        shows=Shows(popup=True, details=True, atlas=True, workbook=True, template=True),
        template_header="入园企业数",
        example="35",
        template_unit="家",
        template_note="不小于 0 的整数，如 35 或 35家",
        labels={
            "details": ("入园企业 Enterprises", "入园企业 Enterprises"),
            "atlas": ("企业（家）", "Firms"),
            "missing": ("入园企业数", "Enterprises"),
        },
    ),
    Field(
        "above_scale_enterprises",
        "parks",
        "Int64",
        "规上企业",
        "Above-scale enterprises",
        "家",
        aliases=("规上企业数", "规上企业", "规模以上企业数", "above_scale_enterprises"),
        parser="count",
        allowed=_COUNT_HELP.format(example=5),
        maximum=COUNT_MAX,
        fmt="int",
        shows=Shows(workbook=True, template=True),
        template_header="规上企业数",
        example="5",
        template_unit="家",
        template_note="不小于 0 的整数，且不多于入园企业数",
        labels={"missing": ("规上企业数", "Above-scale enterprises")},
    ),
    Field(
        "high_tech_enterprises",
        "parks",
        "Int64",
        "高新技术企业",
        "High-tech enterprises",
        "家",
        aliases=("高新技术企业数", "高新企业数", "高新技术企业", "高新企业", "国家高新技术企业数", "high_tech_enterprises"),
        parser="count",
        allowed=_COUNT_HELP.format(example=3),
        maximum=COUNT_MAX,
        fmt="int",
        shows=Shows(workbook=True, template=True),
        template_header="高新技术企业数",
        example="3",
        template_unit="家",
        template_note="不小于 0 的整数，且不多于入园企业数",
        labels={"missing": ("高新技术企业数", "High-tech enterprises")},
    ),
    Field(
        "specialised_enterprises",
        "parks",
        "Int64",
        "专精特新企业",
        "Specialised SMEs",
        "家",
        aliases=("专精特新企业数", "专精特新企业", "专精特新中小企业数", "专精特新", "specialised_enterprises"),
        parser="count",
        allowed=_COUNT_HELP.format(example=2),
        maximum=COUNT_MAX,
        fmt="int",
        shows=Shows(workbook=True, template=True),
        template_header="专精特新企业数",
        example="2",
        template_unit="家",
        template_note="不小于 0 的整数（含省级、国家级专精特新企业），且不多于入园企业数",
        labels={"missing": ("专精特新企业数", "Specialised SMEs")},
    ),
    Field(
        "jobs",
        "parks",
        "Int64",
        "从业人员",
        "Jobs",
        "人",
        "people",
        aliases=("从业人员数", "从业人员", "从业人数", "用工人数", "就业人数", "员工人数", "jobs", "employees"),
        parser="count",
        allowed=f"从业人员数应为 0 到 {COUNT_MAX:,} 之间的整数，如 820 或 820人。",
        maximum=COUNT_MAX,
        fmt="int",
        shows=Shows(details=True, workbook=True, template=True),
        template_header="从业人员数",
        example="820",
        template_unit="人",
        template_note="季末在园企业的从业人员合计，不小于 0 的整数，如 820 或 820人",
        labels={"details": ("从业人员 Jobs", "从业人员 Jobs"), "missing": ("从业人员数", "Jobs")},
    ),
    Field(
        "leasable_area_m2",
        "parks",
        "float",
        "可出租面积",
        "Leasable floor area",
        "万㎡",
        "10k m²",
        key="leasable_area",
        aliases=("可出租面积", "可租面积", "可出租建筑面积", "leasable_area", "leasable_area_m2"),
        parser="area_m2",
        allowed=f"可出租面积{_AREA_HELP}最大 {FLOOR_AREA_MAX_M2 / 10_000:,.0f} 万平方米。",
        maximum=FLOOR_AREA_MAX_M2,
        fmt="wan_m2",
        digits=2,
        sheet_digits=4,
        shows=Shows(workbook=True, template=True),
        template_header="可出租面积(万平方米)",
        example="11.5",
        template_unit="万平方米",
        template_note="可供出租的厂房、办公面积；与已出租面积一起填写时自动算出入驻率",
    ),
    Field(
        "leased_area_m2",
        "parks",
        "float",
        "已出租面积",
        "Leased floor area",
        "万㎡",
        "10k m²",
        key="leased_area",
        aliases=("已出租面积", "出租面积", "已租面积", "leased_area", "leased_area_m2"),
        parser="area_m2",
        allowed=f"已出租面积{_AREA_HELP}最大 {FLOOR_AREA_MAX_M2 / 10_000:,.0f} 万平方米。",
        maximum=FLOOR_AREA_MAX_M2,
        fmt="wan_m2",
        digits=2,
        sheet_digits=4,
        shows=Shows(workbook=True, template=True),
        template_header="已出租面积(万平方米)",
        example="10.2",
        template_unit="万平方米",
        template_note="已出租（含自用）的面积，不大于可出租面积",
    ),
    Field(
        "occupancy_pct",
        "parks",
        "float",
        "入驻率",
        "Occupancy",
        "%",
        "%",
        key="occupancy",
        aliases=("入驻率", "出租率", "occupancy", "occupancy_pct"),
        parser="percent",
        allowed="入驻率应为 0-100 的百分数，如 85 或 85%。",
        maximum=100.0,
        fmt="pct",
        digits=1,
        derive=_occupancy,
        inputs=("leased_area_m2", "leasable_area_m2"),
        short="occupancy",
        shows=Shows(popup=True, details=True, workbook=True, template=True),
        template_header="入驻率(%)",
        example="85%",
        template_unit="%",
        template_note="0-100，如 85 或 85%；留空时按 已出租面积 / 可出租面积 算出",
        labels={"details": ("入驻率 Occupancy (%)", "入驻率 Occupancy (%)")},
    ),
    Field(
        "revenue_wan_yuan",
        "parks",
        "float",
        "营业收入",
        "Revenue",
        "万元",
        "10k yuan",
        key="revenue",
        aliases=(
            "本季度营业收入",
            "季度营业收入",
            "营业收入",
            "营收",
            "营业收入(万元)",
            "营业总收入",
            "revenue",
            "revenue_wan_yuan",
        ),
        parser="wan_yuan",
        allowed=f"营业收入{_MONEY_HELP.format(example=21000)}不小于 0，最大 {MONEY_MAX_WAN_YUAN:,.0f} 万元。",
        maximum=MONEY_MAX_WAN_YUAN,
        fmt="money1",
        digits=1,
        shows=Shows(workbook=True, template=True),
        template_header="本季度营业收入(万元)",
        example="21000",
        template_unit="万元",
        template_note="在园企业本季度（不是全年累计）营业收入合计，不小于 0",
    ),
    Field(
        "output_wan_yuan",
        "parks",
        "float",
        "工业产值",
        "Industrial output",
        "万元",
        "10k yuan",
        key="output",
        aliases=(
            "本季度工业产值",
            "本季度产值",
            "季度产值",
            "工业产值",
            "工业总产值",
            "产值",
            "工业产值(万元)",
            "output",
            "output_wan_yuan",
        ),
        parser="wan_yuan",
        allowed=f"工业产值{_MONEY_HELP.format(example=18000)}不小于 0，最大 {MONEY_MAX_WAN_YUAN:,.0f} 万元。",
        maximum=MONEY_MAX_WAN_YUAN,
        fmt="money1",
        digits=1,
        shows=Shows(workbook=True, template=True),
        template_header="本季度工业产值(万元)",
        example="18000",
        template_unit="万元",
        template_note="在园企业本季度（不是全年累计）工业总产值合计，不小于 0；与占地面积一起填写时自动算出亩均产出",
    ),
    Field(
        "tax_wan_yuan",
        "parks",
        "float",
        "税收",
        "Tax",
        "万元",
        "10k yuan",
        key="tax",
        aliases=(
            "本季度税收",
            "季度税收",
            "税收",
            "税收收入",
            "实缴税金",
            "实缴税收",
            "税收(万元)",
            "tax",
            "tax_wan_yuan",
        ),
        parser="signed_wan_yuan",
        allowed=f"税收{_MONEY_HELP.format(example=1200)}绝对值不超过 {MONEY_MAX_WAN_YUAN:,.0f} 万元。",
        maximum=MONEY_MAX_WAN_YUAN,
        fmt="money1",
        digits=1,
        shows=Shows(workbook=True, template=True),
        template_header="本季度税收(万元)",
        example="1200",
        template_unit="万元",
        template_note="在园企业本季度（不是全年累计）实缴税金合计；与占地面积一起填写时自动算出亩均税收",
    ),
    Field(
        "tax_per_mu_wan_yuan",
        "parks",
        "float",
        "亩均税收",
        "Tax per mu",
        "万元/亩",
        "10k yuan",
        key="tax_per_mu",
        aliases=("亩均税收", "亩均税收(万元)", "tax_per_mu", "tax_per_mu_wan_yuan"),
        parser="wan_yuan_per_mu",
        allowed=f"亩均税收应为数字（万元/亩），绝对值不超过 {TAX_PER_MU_MAX_WAN_YUAN:,.0f}。",
        maximum=TAX_PER_MU_MAX_WAN_YUAN,
        fmt="money1",
        digits=1,
        derive=_tax_per_mu,
        inputs=("tax_wan_yuan", "land_area_mu"),
        short="tax",
        shows=Shows(popup=True, details=True, workbook=True, template=True),
        template_header="亩均税收(万元/亩)",
        example="32.5",
        template_unit="万元/亩",
        template_note="全年口径的数字；留空时按 本季度税收 × 4 / 占地面积 算出",
        labels={"details": ("亩均税收 Tax per mu (万元/亩)", "亩均税收 Tax per mu (万元/亩)")},
    ),
    Field(
        "output_per_mu_wan_yuan",
        "parks",
        "float",
        "亩均产出",
        "Output per mu",
        "万元/亩",
        "10k yuan",
        key="output_per_mu",
        aliases=("亩均产出", "亩均产值", "亩均工业产值", "亩均产出(万元)", "output_per_mu", "output_per_mu_wan_yuan"),
        parser="wan_yuan_per_mu",
        allowed=f"亩均产出应为数字（万元/亩），绝对值不超过 {OUTPUT_PER_MU_MAX_WAN_YUAN:,.0f}。",
        maximum=OUTPUT_PER_MU_MAX_WAN_YUAN,
        fmt="money1",
        digits=1,
        derive=_output_per_mu,
        inputs=("output_wan_yuan", "land_area_mu"),
        shows=Shows(details=True, workbook=True, template=True),
        template_header="亩均产出(万元/亩)",
        example="480",
        template_unit="万元/亩",
        template_note="全年口径的数字；留空时按 本季度工业产值 × 4 / 占地面积 算出（只用工业产值，不用营业收入）",
        labels={"details": ("亩均产出 Output per mu (万元/亩)", "亩均产出 Output per mu (万元/亩)")},
    ),
    Field(
        "main_industry",
        "parks",
        "str",
        "主导产业",
        "Main industry",
        aliases=("主导产业", "产业", "main_industry", "industry"),
        parser="text",
        short="industry",
        shows=Shows(popup=True, details=True, workbook=True, template=True),
        template_header="主导产业",
        example="纺织",
        template_note="文字，如 纺织、高端装备制造",
        labels={"details": ("主导产业 Main industry", "主导产业 Main industry")},
    ),
    Field(
        "operator",
        "parks",
        "str",
        "运营主体",
        "Operator",
        aliases=("运营主体", "运营单位", "运营方", "operator"),
        parser="text",
        shows=Shows(details=True, workbook=True, template=True),
        template_header="运营主体",
        example="绍兴柯桥园区运营有限公司",
        template_note="运营单位全称",
        labels={"details": ("运营主体 Operator", "运营主体 Operator")},
    ),
    Field("source_row", "parks", "int", "源文件行号", "Source row"),
)

ENTERPRISE_FIELDS: tuple[Field, ...] = (
    Field(
        "enterprise_id",
        "enterprises",
        "str",
        "统一社会信用代码",
        "Credit code",
        key="credit_code",
        aliases=("统一社会信用代码", "信用代码", "社会信用代码", "uscc", "credit_code", "enterprise_id"),
    ),
    Field(
        "name",
        "enterprises",
        "str",
        "企业名称",
        "Enterprise",
        aliases=("企业名称", "名称", "企业", "name", "enterprise_name"),
        parser="text",
        allowed="请填写企业名称。",
        labels={"missing": ("名称", "Name")},
    ),
    Field(
        "county_adcode",
        "enterprises",
        "adcode",
        "区县",
        "County",
        key="county",
        aliases=_COUNTY_ALIASES,
        parser="county",
        required=True,
        fmt="county",
        labels={"missing": ("所在区县", "County")},
    ),
    Field(
        "township",
        "enterprises",
        "str",
        "镇街",
        "Township",
        aliases=_TOWNSHIP_ALIASES,
        parser="text",
        labels={"missing": ("所在镇街", "Township")},
    ),
    Field(
        "industry",
        "enterprises",
        "str",
        "行业",
        "Industry",
        aliases=("行业", "所属行业", "国民经济行业", "行业门类", "industry"),
        parser="text",
    ),
    Field(
        "major_industry",
        "enterprises",
        "str",
        "八大万亿产业",
        "Major industry",
        aliases=("八大万亿产业", "万亿产业", "八大产业", "major_industry"),
        parser="major_industry",
    ),
    Field("size_class", "enterprises", "code", "企业规模", "Size class", aliases=("企业规模", "规模", "企业类型", "size_class", "size")),
    Field(
        "registration_date",
        "enterprises",
        "date",
        "成立日期",
        "Registration date",
        aliases=("成立日期", "注册日期", "成立时间", "注册时间", "登记日期", "registration_date"),
        parser="date",
        allowed=_DATE_HELP,
        fmt="date",
    ),
    Field(
        "in_park",
        "enterprises",
        "bool",
        "是否入园",
        "In a park",
        aliases=("是否入园", "入园", "in_park"),
        parser="flag",
        allowed=_FLAG_HELP,
    ),
    Field(
        "park_name",
        "enterprises",
        "str",
        "所在园区",
        "Park",
        aliases=("所在园区", "园区名称", "入驻园区", "park_name", "park"),
        parser="text",
    ),
    Field(
        "above_scale",
        "enterprises",
        "bool",
        "是否规上",
        "Above scale",
        aliases=("是否规上", "规上企业", "规上", "above_scale"),
        parser="flag",
        allowed=_FLAG_HELP,
    ),
    Field(
        "tech_type",
        "enterprises",
        "bool",
        "是否科技型",
        "Tech-type",
        aliases=("是否科技型", "科技型企业", "科技型", "tech_type"),
        parser="flag",
        allowed=_FLAG_HELP,
    ),
    Field("source_row", "enterprises", "int", "源文件行号", "Source row"),
)

FIELDS: Mapping[str, tuple[Field, ...]] = {"parks": PARK_FIELDS, "enterprises": ENTERPRISE_FIELDS}


def fields_of(kind: str) -> tuple[Field, ...]:
    """Return the catalogue of ``kind`` (``"parks"`` or ``"enterprises"``).

    Parameters
    ----------
    kind
        ``parks`` or ``enterprises``.

    Returns
    -------
    tuple of Field
        The catalogue, in column order.

    Raises
    ------
    ValueError
        ``kind`` is neither.
    """
    if kind not in FIELDS:
        msg = f"Table kind {kind!r} is not known; choose parks or enterprises."
        raise ValueError(msg)
    return FIELDS[kind]


def stored_fields(kind: str) -> tuple[Field, ...]:
    """Return the fields of ``kind`` that are columns of the table (in column order).

    Parameters
    ----------
    kind
        ``parks`` or ``enterprises``.

    Returns
    -------
    tuple of Field
        The stored fields.
    """
    return tuple(f for f in fields_of(kind) if f.stored)


def get_field(name: str, *, kind: str = "parks") -> Field:
    """Return the field called ``name`` (canonical column name or import key).

    Parameters
    ----------
    name
        A canonical column name or import key.
    kind
        ``parks`` or ``enterprises``.

    Returns
    -------
    Field
        The field.

    Raises
    ------
    KeyError
        No field of ``kind`` has that name.
    """
    for item in fields_of(kind):
        if name in (item.name, item.import_key):
            return item
    msg = f"{kind} has no field {name!r}."
    raise KeyError(msg)


def shown_in(sink: Sink, *, kind: str = "parks") -> tuple[Field, ...]:
    """Return the fields shown in ``sink``, in display order (dates after the figures in tables).

    Parameters
    ----------
    sink
        ``popup``, ``tooltip``, ``details``, ``atlas``, ``workbook`` or ``template``.
    kind
        ``parks`` or ``enterprises``.

    Returns
    -------
    tuple of Field
        The fields shown there.
    """
    chosen = [f for f in fields_of(kind) if getattr(f.shows, sink)]
    if sink in ("details", "workbook"):
        chosen.sort(key=lambda f: f.listed_last)
    return tuple(chosen)


def field_label(name: str, lang: str, *, kind: str = "parks", sink: str | None = None) -> str:
    """Return the label a planner reads for field ``name`` in ``lang`` (with its unit), as ``sink`` shows it.

    Parameters
    ----------
    name
        A canonical column name or import key.
    lang
        ``zh`` or ``en``.
    kind
        ``parks`` or ``enterprises``.
    sink
        Where the label is shown (``popup``, ``details``, ``atlas``, ``workbook`` ...); None for the field's usual label.

    Returns
    -------
    str
        The label.
    """
    return get_field(name, kind=kind).label(lang, sink=sink)


def column_values(table: pd.DataFrame, item: Field) -> pd.Series:
    """Return a field's values from ``table``: the column, derived when not stored, or missing values.

    Parameters
    ----------
    table
        Stored rows (parks or enterprises).
    item
        The field.

    Returns
    -------
    Series
        One value per row; same index.
    """
    if item.name in table.columns and item.stored:
        return table[item.name]
    if item.derive is not None and all(i in table.columns for i in item.inputs):
        return item.derive({i: table[i] for i in item.inputs})
    if item.derive is not None and item.name in table.columns:
        return table[item.name]
    return pd.Series(pd.NA, index=table.index, dtype=object)


def is_missing(value: object) -> bool:
    """True for None, NaN, NA and NaT.

    Parameters
    ----------
    value
        Any cell value.

    Returns
    -------
    bool
        True when the value is missing.
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def format_value(item: Field, value: object, lang: str, *, names: Mapping[str, str] | None = None, glyphs: bool = False) -> str:
    """Return a stored value as a planner reads it: 万㎡ with two digits, 亩, a status label, ``—`` when missing.

    Parameters
    ----------
    item
        The field (its ``fmt`` and ``digits`` decide the form).
    value
        The stored value (m² for floor area, 亩 for land, a status code, ...).
    lang
        ``"zh"`` or ``"en"`` for words (statuses, park types).
    names
        adcode -> county name, for county fields.
    glyphs
        Star ratings as ``★★★★`` instead of ``4``.

    Returns
    -------
    Plain text (not escaped: HTML sinks escape it).
    """
    from geo.schema import PARK_TYPE_LABELS_EN, PARK_TYPE_LABELS_ZH, STATUS_LABELS_EN, STATUS_LABELS_ZH

    if is_missing(value):
        return MISSING
    if item.fmt == "status":
        return (STATUS_LABELS_ZH if lang == "zh" else STATUS_LABELS_EN).get(str(value), str(value))
    if item.fmt == "park_type":
        return (PARK_TYPE_LABELS_ZH if lang == "zh" else PARK_TYPE_LABELS_EN).get(str(value), str(value))
    if item.fmt == "county":
        return (names or {}).get(str(value), str(value))
    if item.fmt == "date":
        return pd.Timestamp(value).strftime("%Y-%m-%d") if not isinstance(value, str) else value[:10]  # type: ignore[arg-type]
    if item.fmt == "text" or isinstance(value, str):
        return str(value)
    number = float(value)  # type: ignore[arg-type]
    if not math.isfinite(number):
        return MISSING
    if item.fmt == "stars" and glyphs:
        return "★" * int(number) if 0 < number <= 5 else f"{number:.0f}"
    if item.fmt == "wan_m2":
        number = float(units.m2_to_wan_m2(number))
    if item.fmt in ("int", "stars") and number.is_integer():
        return f"{int(number):,}" if item.fmt == "int" else str(int(number))
    return f"{number:,.{item.digits}f}"


def sheet_values(item: Field, values: pd.Series, lang: str, *, names: Mapping[str, str] | None = None) -> pd.Series:
    """Return a column as the workbook holds it: numbers in the display unit (rounded), dates as dates, words as labels.

    Parameters
    ----------
    item
        The field.
    values
        Its stored values.
    lang
        ``zh`` or ``en``.
    names
        County name by adcode, for county fields.

    Returns
    -------
    Series
        The values as the workbook's cells; same index.
    """
    if item.fmt in ("status", "park_type", "county"):
        return values.map(lambda v: v if is_missing(v) else format_value(item, v, lang, names=names))
    if item.fmt == "date":
        return pd.to_datetime(values, errors="coerce").dt.date
    if item.dtype == "float":
        numbers = pd.to_numeric(values, errors="coerce").astype("float64")
        numbers = units.m2_to_wan_m2(numbers) if item.fmt == "wan_m2" else numbers
        return numbers if item.sheet_digits is None else numbers.round(item.sheet_digits)
    return values
