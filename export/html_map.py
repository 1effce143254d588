"""The city map as one standalone HTML file that opens offline.

Built with the dashboard's own map (:func:`layers.city_map.city_map`, no
basemap tiles), then :func:`layers.assets.inline_assets` puts the locally
installed Leaflet into the page, so opening it requests nothing outside the file.
"""

from __future__ import annotations

import html
import re

from export.captions import date_line, notices, plan_words, source_lines
from export.data import ExportData
from export.static_map import max_floor_area
from geo.analysis.dashboard import measure_values
from geo.region.boundaries import simplify_counties
from geo.words import measure_label, t
from layers.assets import APP_STATIC_URL, missing_assets
from layers.city_map import MapContent, city_map
from layers.legend import MapBox

DISPLAY_SIMPLIFY_M = 30.0  # as the app: invisible at city scale, keeps the file small
# a tag that would load something from elsewhere (links a reader may click are fine)
_EXTERNAL = re.compile(r"""<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=\s*["'](?:https?:)?//""", re.IGNORECASE)


class AssetsMissingError(RuntimeError):
    """The local Leaflet files the standalone map inlines are not installed."""


def map_content(data: ExportData) -> MapContent:
    """Return what the exported map shows: floor area % of quota by county, parks by status on the as-of date."""
    counties = simplify_counties(data.counties, tolerance_m=DISPLAY_SIMPLIFY_M)
    view = data.view
    tips = counties.assign(
        pct=[f"{v:.1f}%" for v in view["floor_pct"]],
        parks_n=[f"{v:.0f} / {q:.0f}" for v, q in zip(view["parks"], view["parks_quota"], strict=True)],
    )
    return MapContent(
        counties=tips,
        county_values=measure_values(view, "pct_floor_quota"),
        measure="pct_floor_quota",
        parks=data.parks_on_date,
        county_tooltips=[("pct", measure_label("pct_floor_quota", data.lang)), ("parks_n", t("parks", data.lang))],
        notice_lines=[date_line(data), *source_lines(data), *notices(data)],
        sample_notice=data.sample,
        max_floor_area_m2=max_floor_area(data),
    )


def standalone_html(data: ExportData) -> str:
    """Return the city map as a self-contained HTML page (Leaflet inlined, no tiles, no external request).

    Raises
    ------
    AssetsMissingError
        When Leaflet has not been installed into static/vendor/ (``make static/vendor/leaflet/leaflet.js``).
    """
    missing = missing_assets()
    if missing:
        msg = f"Leaflet is not installed ({', '.join(str(p) for p in missing)}): run `make static/vendor/leaflet/leaflet.js` first."
        raise AssetsMissingError(msg)
    m = city_map(map_content(data), lang=data.lang, basemap="none", asset_base_url=APP_STATIC_URL)
    title = t("city_title", data.lang, **plan_words(data))
    MapBox(f'<div style="font-size:18px;font-weight:700">{html.escape(title)}</div>', position="topright").add_to(m)
    page = m.get_root().render()
    page = page.replace("<head>", f"<head>\n<title>{html.escape(title)}</title>", 1)
    page = inline_leaflet(page)
    external = _EXTERNAL.findall(page)
    if external:
        msg = f"The exported map still links to {len(external)} outside resource(s); it would not open offline."
        raise AssetsMissingError(msg)
    return page


def inline_leaflet(page: str) -> str:
    """Return ``page`` with the local Leaflet JS and CSS inlined."""
    from layers.assets import inline_assets

    return inline_assets(page, base_url=APP_STATIC_URL)
