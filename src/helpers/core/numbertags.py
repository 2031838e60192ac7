"""Every number a page shows is accounted for: tags for published cells and public numbers.

A number on a page is either

* a **published cell** (indicator or HzE table cell, or a field of one): the element carries
  ``data-cell="<key>"`` and the page audit compares its text with the published value, or
* declared **public** by category: the element carries ``data-public="<category>"``, one of
  :data:`PUBLIC_CATEGORIES` (each says why such numbers cannot disclose a person), or
* in one of the few whitelisted contexts of ``helpers.site.htmlcheck.untagged_numbers``.

Keys of a cell field append the field: ``<key>#numerator``, ``<key>#denominator``,
``<key>#ci`` (the published counts and interval of an indicator cell).

The helpers return markup (``markupsafe.Markup``) that fragments embed as is and Markdown
passes through; the text itself is escaped.
"""

from __future__ import annotations

from markupsafe import Markup, escape

#: The categories of public numbers: what they are and why they are not sensitive.
PUBLIC_CATEGORIES = {
    "year": "Jahre, Zeiträume und Stichtage",
    "count": "Anzahlen von Gebieten, Kennzahlen, Jahren oder Tests (Aufbau des Berichts, keine Personen)",
    "config": "Schwellen, Zielwerte, Klassengrenzen und Methodenparameter aus der Konfiguration",
    "population": "Einwohnerzahlen des Melderegisters und daraus berechnete Anteile und Veränderungen "
    "(öffentliche Bevölkerungsstatistik) sowie Bezugsgrößen",
    "services": "Plätze und Jahre der Präventionsangebote (öffentliche Angebotsübersicht)",
    "derived": "aus veröffentlichten Zellen berechnete Werte: Veränderungen, Trends, geglättete Werte, "
    "Indexwerte, Anteile, Werte je Fall",
    "estimate": "Modellergebnisse für die ganze Stadt: Wirkungsschätzungen, Intervalle, p-Werte, Bilanzen",
    "comparison": "veröffentlichte Werte anderer Kommunen (Vergleichsring)",
    "axis": "Achsenbeschriftungen von Diagrammen: Skalenwerte und Klassen der Achsen, keine Daten",
}


def cell(text: str, key: str) -> Markup:
    """``text`` as a published cell: ``<span data-cell="key">text</span>``.

    >>> cell("25,2 %", "sgb2_u15|2025|stadtteil|101")
    Markup('<span data-cell="sgb2_u15|2025|stadtteil|101">25,2 %</span>')
    """
    return Markup('<span data-cell="{}">{}</span>').format(key, text)


def public(text: object, category: str) -> Markup:
    """``text`` declared public: ``<span data-public="category">text</span>``.

    >>> public(2025, "year")
    Markup('<span data-public="year">2025</span>')
    """
    if category not in PUBLIC_CATEGORIES:
        raise ValueError(f"unknown category of public numbers: {category!r}")
    return Markup('<span data-public="{}">{}</span>').format(category, text)


def text(template: str, *args: object, **kwargs: object) -> Markup:
    """A sentence with tagged numbers: ``template`` (plain text) formatted with ``args`` that are
    markup (tags) or plain text (escaped).

    >>> text("{} lebten {} Menschen.", "A & B", public("1.000", "population"))
    Markup('A &amp; B lebten <span data-public="population">1.000</span> Menschen.')
    """
    return Markup(escape(template)).format(*args, **kwargs)
