"""The network-reference checker finds every kind of remote load and nothing else."""

from __future__ import annotations

import pytest

from helpers.htmlcheck import network_references, strip_css_comments


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
