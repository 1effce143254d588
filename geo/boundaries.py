"""``python -m geo.boundaries build --adcode …``: a short name for :mod:`geo.region.boundaries`'s command line."""

from __future__ import annotations

from geo.region.boundaries import main

if __name__ == "__main__":
    raise SystemExit(main())
