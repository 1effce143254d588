"""``python -m geo.reporting submit|approve|return|status|register``: a quarter's cycle run from a bureau's scripts."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pytest

from geo.reporting.__main__ import main
from tests.geo.ingest.importdata import park_csv, point_near
from tests.geo.reporting.test_cli import HEADERS, _row


def _yuecheng(name: str, floor_wan: float) -> list[object]:
    lon, lat = point_near("330602")
    return ["", name, "越城区", "建成", floor_wan, 50, round(lon, 7), round(lat, 7)]


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    monkeypatch.setenv("PARKMAP_STORE", str(tmp_path / "store.gpkg"))
    city = [
        _row("KQ-1", "钱清小微企业园", "在建", 5.0),
        _row("", "杨汛桥小微企业园", "建成", 6.0, north_m=3000),
        _yuecheng("越城智造园", 8.0),
    ]
    keqiao = [
        _row("KQ-1", "钱清智造园", "谋划", 5.0),  # renamed by code, status regression
        _row("", "杨汛桥小微企业园", "建成", 7.5, north_m=3000),
        _row("", "马鞍小微企业园", "在建", 2.0, north_m=-3000),
        _yuecheng("越城外来园", 1.0),  # another county's row in 柯桥's file
    ]
    out = {"city": tmp_path / "全市2024Q2.csv", "keqiao": tmp_path / "柯桥区2024Q3.csv"}
    out["city"].write_bytes(park_csv(city, HEADERS))
    out["keqiao"].write_bytes(park_csv(keqiao, HEADERS))
    return out


def _json(capsys: pytest.CaptureFixture[str]) -> dict:
    return json.loads(capsys.readouterr().out)


def test_a_quarter_submitted_reviewed_and_consolidated(files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = ["--crs", "wgs84", "--json"]
    assert main(["submit", str(files["city"]), "--county", "all", "--period", "2024Q2", "--by", "市经信局", "--approve", *base]) == 0
    first = _json(capsys)
    assert first["state"] == "approved" and first["accepted"] == 3

    code = main(["submit", str(files["keqiao"]), "--county", "330603", "--period", "2024Q3", "--by", "柯桥区经信局", *base])
    out = _json(capsys)
    assert code == 1  # one row refused: it belongs to 越城区
    assert out["state"] == "submitted" and out["rows"] == 4 and out["accepted"] == 3 and out["rejected"] == 1
    assert "越城外来园" in out["refused_other_county"][0] and "330602" in out["refused_other_county"][0]
    names = {k: [v.split(" ", 1)[1] for v in items] for k, items in out["changes"].items()}
    assert names["added"] == ["马鞍小微企业园"] and names["renamed"] == ["钱清智造园"] and names["status_changed"] == ["钱清智造园"]
    assert names["area_changed"] == ["杨汛桥小微企业园"] and names["removed"] == []

    assert main(["status", "--period", "2024Q3", "--json"]) == 0
    states = {c["county_adcode"]: c["state"] for c in _json(capsys)["counties"]}
    assert states["330603"] == "submitted" and states["330602"] in {"late", "not_submitted"}

    register = tmp_path / "register.geojson"
    assert main(["register", "--as-of", "2024-09-30", "--out", str(register)]) == 0
    earlier = gpd.read_file(register)
    assert set(earlier["name"]) == {"钱清小微企业园", "杨汛桥小微企业园", "越城智造园"}  # not yet approved

    assert main(["approve", str(out["submission_id"]), "--by", "市经信局"]) == 0
    assert main(["register", "--as-of", "2024-09-30", "--out", str(register)]) == 0
    now = gpd.read_file(register)
    assert set(now["name"]) == {"钱清智造园", "杨汛桥小微企业园", "马鞍小微企业园", "越城智造园"}
    assert now.crs.to_epsg() == 4326
    ids = dict(zip(now["name"], now["park_id"], strict=True))
    old_ids = dict(zip(earlier["name"], earlier["park_id"], strict=True))
    assert ids["钱清智造园"] == old_ids["钱清小微企业园"]  # the park id survives the rename
    assert ids["马鞍小微企业园"] not in old_ids.values()
    assert set(now.loc[now["county_adcode"] == "330603", "submission_id"]) == {out["submission_id"]}  # each row says where it came from
    assert set(now.loc[now["county_adcode"] == "330602", "submission_id"]) <= set(first["submission_id"])
    capsys.readouterr()
    assert main(["register", "--as-of", "2024-06-30", "--out", str(register)]) == 0
    assert set(gpd.read_file(register)["name"]) == {"钱清小微企业园", "杨汛桥小微企业园", "越城智造园"}


def test_return_needs_a_reason_and_an_unknown_id_is_a_clear_message(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["submit", str(files["city"]), "--county", "330603", "--period", "2024Q2", "--by", "柯桥", "--json"]) == 1
    sid = _json(capsys)["submission_id"]
    assert main(["return", str(sid), "--by", "市经信局", "--reason", " "]) == 2
    assert "原因" in capsys.readouterr().err
    assert main(["return", str(sid), "--by", "市经信局", "--reason", "坐标有误"]) == 0
    capsys.readouterr()
    assert main(["status", "--period", "2024Q2", "--json"]) == 0
    assert {c["county_adcode"]: c["state"] for c in _json(capsys)["counties"]}["330603"] == "returned"
    assert main(["approve", "999", "--by", "市经信局"]) == 2
    err = capsys.readouterr().err
    assert "999" in err and "Traceback" not in err
