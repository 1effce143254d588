"""The import boundary: no input crashes the import or the CLI, no message shows a server path.

Covers the file-level guard of :func:`geo.ingest.parks.import_parks` and
:func:`geo.ingest.enterprises.import_enterprises`, the CLI's exit codes on hostile
files, bounded memory for 30,000 parks typed at one point, and hypothesis
tables of extreme cells and clashing headers fed straight to the validators.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import geo.ingest.enterprises
import geo.ingest.parks
from geo.errors import ImportFileError
from geo.ingest.enterprises import import_enterprises, validate_enterprises
from geo.ingest.importing import scrub_paths
from geo.ingest.parks import import_parks, main, validate_parks
from tests.geo.ingest.importdata import COUNTIES, EXTREME, accounted_rows, park_csv, point_near, raw_table, zip_bomb_xlsx

ROOT = Path(__file__).resolve().parents[3]
KEQIAO = point_near("330603")


def _park_file(folder: Path, name: str = "台账.csv") -> Path:
    path = folder / name
    path.write_bytes(park_csv([["A园", "柯桥区", "建成", "5", "80", "3", *KEQIAO]]))
    return path


@pytest.mark.parametrize("failure", [RuntimeError("boom in /srv/app/geo/x.py"), KeyError("经度"), MemoryError()])
def test_unexpected_park_failure_becomes_a_file_message_and_a_logged_traceback(tmp_path, monkeypatch, caplog, failure):
    def broken(*args, **kwargs):
        raise failure

    monkeypatch.setattr(geo.ingest.parks, "validate_parks", broken)
    with caplog.at_level(logging.ERROR), pytest.raises(ImportFileError) as caught:
        import_parks(_park_file(tmp_path))
    message = str(caught.value)
    assert "文件 台账.csv 无法读取" in message and "另存为 .xlsx 或 .csv" in message
    assert str(tmp_path) not in message and "/srv" not in message
    [record] = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert record.exc_info is not None and record.exc_info[1] is failure  # the traceback, for the maintainer


def test_unexpected_enterprise_failure_becomes_a_file_message(monkeypatch):
    def broken(*args, **kwargs):
        raise IndexError("index 7 is out of bounds")

    monkeypatch.setattr(geo.ingest.enterprises, "read_table", broken)
    with pytest.raises(ImportFileError, match=r"文件 名录\.xlsx 无法读取"):
        import_enterprises(b"PK\x03\x04", file_name="/home/clerk/桌面/名录.xlsx")


def test_missing_file_message_shows_the_base_name_only(tmp_path):
    folder = tmp_path / "a folder with spaces"
    folder.mkdir()
    with pytest.raises(ImportFileError) as caught:
        import_parks(folder / "没有的文件.xlsx")
    assert "没有的文件.xlsx" in str(caught.value) and str(tmp_path) not in str(caught.value)


def test_scrub_paths_keeps_units_and_dates():
    text = "找不到 /tmp/p-1/x/a.xlsx 与 C:\\Users\\u\\b.csv；单位 万元/亩，日期 2021/3/5"
    assert scrub_paths(text) == "找不到 a.xlsx 与 b.csv；单位 万元/亩，日期 2021/3/5"
    header = "列“![x](http://127.0.0.1:9/x.png)”无法识别，见 /tmp/p-1/a.xlsx"
    assert scrub_paths(header) == "列“![x](http://127.0.0.1:9/x.png)”无法识别，见 a.xlsx"  # a web address is data


def _hostile_files(folder: Path) -> list[Path]:
    files = {
        "empty.csv": b"",
        "nul.xlsx": b"\x00" * 100,
        "junk.csv": bytes(range(256)) * 20,
        "header_only.csv": "园区名称,所在区县,建设状态,建筑面积,经度,纬度\n".encode(),
        "extreme.csv": park_csv([["A园", "柯桥区", "建成", v, v, v, v, v] for v in EXTREME]),
        "fake.gpkg": b"SQLite format 3\x00" + b"\x00" * 200,
        "fake.geojson": b'{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": {"type": "Point"}}]}',
        "fake.zip": b"PK\x03\x04" + b"\x00" * 50,
        "bomb.xlsx": zip_bomb_xlsx(uncompressed_mb=20),
        "gbk_garbage.csv": "园区名称,所在区县\n\xff\xfe".encode("utf-8", "surrogateescape") + b"\xff\xfe\x81",
    }
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return [folder / name for name in files] + [folder]  # the folder itself is not a file


def test_cli_never_reaches_the_unexpected_error_path(tmp_path, capsys):
    for path in _hostile_files(tmp_path):
        code = main(["check", str(path), "--json"])
        out, err = capsys.readouterr()
        assert code in (0, 1, 2), path.name
        assert "意外错误" not in err + out and "Traceback" not in err, (path.name, err)
        assert str(tmp_path) not in err + out, (path.name, err)
        if code == 2:
            assert "error" in json.loads(out.splitlines()[0]), path.name


def test_cli_internal_failure_is_a_refused_file_not_an_unexpected_error(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(geo.ingest.parks, "validate_parks", lambda *a, **k: 1 / 0)
    assert main(["check", str(_park_file(tmp_path))]) == 2
    err = capsys.readouterr().err
    assert "无法读取" in err and "意外错误" not in err and str(tmp_path) not in err


def test_cli_unwritable_output_is_a_message(tmp_path, capsys):
    out = tmp_path / "no such folder" / "ok.geojson"
    assert main(["check", str(_park_file(tmp_path)), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "无法写入 ok.geojson" in err and str(tmp_path) not in err


_MEMORY_SCRIPT = textwrap.dedent(
    """
    import resource, sys, tracemalloc
    import numpy as np, pandas as pd
    from geo.ingest.parks import validate_parks
    from tests.geo.ingest.importdata import COUNTIES, point_near, raw_table

    n = 30_000
    lon, lat = point_near("330603")
    frame = pd.DataFrame({"园区名称": [f"园{i}" for i in range(n)], "所在区县": "柯桥区", "建设状态": "建成",
                          "建筑面积": "5", "经度": lon, "纬度": lat})
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    report = validate_parks(raw_table(frame), counties=COUNTIES)
    peak = tracemalloc.get_traced_memory()[1]
    near = int((report.problems["field"] == "坐标").sum())
    print(report.accepted, near, peak, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)
    """
)


@pytest.mark.slow
def test_thirty_thousand_parks_at_one_point_validate_in_bounded_memory():
    limit = 3 * 1024**3  # address-space cap: a regression fails with MemoryError instead of filling the machine

    def cap() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (limit + 2 * 1024**3, limit + 2 * 1024**3))

    result = subprocess.run([sys.executable, "-c", _MEMORY_SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=600, preexec_fn=cap)
    assert result.returncode == 0, result.stderr[-2000:]
    accepted, near, peak_bytes, grown_kib = (int(v) for v in result.stdout.split())
    assert accepted == 30_000
    assert near == 29_999  # every park but the first, each reported once
    assert peak_bytes < 1024**3
    assert grown_kib * 1024 < 1024**3


_HEADERS = {
    "parks": [
        "园区名称",
        "名称",
        "所在区县",
        "县(市、区)",
        "建设状态",
        "状态",
        "建筑面积",
        "总建筑面积（㎡）",
        "占地面积(亩)",
        "入园企业数",
        "规上企业数",
    ],
    "enterprises": ["统一社会信用代码", "企业名称", "所在区县", "是否入园", "所在园区", "成立日期", "企业规模"],
}
_SHARED = ["经度", "纬度", "坐标", "lng", "经度(2)", "星级", "开工日期", "geometry", "source_row", "park_id", "enterprise_id", "亩均税收"]
_extreme_cells = st.one_of(
    st.sampled_from([*EXTREME, "柯桥", "柯桥区", "建成", "谋划", "是", "120.45,29.99", "29.99,120.45", "=1+1", "\x00", "𠮷" * 40]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.sampled_from([KEQIAO[0], KEQIAO[1], 0.0, -0.0, 1e20, 10**20, True, False, None]),
    st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)),
    st.text(max_size=8),
)


def _tables(kind: str) -> st.SearchStrategy[pd.DataFrame]:
    required = {"parks": ["园区名称", "所在区县", "建设状态", "建筑面积"], "enterprises": ["企业名称", "所在区县"]}[kind]
    pool = [h for h in _HEADERS[kind] + _SHARED if h not in required]

    @st.composite
    def build(draw: st.DrawFn) -> pd.DataFrame:
        extra = draw(st.lists(st.sampled_from(pool), unique=True, max_size=6))
        headers = required + (extra if draw(st.booleans()) else ["经度", "纬度", *extra])
        headers = list(dict.fromkeys(headers))
        rows = draw(st.lists(st.lists(_extreme_cells, min_size=len(headers), max_size=len(headers)), max_size=8))
        return pd.DataFrame(rows, columns=headers, dtype=object) if rows else pd.DataFrame(columns=headers, dtype=object)

    return build()


def _check_accounting(report, table) -> None:
    accepted, rejected = accounted_rows(report)
    assert len(table) == accepted + rejected + report.skipped_blank
    assert (report.accepted, report.rejected) == (accepted, rejected)
    assert set(report.problems["severity"]) <= {"error", "warning"}


_SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.mark.slow
@_SETTINGS
@given(_tables("parks"))
def test_no_exception_escapes_validate_parks(table):
    try:
        report = validate_parks(raw_table(table), counties=COUNTIES)
    except ImportFileError:
        return
    _check_accounting(report, table)
    numbers = report.data[["floor_area_m2", "land_area_mu", "occupancy_pct", "tax_per_mu_wan_yuan"]].to_numpy(dtype="float64")
    assert not (abs(numbers) == float("inf")).any()


@_SETTINGS
@given(_tables("enterprises"))
def test_no_exception_escapes_validate_enterprises(table):
    try:
        report = validate_enterprises(raw_table(table, file_name="firms.csv"), counties=COUNTIES)
    except ImportFileError:
        return
    _check_accounting(report, table)
    assert report.data["enterprise_id"].is_unique
