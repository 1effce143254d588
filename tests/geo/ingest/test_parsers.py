"""Parsers on hostile numbers: nothing raises, absurd values are out of range, never inf."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.ingest.parsers import hashed_ids, parse_area_m2, parse_count, parse_number, parse_percent, parse_star
from geo.schema import SQM_PER_MU
from tests.geo.ingest.importdata import EXTREME


def test_count_of_1e20_is_out_of_range_not_a_crash():
    parsed = parse_count(pd.Series(["1e20", "12345678901234567890", 1e20, 10**25, "35家", "-0"], dtype=object))
    assert parsed.values.dtype == "Int64"
    assert list(parsed.out_of_range) == [True, True, True, True, False, False]
    assert parsed.values.isna().tolist() == [True, True, True, True, False, False]
    assert parsed.values.iloc[4] == 35 and parsed.values.iloc[5] == 0
    assert not parsed.bad[:4].any()  # said as out of range, not as unreadable


def test_count_maximum_is_inclusive():
    parsed = parse_count(pd.Series(["1000000", "1000001"]), maximum=1_000_000)
    assert list(parsed.out_of_range) == [False, True]
    assert parsed.values.iloc[0] == 1_000_000


def test_areas_never_come_out_infinite():
    series = pd.Series(["1e400", "1e308", "inf", "nan", "1e300万平方米", "12.5万㎡", 1e308, float("inf")], dtype=object)
    parsed = parse_area_m2(series, header_unit=None, default_unit=None, maximum_m2=10_000_000)
    values = parsed.values.to_numpy(dtype="float64")
    assert not np.isinf(values).any()
    assert list(parsed.out_of_range) == [True, True, False, False, True, False, True, False]
    assert list(parsed.bad) == [False, False, True, True, False, False, False, True]
    assert values[5] == 125_000


def test_land_area_above_the_maximum_is_out_of_range():
    parsed = parse_area_m2(pd.Series(["100000", "100001", "80"]), header_unit="亩", default_unit="亩", maximum_m2=100_000 * SQM_PER_MU)
    assert list(parsed.out_of_range) == [False, True, False]


def test_number_maximum_applies_to_both_signs():
    parsed = parse_number(pd.Series(["-5", "-1e9", "1e9", "inf"]), maximum=1e6)
    assert list(parsed.out_of_range) == [False, True, True, False]
    assert bool(parsed.bad[3])


def test_star_of_four_hundred_digits_is_bad_not_overflow():
    parsed = parse_star(pd.Series(["9" * 400, "4", "4.0"]))
    assert list(parsed.bad) == [True, False, False]


def test_hashed_ids_are_stable_and_distinct_for_repeats():
    ids = hashed_ids(pd.Series(["a", "b", "a", "a"]), prefix="E")
    assert ids.is_unique
    assert ids.iloc[2] == ids.iloc[0] + "-2" and ids.iloc[3] == ids.iloc[0] + "-3"
    assert list(hashed_ids(pd.Series(["a", "b", "a", "a"]), prefix="E")) == list(ids)


_number_cells = st.one_of(
    st.sampled_from(EXTREME),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.text(alphabet="0123456789.,e+-万㎡亩家０１２３４５６７８９ ", max_size=25),
    st.none(),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_number_cells, min_size=1, max_size=12))
def test_number_parsers_never_raise_and_masks_partition(cells):
    series = pd.Series(cells, dtype=object)
    for parsed in (
        parse_count(series),
        parse_number(series, maximum=1e6),
        parse_area_m2(series, header_unit=None, default_unit=None, maximum_m2=1e7),
        parse_area_m2(series, header_unit="亩", default_unit="亩", maximum_m2=1e8),
        parse_percent(series),
    ):
        values = pd.Series(parsed.values).astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
        assert not np.isinf(values).any()
        out = parsed.out_of_range if parsed.out_of_range is not None else np.zeros(len(series), dtype=bool)
        read = ~np.isnan(values)
        # every cell is exactly one of: blank, unreadable, out of range, read
        assert (parsed.blank.astype(int) + parsed.bad.astype(int) + out.astype(int) + read.astype(int) == 1).all()


@pytest.mark.parametrize("text", ["1e20", "1e400", "12345678901234567890"])
def test_percent_of_absurd_values_is_bad(text):
    assert bool(parse_percent(pd.Series([text])).bad[0])
