"""``doit geheimhaltung``: the exact audit over everything published, and its summary.

The union of the open-data cells (read back from ``indikatoren.csv``) and the HzE table
cells (``hze_descriptive``, by their ``data-cell`` keys and symbols) is audited in one
pass: no secret cell and no small single count may lie in the linear span of the
published cells (:func:`helpers.indicators.disclosure.audit`). Published amounts are also checked
against the dominance rules with the case list.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from helpers.core.config import Config
from helpers.indicators import hze_cells as C
from helpers.indicators.catalogue import Catalogue
from helpers.indicators.disclosure import RiskSummary, audit, risk_summary
from helpers.indicators.magnitude import dominance_flags

SECRET = "veröffentlicht geheim"


def cell_count(hze_year: pd.DataFrame, key: str) -> float:
    """The count in one HzE table cell (NaN for amounts)."""
    year, by, group, column = C.parse_key(key)
    if column not in C.COUNT_COLUMNS:
        return float("nan")
    part = hze_year[(hze_year["year"] == year) & hze_year["basis"].astype(str).isin(C.group_bases(by, group))]
    return float(part[column].sum())


def table_cells(stored: pd.DataFrame, hze_year: pd.DataFrame, config: Config) -> pd.DataFrame:
    """Audit rows of the published HzE table cells: state from the symbols, rule, count."""
    keys, secret, reason = [], [], []
    for column in C.CELL_COLUMNS:
        keys += stored[f"cell_{column}"].tolist()
        secret += (stored[f"zeichen_{column}"] == ".").tolist()
        reason += stored[f"grund_{column}"].fillna("").tolist()
    rows = C.rows_from_keys(pd.Series(keys, dtype=str), config)
    rows["suppression"] = np.where(secret, SECRET, "")
    rows["reason"] = reason
    rows["mass"] = [cell_count(hze_year, k) for k in keys]
    return rows


def published_dominated(
    values: pd.DataFrame, catalogue: Catalogue, tables: dict[str, pd.DataFrame], config: Config
) -> list[str]:
    """Published amounts that a dominance rule makes secret."""
    flags = dominance_flags(values.assign(year=values["year"].astype(int)), catalogue, tables, config)
    bad = values[flags & (values["suppression"] == "")]
    return [
        f"Dominanz: Betragszelle {r.cell if isinstance(r.cell, str) else r.indicator_id} {r.year} "
        f"{r.area_code} ist veröffentlicht, wird aber von einem Fall dominiert"
        for r in bad.assign(cell=bad.get("cell", np.nan)).itertuples()
    ]


def indicator_cells(internal: pd.DataFrame, protected: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """Rule and count of every confidential indicator cell (for the summary)."""
    confidential = {i.id for i in catalogue.indicators if i.confidential}
    amounts = {i.id for i in catalogue.indicators if i.numerator.source == "hze_eur"}
    keys = ["indicator_id", "year", "area_level", "area_code"]
    merged = protected[[*keys, "suppression"]].merge(
        internal[[*keys, "disclosure_count"]], on=keys, how="left", validate="1:1"
    )
    merged = merged[merged["indicator_id"].isin(confidential)]
    mass = merged["disclosure_count"].where(~merged["indicator_id"].isin(amounts))
    return pd.DataFrame({"suppression": merged["suppression"].fillna(""), "mass": mass})


def audit_everything(
    published: pd.DataFrame,
    stored: pd.DataFrame | None,
    catalogue: Catalogue,
    tables: dict[str, pd.DataFrame],
    config: Config,
) -> tuple[list[str], pd.DataFrame, float]:
    """Findings of the exact audit over open data and HzE tables, the table cells, seconds."""
    cells = table_cells(stored, tables["hze_year"], config) if stored is not None else pd.DataFrame()
    values = pd.concat([published, cells.drop(columns=["reason", "mass"], errors="ignore")], ignore_index=True)
    extra = C.extra_atoms(tables, config) if "hze_year" in tables else []
    start = time.perf_counter()
    findings = audit(values, catalogue, tables, config, extra)
    seconds = time.perf_counter() - start
    if "hze_cases" in tables:
        findings += published_dominated(values, catalogue, tables, config)
    return findings, cells, seconds


def summarise(findings: list[str], seconds: float, cells: pd.DataFrame, indicator_rows: pd.DataFrame) -> RiskSummary:
    """Risk summary over indicator cells and HzE table cells."""
    table = (
        pd.DataFrame({"suppression": cells["reason"], "mass": cells["mass"]})
        if len(cells)
        else pd.DataFrame(columns=["suppression", "mass"])
    )
    return risk_summary(pd.concat([indicator_rows, table], ignore_index=True), findings, seconds)
