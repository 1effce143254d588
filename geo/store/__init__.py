"""Where imported registers are kept: snapshots per reporting date, with history.

Every accepted import of a park register or an enterprise list is saved as a
*snapshot* with its reporting date (填报日期), import time, source file name
and hash, and who loaded it. The current register is the latest snapshot
that has not been rolled back; older ones stay, so progress can be computed
at any past date (:meth:`SnapshotStore.as_of`) and a bad import can be
withdrawn (:meth:`SnapshotStore.rollback`) and brought back
(:meth:`SnapshotStore.restore`).

The store is a GeoPackage file by default (see :mod:`geo.store.gpkg` for the
layout and how writes stay atomic); QGIS opens it directly: layers
``parks`` / ``enterprises`` (all snapshots), ``parks_current`` /
``enterprises_current`` (views of the current ones) and ``snapshots``. A
register's own extra columns are kept in one ``extra_json`` text column (a
JSON object per row) and come back as columns on load.
A ``postgresql://`` location is a shared PostGIS database instead
(:mod:`geo.store.postgis`: the same tables and views in the schema
``parkmap``), with the same behaviour: both backends inherit their public
methods from :mod:`geo.store.base` and :mod:`geo.store.review`.
Code outside this package talks only to the :class:`SnapshotStore` protocol
and :func:`open_store`.

Examples
--------
>>> store = open_store()  # PARKMAP_STORE or data/store/parkmap.gpkg
>>> info = store.save_snapshot(parks, kind="parks", reporting_date=date(2023, 12, 31),
...                            source_name="柯桥区台账.xlsx", source_sha256=sha, loaded_by="王工")
>>> store.as_of("parks", date(2022, 12, 31))  # the register in force at the end of 2022
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any, Final, Protocol, runtime_checkable

import geopandas as gpd
import pandas as pd

from geo import paths
from geo.errors import StoreError
from geo.reporting.periods import Period
from geo.reporting.submissions import Submission
from geo.store.gpkg import GeoPackageStore
from geo.store.meta import KINDS, SNAPSHOT_COLUMNS, Kind, SnapshotInfo

__all__ = [
    "DEFAULT_STORE_PATH",
    "KINDS",
    "SNAPSHOT_COLUMNS",
    "STORE_ENV_VAR",
    "GeoPackageStore",
    "Kind",
    "SnapshotInfo",
    "SnapshotStore",
    "open_store",
    "store_location",
]

STORE_ENV_VAR: Final = "PARKMAP_STORE"
DEFAULT_STORE_PATH: Final = paths.DATA_DIR / "store" / "parkmap.gpkg"
_POSTGRES_SCHEMES: Final = ("postgresql://", "postgres://", "postgresql+")


@runtime_checkable
class SnapshotStore(Protocol):
    """What the app and analytics need from a store; every implementation provides it.

    All GeoDataFrames going in and coming out are in WGS-84 (EPSG:4326).
    ``kind`` is ``"parks"`` or ``"enterprises"``. Errors are
    :class:`~geo.errors.StoreError` (or :class:`~geo.errors.CRSError` for
    data in another coordinate system), with messages meant for a planner.
    """

    @property
    def location(self) -> Path | str:
        """Where the data lives (a file path, or a database URL with its password masked)."""
        ...

    def save_snapshot(
        self,
        gdf: gpd.GeoDataFrame,
        *,
        kind: str,
        reporting_date: date,
        source_name: str,
        source_sha256: str,
        loaded_by: str,
        note: str = "",
    ) -> SnapshotInfo:
        """Store ``gdf`` as a new snapshot, atomically; return its metadata.

        Raises :class:`~geo.errors.DuplicateSnapshotError` (``exc.snapshot_id``)
        when a file with the same ``source_sha256`` is already stored as this kind.

        Parameters
        ----------
        gdf
            Accepted rows in WGS-84 (EPSG:4326): canonical columns plus any extra ones.
        kind
            ``parks`` or ``enterprises``.
        reporting_date
            填报日期, the date the data describes (not in the future).
        source_name, source_sha256
            The imported file's name and the SHA-256 hex digest of its bytes.
        loaded_by
            Who or what loaded it.
        note
            Optional free text.

        Returns
        -------
        SnapshotInfo
            The new snapshot's metadata.
        """
        ...

    def list_snapshots(self, kind: str | None = None) -> pd.DataFrame:
        """Return snapshot metadata (:data:`SNAPSHOT_COLUMNS`), newest first.

        Parameters
        ----------
        kind
            ``parks`` or ``enterprises``. None lists both.

        Returns
        -------
        DataFrame
            One row per snapshot, columns :data:`SNAPSHOT_COLUMNS`.
        """
        ...

    def snapshot_info(self, snapshot_id: int) -> SnapshotInfo:
        """Return the metadata of one snapshot.

        Parameters
        ----------
        snapshot_id
            The snapshot's id.

        Returns
        -------
        SnapshotInfo
            Its metadata.
        """
        ...

    def latest_info(self, kind: str, *, as_of: date | None = None) -> SnapshotInfo | None:
        """Return the metadata of the snapshot :meth:`current` (or :meth:`as_of`) would load.

        Parameters
        ----------
        kind
            ``parks`` or ``enterprises``.
        as_of
            A date: the snapshot in force then; None for the current one.

        Returns
        -------
        SnapshotInfo or None
            Its metadata, or None when no snapshot counts.
        """
        ...

    def load_snapshot(self, snapshot_id: int) -> gpd.GeoDataFrame:
        """Return one snapshot's rows with the columns and dtypes they were saved with.

        Parameters
        ----------
        snapshot_id
            The snapshot's id.

        Returns
        -------
        GeoDataFrame
            The rows as saved, EPSG:4326.
        """
        ...

    def current(self, kind: str) -> gpd.GeoDataFrame | None:
        """Return the latest snapshot not rolled back, or None.

        Parameters
        ----------
        kind
            ``parks`` or ``enterprises``.

        Returns
        -------
        GeoDataFrame or None
            The current rows, EPSG:4326.
        """
        ...

    def as_of(self, kind: str, when: date) -> gpd.GeoDataFrame | None:
        """Return the latest snapshot not rolled back reported on or before ``when``, or None.

        Parameters
        ----------
        kind
            ``parks`` or ``enterprises``.
        when
            The date looked at.

        Returns
        -------
        GeoDataFrame or None
            The rows in force on ``when``, EPSG:4326.
        """
        ...

    def rollback(self, snapshot_id: int, *, by: str, reason: str) -> SnapshotInfo:
        """Withdraw a snapshot (kept for audit, no longer current).

        Parameters
        ----------
        snapshot_id
            The snapshot's id.
        by
            Who withdraws it.
        reason
            Why (not blank).

        Returns
        -------
        SnapshotInfo
            The snapshot's metadata after the change.
        """
        ...

    def restore(self, snapshot_id: int, *, by: str, reason: str = "") -> SnapshotInfo:
        """Undo a rollback.

        Parameters
        ----------
        snapshot_id
            The snapshot's id.
        by
            Who restores it.
        reason
            Why (may be blank).

        Returns
        -------
        SnapshotInfo
            The snapshot's metadata after the change.
        """
        ...

    def is_empty(self, kind: str) -> bool:
        """Return True when no snapshot of ``kind`` counts.

        Parameters
        ----------
        kind
            ``parks`` or ``enterprises``.

        Returns
        -------
        bool
            True when no snapshot of ``kind`` counts.
        """
        ...

    # ------------------------------------------------------------ county submissions (geo.reporting)

    def submit(self, gdf: gpd.GeoDataFrame, *, period: Period, counties: Sequence[str], source_name: str, source_sha256: str,
               submitted_by: str, changes: Mapping[str, Mapping[str, Any]] | None = None, approve_now: bool = False,
               reporting_date: date | None = None, note: str = "", at: datetime | None = None) -> list[Submission]:  # fmt: skip
        """Store a register as one submission per county of ``counties``, atomically.

        Parameters
        ----------
        gdf
            Accepted parks (WGS-84) of those counties only, with their ``park_id``.
        period
            The reporting period.
        counties
            The counties the file reports for.
        source_name, source_sha256
            The file's name and SHA-256.
        submitted_by
            Who submits.
        changes
            County → what changed against its previous period.
        approve_now
            Approve at once.
        reporting_date
            The date the register describes (default the period's end, or today while it runs).
        note
            Free text.
        at
            When it was sent, for a history being loaded; None: now.

        Returns
        -------
        list of Submission
            One per county.
        """
        ...

    def approve_submission(self, submission_id: int, *, by: str, at: datetime | None = None) -> Submission:
        """Approve a submitted register.

        Parameters
        ----------
        submission_id
            The submission.
        by
            Who approves.
        at
            When, for a history being loaded; None: now.

        Returns
        -------
        Submission
            After the change.
        """
        ...

    def return_submission(self, submission_id: int, *, by: str, reason: str, at: datetime | None = None) -> Submission:
        """Return a submission to its county with a reason.

        Parameters
        ----------
        submission_id
            The submission.
        by
            Who returns it.
        reason
            What to fix (required).
        at
            When, for a history being loaded; None: now.

        Returns
        -------
        Submission
            After the change.
        """
        ...

    def list_submissions(self) -> list[Submission]:
        """Return every submission, oldest first.

        Returns
        -------
        list of Submission
            In any state.
        """
        ...

    def submission(self, submission_id: int) -> Submission:
        """Return one submission.

        Parameters
        ----------
        submission_id
            Its id.

        Returns
        -------
        Submission
            The submission.
        """
        ...

    def load_submission(self, submission_id: int) -> gpd.GeoDataFrame:
        """Return the parks of one submission (WGS-84).

        Parameters
        ----------
        submission_id
            Its id.

        Returns
        -------
        GeoDataFrame
            Its county's rows.
        """
        ...

    def register(self, as_of: date | None = None) -> gpd.GeoDataFrame | None:
        """Return the consolidated register in force at ``as_of`` (None: now), with ``submission_id`` and ``period``.

        Parameters
        ----------
        as_of
            A date, or None.

        Returns
        -------
        GeoDataFrame or None
            WGS-84; None when no submission counts.
        """
        ...

    def in_force(self, as_of: date | None = None) -> dict[str, Submission]:
        """Return, per county, the approved submission in force at ``as_of`` (None: now).

        Parameters
        ----------
        as_of
            A date, or None.

        Returns
        -------
        dict
            County adcode → submission; counties without one are absent.
        """
        ...


def store_location() -> Path | str:
    """Return where the store is: ``$PARKMAP_STORE`` if set, else ``data/store/parkmap.gpkg``.

    A region other than the default one keeps its own store,
    ``data/store/<adcode>/parkmap.gpkg`` (:func:`geo.region.region.default_store_path`).

    A file path comes back absolute (a relative ``PARKMAP_STORE`` is taken
    relative to the working directory, ``~`` is expanded); a database URL
    comes back as given.
    """
    value = os.environ.get(STORE_ENV_VAR, "").strip()
    if not value:
        from geo.region.region import default_store_path  # a store holds one region's registers

        return default_store_path()
    if "://" in value:
        return value
    return Path(value).expanduser().resolve()


def open_store(location: str | Path | None = None) -> SnapshotStore:
    """Return the store at ``location`` (default :func:`store_location`).

    Parameters
    ----------
    location
        A ``.gpkg`` file path (created by the first save), or a
        ``postgresql://`` / ``postgres://`` database URL (a PostGIS store).

    Returns
    -------
    SnapshotStore
        The store (nothing is created before the first save; a PostGIS
        schema of an older version is migrated when the URL's role owns the database).

    Raises
    ------
    StoreError
        Another URL scheme, a path that does not end in ``.gpkg``, a file
        that is not a GeoPackage, or a database that cannot be reached or is
        of another schema version (in plain words, never with the password).
    """
    target = store_location() if location is None else location
    if isinstance(target, str) and target.startswith(_POSTGRES_SCHEMES):
        if target.startswith("postgresql+"):
            msg = f"Give {STORE_ENV_VAR} as postgresql://user:password@host:port/database (without a driver name such as +psycopg)."
            raise StoreError(msg)
        from geo.store.postgis import PostgisStore  # psycopg is imported only for a database store

        return PostgisStore(target)
    if isinstance(target, str) and "://" in target:
        msg = f"Unknown store location {target!r}: set {STORE_ENV_VAR} to a GeoPackage file path ending in .gpkg."
        raise StoreError(msg)
    path = Path(target)
    if path.suffix.lower() != ".gpkg":
        msg = f"The store must be a GeoPackage file ending in .gpkg; got {str(path)!r}. Set {STORE_ENV_VAR} accordingly."
        raise StoreError(msg)
    return GeoPackageStore(path)
