"""The datum detector: a register in the wrong datum is named before it is saved, a right one is left alone."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo.crs import CGCS2000_GK_120E, WGS84, bd09_to_wgs84, gcj02_to_wgs84, wgs84_to_bd09, wgs84_to_gcj02
from geo.ingest.datum import SAMPLE_ROWS, detect_datum, load_township_centres, township_key
from geo.ingest.parks import import_parks, main
from tests.geo.ingest.importdata import CENTRES, COUNTIES, PARK_HEADERS, in_datum, point_near, write_xlsx

NAMES = dict(zip(COUNTIES["adcode"].astype(str), COUNTIES["name"], strict=True))
CENTRES_TOWNS = load_township_centres()
HEADERS_WITH_TOWN = [*PARK_HEADERS[:3], "所在镇街", *PARK_HEADERS[3:]]
_READ_AS = {"wgs84": lambda x, y: (x, y), "cgcs2000": lambda x, y: (x, y), "gcj02": gcj02_to_wgs84, "bd09": bd09_to_wgs84}


def _border_truth(n: int, *, written: str, declared: str, seed: int = 5) -> list[tuple[str, float, float]]:
    """True WGS-84 points inside their county that the wrong reading (``written`` read as ``declared``) puts outside it."""
    rng = np.random.default_rng(seed)
    rows: list[tuple[str, float, float]] = []
    adcodes = list(CENTRES)
    for tries in range(100_000):
        if len(rows) == n:
            return rows
        adcode = adcodes[tries % len(adcodes)]
        county = COUNTIES.set_index("adcode").loc[adcode, "geometry"]
        outline = max(getattr(county, "geoms", [county]), key=lambda g: g.area).exterior
        p = outline.interpolate(rng.uniform(0, outline.length))
        lon, lat = p.x + rng.normal(0, 0.004), p.y + rng.normal(0, 0.004)
        wx, wy = _READ_AS[declared](*in_datum(lon, lat, written))
        if county.contains(shapely.Point(lon, lat)) and not county.contains(shapely.Point(float(wx), float(wy))):
            rows.append((adcode, lon, lat))
    raise AssertionError("not enough border points")


def _rows(truth: list[tuple[str, float, float]], *, written: str, towns: list[str] | None = None) -> list[list[object]]:
    """Register rows (headers first) for true points typed in ``written``; with a 所在镇街 column when ``towns`` is given."""
    rows: list[list[object]] = [HEADERS_WITH_TOWN if towns is not None else list(PARK_HEADERS)]
    for i, (adcode, lon, lat) in enumerate(truth):
        x, y = in_datum(lon, lat, written)
        row: list[object] = [i + 1, f"园区{i + 1}", NAMES[adcode], "建成", 5.0, 80, 3, 20, round(x, 7), round(y, 7)]
        if towns is not None:
            row.insert(3, towns[i])
        rows.append(row)
    return rows


def _deep_town_truth(n: int, *, radius_m: float, seed: int = 7) -> tuple[list[tuple[str, float, float]], list[str]]:
    """True points within ``radius_m`` of township centres at least 3 km inside their county, and their townships."""
    assert CENTRES_TOWNS is not None
    borders = COUNTIES.to_crs(CGCS2000_GK_120E).set_index("adcode").geometry.boundary
    centres = gpd.GeoSeries(shapely.points(CENTRES_TOWNS.lon, CENTRES_TOWNS.lat), crs=WGS84).to_crs(CGCS2000_GK_120E)
    inside_m = np.array([borders[a].distance(p) for a, p in zip(CENTRES_TOWNS.adcode, centres, strict=True)])
    deep = np.flatnonzero(inside_m > 3_000 + radius_m)
    assert len(deep) >= 10
    rng = np.random.default_rng(seed)
    chosen = deep[rng.permutation(len(deep))[:n] % len(deep)]
    truth, towns = [], []
    for i in chosen:
        angle, r = rng.uniform(0, 2 * np.pi), rng.uniform(0, radius_m)
        lat = CENTRES_TOWNS.lat[i] + r * np.sin(angle) / 110_540
        lon = CENTRES_TOWNS.lon[i] + r * np.cos(angle) / (111_320 * np.cos(np.radians(lat)))
        truth.append((str(CENTRES_TOWNS.adcode[i]), float(lon), float(lat)))
        towns.append(str(CENTRES_TOWNS.name[i]))
    return truth, towns


def test_bd09_register_declared_gcj02_is_named_with_the_count(tmp_path):
    truth = _border_truth(20, written="bd09", declared="gcj02")
    path = write_xlsx(tmp_path / "bd09.xlsx", _rows(truth, written="bd09"))
    report = import_parks(path, datum="gcj02")
    assert report.datum_hint == "bd09"
    evidence = report.datum_evidence
    assert evidence is not None and evidence.likely == "bd09" and evidence.checked == 20
    assert evidence.score("gcj02").outside_county == 20 and evidence.score("bd09").outside_county == 0
    text = report.datum_hint_text
    assert text is not None
    assert "GCJ-02（高德、腾讯地图）导入" in text and "BD-09（百度地图）坐标" in text
    assert "按 GCJ-02（高德）解读，有 20 个园区落在所填区县之外；按 BD-09（百度）解读则全部在所填区县内" in text
    assert "请确认坐标系后重新导入" in text and "bd09" in text
    assert text in report.summary_lines()  # the CLI and the data page show it
    assert report.summary_lines()[2] == text  # the data page shows line 2 when there is a hint


def test_the_same_register_in_gcj02_declared_gcj02_gets_no_hint(tmp_path):
    truth = _border_truth(20, written="bd09", declared="gcj02")
    report = import_parks(write_xlsx(tmp_path / "gcj.xlsx", _rows(truth, written="gcj02")), datum="gcj02")
    assert report.datum_hint is None and report.datum_hint_text is None
    assert report.rejected == 0 and report.datum_evidence is not None and report.datum_evidence.likely is None
    assert report.datum_evidence.score("gcj02").outside_county == 0


def test_the_bd09_register_declared_bd09_gets_no_hint(tmp_path):
    truth = _border_truth(20, written="bd09", declared="gcj02")
    report = import_parks(write_xlsx(tmp_path / "bd.xlsx", _rows(truth, written="bd09")), datum="bd09")
    assert report.datum_hint is None and report.rejected == 0


@pytest.mark.parametrize(("written", "declared"), [("gcj02", "wgs84"), ("gcj02", "cgcs2000"), ("bd09", "wgs84"), ("wgs84", "gcj02")])
def test_other_slips_at_county_borders_are_named(tmp_path, written, declared):
    truth = _border_truth(12, written=written, declared=declared, seed=11)
    report = import_parks(write_xlsx(tmp_path / "b.xlsx", _rows(truth, written=written)), datum=declared)
    assert report.datum_hint == written
    assert report.datum_evidence is not None and report.datum_evidence.declared == declared
    assert report.datum_hint_text is not None and written in report.datum_hint_text


def test_a_few_border_rows_are_not_enough(tmp_path):
    """Two rows across a border, all others deep inside: too little to say the datum is wrong."""
    truth = _border_truth(2, written="bd09", declared="gcj02") + [(a, *point_near(a, east_m=300.0 * k)) for k in range(3) for a in CENTRES]
    report = import_parks(write_xlsx(tmp_path / "few.xlsx", _rows(truth, written="bd09")), datum="gcj02")
    assert report.datum_evidence is not None and report.datum_evidence.score("bd09").county_gained == 2
    assert report.datum_hint is None


@pytest.mark.parametrize(("written", "declared"), [("bd09", "gcj02"), ("gcj02", "gcj02"), ("gcj02", "wgs84")])
def test_points_deep_inside_without_township_give_no_hint(tmp_path, written, declared):
    truth = [(a, *point_near(a, east_m=east, north_m=north)) for a in CENTRES for east in (-900, 0, 900) for north in (-700, 700)]
    report = import_parks(write_xlsx(tmp_path / "deep.xlsx", _rows(truth, written=written)), datum=declared)
    assert report.rejected == 0
    assert report.datum_hint is None
    evidence = report.datum_evidence
    assert evidence is not None and all(s.county_gained == s.county_lost == 0 and s.township_rows == 0 for s in evidence.scores)


@pytest.mark.parametrize(("written", "declared"), [("bd09", "gcj02"), ("gcj02", "wgs84"), ("bd09", "wgs84"), ("wgs84", "gcj02")])
def test_township_evidence_names_the_datum_far_from_borders(tmp_path, written, declared):
    truth, towns = _deep_town_truth(20, radius_m=100.0)
    with_town = import_parks(write_xlsx(tmp_path / "t.xlsx", _rows(truth, written=written, towns=towns)), datum=declared)
    assert with_town.datum_hint == written
    evidence = with_town.datum_evidence
    assert evidence is not None and evidence.used_township and not evidence.used_county
    assert evidence.score(written).closer == 20 and evidence.score(written).farther == 0
    assert with_town.datum_hint_text is not None and "离所填镇街中心明显更近" in with_town.datum_hint_text
    without = import_parks(write_xlsx(tmp_path / "n.xlsx", _rows(truth, written=written)), datum=declared)
    assert without.datum_hint is None  # the county borders alone cannot tell
    right = import_parks(write_xlsx(tmp_path / "r.xlsx", _rows(truth, written=written, towns=towns)), datum=written)
    assert right.datum_hint is None


@pytest.mark.parametrize("seed", range(10))
def test_a_right_register_is_not_flagged_even_with_rows_across_borders(seed):
    """150 parks up to ~4 km from their township centres, typed right; a few spill across a county border
    (the county says one thing, the point another) and the far ones vote both ways: no hint."""
    assert CENTRES_TOWNS is not None
    rng = np.random.default_rng(seed)
    i = rng.integers(0, len(CENTRES_TOWNS), 150)
    lon = CENTRES_TOWNS.lon[i] + rng.normal(0, 0.015, len(i))
    lat = CENTRES_TOWNS.lat[i] + rng.normal(0, 0.015, len(i))
    for datum in ("wgs84", "gcj02", "bd09"):
        x, y = in_datum_arrays(lon, lat, datum)
        found = detect_datum(
            x, y, CENTRES_TOWNS.adcode[i], declared=datum, counties=COUNTIES, township=CENTRES_TOWNS.name[i], centres=CENTRES_TOWNS
        )
        assert found is not None and found.likely is None, (datum, found)


def in_datum_arrays(lon: np.ndarray, lat: np.ndarray, datum: str) -> tuple[np.ndarray, np.ndarray]:
    """True WGS-84 arrays as typed in ``datum``."""
    if datum == "gcj02":
        return tuple(np.asarray(v) for v in wgs84_to_gcj02(lon, lat))  # type: ignore[return-value]
    if datum == "bd09":
        return tuple(np.asarray(v) for v in wgs84_to_bd09(lon, lat))  # type: ignore[return-value]
    return lon, lat


HOSTILE = ['=HYPERLINK("http://x","镇")', "柯" * 400, "<script>alert(1)</script>", "12345", "\u200b\u3000", "镇", "😀街道", "nan"]


def test_hostile_township_and_name_cells_do_not_break_it(tmp_path):
    truth, towns = _deep_town_truth(20, radius_m=100.0)
    towns = [HOSTILE[i % len(HOSTILE)] if i % 2 else t for i, t in enumerate(towns)]  # half hostile, half real
    rows = _rows(truth, written="bd09", towns=towns)
    for i, row in enumerate(rows[1:]):
        row[1] = HOSTILE[i % len(HOSTILE)] + f"园{i}"
    report = import_parks(write_xlsx(tmp_path / "h.xlsx", rows), datum="gcj02")
    assert report.rejected == 0
    evidence = report.datum_evidence
    assert evidence is not None and evidence.score("bd09").township_rows == 10  # the hostile cells match no township
    assert report.datum_hint == "bd09"
    json.dumps(report.to_dict(), ensure_ascii=False)


@pytest.mark.parametrize(
    "cell", ["柯桥街道", "柯桥街道办事处", "柯桥区柯桥街道", "绍兴市柯桥区柯桥街道", "浙江省绍兴市柯桥区 柯桥街道", "柯桥", "　柯桥街道 "]
)
def test_township_names_are_matched_in_the_ways_registers_write_them(cell):
    assert CENTRES_TOWNS is not None
    found = CENTRES_TOWNS.match(np.array([cell, cell]), np.array(["330603", "330602"], dtype=object))
    assert CENTRES_TOWNS.name[found[0]] == "柯桥街道"
    assert found[1] == -1  # not a township of 越城区


def test_township_key_keeps_short_names():
    assert township_key("钱清镇") == township_key("钱清") == "钱清"
    assert township_key("镇") == "镇" and township_key("") == ""


def test_a_long_list_is_scored_on_a_sample():
    n = SAMPLE_ROWS * 3 + 7
    rng = np.random.default_rng(0)
    adcodes = np.array(list(CENTRES), dtype=object)[rng.integers(0, len(CENTRES), n)]
    lon = np.array([CENTRES[a][0] for a in adcodes]) + rng.normal(0, 0.002, n)
    lat = np.array([CENTRES[a][1] for a in adcodes]) + rng.normal(0, 0.002, n)
    found = detect_datum(lon, lat, adcodes, declared="wgs84", counties=COUNTIES)
    assert found is not None and found.sampled and found.checked <= SAMPLE_ROWS and found.likely is None


def test_too_few_rows_say_nothing():
    assert (
        detect_datum(np.array([120.5, np.nan]), np.array([30.0, 30.0]), np.array(["330603", "330603"]), declared="wgs84", counties=COUNTIES)
        is None
    )


def test_the_cli_prints_the_hint_and_json_carries_the_evidence(tmp_path, capsys):
    truth = _border_truth(20, written="bd09", declared="gcj02")
    path = write_xlsx(tmp_path / "bd09.xlsx", _rows(truth, written="bd09"))
    assert main(["check", str(path), "--crs", "gcj02"]) == 0
    assert "按 BD-09（百度）解读则全部在所填区县内" in capsys.readouterr().out
    main(["check", str(path), "--crs", "gcj02", "--json"])
    record = json.loads(capsys.readouterr().out)
    assert record["datum_hint"] == "bd09" and "20 个园区" in record["datum_hint_message"]
    scores = {s["datum"]: s for s in record["datum_evidence"]["scores"]}
    assert scores["gcj02"]["outside_county"] == 20 and scores["bd09"]["county_gained"] == 20


def test_a_vector_file_whose_crs_fixes_the_datum_gets_no_hint(tmp_path):
    truth = _border_truth(12, written="gcj02", declared="wgs84")
    frame = pd.DataFrame(_rows(truth, written="wgs84")[1:], columns=PARK_HEADERS)
    gdf = gpd.GeoDataFrame(frame.drop(columns=["经度", "纬度"]), geometry=shapely.points(frame["经度"], frame["纬度"]), crs="EPSG:4490")
    gdf.to_file(tmp_path / "p.gpkg", driver="GPKG", layer="parks")
    report = import_parks(tmp_path / "p.gpkg", datum="gcj02")
    assert report.datum == "cgcs2000" and report.datum_hint is None
