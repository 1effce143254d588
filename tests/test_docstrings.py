"""Numpydoc on the public functions of geo/ and layers/: a Parameters section naming every parameter, and a
Returns (or Yields) section unless the function returns None.

A public function is a module-level function or a method of a public class whose name does not start with
``_``, defined in the module, with at least one parameter besides ``self``/``cls``.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("geo", "layers")
SECTION = re.compile(r"^(?P<indent>[ \t]*)(?P<title>[A-Z][A-Za-z ]+)\n(?P=indent)-{3,}[ \t]*$", re.MULTILINE)
ENTRY = re.compile(r"^(?P<names>\*{0,2}[A-Za-z_][A-Za-z0-9_]*(?:\s*,\s*\*{0,2}[A-Za-z_][A-Za-z0-9_]*)*)\s*(?::.*)?$")


@dataclass(frozen=True)
class Gap:
    """One public function whose docstring lacks what numpydoc asks for."""

    where: str
    function: str
    missing: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.where} {self.function}: {'; '.join(self.missing)}"


def sections(doc: str) -> dict[str, str]:
    """The numpydoc sections of a docstring, by title.

    Parameters
    ----------
    doc
        A cleaned docstring (``ast.get_docstring``).

    Returns
    -------
    dict of str to str
        Section title (``"Parameters"``, ``"Returns"``, ...) to the section's text.
    """
    found = list(SECTION.finditer(doc))
    out = {}
    for i, match in enumerate(found):
        end = found[i + 1].start() if i + 1 < len(found) else len(doc)
        out[match["title"].strip()] = doc[match.end() : end]
    return out


def documented_names(section: str) -> set[str]:
    """The parameter names a Parameters section documents (``a``, ``a : int``, ``a, b : float``, ``**kwargs``).

    Parameters
    ----------
    section
        The text of a Parameters section, after its underline.

    Returns
    -------
    set of str
        The names, without leading ``*``.
    """
    lines = [line for line in section.splitlines() if line.strip()]
    if not lines:
        return set()
    indent = min(len(line) - len(line.lstrip()) for line in lines)
    names: set[str] = set()
    for line in lines:
        if len(line) - len(line.lstrip()) != indent:
            continue
        match = ENTRY.match(line.strip())
        if match:
            names.update(name.strip().lstrip("*") for name in match["names"].split(","))
    return names


def _parameters(func: ast.FunctionDef | ast.AsyncFunctionDef, *, is_method: bool) -> list[str]:
    args = func.args
    names = [a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)]
    names += [a.arg for a in (args.vararg, args.kwarg) if a is not None]
    decorators = {d.id if isinstance(d, ast.Name) else getattr(d, "attr", "") for d in func.decorator_list}
    if is_method and "staticmethod" not in decorators and names and names[0] in ("self", "cls"):
        names = names[1:]
    return names


def _returns_none(func: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    returns = func.returns
    if isinstance(returns, ast.Constant):
        return returns.value is None
    return isinstance(returns, ast.Name) and returns.id in ("None", "NoReturn", "Never")


def _skipped(func: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    decorators = {d.id if isinstance(d, ast.Name) else getattr(d, "attr", "") for d in func.decorator_list}
    return func.name.startswith("_") or bool(decorators & {"overload", "setter", "deleter"})


def public_functions(tree: ast.Module) -> list[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef, bool]]:
    """Module-level functions and methods of public classes (``Class.method``), with a method flag.

    Parameters
    ----------
    tree
        A parsed module.

    Returns
    -------
    list of tuple
        ``(qualified name, function node, is_method)`` for each public function.
    """
    out: list[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef, bool]] = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and not _skipped(node):
            out.append((node.name, node, False))
        elif isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
            out.extend(
                (f"{node.name}.{item.name}", item, True)
                for item in node.body
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef) and not _skipped(item)
            )
    return out


def docstring_gaps(path: Path, *, root: Path) -> list[Gap]:
    """What each public function of one file misses in its docstring.

    Parameters
    ----------
    path
        A Python file.
    root
        The folder paths are reported relative to.

    Returns
    -------
    list of Gap
        One entry per function that lacks a docstring, a Parameters section, a parameter in it, or Returns.
    """
    rel = path.relative_to(root).as_posix()
    gaps = []
    for name, func, is_method in public_functions(ast.parse(path.read_text(encoding="utf-8"))):
        params = _parameters(func, is_method=is_method)
        if not params:
            continue
        where = f"{rel}:{func.lineno}"
        doc = ast.get_docstring(func)
        if not doc:
            gaps.append(Gap(where, name, ("no docstring",)))
            continue
        found = sections(doc)
        missing = []
        if "Parameters" not in found:
            missing.append("no Parameters section")
        else:
            absent = [p for p in params if p not in documented_names(found["Parameters"])]
            if absent:
                missing.append("Parameters lacks " + ", ".join(absent))
        if not _returns_none(func) and "Returns" not in found and "Yields" not in found:
            missing.append("no Returns section")
        if missing:
            gaps.append(Gap(where, name, tuple(missing)))
    return gaps


def all_gaps(root: Path) -> list[Gap]:
    """Docstring gaps over every Python file of geo/ and layers/ under ``root``.

    Parameters
    ----------
    root
        The project's root folder.

    Returns
    -------
    list of Gap
        Sorted by file and line.
    """
    files = sorted(p for package in PACKAGES for p in (root / package).rglob("*.py"))
    return [gap for path in files for gap in docstring_gaps(path, root=root)]


def test_public_functions_of_geo_and_layers_have_numpydoc_parameters_and_returns() -> None:
    gaps = all_gaps(ROOT)
    by_file: dict[str, list[str]] = {}
    for gap in gaps:
        by_file.setdefault(gap.where.split(":")[0], []).append(f"  {gap}")
    report = "\n".join(f"{file} ({len(lines)}):\n" + "\n".join(lines) for file, lines in by_file.items())
    assert not gaps, f"{len(gaps)} public functions in {len(by_file)} files miss numpydoc sections:\n{report}"


GOOD = '''
def parks_layer(gdf: object, *, radius_m: float = 5.0, **style: str) -> object:
    """Draw parks.

    Parameters
    ----------
    gdf : GeoDataFrame
        Parks, any CRS.
    radius_m
        Marker radius.
    **style
        Extra style.

    Returns
    -------
    object
        A layer.
    """


def log(message: str) -> None:
    """Write.

    Parameters
    ----------
    message
        The text.
    """


def nothing() -> int:
    return 1


def _private(x: int) -> int:
    return x


class Store:
    """A store."""

    def __init__(self, path: str) -> None:
        self.path = path

    @property
    def name(self) -> str:
        return self.path

    def rows(self, table: str, limit: int) -> Iterator[int]:
        """Rows.

        Parameters
        ----------
        table, limit
            Which table, how many.

        Yields
        ------
        int
            One row.
        """
'''


def test_the_check_passes_complete_numpydoc(tmp_path: Path) -> None:
    (tmp_path / "geo").mkdir()
    (tmp_path / "geo" / "good.py").write_text(GOOD, encoding="utf-8")
    assert all_gaps(tmp_path) == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("def f(x: int) -> int:\n    return x\n", "f: no docstring"),
        ('def f(x: int) -> int:\n    """Does f."""\n', "f: no Parameters section; no Returns section"),
        (
            'def f(x: int, *, y: int) -> None:\n    """F.\n\n    Parameters\n    ----------\n    x : int\n        X.\n    """\n',
            "f: Parameters lacks y",
        ),
        (
            'def f(x: int) -> int:\n    """F.\n\n    Parameters\n    ----------\n    x\n        X.\n    """\n',
            "f: no Returns section",
        ),
        (
            'def f(x: int, y: int) -> None:\n    """F.\n\n    Parameters\n    ----------\n    x\n        Not y: y.\n    """\n',
            "f: Parameters lacks y",
        ),
        ("class Store:\n    def save(self, frame: object) -> None:\n        pass\n", "Store.save: no docstring"),
        ("class Store:\n    @classmethod\n    def load(cls, path: str) -> Store:\n        pass\n", "Store.load: no docstring"),
    ],
)
def test_the_check_names_what_is_missing(tmp_path: Path, source: str, expected: str) -> None:
    (tmp_path / "layers").mkdir()
    (tmp_path / "layers" / "bad.py").write_text(source, encoding="utf-8")
    found = [str(gap) for gap in all_gaps(tmp_path)]
    assert len(found) == 1 and found[0].startswith("layers/bad.py:") and found[0].endswith(expected), found
