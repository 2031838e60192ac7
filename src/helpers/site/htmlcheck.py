"""Checks on published HTML: nothing may be loaded from the network.

Used by the tests (and by anyone who wants to check a page by hand):
``network_references(html)`` lists every construct that would make a browser fetch
something from outside the file: absolute or protocol-relative URLs in resource
attributes, CSS ``url(...)`` and ``@import``, and JavaScript module imports. Plain links
(``<a href>``) are navigation, not loads, and are allowed to be relative only.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from helpers.site.markup import CSS_COMMENT

REMOTE = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)", re.IGNORECASE)
CSS_IMPORT = re.compile(r"@import\s+(?:url\()?\s*['\"]?([^'\");\s]+)", re.IGNORECASE)
JS_IMPORT = re.compile(r"(?:\bimport\s*\(|\bfrom)\s*['\"]([^'\"]+)['\"]")

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
        self._key: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        key = dict(attrs).get("data-cell")
        if tag == "td" and key:
            self._key, self._text = key, []

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._key:
            self.cells.append((self._key, "".join(self._text).strip()))
            self._key = None

    def handle_data(self, data: str) -> None:
        if self._key:
            self._text.append(data)


def tagged_cells(html: str) -> list[tuple[str, str]]:
    """(data-cell key, shown text) of every tagged indicator cell on a page."""
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
