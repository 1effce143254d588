"""The writers of the many-users benchmark: six county clerks submit at once, the city approves, nothing may be lost.

Each county account takes its county's register in force, changes it (one more
enterprise in every park, so the stored rows can be told from the previous
quarter's), matches it against the previous quarter as the data page does
(:func:`geo.reporting.service.prepare_submission`) and submits it for a new
period through :class:`geo.accounts.guard.GuardedStore` (row-level security on
PostGIS applies the account's county). The six start together at a barrier,
each on its own thread; a city account approves each submission as soon as it
is handed over. :func:`check_submissions` then reads the store afresh and
counts what is missing or wrong.

The writers run in their own process (:func:`run_writers_in_process`) so that
their pandas and COPY work do not hold the benchmark's browser driver back.
"""

from __future__ import annotations

import hashlib
import queue
import threading
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from typing import Any

import pandas as pd

from geo.accounts import Account
from geo.accounts.guard import GuardedStore
from geo.accounts.pgbook import PostgresAccountBook
from geo.reporting.periods import Period, parse_period
from geo.reporting.service import prepare_submission
from geo.store import open_store

MARK_COLUMN = "enterprises"  # each park gets one more enterprise: the new quarter's rows differ from the last
DROPPED = ("submission_id", "period")  # columns register() adds that are not a register's own


@dataclass(frozen=True)
class Expected:
    """What one county's submission must look like in the store afterwards."""

    county: str
    period: str
    names: tuple[str, ...]
    marks: tuple[int, ...]  # MARK_COLUMN by park, in the order of ``names``


@dataclass
class WriterReport:
    """What the writers did: one :class:`Expected` per submission, timings and errors (as text)."""

    expected: list[Expected] = field(default_factory=list)
    submit_s: list[float] = field(default_factory=list)
    approve_s: list[float] = field(default_factory=list)
    wall_s: float = 0.0
    errors: list[str] = field(default_factory=list)


def next_register(store: Any, county: str) -> pd.DataFrame:
    """Return ``county``'s register in force with one more enterprise in every park (WGS-84, as submitted).

    Parameters
    ----------
    store
        The store.
    county
        The county's adcode.

    Returns
    -------
    GeoDataFrame
        The new quarter's register of that county.
    """
    current = store.register()
    mine = current[current["county_adcode"].astype(str) == county].drop(columns=[c for c in DROPPED if c in current.columns])
    mine = mine.reset_index(drop=True)
    before = mine[MARK_COLUMN] if MARK_COLUMN in mine.columns else pd.Series(0, index=mine.index)
    mine[MARK_COLUMN] = pd.to_numeric(before, errors="coerce").fillna(0).astype(int) + 1
    return mine


def _submit_one(guarded: GuardedStore, county: str, period: Period, counties: list[str]) -> tuple[Expected, int, float]:
    parks = next_register(guarded, county)
    prepared = prepare_submission(parks, store=guarded, period=period, county=county, region_counties=counties)
    sha = hashlib.sha256(f"bench.server {period.code} {county} {uuid.uuid4()}".encode()).hexdigest()
    start = time.perf_counter()
    (made,) = guarded.submit(prepared.parks, period=period, counties=prepared.counties, source_name=f"{period.code}_{county}_bench.xlsx",
                             source_sha256=sha, changes=prepared.changes_json(), note="bench.server")  # fmt: skip
    seconds = time.perf_counter() - start
    ordered = prepared.parks.sort_values("name")
    expected = Expected(county, period.code, tuple(ordered["name"].astype(str)), tuple(int(v) for v in ordered[MARK_COLUMN]))
    return expected, made.submission_id, seconds


def run_writers(url: str, *, counties: list[Account], city: Account, period_code: str, region_counties: list[str]) -> WriterReport:
    """Submit one register per county account at once (one thread each) while ``city`` approves each as it comes.

    Parameters
    ----------
    url
        The app's PostGIS URL.
    counties
        County accounts (in the account book), one thread each.
    city
        The city account that approves.
    period_code
        The new period (``2024Q3``).
    region_counties
        Every county of the region, in order.

    Returns
    -------
    WriterReport
        What was submitted and how long it took.
    """
    store, book, period = open_store(url), PostgresAccountBook(url), parse_period(period_code)
    report = WriterReport()
    handed: queue.Queue[int | None] = queue.Queue()
    start = threading.Barrier(len(counties))
    lock = threading.Lock()

    def clerk(account: Account) -> None:
        try:
            guarded = GuardedStore(store, account, book)
            start.wait(timeout=120)
            expected, submission_id, seconds = _submit_one(guarded, str(account.county), period, region_counties)
            with lock:
                report.expected.append(expected)
                report.submit_s.append(seconds)
            handed.put(submission_id)
        except Exception as exc:  # counted and reported, never hidden
            with lock:
                report.errors.append(f"{account.name}: {type(exc).__name__}: {exc}")
            handed.put(None)

    def approver() -> None:
        guarded = GuardedStore(store, city, book)
        for _ in counties:
            submission_id = handed.get(timeout=600)
            if submission_id is None:
                continue
            try:
                begun = time.perf_counter()
                guarded.approve_submission(submission_id)
                with lock:
                    report.approve_s.append(time.perf_counter() - begun)
            except Exception as exc:  # counted and reported
                with lock:
                    report.errors.append(f"{city.name} approving #{submission_id}: {type(exc).__name__}: {exc}")

    begun = time.perf_counter()
    threads = [threading.Thread(target=clerk, args=(a,), name=f"clerk-{a.name}") for a in counties]
    threads.append(threading.Thread(target=approver, name="city-approver"))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    report.wall_s = time.perf_counter() - begun
    return report


def warm() -> bool:
    """Do nothing: called once in a new writers' process so that importing this module happens before the users come.

    Returns
    -------
    bool
        True.
    """
    return True


def run_writers_in_process(url: str, **kwargs: Any) -> WriterReport:
    """Run :func:`run_writers` in a new (spawned) process and return its report.

    Parameters
    ----------
    url
        The app's PostGIS URL.
    **kwargs
        The other arguments of :func:`run_writers`.

    Returns
    -------
    WriterReport
        What the writers did.
    """
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(run_writers, url, **kwargs).result()


def check_submissions(url: str, expected: list[Expected], *, counties: list[Account]) -> tuple[int, list[str]]:
    """Count the expected submissions that are not in the store, approved, with their county, period and rows.

    A county account that submitted but whose submission is missing (its thread
    failed) counts as lost too: six clerks, six submissions.

    Parameters
    ----------
    url
        The app's PostGIS URL (read afresh).
    expected
        What the writers reported as submitted.
    counties
        The county accounts that were to submit.

    Returns
    -------
    tuple
        (submissions lost, what was wrong with each, in words).
    """
    store = open_store(url)
    problems: list[str] = []
    by_county = {e.county: e for e in expected}
    for account in counties:
        want = by_county.get(str(account.county))
        if want is None:
            problems.append(f"{account.county}: no submission was made")
            continue
        found = [s for s in store.list_submissions() if s.county_adcode == want.county and s.period.code == want.period]
        if len(found) != 1:
            problems.append(f"{want.county} {want.period}: {len(found)} submissions in the store, expected 1")
            continue
        sub = found[0]
        rows = store.load_submission(sub.submission_id).sort_values("name")
        names, marks = tuple(rows["name"].astype(str)), tuple(int(v) for v in rows[MARK_COLUMN])
        if sub.state != "approved":
            problems.append(f"{want.county} {want.period}: state {sub.state}, expected approved")
        elif sub.row_count != len(want.names) or names != want.names or marks != want.marks:
            problems.append(f"{want.county} {want.period}: rows differ ({sub.row_count} stored, {len(want.names)} submitted)")
        elif set(rows["county_adcode"].astype(str)) != {want.county}:
            problems.append(f"{want.county} {want.period}: rows of another county stored")
    return len(problems), problems
