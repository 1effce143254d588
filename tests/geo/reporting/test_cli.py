"""``python -m geo.reporting compare``: a clerk compares last quarter's register with this one's."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from geo.reporting.__main__ import main
from tests.geo.ingest.importdata import park_csv, point_near

ROOT = Path(__file__).resolve().parents[3]
HEADERS = ["园区编码", "园区名称", "所在区县", "建设状态", "建筑面积(万平方米)", "占地面积(亩)", "经度", "纬度"]


def _row(code: str, name: str, status: str, floor_wan: float, *, north_m: float = 0.0, east_m: float = 0.0) -> list[object]:
    lon, lat = point_near("330603", north_m=north_m, east_m=east_m)
    return [code, name, "柯桥区", status, floor_wan, 80, round(lon, 7), round(lat, 7)]


@pytest.fixture
def registers(tmp_path: Path) -> tuple[Path, Path]:
    last = [
        _row("KQ-1", "钱清小微企业园", "在建", 5.0),
        _row("", "杨汛桥小微企业园", "建成", 6.0, north_m=3000),
        _row("", "漓渚小微企业园", "建成", 4.0, east_m=3000),
        _row("", "齐贤小微企业园", "建成", 3.0, east_m=-3000),
    ]
    this = [
        _row("KQ-1", "钱清智造园", "谋划", 5.0),  # renamed (same code) and a status regression
        _row("", "杨汛桥小微企业园", "建成", 7.5, north_m=3000),  # +1.5 万㎡
        _row("", "漓渚数字园", "建成", 4.0, east_m=3100),  # renamed, 100 m away: the same park
        _row("", "马鞍小微企业园", "在建", 2.0, north_m=-3000),  # new; 齐贤 is missing
    ]
    (tmp_path / "2024Q2.csv").write_bytes(park_csv(last, HEADERS))
    (tmp_path / "2024Q3.csv").write_bytes(park_csv(this, HEADERS))
    return tmp_path / "2024Q2.csv", tmp_path / "2024Q3.csv"


def test_compare_lists_every_change_a_reviewer_checks(registers: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", *map(str, registers), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["matched_by"] == {"code": 1, "name": 1, "location": 1, "new": 1}
    names = {kind: [item.split(" ", 1)[1] for item in items] for kind, items in out["changes"].items()}
    assert names["added"] == ["马鞍小微企业园"] and names["removed"] == ["齐贤小微企业园"]
    assert names["status_changed"] == ["钱清智造园"] and [r.split(" ", 1)[1] for r in out["regressions"]] == ["钱清智造园"]
    assert names["area_changed"] == ["杨汛桥小微企业园"]
    assert sorted(names["renamed"]) == ["漓渚数字园", "钱清智造园"]
    assert names["moved"] == []  # 100 m is a re-survey, not a move


def test_compare_in_words_for_the_clerk(registers: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", *map(str, registers)]) == 0
    text = capsys.readouterr().out
    assert "钱清智造园：在建 → 谋划（倒退，请核实）" in text
    assert "杨汛桥小微企业园：6.00 → 7.50 万㎡（+1.50 万㎡）" in text
    assert "本期缺少（是否已撤销？）（1）" in text and "齐贤小微企业园" in text


def test_a_file_without_usable_rows_exits_2_with_a_message(registers: tuple[Path, Path], tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(park_csv([], HEADERS))
    result = subprocess.run(
        [sys.executable, "-m", "geo.reporting", "compare", str(registers[0]), str(empty)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and "empty.csv" in result.stderr
