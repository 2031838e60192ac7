"""Statistische Geheimhaltung: applied once, here, before anything is published.

Rules (``thresholds.min_cell_count``, default 3):

1. *Primary*: a count of persons from 1 to min-1 is never published, neither the count nor
   a rate it can be worked out from; cells the source already suppressed (BA "*") stay
   suppressed. Zeros are published ("–").
2. *Secondary*: no suppressed cell, and no count of 1 to min-1 in any single category, may
   be recoverable from what is published: not from the hierarchy (Stadtteile ->
   Stadtbezirk -> city; without Stadtbezirke Stadtteile -> city), not across categories
   (age groups, types of help, findings), not from numerator and denominator (the
   complement), not across pooled years.

The audit is exact: every published count is a sum of *atoms* (one category, Stadtteil and
year); a quantity is recoverable by differencing exactly when its atom vector lies in the
linear span of the published cells' vectors. Secondary suppression adds, greedily, the
smallest published cell that takes part in a recovery, until nothing is recoverable.
Nothing assumes a Stadtbezirk level or a code form: every cell is a set of Stadtteil codes
(:func:`_stadtteile_of`), compared as text.
The same audit runs again on the published open data and the HzE tables together
(``helpers.pipeline.check_confidentiality``).

The HzE tables (Fälle, Bestand, beendet, begonnen and Ausgaben by Hilfeart, Hilfeform and in
total; :mod:`helpers.indicators.hze_cells`) are rows of the same mechanism: each cell is a
0/1 sum of the ``hze`` / ``hze_eur`` atoms, the flow identity across years is a known zero
sum (``Family.identities``). Single-year counts behind a pooled value stay targets (3.).
EUR cells are secret with fewer than min_cell_count contributing cases or when one case
dominates them (:mod:`helpers.indicators.magnitude`, reason "Dominanz").

3. *Targets* are: every small atom (a BA remainder "keine Zuordnung möglich" only where the
   BA itself suppressed it: it belongs to no area, and what the holder published is public
   already), every small single-year Stadtteil count behind a pooled cell, small Fälle /
   "begun before the year" counts of an HzE basis in a Stadtteil, and every secret cell.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.linalg import qr, solve_triangular

from helpers.core.config import Config
from helpers.indicators import hze_cells
from helpers.indicators.atoms import REST, Atoms, build_atoms
from helpers.indicators.catalogue import Catalogue

TOL = 1e-7
NON_COUNT_FAMILIES = {"hze_eur", "services"}
LEVEL_RANK = {"stadtteil": 0, "stadtbezirk": 1, "stadt": 2}


@dataclass(frozen=True)
class CellRef:
    """One published count: row of the cell table and role (numerator/denominator; "id" =
    a known identity, not a cell)."""

    row: int
    role: str  # "num" | "den" | "id"


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
        self.values = atoms["value"].to_numpy(float)
        counts = name not in NON_COUNT_FAMILIES
        unknown = np.isnan(self.values)
        small = (self.values >= 1) & (self.values < min_count)
        # The remainder outside every Stadtteil (BA "keine Zuordnung möglich") identifies no
        # area: a value the holder published may be worked out, one it suppressed ("*") not.
        self.sensitive_atoms = np.flatnonzero(counts & (unknown | (small & (self._st != REST))))
        self.vectors: dict[CellRef, np.ndarray] = {}
        self.extra_targets: list[tuple[np.ndarray, str]] = []
        self.identities: list[np.ndarray] = []
        self._target_keys: set[bytes] = set()
        self._masks: dict[tuple[frozenset, frozenset], np.ndarray] = {}
        self._sensitive_labels: list[str] | None = None

    def mask(self, atom_ids: set[str], stadtteile: set[str], years: range) -> np.ndarray:
        key = (frozenset(atom_ids), frozenset(stadtteile))
        if key not in self._masks:  # the same selection recurs for every year and area level
            self._masks[key] = np.isin(self._atom, list(atom_ids)) & np.isin(self._st, list(stadtteile))
        return self._masks[key] & (self._year >= years.start) & (self._year < years.stop)

    def sensitive_labels(self) -> list[str]:
        if self._sensitive_labels is None:
            i = self.sensitive_atoms
            self._sensitive_labels = [
                f"Einzelwert {a} in {st} {y}"
                for a, st, y in zip(self._atom[i], self._st[i], self._year[i], strict=True)
            ]
        return self._sensitive_labels

    def add(self, ref: CellRef, atom_ids: set[str], stadtteile: set[str], years: range) -> None:
        self.vectors[ref] = self.mask(atom_ids, stadtteile, years).astype(float)

    def total(self, vec: np.ndarray) -> float:
        """Value of a 0/1 sum of atoms (NaN as soon as one atom is unknown)."""
        part = self.values[vec != 0]
        return float("nan") if np.isnan(part).any() else float(vec[vec != 0] @ part)

    def add_target(self, vec: np.ndarray, label: str) -> None:
        key = np.flatnonzero(vec).tobytes() + vec[vec != 0].tobytes()
        if vec.any() and key not in self._target_keys:
            self._target_keys.add(key)
            self.extra_targets.append((vec, label))


def _table_cell(row) -> bool:
    return isinstance(getattr(row, "cell", None), str)


Selections = dict[tuple[str, str], tuple[str, set[str], int]]


def _selections(
    catalogue: Catalogue, tables: dict[str, pd.DataFrame], config: Config
) -> tuple[dict[str, list[pd.DataFrame]], Selections]:
    """Atom frames per family and (family, atom ids, year offset) per indicator and role."""
    atoms_by_family: dict[str, list[pd.DataFrame]] = defaultdict(list)
    selections: Selections = {}
    for ind in catalogue.indicators:
        if not ind.confidential:
            continue
        for role, sel in (("num", ind.numerator), ("den", ind.denominator)):
            atoms = build_atoms(sel, tables, config)
            atoms_by_family[atoms.family].append(atoms.frame)
            selections[(ind.id, role)] = (atoms.family, set(atoms.frame["atom"]), atoms.year_offset)
    return atoms_by_family, selections


def build_families(
    values: pd.DataFrame,
    catalogue: Catalogue,
    tables: dict[str, pd.DataFrame],
    config: Config,
    extra_atoms: list[Atoms] | None = None,
) -> dict[str, Family]:
    """Atom families and the vector of every confidential count cell in ``values``.

    Rows with a ``cell`` key (HzE tables) carry their own ``family`` and ``atom_ids``;
    ``extra_atoms`` are the atoms they need beyond the indicator selections.
    """
    min_count = config.thresholds.min_cell_count
    atoms_by_family, selections = _selections(catalogue, tables, config)
    for atoms in extra_atoms or []:
        atoms_by_family[atoms.family].append(atoms.frame)
    families = {name: Family(name, pd.concat(frames), min_count) for name, frames in atoms_by_family.items()}
    everywhere = _stadtteile_of(config, "stadt", "")
    for row in values.itertuples():
        if _table_cell(row):
            cell_years = range(row.year, row.year + 1)
            families[row.family].add(CellRef(row.Index, "num"), set(row.atom_ids), everywhere, cell_years)
        else:
            _add_indicator_row(families, selections, row, config)
    if "hze" in families:
        hze = families["hze"]
        hze.identities = hze_cells.identities(hze.atoms)
        for vec, label in hze_cells.flow_targets(hze.atoms, min_count):
            hze.add_target(vec, label)
    return families


def _add_indicator_row(families: dict[str, Family], selections: Selections, row, config: Config) -> None:
    for role in ("num", "den"):
        key = (row.indicator_id, role)
        if key not in selections:
            continue
        family, atom_ids, offset = selections[key]
        start = row.year if pd.isna(row.pooled_from) else int(row.pooled_from)
        stadtteile = _stadtteile_of(config, row.area_level, row.area_code)
        families[family].add(
            CellRef(row.Index, role), atom_ids, stadtteile, range(start + offset, row.year + offset + 1)
        )
        if start < row.year:
            min_count = config.thresholds.min_cell_count
            _single_years_behind_pool(families[family], row, role, atom_ids, stadtteile, offset, min_count)


def _single_years_behind_pool(
    family: Family, row, role: str, atom_ids: set[str], stadtteile: set[str], offset: int, min_count: int
) -> None:
    """A pooled cell does not protect the single years in it: a small single-year count
    (or one the source suppressed) stays a target, whatever is shown instead."""
    for year in range(int(row.pooled_from), row.year + 1):
        vec = family.mask(atom_ids, stadtteile, range(year + offset, year + offset + 1)).astype(float)
        value = family.total(vec)
        if np.isnan(value) or 1 <= value < min_count:
            label = f"Einzeljahr {year} von {row.indicator_id} in {row.area_code} ({role}) hinter gepooltem Wert"
            family.add_target(vec, label)


@dataclass(frozen=True)
class Span:
    """The row space of the published cells: pivoted QR of their transposed matrix.

    ``q`` (atoms x rank) is an orthonormal basis, ``rows`` are the published rows that
    span it (the first ``rank`` pivots) and ``r`` the triangular factor on them.
    """

    q: np.ndarray
    r: np.ndarray
    rows: np.ndarray

    @classmethod
    def of(cls, matrix: np.ndarray) -> Span:
        n_atoms = matrix.shape[1] if matrix.ndim == 2 else 0
        if matrix.size == 0:
            return cls(np.zeros((n_atoms, 0)), np.zeros((0, 0)), np.zeros(0, dtype=int))
        q, r, piv = qr(matrix.T, mode="economic", pivoting=True)
        diag = np.abs(np.diag(r))
        rank = int((diag > TOL * max(matrix.shape) * diag[0]).sum()) if len(diag) and diag[0] > 0 else 0
        return cls(q[:, :rank], r[:rank, :rank], piv[:rank])

    def contains(self, targets: np.ndarray) -> np.ndarray:
        residual = targets - (targets @ self.q) @ self.q.T
        return np.linalg.norm(residual, axis=1) < 1e-6 * np.maximum(1, np.linalg.norm(targets, axis=1))

    def solve(self, targets: np.ndarray) -> np.ndarray:
        """Coefficients on the published rows (targets x rows) for targets in the span:
        a basic solution, using only the spanning rows."""
        n_rows = int(self.rows.max()) + 1 if len(self.rows) else 0
        out = np.zeros((len(targets), n_rows))
        if len(self.rows):
            out[:, self.rows] = solve_triangular(self.r, self.q.T @ targets.T).T
        return out


def _possible(published: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Targets that use only atoms some published row uses (the others cannot be in the span)."""
    if len(targets) == 0 or published.size == 0:
        return np.zeros(len(targets), dtype=bool)
    used = np.abs(published).sum(axis=0) > 0
    return ~(np.abs(targets[:, ~used]) > 0).any(axis=1)


def recoverable(published: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """For each target vector: can it be computed as a linear combination of published rows?"""
    out = _possible(published, targets)
    if out.any():
        out[out] = Span.of(published).contains(targets[out])
    return out


def _targets(family: Family, secret_refs: list[CellRef]) -> tuple[np.ndarray, list[str]]:
    """Vectors that must not be recoverable: small single counts and every secret cell."""
    unit = np.zeros((len(family.sensitive_atoms), len(family.atoms)))
    unit[np.arange(len(family.sensitive_atoms)), family.sensitive_atoms] = 1.0
    rows, labels = list(unit), list(family.sensitive_labels())
    for vec, label in family.extra_targets:
        rows.append(vec)
        labels.append(label)
    for ref in secret_refs:
        if family.vectors[ref].any():
            rows.append(family.vectors[ref])
            labels.append(f"geheime Zelle Zeile {ref.row} ({ref.role})")
    return (np.array(rows) if rows else np.zeros((0, len(family.atoms)))), labels


def _components(family: Family, refs: list[CellRef]) -> list[np.ndarray]:
    """Atom index groups that never share a cell (years without pooling are separate)."""
    years = family._year
    groups: dict[int, set[int]] = {int(y): {int(y)} for y in np.unique(years)}
    links = [family.vectors[r] for r in refs] + family.identities + [v for v, _ in family.extra_targets]
    for vec in links:
        ys = {int(y) for y in np.unique(years[vec != 0])}
        if len(ys) > 1:
            merged = set().union(*(groups[y] for y in ys))
            for y in merged:
                groups[y] = merged
    unique = {frozenset(g) for g in groups.values()}
    return [np.flatnonzero(np.isin(years, sorted(g))) for g in sorted(unique, key=min)]


def _state(values: pd.DataFrame, refs: list[CellRef], min_count: int) -> tuple[list[CellRef], list[CellRef]]:
    """Published and secret cells: a numerator is secret when its row is suppressed; a
    denominator only when it is itself a small count (else it stays visible)."""
    pos = values.index.get_indexer([r.row for r in refs])
    shown = values["suppression"].to_numpy()[pos] == ""
    den = values["denominator"].to_numpy(float)[pos]
    hidden = values["denominator_hidden"].eq(True).to_numpy()[pos] | ((den >= 1) & (den < min_count))
    is_num = np.array([r.role == "num" for r in refs], dtype=bool)
    ok = np.where(is_num, shown, ~hidden)
    return [r for r, k in zip(refs, ok, strict=True) if k], [r for r, k in zip(refs, ok, strict=True) if not k]


def _problem(values: pd.DataFrame, family: Family, comp: np.ndarray, comp_refs: list[CellRef], min_count: int):
    published, secret = _state(values, comp_refs, min_count)
    rows = [family.vectors[r][comp] for r in published]
    for k, vec in enumerate(family.identities):  # what every reader knows: published too
        if vec[comp].any():
            rows.append(vec[comp])
            published.append(CellRef(-1 - k, "id"))
    matrix = np.array(rows) if rows else np.zeros((0, len(comp)))
    targets, labels = _targets(family, secret)
    if not len(targets):
        return published, matrix, targets, []
    sub = targets[:, comp]
    # a target is in this component only if all its atoms are (else another one holds it)
    keep = (np.abs(sub).sum(axis=1) > 0) & np.isclose(np.abs(sub).sum(axis=1), np.abs(targets).sum(axis=1))
    return published, matrix, sub[keep], list(np.array(labels, dtype=object)[keep])


def _frozen(values: pd.DataFrame) -> np.ndarray:
    if "frozen" not in values:
        return np.zeros(len(values), dtype=bool)
    return values["frozen"].eq(True).to_numpy()


def protect(
    values: pd.DataFrame,
    catalogue: Catalogue,
    tables: dict[str, pd.DataFrame],
    config: Config,
    extra_atoms: list[Atoms] | None = None,
) -> pd.DataFrame:
    """Apply primary and secondary suppression; return the table with ``suppression``.

    ``suppression`` is "" (published), "primär", "Quelle", "Dominanz" or "sekundär";
    ``denominator_hidden`` marks rows whose denominator is secret too. Rows marked
    ``frozen`` (already published) keep their state and are never chosen for secondary
    suppression; only families with a row that is not frozen are worked on.
    """
    from helpers.indicators.magnitude import dominance_flags

    out = values.copy()
    frozen = _frozen(out)
    if "dominated" not in out:
        out["dominated"] = dominance_flags(out, catalogue, tables, config)
    m = config.thresholds.min_cell_count
    primary = _primary(out, catalogue, config)
    hidden = (primary != "") & out["denominator"].between(1, m - 1)
    if frozen.any():
        primary = primary.where(~frozen, out["suppression"])
        hidden = hidden.where(~frozen, out["denominator_hidden"].eq(True))
    out["suppression"] = primary
    out["denominator_hidden"] = hidden
    for family in build_families(out, catalogue, tables, config, extra_atoms).values():
        refs = list(family.vectors)
        if all(frozen[out.index.get_loc(r.row)] for r in refs):
            continue
        for comp in _components(family, refs):
            comp_refs = [r for r in refs if family.vectors[r][comp].any()]
            while True:
                published, matrix, targets, _ = _problem(out, family, comp, comp_refs, m)
                targets = targets[_possible(matrix, targets)]
                if not len(targets):
                    break
                span = Span.of(matrix)
                hit = span.contains(targets)
                if not hit.any():
                    break
                _suppress_round(out, published, span.solve(targets[hit]))
    return out


def _primary(values: pd.DataFrame, catalogue: Catalogue, config: Config) -> pd.Series:
    m = config.thresholds.min_cell_count
    # rows that are no catalogue indicator (the HzE tables) are about persons: confidential
    known = {i.id: i.confidential for i in catalogue.indicators}
    confidential = np.array([known.get(i, True) for i in values["indicator_id"]], dtype=bool)
    small = values["disclosure_count"].between(1, m - 1) | values["denominator"].between(1, m - 1)
    source = values["source_suppressed"].eq(True)
    dominated = values["dominated"].eq(True) if "dominated" in values else False
    reason = np.select([source, small, dominated], ["Quelle", "primär", "Dominanz"], "")
    return pd.Series(np.where(confidential, reason, ""), index=values.index)


def _suppress_round(values: pd.DataFrame, published: list[CellRef], coefs: np.ndarray) -> None:
    """For each recoverable target, suppress the cheapest published cell that takes part.

    Cheapest: a Stadtteil before a Stadtbezirk before the city, then the smallest count;
    zeros last.
    Known identities and frozen (already published) cells are never chosen. One round
    handles all targets; the caller audits again until nothing is recoverable.
    """
    frozen = set(values.index[_frozen(values)])

    def cost(ref: CellRef) -> tuple:
        size = values.at[ref.row, "disclosure_count" if ref.role == "num" else "denominator"]
        size = float(size) if pd.notna(size) else 0.0
        # a published zero hides nothing from a reader who knows counts are never negative
        return (size == 0, LEVEL_RANK[values.at[ref.row, "area_level"]], size, ref.row)

    chosen_rows: set[CellRef] = set()
    for coef in np.atleast_2d(coefs):
        used = [published[i] for i in np.flatnonzero(np.abs(coef) > 1e-9)]
        if any(r in chosen_rows for r in used):
            continue  # this round already breaks that recovery
        movable = [r for r in used if r.role != "id" and r.row not in frozen]
        involved = [r for r in movable if r.role == "num"] or movable
        if not involved:
            raise RuntimeError("Geheimhaltung: eine Rückrechnung nutzt nur bereits veröffentlichte Zellen")
        chosen_rows.add(min(involved, key=cost))
    for chosen in chosen_rows:
        if values.at[chosen.row, "suppression"] == "":
            values.at[chosen.row, "suppression"] = "sekundär"
        if chosen.role == "den":  # num / value would give the denominator back: both go
            values.at[chosen.row, "denominator_hidden"] = True


def audit(
    values: pd.DataFrame,
    catalogue: Catalogue,
    tables: dict[str, pd.DataFrame],
    config: Config,
    extra_atoms: list[Atoms] | None = None,
) -> list[str]:
    """Try to recover secret cells and small single counts from the published cells.

    ``values`` must have ``suppression`` ("" = published). Returns one line per recovery.
    """
    found = []
    m = config.thresholds.min_cell_count
    if "denominator_hidden" not in values:
        values = values.assign(denominator_hidden=False)
    for family in build_families(values, catalogue, tables, config, extra_atoms).values():
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
    return out.drop(
        columns=["disclosure_count", "source_suppressed", "denominator_hidden", "dominated"], errors="ignore"
    )


REASON_LABELS = {
    "primär": "primär (weniger als {m} Fälle/Personen)",
    "Quelle": "von der Quelle gesperrt („*“)",
    "Dominanz": "Dominanz (Betragszelle)",
    "sekundär": "sekundär (sonst rückrechenbar)",
}


@dataclass(frozen=True)
class RiskSummary:
    """Disclosure-risk figures for the analyst."""

    cells: int
    by_reason: dict[str, int]  # suppression reason -> number of cells
    suppressed_share: float  # share of cells suppressed
    mass_share: float  # share of the count mass (persons/cases) in suppressed cells
    recoverable: int  # findings of the exact audit
    audit_seconds: float
    findings: tuple[str, ...] = ()


def risk_summary(cells: pd.DataFrame, findings: list[str], audit_seconds: float) -> RiskSummary:
    """Counts by rule, information loss and the audit result.

    ``cells``: one row per published-or-suppressed cell with ``suppression`` ("" =
    published) and ``mass`` (the count it holds; NaN for amounts, left out of the mass).
    """
    secret = cells["suppression"] != ""
    mass = cells["mass"].astype(float)
    finite = mass.notna()
    total = float(mass[finite].sum())
    reasons = cells.loc[secret, "suppression"].value_counts()
    return RiskSummary(
        cells=len(cells),
        by_reason={r: int(reasons.get(r, 0)) for r in REASON_LABELS} | {"": int((~secret).sum())},
        suppressed_share=float(secret.mean()) if len(cells) else 0.0,
        mass_share=float(mass[finite & secret].sum() / total) if total else 0.0,
        recoverable=len(findings),
        audit_seconds=audit_seconds,
        findings=tuple(findings),
    )


def summary_text(summary: RiskSummary, min_count: int) -> str:
    """The summary as German text (``build/checks/geheimhaltung_zusammenfassung.txt``)."""

    def pct(x: float) -> str:
        return f"{100 * x:.1f}".replace(".", ",") + " %"

    lines = [
        "Statistische Geheimhaltung – Zusammenfassung",
        "",
        f"Zellen insgesamt (offene Daten und HzE-Tabellen): {summary.cells}",
        f"  veröffentlicht: {summary.by_reason['']}",
    ]
    lines += [f"  {label.format(m=min_count)}: {summary.by_reason[r]}" for r, label in REASON_LABELS.items()]
    lines += [
        "",
        f"Informationsverlust: {pct(summary.suppressed_share)} der Zellen, "
        f"{pct(summary.mass_share)} der Fallzahlsumme (Zählzellen) geheim gehalten.",
        "",
        "Prüfung durch exakte Differenzbildung (lineare Hülle aller veröffentlichten Zellen): "
        + (
            "keine geheime Zelle und keine kleine Einzelzahl rückrechenbar."
            if not summary.recoverable
            else f"{summary.recoverable} rückrechenbare Werte – NICHT veröffentlichen."
        ),
        f"Dauer der Prüfung: {summary.audit_seconds:.1f} s".replace(".", ","),
    ]
    lines += [f"  - {f}" for f in summary.findings[:50]]
    return "\n".join(lines) + "\n"
