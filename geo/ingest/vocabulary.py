"""Words planners use for statuses, park types, enterprise sizes and industries.

Each ``*_code`` function takes a normalised cell (NFKC, lower case, no spaces)
and returns the canonical code of :mod:`geo.schema`, or ``None`` when the word
is not understood. The ``*_ALLOWED`` strings are quoted in error messages and
in the register template.
"""

from __future__ import annotations

from geo.schema import MAJOR_INDUSTRIES, PARK_TYPE_LABELS_ZH, STATUS_LABELS_ZH, STATUSES

# Exact words first; then keywords, most advanced status first (已建成并认定 -> certified).
_STATUS_EXACT = {
    **{code: code for code in STATUSES},
    **{label: code for code, label in STATUS_LABELS_ZH.items()},
    "underconstruction": "under_construction",
    "under construction": "under_construction",
    "已建成": "built",
    "竣工": "built",
    "已竣工": "built",
    "建成投用": "built",
    "已投用": "built",
    "建设中": "under_construction",
    "在建中": "under_construction",
    "施工中": "under_construction",
    "续建": "under_construction",
    "新建": "under_construction",
    "规划中": "planned",
    "规划": "planned",
    "拟建": "planned",
    "筹建": "planned",
    "前期": "planned",
    "谋划中": "planned",
    "已认定": "certified",
    "省级认定": "certified",
    "认定": "certified",
}
_STATUS_KEYWORDS = (
    ("认定", "certified"),
    ("谋划", "planned"),
    ("规划", "planned"),
    ("拟建", "planned"),
    ("在建", "under_construction"),
    ("建设中", "under_construction"),
    ("施工", "under_construction"),
    ("建成", "built"),
    ("竣工", "built"),
    ("投用", "built"),
)
STATUS_ALLOWED = "谋划（规划中/拟建）、在建（建设中）、建成（已建成/竣工）、已认定（省级认定）"


def status_code(word: str) -> str | None:
    """Return the status code of a word such as 已建成, 在建, 规划中, 省级认定; None if not understood.

    Parameters
    ----------
    word
        A cell's word, stripped (Chinese or English).

    Returns
    -------
    str or None
        One of the status codes in :data:`geo.schema.STATUSES`, or None.
    """
    if not word:
        return None
    if word in _STATUS_EXACT:
        return _STATUS_EXACT[word]
    if word.startswith(("未", "尚未", "不", "暂未")):
        return None  # 未建成, 尚未认定: the status is not said
    for keyword, code in _STATUS_KEYWORDS:
        if keyword in word:
            return code
    return None


_PARK_TYPE_EXACT = {
    **{code: code for code in PARK_TYPE_LABELS_ZH},
    **{label: code for code, label in PARK_TYPE_LABELS_ZH.items()},
    "生产制造": "manufacturing",
    "制造类": "manufacturing",
    "制造业": "manufacturing",
    "工业": "manufacturing",
    "生产性服务": "producer_services",
    "生产性服务业": "producer_services",
    "服务类": "producer_services",
    "服务业": "producer_services",
}
PARK_TYPE_ALLOWED = "生产制造类、生产性服务类"


def park_type_code(word: str) -> str | None:
    """Return ``manufacturing`` or ``producer_services`` for a park-type word, else None.

    Parameters
    ----------
    word
        A cell's word, stripped (Chinese or English).

    Returns
    -------
    str or None
        ``manufacturing``, ``producer_services`` or None.
    """
    return _PARK_TYPE_EXACT.get(word)


_SIZE_EXACT = {"小型": "small", "小": "small", "small": "small", "微型": "micro", "微": "micro", "micro": "micro"}
SIZE_ALLOWED = "小型、微型"


def size_class_code(word: str) -> str | None:
    """Return ``small`` or ``micro`` for 小型/微型 (and English), else None.

    Parameters
    ----------
    word
        A cell's word, stripped (Chinese or English).

    Returns
    -------
    str or None
        ``small``, ``micro`` or None.
    """
    return _SIZE_EXACT.get(word.removesuffix("企业"))


_MAJOR_ALIASES = {name: name for name in MAJOR_INDUSTRIES} | {
    "高端装备": "高端装备制造",
    "装备制造": "高端装备制造",
    "环保产业": "环保",
    "健康产业": "健康",
    "旅游产业": "旅游",
    "时尚产业": "时尚",
    "金融产业": "金融",
    "文化产业": "文化",
    "数字经济产业": "数字经济",
}
MAJOR_ALLOWED = "、".join(MAJOR_INDUSTRIES)
NOT_MAJOR_WORDS = frozenset({"否", "无", "非", "不属于", "其他", "-", "/"})


def major_industry_name(word: str) -> str | None:
    """Return the plan's name of one of the eight 万亿 industries, else None.

    Parameters
    ----------
    word
        A cell's word, stripped (Chinese or English).

    Returns
    -------
    str or None
        The industry's name as the plan writes it, or None.
    """
    return _MAJOR_ALIASES.get(word)
