"""Land use of parks by county: land area, plot ratio, density and tax per 亩.

Every ratio is computed only over the parks that give both of its inputs
(nulls are ignored, never read as zero), and the number of parks behind each
ratio is reported beside it:

* plot ratio 容积率 = floor area / (land area in 亩 x 666.67 m²), over parks
  with both floor area and land area (:func:`geo.units.plot_ratio`, the
  same rule as every park's own ratio);
* floor area per 亩 = the same parks' floor area / land area;
* enterprises per 10,000 m² = the register's 入园企业数 / floor area x 10,000,
  over parks with both;
* tax per 亩 (亩均税收, 万元/亩) = land-weighted mean over parks with both tax
  per 亩 and land area, i.e. total tax / total land, the county's true figure.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from geo.analysis.progress import CITY_ROW_NAME, check_statuses
from geo.errors import GeoDataError
from geo.region.region import city_adcode_of
from geo.schema import DEFAULT_COUNTED_STATUSES
from geo.units import plot_ratio, ratio

LAND_USE_COLUMNS = [
    "adcode",
    "name",
    "parks",
    "floor_area_m2",
    "land_area_mu",
    "parks_with_land_area",
    "plot_ratio",
    "floor_area_per_mu_m2",
    "enterprises",
    "parks_with_enterprises",
    "enterprises_per_10k_m2",
    "tax_per_mu_wan_yuan",
    "parks_with_tax",
]


def _numeric(parks: pd.DataFrame, column: str) -> pd.Series:
    if column not in parks.columns:
        return pd.Series(np.nan, index=parks.index, dtype="float64")
    return pd.to_numeric(parks[column], errors="coerce").astype("float64")


def _ratio(numerator: float, denominator: float) -> float:
    return float(ratio(numerator, denominator))


def _summary(group: pd.DataFrame) -> dict[str, float]:
    floor, land, firms, tax = group["floor"], group["land"], group["firms"], group["tax"]
    both_land = floor.notna() & land.notna() & (land > 0)
    both_firms = floor.notna() & firms.notna() & (floor > 0)
    both_tax = tax.notna() & land.notna() & (land > 0)
    return {
        "parks": len(group),
        "floor_area_m2": float(floor.sum()),
        "land_area_mu": float(land.sum()),
        "parks_with_land_area": int(both_land.sum()),
        "plot_ratio": float(plot_ratio(float(floor[both_land].sum()), float(land[both_land].sum()))),
        "floor_area_per_mu_m2": _ratio(float(floor[both_land].sum()), float(land[both_land].sum())),
        "enterprises": float(firms.sum()),
        "parks_with_enterprises": int(both_firms.sum()),
        "enterprises_per_10k_m2": _ratio(float(firms[both_firms].sum()) * 10_000, float(floor[both_firms].sum())),
        "tax_per_mu_wan_yuan": _ratio(float((tax * land)[both_tax].sum()), float(land[both_tax].sum())),
        "parks_with_tax": int(both_tax.sum()),
    }


def land_use_by_county(
    parks: pd.DataFrame,
    *,
    counties: pd.DataFrame,
    statuses: Sequence[str] = DEFAULT_COUNTED_STATUSES,
) -> pd.DataFrame:
    """Return land use per county and for the city.

    Parameters
    ----------
    parks
        The park table (PARK_COLUMNS; geometry and CRS are not used).
    counties
        Table with ``adcode`` and ``name`` (the county quota table or
        :func:`geo.region.boundaries.load_counties`); sets the rows and their order.
    statuses
        Park statuses included (default built and certified).

    Returns
    -------
    DataFrame with LAND_USE_COLUMNS, one row per county (a county without
    parks has zeros and NaN ratios) and a last city row (the city's adcode, the counties' first four digits
    and 00; all parks including any outside the listed counties). Ratios are NaN
    when no park gives their inputs.
    """
    counted = check_statuses(statuses)
    for column in ("status", "county_adcode"):
        if column not in parks.columns:
            msg = f"The park table has no column {column!r}; it is needed for land use by county."
            raise GeoDataError(msg)
    chosen = parks[parks["status"].isin(list(counted)).to_numpy()]
    frame = pd.DataFrame(
        {
            "county": chosen["county_adcode"].astype("string").to_numpy(),
            "floor": _numeric(chosen, "floor_area_m2").to_numpy(),
            "land": _numeric(chosen, "land_area_mu").to_numpy(),
            "firms": _numeric(chosen, "enterprises").to_numpy(),
            "tax": _numeric(chosen, "tax_per_mu_wan_yuan").to_numpy(),
        }
    )
    rows = []
    for adcode, name in zip(counties["adcode"].astype(str), counties["name"].astype(str), strict=True):
        rows.append({"adcode": adcode, "name": name, **_summary(frame[(frame["county"] == adcode).fillna(False).to_numpy()])})
    city = city_adcode_of(str(counties["adcode"].iloc[0])) if len(counties) else ""
    rows.append({"adcode": city, "name": CITY_ROW_NAME, **_summary(frame)})
    return pd.DataFrame(rows, columns=LAND_USE_COLUMNS)
