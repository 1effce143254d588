"""The snapshot store: round trips, history, rollback, atomic and concurrent writes (both backends, see conftest.py)."""

from __future__ import annotations

import fcntl
import hashlib
import itertools
import multiprocessing
import sqlite3
import threading
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.errors import CRSError, GeoDataError, StoreError
from geo.schema import ENTERPRISE_COLUMNS, PARK_COLUMNS
from geo.store import (
    DEFAULT_STORE_PATH,
    SNAPSHOT_COLUMNS,
    STORE_ENV_VAR,
    GeoPackageStore,
    SnapshotStore,
    open_store,
    store_location,
)
from geo.store.gpkg import rows as store_gpkg_rows
from geo.store.postgis import PostgisStore
from tests.geo.store.conftest import nothing_stored, snapshot_actions

HOSTILE = ["<img src=x onerror=alert(1)>", "=1+1", "+SUM(A1:A9)", "-2", "@cmd", "'; DROP TABLE parks;--", 'a"b', "柯桥区\n第二行"]
SHA = hashlib.sha256(b"register").hexdigest()


def make_parks(n: int = 4, *, offset: int = 0) -> gpd.GeoDataFrame:
    """Parks with every canonical column, nulls, Chinese and hostile text, and two extra columns."""
    idx = np.arange(n) + offset
    names = [f"{['柯桥经编', '越城智造', '上虞e游', '诸暨袜业'][i % 4]}小微企业园{i}" for i in idx]
    names[0] = HOSTILE[0]
    data: dict[str, Any] = {
        "park_id": [f"P{i:03d}" for i in idx],
        "park_code": [None if i % 3 == 1 else f"KQ-{i:03d}" for i in idx],
        "name": names,
        "county_adcode": ["330603", "330602", "330604", "330681"] * (n // 4) + ["330683"] * (n % 4),
        "township": [None if i % 2 else "齐贤街道" for i in idx],
        "park_type": ["manufacturing", None, "producer_services", "manufacturing"] * (n // 4) + [None] * (n % 4),
        "status": ["built", "certified", "under_construction", "planned"] * (n // 4) + ["built"] * (n % 4),
        "floor_area_m2": [125_000.5 + i if i % 3 else np.nan for i in idx],
        "land_area_mu": [None if i % 2 else 180.25 for i in idx],
        "start_date": pd.to_datetime([None if i % 3 == 0 else f"2021-03-{1 + i % 28:02d}" for i in idx]),
        "completion_date": pd.to_datetime([f"2022-12-{1 + i % 28:02d}" for i in idx]),
        "certification_date": pd.Series([pd.NaT] * n, dtype="datetime64[us]"),
        "star_rating": pd.array([None if i % 2 else 1 + i % 5 for i in idx], dtype="Int64"),
        "enterprises": pd.array([35 + i for i in idx], dtype="Int64"),
        "above_scale_enterprises": pd.array([None] * n, dtype="Int64"),
        "high_tech_enterprises": pd.array([None if i % 2 else 3 for i in idx], dtype="Int64"),
        "specialised_enterprises": pd.array([1 + i % 3 for i in idx], dtype="Int64"),
        "jobs": pd.array([None if i % 3 == 2 else 800 + i for i in idx], dtype="Int64"),
        "leasable_area_m2": [100_000.0 if i % 2 else np.nan for i in idx],
        "leased_area_m2": [92_500.0 if i % 2 else np.nan for i in idx],
        "occupancy_pct": [92.5, np.nan, 0.0, 100.0] * (n // 4) + [50.0] * (n % 4),
        "revenue_wan_yuan": [21_000.5 if i % 2 else np.nan for i in idx],
        "output_wan_yuan": [18_000.0 + i for i in idx],
        "tax_wan_yuan": [-30.0 if i % 4 == 3 else 1_200.0 for i in idx],
        "tax_per_mu_wan_yuan": [np.nan] * n,
        "output_per_mu_wan_yuan": [np.nan if i % 2 else 480.0 for i in idx],
        "main_industry": ["纺织", "=1+1", None, "集成电路"] * (n // 4) + ["时尚"] * (n % 4),
        "operator": [HOSTILE[i % len(HOSTILE)] for i in idx],
        "source_row": (idx + 3).astype("int64"),
        "备注": [None if i % 2 else "园区二期在建，预计2024年投用" for i in idx],
        "contact_phone": [f"0575-8{i:07d}" for i in idx],
    }
    geometry = gpd.points_from_xy(120.45 + idx * 0.01, 29.95 + idx * 0.005)
    return gpd.GeoDataFrame(data, geometry=geometry, crs="EPSG:4326")


def make_enterprises(n: int = 5, *, tag: str = "a") -> gpd.GeoDataFrame:
    """Enterprises with nullable booleans and registration dates."""
    idx = np.arange(n)
    data: dict[str, Any] = {
        "enterprise_id": [f"91330600{tag}{i:09d}" for i in idx],
        "name": [f"绍兴{tag}纺织有限公司{i}" if i % 4 else None for i in idx],
        "county_adcode": ["330603"] * n,
        "township": ["柯桥街道"] * n,
        "industry": ["纺织业"] * n,
        "major_industry": [None if i % 2 else "时尚" for i in idx],
        "size_class": [["small", "micro", None][i % 3] for i in idx],
        "registration_date": pd.to_datetime([f"20{10 + i % 10}-0{1 + i % 9}-15" for i in idx]),
        "in_park": pd.array([[True, False, None][i % 3] for i in idx], dtype="boolean"),
        "park_name": [None if i % 2 else "柯桥经编小微企业园" for i in idx],
        "above_scale": pd.array([i % 2 == 0 for i in idx], dtype="boolean"),
        "tech_type": pd.array([None] * n, dtype="boolean"),
        "source_row": (idx + 2).astype("int64"),
    }
    return gpd.GeoDataFrame(data, geometry=gpd.points_from_xy(120.5 + idx * 1e-4, 30.0 - idx * 1e-4), crs="EPSG:4326")


_FILES = itertools.count()


def fresh_sha() -> str:
    """A new file hash per call: saving the same file twice is refused (see test_store_faults.py)."""
    return hashlib.sha256(f"register {next(_FILES)} {uuid.uuid4()}".encode()).hexdigest()


def save(store: SnapshotStore, gdf: gpd.GeoDataFrame, day: date, *, kind: str = "parks", **meta: Any) -> int:
    defaults = {"source_name": "柯桥区台账.xlsx", "source_sha256": fresh_sha(), "loaded_by": "test"}
    info = store.save_snapshot(gdf, kind=kind, reporting_date=day, **{**defaults, **meta})
    return info.snapshot_id


# ---------------------------------------------------------------- round trips


def test_parks_round_trip_keeps_values_columns_and_dtypes(store: SnapshotStore) -> None:
    parks = make_parks(8)
    before = parks.copy()
    loaded = store.load_snapshot(save(store, parks, date(2023, 12, 31)))
    assert_geodataframe_equal(loaded, parks)
    assert_geodataframe_equal(parks, before)  # input not mutated
    assert list(loaded.columns) == [*PARK_COLUMNS, "备注", "contact_phone", "geometry"]
    assert loaded.loc[0, "name"] == "<img src=x onerror=alert(1)>"
    assert loaded["main_industry"].tolist()[1] == "=1+1"
    assert loaded["star_rating"].dtype == "Int64" and loaded["start_date"].dtype == "datetime64[us]"
    assert loaded.attrs["snapshot"]["reporting_date"] == date(2023, 12, 31)


def test_enterprises_round_trip_keeps_nullable_booleans(store: SnapshotStore) -> None:
    firms = make_enterprises(7)
    loaded = store.load_snapshot(save(store, firms, date(2023, 6, 30), kind="enterprises"))
    assert_geodataframe_equal(loaded, firms)
    assert list(loaded.columns) == [*ENTERPRISE_COLUMNS, "geometry"]
    assert loaded["in_park"].tolist() == [True, False, pd.NA, True, False, pd.NA, True]


OTHER_COLUMNS: dict[str, pd.Series] = {
    "float32": pd.Series([1.5, np.nan, -2.25], dtype="float32"),
    "Float64": pd.Series([1.5, None, 1e300], dtype="Float64"),
    "int32": pd.Series([1, -2, 2**31 - 1], dtype="int32"),
    "uint8": pd.Series([0, 7, 255], dtype="uint8"),
    "int64 big": pd.Series([2**62, -(2**62), 0], dtype="int64"),
    "bool": pd.Series([True, False, True]),
    "datetime with time": pd.Series(pd.to_datetime(["2021-01-02 03:04:05.123456789", None, "1999-12-31 23:59:59"], format="ISO8601")),
    "datetime seconds": pd.Series(pd.to_datetime(["2021-01-02 03:04:05", None, "2021-01-02"], format="ISO8601")).astype("datetime64[s]"),
    "datetime Shanghai": pd.Series(pd.to_datetime(["2021-01-02 03:04:05", None, "2023-07-01 00:00"], format="ISO8601")).dt.tz_localize(
        "Asia/Shanghai"
    ),
    "object text": pd.Series(["a", None, "中文"], dtype=object),
    "string NA": pd.Series(["a", None, "b"], dtype="string"),
    "string python": pd.Series(["a", None, "b"], dtype=pd.StringDtype("python", na_value=np.nan)),
    "all null text": pd.Series([None, None, None], dtype="str"),
}


@pytest.mark.parametrize("label", list(OTHER_COLUMNS))
def test_extra_columns_of_other_dtypes_round_trip(store: SnapshotStore, label: str) -> None:
    parks = make_parks(3)
    parks.insert(5, label, OTHER_COLUMNS[label].to_numpy() if label == "object text" else OTHER_COLUMNS[label].array)
    loaded = store.load_snapshot(save(store, parks, date(2023, 1, 1)))
    assert_geodataframe_equal(loaded, parks)


def test_polygons_empty_and_missing_geometries_round_trip(store: SnapshotStore) -> None:
    parks = make_parks(4)
    parcel = shapely.Polygon([(120.5, 30.0), (120.51, 30.0), (120.51, 30.01), (120.5, 30.0)])
    holed = shapely.Polygon([(0, 0), (4, 0), (4, 4), (0, 4)], [[(1, 1), (2, 1), (2, 2), (1, 1)]])
    parks = parks.set_geometry([parcel, shapely.Point(), None, shapely.MultiPolygon([holed])], crs="EPSG:4326")
    loaded = store.load_snapshot(save(store, parks, date(2023, 1, 1)))
    assert_geodataframe_equal(loaded, parks)


def test_renamed_geometry_and_non_text_column_names(store: SnapshotStore) -> None:
    parks = make_parks(3).rename_geometry("location")
    parks[2021] = [1.0, 2.0, 3.0]
    loaded = store.load_snapshot(save(store, parks, date(2023, 1, 1)))
    assert loaded.geometry.name == "location" and list(loaded.columns)[-1] == "2021"
    assert_geodataframe_equal(loaded, parks.rename(columns={2021: "2021"}))


def test_mixed_object_column_is_stored_as_the_text_of_each_value(store: SnapshotStore) -> None:
    parks = make_parks(4)
    parks["批次"] = pd.Series([1, "第二批", None, 2.5], dtype=object)
    loaded = store.load_snapshot(save(store, parks, date(2023, 1, 1)))
    assert loaded["批次"].tolist() == ["1", "第二批", None, "2.5"]


def test_extra_column_changing_type_and_clashing_names_keep_each_snapshot_exact(store: SnapshotStore) -> None:
    first = make_parks(4)
    first["备注"] = ["甲", None, "乙", "丙"]
    first["NAME"] = ["upper-case twin of name"] * 4
    first["fid"] = ["not the feature id"] * 4
    first["snapshot_id"] = [99] * 4
    first['x"; DROP TABLE parks;--'] = [1, 2, 3, 4]
    second = make_parks(4)
    second["备注"] = [1.5, None, 2.5, 3.5]
    id1 = save(store, first, date(2023, 1, 1))
    id2 = save(store, second, date(2023, 2, 1))
    assert_geodataframe_equal(store.load_snapshot(id1), first)
    assert_geodataframe_equal(store.load_snapshot(id2), second)


_TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",), exclude_characters="\x00"))  # PostgreSQL refuses U+0000


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(st.one_of(st.none(), _TEXT), min_size=4, max_size=4))
def test_any_text_is_stored_exactly(store: SnapshotStore, texts: list[str | None]) -> None:
    parks = make_parks(4)
    parks["name"] = pd.Series(texts, dtype=object)
    loaded = store.load_snapshot(save(store, parks, date(2023, 1, 1)))
    assert loaded["name"].tolist() == texts


# ---------------------------------------------------------------- metadata and history


def test_metadata_is_recorded_and_listed(store: SnapshotStore) -> None:
    start = datetime.now(UTC)
    info = store.save_snapshot(
        make_parks(6),
        kind="parks",
        reporting_date=date(2023, 12, 31),
        source_name="<b>越城区</b>.xlsx",
        source_sha256=SHA.upper(),
        loaded_by="王工",
        note="=年度汇总",
    )
    assert (info.kind, info.reporting_date, info.row_count) == ("parks", date(2023, 12, 31), 6)
    assert (info.source_name, info.source_sha256, info.loaded_by, info.note) == ("<b>越城区</b>.xlsx", SHA, "王工", "=年度汇总")
    assert start - timedelta(seconds=1) <= info.imported_at <= datetime.now(UTC)
    assert info.imported_at.tzinfo is not None and not info.rolled_back
    listing = store.list_snapshots()
    assert list(listing.columns) == list(SNAPSHOT_COLUMNS)
    row = listing.iloc[0]
    assert row["snapshot_id"] == info.snapshot_id and row["loaded_by"] == "王工" and bool(row["is_current"])
    assert row["reporting_date"] == pd.Timestamp("2023-12-31")
    assert str(listing["imported_at"].dtype) == "datetime64[us, UTC]"
    assert store.snapshot_info(info.snapshot_id) == info


def test_history_current_and_as_of_before_between_and_after(store: SnapshotStore) -> None:
    mid = save(store, make_parks(4, offset=10), date(2023, 6, 30))
    end = save(store, make_parks(5, offset=20), date(2023, 12, 31))
    early = save(store, make_parks(3), date(2022, 12, 31))  # imported last, reported first
    assert store.as_of("parks", date(2022, 12, 30)) is None
    checks = {date(2022, 12, 31): early, date(2023, 3, 1): early, date(2023, 6, 30): mid, date(2023, 9, 1): mid, date(2030, 1, 1): end}
    for when, expected in checks.items():
        got = store.as_of("parks", when)
        assert got is not None and got.attrs["snapshot"]["snapshot_id"] == expected, when
    current = store.current("parks")
    assert current is not None and len(current) == 5 and current.attrs["snapshot"]["snapshot_id"] == end
    assert store.list_snapshots("parks")["snapshot_id"].tolist() == [end, mid, early]
    assert store.current("enterprises") is None and store.is_empty("enterprises") and not store.is_empty("parks")


def test_same_reporting_date_later_import_wins(store: SnapshotStore) -> None:
    save(store, make_parks(3), date(2023, 12, 31))
    second = save(store, make_parks(4), date(2023, 12, 31))
    assert store.latest_info("parks").snapshot_id == second


def test_rollback_and_restore(store: SnapshotStore) -> None:
    good = save(store, make_parks(3), date(2023, 6, 30))
    bad = save(store, make_parks(4, offset=5), date(2023, 12, 31))
    info = store.rollback(bad, by="李科长", reason="重复导入 <script>")
    assert info.rolled_back and info.rolled_back_by == "李科长" and info.rollback_reason == "重复导入 <script>"
    assert store.current("parks").attrs["snapshot"]["snapshot_id"] == good
    assert store.as_of("parks", date(2024, 1, 1)).attrs["snapshot"]["snapshot_id"] == good
    listing = store.list_snapshots().set_index("snapshot_id")
    assert bool(listing.loc[bad, "rolled_back"]) and not bool(listing.loc[bad, "is_current"]) and bool(listing.loc[good, "is_current"])
    assert len(store.load_snapshot(bad)) == 4  # kept for audit
    with pytest.raises(StoreError, match="already rolled back"):
        store.rollback(bad, by="x", reason="y")
    restored = store.restore(bad, by="李科长")
    assert not restored.rolled_back and restored.rolled_back_at is None
    assert store.current("parks").attrs["snapshot"]["snapshot_id"] == bad
    with pytest.raises(StoreError, match="not rolled back"):
        store.restore(bad, by="x")
    store.rollback(good, by="x", reason="y")
    store.rollback(bad, by="x", reason="y")
    assert store.is_empty("parks") and store.current("parks") is None
    assert snapshot_actions(store, bad) == ["saved", "rolled_back", "restored", "rolled_back"]


def test_unknown_snapshot_ids_are_refused(store: SnapshotStore) -> None:
    with pytest.raises(StoreError, match="no snapshot 7"):
        store.load_snapshot(7)
    save(store, make_parks(2), date(2023, 1, 1))
    for call in (lambda: store.load_snapshot(99), lambda: store.rollback(99, by="x", reason="y"), lambda: store.snapshot_info("1")):
        with pytest.raises(StoreError, match="no snapshot"):
            call()


def test_reading_an_empty_store_creates_nothing(store: SnapshotStore) -> None:
    assert store.list_snapshots().empty and list(store.list_snapshots().columns) == list(SNAPSHOT_COLUMNS)
    assert store.current("parks") is None and store.as_of("parks", date(2023, 1, 1)) is None and store.is_empty("parks")
    assert store.list_submissions() == [] and store.register() is None and nothing_stored(store)


# ---------------------------------------------------------------- refusals


NOT_WGS84 = [(None, "no coordinate reference system"), ("EPSG:4490", "EPSG:4326"), ("EPSG:3857", "to_wgs84")]


@pytest.mark.parametrize(("crs", "match"), NOT_WGS84)
def test_data_not_in_wgs84_is_refused(store: SnapshotStore, crs: str | None, match: str) -> None:
    parks = make_parks(2)
    if crs is None:
        parks = gpd.GeoDataFrame(pd.DataFrame(parks.drop(columns="geometry")), geometry=list(parks.geometry))
    else:
        parks = parks.set_crs(crs, allow_override=True)
    with pytest.raises(CRSError, match=match):
        save(store, parks, date(2023, 1, 1))
    assert nothing_stored(store)


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"kind": "firms"}, "`kind` must be one of 'parks', 'enterprises'"),
        ({"source_sha256": "abc"}, "64 hexadecimal"),
        ({"loaded_by": "  "}, "`loaded_by` must not be blank"),
        ({"source_name": None}, "`source_name` must be text"),
        ({"reporting_date": "2023-12-31"}, "`reporting_date` must be a date"),
        ({"reporting_date": date.today() + timedelta(days=30)}, "in the future"),
    ],
)
def test_bad_metadata_is_refused(store: SnapshotStore, change: dict[str, Any], match: str) -> None:
    args = {"kind": "parks", "reporting_date": date(2023, 1, 1), "source_name": "a.xlsx", "source_sha256": SHA, "loaded_by": "me", **change}
    with pytest.raises(StoreError, match=match):
        store.save_snapshot(make_parks(2), **args)
    assert nothing_stored(store)


def test_empty_frames_twin_geometry_columns_and_unstorable_values_are_refused(store: SnapshotStore) -> None:
    with pytest.raises(StoreError, match="no rows"):
        save(store, make_parks(2).iloc[:0], date(2023, 1, 1))
    twin = make_parks(2)
    twin.columns = ["geometry" if c == "township" else c for c in twin.columns]
    with pytest.raises(StoreError, match="several columns named 'geometry'"):
        save(store, twin, date(2023, 1, 1))
    durations = make_parks(2).assign(wait=pd.to_timedelta([1, 2], unit="D"))
    with pytest.raises(StoreError, match="'wait'"):
        save(store, durations, date(2023, 1, 1))
    with pytest.raises(StoreError, match="no active geometry"):
        save(store, gpd.GeoDataFrame({"name": ["a"]}), date(2023, 1, 1))
    huge = make_parks(2).assign(code=np.array([2**64 - 1, 1], dtype="uint64"))
    with pytest.raises(StoreError, match="'code'"):
        save(store, huge, date(2023, 1, 1))
    with pytest.raises(StoreError, match="GeoDataFrame"):
        save(store, pd.DataFrame(make_parks(2)), date(2023, 1, 1))
    assert isinstance(StoreError("x"), GeoDataError)


# ---------------------------------------------------------------- atomicity and concurrency


def _failing_writer(monkeypatch: pytest.MonkeyPatch, calls: list[int], *, path: Path) -> None:
    """Make the row writer write the first chunk, then fail on the second.

    ``calls`` receives the chunk sizes, the rows the failing transaction
    sees, and the snapshot count a concurrent reader sees at that moment.
    """
    real = store_gpkg_rows.insert_rows
    monkeypatch.setattr(store_gpkg_rows, "CHUNK_ROWS", 2)

    def writer(conn: sqlite3.Connection, sql: str, rows: Any) -> None:
        calls.append(len(rows))
        if len(calls) > 1:
            (written,) = conn.execute("SELECT count(*) FROM parks").fetchone()
            calls.append(written)
            calls.append(len(GeoPackageStore(path).list_snapshots()))
            msg = "disk unplugged"
            raise OSError(msg)
        real(conn, sql, rows)

    monkeypatch.setattr(store_gpkg_rows, "insert_rows", writer)


def test_failed_save_leaves_the_store_byte_for_byte_unchanged(gpkg_store: GeoPackageStore, monkeypatch: pytest.MonkeyPatch) -> None:
    store = gpkg_store
    first = save(store, make_parks(3), date(2023, 6, 30))
    before_bytes = store.location.read_bytes()
    before_listing = store.list_snapshots()
    calls: list[int] = []
    _failing_writer(monkeypatch, calls, path=store.location)
    bigger = make_parks(6).assign(new_column=["新列"] * 6)
    with pytest.raises(OSError, match="disk unplugged"):
        save(store, bigger, date(2023, 12, 31))
    # The first chunk of the new snapshot was written before the failure; a reader meanwhile saw one snapshot.
    assert calls == [2, 2, 3 + 2, 1]
    assert store.location.read_bytes() == before_bytes
    pd.testing.assert_frame_equal(store.list_snapshots(), before_listing)
    assert sorted(p.name for p in store.location.parent.iterdir()) == ["parkmap.gpkg", "parkmap.gpkg.lock"]
    monkeypatch.undo()
    reopened = GeoPackageStore(store.location)
    assert reopened.current("parks").attrs["snapshot"]["snapshot_id"] == first
    second = save(reopened, bigger, date(2023, 12, 31))
    assert_geodataframe_equal(reopened.load_snapshot(second), bigger)
    fields = pyogrio.read_info(reopened.location, layer="parks")["fields"]
    assert "extra_json" in fields and "new_column" not in fields  # extra columns live in one JSON column


def test_failed_first_save_leaves_no_store_behind(gpkg_store: GeoPackageStore, monkeypatch: pytest.MonkeyPatch) -> None:
    store = gpkg_store
    _failing_writer(monkeypatch, [], path=store.location)
    with pytest.raises(OSError, match="disk unplugged"):
        save(store, make_parks(6), date(2023, 12, 31))
    assert not store.location.exists()
    assert [p.name for p in store.location.parent.iterdir()] == ["parkmap.gpkg.lock"]


def test_concurrent_saves_from_threads_all_land(store: SnapshotStore, store_at: Callable[[], SnapshotStore]) -> None:
    frames = [make_parks(40 + i, offset=100 * i) for i in range(4)]
    start = threading.Barrier(len(frames))
    ids: dict[int, int] = {}
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            start.wait()
            ids[i] = save(store_at(), frames[i], date(2023, 1, 1 + i))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(frames))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(store.list_snapshots()["snapshot_id"]) == sorted(ids.values()) and len(set(ids.values())) == 4
    for i, frame in enumerate(frames):
        assert_geodataframe_equal(store.load_snapshot(ids[i]), frame)


def _save_in_process(path: str, tag: str, day: str) -> int:
    store = GeoPackageStore(path)
    return save(store, make_enterprises(3000, tag=tag), date.fromisoformat(day), kind="enterprises")


def test_concurrent_saves_from_processes_all_land(tmp_path: Path) -> None:
    path = tmp_path / "shared.gpkg"
    context = multiprocessing.get_context("spawn")
    with context.Pool(2) as pool:
        ids = pool.starmap(_save_in_process, [(str(path), "a", "2023-01-31"), (str(path), "b", "2023-02-28")])
    store = GeoPackageStore(path)
    assert sorted(store.list_snapshots("enterprises")["snapshot_id"]) == sorted(ids)
    for snapshot_id, tag in zip(ids, "ab", strict=True):
        assert_geodataframe_equal(store.load_snapshot(snapshot_id), make_enterprises(3000, tag=tag))
    assert len(gpd.read_file(path, layer="enterprises")) == 6000


def test_a_busy_store_makes_a_save_wait_then_give_up_clearly(tmp_path: Path) -> None:
    store = GeoPackageStore(tmp_path / "busy.gpkg", lock_timeout_s=0.3)
    with open(tmp_path / "busy.gpkg.lock", "a+b") as other:
        fcntl.flock(other, fcntl.LOCK_EX)
        with pytest.raises(StoreError, match="busy"):
            save(store, make_parks(2), date(2023, 1, 1))
        fcntl.flock(other, fcntl.LOCK_UN)
    save(store, make_parks(2), date(2023, 1, 1))
    assert not store.is_empty("parks")


# ---------------------------------------------------------------- location and file format


def test_location_comes_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(STORE_ENV_VAR, raising=False)
    assert store_location() == DEFAULT_STORE_PATH == Path(__file__).resolve().parents[3] / "data" / "store" / "parkmap.gpkg"
    monkeypatch.setenv(STORE_ENV_VAR, str(tmp_path / "elsewhere" / "x.gpkg"))
    assert store_location() == tmp_path / "elsewhere" / "x.gpkg"
    store = open_store()
    assert isinstance(store, SnapshotStore) and store.location == tmp_path / "elsewhere" / "x.gpkg"
    save(store, make_parks(2), date(2023, 1, 1))
    assert (tmp_path / "elsewhere" / "x.gpkg").is_file()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(STORE_ENV_VAR, "relative.gpkg")
    assert store_location() == tmp_path / "relative.gpkg"
    monkeypatch.setenv(STORE_ENV_VAR, "  ")
    assert store_location() == DEFAULT_STORE_PATH


@pytest.mark.parametrize(
    ("location", "match"),
    [
        ("postgresql+psycopg://planner:secret@db/parkmap", "without a driver name"),
        ("s3://bucket/parkmap.gpkg", "Unknown store location"),
        ("parkmap.sqlite", "ending in .gpkg"),
    ],
)
def test_unsupported_locations_are_refused(location: str, match: str) -> None:
    with pytest.raises(StoreError, match=match):
        open_store(location)


def test_a_file_that_is_not_a_geopackage_is_refused(tmp_path: Path) -> None:
    junk = tmp_path / "junk.gpkg"
    junk.write_bytes(b"PK\x03\x04 not a database")
    with pytest.raises(StoreError, match="not a GeoPackage"):
        open_store(junk)
    plain = tmp_path / "plain.gpkg"
    sqlite3.connect(plain).execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(StoreError, match="not a GeoPackage"):
        open_store(plain)


def test_the_file_opens_as_a_geopackage_with_pyogrio(gpkg_store: GeoPackageStore) -> None:
    store = gpkg_store
    parks = make_parks(4)
    first = save(store, parks, date(2023, 6, 30))
    second = save(store, make_parks(3, offset=50), date(2023, 12, 31))
    save(store, make_enterprises(5), date(2023, 12, 31), kind="enterprises")
    store.rollback(second, by="x", reason="wrong file")
    assert pyogrio.read_info(store.location, layer="parks")["driver"] == "GPKG"
    layers = dict(pyogrio.list_layers(store.location))
    assert {"parks", "parks_current", "enterprises", "enterprises_current", "snapshots"} <= set(layers)
    everything = gpd.read_file(store.location, layer="parks")
    assert everything.crs.to_epsg() == 4326 and len(everything) == 7
    assert sorted(set(everything["snapshot_id"])) == [first, second]
    current = gpd.read_file(store.location, layer="parks_current")
    assert current["name"].tolist() == parks["name"].tolist() and current["operator"].tolist() == parks["operator"].tolist()
    assert current.geom_equals(parks.geometry).all()
    assert current["start_date"].dropna().tolist() == parks["start_date"].dropna().tolist()
    assert len(gpd.read_file(store.location, layer="enterprises_current")) == 5
    meta = pyogrio.read_dataframe(store.location, layer="snapshots", read_geometry=False)
    assert meta["rolled_back"].tolist() == [False, True, False]


def test_open_store_protocol_and_repr(store: SnapshotStore, backend: str) -> None:
    assert isinstance(store, SnapshotStore) and isinstance(store, GeoPackageStore if backend == "gpkg" else PostgisStore)
    assert str(store.location) in repr(store) and type(store).__name__ in repr(store)
    checks: list[Callable[[], object]] = [lambda: store.list_snapshots("firms"), lambda: store.current("firms")]
    for call in checks:
        with pytest.raises(StoreError, match="`kind` must be one of"):
            call()
