"""The store under faults (issue 9): damaged, foreign and newer files, edits made in QGIS, killed saves, odd columns.

Faults of the file (damage, edits in QGIS, read-only folders, killed saves) are GeoPackage-only (``gpkg_store``);
the rest runs on both backends (``store``, see conftest.py).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from geopandas.testing import assert_geodataframe_equal

from geo.errors import DuplicateSnapshotError, StoreError
from geo.ingest.enterprises import import_enterprises
from geo.schema import ENTERPRISE_COLUMNS
from geo.store import GeoPackageStore, SnapshotStore, open_store
from tests.geo.store.conftest import fingerprint
from tests.geo.store.test_store import fresh_sha, make_enterprises, make_parks, save

ROOT = Path(__file__).resolve().parents[3]
DAY = date(2023, 12, 31)


@pytest.fixture
def gpkg(gpkg_store: GeoPackageStore) -> GeoPackageStore:
    return gpkg_store


def _sql(path: Path, *statements: str) -> None:
    """Edit the file the way another program (QGIS, sqlite3 shell) would."""
    conn = sqlite3.connect(path)
    try:
        for statement in statements:
            conn.execute(statement)
        conn.commit()
    finally:
        conn.close()


def _rows_match_metadata(path: Path) -> list[tuple[int, int]]:
    """Assert the file is sound and every snapshot has exactly its declared rows; return (id, rows)."""
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        declared = conn.execute("SELECT snapshot_id, row_count, kind FROM snapshots ORDER BY snapshot_id").fetchall()
        for snapshot_id, count, kind in declared:
            (stored,) = conn.execute(f"SELECT count(*) FROM {kind} WHERE snapshot_id = ?", (snapshot_id,)).fetchone()
            assert stored == count, (snapshot_id, stored, count)
        for kind in ("parks", "enterprises"):
            (total,) = conn.execute(f"SELECT count(*) FROM {kind}").fetchone()
            assert total == sum(c for _, c, k in declared if k == kind)
    return [(s, c) for s, c, _ in declared]


# ---------------------------------------------------------------- rollback and restore that do not apply


def test_rolling_back_twice_or_restoring_a_counting_snapshot_says_why(store: SnapshotStore) -> None:
    first = save(store, make_parks(3), DAY)
    with pytest.raises(StoreError, match=f"快照 #{first} 没有被撤回，无需恢复"):
        store.restore(first, by="王工")
    store.rollback(first, by="王工", reason="错误文件")
    with pytest.raises(StoreError, match=f"快照 #{first} 已于 .* 由 王工 撤回，无需再次撤回"):
        store.rollback(first, by="王工", reason="again")
    assert store.snapshot_info(first).rollback_reason == "错误文件"


# ---------------------------------------------------------------- files that are not (this program's) stores


def test_a_zero_byte_store_is_refused_and_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "parkmap.gpkg"
    path.write_bytes(b"")
    with pytest.raises(StoreError, match="0 字节"):
        open_store(path)
    store = GeoPackageStore(tmp_path / "other.gpkg")
    save(store, make_parks(2), DAY)
    (tmp_path / "other.gpkg").write_bytes(b"")  # emptied while the app runs
    with pytest.raises(StoreError, match="0 字节"):
        save(store, make_parks(2), DAY)
    with pytest.raises(StoreError, match="0 字节"):
        store.list_snapshots()
    assert path.stat().st_size == 0 and (tmp_path / "other.gpkg").stat().st_size == 0


@pytest.mark.parametrize("damage", ["truncated", "garbage pages"])
def test_a_damaged_store_gives_a_message_and_stays_as_it_is(gpkg: GeoPackageStore, damage: str) -> None:
    store = gpkg
    save(store, make_enterprises(3000), DAY, kind="enterprises")
    raw = store.location.read_bytes()
    if damage == "truncated":
        broken = raw[: len(raw) // 3]
    else:
        noise = random.Random(7).randbytes(len(raw) - 8192)
        broken = raw[:4096] + noise + raw[-4096:]
    store.location.write_bytes(broken)
    with pytest.raises(StoreError, match=r"无法读取|Cannot read") as caught:
        reopened = GeoPackageStore(store.location)
        reopened.list_snapshots()
        reopened.current("enterprises")
    assert "Traceback" not in str(caught.value)
    with pytest.raises(StoreError):
        save(store, make_parks(2), DAY)
    assert store.location.read_bytes() == broken


def test_a_store_from_a_newer_program_is_refused_untouched(gpkg: GeoPackageStore) -> None:
    store = gpkg
    save(store, make_parks(2), DAY)
    _sql(store.location, "UPDATE parkmap_store SET value = '7' WHERE key = 'layout_version'")
    before = store.location.read_bytes()
    with pytest.raises(StoreError, match=r"这个数据库由更新版本的程序创建（版本 7），请升级程序"):
        open_store(store.location)
    for call in (store.list_snapshots, lambda: store.current("parks"), lambda: save(store, make_parks(2), DAY)):
        with pytest.raises(StoreError, match="版本 7"):
            call()
    assert store.location.read_bytes() == before


def test_a_garbled_layout_version_is_refused(gpkg: GeoPackageStore) -> None:
    store = gpkg
    save(store, make_parks(2), DAY)
    _sql(store.location, "UPDATE parkmap_store SET value = 'two' WHERE key = 'layout_version'")
    with pytest.raises(StoreError, match=r"版本记录已损坏.*'two'"):
        open_store(store.location)


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("reporting_date", "去年年底"),
        ("imported_at", "yesterday"),
        ("rolled_back", "'maybe'"),
        ("row_count", "'many'"),
        ("kind", "'firms'"),
    ],
)
def test_garbage_in_the_snapshot_table_is_named(gpkg: GeoPackageStore, column: str, value: str) -> None:
    store = gpkg
    snapshot_id = save(store, make_parks(2), DAY)
    literal = value if value.startswith("'") else f"'{value}'"
    if column == "kind":  # the CHECK constraint guards kind; QGIS can still rebuild the table without it
        _sql(store.location, "PRAGMA ignore_check_constraints = ON", f"UPDATE snapshots SET kind = {literal}")
    else:
        _sql(store.location, f"UPDATE snapshots SET {column} = {literal}")
    before = store.location.read_bytes()
    for call in (store.list_snapshots, lambda: store.snapshot_info(snapshot_id), lambda: store.load_snapshot(snapshot_id)):
        with pytest.raises(StoreError, match=rf"快照 #{snapshot_id} 的记录已损坏：snapshots 表的 {column} 列"):
            call()
    assert store.location.read_bytes() == before


def test_damaged_column_description_or_extra_json_is_named(gpkg: GeoPackageStore) -> None:
    store = gpkg
    first = save(store, make_parks(2), DAY)
    second = save(store, make_parks(2), DAY)
    _sql(store.location, f"UPDATE snapshots SET columns_json = '[{{\"oops\"' WHERE snapshot_id = {first}")
    _sql(store.location, f"UPDATE parks SET extra_json = 'not json' WHERE snapshot_id = {second}")
    with pytest.raises(StoreError, match=rf"快照 #{first}.*columns_json"):
        store.load_snapshot(first)
    with pytest.raises(StoreError, match=rf"快照 #{second}.*第 1 行的附加列"):
        store.load_snapshot(second)


@pytest.mark.parametrize(
    ("edit", "named"),
    [
        ("ALTER TABLE parks RENAME COLUMN floor_area_m2 TO 建筑面积", "floor_area_m2"),
        ("ALTER TABLE parks DROP COLUMN operator", "operator"),
        ("ALTER TABLE parks RENAME COLUMN extra_json TO extras", "extra_json"),
        ("ALTER TABLE parks RENAME COLUMN geom TO shape", "geom"),
    ],
)
def test_a_column_renamed_or_dropped_in_qgis_is_named_not_read_as_its_name(gpkg: GeoPackageStore, edit: str, named: str) -> None:
    store = gpkg
    snapshot_id = save(store, make_parks(4), DAY)
    _sql(store.location, "DROP VIEW parks_current", edit)  # QGIS drops and recreates dependent views
    with pytest.raises(StoreError, match=rf"快照 #{snapshot_id}.*表 parks 中的列“{named}”"):
        store.load_snapshot(snapshot_id)
    with pytest.raises(StoreError, match=named):
        store.current("parks")


# ---------------------------------------------------------------- extra columns


def test_extra_columns_named_like_canonical_fields_are_saved_and_come_back(store: SnapshotStore) -> None:
    firms = make_enterprises(4)
    clashing = pd.DataFrame({"name": ["原名"] * 4, "status": ["在营"] * 4, "floor_area_m2": ["1200"] * 4, "geom": ["x"] * 4})
    firms = gpd.GeoDataFrame(pd.concat([firms.drop(columns="geometry"), clashing, firms[["geometry"]]], axis=1), crs=firms.crs)
    assert list(firms.columns).count("name") == 2
    loaded = store.load_snapshot(save(store, firms, DAY, kind="enterprises"))
    assert list(loaded.columns) == [*ENTERPRISE_COLUMNS, "原表_name", "status", "floor_area_m2", "geom", "geometry"]
    assert loaded["name"].tolist() == firms.iloc[:, 1].tolist() and loaded["原表_name"].tolist() == ["原名"] * 4
    parks = make_parks(3).assign(enterprise_id=["91330600X"] * 3, fid=[1, 2, 3], extra_json=["{}"] * 3)
    assert_geodataframe_equal(store.load_snapshot(save(store, parks, DAY)), parks)


def test_a_register_with_clashing_extra_headers_imports_and_saves(store: SnapshotStore) -> None:
    csv = (
        "统一社会信用代码,企业名称,所在区县,经度,纬度,name,status,floor_area_m2\n"
        "91330602MA2BXXXX01,绍兴甲纺织有限公司,越城区,120.58,30.00,别名甲,在营,1200\n"
        "91330602MA2BXXXX02,绍兴乙纺织有限公司,越城区,120.59,30.01,别名乙,注销,\n"
    ).encode()
    report = import_enterprises(csv, datum="wgs84", file_name="名录.csv")
    assert report.accepted == 2
    info = store.save_snapshot(
        report.data,
        kind="enterprises",
        reporting_date=DAY,
        source_name="名录.csv",
        source_sha256=hashlib.sha256(csv).hexdigest(),
        loaded_by="t",
    )
    loaded = store.load_snapshot(info.snapshot_id)
    assert loaded["name"].tolist() == ["绍兴甲纺织有限公司", "绍兴乙纺织有限公司"]
    assert loaded["status"].tolist() == ["在营", "注销"] and len(loaded) == 2


def test_extra_values_json_would_mangle_come_back_exactly(store: SnapshotStore) -> None:
    parks = make_parks(4).assign(
        面积=[np.inf, -np.inf, np.nan, 1e-300],
        看似JSON=['{"a": 1}', "null", "[1, 2]", '"quoted"'],
        整数=pd.array([2**62, None, -1, 0], dtype="Int64"),
    )
    assert_geodataframe_equal(store.load_snapshot(save(store, parks, DAY)), parks)


@pytest.mark.slow
def test_2100_extra_columns_are_saved_and_nothing_accumulates(gpkg: GeoPackageStore) -> None:
    store = gpkg
    parks = make_parks(3)
    extras = pd.DataFrame({f"第{i}列": [f"v{i}", None, str(i)] for i in range(2100)})
    wide = gpd.GeoDataFrame(pd.concat([parks.drop(columns="geometry"), extras, parks[["geometry"]]], axis=1), crs=parks.crs)
    first = save(store, wide, DAY)
    with sqlite3.connect(store.location) as conn:
        width = len(conn.execute("PRAGMA table_info(parks)").fetchall())
    other = wide.rename(columns={f"第{i}列": f"another {i}" for i in range(2100)})
    second = save(store, other, DAY)
    with sqlite3.connect(store.location) as conn:
        assert len(conn.execute("PRAGMA table_info(parks)").fetchall()) == width < 40
    assert_geodataframe_equal(store.load_snapshot(first), wide)
    assert_geodataframe_equal(store.load_snapshot(second), other)


def _to_layout_1(path: Path, extra: list[str]) -> None:
    """Rewrite a store as the previous program left it: extras as SQL columns, no extra_json, no version row."""
    conn = sqlite3.connect(path)
    try:
        for name in extra:
            conn.execute(f'ALTER TABLE parks ADD COLUMN "{name}" TEXT')
            conn.execute(f'UPDATE parks SET "{name}" = json_extract(extra_json, \'$."{name}"\')')
        for snapshot_id, text in conn.execute("SELECT snapshot_id, columns_json FROM snapshots").fetchall():
            specs = [{k: v for k, v in s.items() if k != "json"} | ({"sql": s["json"]} if "json" in s else {}) for s in json.loads(text)]
            text = json.dumps(specs, ensure_ascii=False)
            conn.execute("UPDATE snapshots SET columns_json = ? WHERE snapshot_id = ?", (text, snapshot_id))
        conn.execute("DROP VIEW parks_current")
        conn.execute("ALTER TABLE parks DROP COLUMN extra_json")
        conn.execute("CREATE VIEW parks_current AS SELECT * FROM parks")
        conn.execute("DROP TABLE parkmap_store")
        conn.execute("DELETE FROM gpkg_contents WHERE table_name = 'parkmap_store'")
        conn.commit()
    finally:
        conn.close()


def test_a_store_of_the_previous_layout_loads_and_is_migrated_by_the_next_save(gpkg: GeoPackageStore) -> None:
    store = gpkg
    old = make_parks(4)
    old_id = save(store, old, DAY)
    _to_layout_1(store.location, ["备注", "contact_phone"])
    reopened = GeoPackageStore(store.location)
    assert_geodataframe_equal(reopened.load_snapshot(old_id), old)
    new = make_parks(3).assign(新列=["a", "b", None])
    new_id = save(reopened, new, DAY)
    assert_geodataframe_equal(reopened.load_snapshot(old_id), old)
    assert_geodataframe_equal(reopened.load_snapshot(new_id), new)
    with sqlite3.connect(store.location) as conn:
        assert conn.execute("SELECT value FROM parkmap_store WHERE key = 'layout_version'").fetchone() == ("3",)
        columns = [r[1] for r in conn.execute("PRAGMA table_info(parks)")]
        assert "extra_json" in columns and "新列" not in columns
        (stored,) = conn.execute("SELECT extra_json FROM parks WHERE snapshot_id = ? ORDER BY fid", (new_id,)).fetchone()
    assert json.loads(stored)["新列"] == "a"


# ---------------------------------------------------------------- the same file twice


def test_saving_the_same_file_twice_returns_the_snapshot_it_is_stored_as(store: SnapshotStore) -> None:
    sha = fresh_sha()
    first = save(store, make_parks(3), DAY, source_sha256=sha)
    before = fingerprint(store)
    with pytest.raises(DuplicateSnapshotError, match=f"该文件已保存为快照 #{first}") as caught:
        save(store, make_parks(3), date(2024, 1, 31), source_sha256=sha.upper())
    assert caught.value.snapshot_id == first and isinstance(caught.value, StoreError)
    assert fingerprint(store) == before
    save(store, make_enterprises(3), DAY, kind="enterprises", source_sha256=sha)  # another kind: a different import
    store.rollback(first, by="王工", reason="错误")
    with pytest.raises(DuplicateSnapshotError, match=f"已撤回.*恢复快照 #{first}"):
        save(store, make_parks(3), DAY, source_sha256=sha)
    assert len(store.list_snapshots("parks")) == 1


# ---------------------------------------------------------------- read-only folders


def _as_nobody(code: str) -> subprocess.CompletedProcess[str]:
    setpriv = shutil.which("setpriv")
    if os.geteuid() != 0 or setpriv is None:
        pytest.skip("needs root and setpriv to run a child as an unprivileged user")
    prelude = f"import sys; sys.path.insert(0, {str(ROOT)!r})\n"
    command = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", "--", sys.executable, "-c", prelude + textwrap.dedent(code)]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="parkmap-ro-"))
    folder.chmod(0o755)
    yield folder
    for path in folder.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    shutil.rmtree(folder)


def test_a_read_only_store_folder_gives_a_message_and_data_is_untouched(shared_dir: Path) -> None:
    existing = shared_dir / "held" / "parkmap.gpkg"
    save(GeoPackageStore(existing), make_parks(3), DAY)
    existing.parent.chmod(0o555)
    empty = shared_dir / "empty"
    empty.mkdir(mode=0o555)
    empty.chmod(0o555)
    before = existing.read_bytes()
    result = _as_nobody(f"""
        from datetime import date
        from geo.errors import StoreError
        from geo.store import GeoPackageStore
        from tests.geo.store.test_store import fresh_sha, make_parks
        for path in ({str(existing)!r}, {str(empty / "parkmap.gpkg")!r}):
            store = GeoPackageStore(path)
            print("read", len(store.list_snapshots()))
            try:
                store.save_snapshot(make_parks(2), kind="parks", reporting_date=date(2023, 1, 1), source_name="a",
                                    source_sha256=fresh_sha(), loaded_by="nobody")
            except StoreError as exc:
                print("message", exc)
    """)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "read 1" and lines[2] == "read 0"
    assert all("没有写权限" in line and "数据未改动" in line for line in (lines[1], lines[3])), lines
    assert existing.read_bytes() == before and list(empty.iterdir()) == []


# ---------------------------------------------------------------- killed saves

_CHILD = """
import sys, hashlib, itertools
from datetime import date
import numpy as np, geopandas as gpd
from geo.store import GeoPackageStore
path, n = sys.argv[1], int(sys.argv[2])
idx = np.arange(n)
data = {"enterprise_id": [f"E{i}" for i in idx], "name": [f"企业{i}" for i in idx], "source_row": idx, "备注": ["附注"] * n}
gdf = gpd.GeoDataFrame(data, geometry=gpd.points_from_xy(120 + idx * 1e-6, 30 + idx * 1e-6), crs="EPSG:4326")
store = GeoPackageStore(path)
print("ready", flush=True)
for k in itertools.count():
    sha = hashlib.sha256(f"{sys.argv[3]} {k}".encode()).hexdigest()
    store.save_snapshot(gdf, kind="enterprises", reporting_date=date(2023, 1, 1), source_name="a.csv", source_sha256=sha, loaded_by="child")
"""
_CHILD_ROWS = 50_000


def _start_saver(path: Path, tag: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen([sys.executable, "-c", _CHILD, str(path), str(_CHILD_ROWS), tag], stdout=subprocess.PIPE, text=True, env=env)
    assert child.stdout is not None and child.stdout.readline().strip() == "ready"
    return child


def _kill(child: subprocess.Popen[str]) -> None:
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    assert child.stdout is not None
    child.stdout.close()


@pytest.mark.slow
def test_a_save_killed_at_any_moment_leaves_the_store_before_or_after_it(tmp_path: Path) -> None:
    path = tmp_path / "parkmap.gpkg"
    delays = random.Random(20240630)
    seen: list[tuple[int, int]] = []
    for round_ in range(6):
        child = _start_saver(path, f"round {round_}")
        threshold = delays.uniform(0.05, 1.0)
        _kill_after(child, threshold)
        if not path.exists():  # killed during the very first save
            assert GeoPackageStore(path).list_snapshots().empty
            continue
        store = GeoPackageStore(path)  # opening replays the journal and removes the killed first save's file
        listing = store.list_snapshots("enterprises")
        snapshots = _rows_match_metadata(path)
        assert snapshots[: len(seen)] == seen  # nothing committed was lost
        assert all(count == _CHILD_ROWS for _, count in snapshots)
        assert len(listing) == len(snapshots)
        current = store.current("enterprises")
        assert (current is None) == (not snapshots) and (current is None or len(current) == _CHILD_ROWS)
        seen = snapshots
        assert not [p for p in tmp_path.iterdir() if ".new" in p.name]
        _assert_no_hot_journal(path)
    assert seen, "no save ever committed: the delays are too short for this machine"


_JOURNAL_MAGIC = bytes.fromhex("d9d505f920a163d7")


def _assert_no_hot_journal(path: Path) -> None:
    """After a read, a journal may stay only if SQLite had already finished it (header zeroed, not hot)."""
    journal = path.with_name(path.name + "-journal")
    if journal.exists():
        assert journal.read_bytes()[:8] != _JOURNAL_MAGIC


def _kill_after(child: subprocess.Popen[str], seconds: float) -> None:
    try:
        child.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        pass
    else:  # pragma: no cover - the child only ends when killed
        pytest.fail(f"the saving child ended by itself with {child.returncode}")
    _kill(child)


def test_a_killed_first_save_leaves_files_that_the_next_open_removes(tmp_path: Path) -> None:
    path = tmp_path / "parkmap.gpkg"
    child = _start_saver(path, "first")
    deadline = 30.0
    while not list(tmp_path.glob(".parkmap.gpkg.*.new")) and deadline > 0:
        try:
            child.wait(timeout=0.01)
        except subprocess.TimeoutExpired:
            deadline -= 0.01
    _kill(child)
    left = sorted(p.name for p in tmp_path.iterdir() if ".new" in p.name)
    if path.exists():  # pragma: no cover - killed just after the first commit
        pytest.skip("the first save completed before the kill")
    assert left and left[0] == f".parkmap.gpkg.{child.pid}.new"
    live = tmp_path / f".parkmap.gpkg.{os.getppid()}.new"  # a first save still running in another process
    live.write_bytes(b"in progress")
    store = GeoPackageStore(path)
    assert sorted(p.name for p in tmp_path.iterdir() if ".new" in p.name) == [live.name]
    save(store, make_parks(2), DAY)
    assert len(store.list_snapshots()) == 1 and live.exists()


def test_open_store_and_save_work_next_to_leftovers_with_unusual_names(tmp_path: Path) -> None:
    path = tmp_path / "园区[2024].gpkg"
    (tmp_path / ".园区[2024].gpkg.notapid.new").write_bytes(b"x")
    store = GeoPackageStore(path)
    save(store, make_parks(2), DAY)
    assert (tmp_path / ".园区[2024].gpkg.notapid.new").exists()  # not a name this program writes: left alone
    current = store.current("parks")
    assert current is not None and np.array_equal(current["source_row"].to_numpy(), make_parks(2)["source_row"].to_numpy())
