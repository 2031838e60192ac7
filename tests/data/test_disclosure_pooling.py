"""Adversarial tests: pooled values, the BA remainder, the risk summary.

A pooled cell does not protect the single years in it (Stadtbezirk 2025 minus the other
Stadtteile gives the single year behind a pooled Stadtteil value); a BA remainder
("keine Zuordnung möglich") may be worked out where the BA published it, not where it
suppressed it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from indicator_fixture import cell_index, indicator_setup

from helpers.indicators.disclosure import RiskSummary, audit, protect, risk_summary, summary_text


def setup(tmp_path, ids, change=None, min_denominator=1):
    return indicator_setup(tmp_path, ids, change, min_denominator=min_denominator)


row = cell_index


def one_overweight_in_wiesdorf_and_big_manfort(t):
    """Wiesdorf 2025: 1 of 10 children overweight (2024: none); Manfort: 60 children a year,
    12 of them overweight, so it is published as a single year while Wiesdorf (10 < 50)
    is pooled 2024-25; Stadtbezirk I 2025 (13) − Manfort (12) = Wiesdorf 2025 (1)."""
    s = t["seu"]
    wiesdorf = (s.year == 2025) & (s.stadtteil_code == "101")
    s.loc[wiesdorf, "bmi_class"] = ["normal"] * 9 + ["übergewichtig"]
    manfort = s[s.stadtteil_code == "102"]
    manfort = manfort.assign(bmi_class=["übergewichtig" if i % 10 < 2 else "normal" for i in range(len(manfort))])
    t["seu"] = pd.concat([s[s.stadtteil_code != "102"]] + [manfort] * 6, ignore_index=True)


def old_suppression(values, config):
    """The primary rule on what is shown (a pooled cell counts as one cell), as before."""
    m = config.thresholds.min_cell_count
    small = values["disclosure_count"].between(1, m - 1) | values["denominator"].between(1, m - 1)
    return values.assign(suppression=np.where(small, "primär", ""))


def test_single_year_behind_a_pooled_cell_stays_secret(tmp_path):
    config, t, catalogue, values = setup(
        tmp_path, ["seu_overweight"], one_overweight_in_wiesdorf_and_big_manfort, min_denominator=50
    )
    w = row(values, "seu_overweight", "stadtteil", "101")
    assert values.at[w, "pooled_from"] == 2024 and values.at[w, "numerator"] == 1  # pooled 2024-25: 0 + 1
    m = row(values, "seu_overweight", "stadtteil", "102")
    assert pd.isna(values.at[m, "pooled_from"])
    # the old targets (single atoms, secret cells): Bezirk − Manfort = Wiesdorf 2025 (= 1) went unnoticed
    # there; the new audit names it
    found = audit(old_suppression(values, config), catalogue, t, config)
    assert any("Einzeljahr 2025 von seu_overweight in 101 (num)" in f for f in found), found
    protected = protect(values, catalogue, t, config)
    assert audit(protected, catalogue, t, config) == []
    bezirk = protected.at[row(values, "seu_overweight", "stadtbezirk", "1"), "suppression"]
    assert "sekundär" in (bezirk, protected.at[m, "suppression"])


def test_ba_remainder_published_by_the_ba_may_be_worked_out(tmp_path):
    """Remainder of persons under 3 in SGB II = 1 (BA published it): city − Stadtteile gives
    it, which is allowed; nothing is suppressed for it."""
    config, t, catalogue, values = setup(tmp_path, ["sgb2_u3"])
    protected = protect(values, catalogue, t, config)
    assert not any("_rest" in f for f in audit(values.assign(suppression=""), catalogue, t, config))
    assert audit(protected, catalogue, t, config) == []


def test_ba_remainder_the_ba_suppressed_stays_secret(tmp_path):
    """The BA wrote "*" for the remainder: city − Σ Stadtteile would reveal it."""

    def star_rest(t):
        s = t["sgb2"]
        rest = (s.area_level == "ohne_zuordnung") & (s.measure == "pers_bg_u3")
        s.loc[rest, "value"] = pd.NA
        s.loc[rest, "is_suppressed"] = True

    config, t, catalogue, values = setup(tmp_path, ["sgb2_u3"], star_rest)
    found = audit(values.assign(suppression=""), catalogue, t, config)
    assert any("sgb2:pers_bg_u3 in _rest" in f for f in found)
    protected = protect(values, catalogue, t, config)
    assert audit(protected, catalogue, t, config) == []


def test_risk_summary_counts_rules_and_loss():
    cells = pd.DataFrame(
        {
            "suppression": ["", "", "primär", "sekundär", "Quelle", "Dominanz"],
            "mass": [50.0, 30.0, 2.0, 8.0, np.nan, np.nan],
        }
    )
    s = risk_summary(cells, [], 1.25)
    assert isinstance(s, RiskSummary)
    assert s.by_reason == {"primär": 1, "Quelle": 1, "Dominanz": 1, "sekundär": 1, "": 2}
    assert s.suppressed_share == 4 / 6 and s.mass_share == 10 / 90
    text = summary_text(s, 3)
    assert "Informationsverlust: 66,7 % der Zellen, 11,1 % der Fallzahlsumme" in text
    assert ("keine geheime Zelle" in text and "1,2 s" in text) or "1,3 s" in text
