"""The synthetic sample's quarterly reports: each county's register for each quarter of the plan, as a real city would hold them.

**Synthetic (合成示例数据，非真实数据).** The final register
(:func:`geo.demo.parks.generate_parks`, dated half a year after the plan's
deadline) is the last quarter's truth; each earlier quarter shows what a
county would have reported then: a park enters the register half a year
before it starts (as 谋划), its status follows its start, completion and
certification dates, and its operating figures (入驻率, firms, tax, output,
jobs) grow after completion towards the final register's figures. Every
quarter's rows for the last quarter are the final register's parks.

A few things happen as they do in a real cycle, each in a county that has a
park it can happen to (the county named is the first in the region's order
from :data:`STORY_COUNTIES` that has one):

- a park's register name changes (…工业园区 → …小微企业园) in :data:`RENAME_PERIOD`;
- a park's published position is corrected by :data:`MOVE_M` metres in :data:`MOVE_PERIOD`;
- construction of a park is suspended for one quarter (在建 → 谋划 → 在建), with a note;
- one quarter's first report has a floor area ten times too large; the city returns it with the reason, and it is sent again corrected;
- three reports come after their due date, and the last quarter's report of one county waits for review.

The reports are sent 4-14 days after the quarter ends (due after
:data:`DUE_DAYS` days), reviewed 1-6 days later, by made-up bureaus labelled
synthetic.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from geo.crs import gcj02_to_wgs84, wgs84_to_gcj02
from geo.demo.timeline import SampleTimeline
from geo.reporting.periods import Period, period_of, periods_between
from geo.schema import STATUS_LABELS_ZH

QUARTER_HEADERS = (
    "序号", "园区名称", "所在区县", "所在镇街", "园区类型", "建设状态", "建筑面积(万平方米)", "占地面积(亩)",
    "开工日期", "竣工日期", "认定日期", "星级", "入园企业数", "规上企业数", "高新技术企业数", "专精特新企业数", "从业人员数",
    "可出租面积(万平方米)", "已出租面积(万平方米)", "入驻率(%)", "本季度营业收入(万元)", "本季度工业产值(万元)", "本季度税收(万元)",
    "主导产业", "运营主体", "经度", "纬度", "备注",
)  # fmt: skip

BEIJING = ZoneInfo("Asia/Shanghai")
DUE_DAYS = 15  # a quarter's report is due 15 days after it ends
APPEAR_BEFORE_START_DAYS = 182  # a park enters the register (as 谋划) half a year before it starts
STORY_COUNTIES = ("柯桥区", "诸暨市", "上虞区", "嵊州市", "新昌县", "越城区")  # where each story is looked for first
RENAME_PERIOD = Period(2022, 3)
MOVE_PERIOD = Period(2023, 1)
MOVE_M = 350.0  # the old published position was this far north-east of the true one
RETURNED_PERIOD = Period(2022, 2)
MISTYPED_FLOOR_FACTOR = 10.0  # the returned report's mistake: a floor area with the decimal point one place off
REVIEWER = "绍兴市经信局（合成示例）"
CLERK = "{county}经信局（合成示例）"
# Reports sent after their due date: (county, period, days after the quarter's end).
LATE = (("嵊州市", Period(2021, 3), 26), ("新昌县", Period(2022, 4), 19), ("越城区", Period(2023, 2), 24))
PENDING_COUNTY = "嵊州市"  # its last quarter's report waits for the city's review
RAMP_YEARS = 0.8  # operating figures reach ~70 % of their mature level within this long after completion
_STATUS_ORDER = ("planned", "under_construction", "built", "certified")


@dataclass(frozen=True)
class QuarterReport:
    """One county's report for one quarter: the rows, when it was sent, and what the city did with it."""

    period: Period
    county: str
    frame: pd.DataFrame  # QUARTER_HEADERS
    submitted_at: datetime  # Beijing time
    review: str  # approved, returned or submitted (waiting)
    reviewed_at: datetime | None = None
    reason: str = ""

    @property
    def file_name(self) -> str:
        """``2024Q2_柯桥区.xlsx``; a report sent again after a return gets ``_重报``."""
        again = "_重报" if self.review != "returned" and self.reason else ""
        return f"{self.period.code}_{self.county}{again}.xlsx"


@dataclass(frozen=True)
class _Stories:
    rename: int | None  # row of the final register
    move: int | None
    regression: tuple[int, Period] | None  # the row and the quarter it is suspended in
    returned: str | None  # the county whose report is returned once


def quarterly_reports(parks: pd.DataFrame, *, timeline: SampleTimeline, seed: int) -> list[QuarterReport]:
    """Return every county's report for every quarter from the plan's start to the register's date, in the order they were sent.

    Parameters
    ----------
    parks
        The final register (Chinese headers of :data:`geo.demo.parks.PARK_HEADERS`), ordered by county.
    timeline
        The dates the sample is built around (the last quarter is the register date's).
    seed
        The sample's seed (the same seed, the same reports).

    Returns
    -------
    list of QuarterReport
        Sorted by the time each was sent; a returned report is followed, later, by the one sent again.
    """
    rng = np.random.default_rng([seed, 11])
    quarters = periods_between(period_of(timeline.new_firms_since.date()), period_of(timeline.register_date.date()))
    base = _operating_base(rng, parks)
    stories = _choose_stories(parks, quarters)
    counties = list(dict.fromkeys(parks["所在区县"]))
    reports = []
    for period in quarters:
        final = period == quarters[-1]
        for county in counties:
            mine = parks.index[parks["所在区县"] == county]
            frame = _register_at(parks.loc[mine], base.loc[mine], period, timeline=timeline, stories=stories, final=final)
            sent = _sent_at(rng, county, period)
            reviewed = sent + timedelta(days=int(rng.integers(1, 7)), hours=int(rng.integers(0, 4)))
            if (county, period) == (stories.returned, RETURNED_PERIOD):
                wrong, reason = _mistyped(frame)
                reports.append(QuarterReport(period, county, wrong, sent, "returned", reviewed, reason))
                sent, reviewed = reviewed + timedelta(days=3), reviewed + timedelta(days=5)
                reports.append(QuarterReport(period, county, frame, sent, "approved", reviewed, reason))
            elif final and county == PENDING_COUNTY:
                reports.append(QuarterReport(period, county, frame, sent, "submitted"))
            else:
                reports.append(QuarterReport(period, county, frame, sent, "approved", reviewed))
    return sorted(reports, key=lambda r: (r.submitted_at, r.county))


def _sent_at(rng: np.random.Generator, county: str, period: Period) -> datetime:
    days = next((d for c, p, d in LATE if (c, p) == (county, period)), int(rng.integers(4, 15)))
    clock = time(int(rng.integers(9, 17)), int(rng.integers(0, 60)))
    return datetime.combine(period.end + timedelta(days=days), clock, tzinfo=BEIJING)


def _operating_base(rng: np.random.Generator, parks: pd.DataFrame) -> pd.DataFrame:
    """Per park, the fixed shares its quarterly figures are made with."""
    n = len(parks)
    return pd.DataFrame(
        {
            "leasable_share": rng.uniform(0.72, 0.9, n),
            "output_per_tax": rng.uniform(8.0, 20.0, n),
            "revenue_per_output": rng.uniform(1.05, 1.3, n),
            "jobs_per_firm": rng.uniform(15.0, 35.0, n),
            "high_tech_share": rng.uniform(0.03, 0.15, n),
            "specialised_share": rng.uniform(0.01, 0.08, n),
        },
        index=parks.index,
    )


def _choose_stories(parks: pd.DataFrame, quarters: list[Period]) -> _Stories:
    done = parks["竣工日期"]
    first_end = pd.Timestamp(quarters[0].end)
    built_early = parks["建设状态"].isin(["建成", "已认定"]) & (done <= first_end)

    def first_in(mask: pd.Series) -> int | None:
        for county in STORY_COUNTIES:
            rows = parks.index[mask & (parks["所在区县"] == county)]
            if len(rows):
                return int(rows[0])
        return None

    rename = first_in(built_early & parks["园区名称"].str.endswith("小微企业园"))
    move = first_in(built_early & (parks.index != rename))
    regression = None
    for period in quarters[4:-2]:  # suspended in the plan's second year or later, not in the last quarters
        before, after = pd.Timestamp(period.previous().end), pd.Timestamp(period.next().end)
        building = (parks["开工日期"] <= before) & (done > after) & ~parks.index.isin([rename, move])
        row = first_in(building)
        if row is not None:
            regression = (row, period)
            break
    built_then = done <= pd.Timestamp(RETURNED_PERIOD.previous().end)
    returned = next((c for c in STORY_COUNTIES[1:] if (built_then & (parks["所在区县"] == c)).any()), None)
    return _Stories(rename, move, regression, returned)


def _status_at(row: pd.Series, day: pd.Timestamp, *, final: bool) -> str:
    if final:
        return {v: k for k, v in STATUS_LABELS_ZH.items()}[row["建设状态"]]
    final_code = {v: k for k, v in STATUS_LABELS_ZH.items()}[row["建设状态"]]
    if pd.notna(row["认定日期"]) and row["认定日期"] <= day:
        return "certified"
    if final_code in ("built", "certified") and pd.notna(row["竣工日期"]) and row["竣工日期"] <= day:
        return "built"
    if pd.notna(row["开工日期"]) and row["开工日期"] <= day:
        return "under_construction"
    return "planned"


def _ramp(years: float) -> float:
    return 1.0 - 0.55 * float(np.exp(-max(years, 0.0) / RAMP_YEARS))


def _register_at(
    parks: pd.DataFrame, base: pd.DataFrame, period: Period, *, timeline: SampleTimeline, stories: _Stories, final: bool
) -> pd.DataFrame:
    """One county's register as it stood at the end of ``period``."""
    day = pd.Timestamp(period.end)
    appear = (parks["开工日期"] - pd.Timedelta(days=APPEAR_BEFORE_START_DAYS)).clip(upper=timeline.register_date)
    rows = parks[final | (appear <= day)]
    out = []
    for index, park in rows.iterrows():
        status = _status_at(park, day, final=final)
        if stories.regression and stories.regression == (index, period):
            status = "planned"
        record = {h: park.get(h) for h in QUARTER_HEADERS if h in park.index}
        record["建设状态"] = STATUS_LABELS_ZH[status]
        if not final:
            record["认定日期"] = park["认定日期"] if status == "certified" else pd.NaT
            record["星级"] = park["星级"] if status in ("built", "certified") else None
            record["备注"] = _note(status, suspended=stories.regression == (index, period))
        if stories.rename == index and period < RENAME_PERIOD:
            record["园区名称"] = str(park["园区名称"]).removesuffix("小微企业园") + "工业园区"
        if stories.move == index and period < MOVE_PERIOD:
            record["经度"], record["纬度"] = _shifted(park["经度"], park["纬度"], MOVE_M)
        record |= _operations(park, base.loc[index], day, timeline=timeline, built=status in ("built", "certified"), final=final)
        out.append(record)
    frame = pd.DataFrame(out, columns=list(QUARTER_HEADERS))
    frame["序号"] = np.arange(1, len(frame) + 1)
    return frame


def _note(status: str, *, suspended: bool) -> str | None:
    if suspended:
        return "暂缓建设，方案调整中"
    return {"planned": "计划开工，开工、竣工日期为预计", "under_construction": "竣工日期为预计"}.get(status)


def _operations(park: pd.Series, base: pd.Series, day: pd.Timestamp, *, timeline: SampleTimeline, built: bool, final: bool) -> dict:
    """The quarter's operating figures of one park: grown after completion towards the final register's."""
    blank: dict[str, object] = {h: None for h in QUARTER_HEADERS[12:23]}
    if not built:
        return blank | ({"入园企业数": park["入园企业数"]} if final and pd.notna(park["入园企业数"]) else {})
    years = (day - park["竣工日期"]).days / 365.25
    share = _ramp(years) / _ramp((timeline.register_date - park["竣工日期"]).days / 365.25)
    occupancy = min(100.0, float(park["入驻率(%)"]) * share) if pd.notna(park["入驻率(%)"]) else np.nan
    firms = round(float(park["入园企业数"]) * share) if pd.notna(park["入园企业数"]) else None
    above = min(firms, round(float(park["规上企业数"]) * share)) if firms is not None and pd.notna(park["规上企业数"]) else None
    leasable = round(float(park["建筑面积(万平方米)"]) * base["leasable_share"], 2)
    tax = float(park["亩均税收(万元/亩)"]) * share * float(park["占地面积(亩)"]) / 4 if pd.notna(park["亩均税收(万元/亩)"]) else np.nan
    output = tax * base["output_per_tax"]
    return {
        "入园企业数": firms,
        "规上企业数": above,
        "高新技术企业数": None if firms is None else round(firms * base["high_tech_share"]),
        "专精特新企业数": None if firms is None else round(firms * base["specialised_share"]),
        "从业人员数": None if firms is None else round(firms * base["jobs_per_firm"]),
        "可出租面积(万平方米)": leasable,
        "已出租面积(万平方米)": None if np.isnan(occupancy) else round(leasable * occupancy / 100, 2),
        "入驻率(%)": None if np.isnan(occupancy) else round(occupancy, 1),
        "本季度营业收入(万元)": None if np.isnan(output) else round(output * base["revenue_per_output"], 1),
        "本季度工业产值(万元)": None if np.isnan(output) else round(output, 1),
        "本季度税收(万元)": None if np.isnan(tax) else round(tax, 1),
    }


def _shifted(lon: float, lat: float, metres: float) -> tuple[float, float]:
    """A GCJ-02 position moved ``metres`` to the north-east (on the ground, in WGS-84), back in GCJ-02, 6 decimals."""
    wlon, wlat = gcj02_to_wgs84(np.array([lon]), np.array([lat]))
    step = metres / np.sqrt(2)
    dlat = step / 111_320.0
    dlon = step / (111_320.0 * np.cos(np.radians(float(wlat[0]))))
    glon, glat = wgs84_to_gcj02(np.array([float(wlon[0]) + dlon]), np.array([float(wlat[0]) + dlat]))
    return round(float(glon[0]), 6), round(float(glat[0]), 6)


def _mistyped(frame: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """The first report of the returned quarter: one park's floor area typed ten times too large; and the city's reason."""
    wrong = frame.copy()
    built = wrong["建设状态"].isin(["建成", "已认定"])
    at = wrong.loc[built, "建筑面积(万平方米)"].idxmax() if built.any() else wrong["建筑面积(万平方米)"].idxmax()
    name, true = str(wrong.loc[at, "园区名称"]), float(wrong.loc[at, "建筑面积(万平方米)"])
    wrong.loc[at, "建筑面积(万平方米)"] = round(true * MISTYPED_FLOOR_FACTOR, 2)
    reason = (
        f"{name}建筑面积填报为{true * MISTYPED_FLOOR_FACTOR:.2f}万平方米，上季度为{true:.2f}万平方米，"
        "疑为小数点位置错误，请核实后重新报送。"
    )
    return wrong, reason


def story_summary(reports: list[QuarterReport]) -> dict[str, object]:
    """The reports' headline facts for the manifest: counts by state, late ones, the returned one.

    Parameters
    ----------
    reports
        From :func:`quarterly_reports`.

    Returns
    -------
    dict
        JSON-ready.
    """
    late = [f"{r.county} {r.period.code}" for r in reports if r.submitted_at.date() > r.period.due(grace_days=DUE_DAYS)]
    first, last = min(r.period for r in reports), max(r.period for r in reports)
    return {
        "periods": f"{first.code}-{last.code}",
        "reports": len(reports),
        "by_state": {s: sum(r.review == s for r in reports) for s in ("approved", "returned", "submitted")},
        "late": late,
        "returned": [f"{r.county} {r.period.code}: {r.reason}" for r in reports if r.review == "returned"],
    }


__all__ = ["QUARTER_HEADERS", "QuarterReport", "quarterly_reports", "replace", "story_summary"]
