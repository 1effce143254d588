"""Streamlit's wire protocol as its browser frontend speaks it (1.67): widget states, widgets by label, the rerun message.

The parts of :mod:`bench.server_ws` that need no socket: what the frontend holds for a widget as
drawn, how it finds one by its label among the elements it was sent, what a ``rerun_script``
``BackMsg`` carries, and whether a map component's arguments are the dashboard's city map.
"""

from __future__ import annotations

import json
import re
from typing import Any

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.Element_pb2 import Element
from streamlit.proto.Slider_pb2 import Slider
from streamlit.proto.WidgetStates_pb2 import WidgetState

COUNTIES = 6  # the city map draws every county of Shaoxing
ADCODE = re.compile(r'"adcode": "(\d{6})"')
LOCALE, TIMEZONE = "zh-CN", "Asia/Shanghai"
Path = tuple[int, ...]  # a delta path: where an element sits on the page


def widget_state(element: Element) -> WidgetState | None:
    """Return the state the frontend holds for a widget element as drawn (its value, or its default), or None.

    Parameters
    ----------
    element
        A ``new_element`` the app sent.

    Returns
    -------
    WidgetState or None
        Encoded as Streamlit's serde classes read it (``streamlit/elements/widgets``): select box and radio
        by the option's text, multiselect and select slider by the options' texts, text input by its text,
        checkbox as a bool, numeric slider as doubles. None for buttons (a trigger is sent once, with the
        rerun it starts), components (their value comes from JavaScript) and what is not a widget.
    """
    kind = element.WhichOneof("type")
    proto: Any = getattr(element, kind) if kind else None
    state = WidgetState(id=getattr(proto, "id", ""))
    if kind in ("selectbox", "radio"):
        if proto.set_value and proto.HasField("raw_value"):
            state.string_value = proto.raw_value
        elif proto.HasField("default") and proto.default < len(proto.options):
            state.string_value = proto.options[proto.default]
        else:
            return None
    elif kind == "multiselect":
        chosen = list(proto.raw_values) if proto.set_value else [proto.options[i] for i in proto.default]
        state.string_array_value.data[:] = chosen
    elif kind == "text_input":
        state.string_value = proto.value if proto.set_value and proto.HasField("value") else proto.default
    elif kind == "checkbox":
        state.bool_value = proto.value if proto.set_value else proto.default
    elif kind == "slider":
        values = list(proto.value) if proto.set_value else list(proto.default)
        if proto.type == Slider.Type.SELECT_SLIDER:
            state.string_array_value.data[:] = [proto.options[int(v)] for v in values]
        else:
            state.double_array_value.data[:] = values
    else:
        return None
    return state


def find_widget(elements: dict[Path, Element], label: str, kind: str) -> Any:
    """Return the widget proto of type ``kind`` (``selectbox``, ``button``...) labelled ``label`` among ``elements``.

    Parameters
    ----------
    elements
        The elements received, by delta path.
    label
        The widget's label, exactly as shown.
    kind
        The element's type (the ``Element`` oneof's name).

    Returns
    -------
    protobuf message
        The first such widget in page order.

    Raises
    ------
    LookupError
        When no such widget was received; the message lists the labels of that type that were.
    """
    found = [getattr(e, kind) for _, e in sorted(elements.items()) if e.WhichOneof("type") == kind]
    for proto in found:
        if proto.label == label:
            return proto
    msg = f"no {kind} labelled {label!r} on the page; {kind} labels there: {[p.label for p in found]}"
    raise LookupError(msg)


def rerun_message(
    states: dict[str, WidgetState], *, page_script_hash: str, query_string: str = "", triggers: tuple[str, ...] = (),
    fragment_id: str = "", auto: bool = False, cached: tuple[str, ...] = (), url: str = "",
) -> BackMsg:  # fmt: skip
    """Return the ``rerun_script`` BackMsg a browser sends: every widget state, buttons pressed, the page, the cache.

    Parameters
    ----------
    states
        The widget states to send, by widget id (the active widgets' current values).
    page_script_hash
        The page's script hash (empty before the app named it).
    query_string
        The URL's query string (the app keeps its view there).
    triggers
        Ids of buttons pressed for this rerun (sent as a true trigger, once).
    fragment_id
        Rerun only this fragment (empty: the whole app).
    auto
        Whether a fragment's ``run_every`` timer started the rerun.
    cached
        Hashes of the big messages the client keeps (the app sends a ``ref_hash`` for these).
    url
        The page's URL (``st.context.url``).

    Returns
    -------
    BackMsg
        Ready to serialise.
    """
    back = BackMsg()
    rerun = back.rerun_script
    rerun.query_string, rerun.page_script_hash, rerun.fragment_id, rerun.is_auto_rerun = query_string, page_script_hash, fragment_id, auto
    for wid, state in states.items():
        if wid not in triggers:
            rerun.widget_states.widgets.add().CopyFrom(state)
    for wid in triggers:
        rerun.widget_states.widgets.add(id=wid, trigger_value=True)
    rerun.cached_message_hashes[:] = cached
    rerun.context_info.timezone, rerun.context_info.locale, rerun.context_info.url = TIMEZONE, LOCALE, url
    rerun.context_info.timezone_offset = -480  # JavaScript's getTimezoneOffset() for UTC+8
    return back


def shows_city_map(json_args: str) -> bool:
    """True when the ``st_folium`` arguments draw the dashboard's map: all six counties and at least one park.

    Parameters
    ----------
    json_args
        The component's JSON arguments (``feature_group`` holds the overlay's script with its GeoJSON).

    Returns
    -------
    bool
        Whether the overlay holds the six counties' features and park features.
    """
    script = str(json.loads(json_args).get("feature_group") or "")
    return len(set(ADCODE.findall(script))) >= COUNTIES and '"park_id"' in script
