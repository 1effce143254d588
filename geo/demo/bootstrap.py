"""First start: the shipped synthetic sample goes into the store through the normal import path.

``make run`` calls ``python -m geo.demo.bootstrap`` before starting the app, and the
app calls :func:`load_sample_into_store` on its first start. The sample goes
only into a store that has never held a snapshot: once anything was saved,
even if every snapshot has since been rolled back, the synthetic sample never
comes back by itself (a planner who withdrew their own register must not see
made-up parks become current), and :func:`retire_sample` withdraws it as soon as
a planner saves their own register. ``python -m geo.demo.bootstrap --force-sample``
loads it on purpose (or restores it if it was rolled back).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd

from geo.errors import DuplicateSnapshotError, StoreError
from geo.ingest.enterprises import import_enterprises
from geo.ingest.parks import import_parks
from geo.ingest.report import ImportReport
from geo.region.boundaries import load_counties
from geo.region.region import default_sample_dir
from geo.reporting.periods import parse_period
from geo.reporting.service import prepare_submission
from geo.store import SnapshotInfo, SnapshotStore, open_store
from geo.store.synthetic import SAMPLE_LOADER, is_synthetic, withdraw_synthetic
from geo.words import SYNTHETIC_NOTICE

SAMPLE_PARKS = "sample_parks_synthetic.xlsx"
SAMPLE_ENTERPRISES = "sample_enterprises_synthetic.csv"
REPORTS_FILE = "submissions.json"  # the quarterly reports, in the order they were sent (geo.demo.quarters)
SAMPLE_DATUM = "gcj02"
SAMPLE_NOTE = SYNTHETIC_NOTICE  # the words live in geo.words: production code never imports geo.demo


def sample_manifest(sample_dir: Path | None = None) -> dict | None:
    """Return the sample's manifest, or None when the sample has not been generated.

    Parameters
    ----------
    sample_dir
        The folder of the generated sample (default: ``data/sample/<adcode>/``
        of the region in use).

    Returns
    -------
    dict or None
        The manifest's contents.
    """
    path = (sample_dir or default_sample_dir()) / "manifest.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def file_sha256(path: Path) -> str:
    """Return the SHA-256 hex digest of a file, read in 1 MiB blocks.

    Parameters
    ----------
    path
        A file.

    Returns
    -------
    str
        The SHA-256 hex digest of its bytes.
    """
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def is_sample(info: SnapshotInfo | None) -> bool:
    """Return True when a stored snapshot is the synthetic sample (see :func:`geo.store.synthetic.is_synthetic`).

    Parameters
    ----------
    info
        A snapshot's metadata, or None.

    Returns
    -------
    bool
        True when it was loaded by the sample loader or as a sample report.
    """
    return is_synthetic(info)


def _save(store: SnapshotStore, report: ImportReport, *, kind: str, path: Path, reporting_date: date) -> SnapshotInfo:
    return store.save_snapshot(
        report.data,
        kind=kind,
        reporting_date=reporting_date,
        source_name=path.name,
        source_sha256=file_sha256(path),
        loaded_by=SAMPLE_LOADER,
        note=f"{SAMPLE_NOTE}; {report.accepted}/{report.rows} rows accepted",
    )


def never_held_data(store: SnapshotStore) -> bool:
    """Return True when no snapshot was ever saved in ``store`` (rolled-back ones count as saved).

    Parameters
    ----------
    store
        The store.

    Returns
    -------
    bool
        True when its snapshot list is empty.
    """
    return store.list_snapshots().empty


def _save_or_restore(store: SnapshotStore, report: ImportReport, *, kind: str, path: Path, reporting_date: date) -> SnapshotInfo | None:
    """Save the sample; if it is stored already, restore it when rolled back (else None: nothing to do)."""
    try:
        return _save(store, report, kind=kind, path=path, reporting_date=reporting_date)
    except DuplicateSnapshotError as exc:
        info = store.snapshot_info(exc.snapshot_id)
        if not info.rolled_back:
            return None
        return store.restore(exc.snapshot_id, by=SAMPLE_LOADER, reason="python -m geo.demo.bootstrap --force-sample")


def load_sample_into_store(
    store: SnapshotStore, *, counties: gpd.GeoDataFrame | None = None, sample_dir: Path | None = None, force: bool = False
) -> list[SnapshotInfo]:
    """Import the synthetic sample into a store that never held a snapshot; return the snapshots saved.

    Parameters
    ----------
    store
        The snapshot store.
    counties
        County boundaries (WGS-84) for the import checks; loaded when needed.
    sample_dir
        Where the generated sample and its ``manifest.json`` are.
    force
        Load the sample even into a store that holds (or held) data; a sample
        already stored is restored if rolled back, else left as it is.

    Returns
    -------
    list of SnapshotInfo
        The snapshots saved or restored: none when the store ever held a
        snapshot (and ``force`` is false) or no sample has been generated.
    """
    sample_dir = sample_dir or default_sample_dir()
    manifest = sample_manifest(sample_dir)
    if manifest is None or not (force or never_held_data(store)):
        return []
    reporting_date = date.fromisoformat(manifest["register_date"])
    counties = load_counties() if counties is None else counties
    saved = []
    if (sample_dir / REPORTS_FILE).exists():
        saved += _replay_reports(store, sample_dir, counties=counties)
    else:  # a sample written before the quarterly reports: its whole register, as one snapshot
        saved += _load_file(store, sample_dir / SAMPLE_PARKS, "parks", import_parks, counties=counties, reporting_date=reporting_date)
    path = sample_dir / SAMPLE_ENTERPRISES
    saved += _load_file(store, path, "enterprises", import_enterprises, counties=counties, reporting_date=reporting_date)
    return saved


def _load_file(
    store: SnapshotStore, path: Path, kind: str, importer: Any, *, counties: gpd.GeoDataFrame, reporting_date: date
) -> list[SnapshotInfo]:
    if not path.exists():
        return []
    report = importer(path, datum=SAMPLE_DATUM, counties=counties)
    info = _save_or_restore(store, report, kind=kind, path=path, reporting_date=reporting_date)
    return [] if info is None else [info]


def _replay_reports(store: SnapshotStore, sample_dir: Path, *, counties: gpd.GeoDataFrame) -> list[SnapshotInfo]:
    """Send the sample's quarterly reports through the submission path, in the order and at the times they were sent.

    Each report is imported and checked as a clerk's file is, matched to its
    county's previous approved quarter (park ids, what changed), stored as that
    county's submission, then approved or returned at its recorded time (or left
    waiting). Reports stored already (a forced reload) are restored if withdrawn.
    """
    listed = json.loads((sample_dir / REPORTS_FILE).read_text(encoding="utf-8"))["reports"]
    by_name = dict(zip(counties["name"], counties["adcode"], strict=True))
    region_counties = [str(c) for c in counties["adcode"]]
    saved: list[SnapshotInfo] = []
    for entry in listed:
        path = sample_dir / entry["file"]
        report = import_parks(path, datum=SAMPLE_DATUM, counties=counties)
        period = parse_period(entry["period"])
        county = by_name[entry["county"]]
        prepared = prepare_submission(report.data, store=store, period=period, county=county, region_counties=region_counties)
        if prepared.refused or report.rejected:
            msg = f"示例季度报送 {path.name} 有 {report.rejected} 行未通过校验：请重新生成示例数据（make data/sample/…/manifest.json）。"
            raise StoreError(msg)
        try:
            made = store.submit(
                prepared.parks,
                period=period,
                counties=prepared.counties,
                source_name=path.name,
                source_sha256=file_sha256(path),
                submitted_by=entry["submitted_by"],
                changes=prepared.changes_json(),
                note=f"{SAMPLE_NOTE}; {report.accepted}/{report.rows} rows accepted",
                at=datetime.fromisoformat(entry["submitted_at"]),
            )
        except DuplicateSnapshotError as exc:
            info = store.snapshot_info(exc.snapshot_id)
            if info.rolled_back:
                saved.append(store.restore(exc.snapshot_id, by=SAMPLE_LOADER, reason="python -m geo.demo.bootstrap --force-sample"))
            continue
        when = datetime.fromisoformat(entry["reviewed_at"]) if entry["reviewed_at"] else None
        if entry["review"] == "approved":
            store.approve_submission(made[0].submission_id, by=entry["reviewed_by"], at=when)
        elif entry["review"] == "returned":
            store.return_submission(made[0].submission_id, by=entry["reviewed_by"], reason=entry["reason"], at=when)
        saved.append(store.snapshot_info(made[0].snapshot_id))
    return saved


def retire_sample(store: SnapshotStore, kind: str, *, by: str) -> list[SnapshotInfo]:
    """Roll back the synthetic sample of ``kind`` once a planner's own register of that kind is saved.

    Otherwise withdrawing their register would make made-up data current
    again, and a county's real report would stand next to made-up counties.
    Returns the sample snapshots rolled back (kept for audit, restorable).

    Parameters
    ----------
    store
        The store.
    kind
        ``parks`` or ``enterprises``.
    by
        Who saved the real register (recorded on the rollback).

    Returns
    -------
    list of SnapshotInfo
        The sample snapshots rolled back.
    """
    return withdraw_synthetic(store, kind, by=by)


def main(argv: list[str] | None = None) -> int:
    """Command line: load the synthetic sample into a store that never held data.

    Parameters
    ----------
    argv
        The arguments after the command; None reads ``sys.argv``.

    Returns
    -------
    int
        The exit code: 0 when done (also when nothing was loaded), 1 when the store cannot be used.
    """
    parser = argparse.ArgumentParser(
        prog="python -m geo.demo.bootstrap", description="Load the synthetic sample into a store that never held data."
    )
    parser.add_argument("--store", default=None, help="store location (default: $PARKMAP_STORE or data/store/parkmap.gpkg)")
    parser.add_argument("--force-sample", action="store_true", help="load the sample even if the store holds or held data")
    parser.add_argument("--sample-dir", type=Path, default=None, help="folder of the generated sample (default: data/sample/<adcode>)")
    args = parser.parse_args(argv)
    try:
        store = open_store(args.store)
        saved = load_sample_into_store(store, sample_dir=args.sample_dir, force=args.force_sample)
    except StoreError as exc:
        print(f"示例数据未载入 sample not loaded: {exc}", file=sys.stderr)
        return 1
    for info in saved:
        print(f"loaded sample {info.kind}: {info.row_count} rows into {store.location} (snapshot {info.snapshot_id})")
    if not saved:
        print(f"store {store.location} holds or held data (or no sample generated): nothing loaded; --force-sample loads it anyway")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
