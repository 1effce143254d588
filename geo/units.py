"""Unit conversions and derived values: the one home of each piece of arithmetic.

Inside the product areas are m² and land is 亩 (the unit registers use);
万平方米 (万㎡) and hectares appear only at the edges. Every derived value a
planner sees (plot ratio 容积率, shares such as 入驻率, 亩均 figures) is computed
here, with one rule for missing and zero inputs: a ratio whose
denominator is missing, zero or negative, or whose numerator is missing, is
missing (NaN), never 0 and never infinite.

Every function takes a scalar, a NumPy array or a pandas Series and returns
the same kind (a Series keeps its index).
"""

from __future__ import annotations

from typing import Final, TypeVar

import numpy as np
import pandas as pd

SQM_PER_MU: Final = 10_000 / 15  # 1 亩 = 666.67 m²
SQM_PER_WAN_SQM: Final = 10_000  # 1 万平方米 = 10,000 m²
SQM_PER_HECTARE: Final = 10_000

Values = TypeVar("Values", float, np.ndarray, pd.Series)


def _floats(values: object) -> np.ndarray:
    if isinstance(values, pd.Series):
        return pd.to_numeric(values, errors="coerce").astype("float64").to_numpy()
    array = pd.to_numeric(pd.Series(np.atleast_1d(np.asarray(values, dtype=object))), errors="coerce")
    return array.astype("float64").to_numpy()


def _like(template: object, values: np.ndarray) -> object:
    if isinstance(template, pd.Series):
        return pd.Series(values, index=template.index, dtype="float64")
    if isinstance(template, np.ndarray):
        return values.reshape(template.shape)
    return float(values[0])


def ratio(numerator: Values, denominator: Values, *, scale: float = 1.0) -> Values:
    """Return ``numerator / denominator * scale``, missing where either is missing or the denominator is not above 0.

    Parameters
    ----------
    numerator, denominator
        Scalars, arrays or Series of the same length (Series are aligned by position).
    scale
        Factor applied to the quotient (100 for a percentage).

    Returns
    -------
    The quotient, of the kind of ``numerator``; NaN where it is not defined.
    """
    top, bottom = _floats(numerator), _floats(denominator)
    defined = np.isfinite(top) & np.isfinite(bottom) & (bottom > 0)
    out = np.full(np.broadcast(top, bottom).shape, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        np.divide(top * scale, bottom, out=out, where=np.broadcast_to(defined, out.shape))
    return _like(numerator, out)  # type: ignore[return-value]


def m2_to_wan_m2(area_m2: Values) -> Values:
    """Return areas in 万平方米 (万㎡) from m².

    Parameters
    ----------
    area_m2
        Areas in m².

    Returns
    -------
    float, ndarray or Series
        The areas converted, of the same type (a Series keeps its index).
    """
    return _like(area_m2, _floats(area_m2) / SQM_PER_WAN_SQM)  # type: ignore[return-value]


def wan_m2_to_m2(area_wan_m2: Values) -> Values:
    """Return areas in m² from 万平方米.

    Parameters
    ----------
    area_wan_m2
        Areas in 万平方米.

    Returns
    -------
    float, ndarray or Series
        The areas converted, of the same type (a Series keeps its index).
    """
    return _like(area_wan_m2, _floats(area_wan_m2) * SQM_PER_WAN_SQM)  # type: ignore[return-value]


def mu_to_m2(area_mu: Values) -> Values:
    """Return areas in m² from 亩 (1 亩 = 666.67 m²).

    Parameters
    ----------
    area_mu
        Areas in 亩.

    Returns
    -------
    float, ndarray or Series
        The areas converted, of the same type (a Series keeps its index).
    """
    return _like(area_mu, _floats(area_mu) * SQM_PER_MU)  # type: ignore[return-value]


def m2_to_mu(area_m2: Values) -> Values:
    """Return areas in 亩 from m².

    Parameters
    ----------
    area_m2
        Areas in m².

    Returns
    -------
    float, ndarray or Series
        The areas converted, of the same type (a Series keeps its index).
    """
    return _like(area_m2, _floats(area_m2) / SQM_PER_MU)  # type: ignore[return-value]


def plot_ratio(floor_area_m2: Values, land_area_mu: Values) -> Values:
    """Return the plot ratio 容积率 = floor area / land area (亩 converted to m²).

    Parameters
    ----------
    floor_area_m2
        Total floor area in m².
    land_area_mu
        Land area in 亩.

    Returns
    -------
    The ratio; NaN where the floor area is missing or the land area is missing, 0 or negative.
    """
    return ratio(floor_area_m2, mu_to_m2(land_area_mu))


def per_mu_annual(amount_wan_yuan: Values, land_area_mu: Values, *, months: int = 3) -> Values:
    """Return a period's amount per 亩 of land, annualised: ``amount / land × 12 / months`` (亩均税收, 亩均产出).

    The amount is for one period of ``months`` months (a quarter by default, as
    the register's ``本季度`` columns are), not a year-to-date total; it is
    scaled to a year by ``12 / months`` so that it compares with yearly 亩均
    figures.

    Parameters
    ----------
    amount_wan_yuan
        Amounts for the period in 万元 (tax, output).
    land_area_mu
        Land area in 亩.
    months
        Length of the period in months (3 for a quarter, 12 for a year).

    Returns
    -------
    The annual amount per 亩 in 万元/亩; NaN where the amount is missing or the land area is missing, 0 or negative.

    Raises
    ------
    ValueError
        ``months`` is not between 1 and 12.
    """
    if not 1 <= months <= 12:
        msg = f"`months` must be a period length of 1 to 12 months, not {months!r}."
        raise ValueError(msg)
    return ratio(amount_wan_yuan, land_area_mu, scale=12 / months)
