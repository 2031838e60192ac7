"""Compute every catalogue indicator for every year and area, with 95 % intervals.

Areas: every Stadtteil, every Stadtbezirk (sum of its Stadtteile) and the city (all
Stadtteile plus the rest that belongs to none; for BA sources the BA's own total). A commune
without Stadtbezirke (``config.stadtbezirke == []``) has no "stadtbezirk" rows: its Stadtteile
(Ortsteile) lie directly under the city. Area codes are opaque strings; within a level, areas
keep the order of the config.
Intervals from statsmodels: Wilson for proportions, exact (Garwood) Poisson for rates per
1,000 / 10,000; none for money. Indicators with ``pooling`` report a pooled 2- or 3-year
value where a Stadtteil-year denominator is below ``thresholds.min_denominator``.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.rates import confint_poisson

from helpers.core.config import Config
from helpers.core.schema import SHARE, column_names
from helpers.indicators.atoms import REST, Atoms, build_atoms
from helpers.indicators.catalogue import Catalogue, Indicator, Selection

#: The columns of an indicator value table (``helpers.core.schema``).
VALUE_COLUMNS = column_names("indicator_values")
#: Progress lines for long steps (printed by the build, silent elsewhere).
_progress = logging.getLogger("monitoring.progress")

LEVEL_ORDER = {"stadtteil": 0, "stadtbezirk": 1, "stadt": 2}


def _nansum(values: pd.Series) -> float:
    """Sum that is unknown (NaN) as soon as one part is unknown."""
    return float("nan") if values.isna().any() else float(values.sum())


def area_sums(atoms: Atoms, config: Config, years: list[int]) -> pd.DataFrame:
    """Sums of the atoms per year for every Stadtteil, Stadtbezirk (if any) and the city."""
    frame = atoms.frame.assign(year=atoms.frame["year"] - atoms.year_offset)
    bezirk_of = {s.code: s.stadtbezirk for s in config.stadtteile}
    st = frame[frame["stadtteil_code"] != REST].groupby(["year", "stadtteil_code"])["value"].agg(_nansum)
    rows = []
    for year in years:
        per_st = st.xs(year, level="year") if year in st.index.get_level_values(0) else pd.Series(dtype=float)
        for s in config.stadtteile:
            rows.append((year, "stadtteil", s.code, float(per_st.get(s.code, np.nan))))
        for b in config.stadtbezirke:
            members = [s for s, bz in bezirk_of.items() if bz == b.code]
            rows.append((year, "stadtbezirk", b.code, _nansum(per_st.reindex(members))))
        if atoms.city_total is not None:
            city = float(atoms.city_total.get(year, np.nan))
        else:
            in_year = frame[frame["year"] == year]["value"]
            city = _nansum(in_year) if len(in_year) else float("nan")
        rows.append((year, "stadt", config.commune.ags, city))
    return pd.DataFrame(rows, columns=["year", "area_level", "area_code", "value"])


def intervals(ind: Indicator, num: pd.Series, den: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """95 % interval in the indicator's unit (NaN where it cannot be computed)."""
    n = num.to_numpy(float)
    d = den.to_numpy(float)
    lo = np.full(n.shape, np.nan)
    hi = np.full(n.shape, np.nan)
    ok = np.isfinite(n) & np.isfinite(d) & (d > 0)
    if ind.unit == "eur" or ind.numerator.source == "services" or not ok.any():
        return lo, hi
    if ind.unit == "pct":
        ok &= n <= d
        lo[ok], hi[ok] = proportion_confint(n[ok], d[ok], alpha=0.05, method="wilson")
    else:
        ci = confint_poisson(n[ok], d[ok], method="exact-c", alpha=0.05)
        lo[ok], hi[ok] = ci[0], ci[1]
    return lo * ind.scale, hi * ind.scale


def _cells(ind: Indicator, tables: dict[str, pd.DataFrame], config: Config) -> pd.DataFrame:
    years = config.data_years
    num = area_sums(build_atoms(ind.numerator, tables, config), config, years)
    den = area_sums(build_atoms(ind.denominator, tables, config), config, years)
    cells = num.merge(den, on=["year", "area_level", "area_code"], suffixes=("_num", "_den"), validate="1:1")
    cells = cells.rename(columns={"value_num": "numerator", "value_den": "denominator"})
    if ind.numerator.source == "hze_eur":
        count = area_sums(build_atoms(Selection(source="hze", bases=("*",)), tables, config), config, years)
        cells["disclosure_count"] = count["value"].to_numpy()
    else:
        cells["disclosure_count"] = cells["numerator"]
    cells["pooled_from"] = pd.NA
    return cells


def _pool(ind: Indicator, cells: pd.DataFrame, min_den: int) -> pd.DataFrame:
    """Replace small Stadtteil-years by the pooled value of the last ``pooling`` years."""
    if not ind.pooling:
        return cells
    k = ind.pooling
    cells = cells.sort_values(["area_level", "area_code", "year"]).reset_index(drop=True)
    grouped = cells.groupby(["area_level", "area_code"])
    rolled = {
        col: grouped[col].transform(lambda s: s.rolling(k, min_periods=k).sum())
        for col in ("numerator", "denominator", "disclosure_count")
    }
    small = (cells["area_level"] == "stadtteil") & (cells["denominator"] < min_den) & rolled["denominator"].notna()
    for col, values in rolled.items():
        cells.loc[small, col] = values[small]
    cells.loc[small, "pooled_from"] = cells.loc[small, "year"] - k + 1
    return cells


def compute_indicator(ind: Indicator, tables: dict[str, pd.DataFrame], config: Config) -> pd.DataFrame:
    """All years and areas of one indicator (unprotected: internal use only)."""
    cells = _pool(ind, _cells(ind, tables, config), config.thresholds.min_denominator)
    cells["source_suppressed"] = cells["numerator"].isna() & cells["denominator"].notna()
    with np.errstate(divide="ignore", invalid="ignore"):
        cells["value"] = np.where(
            cells["denominator"] > 0, cells["numerator"] / cells["denominator"] * ind.scale, np.nan
        )
    cells["ci_lower"], cells["ci_upper"] = intervals(ind, cells["numerator"], cells["denominator"])
    cells["indicator_id"] = ind.id
    names = area_names(config)
    cells["area_name"] = [names[key] for key in zip(cells["area_level"], cells["area_code"], strict=True)]
    cells["pooled_from"] = cells["pooled_from"].astype("Int64")
    return cells[VALUE_COLUMNS]


def share_indicators(catalogue_path: str | Path) -> set[str]:
    """The ids of the catalogue's indicators of unit ``pct``: their values are shares within [0, 100]."""
    from helpers.indicators.catalogue import load_catalogue

    return {i.id for i in load_catalogue(catalogue_path).indicators if i.unit == SHARE}


def area_names(config: Config) -> dict[tuple[str, str], str]:
    """(level, code) -> German name of every area (a lookup, not a search per row)."""
    names = {("stadtteil", s.code): s.name for s in config.stadtteile}
    names |= {("stadtbezirk", b.code): b.name for b in config.stadtbezirke}
    return names | {("stadt", config.commune.ags): config.commune.name}


def area_positions(config: Config) -> dict[tuple[str, str], int]:
    """(level, code) -> position in the config (the order of the tables; codes may be any text)."""
    keys = [("stadtteil", s.code) for s in config.stadtteile] + [("stadtbezirk", b.code) for b in config.stadtbezirke]
    return {key: i for i, key in enumerate([*keys, ("stadt", config.commune.ags)])}


def compute_all(catalogue: Catalogue, tables: dict[str, pd.DataFrame], config: Config) -> pd.DataFrame:
    """Every indicator of the catalogue, sorted by indicator, year, level and area (config order)."""
    frames = []
    for n, ind in enumerate(catalogue.indicators, 1):
        _progress.info("Kennzahlen: %d von %d (%s)", n, len(catalogue.indicators), ind.id)
        frames.append(compute_indicator(ind, tables, config))
    return sort_values(pd.concat(frames, ignore_index=True), catalogue, config)


def sort_values(out: pd.DataFrame, catalogue: Catalogue, config: Config) -> pd.DataFrame:
    """Indicator values sorted by indicator (catalogue order), year, level and area (config order)."""
    order = {ind.id: i for i, ind in enumerate(catalogue.indicators)}
    positions = area_positions(config)
    out = out.assign(
        _ind=out["indicator_id"].map(order),
        _level=out["area_level"].map(LEVEL_ORDER),
        _area=[positions[key] for key in zip(out["area_level"], out["area_code"], strict=True)],
    )
    out = out.sort_values(["_ind", "year", "_level", "_area"], kind="stable")
    return out.drop(columns=["_ind", "_level", "_area"]).reset_index(drop=True)
