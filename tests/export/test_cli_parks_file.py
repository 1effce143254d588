"""``python -m export --parks FILE``: a meeting pack straight from a register, hostile text kept as text."""

from __future__ import annotations

import html
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils.escape import unescape
from pypdf import PdfReader

from export import FILE_NAMES
from export.__main__ import main
from export.data import export_data_from_file
from geo.store import open_store
from tests.geo.ingest.importdata import PARK_HEADERS, point_near, write_xlsx

ROOT = Path(__file__).resolve().parents[2]
COUNTIES = {"330602": "越城区", "330603": "柯桥区", "330604": "上虞区", "330624": "新昌县", "330681": "诸暨市", "330683": "嵊州市"}


def _marker_payload(marker: Path) -> str:
    return "{{ cycler.__init__.__globals__.os.popen('touch " + str(marker) + "').read() }}"


def hostile_names(marker: Path) -> list[str]:
    """Park names a careless or hostile register may hold: template, Markdown, mathtext, formulas, control characters."""
    return [
        "{{ 7*7 }}号园",
        "{% if 1 %}条件{% endif %}园",
        "{# 未闭合注释园",
        _marker_payload(marker),
        "坏模板{{园",
        "![x](http://127.0.0.1:9/x.png) **粗体**园",
        "收入$5$万与$10$万园",
        "A$\\undefinedcommand$B园",
        '=HYPERLINK("http://x","y")园',
        "竖线\x0b制表园",
        "转义_x000B_园",
        "<script>alert(1)</script>园",
    ]


def hostile_register(path: Path, marker: Path) -> list[str]:
    """Write a register whose every text field carries a hostile payload; return the park names."""
    names = hostile_names(marker)
    headers = [*PARK_HEADERS, "主导产业", "运营主体", "所在镇街"]
    rows: list[list[object]] = [headers]
    adcodes = list(COUNTIES)
    for i, name in enumerate(names):
        adcode = adcodes[i % len(adcodes)]
        lon, lat = point_near(adcode, east_m=900.0 * (i // len(adcodes)), north_m=700.0 * (i // len(adcodes)))
        other = names[(i + 1) % len(names)]
        rows.append([i + 1, name, COUNTIES[adcode], "建成", 3.0 + i, 60 + i, 3, 10 + i, round(lon, 7), round(lat, 7), other, other, other])
    write_xlsx(path, rows)
    return names


def _in_page(text: str, page: str) -> bool:
    """True when ``text`` is in the page as typed: raw, HTML-escaped, or inside JSON (folium's tojson escapes &<>')."""
    forms = {text, html.escape(text)}
    in_json = {json.dumps(f)[1:-1].replace("&", "\\u0026").replace("'", "\\u0027") for f in forms}
    return any(form in page for form in forms | in_json | {json.dumps(f)[1:-1] for f in forms})


@pytest.mark.slow
def test_pack_from_a_hostile_register_shows_every_name_literally(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = tmp_path / "store" / "parkmap.gpkg"
    monkeypatch.setenv("PARKMAP_STORE", str(store))
    marker = tmp_path / "pwned"
    register = tmp_path / "{{ 7*7 }}台账$x$.xlsx"  # the file name is data too
    names = hostile_register(register, marker)
    out = tmp_path / "pack"
    assert main(["--out", str(out), "--parks", str(register), "--crs", "wgs84", "--as-of", "2023-12-31"]) == 0
    assert not marker.exists()  # nothing was evaluated
    assert not store.exists() or open_store(store).is_empty("parks")  # the store was not touched
    assert sorted(p.name for p in out.iterdir()) == sorted(FILE_NAMES)
    page = (out / "map.html").read_text(encoding="utf-8")
    assert "49号园" not in page and "条件园" not in page and "49台账" not in page
    template_names = [n for n in names if "{" in n]
    assert all(_in_page(name, page) for name in template_names)
    assert _in_page(register.name, page)  # the source line names the file as given
    book = openpyxl.load_workbook(out / "summary.xlsx")
    # as Excel shows them: openpyxl leaves the _xHHHH_ escapes of shared strings to the reader
    cells = {unescape(str(c)) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row if c is not None}
    assert "{{ 7*7 }}号园" in cells and "收入$5$万与$10$万园" in cells and "转义_x000B_园" in cells
    assert not any(c.startswith("=") for c in cells)
    pdf_text = "".join(p.extract_text() for p in PdfReader(out / "atlas.pdf").pages)
    assert "{{ 7*7 }}" in pdf_text and "$5$" in pdf_text


def test_pack_from_a_register_counts_its_undated_parks_from_the_reporting_date(tmp_path: Path) -> None:
    """A register without dates describes the parks on its reporting date (default: the pack's date), as in the app."""
    register = tmp_path / "台账.xlsx"
    hostile_register(register, tmp_path / "pwned")
    data, report = export_data_from_file(register, datum="wgs84", as_of=date(2023, 12, 31))
    city = data.progress[(data.progress["adcode"] == "330600") & (data.progress["measure"] == "parks")]
    assert report.accepted == 12 and city["value"].iloc[0] == 12
    data, _ = export_data_from_file(register, datum="wgs84", as_of=date(2023, 12, 31), reported_on=date(2024, 6, 30))
    city = data.progress[(data.progress["adcode"] == "330600") & (data.progress["measure"] == "parks")]
    assert city["value"].iloc[0] == 0  # known only from mid-2024: not counted at the end of 2023


def test_pack_from_a_file_refused_or_without_good_rows_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    junk = tmp_path / "台账.xlsx"
    junk.write_bytes(b"not a workbook at all")
    assert main(["--out", str(tmp_path / "pack"), "--parks", str(junk)]) == 2
    err = capsys.readouterr().err
    assert "export failed" in err and "Traceback" not in err and str(tmp_path) not in err
    bad = tmp_path / "全错.xlsx"
    write_xlsx(bad, [PARK_HEADERS, [1, "某园", "杭州市", "建成", 3.0, 60, 3, 10, 120.155, 30.274]])
    assert main(["--out", str(tmp_path / "pack"), "--parks", str(bad)]) == 2
    assert "没有一行能通过检查" in capsys.readouterr().err
    assert not (tmp_path / "pack" / "map.html").exists()


@pytest.mark.slow
def test_pack_from_a_register_is_a_command_line_a_planner_can_run(tmp_path: Path) -> None:
    register = tmp_path / "台账.xlsx"
    hostile_register(register, tmp_path / "pwned")
    run = subprocess.run(
        [sys.executable, "-m", "export", "--out", str(tmp_path / "pack"), "--parks", str(register), "--crs", "gcj02", "--lang", "en"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PARKMAP_STORE": str(tmp_path / "s.gpkg"), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert run.returncode == 0, run.stderr
    assert "wrote" in run.stdout and "Traceback" not in run.stderr
