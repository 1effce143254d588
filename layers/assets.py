"""Browser assets served by the app itself, so maps work with no internet.

``make`` installs Leaflet from the npm registry and copies it to
``static/vendor/``; Streamlit serves that folder at ``/app/static/``. Every
map built here points at those copies instead of folium's CDN defaults.
"""

from __future__ import annotations

from pathlib import Path

import folium

VENDOR_DIR = Path(__file__).resolve().parent.parent / "static" / "vendor"
APP_STATIC_URL = "/app/static/vendor"

# (folium resource name, path under static/vendor/)
LEAFLET_JS = (("leaflet", "leaflet/leaflet.js"),)
LEAFLET_CSS = (("leaflet_css", "leaflet/leaflet.css"),)


def missing_assets() -> list[Path]:
    """Return the vendor files that are not installed (empty when all are there)."""
    wanted = [VENDOR_DIR / rel for _, rel in LEAFLET_JS + LEAFLET_CSS]
    return [path for path in wanted if not path.exists()]


def use_local_assets(m: folium.Map, *, base_url: str = APP_STATIC_URL) -> folium.Map:
    """Point a map's Leaflet JS/CSS at the app's own copies (and drop unused CDN extras).

    The map's jQuery, Bootstrap and Font Awesome links are removed: nothing
    here uses them. Returns the same map, changed in place (it is built by
    :func:`layers.base.base_map` and not shared).

    Parameters
    ----------
    m
        The map to change in place.
    base_url
        Where the app serves ``static/vendor``.

    Returns
    -------
    folium.Map
        The same map.
    """
    base = base_url.rstrip("/")
    m.default_js = [(name, f"{base}/{rel}") for name, rel in LEAFLET_JS]
    m.default_css = [(name, f"{base}/{rel}") for name, rel in LEAFLET_CSS]
    return m


def inline_assets(html: str, *, base_url: str = APP_STATIC_URL) -> str:
    """Return a standalone map page with the local Leaflet files inlined.

    Used for exported ``map.html`` files, which must open offline anywhere.

    Parameters
    ----------
    html
        A rendered map page whose Leaflet links point at ``base_url``.
    base_url
        The address those links use.

    Returns
    -------
    str
        The page with the Leaflet scripts and styles written into it.
    """
    base = base_url.rstrip("/")
    for _, rel in LEAFLET_JS:
        code = (VENDOR_DIR / rel).read_text(encoding="utf-8")
        html = html.replace(f'<script src="{base}/{rel}"></script>', f"<script>{code}</script>")
    for _, rel in LEAFLET_CSS:
        css = (VENDOR_DIR / rel).read_text(encoding="utf-8")
        html = html.replace(f'<link rel="stylesheet" href="{base}/{rel}"/>', f"<style>{css}</style>")
    return html
