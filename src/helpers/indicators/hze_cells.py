"""The HzE tables as cells of the one disclosure mechanism (:mod:`helpers.indicators.disclosure`).

The HzE page publishes, per report year and for the whole city, Fälle, Bestand am 31.12.,
beendete and begonnene Hilfen and the expenditure, by Hilfeart (legal basis), by Hilfeform
(setting) and in total. Every such cell is a 0/1 sum of the atoms of the families ``hze``
and ``hze_eur``; per year, Stadtteil and legal basis:

* ``hze:<b>|bestand``: cases ongoing at 31.12. (B),
* ``hze:<b>|beendet``: cases ended in the year (E = Fälle − B),
* ``hze:<b>|begonnen``: cases started in the year (S; overlaps B and E),
* ``hze_eur:<b>``: expenditure allocated by case days.

Fälle = B + E, Bestand = B, beendet = E, begonnen = S. The three are linearly independent
functionals of the four case classes {begun before/in the year} x {ended/ongoing}; the class
"begun and ended in the year" is never a linear function of published cells, so the
coordinates B, E, S describe every cell and every target exactly. What a reader knows
besides the cells: Fälle(y) = Bestand(y − 1) + begonnen(y), i.e. B(y) + E(y) − S(y) −
B(y − 1) = 0 per Stadtteil and basis (:func:`identities`); Fälle = Bestand + beendet and
Hilfeform = Σ Hilfearten hold by construction of the vectors.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers.core.config import Config
from helpers.indicators.atoms import HZE_BESTAND, HZE_ENDED, HZE_STARTED, Atoms, hze_grid

FAMILY_OF = {"counted": "hze", "bestand_3112": "hze", "ended": "hze", "started": "hze", "eur": "hze_eur"}
PARTS = {"counted": (HZE_BESTAND, HZE_ENDED), "bestand_3112": (HZE_BESTAND,), "ended": (HZE_ENDED,)}
PARTS["started"] = (HZE_STARTED,)
COUNT_COLUMNS = ["counted", "bestand_3112", "ended", "started"]
CELL_COLUMNS = [*COUNT_COLUMNS, "eur"]
#: Derived columns and the cells they reveal (a mean or cost is secret with its cells).
DERIVED = {
    "eur_per_case": ("eur", "counted"),
    "eur_per_case_year": ("eur",),
    "duration_months": ("ended",),
    "age_at_start": ("started",),
    "eur_per_u21": ("eur",),
    "cases_per_10000": ("counted",),
}
TABLE_ID = "hze_tabelle"


def cell_key(year: int, by: str, group: str, column: str) -> str:
    """The ``data-cell`` key of one HzE table cell, e.g. ``hze|2025|basis|32|started``."""
    return f"hze|{year}|{by}|{group}|{column}"


def parse_key(key: str) -> tuple[int, str, str, str]:
    """(year, by, group, column) of a :func:`cell_key`."""
    _, year, by, group, column = key.split("|")
    return int(year), by, group, column


def group_bases(by: str, group: str) -> list[str]:
    """The legal bases a row of the table sums (by basis, by setting, or all)."""
    from helpers.sources.hze import BASES, SETTING

    if by == "basis":
        return [group]
    if by == "setting":
        return [b for b in BASES if SETTING[b] == group]
    return list(BASES)


def cell_atoms(by: str, group: str, column: str) -> tuple[str, tuple[str, ...]]:
    """Family and atom ids of one table cell."""
    bases = group_bases(by, group)
    if column == "eur":
        return "hze_eur", tuple(f"hze_eur:{b}" for b in bases)
    return "hze", tuple(f"hze:{b}{part}" for b in bases for part in PARTS[column])


def started_atoms(hze_year: pd.DataFrame, config: Config) -> Atoms:
    """Atoms ``hze:<b>|begonnen`` of the report years (the B and E atoms come from the
    indicator selections; the flow tables need S too)."""
    from helpers.sources.hze import BASES

    grid = hze_grid(hze_year, config, list(BASES))
    grid = grid[grid["year"].isin(config.report_years)]
    frame = grid.assign(atom="hze:" + grid["basis"] + HZE_STARTED, value=grid["started"])
    return Atoms(frame[["year", "stadtteil_code", "atom", "value"]], family="hze")


def eur_atoms(hze_year: pd.DataFrame, expenditure: pd.DataFrame, config: Config) -> Atoms:
    """Atoms ``hze_eur:<b>`` of the report years (as the indicator builder makes them)."""
    from helpers.indicators.atoms import hze_eur_atoms
    from helpers.indicators.catalogue import Selection

    return hze_eur_atoms(Selection(source="hze_eur"), {"hze_year": hze_year, "hze_expenditure": expenditure}, config)


def extra_atoms(tables: dict[str, pd.DataFrame], config: Config) -> list[Atoms]:
    """The atoms the HzE tables use (B and E as the indicator selections make them, S, EUR)."""
    from helpers.indicators.atoms import build_atoms
    from helpers.indicators.catalogue import Selection

    out = [
        build_atoms(Selection(source="hze", bases=("*",)), tables, config),
        started_atoms(tables["hze_year"], config),
    ]
    if "hze_expenditure" in tables:
        out.append(eur_atoms(tables["hze_year"], tables["hze_expenditure"], config))
    return out


@dataclass(frozen=True)
class AtomIndex:
    """Lookup of atom positions by (year, Stadtteil, atom id)."""

    position: dict[tuple[int, str, str], int]
    size: int

    @classmethod
    def of(cls, atoms: pd.DataFrame) -> AtomIndex:
        keys = zip(atoms["year"].astype(int), atoms["stadtteil_code"].astype(str), atoms["atom"], strict=True)
        return cls({k: i for i, k in enumerate(keys)}, len(atoms))

    def vector(self, coefs: dict[tuple[int, str, str], float]) -> np.ndarray | None:
        """The vector of a linear combination; None if an atom does not exist."""
        vec = np.zeros(self.size)
        for key, c in coefs.items():
            if key not in self.position:
                return None
            vec[self.position[key]] += c
        return vec


def _flow_groups(atoms: pd.DataFrame) -> pd.DataFrame:
    """(year, Stadtteil, basis) of every year whose counts are split into flow atoms."""
    split = atoms[atoms["atom"].str.endswith(HZE_BESTAND)]
    basis = split["atom"].str.slice(len("hze:"), -len(HZE_BESTAND))
    return pd.DataFrame({"year": split["year"].astype(int), "st": split["stadtteil_code"], "basis": basis})


def identities(atoms: pd.DataFrame) -> list[np.ndarray]:
    """Known zero sums: B(y) + E(y) − S(y) − B(y − 1) = 0 for consecutive flow years."""
    index = AtomIndex.of(atoms)
    out = []
    for g in _flow_groups(atoms).itertuples(index=False):
        a = f"hze:{g.basis}"
        vec = index.vector(
            {
                (g.year, g.st, a + HZE_BESTAND): 1.0,
                (g.year, g.st, a + HZE_ENDED): 1.0,
                (g.year, g.st, a + HZE_STARTED): -1.0,
                (g.year - 1, g.st, a + HZE_BESTAND): -1.0,
            }
        )
        if vec is not None:
            out.append(vec)
    return out


def flow_targets(atoms: pd.DataFrame, min_count: int) -> list[tuple[np.ndarray, str]]:
    """Small counts per Stadtteil and basis that are sums of atoms: Fälle (B + E) and the
    cases begun before the year (B + E − S); the single atoms are targets anyway."""
    index = AtomIndex.of(atoms)
    values = atoms["value"].to_numpy(float)
    out = []
    for g in _flow_groups(atoms).itertuples(index=False):
        a = f"hze:{g.basis}"
        both = {(g.year, g.st, a + HZE_BESTAND): 1.0, (g.year, g.st, a + HZE_ENDED): 1.0}
        for label, coefs in (
            ("Fälle", both),
            ("vor dem Jahr begonnen", {**both, (g.year, g.st, a + HZE_STARTED): -1.0}),
        ):
            vec = index.vector(coefs)
            if vec is None:
                continue
            value = float(vec @ values)
            if np.isnan(value) or 1 <= value < min_count:
                out.append((vec, f"Einzelwert HzE § {g.basis} {label} in {g.st} {g.year}"))
    return out


def descriptive_rows(desc: pd.DataFrame, year: int, config: Config) -> pd.DataFrame:
    """The cells of the HzE tables of one year (``desc``: group, by and the count and EUR
    columns, unprotected) as rows the disclosure mechanism treats like indicator rows."""
    rows = []
    for r in desc.itertuples(index=False):
        for column in CELL_COLUMNS:
            family, atom_ids = cell_atoms(r.by, r.group, column)
            value = float(getattr(r, column))
            rows.append(
                {
                    "indicator_id": TABLE_ID,
                    "year": year,
                    "area_level": "stadt",
                    "area_code": config.commune.ags,
                    "numerator": value,
                    "denominator": np.nan,
                    "value": value,
                    # an EUR cell has as many contributors as the row has cases
                    "disclosure_count": float(r.counted) if column == "eur" else value,
                    "source_suppressed": False,
                    "pooled_from": pd.NA,
                    "cell": cell_key(year, r.by, r.group, column),
                    "family": family,
                    "atom_ids": atom_ids,
                }
            )
    return pd.DataFrame(rows)


def rows_from_keys(keys: pd.Series, config: Config) -> pd.DataFrame:
    """Cell rows (without values) from published cell keys, for the audit."""
    rows = []
    for key in keys:
        year, by, group, column = parse_key(key)
        family, atom_ids = cell_atoms(by, group, column)
        rows.append(
            {
                "indicator_id": TABLE_ID,
                "year": year,
                "area_level": "stadt",
                "area_code": config.commune.ags,
                "pooled_from": pd.NA,
                "denominator": np.nan,
                "denominator_hidden": True,
                "cell": key,
                "family": family,
                "atom_ids": atom_ids,
            }
        )
    return pd.DataFrame(rows)
