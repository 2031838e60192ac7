"""Which helper modules a notebook or module depends on (for doit's ``file_dep``).

Touching one helper re-runs exactly the tasks whose code imports it, directly or through
other helpers. Imports are read statically with :mod:`ast`; nothing is executed.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

PACKAGE = "helpers"
PACKAGE_DIR = Path(__file__).resolve().parents[1]


def module_file(name: str) -> Path | None:
    """The file of a ``helpers`` module name, or None if it is not one."""
    parts = name.split(".")
    if parts[0] != PACKAGE:
        return None
    base = PACKAGE_DIR.joinpath(*parts[1:])
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _imported_names(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {n for n in names if n == PACKAGE or n.startswith(PACKAGE + ".")}


def _with_parents(name: str) -> set[str]:
    parts = name.split(".")
    return {".".join(parts[: i + 1]) for i in range(len(parts))}


@cache
def _direct(path: Path) -> frozenset[Path]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    files = set()
    for name in _imported_names(tree):
        for part in _with_parents(name):
            found = module_file(part)
            if found is not None:
                files.add(found)
    return frozenset(files)


def helper_files(source: Path) -> list[Path]:
    """All helper module files that ``source`` imports, transitively, sorted.

    A ``source`` inside the helpers package is part of its own closure.
    """
    source = Path(source).resolve()
    seen: set[Path] = set()
    todo = [*_direct(source), *([source] if source.is_relative_to(PACKAGE_DIR) else [])]
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        todo.extend(_direct(path) - seen)
    return sorted(seen)


def imported_helper_modules(source: Path) -> list[str]:
    """The ``helpers`` modules that ``source`` imports directly, sorted (for warm imports)."""
    tree = ast.parse(Path(source).read_text(encoding="utf-8"), filename=str(source))
    return sorted(n for n in _imported_names(tree) if (f := module_file(n)) is not None and f.name != "__init__.py")
