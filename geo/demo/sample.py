"""Seeded synthetic sample data: a park register and an enterprise list for the region in use.

**Everything this module writes is synthetic (合成示例数据，非真实数据).** No
row describes a real park or firm; the data only has the form, scale and
geography that planners' real files have, so the product can be shown and
tested without them.

Run ``python -m geo.demo.sample [--region ADCODE] [--out data/sample/<adcode>]
[--seed N] [--enterprises 250000] [--parks 150]``. The same seed, counts,
region and plan give the same data, byte for byte (the workbook also names
the command, so its bytes depend on the output folder given as well). The
files are written, each atomically (temporary file in the same folder, then
``os.replace``); the old manifest is removed before the first file is
replaced and the new one written last, so its presence means the set is
complete:

``sample_parks_synthetic.xlsx`` - a park register (小微企业园台账)
    Sheet ``园区台账``: row 1 the title ``<city>小微企业园台账（合成示例数据，非真实数据）``,
    row 2 a note (coordinate system, synthetic), row 3 the headers of
    :data:`PARK_HEADERS`, data from row 4. Sheet ``说明`` explains the data,
    the seed, the coordinate system and the command; the document properties
    (title, subject, keywords, comments) say synthetic. Dates are Excel dates;
    blanks are empty cells.

    Parks (default 150) are split over the counties by the shares in the
    region's ``sample_places.json`` (or half equally, half by area for a
    region without one) and placed around its townships, named from the
    township and its industry (…袜业小微企业园, later phases …（二期）).
    Status holds as of the register date, half a year after the plan's
    deadline (:mod:`geo.demo.timeline`): 谋划 not started, 在建 started and
    not complete, 建成 complete, 已认定 complete and certified in a provincial
    batch (once or twice a year) after completion. Completion is 1-3 years
    after the start; later dates are expected ones (备注 says so). Land areas
    are mostly 30-200 亩, plot ratios mostly 1.5-3.5 (a few outliers); floor
    areas are scaled so that parks completed by the deadline total 95-104 %
    of the plan's floor-area target for 150 parks, and 90-96 % of parks are
    completed by then: both plan targets land near the line. Rows are ordered
    by county, then start date.
    Coordinates are GCJ-02 (as geocoded by Amap), 6 decimals; each true
    WGS-84 position lies at least 600 m inside the county named, and parks
    are at least 500 m apart.

``sample_enterprises_synthetic.csv`` - an enterprise list (UTF-8 with BOM, CRLF, as Excel saves it)
    Headers :data:`ENTERPRISE_HEADERS`; default 250,000 rows. IDs are ``SYN``
    + adcode + 9 digits, names 示例企业000001. Firms in parks (85-100 % of
    each park's 入园企业数, at most 30 % of the list; no more 规上 than the
    park's 规上企业数) lie within 250 m of their park and take its 镇街; the rest come
    from anisotropic Gaussian blobs over the region's industrial clusters
    (``sample_places.json``; one per made-up 片区 for a generic region), a
    background around each township and a thin uniform scatter. 所在区县 is
    the county containing the published point (converted back to WGS-84);
    所在镇街 the nearest township centre in it. About 15 % 小型, a quarter
    founded in the last three and a half years, 20 % labelled with one of the
    eight major industries.

``submissions/<quarter>_<county>.xlsx`` and ``submissions.json`` - the quarterly reports
    Each county's register for each quarter from the plan's start to the
    register's date (:mod:`geo.demo.quarters`), one workbook per report with the
    quarterly operating figures (可出租/已出租面积, 本季度营业收入/工业产值/税收,
    高新/专精特新企业数, 从业人员数), and the list of them in the order sent:
    who sent each and when, and whether the city approved it, returned it (with
    the reason) or has yet to review it. The first start loads them into the
    store through the submission path; the last quarter's reports hold the parks
    of the register above.

``manifest.json``
    ``"synthetic": true``, generator and version, seed, counts, the command,
    each file's size, rows and SHA-256, and headline figures.

Places and industries are tables in :mod:`geo.demo.clusters`; the parks and
firms are made in :mod:`geo.demo.parks` and :mod:`geo.demo.enterprises`.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd
import xlsxwriter

from geo.demo.clusters import load_places
from geo.demo.enterprises import ENTERPRISE_HEADERS, generate_enterprises
from geo.demo.parks import PARK_HEADERS, generate_parks
from geo.demo.quarters import CLERK, DUE_DAYS, QUARTER_HEADERS, REVIEWER, QuarterReport, quarterly_reports, story_summary
from geo.demo.timeline import SampleTimeline, sample_timeline
from geo.region.boundaries import load_counties
from geo.region.region import Plan, Region, default_sample_dir, load_plan, load_region

__all__ = [
    "ENTERPRISE_HEADERS",
    "PARK_HEADERS",
    "generate_enterprises",
    "generate_parks",
    "main",
    "summarize",
    "write_sample",
]

GENERATOR = "geo.demo.sample"
GENERATOR_VERSION = "2"  # bump when the output for a given seed changes
DEFAULT_SEED = 20210903  # fixed: the shipped sample's bytes depend on it
DEFAULT_PARKS = 150
DEFAULT_ENTERPRISES = 250_000
PARKS_FILE = "sample_parks_synthetic.xlsx"
ENTERPRISES_FILE = "sample_enterprises_synthetic.csv"
MANIFEST_FILE = "manifest.json"
REPORTS_FILE = "submissions.json"
REPORTS_DIR = "submissions"
REPORT_TITLE = "{city}{county}小微企业园季度报送 {period}（合成示例数据，非真实数据）"
PARK_SHEET, NOTES_SHEET = "园区台账", "说明"
PARK_TITLE = "{city}小微企业园台账（合成示例数据，非真实数据）"  # formatted with the region's name
PARK_NOTE = "填报单位：示例  坐标系：GCJ-02（高德）  本表为程序生成的合成数据，仅供演示"
COORDINATE_SYSTEM = "GCJ-02"
PARK_HEADER_ROW = 2  # zero-based: Excel row 3

_COLUMN_WIDTHS = {"园区名称": 30, "所在镇街": 14, "运营主体": 32, "备注": 24, "开工日期": 12, "竣工日期": 12, "认定日期": 12}
_DATE_COLUMNS = ("开工日期", "竣工日期", "认定日期")


def write_sample(
    out_dir: str | Path,
    *,
    seed: int = DEFAULT_SEED,
    n_parks: int = DEFAULT_PARKS,
    n_enterprises: int = DEFAULT_ENTERPRISES,
    region: Region | None = None,
    plan: Plan | None = None,
) -> list[Path]:
    """Generate the synthetic data set and write it to ``out_dir``.

    Parameters
    ----------
    out_dir
        Folder to write to (created if missing). The data is generated first,
        so a bad argument leaves an existing set untouched; then the manifest
        is removed, the files replaced and the manifest written last.
    seed, n_parks, n_enterprises
        Random seed and row counts.
    region, plan
        The region whose counties and places the sample uses, and the plan its
        dates and totals follow (defaults: the region in use, its default plan).

    Returns
    -------
    Paths of the workbook, the CSV, the list of quarterly reports and the manifest, in that order.
    """
    out = Path(out_dir)
    region = region or load_region()
    plan = plan or load_plan(region.default_plan, region=region)
    counties = load_counties(city_adcode=region.adcode)
    places, timeline = load_places(region, counties=counties), sample_timeline(plan)
    parks = generate_parks(seed=seed, n_parks=n_parks, counties=counties, places=places, timeline=timeline)
    enterprises = generate_enterprises(parks, seed=seed, n=n_enterprises, counties=counties, places=places, timeline=timeline)
    title = PARK_TITLE.format(city=region.name)
    command = command_line(out, seed=seed, n_parks=n_parks, n_enterprises=n_enterprises)
    summary = summarize(parks, enterprises, timeline=timeline)
    out.mkdir(parents=True, exist_ok=True)
    (out / MANIFEST_FILE).unlink(missing_ok=True)  # from here until the end, the set is incomplete

    def write_parks(tmp: Path) -> None:
        _write_park_workbook(parks, tmp, seed=seed, command=command, summary=summary, title=title, timeline=timeline)

    park_path = _write_atomic(out / PARKS_FILE, write_parks)
    csv_path = _write_atomic(out / ENTERPRISES_FILE, lambda tmp: _write_enterprise_csv(enterprises, tmp))
    reports = quarterly_reports(parks, timeline=timeline, seed=seed)
    reports_path = _write_reports(out, reports, city=region.name, timeline=timeline)
    manifest = {
        "synthetic": True,
        "notice": "合成示例数据，非真实数据 / synthetic sample data, not real parks or firms",
        "generator": GENERATOR,
        "generator_version": GENERATOR_VERSION,
        "seed": seed,
        "counts": {"parks": len(parks), "enterprises": len(enterprises)},
        "register_date": timeline.register_date.date().isoformat(),
        "region": region.adcode,
        "plan": plan.id,
        "generic_places": places.generic,
        "coordinate_system": COORDINATE_SYSTEM,
        "created_by": command,
        "files": [_file_entry(park_path, rows=len(parks)), _file_entry(csv_path, rows=len(enterprises))],
        "reports": _file_entry(reports_path, rows=len(reports)) | story_summary(reports),
        "summary": summary,
    }
    text = json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"
    manifest_path = _write_atomic(out / MANIFEST_FILE, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    return [park_path, csv_path, reports_path, manifest_path]


def _write_reports(out: Path, reports: Sequence[QuarterReport], *, city: str, timeline: SampleTimeline) -> Path:
    """Write each quarterly report as a county's workbook under ``submissions/`` and the list of them, ``submissions.json``.

    The list says, for each report in the order it was sent: its period, county,
    file, SHA-256, who sent it and when, and what the city did (approved,
    returned with a reason, or still waiting) and when.
    """
    folder = out / REPORTS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.xlsx"):
        old.unlink()
    entries = []
    for report in reports:
        path = folder / report.file_name
        title = REPORT_TITLE.format(city=city, county=report.county, period=f"{report.period.year}年第{report.period.index}季度")
        _write_atomic(path, functools.partial(_write_report_workbook, report, title=title, timeline=timeline))
        entries.append(
            {
                "period": report.period.code,
                "county": report.county,
                "file": f"{REPORTS_DIR}/{report.file_name}",
                "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
                "rows": len(report.frame),
                "submitted_by": CLERK.format(county=report.county),
                "submitted_at": report.submitted_at.isoformat(),
                "review": report.review,
                "reviewed_by": REVIEWER if report.reviewed_at else "",
                "reviewed_at": report.reviewed_at.isoformat() if report.reviewed_at else "",
                "reason": report.reason if report.review == "returned" else "",
            }
        )
    text = json.dumps({"synthetic": True, "due_days": DUE_DAYS, "reports": entries}, ensure_ascii=False, indent=1) + "\n"
    return _write_atomic(out / REPORTS_FILE, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def _write_report_workbook(report: QuarterReport, path: Path, *, title: str, timeline: SampleTimeline) -> None:
    """Write one county's quarterly report: the 园区台账 sheet and synthetic document properties."""
    workbook = xlsxwriter.Workbook(str(path))
    workbook.set_properties(
        {
            "title": title,
            "subject": "合成示例数据（synthetic sample data），非真实数据",
            "author": f"{GENERATOR} (synthetic data generator)",
            "keywords": "合成数据, synthetic, 示例, 小微企业园, 季度报送",
            "created": timeline.register_date.to_pydatetime().replace(tzinfo=None),  # fixed: same seed, same bytes
        }
    )
    note = f"填报单位：{CLERK.format(county=report.county)}  坐标系：GCJ-02（高德）  本表为程序生成的合成数据，仅供演示"
    _write_register_sheet(workbook, report.frame, title=title, headers=QUARTER_HEADERS, note=note)
    workbook.close()


def command_line(out_dir: Path, *, seed: int, n_parks: int, n_enterprises: int) -> str:
    """Return the command that regenerates the data (the out folder relative to the cwd when it can be).

    Parameters
    ----------
    out_dir
        The output folder.
    seed
        The random seed.
    n_parks
        The number of parks.
    n_enterprises
        The number of firms.

    Returns
    -------
    str
        The ``python -m`` command line.
    """
    try:
        shown = out_dir.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        shown = out_dir
    return f"python -m {GENERATOR} --out {shown.as_posix()} --seed {seed} --enterprises {n_enterprises} --parks {n_parks}"


def summarize(parks: pd.DataFrame, enterprises: pd.DataFrame, *, timeline: SampleTimeline | None = None) -> dict[str, object]:
    """Return the headline figures of a generated data set (for the manifest and the 说明 sheet).

    Parameters
    ----------
    parks
        The generated park register (Chinese headers).
    enterprises
        The generated enterprise list.
    timeline
        The dates it was built around (default: those of the chosen plan).

    Returns
    -------
    dict
        Counts and totals, JSON-ready.
    """
    timeline = timeline or sample_timeline()
    counted = parks["建设状态"].isin(["建成", "已认定"]) & (parks["竣工日期"] <= timeline.target_date)
    return {
        "parks_counted_at_target_date": int(counted.sum()),
        "floor_area_wan_m2_counted_at_target_date": round(float(parks.loc[counted, "建筑面积(万平方米)"].sum()), 2),
        "target_date": timeline.target_date.date().isoformat(),
        "parks_by_status": {str(k): int(v) for k, v in parks["建设状态"].value_counts().sort_index().items()},
        "parks_by_county": {str(k): int(v) for k, v in parks["所在区县"].value_counts().sort_index().items()},
        "enterprises_in_parks": int((enterprises["是否入园"] == "是").sum()),
        "new_firms_since": timeline.new_firms_since.date().isoformat(),
        "enterprises_founded_since_plan_start": int((enterprises["成立日期"] >= timeline.new_firms_since.date().isoformat()).sum()),
        "enterprises_in_eight_industries": int(enterprises["八大万亿产业"].notna().sum()),
        "enterprises_by_county": {str(k): int(v) for k, v in enterprises["所在区县"].value_counts().sort_index().items()},
    }


def _write_atomic(path: Path, write: Callable[[Path], object]) -> Path:
    """Write ``path`` through a temporary file in the same folder, then move it into place."""
    tmp = path.with_name(f".{path.stem}.{os.getpid()}.tmp{path.suffix}")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def _file_entry(path: Path, *, rows: int) -> dict[str, object]:
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return {"name": path.name, "rows": rows, "bytes": path.stat().st_size, "sha256": digest}


def _write_enterprise_csv(enterprises: pd.DataFrame, path: Path) -> None:
    enterprises.to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\r\n", float_format="%.6f")


def _write_park_workbook(
    parks: pd.DataFrame, path: Path, *, seed: int, command: str, summary: dict[str, object], title: str, timeline: SampleTimeline
) -> None:
    """Write the register workbook: the 园区台账 sheet, the 说明 sheet and synthetic document properties."""
    workbook = xlsxwriter.Workbook(str(path))
    workbook.set_properties(
        {
            "title": title,
            "subject": "合成示例数据（synthetic sample data），非真实数据",
            "author": f"{GENERATOR} (synthetic data generator)",
            "keywords": "合成数据, synthetic, 示例, 小微企业园",
            "comments": f"Synthetic data generated by `{command}` (seed {seed}); not real parks.",
            "created": timeline.register_date.to_pydatetime().replace(tzinfo=None),  # fixed: same seed, same bytes
        }
    )
    _write_register_sheet(workbook, parks, title=title)
    _write_notes_sheet(workbook, _notes_rows(parks, seed=seed, command=command, summary=summary, timeline=timeline))
    workbook.close()


def _write_register_sheet(
    workbook: xlsxwriter.Workbook, parks: pd.DataFrame, *, title: str, headers: Sequence[str] = PARK_HEADERS, note: str = PARK_NOTE
) -> None:
    sheet = workbook.add_worksheet(PARK_SHEET)
    last_col = len(headers) - 1
    sheet.merge_range(0, 0, 0, last_col, title, workbook.add_format({"bold": True, "font_size": 14, "align": "center"}))
    sheet.merge_range(1, 0, 1, last_col, note, workbook.add_format({"italic": True, "font_color": "#7f1d1d"}))
    header_format = workbook.add_format({"bold": True, "bg_color": "#dbe4f0", "border": 1, "text_wrap": True, "valign": "vcenter"})
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    for col, header in enumerate(headers):
        sheet.write_string(PARK_HEADER_ROW, col, header, header_format)
        sheet.set_column(col, col, _COLUMN_WIDTHS.get(header, 11))
    for row, record in enumerate(parks[list(headers)].itertuples(index=False), start=PARK_HEADER_ROW + 1):
        for col, (header, value) in enumerate(zip(headers, record, strict=True)):
            if pd.isna(value):
                sheet.write_blank(row, col, None)
            elif header in _DATE_COLUMNS:
                sheet.write_datetime(row, col, pd.Timestamp(value).to_pydatetime(), date_format)
            elif isinstance(value, str):
                sheet.write_string(row, col, value)
            else:
                sheet.write_number(row, col, float(value))
    sheet.freeze_panes(PARK_HEADER_ROW + 1, 2)
    sheet.autofilter(PARK_HEADER_ROW, 0, PARK_HEADER_ROW + len(parks), last_col)


def _notes_rows(
    parks: pd.DataFrame, *, seed: int, command: str, summary: dict[str, object], timeline: SampleTimeline
) -> list[tuple[str, str]]:
    return [
        ("数据性质", "合成示例数据（synthetic）：由程序随机生成，非真实数据，不代表任何真实园区或企业，仅供演示和测试。"),
        ("生成程序", f"{GENERATOR}（版本 {GENERATOR_VERSION}）"),
        ("随机种子", str(seed)),
        ("生成命令", command),
        ("台账日期", f"{timeline.register_date.date().isoformat()}：建设状态按此日期判定；晚于此日期的竣工日期为预计竣工日期。"),
        ("坐标系", f"{COORDINATE_SYSTEM}（高德）经纬度，保留 6 位小数；叠加到 WGS-84 底图前须转换。"),
        ("单位", "建筑面积：万平方米；占地面积：亩（1 亩 ≈ 666.67 平方米）；亩均税收：万元/亩。"),
        ("园区数", str(len(parks))),
        (
            f"计入总量（截至{timeline.target_date.year}年底）",
            f"建成及已认定且竣工日期不晚于 {timeline.target_date.date().isoformat()} 的园区 "
            f"{summary['parks_counted_at_target_date']} 个，建筑面积 {summary['floor_area_wan_m2_counted_at_target_date']} 万平方米。",
        ),
        ("配套文件", f"{ENTERPRISES_FILE}（合成企业名录，与本台账同一种子生成）"),
    ]


def _write_notes_sheet(workbook: xlsxwriter.Workbook, rows: Sequence[tuple[str, str]]) -> None:
    sheet = workbook.add_worksheet(NOTES_SHEET)
    bold = workbook.add_format({"bold": True, "valign": "top"})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    sheet.set_column(0, 0, 24)
    sheet.set_column(1, 1, 90)
    sheet.write_string(0, 0, "项目", bold)
    sheet.write_string(0, 1, "内容", bold)
    for row, (key, value) in enumerate(rows, start=1):
        sheet.write_string(row, 0, key, bold)
        sheet.write_string(row, 1, value, wrap)


def main(argv: list[str] | None = None) -> int:
    """Command line: write the synthetic sample data and print what was written.

    Parameters
    ----------
    argv
        The arguments after the command; None reads ``sys.argv``.

    Returns
    -------
    int
        The exit code: 0 when written, 2 when the sample cannot be made or written.
    """
    parser = argparse.ArgumentParser(prog=f"python -m {GENERATOR}", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=None, help="output folder (default data/sample/<adcode> of the region in use)")
    parser.add_argument("--region", default=None, help="region adcode (default: PARKMAP_REGION or the default region)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    parser.add_argument("--enterprises", type=int, default=DEFAULT_ENTERPRISES, help=f"number of firms (default {DEFAULT_ENTERPRISES})")
    parser.add_argument("--parks", type=int, default=DEFAULT_PARKS, help=f"number of parks (default {DEFAULT_PARKS})")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        region = load_region(args.region)
        out = args.out or default_sample_dir(region.adcode)
        files = write_sample(out, seed=args.seed, n_parks=args.parks, n_enterprises=args.enterprises, region=region)
    except (ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for file in files:
        print(f"wrote {file} ({file.stat().st_size:,} bytes)")
    summary = json.loads(files[-1].read_text(encoding="utf-8"))["summary"]
    print(
        f"synthetic data: {summary['parks_counted_at_target_date']} parks and "
        f"{summary['floor_area_wan_m2_counted_at_target_date']} 万平方米 counted at {summary['target_date']}; "
        f"{summary['enterprises_founded_since_plan_start']:,} firms founded since {summary['new_firms_since']} "
        f"({time.perf_counter() - started:.1f} s)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
