"""Submissions in the GeoPackage store: one row per county and period, pointing at the snapshot holding the rows.

A submitted file is stored once, as a ``parks`` snapshot; each county it
covers gets a row in ``submissions`` (state, who, when, the changes against
the county's previous period as JSON). The ``parks`` rows of a submission are
the snapshot's rows of that county: the view ``submission_parks`` joins them
for QGIS, and ``parks_current`` is the consolidated register in force now.
Every state change is logged in ``submission_events``. The functions here run
inside the caller's transaction (see :mod:`geo.store.gpkg`).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any, Final

from geo.reporting.submissions import Submission
from geo.store.frames import SUBMISSION_COLUMNS, submission_from_row

DDL: Final = (
    """CREATE TABLE IF NOT EXISTS submissions (
        submission_id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
        snapshot_id INTEGER NOT NULL REFERENCES snapshots(snapshot_id),
        county_adcode TEXT NOT NULL, period TEXT NOT NULL, reporting_date DATE NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('submitted', 'approved', 'returned')),
        submitted_by TEXT NOT NULL, submitted_at DATETIME NOT NULL,
        reviewed_by TEXT NOT NULL DEFAULT '', reviewed_at DATETIME, reason TEXT NOT NULL DEFAULT '',
        row_count INTEGER NOT NULL, changes_json TEXT NOT NULL DEFAULT '{}')""",
    "CREATE INDEX IF NOT EXISTS submissions_county_period_idx ON submissions (county_adcode, period)",
    """CREATE TABLE IF NOT EXISTS submission_events (
        event_id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
        submission_id INTEGER NOT NULL REFERENCES submissions(submission_id),
        action TEXT NOT NULL CHECK (action IN ('submitted', 'approved', 'returned')),
        at DATETIME NOT NULL, by TEXT NOT NULL, reason TEXT NOT NULL)""",
    """CREATE VIEW IF NOT EXISTS submission_parks AS
        SELECT p.*, s.submission_id AS submission_id_, s.period AS period_, s.state AS state_
        FROM parks p JOIN submissions s ON s.snapshot_id = p.snapshot_id AND s.county_adcode = p.county_adcode""",
)
# The consolidated register in force now: per county, its latest approved submission whose file is not withdrawn.
IN_FORCE_SQL: Final = """
    SELECT (SELECT s.submission_id FROM submissions s JOIN snapshots n ON n.snapshot_id = s.snapshot_id
            WHERE s.county_adcode = c.county_adcode AND s.state = 'approved' AND n.rolled_back = 0
            ORDER BY s.reporting_date DESC, coalesce(s.reviewed_at, s.submitted_at) DESC, s.submission_id DESC LIMIT 1)
    FROM (SELECT DISTINCT county_adcode FROM submissions) c"""
CURRENT_VIEW: Final = (
    "CREATE VIEW IF NOT EXISTS parks_current AS SELECT p.* FROM parks p JOIN submissions s "
    "ON s.snapshot_id = p.snapshot_id AND s.county_adcode = p.county_adcode "
    f"WHERE s.submission_id IN ({IN_FORCE_SQL}) ORDER BY p.fid"
)
LAYERS: Final = {
    "submission_parks": "Parks of every county submission (submission_id_, period_, state_); parkmap store",
}
_SELECT: Final = f"SELECT {SUBMISSION_COLUMNS} FROM submissions s JOIN snapshots n ON n.snapshot_id = s.snapshot_id"


def create(conn: sqlite3.Connection) -> None:
    """Create the submission tables and views (and register the view as a layer), if missing.

    Parameters
    ----------
    conn
        An open connection, inside a write transaction.
    """
    for ddl in DDL:
        conn.execute(ddl)
    conn.execute(CURRENT_VIEW)
    contents = "INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, description, srs_id) VALUES (?, ?, ?, ?, ?)"
    for name, description in LAYERS.items():
        conn.execute(contents, (name, "features", name, description, 4326))
        conn.execute("INSERT OR IGNORE INTO gpkg_geometry_columns VALUES (?, 'geom', 'GEOMETRY', 4326, 2, 0)", (name,))
    attributes = "INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, description) VALUES (?, 'attributes', ?, ?)"
    conn.execute(attributes, ("submissions", "submissions", "One row per county submission for a period; parkmap store"))
    conn.execute(attributes, ("submission_events", "submission_events", "Audit log of submissions and their review"))


def present(conn: sqlite3.Connection) -> bool:
    """Return True when the store has the submission tables (a store of layout 2 gets them with its next write).

    Parameters
    ----------
    conn
        An open connection.

    Returns
    -------
    bool
        True when ``submissions`` exists.
    """
    return conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'submissions'").fetchone() is not None


def all_submissions(conn: sqlite3.Connection) -> list[Submission]:
    """Return every submission, oldest first.

    Parameters
    ----------
    conn
        An open connection.

    Returns
    -------
    list of Submission
        In the order they were made.
    """
    return [submission_from_row(r) for r in conn.execute(f"{_SELECT} ORDER BY s.submission_id")]


def find(conn: sqlite3.Connection, submission_id: object) -> Submission | None:
    """Return one submission, or None when there is none with that id.

    Parameters
    ----------
    conn
        An open connection.
    submission_id
        The id given (a non-integer finds nothing).

    Returns
    -------
    Submission or None
        The submission.
    """
    if isinstance(submission_id, bool) or not isinstance(submission_id, int):
        return None
    row = conn.execute(f"{_SELECT} WHERE s.submission_id = ?", (submission_id,)).fetchone()
    return None if row is None else submission_from_row(row)


def insert(
    conn: sqlite3.Connection,
    *,
    snapshot_id: int,
    counties: Mapping[str, int],
    period: str,
    reporting_date: date,
    by: str,
    now: str,
    changes: Mapping[str, Mapping[str, Any]],
    approve: bool,
) -> list[int]:
    """Add one submission per county of a stored snapshot; return their ids.

    Parameters
    ----------
    conn
        An open connection, inside a write transaction.
    snapshot_id
        The snapshot holding the rows.
    counties
        County adcode → its number of rows.
    period
        The period's code (``2024Q3``).
    reporting_date
        The date the register describes.
    by
        Who submits.
    now
        The time, ISO text in UTC.
    changes
        County adcode → what changed against its previous period (JSON-ready).
    approve
        Approve at once (a single-user install, or a whole-city register loaded by the city).

    Returns
    -------
    list of int
        The new submissions' ids, in the order of ``counties``.
    """
    ids = []
    for county, count in counties.items():
        cursor = conn.execute(
            "INSERT INTO submissions (snapshot_id, county_adcode, period, reporting_date, state, submitted_by, submitted_at, "
            "reviewed_by, reviewed_at, row_count, changes_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (snapshot_id, county, period, reporting_date.isoformat(), "approved" if approve else "submitted", by, now,
             by if approve else "", now if approve else None, count, json.dumps(changes.get(county, {}), ensure_ascii=False)),
        )  # fmt: skip
        sid = int(cursor.lastrowid or 0)
        log(conn, sid, "submitted", now=now, by=by, reason="")
        if approve:
            log(conn, sid, "approved", now=now, by=by, reason="")
        ids.append(sid)
    return ids


def review(conn: sqlite3.Connection, submission_id: int, *, state: str, by: str, reason: str, now: str) -> None:
    """Record an approval or a return.

    Parameters
    ----------
    conn
        An open connection, inside a write transaction.
    submission_id
        The submission.
    state
        ``approved`` or ``returned``.
    by
        Who reviews.
    reason
        Why it was returned ('' for an approval).
    now
        The time, ISO text in UTC.
    """
    conn.execute(
        "UPDATE submissions SET state = ?, reviewed_by = ?, reviewed_at = ?, reason = ? WHERE submission_id = ?",
        (state, by, now, reason, submission_id),
    )
    log(conn, submission_id, state, now=now, by=by, reason=reason)


def log(conn: sqlite3.Connection, submission_id: int, action: str, *, now: str, by: str, reason: str) -> None:
    """Append one event to ``submission_events``.

    Parameters
    ----------
    conn
        An open connection, inside a write transaction.
    submission_id
        The submission.
    action
        ``submitted``, ``approved`` or ``returned``.
    now
        The time, ISO text in UTC.
    by
        Who.
    reason
        Why (may be blank).
    """
    conn.execute(
        "INSERT INTO submission_events (submission_id, action, at, by, reason) VALUES (?, ?, ?, ?, ?)",
        (submission_id, action, now, by, reason),
    )


def counties_seen(conn: sqlite3.Connection) -> set[str]:
    """Return every county that has ever had a submission.

    Parameters
    ----------
    conn
        An open connection.

    Returns
    -------
    set of str
        County adcodes.
    """
    return {str(r[0]) for r in conn.execute("SELECT DISTINCT county_adcode FROM submissions")}


def snapshot_counties(conn: sqlite3.Connection, snapshot_id: int) -> dict[str, int]:
    """Return county adcode → number of rows of a parks snapshot.

    Parameters
    ----------
    conn
        An open connection.
    snapshot_id
        A parks snapshot.

    Returns
    -------
    dict
        Sorted by adcode.
    """
    rows = conn.execute(
        "SELECT county_adcode, count(*) FROM parks WHERE snapshot_id = ? AND county_adcode IS NOT NULL "
        "GROUP BY county_adcode ORDER BY county_adcode",
        (snapshot_id,),
    )
    return {str(c): int(n) for c, n in rows}


def whole_region_counties(conn: sqlite3.Connection, snapshot_id: int, *, also: Iterable[str] = ()) -> dict[str, int]:
    """Return the counties a whole-region snapshot speaks for: its own, and every county seen before (with 0 rows).

    A whole-city register without a county's rows says that county has no parks, as it did before submissions.

    Parameters
    ----------
    conn
        An open connection.
    snapshot_id
        A parks snapshot.
    also
        Further counties to include.

    Returns
    -------
    dict
        County adcode → rows, sorted by adcode.
    """
    found = snapshot_counties(conn, snapshot_id)
    for county in {*counties_seen(conn), *also}:
        found.setdefault(county, 0)
    return dict(sorted(found.items()))


def migrate_snapshots(conn: sqlite3.Connection) -> None:
    """Layout 2 → 3: every parks snapshot becomes an approved whole-city submission for its reporting date's quarter.

    Parameters
    ----------
    conn
        An open connection, inside a write transaction.
    """
    from geo.reporting.periods import period_of

    rows = conn.execute(
        "SELECT snapshot_id, reporting_date, loaded_by, imported_at FROM snapshots WHERE kind = 'parks' ORDER BY snapshot_id"
    ).fetchall()
    every = {str(r[0]) for r in conn.execute("SELECT DISTINCT county_adcode FROM parks WHERE county_adcode IS NOT NULL")}
    for snapshot_id, reporting, by, at in rows:
        day = date.fromisoformat(str(reporting))
        insert(
            conn,
            snapshot_id=int(snapshot_id),
            counties=whole_region_counties(conn, int(snapshot_id), also=every),
            period=period_of(day).code,
            reporting_date=day,
            by=str(by),
            now=str(at),
            changes={},
            approve=True,
        )
