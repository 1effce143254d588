"""The datum is confirmed on every upload (AppTest): nothing is checked or saved before; BD-09 confirmed puts the parks back."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

from geo.crs import distance_m
from geo.words import t
from tests.geo.ingest.importdata import clean_parks
from tests.ui.test_data_page import _data_page, _save, confirm

TIMEOUT_S = 120


def _choice(at: AppTest):  # AppTest's Radio
    return next(r for r in at.radio if str(r.key).startswith("datum_confirm"))


def test_without_confirming_the_datum_nothing_is_saved(small_store: Path) -> None:
    from geo.store import open_store

    before = len(open_store(small_store).list_snapshots())
    at = AppTest.from_function(_data_page, default_timeout=TIMEOUT_S).run()
    at.file_uploader[0].set_value(("台账.csv", clean_parks("gcj02").to_csv(index=False).encode(), "text/csv")).run()
    assert not at.exception
    assert _choice(at).value is None  # no silent default
    assert "百度" in _choice(at).options[1] and "高德" in _choice(at).options[0]  # each choice says where it comes from
    assert any("GPS" in c.value and "百度" in c.value for c in at.caption)
    assert at.button(key="save_disabled").disabled  # the save button waits for the datum
    assert not [b for b in at.button if "行到数据库" in b.label]
    assert not [m for m in at.metric if m.label == t("rows_total", "zh")]  # no report before the datum is known
    assert len(open_store(small_store).list_snapshots()) == before


def test_bd09_confirmed_moves_the_parks_back_onto_their_county(small_store: Path) -> None:
    from geo.store import open_store

    truth = clean_parks("wgs84")
    at = AppTest.from_function(_data_page, default_timeout=TIMEOUT_S).run()
    at.file_uploader[0].set_value(("百度坐标台账.csv", clean_parks("bd09").to_csv(index=False).encode(), "text/csv")).run()
    hint = _choice(at).value
    assert hint in (None, "bd09")  # prefilled only when the check finds evidence (three parks may not be enough)
    _save(confirm(at, "bd09"))
    assert any("已保存为快照" in s.value for s in at.success)
    saved = open_store(small_store).current("parks").set_index("name")
    got = saved.loc[truth["园区名称"]]
    off = distance_m(got.geometry.x.to_numpy(), got.geometry.y.to_numpy(), truth["经度"].to_numpy(), truth["纬度"].to_numpy())
    assert np.all(off < 5.0), off  # where the parks are
    wrong = clean_parks("bd09")  # what GCJ-02, the old silent default, would have read: ~700 m and more away
    from geo.crs import gcj02_to_wgs84

    lon, lat = gcj02_to_wgs84(wrong["经度"].to_numpy(), wrong["纬度"].to_numpy())
    assert np.all(distance_m(lon, lat, truth["经度"].to_numpy(), truth["纬度"].to_numpy()) > 500)
