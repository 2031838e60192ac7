"""Checks on published HTML: nothing may be loaded from the network.

Used by the tests (and by anyone who wants to check a page by hand):
``network_references(html)`` lists every construct that would make a browser fetch
something from outside the file: absolute or protocol-relative URLs in resource
attributes, CSS ``url(...)`` and ``@import``, and JavaScript module imports. Plain links
(``<a href>``) are navigation, not loads, and are allowed to be relative only.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from html.parser import HTMLParser

from helpers.site.markup import CSS_COMMENT

REMOTE = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)", re.IGNORECASE)
CSS_IMPORT = re.compile(r"@import\s+(?:url\()?\s*['\"]?([^'\");\s]+)", re.IGNORECASE)
JS_IMPORT = re.compile(r"(?:\bimport\s*\(|\bfrom)\s*['\"]([^'\"]+)['\"]")

_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}

RESOURCE_ATTRS = {"src", "srcset", "data", "poster", "action", "formaction", "background"}


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in = tag if tag in ("style", "script") else None
        for name, value in attrs:
            value = value or ""
            if name in RESOURCE_ATTRS and REMOTE.match(value):
                self.found.append(f"<{tag} {name}={value}>")
            if tag == "link" and name == "href" and REMOTE.match(value):
                self.found.append(f"<link href={value}>")
            if tag == "a" and name == "href" and REMOTE.match(value):
                self.found.append(f"<a href={value}> (external link)")
            if name == "style":
                self._css(value)

    def handle_endtag(self, tag: str) -> None:
        self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "style":
            self._css(data)
        elif self._in == "script":
            self.found.extend(f"script import {m}" for m in JS_IMPORT.findall(data) if REMOTE.match(m))

    def _css(self, text: str) -> None:
        text = CSS_COMMENT.sub("", text)
        for pattern in (CSS_URL, CSS_IMPORT):
            self.found.extend(f"css {m}" for m in pattern.findall(text) if REMOTE.match(m))


def network_references(html: str) -> list[str]:
    """Every reference in ``html`` that would load (or link to) something remote."""
    collector = _Collector()
    collector.feed(html)
    collector.close()
    return collector.found


class _CellCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.cells: list[tuple[str, str]] = []
        self._open: list[tuple[str, str | None, list[str]]] = []  # (tag, key, text) of open elements

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _VOID:
            self._open.append((tag, dict(attrs).get("data-cell"), []))

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            name, key, text = self._open.pop()
            if key:
                self.cells.append((key, "".join(text).strip()))
            if name == tag:
                return

    def handle_data(self, data: str) -> None:
        for _, key, text in self._open:
            if key:
                text.append(data)


def tagged_cells(html: str) -> list[tuple[str, str]]:
    """(data-cell key, shown text) of every tagged published cell on a page (any element)."""
    collector = _CellCollector()
    collector.feed(html)
    collector.close()
    return collector.cells


#: Person nouns that German reports write in both forms ("Einwohnerinnen und Einwohner").
GENDERED_NOUNS = ("Einwohner", "Einschüler", "Schüler", "Bürger", "Empfänger", "Teilnehmer", "Lehrer", "Erzieher")
_GENERIC = re.compile(r"(?<![\wäöüß])(" + "|".join(GENDERED_NOUNS) + r")(n)?(?![\wäöüß/])")


def masculine_generics(text: str) -> list[str]:
    """Person nouns used in the masculine form alone (not as "…innen und …", "…in und …" or "…/-innen").

    >>> masculine_generics("Einwohnerinnen und Einwohner; je Einwohnerin und Einwohner; 100 Einwohner")
    ['100 Einwohner']
    """
    found = []
    for m in _GENERIC.finditer(text):
        before = text[max(0, m.start() - 12) : m.start()]
        if re.search(r"(innen|in) (und|oder) $", before):
            continue
        found.append(text[max(0, m.start() - 4) : m.end()].strip())
    return found


# --- every number on a page is accounted for -------------------------------------------------

#: Elements whose content is not visible page text: code, styles, and the footer (sources with
#: their "Stand" dates, code version, input checksum: provenance written by the page template).
_SKIP = {"script", "style", "footer"}
#: Label elements: headings, captions, header cells, links and the navigation may show years.
_LABELS = {"h1", "h2", "h3", "h4", "h5", "h6", "title", "caption", "th", "a", "nav"}
YEAR = re.compile(r"(?<![\d.,])(?:19|20)\d\d(?![\d,]|\.\d)")
#: Fixed phrases whose digits are part of the wording, not data (the whole whitelist):
#: dates ("31.12.2025", "am 31.12."), method levels ("95-%-Intervall"), rate bases ("je 10.000"),
#: age limits ("unter 21-Jährige", "unter 18 Jahren", "6 bis unter 15 Jahren", "65 und älter"), legal
#: references ("§ 35a").
PHRASES = re.compile(
    r"(?<![\d.,])\d{1,2}\.\d{1,2}\.(?:\d{4})?(?!\d|[.,]\d)"
    r"|(?<![\d.,])\d+(?:,\d+)?-%-"
    r"|\bje (?:100|1\.000|10\.000|100\.000)(?!\d|[.,]\d)"
    r"|(?<![\d.,])(?:\d+ bis )?unter \d+(?:-Jährig\w*| Jahr\w*| J\.)?(?!\d|[.,]\d)"
    r"|(?<![\d.,])\d+-Jährig\w*"
    r"|(?<![\d.,])\d+ und älter"
    r"|§§? ?\d+\w*(?: ?\(\d+\))?(?:, \d+\w*| und \d+\w*|–\d+)*"
)
DIGITS = re.compile(r"\d[\d.,]*")


class _NumberCollector(HTMLParser):
    def __init__(self, words: re.Pattern[str] | None) -> None:
        super().__init__(convert_charrefs=True)
        self.words = words
        self.stack: list[tuple[str, bool]] = []  # (tag, accounted for by a tag on it)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            return
        names = {name for name, _ in attrs}
        self.stack.append((tag, bool(names & {"data-cell", "data-public"})))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        tags = [t for t, _ in self.stack]
        if not any(ch.isdigit() for ch in data) or any(t in _SKIP for t in tags):
            return
        if any(tagged for _, tagged in self.stack):
            return
        rest = self.words.sub(" ", data) if self.words else data
        rest = PHRASES.sub(" ", rest)
        if any(t in _LABELS for t in tags):
            rest = YEAR.sub(" ", rest)
        hit = DIGITS.search(rest)
        if hit:
            start, end = max(0, hit.start() - 50), hit.end() + 30
            excerpt = " ".join(data[start:end].split())
            self.found.append(("…" if start else "") + excerpt + ("…" if end < len(data) else ""))


def untagged_numbers(html: str, vocabulary: Sequence[str] = ()) -> list[str]:
    """Visible text pieces of a page with a number that nothing accounts for.

    A digit is accounted for inside an element with ``data-cell`` or ``data-public`` (see
    ``helpers.core.numbertags``), in ``<script>``, ``<style>`` or the ``<footer>``, in a year
    (19xx/20xx) within a heading, caption, header cell, link or the navigation, in one of the
    fixed :data:`PHRASES`, or in a term of ``vocabulary`` (names from the config and the indicator
    catalogue, e.g. "SGB-II-Quote unter 15", "Kita 3–6"). Images (with their alt text) are not text.

    >>> untagged_numbers('<h1>Bericht 2025</h1><p>Am 31.12.2025: <span data-public="population">4.572</span></p>')
    []
    >>> untagged_numbers("<p>Es gab 2 Fälle.</p><th>Kita 3–6</th>", vocabulary=["Kita 3–6"])
    ['Es gab 2 Fälle.']
    """
    terms = sorted({t for t in vocabulary if any(ch.isdigit() for ch in t)}, key=len, reverse=True)
    collector = _NumberCollector(re.compile("|".join(re.escape(t) for t in terms)) if terms else None)
    collector.feed(html)
    collector.close()
    return collector.found
