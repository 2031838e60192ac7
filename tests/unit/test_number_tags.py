"""Every number on a page is accounted for: tags, the scan for untagged numbers, the page check
of tagged cells, and charts built from published cells only."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers.core.numbertags import cell, public, text
from helpers.report.indicator_tables import chart_input, published_values
from helpers.site.audit import check_page, published_texts
from helpers.site.htmlcheck import tagged_cells, untagged_numbers

KEY = "sgb2_u15|2025|stadtteil|101"
SECRET = "sgb2_u15|2025|stadtteil|102"


def _published() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "indicator_id": ["sgb2_u15"] * 3,
            "year": [2025] * 3,
            "area_level": ["stadtteil", "stadtteil", "stadt"],
            "area_code": ["101", "102", "05316000"],
            "value": [25.24, None, 22.1],
            "symbol": ["", ".", ""],
            "numerator": [101.0, None, 3000.0],
            "denominator": [400.0, 20.0, 13575.0],
            "ci_lower": [21.2, None, 21.4],
            "ci_upper": [29.6, None, 22.8],
        }
    )


EXPECTED = published_texts(_published(), {"sgb2_u15": "pct"})


def test_tags_escape_text_and_know_their_categories():
    assert text("{} & {}", "A<B", public(3, "count")) == 'A&lt;B &amp; <span data-public="count">3</span>'
    assert cell("1", "a|b") == '<span data-cell="a|b">1</span>'
    with pytest.raises(ValueError, match="unknown category"):
        public(3, "secret")


@pytest.mark.parametrize(
    "html",
    [
        "<p>Es gab 2 Fälle.</p>",
        "<div class='mon-kpi'><div class='value'>25,2 %</div></div>",
        "<td class=num>17</td>",
        "<p>Im Jahr 2025 gab es Fälle.</p>",  # years outside labels must be tagged
        "<h2>Fälle: 12</h2>",  # headings may show years only
        "<ul><li><span data-public='year'>2025</span>: 3 Fälle</li></ul>",  # a tag covers its own text only
    ],
)
def test_an_untagged_number_is_found(html):
    assert len(untagged_numbers(f"<main>{html}</main>")) == 1


@pytest.mark.parametrize(
    "html",
    [
        f'<p>Wert <span data-cell="{KEY}">25,2 %</span></p>',
        '<td data-public="population">4.572</td>',
        "<h1>Stadtteilprofil Wiesdorf 2025</h1><caption>Kennzahlen 2025</caption><a href=x>Profil 2024</a>",
        "<p>Stand: 31.12.2025, Bestand am 31.12.</p>",
        "<p>das 95-%-Konfidenzintervall, je 10.000 unter 21-Jährige, 6 bis unter 15 Jahren, § 35a, 65 und älter</p>",
        "<script>var x = 12;</script><style>p {margin: 3px}</style><footer>Stand 31.12. Code d00da83</footer>",
        '<img alt="Karte: Wiesdorf 25,2 %" src="data:image/svg+xml;base64,AAA1">',
    ],
)
def test_tagged_and_whitelisted_numbers_pass(html):
    assert untagged_numbers(f"<main>{html}</main>") == []


def test_vocabulary_terms_are_wording_but_numbers_beside_them_are_not():
    words = ["SGB-II-Quote unter 15", "Kita 3–6"]
    assert untagged_numbers("<th>Kita 3–6</th><p>SGB-II-Quote unter 15</p>", words) == []
    assert untagged_numbers("<p>Kita 3–6: 2 Kinder</p>", words) == ["Kita 3–6: 2 Kinder"]


def test_tagged_cells_inside_sentences_and_boxes_are_compared_with_the_published_value():
    page = (
        f'<p>A <span data-cell="{KEY}">25,2\u00a0%</span>, Zähler <span data-cell="{KEY}#numerator">101</span>,'
        f' KI <span data-cell="{KEY}#ci">21,2–29,6</span>, <span data-cell="{SECRET}">.</span></p>'
        f'<table><tr><td data-cell="{KEY}">25,2\u00a0%<span title="x"> (2023–2025)</span></td></tr></table>'
    )
    assert len(tagged_cells(page)) == 5
    assert check_page(page, "seite.html", EXPECTED, []) == []
    for wrong in (f'<span data-cell="{SECRET}">2</span>', f'<span data-cell="{KEY}">25,29\u00a0%</span>'):
        found = check_page(page + wrong, "seite.html", EXPECTED, [])
        assert len(found) == 1 and found[0].startswith("seite.html: Zelle")
    found = check_page(page + f'<span data-cell="{SECRET}#numerator">2</span>', "seite.html", EXPECTED, [])
    assert found == [f"seite.html: Zelle {SECRET}#numerator zeigt '2', veröffentlicht ist '.'"]


def test_a_chart_from_an_unpublished_cell_fails():
    published = _published()
    assert published_values(published, [KEY]) == {KEY: 25.24}
    with pytest.raises(ValueError, match="nicht veröffentlichten Zelle"):
        published_values(published, [KEY, SECRET])
    with pytest.raises(ValueError):
        published_values(published, ["sgb2_u15|2025|stadtteil|999"])
    chart = chart_input(published, "sgb2_u15", 2025)
    assert chart.values == {"101": 25.24} and chart.keys == (KEY,)
