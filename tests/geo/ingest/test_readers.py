"""Reading register files: formats, encodings, header rows, row numbers, hostile input."""

from __future__ import annotations

import io
import time
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.errors import ImportFileError
from geo.ingest.readers import ReadLimits, read_table, sniff_format
from tests.geo.ingest.importdata import clean_parks, frame_rows, write_format, write_xlsx, zip_bomb_xlsx

FORMATS = ["xlsx", "csv-utf8", "csv-utf8-bom", "csv-gbk", "geojson", "gpkg", "shp-zip"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_reads_the_same_names_and_points(tmp_path, fmt):
    frame = clean_parks()
    table = read_table(write_format(frame, tmp_path, fmt))
    name = "名称" if fmt == "shp-zip" else "园区名称"
    assert list(table.data[name]) == list(frame["园区名称"])
    assert [float(v) for v in table.data["经度"]] == pytest.approx(list(frame["经度"]), abs=1e-6)
    assert [float(v) for v in table.data["纬度"]] == pytest.approx(list(frame["纬度"]), abs=1e-6)


@pytest.mark.parametrize(("fmt", "first_row"), [("xlsx", 4), ("csv-utf8", 3), ("geojson", 1), ("gpkg", 1)])
def test_row_numbers_are_those_the_user_sees(tmp_path, fmt, first_row):
    table = read_table(write_format(clean_parks(), tmp_path, fmt))
    assert list(table.source_rows) == [first_row, first_row + 1, first_row + 2]


@pytest.mark.parametrize(("fmt", "encoding"), [("csv-utf8", "utf-8"), ("csv-utf8-bom", "utf-8-sig"), ("csv-gbk", "gbk")])
def test_csv_encoding_is_detected(tmp_path, fmt, encoding):
    table = read_table(write_format(clean_parks(), tmp_path, fmt))
    assert table.encoding == encoding
    assert table.header_row == 2


def test_header_found_below_title_and_note_rows_with_blank_rows_kept(tmp_path):
    rows = [["台账"], [None], ["填报单位：某局", None, "日期"], ["园区名称", "所在区县", "经度"]]
    rows += [["A园", "柯桥", 120.4], [None], ["B园", "越城", 120.6]]
    table = read_table(write_xlsx(tmp_path / "r.xlsx", rows))
    assert table.header_row == 4
    assert list(table.source_rows) == [5, 6, 7]
    assert list(table.data.columns) == ["园区名称", "所在区县", "经度"]


def test_a_cover_sheet_is_skipped_with_a_note_unless_a_sheet_is_named(tmp_path):
    path = write_xlsx(tmp_path / "r.xlsx", frame_rows(clean_parks()), extra_sheet_first=True)
    table = read_table(path)  # the cover sheet has no header: skipped, and said so
    assert len(table.data) == 3
    assert table.sheet == "园区台账"
    assert any("封面" in note and "未读取" in note for note in table.notes)
    assert len(read_table(path, sheet="园区台账").data) == 3
    with pytest.raises(ImportFileError, match="表头"):
        read_table(path, sheet="封面")
    with pytest.raises(ImportFileError, match="园区台账"):
        read_table(path, sheet="没有这个表")


def test_duplicate_and_unnamed_headers_are_kept_apart(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("园区名称,备注,备注,\nA,x,y,z\n", encoding="utf-8")
    assert list(read_table(path).data.columns) == ["园区名称", "备注", "备注(2)", "第4列"]


def test_ragged_csv_rows_are_not_lost(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("标题\n园区名称,所在区县\nA,柯桥\nB,越城,多出的格,又一格\n", encoding="utf-8")
    table = read_table(path)
    assert list(table.data["园区名称"]) == ["A", "B"]
    assert table.data.shape[1] == 4


def test_bytes_and_file_objects_are_accepted(tmp_path):
    path = write_format(clean_parks(), tmp_path, "xlsx")
    data = path.read_bytes()
    assert len(read_table(data, file_name="上传.xlsx").data) == 3
    assert len(read_table(io.BytesIO(data), file_name="上传.xlsx").data) == 3


def test_format_is_sniffed_from_content_not_name(tmp_path):
    data = write_format(clean_parks(), tmp_path, "xlsx").read_bytes()
    assert sniff_format(data, "wrong.csv") == "xlsx"
    assert read_table(data, file_name="wrong.csv").file_format == "xlsx"


def test_shapefile_without_prj_is_refused(tmp_path):
    zipped = write_format(clean_parks(), tmp_path, "shp-zip")
    stripped = tmp_path / "noprj.zip"
    with zipfile.ZipFile(zipped) as source, zipfile.ZipFile(stripped, "w") as target:
        for name in source.namelist():
            if not name.endswith(".prj"):
                target.writestr(name, source.read(name))
    with pytest.raises(ImportFileError, match=r"\.prj"):
        read_table(stripped)


def test_projected_vector_file_is_converted_and_flagged(tmp_path):
    import geopandas as gpd
    import shapely

    gdf = gpd.GeoDataFrame({"园区名称": ["A"]}, geometry=[shapely.Point(120.44, 29.99)], crs="EPSG:4490").to_crs("EPSG:4549")
    gdf.to_file(tmp_path / "p.gpkg", driver="GPKG")
    table = read_table(tmp_path / "p.gpkg")
    assert table.coordinates_projected
    assert float(table.data["经度"][0]) == pytest.approx(120.44, abs=1e-7)


def test_zip_bomb_is_refused_quickly_from_the_directory():
    bomb = zip_bomb_xlsx(uncompressed_mb=300)
    assert len(bomb) < 2_000_000
    started = time.perf_counter()
    with pytest.raises(ImportFileError, match="压缩炸弹"):
        read_table(bomb, file_name="bomb.xlsx")
    assert time.perf_counter() - started < 2.0


@pytest.mark.parametrize("fmt", ["xlsx", "csv-utf8", "geojson"])
def test_oversize_files_are_refused_with_the_limit_named(tmp_path, fmt):
    path = write_format(clean_parks(), tmp_path, fmt)
    tiny = ReadLimits(max_csv_bytes=100, max_excel_bytes=100, max_vector_bytes=100)
    with pytest.raises(ImportFileError, match="超过上限"):
        read_table(path, limits=tiny)


def test_row_cap_is_enforced(tmp_path):
    path = tmp_path / "many.csv"
    path.write_text("园区名称,所在区县\n" + "A,柯桥\n" * 50, encoding="utf-8")
    with pytest.raises(ImportFileError, match="超过 20 行"):
        read_table(path, limits=ReadLimits(max_rows=20))
    assert len(read_table(path, limits=ReadLimits(max_rows=50)).data) == 50


@pytest.mark.parametrize(
    "junk",
    [
        b"\x00\x01\x02\x03" * 1000,
        bytes(range(256)) * 10,
        b"PK\x03\x04garbage",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1junk",
        b"SQLite format 3\x00junk",
    ],
)
def test_binary_junk_is_refused_with_a_message(junk):
    with pytest.raises(ImportFileError):
        read_table(junk, file_name="junk.bin")


def test_empty_file_is_refused():
    with pytest.raises(ImportFileError, match="空的"):
        read_table(b"", file_name="empty.csv")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(min_size=0, max_size=3000))
def test_random_bytes_raise_only_import_file_error(data):
    try:
        table = read_table(data, file_name="random.dat")
    except ImportFileError as exc:
        assert str(exc)
    else:
        assert len(table.data) == len(table.source_rows)


def test_merged_cells_below_the_header_are_filled_and_noted(tmp_path):
    rows = [["园区名称", "所在区县", "建设状态", "备注"], ["A园", "柯桥区", "建成"], ["B园", None, "建成"], ["C园", None, "在建"]]
    rows += [["D园", "越城区", "建成"]]
    path = write_xlsx(tmp_path / "merged.xlsx", rows, merged=("B2:B4", "C5:D5"))
    table = read_table(path)
    assert list(table.data["所在区县"]) == ["柯桥区", "柯桥区", "柯桥区", "越城区"]
    assert list(table.data["备注"]) == ["", "", "", ""]  # C5:D5 lies in one row: a layout choice, not a shared value
    [note] = table.cell_notes
    assert (note.row, note.column, note.value) == (3, "所在区县", "柯桥区")
    assert "B2:B4" in note.message and "柯桥区" in note.message


def test_merged_header_cells_are_not_copied_into_the_body(tmp_path):
    rows = [["园区名称", "坐标", None], ["A园", 120.4, 30.0]]
    table = read_table(write_xlsx(tmp_path / "h.xlsx", rows, merged=("B1:C2",)))
    assert list(table.data.columns) == ["园区名称", "坐标", "第3列"]
    assert table.cell_notes == ()
