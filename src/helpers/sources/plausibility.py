"""Plausibility checks across sources and years, before anything is computed or published.

Each rule yields findings; the config (``plausibility``) says per rule whether a finding is
an error (the build stops), a warning (listed on the analyst's "Datenprüfung" page) or off.
Empty files and years a file does not cover are already errors of the source step
(``helpers.sources.coverage``).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from helpers.core.config import Config
from helpers.sources.measures import MEASURES

RULE_LABELS = {
    "jump": "Sprung zum Vorjahr",
    "area_missing": "Gebiet fehlt",
    "cases_spending": "Fälle und Ausgaben passen nicht zusammen",
}


@dataclass(frozen=True)
class Finding:
    """One plausibility finding: rule code, severity, table, year and a German description."""

    rule: str
    severity: str
    table: str
    year: int
    text: str


def _area_rows(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    if "area_level" in frame.columns:
        return frame[frame["area_level"] == "stadtteil"]
    return frame


def yearly_totals(table: str, frame: pd.DataFrame) -> pd.Series:
    """Yearly total of a table's count (rows where the table has no count column)."""
    column, _ = MEASURES[table]
    rows = _area_rows(table, frame)
    if column is None:
        return rows.groupby("year").size().astype(float)
    return rows.groupby("year")[column].sum(min_count=1).astype(float)


def jumps(table: str, totals: pd.Series, factor: float) -> list[tuple[int, float, float]]:
    """Years whose total differs from the year before by more than ``factor`` (either way).

    >>> jumps("t", pd.Series({2024: 100.0, 2025: 40.0, 2026: 41.0}), 1.5)
    [(2025, 100.0, 40.0)]
    """
    found = []
    for (y0, v0), (y1, v1) in zip(totals.items(), list(totals.items())[1:], strict=False):
        if y1 != y0 + 1 or pd.isna(v0) or pd.isna(v1):
            continue
        if (v0 == 0) != (v1 == 0) or (v0 > 0 and max(v1 / v0, v0 / v1) > factor):
            found.append((int(y1), float(v0), float(v1)))
    return found


def missing_areas(table: str, frame: pd.DataFrame) -> list[tuple[int, list[str]]]:
    """(year, areas) where areas that had rows the year before have none."""
    _, column = MEASURES[table]
    if column is None:
        return []
    rows = _area_rows(table, frame)
    by_year = rows.groupby("year")[column].agg(lambda s: set(s.astype(str)))
    return [
        (int(y1), sorted(by_year[y0] - by_year[y1]))
        for y0, y1 in zip(by_year.index, by_year.index[1:], strict=False)
        if y1 == y0 + 1 and by_year[y0] - by_year[y1]
    ]


def _fmt(value: float) -> str:
    return f"{value:,.0f}".replace(",", ".")


def findings(config: Config, tables: dict[str, pd.DataFrame]) -> list[Finding]:
    """Every finding of every active rule on the given processed tables, in table and year order."""
    rules = config.plausibility
    out: list[Finding] = []
    for table in sorted(set(tables) & set(MEASURES)):
        frame = tables[table]
        for year, before, now in jumps(table, yearly_totals(table, frame), rules.jump_factor):
            text = f"Summe {_fmt(now)} nach {_fmt(before)} im Vorjahr (mehr als Faktor {rules.jump_factor:g})"
            out.append(Finding("jump", rules.severity.jump, table, year, text))
        for year, areas in missing_areas(table, frame):
            text = f"keine Zeilen mehr für {', '.join(areas)} (im Vorjahr vorhanden)"
            out.append(Finding("area_missing", rules.severity.area_missing, table, year, text))
    if {"hze_year", "hze_expenditure"} <= set(tables):
        cases = tables["hze_year"].groupby("year")["counted"].sum()
        eur = tables["hze_expenditure"].groupby("year")["eur"].sum()
        for year in sorted(set(cases.index) | set(eur.index)):
            c, e = float(cases.get(year, 0)), float(eur.get(year, 0))
            if (c == 0) != (e == 0):
                text = f"{_fmt(c)} Hilfen, aber Ausgaben von {_fmt(e)} €"
                out.append(Finding("cases_spending", rules.severity.cases_spending, "hze_year", int(year), text))
    return [f for f in out if f.severity != "off"]
