"""County polygons, choropleth classes and legends."""

from __future__ import annotations

import folium
import numpy as np

from layers.counties import NO_DATA_COLOUR, PCT_COLOURS, RAMP_COLOURS, county_labels, county_layer, pct_class_colour, ramp_colour
from layers.legend import CategoricalLegend, ContinuousLegend, legend_control, notice_control


def test_pct_classes_put_100_percent_in_the_top_class() -> None:
    assert pct_class_colour([0, 24.9, 25, 99.9, 100, 180, np.nan]) == [
        PCT_COLOURS[0],
        PCT_COLOURS[0],
        PCT_COLOURS[1],
        PCT_COLOURS[3],
        PCT_COLOURS[4],
        PCT_COLOURS[4],
        NO_DATA_COLOUR,
    ]


def test_ramp_spans_min_to_max_and_greys_missing() -> None:
    assert ramp_colour([1, 5, 9, np.nan]) == [RAMP_COLOURS[0], RAMP_COLOURS[2], RAMP_COLOURS[-1], NO_DATA_COLOUR]
    assert ramp_colour([np.nan]) == [NO_DATA_COLOUR]


def test_county_layer_carries_fill_tooltip_and_highlight(two_counties) -> None:
    two = two_counties.assign(pct="55.0%")
    layer = county_layer(two, fill_colours=["#111111", "#222222"], tooltip_columns=[("pct", "完成率")], highlight_adcode="330603")
    feats = layer.data["features"]
    assert [f["properties"]["adcode"] for f in feats] == ["330602", "330603"]
    styles = [layer.style_function(f) for f in feats]
    assert styles[0]["fillColor"] == "#111111" and styles[0]["weight"] < styles[1]["weight"]
    tooltip = next(c for c in layer._children.values() if isinstance(c, folium.GeoJsonTooltip))
    assert tooltip.fields == ["name", "pct"]


def test_outline_only_layer_is_not_filled(two_counties) -> None:
    layer = county_layer(two_counties)
    assert layer.style_function(layer.data["features"][0])["fillOpacity"] == 0.0


def test_labels_and_legends_render_inside_the_map(two_counties) -> None:
    m = folium.Map(tiles=None)
    county_labels(two_counties).add_to(m)
    legend_control(CategoricalLegend("完成率", [("#ff0000", "< 25%")]), ContinuousLegend("园区数", ["#fff", "#000"], "0", "30")).add_to(m)
    notice_control(["数据日期 2024-06-30"], warning="合成示例数据 <b>").add_to(m)
    html = m.get_root().render()
    labels = [c.icon.options["html"] for c in county_labels(two_counties)._children.values()]
    assert "越城区" in labels[0] and "柯桥区" in labels[1]
    assert "linear-gradient(to right,#fff,#000)" in html
    assert "合成示例数据 &lt;b&gt;" in html
    assert '_controlCorners["bottomright"]' in html


def test_legend_swatches_show_the_colour_as_drawn_on_the_map() -> None:
    """The county fill is ~60 % opaque; opaque swatches made 50–75 % look like the 25–50 % class."""
    from layers.counties import PCT_COLOURS, pct_legend, ramp_legend

    html_text = pct_legend("完成率", fill_opacity=0.6).to_html()
    r, g, b = (int(PCT_COLOURS[2][i : i + 2], 16) for i in (1, 3, 5))
    assert f"rgba({r},{g},{b},0.6)" in html_text
    assert PCT_COLOURS[2] in pct_legend("完成率").to_html()  # opaque features keep plain swatches
    assert "rgba(" in ramp_legend("面积", "0", "9", fill_opacity=0.25).to_html()
