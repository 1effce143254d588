"""Legends and notices drawn inside the map (so screenshots and projections keep them).

Pure HTML/CSS in a Leaflet control; no branca colormap is added to the map,
because streamlit-folium would fetch d3 from a CDN for it.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from dataclasses import dataclass

from branca.element import MacroElement, Template

# A box in one of the map's control corners, written as a Leaflet *layer* (not a
# control) so it can live in a feature group: when the app swaps the group of
# overlays, the box goes with it and the next one takes its place.
_CONTROL_TEMPLATE = """
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = new (L.Layer.extend({
  onAdd: function(map) {
    this._div = L.DomUtil.create('div', 'leaflet-control ' + {{ this.css_class_json }});
    this._div.innerHTML = {{ this.html_json }};
    L.DomEvent.disableClickPropagation(this._div);
    var corner = map._controlCorners[{{ this.position_json }}];
    if ({{ this.position_json }}.indexOf('bottom') !== -1) { corner.insertBefore(this._div, corner.firstChild); }
    else { corner.appendChild(this._div); }  // as Leaflet places its own controls
  },
  onRemove: function() { L.DomUtil.remove(this._div); }
}))();
{{ this.get_name() }}.addTo({{ this._parent.get_name() }});
{% endmacro %}
"""

_BOX_STYLE = (
    "background:rgba(255,255,255,0.92);padding:6px 8px;border-radius:4px;"
    "box-shadow:0 1px 4px rgba(0,0,0,0.3);font-size:{font_px}px;line-height:1.35;color:#222;"
)
DEFAULT_FONT_PX = 12


@dataclass(frozen=True)
class CategoricalLegend:
    """Swatches with labels (statuses, classes of % complete)."""

    title: str
    items: Sequence[tuple[str, str]]  # (colour, label)
    shape: str = "square"  # or "circle"
    fill_opacity: float = 1.0  # as the features are drawn, so a swatch looks like the map
    borders: Sequence[str] = ()  # per item, a CSS border as the features' outline is drawn ("2px dashed #6a1b9a")

    def to_html(self) -> str:
        radius = "50%" if self.shape == "circle" else "2px"
        borders = list(self.borders) + ["1px solid #555"] * (len(self.items) - len(self.borders))
        rows = "".join(
            f'<div><span style="display:inline-block;width:12px;height:12px;margin-right:6px;vertical-align:middle;'
            f'background:{html.escape(with_opacity(colour, self.fill_opacity))};border-radius:{radius};border:{html.escape(border)};">'
            f"</span>{html.escape(label)}</div>"
            for (colour, label), border in zip(self.items, borders, strict=True)
        )
        return f'<div style="font-weight:600;margin-bottom:3px;">{html.escape(self.title)}</div>{rows}'


def with_opacity(colour: str, opacity: float) -> str:
    """Return a colour as drawn at ``opacity``, so a legend swatch looks like the map.

    Parameters
    ----------
    colour
        A CSS colour; ``#rrggbb`` is converted, other forms are returned unchanged.
    opacity
        Fill opacity, 0 to 1 (1 leaves the colour unchanged).

    Returns
    -------
    str
        ``rgba(r,g,b,opacity)`` for a ``#rrggbb`` colour below full opacity, else ``colour``.
    """
    if opacity >= 1.0 or not (colour.startswith("#") and len(colour) == 7):
        return colour
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{opacity:g})"


@dataclass(frozen=True)
class ContinuousLegend:
    """A colour ramp with its end values."""

    title: str
    colours: Sequence[str]
    low_label: str
    high_label: str
    fill_opacity: float = 1.0

    def to_html(self) -> str:
        ramp = ",".join(html.escape(with_opacity(c, self.fill_opacity)) for c in self.colours)
        return (
            f'<div style="font-weight:600;margin-bottom:3px;">{html.escape(self.title)}</div>'
            f'<div style="width:160px;height:12px;border:1px solid #555;background:linear-gradient(to right,{ramp});"></div>'
            f'<div style="display:flex;justify-content:space-between;width:162px;"><span>{html.escape(self.low_label)}</span>'
            f"<span>{html.escape(self.high_label)}</span></div>"
        )


@dataclass(frozen=True)
class SizeLegend:
    """Circles of the sizes the map draws, each with the value it stands for (marker size ↔ floor area)."""

    title: str
    items: Sequence[tuple[float, str]]  # (radius in px, label)
    colour: str = "#b0bec5"

    def to_html(self) -> str:
        top = max((r for r, _ in self.items), default=0.0)
        cells = "".join(
            f'<span style="display:inline-flex;flex-direction:column;align-items:center;margin-right:8px;">'
            f'<span style="display:flex;align-items:flex-end;height:{2 * top + 2:.0f}px;">'
            f'<span style="display:inline-block;width:{2 * r:.1f}px;height:{2 * r:.1f}px;border-radius:50%;'
            f'background:{html.escape(self.colour)};border:1px solid #37474f;"></span></span>'
            f"<span>{html.escape(label)}</span></span>"
            for r, label in self.items
        )
        return f'<div style="font-weight:600;margin:4px 0 3px;">{html.escape(self.title)}</div><div>{cells}</div>'


Legend = CategoricalLegend | ContinuousLegend | SizeLegend


class MapBox(MacroElement):
    """A fixed box inside the map holding ready-made, escaped HTML."""

    _template = Template(_CONTROL_TEMPLATE)

    def __init__(
        self, inner_html: str, *, position: str = "bottomright", css_class: str = "parkmap-box", font_px: int = DEFAULT_FONT_PX
    ) -> None:
        super().__init__()
        self._name = "MapBox"
        self.position_json = json.dumps(position)
        self.css_class_json = json.dumps(css_class)
        self.html_json = json.dumps(f'<div style="{_BOX_STYLE.format(font_px=font_px)}">{inner_html}</div>', ensure_ascii=False).replace(
            "</", "<\\/"
        )


def legend_control(*legends: Legend, position: str = "bottomright", font_px: int = DEFAULT_FONT_PX) -> MapBox:
    """Return one map control stacking the given legends.

    Parameters
    ----------
    *legends
        The legends, top to bottom.
    position
        A Leaflet control corner (``bottomright``, ``topleft`` ...).
    font_px
        Text size in pixels.

    Returns
    -------
    MapBox
        One control to add to a map.
    """
    body = '<div style="height:6px"></div>'.join(legend.to_html() for legend in legends)
    return MapBox(body, position=position, css_class="parkmap-legend", font_px=font_px)


def title_control(title: str, *, subtitle: str = "", font_px: int = 22) -> MapBox:
    """Return a map title (top centre of the map's top-left corner stack), for presentations.

    Parameters
    ----------
    title
        The title (plain text, escaped).
    subtitle
        A smaller second line (plain text, escaped); empty for none.
    font_px
        The title's size in pixels (the subtitle is 60 % of it).

    Returns
    -------
    MapBox
        A control for the map's top-left corner.
    """
    sub = f'<div style="font-size:{round(font_px * 0.6)}px;font-weight:400;">{html.escape(subtitle)}</div>' if subtitle else ""
    body = f'<div style="font-size:{font_px}px;font-weight:700;">{html.escape(title)}</div>{sub}'
    return MapBox(body, position="topleft", css_class="parkmap-title", font_px=font_px)


def north_arrow_control(*, font_px: int = DEFAULT_FONT_PX) -> MapBox:
    """Return a north arrow (web maps here are north-up).

    Parameters
    ----------
    font_px
        Text size in pixels (the arrow is twice that wide).

    Returns
    -------
    MapBox
        A control with the arrow.
    """
    size = font_px * 2
    svg = (
        f'<svg width="{size}" height="{size * 1.4:.0f}" viewBox="0 0 20 28" aria-label="north">'
        '<polygon points="10,0 18,20 10,15 2,20" fill="#263238"/>'
        '<text x="10" y="28" font-size="8" text-anchor="middle" font-weight="700" fill="#263238">N</text></svg>'
    )
    return MapBox(svg, position="topright", css_class="parkmap-north", font_px=font_px)


def notice_control(
    lines: Sequence[str], *, warning: str | None = None, position: str = "bottomleft", font_px: int = DEFAULT_FONT_PX
) -> MapBox:
    """Return a map control with the data date and source, and an optional warning line.

    ``lines`` are plain text (escaped here); ``warning`` is shown first, highlighted,
    e.g. the synthetic-sample notice.

    Parameters
    ----------
    lines
        Lines of plain text (escaped), such as data date and source.
    warning
        A highlighted first line, such as the synthetic-sample notice; None for none.
    position
        A Leaflet control corner.
    font_px
        Text size in pixels.

    Returns
    -------
    MapBox
        A control to add to a map.
    """
    parts = []
    if warning:
        parts.append(
            f'<div style="background:#fff3cd;color:#7a4b00;border:1px solid #f0c36d;padding:2px 6px;margin-bottom:3px;'
            f'font-weight:600;">{html.escape(warning)}</div>'
        )
    parts.extend(f"<div>{html.escape(line)}</div>" for line in lines)
    return MapBox("".join(parts), position=position, css_class="parkmap-notice", font_px=font_px)
