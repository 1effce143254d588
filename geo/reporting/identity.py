"""Which park of this period's register is which park of the previous one.

A county's register does not carry our ids, so each period's rows are matched
to the county's previous approved register, in this order:

1. the register's own code (园区编码/统一编码, column ``park_code``) when both rows have it;
2. the same name (compared as :func:`geo.ingest.duplicates.name_key`) within the county, when the
   name is unique on both sides;
3. the only unmatched previous park of the county within ``radius_m`` (200 m) whose only unmatched
   candidate is this row: a rename (or a small move), not a new park.

A row with two or more candidates is never guessed: it is listed as
ambiguous, with its candidates, for the clerk to settle, and gets a new id
until then. Rows that match nothing are new parks with new ids.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.crs import WGS84, distance_m, require_crs
from geo.ingest.duplicates import name_key

MATCH_RADIUS_M = 200.0


@dataclass(frozen=True)
class Ambiguous:
    """A row of the new register that could be one of several previous parks."""

    row: int  # position in the new register
    name: str
    candidates: tuple[str, ...]  # park ids of the previous register
    reason: str


@dataclass(frozen=True)
class Matching:
    """The park id of each row of a new register, and how it was found."""

    park_ids: list[str]
    how: list[str]  # "code", "name", "location" or "new", one per row
    ambiguous: list[Ambiguous] = field(default_factory=list)


def match_parks(previous: gpd.GeoDataFrame, current: gpd.GeoDataFrame, *, radius_m: float = MATCH_RADIUS_M) -> Matching:
    """Give each park of ``current`` its id in ``previous``, or a new id.

    Parameters
    ----------
    previous
        The county's (or region's) previous register, WGS-84 points, with ``park_id``, ``name``,
        ``county_adcode`` and optionally ``park_code``. May be empty.
    current
        The new register, WGS-84 points, with ``name``, ``county_adcode`` and optionally ``park_code``.
    radius_m
        How far a park may have moved (or been re-surveyed) and still be the same park.

    Returns
    -------
    Matching
        One id and one way of matching per row of ``current`` (in its order), plus the ambiguous rows.
    """
    for frame, label in ((previous, "previous"), (current, "current")):
        if len(frame) and require_crs(frame, name=label) != WGS84:
            msg = f"`{label}` must be in WGS-84 (EPSG:4326) to match parks."
            raise ValueError(msg)
    ids: list[str | None] = [None] * len(current)
    how = ["new"] * len(current)
    taken: set[str] = set()
    _match_codes(previous, current, ids, how, taken)
    _match_names(previous, current, ids, how, taken)
    ambiguous = _match_locations(previous, current, ids, how, taken, radius_m=radius_m)
    existing = set(previous["park_id"].astype(str)) if len(previous) else set()
    counties = current["county_adcode"].astype(str).tolist() if len(current) else []
    for pos, found in enumerate(ids):
        if found is None:
            ids[pos] = next_park_id(counties[pos], existing)
            existing.add(str(ids[pos]))
    return Matching(park_ids=[str(i) for i in ids], how=how, ambiguous=ambiguous)


def next_park_id(county_adcode: str, existing: set[str]) -> str:
    """Return the next free park id of a county: ``<adcode>-<nnnn>``.

    Parameters
    ----------
    county_adcode
        The county's six-digit adcode.
    existing
        Ids already in use.

    Returns
    -------
    str
        For example ``330603-0017``.
    """
    prefix = f"{county_adcode}-"
    used = [int(i[len(prefix) :]) for i in existing if i.startswith(prefix) and i[len(prefix) :].isdigit()]
    return f"{prefix}{max(used, default=0) + 1:04d}"


def _codes(frame: gpd.GeoDataFrame) -> pd.Series:
    if "park_code" not in frame.columns:
        return pd.Series([""] * len(frame), index=frame.index, dtype=object)
    return frame["park_code"].fillna("").astype(str).str.strip()


def _match_codes(previous: gpd.GeoDataFrame, current: gpd.GeoDataFrame, ids: list, how: list, taken: set[str]) -> None:
    if not len(previous):
        return
    by_code = {code: pid for code, pid in zip(_codes(previous), previous["park_id"].astype(str), strict=True) if code}
    for pos, code in enumerate(_codes(current)):
        pid = by_code.get(code) if code else None
        if pid is not None and pid not in taken:
            ids[pos], how[pos] = pid, "code"
            taken.add(pid)


def _match_names(previous: gpd.GeoDataFrame, current: gpd.GeoDataFrame, ids: list, how: list, taken: set[str]) -> None:
    if not len(previous):
        return
    prev_keys = name_key(previous["name"]) + "|" + previous["county_adcode"].astype(str)
    cur_keys = name_key(current["name"]) + "|" + current["county_adcode"].astype(str)
    prev_counts, cur_counts = prev_keys.value_counts(), cur_keys.value_counts()
    by_key = dict(zip(prev_keys, previous["park_id"].astype(str), strict=True))
    for pos, key in enumerate(cur_keys):
        if ids[pos] is not None or key.startswith("|") or prev_counts.get(key, 0) != 1 or cur_counts.get(key, 0) != 1:
            continue
        pid = by_key[key]
        if pid not in taken:
            ids[pos], how[pos] = pid, "name"
            taken.add(pid)


def _match_locations(
    previous: gpd.GeoDataFrame, current: gpd.GeoDataFrame, ids: list, how: list, taken: set[str], *, radius_m: float
) -> list[Ambiguous]:
    open_rows = [pos for pos, pid in enumerate(ids) if pid is None]
    if not len(previous) or not open_rows:
        return []
    prev_ids = previous["park_id"].astype(str).to_numpy()
    free = np.array([pid not in taken for pid in prev_ids])
    cur_county = current["county_adcode"].astype(str).to_numpy()[open_rows]
    same_county = cur_county[:, None] == previous["county_adcode"].astype(str).to_numpy()[None, :]
    dist = distance_m(
        current.geometry.x.to_numpy()[open_rows][:, None],
        current.geometry.y.to_numpy()[open_rows][:, None],
        previous.geometry.x.to_numpy()[None, :],
        previous.geometry.y.to_numpy()[None, :],
    )
    near = same_county & free[None, :] & (np.nan_to_num(dist, nan=np.inf) <= radius_m)
    ambiguous: list[Ambiguous] = []
    names = current["name"].astype(str).to_numpy()
    for i, pos in enumerate(open_rows):
        candidates = np.flatnonzero(near[i])
        if len(candidates) == 1 and near[:, candidates[0]].sum() == 1:
            pid = str(prev_ids[candidates[0]])
            ids[pos], how[pos] = pid, "location"
            taken.add(pid)
        elif len(candidates) >= 1:
            reason = (
                f"{len(candidates)} 个上期园区在 {radius_m:.0f} 米内"
                if len(candidates) > 1
                else f"上期园区 {prev_ids[candidates[0]]} 在 {radius_m:.0f} 米内还有其他本期园区"
            )
            ambiguous.append(Ambiguous(row=pos, name=names[pos], candidates=tuple(str(prev_ids[c]) for c in candidates), reason=reason))
    return ambiguous
