"""Charts: each county's quarterly progress against its straight-line trajectory; floor area by status."""

from __future__ import annotations

from datetime import date

import altair as alt
import geopandas as gpd
import pandas as pd
import streamlit as st

from geo.analysis.dashboard import filter_parks, floor_area_by_status, status_as_of
from geo.analysis.progress import progress_as_of, progress_series
from geo.region.region import is_city_adcode
from geo.reporting.periods import period_of, periods_between
from geo.reporting.submissions import in_force
from geo.schema import DEFAULT_COUNTED_STATUSES, SQM_PER_WAN_SQM, STATUS_LABELS_EN, STATUS_LABELS_ZH
from geo.words import t
from layers.parks import STATUS_COLOURS
from ui import shared

MAX_REPORTED_POINTS = 24  # newest quarters shown as "as reported" points


@st.cache_data(show_spinner=False, max_entries=16)
def _series(
    location: str,
    parks_key: tuple[int, ...],
    statuses: tuple[str, ...],
    reported_on: date,
    end: date,
    quotas_version: str,
    industries: tuple[str, ...] = (),
) -> pd.DataFrame:
    """Quarterly progress of the parks of ``industries`` (all when empty), reconstructed from the register ``parks_key``.

    ``quotas_version`` (plan, quota file time) is a cache key only: a new plan or edited quotas show at once.
    """
    del quotas_version
    parks = filter_parks(shared.register(location, parks_key), industries=industries)
    targets = shared.city_targets()
    return progress_series(
        parks, targets=targets, quotas=shared.quotas(), start=targets.period_start, end=end, statuses=statuses, reported_on=reported_on
    )


@st.cache_data(show_spinner=False, max_entries=8)
def _as_reported(
    location: str, approved: tuple[int, ...], statuses: tuple[str, ...], quotas_version: str, industries: tuple[str, ...] = ()
) -> pd.DataFrame:
    """Progress at each quarter's end from the register in force then (each county's approved submission): not reconstructed.

    ``approved`` (the ids of every approved submission) and ``quotas_version`` are cache keys only.
    """
    del approved, quotas_version
    everything = shared.get_store(location).list_submissions()
    dates = sorted(s.describes for s in everything if s.state == "approved" and s.counts)
    if not dates:
        return pd.DataFrame()
    quarters = [q.end for q in periods_between(period_of(dates[0]), period_of(dates[-1])) if q.end <= dates[-1]]
    frames = []
    for quarter in quarters[-MAX_REPORTED_POINTS:]:
        chosen = in_force(everything, as_of=quarter)
        if not chosen:
            continue
        parks = shared.register(location, tuple(sorted(s.submission_id for s in chosen.values())))
        frames.append(
            progress_as_of(
                filter_parks(parks, industries=industries),
                as_of=quarter,
                targets=shared.city_targets(),
                quotas=shared.quotas(),
                statuses=statuses,
                reported_on=quarter,
            )
        )
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _long_form(series: pd.DataFrame, *, measure: str, adcode: str, lang: str) -> pd.DataFrame:
    rows = series[series["measure"] == measure]
    if not is_city_adcode(adcode):
        rows = rows[rows["adcode"].astype(str) == adcode]
    scale = SQM_PER_WAN_SQM if measure == "floor_area_m2" else 1
    frame = pd.DataFrame(
        {
            "quarter": pd.to_datetime(rows["as_of"]),
            "area": rows["name"].where(~rows["adcode"].astype(str).map(is_city_adcode), t("city", lang)),
            t("chart_actual", lang): rows["value"] / scale,
            t("chart_trajectory", lang): rows["trajectory"] / scale,
            t("chart_target", lang): rows["target"] / scale,
        }
    )
    return frame.melt(id_vars=["quarter", "area"], var_name="series", value_name="value").dropna(subset=["value"])


def _reported_long_form(reported: pd.DataFrame, *, measure: str, adcode: str, lang: str, end: date) -> pd.DataFrame:
    if reported.empty:
        return pd.DataFrame(columns=["quarter", "area", "series", "value"])
    rows = reported[(reported["measure"] == measure) & (pd.to_datetime(reported["as_of"]) <= pd.Timestamp(end))]
    if not is_city_adcode(adcode):
        rows = rows[rows["adcode"].astype(str) == adcode]
    scale = SQM_PER_WAN_SQM if measure == "floor_area_m2" else 1
    return pd.DataFrame(
        {
            "quarter": pd.to_datetime(rows["as_of"]),
            "area": rows["name"].where(~rows["adcode"].astype(str).map(is_city_adcode), t("city", lang)),
            "series": t("chart_reported", lang),
            "value": rows["value"] / scale,
        }
    )


def chart_data(
    series: pd.DataFrame, *, measure: str, adcode: str, lang: str, statuses: tuple[str, ...], end: date, industries: tuple[str, ...] = ()
) -> pd.DataFrame:
    """Quarterly actual, trajectory and target, plus each quarter's value from the reports in force then."""
    approved = tuple(sorted(s.submission_id for s in shared.current_store().list_submissions() if s.state == "approved"))
    reported = _as_reported(str(shared.store_location()), approved, statuses, shared.quotas_version(), industries)
    data = pd.concat(
        [
            _long_form(series, measure=measure, adcode=adcode, lang=lang),
            _reported_long_form(reported, measure=measure, adcode=adcode, lang=lang, end=end),
        ],
        ignore_index=True,
    )
    if lang == "en":
        counties = shared.counties()
        data["area"] = data["area"].replace(dict(zip(counties["name"], counties["name_en"], strict=True)))
    # the quarter a point belongs to, as planners write it: 2021-03-31 is "2021Q1" (a time axis put it at the 2021-Q2 tick)
    data["period"] = [period_of(pd.Timestamp(q).date()).code for q in data["quarter"]]
    return data


def panel_order(lang: str) -> list[str]:
    """The chart panels' order: the city first, then its counties in the region's order."""
    return [t("city", lang), *(c.label(lang) for c in shared.region().counties)]


def _progress_chart(data: pd.DataFrame, lang: str) -> alt.FacetChart:
    """Small multiples per area: lines for actual, trajectory and target; dots for what registers reported."""
    names = [t(k, lang) for k in ("chart_actual", "chart_trajectory", "chart_target", "chart_reported")]
    colours = alt.Scale(domain=names, range=["#1f77b4", "#9e9e9e", "#d62728", "#000000"])
    x = alt.X("period:O", title=None, sort="ascending", axis=alt.Axis(labelAngle=-45))
    tooltip = [
        alt.Tooltip("area:N", title=t("county", lang)),
        alt.Tooltip("quarter:T", format="%Y-%m-%d", title=t("as_of_label", lang)),
        alt.Tooltip("series:N", title=t("chart_series", lang)),
        alt.Tooltip("value:Q", format=",.1f", title=t("value", lang)),
    ]
    base = alt.Chart(height=160, width=250).encode(
        x=x, y=alt.Y("value:Q", title=None), color=alt.Color("series:N", scale=colours, title=None, legend=alt.Legend(orient="top"))
    )
    dash = alt.condition(alt.datum.series == names[0], alt.value([1, 0]), alt.value([5, 4]))
    lines = base.transform_filter(alt.datum.series != names[3]).mark_line(point=True).encode(strokeDash=dash, tooltip=tooltip)
    dots = base.transform_filter(alt.datum.series == names[3]).mark_point(size=90, filled=True, shape="diamond").encode(tooltip=tooltip)
    facet = alt.Facet("area:N", title=None, sort=panel_order(lang))
    return alt.layer(lines, dots, data=data).facet(facet=facet, columns=3).resolve_scale(y="independent")


def progress_charts(parks: gpd.GeoDataFrame, view: dict, lang: str, *, loaded: shared.Loaded) -> None:
    """Each county's quarterly progress (reconstructed from ``loaded``, with the reports in force each quarter) and floor area by status."""
    st.subheader(t("charts", lang))
    reported_on = loaded.reporting_date
    end = max(view["as_of"], shared.city_targets().period_end)
    statuses = view["statuses"] or DEFAULT_COUNTED_STATUSES
    industries = tuple(view["industries"])
    series = _series(str(shared.store_location()), loaded.key, tuple(statuses), reported_on, end, shared.quotas_version(), industries)
    with st.container():
        measures = ["floor_area_m2", "parks"]
        measure = st.radio(
            t("chart_measure", lang),
            measures,
            index=measures.index(str(shared.chosen("chart_measure", measures[0]))),
            format_func=lambda m: t("floor_metric" if m == "floor_area_m2" else "parks", lang),
            horizontal=True,
            label_visibility="collapsed",
            key=shared.widget_key("chart_measure", lang),
        )
        data = chart_data(
            series, measure=measure, adcode=view["adcode"], lang=lang, statuses=tuple(statuses), end=end, industries=industries
        )
        chart = _progress_chart(data, lang)
        st.altair_chart(chart, width="content")
    with st.container():
        st.markdown(f"**{t('floor_by_status', lang)}**")
        current = parks.assign(status=status_as_of(parks, as_of=view["as_of"]))
        table = floor_area_by_status(current, as_of=view["as_of"])
        labels = STATUS_LABELS_ZH if lang == "zh" else STATUS_LABELS_EN
        names = dict(zip(shared.counties()["adcode"], shared.counties()["name" if lang == "zh" else "name_en"], strict=True))
        table = table.assign(county=table["county_adcode"].map(names), status_label=table["status"].map(labels))
        order = [labels[s] for s in STATUS_COLOURS]
        bars = (
            alt.Chart(table, height=240)
            .mark_bar()
            .encode(
                y=alt.Y("county:N", title=None, sort="-x"),
                x=alt.X("floor_area_wan_m2:Q", title=None, stack=True),
                color=alt.Color(
                    "status_label:N",
                    scale=alt.Scale(domain=order, range=list(STATUS_COLOURS.values())),
                    title=None,
                    legend=alt.Legend(orient="bottom"),
                ),
                tooltip=[
                    alt.Tooltip("county:N", title=t("county", lang)),
                    alt.Tooltip("status_label:N", title=t("col_status", lang)),
                    alt.Tooltip("floor_area_wan_m2:Q", format=",.1f", title=t("floor_area", lang)),
                ],
            )
        )
        st.altair_chart(bars, width="stretch")
