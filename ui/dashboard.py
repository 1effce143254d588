"""The dashboard: where the city and each county stand against the chosen plan's park and floor-area targets."""

from __future__ import annotations

import time
from datetime import date

import folium
import geopandas as gpd
import pandas as pd
import streamlit as st
from shapely.geometry import Point
from streamlit_folium import st_folium

from geo.analysis.dashboard import (
    Headline,
    as_of_choices,
    county_view,
    default_as_of,
    filter_parks,
    headline,
    measure_values,
    status_as_of,
)
from geo.analysis.progress import progress_as_of
from geo.demo.bootstrap import is_sample
from geo.region.region import load_plan
from geo.schema import DEFAULT_COUNTED_STATUSES, SQM_PER_WAN_SQM, STATUS_LABELS_EN, STATUS_LABELS_ZH, STATUSES
from geo.store import store_location
from geo.words import MEASURES, WORDS, measure_label, subtitle_key, t
from layers.base import BASEMAPS
from layers.city_map import MapContent, city_base_map, map_view
from ui import charts, cycle, finder, heap, link, shared
from ui.compare import compare_section
from ui.map_overlay import rendered_overlay
from ui.meeting import meeting_pack_section, play_section
from ui.tables import county_table_section, land_use_section, park_details
from ui.view_export import view_export_section, view_spec
from ui.words import plan_words

MAP_KEY = "citymap"
CITY_ZOOM, COUNTY_ZOOM = 10, 11
MAP_WIDTH_GUESS_PX = 950  # the wide layout's map on a 1440-px screen: the first view only (the browser fits the map to its frame)


def _on_map_change() -> None:
    """Drill into the clicked county, or open the clicked park's details (runs before the rerun)."""
    state = st.session_state.get(MAP_KEY) or {}
    feature = state.get("last_active_drawing") or {}
    props = feature.get("properties") or {}
    if "park_id" in props:
        st.session_state["park_clicked"] = props["park_id"]
        return
    adcode = props.get("adcode")
    clicked = state.get("last_clicked")
    if adcode is None and clicked:
        counties = shared.counties()
        hit = counties[counties.contains(Point(clicked["lng"], clicked["lat"]))]
        adcode = str(hit["adcode"].iloc[0]) if len(hit) else None
    if adcode:
        _choose_county(str(adcode))


def _set_presentation(on: bool) -> None:
    st.session_state["presentation"] = on


# Presentation mode fits one projector screen (1366×768 up to 1920×1080): no sidebar, the header rows
# above, and the map takes the rest of the viewport's height with its title, legend, scale and source
# inside its frame (the map fits itself to the frame in the browser: layers/city_map.py). Browsers
# without :has() get a fixed estimate of the header instead.
MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
PRESENTATION_CSS = f"""
<style>
section[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], header[data-testid="stHeader"] {{display: none;}}
[data-testid="stMainBlockContainer"] {{
  padding: 0.75rem 1.5rem 0.5rem; max-width: 100%; height: 100vh; box-sizing: border-box; display: flex; flex-direction: column;
}}
[data-testid="stMainBlockContainer"] > [data-testid="stVerticalBlock"] {{flex: 1 1 auto; min-height: 0; gap: 0.5rem;}}
[data-testid="stElementContainer"]:has({MAP_IFRAME}) {{flex: 1 1 0; min-height: 320px;}}
[data-testid="stElementContainer"]:has({MAP_IFRAME}) > div {{height: 100%;}}
[data-testid="stElementContainer"] {MAP_IFRAME} {{height: 100% !important;}}
@supports not selector(:has(a)) {{
  [data-testid="stElementContainer"] {MAP_IFRAME} {{height: max(320px, calc(100vh - 300px)) !important;}}
}}
.st-key-presentation_off {{position: fixed; top: 0.5rem; right: 1.5rem; z-index: 1000; width: auto !important;}}
[data-testid="stMetricValue"] {{font-size: 2.6rem;}}
[data-testid="stMetricLabel"] p {{font-size: 1.2rem;}}
h1 {{font-size: 2rem !important; line-height: 1.3 !important; padding: 0.25rem 10rem 0.25rem 0 !important;}}
</style>
"""
PRESENTATION_HEIGHT_GUESS_PX = 560  # the map's frame at 1366×768 is about 420 px, at 1920×1080 about 780 px
PRESENTATION_WIDTH_GUESS_PX = 1300


def _choose_county(adcode: str) -> None:
    """Drill into a county (or back to the city) from a callback; the sidebar follows."""
    st.session_state["county"] = adcode
    st.session_state.pop("park_clicked", None)
    finder.clear_focus()
    for lang in ("zh", "en"):
        key = shared.widget_key("county_sel", lang)
        if key in st.session_state:  # set the box itself: dropping its state left the frontend showing the old county
            st.session_state[key] = adcode


def _back_to_city() -> None:
    _choose_county(shared.region().adcode)


def _choose_plan(lang: str) -> None:
    """Keep the chosen plan language-free and across pages (a callback: runs before the rerun)."""
    st.session_state["plan_id"] = st.session_state[shared.widget_key("plan_choice", lang)]


def _plan_chooser(lang: str) -> None:
    """A select box over the region's plans, shown only when it has more than one."""
    ids = shared.plan_ids()
    if len(ids) < 2:
        return
    region = shared.region()
    titles = {i: load_plan(i, region=region) for i in ids}
    st.selectbox(
        t("plan", lang),
        options=ids,
        index=ids.index(shared.plan().id),
        format_func=lambda i: titles[i].title if lang == "zh" else titles[i].title_en,
        key=shared.widget_key("plan_choice", lang),
        on_change=_choose_plan,
        args=(lang,),
    )


def measure_option(key: str, lang: str) -> str:
    """A choropleth measure as the sidebar offers it: short where the full label (the legend's title) is cut there."""
    short = f"measure_short_{key}"
    return t(short, lang) if short in WORDS else measure_label(key, lang)


def _sidebar(lang: str, parks: gpd.GeoDataFrame | None, reported: date | None) -> dict:
    counties = shared.counties()
    names = {shared.region().adcode: t("city", lang)} | dict(
        zip(counties["adcode"], counties["name" if lang == "zh" else "name_en"], strict=True)
    )
    choices = as_of_choices(reported_on=reported, today=date.today())
    labels = STATUS_LABELS_ZH if lang == "zh" else STATUS_LABELS_EN
    with st.sidebar:
        _plan_chooser(lang)
        as_of = st.select_slider(
            t("as_of_label", lang),
            options=choices,
            value=default_as_of(choices, reported_on=reported),
            format_func=lambda d: t("as_of_projected_option", lang, date=d) if reported and d > reported else str(d),
            help=t("as_of_help", lang),
            key="as_of",
        )
        if reported and as_of > reported:
            st.caption(t("as_of_projected", lang, reported=reported))
        statuses = st.multiselect(
            t("statuses_label", lang),
            options=list(STATUSES),
            default=shared.chosen("statuses", list(DEFAULT_COUNTED_STATUSES)),
            format_func=lambda s: labels.get(s, s),
            key=shared.widget_key("statuses", lang),
            placeholder=t("statuses_placeholder", lang),  # not Streamlit's "Choose options"
            select_all=False,  # Streamlit's "Select all" cannot be translated; four statuses are picked by hand
        )
        st.session_state["statuses"] = statuses
        if not statuses:
            st.warning(t("no_statuses", lang))
        codes, county_key = list(names), shared.widget_key("county_sel", lang)
        # the box's own state wins once it exists (a map click sets it); else it starts from the stored county
        start = 0 if county_key in st.session_state else codes.index(str(shared.chosen("county", shared.region().adcode)))
        adcode = st.selectbox(t("county", lang), options=codes, index=start, format_func=lambda a: names.get(a, a), key=county_key)
        st.session_state["county"] = adcode
        industries = sorted(parks["main_industry"].dropna().astype(str).unique()) if parks is not None else []
        picked = st.multiselect(  # none picked is every industry (the placeholder says so), so no English "Select all"
            t("industry", lang), options=industries, placeholder=t("all_industries", lang), key="industries", select_all=False
        )
        st.subheader(t("layers", lang))
        measures = list(MEASURES)
        measure = st.selectbox(
            t("measure", lang),
            options=measures,
            index=measures.index(str(shared.chosen("measure", measures[0]))),
            format_func=lambda k: measure_option(k, lang),
            help=t("measure_help", lang),
            key=shared.widget_key("measure", lang),
        )
        st.session_state["measure"] = measure
        layers = {
            "parks": st.checkbox(t("layer_parks", lang), value=True, key="layer_parks"),
            "density": st.checkbox(t("layer_density", lang), value=False, key="layer_density"),
            "clusters": st.checkbox(t("layer_clusters", lang), value=False, key="layer_clusters"),
            "gaps": st.checkbox(t("layer_gaps", lang), value=False, key="layer_gaps"),
        }
        basemaps = list(BASEMAPS)
        basemap = st.selectbox(
            t("basemap", lang),
            options=basemaps,
            index=basemaps.index(str(shared.chosen("basemap", "none"))),
            format_func=lambda k: t(f"basemap_{k}", lang),
            key=shared.widget_key("basemap", lang),
        )
        st.session_state["basemap"] = basemap
        st.button(t("presentation_on", lang), on_click=_set_presentation, args=(True,), key="presentation_on", type="primary")
        st.caption(f"{t('store_location', lang)}: {shared.md_text(store_location())}")
    return {
        "as_of": as_of,
        "statuses": tuple(statuses),
        "adcode": adcode,
        "industries": tuple(picked),
        "measure": measure,
        "layers": layers,
        "basemap": basemap,
        "names": names,
        "reported_on": reported,
    }


def _headline_section(progress: pd.DataFrame, view: dict, lang: str) -> None:
    head = headline(progress, adcode=view["adcode"])
    cols = st.columns(5)
    with cols[0]:
        area = view["names"].get(view["adcode"], head.name)
        goal = _goal(head.parks_target, lang)
        st.metric(f"{t('parks', lang)} · {area}", f"{head.parks:,.0f}", help=goal)
        st.progress(_bar(head.parks_pct), text=f"{goal} · {t('complete', lang)} {_pct(head.parks_pct)}")
    with cols[1]:
        floor, goal = head.floor_area_m2 / SQM_PER_WAN_SQM, _goal(head.floor_area_target_m2 / SQM_PER_WAN_SQM, lang)
        st.metric(t("floor_metric", lang), f"{floor:,.1f}", help=goal)
        st.progress(_bar(head.floor_pct), text=f"{goal} · {t('complete', lang)} {_pct(head.floor_pct)}")
    with cols[2]:
        st.metric(t("time_elapsed", lang), f"{head.time_elapsed_share:.0%}")
        st.progress(min(head.time_elapsed_share, 1.0), text=f"{shared.city_targets().period_start} – {shared.city_targets().period_end}")
    with cols[3]:
        _status_metric(head, lang)
    with cols[4]:
        st.metric(t("pipeline", lang), f"{head.pipeline_parks:,.0f}")
        st.caption(
            t("pipeline_value", lang, parks=f"{head.pipeline_parks:,.0f}", floor=f"{head.pipeline_floor_area_m2 / SQM_PER_WAN_SQM:,.1f}")
        )
    if not head.target_official:
        st.caption(f"⚠ {t('quota_indicative', lang)}")
    if head.undated_parks:
        st.caption(f"ℹ {t('undated_parks', lang, n=head.undated_parks, date=view['reported_on'])}")


def _pct(pct: float) -> str:
    return "—" if pct != pct else f"{pct:.1f}%"


def _goal(target: float, lang: str) -> str:
    """ "目标 140", or "目标未填写" for a target of 0 (a blank plan or quota)."""
    return f"{t('target', lang)} {target:,.0f}" if target > 0 else t("targets_not_set", lang)


def _bar(pct: float) -> float:
    """Progress-bar fill for a % complete; an empty bar when there is no quota (NaN)."""
    return 0.0 if pct != pct else min(max(pct / 100, 0.0), 1.0)


def _status_metric(head: Headline, lang: str) -> None:
    """On track (during the plan), met / not met with the margin at the plan's end date (after it)."""
    if head.parks_target <= 0 and head.floor_area_target_m2 <= 0:
        st.metric(t("on_track", lang), t("targets_not_set", lang))
    elif head.final:
        met = bool(head.parks_met) and bool(head.floor_met)
        st.metric(t("final_label", lang), t("met" if met else "not_met", lang))
        values = {
            "parks": f"{head.final_parks:,.0f}",
            "floor": f"{head.final_floor_area_m2 / SQM_PER_WAN_SQM:,.1f}",
            "parks_margin": f"{head.parks_margin:+,.0f}",
            "floor_margin": f"{head.floor_margin_m2 / SQM_PER_WAN_SQM:+,.1f}",
            "end": shared.city_targets().period_end.isoformat(),
        }
        st.caption(t("final_value", lang, **values))
    elif head.parks_on_track is None:
        st.metric(t("on_track", lang), t("not_started", lang))
    else:
        ok = head.parks_on_track and head.floor_on_track
        st.metric(t("on_track", lang), t("status_on_track" if ok else "status_behind", lang))
        st.caption(
            t("projected_value", lang, parks=f"{head.projected_parks:,.0f}", floor=f"{head.projected_floor_area_m2 / SQM_PER_WAN_SQM:,.1f}")
        )


def _map_section(
    parks: gpd.GeoDataFrame,
    progress: pd.DataFrame,
    view: dict,
    lang: str,
    loaded: shared.Loaded,
    note: list[str],
    *,
    presentation: bool = False,
) -> str:
    """Draw the map (and the button or hint under it); return what it was sent with (the same text, no redraw in the browser)."""
    selected = None if view["adcode"] == shared.region().adcode else view["adcode"]
    display = shared.display_counties()
    per_county = county_view(progress, shared.counties(), area_km2=shared.county_areas())
    values = measure_values(per_county, view["measure"])
    if lang == "en":
        display = display.assign(name=display["name_en"])
    tips = display.assign(
        pct=[f"{v:.1f}%" for v in per_county["floor_pct"]],
        parks_n=[f"{v:.0f} / {q:.0f}" for v, q in zip(per_county["parks"], per_county["parks_quota"], strict=True)],
    )
    shown = filter_parks(parks, adcode=selected, industries=view["industries"]).assign(
        status=lambda df: status_as_of(df, as_of=view["as_of"])
    )
    content = MapContent(
        counties=tips,
        county_values=values,
        measure=view["measure"],
        parks=shown if view["layers"]["parks"] else None,
        county_tooltips=[("pct", measure_label("pct_floor_quota", lang)), ("parks_n", t("parks", lang))],
        notice_lines=note,
        sample_notice=loaded.is_sample,
        sample_firms_notice=_synthetic_firms_shown(view),
        selected_adcode=selected,
        max_floor_area_m2=float(parks["floor_area_m2"].max()) if len(parks) else None,
        title=f"{t('map_title', lang, **plan_words(lang))} · {view['names'][view['adcode']]}",
        subtitle=note[0],
        **_enterprise_content(view, parks_key=loaded.key, selected=selected),
    )
    basemap, key = view["basemap"], shared.tianditu_key()
    if BASEMAPS[basemap].needs_key and not key:
        st.warning(t("tianditu_no_key", lang))
        basemap = "none"
    # the map fits itself to its frame in the browser, clear of the legend and the notice as drawn there (in
    # presentation mode CSS sizes the frame to the viewport); the guessed view only starts it
    height = PRESENTATION_HEIGHT_GUESS_PX if presentation else 640
    width = PRESENTATION_WIDTH_GUESS_PX if presentation else MAP_WIDTH_GUESS_PX
    base = _base_map(basemap, key, lang, presentation)
    view_ = map_view(content, basemap=basemap, width_px=width, height_px=height)
    focus = finder.focus(view["adcode"], basemap=basemap)
    overlay = rendered_overlay(content, lang=lang, basemap=basemap, presentation=presentation, fit=focus is None)
    center, zoom = (focus["center"], focus["zoom"]) if focus else (view_.center, view_.zoom)
    st_folium(
        base,
        key=MAP_KEY,
        height=height,
        use_container_width=True,
        feature_group_to_add=overlay,
        center=center,
        zoom=zoom,
        returned_objects=["last_active_drawing", "last_clicked"],
        on_change=_on_map_change,
    )
    if focus and not presentation:
        st.button(t("finder_unfocus", lang), on_click=finder.clear_focus, key="unfocus")
    if not presentation:
        if selected:
            st.button(t("back_to_city", lang), on_click=_back_to_city)
        else:
            st.caption(t("drill_hint", lang))
    return repr((overlay.digest, height, center, zoom))  # the overlay's digest covers language, basemap and presentation


def _base_map(basemap: str, key: str | None, lang: str, presentation: bool) -> folium.Map:
    """The part of the map that stays in the browser while filters change (only overlays are swapped)."""
    return city_base_map(shared.display_counties(), lang=lang, basemap=basemap, tianditu_key=key, presentation=presentation)


def _synthetic_firms_shown(view: dict) -> bool:
    """True when an enterprise layer is on and the firm list it is drawn from is the synthetic sample."""
    wanted = view["layers"]
    return bool(wanted["density"] or wanted["clusters"] or wanted["gaps"]) and is_sample(shared.latest("enterprises"))


def _enterprise_content(view: dict, *, parks_key: tuple[int, ...], selected: str | None) -> dict:
    firms_info = shared.latest("enterprises")
    wanted = view["layers"]
    if firms_info is None or not (wanted["density"] or wanted["clusters"] or wanted["gaps"]):
        return {}
    location, ids = str(store_location()), (firms_info.snapshot_id, parks_key)
    out: dict = {}
    if wanted["density"]:
        out["hexes"] = shared.hexes(location, *ids, selected, COUNTY_ZOOM if selected else CITY_ZOOM)
    if wanted["clusters"]:
        out["clusters"] = shared.clusters(location, *ids, None)
    if wanted["gaps"]:
        out["gaps"] = shared.gaps(location, *ids, 2000.0)
    return out


def link_options(parks: gpd.GeoDataFrame, reported: date | None) -> link.LinkOptions:
    """What a shared link may choose from: the sidebar's options for this register."""
    region, counties = shared.region(), shared.counties()
    names = {region.adcode: (t("city", "zh"), t("city", "en"))} | {
        str(a): (str(zh), str(en)) for a, zh, en in zip(counties["adcode"], counties["name"], counties["name_en"], strict=True)
    }
    return link.LinkOptions(
        dates=as_of_choices(reported_on=reported, today=date.today()),
        counties=names,
        statuses=STATUSES,
        industries=sorted(parks["main_industry"].dropna().astype(str).unique()),
        measures=MEASURES,
        basemaps=tuple(BASEMAPS),
        plans=tuple(shared.plan_ids()),
    )


def render(lang: str) -> None:
    """Draw the dashboard page."""
    latest = shared.current("parks")
    if latest is not None:  # a shared link's view, once per session, before any widget is drawn
        link.restore_view(link_options(latest.data, latest.reporting_date))
    words = plan_words(lang)
    st.title(t("city_title", lang, **words))
    st.caption(t(subtitle_key(shared.plan()), lang, **words))
    link.notes_section(lang)
    if latest is None:
        st.info(t("no_parks", lang))
        return
    view = _sidebar(lang, latest.data, latest.reporting_date)
    loaded, before_reports = _in_force(latest, view["as_of"])
    presentation = bool(st.session_state.get("presentation"))
    link.write_view(view, lang=lang, presentation=presentation)
    if presentation:
        st.markdown(PRESENTATION_CSS, unsafe_allow_html=True)
        st.button(t("presentation_off", lang), on_click=_set_presentation, args=(False,), key="presentation_off")
    else:
        if loaded.is_sample:
            cycle.sample_banner(loaded, lang)
        elif _synthetic_firms_shown(view):
            st.warning(t("sample_firms_banner", lang))
        cycle.missing_counties_notice(lang)
    # the industry filter applies to everything on the page (header, map, table, charts, land use, pack), and says so
    parks = filter_parks(loaded.data, industries=view["industries"])
    progress = progress_as_of(
        parks,
        as_of=view["as_of"],
        targets=shared.city_targets(),
        quotas=shared.quotas(),
        statuses=view["statuses"] or DEFAULT_COUNTED_STATUSES,
        reported_on=loaded.reporting_date,
    )
    source = cycle.data_periods_text(loaded, lang)
    as_of_line = t("as_of", lang, date=view["as_of"].isoformat())
    filtered = t("industry_filter_line", lang, industries="、".join(view["industries"])) if view["industries"] else ""
    st.markdown(f"**{as_of_line}** · {shared.md_text(source)}" + (f" · **{shared.md_text(filtered)}**" if filtered else ""))
    if before_reports:
        st.caption(t("data_period_before", lang))
    _headline_section(progress, view, lang)
    notes = [as_of_line, source, t("boundary_source", lang)] + ([filtered] if filtered else [])
    signature = _map_section(parks, progress, view, lang, loaded, notes, presentation=presentation)
    if presentation:
        return
    if _defer_below_map(lang, signature):
        return
    link.share_section(view, lang=lang, presentation=presentation)
    header_line = f"{as_of_line} · {source}" + (f" · {filtered}" if filtered else "")
    drawn = _enterprise_content(view, parks_key=loaded.key, selected=None if view["adcode"] == shared.region().adcode else view["adcode"])
    spec = view_spec(
        view, lang, header_line=header_line, layers=drawn, synthetic_firms=_synthetic_firms_shown(view) and not loaded.is_sample
    )
    view_export_section(parks, view, lang, loaded=loaded, spec=spec)
    in_view = filter_parks(parks, adcode=None if view["adcode"] == shared.region().adcode else view["adcode"])
    finder.park_finder_section(in_view, view, lang)
    finder.ranked_gaps_section(_gaps(view, loaded), view, lang)
    park_details(loaded.data, st.session_state.get("park_clicked"), view["names"], lang)
    county_table_section(progress, shared.counties(), lang)
    cycle.completeness_section(lang)
    charts.progress_charts(parks, view, lang, loaded=latest)
    compare_section(latest, view, as_of_choices(reported_on=latest.reporting_date, today=date.today()), lang)
    play_section(parks, view, lang, loaded=loaded)
    land_use_section(parks, shared.counties(), view, lang)
    meeting_pack_section(parks, view, lang, loaded=loaded)
    heap.settle()  # the page is complete: a full garbage collection, when one is due, happens here and not mid-run


BELOW_MAP_SHOWN = "below_map_shown"
BELOW_MAP_PENDING = "below_map_pending"  # the key (and CSS class st-key-...) of the note shown meanwhile
BELOW_MAP_DELAY_S = 2.5  # from when the browser has the map's message: after the map is drawn (0.7–2 s here)
MAP_SENT = "map_sent"  # the signature of the map the browser was last sent
MAP_DRAW_PAUSE_S = 0.3  # a changed map is drawn 0.1-0.3 s after its message here (2-core machine, Chromium)


def _defer_below_map(lang: str, signature: str) -> bool:
    """Give the browser a new map before the page below it; True when that page comes in a later run.

    * A browser session's first run is the first map's critical path: what follows the map (tables,
      charts, the compare map, downloads) took as long again on the server and held the browser's main
      thread while the map's frame loaded. This run stops after the map, with a note where the rest will
      be; the next run comes from a fragment timer (or sooner, from the map itself) and draws everything.
    * A later run that changes the map (a filter, a click on a county) pauses after sending it
      (:data:`MAP_DRAW_PAUSE_S`, the server's interpreter idle): the map's message goes out at once and
      the browser draws it with nothing else to lay out, then this run draws the page below. Until then
      that page stays on screen greyed as stale (nothing jumps, its downloads still work).

    AppTest sessions (no HTTP headers) draw everything at once.
    """
    if not st.context.headers:
        return False
    sent, st.session_state[MAP_SENT] = st.session_state.get(MAP_SENT), signature
    if not st.session_state.get(BELOW_MAP_SHOWN):
        st.session_state[BELOW_MAP_SHOWN] = True
        with st.container(key=BELOW_MAP_PENDING):
            st.caption(t("below_map_loading", lang))  # shown until the map is drawn
            _rerun_soon()
        return True
    if sent != signature:
        time.sleep(MAP_DRAW_PAUSE_S)
    return False


@st.fragment(run_every=BELOW_MAP_DELAY_S)
def _rerun_soon() -> None:
    """Rerun the whole page on the fragment's first tick (its body also runs once when drawn: that run waits)."""
    if st.session_state.pop("below_map_tick", False):
        st.rerun(scope="app")
    st.session_state["below_map_tick"] = True


def _gaps(view: dict, loaded: shared.Loaded) -> gpd.GeoDataFrame | None:
    """The coverage gaps of the map's layer (None while the layer is off or there is no firm list)."""
    firms = shared.latest("enterprises")
    if firms is None or not view["layers"]["gaps"]:
        return None
    return shared.gaps(str(store_location()), firms.snapshot_id, loaded.key, 2000.0)


def _in_force(latest: shared.Loaded, as_of: date) -> tuple[shared.Loaded, bool]:
    """The register in force on ``as_of`` (each county's approved report then), and whether none was (the latest is used)."""
    if not latest.dates or as_of >= latest.reporting_date:
        return latest, False
    past = shared.current("parks", as_of=as_of)
    return (latest, True) if past is None else (past, False)
