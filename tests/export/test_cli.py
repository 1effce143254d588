"""The command line writes all four files for the sample in a store, and build_all reports progress."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from PIL import Image
from pypdf import PdfReader

from export import FILE_NAMES, build_all
from export.__main__ import main
from export.data import ExportData
from geo.demo.bootstrap import sample_manifest
from geo.store import open_store


@pytest.mark.slow
def test_cli_loads_the_sample_into_an_empty_store_and_writes_all_four_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if sample_manifest() is None:
        pytest.fail(
            "The synthetic sample is not generated: run `make data/sample/manifest.json` (python -m geo.demo.sample --out data/sample)."
        )
    out, store = tmp_path / "meeting", tmp_path / "store" / "parkmap.gpkg"
    assert main(["--out", str(out), "--as-of", "2023-12-31", "--store", str(store)]) == 0
    assert not open_store(store).is_empty("parks")
    assert sorted(p.name for p in out.iterdir()) == sorted(FILE_NAMES)
    with Image.open(out / "map.png") as image:
        assert image.size[0] >= 2400
    reader = PdfReader(out / "atlas.pdf")
    assert len(reader.pages) >= 7
    first = reader.pages[0].extract_text()
    assert "统计日期 2023-12-31" in first
    assert "合成示例数据，非真实数据 / synthetic sample data" in first
    book = openpyxl.load_workbook(out / "summary.xlsx")
    assert "合成示例数据，非真实数据 / synthetic sample data" in [row[0] for row in book["说明"].iter_rows(values_only=True)]
    assert "wrote" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--as-of", "31/12/2023"], "YYYY-MM-DD"),
        (["--statuses", "built,done"], "choose one or more of"),
        (["--lang", "fr"], "invalid choice"),
    ],
)
def test_cli_rejects_bad_options_with_a_clear_message(
    argv: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["--out", str(tmp_path), *argv])
    assert stop.value.code == 2
    assert message in capsys.readouterr().err


def test_cli_reports_a_bad_store_without_a_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--out", str(tmp_path), "--store", str(tmp_path / "store.txt")]) == 1
    err = capsys.readouterr().err
    assert "export failed: The store must be a GeoPackage file" in err
    assert "Traceback" not in err


@pytest.mark.slow
def test_build_all_reports_progress_to_the_end(small_data: ExportData, tmp_path: Path) -> None:
    seen: list[tuple[str, float]] = []
    written = build_all(tmp_path, as_of=small_data.as_of, data=small_data, progress=lambda step, share: seen.append((step, share)))
    shares = [share for _, share in seen]
    assert shares == sorted(shares)
    assert shares[0] == 0.0 and seen[-1] == ("done", 1.0)
    assert {"map.html", "map.png", "atlas.pdf", "summary.xlsx"} <= {step for step, _ in seen}
    assert set(written) == set(FILE_NAMES)
    assert all(path.stat().st_size > 0 for path in written.values())
    assert not list(tmp_path.glob(".*.tmp"))
