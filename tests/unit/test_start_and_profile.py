"""Known answers for the start page and the profile blocks: headline findings from small hand-made
analysis frames, the Steckbrief sentences, neighbours of hand-made squares, the dot-and-bar chart
data (with a secret value), change arrows, and the clickable map of the start page."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from markupsafe import Markup

from helpers.core.config import load_config
from helpers.core.paths import ProjectPaths
from helpers.indicators.catalogue import Catalogue, load_catalogue
from helpers.report import findings, steckbrief
from helpers.report.geometry import adjacency, link_map_shapes, shares_border
from helpers.report.indicator_tables import change_mark, trend_mark
from helpers.report.navigation import neighbours
from helpers.site.audit import check_page, published_texts
from helpers.site.htmlcheck import tagged_cells, untagged_numbers
from tests.conftest import CONFIG

CITY = "05316000"


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    config = load_config(CONFIG)
    return load_catalogue(config.catalogue_path)


def _cell(ind, code, value, lo, hi, symbol="", level="stadtteil", year=2025, num=50.0, den=200.0, pooled=None):
    return {
        "indicator_id": ind, "year": year, "area_level": level, "area_code": code, "area_name": code,
        "value": value, "symbol": symbol, "numerator": num, "denominator": den,
        "ci_lower": lo, "ci_upper": hi, "pooled_from": pooled,
    }  # fmt: skip


def _published() -> pd.DataFrame:
    rows = [
        # SGB II u15 (lower is better): 101 clearly worse, 102 no clear difference, 103 secret
        _cell("sgb2_u15", "101", 36.5, 33.1, 40.0),
        _cell("sgb2_u15", "102", 23.0, 19.0, 27.5),
        _cell("sgb2_u15", "103", None, None, None, symbol=".", num=None, den=None),
        _cell("sgb2_u15", CITY, 22.1, 21.4, 22.8, level="stadt", num=3000.0, den=13575.0),
        # U3 care (higher is better): 101 clearly better, pooled over 2023–2025
        _cell("u3_care", "101", 48.0, 44.0, 52.0, pooled=2023),
        _cell("u3_care", CITY, 35.0, 34.0, 36.0, level="stadt"),
    ]
    frame = pd.DataFrame(rows)
    frame["pooled_from"] = frame["pooled_from"].astype("Int64")
    return frame


def _expected() -> dict[str, str]:
    return published_texts(_published(), {"sgb2_u15": "pct", "u3_care": "pct"})


# --- Steckbrief ----------------------------------------------------------------------------------


def test_compare_to_city_follows_the_interval():
    city = {"symbol": "", "value": 22.1}
    row = {"symbol": "", "value": 36.5, "ci_lower": 33.1, "ci_upper": 40.0}
    assert steckbrief.compare_to_city(row, city, "lower_better") == "worse"
    assert steckbrief.compare_to_city(row, city, "higher_better") == "better"
    assert steckbrief.compare_to_city({**row, "ci_lower": 22.0}, city, "lower_better") == "similar"
    assert steckbrief.compare_to_city({**row, "symbol": "."}, city, "lower_better") is None
    assert steckbrief.compare_to_city(row, None, "lower_better") is None


def test_steckbrief_names_the_indicators_with_value_interval_and_city(catalogue):
    inds = [catalogue.get("sgb2_u15"), catalogue.get("u3_care")]
    items = steckbrief.comparisons(_published(), inds, 2025, "101", CITY)
    assert [c.verdict for c in items] == ["worse", "better"]
    sentences = steckbrief.steckbrief_sentences(items, "Wiesdorf", {"sgb2_u15": "../../kennzahlen/sgb2_u15.html"})
    page = "<div>" + "".join(f"<p>{s}</p>" for s in sentences) + "</div>"
    plain = re.sub(r"<[^>]+>", "", page).replace("\u00a0", " ")
    name_u15, name_u3 = catalogue.get("sgb2_u15").name, catalogue.get("u3_care").name
    assert plain.startswith(
        f"Deutlich ungünstiger als in der Gesamtstadt: {name_u15} (36,5 %, KI 33,1–40,0; Stadt 22,1 %)."
    )
    assert (
        f"Deutlich günstiger als in der Gesamtstadt: {name_u3} (48,0 %, 2023–2025 zusammengefasst, KI 44,0–52,0;"
        in plain
    )
    assert '<a href="../../kennzahlen/sgb2_u15.html">' in page
    assert "Bei zwei" not in plain and "Kennzahlen deutlich" not in plain
    # every number is tagged and shows the published text
    assert check_page(page, "p.html", _expected(), [catalogue.get("sgb2_u15").name, name_u3]) == []
    assert len(tagged_cells(page)) == 6


def test_steckbrief_without_clear_differences_says_so_and_counts(catalogue):
    inds = [catalogue.get("sgb2_u15")]
    items = steckbrief.comparisons(_published(), inds, 2025, "102", CITY)
    plain = [re.sub(r"<[^>]+>", "", s) for s in steckbrief.steckbrief_sentences(items, "Manfort")]
    assert plain[0] == "Manfort unterscheidet sich bei keiner Kennzahl deutlich von der Gesamtstadt."
    assert plain[1].startswith("Kein belastbarer Unterschied zur Gesamtstadt bei einer Kennzahl")
    secret = steckbrief.comparisons(_published(), inds, 2025, "103", CITY)
    assert [re.sub(r"<[^>]+>", "", s) for s in steckbrief.steckbrief_sentences(secret, "Rheindorf")][-1] == (
        "Nicht veröffentlicht (geheim gehalten): einer Kennzahl."
    )


def test_interval_rows_leave_a_secret_value_undrawn(catalogue):
    inds = [catalogue.get("sgb2_u15"), catalogue.get("u3_care")]
    rows = steckbrief.interval_rows(_published(), inds, 2025, "103", CITY)
    assert rows[0].value is None and rows[0].low is None and rows[0].city == 22.1
    assert rows[1].value is None and rows[1].city == 35.0  # no cell at all
    rows = steckbrief.interval_rows(_published(), inds, 2025, "101", CITY)
    assert (rows[0].value, rows[0].low, rows[0].high, rows[0].city, rows[0].verdict) == (
        36.5,
        33.1,
        40.0,
        22.1,
        "worse",
    )
    assert rows[1].pooled == "2023–2025"
    alt = steckbrief.interval_alt(steckbrief.interval_rows(_published(), inds, 2025, "103", CITY), "Rheindorf", 2025)
    assert "SGB-II-Quote unter 15: nicht veröffentlicht" in alt or ": nicht veröffentlicht" in alt


def test_interval_chart_draws_published_values_only(catalogue):
    from helpers.report.plots import interval_svg

    inds = [catalogue.get("sgb2_u15"), catalogue.get("u3_care")]
    svg = interval_svg(steckbrief.interval_rows(_published(), inds, 2025, "103", CITY), "T", "Quelle: x", "R").svg()
    assert svg.count("nicht veröffentlicht") == 2 and svg.count("<circle") == 1  # the legend's dot only
    svg = interval_svg(steckbrief.interval_rows(_published(), inds, 2025, "101", CITY), "T", "Quelle: x", "W").svg()
    assert svg.count("<circle") == 3  # the legend's dot and one per published row
    # sgb2_u15 in 101: 36,5 (33,1–40,0), city 22,1, on the shared scale of shares 0–60 (the 48,0 % of u3_care):
    # the dot lies inside its band, the city mark left of the band, the verdict in words beside the label
    dot = float(re.findall(r'<circle cx="([\d.]+)" cy="([\d.]+)" r="5"', svg)[0][0])
    band_x, band_w = (
        float(v) for v in re.findall(r'<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)" height="12"', svg)[0]
    )
    city = float(re.findall(r'<line x1="([\d.]+)" y1="[\d.]+" x2="\1" y2="[\d.]+" stroke="#525252"', svg)[1])
    assert band_x < dot < band_x + band_w and city < band_x
    assert (dot - 14) / (466 - 14) * 60 == pytest.approx(36.5, abs=0.1)
    assert ">60<" in svg and "▲ deutlich ungünstiger" in svg


def test_series_frame_keeps_only_years_with_published_values(catalogue):
    extra = pd.DataFrame(
        [
            _cell("sgb2_u15", "101", 30.0, 27.0, 33.0, year=2024),
            _cell("sgb2_u15", "101", None, None, None, symbol=".", year=2023),
        ]
    )
    published = pd.concat([_published(), extra], ignore_index=True)
    frame = steckbrief.series_frame(
        published, [catalogue.get("sgb2_u15")], [2023, 2024, 2025], [("stadtteil", "101", "W"), ("stadt", CITY, "G")]
    )
    assert frame[frame["area_name"] == "W"][["year", "value"]].values.tolist() == [[2024, 30.0], [2025, 36.5]]
    assert frame[frame["area_name"] == "G"]["year"].tolist() == [2025]


# --- change marks ----------------------------------------------------------------------------------


def test_arrows_give_the_direction_and_words_the_verdict(catalogue):
    assert change_mark(-0.4, "lower_better")[1:] == ("▼", "gesunken (statistisch erkennbar)", "günstiger")
    assert change_mark(-0.4, "higher_better")[1:] == ("▼", "gesunken (statistisch erkennbar)", "ungünstiger")
    ind = catalogue.get("sgb2_u15")
    trend = {"verdict_code": "falling", "change": -5.04, "change_ci_low": -7.0, "change_ci_high": -3.1,
             "first_year": 2010, "last_year": 2025}  # fmt: skip
    shown = _plain(trend_mark(trend, ind))
    assert shown == "−5,0 Pp. (2010–2025) ▼ günstiger"
    flat = {**trend, "verdict_code": "no_trend", "change_ci_high": 1.0}
    assert _plain(trend_mark(flat, ind)) == "−5,0 Pp. (2010–2025), kein klarer Trend"
    assert _plain(trend_mark({"verdict_code": "too_short"}, ind)) == "zu wenige Jahre für eine Aussage"
    assert _plain(trend_mark(None, ind)) == "–"


# --- neighbours ----------------------------------------------------------------------------------


def _square(x: float, y: float, size: float = 100.0) -> list[np.ndarray]:
    return [np.array([[x, y], [x + size, y], [x + size, y + size], [x, y + size]], float)]


def test_adjacency_of_three_squares():
    # A and B share an edge; C touches B only at a corner; a 2 m gap between B and D (below B) still
    # counts; A and D only come near at one corner
    geometry = {"A": _square(0, 0), "B": _square(100, 0), "C": _square(200, 100), "D": _square(100, -102)}
    assert adjacency(geometry, tolerance=5.0) == {"A": ["B"], "B": ["A", "D"], "C": [], "D": ["B"]}
    assert not shares_border(geometry["B"], geometry["D"], tolerance=1.0)
    # a shorter edge lying along a longer one is a shared border too
    assert shares_border(_square(0, 0), [np.array([[100, 20], [150, 20], [150, 60], [100, 60]], float)], 1.0)


def test_neighbours_use_borders_with_geometry_else_the_stadtbezirk():
    config = load_config(CONFIG)
    codes = [s.code for s in config.stadtteile]
    near, basis = neighbours(config, "101", None)
    assert basis == "bezirk"
    assert {s.code for s in near} == {s.code for s in config.stadtteile if s.stadtbezirk == "1"} - {"101"}
    geometry = {c: _square(1000.0 * i, 0, 1000.0) for i, c in enumerate(codes)}
    near, basis = neighbours(config, codes[1], geometry)
    assert basis == "grenze" and [s.code for s in near] == [codes[0], codes[2]]


# --- headline findings ---------------------------------------------------------------------------


def _trends() -> pd.DataFrame:
    base = {"report_year": 2025, "area_level": "stadt", "area_code": CITY}
    return pd.DataFrame(
        [
            {**base, "indicator_id": "sgb2_u15", "verdict_code": "falling", "assessment_code": "favourable",
             "change": -6.3, "change_ci_low": -9.2, "change_ci_high": -3.3, "first_year": 2010, "last_year": 2025},
            {**base, "indicator_id": "u3_care", "verdict_code": "no_trend", "assessment_code": "",
             "change": 1.5, "change_ci_low": -3.0, "change_ci_high": 6.0, "first_year": 2011, "last_year": 2025},
            {**base, "report_year": 2024, "indicator_id": "u3_care", "verdict_code": "rising",
             "assessment_code": "favourable", "change": 13.0, "change_ci_low": 7.5, "change_ci_high": 22.5,
             "first_year": 2011, "last_year": 2024},
        ]
    )  # fmt: skip


def _funnel() -> pd.DataFrame:
    # 101 and 102 both beyond the limits and the band, but 102's interval includes the city value: left
    # out; 104 beyond the limits, inside the band of the usual differences: counted, not named
    return pd.DataFrame(
        {
            "report_year": [2025] * 3,
            "indicator_id": ["sgb2_u15"] * 3,
            "area_code": ["101", "102", "104"],
            "area_name": ["Wiesdorf", "Manfort", "Hitdorf"],
            "unusual": [True, True, True],
            "funnel_code": ["above_chance", "above_chance", "below_usual"],
        }
    )


def _plain(m: Markup) -> str:
    return re.sub(r"<[^>]+>", "", str(m)).replace("\u00a0", " ")


def test_need_finding():
    need = pd.DataFrame(
        {"area_name": ["Wiesdorf", "Wiesdorf", "Manfort"], "phase": ["Kita 3–6", "Grundschule", "Kita 3–6"],
         "flag_code": ["high_need_low_coverage", "high_need_no_supply", ""], "check_code": ["", "", ""]}
    )  # fmt: skip
    assert _plain(findings.need_finding(need)) == (
        "Bedarf und Angebot: Hoher Bedarf, aber kein Angebot im Stadtteil: Wiesdorf (Grundschule). "
        "Hoher Bedarf bei geringer Abdeckung durch Angebote: Wiesdorf (Kita 3–6)."
    )


def test_headline_sentences_leave_out_missing_analyses(catalogue):
    common = {"catalogue": catalogue, "key_ids": ["sgb2_u15", "u3_care"], "areas": [("101", "Wiesdorf")],
              "year": 2025, "city_code": CITY}  # fmt: skip
    with_all = findings.story_findings(published=_published(), trends=_trends(), need=None, **common)
    only_trends = findings.story_findings(published=None, trends=_trends(), need=None, **common)
    nothing = findings.story_findings(published=None, trends=None, need=None, **common)
    assert len(with_all) > len(only_trends) >= 1 and nothing == []
    # the 2024 trend row of u3_care (rising) is not this year's verdict
    assert all("Betreuungsquote unter 3 stieg" not in _plain(f) for f in only_trends)


# --- the start page's map --------------------------------------------------------------------------


def test_link_map_shapes_tiles_and_polygons():
    config = load_config(CONFIG)
    areas, (width, height), schematic = link_map_shapes(config, None)
    assert schematic and len(areas) == len(config.stadtteile) and width == 600.0
    geometry = {s.code: _square(1000.0 * i, 0, 1000.0) for i, s in enumerate(config.stadtteile)}
    areas, (width, height), schematic = link_map_shapes(config, geometry)
    assert not schematic and height == pytest.approx(600.0 / len(config.stadtteile))
    assert areas[0][2].startswith("M0,") and all(a[3] is None or len(a[3]) == 2 for a in areas)


def test_start_page_links_every_area_in_list_and_map(tmp_path, monkeypatch):
    from helpers.site.pages import render_index, start_map

    # without the indicator table (a fresh checkout) the map is a plain link map
    monkeypatch.setattr(ProjectPaths, "processed_table", lambda self, name: tmp_path / f"{name}.parquet")
    config = load_config(CONFIG)
    paths = ProjectPaths(config)
    year = max(config.report_years)
    reports = {year: {s.slug: paths.report_html("profil", year, s.slug) for s in config.stadtteile}}
    html = render_index(config, reports, [], [Markup("<strong>Befund:</strong> ohne Zahl")], start_map(config))
    svg = html[html.index("<svg") : html.index("</svg>")]
    for s in config.stadtteile:
        href = f'href="{year}/stadtteile/{s.slug}.html"'
        assert html.count(href) >= 3  # list, map, table of all years
        assert f'{href} aria-label="{s.name}: Stadtteilprofil {year}"' in svg
    assert "Befund:" in html and "Näherung aus Ortsteilpunkten, keine amtlichen Grenzen." in html
    assert "© GeoBasis-DE / BKG" in html  # the boundary's attribution where the map is shown
    assert untagged_numbers(html[html.index("<main") : html.index("</main>")], []) == []
    no_map = render_index(config, reports, [], [], None)
    assert "<svg" not in no_map and "keine Gebietskarte" in no_map
    assert 'href="kennzahlen/index.html"' in html  # the fact sheets are published for every commune


# --- fact-sheet links ----------------------------------------------------------------------------------


def test_indicator_names_link_to_fact_sheets_once_they_are_published(catalogue, monkeypatch):
    from helpers.core.registry import PAGES
    from helpers.report.indicator_tables import Place, area_matrix, indicator_table
    from helpers.site.pages import factsheet_overview_href

    ind = catalogue.get("sgb2_u15")
    args = (_published(), [ind], Place(2025, "stadtteil", "101", "W", CITY, "G"), "Kennzahlen")
    assert "<a " not in indicator_table(*args).data
    linked = indicator_table(*args, links={"sgb2_u15": "../../kennzahlen/sgb2_u15.html"}).data
    assert f'<a href="../../kennzahlen/sgb2_u15.html" title="{ind.definition}">{ind.short}</a>' in linked
    matrix = area_matrix(_published(), [ind], 2025, [("stadtteil", "101", "W")], "M", {"sgb2_u15": "k.html"}).data
    assert f'<a href="k.html">{ind.short} (%)</a>' in matrix
    config = load_config(CONFIG)
    paths = ProjectPaths(config)
    assert paths.publishes_factsheets() and factsheet_overview_href(config, paths.index_html) == "kennzahlen/index.html"
    overview = paths.factsheet_html(None)
    assert overview in paths.published_pages()
    monkeypatch.delitem(PAGES, "kennzahlen")  # the overview no longer a registered page kind
    assert overview not in paths.published_pages()
    assert factsheet_overview_href(config, paths.index_html) == ""  # no link to a page the build does not write


def test_steckbrief_box_lists_the_indicators_under_their_verdict(catalogue):
    inds = [catalogue.get("sgb2_u15"), catalogue.get("u3_care")]
    items = steckbrief.comparisons(_published(), inds, 2025, "101", CITY)
    box = str(steckbrief.steckbrief_list(items, "Wiesdorf"))
    plain = re.sub(r"<[^>]+>", "|", box).replace("\u00a0", " ")
    assert "Deutlich ungünstiger als in der Gesamtstadt:|" in plain and "keiner Kennzahl" not in plain
    assert box.count("<ul>") == 2 and box.count("<li>") == 4


def test_start_page_value_map_links_every_area_with_its_published_value(tmp_path, monkeypatch):
    """The key indicator (role child_poverty) coloured by class of its published values, one link per
    Stadtteil to its profile, named "Wiesdorf: 22,1 %", the value tagged; a secret cell is hatched."""
    import pandas as pd

    from helpers.core.paths import ProjectPaths as Paths
    from helpers.site.pages import render_index, start_map

    config = load_config(CONFIG)
    year = max(config.report_years)
    codes = [s.code for s in config.stadtteile]
    values = [22.1, None, *[10.0 + 2 * i for i in range(len(codes) - 2)]]  # Manfort secret
    table = pd.DataFrame(
        {
            "indicator_id": "sgb2_u15",
            "year": year,
            "area_level": "stadtteil",
            "area_code": codes,
            "value": values,
            "symbol": ["" if v is not None else "." for v in values],
        }
    )
    table.to_parquet(tmp_path / "indicators.parquet")
    monkeypatch.setattr(Paths, "processed_table", lambda self, name: tmp_path / f"{name}.parquet")
    area_map = start_map(config)
    assert area_map["indicator"] == "SGB-II-Quote unter 15"
    assert area_map["breaks"] == [15.0, 20.0, 25.0]  # 10,0 … 30,0 in steps of 5: four classes
    paths = ProjectPaths(config)
    reports = {year: {s.slug: paths.report_html("profil", year, s.slug) for s in config.stadtteile}}
    html = render_index(config, reports, [], [], area_map)
    start = html.index('role="group"')
    svg = html[start : html.index("</svg>", start)]
    for s in config.stadtteile:
        assert svg.count(f'href="{year}/stadtteile/{s.slug}.html"') == 1
    assert 'aria-label="Wiesdorf: 22,1\xa0%"' in svg
    assert 'aria-label="Manfort: ."' in svg and 'fill="url(#mon-hatch)"' in svg
    assert f'data-cell="sgb2_u15|{year}|stadtteil|101">22,1\xa0%<' in html
    assert svg.count('class="mon-bezirk"') == 3
    legend = html[
        html.index('<ul class="mon-map-legend"') : html.index("</ul>", html.index('<ul class="mon-map-legend"'))
    ]
    assert html.index("mon-map-legend") < start  # above the map: never off-screen
    assert "unter 15,0\xa0%" in legend and "25,0\xa0% und mehr" in legend and "nicht veröffentlicht" in legend
    assert "Näherung aus Ortsteilpunkten, keine amtlichen Grenzen." in html
    assert (
        untagged_numbers(html[html.index("<main") : html.index("</main>")], [s.name for s in config.stadtteile]) == []
    )
