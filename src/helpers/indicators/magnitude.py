"""Magnitude cells (EUR): who contributes how much, and the dominance rules.

An amount is not a count of persons, but it can still disclose one: if one case makes up
most of the expenditure of a cell, publishing the cell publishes what that case costs. The
rules of official statistics (Hundepool et al. 2012, "Statistical Disclosure Control",
ch. 4.2; GWHB):

* (n, k)-rule: secret if the n largest contributions make up k % or more of the cell;
  default (1, 85);
* p-%-rule: secret if the second largest contributor, subtracting its own share from the
  total, could estimate the largest to within p % (X − x1 − x2 < p/100 · x1); default 10.

Both run (``thresholds.dominance_n/_k``, ``thresholds.p_percent``; 0 switches one off).
A cell with fewer than ``min_cell_count`` contributing cases is secret by the primary rule
(its ``disclosure_count`` is the number of cases).

Contributions: the budget of a legal basis is allocated to its cases by case days (as the
``hze_eur`` indicator does), so a case contributes days · (budget / all days of the basis).
With the case list (``hze_cases``) the days are exact; without it, each Stadtteil x basis
group is bounded conservatively: its largest case gets as many days as possible
(min(366, days − (cases − 1))), the others share the rest.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.core.config import Config
from helpers.indicators.catalogue import Catalogue

CONTRIBUTION_COLUMNS = ["year", "stadtteil_code", "basis", "eur"]


def dominated(contributions: np.ndarray, n: int, k: float, p: float) -> bool:
    """Does the (n, k)- or the p-%-rule make a cell with these contributions secret?

    >>> dominated(np.array([90.0, 5, 5]), 1, 85, 0), dominated(np.array([50.0, 30, 20]), 1, 85, 10)
    (True, False)
    >>> dominated(np.array([50.0, 46, 4]), 0, 85, 10)  # 4 < 10 % of 50: the second knows the first
    True
    """
    x = np.sort(np.asarray(contributions, float)[np.asarray(contributions, float) > 0])[::-1]
    total = x.sum()
    if total <= 0:
        return False
    by_nk = n > 0 and k > 0 and x[:n].sum() >= k / 100 * total
    second = x[1] if len(x) > 1 else 0.0
    by_p = p > 0 and total - x[0] - second < p / 100 * x[0]
    return bool(by_nk or by_p)


def _rates(expenditure: pd.DataFrame, days: pd.DataFrame) -> pd.Series:
    """EUR per case day, per year and basis."""
    budget = expenditure.groupby(["year", "basis"])["eur"].sum()
    total_days = days.groupby(["year", "basis"])["days"].sum()
    return (budget / total_days.replace(0, np.nan)).fillna(0.0)


def case_contributions(cases: pd.DataFrame, expenditure: pd.DataFrame, years: list[int]) -> pd.DataFrame:
    """Allocated EUR per case and year (one row per case active in the year)."""
    parts = []
    for year in years:
        y0, y1 = pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31)
        active = cases[(cases["start"] <= y1) & (cases["end"].isna() | (cases["end"] >= y0))]
        days = (active["end"].fillna(y1).clip(upper=y1) - active["start"].clip(lower=y0)).dt.days + 1
        parts.append(
            pd.DataFrame(
                {
                    "year": year,
                    "stadtteil_code": active["stadtteil_code"].astype(str).to_numpy(),
                    "basis": active["basis"].astype(str).to_numpy(),
                    "days": days.to_numpy(float),
                }
            )
        )
    frame = pd.concat(parts, ignore_index=True)
    return _with_eur(frame, expenditure)


def _with_eur(frame: pd.DataFrame, expenditure: pd.DataFrame) -> pd.DataFrame:
    rates = _rates(expenditure, frame)
    rate = rates.reindex(pd.MultiIndex.from_frame(frame[["year", "basis"]])).fillna(0.0).to_numpy()
    return frame.assign(eur=frame["days"].to_numpy() * rate)[CONTRIBUTION_COLUMNS]


def bound_contributions(hze_year: pd.DataFrame, expenditure: pd.DataFrame) -> pd.DataFrame:
    """Pseudo-cases from the yearly counts, the largest as large as it can be (see module)."""
    rows = []
    for r in hze_year[hze_year["counted"] > 0].itertuples(index=False):
        n, days = int(r.counted), float(r.case_days)
        largest = min(366.0, days - (n - 1))
        rest = [(days - largest) / (n - 1)] * (n - 1) if n > 1 else []
        rows += [(int(r.year), str(r.stadtteil_code), str(r.basis), d) for d in [largest, *rest]]
    frame = pd.DataFrame(rows, columns=["year", "stadtteil_code", "basis", "days"])
    return _with_eur(frame, expenditure)


def eur_contributions(tables: dict[str, pd.DataFrame], config: Config) -> pd.DataFrame | None:
    """Case contributions from the case list, else the conservative bound; None without HzE."""
    if "hze_expenditure" not in tables or "hze_year" not in tables:
        return None
    if "hze_cases" in tables:
        return case_contributions(tables["hze_cases"], tables["hze_expenditure"], config.data_years)
    return bound_contributions(tables["hze_year"], tables["hze_expenditure"])


def _cell_selection(row, eur_indicators: set[str], config: Config) -> tuple[set[str] | None, set[str] | None] | None:
    """(Stadtteile, bases) a EUR cell sums (None = all); None if the row is no EUR cell."""
    from helpers.indicators.hze_cells import group_bases, parse_key

    cell = getattr(row, "cell", None)
    if isinstance(cell, str):
        _, by, group, column = parse_key(cell)
        return (None, set(group_bases(by, group))) if column == "eur" else None
    if row.indicator_id not in eur_indicators:
        return None
    if row.area_level == "stadtteil":
        return {row.area_code}, None
    if row.area_level == "stadtbezirk":
        return {s.code for s in config.stadtteile if s.stadtbezirk == row.area_code}, None
    return None, None


def dominance_flags(
    values: pd.DataFrame, catalogue: Catalogue, tables: dict[str, pd.DataFrame], config: Config
) -> pd.Series:
    """True for every EUR cell that a dominance rule makes secret."""
    flags = pd.Series(False, index=values.index)
    contributions = eur_contributions(tables, config)
    if contributions is None:
        return flags
    t = config.thresholds
    eur_indicators = {i.id for i in catalogue.indicators if i.numerator.source == "hze_eur"}
    by_year = {
        int(y): (g["stadtteil_code"].to_numpy(str), g["basis"].to_numpy(str), g["eur"].to_numpy(float))
        for y, g in contributions.groupby("year")
    }
    cells = values["cell"] if "cell" in values else pd.Series(np.nan, index=values.index)
    is_eur = values["indicator_id"].isin(eur_indicators) | cells.astype(str).str.endswith("|eur")
    for row in values[is_eur].itertuples():
        selection = _cell_selection(row, eur_indicators, config)
        if selection is None or row.year not in by_year:
            continue
        stadtteile, bases = selection
        st, basis, eur = by_year[row.year]
        keep = np.ones(len(eur), dtype=bool)
        if stadtteile is not None:
            keep &= np.isin(st, list(stadtteile))
        if bases is not None:
            keep &= np.isin(basis, list(bases))
        flags.at[row.Index] = dominated(eur[keep], t.dominance_n, t.dominance_k, t.p_percent)
    return flags
