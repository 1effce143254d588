"""Submissions in the PostGIS store: one row per county and period, pointing at the snapshot holding the rows.

The same model as the GeoPackage store (:mod:`geo.store.gpkg.submissions`):
a submitted file is stored once as a ``parks`` snapshot, each county it
covers gets a row in ``parkmap.submissions`` and every state change a row in
``parkmap.submission_events``. Times are ``timestamptz`` and read back as
ISO text in UTC with milliseconds, dates as ISO text and ``changes_json``
(``jsonb``) as JSON text, so :func:`geo.store.frames.submission_from_row`
reads both backends' rows. The functions here run inside the caller's
transaction (see :mod:`geo.store.postgis`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any, Final

import psycopg

from geo.reporting.submissions import Submission
from geo.store.frames import SUBMISSION_COLUMNS, submission_from_row

ISO_MS: Final = '\'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"\''


def iso_time(column: str) -> str:
    """Return the SQL that reads a ``timestamptz`` column as ISO text in UTC with milliseconds.

    Parameters
    ----------
    column
        A column expression.

    Returns
    -------
    str
        ``to_char(... AT TIME ZONE 'UTC', ...)``.
    """
    return f"to_char({column} AT TIME ZONE 'UTC', {ISO_MS})"


_READ: Final = (
    SUBMISSION_COLUMNS.replace("s.submitted_at", iso_time("s.submitted_at"))
    .replace("s.reviewed_at", iso_time("s.reviewed_at"))
    .replace("s.reporting_date", "to_char(s.reporting_date, 'YYYY-MM-DD')")
    .replace("s.changes_json", "s.changes_json::text")
)
_SELECT: Final = f"SELECT {_READ} FROM parkmap.submissions s JOIN parkmap.snapshots n ON n.snapshot_id = s.snapshot_id"


def present(conn: psycopg.Connection) -> bool:
    """Return True: a PostGIS store is opened only at the newest schema, which has submissions.

    Parameters
    ----------
    conn
        An open connection.

    Returns
    -------
    bool
        Always True.
    """
    return True


def all_submissions(conn: psycopg.Connection) -> list[Submission]:
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


def find(conn: psycopg.Connection, submission_id: object) -> Submission | None:
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
    if isinstance(submission_id, bool) or not isinstance(submission_id, int) or abs(submission_id) >= 2**63:
        return None
    row = conn.execute(f"{_SELECT} WHERE s.submission_id = %s", (submission_id,)).fetchone()
    return None if row is None else submission_from_row(row)


def insert(
    conn: psycopg.Connection,
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
        Approve at once.

    Returns
    -------
    list of int
        The new submissions' ids, in the order of ``counties``.
    """
    ids = []
    for county, count in counties.items():
        row = conn.execute(
            "INSERT INTO parkmap.submissions (snapshot_id, county_adcode, period, reporting_date, state, submitted_by, submitted_at, "
            "reviewed_by, reviewed_at, row_count, changes_json) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) "
            "RETURNING submission_id",
            (snapshot_id, county, period, reporting_date, "approved" if approve else "submitted", by, now,
             by if approve else "", now if approve else None, count, json.dumps(changes.get(county, {}), ensure_ascii=False)),
        ).fetchone()  # fmt: skip
        sid = int(row[0]) if row else 0
        log(conn, sid, "submitted", now=now, by=by, reason="")
        if approve:
            log(conn, sid, "approved", now=now, by=by, reason="")
        ids.append(sid)
    return ids


def review(conn: psycopg.Connection, submission_id: int, *, state: str, by: str, reason: str, now: str) -> None:
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
        "UPDATE parkmap.submissions SET state = %s, reviewed_by = %s, reviewed_at = %s, reason = %s WHERE submission_id = %s",
        (state, by, now, reason, submission_id),
    )
    log(conn, submission_id, state, now=now, by=by, reason=reason)


def log(conn: psycopg.Connection, submission_id: int, action: str, *, now: str, by: str, reason: str) -> None:
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
        "INSERT INTO parkmap.submission_events (submission_id, action, at, done_by, reason) VALUES (%s, %s, %s, %s, %s)",
        (submission_id, action, now, by, reason),
    )


def whole_region_counties(conn: psycopg.Connection, snapshot_id: int, *, also: Iterable[str] = ()) -> dict[str, int]:
    """Return the counties a whole-region snapshot speaks for: its own, and every county seen before (with 0 rows).

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
    rows = conn.execute(
        "SELECT county_adcode, count(*) FROM parkmap.parks WHERE snapshot_id = %s AND county_adcode IS NOT NULL GROUP BY county_adcode",
        (snapshot_id,),
    ).fetchall()
    found = {str(c): int(n) for c, n in rows}
    seen = {str(r[0]) for r in conn.execute("SELECT DISTINCT county_adcode FROM parkmap.submissions")}
    for county in {*seen, *also}:
        found.setdefault(county, 0)
    return dict(sorted(found.items()))
