"""The one catalogue of words, Chinese and English, for the app, the map and the exports.

Every label a planner sees comes from here: :func:`t` for words and
sentences, :func:`columns` for the headers of tables shown on screen and
:func:`plan_values` for the figures of the region and the plan in use, which
the words take as values (``{city}``, ``{parks_target}``...). No city name,
target or year is written into a word.

Notices that must read the same in every language (the synthetic-data notice,
the indicative-quota label, the language chooser) are deliberately bilingual.
"""

from __future__ import annotations

from string import Formatter
from typing import Protocol

import pandas as pd

from geo.region.region import PlanTargets
from geo.region.targets import INDICATIVE_LABEL_EN, INDICATIVE_LABEL_ZH
from geo.words_table import COLUMNS, WORDS

LANGS = ("zh", "en")
SQM_PER_WAN_SQM = 10_000
SQM_PER_MILLION_SQM = 1_000_000

# Deliberately bilingual: they read the same whatever the language.
SYNTHETIC_NOTICE = "合成示例数据，非真实数据 / synthetic sample data"  # geo.demo.bootstrap.SAMPLE_NOTE is this
INDICATIVE_NOTICE = f"{INDICATIVE_LABEL_ZH} / {INDICATIVE_LABEL_EN}"
NO_DATA = "无数据 / no data"
LANGUAGE_NAMES = {"zh": "中文", "en": "English"}

# Choropleth measures of the map, in the order the sidebar offers them.
# Each measure id maps to the key of its label (two are the same words as the headline's).
MEASURE_WORDS: dict[str, str] = {
    "pct_floor_quota": "measure_pct_floor_quota",
    "pct_parks_quota": "measure_pct_parks_quota",
    "parks": "parks",
    "floor_area_wan_m2": "floor_area",
    "floor_area_per_km2": "measure_floor_area_per_km2",
}
MEASURES: tuple[str, ...] = tuple(MEASURE_WORDS)

__all__ = [
    "COLUMNS",
    "INDICATIVE_NOTICE",
    "LANGS",
    "LANGUAGE_NAMES",
    "MEASURES",
    "MEASURE_WORDS",
    "NO_DATA",
    "SYNTHETIC_NOTICE",
    "WORDS",
    "columns",
    "measure_label",
    "placeholders",
    "plan_values",
    "subtitle_key",
    "t",
    "verdict",
    "verdict_header",
]


class RegionLike(Protocol):
    """What :func:`plan_values` reads of a region (a ``geo.region.region.Region``)."""

    def label(self, lang: str) -> str:
        """Return the region's name.

        Parameters
        ----------
        lang
            ``zh`` or ``en``.

        Returns
        -------
        str
            The city's name in ``lang``.
        """
        ...


def _check_lang(lang: str) -> None:
    if lang not in LANGS:
        msg = f"Language {lang!r} is not available; choose zh or en."
        raise ValueError(msg)


def t(key: str, lang: str, **values: object) -> str:
    """Return the word ``key`` in ``lang``, formatted with ``values``.

    Parameters
    ----------
    key
        A key of :data:`WORDS`.
    lang
        ``"zh"`` or ``"en"``.
    **values
        The word's placeholders (``{city}``, ``{date}``...), already formatted.

    Returns
    -------
    str
        The text in that language.

    Raises
    ------
    ValueError
        When ``lang`` is neither zh nor en.
    KeyError
        When the catalogue has no word ``key``, or a placeholder of the word has no value.
    """
    _check_lang(lang)
    if key not in WORDS:
        msg = f"The catalogue of words has no word {key!r}; add it to geo/words_table.py."
        raise KeyError(msg)
    zh, en = WORDS[key]
    text = zh if lang == "zh" else en
    try:
        return text.format(**values)
    except KeyError as exc:
        msg = f"The word {key!r} needs the value {exc.args[0]!r} (it takes {', '.join(sorted(placeholders(text)))})."
        raise KeyError(msg) from None


def measure_label(key: str, lang: str) -> str:
    """Return the label of the choropleth measure ``key`` (one of :data:`MEASURES`) in ``lang``.

    Parameters
    ----------
    key
        A measure id, e.g. ``"pct_floor_quota"``.
    lang
        ``"zh"`` or ``"en"``.

    Returns
    -------
    str
        The measure's label.
    """
    if key not in MEASURE_WORDS:
        msg = f"The map has no measure {key!r}; it has {', '.join(MEASURES)}."
        raise KeyError(msg)
    return t(MEASURE_WORDS[key], lang)


def columns(kind: str, lang: str) -> dict[str, str]:
    """Return the headers of one kind of on-screen table: column identifier → words in ``lang``.

    Parameters
    ----------
    kind
        One of the keys of :data:`COLUMNS` (``"county"``, ``"land_use"``,
        ``"indicators"``, ``"problems"``, ``"history"``, ``"quotas"``). Register fields are labelled
        by the field catalogue, :func:`geo.fields.field_label`.
    lang
        ``"zh"`` or ``"en"``.

    Returns
    -------
    dict[str, str]
        A mapping for ``DataFrame.rename(columns=...)``.

    Raises
    ------
    KeyError
        When ``kind`` is not a table of the catalogue.
    """
    _check_lang(lang)
    if kind not in COLUMNS:
        msg = f"The catalogue has no table {kind!r}; it has {', '.join(COLUMNS)}."
        raise KeyError(msg)
    index = LANGS.index(lang)
    return {name: pair[index] for name, pair in COLUMNS[kind].items()}


def placeholders(text: str) -> set[str]:
    """Return the names of the ``{placeholders}`` in ``text``.

    Parameters
    ----------
    text
        A word of the catalogue.

    Returns
    -------
    set[str]
        The placeholder names (empty for a word without any).
    """
    return {name for _, name, _, _ in Formatter().parse(text) if name}


def _number(value: float) -> str:
    """A target as written in a plan: whole numbers without decimals, no thousands separator."""
    return f"{value:.0f}" if float(value).is_integer() else f"{value:g}"


def plan_values(region: RegionLike, plan: PlanTargets, lang: str) -> dict[str, str]:
    """Return the figures of the region and plan as values for the words, in ``lang``.

    Parameters
    ----------
    region
        The region in use (its name in ``lang`` is ``city``).
    plan
        The plan in use; its ``title`` / ``title_en`` are read when it has them.
    lang
        ``"zh"`` or ``"en"``.

    Returns
    -------
    dict[str, str]
        ``city``, ``plan_title``, ``period`` ("2021—2023"), ``parks_target``,
        ``floor_target`` ("1000万平方米" / "10 million m²"), ``floor_target_wan``,
        ``comparison`` ("超过" / "more than"), ``start``, ``end``, ``baseline``
        (ISO dates), ``lead_unit``.
    """
    _check_lang(lang)
    title = getattr(plan, "title" if lang == "zh" else "title_en", "") or getattr(plan, "title", "")
    lead_unit = getattr(plan, "lead_unit" if lang == "zh" else "lead_unit_en", "") or getattr(plan, "lead_unit", "")
    floor = float(plan.floor_area_m2)
    floor_value = floor / SQM_PER_WAN_SQM if lang == "zh" else floor / SQM_PER_MILLION_SQM
    dash = "—" if lang == "zh" else "–"
    return {
        "city": region.label(lang),
        "plan_title": str(title),
        "period": f"{plan.period_start.year}{dash}{plan.period_end.year}",
        "parks_target": _number(plan.parks),
        "floor_target": t("floor_target", lang, value=_number(floor_value)),
        "floor_target_wan": _number(floor / SQM_PER_WAN_SQM),
        "comparison": t(f"cmp_{plan.comparison}", lang),
        "start": plan.period_start.isoformat(),
        "end": plan.period_end.isoformat(),
        "baseline": plan.baseline_date.isoformat(),
        "lead_unit": str(lead_unit),
    }


def subtitle_key(plan: PlanTargets) -> str:
    """Return the word key of the subtitle for ``plan``: its targets, or that they are not filled in yet.

    Parameters
    ----------
    plan
        The plan in use.

    Returns
    -------
    str
        ``"subtitle"``, or ``"subtitle_no_targets"`` for a plan whose park and floor-area targets are 0
        (a blank plan made by ``python -m geo.region add``).
    """
    return "subtitle" if plan.parks > 0 or plan.floor_area_m2 > 0 else "subtitle_no_targets"


def verdict(on_track: object, *, final: bool, lang: str) -> str:
    """Return the verdict of one row in the wording of the plan's phase.

    Parameters
    ----------
    on_track
        True, False, or missing (``None``/``pd.NA``: before the plan, or no target).
    final
        True once the plan's end date has passed: the verdict is then met / not met.
    lang
        ``"zh"`` or ``"en"``.

    Returns
    -------
    str
        "符合进度" / "落后于进度" during the plan, "已达成" / "未达成" after it, "—" without a verdict.
    """
    if on_track is None or on_track is pd.NA or (isinstance(on_track, float) and on_track != on_track):
        return "—"
    if final:
        return t("met" if on_track else "not_met", lang)
    return t("on_track_yes" if on_track else "on_track_no", lang)


def verdict_header(*, final: bool, lang: str) -> str:
    """Return the header of a verdict column: "进度" during the plan, "是否达成" after it.

    Parameters
    ----------
    final
        True once the plan's end date has passed.
    lang
        ``"zh"`` or ``"en"``.

    Returns
    -------
    str
        The header in ``lang``.
    """
    return t("col_met" if final else "col_on_track", lang)
