"""Errors the product raises; each message is written for a planner.

Every error subclasses a built-in so callers that only know the built-in
still catch it.
"""

from __future__ import annotations


class GeoDataError(ValueError):
    """Data cannot be used as given (missing fields, wrong values)."""


class CRSError(GeoDataError):
    """A coordinate system is missing, unknown or does not fit the data."""


class BoundaryError(GeoDataError):
    """A boundary file is unreadable or does not hold the expected counties."""


class ImportFileError(GeoDataError):
    """A file cannot be imported at all (unreadable, too large, unsafe, no table in it)."""


class StoreError(GeoDataError):
    """The snapshot store cannot do what was asked (unknown snapshot, busy, unreadable file)."""


class DuplicateSnapshotError(StoreError):
    """The same file (same SHA-256, same kind) is already stored; ``snapshot_id`` names that snapshot."""

    def __init__(self, message: str, *, snapshot_id: int) -> None:
        super().__init__(message)
        self.snapshot_id = snapshot_id


class PermissionDeniedError(StoreError):
    """The signed-in account's role does not allow this write (another county's data, a viewer writing)."""

    def __init__(self, message: str, *, account: str, action: str, county: str | None = None) -> None:
        super().__init__(message)
        self.account = account
        self.action = action
        self.county = county


class AccountError(GeoDataError):
    """An account cannot be created, found or signed in as asked (unknown name, wrong password, disabled)."""
