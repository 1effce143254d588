"""The data page draws the map of a register's changes: for the clerk before submitting, for the city when reviewing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from streamlit.testing.v1 import AppTest

from geo.words import t
from tests.geo.ingest.importdata import clean_parks
from tests.layers.conftest import XSS_NAME
from tests.ui.test_data_page import TIMEOUT_S, _data_page, confirm

KEQIAO = "330603"


def _keqiao_file(name: str = "柯桥纺织园") -> bytes:
    frame = clean_parks("gcj02")
    frame = frame[frame.iloc[:, 2] == "柯桥区"].copy()  # the file of 柯桥区 only
    frame.iloc[0, 1] = name
    return frame.to_csv(index=False).encode("utf-8")


def _nodes(node: object) -> Iterator[object]:
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _nodes(child)


def _maps(at: AppTest) -> list[tuple[int, dict]]:
    """(position on the page, arguments) of every folium map the page draws."""
    found = []
    for position, node in enumerate(_nodes(at._tree)):
        proto = getattr(node, "proto", None)
        if getattr(proto, "json_args", ""):
            found.append((position, json.loads(proto.json_args)))  # type: ignore[union-attr]
    return found


def _position(at: AppTest, key: str) -> int:
    return next(i for i, node in enumerate(_nodes(at._tree)) if getattr(node, "key", None) == key)


def _submit_keqiao(store_path: Path, name: str) -> int:
    """Submit 柯桥区's register for 2024Q3 as its clerk would, and return the submission's id."""
    from geo.ingest.parks import import_parks
    from geo.region.boundaries import load_counties
    from geo.region.region import load_region
    from geo.reporting.periods import parse_period
    from geo.reporting.service import prepare_submission, save_submission
    from geo.store import open_store

    store = open_store(store_path)
    report = import_parks(_keqiao_file(name), datum="gcj02", counties=load_counties(), file_name="柯桥区2024Q3.csv")
    counties = [c.adcode for c in load_region().counties]
    prepared = prepare_submission(report.data, store=store, period=parse_period("2024Q3"), county=KEQIAO, region_counties=counties)
    made = save_submission(store, prepared, by="柯桥区经信局", source_name="柯桥区2024Q3.csv", source_sha256="0" * 64)
    return made[0].submission_id


def test_the_clerk_sees_the_map_of_changes_before_submitting(small_store: Path) -> None:
    at = AppTest.from_function(_data_page, default_timeout=TIMEOUT_S).run()
    confirm(at.file_uploader[0].set_value(("柯桥区2024Q3.csv", _keqiao_file(), "text/csv")).run())
    at.selectbox(key="submit_county").select(KEQIAO).run()
    at.text_input(key="submit_period").input("2024Q3").run()
    assert not at.exception, [e.message for e in at.exception]
    maps = [(position, args) for position, args in _maps(at) if position < _position(at, "submit_button")]
    assert len(maps) == 1  # one map above the button, beside the table of changes (the board below may draw its own)
    args = maps[0][1]
    assert args["returned_objects"] == []
    overlays = args["feature_group"]
    assert t("review_map_added", "zh") in overlays and t("review_map_removed", "zh") in overlays
    assert json.dumps("柯桥纺织园")[1:-1] in overlays  # the new park, as the GeoJSON data spells it


def test_the_city_sees_the_map_of_the_picked_submission_in_the_review_area(small_store: Path) -> None:
    submission = _submit_keqiao(small_store, XSS_NAME)
    at = AppTest.from_function(_data_page, default_timeout=TIMEOUT_S).run()
    at.selectbox(key="review_pick").select(submission).run()
    assert not at.exception, [e.message for e in at.exception]
    maps = [(position, args) for position, args in _maps(at) if _position(at, "review_pick") < position < _position(at, "return_reason")]
    assert len(maps) == 1  # between the pick and the approval
    args = maps[0][1]
    overlays = args["feature_group"]
    assert t("review_map_legend", "zh") in overlays
    assert XSS_NAME not in overlays and "<img" not in overlays  # the name from the file is escaped ...
    assert "lt;img src=x onerror=alert(1)" in overlays  # ... and still shown
    assert "/app/static/vendor/leaflet/leaflet.js" in args["js_links"]
    assert not [url for url in args["js_links"] + args["css_links"] if url.startswith(("http:", "https:", "//"))]
    assert any(t("review_map_caption", "zh") in c.value for c in at.caption)
