"""County limits enforced by the database: row-level security refuses another county's rows even when the app's checks are bypassed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import psycopg
import pytest

from geo.accounts import SYSTEM, Account, signin
from geo.accounts import passwords as pw
from geo.accounts.pgbook import PostgresAccountBook
from geo.errors import StoreError
from geo.reporting.periods import Period
from geo.store import open_store
from geo.store.meta import check_snapshot_frame
from geo.store.postgis import PostgisStore, close_pool, declare_acting, migrations
from geo.store.postgis import rows as pg_rows
from geo.store.postgis import submissions as pg_subs
from tests.geo.reporting.registers import register
from tests.geo.store.conftest import fingerprint
from tests.geo.store.test_store import fresh_sha
from tests.pg import PgDatabase

KEQIAO = Account("keqiao_wang", "county", county="330603")
CITY = Account("shi_li", "city")
VIEWER = Account("guest", "viewer")
Q3 = Period(2024, 3)


@pytest.fixture
def db(pg_database: PgDatabase) -> Iterator[PgDatabase]:
    migrations.upgrade(pg_database.owner_url)
    yield pg_database
    close_pool(pg_database.app_url)


def _store(db: PgDatabase) -> PostgisStore:
    store = open_store(db.app_url)
    assert isinstance(store, PostgisStore)
    return store


def _send(store: PostgisStore, county: str, **kw: object) -> list:
    parks = register([{"name": f"{county}园", "county": county, "park_id": f"P{county}"}])
    return store.submit(parks, period=Q3, counties=[county], source_name="台账.xlsx", source_sha256=fresh_sha(),
                        submitted_by="x", **kw)  # type: ignore[arg-type]  # fmt: skip


def test_through_the_store_api_without_the_guard_a_county_still_cannot_write_another_county(db: PgDatabase) -> None:
    store = _store(db)
    before = fingerprint(store)
    keqiao = store.for_account(KEQIAO)
    with pytest.raises(StoreError, match=r"row-level security|权限"):
        _send(keqiao, "330602")  # 越城区's register, sent as 柯桥区: the database refuses the rows
    with pytest.raises(StoreError, match=r"row-level security|权限"):
        _send(keqiao, "330603", approve_now=True)  # approving is the city's, whatever the caller checked
    assert fingerprint(store) == before  # nothing half-written
    (mine,) = _send(keqiao, "330603")
    with pytest.raises(StoreError):
        keqiao.approve_submission(mine.submission_id, by="keqiao_wang")
    assert store.submission(mine.submission_id).state == "submitted"
    assert store.for_account(CITY).approve_submission(mine.submission_id, by="shi_li").state == "approved"
    with pytest.raises(StoreError):
        store.for_account(VIEWER).save_snapshot(register([{"name": "园"}]), kind="parks", reporting_date=date(2024, 9, 30),
                                                source_name="a.xlsx", source_sha256=fresh_sha(), loaded_by="guest")  # fmt: skip


def test_in_sql_a_county_transaction_cannot_insert_or_approve_another_countys_rows(db: PgDatabase) -> None:
    store = _store(db)
    (other,) = _send(store.for_account(CITY), "330602")
    with psycopg.connect(db.app_url) as conn:
        with conn.transaction():
            declare_acting(conn, "county", "330603", "keqiao_wang")
            updated = conn.execute("UPDATE parkmap.submissions SET state = 'approved' WHERE submission_id = %s", (other.submission_id,))
            assert updated.rowcount == 0  # the policy hides the row from a county's UPDATE
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"), conn.transaction():
            declare_acting(conn, "county", "330603", "keqiao_wang")
            conn.execute(
                "INSERT INTO parkmap.submissions (snapshot_id, county_adcode, period, reporting_date, state, submitted_by, "
                "submitted_at, row_count) VALUES (%s, '330602', '2024Q3', '2024-09-30', 'submitted', 'k', now(), 0)",
                (other.snapshot_id,),
            )
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"), conn.transaction():
            conn.execute("UPDATE parkmap.snapshots SET rolled_back = true")  # a transaction that declares nobody
            conn.execute(
                "INSERT INTO parkmap.snapshot_events (snapshot_id, action, at, done_by, reason) VALUES (%s, 'saved', now(), 'x', '')",
                (other.snapshot_id,),
            )
    assert store.submission(other.submission_id).state == "submitted"


def test_the_audit_log_refuses_changes_even_from_the_databases_owner(db: PgDatabase) -> None:
    book = PostgresAccountBook(db.app_url)
    book.add(KEQIAO, pw.hash_password("Keqiao-2024-report"), by=SYSTEM)
    with psycopg.connect(db.owner_url, autocommit=True) as conn:
        for statement in ("UPDATE parkmap.audit_log SET account = 'x'", "DELETE FROM parkmap.audit_log", "TRUNCATE parkmap.audit_log"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
                conn.execute(statement)  # type: ignore[arg-type]
    assert [e.action for e in book.events()] == ["add_account"]
    close_pool(db.app_url)


def test_a_county_account_cannot_change_accounts_but_renews_its_own_hash_at_sign_in(db: PgDatabase) -> None:
    book = PostgresAccountBook(db.app_url)
    book.add(KEQIAO, pw.hash_password("Keqiao-2024-report"), by=SYSTEM)
    yuecheng = Account("yuecheng_zhao", "county", county="330602")
    with pytest.raises(StoreError, match="市级账户"):
        book.set_disabled("keqiao_wang", True, by=yuecheng)  # refused by the book ...
    with psycopg.connect(db.app_url) as conn, conn.transaction():
        declare_acting(conn, "county", "330602", "yuecheng_zhao")
        assert conn.execute("UPDATE parkmap.accounts SET disabled = true").rowcount == 0  # ... and by the database
    assert not book.get("keqiao_wang").disabled  # type: ignore[union-attr]
    signin.forget_failures()
    assert signin.sign_in(book, "keqiao_wang", "Keqiao-2024-report") == KEQIAO
    assert (
        book.password_hash(
            "keqiao_wang",
        )
        is not None
    )


def test_reports_stored_under_version_2_stay_and_follow_the_new_rules(pg_database: PgDatabase) -> None:
    assert migrations.upgrade(pg_database.owner_url, target=2) == 2
    parks = register([{"name": "柯桥园", "park_id": "K1"}, {"name": "越城园", "county": "330602", "park_id": "Y1"}])
    meta = {"kind": "parks", "reporting_date": "2024-06-30", "source_name": "全市.xlsx", "source_sha256": fresh_sha(),
            "loaded_by": "王工", "note": ""}  # fmt: skip
    with psycopg.connect(pg_database.owner_url) as conn, conn.transaction():  # what version 2 of the app wrote
        snapshot_id = pg_rows.write_snapshot(conn, check_snapshot_frame(parks), meta)
        pg_subs.insert(conn, snapshot_id=snapshot_id, counties={"330603": 1, "330602": 1}, period="2024Q2",
                       reporting_date=date(2024, 6, 30), by="王工", now="2024-07-10T02:00:00.000Z", changes={}, approve=True)  # fmt: skip
    assert migrations.upgrade(pg_database.owner_url) == 3
    store = _store(pg_database)
    assert sorted(store.register()["name"]) == ["柯桥园", "越城园"]
    with pytest.raises(StoreError):
        _send(store.for_account(KEQIAO), "330602")
    _send(store.for_account(KEQIAO), "330603")
    close_pool(pg_database.app_url)
