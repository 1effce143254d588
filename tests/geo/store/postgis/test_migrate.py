"""python -m geo.store migrate: a GeoPackage store moved into PostGIS reads back the same, row for row."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from geopandas.testing import assert_geodataframe_equal

from geo.store import GeoPackageStore, open_store
from geo.store.__main__ import main
from geo.store.postgis import close_pool
from tests.pg import PgDatabase

DATES = (date(2021, 3, 31), date(2022, 6, 30), date(2022, 7, 20), date(2023, 12, 31), date(2024, 6, 30))


def test_the_sample_store_moves_into_postgis_row_for_row(
    small_store_template: Path, pg_database: PgDatabase, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["migrate", "--from", str(small_store_template), "--to", pg_database.owner_url]) == 0
    assert "copied" in capsys.readouterr().out
    source, target = GeoPackageStore(small_store_template), open_store(pg_database.app_url)
    pd.testing.assert_frame_equal(target.list_snapshots(), source.list_snapshots())
    for snapshot_id in source.list_snapshots()["snapshot_id"]:
        assert_geodataframe_equal(target.load_snapshot(int(snapshot_id)), source.load_snapshot(int(snapshot_id)))
    assert target.list_submissions() == source.list_submissions() and len(source.list_submissions()) > 80
    for submission in source.list_submissions()[::7]:
        assert_geodataframe_equal(target.load_submission(submission.submission_id), source.load_submission(submission.submission_id))
    for when in (*DATES, None):
        assert target.in_force(when) == source.in_force(when)
        expected, got = source.register(when), target.register(when)
        assert (expected is None) == (got is None)
        if expected is not None and got is not None:
            assert_geodataframe_equal(got, expected)
            assert got.attrs == expected.attrs
    # the ids continue after the copied ones
    newest = max(s.submission_id for s in source.list_submissions())
    last = source.submission(newest)
    (sub,) = target.submit(target.load_submission(newest), period=last.period, counties=[last.county_adcode],
                           source_name="again.xlsx", source_sha256="0" * 64, submitted_by="t")  # fmt: skip
    assert sub.submission_id == newest + 1
    assert main(["migrate", "--from", str(small_store_template), "--to", pg_database.owner_url]) == 2
    assert "already holds" in capsys.readouterr().err
    close_pool(pg_database.app_url)
    close_pool(pg_database.owner_url)
