"""Printing to PDF: German words break only at a hyphen (soft hyphens put in by site/pdf.py).

A small page with the site's stylesheet, narrow table columns and a narrow text column full of
long German words is printed the way the build prints a profile. The check that finds a word split
without a hyphen is shown to fail on the print of before (no soft hyphens, ``overflow-wrap:
anywhere`` in table cells), so it can fail.
"""

from __future__ import annotations

import html
import itertools
import re
from pathlib import Path

import pytest

from helpers.site import pdf

ROOT = Path(__file__).resolve().parents[2]
STYLESHEET = ROOT / "src" / "helpers" / "templates" / "monitoring" / "report.css"
WORDS = ("Familienzentrum", "Schulsozialarbeit", "gesamtstädtisch", "Sprachförderung", "Übergangscoaching")
#: The print rules of before hyphenation (the cause of „Familienzentru|m“): the page breaks words anywhere.
BEFORE = "@media print { body.monitoring, body.monitoring td { overflow-wrap: break-word; } body.monitoring td { overflow-wrap: anywhere; } }"

needs_chromium = pytest.mark.skipif(pdf.find_chromium() is None, reason="no Chromium to print with")


def _page(folder: Path, extra_css: str = "") -> Path:
    (folder / "assets").mkdir(parents=True)
    (folder / "assets" / "monitoring.css").write_text(STYLESHEET.read_text(encoding="utf-8") + extra_css, "utf-8")
    cells = "".join(f"<td>{w} und {w}</td>" for w in WORDS)
    rows = "".join(f"<tr><th scope=row>{w}</th>{cells}<td class=num>1.234.567,8</td></tr>" for w in WORDS)
    text = " ".join(f"das {w} im Stadtteil" for w in WORDS * 3)
    body = (
        '<main><h1>Stadtteilprofil</h1><table><thead><tr><th scope="col">Kennzahl</th>'
        + "".join(f'<th scope="col">Spalte {i}</th>' for i in range(len(WORDS) + 1))
        + f"</tr></thead><tbody>{rows}</tbody></table>"
        + f'<p style="width: 7em">{text} www.leverkusen.de/familienzentrum</p>'
        + '<svg width="200" height="20"><text x="0" y="15">Familienzentrum</text></svg></main>'
    )
    page = folder / "profil.html"
    page.write_text(
        '<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>Profil</title>'
        f'<link rel="stylesheet" href="assets/monitoring.css"></head><body class="monitoring">{body}</body></html>',
        "utf-8",
    )
    return page


def _vocabulary(page: Path) -> set[str]:
    text = re.sub(r"<[^>]+>", " ", page.read_text(encoding="utf-8"))
    return set(re.findall(r"[^\W\d_]+", html.unescape(text)))


def _text(target: Path) -> str:
    import pypdfium2

    doc = pypdfium2.PdfDocument(target)
    try:
        return "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    finally:
        doc.close()


@needs_chromium
def test_the_print_of_before_splits_words_without_a_hyphen(tmp_path, monkeypatch):
    page = _page(tmp_path / "site", BEFORE)
    monkeypatch.setattr(pdf, "hyphenate_page", lambda tab: 0)
    pdf.write_pdf(page, tmp_path / "vorher.pdf")
    broken = pdf.words_broken_without_hyphen(_text(tmp_path / "vorher.pdf"), _vocabulary(page))
    assert len({b.replace("|", "") for b in broken} & set(WORDS)) >= 3, broken


@needs_chromium
def test_words_break_only_at_a_hyphen_and_the_published_page_is_unchanged(tmp_path):
    page = _page(tmp_path / "site")
    before = page.read_bytes()
    pdf.write_pdf(page, tmp_path / "profil.pdf")
    assert page.read_bytes() == before, "the soft hyphens go only into the printed copy"
    text = _text(tmp_path / "profil.pdf")
    assert pdf.words_broken_without_hyphen(text, _vocabulary(page)) == []
    lines = text.replace("\r\n", "\n").split("\n")
    hyphenated = {
        re.search(r"([^\W\d_]+)\W$", a).group(1) + re.match(r"[^\W\d_]+", b).group(0)
        for a, b in itertools.pairwise(lines)
        if re.search(r"[^\W\d_][\-\u2010\u00ad]$", a) and re.match(r"[^\W\d_]", b)
    }
    assert hyphenated & set(WORDS), "the narrow text column breaks long words at a hyphen"
    squeezed = re.sub(r"\s", "", text)
    assert "1.234.567,8" in squeezed and "www.leverkusen.de/familienzentrum" in squeezed


@needs_chromium
def test_soft_hyphens_go_into_words_only_not_into_numbers_urls_or_svg(tmp_path):
    from playwright.sync_api import sync_playwright

    page = _page(tmp_path / "site")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(pdf.find_chromium()), args=pdf.LAUNCH_ARGS)
        tab = browser.new_page()
        tab.goto(page.as_uri())
        assert pdf.hyphenate_page(tab) == len(WORDS) + 3  # and "Stadtteilprofil", "Kennzahl", "Stadtteil"
        cell = tab.inner_text("tbody td")
        number = tab.inner_text("td.num")
        paragraph = tab.inner_text("p")
        drawn = tab.text_content("svg text")
        browser.close()
    assert cell == "Fami\u00adli\u00aden\u00adzen\u00adtrum und Fami\u00adli\u00aden\u00adzen\u00adtrum"
    assert number == "1.234.567,8"
    assert paragraph.endswith(" www.leverkusen.de/familienzentrum")
    assert drawn == "Familienzentrum"
