"""Park names on the atlas's county maps: none collides with another or with the map furniture, each is by its park or joined to it.

Checked on the rendered figures (boxes from the figure's renderer, in display
coordinates) for every county page of the synthetic sample and for a county
with 40 parks within 2 km, whose overflow the page's caption counts.
"""

from __future__ import annotations

import io
import itertools
from dataclasses import replace
from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.text import Annotation, Text
from matplotlib.transforms import Bbox
from pypdf import PdfReader
from shapely.geometry import Point

from export.atlas import atlas_pdf, county_pages
from export.atlas_parts import county_parks, short_name
from export.data import ExportData, export_data_from_file, prepare_export_data
from export.fonts import cjk_style
from export.mapdraw import LABEL_GID, LEADER_GID
from export.text import drawable, literal_text
from geo.crs import CGCS2000_GK_120E, WGS84, to_metric
from geo.demo.bootstrap import SAMPLE_DATUM, SAMPLE_PARKS
from geo.region.region import default_sample_dir
from geo.words import SYNTHETIC_NOTICE
from tests.export.conftest import AS_OF, make_parks

pytestmark = pytest.mark.slow  # each module fixture draws county pages (seconds)

XINCHANG = "330624"
HOSTILE_NAME = r"$\frac{1}{2}$ <b>x</b> =1+1"
CROWDED = 40
REACH_PT = 14.0  # a name without a leader line starts this close to its park's centre (largest circle's radius + the gap, diagonally)
TOLERANCE_PX = 0.5


@pytest.fixture(scope="module")
def sample_data() -> ExportData:
    path = default_sample_dir() / SAMPLE_PARKS
    if not path.exists():
        pytest.fail("The synthetic sample is not generated: run `make data/sample/manifest.json`.")
    data, _ = export_data_from_file(path, datum=SAMPLE_DATUM, as_of=date(2023, 12, 31), reported_on=date(2024, 6, 30))
    return replace(data, sample=True)  # the notice is drawn, as on the sample's pack


@pytest.fixture(scope="module")
def crowded_data(counties: gpd.GeoDataFrame, quotas: pd.DataFrame) -> ExportData:
    """Two parks in each county, plus 40 in Xinchang within 2 km of each other (a disc of 1 km radius); the largest has a hostile name."""
    parks = make_parks(counties, dict.fromkeys(counties["adcode"], 2))
    centre = to_metric(counties[counties["adcode"] == XINCHANG]).geometry.representative_point().iloc[0]
    rng = np.random.default_rng(13)
    radius, angle = 1000 * np.sqrt(rng.uniform(0, 1, CROWDED)), rng.uniform(0, 2 * np.pi, CROWDED)
    points = gpd.GeoSeries(
        [Point(centre.x + r * np.cos(a), centre.y + r * np.sin(a)) for r, a in zip(radius, angle, strict=True)], crs=CGCS2000_GK_120E
    ).to_crs(WGS84)
    crowd = parks.iloc[[2] * CROWDED].copy()
    crowd["park_id"] = [f"crowd{i}" for i in range(CROWDED)]
    crowd["name"] = [f"拥挤{i}号小微企业园" if i % 3 else f"拥挤测试长名字{i}号工业小微企业园" for i in range(CROWDED)]
    crowd["county_adcode"] = XINCHANG
    crowd["status"], crowd["completion_date"] = "built", pd.Timestamp("2020-06-30")
    crowd["floor_area_m2"] = 10_000.0 + 2_000.0 * np.arange(CROWDED)
    crowd.iloc[-1, crowd.columns.get_loc("name")] = HOSTILE_NAME  # the largest: labelled first
    crowd = crowd.set_geometry(list(points), crs=WGS84)
    both = gpd.GeoDataFrame(pd.concat([parks, crowd], ignore_index=True), geometry="geometry", crs=WGS84)
    return prepare_export_data(both, as_of=AS_OF, counties=counties, quotas=quotas, reported_on=AS_OF, sample=True)


def _page(data: ExportData, adcode: str) -> tuple[Figure, object]:
    with cjk_style(), literal_text():
        fig = county_pages(data, adcode, first_page=2)[0]
        return fig, FigureCanvasAgg(fig).get_renderer()


def _labels(ax: Axes) -> list[Annotation]:
    return [t for t in ax.texts if isinstance(t, Annotation) and t.get_gid() == LABEL_GID]


def _furniture(fig: Figure, ax: Axes, renderer: object) -> dict[str, Bbox]:
    """The boxes no name may cover: legend, scale bar (bars and numbers), north arrow, county names, page texts and notices."""
    legend = ax.get_legend()
    assert legend is not None
    boxes = {"legend": legend.get_window_extent(renderer)}
    boxes |= {f"patch {i}": p.get_window_extent(renderer) for i, p in enumerate(ax.patches)}
    others = [t for t in ax.texts if not str(t.get_gid() or "").startswith(LABEL_GID)]
    boxes |= {f"map text {t.get_text()!r} {i}": t.get_window_extent(renderer) for i, t in enumerate(others)}
    boxes |= {f"page text {t.get_text()!r}": t.get_window_extent(renderer) for t in fig.texts}
    assert any(SYNTHETIC_NOTICE in t.get_text() for t in fig.texts), "the synthetic-data notice is drawn"
    assert any(t.get_text() == "N" for t in others) and any(t.get_text().endswith(("千米", "km")) for t in others), "north arrow and scale"
    return boxes


def _distance(point: np.ndarray, box: Bbox) -> float:
    nearest = np.clip(point, [box.x0, box.y0], [box.x1, box.y1])
    return float(np.hypot(*(nearest - point)))


def _has_leader(ax: Axes, point: np.ndarray, box: Bbox) -> bool:
    """Whether a leader line runs from near the park's centre to the name's box."""
    largest_radius_px = REACH_PT * ax.figure.dpi / 72
    for line in ax.lines:
        if line.get_gid() != LEADER_GID or not isinstance(line, Line2D):
            continue
        start, end = ax.transData.transform(line.get_xydata())
        if np.hypot(*(start - point)) <= largest_radius_px and _distance(end, box) <= TOLERANCE_PX + 0.5:
            return True
    return False


def check_county_page(data: ExportData, adcode: str) -> tuple[list[Text], Figure]:
    """Assert the county map's names collide with nothing, stay in the map, and each is reachable; return the names and page."""
    fig, renderer = _page(data, adcode)
    ax = fig.axes[0]
    labels = _labels(ax)
    boxes = [t.get_window_extent(renderer) for t in labels]
    frame = ax.get_window_extent(renderer).expanded(1, 1)
    for (a, box_a), (b, box_b) in itertools.combinations(zip(labels, boxes, strict=True), 2):
        assert not box_a.overlaps(box_b), f"{a.get_text()} overlaps {b.get_text()}"
    furniture = _furniture(fig, ax, renderer)
    reach_px = REACH_PT * fig.dpi / 72
    for label, box in zip(labels, boxes, strict=True):
        name = label.get_text()
        assert frame.x0 - TOLERANCE_PX <= box.x0 and box.x1 <= frame.x1 + TOLERANCE_PX, f"{name} leaves the map sideways"
        assert frame.y0 - TOLERANCE_PX <= box.y0 and box.y1 <= frame.y1 + TOLERANCE_PX, f"{name} leaves the map"
        for what, other in furniture.items():
            assert not box.overlaps(other), f"{name} covers the {what}"
        point = ax.transData.transform(label.xy)
        assert _distance(point, box) <= reach_px or _has_leader(ax, point, box), f"{name} is far from its park without a leader line"
        assert not label.get_parse_math()
    names = {drawable(short_name(str(n))) for n in county_parks(data, adcode)["name"]}
    assert {t.get_text() for t in labels} <= names
    return list(labels), fig


@pytest.mark.parametrize("adcode", ["330602", "330603", "330604", "330624", "330681", "330683"])
def test_sample_county_page_names_collide_with_nothing(sample_data: ExportData, adcode: str) -> None:
    labels, fig = check_county_page(sample_data, adcode)
    parks = len(county_parks(sample_data, adcode))
    assert len(labels) >= 0.8 * parks, "most of the sample's parks are named on the map"
    captions = [t.get_text() for t in fig.texts if "未标注" in t.get_text()]
    if len(labels) < parks:
        assert captions == [f"图上标注 {len(labels)} 个园区名称（建筑面积大者优先），另 {parks - len(labels)} 个未标注，见右侧园区表。"]
    else:
        assert not captions


def test_crowded_county_labels_the_largest_with_leaders_and_counts_the_rest(crowded_data: ExportData) -> None:
    labels, fig = check_county_page(crowded_data, XINCHANG)
    parks = county_parks(crowded_data, XINCHANG)
    assert 8 <= len(labels) < len(parks)
    assert labels[0].get_text() == HOSTILE_NAME, "the largest park is named first, as typed"
    assert any(line.get_gid() == LEADER_GID for line in fig.axes[0].lines), "names moved away from their parks have leader lines"
    caption = f"图上标注 {len(labels)} 个园区名称（建筑面积大者优先），另 {len(parks) - len(labels)} 个未标注，见右侧园区表。"
    assert caption in [t.get_text() for t in fig.texts]


def test_crowded_county_caption_in_english(crowded_data: ExportData) -> None:
    labels, fig = check_county_page(replace(crowded_data, lang="en"), XINCHANG)
    unlabelled = len(county_parks(crowded_data, XINCHANG)) - len(labels)
    assert f"{len(labels)} parks named on the map (largest first); {unlabelled} more are not labelled, see the park table." in [
        t.get_text() for t in fig.texts
    ]


def test_hostile_name_is_drawn_as_typed_in_the_pdf(crowded_data: ExportData) -> None:
    """The map label and the table row both carry the name exactly: no mathtext, no markup, searchable text."""
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(atlas_pdf(crowded_data))).pages)
    assert text.count(HOSTILE_NAME) >= 2
    assert "½" not in text
