"""What an import found: counts, problems per row, and the rows to send back.

An :class:`ImportReport` holds the accepted features, one table of problems
(row as the user sees it, the user's header, the value as given, severity,
message) and the original rows, so that rejected rows can be downloaded with a
``错误原因`` column, corrected and imported again. Problems are kept in a
DataFrame (a 250,000-row list can have that many problems).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.export_safety import neutralise_formulas
from geo.ingest.datum import DatumEvidence

PROBLEM_COLUMNS = ("row", "field", "value", "severity", "message")
SEVERITIES = ("error", "warning")
REASON_COLUMN = "错误原因"
SHEET_COLUMN = "sheet"  # in problems, when several sheets or layers were read
ROW_COLUMN = "原行号"


class ProblemLog:
    """Collects problems as whole-column masks, so that checks stay vectorised."""

    def __init__(self, source_rows: np.ndarray, *, parts: np.ndarray | None = None) -> None:
        self._rows = np.asarray(source_rows, dtype=np.int64)
        # the sheet or layer of each row when several were read: row numbers repeat across them
        self._parts = None if parts is None else np.asarray(parts, dtype=object)
        self._chunks: list[pd.DataFrame] = []

    def add(
        self,
        mask: np.ndarray | pd.Series,
        *,
        field: str,
        value: pd.Series | np.ndarray | str,
        severity: str,
        message: pd.Series | np.ndarray | str,
    ) -> None:
        """Record one problem for every row where ``mask`` is True.

        ``value`` and ``message`` are either one string for all rows or
        arrays aligned with the rows.

        Parameters
        ----------
        mask
            True for each row (by position) that has the problem.
        field
            The column the problem is in, as the planner sees it.
        value
            The value as given: one string, or one per row.
        severity
            ``error`` (the row is rejected) or ``warning``.
        message
            What is wrong, in a planner's words: one string, or one per row.
        """
        where = np.flatnonzero(np.asarray(mask, dtype=bool))
        if not len(where):
            return
        chunk = pd.DataFrame(
            {
                "position": where,
                "row": self._rows[where],
                "field": field,
                "value": _pick(value, where),
                "severity": severity,
                "message": _pick(message, where),
            }
        )
        if self._parts is not None:
            chunk.insert(1, SHEET_COLUMN, self._parts[where])
        self._chunks.append(chunk)

    def frame(self) -> pd.DataFrame:
        """Return all problems ordered by row (then errors before warnings)."""
        if not self._chunks:
            columns = ("position", *((SHEET_COLUMN,) if self._parts is not None else ()), *PROBLEM_COLUMNS)
            return pd.DataFrame({c: pd.Series(dtype="int64" if c in ("row", "position") else object) for c in columns})
        out = pd.concat(self._chunks, ignore_index=True)
        order = out["severity"].map({"error": 0, "warning": 1})
        # file order: by sheet as read, then row (one sheet: the same as by row)
        out = out.assign(_order=order).sort_values(["position", "_order"], kind="stable").drop(columns="_order")
        return out.reset_index(drop=True)

    @property
    def parts(self) -> np.ndarray | None:
        """Return the sheet or layer of each checked row, or None when the file had one."""
        return self._parts

    def error_positions(self) -> np.ndarray:
        """Return the positions (0-based, in the checked rows) that have at least one error."""
        positions = [c.loc[c["severity"] == "error", "position"].to_numpy() for c in self._chunks]
        return np.unique(np.concatenate(positions)) if positions else np.array([], dtype=np.int64)


def _pick(value: pd.Series | np.ndarray | str, where: np.ndarray) -> np.ndarray | str:
    if isinstance(value, str):
        return value
    return np.asarray(value, dtype=object)[where]


@dataclass
class ImportReport:
    """The outcome of importing one file.

    ``rows == accepted + rejected`` always; blank rows are counted apart in
    ``skipped_blank``. ``data`` holds the accepted rows in WGS-84
    (EPSG:4326) with the canonical columns of :mod:`geo.schema`.
    """

    file_name: str
    datum: str
    rows: int
    accepted: int
    rejected: int
    skipped_blank: int
    problems: pd.DataFrame
    data: gpd.GeoDataFrame
    original: pd.DataFrame  # the non-blank rows as given, with ROW_COLUMN first
    rejected_rows: np.ndarray  # source row numbers of the rejected rows
    datum_hint: str | None = None  # the datum the points fit clearly better, when it is not the one imported in
    datum_evidence: DatumEvidence | None = None  # the scores behind ``datum_hint`` (kept when there is no hint)
    notes: tuple[str, ...] = field(default_factory=tuple)
    rejected_positions: np.ndarray | None = None  # positions in ``original`` of the rejected rows
    parts: np.ndarray | None = None  # per row of ``original``: its sheet or layer, when several were read

    @property
    def errors(self) -> int:
        """Number of error problems."""
        return int((self.problems["severity"] == "error").sum())

    @property
    def warnings(self) -> int:
        """Number of warning problems."""
        return int((self.problems["severity"] == "warning").sum())

    @property
    def datum_hint_text(self) -> str | None:
        """The datum hint in a planner's words (declared datum, likely datum, the rows behind it), or None."""
        if not self.datum_hint:
            return None
        return datum_hint_message(self.datum, self.datum_hint, evidence=self.datum_evidence)

    def to_dict(self, *, max_problems: int | None = None) -> dict:
        """Return the report as plain JSON-ready types (the CLI's ``--json`` object).

        Parameters
        ----------
        max_problems
            Keep only the first this many problems; None keeps all.

        Returns
        -------
        dict
            Counts, notes and problems as JSON-ready types.
        """
        problems = self.problems if max_problems is None else self.problems.head(max_problems)
        records = [
            {"row": int(r), "field": str(f), "value": str(v), "severity": str(s), "message": str(m)}
            for r, f, v, s, m in problems[list(PROBLEM_COLUMNS)].itertuples(index=False)
        ]
        if SHEET_COLUMN in problems:
            for record, sheet in zip(records, problems[SHEET_COLUMN], strict=True):
                record["sheet"] = str(sheet)
        return {
            "file": self.file_name,
            "crs": self.datum,
            "rows": int(self.rows),
            "accepted": int(self.accepted),
            "rejected": int(self.rejected),
            "skipped_blank": int(self.skipped_blank),
            "datum_hint": self.datum_hint,
            "datum_hint_message": self.datum_hint_text,
            "datum_evidence": None if self.datum_evidence is None else self.datum_evidence.to_dict(),
            "notes": list(self.notes),
            "problems": records,
        }

    def summary_lines(self, *, max_problems: int | None = None) -> list[str]:
        """Return the human summary: counts, file notes, then one line per problem.

        Parameters
        ----------
        max_problems
            List only the first this many problems; None lists all.

        Returns
        -------
        list of str
            The summary, one line per item, in Chinese.
        """
        lines = [
            f"文件 {self.file_name} · 坐标系 {self.datum}",
            f"共 {self.rows} 行：接受 {self.accepted} 行，拒绝 {self.rejected} 行；跳过空行 {self.skipped_blank} 行。"
            f"（错误 {self.errors} 个，提醒 {self.warnings} 个）",
        ]
        if self.datum_hint_text:
            lines.append(self.datum_hint_text)
        lines.extend(self.notes)
        problems = self.problems if max_problems is None else self.problems.head(max_problems)
        sheets = problems[SHEET_COLUMN] if SHEET_COLUMN in problems else [None] * len(problems)
        for sheet, (r, f, v, s, m) in zip(sheets, problems[list(PROBLEM_COLUMNS)].itertuples(index=False), strict=True):
            where = f"“{sheet}”第 {r} 行" if sheet is not None else f"第 {r} 行"
            lines.append(f'{where} · {f} · "{v}" · {s} · {m}')
        if max_problems is not None and len(self.problems) > max_problems:
            lines.append(f"……另有 {len(self.problems) - max_problems} 个问题未列出（用 --json 查看全部）。")
        return lines


_DATUM_WORDS = {
    "wgs84": "WGS-84（GPS、天地图、奥维等）",
    "cgcs2000": "CGCS2000（国家2000坐标系）",
    "gcj02": "GCJ-02（高德、腾讯地图）",
    "bd09": "BD-09（百度地图）",
}


_DATUM_SHORT = {"wgs84": "WGS-84", "cgcs2000": "CGCS2000", "gcj02": "GCJ-02（高德）", "bd09": "BD-09（百度）"}
_DATUM_MAPS = {"wgs84": "GPS 或天地图", "cgcs2000": "国家2000坐标系成果", "gcj02": "高德或腾讯地图", "bd09": "百度地图"}


def datum_hint_message(declared: str, likely: str, *, evidence: DatumEvidence | None = None) -> str:
    """Return the planner-facing sentence for a datum hint.

    Parameters
    ----------
    declared
        The datum the file was imported in.
    likely
        The datum most points seem to be in.
    evidence
        The detector's scores (:func:`geo.ingest.datum.detect_datum`); the sentence then counts the rows behind the hint.

    Returns
    -------
    str
        The hint, in Chinese.
    """
    if evidence is None or evidence.likely != likely:
        return (
            f"提示：坐标按 {_DATUM_WORDS.get(declared, declared)} 导入，但多数点看起来是 {_DATUM_WORDS.get(likely, likely)} 坐标"
            f"（按 {likely} 换算后，更多点落在所填区县内）。如果坐标是从该地图上取的，请选择坐标系 {likely} 重新导入。"
        )
    noun = evidence.noun
    as_declared, as_likely = evidence.score(declared), evidence.score(likely)
    short_declared, short_likely = (_spaced(_DATUM_SHORT.get(d, d)) for d in (declared, likely))
    parts = [f"提示：坐标按 {_DATUM_WORDS.get(declared, declared)}导入，但看起来是 {_DATUM_WORDS.get(likely, likely)}坐标。"]
    if evidence.sampled:
        parts.append(f"抽查 {evidence.checked:,} {noun}：")
    if evidence.used_county:
        outside = as_likely.outside_county
        fits = "则全部在所填区县内" if outside == 0 else f"只有 {outside} {noun}在所填区县之外"
        parts.append(f"按 {short_declared}解读，有 {as_declared.outside_county} {noun}落在所填区县之外；按 {short_likely}解读{fits}。")
    if evidence.used_township:
        farther = "没有一个更远" if as_likely.farther == 0 else f"明显更远的只有 {as_likely.farther} {noun}"
        parts.append(f"按 {short_likely}解读，有 {as_likely.closer} {noun}离所填镇街中心明显更近，{farther}。")
    parts.append(f"请确认坐标系后重新导入（坐标取自{_DATUM_MAPS.get(likely, likely)}时请选择坐标系 {likely}）。")
    return "".join(parts)


def _spaced(text: str) -> str:
    """Put a space after text that ends in a Latin letter or digit, before the Chinese that follows."""
    return text + " " if text[-1:].isascii() else text


def rejected_for_correction(report: ImportReport) -> pd.DataFrame:
    """Return the rejected rows as given (all original columns) plus a ``错误原因`` column.

    The first column ``原行号`` is the row number in the original file. Cells
    are as given: pass the result through
    :func:`geo.export_safety.neutralise_formulas` (or use
    :func:`rejected_xlsx`) before writing a spreadsheet.

    Parameters
    ----------
    report
        The import's report.

    Returns
    -------
    DataFrame
        ``原行号``, the original columns as given, and ``错误原因``; one row per rejected row.
    """
    original = report.original
    if report.rejected_positions is None:
        rows = original[original[ROW_COLUMN].isin(report.rejected_rows)].copy()
    else:
        rows = original.iloc[report.rejected_positions].copy()
    errors = report.problems[report.problems["severity"] == "error"]
    errors = errors.assign(text=errors["field"].astype(str) + "：" + errors["message"].astype(str))
    if report.parts is not None and SHEET_COLUMN in errors:
        # row numbers repeat across sheets: a reason belongs to its sheet and row
        reasons = errors.groupby([SHEET_COLUMN, "row"])["text"].agg("；".join)
        keys = pd.MultiIndex.from_arrays([report.parts[rows.index.to_numpy()], rows[ROW_COLUMN].to_numpy()])
        rows[REASON_COLUMN] = reasons.reindex(keys).fillna("").to_numpy()
    else:
        reasons = errors.groupby("row")["text"].agg("；".join)
        rows[REASON_COLUMN] = rows[ROW_COLUMN].map(reasons).fillna("")
    return rows.reset_index(drop=True)


def rejected_xlsx(report: ImportReport) -> bytes:
    """Return the rejected rows as an ``.xlsx`` file, with formula-looking cells neutralised.

    Parameters
    ----------
    report
        The import's report.

    Returns
    -------
    bytes
        An ``.xlsx`` file with one sheet of the rejected rows.
    """
    frame = neutralise_formulas(rejected_for_correction(report))
    buffer = io.BytesIO()
    with pd.ExcelWriter(
        buffer, engine="xlsxwriter", engine_kwargs={"options": {"strings_to_formulas": False, "strings_to_urls": False}}
    ) as writer:
        frame.to_excel(writer, sheet_name="被拒绝的行", index=False)
    return buffer.getvalue()
