"""Meeting pack exports: standalone map page, slide image, A4 atlas and summary workbook.

``python -m export --out DIR [--as-of YYYY-MM-DD]`` writes all four files for
the store's current data; the app offers the same files as downloads by
calling the functions below, which return bytes (or text):

* :func:`export.html_map.standalone_html` -> ``map.html``
* :func:`export.static_map.city_png` -> ``map.png``
* :func:`export.atlas.atlas_pdf` -> ``atlas.pdf``
* :func:`export.workbook.summary_xlsx` -> ``summary.xlsx``
* :func:`export.animation.parks_gif` -> ``parks.gif`` (parks appearing quarter by quarter)

all taking one :class:`export.data.ExportData` (:func:`export.data.load_export_data`).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from export.data import ExportData, load_export_data
from geo.schema import DEFAULT_COUNTED_STATUSES
from geo.store import SnapshotStore

__all__ = ["FILE_NAMES", "ExportData", "build_all", "load_export_data"]

FILE_NAMES = ("map.html", "map.png", "atlas.pdf", "summary.xlsx", "parks.gif")
Progress = Callable[[str, float], None]


def write_atomic(path: Path, payload: bytes) -> Path:
    """Write ``payload`` to ``path`` through a temporary file in the same folder, so a reader never sees half a file."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; colleagues must be able to open the pack
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def build_all(
    out_dir: str | Path,
    *,
    as_of: date,
    statuses: Sequence[str] = DEFAULT_COUNTED_STATUSES,
    lang: str = "zh",
    store: SnapshotStore | str | Path | None = None,
    data: ExportData | None = None,
    progress: Progress | None = None,
) -> dict[str, Path]:
    """Write map.html, map.png, atlas.pdf, summary.xlsx and parks.gif into ``out_dir``; return their paths by file name.

    Parameters
    ----------
    out_dir
        Folder to write into (created if missing); existing files of these names are replaced.
    as_of, statuses, lang, store
        As for :func:`export.data.load_export_data` (ignored when ``data`` is given).
    data
        Ready export inputs, e.g. from the app's cache.
    progress
        Called as ``progress(step, share_done)`` with ``share_done`` from 0 to 1, for a progress bar.
    """
    from export.animation import parks_gif
    from export.atlas import atlas_pdf
    from export.html_map import standalone_html
    from export.static_map import city_png
    from export.workbook import summary_xlsx

    report = progress or (lambda _step, _share: None)
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    report("data", 0.0)
    data = data or load_export_data(as_of=as_of, statuses=statuses, lang=lang, store=store)
    written = {}
    report("map.html", 0.1)
    written["map.html"] = write_atomic(folder / "map.html", standalone_html(data).encode("utf-8"))
    report("map.png", 0.2)
    written["map.png"] = write_atomic(folder / "map.png", city_png(data))
    report("atlas.pdf", 0.3)
    pdf = atlas_pdf(data, progress=lambda share: report("atlas.pdf", 0.3 + 0.4 * share))
    written["atlas.pdf"] = write_atomic(folder / "atlas.pdf", pdf)
    report("summary.xlsx", 0.7)
    written["summary.xlsx"] = write_atomic(folder / "summary.xlsx", summary_xlsx(data))
    report("parks.gif", 0.75)
    written["parks.gif"] = write_atomic(folder / "parks.gif", parks_gif(data))
    report("done", 1.0)
    return written
