"""The network-reference checker finds every kind of remote load and nothing else."""

from __future__ import annotations

import re

import pytest

from helpers.site.htmlcheck import network_references
from helpers.site.markup import strip_css_comments


@pytest.mark.parametrize(
    "snippet",
    [
        '<script src="https://cdnjs.cloudflare.com/require.min.js"></script>',
        '<script src="//cdn.example.org/x.js"></script>',
        '<link rel="stylesheet" href="https://fonts.googleapis.com/css">',
        '<img src="http://example.org/a.png">',
        "<style>body { background: url('https://example.org/bg.png') }</style>",
        "<style>@import url(https://example.org/x.css);</style>",
        '<script type="module">import mermaid from "https://cdn.jsdelivr.net/mermaid.mjs";</script>',
        '<div style="background:url(//example.org/x.png)"></div>',
        '<a href="https://example.org">extern</a>',
    ],
)
def test_remote_references_are_found(snippet):
    assert network_references(f"<html><body>{snippet}</body></html>")


def test_local_and_inline_content_is_fine():
    page = (
        "<html><head><style>/* see https://example.org */ .a { color: red }</style></head>"
        '<body><img src="data:image/png;base64,AAAA" alt="x"><a href="../index.html">i</a>'
        '<a href="#abschnitt">a</a></body></html>'
    )
    assert network_references(page) == []


def test_strip_css_comments():
    assert strip_css_comments("<style>/* x */a{b:c}/* y\nz */</style>") == "<style>a{b:c}</style>"


def test_masculine_generics_finds_only_unpaired_person_nouns():
    from helpers.site.htmlcheck import masculine_generics

    text = (
        "Einwohnerinnen und Einwohner; je Einwohnerin und Einwohner; Einwohner/-innen; "
        "Einwohnermelderegister; 100 Einwohner; alle Schüler"
    )
    assert masculine_generics(text) == ["100 Einwohner", "lle Schüler"]


def test_table_of_contents_lists_h2_headings_after_the_title():
    from helpers.pipeline.execution import add_table_of_contents

    page = (
        '<h1 id="T">Titel<a class="anchor-link" href="#T">¶</a></h1><p>x</p>'
        '<h2 id="A">Bevölkerung<a class="anchor-link" href="#A">¶</a></h2>'
        '<h2 id="B">Trends &amp; Karten<a class="anchor-link" href="#B">¶</a></h2>'
        '<h2 id="C">Ohne Ankerlink</h2><table><tr><td>Wert 1</td></tr></table><h3 id="D">Unterabschnitt</h3>'
        '<h2 id="E"><span>Mit</span> Markup<a class="anchor-link" href="#E">¶</a></h2><p>Text</p>'
    )
    out = add_table_of_contents(page)
    toc = out[out.index("</h1>") + 5 : out.index("<p>x</p>")]
    wide, folded = toc.split('<details class="mon-toc-folded">')  # open on a wide screen, folded on a phone
    assert wide.startswith('<nav class="mon-toc"') and folded.startswith("<summary>Inhalt</summary>")
    for nav in (wide, folded):
        assert re.findall(r"<li>(.*?)</li>", nav) == [
            '<a href="#A">Bevölkerung</a>',
            '<a href="#B">Trends &amp; Karten</a>',
            '<a href="#C">Ohne Ankerlink</a>',
            '<a href="#E">Mit Markup</a>',
        ]
    assert add_table_of_contents("<h1>T</h1>") == "<h1>T</h1>"  # fewer than two sections: no list
