"""Finding a park: search by name or operator, the park table, its formula-safe export, and the gaps ranked per county."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import geopandas as gpd
import openpyxl
import pandas as pd
from shapely.geometry import Point, box

from ui.finder import park_table, ranked_gaps, search_parks, table_xlsx

NAMES = {"330603": "柯桥区", "330602": "越城区"}


def _parks() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "park_id": ["P1", "P2", "P3"],
            "name": ["大唐袜业小微企业园", "柯桥纺织小微企业园", '=HYPERLINK("http://x","点我")'],
            "operator": ["诸暨大唐袜业园区运营有限公司", "绍兴柯桥ＡＢＣ运营公司", "@SUM(A1)"],
            "county_adcode": ["330602", "330603", "330603"],
            "township": ["大唐街道", None, None],
            "status": ["built", "under_construction", "planned"],
            "floor_area_m2": [52_000.0, 30_000.0, None],
            "land_area_mu": [60.0, 40.0, None],
            "start_date": pd.to_datetime(["2020-01-01", "2023-01-01", None]),
            "completion_date": pd.to_datetime(["2021-06-30", "2025-01-01", None]),
            "certification_date": pd.to_datetime([None, None, None]),
        },
        geometry=[Point(120.2, 29.7), Point(120.5, 30.0), Point(120.45, 30.05)],
        crs="EPSG:4326",
    )


def test_search_finds_every_word_in_the_name_or_the_operator_whatever_the_width() -> None:
    parks = _parks()
    assert search_parks(parks, "袜业")["park_id"].tolist() == ["P1"]
    assert search_parks(parks, "柯桥 abc")["park_id"].tolist() == ["P2"]  # 全角 ＡＢＣ in the operator, two words
    assert search_parks(parks, "  ")["park_id"].tolist() == ["P1", "P2", "P3"]
    assert search_parks(parks, "袜业 纺织").empty
    assert search_parks(parks, ".*")["park_id"].tolist() == []  # not a regular expression


def test_the_park_table_shows_status_on_the_date_and_units_a_planner_reads() -> None:
    table = park_table(_parks(), as_of=date(2021, 12, 31), names=NAMES, lang="zh")
    assert table.index.tolist() == ["P1", "P2", "P3"]
    row = table.loc["P1"]
    assert row["状态（统计日）"] == "建成" and row["区县"] == "越城区" and row["建筑面积（万㎡）"] == 5.2
    assert table.loc["P2", "状态（统计日）"] == "谋划"  # not started by the end of 2021
    english = park_table(_parks(), as_of=date(2024, 6, 30), names=NAMES, lang="en")
    assert english.loc["P2", "Status on as-of date"] == "Under construction"


def test_the_export_is_an_xlsx_whose_text_never_runs_as_a_formula() -> None:
    table = park_table(_parks(), as_of=date(2024, 6, 30), names=NAMES, lang="zh")
    book = openpyxl.load_workbook(io.BytesIO(table_xlsx(table, sheet="园区")))
    cells = [c.value for row in book["园区"].iter_rows() for c in row if isinstance(c.value, str)]
    assert '\'=HYPERLINK("http://x","点我")' in cells and "'@SUM(A1)" in cells
    assert not [c for c in cells if c.startswith(("=", "@", "+", "-"))]
    assert all(c.data_type != "f" for row in book["园区"].iter_rows() for c in row)


def test_gaps_are_ranked_within_each_county_the_county_with_most_firms_first() -> None:
    cells = [box(120.40 + i * 0.01, 30.0, 120.41 + i * 0.01, 30.01) for i in range(4)]
    gaps = gpd.GeoDataFrame(
        {
            "county_adcode": ["330602", "330603", "330603", "330602"],
            "firms": [60, 120, 80, 55],
            "rank_in_county": [1, 1, 2, 2],
            "nearest_park_distance_m": [2500.0, 4100.0, float("nan"), 2200.0],
        },
        geometry=cells,
        crs="EPSG:4326",
    )
    table = ranked_gaps(gaps, names=NAMES, lang="zh")
    assert table["区县"].tolist() == ["柯桥区", "柯桥区", "越城区", "越城区"]
    assert table["区县内排名"].tolist() == [1, 2, 1, 2] and table["小微企业数"].tolist() == [120, 80, 60, 55]
    assert table["最近园区距离（km）"].iloc[0] == 4.1 and pd.isna(table["最近园区距离（km）"].iloc[1])
    assert table["中心经度"].iloc[0] == round(120.415, 5)


def test_no_gap_gives_an_empty_table() -> None:
    empty = gpd.GeoDataFrame(
        {"county_adcode": [], "firms": [], "rank_in_county": [], "nearest_park_distance_m": []}, geometry=[], crs="EPSG:4326"
    )
    assert ranked_gaps(empty, names=NAMES, lang="zh").empty


def test_the_dashboard_finds_a_park_and_the_map_goes_there(small_store: Path) -> None:
    from streamlit.testing.v1 import AppTest

    from geo.store import open_store
    from tests.test_app import APP, TIMEOUT_S, _no_exception
    from ui.finder import FOCUS_KEY

    parks = open_store(small_store).register()
    target = parks.iloc[3]
    word = str(target["name"])[:4]
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S).run()
    _no_exception(at)
    at.text_input(key="park_search").input(word).run()
    table = next(d.value for d in at.dataframe if "园区名称" in d.value.columns)
    assert len(table) == sum(word in str(n) for n in parks["name"]) and str(target["name"]) in set(table["园区名称"])
    assert any(f"共 {len(table)} 个园区" in c.value for c in at.caption)
    # a row click calls focus_on, which AppTest cannot do: set the state it sets
    point = {"lat": target.geometry.y, "lon": target.geometry.x, "zoom": 15, "park_id": str(target["park_id"]), "county": None}
    at.session_state[FOCUS_KEY] = point
    at.session_state["park_clicked"] = str(target["park_id"])
    at.run()
    _no_exception(at)
    assert any(b.label == "回到全图" for b in at.button)
    assert any("园区详情" in md.value for md in at.markdown)  # the park's details are open
    next(b for b in at.button if b.label == "回到全图").click().run()
    assert FOCUS_KEY not in at.session_state and not any(b.label == "回到全图" for b in at.button)
    at.text_input(key="park_search").input("没有这样的园区xyz").run()
    assert any("没有名称或运营主体包含这些字词的园区" in i.value for i in at.info)


def test_the_ranked_gaps_appear_with_the_gaps_layer(small_store: Path) -> None:
    from streamlit.testing.v1 import AppTest

    from tests.test_app import APP, TIMEOUT_S, _no_exception

    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S).run()
    assert not any("覆盖缺口排名" in e.label for e in at.expander)
    at.checkbox(key="layer_gaps").check().run()
    _no_exception(at)
    assert any("覆盖缺口排名" in e.label for e in at.expander)
