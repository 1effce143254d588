"""Hostile and broken files (issue 9): each ends as a planner's message or a clean import, never a crash.

Every file is built by ``tests/data/hostile/make_hostile.py`` and checked with
``python -m geo.parks check`` in a subprocess limited to 10 s and 2 GB of
address space; the output must hold the expected words and no traceback or
server path.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import resource
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from geo.errors import ImportFileError
from geo.ingest.readers import PARK_LIMITS, read_table

ROOT = Path(__file__).resolve().parents[3]
_spec = importlib.util.spec_from_file_location("make_hostile", ROOT / "tests" / "data" / "hostile" / "make_hostile.py")
assert _spec and _spec.loader
hostile = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(hostile)

MEMORY_BYTES = 2 * 1024**3
TIMEOUT_S = 10


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))


def check(path: Path) -> tuple[int, str]:
    """Run the park checker on ``path``; return exit code and combined output."""
    done = subprocess.run(
        [sys.executable, "-m", "geo.parks", "check", str(path)],
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        preexec_fn=_limit_memory,
        cwd=ROOT,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    output = done.stdout + done.stderr
    assert "Traceback" not in output
    assert "/tmp/" not in output and str(path.parent) not in output
    return done.returncode, output


# (builder, exit code, fragment of the message)
REFUSED = [
    ("giant_cell_xlsx", "16,384 列，超过上限 500 列"),
    ("many_columns_xlsx", "超过上限 500 列"),
    ("many_columns_csv", "超过上限 500 列"),
    ("giant_cell_csv", "第 3 行"),
    ("unterminated_quote_csv", "第 3 行有一个引号"),
    ("damaged_zip", "无法读取"),
    ("damaged_shp_zip", "已损坏，无法解压"),
    ("shp_without_shx", "缺少 .shx 文件"),
    ("crs_link_geojson", "不访问网络"),
    ("crs_name_url_geojson", "不访问网络"),
    ("many_features_geojson", "超过 20,000 个要素"),  # a park register's cap
    pytest.param("million_rows_xlsx", "超过一次导入的上限 20,000 行", marks=pytest.mark.slow),
]


@pytest.mark.parametrize(("builder", "fragment"), REFUSED)
def test_hostile_file_is_refused_with_a_message(tmp_path, builder, fragment):
    code, output = check(hostile.BUILDERS[builder](tmp_path))
    assert code == 2
    assert "无法导入" in output and fragment in output


READ = [
    ("giant_merge_xlsx", "接受 3 行"),
    ("empty_geometry_geojson", "2 个要素的几何图形为空"),
    ("gbk_dbf_without_cpg", "接受 2 行"),
    ("shp_in_folder", "接受 2 行"),
    ("two_shapefiles", "已读取图层：keqiao（2 行）、yuecheng（2 行）"),
    ("recursive_view_gpkg", "未读取：aaa（是视图"),
    ("two_layer_gpkg", "已读取图层：keqiao（1 行）、yuecheng（1 行）"),
    ("multi_sheet_xlsx", "已读取工作表：柯桥区（1 行）、越城区（2 行）；未读取：封面"),
    ("cover_sheet_xlsx", "接受 2 行"),
]


@pytest.mark.parametrize(("builder", "fragment"), READ)
def test_broken_but_readable_file_imports_with_a_note(tmp_path, builder, fragment):
    code, output = check(hostile.BUILDERS[builder](tmp_path))
    assert code in (0, 1)
    assert fragment in output


def test_merged_range_fill_stays_inside_the_sheet(tmp_path):
    table = read_table(hostile.giant_merge_xlsx(tmp_path))
    assert table.data.shape == (4, 6)
    [note] = table.cell_notes
    assert "A5:F5" in note.message


def test_empty_geometries_become_rows_without_coordinates(tmp_path):
    table = read_table(hostile.empty_geometry_geojson(tmp_path))
    assert list(table.data["园区名称"]) == ["柯桥纺织园", "空面园", "空集合园"]
    assert list(table.data["经度"])[1:] == ["", ""]


def test_gbk_dbf_without_cpg_reads_chinese_headers(tmp_path):
    table = read_table(hostile.gbk_dbf_without_cpg(tmp_path))
    assert {"名称", "区县", "状态"} <= set(table.data.columns)
    assert list(table.data["名称"]) == ["柯桥纺织园", "越城电子园"]


def test_sheets_are_stacked_with_their_names_and_own_row_numbers(tmp_path):
    table = read_table(hostile.multi_sheet_xlsx(tmp_path))
    assert list(table.data["工作表"]) == ["柯桥区", "越城区", "越城区"]
    assert list(table.source_rows) == [3, 2, 3]
    assert list(table.source_parts) == ["柯桥区", "越城区", "越城区"]


@pytest.mark.slow
def test_park_register_caps_refuse_a_million_row_workbook_quickly(tmp_path):
    path = hostile.million_rows_xlsx(tmp_path)
    with pytest.raises(ImportFileError, match="超过一次导入的上限 20,000 行"):
        read_table(path, limits=PARK_LIMITS)


def test_a_view_that_never_ends_is_not_read(tmp_path):
    table = read_table(hostile.recursive_view_gpkg(tmp_path))
    assert list(table.data["园区名称"]) == ["柯桥纺织园"]


def test_crs_link_makes_no_connection(tmp_path):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.settimeout(0.2)
    connections: list[object] = []

    def accept() -> None:
        with contextlib.suppress(OSError):
            connections.append(server.accept())

    listener = threading.Thread(target=accept)
    listener.start()
    url = f"http://127.0.0.1:{server.getsockname()[1]}/crs.wkt"
    for build in (hostile.crs_link_geojson, hostile.crs_name_url_geojson):
        with pytest.raises(ImportFileError, match="不访问网络"):
            read_table(build(tmp_path, url))
    listener.join()
    server.close()
    assert connections == []


def test_opengis_crs_urls_are_still_read_locally(tmp_path):
    path = hostile.crs_name_url_geojson(tmp_path, "http://www.opengis.net/def/crs/EPSG/0/4490")
    assert read_table(path).source_epsg == 4490
