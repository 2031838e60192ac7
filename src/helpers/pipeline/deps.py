"""Which helper modules a notebook or module depends on (for doit's ``file_dep``).

Touching one helper re-runs exactly the tasks whose code imports it, directly or through
other helpers. Imports are read statically from the source text; nothing is executed.
"""

from __future__ import annotations

import re
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


_FROM = re.compile(r"^[ \t]*from[ \t]+(helpers(?:\.\w+)*)[ \t]+import[ \t]+(\([^)]*\)|[^\n#]+)", re.MULTILINE)
_IMPORT = re.compile(r"^[ \t]*import[ \t]+([^\n#]+)", re.MULTILINE)


def _imported_names(source: str) -> set[str]:
    """The ``helpers`` modules (and ``module.name`` candidates) a source file imports.

    Read with regular expressions over the text (an AST walk of every module made the task
    list of a no-op build take a second): ``from helpers.x import a, b`` (also with
    parentheses over several lines) and ``import helpers.x``, at any indentation.

    >>> sorted(_imported_names("from helpers.report import (\\n    a,\\n    b as c,\\n)\\nimport helpers.core.io"))
    ['helpers.core.io', 'helpers.report', 'helpers.report.a', 'helpers.report.b']
    """
    names: set[str] = set()
    for module, items in _FROM.findall(source):
        names.add(module)
        for item in items.strip("()").split(","):
            name = item.split(" as ")[0].strip()
            if name.isidentifier():
                names.add(f"{module}.{name}")
    for items in _IMPORT.findall(source):
        names.update(i.split(" as ")[0].strip() for i in items.split(","))
    return {n for n in names if n == PACKAGE or n.startswith(PACKAGE + ".")}


def _with_parents(name: str) -> set[str]:
    parts = name.split(".")
    return {".".join(parts[: i + 1]) for i in range(len(parts))}


@cache
def _direct(path: Path) -> frozenset[Path]:
    files = set()
    for name in _imported_names(path.read_text(encoding="utf-8")):
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
    names = _imported_names(Path(source).read_text(encoding="utf-8"))
    return sorted(n for n in names if (f := module_file(n)) is not None and f.name != "__init__.py")
