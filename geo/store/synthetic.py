"""Which stored snapshots are the synthetic sample, and withdrawing them once a planner's own data is saved.

The sample loader (:mod:`geo.demo.bootstrap`) saves every sample snapshot
with a note that begins with :data:`geo.words.SYNTHETIC_NOTICE`; that note is
how the store, the app and the exports know synthetic rows wherever they
are shown. Synthetic and real parks are never mixed in one register: the
first real register or county report saved withdraws every sample snapshot
of its kind (kept for audit, restorable).
"""

from __future__ import annotations

from typing import Any

from geo.store.meta import SnapshotInfo
from geo.words import SYNTHETIC_NOTICE

SAMPLE_LOADER = "sample loader (geo.demo.bootstrap)"  # who loaded the whole-register sample of earlier versions
WITHDRAW_REASON = "已保存真实数据，合成示例数据自动撤回 / real data saved, synthetic sample withdrawn"


def is_synthetic(info: SnapshotInfo | None) -> bool:
    """Return True when a stored snapshot is the synthetic sample.

    Parameters
    ----------
    info
        A snapshot's metadata, or None.

    Returns
    -------
    bool
        True when its note marks it synthetic, or the sample loader saved it.
    """
    return info is not None and (info.note.startswith(SYNTHETIC_NOTICE) or info.loaded_by == SAMPLE_LOADER)


def withdraw_synthetic(store: Any, kind: str, *, by: str) -> list[SnapshotInfo]:
    """Roll back every live synthetic snapshot of ``kind`` (after a planner's own data of that kind was saved).

    Parameters
    ----------
    store
        The store.
    kind
        ``parks`` or ``enterprises``.
    by
        Who saved the real data (recorded on each rollback).

    Returns
    -------
    list of SnapshotInfo
        The snapshots rolled back.
    """
    snapshots = store.list_snapshots(kind)
    if snapshots.empty:
        return []
    live = snapshots[~snapshots["rolled_back"].astype(bool)]
    synthetic = [int(i) for i in live["snapshot_id"] if is_synthetic(store.snapshot_info(int(i)))]
    return [store.rollback(i, by=by, reason=WITHDRAW_REASON) for i in synthetic]
