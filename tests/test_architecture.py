"""Only the app and its pages import streamlit; geo/ and layers/ stay pure."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_geo_and_layers_do_not_load_streamlit() -> None:
    files = [p for package in ("geo", "layers") for p in (ROOT / package).rglob("*.py")]
    dotted = (".".join(p.relative_to(ROOT).with_suffix("").parts) for p in files if p.stem != "__main__")
    modules = sorted(m.removesuffix(".__init__") for m in dotted)
    code = "import sys\n" + "".join(f"import {m}\n" for m in modules) + "print('streamlit' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False", out.stderr
    assert len(modules) > 20


def test_only_the_app_and_ui_import_streamlit() -> None:
    offenders = []
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT)
        if rel.parts[0] in (".venv", "node_modules", "tests", "ui") or rel.name == "streamlit_app.py":
            continue
        text = path.read_text(encoding="utf-8")
        if "import streamlit" in text or "from streamlit" in text:
            offenders.append(str(rel))
    assert offenders == []
