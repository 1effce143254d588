"""Where the product's data folder is, for the loaders in geo/ (data/ is read only through them)."""

from __future__ import annotations

from pathlib import Path
from typing import Final

PROJECT_DIR: Final = Path(__file__).resolve().parent.parent
DATA_DIR: Final = PROJECT_DIR / "data"
