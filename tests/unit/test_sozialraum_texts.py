"""Known-answer tests of the German social-index texts: reasons, sign of the index, stability."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from helpers.analysis.sozialindex import class_stability, dynamics_classes
from helpers.core.config import load_config
from helpers.indicators.catalogue import load_catalogue
from helpers.report.sozialraum_sections import index_table, profile_index_text
from helpers.site.htmlcheck import untagged_numbers
from tests.conftest import CONFIG

CATALOGUE = "src/helpers/indicators/indikatoren.yml"

#: Rheindorf 2012–2025: "niedrig" in 2013, 2024 and 2025, changes 12→13, 13→14, 14→15, 15→16, 23→24
CLASSES = ["mittel", "niedrig", "mittel", "hoch"] + ["mittel"] * 8 + ["niedrig", "niedrig"]
CODES = {"hoch": "high", "mittel": "medium", "niedrig": "low"}


def _plain(markup: object) -> str:
    return re.sub(r"<[^>]+>", "", str(markup))


def _history(code: str = "103", **last: object) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "year": range(2012, 2026),
            "area_code": code,
            "status_class": CLASSES,
            "status_class_code": [CODES[c] for c in CLASSES],
            "status_z": 0.5,
            "dynamics_class_code": "stable",
            "dynamics_index": 0.3,
            "not_classified_reason": "",
            "indicators_used": 4,
            "indicators_total": 4,
            "pooled_inputs": "",
            "missing_inputs": "",
        }
    )
    for column, value in last.items():
        frame.loc[frame.index[-1], column] = value
    return frame


def test_class_stability_counts_years_changes_and_the_last_change():
    stab = class_stability(_history(), 2025).iloc[0]
    assert (stab["years_classified"], stab["years_current"], stab["changes"]) == (14, 3, 5)
    assert stab["current_class"] == "niedrig" and stab["share_current"] == pytest.approx(3 / 14)
    assert (stab["first_year"], stab["last_change_year"], stab["previous_class"]) == (2012, 2024, "mittel")
    # up to 2023 the class "mittel" held since 2016: 10 of 12 years, 4 changes, the last in 2016 (from "hoch")
    earlier = class_stability(_history(), 2023).iloc[0]
    assert (earlier["years_current"], earlier["changes"], earlier["last_change_year"]) == (10, 4, 2016)
    assert earlier["previous_class"] == "hoch"


def test_profile_text_says_what_the_sign_means_and_counts_the_years_of_the_class():
    html = profile_index_text(_history(status_z=1.123), "103", "Rheindorf", 2025)
    assert _plain(html) == (
        "Rheindorf hat 2025 einen **niedrigen** sozialen Status und keine über den Zufall hinaus erkennbare "
        "Veränderung. Statusindex +1,12: mehr soziale Belastung als im Mittel der Stadtteile (positive Werte "
        "bedeuten mehr, negative weniger Belastung; gemessen in Standardabweichungen). Die Statusklasse ist "
        "wechselnd: Rheindorf war in 3 der 14 eingestuften Jahre seit 2012 „niedrig“; die Klasse wechselte 5 Mal, "
        "zuletzt 2024 (vorher „mittel“)."
    )
    assert untagged_numbers(str(html)) == []
    calm = _plain(profile_index_text(_history(status_z=-1.94), "103", "Rheindorf", 2025))
    assert "Statusindex −1,94: weniger soziale Belastung als im Mittel der Stadtteile" in calm


def test_profile_text_of_an_area_below_the_minimum_population_names_the_minimum():
    """Regression: the reason text was formatted before its argument was passed (KeyError: 'min_population')."""
    small = _history(
        status_class_code="not_classified", status_class=None, not_classified_reason="population_below_min"
    )
    html = profile_index_text(small, "103", "Waldburg", 2025, min_population=300)
    assert (
        _plain(html)
        == "Waldburg erhält 2025 keine Einstufung im Sozialraum-Index: weniger als 300 Einwohnerinnen und Einwohner."
    )
    assert untagged_numbers(str(html)) == []
    # a history from before the input columns existed reads the same
    old = small.drop(columns=["indicators_used", "indicators_total", "pooled_inputs", "missing_inputs"])
    assert _plain(profile_index_text(old, "103", "Waldburg", 2025, 1000)).endswith(
        "weniger als 1.000 Einwohnerinnen und Einwohner."
    )


def test_profile_text_of_an_area_with_too_few_indicators_counts_them():
    few = _history(
        status_class_code="not_classified", status_class=None, not_classified_reason="too_few_indicators",
        indicators_used=1,
    )  # fmt: skip
    assert _plain(profile_index_text(few, "103", "Lützenkirchen", 2025)) == (
        "Lützenkirchen erhält 2025 keine Einstufung im Sozialraum-Index: nur für 1 von 4 Indexkennzahlen gibt es "
        "einen veröffentlichten, belastbaren Wert, auch über drei Jahre zusammengefasst; nötig sind mindestens 2."
    )


def test_profile_text_names_pooled_and_missing_inputs():
    catalogue = load_catalogue(CATALOGUE)
    history = _history(
        status_z=-1.2, indicators_used=3, pooled_inputs="sgb2_single_parent:2023,2024,2025;youth_unemployment:2024",
        missing_inputs="unemployment_15_65",
    )  # fmt: skip
    plain = _plain(profile_index_text(history, "103", "Lützenkirchen", 2025, catalogue=catalogue))
    assert plain.endswith(
        "Der Index beruht hier auf 3 von 4 Kennzahlen: Anteil Alleinerziehende (SGB II) zusammengefasst über "
        "2023–2025 (der Wert von 2025 allein beruht auf einer zu kleinen Bezugsgröße); "
        f"{catalogue.get('youth_unemployment').short} mit dem Wert von 2024 (der Wert von 2025 ist geheim gehalten); "
        f"ohne {catalogue.get('unemployment_15_65').short} (2023–2025 geheim gehalten oder auf zu kleiner Bezugsgröße)."
    )


def test_index_table_prints_signed_values_stability_and_the_basis_of_pooled_areas():
    config = load_config(CONFIG)
    catalogue = load_catalogue(CATALOGUE)
    first, second = config.stadtteile[0], config.stadtteile[1]
    history = pd.concat(
        [
            _history(first.code, status_z=1.123, dynamics_index=-0.2),
            _history(second.code, status_z=-0.5, pooled_inputs="sgb2_single_parent:2023,2025"),
        ]
    )
    html = index_table(history, 2025, config, {}, catalogue).data
    row = html[html.index(f">{first.name}<") :]
    row = _plain(row[: row.index("</tr>")])
    assert "+1,12" in row and "−0,20" in row
    assert "wechselnd: 3 von 14 Jahren wie 2025, zuletzt 2024 gewechselt" in row
    plain = _plain(html)
    assert "Statusindex (positiv = mehr Belastung)" in plain
    assert "positiv = mehr soziale Belastung als im Mittel (also ein niedrigerer sozialer Status)" in plain
    assert (
        f"Abweichende Grundlage des Index 2025: {second.name}: Anteil Alleinerziehende (SGB II) zusammengefasst über "
        "2023 und 2025 (der Wert von 2025 allein beruht auf einer zu kleinen Bezugsgröße)." in plain
    )
    assert untagged_numbers(html) == []


def test_dynamics_class_of_an_area_missing_one_of_three_indicators_uses_the_other_two():
    """A: changes +2 and +4 pp (SE 1 each) and no estimate for the third: mean +3, SE 1, z = 3,
    p = 0,0027 → "negativ" (more disadvantage). B has one of three: too few (two needed)."""
    change = pd.DataFrame({"a": [2.0, 1.0], "b": [4.0, np.nan], "c": [np.nan, np.nan]}, index=["A", "B"])
    se = pd.DataFrame({"a": [1.0, 1.0], "b": [1.0, np.nan], "c": [np.nan, np.nan]}, index=["A", "B"])
    out = dynamics_classes(change, se, None, 0.05)
    assert out.loc["A", "dynamics_index"] == pytest.approx(3.0) and out.loc["A", "dynamics_z"] == pytest.approx(3.0)
    assert out.loc["A", "dynamics_p"] == pytest.approx(0.0027, abs=1e-4)
    assert out.loc["A", "dynamics_class_code"] == "negative"
    assert out.loc["B", "dynamics_class_code"] == "not_classified" and np.isnan(out.loc["B", "dynamics_index"])


def test_stability_sentence_of_a_single_change_names_the_class_before():
    history = _history().assign(status_class=["mittel"] * 13 + ["niedrig"], status_class_code=["medium"] * 13 + ["low"])
    plain = _plain(profile_index_text(history, "103", "Rheindorf", 2025))
    assert plain.endswith(
        "Die Statusklasse hat einmal gewechselt: Rheindorf ist seit 2025 „niedrig“, davor war es „mittel“ (14 "
        "eingestufte Jahre seit 2012)."
    )
