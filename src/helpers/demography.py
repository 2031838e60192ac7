"""Population key figures per year and area, from the processed single-year table."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from helpers.config import Config
from helpers.formatting import fmt_change, fmt_number, fmt_percent

#: Age groups of the key-figure table: column -> (first age, last age), inclusive.
AGE_GROUPS = {
    "persons_u6": (0, 5),
    "persons_u18": (0, 17),
    "persons_u21": (0, 20),
    "persons_65plus": (65, 200),
}

#: Shares (in %) derived from the counts: share column -> (numerator, denominator).
SHARES = {
    "share_u18_pct": ("persons_u18", "persons"),
    "share_65plus_pct": ("persons_65plus", "persons"),
    "share_non_german_pct": ("persons_non_german", "persons"),
    "share_non_german_u18_pct": ("persons_non_german_u18", "persons_u18"),
}


def _counts(single: pd.DataFrame) -> pd.DataFrame:
    """Per year and Stadtteil: totals, age groups, non-German residents."""
    frame = single.assign(
        persons_non_german=single["persons"].where(single["citizenship"] == "nichtdeutsch", 0),
    )
    for col, (lo, hi) in AGE_GROUPS.items():
        frame[col] = frame["persons"].where(frame["age"].between(lo, hi), 0)
    frame["persons_non_german_u18"] = frame["persons_non_german"].where(frame["age"] < 18, 0)
    cols = ["persons", *AGE_GROUPS, "persons_non_german", "persons_non_german_u18"]
    return frame.groupby(["year", "stadtteil_code"], as_index=False)[cols].sum()


def population_summary(single: pd.DataFrame, config: Config) -> pd.DataFrame:
    """Key population figures per year for every Stadtteil, Stadtbezirk and the city.

    Columns: year, area_level, area_code, area_name, persons, persons_u6, persons_u18,
    persons_u21, persons_65plus, persons_non_german, persons_non_german_u18, the shares in
    :data:`SHARES` and ``change_pct`` (change of ``persons`` from the previous year, in %).
    """
    st = _counts(single)
    st["stadtbezirk_code"] = st["stadtteil_code"].map({s.code: s.stadtbezirk for s in config.stadtteile})
    value_cols = [c for c in st.columns if c.startswith("persons")]
    bezirk = st.groupby(["year", "stadtbezirk_code"], as_index=False)[value_cols].sum()
    city = st.groupby("year", as_index=False)[value_cols].sum()
    parts = [
        st.assign(area_level="stadtteil", area_code=st["stadtteil_code"]),
        bezirk.assign(area_level="stadtbezirk", area_code=bezirk["stadtbezirk_code"]),
        city.assign(area_level="stadt", area_code=config.commune.ags),
    ]
    names = {s.code: s.name for s in config.stadtteile} | {b.code: b.name for b in config.stadtbezirke}
    names[config.commune.ags] = config.commune.name
    out = pd.concat(parts, ignore_index=True)[["year", "area_level", "area_code", *value_cols]]
    out.insert(3, "area_name", out["area_code"].map(names))
    for share, (num, den) in SHARES.items():
        out[share] = 100.0 * out[num] / out[den]
    out = out.sort_values(["area_level", "area_code", "year"], key=_level_order)
    out["change_pct"] = out.groupby(["area_level", "area_code"])["persons"].pct_change() * 100.0
    return out.sort_values(["year", "area_level", "area_code"], key=_level_order).reset_index(drop=True)


def _level_order(col: pd.Series) -> pd.Series:
    if col.name == "area_level":
        return col.map({"stadtteil": 0, "stadtbezirk": 1, "stadt": 2})
    return col


@dataclass(frozen=True)
class KeyFigure:
    """One key figure of an area, with the city value and the change from the previous year."""

    label: str
    value: float
    unit: str  # "persons" or "pct"
    city_value: float
    change: float | None  # persons: % change; pct: change in percentage points


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


def history_table(history: pd.DataFrame) -> pd.DataFrame:
    """German, formatted time-series table of one area (one row per year, newest first)."""
    rows = history.sort_values("year", ascending=False)
    return pd.DataFrame(
        {
            "Jahr": rows["year"].astype(str),
            "Einwohner/-innen": rows["persons"].map(fmt_number),
            "Veränderung zum Vorjahr": rows["change_pct"].map(lambda v: fmt_change(v, 1, " %")),
            "unter 18 Jahre": rows["persons_u18"].map(fmt_number),
            "Anteil unter 18": rows["share_u18_pct"].map(fmt_percent),
            "Anteil Nichtdeutsche": rows["share_non_german_pct"].map(fmt_percent),
        }
    )


OVERVIEW_NUMERIC = [
    "Einwohner/-innen",
    "Veränderung zum Vorjahr",
    "Anteil unter 18",
    "Anteil 65 und älter",
    "Anteil Nichtdeutsche",
]


def overview_table(summary: pd.DataFrame, year: int) -> pd.DataFrame:
    """German, formatted table of all areas in one year (Stadtteile, Stadtbezirke, city)."""
    rows = summary[summary["year"] == year]
    return pd.DataFrame(
        {
            "Gebiet": rows["area_name"],
            "Einwohner/-innen": rows["persons"].map(fmt_number),
            "Veränderung zum Vorjahr": rows["change_pct"].map(lambda v: fmt_change(v, 1, " %")),
            "Anteil unter 18": rows["share_u18_pct"].map(fmt_percent),
            "Anteil 65 und älter": rows["share_65plus_pct"].map(fmt_percent),
            "Anteil Nichtdeutsche": rows["share_non_german_pct"].map(fmt_percent),
        }
    )
