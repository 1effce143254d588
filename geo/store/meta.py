"""Snapshot metadata shared by every store implementation.

A *snapshot* is one accepted import of a park register or an enterprise list:
its rows plus who loaded which file for which reporting date (填报日期).
This module holds the metadata record and the checks applied to a save
request before any store touches its storage, so that the GeoPackage store
and a later PostGIS store refuse the same things with the same words.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final, Literal

import geopandas as gpd
import pandas as pd

from geo.crs import WGS84, require_crs
from geo.errors import CRSError, StoreError

Kind = Literal["parks", "enterprises"]
KINDS: Final = ("parks", "enterprises")

# Columns of ``list_snapshots()``, in order.
SNAPSHOT_COLUMNS: Final = (
    "snapshot_id",
    "kind",
    "reporting_date",
    "imported_at",
    "source_name",
    "source_sha256",
    "loaded_by",
    "note",
    "row_count",
    "rolled_back",
    "rolled_back_at",
    "rolled_back_by",
    "rollback_reason",
    "is_current",
)

_SHA256 = re.compile(r"[0-9a-f]{64}")
_MAX_FUTURE = timedelta(days=1)  # tolerance for time zones around midnight


@dataclass(frozen=True)
class SnapshotInfo:
    """Metadata of one stored snapshot.

    Attributes
    ----------
    snapshot_id
        Store-wide id, increasing with every save; never reused.
    kind
        ``"parks"`` or ``"enterprises"``.
    reporting_date
        填报日期: the date the data describes, chosen by the user.
    imported_at
        When the snapshot was saved (timezone-aware, UTC).
    source_name, source_sha256
        The imported file's name and the SHA-256 of its bytes (hex).
    loaded_by
        Who or what saved it (user name, ``"sample"``, a script name).
    note
        Free text given at import.
    row_count
        Number of rows stored.
    rolled_back
        True while the snapshot is withdrawn (kept for audit, never current).
    rolled_back_at, rolled_back_by, rollback_reason
        Set while ``rolled_back`` is true; cleared by a restore (the full
        history of rollbacks and restores is kept in the store's event log).
    """

    snapshot_id: int
    kind: str
    reporting_date: date
    imported_at: datetime
    source_name: str
    source_sha256: str
    loaded_by: str
    note: str
    row_count: int
    rolled_back: bool = False
    rolled_back_at: datetime | None = None
    rolled_back_by: str | None = None
    rollback_reason: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """Return the fields as a plain dict (for ``GeoDataFrame.attrs`` or JSON)."""
        return asdict(self)


def check_kind(kind: object) -> Kind:
    """Return ``kind`` or raise naming the allowed kinds.

    Parameters
    ----------
    kind
        The value given.

    Returns
    -------
    str
        ``kind``, one of :data:`KINDS`.
    """
    if kind not in KINDS:
        msg = f"`kind` must be one of {', '.join(repr(k) for k in KINDS)}; got {kind!r}."
        raise StoreError(msg)
    return kind  # type: ignore[return-value]


def check_date(value: object, *, name: str) -> date:
    """Return ``value`` as a :class:`datetime.date` (a datetime is cut to its date).

    Parameters
    ----------
    value
        The value given.
    name
        The parameter's name, for the message.

    Returns
    -------
    date
        The date.
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    msg = f"`{name}` must be a date such as datetime.date(2023, 12, 31); got {value!r}."
    raise StoreError(msg)


def check_text(value: object, *, name: str, required: bool = True) -> str:
    """Return ``value`` as given, refusing non-text and (if required) blank text.

    Parameters
    ----------
    value
        The value given.
    name
        The parameter's name, for the message.
    required
        Refuse blank text too.

    Returns
    -------
    str
        ``value`` as given.
    """
    if not isinstance(value, str):
        msg = f"`{name}` must be text; got {type(value).__name__} {value!r}."
        raise StoreError(msg)
    if required and not value.strip():
        msg = f"`{name}` must not be blank: say which file, hash or person this snapshot comes from."
        raise StoreError(msg)
    return value


def check_sha256(value: object) -> str:
    """Return a SHA-256 hex digest in lower case, or raise.

    Parameters
    ----------
    value
        The digest given.

    Returns
    -------
    str
        64 lower-case hexadecimal characters.
    """
    text = check_text(value, name="source_sha256").strip().lower()
    if not _SHA256.fullmatch(text):
        msg = f"`source_sha256` must be 64 hexadecimal characters (hashlib.sha256(data).hexdigest()); got {value!r}."
        raise StoreError(msg)
    return text


def check_reporting_date(value: object, *, today: date | None = None) -> date:
    """Return the reporting date, refusing dates in the future (likely a typo).

    Parameters
    ----------
    value
        The date given.
    today
        Today's date (for tests); None uses the clock.

    Returns
    -------
    date
        The reporting date.
    """
    day = check_date(value, name="reporting_date")
    latest = (datetime.now(UTC) + _MAX_FUTURE).date() if today is None else today + _MAX_FUTURE
    if day > latest:
        msg = f"`reporting_date` {day.isoformat()} is in the future; use the date the data describes (填报日期)."
        raise StoreError(msg)
    return day


def check_snapshot_frame(gdf: object) -> gpd.GeoDataFrame:
    """Return ``gdf`` if it can be stored: a non-empty GeoDataFrame in EPSG:4326.

    Parameters
    ----------
    gdf
        The rows to store.

    Returns
    -------
    GeoDataFrame
        ``gdf`` itself.

    Raises
    ------
    CRSError
        The data has no CRS or one other than WGS-84 (EPSG:4326).
    StoreError
        It is not a GeoDataFrame, has no rows, or repeats the geometry column's name.

    Notes
    -----
    Other repeated names are stored: the store keeps the second ``name`` (an
    extra column of the source file) as ``原表_name``.
    """
    if not isinstance(gdf, gpd.GeoDataFrame):
        msg = f"`gdf` must be a GeoDataFrame; got {type(gdf).__name__}."
        raise StoreError(msg)
    active = gdf.active_geometry_name
    if active is not None and sum(1 for c in gdf.columns if c == active) > 1:
        msg = f"`gdf` has several columns named {active!r}, the geometry column; rename the others."
        raise StoreError(msg)
    try:
        gdf.geometry  # noqa: B018 - raises when no geometry column is active
    except AttributeError:
        msg = "`gdf` has no active geometry column; set one with `gdf.set_geometry(...)` (the park or enterprise locations)."
        raise StoreError(msg) from None
    crs = require_crs(gdf, name="gdf")
    if crs.to_epsg() != 4326:
        msg = (
            f"`gdf` must be in WGS-84 ({WGS84}) to be stored; it is in {crs.name} ({crs.to_string()}). "
            "Convert it first with geo.crs.to_wgs84(gdf, datum=...)."
        )
        raise CRSError(msg)
    if len(gdf) == 0:
        msg = "`gdf` has no rows; an empty register is not saved as a snapshot."
        raise StoreError(msg)
    return gdf


def _parse_time(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text).astimezone(UTC)


def _parse_field(snapshot_id: object, field: str, value: Any, parse: Any) -> Any:
    try:
        return parse(value)
    except (TypeError, ValueError, OverflowError):
        msg = (
            f"快照 #{snapshot_id} 的记录已损坏：snapshots 表的 {field} 列是 {str(value)[:40]!r}，不是程序写入的格式"
            "（可能在 QGIS 等软件中被修改）。请改回原值或从备份恢复数据库；数据未改动。"
        )
        raise StoreError(msg) from None


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(value)
    return value


def _flag(value: Any) -> bool:
    if value not in (0, 1) or isinstance(value, float | str):
        raise ValueError(value)
    return bool(value)


def _required_time(value: Any) -> datetime:
    return datetime.fromisoformat(_text(value)).astimezone(UTC)


def _kind(value: Any) -> str:
    if value not in KINDS:
        raise ValueError(value)
    return str(value)


def info_from_row(row: Sequence[Any]) -> SnapshotInfo:
    """Return a :class:`SnapshotInfo` from a stored row (fields in dataclass order, dates as ISO text).

    Parameters
    ----------
    row
        One row of the ``snapshots`` table, fields in :class:`SnapshotInfo` order.

    Returns
    -------
    SnapshotInfo
        The snapshot's metadata.

    Raises
    ------
    StoreError
        A field holds something the store never writes (edited outside the app); the message names it.
    """
    (snapshot_id, kind, reporting, imported, source, sha, by, note, count, rolled, rolled_at, rolled_by, reason) = row
    sid = snapshot_id

    def field(name: str, value: Any, parse: Any) -> Any:
        return _parse_field(sid, name, value, parse)

    return SnapshotInfo(
        snapshot_id=field("snapshot_id", snapshot_id, int),
        kind=field("kind", kind, _kind),
        reporting_date=field("reporting_date", reporting, date.fromisoformat),
        imported_at=field("imported_at", imported, _required_time),
        source_name=field("source_name", source, _text),
        source_sha256=field("source_sha256", sha, _text),
        loaded_by=field("loaded_by", by, _text),
        note=field("note", note, _text),
        row_count=field("row_count", count, int),
        rolled_back=field("rolled_back", rolled, _flag),
        rolled_back_at=field("rolled_back_at", rolled_at, _parse_time),
        rolled_back_by=rolled_by if rolled_by is None else field("rolled_back_by", rolled_by, _text),
        rollback_reason=reason if reason is None else field("rollback_reason", reason, _text),
    )


def snapshot_frame(infos: Sequence[SnapshotInfo]) -> pd.DataFrame:
    """Return snapshot metadata as a table with :data:`SNAPSHOT_COLUMNS`, keeping the order given.

    ``infos`` must be newest first; ``is_current`` marks, per kind, the first
    one not rolled back.

    Parameters
    ----------
    infos
        Snapshot metadata, newest first.

    Returns
    -------
    DataFrame
        One row per snapshot, columns :data:`SNAPSHOT_COLUMNS`.
    """
    current: dict[str, int] = {}
    for info in infos:
        if not info.rolled_back:
            current.setdefault(info.kind, info.snapshot_id)
    records = [{**info.as_dict(), "is_current": current.get(info.kind) == info.snapshot_id} for info in infos]
    frame = pd.DataFrame.from_records(records, columns=list(SNAPSHOT_COLUMNS))
    frame = frame.astype({"snapshot_id": "int64", "row_count": "int64", "rolled_back": "bool", "is_current": "bool"})
    frame["reporting_date"] = pd.to_datetime(frame["reporting_date"]).astype("datetime64[us]")
    for column in ("imported_at", "rolled_back_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True).astype("datetime64[us, UTC]")
    for column in ("kind", "source_name", "source_sha256", "loaded_by", "note", "rolled_back_by", "rollback_reason"):
        frame[column] = frame[column].astype("str")
    return frame
