"""The dashboard's view in its address: a link a planner sends a colleague opens the same view.

The view (date, county, statuses, industry, layers, measure, basemap, plan, presentation mode, language)
is written to the URL's query parameters as it changes. Opening such a link restores it, once per browser
session, before the widgets are drawn. A value the app does not know (a date that is not a quarter's end,
a county of another city, text typed into the address bar) is ignored, and a note in plain words says so;
the value is shown as text, never as Markdown or HTML.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

import streamlit as st

from geo.words import LANGUAGE_NAMES, t
from ui import shared

LAYER_KEYS = ("parks", "density", "clusters", "gaps")
# query parameter -> the sidebar word that names it in a note
PARAM_WORDS = {
    "lang": "language",
    "plan": "plan",
    "date": "as_of_label",
    "status": "statuses_label",
    "county": "county",
    "industry": "industry",
    "measure": "measure",
    "layers": "layers",
    "basemap": "basemap",
    "present": "presentation_on",
}
IGNORED_BY_STREAMLIT = ("embed", "embed_options")
NOTES_KEY, RESTORED_KEY, LANG_RESTORED_KEY = "link_notes", "link_restored", "link_lang_restored"
SHOWN_CHARS = 40
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069]")


@dataclass(frozen=True)
class LinkOptions:
    """What a link may choose from: the values the sidebar offers now."""

    dates: Sequence[date]
    counties: Mapping[str, Sequence[str]]  # adcode -> the names it may be given by (zh, en); the city included
    statuses: Sequence[str]
    industries: Sequence[str]
    measures: Sequence[str]
    basemaps: Sequence[str]
    plans: Sequence[str] = ()


@dataclass
class LinkView:
    """The view a link asks for: only what it names and the app knows; ``ignored`` the (parameter, value) pairs it refused."""

    values: dict[str, object] = field(default_factory=dict)
    ignored: list[tuple[str, str]] = field(default_factory=list)


def _items(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def view_from_query(params: Mapping[str, Sequence[str]], options: LinkOptions) -> LinkView:
    """Read a view from a link's query parameters, keeping only values the app offers.

    Parameters
    ----------
    params
        Each parameter's values as the address gives them (``status`` and ``layers`` are comma lists,
        ``industry`` may repeat).
    options
        What the sidebar offers.

    Returns
    -------
    LinkView
        The chosen values by parameter (``date`` a date, ``status``/``industry``/``layers`` lists,
        ``present`` a bool), and what was ignored.
    """
    out = LinkView()
    readers = {
        "plan": lambda v: v if v in options.plans else None,
        "date": lambda v: next((d for d in options.dates if d.isoformat() == v), None),
        "county": lambda v: next((a for a, names in options.counties.items() if v == a or v in names), None),
        "measure": lambda v: v if v in options.measures else None,
        "basemap": lambda v: v if v in options.basemaps else None,
        "present": lambda v: {"1": True, "0": False}.get(v),
        "lang": lambda v: v if v in LANGUAGE_NAMES else None,
    }
    for name, values in params.items():
        given = [str(v) for v in values]
        if name in IGNORED_BY_STREAMLIT:
            continue
        if name not in PARAM_WORDS:
            out.ignored.append((name, "&".join(given)))
        elif name in readers:
            value = readers[name](given[-1].strip()) if given else None
            if value is None:
                out.ignored.append((name, given[-1] if given else ""))
            else:
                out.values[name] = value
        else:
            known = {"status": options.statuses, "layers": LAYER_KEYS, "industry": options.industries}[name]
            wanted = [part for v in given for part in (_items(v) if name != "industry" else [v.strip()] if v.strip() else [])]
            out.values[name] = [w for w in dict.fromkeys(wanted) if w in known]
            out.ignored.extend((name, w) for w in dict.fromkeys(wanted) if w not in known)
    return out


def query_from_view(view: Mapping[str, object], *, lang: str, presentation: bool, plan_id: str | None = None) -> dict[str, str | list[str]]:
    """Return the query parameters that reopen ``view`` (the dashboard's sidebar choices).

    Parameters
    ----------
    view
        The sidebar's choices: ``as_of``, ``adcode``, ``statuses``, ``industries``, ``layers`` (name -> on),
        ``measure``, ``basemap``.
    lang
        ``zh`` or ``en``.
    presentation
        Whether presentation mode is on.
    plan_id
        The chosen plan, when the region has several.

    Returns
    -------
    dict
        Parameter -> value (``industry`` a list: one parameter per industry).
    """
    layers = view["layers"]
    assert isinstance(layers, Mapping)
    out: dict[str, str | list[str]] = {"lang": lang}
    if plan_id:
        out["plan"] = plan_id
    out |= {
        "date": str(view["as_of"]),
        "county": str(view["adcode"]),
        "status": ",".join(str(s) for s in view["statuses"]),  # type: ignore[attr-defined]
        "measure": str(view["measure"]),
        "layers": ",".join(k for k in LAYER_KEYS if layers.get(k)),
        "basemap": str(view["basemap"]),
    }
    industries = [str(i) for i in view["industries"]]  # type: ignore[attr-defined]
    if industries:
        out["industry"] = industries
    if presentation:
        out["present"] = "1"
    return out


def _params() -> dict[str, list[str]]:
    return {name: st.query_params.get_all(name) for name in st.query_params}


def _note(name: str, value: str) -> tuple[str, str]:
    """(parameter, the value as shown: no control characters, at most SHOWN_CHARS characters)."""
    shown = " ".join(_CONTROL.sub(" ", value).split())
    return name, shown if len(shown) <= SHOWN_CHARS else shown[: SHOWN_CHARS - 1] + "…"


def restore_language() -> None:
    """Before the language switch is drawn, on a session's first run: take the link's ``lang`` (anything else waits for the page)."""
    if st.session_state.get(LANG_RESTORED_KEY):
        return
    st.session_state[LANG_RESTORED_KEY] = True
    wanted = st.query_params.get_all("lang")
    if not wanted:
        return
    if wanted[-1] in LANGUAGE_NAMES:
        st.session_state["lang_choice"] = LANGUAGE_NAMES[wanted[-1]]
    else:
        st.session_state.setdefault(NOTES_KEY, []).append(_note("lang", wanted[-1]))


def restore_view(options: LinkOptions) -> None:
    """On a session's first run of the dashboard, before its widgets: set the view the link asks for, note what it could not use."""
    if st.session_state.get(RESTORED_KEY):
        return
    st.session_state[RESTORED_KEY] = True
    params = {k: v for k, v in _params().items() if k != "lang"}  # the language was taken before the page
    if not params:
        return
    asked = view_from_query(params, options)
    state = st.session_state
    values = asked.values
    if "plan" in values:
        state["plan_id"] = values["plan"]
    if "date" in values:
        state["as_of"] = values["date"]
    if "county" in values:
        state["county"] = values["county"]
    if "status" in values:
        state["statuses"] = values["status"]
    if "industry" in values:
        state["industries"] = values["industry"]
    for name in ("measure", "basemap"):
        if name in values:
            state[name] = values[name]
    if "layers" in values:
        on = {str(v) for v in values["layers"]}  # type: ignore[attr-defined]
        for key in LAYER_KEYS:
            state[f"layer_{key}"] = key in on
    if "present" in values:
        state["presentation"] = values["present"]
    state.setdefault(NOTES_KEY, []).extend(_note(name, value) for name, value in asked.ignored)


def _dismiss() -> None:
    st.session_state.pop(NOTES_KEY, None)


def notes_section(lang: str) -> None:
    """What the opened link asked for and the app could not use, in plain words, until dismissed."""
    notes = st.session_state.get(NOTES_KEY) or []
    if not notes:
        return
    lines = [
        t("link_ignored", lang, what=t(PARAM_WORDS[name], lang), value=value)
        if name in PARAM_WORDS
        else t("link_unknown", lang, name=_note(name, name)[1], value=value)
        for name, value in notes
    ]
    st.warning("  \n".join(shared.md_text(line) for line in lines))
    st.button(t("link_dismiss", lang), on_click=_dismiss, key="link_dismiss")


def _plan_id() -> str | None:
    """The chosen plan, when the region has several (else the link need not name it)."""
    return shared.plan().id if len(shared.plan_ids()) > 1 else None


def write_view(view: Mapping[str, object], *, lang: str, presentation: bool) -> None:
    """Put the view into the address bar (only when it changed: the browser's history keeps one entry per view)."""
    wanted = query_from_view(view, lang=lang, presentation=presentation, plan_id=_plan_id())
    now = {name: (values if name == "industry" else values[-1]) for name, values in _params().items() if values}
    if now != wanted:
        st.query_params.from_dict(wanted)


def share_section(view: Mapping[str, object], *, lang: str, presentation: bool) -> None:
    """分享此视图: the link to this view, in a box with a copy button, and a word that the address bar holds it too."""
    with st.expander(t("link_share_title", lang)):
        st.caption(t("link_share_caption", lang))
        wanted = query_from_view(view, lang=lang, presentation=presentation, plan_id=_plan_id())
        base = (st.context.url or "").split("?")[0]
        st.code(f"{base}?{urllib.parse.urlencode(wanted, doseq=True)}", language=None, wrap_lines=True)
