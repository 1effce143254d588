"""The one place that creates a map: base map, basemaps, and their datum.

Basemaps differ in datum: OpenStreetMap and Tianditu are WGS-84 (Tianditu is
CGCS2000, within centimetres), Amap is GCJ-02. :func:`basemap_datum` tells the
other layers which datum to draw in, so overlays line up with the tiles.
"""

from __future__ import annotations

from dataclasses import dataclass

import folium
from branca.element import Element, Figure, MacroElement, Template

from geo.words import t
from layers.assets import APP_STATIC_URL, use_local_assets

TILE_ERROR_BOTH = f"{t('tile_error', 'zh')} {t('tile_error', 'en')}"  # when the caller gives no language


@dataclass(frozen=True)
class Basemap:
    """A tile source: its URL template, attribution, datum and whether it needs a key."""

    key: str
    label_zh: str
    label_en: str
    datum: str  # "wgs84" or "gcj02"
    url: str = ""
    attribution: str = ""
    subdomains: str = "abc"
    needs_key: bool = False
    max_zoom: int = 18


BASEMAPS: dict[str, Basemap] = {
    "none": Basemap("none", t("basemap_none", "zh"), t("basemap_none", "en"), "wgs84"),
    "osm": Basemap(
        "osm",
        "OpenStreetMap",
        "OpenStreetMap",
        "wgs84",
        url="https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        attribution="&copy; OpenStreetMap contributors",
        subdomains="",
        max_zoom=19,
    ),
    "tianditu": Basemap(
        "tianditu",
        t("basemap_tianditu", "zh"),
        t("basemap_tianditu", "en"),
        "wgs84",
        url=(
            "https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=vec&STYLE=default"
            "&TILEMATRIXSET=w&FORMAT=tiles&TILECOL={x}&TILEROW={y}&TILEMATRIX={z}&tk={tk}"
        ),
        attribution="&copy; 天地图 Tianditu",
        subdomains="01234567",
        needs_key=True,
    ),
    "amap": Basemap(
        "amap",
        t("basemap_amap", "zh"),
        t("basemap_amap", "en"),
        "gcj02",
        url="https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}",
        attribution="&copy; 高德地图 AutoNavi",
        subdomains="1234",
    ),
}

_TILE_ERROR_TEMPLATE = """
{% macro script(this, kwargs) %}
(function() {
  var layer = {{ this._parent.get_name() }};
  var shown = false;
  layer.on('tileerror', function() {
    if (shown) { return; }
    shown = true;
    var box = L.DomUtil.create('div', 'parkmap-tile-error');
    box.textContent = {{ this.message_json }};
    box.style.cssText = 'position:absolute;top:8px;left:50%;transform:translateX(-50%);z-index:1000;'
      + 'background:#fff3cd;color:#664d03;border:1px solid #ffecb5;padding:4px 10px;border-radius:4px;font-size:13px;';
    layer._map.getContainer().appendChild(box);
  });
})();
{% endmacro %}
"""


class _TileErrorNotice(MacroElement):
    """Shows a message on the map when its tiles cannot be loaded."""

    _template = Template(_TILE_ERROR_TEMPLATE)

    def __init__(self, message: str) -> None:
        super().__init__()
        import json

        self._name = "TileErrorNotice"
        self.message_json = json.dumps(message, ensure_ascii=False)


class _MetricScale(MacroElement):
    """A scale bar in metres and kilometres only (planners do not use miles)."""

    _template = Template(
        """
{% macro script(this, kwargs) %}
L.control.scale({imperial: false, metric: true, maxWidth: 160, position: 'bottomleft'}).addTo({{ this._parent.get_name() }});
{% endmacro %}
"""
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "MetricScale"


def basemap_datum(basemap: str) -> str:
    """Return the datum overlays must be drawn in for ``basemap`` ("wgs84" or "gcj02").

    Parameters
    ----------
    basemap
        A key of :data:`BASEMAPS`.

    Returns
    -------
    str
        ``wgs84`` or ``gcj02``.
    """
    return _basemap(basemap).datum


def _basemap(key: str) -> Basemap:
    if key not in BASEMAPS:
        msg = f"Unknown basemap {key!r}; choose one of {', '.join(BASEMAPS)}."
        raise ValueError(msg)
    return BASEMAPS[key]


def base_map(
    *,
    bounds: tuple[float, float, float, float],
    basemap: str = "none",
    tianditu_key: str | None = None,
    asset_base_url: str = APP_STATIC_URL,
    tile_error_message: str = TILE_ERROR_BOTH,
    zoom_control: bool = True,
) -> folium.Map:
    """Create the map: local Leaflet assets, a scale bar, the chosen basemap.

    Parameters
    ----------
    bounds
        ``(min_lon, min_lat, max_lon, max_lat)`` to fit, in the basemap's datum.
    basemap
        A key of :data:`BASEMAPS`. ``"none"`` (the default) requests nothing
        outside the app.
    tianditu_key
        The Tianditu ``tk``; required for ``"tianditu"``.
    zoom_control
        Show the +/- buttons (hidden in presentation mode).
    asset_base_url
        Where the app serves ``static/vendor`` (Leaflet's own files).
    tile_error_message
        Shown on the map when tiles cannot be loaded.

    Returns
    -------
    folium.Map
        A new map fitted to ``bounds``, with no overlays yet.
    """
    spec = _basemap(basemap)
    if spec.needs_key and not tianditu_key:
        msg = "Tianditu needs a key (tk): set the environment variable TIANDITU_KEY or tianditu_key in .streamlit/secrets.toml."
        raise ValueError(msg)
    centre = ((bounds[1] + bounds[3]) / 2, (bounds[0] + bounds[2]) / 2)  # lat, lon: until fitted to the bounds
    m = folium.Map(location=centre, zoom_start=9, tiles=None, control_scale=False, zoom_snap=0.25, zoom_control=zoom_control)
    use_local_assets(m, base_url=asset_base_url)
    m.add_child(_MetricScale())
    if spec.key == "none":
        root: Figure = m.get_root()  # type: ignore[assignment]
        root.header.add_child(Element("<style>.leaflet-container{background:#f4f6f8;}</style>"))
    else:
        url = spec.url.replace("{tk}", tianditu_key or "")
        tiles = folium.TileLayer(
            tiles=url,
            attr=spec.attribution,
            name=spec.label_zh,
            subdomains=spec.subdomains or "abc",
            max_zoom=spec.max_zoom,
            overlay=False,
            control=False,
        )
        tiles.add_child(_TileErrorNotice(tile_error_message))
        tiles.add_to(m)
    min_lon, min_lat, max_lon, max_lat = bounds
    m.fit_bounds([[min_lat, min_lon], [max_lat, max_lon]])
    return m
