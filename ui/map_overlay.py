"""The dashboard map's overlays, rendered once per content and shared by every run and session.

A filter change redraws only the map's overlay group (``st_folium(feature_group_to_add=...)``), but
building that group (choropleth, labels, parks with their popups, legends) and rendering it to Leaflet
script took a quarter of a second of every run, and every new session paid it again for the same
view. Here the script is rendered once per :func:`layers.city_map.content_digest` (what the overlay
draws, not how it was asked for, so a change of data always draws anew) and kept as text; each run
hands streamlit-folium a :class:`RenderedOverlay` that emits that text, which streamlit-folium turns
into exactly the string it would have made from the original group.
"""

from __future__ import annotations

import textwrap

import folium
import streamlit as st
from branca.element import Template
from streamlit_folium import generate_leaflet_string, get_full_id

from layers.city_map import MapContent, content_digest, overlay_group

GROUP_ID = "feature_group_0"  # streamlit-folium's name for the first group it adds (its _get_feature_group_string)
CACHED_OVERLAYS = 32  # a city overlay is ~0.3 MB of script, with density hexagons ~1.2 MB


class RenderedOverlay(folium.FeatureGroup):
    """A feature group whose Leaflet script was rendered before (:func:`overlay_script`): it emits that script as it is.

    The script is a variable's value in this class's own template, so Jinja never compiles it (it holds
    text from data: park names, file names).
    """

    _template = Template("{% macro script(this, kwargs) %}{{ this.script }}{% endmacro %}")

    def __init__(self, script: str, digest: str) -> None:
        # show=False: folium adds the group to its map by a child created at render, and that line is in the script already
        super().__init__(name="overlays", control=False, show=False)
        self._name = "FeatureGroup"
        self.script = script
        self.digest = digest  # of what it draws (layers.city_map.content_digest): the same digest, the same script


def overlay_script(group: folium.FeatureGroup, base: folium.Map) -> str:
    """Return the Leaflet script of ``group`` on ``base``, as streamlit-folium renders a feature group to add.

    Parameters
    ----------
    group
        The overlay group (used up: it is added to ``base``).
    base
        A base map of the same kind as the one the group will be drawn on (its name becomes ``map_div``).

    Returns
    -------
    str
        The group's script, the map referred to as ``map_div``.
    """
    group._id = GROUP_ID
    group.add_to(base)
    group.render()
    script = generate_leaflet_string(group, base_id=GROUP_ID)
    return textwrap.dedent(script.replace(get_full_id(base), "map_div"))


def rendered_overlay(content: MapContent, *, lang: str, basemap: str, presentation: bool, fit: bool) -> RenderedOverlay:
    """Return the overlay of ``content`` for ``st_folium(feature_group_to_add=...)``, rendered once per digest.

    Parameters
    ----------
    content
        What goes on the map.
    lang, basemap, presentation, fit
        As :func:`layers.city_map.overlay_group`.

    Returns
    -------
    RenderedOverlay
        A group that emits the rendered script.
    """
    digest = content_digest(content, lang, basemap, presentation, fit)
    return RenderedOverlay(_script(digest, content, lang=lang, basemap=basemap, presentation=presentation, fit=fit), digest)


@st.cache_data(show_spinner=False, max_entries=CACHED_OVERLAYS)
def _script(digest: str, _content: MapContent, *, lang: str, basemap: str, presentation: bool, fit: bool) -> str:
    """The rendered overlay for ``digest`` (the arguments after it are what the digest stands for)."""
    del digest  # the cache key
    group = overlay_group(_content, lang=lang, basemap=basemap, presentation=presentation, fit=fit)
    return overlay_script(group, folium.Map(tiles=None))  # the map is map_div in the script, whichever it was
