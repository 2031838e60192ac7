"""Year coverage and emptiness of a source's processed tables, checked before they are written.

Every source declares in the registry which table and year column must hold every configured
data year (from the source's ``first_year`` on). A year that an all-years file does not cover
is an error that names the source, the file and the year, never a silent zero.
"""

from __future__ import annotations

import pandas as pd

from helpers.core.config import Config
from helpers.core.paths import ProjectPaths
from helpers.core.registry import SOURCES
from helpers.sources.validation import Problem


def years_in(column: pd.Series) -> set[int]:
    """The calendar years in a year or date column.

    >>> sorted(years_in(pd.Series(pd.to_datetime(["2024-03-01", "2025-01-01"]))))
    [2024, 2025]
    """
    values = column.dropna()
    if pd.api.types.is_datetime64_any_dtype(values):
        return set(values.dt.year.astype(int))
    return set(values.astype(int))


def expected_years(config: Config, source: str) -> list[int]:
    """The data years a source must cover."""
    first = config.sources[source].first_year or config.years.data.first
    return [y for y in config.data_years if y >= first]


def _file_of(config: Config, source: str, year: int | None = None) -> str:
    paths = ProjectPaths(config)
    files = paths.raw_source_files(source)
    if year is not None and "{year}" in config.sources[source].pattern:
        files = [paths.raw / config.sources[source].pattern.format(year=year)]
    return ", ".join(f.relative_to(paths.root).as_posix() for f in files)


def up_to_last_year(config: Config, source: str, tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Drop rows of years after the last configured data year from a source's yearly tables.

    An all-years export made early in a year already holds that year's first cases or budget;
    until the year is configured it must not enter any figure.
    """
    out = dict(tables)
    for table, column in SOURCES[source].coverage:
        if column == "year":
            frame = out[table]
            out[table] = frame[frame[column] <= config.years.data.last].reset_index(drop=True)
    return out


def coverage_problems(config: Config, source: str, tables: dict[str, pd.DataFrame]) -> list[Problem]:
    """Empty tables and data years a source does not cover, as problems naming file and year."""
    problems = [
        Problem(_file_of(config, source), None, None, "enthält keine Datenzeilen (leer oder nur Kopfzeile)")
        for name in SOURCES[source].tables
        if tables[name].empty
    ]
    if problems:
        return problems
    for table, column in SOURCES[source].coverage:
        present = years_in(tables[table][column])
        span = f"{min(present)}–{max(present)}" if present else "keine"
        for year in expected_years(config, source):
            if year not in present:
                rule = (
                    f"Datenjahr {year} fehlt (Quelle '{source}', Spalte '{column}'; vorhandene Jahre: {span}). "
                    f"Ergänzen Sie das Jahr {year} in der Datei, oder setzen Sie years.data.last bzw. "
                    f"sources.{source}.first_year in der Konfiguration passend"
                )
                problems.append(Problem(_file_of(config, source, year), None, None, rule))
    return problems
