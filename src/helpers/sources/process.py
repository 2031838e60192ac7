"""The source step: raw exports of one configured source -> its processed tables.

Which builder makes which tables is declared in ``helpers.core.registry.SOURCES``.
"""

from __future__ import annotations

import importlib

import pandas as pd

from helpers.core.config import Config
from helpers.core.registry import SOURCES
from helpers.sources.coverage import coverage_problems, up_to_last_year
from helpers.sources.validation import RawDataError


def resolve(dotted: str):
    """The object named ``"package.module:name"``."""
    module, _, name = dotted.partition(":")
    return getattr(importlib.import_module(module), name)


def build_source(config: Config, source: str) -> dict[str, pd.DataFrame]:
    """Load, validate and process one raw source; returns exactly its registered tables.

    Raises ``helpers.sources.validation.RawDataError`` when a raw file breaks its contract.
    """
    declared = SOURCES[source]
    tables = resolve(declared.builder)(config)
    if set(tables) != set(declared.tables):
        raise RuntimeError(f"builder of {source!r} returned {sorted(tables)}, registered are {sorted(declared.tables)}")
    tables = up_to_last_year(config, source, tables)
    problems = coverage_problems(config, source, tables)
    if problems:
        raise RawDataError(problems)
    return tables
