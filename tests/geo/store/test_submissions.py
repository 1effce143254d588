"""County submissions in both stores: only approved ones count, a county replaces only its own parks."""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest

from geo.errors import StoreError
from geo.reporting.periods import Period
from geo.store import GeoPackageStore, SnapshotStore
from tests.geo.reporting.registers import register
from tests.geo.store.conftest import fingerprint, write_error
from tests.geo.store.test_store import fresh_sha, make_parks, save

Q2, Q3 = Period(2024, 2), Period(2024, 3)


def city() -> object:
    rows = [{"name": f"柯桥园{i}", "park_id": f"K{i}"} for i in range(3)]
    rows += [{"name": f"越城园{i}", "county": "330602", "park_id": f"Y{i}", "dlat": i} for i in range(2)]
    return register(rows)


def submit(store: SnapshotStore, parks: object, period: Period, counties: list[str], **kw: object) -> list:
    return store.submit(
        parks, period=period, counties=counties, source_name="台账.xlsx", source_sha256=fresh_sha(), submitted_by="柯桥区经信局", **kw
    )  # type: ignore[arg-type]


def test_a_county_submission_replaces_only_that_county_and_only_once_approved(store: SnapshotStore) -> None:
    submit(store, city(), Q2, ["330603", "330602"], approve_now=True)
    (keqiao,) = submit(store, register([{"name": "柯桥新园", "park_id": "K9"}]), Q3, ["330603"])
    assert keqiao.state == "submitted"
    before = store.current("parks")
    assert sorted(before["name"]) == sorted(["柯桥园0", "柯桥园1", "柯桥园2", "越城园0", "越城园1"])  # submitting alone changes nothing
    store.approve_submission(keqiao.submission_id, by="市经信局")
    after = store.register()
    assert sorted(after["name"]) == ["柯桥新园", "越城园0", "越城园1"]  # 越城 untouched
    assert set(after.loc[after["county_adcode"] == "330603", "period"]) == {"2024Q3"}
    assert set(after.loc[after["county_adcode"] == "330602", "period"]) == {"2024Q2"}
    # the register at the end of Q2 is still the old one: progress at a past date uses what was in force then
    assert len(store.register(Q2.end)) == 5


def test_a_returned_submission_never_counts_and_needs_a_reason(store: SnapshotStore) -> None:
    submit(store, city(), Q2, ["330603", "330602"], approve_now=True)
    (sub,) = submit(store, register([{"name": "柯桥新园"}]), Q3, ["330603"])
    with pytest.raises(StoreError, match="原因"):
        store.return_submission(sub.submission_id, by="市经信局", reason="  ")
    back = store.return_submission(sub.submission_id, by="市经信局", reason="缺少坐标")
    assert back.state == "returned" and back.reason == "缺少坐标"
    assert "柯桥新园" not in set(store.register()["name"])
    with pytest.raises(StoreError, match="已退回"):
        store.approve_submission(sub.submission_id, by="市经信局")


def test_rows_of_another_county_are_refused_and_nothing_is_stored(store: SnapshotStore) -> None:
    with pytest.raises(StoreError, match="330602"):
        submit(store, city(), Q3, ["330603"])
    assert store.list_submissions() == [] and store.register() is None


def test_a_whole_city_snapshot_is_an_approved_submission_of_every_county(store: SnapshotStore) -> None:
    save(store, make_parks(8), date(2024, 6, 30))
    subs = store.list_submissions()
    assert {s.county_adcode for s in subs} == {"330603", "330602", "330604", "330681"}
    assert {s.state for s in subs} == {"approved"} and {s.period.code for s in subs} == {"2024Q2"}
    # a county missing from the next whole-city register has no parks then, as before submissions
    later = make_parks(8)
    later = later[later["county_adcode"] != "330604"]
    save(store, later, date(2024, 9, 30))
    assert "330604" not in set(store.current("parks")["county_adcode"])
    assert len(store.as_of("parks", date(2024, 7, 1))) == 8


def test_a_layout_2_store_is_migrated_into_submissions_by_the_next_write(gpkg_store: GeoPackageStore) -> None:
    store = gpkg_store
    first = save(store, make_parks(4), date(2023, 12, 31))
    with sqlite3.connect(store.location) as conn:  # make it a store of the previous layout
        conn.execute("DROP VIEW parks_current")
        conn.execute("CREATE VIEW parks_current AS SELECT * FROM parks")
        for table in ("submission_events", "submissions"):
            conn.execute(f"DROP TABLE {table}")
        conn.execute("DELETE FROM gpkg_contents WHERE table_name LIKE 'submission%'")
        conn.execute("DELETE FROM gpkg_geometry_columns WHERE table_name LIKE 'submission%'")
        conn.execute("UPDATE parkmap_store SET value = '2' WHERE key = 'layout_version'")
    old = GeoPackageStore(store.location)
    assert len(old.current("parks")) == 4 and old.list_submissions() == []  # read before migration
    submit(old, register([{"name": "柯桥新园"}]), Q3, ["330603"], approve_now=True)
    migrated = old.list_submissions()
    assert {s.snapshot_id for s in migrated if s.period.code == "2023Q4"} == {first}
    now = old.current("parks")
    assert "柯桥新园" in set(now["name"]) and len(now) == 4  # 柯桥's one park replaced by its new one
    with sqlite3.connect(store.location) as conn:
        assert conn.execute("SELECT value FROM parkmap_store WHERE key = 'layout_version'").fetchone() == ("3",)
        assert conn.execute("SELECT count(*) FROM parks_current").fetchone() == (4,)


def test_a_failed_submission_leaves_the_store_as_it_was(store: SnapshotStore, monkeypatch: pytest.MonkeyPatch) -> None:
    submit(store, city(), Q2, ["330603", "330602"], approve_now=True)
    before = fingerprint(store)
    error = write_error(store)

    def broken(*args: object, **kwargs: object) -> None:
        raise error

    monkeypatch.setattr(store._subs, "insert", broken)  # type: ignore[attr-defined]
    with pytest.raises(StoreError):
        submit(store, register([{"name": "柯桥新园"}]), Q3, ["330603"])
    assert fingerprint(store) == before


def test_a_withdrawn_file_takes_its_submissions_out_of_force(store: SnapshotStore) -> None:
    submit(store, city(), Q2, ["330603", "330602"], approve_now=True)
    (sub,) = submit(store, register([{"name": "柯桥新园"}]), Q3, ["330603"], approve_now=True)
    store.rollback(sub.snapshot_id, by="市经信局", reason="文件有误")
    assert "柯桥新园" not in set(store.register()["name"])
    assert not store.submission(sub.submission_id).counts
