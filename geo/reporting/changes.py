"""What changed in a county's register against its previous approved submission.

Both registers carry ``park_id`` (see :mod:`geo.reporting.identity`). The
changes are what a city reviewer checks before approving: parks added, parks
missing (removed?), status changes (a step back such as 在建 → 谋划 is a
regression), floor or land area changed and by how much, moves over 200 m,
renames, and operating figures that jump implausibly in one period.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.crs import distance_m
from geo.ingest.duplicates import name_key
from geo.schema import STATUSES

MOVE_THRESHOLD_M = 200.0
AREA_TOLERANCE_M2 = 1.0  # below this a floor-area difference is rounding, not a change
LAND_TOLERANCE_MU = 0.01
# Percentage-point change of occupancy in one period beyond which the figure is queried.
OCCUPANCY_JUMP_PCT = 40.0


@dataclass(frozen=True)
class Change:
    """One change of one park."""

    park_id: str
    name: str
    kind: str  # added, removed, status_changed, area_changed, land_changed, moved, renamed, jump
    before: Any = None
    after: Any = None
    amount: float | None = None  # m² for area, 亩 for land, metres for a move, points for a jump
    flag: str = ""  # "regression" for a status step back, "implausible" for a jump


@dataclass(frozen=True)
class Changes:
    """Every change of a register against the previous one."""

    items: list[Change] = field(default_factory=list)

    def of_kind(self, kind: str) -> list[Change]:
        """Return the changes of one kind.

        Parameters
        ----------
        kind
            ``added``, ``removed``, ``status_changed``, ``area_changed``, ``land_changed``, ``moved``,
            ``renamed`` or ``jump``.

        Returns
        -------
        list of Change
            In register order.
        """
        return [c for c in self.items if c.kind == kind]

    @property
    def regressions(self) -> list[Change]:
        """Status changes that step back (e.g. 在建 → 谋划)."""
        return [c for c in self.of_kind("status_changed") if c.flag == "regression"]

    def summary(self) -> dict[str, list[str]]:
        """Return the park names per kind of change (the command line's ``changes`` object).

        Returns
        -------
        dict
            ``added``, ``removed``, ``status_changed``, ``area_changed``, ``moved``, ``renamed`` (and
            ``land_changed``, ``jump``): lists of ``"<park_id> <name>"``.
        """
        kinds = ("added", "removed", "status_changed", "area_changed", "land_changed", "moved", "renamed", "jump")
        return {k: [f"{c.park_id} {c.name}" for c in self.of_kind(k)] for k in kinds}

    def to_frame(self) -> pd.DataFrame:
        """Return the changes as a table (one row per change), e.g. to keep with the submission.

        Returns
        -------
        DataFrame
            Columns ``park_id``, ``name``, ``kind``, ``before``, ``after``, ``amount``, ``flag``.
        """
        columns = ["park_id", "name", "kind", "before", "after", "amount", "flag"]
        rows = [{**asdict(c), "before": _text(c.before), "after": _text(c.after)} for c in self.items]
        return pd.DataFrame(rows, columns=columns)


def register_changes(previous: gpd.GeoDataFrame, current: gpd.GeoDataFrame) -> Changes:
    """Compare two registers of the same county (or counties), park by park.

    Parameters
    ----------
    previous
        The previous approved register (WGS-84, with ``park_id``); may be empty (then every park is added).
    current
        The new register, with the ``park_id`` of each park from :func:`geo.reporting.identity.match_parks`.

    Returns
    -------
    Changes
        Added, removed, status, area, land, move, rename and jump changes.
    """
    prev = previous.set_index(previous["park_id"].astype(str)) if len(previous) else previous
    cur = current.set_index(current["park_id"].astype(str))
    items: list[Change] = []
    for pid in cur.index.difference(prev.index, sort=False) if len(prev) else cur.index:
        items.append(Change(pid, str(cur.at[pid, "name"]), "added"))
    if len(prev):
        for pid in prev.index.difference(cur.index, sort=False):
            items.append(Change(pid, str(prev.at[pid, "name"]), "removed"))
        common = cur.index.intersection(prev.index, sort=False)
        items += _status_changes(prev.loc[common], cur.loc[common])
        items += _amount_changes(prev.loc[common], cur.loc[common], "floor_area_m2", "area_changed", AREA_TOLERANCE_M2)
        items += _amount_changes(prev.loc[common], cur.loc[common], "land_area_mu", "land_changed", LAND_TOLERANCE_MU)
        items += _moves(prev.loc[common], cur.loc[common])
        items += _renames(prev.loc[common], cur.loc[common])
        items += _jumps(prev.loc[common], cur.loc[common])
    return Changes(items)


def _status_changes(prev: pd.DataFrame, cur: pd.DataFrame) -> list[Change]:
    order = {s: i for i, s in enumerate(STATUSES)}
    out = []
    for pid in cur.index:
        before, after = prev.at[pid, "status"], cur.at[pid, "status"]
        if before != after:
            flag = "regression" if order.get(after, -1) < order.get(before, -1) else ""
            out.append(Change(pid, str(cur.at[pid, "name"]), "status_changed", before, after, flag=flag))
    return out


def _amount_changes(prev: pd.DataFrame, cur: pd.DataFrame, column: str, kind: str, tolerance: float) -> list[Change]:
    if column not in prev.columns or column not in cur.columns:
        return []
    before = pd.to_numeric(prev[column], errors="coerce").reindex(cur.index)
    after = pd.to_numeric(cur[column], errors="coerce")
    delta = after - before
    changed = (delta.abs() > tolerance) | (before.isna() != after.isna())
    return [
        Change(pid, str(cur.at[pid, "name"]), kind, _num(before[pid]), _num(after[pid]), amount=_num(delta[pid]))
        for pid in cur.index[changed.to_numpy()]
    ]


def _moves(prev: pd.DataFrame, cur: pd.DataFrame) -> list[Change]:
    a, b = gpd.GeoSeries(prev.geometry.reindex(cur.index)), gpd.GeoSeries(cur.geometry)
    dist = distance_m(a.x.to_numpy(), a.y.to_numpy(), b.x.to_numpy(), b.y.to_numpy())
    moved = np.nan_to_num(dist, nan=0.0) > MOVE_THRESHOLD_M
    return [
        Change(pid, str(cur.at[pid, "name"]), "moved", amount=round(float(d), 1))
        for pid, d in zip(cur.index[moved], dist[moved], strict=True)
    ]


def _renames(prev: pd.DataFrame, cur: pd.DataFrame) -> list[Change]:
    before = prev["name"].reindex(cur.index)
    differs = name_key(before).to_numpy() != name_key(cur["name"]).to_numpy()
    return [Change(pid, str(cur.at[pid, "name"]), "renamed", str(before[pid]), str(cur.at[pid, "name"])) for pid in cur.index[differs]]


def _jumps(prev: pd.DataFrame, cur: pd.DataFrame) -> list[Change]:
    if "occupancy_pct" not in prev.columns or "occupancy_pct" not in cur.columns:
        return []
    before = pd.to_numeric(prev["occupancy_pct"], errors="coerce").reindex(cur.index)
    after = pd.to_numeric(cur["occupancy_pct"], errors="coerce")
    jump = (after - before).abs() > OCCUPANCY_JUMP_PCT
    return [
        Change(pid, str(cur.at[pid, "name"]), "jump", _num(before[pid]), _num(after[pid]), _num(after[pid] - before[pid]), "implausible")
        for pid in cur.index[jump.to_numpy()]
    ]


def _num(value: object) -> float | None:
    number = pd.to_numeric(value, errors="coerce")
    return None if pd.isna(number) else float(number)


def _text(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)
