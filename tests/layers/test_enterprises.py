"""Enterprise layers: hexagons, clusters and gaps as folium objects, bounded and escaped."""

from __future__ import annotations

import folium
import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import box

from geo.crs import WGS84, wgs84_to_gcj02
from layers.enterprises import CLUSTER_COLOUR, DENSITY_COLOURS, GAP_COLOUR, cluster_layer, density_classes, gap_layer, hexbin_layer

NAMES = {"330602": "越城区"}


@pytest.fixture
def hexes() -> gpd.GeoDataFrame:
    cells = [box(120.5 + i * 0.01, 30.0, 120.51 + i * 0.01, 30.01) for i in range(10)]
    return gpd.GeoDataFrame({"h3_cell": [f"c{i}" for i in range(10)], "count": list(range(1, 11))}, geometry=cells, crs=WGS84)


def test_density_classes_put_the_densest_cells_in_the_darkest_colour(hexes) -> None:
    colours, breaks = density_classes(hexes["count"])
    assert colours[-1] == DENSITY_COLOURS[-1]
    assert colours[0] == DENSITY_COLOURS[0]
    assert breaks == sorted(breaks)


def test_hexbin_layer_carries_counts_only_and_rounds_coordinates(hexes) -> None:
    layer = hexbin_layer(hexes)
    feats = layer.data["features"]
    assert [f["properties"]["count"] for f in feats] == list(range(1, 11))
    assert set(feats[0]["properties"]) == {"count", "_fill"}
    coords = np.array(feats[0]["geometry"]["coordinates"][0])
    assert np.allclose(coords, coords.round(5))


def test_hexbin_layer_shifts_to_gcj02_for_amap(hexes) -> None:
    wgs = np.array(hexbin_layer(hexes).data["features"][0]["geometry"]["coordinates"][0])
    gcj = np.array(hexbin_layer(hexes, datum="gcj02").data["features"][0]["geometry"]["coordinates"][0])
    expected = np.column_stack(wgs84_to_gcj02(wgs[:, 0], wgs[:, 1]))
    assert np.abs(gcj - expected).max() < 2e-5


def test_cluster_and_gap_layers_escape_text_and_format_values() -> None:
    area = [box(120.5, 30.0, 120.52, 30.02)]
    clusters = gpd.GeoDataFrame(
        {"firms": [1234], "top_industries": ["<b>纺织</b> (900)"], "county_adcode": ["330602"], "in_park_share": [0.25]},
        geometry=area,
        crs=WGS84,
    )
    props = cluster_layer(clusters, county_names=NAMES).data["features"][0]["properties"]
    assert props == {"firms": "1,234", "industry": "&lt;b&gt;纺织&lt;/b&gt; (900)", "county": "越城区", "in_park": "25%"}
    gaps = gpd.GeoDataFrame(
        {"rank": [1], "firms": [300], "county_adcode": ["330602"], "nearest_park_distance_m": [np.nan]}, geometry=area, crs=WGS84
    )
    gap_props = gap_layer(gaps, county_names=NAMES).data["features"][0]["properties"]
    assert gap_props["distance"] == "—" and gap_props["rank"] == 1
    m = folium.Map(tiles=None)
    cluster_layer(clusters, county_names=NAMES).add_to(m)
    gap_layer(gaps, county_names=NAMES).add_to(m)
    html = m.get_root().render()
    assert CLUSTER_COLOUR in html and GAP_COLOUR in html
    assert "<b>纺织" not in html


def test_cluster_and_gap_swatches_are_drawn_as_the_layers_are() -> None:
    """Clusters are a dashed outline on the map: their swatch is a dashed outline too, not a filled square."""
    from layers.enterprises import CLUSTER_COLOUR, GAP_COLOUR, cluster_gap_legend

    html_text = cluster_gap_legend(cluster_label="集聚区", gap_label="缺口").to_html()
    assert f"2px dashed {CLUSTER_COLOUR}" in html_text and f"2px solid {GAP_COLOUR}" in html_text
    assert f"background:{CLUSTER_COLOUR};" not in html_text
