"""The HzE page's Fazit, assumptions, changes between editions, real spending and event wording."""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.core.config import HzeAnalysis
from helpers.report import hze_sections as T


def _effects(did=(0.83, 0.68, 1.03, 0.09), event=(1.04, 0.87, 1.24, 0.64), pre_p=0.14, share=0.4, its=None):
    """Effect rows as the analysis writes them; rate ratios given on the natural scale."""
    rows = [
        {
            "design": "did",
            "series": "neue_faelle_ohne_28",
            "term": "late",
            "estimate": np.log(did[0]),
            "ci_low": np.log(did[1]),
            "ci_high": np.log(did[2]),
            "p_value": did[3],
            "n_treated": 5,
            "n_control": 8,
        },
        {
            "design": "event_study",
            "series": "x",
            "term": "pretrend_joint",
            "estimate": np.nan,
            "ci_low": np.nan,
            "ci_high": np.nan,
            "p_value": pre_p,
            "n_control": 12,
        },
        {
            "design": "event_study",
            "series": "x",
            "term": "post_mean",
            "estimate": np.log(event[0]),
            "ci_low": np.log(event[1]),
            "ci_high": np.log(event[2]),
            "p_value": event[3],
            "n_control": 12,
            "n_comparison_all": 21,
            "p_model": 0.5,
            "p_placebo": event[3],
        },
        {
            "design": "programme",
            "series": "neue_faelle_ohne_28",
            "term": "treated_share_new",
            "estimate": share,
            "ci_low": np.nan,
            "ci_high": np.nan,
            "p_value": np.nan,
        },
        {
            "design": "programme",
            "series": "101",
            "term": "treated_start",
            "estimate": 2017.0,
            "ci_low": np.nan,
            "ci_high": np.nan,
            "p_value": np.nan,
        },
        {
            "design": "programme",
            "series": "303",
            "term": "treated_start",
            "estimate": 2019.0,
            "ci_low": np.nan,
            "ci_high": np.nan,
            "p_value": np.nan,
        },
    ]
    its = its or (-13.3e6, -38.3e6, 11.7e6)
    rows.append(
        {
            "design": "its",
            "series": "ausgaben_eur",
            "term": "cumulated_gap",
            "estimate": its[0],
            "ci_low": its[1],
            "ci_high": its[2],
            "p_value": 0.3,
        }
    )
    return pd.DataFrame(rows)


def _balance(net=-2.1e6, low=-9.3e6, high=5.2e6):
    return pd.DataFrame(
        {
            "scenario": ["base", "base"],
            "year": [2024, 2025],
            "cum_net_eur": [-3e6, net],
            "cum_net_low": [-8e6, low],
            "cum_net_high": [1e6, high],
            "cum_prevention_eur": [4.7e6, 5.2e6],
            "cum_avoided_eur": [1.2e6, 3.1e6],
            "discount_rate": [0.03, 0.03],
        }
    )


def _plain(markup: str) -> str:
    import re

    return re.sub(r"<[^>]+>", "", str(markup)).replace("\u00a0", " ")


def test_fazit_reconciles_the_designs_with_the_citywide_equivalent():
    out = _plain(T.conclusion_text(_effects(), _balance(), "Leverkusen", 2025, 3))
    assert "−17 % (−32 % bis +3 %) neue Hilfen (p = 0,09): ein Rückgang ist möglich, aber nicht gesichert" in out
    # city-wide: 1 − 0,4 · 0,17 = 0,932 → −7 %; it lies inside the event interval (−13 % … +24 %)
    assert "(40 % der neuen Hilfen entfallen auf diese Stadtteile) entspricht das −7 %" in out
    assert "die Zeitreihe der Gesamtstadt (13,3 Mio. € weniger, 95-%-Intervall −38,3 bis 11,7 Mio. €)" in out
    assert "schließt beides ein, keine Wirkung und diesen Wert" in out
    assert "widersprechen sich also nicht" in out
    assert "Saldo bis 2025 −2,1 Mio. €" in out and "ob sich das Programm finanziell auszahlt, ist offen" in out
    assert "nicht zeigen können sie" in out


def test_fazit_says_when_the_designs_do_not_fit():
    # event interval +(−5 %) … +24 % excludes the city-wide −7 %
    out = _plain(T.conclusion_text(_effects(event=(1.04, 0.95, 1.24, 0.64)), _balance(), "L", 2025, 3))
    assert "schließt eine Wirkung dieser Größe aus" in out and "passen also nicht ganz zusammen" in out
    gone = _plain(T.conclusion_text(_effects(pre_p=0.01), _balance(-3.7e6, -7.1e6, -0.6e6), "L", 2025, 3))
    assert "der Vergleich mit anderen Kommunen entfällt" in gone
    assert "bisher haben die vermiedenen HzE-Ausgaben die Präventionsausgaben nicht gedeckt" in gone
    early = T.conclusion_text(_effects().query("design != 'did'"), _balance(), "L", 2025, 3)
    assert "noch zu früh" in early


def test_programme_named_with_its_stadtteile_and_start():
    out = _plain(T.programme_text(_effects(), "Leverkusen", 2017, "Kein Kind zurücklassen!", {"101": "Wiesdorf"}))
    assert out == (
        "Leverkusen nimmt seit 2017 am Programm „Kein Kind zurücklassen!“ teil. Neue Angebote des Programms gibt "
        "es in 2 Stadtteilen: Wiesdorf (seit 2017) und 303 (seit 2019)."
    )


def test_parameters_are_given_with_their_values():
    h = HzeAnalysis(programme_start_year=2017)
    out = _plain(T.parameters_text(h, 2025))
    assert "Programmstart 2017" in out and "Wirkungsverzögerung 3 Jahre" in out and "ab dem 4. Jahr" in out
    assert "+3,0 % pro Jahr, 2023 einmalig +8 %" in out and "in Preisen von 2025" in out
    assert "Kalkulationszins der Bilanz: 3,0 % pro Jahr, abgezinst auf den Programmstart 2017" in out
    assert "Konfiguration" not in out
    own = _plain(T.parameters_text(h.model_copy(update={"price_index": {2010: 90.0, 2025: 120.0}}), 2025))
    assert "eigene Preisreihe der HzE-Entgelte für 2010–2025" in own


def test_balance_never_calls_a_wholly_negative_band_uncertain():
    out = _plain(T.balance_text(_balance(-3.7e6, -7.1e6, -0.6e6), 2025, 2017))
    assert "Das ganze Band liegt im Minus" in out and "unsicher" not in out and "Bootstrap" not in out
    assert "mit 3,0 % pro Jahr abgezinst auf den Programmstart 2017" in out
    assert "reicht vom Minus ins Plus" in _plain(T.balance_text(_balance(), 2025, 2017))
    assert "liegt im Plus" in T.balance_verdict(0.1, 2.0)


def test_changes_since_earlier_editions():
    now = _effects()
    ed23 = _effects(did=(0.8, 0.66, 0.97, 0.03)).assign(edition=2023)
    ed24 = _effects().assign(edition=2024)
    rows = []
    for ed in (ed23, ed24):
        part = ed[ed["design"].isin(["did", "its", "event_study"])].copy()
        part["design"] = "edition:" + part["design"]
        rows.append(part)
    bal = pd.DataFrame(
        [
            {
                "design": "edition:balance",
                "term": "cum_net",
                "estimate": -3e6,
                "ci_low": -7e6,
                "ci_high": 1e6,
                "edition": e,
            }
            for e in (2023, 2024)
        ]
    )
    effects = pd.concat([now, *rows, bal], ignore_index=True)
    out = _plain(T.changes_section(effects, _balance(), 2025))
    assert out.startswith("## Was sich gegenüber dem Bericht 2024 geändert hat")
    assert "Gegenüber dem Bericht 2024 hat sich keine Schlussfolgerung geändert." in out
    assert (
        "Im Bericht 2023 hieß es, neue Hilfen seien in Stadtteilen mit Präventionsangeboten gesichert "
        "zurückgegangen; seit dem Bericht 2024 heißt es: ein Rückgang neuer Hilfen in Stadtteilen mit "
        "Präventionsangeboten ist möglich, aber nicht gesichert."
    ) in out
    assert T.changes_section(now, _balance(), 2023) == ""  # first edition: nothing to compare


def test_real_spending_beside_nominal():
    its = pd.DataFrame(
        {
            "series": "ausgaben_eur",
            "year": [2010, 2025],
            "observed_nominal": [10e6, 16e6],
            "observed": [13e6, 16e6],
            "u21": [30000.0, 32000.0],
        }
    )
    out = _plain(T.real_spending_text(its, 2025))
    # 16/10 − 1 = +60 %; real 16/13 − 1 = +23 %; per head 433 € → 500 € (+15 %)
    assert "2010 10,0 Mio. € und 2025 16,0 Mio. € in laufenden Preisen (nominal, +60 %)" in out
    assert "waren es 2010 13,0 Mio. €: real +23 %, je unter 21-Jährigen 433 € und 500 € (+15 %)" in out
    assert T.real_spending_text(its.iloc[:0], 2025) == ""


def test_event_text_names_both_comparison_sets_and_leaves_a_broken_estimate_out():
    ok = _plain(T.event_text(_effects(), "Leverkusen", 3))
    assert "mit den 12 der 21 Vergleichskommunen, die an keinem Präventionsprogramm teilnehmen; die übrigen 9" in ok
    assert "wich die Rate im Mittel um +4 % (−13 % bis +24 %) von diesem Trend ab (p = 0,64)" in ok
    broken = _plain(T.event_text(_effects(pre_p=0.01), "Leverkusen", 3))
    assert "nicht ausgewiesen" in broken and "wich die Rate im Mittel" not in broken
