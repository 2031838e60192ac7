"""Statistische Geheimhaltung: the exact differencing audit, primary and secondary suppression.

Adversarial tests try the attacks a reader could make on the published tables and assert
that they succeed on unprotected tables and fail after protection.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from indicator_fixture import cell_index, indicator_setup

from helpers.indicators.disclosure import audit, protect, published_view, recoverable


def test_recoverable_known_answers():
    # atoms: A, B, C in one Stadtbezirk; published: A, B and the Bezirk total A+B+C
    published = np.array([[1, 0, 0], [0, 1, 0], [1, 1, 1]], float)
    c = np.array([[0, 0, 1]], float)
    assert recoverable(published, c).tolist() == [True]  # C = total - A - B
    assert recoverable(published[[0, 2]], c).tolist() == [False]  # B+C known, not C alone
    assert recoverable(published[[0, 2]], np.array([[0, 1, 1]], float)).tolist() == [True]
    # across two equations: A+B, B+C, A+C published -> every atom recoverable (2-step differencing)
    pairs = np.array([[1, 1, 0], [0, 1, 1], [1, 0, 1]], float)
    assert recoverable(pairs, np.eye(3)).tolist() == [True, True, True]


setup = indicator_setup
cell = cell_index


def test_small_stadtteil_cannot_be_recovered_from_its_stadtbezirk(tmp_path):
    """Manfort has 2 children under 3 in SGB II: Bezirk I minus Wiesdorf would give it away."""
    config, t, catalogue, values = setup(tmp_path, ["sgb2_u3"])
    unprotected = values.assign(suppression=np.where(values["disclosure_count"].between(1, 2), "primär", ""))
    attack = audit(unprotected, catalogue, t, config)
    assert any("geheime Zelle" in a for a in attack)  # primary suppression alone is not enough
    protected = protect(values, catalogue, t, config)
    assert protected.at[cell(values, "sgb2_u3", "stadtteil", "102"), "suppression"] == "primär"
    assert audit(protected, catalogue, t, config) == []
    bezirk = protected.at[cell(values, "sgb2_u3", "stadtbezirk", "1"), "suppression"]
    wiesdorf = protected.at[cell(values, "sgb2_u3", "stadtteil", "101"), "suppression"]
    assert "sekundär" in (bezirk, wiesdorf)
    # the same attack by hand on the published view: the numbers needed are not there
    pub = published_view(protected, config.thresholds.min_denominator, config.thresholds.min_cell_count)
    known = pub.set_index(["indicator_id", "year", "area_level", "area_code"])["numerator"]
    assert np.isnan(known[("sgb2_u3", 2025, "stadtbezirk", "1")]) or np.isnan(
        known[("sgb2_u3", 2025, "stadtteil", "101")]
    )


def test_small_age_group_cannot_be_recovered_from_total_and_other_groups(tmp_path):
    """Wiesdorf: persons 3 to under 6 in SGB II = 2; u6 (= u3 + 3-u6) minus u3 would show it."""

    def small_3_u6(t):
        t["sgb2"].loc[(t["sgb2"].area_code == "101") & (t["sgb2"].measure == "pers_bg_3_u6"), "value"] = 2

    config, t, catalogue, values = setup(tmp_path, ["sgb2_u3", "sgb2_u6", "sgb2_u15"], small_3_u6)
    unprotected = values.assign(suppression="")
    attack = audit(unprotected, catalogue, t, config)
    assert any("Einzelwert sgb2:pers_bg_3_u6 in 101 2025" in a for a in attack)
    protected = protect(values, catalogue, t, config)
    assert audit(protected, catalogue, t, config) == []
    u3 = protected.at[cell(values, "sgb2_u3", "stadtteil", "101"), "suppression"]
    u6 = protected.at[cell(values, "sgb2_u6", "stadtteil", "101"), "suppression"]
    assert "sekundär" in (u3, u6)


def test_small_type_of_help_cannot_be_recovered(tmp_path):
    """HzE with and without Erziehungsberatung: their difference is § 28; stationary = part of the rest."""

    def few_eb(t):
        h = t["hze_year"]
        h.loc[(h.stadtteil_code == "201") & (h.basis == "28"), "counted"] = 1

    config, t, catalogue, values = setup(tmp_path, ["hze_rate", "hze_rate_incl_eb", "hze_stationary_share"], few_eb)
    assert audit(values.assign(suppression=""), catalogue, t, config)
    protected = protect(values, catalogue, t, config)
    assert audit(protected, catalogue, t, config) == []


def test_complement_of_a_share_is_protected(tmp_path):
    """9 of 10 children examined with U8/U9: '1 without' follows from numerator and denominator."""

    def one_missing(t):
        s = t["seu"]
        s.loc[(s.year == 2025) & (s.stadtteil_code == "201"), "u8u9_documented"] = [True] * 9 + [False]

    config, t, catalogue, values = setup(tmp_path, ["u8u9"], one_missing)
    attack = audit(values.assign(suppression=""), catalogue, t, config)
    assert any("seu:u8u9=nein in 201 2025" in a for a in attack)
    protected = protect(values, catalogue, t, config)
    assert audit(protected, catalogue, t, config) == []


def test_breaking_a_secondary_suppression_is_detected(tmp_path):
    config, t, catalogue, values = setup(tmp_path, ["sgb2_u3"])
    protected = protect(values, catalogue, t, config)
    secondary = protected.index[protected["suppression"] == "sekundär"]
    assert len(secondary)
    broken = protected.copy()
    broken.loc[secondary, "suppression"] = ""
    assert audit(broken, catalogue, t, config)


def test_zeros_are_published_and_symbols_are_set(tmp_path):
    config, t, catalogue, values = setup(tmp_path, ["seu_numbers", "sgb2_u3"])
    protected = protect(values, catalogue, t, config)
    pub = published_view(protected, 50, config.thresholds.min_cell_count)
    zero = pub.loc[cell(values, "seu_numbers", "stadtteil", "101")]
    assert zero["symbol"] == "–" and zero["value"] == 0
    secret = pub.loc[cell(values, "sgb2_u3", "stadtteil", "102")]
    assert (
        secret["symbol"] == "."
        and pd.isna(secret["numerator"])
        and pd.isna(secret["value"])
        and pd.isna(secret["ci_lower"])
    )
    uncertain = published_view(protected, 100, config.thresholds.min_cell_count)
    row = uncertain.loc[cell(values, "sgb2_u3", "stadtbezirk", "2")]  # Opladen alone: 20 of 72
    assert row["symbol"] == "( )" and row["value"] == pytest.approx(100 * 20 / 72)
    assert "disclosure_count" not in pub.columns


@pytest.mark.parametrize("min_count", [3, 5])
def test_threshold_comes_from_the_config(tmp_path, min_count):
    config, t, catalogue, values = setup(tmp_path, ["sgb2_u3"])
    config = config.model_copy(
        update={"thresholds": config.thresholds.model_copy(update={"min_cell_count": min_count})}
    )
    protected = protect(values, catalogue, t, config)
    primary = protected[protected["suppression"] == "primär"]
    assert set(primary["disclosure_count"]) <= set(range(1, min_count))
    assert audit(protected, catalogue, t, config) == []
