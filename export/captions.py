"""Caption lines shared by the exports: date, source, counting rule, notices."""

from __future__ import annotations

from export.data import ExportData
from geo.schema import SQM_PER_WAN_SQM, STATUS_LABELS_EN, STATUS_LABELS_ZH
from geo.words import INDICATIVE_NOTICE, SYNTHETIC_NOTICE, plan_values, t


def status_names(data: ExportData) -> str:
    """Return the counted statuses in the export language, e.g. "建成、已认定"."""
    labels = STATUS_LABELS_ZH if data.lang == "zh" else STATUS_LABELS_EN
    return ("、" if data.lang == "zh" else ", ").join(labels.get(s, s) for s in data.statuses)


def date_line(data: ExportData) -> str:
    """Return "统计日期 2024-06-30 · 计入总量：建成、已认定"."""
    return f"{t('as_of', data.lang, date=data.as_of.isoformat())} · {t('statuses', data.lang, statuses=status_names(data))}"


def source_lines(data: ExportData) -> list[str]:
    """Return the data source, boundary source and projection lines."""
    reported = data.reported_on.isoformat() if data.reported_on else "—"
    return [
        data.data_line or t("data_source", data.lang, source=data.source_name or "—", date=reported),
        f"{t('boundary_source', data.lang)} · {t('projection', data.lang)}",
    ]


def notices(data: ExportData) -> list[str]:
    """Return the notices every export must carry: synthetic data, indicative quotas."""
    lines = []
    if data.sample:
        lines.append(SYNTHETIC_NOTICE)
    if not data.quotas_official:
        lines.append(t("county_quotas_notice", data.lang, notice=INDICATIVE_NOTICE))
    return lines


def plan_words(data: ExportData) -> dict[str, str]:
    """Return the region's and plan's figures (city, targets, period...) as values for the words.

    Parameters
    ----------
    data
        The export's data: its region, plan (``targets``) and language.

    Returns
    -------
    dict[str, str]
        See :func:`geo.words.plan_values`.
    """
    return plan_values(data.region, data.targets, data.lang)


def wan(value_m2: float, digits: int = 1) -> str:
    """Return m² as 万㎡ text with thousands separators."""
    return f"{value_m2 / SQM_PER_WAN_SQM:,.{digits}f}"
