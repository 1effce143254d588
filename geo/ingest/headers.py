"""Header variants in registers, mapped to the canonical fields.

County bureaus write the same column in many ways: ``园区名称``, ``名称``,
``name``; ``建筑面积(万平方米)``, ``总建筑面积（㎡）``; ``县(市、区)``. This
module recognises them and reads the unit written in the header, so that the
value parsers in :mod:`geo.ingest.parsers` know whether ``12.5`` means 万平方米 or m².

Headers are compared after Unicode NFKC normalisation (full-width letters and
brackets become ASCII), lower-casing and removing spaces and the ``*`` that
templates use to mark a required column.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

TableKind = Literal["parks", "enterprises"]

# Canonical field -> header variants (already normalised: NFKC, lower case, no spaces).
_COMMON_ALIASES: dict[str, tuple[str, ...]] = {
    "county": (
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
    ),
    "township": ("所在镇街", "镇街", "镇(街道)", "乡镇街道", "所在乡镇", "镇街道", "街道", "乡镇", "township", "town"),
    "lon": ("经度", "lon", "lng", "longitude", "x", "经度(e)", "东经"),
    "lat": ("纬度", "lat", "latitude", "y", "纬度(n)", "北纬"),
    "lonlat": ("坐标", "经纬度", "经纬度坐标", "位置坐标", "coordinates", "lonlat", "lon,lat", "经度,纬度"),
}

PARK_ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("园区名称", "名称", "小微企业园名称", "小微园名称", "园区", "name", "park_name", "parkname"),
    "park_type": ("园区类型", "类型", "园区类别", "type", "park_type"),
    "status": ("建设状态", "状态", "建设进度", "建设情况", "status"),
    "floor_area": ("建筑面积", "总建筑面积", "园区建筑面积", "floor_area", "floorarea", "floor_area_m2"),
    "land_area": ("占地面积", "用地面积", "土地面积", "占地", "land_area", "landarea", "land_area_mu"),
    "start_date": ("开工日期", "开工时间", "start_date"),
    "completion_date": ("竣工日期", "竣工时间", "建成日期", "建成时间", "completion_date"),
    "certification_date": ("认定日期", "认定时间", "认定批次", "certification_date"),
    "star_rating": ("星级", "星级评定", "评定星级", "star", "star_rating", "stars"),
    "enterprises": ("入园企业数", "入驻企业数", "入园企业", "企业数", "入驻企业", "enterprises"),
    "above_scale_enterprises": ("规上企业数", "规上企业", "规模以上企业数", "above_scale_enterprises"),
    "occupancy": ("入驻率", "出租率", "occupancy", "occupancy_pct"),
    "tax_per_mu": ("亩均税收", "亩均税收(万元)", "tax_per_mu", "tax_per_mu_wan_yuan"),
    "main_industry": ("主导产业", "产业", "main_industry", "industry"),
    "operator": ("运营主体", "运营单位", "运营方", "operator"),
    **_COMMON_ALIASES,
}

ENTERPRISE_ALIASES: dict[str, tuple[str, ...]] = {
    "credit_code": ("统一社会信用代码", "信用代码", "社会信用代码", "uscc", "credit_code", "enterprise_id"),
    "name": ("企业名称", "名称", "企业", "name", "enterprise_name"),
    "industry": ("行业", "所属行业", "国民经济行业", "行业门类", "industry"),
    "major_industry": ("八大万亿产业", "万亿产业", "八大产业", "major_industry"),
    "size_class": ("企业规模", "规模", "企业类型", "size_class", "size"),
    "registration_date": ("成立日期", "注册日期", "成立时间", "注册时间", "登记日期", "registration_date"),
    "in_park": ("是否入园", "入园", "in_park"),
    "park_name": ("所在园区", "园区名称", "入驻园区", "park_name", "park"),
    "above_scale": ("是否规上", "规上企业", "规上", "above_scale"),
    "tech_type": ("是否科技型", "科技型企业", "科技型", "tech_type"),
    **_COMMON_ALIASES,
}

# What a user sees when a column is missing, per canonical field.
FIELD_LABELS_ZH: dict[str, str] = {
    "name": "名称",
    "county": "所在区县",
    "township": "所在镇街",
    "park_type": "园区类型",
    "status": "建设状态",
    "floor_area": "建筑面积",
    "land_area": "占地面积",
    "start_date": "开工日期",
    "completion_date": "竣工日期",
    "certification_date": "认定日期",
    "star_rating": "星级",
    "enterprises": "入园企业数",
    "above_scale_enterprises": "规上企业数",
    "occupancy": "入驻率",
    "tax_per_mu": "亩均税收",
    "main_industry": "主导产业",
    "operator": "运营主体",
    "lon": "经度",
    "lat": "纬度",
    "lonlat": "坐标",
    "credit_code": "统一社会信用代码",
    "industry": "行业",
    "major_industry": "八大万亿产业",
    "size_class": "企业规模",
    "registration_date": "成立日期",
    "in_park": "是否入园",
    "park_name": "所在园区",
    "above_scale": "是否规上",
    "tech_type": "是否科技型",
}

# Units a header may carry, normalised (NFKC turns ㎡ and m² into "m2").
_UNIT_WORDS = ("万平方米", "万平米", "万m2", "平方米", "平米", "m2", "亩", "公顷", "hm2", "ha", "%", "万元/亩", "万元", "家", "个")
_BRACKETS = re.compile(r"[(\[](?P<inner>[^()\[\]]*)[)\]]")
# Header detection ignores one-letter aliases (x, y): data cells look like that too.
_ALL_ALIASES = frozenset(a for table in (PARK_ALIASES, ENTERPRISE_ALIASES) for names in table.values() for a in names if len(a) > 1)


def normalise_header(text: object) -> str:
    """Return a header in comparable form: NFKC, lower case, no spaces, no ``*`` marks."""
    if text is None:
        return ""
    norm = unicodedata.normalize("NFKC", str(text)).lower()
    norm = re.sub(r"[\s*＊]+", "", norm)
    return norm.replace("（", "(").replace("）", ")").replace("【", "[").replace("】", "]")


def split_unit(header: str) -> tuple[str, str | None]:
    """Split a normalised header into its base and the unit written in brackets.

    ``建筑面积(万平方米)`` -> (``建筑面积``, ``万平方米``); ``县(市、区)`` has no
    unit and is returned whole.
    """
    for match in _BRACKETS.finditer(header):
        inner = match.group("inner").replace("单位:", "").replace("单位", "")
        if inner in _UNIT_WORDS:
            return (header[: match.start()] + header[match.end() :]).strip(), inner
    for unit in ("万平方米", "平方米", "公顷", "亩"):  # 建筑面积万平方米 with no brackets
        if header.endswith(unit) and len(header) > len(unit):
            return header[: -len(unit)], unit
    return header, None


def header_score(cells: Iterable[object]) -> int:
    """Return how many cells of a row look like known headers (to find the header row)."""
    score = 0
    for cell in cells:
        norm = normalise_header(cell)
        if norm and (norm in _ALL_ALIASES or split_unit(norm)[0] in _ALL_ALIASES):
            score += 1
    return score


@dataclass(frozen=True)
class ColumnMatch:
    """One canonical field found in a file's headers."""

    field: str  # canonical field, e.g. "floor_area"
    column: str  # the header as the user wrote it (the DataFrame column label)
    unit: str | None  # unit written in the header, normalised (e.g. "万平方米", "m2", "亩")


def match_columns(headers: Sequence[str], *, kind: TableKind) -> tuple[dict[str, ColumnMatch], list[str]]:
    """Map a file's headers to canonical fields.

    Parameters
    ----------
    headers
        Column labels as written in the file.
    kind
        ``"parks"`` or ``"enterprises"``; decides which variants are known.

    Returns
    -------
    ``(matches, extra)``: canonical field -> :class:`ColumnMatch` (the first
    column wins when two headers mean the same field), and the headers that
    match nothing (kept as extra columns).
    """
    aliases = PARK_ALIASES if kind == "parks" else ENTERPRISE_ALIASES
    lookup = {alias: field for field, names in aliases.items() for alias in names}
    matches: dict[str, ColumnMatch] = {}
    extra: list[str] = []
    for header in headers:
        norm = normalise_header(header)
        base, unit = split_unit(norm)
        field = lookup.get(norm) or lookup.get(base)
        if field is None or field in matches:
            extra.append(header)
            continue
        matches[field] = ColumnMatch(field=field, column=header, unit=unit)
    return matches, extra
