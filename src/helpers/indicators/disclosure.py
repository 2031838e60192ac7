"""Statistische Geheimhaltung: applied once, here, before anything is published.

Rules (``thresholds.min_cell_count``, default 3):

1. *Primary*: a count of persons from 1 to min-1 is never published, neither the count nor
   a rate it can be worked out from; cells the source already suppressed (BA "*") stay
   suppressed. Zeros are published ("–").
2. *Secondary*: no suppressed cell, and no count of 1 to min-1 in any single category, may
   be recoverable from what is published: not from the hierarchy (Stadtteile ->
   Stadtbezirk -> city), not across categories (age groups, types of help, findings), not
   from numerator and denominator (the complement), not across pooled years.

The audit is exact: every published count is a sum of *atoms* (one category, Stadtteil and
year); a quantity is recoverable by differencing exactly when its atom vector lies in the
linear span of the published cells' vectors. Secondary suppression adds, greedily, the
smallest published cell that takes part in a recovery, until nothing is recoverable.
The same audit runs again on the published open data (``audit_published``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers.core.config import Config
from helpers.indicators.atoms import REST, build_atoms
from helpers.indicators.catalogue import Catalogue

TOL = 1e-7
NON_COUNT_FAMILIES = {"hze_eur", "services"}


@dataclass(frozen=True)
class CellRef:
    """One published count: row of the indicator table and role (numerator/denominator)."""

    row: int
    role: str  # "num" | "den"


def _stadtteile_of(config: Config, level: str, code: str) -> set[str]:
    if level == "stadtteil":
        return {code}
    if level == "stadtbezirk":
        return {s.code for s in config.stadtteile if s.stadtbezirk == code}
    return {s.code for s in config.stadtteile} | {REST}


class Family:
    """The atoms of one family (e.g. all SGB II counts) and the cells built from them."""

    def __init__(self, name: str, atoms: pd.DataFrame, min_count: int):
        self.name = name
        atoms = atoms.drop_duplicates(["year", "stadtteil_code", "atom"]).reset_index(drop=True)
        self.atoms = atoms
        self._year = atoms["year"].to_numpy(int)
        self._st = atoms["stadtteil_code"].to_numpy(str)
        self._atom = atoms["atom"].to_numpy(str)
        values = atoms["value"].to_numpy(float)
        counts = name not in NON_COUNT_FAMILIES
        small = np.isnan(values) | ((values >= 1) & (values < min_count))
        # Counts outside every Stadtteil (unassignable addresses) identify no area.
        self.sensitive_atoms = np.flatnonzero(counts & small & (self._st != REST))
        self.vectors: dict[CellRef, np.ndarray] = {}

    def add(self, ref: CellRef, atom_ids: set[str], stadtteile: set[str], years: range) -> None:
        mask = (
            np.isin(self._atom, list(atom_ids))
            & np.isin(self._st, list(stadtteile))
            & (self._year >= years.start)
            & (self._year < years.stop)
        )
        self.vectors[ref] = mask.astype(float)


def build_families(
    values: pd.DataFrame, catalogue: Catalogue, tables: dict[str, pd.DataFrame], config: Config
) -> dict[str, Family]:
    """Atom families and the vector of every confidential count cell in ``values``."""
    min_count = config.thresholds.min_cell_count
    atoms_by_family: dict[str, list[pd.DataFrame]] = defaultdict(list)
    selections: dict[tuple[str, str], tuple[str, set[str], int]] = {}
    for ind in catalogue.indicators:
        if not ind.confidential:
            continue
        for role, sel in (("num", ind.numerator), ("den", ind.denominator)):
            atoms = build_atoms(sel, tables, config)
            atoms_by_family[atoms.family].append(atoms.frame)
            selections[(ind.id, role)] = (atoms.family, set(atoms.frame["atom"]), atoms.year_offset)
    families = {name: Family(name, pd.concat(frames), min_count) for name, frames in atoms_by_family.items()}
    for row in values.itertuples():
        for role in ("num", "den"):
            key = (row.indicator_id, role)
            if key not in selections:
                continue
            family, atom_ids, offset = selections[key]
            start = row.year if pd.isna(row.pooled_from) else int(row.pooled_from)
            stadtteile = _stadtteile_of(config, row.area_level, row.area_code)
            families[family].add(
                CellRef(row.Index, role),
                atom_ids,
                stadtteile,
                range(start + offset, row.year + offset + 1),
            )
    return families


def _row_space(matrix: np.ndarray) -> np.ndarray:
    if matrix.size == 0:
        return np.zeros((0, matrix.shape[1] if matrix.ndim == 2 else 0))
    _, s, vt = np.linalg.svd(matrix, full_matrices=False)
    rank = int((s > TOL * max(matrix.shape) * (s[0] if len(s) else 1)).sum())
    return vt[:rank]


def recoverable(published: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """For each target vector: can it be computed as a linear combination of published rows?"""
    if len(targets) == 0:
        return np.zeros(0, dtype=bool)
    basis = _row_space(published)
    projected = targets @ basis.T @ basis if len(basis) else np.zeros_like(targets)
    return np.linalg.norm(targets - projected, axis=1) < 1e-6 * np.maximum(1, np.linalg.norm(targets, axis=1))


def _targets(family: Family, secret_refs: list[CellRef]) -> tuple[np.ndarray, list[str]]:
    """Vectors that must not be recoverable: small single counts and every secret cell."""
    rows, labels = [], []
    for i in family.sensitive_atoms:
        vec = np.zeros(len(family.atoms))
        vec[i] = 1.0
        rows.append(vec)
        year, st, atom = family.atoms.iloc[i][["year", "stadtteil_code", "atom"]]
        labels.append(f"Einzelwert {atom} in {st} {year}")
    for ref in secret_refs:
        if family.vectors[ref].any():
            rows.append(family.vectors[ref])
            labels.append(f"geheime Zelle Zeile {ref.row} ({ref.role})")
    return (np.array(rows) if rows else np.zeros((0, len(family.atoms)))), labels


def _components(family: Family, refs: list[CellRef]) -> list[np.ndarray]:
    """Atom index groups that never share a cell (years without pooling are separate)."""
    years = family._year
    groups: dict[int, set[int]] = {int(y): {int(y)} for y in np.unique(years)}
    for ref in refs:
        ys = {int(y) for y in np.unique(years[family.vectors[ref] > 0])}
        if len(ys) > 1:
            merged = set().union(*(groups[y] for y in ys))
            for y in merged:
                groups[y] = merged
    unique = {frozenset(g) for g in groups.values()}
    return [np.flatnonzero(np.isin(years, sorted(g))) for g in sorted(unique, key=min)]


def _state(values: pd.DataFrame, refs: list[CellRef], min_count: int) -> tuple[list[CellRef], list[CellRef]]:
    """Published and secret cells: a numerator is secret when its row is suppressed; a
    denominator only when it is itself a small count (else it stays visible)."""
    published, secret = [], []
    for ref in refs:
        if ref.role == "num":
            ok = values.at[ref.row, "suppression"] == ""
        else:
            ok = not (values.at[ref.row, "denominator_hidden"] or 1 <= values.at[ref.row, "denominator"] < min_count)
        (published if ok else secret).append(ref)
    return published, secret


def _problem(values: pd.DataFrame, family: Family, comp: np.ndarray, comp_refs: list[CellRef], min_count: int):
    published, secret = _state(values, comp_refs, min_count)
    matrix = np.array([family.vectors[r][comp] for r in published]) if published else np.zeros((0, len(comp)))
    targets, labels = _targets(family, secret)
    if not len(targets):
        return published, matrix, targets, []
    sub = targets[:, comp]
    keep = np.abs(sub).sum(axis=1) > 0
    return published, matrix, sub[keep], list(np.array(labels)[keep])


def protect(
    values: pd.DataFrame, catalogue: Catalogue, tables: dict[str, pd.DataFrame], config: Config
) -> pd.DataFrame:
    """Apply primary and secondary suppression; return the table with ``suppression``.

    ``suppression`` is "" (published), "primär", "Quelle" or "sekundär";
    ``denominator_hidden`` marks rows whose denominator is secret too.
    """
    out = values.copy()
    out["suppression"] = _primary(out, catalogue, config)
    m = config.thresholds.min_cell_count
    out["denominator_hidden"] = (out["suppression"] != "") & out["denominator"].between(1, m - 1)
    for family in build_families(out, catalogue, tables, config).values():
        refs = list(family.vectors)
        for comp in _components(family, refs):
            comp_refs = [r for r in refs if family.vectors[r][comp].any()]
            while True:
                published, matrix, targets, _ = _problem(out, family, comp, comp_refs, m)
                hit = recoverable(matrix, targets)
                if not hit.any():
                    break
                _suppress_round(out, published, matrix, targets[hit])
    return out


def _primary(values: pd.DataFrame, catalogue: Catalogue, config: Config) -> pd.Series:
    m = config.thresholds.min_cell_count
    confidential = values["indicator_id"].map({i.id: i.confidential for i in catalogue.indicators})
    small = values["disclosure_count"].between(1, m - 1) | values["denominator"].between(1, m - 1)
    reason = np.where(values["source_suppressed"], "Quelle", np.where(small, "primär", ""))
    return pd.Series(np.where(confidential, reason, ""), index=values.index)


def _suppress_round(values: pd.DataFrame, published: list[CellRef], matrix: np.ndarray, targets: np.ndarray) -> None:
    """For each recoverable target, suppress the cheapest published cell that takes part.

    Cheapest: a Stadtteil before a Stadtbezirk before the city, then the smallest count.
    One round handles all targets; the caller audits again until nothing is recoverable.
    """
    coefs, *_ = np.linalg.lstsq(matrix.T, targets.T, rcond=None)
    level_rank = {"stadtteil": 0, "stadtbezirk": 1, "stadt": 2}

    def cost(ref: CellRef) -> tuple:
        size = values.at[ref.row, "disclosure_count" if ref.role == "num" else "denominator"]
        return (
            level_rank[values.at[ref.row, "area_level"]],
            float(size) if pd.notna(size) else 0.0,
            ref.row,
        )

    chosen_rows: set[CellRef] = set()
    for coef in np.atleast_2d(coefs.T):
        used = [published[i] for i in np.flatnonzero(np.abs(coef) > 1e-9)]
        if any(r in chosen_rows for r in used):
            continue  # this round already breaks that recovery
        involved = [r for r in used if r.role == "num"] or used
        chosen_rows.add(min(involved, key=cost))
    for chosen in chosen_rows:
        if values.at[chosen.row, "suppression"] == "":
            values.at[chosen.row, "suppression"] = "sekundär"
        if chosen.role == "den":  # num / value would give the denominator back: both go
            values.at[chosen.row, "denominator_hidden"] = True


def audit(values: pd.DataFrame, catalogue: Catalogue, tables: dict[str, pd.DataFrame], config: Config) -> list[str]:
    """Try to recover secret cells and small single counts from the published cells.

    ``values`` must have ``suppression`` ("" = published). Returns one line per recovery.
    """
    found = []
    m = config.thresholds.min_cell_count
    if "denominator_hidden" not in values:
        values = values.assign(denominator_hidden=False)
    for family in build_families(values, catalogue, tables, config).values():
        refs = list(family.vectors)
        for comp in _components(family, refs):
            comp_refs = [r for r in refs if family.vectors[r][comp].any()]
            _, matrix, targets, labels = _problem(values, family, comp, comp_refs, m)
            hit = recoverable(matrix, targets)
            found.extend(f"{family.name}: {label}" for label, h in zip(labels, hit, strict=True) if h)
    return found


def symbols(values: pd.DataFrame, min_denominator: int) -> pd.Series:
    """The official symbol of each published row: "." secret, "–" zero, "( )" uncertain."""
    secret = values["suppression"] != ""
    zero = values["numerator"] == 0
    uncertain = values["denominator"] < min_denominator
    return pd.Series(np.select([secret, zero, uncertain], [".", "–", "( )"], ""), index=values.index)


def published_view(values: pd.DataFrame, min_denominator: int, min_count: int) -> pd.DataFrame:
    """The publishable table: suppressed rows lose numerator, value and interval.

    A denominator is hidden too where it is itself a small count (1 to min_count-1).
    """
    out = values.copy()
    out["symbol"] = symbols(out, min_denominator)
    secret = out["suppression"] != ""
    for col in ("numerator", "value", "ci_lower", "ci_upper"):
        out.loc[secret, col] = np.nan
    hidden = out["denominator"].between(1, min_count - 1)
    if "denominator_hidden" in out:
        hidden |= out["denominator_hidden"]
    out.loc[hidden, "denominator"] = np.nan
    return out.drop(columns=["disclosure_count", "source_suppressed", "denominator_hidden"], errors="ignore")
