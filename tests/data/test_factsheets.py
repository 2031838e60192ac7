"""Kennzahlenblätter (fact sheets): content builders on a small hand-made frame, the page, paths, tasks, cleanup."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from conftest import ROOT

from helpers.core.config import load_config
from helpers.core.paths import ProjectPaths
from helpers.indicators.catalogue import Selection
from helpers.indicators.plan import commune_catalogue
from helpers.pipeline.tasks import generate_tasks
from helpers.report.svg_charts import Point, nice_ticks, segments, series_svg
from helpers.site import factsheets as fs
from helpers.site.audit import check_page, published_texts, vocabulary
from helpers.site.cleanup import stale_files
from helpers.site.htmlcheck import masculine_generics, network_references
from helpers.site.sitemap import factsheet_ids, published_pages

COLUMNS = ["indicator_id", "year", "area_level", "area_code", "area_name", "numerator", "denominator"]


@pytest.fixture
def config(small_project: Path):
    """The small config (two Stadtteile), with data years 2021–2025 for series with a late start and a gap."""
    import yaml

    shutil.copytree(ROOT / "notebooks", small_project / "notebooks")
    path = small_project / "config" / "small.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["years"]["data"] = {"first": 2021, "last": 2025}
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return load_config(path)


def _row(ind, year, level, code, num, den, value, low, high, symbol="", pooled=None):
    return {
        "indicator_id": ind,
        "year": year,
        "area_level": level,
        "area_code": code,
        "area_name": code,
        "numerator": num,
        "denominator": den,
        "value": value,
        "ci_lower": low,
        "ci_upper": high,
        "pooled_from": pooled,
        "suppression": "",
        "symbol": symbol,
    }


def frame(config) -> pd.DataFrame:
    """kita_2years (pooled, %) in the city and two Stadtteile: starts 2022, gap 2023, one secret and one pooled cell."""
    city = config.commune.ags
    rows = [
        _row("kita_2years", 2021, "stadt", city, 0.0, 100.0, 0.0, 0.0, 3.7, "–"),
        _row("kita_2years", 2022, "stadt", city, 80.0, 100.0, 80.0, 71.1, 86.7),
        _row("kita_2years", 2023, "stadt", city, None, None, None, None, None, "."),
        _row("kita_2years", 2024, "stadt", city, 850.0, 1000.0, 85.0, 82.6, 87.1),
        _row("kita_2years", 2025, "stadt", city, 900.0, 1000.0, 90.0, 88.0, 91.7),
        _row("kita_2years", 2025, "stadtteil", "101", None, None, None, None, None, "."),
        _row("kita_2years", 2025, "stadtteil", "201", 70.0, 80.0, 87.5, 78.5, 93.1, "", 2024),
    ]
    out = pd.DataFrame(rows)
    out["pooled_from"] = out["pooled_from"].astype("Int64")
    return out


def test_direction_and_reading_sentences_have_known_wording(config):
    cat = commune_catalogue(config)
    assert fs.DIRECTION_TEXT[cat.get("kita_2years").direction].startswith("Höher ist günstiger")
    assert fs.DIRECTION_TEXT[cat.get("sgb2_u15").direction].startswith("Höher ist ungünstiger")
    assert "wertet nicht" in fs.DIRECTION_TEXT[cat.get("non_german_u18").direction]
    assert "95-%-Konfidenzintervall (Wilson)" in fs.interval_sentence(cat.get("kita_2years"))
    assert "kein Konfidenzintervall" in fs.interval_sentence(cat.get("hze_eur_u21"))
    marks = str(fs.marks_sentence(cat.get("kita_2years"), config))
    min_den = config.thresholds.min_denominator
    assert f'kleiner als <span data-public="config">{min_den}</span>' in marks
    assert 'über <span data-public="config">2</span> Jahre' in marks  # kita_2years pools two years
    assert 'etwa „(<span data-public="year">2024–2025</span>)“' in marks


def test_selection_texts_name_what_is_counted(config):
    assert fs.age_text((6, 9)) == "von 6 bis unter 10 Jahren"
    cat = commune_catalogue(config)
    assert fs.selection_text(cat.get("sgb2_u15").denominator, config) == (
        "Einwohnerinnen und Einwohner unter 15 Jahren mit Hauptwohnsitz (Einwohnermelderegister)"
    )
    assert fs.selection_text(cat.get("sgb2_single_parent").numerator, config) == (
        "Bedarfsgemeinschaften von Alleinerziehenden (SGB-II-Statistik der Bundesagentur für Arbeit)"
    )
    seu = Selection(source="seu", field="language", values=("auffällig",))
    assert (
        fs.selection_text(seu, config)
        == "untersuchte Kinder der Schuleingangsuntersuchung mit Sprache (SOPESS): „auffällig“"
    )
    hze = Selection(source="hze", bases=("33", "34"))
    assert fs.selection_text(hze, config) == "Hilfen nach §§ 33, 34 SGB VIII (Fallliste des Jugendamts)"


def test_series_table_has_every_year_with_its_published_text_and_keys(config):
    ind = commune_catalogue(config).get("kita_2years")
    rows = fs.series_rows(frame(config), ind, config.commune.ags)
    city = config.commune.ags
    assert [r["label"] for r in rows] == ["2021", "2022", "2023", "2024", "2025"]
    assert [r["value"] for r in rows] == ["0", "80,0\xa0%", ".", "85,0\xa0%", "90,0\xa0%"]  # a true zero is 0
    assert rows[1]["key"] == f"kita_2years|2022|stadt|{city}"
    assert rows[1]["ci"] == "71,1–86,7" and rows[1]["numerator"] == "80" and rows[3]["denominator"] == "1.000"
    assert rows[2]["ci"] == "" and rows[2]["numerator"] == "."  # secret: no interval, no counts
    # the chart takes only published values: a true zero (2021) is one, a secret "." is not
    assert [p.year for p in fs.series_points(frame(config), ind, city)] == [2021, 2022, 2024, 2025]


def test_area_table_lists_stadtteile_bezirke_and_city_with_pooled_years(config):
    ind = commune_catalogue(config).get("kita_2years")
    rows = fs.area_rows(frame(config), ind, 2025, config, {"wiesdorf": "../2025/stadtteile/wiesdorf.html"})
    names = [s.name for s in config.stadtteile] + [b.name for b in config.stadtbezirke]
    assert [r["label"] for r in rows] == [*names, f"{config.commune.name} insgesamt"]
    assert rows[0]["value"] == "." and rows[0]["href"] == "../2025/stadtteile/wiesdorf.html"
    assert rows[1]["value"] == "87,5\xa0%" and rows[1]["pooled"] == "2024–2025"
    assert rows[2]["key"] == "" and rows[2]["value"] == "."  # no published cell for the Stadtbezirk
    assert rows[-1]["value"] == "90,0\xa0%"


def test_caveats_name_series_start_gap_pooling_and_suppression(config):
    ind = commune_catalogue(config).get("kita_2years")
    # with the zero of 2021 the series starts in the first data year (a zero is a value): no start caveat
    assert not any("Zeitreihe beginnt" in str(c) for c in fs.caveats(frame(config), ind, config, 2025))
    later = frame(config)
    later = later[later["year"] != 2021]
    found = [str(c) for c in fs.caveats(later, ind, config, 2025)]
    assert len(found) == 4
    start, gap, pooled, secret = found
    assert start.startswith('Die Zeitreihe beginnt <span data-public="year">2022</span>')
    assert 'im Jahr <span data-public="year">2023</span> ist für die Gesamtstadt kein Wert' in gap
    assert 'im Jahr <span data-public="year">2025</span> betrifft das <span data-public="count">1</span> von ' in pooled
    assert secret == (
        'Geheimhaltung und kleine Zahlen im Jahr <span data-public="year">2025</span>: '
        '<span data-public="count">1</span> Stadtteilwert ist geheim gehalten („.“).'
    )
    # a full series from the first data year, no pooling, nothing secret: nothing to caution
    city = config.commune.ags
    plain = pd.DataFrame(
        [
            _row("sgb2_u15", y, "stadt", city, 200.0, 1000.0, 20.0, 17.6, 22.6)
            for y in range(config.years.data.first, config.years.data.last + 1)
        ]
        + [_row("sgb2_u15", 2025, "stadtteil", "101", 50.0, 200.0, 25.0, 19.5, 31.4)]
    )
    assert fs.caveats(plain, commune_catalogue(config).get("sgb2_u15"), config, 2025) == []


def test_series_chart_draws_band_line_and_breaks_at_gaps():
    assert nice_ticks(92.0) == [0.0, 20.0, 40.0, 60.0, 80.0, 100.0]
    points = [Point(2020, 10.0, 8.0, 12.0), Point(2021, 11.0, 9.0, 13.0), Point(2023, 12.0, 10.0, 14.0)]
    assert [[p.year for p in run] for run in segments(points)] == [[2020, 2021], [2023]]
    svg = series_svg(points, "%", (2020, 2023))
    assert svg.count("<polygon") == 1 and svg.count("<polyline") == 1 and svg.count("<circle") == 3
    assert ">12,5<" not in svg and ">15<" in svg and ">2022<" in svg  # German ticks 0, 5, 10, 15; every year
    long = series_svg([Point(2010, 1.5), Point(2025, 2.0)], "je 1.000", (2010, 2025))
    years = [y for y in range(2010, 2026) if f">{y}<" in long]
    assert years == [2011, 2013, 2015, 2017, 2019, 2021, 2023, 2025] and ">0,5<" in long and ">2,0<" in long
    with pytest.raises(ValueError):
        series_svg([], "%")


def test_fact_sheet_page_is_tagged_offline_and_linked(config):
    paths = ProjectPaths(config)
    published = frame(config)
    html = fs.render_factsheet(config, "kita_2years", published, [paths.config_file])
    assert '<html lang="de">' in html and network_references(html) == [] and masculine_generics(html) == []
    units = {i.id: i.unit for i in commune_catalogue(config).indicators}
    assert check_page(html, "kita_2years", published_texts(published, units), vocabulary(config)) == []
    for href in ('href="index.html"', 'href="../glossar.html"', 'href="../2025/methoden.html"', 'href="../index.html"'):
        assert href in html
    assert 'Startseite</a> › <a href="index.html">Kennzahlenblätter</a>' in html
    assert "Höher ist günstiger" in html
    assert 'Leitziel „Frühe Bildung von Anfang an“: <span data-public="config">92,0 %</span>' in html
    assert "base64," not in html and "<img" not in html  # the series chart and the map are inline SVG
    assert html.count('class="mon-chart-svg"') == 1 and html.count('class="mon-map-svg"') == 1
    # the map prints the published values, each tagged with its cell (checked by check_page above)
    assert re.search(r'<tspan [^>]*data-cell="kita_2years\|2025\|stadtteil\|\d+">', html)
    assert 'data-cell="kita_2years|2025|stadtteil|201#ci"' in html


def test_overview_groups_by_phase_and_links_every_sheet(config):
    paths = ProjectPaths(config)
    html = fs.render_factsheet_index(config, [paths.config_file])
    cat = commune_catalogue(config)
    assert all(f'href="{i.id}.html"' in html for i in cat.indicators)
    phases = [p for p, inds in cat.by_phase().items() if inds]
    positions = [html.index(f">{p}</h2>") for p in phases]
    assert positions == sorted(positions)  # Präventionskette order
    assert check_page(html, "index", {}, vocabulary(config)) == []


def test_paths_tasks_and_cleanup_derive_from_the_plan(config, small_project):
    paths = ProjectPaths(config)
    ids = [i.id for i in commune_catalogue(config).indicators]
    assert factsheet_ids(config) == ids
    sheets = [paths.factsheet_html(None), *(paths.factsheet_html(i) for i in ids)]
    assert sheets[0] == small_project / "reports" / "kennzahlen" / "index.html"
    assert set(sheets) <= set(published_pages(config))
    tasks = {t["basename"] + (f":{t['name']}" if t.get("name") else ""): t for t in generate_tasks(config)}
    sheets = sorted(n for n, t in tasks.items() if n.startswith("kennzahlenblatt:"))
    assert sheets == sorted(["kennzahlenblatt:uebersicht", *(f"kennzahlenblatt:{i}" for i in ids)])
    deps = {Path(f).name for f in tasks["kennzahlenblatt:sgb2_u15"]["file_dep"]}
    # a sheet reads only its indicator's published rows: a change in another source leaves it alone
    assert {"sgb2_u15.parquet", "factsheet.html.j2", "factsheets.py", "svg_charts.py", "maps.py"} <= deps
    assert "indikatoren.parquet" not in deps
    assert str(paths.indicator_slice("sgb2_u15")) in tasks["kennzahlauszug"]["targets"]
    assert "indikatoren.parquet" in {Path(f).name for f in tasks["kennzahlauszug"]["file_dep"]}
    assert not {"indikatoren.parquet", "sgb2_u15.parquet"} & {
        Path(f).name for f in tasks["kennzahlenblatt:uebersicht"]["file_dep"]
    }
    assert str(paths.factsheet_html("sgb2_u15")) in tasks["geheimhaltung"]["file_dep"]
    # a sheet of an indicator no longer computed is stale; the current ones are not
    paths.factsheets.mkdir(parents=True)
    for page in (paths.factsheet_html("sgb2_u15"), paths.factsheet_html("abgeschafft")):
        page.write_text("<html></html>", encoding="utf-8")
    assert stale_files(paths) == [paths.factsheet_html("abgeschafft")]


def test_a_commune_without_a_source_gets_no_sheet_for_its_indicators(small_project):
    import yaml

    path = small_project / "config" / "small.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    del data["sources"]["kita"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    config = load_config(path)
    paths = ProjectPaths(config)
    ids = factsheet_ids(config)
    assert "u3_care" not in ids and "kita_3_6" not in ids and "sgb2_u15" in ids
    assert paths.factsheet_html("u3_care") not in published_pages(config)
