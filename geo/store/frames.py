"""What every store backend does the same way with rows it has read: times, refusals, the consolidated register.

The GeoPackage and PostGIS stores both keep times as ISO text in UTC with
milliseconds (``2024-01-31T08:00:00.123Z``; PostGIS stores ``timestamptz`` and
reads it back in this form), read submission rows in the same column order
(:func:`submission_from_row`), refuse a file stored twice with the same words
(:func:`duplicate_error`) and build the city's register from the snapshots in
force in the same way (:func:`consolidate`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any, Final

import geopandas as gpd
import pandas as pd

from geo.crs import WGS84
from geo.errors import DuplicateSnapshotError, StoreError
from geo.reporting.periods import parse_period
from geo.reporting.submissions import Submission
from geo.store.meta import SnapshotInfo

_KIND_LABELS: Final = {"parks": "园区台账", "enterprises": "企业名录"}
# The columns of a submission row, in the order :func:`submission_from_row` reads them.
SUBMISSION_COLUMNS: Final = (
    "s.submission_id, s.county_adcode, s.period, s.state, s.submitted_by, s.submitted_at, s.reviewed_by, s.reviewed_at, "
    "s.reason, s.reporting_date, s.snapshot_id, n.source_name, s.row_count, s.changes_json, n.rolled_back"
)


def utc_now_text() -> str:
    """Return the current UTC time as GeoPackage DATETIME text (``2024-01-31T08:00:00.123Z``)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def utc_text(moment: datetime | None) -> str:
    """Return a past moment as GeoPackage DATETIME text in UTC (None: now).

    Parameters
    ----------
    moment
        A time with its zone (a history being replayed: when a report was really sent or reviewed), or None.

    Returns
    -------
    str
        ``2024-01-31T08:00:00.123Z``.

    Raises
    ------
    StoreError
        The time has no zone, or is in the future.
    """
    if moment is None:
        return utc_now_text()
    if moment.tzinfo is None:
        raise StoreError(f"A recorded time needs its time zone (for example +08:00), not {moment.isoformat()}.")
    if moment > datetime.now(UTC):
        raise StoreError(f"A recorded time cannot be in the future: {moment.isoformat()}.")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _time(text: Any) -> datetime | None:
    return None if text in (None, "") else datetime.fromisoformat(str(text).replace("Z", "+00:00"))


def submission_from_row(row: Sequence[Any]) -> Submission:
    """Return a submission from a stored row (the columns of :data:`SUBMISSION_COLUMNS`; times and dates as ISO text).

    Parameters
    ----------
    row
        One row, ``changes_json`` as JSON text.

    Returns
    -------
    Submission
        The submission.

    Raises
    ------
    StoreError
        A field holds something the store never writes (edited outside the app).
    """
    (sid, county, period, state, by, at, reviewed_by, reviewed_at, reason, reporting, snapshot_id, source, count, changes, rolled) = row
    try:
        return Submission(
            submission_id=int(sid),
            county_adcode=str(county),
            period=parse_period(period),
            state=state,
            submitted_by=str(by),
            submitted_at=_time(at) or datetime.min,
            reviewed_by=str(reviewed_by or ""),
            reviewed_at=_time(reviewed_at),
            reason=str(reason or ""),
            reporting_date=date.fromisoformat(str(reporting)),
            snapshot_id=int(snapshot_id),
            source_name=str(source),
            row_count=int(count),
            changes=json.loads(changes or "{}"),
            counts=not bool(rolled),
        )
    except (TypeError, ValueError) as exc:
        msg = f"报送 #{sid} 的记录已损坏（{exc}），可能在其他软件中被修改；请从备份恢复数据库。"
        raise StoreError(msg) from exc


def county_rows(frame: gpd.GeoDataFrame, county: str) -> gpd.GeoDataFrame:
    """Return one county's rows of a stored file (a submission's parks), keeping the file's metadata.

    Parameters
    ----------
    frame
        The stored file's rows (WGS-84).
    county
        The county's adcode.

    Returns
    -------
    GeoDataFrame
        Its rows, in the file's order, with a fresh index.
    """
    out = frame[frame["county_adcode"].astype(str) == county].reset_index(drop=True)
    out.attrs = dict(frame.attrs)
    return out


def legacy_register(frame: gpd.GeoDataFrame, info: SnapshotInfo) -> gpd.GeoDataFrame:
    """Return a parks snapshot of a store from before submissions, shaped as a register.

    Parameters
    ----------
    frame
        The snapshot's rows.
    info
        Its metadata.

    Returns
    -------
    GeoDataFrame
        The rows with an empty ``submission_id`` and ``period``.
    """
    out = frame.assign(submission_id=pd.NA, period="")
    out.attrs = {"snapshot": info.as_dict(), "register": {}}
    return out


def consolidate(frames: Mapping[int, gpd.GeoDataFrame], chosen: Mapping[str, Submission]) -> gpd.GeoDataFrame:
    """Return the city's register: each county's rows from its snapshot in force, in the snapshot's row order, newest snapshot first.

    Parameters
    ----------
    frames
        Snapshot id → its rows, for every snapshot of ``chosen``.
    chosen
        County adcode → its submission in force.

    Returns
    -------
    GeoDataFrame
        WGS-84, with ``submission_id`` and ``period``; ``attrs["register"]`` names each county's submission.
    """
    by_snapshot: dict[int, dict[str, Submission]] = {}
    for county, sub in chosen.items():
        by_snapshot.setdefault(sub.snapshot_id, {})[county] = sub
    parts = []
    for snapshot_id in sorted(by_snapshot, reverse=True):
        frame, mine = frames[snapshot_id], by_snapshot[snapshot_id]
        county = frame["county_adcode"].astype(str)
        rows_ = frame[county.isin(list(mine))]
        ids = county[county.isin(list(mine))].map({c: s.submission_id for c, s in mine.items()})
        periods = county[county.isin(list(mine))].map({c: s.period.code for c, s in mine.items()})
        parts.append(rows_.assign(submission_id=ids.astype("int64"), period=periods))
    nonempty = [p for p in parts if len(p)]
    out = nonempty[0].reset_index(drop=True) if len(nonempty) == 1 else pd.concat(nonempty or parts[:1], ignore_index=True)
    result = gpd.GeoDataFrame(out, geometry="geometry", crs=WGS84)
    newest = max(chosen.values(), key=lambda s: (s.describes, s.snapshot_id))
    result.attrs = {
        "snapshot": dict(frames[newest.snapshot_id].attrs.get("snapshot", {})),
        "register": {
            c: {
                "submission_id": s.submission_id,
                "period": s.period.code,
                "reporting_date": s.describes.isoformat(),
                "snapshot_id": s.snapshot_id,
            }
            for c, s in sorted(chosen.items())
        },
    }
    return result


def duplicate_error(same: SnapshotInfo) -> DuplicateSnapshotError:
    """Return the refusal of a file already stored as snapshot ``same``.

    Parameters
    ----------
    same
        The snapshot that holds the file.

    Returns
    -------
    DuplicateSnapshotError
        The error, naming the snapshot (and how to restore it if it was withdrawn).
    """
    kind = _KIND_LABELS.get(same.kind, same.kind)
    msg = (
        f"该文件已保存为快照 #{same.snapshot_id}（{kind}，填报日期 {same.reporting_date:%Y-%m-%d}，"
        f"{same.imported_at:%Y-%m-%d %H:%M} UTC 由 {same.loaded_by} 导入），没有重复保存。"
    )
    if same.rolled_back:
        msg += f"该快照已撤回；如需重新使用，请在“导入历史”中恢复快照 #{same.snapshot_id}。"
    return DuplicateSnapshotError(msg, snapshot_id=same.snapshot_id)
