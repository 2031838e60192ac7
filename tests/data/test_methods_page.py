"""The methods page reads for readers first (what, why, how to read it) and keeps the simulation
figures and reproductions in a technical annex at its end."""

from __future__ import annotations

import html as html_lib
import re
from pathlib import Path

import pytest

from helpers.core.config import load_config
from helpers.core.paths import ProjectPaths
from helpers.site import pages
from helpers.site.audit import vocabulary
from helpers.site.htmlcheck import untagged_numbers

#: Words of a QA log: simulation figures, reproductions, comparisons with an earlier procedure.
QA_WORDS = ("Wiederholungen", "Simulation", "reproduz", "Monte-Carlo", "vorher", "früher", "auf vier Stellen")


@pytest.fixture
def config(small_project: Path):
    return load_config(small_project / "config" / "small.yml")


@pytest.fixture
def page(config) -> str:
    year, paths = max(config.report_years), ProjectPaths(config)
    return pages.render_methods(config, year, paths.methods_html(year), paths.report_html("gesamtstadt", year))


def _text(fragment: str) -> str:
    return html_lib.unescape(re.sub(r"<[^>]+>", "", fragment))


def test_reader_part_first_then_the_technical_annex_at_the_end(page):
    headings = re.findall(r'<h2 id="([^"]+)"', page)
    assert headings[-1] == "Technischer-Anhang"
    assert headings.index("Verfahren") < headings.index("Geheimhaltung") < headings.index("Technischer-Anhang")
    assert '<a href="#Technischer-Anhang">' in page  # the contents and the methods section point to it
    reader, annex = page.split('<h2 id="Technischer-Anhang">')
    assert [w for w in QA_WORDS if w in _text(reader)] == []
    annex_text = _text(annex)
    assert "Wiederholungen" in annex_text and "Lopez Bernal" in annex_text


def test_every_method_says_what_why_and_how_to_read_it_and_has_its_annex(config, page):
    methods = pages.methods_for(pages.commune_plan(config))
    assert len(methods) == len(pages.METHODS)  # the small config has every source
    reader, annex = page.split('<h2 id="Technischer-Anhang">')
    section = reader[reader.index('<h2 id="Verfahren">') : reader.index('<h2 id="Geheimhaltung">')]
    blocks = re.split(r"<h3 [^>]*>", section)[1:]
    assert [_text(b.split("</h3>")[0]) for b in blocks] == [m.title for m in methods]
    for block in blocks:
        assert "Was es tut:" in block and "Wozu:" in block and "So lesen Sie es:" in block
    assert [_text(t) for t in re.findall(r"<h3 [^>]*>(.*?)</h3>", annex)] == [m.title for m in methods]


def test_a_commune_without_hze_funnel_services_or_index_gets_only_the_general_methods():

    class Plan:
        social_index_reason = "zu wenige Statusindikatoren"
        funnel_indicators = ()
        sources_found = ()

        @staticmethod
        def step_runs(step: str) -> bool:
            return False

    assert [m.title for m in pages.methods_for(Plan())] == ["Konfidenzintervalle", "Trends"]


def test_every_number_of_the_page_is_accounted_for(config, page):
    assert untagged_numbers(page, vocabulary(config)) == []
