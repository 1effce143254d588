"""``python -m geo.parks check FILE …``: a short name for :mod:`geo.ingest.parks`'s command line.

Scripts at the bureaus call it by this name; the import code lives in ``geo/ingest/``.
"""

from __future__ import annotations

from geo.ingest.parks import main

if __name__ == "__main__":
    raise SystemExit(main())
