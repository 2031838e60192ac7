"""The protected HzE tables of the HzE page (by Hilfeform, by Hilfeart, in total).

The figures come from :func:`helpers.analysis.hze.descriptive_by`; their cells go through
the one disclosure mechanism (:func:`helpers.indicators.disclosure.protect`) together with the HzE
indicator cells that are already published (frozen: only table cells are suppressed
secondarily), all report years at once (the flow identity links consecutive years).

The stored table keeps its columns (secret cells are NaN) and adds, per cell column
``c``: ``zeichen_c`` ("." secret, "–" zero, "" published), ``grund_c`` (the rule) and
``cell_c`` (the ``data-cell`` key the page puts on the ``<td>``, see NOTES_15.md).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.core.ages import select_ages
from helpers.core.config import Config
from helpers.indicators import hze_cells as C

_CACHE: dict[int, tuple[dict, pd.DataFrame]] = {}


def raw_tables(yearly: pd.DataFrame, expenditure: pd.DataFrame, population: pd.DataFrame, year: int) -> pd.DataFrame:
    """The unprotected figures of one year: by basis, by setting and in total."""
    from helpers.analysis.hze import descriptive_by

    parts = []
    for by in ("basis", "setting"):
        d = descriptive_by(yearly, expenditure, year, by)
        parts.append(d.rename(columns={by: "group"}).assign(by=by))
    total = descriptive_by(yearly.assign(all="Insgesamt"), expenditure.assign(all="Insgesamt"), year, "all")
    u21 = float(select_ages(population[population["year"] == year], 0, 20)["persons"].sum())
    total["eur_per_u21"] = total["eur"] / u21 if u21 else np.nan
    total["cases_per_10000"] = total["counted"] / u21 * 10_000 if u21 else np.nan
    parts.append(total.rename(columns={"all": "group"}).assign(by="gesamt"))
    return pd.concat(parts, ignore_index=True)


def _hze_catalogue(config: Config):
    from helpers.indicators.catalogue import Catalogue
    from helpers.indicators.plan import commune_catalogue

    full = commune_catalogue(config)
    hze = [i for i in full.indicators if {i.numerator.source, i.denominator.source} & {"hze", "hze_eur"}]
    return Catalogue(phases=full.phases, indicators=hze)


def indicator_rows(internal: pd.DataFrame, published: pd.DataFrame | None, ids: set[str]) -> pd.DataFrame:
    """The HzE indicator rows; with the published table: its suppression, frozen."""
    rows = internal[internal["indicator_id"].isin(ids)].copy()
    if published is None or "suppression" not in published:
        return rows
    keys = ["indicator_id", "year", "area_level", "area_code"]
    state = published[[*keys, "suppression", "denominator"]].rename(columns={"denominator": "den_shown"})
    rows = rows.merge(state, on=keys, how="left", validate="1:1")
    rows["suppression"] = rows["suppression"].fillna("")
    rows["denominator_hidden"] = rows["den_shown"].isna() & rows["denominator"].notna()
    return rows.drop(columns=["den_shown"]).assign(frozen=True)


def protect_tables(
    raw: dict[int, pd.DataFrame], tables: dict[str, pd.DataFrame], config: Config, published: pd.DataFrame | None
) -> pd.DataFrame:
    """Protect the table cells of all report years; returns the cell rows with ``suppression``."""
    from helpers.indicators.disclosure import protect

    catalogue = _hze_catalogue(config)
    cells = pd.concat([C.descriptive_rows(d, y, config) for y, d in raw.items()], ignore_index=True)
    ind = indicator_rows(tables["indicators_internal"], published, {i.id for i in catalogue.indicators})
    values = pd.concat([ind, cells], ignore_index=True)
    protected = protect(values, catalogue, tables, config, C.extra_atoms(tables, config))
    return protected[protected["cell"].notna()] if "cell" in protected else protected.iloc[:0]


def _symbol(value: float, secret: bool) -> str:
    return "." if secret else ("–" if value == 0 else "")


def apply_protection(raw: pd.DataFrame, cells: pd.DataFrame, year: int) -> pd.DataFrame:
    """The stored table of one year: secret cells NaN, derived figures with them, and the
    ``zeichen_``, ``grund_`` and ``cell_`` columns."""
    out = raw.copy()
    reason = cells.set_index("cell")["suppression"]
    secret: dict[str, pd.Series] = {}
    for column in C.CELL_COLUMNS:
        keys = [C.cell_key(year, b, g, column) for b, g in zip(out["by"], out["group"], strict=True)]
        out[f"cell_{column}"] = keys
        out[f"grund_{column}"] = [reason.get(k, "") for k in keys]
        secret[column] = out[f"grund_{column}"] != ""
    for column, sources in C.DERIVED.items():
        if column in out:
            secret[column] = np.logical_or.reduce([secret[s] for s in sources])
    for column, mask in secret.items():
        out[f"zeichen_{column}"] = [_symbol(v, s) for v, s in zip(out[column], mask, strict=True)]
        out.loc[np.asarray(mask, dtype=bool), column] = np.nan
    return out


def protected_descriptive(config: Config, tables: dict[str, pd.DataFrame], year: int) -> pd.DataFrame:
    """The protected HzE tables of ``year`` (all report years are protected together once)."""
    cached = _CACHE.get(id(tables))
    if cached is None or cached[0] is not tables:
        inputs = tables  # the step declares hze_cases and indicators as inputs (registry)
        published = inputs.get("indicators")
        raw = {
            y: raw_tables(tables["hze_year"], tables["hze_expenditure"], tables["population"], y)
            for y in config.report_years
        }
        cells = protect_tables(raw, inputs, config, published)
        frames = [apply_protection(raw[y], cells, y) for y in config.report_years]
        _CACHE.clear()
        _CACHE[id(tables)] = (tables, pd.concat(frames, ignore_index=True))
    out = _CACHE[id(tables)][1]
    return out[out["cell_counted"].str.startswith(f"hze|{year}|")].reset_index(drop=True)


#: Decimals each column is shown with on the page.
DECIMALS = {"duration_months": 1, "age_at_start": 1}


def cell_text(value: float, symbol: str, decimals: int = 0) -> str:
    """What a table cell shows: the official symbol ("." secret, "–" zero) or the number.

    >>> cell_text(float("nan"), "."), cell_text(0.0, "–"), cell_text(1234.0, "")
    ('.', '–', '1.234')
    """
    from helpers.core.formatting import fmt_number

    return symbol if symbol else fmt_number(value, decimals)


def expected_texts(stored: pd.DataFrame) -> dict[str, str]:
    """data-cell key -> the text the page must show, for every HzE table cell."""
    out = {}
    for column in C.CELL_COLUMNS:
        for key, value, symbol in zip(
            stored[f"cell_{column}"], stored[column], stored[f"zeichen_{column}"], strict=True
        ):
            out[key] = cell_text(value, symbol, DECIMALS.get(column, 0))
    return out
