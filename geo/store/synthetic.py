"""Which stored snapshots are the synthetic sample, and withdrawing them once a planner's own data is saved.

The sample loader (:mod:`geo.demo.bootstrap`) saves every sample snapshot
with a note that begins with :data:`geo.words.SYNTHETIC_NOTICE`; that note is
how the store, the app and the exports know synthetic rows wherever they
are shown. Synthetic and real parks are never mixed in one register: the
first real register or county report saved withdraws every sample snapshot
of its kind (kept for audit, restorable).
"""

from __future__ import annotations

from collections.abc import Iterable
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


def withdraw_synthetic_reports(store: Any, counties: Iterable[str], *, by: str) -> list[SnapshotInfo]:
    """Roll back the synthetic sample's park reports of ``counties`` (their real report has just been approved).

    A sample report of an earlier layout that speaks for other counties too (a
    whole-city sample register) is withdrawn only when all its counties are
    among ``counties``: the counties not reporting keep their sample.

    Parameters
    ----------
    store
        The store.
    counties
        The counties whose real report is now approved.
    by
        Who approved it (recorded on each rollback).

    Returns
    -------
    list of SnapshotInfo
        The snapshots rolled back.
    """
    real = set(counties)
    speaks_for: dict[int, set[str]] = {}
    for sub in store.list_submissions():
        speaks_for.setdefault(sub.snapshot_id, set()).add(sub.county_adcode)
    out = []
    for snapshot_id, mine in sorted(speaks_for.items()):
        info = store.snapshot_info(snapshot_id)
        if mine <= real and not info.rolled_back and is_synthetic(info):
            out.append(store.rollback(snapshot_id, by=by, reason=WITHDRAW_REASON))
    return out
