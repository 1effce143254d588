"""The canonical park and enterprise tables every module agrees on.

Imports produce these columns (in WGS-84, EPSG:4326); analytics, layers and
exports consume them. Units are in the names: m² inside, 万平方米 and 亩 only
at the edges (registers, labels).
"""

from __future__ import annotations

from typing import Final

SQM_PER_MU: Final = 10_000 / 15  # 1 亩 = 666.67 m²
SQM_PER_WAN_SQM: Final = 10_000  # 1 万平方米 = 10,000 m²
SQM_PER_HECTARE: Final = 10_000

# Park status codes, in the order a park moves through them.
STATUSES: Final = ("planned", "under_construction", "built", "certified")
STATUS_LABELS_ZH: Final = {
    "planned": "谋划",
    "under_construction": "在建",
    "built": "建成",
    "certified": "已认定",
}
STATUS_LABELS_EN: Final = {
    "planned": "Planned",
    "under_construction": "Under construction",
    "built": "Built",
    "certified": "Certified",
}
# What counts toward the plan's totals unless the user says otherwise.
DEFAULT_COUNTED_STATUSES: Final = ("built", "certified")

PARK_TYPES: Final = ("manufacturing", "producer_services")
PARK_TYPE_LABELS_ZH: Final = {"manufacturing": "生产制造类", "producer_services": "生产性服务类"}

# Canonical park columns (besides ``geometry``, a WGS-84 point). Optional
# columns may be missing or null; unknown source columns are kept after these.
PARK_COLUMNS: Final = (
    "park_id",  # str, stable id
    "name",  # str, 园区名称
    "county_adcode",  # str, six digits, e.g. "330603"
    "township",  # str | None, 所在镇街
    "park_type",  # one of PARK_TYPES | None
    "status",  # one of STATUSES
    "floor_area_m2",  # float, 总建筑面积 in m²
    "land_area_mu",  # float | None, 占地面积 in 亩
    "start_date",  # datetime64 | NaT, 开工日期
    "completion_date",  # datetime64 | NaT, 竣工日期 (actual or expected)
    "certification_date",  # datetime64 | NaT, 认定日期
    "star_rating",  # Int64 1-5 | <NA>, 星级
    "enterprises",  # Int64 | <NA>, 入园企业数
    "above_scale_enterprises",  # Int64 | <NA>, 规上企业数
    "occupancy_pct",  # float | None, 入驻率 (0-100)
    "tax_per_mu_wan_yuan",  # float | None, 亩均税收 (万元/亩)
    "main_industry",  # str | None, 主导产业
    "operator",  # str | None, 运营主体
    "source_row",  # int, row number as the user sees it in the source file
)

# Canonical enterprise columns (besides ``geometry``, a WGS-84 point).
ENTERPRISE_COLUMNS: Final = (
    "enterprise_id",  # str, e.g. the 统一社会信用代码
    "name",  # str | None, 企业名称
    "county_adcode",  # str
    "township",  # str | None
    "industry",  # str | None, 行业
    "major_industry",  # str | None, one of the plan's eight 万亿产业, else None
    "size_class",  # "small" | "micro" | None, 小型 / 微型
    "registration_date",  # datetime64 | NaT, 注册日期 / 成立日期
    "in_park",  # bool | <NA>, 是否入园
    "park_name",  # str | None, 所在园区
    "above_scale",  # bool | <NA>, 规上企业
    "tech_type",  # bool | <NA>, 科技型企业
    "source_row",  # int
)

# The plan's eight major ("万亿") industries, as the plan lists them.
MAJOR_INDUSTRIES: Final = ("数字经济", "环保", "健康", "旅游", "时尚", "金融", "高端装备制造", "文化")
