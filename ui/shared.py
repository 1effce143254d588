"""Cached loaders shared by the pages. Cached functions read no globals: keys are paths, ids and parameters."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

import geopandas as gpd
import pandas as pd
import streamlit as st

from geo.accounts import Account
from geo.accounts.book import open_book
from geo.accounts.guard import GuardedStore
from geo.accounts.signin import mode as signin_mode
from geo.accounts.signin import signed_out_account
from geo.analysis.assign import assign_enterprises
from geo.analysis.clusters import enterprise_clusters
from geo.analysis.dashboard import county_areas_km2
from geo.analysis.gaps import coverage_gaps
from geo.analysis.hexbins import hexbin_counts
from geo.demo.bootstrap import is_sample, load_sample_into_store
from geo.errors import StoreError
from geo.export_safety import neutralise_formulas
from geo.region.boundaries import load_counties, simplify_counties
from geo.region.region import Plan, Region, current_adcode, load_plan, load_region, regions_dir
from geo.region.region import plan_ids as region_plan_ids
from geo.region.targets import load_county_quotas, user_quotas_path
from geo.store import SnapshotInfo, SnapshotStore, open_store, store_location
from geo.words import t

# every ASCII punctuation character: CommonMark lets each be escaped with a backslash
_MARKDOWN_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
DISPLAY_SIMPLIFY_M = 30.0  # county borders drawn in the browser: 30 m is invisible at city scale


@st.cache_resource(show_spinner=False)
def get_store(location: str) -> SnapshotStore:
    """Open the store once per process and load the synthetic sample into it if it is empty."""
    store = open_store(location)
    load_sample_into_store(store, counties=counties())
    return store


ACCOUNT_KEY = "signed_in_account"  # ui.signin keeps the signed-in Account here (never a password)
_NOBODY = Account("nobody", "viewer")


def account() -> Account:
    """Who uses this browser session: the signed-in account; everyone when sign-in is off; else a read-only nobody."""
    found = st.session_state.get(ACCOUNT_KEY)
    if isinstance(found, Account):
        return found
    return signed_out_account(signin_mode(store_location())) or _NOBODY


def current_store() -> GuardedStore:
    """Return the app's store as this session's account may use it (writes checked, named and audited).

    When it cannot be used (damaged, 0-byte, newer layout, no permission, server down), say why and stop the page.
    """
    location = store_location()
    try:
        store = get_store(str(location))
    except StoreError as exc:
        st.error(md_text(f"{t('store_unusable', 'zh')} {t('store_unusable', 'en')}: {exc}"))  # on every page, before a language
        st.stop()
    names = {c.adcode: c.name for c in region().counties}
    return GuardedStore(store, account(), open_book(location), county_names=names)


def _region_key() -> tuple[str, str]:
    """The region in use and the folder of regions: the cache key of everything region-specific.

    What is cached under it (the region, its counties, their areas and display borders) is one object
    shared by every session and read only, like :func:`snapshot`: it comes from the package's data and
    never changes while the app runs, and ``st.cache_data`` unpickled a copy at each of the ~40 calls a
    run (0.05–0.1 s of the run before the map).
    """
    return current_adcode(), str(regions_dir())


def region() -> Region:
    """The region in use (``PARKMAP_REGION``, else the default): city, counties, folder."""
    return _region(*_region_key())


@st.cache_resource(show_spinner=False)
def _region(adcode: str, root: str) -> Region:
    del root  # cache key only
    return load_region(adcode)


def plan_ids() -> list[str]:
    """The ids of the region's plans, oldest first (a planner may add one: not cached)."""
    return region_plan_ids(region())


def plan() -> Plan:
    """The chosen plan: ``st.session_state["plan_id"]`` if set (and known), else the region's default."""
    wanted = st.session_state.get("plan_id")
    chosen = str(wanted) if wanted and str(wanted) in plan_ids() else None
    return load_plan(chosen, region=region())


def city_targets() -> Plan:
    """The chosen plan's park targets and period (the plan itself; see :func:`plan`)."""
    return plan()


def counties() -> gpd.GeoDataFrame:
    """The region's counties in WGS-84."""
    return _counties(*_region_key())


@st.cache_resource(show_spinner=False)
def _counties(adcode: str, root: str) -> gpd.GeoDataFrame:
    del root  # cache key only
    return load_counties(city_adcode=adcode)


def county_areas() -> pd.Series:
    """Each county's area in km² by adcode (measured once per region: a reprojection took 0.15 s a run)."""
    return _county_areas(*_region_key())


@st.cache_resource(show_spinner=False)
def _county_areas(adcode: str, root: str) -> pd.Series:
    del root  # cache key only
    return county_areas_km2(load_counties(city_adcode=adcode))


def display_counties() -> gpd.GeoDataFrame:
    """County borders simplified as a coverage for the browser (shared borders stay shared)."""
    return _display_counties(*_region_key())


@st.cache_resource(show_spinner=False)
def _display_counties(adcode: str, root: str) -> gpd.GeoDataFrame:
    del root  # cache key only
    return simplify_counties(load_counties(city_adcode=adcode), tolerance_m=DISPLAY_SIMPLIFY_M)


def quotas_path() -> str:
    """Where the chosen plan's edited quotas are saved."""
    return str(user_quotas_path(plan(), region=region()))


def quotas_version() -> str:
    """A cache key for what progress is measured against: the region, the chosen plan and its saved quotas' modification time."""
    chosen = plan()
    path = user_quotas_path(chosen, region=region())
    return f"{chosen.region_adcode}/{chosen.id}/{path.stat().st_mtime if path.exists() else 0.0}"


def quotas() -> pd.DataFrame:
    """The chosen plan's county quotas: cached on the file's modification time, so saved edits show at once."""
    chosen = plan()
    return _quotas(quotas_path(), quotas_version(), chosen.region_adcode, chosen.id)


@st.cache_data(show_spinner=False)
def _quotas(path: str, version: str, adcode: str, plan_id: str) -> pd.DataFrame:
    del path, version  # cache keys only
    home = load_region(adcode)
    return load_county_quotas(plan=load_plan(plan_id, region=home), region=home)


@dataclass(frozen=True)
class Loaded:
    """What a page shows of one kind: the rows and where they came from.

    For parks the rows are the city's consolidated register (each county's
    approved submission in force); ``key`` names the submissions it is made of
    (for enterprises, the snapshot) and keys every cache built from it, and
    ``dates`` gives the date each county's rows describe.
    """

    info: SnapshotInfo  # the newest snapshot the rows come from
    data: gpd.GeoDataFrame
    key: tuple[int, ...]
    dates: Mapping[str, date] = field(default_factory=dict)
    sources: tuple[str, ...] = ()
    sample: bool = False
    synthetic_counties: tuple[str, ...] = ()  # parks: the counties whose rows in force are the synthetic sample

    @property
    def is_sample(self) -> bool:
        return self.sample

    @property
    def reporting_date(self) -> date:
        """The newest date the rows describe."""
        return max(self.dates.values()) if self.dates else self.info.reporting_date


def latest(kind: str) -> SnapshotInfo | None:
    return current_store().latest_info(kind)


@st.cache_resource(show_spinner=False, max_entries=6)
def snapshot(location: str, snapshot_id: int) -> gpd.GeoDataFrame:
    """A stored snapshot, without its ``attrs`` (the metadata is in :func:`latest`; attrs would
    follow every derived table into Arrow, which cannot serialise dates).

    One object shared by every session, read only (``geo`` never mutates its input): a snapshot
    does not change once saved, and ``st.cache_data`` would unpickle a copy on every run (for the
    250,000 sample firms, their WKB geometries: 1.5–6 s of each script run on a 2-core machine).
    """
    data = get_store(location).load_snapshot(snapshot_id)
    data.attrs = {}
    return data


@st.cache_resource(show_spinner=False, max_entries=16)
def register(location: str, key: tuple[int, ...]) -> gpd.GeoDataFrame:
    """The consolidated register made of the submissions ``key`` (or, for a store of an older layout, the snapshot ``key``).

    Shared read only, as :func:`snapshot`: approved submissions do not change, and unpickling a copy
    took 0.1–0.2 s of every run (twice a run: the register in force and the latest).
    """
    store = get_store(location)
    if not store.list_submissions():
        return snapshot(location, key[0])
    parts = [store.load_submission(submission_id) for submission_id in key]
    out = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry", crs=parts[0].crs)
    out.attrs = {}
    return out


def current(kind: str, *, as_of: date | None = None) -> Loaded | None:
    """What is in force of ``kind`` now, or at ``as_of``: for parks, each county's approved submission in force then."""
    store, location = current_store(), str(store_location())
    chosen = store.in_force(as_of) if kind == "parks" else {}
    if not chosen:  # enterprises, or a store of an older layout (one whole-city snapshot)
        info = store.latest_info(kind, as_of=as_of) if kind != "parks" or store.list_submissions() else _legacy_info(store, as_of)
        if info is None:
            return None
        return Loaded(info, snapshot(location, info.snapshot_id), (info.snapshot_id,), sources=(info.source_name,), sample=is_sample(info))
    infos = {i: store.snapshot_info(i) for i in sorted({s.snapshot_id for s in chosen.values()})}
    newest = max(chosen.values(), key=lambda s: (s.describes, s.snapshot_id))
    return Loaded(
        info=infos[newest.snapshot_id],
        data=register(location, tuple(sorted(s.submission_id for s in chosen.values()))),
        key=tuple(sorted(s.submission_id for s in chosen.values())),
        dates={county: sub.describes for county, sub in chosen.items()},
        sources=tuple(dict.fromkeys(i.source_name for i in infos.values())),
        sample=any(is_sample(i) for i in infos.values()),
        synthetic_counties=tuple(sorted(c for c, sub in chosen.items() if is_sample(infos[sub.snapshot_id]))),
    )


def _legacy_info(store: SnapshotStore, as_of: date | None) -> SnapshotInfo | None:
    old = store.register(as_of)
    return None if old is None else store.snapshot_info(int(old.attrs["snapshot"]["snapshot_id"]))


@st.cache_data(show_spinner=False, max_entries=2)
def assigned_enterprises(location: str, enterprise_id: int, parks_key: tuple[int, ...], radius_m: float) -> gpd.GeoDataFrame:
    """Enterprises with located county and park (cached per enterprise snapshot and park register)."""
    firms = snapshot(location, enterprise_id)
    parks = register(location, parks_key)
    return assign_enterprises(firms, counties=counties(), parks=parks, radius_m=radius_m)


@st.cache_data(show_spinner=False, max_entries=16)
def hexes(location: str, enterprise_id: int, parks_key: tuple[int, ...], adcode: str | None, zoom: int) -> gpd.GeoDataFrame:
    firms = assigned_enterprises(location, enterprise_id, parks_key, 500.0)
    if adcode:
        firms = firms[firms["located_county_adcode"] == adcode]
    return hexbin_counts(firms, zoom=zoom, max_cells=3000)


@st.cache_data(show_spinner=False, max_entries=16)
def clusters(location: str, enterprise_id: int, parks_key: tuple[int, ...], industry: str | None) -> gpd.GeoDataFrame:
    firms = assigned_enterprises(location, enterprise_id, parks_key, 500.0)
    return enterprise_clusters(firms, industry=industry)


@st.cache_data(show_spinner=False, max_entries=8)
def gaps(location: str, enterprise_id: int, parks_key: tuple[int, ...], max_distance_m: float) -> gpd.GeoDataFrame:
    firms = assigned_enterprises(location, enterprise_id, parks_key, 500.0)
    return coverage_gaps(firms, register(location, parks_key), max_distance_m=max_distance_m)


LANG_SUFFIXES = (".zh", ".en")


def widget_key(name: str, lang: str) -> str:
    """Key of a widget whose option labels depend on the language.

    Streamlit's frontend keeps a widget's *formatted* value, so when the labels
    change with the language the old value no longer matches and the widget
    empties itself. Such widgets get one key per language; the chosen value
    lives language-free in ``st.session_state[name]``.
    """
    return f"{name}{'.' + lang}"


def forget_language_widgets() -> None:
    """Drop the per-language widget states (on a language switch): widgets start again from the stored values."""
    for key in [k for k in st.session_state if str(k).endswith(LANG_SUFFIXES)]:
        del st.session_state[key]


def chosen(name: str, default: object) -> object:
    """The language-free stored value of a widget (see :func:`widget_key`)."""
    return st.session_state.get(name, default)


def tianditu_key() -> str | None:
    """The Tianditu key from the environment or Streamlit secrets (None when not set)."""
    key = os.environ.get("TIANDITU_KEY")
    if key:
        return key
    try:
        return str(st.secrets["tianditu_key"])
    except (KeyError, FileNotFoundError, st.errors.StreamlitSecretNotFoundError):
        return None


def plain(df: pd.DataFrame) -> pd.DataFrame:
    """Return a copy without ``attrs`` (snapshot metadata), for display."""
    out = pd.DataFrame(df).copy()
    out.attrs = {}
    return out


def shown(df: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of a table for ``st.dataframe`` / ``st.data_editor``: no ``attrs``, formulas neutralised.

    The table's toolbar offers "Download as CSV": text from a register such as
    ``=HYPERLINK(...)`` must arrive in that file as text, as in every export.
    """
    return neutralise_formulas(plain(df))


def md_text(text: object) -> str:
    """Return ``text`` escaped so that a Markdown-rendering call (``st.error``, ``st.caption``...) shows it as given.

    Streamlit renders Markdown, LaTeX between ``$``, ``:red[...]`` and
    ``:emoji:`` directives in these calls: a header such as
    ``![x](http://host/x.png)`` quoted in a message would make the browser
    fetch an image. Every ASCII punctuation character gets a backslash, lines
    lose their leading blanks (an indented line is a code block) and line
    breaks stay line breaks.
    """
    lines = str(text).splitlines() or [""]
    return "  \n".join(_MARKDOWN_PUNCTUATION.sub(r"\\\1", line.lstrip()) for line in lines)


def reported_on(info: SnapshotInfo | None) -> date | None:
    return info.reporting_date if info is not None else None
