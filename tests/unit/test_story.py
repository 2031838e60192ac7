"""Known answers for the story blocks: the ranked Steckbrief (topics grouped, ranked, marks and units), the
start page's headline sentences (directions only where the trend table gives one, levels beside the verdict),
the city matrix cells, and names by code (a Stadtbezirk named like a Stadtteil never gets its link)."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from markupsafe import Markup

from helpers.core.config import load_config
from helpers.indicators.catalogue import Catalogue, load_catalogue
from helpers.report import area_names, city_matrix, findings, profile, steckbrief
from helpers.report.indicator_tables import Place
from helpers.site.audit import check_page, published_texts
from helpers.site.htmlcheck import untagged_numbers
from tests.conftest import CONFIG

CITY = "05316000"
UNITS = {"sgb2_u15": "pct", "sgb2_u3": "pct", "u3_care": "pct", "hze_rate": "per_10000", "gym_transition": "pct"}


#: The profile place of the tests: Wiesdorf 2025 beside the city.
WIESDORF = Place(2025, "stadtteil", "101", "Wiesdorf", CITY, "Stadt")


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue(load_config(CONFIG).catalogue_path)


def _cell(ind, code, value, lo, hi, symbol="", level="stadtteil", year=2025):
    return {"indicator_id": ind, "year": year, "area_level": level, "area_code": code, "area_name": code,
            "value": value, "symbol": symbol, "numerator": 50.0, "denominator": 200.0, "ci_lower": lo,
            "ci_upper": hi, "pooled_from": None}  # fmt: skip


def _published() -> pd.DataFrame:
    rows = [
        _cell("sgb2_u15", "101", 36.5, 33.1, 40.0), _cell("sgb2_u15", CITY, 22.1, 21.4, 22.8, level="stadt"),
        _cell("sgb2_u3", "101", 45.0, 40.0, 50.0), _cell("sgb2_u3", CITY, 24.7, 23.0, 26.0, level="stadt"),
        _cell("u3_care", "101", 36.0, 33.0, 39.0), _cell("u3_care", CITY, 35.0, 34.0, 36.0, level="stadt"),
        _cell("hze_rate", "101", 456.4, 389.8, 531.1), _cell("hze_rate", CITY, 273.6, 260.0, 290.0, level="stadt"),
        _cell("gym_transition", "101", 26.4, 20.5, 33.2),
        _cell("gym_transition", CITY, 44.4, 42.0, 46.0, level="stadt"),
        _cell("sgb2_u15", "102", None, None, None, symbol="."),
        # the city series of child poverty: 2025 is the highest published value since 2023
        _cell("sgb2_u15", CITY, 21.0, 20.3, 21.7, level="stadt", year=2023),
        _cell("sgb2_u15", CITY, 21.5, 20.8, 22.2, level="stadt", year=2024),
    ]  # fmt: skip
    frame = pd.DataFrame(rows)
    frame["pooled_from"] = frame["pooled_from"].astype("Int64")
    return frame


def _trend(ind, code, verdict, assessment="", change=0.0, low=-1.0, high=1.0, level="stadtteil", name=None):
    return {"report_year": 2025, "indicator_id": ind, "area_level": level, "area_code": code,
            "area_name": name or code, "verdict_code": verdict, "assessment_code": assessment, "change": change,
            "change_ci_low": low, "change_ci_high": high, "first_year": 2010, "last_year": 2025, "precise": True}  # fmt: skip


def _plain(m) -> str:
    return re.sub(r"<[^>]+>", "", str(m)).replace("\u00a0", " ")


def _audit(html: str, catalogue: Catalogue) -> list[str]:
    words = [i.short for i in catalogue.indicators] + [i.name for i in catalogue.indicators] + catalogue.phases
    return check_page(f"<main>{html}</main>", "seite", published_texts(_published(), UNITS), words)


# --- Steckbrief -----------------------------------------------------------------------------------


def test_age_slices_of_one_topic_share_a_key_and_other_indicators_do_not(catalogue):
    assert steckbrief.topic_key(catalogue.get("sgb2_u15")) == steckbrief.topic_key(catalogue.get("sgb2_u3"))
    assert steckbrief.topic_key(catalogue.get("gym_transition")) == ("gym_transition",)
    assert steckbrief.topic_key(catalogue.get("sgb2_u15")) != steckbrief.topic_key(catalogue.get("hze_rate"))


def test_steckbrief_lines_group_rank_and_mark(catalogue):
    inds = [catalogue.get(i) for i in ("sgb2_u15", "sgb2_u3", "u3_care", "hze_rate", "gym_transition")]
    items = steckbrief.comparisons(_published(), inds, 2025, "101", CITY)
    trends = {
        "sgb2_u3": _trend("sgb2_u3", "101", "rising", "unfavourable", 6.3, 4.0, 8.5),
        "u3_care": _trend("u3_care", "101", "rising", "favourable", 13.6, 10.0, 17.0),
    }
    lines = steckbrief.steckbrief_lines(items, trends)
    # u3 poverty (worse and rising unfavourably) leads the SGB-II topic, u15 rides along; then the worse
    # topics by key rank (u15's group first, gym_transition key 6, hze_rate key 8), u3_care last (trend only)
    assert [ln.lead.indicator.id for ln in lines] == ["sgb2_u3", "gym_transition", "hze_rate", "u3_care"]
    assert [o.indicator.id for o in lines[0].others] == ["sgb2_u15"] and lines[0].rank == 0
    html = str(steckbrief.line_html(lines[2], {}))
    assert "456,4</span> je 10.000" in html and "Stadt <span" in html and "273,6</span> je 10.000" in html
    assert "⊖" in html and "deutlich ungünstiger" in _plain(html)
    assert _audit(html, catalogue) == []
    box = steckbrief.steckbrief_box(_published(), inds, WIESDORF, trends).data
    assert box.count('<li class="') == 4 and box.count("Deutlich heißt") == 0 and box.count("„deutlich“ heißt") == 1
    assert "bei 4 deutlich ungünstiger und bei keiner deutlich günstiger" in _plain(box)
    assert untagged_numbers(box, [i.short for i in inds] + [i.name for i in inds]) == []


def test_at_most_six_lines(catalogue):
    inds = catalogue.indicators
    rows = []
    for ind in inds:  # every indicator clearly worse in 101 (lower_better: above the city)
        rows += [_cell(ind.id, "101", 50.0, 45.0, 55.0), _cell(ind.id, CITY, 20.0, 19.0, 21.0, level="stadt")]
    published = pd.DataFrame(rows).assign(pooled_from=lambda f: f["pooled_from"].astype("Int64"))
    box = steckbrief.steckbrief_box(published, inds, WIESDORF, {}).data
    assert box.count('<li class="') == steckbrief.MAX_LINES and "Weitere" in box


def test_details_table_has_every_indicator_once_with_its_mark(catalogue):
    html = str(profile.details_table(_published(), catalogue, WIESDORF))
    assert html.count('<tr><th scope="row">') == len(catalogue.indicators)
    assert 'id="kita-3-6"' in html and "mon-a-worse" in html and _audit(html, catalogue) == []


# --- headline sentences --------------------------------------------------------------------------------


def test_poverty_sentence_names_only_directions_of_the_trend_table(catalogue):
    trends = pd.DataFrame([
        _trend("sgb2_u15", "101", "rising", "unfavourable", 3.9, 1.5, 6.3, name="Wiesdorf"),
        _trend("sgb2_u15", "102", "no_trend", "", 0.5, -1.0, 2.0, name="Manfort"),
        _trend("sgb2_u15", "304", "falling", "favourable", -19.2, -23.3, -15.0, name="Alkenrath"),
    ])  # fmt: skip
    found = findings.area_poverty_sentence(trends, catalogue, "sgb2_u15", {"101": "w.html#steckbrief"})
    assert _plain(found) == (
        "Kinderarmut (SGB-II-Quote unter 15) steigt in Wiesdorf (2010–2025: +3,9 Pp., KI +1,5 bis +6,3); sinkt in "
        "Alkenrath (2010–2025: −19,2 Pp., KI −23,3 bis −15,0); in 1 Stadtteilen ohne klaren Trend."
    )
    assert '<a href="w.html#steckbrief">Wiesdorf</a>' in str(found)
    assert findings.area_poverty_sentence(trends.assign(verdict_code="no_trend"), catalogue, "sgb2_u15", {}) is None


def test_city_level_is_a_level_beside_the_trend_verdict(catalogue):
    trends = pd.DataFrame([_trend("sgb2_u15", CITY, "no_trend", "", 0.2, -1.0, 1.5, level="stadt")])
    found = findings.city_level_sentence(_published(), trends, catalogue, "sgb2_u15", 2025, CITY, "k.html")
    assert _plain(found) == (
        "In der Gesamtstadt liegt die SGB-II-Quote unter 15 im Jahr 2025 bei 22,1 % (KI 21,4–22,8), der höchste "
        "Wert seit 2023; über die Jahre aber ohne klaren Trend (2010–2025: +0,2 Pp., KI −1,0 bis +1,5)."
    )
    assert _audit(str(found), catalogue) == []


def test_action_and_gap_sentences(catalogue):
    ids = ["sgb2_u15", "u3_care", "hze_rate", "gym_transition"]
    found = findings.action_sentence(_published(), catalogue, ids, [("101", "Wiesdorf")], 2025, CITY, {})
    assert _plain(found).startswith("Handlungsbedarf vor allem in Wiesdorf (3 von 4)")
    gap = findings.gap_sentence(_published(), catalogue, ids, [("101", "Wiesdorf")], 2025, CITY, {}, ["sgb2_u15"])
    # hze_rate: (456,4 − 273,6) / 273,6 = 67 % > gym_transition: (44,4 − 26,4) / 44,4 = 41 %
    assert _plain(gap).startswith("Größter Abstand: Inanspruchnahme der Hilfen zur Erziehung ohne")
    assert _audit(str(found) + str(gap), catalogue) == []


# --- city matrix ---------------------------------------------------------------------------------------


def test_matrix_cells_are_coloured_by_the_profile_classification(catalogue):
    inds = [catalogue.get("sgb2_u15"), catalogue.get("u3_care")]
    areas = [("stadtteil", "101", "Wiesdorf"), ("stadtteil", "102", "Manfort"), ("stadt", CITY, "Gesamtstadt")]
    html = str(city_matrix.matrix_table(_published(), inds, 2025, areas, CITY, "T"))
    assert 'class="num mon-a-worse" title="deutlich ungünstiger; 95-%-KI 33,1–40,0"' in html
    assert 'class="num mon-a-similar"' in html  # u3_care 36,0 (33,0–39,0) against 35,0
    assert 'class="num mon-a-none"' in html  # the secret cell of 102
    assert '<td class="num mon-city" data-cell="sgb2_u15|2025|stadt|05316000">22,1\xa0%</td>' in html
    phases = {"sgb2_u15": "Lebenslage", "u3_care": "Frühe Kindheit 0–3"}
    grouped = str(city_matrix.matrix_table(_published(), inds, 2025, areas, CITY, "T", phases=phases))
    assert (
        '<colgroup><col></colgroup><colgroup span="1"></colgroup><colgroup span="1"></colgroup>' in grouped
        and '<th scope="colgroup" colspan="1">Lebenslage</th><th scope="colgroup" colspan="1">Frühe Kindheit 0–3</th>'
        in grouped
    )


def test_matrix_packs_as_many_columns_as_fit_1280_px():
    from types import SimpleNamespace

    # "Anteil (%)": max(6 glyphs × 0,7 em, 7 em) + 0,8 em = 7,8 em; 7 of them (54,6 em) fit 72 − 13,5 = 58,5 em
    narrow = SimpleNamespace(short="Anteil", unit="pct")
    assert [len(t) for t in city_matrix.pack([narrow] * 34)] == [7, 7, 7, 7, 6]  # 5 tables, the columns even
    # "Willkommensbesuche": 18 × 0,7 + 0,8 = 13,4 em; five wide (67 em) do not fit one table: two tables, spread
    # 3 + 2 (40,2 and 26,8 em); four wide and three narrow need two tables too, spread 4 + 3 (53,6 and 23,4 em)
    wide = SimpleNamespace(short="Willkommensbesuche", unit="pct")
    assert [len(t) for t in city_matrix.pack([wide] * 5)] == [3, 2]
    assert [len(t) for t in city_matrix.pack([wide] * 4 + [narrow] * 3)] == [4, 3]


# --- names by code ---------------------------------------------------------------------------------------


def test_a_stadtbezirk_named_like_a_stadtteil_gets_no_link():
    summary = pd.DataFrame({
        "year": [2023] * 3, "area_level": ["stadtteil", "stadtbezirk", "stadt"],
        "area_code": ["301", "3", "05315000"], "area_name": ["Lindenthal", "Lindenthal", "Köln"],
        "persons": [13010, 80895, 1000000], "change_pct": [0.1, 0.2, 0.3], "share_u18_pct": [18.0, 17.0, 16.0],
        "share_65plus_pct": [20.0, 21.0, 19.0], "share_non_german_pct": [10.0, 11.0, 12.0],
    })  # fmt: skip
    html = area_names.overview_html(summary, 2023, "T", "Q", {"301": "301.html", "3": "3.html"}).data
    assert html.count('href="301.html"') == 1 and "3.html" not in html
    assert '<th scope=row><a href="301.html">Lindenthal</a></th>' in html
    assert "<th scope=row>Stadtbezirk Lindenthal</th>" in html


def test_profiles_name_their_stadtbezirk():
    from tests.conftest import ROOT

    koeln = load_config(ROOT / "tests" / "fixtures" / "cities" / "koeln" / "config" / "koeln.yml")
    assert area_names.area_path(koeln, "301") == "Köln (Testform), Stadtbezirk Lindenthal"
    leverkusen = load_config(CONFIG)
    assert area_names.area_path(leverkusen, "101") == "Leverkusen, Stadtbezirk I"


def test_start_page_lists_the_stadtbezirk_with_its_word():
    from helpers.core.paths import ProjectPaths
    from helpers.site.pages import render_index

    config = load_config(CONFIG)
    paths = ProjectPaths(config)
    year = max(config.report_years)
    reports = {year: {s.slug: paths.report_html("profil", year, s.slug) for s in config.stadtteile}}
    html = render_index(config, reports, [], [Markup("Satz")], None)
    assert html.index('id="befunde"') < html.index('id="stadtteile"')  # the headlines come first
    assert '<span class="mon-area-bezirk">Stadtbezirk I</span>' in html


def test_a_chart_of_several_indicators_names_each_of_their_sources_once(catalogue):
    from helpers.report.context import indicators_source_line

    config = load_config(CONFIG)
    inds = [catalogue.get("sgb2_u15"), catalogue.get("sgb2_u3"), catalogue.get("u3_care")]
    # sgb2 + population, sgb2 + population, kita + population: three holders, in order, none of the other eight
    assert indicators_source_line(inds, config) == (
        f"Quelle: {config.sources['sgb2'].holder}; {config.sources['population'].holder}; "
        f"{config.sources['kita'].holder}; eigene Berechnungen"
    )
