"""The canonical park and enterprise tables every module agrees on.

Imports produce these columns (in WGS-84, EPSG:4326); analytics, layers and
exports consume them. Units are in the names: m² inside, 万平方米 and 亩 only
at the edges (registers, labels); conversions live in :mod:`geo.units`, the
fields themselves in :mod:`geo.fields`.
"""

from __future__ import annotations

from typing import Final

from geo.fields import stored_fields
from geo.units import SQM_PER_HECTARE, SQM_PER_MU, SQM_PER_WAN_SQM
from geo.words_table import COLUMNS

__all__ = [
    "DEFAULT_COUNTED_STATUSES",
    "ENTERPRISE_COLUMNS",
    "MAJOR_INDUSTRIES",
    "PARK_COLUMNS",
    "PARK_TYPES",
    "PARK_TYPE_LABELS_EN",
    "PARK_TYPE_LABELS_ZH",
    "SQM_PER_HECTARE",
    "SQM_PER_MU",
    "SQM_PER_WAN_SQM",
    "STATUSES",
    "STATUS_LABELS_EN",
    "STATUS_LABELS_ZH",
]

# Park status codes, in the order a park moves through them.
STATUSES: Final = ("planned", "under_construction", "built", "certified")
STATUS_LABELS_ZH: Final = {s: COLUMNS["status"][s][0] for s in STATUSES}  # the words are in geo/words_table.py
STATUS_LABELS_EN: Final = {s: COLUMNS["status"][s][1] for s in STATUSES}
# What counts toward the plan's totals unless the user says otherwise.
DEFAULT_COUNTED_STATUSES: Final = ("built", "certified")

PARK_TYPES: Final = ("manufacturing", "producer_services")
PARK_TYPE_LABELS_ZH: Final = {p: COLUMNS["park_type"][p][0] for p in PARK_TYPES}
PARK_TYPE_LABELS_EN: Final = {p: COLUMNS["park_type"][p][1] for p in PARK_TYPES}

# Canonical park and enterprise columns (besides ``geometry``, a WGS-84 point),
# in column order: views of the field catalogue (geo.fields), where each
# column's dtype, unit and labels are declared. Optional columns may be null;
# unknown source columns are kept after these.
PARK_COLUMNS: Final = tuple(f.name for f in stored_fields("parks"))
ENTERPRISE_COLUMNS: Final = tuple(f.name for f in stored_fields("enterprises"))

# The plan's eight major ("万亿") industries, as the plan lists them.
MAJOR_INDUSTRIES: Final = ("数字经济", "环保", "健康", "旅游", "时尚", "金融", "高端装备制造", "文化")
