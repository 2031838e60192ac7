"""The details of a Stadtteil profile after its Steckbrief: every indicator in one table, grouped by life
phase (one row each: value with its 95 % interval and unit, counts, the city value, the verdict against the
city as a mark that works without colour, the trend), so the page says each explanation once.

Only published cells enter (``helpers.report.indicator_tables``); every number is tagged.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
from markupsafe import Markup

from helpers.core.formatting import fmt_number
from helpers.core.numbertags import cell, public, text
from helpers.indicators.catalogue import Catalogue, Indicator
from helpers.report.indicator_tables import (
    Place,
    cell_key,
    counts_places,
    fmt_interval,
    phase_sections,
    trend_mark,
)
from helpers.report.steckbrief import (
    MARKS,
    VERDICT_CSS,
    Comparison,
    comparisons,
    shown,
    with_unit,
)


def anchor(label: str) -> str:
    """A stable ASCII id for a phase heading (the profile's details table and the city matrix).

    >>> anchor("Kita 3–6"), anchor("Übergang Schule–Beruf")
    ('kita-3-6', 'uebergang-schule-beruf')
    """
    import re

    label = label.lower().translate(str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"}))
    return re.sub(r"[^a-z0-9]+", "-", label).strip("-")


def _value_with_ci(c: Comparison) -> Markup:
    """ "37,1 % (35,3–38,9)" with the value and the interval tagged as their cells; pooled values say so."""
    ind = c.indicator
    value = _nowrap(with_unit(c.local, ind.unit, counts_places(ind)))
    if not shown(c.local):
        return value
    ci = fmt_interval(c.local["ci_lower"], c.local["ci_upper"], ind.unit)
    if ci:
        value = Markup('{} <span class="mon-ci">({})</span>').format(value, cell(ci, f"{cell_key(c.local)}#ci"))
    if pd.notna(c.local.get("pooled_from")):
        value += text(
            ' <span class="mon-note">{}–{} zusammengefasst</span>',
            public(int(c.local["pooled_from"]), "year"),
            public(int(c.local["year"]), "year"),
        )
    return value


def _nowrap(value: Markup) -> Markup:
    """A number with its unit kept on one line (the cell itself may wrap its notes; the words of
    "0 – kein Angebot im Stadtteil" may wrap too)."""
    if "kein Angebot" in value:
        return value
    return Markup('<span class="mon-nw">{}</span>').format(value)


def _counts(row: Mapping | None) -> Markup:
    if row is None or (pd.isna(row["numerator"]) and pd.isna(row["denominator"])):
        return Markup(".")
    key = cell_key(row)
    return text(
        "{} / {}",
        cell(fmt_number(row["numerator"]), f"{key}#numerator"),
        cell(fmt_number(row["denominator"]), f"{key}#denominator"),
    )


#: The marks of the table's comparison column, said under it.
MARK_LEGEND = (
    "⊖ deutlich ungünstiger, ⊕ deutlich günstiger, ≠ deutlich höher oder niedriger (ohne Wertung), ○ kein "
    "belastbarer Unterschied (das 95-%-Konfidenzintervall schließt den städtischen Wert ein), ⊘ kein Angebot im "
    "Stadtteil, – kein Vergleich möglich (ohne Intervall oder nicht veröffentlicht)."
)

#: The verdict in a table cell: the mark and a short word (the Steckbrief's note explains "deutlich" once).
SHORT_WORDS = {
    "worse": "ungünstiger",
    "better": "günstiger",
    "higher": "höher",
    "lower": "niedriger",
    "similar": "ähnlich",
    "no_offer": "kein Angebot",
    None: "–",
}


def _verdict_cell(verdict: str | None) -> Markup:
    symbol, words = MARKS[verdict]
    return Markup(
        '<td class="mon-verdict-cell {}" title="{}"><span aria-hidden="true">{}</span>'
        '<span class="mon-sr"> {}</span></td>'
    ).format(VERDICT_CSS[verdict], words, symbol, SHORT_WORDS[verdict])


def common_period(trends: Mapping[str, Mapping]) -> str:
    """The most frequent period of the area's trends ("2010–2025"; "" without trends), named once in the
    table header.

    >>> common_period({"a": {"first_year": 2010, "last_year": 2025}, "b": {"first_year": 2011, "last_year": 2025},
    ...                "c": {"first_year": 2010, "last_year": 2025}})
    '2010–2025'
    """
    from collections import Counter

    from helpers.report.trend_sections import period

    found = Counter(period(t) for t in trends.values() if pd.notna(t.get("first_year")))
    return found.most_common(1)[0][0] if found else ""


def _row(c: Comparison, trend: Mapping | None, links: Mapping[str, str], years: str = "") -> Markup:
    ind: Indicator = c.indicator
    href = links.get(ind.id, "")
    name = Markup('<a href="{}" title="{}">{}</a>').format(href, ind.definition, ind.short) if href else ind.short
    return Markup(
        '<tr><th scope="row">{}</th><td class="num">{}</td><td class="num mon-counts">{}</td><td class="num">{}</td>{}'
        '<td data-public="derived">{}</td></tr>'
    ).format(
        name,
        _value_with_ci(c),
        _counts(c.local),
        _nowrap(with_unit(c.city, ind.unit, counts_places(ind))),
        _verdict_cell(c.verdict),
        trend_mark(trend, ind, years),
    )


def details_table(
    published: pd.DataFrame,
    catalogue: Catalogue,
    place: Place,
    trends: Mapping[str, Mapping] | None = None,
    links: Mapping[str, str] | None = None,
) -> Markup:
    """All indicators of the area in one table, one row group per life phase (its heading row carries the
    phase's anchor), with the verdict against the city and the trend."""
    year, code, name, city_code, city_name = place.year, place.code, place.name, place.city_code, place.city_name
    trends, links = trends or {}, links or {}
    years = common_period(trends)
    groups = []
    for phase, inds in phase_sections(catalogue):
        rows = Markup("").join(
            _row(c, trends.get(c.indicator.id), links, years)
            for c in comparisons(published, inds, year, code, city_code)
        )
        head = Markup('<tr class="mon-phase"><th scope="colgroup" colspan="6" id="{}">{}</th></tr>').format(
            anchor(phase), phase
        )
        groups.append(Markup("<tbody>{}{}</tbody>").format(head, rows))
    return Markup(
        '<table class="mon-details"><caption>Alle Kennzahlen {} {} nach Lebensphasen</caption><thead><tr>'
        '<th scope="col">Kennzahl</th><th scope="col" class="num">{} (95-%-KI)</th>'
        '<th scope="col" class="num">Zähler / Nenner</th><th scope="col" class="num">{}</th>'
        '<th scope="col" title="gegenüber der Gesamtstadt">Stadt&shy;vergleich</th>'
        '<th scope="col">Trend {}: Veränderung</th>'
        "</tr></thead>{}</table>"
    ).format(name, public(year, "year"), name, city_name, years, Markup("").join(groups))


def details_html(
    published: pd.DataFrame,
    catalogue: Catalogue,
    place: Place,
    trends: Mapping[str, Mapping] | None = None,
    links: Mapping[str, str] | None = None,
):
    """The details table with the Zeichenerklärung, for a notebook cell (an IPython HTML object)."""
    from IPython.display import HTML

    from helpers.core.templating import fragment
    from helpers.report.indicator_tables import legend

    table = details_table(published, catalogue, place, trends, links)
    marks = Markup(fragment("note", Markup("Stadtvergleich: ") + Markup(MARK_LEGEND)))
    return HTML(
        Markup(fragment("heading", 2, "alle-kennzahlen", "Alle Kennzahlen")) + table + marks + Markup(legend().data)
    )


def collapsed(content, summary: str):
    """``content`` (an IPython HTML object) folded under ``summary`` (a <details> element: on screen one line, opened
    on demand)."""
    from IPython.display import HTML

    return HTML(
        Markup('<details class="mon-more"><summary>{}</summary>{}</details>').format(summary, Markup(content.data))
    )


def side_by_side(*blocks):
    """Figures (IPython HTML objects) next to each other on a wide screen, one below the other on a phone."""
    from IPython.display import HTML

    inner = Markup("").join(Markup('<div class="mon-pair-item">{}</div>').format(Markup(b.data)) for b in blocks)
    return HTML(Markup('<div class="mon-pair">{}</div>').format(inner))


def narrow(block):
    """A figure (an IPython HTML object) at a reading width on a wide screen (it scales, its text with it)."""
    from IPython.display import HTML

    return HTML(Markup('<div class="mon-narrow">{}</div>').format(Markup(block.data)))
