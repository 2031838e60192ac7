"""Adversarial tests: the HzE tables as cells of the one disclosure mechanism.

Each leak found by the differencing attack on the sample is rebuilt on a hand-made
fixture: the old rule (``protect_counts``, one column of one table at a time, copied
below as it was) publishes a table from which the exact audit recovers the secret; the
new mechanism (``hze_tables.protect_tables``) publishes nothing recoverable.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from indicator_fixture import CODES, fixture_config, tables

from helpers.analysis.hze_tables import apply_protection, expected_texts, protect_tables, raw_tables
from helpers.indicators import hze_cells as C
from helpers.indicators.catalogue import Catalogue, load_catalogue
from helpers.indicators.compute import compute_all
from helpers.indicators.disclosure import audit, protect
from helpers.sources.hze import SETTING

HZE_IDS = ["hze_rate", "hze_rate_incl_eb", "hze_stationary_share", "hze_stationary_rate", "hze_eur_u21"]
COLUMNS = [
    "year", "stadtteil_code", "basis", "setting", "counted", "bestand_3112", "ended", "started",
    "case_days", "ended_months", "started_age_sum",
]  # fmt: skip


def old_protect_counts(table, count_cols, min_count, linked):
    """The old rule, as it was in helpers.analysis.hze (for the 'fails on the old code' half)."""
    out = table.copy().astype({c: float for c in count_cols})
    for col in count_cols:
        small = out[col].between(1, min_count - 1)
        if small.sum() == 1:
            rest = out.loc[~small & out[col].gt(0), col]
            if len(rest):
                small.loc[rest.idxmin()] = True
        out.loc[small, col] = np.nan
        for derived in linked.get(col, []):
            out.loc[small, derived] = np.nan
    return out


def hze_year(
    flows: dict[tuple[int, str], tuple[int, int, int]], elsewhere: dict[str, tuple] | None = None
) -> pd.DataFrame:
    """Rows per (year, basis) in Stadtteil 101: (Bestand 31.12., beendet, begonnen); every
    other basis and Stadtteil has 20 ongoing cases begun before 2024 (Bestand 20 both years)
    unless ``elsewhere`` says otherwise for a basis."""
    rows = []
    other = elsewhere or {}
    for year in (2024, 2025):
        for code in CODES:
            for basis in SETTING:
                default = other.get(basis, (20, 0, 0))
                b, e, s = flows.get((year, basis), default) if code == "101" else default
                n = b + e
                rows.append((year, code, basis, SETTING[basis], n, b, e, s, 200 * n, 6.0 * e, 10.0 * s))
    return pd.DataFrame(rows, columns=COLUMNS)


def setup(tmp_path, flows, cases: pd.DataFrame | None = None, elsewhere: dict | None = None):
    config = fixture_config(tmp_path)
    t = tables()
    t["hze_year"] = hze_year(flows, elsewhere)
    t["hze_expenditure"] = pd.DataFrame(
        [(y, b, SETTING[b], 10_000.0 * (1 + i)) for y in (2024, 2025) for i, b in enumerate(SETTING)],
        columns=["year", "basis", "setting", "eur"],
    )
    if cases is not None:
        t["hze_cases"] = cases
    full = load_catalogue(config.catalogue_path)
    catalogue = Catalogue(phases=full.phases, indicators=[full.get(i) for i in HZE_IDS])
    t["indicators_internal"] = compute_all(catalogue, t, config)
    raw = {y: raw_tables(t["hze_year"], t["hze_expenditure"], t["population"], y) for y in (2024, 2025)}
    return config, t, catalogue, raw


def cells_of(raw: dict[int, pd.DataFrame], shown: dict[int, pd.DataFrame], config) -> pd.DataFrame:
    """Audit rows of published tables: a cell is secret where the shown table has NaN."""
    frames = []
    for year, table in raw.items():
        rows = C.descriptive_rows(table, year, config)
        secret = [
            np.isnan(shown[year].loc[shown[year]["group"] == C.parse_key(k)[2]].query("by == @by")[col].iloc[0])
            for k, by, col in zip(
                rows["cell"],
                [C.parse_key(k)[1] for k in rows["cell"]],
                [C.parse_key(k)[3] for k in rows["cell"]],
                strict=True,
            )
        ]
        frames.append(rows.assign(suppression=np.where(secret, "geheim", "")))
    return pd.concat(frames, ignore_index=True)


def old_tables(raw: dict[int, pd.DataFrame]) -> dict[int, pd.DataFrame]:
    linked = {"counted": ["eur"], "ended": [], "started": []}
    out = {}
    for year, table in raw.items():
        parts = [
            old_protect_counts(table[table["by"] == by], ["counted", "bestand_3112", "ended", "started"], 3, linked)
            if by != "gesamt"
            else table[table["by"] == by]
            for by in ("basis", "setting", "gesamt")
        ]
        out[year] = pd.concat(parts)
    return out


def attack(values, catalogue, t, config) -> list[str]:
    return audit(values, catalogue, t, config, C.extra_atoms(t, config))


def published_indicators(t) -> pd.DataFrame:
    return t["indicators_internal"].assign(suppression="", denominator_hidden=False)


def secret_label(cells: pd.DataFrame, key: str) -> str:
    return f"geheime Zelle Zeile {cells.index[cells['cell'] == key][0]} (num)"


def check(tmp_path, flows, key, cases=None):
    """The old tables leak ``key``; the new ones leak nothing."""
    config, t, catalogue, raw = setup(tmp_path, flows, cases)
    ind = published_indicators(t)
    old = cells_of(raw, old_tables(raw), config)
    old_values = pd.concat([ind, old], ignore_index=True)
    found = attack(old_values, catalogue, t, config)
    assert old_values.at[old_values.index[old_values["cell"] == key][0], "suppression"] == "geheim"
    assert any(secret_label(old_values, key) in f for f in found), found
    new = protect_tables(raw, t, config, published=None)
    assert new.loc[new["cell"] == key, "suppression"].iloc[0] != ""
    assert attack(new, catalogue, t, config) == []
    return config, t, catalogue, raw, new


def test_hilfeform_minus_other_hilfearten(tmp_path):
    """§ 35 begonnen = 2: the old rule hides § 32 begonnen as its partner, but ambulant
    begonnen minus the other ambulant Hilfearten still gives § 35."""
    flows = {(2025, "35"): (22, 0, 2), (2025, "32"): (24, 0, 4)}
    flows |= {(2025, b): (30, 0, 10) for b in ("27(2)", "28", "29", "30", "31", "35a", "33", "34", "41")}
    check(tmp_path, flows, C.cell_key(2025, "basis", "35", "started"))


def test_faelle_minus_bestand(tmp_path):
    """§ 35 beendet = 2 is hidden, its partner too, but Fälle − Bestand of § 35 gives it."""
    flows = {(2025, "35"): (18, 2, 0), (2025, "29"): (17, 3, 0)}
    check(tmp_path, flows, C.cell_key(2025, "basis", "35", "ended"))


def test_begonnen_across_years(tmp_path):
    """§ 35 begonnen 2025 = 2 and § 29 = 1 (two small cells: the old rule adds no partner,
    and within 2025 only their sum follows); Fälle 2025 − Bestand 2024 gives § 35 alone."""
    flows = {(2024, "35"): (8, 0, 0), (2025, "35"): (10, 0, 2), (2024, "29"): (9, 0, 0), (2025, "29"): (10, 0, 1)}
    check(tmp_path, flows, C.cell_key(2025, "basis", "35", "started"))


def dominance_fixture() -> pd.DataFrame:
    """Case list: 20 ongoing cases per Stadtteil and basis, but § 33 only in Wiesdorf: one
    case the whole of 2025 and three begun on 31.12.2025 (one day each)."""
    start, late = pd.Timestamp(2023, 1, 1), pd.Timestamp(2025, 12, 31)
    rows = [(c, b, start) for c in CODES for b in SETTING if b != "33" for _ in range(20)]
    rows += [("101", "33", start)] + [("101", "33", late)] * 3
    frame = pd.DataFrame(rows, columns=["stadtteil_code", "basis", "start"])
    return frame.assign(end=pd.NaT, age_at_start=10, sex="m")


def test_dominated_eur_cell_is_secret_and_covered(tmp_path):
    """One § 33 case makes up 99 % of the § 33 expenditure (4 cases: enough for the count
    rule): the old rule published it; now it is secret ("Dominanz") and the total minus
    the other Hilfearten does not give it back."""
    config, t, catalogue, raw = setup(tmp_path, {(2025, "33"): (4, 0, 3)}, dominance_fixture(), {"33": (0, 0, 0)})
    key = C.cell_key(2025, "basis", "33", "eur")
    old = old_tables(raw)[2025]
    assert not np.isnan(old.loc[(old["by"] == "basis") & (old["group"] == "33"), "eur"].iloc[0])
    new = protect_tables(raw, t, config, published=None)
    assert new.loc[new["cell"] == key, "suppression"].iloc[0] == "Dominanz"
    assert (new.loc[new["cell"].str.endswith("|eur"), "suppression"] == "sekundär").any()
    assert attack(new, catalogue, t, config) == []


def test_any_eur_cell_with_few_cases_is_secret(tmp_path):
    """§ 29: 2 cases in the city (both in Wiesdorf): its expenditure has 2 contributors."""
    config, t, _catalogue, raw = setup(tmp_path, {(2025, "29"): (1, 1, 2)}, elsewhere={"29": (0, 0, 0)})
    new = protect_tables(raw, t, config, published=None)
    assert new.loc[new["cell"] == C.cell_key(2025, "basis", "29", "eur"), "suppression"].iloc[0] != ""


def test_audit_catches_a_planted_leak_in_the_hze_cells(tmp_path):
    flows = {(2025, "35"): (18, 2, 0), (2025, "29"): (17, 3, 0)}
    config, t, catalogue, raw = setup(tmp_path, flows)
    new = protect_tables(raw, t, config, published=None)
    assert attack(new, catalogue, t, config) == []
    secondary = new.index[new["suppression"] == "sekundär"]
    assert len(secondary)
    planted = new.copy()
    planted.loc[secondary[0], "suppression"] = ""
    assert attack(planted, catalogue, t, config)


def test_stored_table_symbols_and_keys(tmp_path):
    flows = {(2025, "35"): (18, 2, 0), (2025, "29"): (17, 3, 0)}
    config, t, _catalogue, raw = setup(tmp_path, flows, elsewhere={"30": (0, 0, 0)})
    new = protect_tables(raw, t, config, published=None)
    stored = apply_protection(raw[2025], new, 2025)
    row = stored[(stored["by"] == "basis") & (stored["group"] == "35")].iloc[0]
    assert row["zeichen_ended"] == "." and np.isnan(row["ended"]) and np.isnan(row["duration_months"])
    assert row["cell_ended"] == "hze|2025|basis|35|ended"
    zero = stored[(stored["by"] == "basis") & (stored["group"] == "30")].iloc[0]
    assert zero["zeichen_counted"] == "–"
    texts = expected_texts(stored)
    assert texts["hze|2025|basis|35|ended"] == "." and texts["hze|2025|basis|30|counted"] == "–"


@pytest.mark.parametrize("key", ["hze|2025|setting|teilstationär|started", "hze|2024|gesamt|Insgesamt|eur"])
def test_cell_keys_round_trip(key):
    year, by, group, column = C.parse_key(key)
    assert C.cell_key(year, by, group, column) == key
    family, atoms = C.cell_atoms(by, group, column)
    assert family == ("hze_eur" if column == "eur" else "hze") and atoms


def test_union_audit_reads_the_stored_tables_and_catches_a_planted_leak(tmp_path):
    """``doit geheimhaltung``'s path: stored tables (symbols, keys) + indicator cells."""
    from helpers.indicators.confidentiality_check import audit_everything, summarise

    config, t, catalogue, raw = setup(tmp_path, {(2025, "35"): (18, 2, 0), (2025, "29"): (17, 3, 0)})
    published = protect(t["indicators_internal"], catalogue, t, config)  # the indicators step
    new = protect_tables(raw, t, config, published=published)  # the HzE step: indicators frozen
    assert (new["suppression"] != "").any()
    stored = pd.concat([apply_protection(raw[y], new, y) for y in raw], ignore_index=True)
    findings, cells, seconds = audit_everything(published, stored, catalogue, t, config)
    assert findings == [] and len(cells) == len(stored) * len(C.CELL_COLUMNS)
    summary = summarise(findings, seconds, cells, pd.DataFrame({"suppression": [""], "mass": [10.0]}))
    assert summary.by_reason["primär"] >= 1 and summary.recoverable == 0
    planted = stored.copy()
    ended = (planted["by"] == "basis") & (planted["group"] == "35") & (planted["cell_ended"].str.startswith("hze|2025"))
    partner = planted.index[(planted["grund_ended"] == "sekundär") & ~ended]
    planted.loc[partner, "zeichen_ended"] = ""
    found, _, _ = audit_everything(published, planted, catalogue, t, config)
    assert any("geheime Zelle" in f for f in found)
