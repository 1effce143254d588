"""First start: the shipped synthetic sample goes into the store through the normal import path.

``make run`` calls ``python -m geo.bootstrap`` before starting the app, and the
app calls :func:`load_sample_into_store` again in case the store was emptied.
Nothing happens when the store already holds data: a planner's own register is
never overwritten by the sample.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from datetime import date
from pathlib import Path

import geopandas as gpd

from geo.boundaries import load_counties
from geo.enterprises import import_enterprises
from geo.parks import import_parks
from geo.report import ImportReport
from geo.store import SnapshotInfo, SnapshotStore, open_store

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "data" / "sample"
SAMPLE_PARKS = "sample_parks_synthetic.xlsx"
SAMPLE_ENTERPRISES = "sample_enterprises_synthetic.csv"
SAMPLE_DATUM = "gcj02"
SAMPLE_LOADER = "sample loader (geo.bootstrap)"
SAMPLE_NOTE = "合成示例数据，非真实数据 / synthetic sample data"


def sample_manifest(sample_dir: Path = SAMPLE_DIR) -> dict | None:
    """Return the sample's manifest, or None when the sample has not been generated."""
    path = sample_dir / "manifest.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def is_sample(info: SnapshotInfo | None) -> bool:
    """Return True when a stored snapshot is the synthetic sample."""
    return info is not None and info.loaded_by == SAMPLE_LOADER


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


def load_sample_into_store(
    store: SnapshotStore, *, counties: gpd.GeoDataFrame | None = None, sample_dir: Path = SAMPLE_DIR
) -> list[SnapshotInfo]:
    """Import the synthetic sample into an empty store; return the snapshots saved (none if not empty).

    Parks and enterprises are handled separately: an empty kind gets the sample,
    a kind holding data is left alone.
    """
    manifest = sample_manifest(sample_dir)
    if manifest is None:
        return []
    reporting_date = date.fromisoformat(manifest["register_date"])
    counties = load_counties() if counties is None else counties
    saved = []
    jobs = (("parks", SAMPLE_PARKS, import_parks), ("enterprises", SAMPLE_ENTERPRISES, import_enterprises))
    for kind, file_name, importer in jobs:
        path = sample_dir / file_name
        if store.is_empty(kind) and path.exists():
            report = importer(path, datum=SAMPLE_DATUM, counties=counties)
            saved.append(_save(store, report, kind=kind, path=path, reporting_date=reporting_date))
    return saved


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m geo.bootstrap", description="Load the synthetic sample into an empty store.")
    parser.add_argument("--store", default=None, help="store location (default: $PARKMAP_STORE or data/store/parkmap.gpkg)")
    args = parser.parse_args(argv)
    store = open_store(args.store)
    saved = load_sample_into_store(store)
    for info in saved:
        print(f"loaded sample {info.kind}: {info.row_count} rows into {store.location} (snapshot {info.snapshot_id})")
    if not saved:
        print(f"store {store.location} already holds data (or no sample generated): nothing loaded")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
