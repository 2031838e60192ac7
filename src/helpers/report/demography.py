"""Population key figures for pages: KPI boxes, age structure, history and overview tables, texts.

Population figures come from the register and are public (``data-public="population"``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from helpers.core.formatting import fmt_change, fmt_number, fmt_percent
from helpers.core.numbertags import public, text


@dataclass(frozen=True)
class KeyFigure:
    """One key figure of an area, with the city value and the change from the previous year."""

    label: str
    value: float
    unit: str  # "persons" or "pct"
    city_value: float
    change: float | None  # persons: % change; pct: change in percentage points


#: The youth limit of a summary without the column (older tables): 18.
YOUTH_LIMIT = 18


def youth_limit(frame: pd.DataFrame | pd.Series) -> int:
    """The age limit of ``persons_u18`` / ``share_u18_pct`` in a summary (18, or the register's nearest
    band start; see ``helpers.sources.demography.youth_limit``)."""
    if "youth_limit" not in frame:
        return YOUTH_LIMIT
    values = frame["youth_limit"]
    return int(values) if isinstance(frame, pd.Series) else int(values.iloc[0]) if len(values) else YOUTH_LIMIT


def youth_words(frame: pd.DataFrame | pd.Series) -> str:
    """ "unter 18-Jährigen" (or the limit the register can form), for titles and alt texts."""
    return f"unter {youth_limit(frame)}-Jährigen"


def _youth_headers(table: pd.DataFrame, limit: int) -> pd.DataFrame:
    if limit == YOUTH_LIMIT:
        return table
    return table.rename(columns=lambda c: re.sub(r"unter 18\b", f"unter {limit}", str(c)))


class _Headers(tuple):
    """Column headers of a table, matching the youth columns with any age limit ("Anteil unter 20")."""

    def __contains__(self, item: object) -> bool:
        text = re.sub(r"unter \d+\b", "unter 18", str(item))
        return tuple.__contains__(self, item) or tuple.__contains__(self, text)


class _Categories(dict):
    """Public-number categories per column header, the youth columns with any age limit."""

    def get(self, key, default=None):
        return super().get(key, super().get(re.sub(r"unter \d+\b", "unter 18", str(key)), default))


KEY_FIGURES = [
    ("Einwohnerinnen und Einwohner", "persons", "persons"),
    ("Anteil unter 18-Jährige", "share_u18_pct", "pct"),
    ("Anteil 65-Jährige und Ältere", "share_65plus_pct", "pct"),
    ("Anteil Nichtdeutsche", "share_non_german_pct", "pct"),
    ("Anteil Nichtdeutsche unter 18 J.", "share_non_german_u18_pct", "pct"),
]


def row_of(summary: pd.DataFrame, year: int, level: str, code: str) -> pd.Series:
    """The summary row of one area and year (KeyError if missing)."""
    hit = summary[(summary["year"] == year) & (summary["area_level"] == level) & (summary["area_code"] == code)]
    if len(hit) != 1:
        raise KeyError(f"no population summary for {level} {code} in {year}")
    return hit.iloc[0]


def key_figures(summary: pd.DataFrame, year: int, level: str, code: str, city_code: str) -> list[KeyFigure]:
    """The key figures of one area in one year, with city values and previous-year changes."""
    now = row_of(summary, year, level, code)
    city = row_of(summary, year, "stadt", city_code)
    try:
        before = row_of(summary, year - 1, level, code)
    except KeyError:
        before = None
    figures = []
    for label, col, unit in KEY_FIGURES:
        if pd.isna(city[col]):  # the register export has no such breakdown: no box, not a "."
            continue
        if col == "share_u18_pct":
            label = f"Anteil unter {youth_limit(now)}-Jährige"
        if unit == "persons":
            change = None if before is None else float(now["change_pct"])
        else:
            change = None if before is None else float(now[col] - before[col])
        figures.append(KeyFigure(label, float(now[col]), unit, float(city[col]), change))
    return figures


def age_structure(bands: pd.DataFrame, year: int, codes: list[tuple[str, str]]) -> pd.DataFrame:
    """Share of each age band (in %) for the given (level, code) areas in one year.

    Returns columns: area_name, age_band, age_band_order, persons, share_pct.
    """
    parts = []
    for level, code in codes:
        sel = bands[(bands["year"] == year) & (bands["area_level"] == level) & (bands["area_code"] == code)]
        total = sel.loc[sel["age_band"] == "Insgesamt", "persons"].sum()
        sel = sel[sel["age_band"] != "Insgesamt"]
        parts.append(sel.assign(share_pct=100.0 * sel["persons"] / total))
    cols = ["area_name", "age_band", "age_band_order", "persons", "share_pct"]
    return pd.concat(parts, ignore_index=True)[cols]


HISTORY_NUMERIC = [
    "Einwohner/-innen",
    "Veränderung zum Vorjahr",
    "unter 18 Jahre",
    "Anteil unter 18",
    "Anteil Nichtdeutsche",
]


#: The public-number category of every numeric column of the history table.
HISTORY_PUBLIC = _Categories(dict.fromkeys(HISTORY_NUMERIC, "population"))
HISTORY_NUMERIC = _Headers(HISTORY_NUMERIC)


def history_table(history: pd.DataFrame) -> pd.DataFrame:
    """German, formatted time-series table of one area (one row per year, newest first)."""
    rows = history.sort_values("year", ascending=False)
    return _youth_headers(_history_columns(rows), youth_limit(rows))


def _history_columns(rows: pd.DataFrame) -> pd.DataFrame:
    return _known_columns(
        rows,
        {
            "Jahr": rows["year"].astype(str),
            "Einwohner/-innen": rows["persons"].map(fmt_number),
            "Veränderung zum Vorjahr": rows["change_pct"].map(lambda v: fmt_change(v, 1, " %")),
            "unter 18 Jahre": rows["persons_u18"].map(fmt_number),
            "Anteil unter 18": rows["share_u18_pct"].map(fmt_percent),
            "Anteil Nichtdeutsche": rows["share_non_german_pct"].map(fmt_percent),
        },
    )


def _known_columns(rows: pd.DataFrame, columns: dict[str, pd.Series]) -> pd.DataFrame:
    """The table without the columns whose values the register export does not have at all
    (e.g. no citizenship column): such a column would read as "." (secret) in every row."""
    sources = {"Anteil Nichtdeutsche": "share_non_german_pct", "Anteil 65 und älter": "share_65plus_pct"}
    keep = {k: v for k, v in columns.items() if k not in sources or rows[sources[k]].notna().any()}
    return pd.DataFrame(keep)


OVERVIEW_NUMERIC = [
    "Einwohner/-innen",
    "Veränderung zum Vorjahr",
    "Anteil unter 18",
    "Anteil 65 und älter",
    "Anteil Nichtdeutsche",
]


#: The public-number category of every numeric column of the overview table.
OVERVIEW_PUBLIC = _Categories(dict.fromkeys(OVERVIEW_NUMERIC, "population"))
OVERVIEW_NUMERIC = _Headers(OVERVIEW_NUMERIC)


def overview_table(summary: pd.DataFrame, year: int) -> pd.DataFrame:
    """German, formatted table of all areas in one year (Stadtteile, Stadtbezirke, city)."""
    rows = summary[summary["year"] == year]
    return _youth_headers(_overview_columns(rows), youth_limit(rows))


def _overview_columns(rows: pd.DataFrame) -> pd.DataFrame:
    return _known_columns(
        rows,
        {
            "Gebiet": rows["area_name"],
            "Einwohner/-innen": rows["persons"].map(fmt_number),
            "Veränderung zum Vorjahr": rows["change_pct"].map(lambda v: fmt_change(v, 1, " %")),
            "Anteil unter 18": rows["share_u18_pct"].map(fmt_percent),
            "Anteil 65 und älter": rows["share_65plus_pct"].map(fmt_percent),
            "Anteil Nichtdeutsche": rows["share_non_german_pct"].map(fmt_percent),
        },
    )


def area_population_text(now: pd.Series, city: pd.Series, name: str, year: int, basis: str) -> str:
    """The population paragraph of a Stadtteil profile (Markdown with tagged numbers)."""
    return str(
        text(
            "Am 31.12.{} lebten in {} {} Einwohnerinnen und Einwohner ({}), {} gegenüber dem Vorjahr. Der Anteil "
            f"der Kinder und Jugendlichen unter {youth_limit(now)} Jahren beträgt {{}} (Gesamtstadt: {{}}).",
            year,
            name,
            public(fmt_number(now["persons"]), "population"),
            basis,
            public(fmt_change(now["change_pct"], 1, " %"), "population"),
            public(fmt_percent(now["share_u18_pct"]), "population"),
            public(fmt_percent(city["share_u18_pct"]), "population"),
        )
    )


def city_population_text(city: pd.Series, commune: str, year: int, basis: str) -> str:
    """The population paragraph of the city report (Markdown with tagged numbers)."""
    return str(
        text(
            "Am 31.12.{} lebten in {} {} Einwohnerinnen und Einwohner ({}); {} von ihnen waren jünger als {} Jahre. "
            "Die Stadtteile sind nach ihrer Kennziffer geordnet, nicht nach Rang; die Namen führen zu den "
            "Stadtteilprofilen.",
            year,
            commune,
            public(fmt_number(city["persons"]), "population"),
            basis,
            public(fmt_percent(city["share_u18_pct"]), "population"),
            public(youth_limit(city), "config"),
        )
    )
