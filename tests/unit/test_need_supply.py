"""Known answers for need vs supply (issue 25, points 3 and 4): the flag of high need with no or low
coverage, the one sentence helper of the three pages (checked and nothing found, checked and found,
not checked), and a true zero that reads as 0 - never as a secret - in tables, charts, Steckbrief and
the page audit."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from helpers.analysis.supply import coverage_reference, need_supply, supply_flag
from helpers.core.config import load_config
from helpers.indicators.catalogue import Catalogue, load_catalogue
from helpers.report import steckbrief
from helpers.report.indicator_tables import Place, chart_input, fmt_value, indicator_table, published_values
from helpers.report.need_text import ALL_CLEAR, CHECKED_CLEAR, NOT_RUN, need_check_sentences, need_summary_text
from helpers.report.plots import interval_svg
from helpers.report.sozialraum_sections import need_map_classes
from helpers.site.audit import check_page, published_texts
from tests.conftest import CONFIG

CITY = "05316000"
PHASE = "weiterführende Schule"


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue(load_config(CONFIG).catalogue_path)


# --- the flag ---------------------------------------------------------------------------------------


def test_supply_flag_by_hand():
    assert supply_flag(1.1, 0.5, 0, 0.0, 47.0) == "high_need_no_supply"  # high need, not one place
    assert supply_flag(1.1, 0.5, 0, 0.0, 0.0) == "high_need_no_supply"  # also where no Stadtteil has one
    assert supply_flag(1.1, 0.5, 10, 20.0, 47.0) == "high_need_low_coverage"
    assert supply_flag(0.5, 0.5, 10, 20.0, 47.0) == "high_need_low_coverage"  # the cut itself is high
    assert supply_flag(1.1, 0.5, 30, 47.0, 47.0) == ""  # at the reference: not low
    assert supply_flag(1.1, 0.5, 30, 47.0 * (1 - 1e-12), 47.0) == ""  # rounding is not low
    assert supply_flag(0.49, 0.5, 0, 0.0, 47.0) == ""  # no high need
    assert supply_flag(np.nan, 0.5, 0, 0.0, 47.0) == ""  # need not published: no flag (not checked)
    assert supply_flag(1.1, 0.5, 0, np.nan, 47.0) == ""  # no residents of the ages


def test_coverage_reference_is_the_median_or_else_the_city_wide_coverage():
    persons = pd.Series([1000, 1000, 1000, 1000, 1000])
    # median 30 > 0: the median
    per = pd.Series([0.0, 10.0, 30.0, 40.0, 60.0])
    assert coverage_reference(per, per, persons) == 30.0
    # three of five without places: median 0 -> 1,000 × (2 + 50) / 5,000 = 10,4
    per = pd.Series([0.0, 2.0, 0.0, 0.0, 50.0])
    assert coverage_reference(per, per, persons) == pytest.approx(10.4)
    # no place anywhere: 0
    zero = pd.Series([0.0] * 5)
    assert coverage_reference(zero, zero, persons) == 0.0


def _five(places: list[float]) -> pd.DataFrame:
    """Five Stadtteile of 1,000 residents each; need 40, 36, 10, 14, 25 % (mean 25, sd √138,4 = 11,76)."""
    codes = list("ABCDE")
    need = pd.DataFrame({"area_code": codes, "phase": PHASE, "need_value": [40.0, 36.0, 10.0, 14.0, 25.0]})
    supply = pd.DataFrame({"area_code": codes, "phase": PHASE, "places": places, "services": 1})
    pop = pd.DataFrame({"area_code": codes, "phase": PHASE, "persons": 1000})
    return need_supply(need, supply, pop, 0.5).set_index("area_code")


def test_need_supply_flags_no_place_first_and_low_coverage_against_the_city_when_the_median_is_zero():
    out = _five([0, 2, 0, 0, 50])
    assert out["need_z"].round(3).tolist() == [1.275, 0.935, -1.275, -0.935, 0.0]  # 15/11,76 and 11/11,76
    assert out["coverage_median"].iloc[0] == 0.0
    assert out["coverage_reference"].iloc[0] == pytest.approx(10.4)
    # A: high need, no place; B: high need, 2 per 1,000 < 10,4; C, D: no high need; E: z = 0
    assert out["flag_code"].tolist() == ["high_need_no_supply", "high_need_low_coverage", "", "", ""]
    assert out["flag"].tolist()[:2] == ["hoher Bedarf, kein Angebot", "hoher Bedarf, geringe Abdeckung"]
    assert (out["check_code"] == "").all()


def test_need_supply_gives_equal_coverage_no_flag_and_says_what_was_not_checked():
    # a city-wide service spread by residents: every Stadtteil the same 1.000/3 per 1,000 - no flag
    codes = ["A", "B", "C"]
    need = pd.DataFrame({"area_code": codes, "phase": PHASE, "need_value": [40.0, 10.0, 12.0]})
    pop = pd.DataFrame({"area_code": codes, "phase": PHASE, "persons": [300, 700, 1100]})
    alloc = pd.DataFrame(
        {"area_code": codes, "phase": PHASE, "places": 0, "services": 0, "places_allocated": [30.0, 70.0, 110.0]}
    )
    out = need_supply(need, alloc, pop, 0.5).set_index("area_code")
    assert out["places_per_1000"].tolist() == pytest.approx([100.0] * 3)
    assert (out["flag_code"] == "").all() and not out["low_coverage"].any()
    # a secret need value: that Stadtteil is not checked; a phase without any need value: none is
    secret = need.assign(need_value=[np.nan, 10.0, 12.0])
    other = pd.DataFrame({"area_code": codes, "phase": "Grundschule", "need_value": np.nan})
    pop2 = pd.concat([pop, pop.assign(phase="Grundschule")])
    out = need_supply(pd.concat([secret, other]), alloc, pop2, 0.5).set_index(["phase", "area_code"])
    assert out.loc[(PHASE, "A"), "check_code"] == "need_secret" and out.loc[(PHASE, "B"), "check_code"] == ""
    assert (out.loc["Grundschule", "check_code"] == "no_need_indicator").all()
    assert (out["flag_code"] == "").all()


# --- one sentence for the start page, the city report and the Sozialraumanalyse -----------------------


def _need(rows: list[tuple[str, str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["area_name", "phase", "flag_code", "check_code"])


def test_the_all_clear_only_when_everything_was_checked_and_nothing_found():
    ran = _need([("Wiesdorf", PHASE, "", ""), ("Rheindorf", PHASE, "", ""), ("Wiesdorf", "Grundschule", "", "")])
    assert need_check_sentences(ran) == [ALL_CLEAR]
    assert ALL_CLEAR == (
        "In keiner Lebensphase hat ein Stadtteil zugleich hohen Bedarf und kein oder nur ein geringes Angebot."
    )


def test_found_flags_are_named_by_stadtteil_and_phase():
    found = _need(
        [
            ("Rheindorf", PHASE, "high_need_no_supply", ""),
            ("Manfort", "Grundschule", "high_need_no_supply", ""),
            ("Manfort", PHASE, "high_need_no_supply", ""),
            ("Wiesdorf", "Kita 3–6", "high_need_low_coverage", ""),
            ("Hitdorf", PHASE, "", ""),
        ]
    )
    assert need_check_sentences(found) == [
        "Hoher Bedarf, aber kein Angebot im Stadtteil: Manfort (Grundschule, weiterführende Schule); "
        "Rheindorf (weiterführende Schule).",
        "Hoher Bedarf bei geringer Abdeckung durch Angebote: Wiesdorf (Kita 3–6).",
    ]


def test_what_could_not_be_checked_is_said_instead_of_an_all_clear():
    partly = _need(
        [
            ("Wiesdorf", PHASE, "", ""),
            ("Lützenkirchen", PHASE, "", "need_secret"),
            ("Wiesdorf", "Frühe Kindheit 0–3", "", "no_need_indicator"),
            ("Lützenkirchen", "Frühe Kindheit 0–3", "", "no_need_indicator"),
            ("Wiesdorf", "Kita 3–6", "", "no_ages"),
            ("Lützenkirchen", "Kita 3–6", "", "no_ages"),
        ]
    )
    assert need_check_sentences(partly) == [
        CHECKED_CLEAR,
        "Für die Lebensphase „Frühe Kindheit 0–3“ liegt kein Bedarfsindikator vor (die SGB-II-Quote der "
        "Altersgruppe ist für keinen Stadtteil veröffentlicht).",
        "Für die Lebensphase „Kita 3–6“ lassen sich die Altersgruppen aus dem Melderegister nicht bilden "
        "(keine Bezugsgröße für die Plätze).",
        "Nicht geprüft, weil der Bedarf (SGB-II-Quote der Altersgruppe) nicht veröffentlicht ist: "
        "Lützenkirchen (weiterführende Schule).",
    ]
    assert ALL_CLEAR not in need_summary_text(partly)
    # a finding and a gap: both, no all-clear of any kind
    both = pd.concat([partly, _need([("Rheindorf", PHASE, "high_need_no_supply", "")])])
    text = need_summary_text(both)
    assert text.startswith("Hoher Bedarf, aber kein Angebot im Stadtteil: Rheindorf (weiterführende Schule).")
    assert CHECKED_CLEAR not in text and "kein Bedarfsindikator" in text
    # no services data at all: the check did not run
    missing = "Für Leverkusen liegen keine Daten der Quelle „Präventionsangebote“ vor."
    assert need_check_sentences(_need([]), missing) == [
        missing + " Bedarf und Angebot lassen sich daher nicht vergleichen."
    ]
    assert ALL_CLEAR not in need_summary_text(_need([]))
    # services but no need indicator in any phase (a commune without SGB-II data): nothing ran
    none = _need([("Wiesdorf", p, "", "no_need_indicator") for p in ("Kita 3–6", "Grundschule")])
    assert need_check_sentences(none) == [
        NOT_RUN,
        "Für die Lebensphasen „Kita 3–6“ und „Grundschule“ liegt kein Bedarfsindikator vor (die SGB-II-Quote der "
        "Altersgruppe ist für keinen Stadtteil veröffentlicht).",
    ]


def test_the_map_counts_the_flagged_phases_of_each_stadtteil():
    need = pd.DataFrame(
        {
            "area_code": ["1", "1", "2", "2", "3", "4", "5", "6", "6", "6", "6"],
            "flag_code": ["high_need_low_coverage", "high_need_no_supply", "high_need_low_coverage", "", "", "", ""]
            + ["high_need_no_supply"] * 4,
            "high_need": [True, True, True, False, True, False, False, True, True, True, True],
            "check_code": ["", "", "", "", "", "", "need_secret", "", "", "", ""],
        }
    )
    assert need_map_classes(need) == {
        "1": "2",  # two phases flagged
        "2": "1",
        "3": "covered",  # high need, with places
        "4": "not_high",
        "5": None,  # no phase could be checked
        "6": "3",  # four phases: "3 und mehr"
    }


# --- zero is not secret ------------------------------------------------------------------------------


def _cell(ind, code, value, symbol="", level="stadtteil", num=0.0, den=1389.0, lo=None, hi=None):
    return {
        "indicator_id": ind, "year": 2025, "area_level": level, "area_code": code, "area_name": code,
        "value": value, "symbol": symbol, "numerator": num, "denominator": den,
        "ci_lower": lo, "ci_upper": hi, "pooled_from": None,
    }  # fmt: skip


def _published() -> pd.DataFrame:
    rows = [
        _cell("services_secondary", "103", 0.0, "–"),  # Rheindorf: a true zero, no place
        _cell("services_secondary", "201", 326.6, num=600.0, den=1837.0),
        _cell("services_secondary", CITY, 47.0, level="stadt", num=600.0, den=12757.0),
        _cell("sgb2_15_18", "103", None, ".", num=None, den=None),  # a secret cell
        _cell("sgb2_15_18", CITY, 19.0, level="stadt", num=2400.0, den=12600.0, lo=18.3, hi=19.7),
        _cell("welcome_reach", "103", 0.0, "–", den=160.0, lo=0.0, hi=2.3),  # a zero share with interval
        _cell("welcome_reach", CITY, 60.0, level="stadt", num=600.0, den=1000.0, lo=56.9, hi=63.0),
    ]
    frame = pd.DataFrame(rows)
    frame["pooled_from"] = frame["pooled_from"].astype("Int64")
    return frame


def _plain(markup) -> str:
    return re.sub(r"<[^>]+>", "", str(markup)).replace("\xa0", " ")


def test_a_zero_reads_0_and_a_places_zero_no_service():
    assert fmt_value(0.0, "per_1000", "–", "stadtteil") == "0 – kein Angebot im Stadtteil"
    assert fmt_value(0.0, "per_1000", "–", "stadtbezirk") == "0 – kein Angebot im Stadtbezirk"
    assert fmt_value(0.0, "pct", "–") == "0"  # other indicators: a plain 0
    assert fmt_value(None, "per_1000", ".", "stadtteil") == "."  # only a secret cell is "."


def test_the_profile_table_shows_no_service_and_the_secret_cell_apart(catalogue):
    inds = [catalogue.get("sgb2_15_18"), catalogue.get("services_secondary")]
    place = Place(2025, "stadtteil", "103", "Rheindorf", CITY, "Leverkusen")
    html = indicator_table(_published(), inds, place, "T").data
    assert '<td class="num" data-cell="services_secondary|2025|stadtteil|103">0 – kein Angebot im Stadtteil' in html
    assert '<td class="num" data-cell="sgb2_15_18|2025|stadtteil|103">.' in html


def test_a_zero_is_drawn_and_enters_the_steckbrief_as_a_finding(catalogue):
    inds = [catalogue.get("sgb2_15_18"), catalogue.get("services_secondary"), catalogue.get("welcome_reach")]
    items = steckbrief.comparisons(_published(), inds, 2025, "103", CITY)
    # secret: no verdict; places 0: no service; a share of 0 % (KI 0–2,3) against the city's 60 %: worse
    assert [c.verdict for c in items] == [None, "no_offer", "worse"]
    plain = [_plain(s) for s in steckbrief.steckbrief_sentences(items, "Rheindorf")]
    assert plain == [
        "Deutlich ungünstiger als in der Gesamtstadt: Erreichungsquote der Willkommensbesuche (0, KI 0,0–2,3; "
        "Stadt 60,0 %).",
        "Kein Angebot im Stadtteil: Plätze in Präventionsangeboten für das Alter der weiterführenden Schule "
        "(0; Stadt 47,0).",
        "Nicht veröffentlicht (geheim gehalten): einer Kennzahl.",  # only the secret cell
    ]
    rows = steckbrief.interval_rows(_published(), inds, 2025, "103", CITY)
    assert [r.value for r in rows] == [None, 0.0, 0.0]
    svg = interval_svg(rows, "T", "Quelle: x", "Rheindorf").svg("Diagramm")
    assert svg.count("nicht veröffentlicht") == 1  # the secret row only
    assert svg.count("kein Angebot im Stadtteil") == 1  # the zero row says why its dot sits at 0
    alt = steckbrief.interval_alt(rows, "Rheindorf", 2025)
    assert "SGB-II-Quote 15–18: nicht veröffentlicht" in alt
    assert "Angebotsplätze Sek. I: 0 – kein Angebot im Stadtteil, Gesamtstadt 47,0" in alt


def test_charts_take_a_zero_but_never_a_secret_cell():
    assert chart_input(_published(), "services_secondary", 2025).values == {"103": 0.0, "201": 326.6}
    assert published_values(_published(), ["services_secondary|2025|stadtteil|103"]) == {
        "services_secondary|2025|stadtteil|103": 0.0
    }
    with pytest.raises(ValueError, match="nicht veröffentlichten"):
        published_values(_published(), ["sgb2_15_18|2025|stadtteil|103"])


def test_the_page_audit_holds_a_zero_to_0_and_a_secret_cell_to_a_dot():
    expected = published_texts(_published(), {"services_secondary": "per_1000", "sgb2_15_18": "pct",
                                              "welcome_reach": "pct"})  # fmt: skip
    zero, secret = "services_secondary|2025|stadtteil|103", "sgb2_15_18|2025|stadtteil|103"
    assert expected[zero] == "0" and expected[secret] == "."

    def page(key: str, shown: str) -> str:
        return f'<html><body><p><span data-cell="{key}">{shown}</span></p></body></html>'

    assert check_page(page(zero, "0 – kein Angebot im Stadtteil"), "p", expected, []) == []
    assert check_page(page(zero, "0"), "p", expected, []) == []
    assert check_page(page(zero, "."), "p", expected, [])  # a zero shown as secret is a finding
    assert check_page(page(zero, "00"), "p", expected, [])
    assert check_page(page(secret, "0"), "p", expected, [])  # a secret cell must never show a number
