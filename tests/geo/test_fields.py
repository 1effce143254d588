"""The field catalogue: every field round-trips import -> store -> popup -> workbook; one plot-ratio rule."""

from __future__ import annotations

import hashlib
import html
import io
import json
import sqlite3
from datetime import date
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pytest

from export.data import prepare_export_data
from export.workbook import summary_xlsx
from geo.errors import StoreError
from geo.fields import (
    ENTERPRISE_FIELDS,
    PARK_FIELDS,
    column_values,
    field_label,
    format_value,
    get_field,
    sheet_values,
    shown_in,
    stored_fields,
)
from geo.ingest.headers import ENTERPRISE_ALIASES, FIELD_LABELS_ZH, PARK_ALIASES, match_columns, normalise_header, split_unit
from geo.ingest.parks import import_parks
from geo.ingest.parsers import parse_field
from geo.ingest.template import TEMPLATE_HEADERS, build_template
from geo.region.boundaries import load_counties
from geo.schema import ENTERPRISE_COLUMNS, PARK_COLUMNS
from geo.store.gpkg import GeoPackageStore
from geo.store.gpkg.schema import canonical_type
from geo.units import plot_ratio, ratio
from geo.words import columns
from layers.parks import park_layer
from tests.geo.ingest.importdata import point_near

PANDAS_DTYPES = {"str": "object", "code": "object", "adcode": "object", "float": "float64", "Int64": "Int64", "int": "int64"}
PANDAS_DTYPES |= {"date": "datetime64[ns]", "bool": "boolean"}
SQL_TYPES = {"str": "TEXT", "code": "TEXT", "adcode": "TEXT", "float": "DOUBLE", "Int64": "INTEGER", "int": "INTEGER"}
SQL_TYPES |= {"date": "DATE", "bool": "BOOLEAN"}
NAMES = {"330603": "柯桥区"}


# ---------------------------------------------------------------- the catalogue itself


@pytest.mark.parametrize("fields", [PARK_FIELDS, ENTERPRISE_FIELDS])
def test_each_field_is_declared_once_with_labels_in_both_languages(fields) -> None:
    names = [f.name for f in fields]
    assert len(names) == len(set(names))
    keys = [f.import_key for f in fields]
    assert len(keys) == len(set(keys))
    for item in fields:
        assert item.label_zh and item.label_en
        assert item.dtype in PANDAS_DTYPES
        for other in item.inputs:
            assert other in names, f"{item.name} derives from unknown field {other}"


def test_schema_columns_and_header_aliases_are_views_of_the_catalogue() -> None:
    assert tuple(f.name for f in PARK_FIELDS if f.stored) == PARK_COLUMNS
    assert tuple(f.name for f in ENTERPRISE_FIELDS if f.stored) == ENTERPRISE_COLUMNS
    for aliases, fields in ((PARK_ALIASES, PARK_FIELDS), (ENTERPRISE_ALIASES, ENTERPRISE_FIELDS)):
        for item in fields:
            if item.aliases:
                assert aliases[item.import_key] == item.aliases
    assert FIELD_LABELS_ZH["floor_area"] == "建筑面积" and FIELD_LABELS_ZH["lonlat"] == "坐标"


def test_every_parser_key_is_known_and_every_stored_field_has_a_store_type() -> None:
    empty = pd.Series([""], dtype=object)
    for item in (*PARK_FIELDS, *ENTERPRISE_FIELDS):
        if item.parser not in (None, "county"):
            parse_field(item, empty)  # raises KeyError for an unknown key
    for kind in ("parks", "enterprises"):
        for item in stored_fields(kind):
            assert canonical_type(kind, item.name) == SQL_TYPES[item.dtype]


def test_labels_carry_their_units_and_sinks_may_use_other_words() -> None:
    assert field_label("floor_area_m2", "zh") == "建筑面积（万㎡）"
    assert field_label("floor_area_m2", "en") == "Floor area (10k m²)"
    assert field_label("land_area_mu", "zh") == "占地（亩）"
    assert field_label("enterprises", "zh", sink="atlas") == "企业（家）"
    assert get_field("floor_area").name == "floor_area_m2"
    with pytest.raises(KeyError):
        get_field("no_such_field")


# ---------------------------------------------------------------- one register through every sink


def _register(tmp_path: Path) -> Path:
    """A register with every template column, one park, each field's example as typed."""
    lon, lat = point_near("330603")
    examples = {f.template_header: f.example for f in shown_in("template")}
    row = [examples.get(h, "") for h in TEMPLATE_HEADERS]
    row[TEMPLATE_HEADERS.index("序号")] = "1"
    row[TEMPLATE_HEADERS.index("经度")], row[TEMPLATE_HEADERS.index("纬度")] = f"{lon:.6f}", f"{lat:.6f}"
    path = tmp_path / "台账.csv"
    pd.DataFrame([row], columns=list(TEMPLATE_HEADERS)).to_csv(path, index=False, encoding="utf-8-sig")
    return path


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> gpd.GeoDataFrame:
    report = import_parks(_register(tmp_path_factory.mktemp("register")))
    assert report.accepted == 1, report.problems.to_dict("records")
    assert report.problems.empty, report.problems.to_dict("records")
    return report.data


def test_every_template_field_has_an_example_and_imports_to_a_value(imported: gpd.GeoDataFrame) -> None:
    for item in shown_in("template"):
        assert item.example, f"{item.name} has no example"
        assert not pd.isna(imported.loc[0, item.name]), f"{item.name} was not imported from {item.example!r}"
    assert imported.loc[0, "floor_area_m2"] == 125_000
    assert imported.loc[0, "occupancy_pct"] == 85


def test_every_field_round_trips_through_the_store_with_its_dtype(imported: gpd.GeoDataFrame, tmp_path: Path) -> None:
    store = GeoPackageStore(tmp_path / "parkmap.gpkg")
    sha = hashlib.sha256(b"fields").hexdigest()
    info = store.save_snapshot(
        imported, kind="parks", reporting_date=date(2023, 12, 31), source_name="台账.csv", source_sha256=sha, loaded_by="t"
    )
    loaded = store.load_snapshot(info.snapshot_id)
    for item in stored_fields("parks"):
        assert str(loaded[item.name].dtype) == PANDAS_DTYPES[item.dtype], item.name
        pd.testing.assert_series_equal(loaded[item.name], imported[item.name], check_names=False)
    with sqlite3.connect(tmp_path / "parkmap.gpkg") as conn:
        declared = {row[1]: row[2] for row in conn.execute("PRAGMA table_info(parks)")}
    assert not [c for c in declared if "__" in c]
    for item in stored_fields("parks"):
        assert declared[item.name] == SQL_TYPES[item.dtype], item.name


def test_popup_shows_each_popup_field_with_its_label_and_format(imported: gpd.GeoDataFrame) -> None:
    layer = park_layer(imported, county_names=NAMES)
    props = layer.data["features"][0]["properties"]
    m = folium.Map(tiles=None)
    layer.add_to(m)
    rendered = m.get_root().render()
    for item in shown_in("popup"):
        shown = html.escape(format_value(item, column_values(imported, item).iloc[0], "zh", names=NAMES))
        assert shown != "—", item.name
        assert props[item.prop] == shown
        label = item.label("zh", sink="popup")
        assert label in rendered or json.dumps(label)[1:-1] in rendered, label
    assert props["ratio"] == "1.25"  # 125,000 m² on 150 亩


def test_workbook_holds_each_workbook_field(imported: gpd.GeoDataFrame) -> None:
    counties = load_counties()
    data = prepare_export_data(imported, as_of=date(2023, 12, 31), counties=counties, reported_on=date(2023, 12, 31))
    book = openpyxl.load_workbook(io.BytesIO(summary_xlsx(data)))
    sheet = book[columns("workbook_sheets", "zh")["parks"]]
    header = [c.value for c in sheet[1]]
    cells = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    for item in shown_in("workbook"):
        expected = sheet_values(item, column_values(data.parks_on_date, item), "zh", names=NAMES).iloc[0]
        value = cells[item.label("zh", sink="workbook")]
        if isinstance(expected, float):
            assert value == pytest.approx(expected), item.name
        elif isinstance(expected, date):
            assert value.date() == expected, item.name
        else:
            assert str(value) == str(expected), item.name
        assert value is not None, item.name


def test_template_has_every_template_field_with_its_chinese_header() -> None:
    book = openpyxl.load_workbook(io.BytesIO(build_template()))
    headers = [c.value for c in book["园区台账"][3]]
    guide = {r[0]: r for r in book["填写说明"].iter_rows(min_row=2, values_only=True)}
    for item in shown_in("template"):
        assert item.template_header in headers
        matches, _ = match_columns([item.template_header], kind="parks")  # the Chinese header reads back as this field
        assert list(matches) == [item.import_key], item.template_header
        assert unit_of(item.template_header) == (normalise_header(item.template_unit) or None if "(" in item.template_header else None)
        assert guide[item.template_header][1] == ("是" if item.required else "否")


def unit_of(header: str) -> str | None:
    return split_unit(normalise_header(header))[1]


# ---------------------------------------------------------------- store types


def test_a_canonical_number_column_never_lands_in_a_side_column(imported: gpd.GeoDataFrame, tmp_path: Path) -> None:
    store = GeoPackageStore(tmp_path / "s.gpkg")
    texts = imported.assign(tax_per_mu_wan_yuan=pd.Series(["32.5"], dtype=object))
    with pytest.raises(StoreError, match="tax_per_mu_wan_yuan"):
        store.save_snapshot(texts, kind="parks", reporting_date=date(2023, 1, 1), source_name="a", source_sha256="a" * 64, loaded_by="t")
    whole = imported.assign(land_area_mu=pd.Series([150], dtype="int64"))
    info = store.save_snapshot(whole, kind="parks", reporting_date=date(2023, 1, 1), source_name="b", source_sha256="b" * 64, loaded_by="t")
    assert store.load_snapshot(info.snapshot_id)["land_area_mu"].tolist() == [150]
    with sqlite3.connect(tmp_path / "s.gpkg") as conn:
        assert not [r[1] for r in conn.execute("PRAGMA table_info(parks)") if "__" in r[1]]
        assert conn.execute("SELECT typeof(land_area_mu) FROM parks").fetchone()[0] == "real"


# ---------------------------------------------------------------- one plot-ratio rule


def test_plot_ratio_has_one_rule_for_zero_and_missing() -> None:
    assert plot_ratio(150_000.0, 60.0) == pytest.approx(3.75)
    assert np.isnan(plot_ratio(150_000.0, 0.0))
    assert np.isnan(plot_ratio(150_000.0, float("nan")))
    assert np.isnan(plot_ratio(float("nan"), 60.0))
    assert np.isnan(plot_ratio(150_000.0, -1.0))
    series = plot_ratio(pd.Series([150_000.0, 1.0, None], index=[7, 8, 9]), pd.Series([60.0, 0.0, 10.0], index=[7, 8, 9]))
    assert list(series.index) == [7, 8, 9] and series.iloc[0] == pytest.approx(3.75) and series.iloc[1:].isna().all()
    assert np.isnan(ratio(1.0, 0.0)) and ratio(1.0, 4.0, scale=100) == 25.0


def test_every_sink_shows_no_plot_ratio_for_zero_or_missing_land() -> None:
    parks = pd.DataFrame({"floor_area_m2": [150_000.0, 150_000.0, 150_000.0], "land_area_mu": [60.0, 0.0, np.nan]})
    item = get_field("plot_ratio")
    shown = [format_value(item, v, "zh") for v in column_values(parks, item)]
    assert shown == ["3.75", "—", "—"]
    assert sheet_values(item, column_values(parks, item), "zh").isna().tolist() == [False, True, True]


# ---------------------------------------------------------------- 入驻率 from leased and leasable floor area


def _occupancy_register(tmp_path: Path, rows: list[dict[str, str]]) -> Path:
    lon, lat = point_near("330603")
    base = {
        "园区名称": "",
        "所在区县": "柯桥区",
        "建设状态": "建成",
        "建筑面积(万平方米)": "12",
        "经度": f"{lon:.6f}",
        "纬度": f"{lat:.6f}",
    }
    frame = pd.DataFrame([{**base, "园区名称": f"入驻率测试园{i}", **row} for i, row in enumerate(rows)])
    frame["经度"] = [f"{lon + 0.002 * i:.6f}" for i in range(len(rows))]  # not duplicates of each other
    path = tmp_path / "入驻率.csv"
    frame.to_csv(path, index=False, encoding="utf-8-sig")
    return path


def test_occupancy_is_derived_from_leased_and_leasable_area_unless_given(tmp_path: Path) -> None:
    rows = [
        {"已出租面积(万平方米)": "9", "可出租面积(万平方米)": "10", "入驻率(%)": ""},  # derived: 90 %
        {"已出租面积(万平方米)": "9", "可出租面积(万平方米)": "10", "入驻率(%)": "75%"},  # given wins
        {"已出租面积(万平方米)": "12", "可出租面积(万平方米)": "10", "入驻率(%)": ""},  # 120 %: warned, left empty
        {"已出租面积(万平方米)": "9", "可出租面积(万平方米)": "0", "入驻率(%)": ""},  # no leasable area: no rate
        {"已出租面积(万平方米)": "", "可出租面积(万平方米)": "10", "入驻率(%)": ""},  # one input only: no rate
    ]
    report = import_parks(_occupancy_register(tmp_path, rows))
    assert report.accepted == 5
    data = report.data
    assert data["leased_area_m2"].tolist()[:2] == [90_000.0, 90_000.0]
    assert data["leasable_area_m2"].tolist()[0] == 100_000.0
    occupancy = data["occupancy_pct"].tolist()
    assert occupancy[0] == pytest.approx(90.0) and occupancy[1] == 75.0
    assert all(np.isnan(v) for v in occupancy[2:])
    warned = report.problems[report.problems["message"].str.contains("入驻率")]
    assert len(warned) == 1 and "120.0" in warned["message"].iloc[0]
    assert warned["field"].iloc[0] == "已出租面积(万平方米)"
    assert format_value(get_field("occupancy_pct"), occupancy[0], "zh") == "90.0"


def test_occupancy_shows_in_popup_details_and_workbook_and_its_inputs_in_the_template() -> None:
    occupancy = get_field("occupancy_pct")
    assert occupancy.shows.popup and occupancy.shows.details and occupancy.shows.workbook and occupancy.shows.template
    for name in ("leased_area_m2", "leasable_area_m2"):
        item = get_field(name)
        assert item.stored and item.shows.template and item.shows.workbook
        assert item.template_header in TEMPLATE_HEADERS
