"""The house's walls: which package may import which.

Only the app and its pages import streamlit; geo/ and layers/ stay pure. Data flows one way,
geo → layers → ui/streamlit_app (export builds the meeting pack from geo and layers), and the
synthetic sample in geo/demo stays out of geo's production rooms.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SKIPPED_DIRS = frozenset({".venv", "node_modules", "artifacts", "static", "data"})
APP_ONLY = ("streamlit", "streamlit_folium", "altair", "streamlit_app")
FIRST_PARTY_ABOVE_GEO = ("layers", "ui", "export", "bench", "tests")


@dataclass(frozen=True)
class Rule:
    """Modules under one of ``applies_to`` (minus ``except_in``) must not import any of ``forbidden``."""

    why: str
    applies_to: tuple[str, ...]
    forbidden: tuple[str, ...]
    except_in: tuple[str, ...] = ()


RULES = (
    Rule(
        why="geo/ is pure data work: no map building, app, pack, benchmark or plotting",
        applies_to=("geo",),
        forbidden=(*FIRST_PARTY_ABOVE_GEO, *APP_ONLY, "folium", "branca", "matplotlib", "playwright"),
    ),
    Rule(
        why="the synthetic sample (geo/demo) is out of geo's production path",
        applies_to=("geo",),
        except_in=("geo.demo",),
        forbidden=("geo.demo",),
    ),
    Rule(
        why="layers/ builds folium objects from geo only",
        applies_to=("layers",),
        forbidden=("ui", "export", "bench", "tests", "geo.demo", *APP_ONLY, "matplotlib", "playwright"),
    ),
    Rule(
        why="export/ builds the meeting pack without the app",
        applies_to=("export",),
        forbidden=("ui", "bench", "tests", *APP_ONLY),
    ),
    Rule(
        why="ui/ is the app's pages: it uses geo, layers and export, never the benchmark",
        applies_to=("ui",),
        forbidden=("bench", "tests", "streamlit_app"),
    ),
    Rule(
        why="the benchmark measures geo and layers, not the app's pages",
        applies_to=("bench",),
        forbidden=("ui", "tests", "streamlit_app"),
    ),
    Rule(
        why="only streamlit_app.py and ui/ import streamlit (and the benchmark's floor, a bare Streamlit page by definition, "
        "and its websocket users, which speak Streamlit's wire protocol: see test_only_the_app_and_ui_import_streamlit)",
        applies_to=("",),
        except_in=("streamlit_app", "ui", "tests", "bench.browser_floor", "bench.server_ws", "bench.streamlit_wire"),
        forbidden=("streamlit", "streamlit_folium"),
    ),
    Rule(
        why="nothing outside tests/ imports tests",
        applies_to=("",),
        except_in=("tests",),
        forbidden=("tests",),
    ),
)


def _within(module: str, prefix: str) -> bool:
    return prefix == "" or module == prefix or module.startswith(prefix + ".")


def _module_name(rel: Path) -> str:
    parts = list(rel.with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve_relative(rel: Path, node: ast.ImportFrom) -> str:
    package = list(rel.parent.parts)
    if node.level > 1:
        package = package[: len(package) - (node.level - 1)]
    return ".".join([*package, node.module] if node.module else package)


def imported_modules(path: Path, *, root: Path) -> list[tuple[int, str]]:
    """Every module a file imports (relative imports resolved), with its line number.

    Parameters
    ----------
    path
        The Python file to read.
    root
        The project's root folder (relative imports are resolved against it).

    Returns
    -------
    list of tuple
        ``(line, dotted module name)``, including imports inside functions and ``TYPE_CHECKING``
        blocks and ``importlib.import_module("...")`` / ``__import__("...")`` with a literal name.
    """
    rel = path.relative_to(root)
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(rel))):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = _resolve_relative(rel, node) if node.level else (node.module or "")
            found.append((node.lineno, module))
            # ``from geo import demo`` imports geo.demo
            found.extend((node.lineno, f"{module}.{alias.name}") for alias in node.names if alias.name != "*")
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in ("import_module", "__import__") and isinstance(node.args[0].value, str):
                found.append((node.lineno, node.args[0].value))
    return found


def python_files(root: Path) -> list[Path]:
    """The project's own Python files (no virtualenv, node_modules, data or build output).

    Parameters
    ----------
    root
        The project's root folder.

    Returns
    -------
    list of Path
        Sorted paths of every ``.py`` file that belongs to the product or its tests.
    """
    return sorted(
        p for p in root.rglob("*.py") if not any(part in SKIPPED_DIRS or part.startswith(".") for part in p.relative_to(root).parts[:-1])
    )


def import_violations(root: Path, rules: tuple[Rule, ...] = RULES) -> list[str]:
    """Every import that breaks one of ``rules``, as ``file:line imports module (why)``.

    Parameters
    ----------
    root
        The project's root folder.
    rules
        The import rules to enforce.

    Returns
    -------
    list of str
        One line per offending import; empty when the house stands.
    """
    offenders: dict[tuple[str, int, str], str] = {}
    for path in python_files(root):
        rel = path.relative_to(root)
        module = _module_name(rel)
        for rule in rules:
            if not any(_within(module, p) for p in rule.applies_to) or any(_within(module, p) for p in rule.except_in):
                continue
            for line, imported in imported_modules(path, root=root):
                key = (str(rel), line, rule.why)
                if any(_within(imported, f) for f in rule.forbidden) and len(imported) < len(offenders.get(key, imported + "_")):
                    offenders[key] = imported  # one line per import statement: the shortest forbidden name
    return sorted(f"{rel}:{line} imports {imported} ({why})" for (rel, line, why), imported in offenders.items())


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
        if rel == Path("bench/browser_floor.py"):  # the floor the app is measured against: a bare Streamlit page
            continue
        if rel in (
            Path("bench/server_ws.py"),
            Path("bench/streamlit_wire.py"),
        ):  # simulated users speak the wire protocol: its messages only
            used = [m for _, m in imported_modules(path, root=ROOT) if m == "streamlit" or m.startswith("streamlit.")]
            offenders += [f"{rel}: {m}" for m in used if not m.startswith("streamlit.proto.")]
            continue
        text = path.read_text(encoding="utf-8")
        if "import streamlit" in text or "from streamlit" in text:
            offenders.append(str(rel))
    assert offenders == []


def test_imports_follow_the_direction_of_the_house() -> None:
    files = python_files(ROOT)
    packages = {p.relative_to(ROOT).parts[0] for p in files}
    assert {"geo", "layers", "ui", "export", "bench", "tests", "streamlit_app.py"} <= packages
    assert sum(1 for p in files if p.relative_to(ROOT).parts[0] == "geo") > 30
    assert import_violations(ROOT) == []


def _write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize(
    ("rel", "text", "expected"),
    [
        ("geo/analysis/gaps.py", "from layers.parks import parks_layer\n", "geo/analysis/gaps.py:1 imports layers.parks"),
        ("geo/crs.py", "def f():\n    import folium\n", "geo/crs.py:2 imports folium"),
        ("geo/store/meta.py", "from geo.demo.bootstrap import SAMPLE_NOTE\n", "imports geo.demo.bootstrap"),
        ("geo/ingest/parks.py", "from geo import demo\n", "geo/ingest/parks.py:1 imports geo.demo"),
        ("geo/ingest/parks.py", "from ..demo import sample\n", "imports geo.demo"),
        ("layers/base.py", "from ui.shared import x\n", "layers/base.py:1 imports ui.shared"),
        ("layers/base.py", "from export import text\n", "imports export"),
        ("layers/base.py", "import streamlit as st\n", "layers/base.py:1 imports streamlit"),
        ("export/cli.py", "from ui import shared\n", "export/cli.py:1 imports ui"),
        ("bench/__main__.py", "import importlib\nimportlib.import_module('ui.data_page')\n", "imports ui.data_page"),
        ("geo/paths.py", "from tests.conftest import small_store\n", "imports tests.conftest"),
    ],
)
def test_the_checker_reports_a_wrong_import(tmp_path: Path, rel: str, text: str, expected: str) -> None:
    _write(tmp_path, rel, text)
    found = import_violations(tmp_path)
    assert any(expected in line for line in found), found


def test_the_checker_allows_what_the_house_allows(tmp_path: Path) -> None:
    _write(tmp_path, "geo/demo/bootstrap.py", "from geo.demo.sample import write_sample\nfrom geo.store import open_store\n")
    _write(tmp_path, "layers/parks.py", "import folium\nfrom geo.crs import WGS84\nfrom layers.base import base_map\n")
    _write(tmp_path, "export/text.py", "from geo.demo.bootstrap import SAMPLE_NOTE\nfrom layers.city_map import city_map\n")
    _write(tmp_path, "ui/shared.py", "import streamlit as st\nfrom export import text\n")
    _write(tmp_path, "streamlit_app.py", "import streamlit as st\nfrom ui import shared\n")
    _write(tmp_path, "tests/test_x.py", "import streamlit\nfrom tests.conftest import x\nfrom ui import shared\n")
    _write(tmp_path, ".venv/lib/site.py", "import streamlit\n")
    assert import_violations(tmp_path) == []
