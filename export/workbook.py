"""The summary workbook: county table, park register, plan indicators and an about sheet.

Every sheet passes through :func:`geo.export_safety.spreadsheet_safe`, so
text from the register that begins with ``=``, ``+``, ``-`` or ``@`` is stored
as text, never as a live formula, and any text the register holds (control
characters, a literal ``_x000B_``) can be written.
"""

from __future__ import annotations

import io
from datetime import datetime

import pandas as pd

from export.captions import date_line, notices, plan_words, source_lines
from export.data import ExportData
from export.text import INDICATIVE_NOTICE, NO_DATA, t
from geo.analysis.dashboard import city_view_row, headline, plan_over
from geo.analysis.progress import city_row_adcode
from geo.export_safety import spreadsheet_safe
from geo.fields import column_values, sheet_values, shown_in
from geo.schema import SQM_PER_WAN_SQM
from geo.words import columns, verdict, verdict_header


def _county_rows(data: ExportData) -> pd.DataFrame:
    """Return the county view with a last row for the whole city (internal column names)."""
    city_code = city_row_adcode(data.progress)
    city = city_view_row(data.progress, name=t("city", data.lang))
    rows = data.view.assign(name=[data.county_name(a) for a in data.view["adcode"]])
    rows = pd.concat([rows, pd.DataFrame([city])], ignore_index=True)
    land = data.land_use.set_index(data.land_use["adcode"].astype(str))
    for column in ("land_area_mu", "plot_ratio", "enterprises", "tax_per_mu_wan_yuan"):
        rows[column] = rows["adcode"].astype(str).map(land[column])
    official = data.quotas.set_index(data.quotas["adcode"].astype(str))["official"].to_dict()
    kinds = columns("workbook_county_values", data.lang)
    rows["quota_kind"] = [
        kinds["plan_target"] if a == city_code else (kinds["official"] if official.get(a, False) else INDICATIVE_NOTICE)
        for a in rows["adcode"].astype(str)
    ]
    return rows


def county_sheet(data: ExportData) -> pd.DataFrame:
    """Return one row per county and one for the city: parks and floor area against quota, pipeline, land use."""
    lang, rows = data.lang, _county_rows(data)
    final = plan_over(data.progress)
    h = columns("workbook_county", lang)
    return pd.DataFrame(
        {
            h["name"]: rows["name"],
            h["adcode"]: rows["adcode"].astype(str),
            h["parks"]: rows["parks"],
            h["parks_quota"]: rows["parks_quota"],
            h["parks_pct"]: rows["parks_pct"].astype("float64").round(1),
            h["floor_area_wan_m2"]: (rows["floor_area_m2"] / SQM_PER_WAN_SQM).round(2),
            h["floor_quota_wan_m2"]: (rows["floor_quota_m2"] / SQM_PER_WAN_SQM).round(2),
            h["floor_pct"]: rows["floor_pct"].astype("float64").round(1),
            verdict_header(final=final, lang=lang): rows["on_track"].map(lambda v: verdict(v, final=final, lang=lang)),
            h["rank"]: rows["rank"],
            h["pipeline_parks"]: rows["pipeline_parks"],
            h["pipeline_wan_m2"]: (rows["pipeline_floor_area_m2"] / SQM_PER_WAN_SQM).round(2),
            h["land_area_mu"]: rows["land_area_mu"].round(1),
            h["plot_ratio"]: rows["plot_ratio"].round(2),
            h["enterprises"]: rows["enterprises"],
            h["tax_per_mu_wan_yuan"]: rows["tax_per_mu_wan_yuan"].round(1),
            h["quota_kind"]: rows["quota_kind"],
        }
    )


def park_sheet(data: ExportData) -> pd.DataFrame:
    """Return the park register with status on the as-of date, units at the edges (万㎡, 亩).

    The columns are the catalogue fields whose ``shows.workbook`` is set
    (:mod:`geo.fields`), with their labels and units, then the register's own
    status beside the status on the as-of date, then the WGS-84 coordinates.
    """
    lang, h = data.lang, columns("workbook_park", data.lang)
    parks = data.parks_on_date
    names = {str(a): data.county_name(str(a)) for a in pd.unique(parks["county_adcode"].astype(str))}
    out: dict[str, pd.Series] = {}
    for item in shown_in("workbook"):
        out[item.label(lang, sink="workbook")] = sheet_values(item, column_values(parks, item), lang, names=names)
        if item.name == "status":
            out[h["status_in_register"]] = sheet_values(item, data.parks["status"], lang)
    out[h["lon"]] = parks.geometry.x.round(6)
    out[h["lat"]] = parks.geometry.y.round(6)
    return pd.DataFrame(out).reset_index(drop=True)


def plan_sheet(data: ExportData) -> pd.DataFrame:
    """Return every plan target with its lead unit and the measured value, or "无数据 / no data"."""
    plan, h = data.plan, columns("workbook_plan", data.lang)
    measured = plan["measured_value"].map(lambda v: NO_DATA if pd.isna(v) else float(v))
    return pd.DataFrame(
        {
            "indicator_id": plan["indicator_id"],
            "指标": plan["indicator_zh"],
            "Indicator": plan["indicator_en"],
            h["target_value"]: plan["target_value"],
            h["unit"]: plan["unit_zh"] if data.lang == "zh" else plan["unit_en"],
            h["lead_unit"]: plan["lead_unit"],
            h["period_end"]: plan["period_end"],
            h["as_of"]: data.as_of.isoformat(),
            h["measured"]: measured,
            h["final"]: _at_deadline(data, plan["indicator_id"]),
            h["pct_complete"]: plan["pct_complete"].round(1),
            h["note"]: plan["note"].where(plan["note"] != "", NO_DATA),
            h["plan_clause"]: plan["plan_clause"],
        }
    )


def _at_deadline(data: ExportData, indicator_ids: pd.Series) -> pd.Series:
    """The park targets' values on the plan's end date once it has passed (the 142 parks, not today's 146); else blank."""
    head = headline(data.progress, adcode=city_row_adcode(data.progress))
    if not head.final:
        return pd.Series([""] * len(indicator_ids), index=indicator_ids.index, dtype=object)
    finals = {"parks_total": head.final_parks, "park_floor_area_m2": head.final_floor_area_m2}
    return indicator_ids.map(lambda i: finals.get(str(i), "")).astype(object)


def about_sheet(data: ExportData) -> pd.DataFrame:
    """Return the date, counting rule, sources and notices as one column of lines."""
    generated = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    lines = [t("city_title", data.lang, **plan_words(data)), date_line(data), *source_lines(data), *notices(data), f"generated {generated}"]
    return pd.DataFrame({columns("workbook_sheets", data.lang)["about"]: lines})


def summary_xlsx(data: ExportData) -> bytes:
    """Return the summary workbook as .xlsx bytes (every sheet through :func:`geo.export_safety.spreadsheet_safe`)."""
    sheets = {"about": about_sheet(data), "county": county_sheet(data), "parks": park_sheet(data), "plan": plan_sheet(data)}
    buffer = io.BytesIO()
    names = columns("workbook_sheets", data.lang)  # the about sheet comes first: it is what a reader sees on opening
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for key, frame in sheets.items():
            name = names[key]
            safe = spreadsheet_safe(frame)
            safe.to_excel(writer, sheet_name=name, index=False)
            _tidy(writer.sheets[name], safe)
    return buffer.getvalue()


def _tidy(sheet: object, frame: pd.DataFrame) -> None:
    """Freeze the header row and size columns to their text."""
    from openpyxl.utils import get_column_letter

    sheet.freeze_panes = "A2"  # type: ignore[attr-defined]
    for i, column in enumerate(frame.columns, start=1):
        longest = max([len(str(column)), *[len(str(v)) for v in frame[column].head(200)]])
        sheet.column_dimensions[get_column_letter(i)].width = min(60, max(8, longest * 1.6 + 2))  # type: ignore[attr-defined]
