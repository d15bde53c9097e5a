"""The layering of ``shared/ARCHITECTURE.md``, checked on every module's imports.

Each module is parsed (never imported), and every import it makes counts: at the top, inside a function, under
``TYPE_CHECKING``, relative or absolute. A rule names the packages of ours a package must not import.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
#: Our top-level packages.
OURS = frozenset({"config", "models", "platforms", "core", "workers", "scheduler", "ingress", "sandbox", "imbridge"})

#: package -> the packages of ours it must not import (its own modules are always allowed).
FORBIDDEN = {
    "ingress": {"workers"},
    "scheduler": {"workers"},
    "core": {"ingress", "scheduler", "workers", "sandbox", "imbridge"},
    "workers": {"ingress", "scheduler", "sandbox", "imbridge"},
    "config": OURS - {"config"},
    "models": OURS - {"models", "config"},
    "platforms": OURS - {"platforms"},
    "sandbox": OURS - {"sandbox", "config"},
}


def imported_modules(root: Path, path: Path) -> Iterator[tuple[int, str]]:
    """``(line, absolute module name)`` of every import in the module at ``path`` (under ``root``)."""
    package = list(path.relative_to(root).parts[:-1])  # what a relative import starts from
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            yield node.lineno, ".".join([*base, *([node.module] if node.module else [])])


def violations(root: Path, package: str, forbidden: set[str]) -> list[str]:
    """Every import of a ``forbidden`` package by a module of ``package``, as ``path:line imports module``."""
    found = []
    for path in sorted((root / package).rglob("*.py")):
        for line, module in imported_modules(root, path):
            if module.split(".")[0] in forbidden - {package}:
                found.append(f"{path.relative_to(root)}:{line} imports {module}")
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_a_package_imports_only_the_layers_below_it(package: str) -> None:
    assert (ROOT / package / "__init__.py").exists()
    assert violations(ROOT, package, set(FORBIDDEN[package])) == []


def test_the_clients_import_nothing_of_the_server() -> None:
    """Each client is its own distribution, installed into producers' environments: none of our packages."""
    found = []
    for path in sorted((ROOT / "clients").rglob("*.py")):
        found += [f"{path.relative_to(ROOT)}:{line} imports {module}" for line, module in imported_modules(ROOT, path)
                  if module.split(".")[0] in OURS]
    assert list((ROOT / "clients").rglob("*.py")), "the Python client is there"
    assert found == []


def test_the_check_sees_imports_in_functions_and_relative_ones(tmp_path: Path) -> None:
    """The checker itself: a late import inside a function and a relative one are both found."""
    package = tmp_path / "ingress" / "sub"
    package.mkdir(parents=True)
    (tmp_path / "ingress" / "__init__.py").write_text("")
    (package / "__init__.py").write_text("from ..x import y\n")
    (package / "late.py").write_text("def f():\n    from workers.actors import ping\n    import workers\n")
    assert violations(tmp_path, "ingress", {"workers"}) == [
        "ingress/sub/late.py:2 imports workers.actors", "ingress/sub/late.py:3 imports workers"]
    assert list(imported_modules(tmp_path, package / "__init__.py")) == [(1, "ingress.x")]


#: What every module's logger is called: its module's name under the one ``imbridge`` root, so one logging
#: setting (``logging.getLogger("imbridge")``) governs them all.
LOGGER_NAME = 'f"imbridge.{__name__}"'


def loggers(path: Path) -> Iterator[tuple[int, str]]:
    """``(line, source of the name)`` of every ``logging.getLogger(<name>)`` bound at a module's top level."""
    source = path.read_text(encoding="utf-8")
    for node in ast.parse(source, str(path)).body:
        call = node.value if isinstance(node, ast.Assign) else None
        if (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == "getLogger"
                and call.args):
            yield node.lineno, ast.get_source_segment(source, call.args[0]) or ""


@pytest.mark.parametrize("package", sorted(OURS))
def test_every_logger_is_named_by_its_module_under_the_imbridge_root(package: str) -> None:
    expected = "__name__" if package == "imbridge" else LOGGER_NAME  # imbridge's own modules are under it already
    wrong = [f"{path.relative_to(ROOT)}:{line} getLogger({name})" for path in sorted((ROOT / package).rglob("*.py"))
             for line, name in loggers(path) if name != expected]
    assert wrong == []
