"""The city report's Lebenslauf-Matrix as tables that fit the page: Stadtteile as rows (the name column stays
in view when a table scrolls on a phone), a few indicators per table, every cell coloured and marked by the
same classification the profiles use (``helpers.report.steckbrief.compare_to_city``: the area's 95 % interval
against the city value), the interval in the cell's title; and the city's series of the key indicators as
small SVG charts (``helpers.report.svg_charts.series_chart``, inline).

Only published cells enter; every value carries its ``data-cell`` key.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import pandas as pd
from markupsafe import Markup

from helpers.core.numbertags import public, text
from helpers.core.templating import fragment
from helpers.indicators.catalogue import Catalogue, Indicator
from helpers.report.indicator_tables import (
    UNIT_HEADER,
    cell_key,
    counts_places,
    fmt_interval,
    fmt_value,
    has_value,
    phase_sections,
    published_cells,
    published_values,
)
from helpers.report.steckbrief import MARKS, NO_OFFER, VERDICT_CSS, compare_to_city

if TYPE_CHECKING:
    from helpers.report.context import ReportScope

#: Indicators per table: with the Stadtteil column it fits 1280 px (and scrolls with a fixed first column
#: on a phone).
PER_TABLE = 6


def chunks(items: Sequence, size: int = PER_TABLE) -> list[list]:
    """``items`` in tables of at most ``size``, as even as possible.

    >>> [len(c) for c in chunks(list(range(11)))], [len(c) for c in chunks(list(range(6)))]
    ([6, 5], [6])
    """
    n = -(-len(items) // size)
    base, extra = divmod(len(items), n) if n else (0, 0)
    out, start = [], 0
    for i in range(n):
        end = start + base + (1 if i < extra else 0)
        out.append(list(items[start:end]))
        start = end
    return out


def _cell(row: Mapping | None, city: Mapping | None, ind: Indicator, is_city: bool) -> Markup:
    """One matrix cell: the published text (tagged), the verdict's mark and class, the interval in the title."""
    if row is None:
        return Markup('<td class="num mon-a-none" title="keine Daten">.</td>')
    places = counts_places(ind)
    shown_text = fmt_value(row["value"], ind.unit, row["symbol"], "compact" if places else "")
    pooled = Markup("<sup>M</sup>") if pd.notna(row.get("pooled_from")) else Markup("")
    if is_city:
        return Markup('<td class="num mon-city" data-cell="{}">{}{}</td>').format(cell_key(row), shown_text, pooled)
    verdict = compare_to_city(row, city, ind.direction)
    if places and has_value(row) and row["value"] == 0:
        verdict = NO_OFFER
    ci = fmt_interval(row["ci_lower"], row["ci_upper"], ind.unit) if has_value(row) else ""
    title = MARKS[verdict][1] + (f"; 95-%-KI {ci}" if ci else "")
    mark = Markup('<span class="mon-cm-mark" aria-hidden="true">{}</span>').format(MARKS[verdict][0])
    return Markup('<td class="num {}" title="{}"><span data-cell="{}">{}</span>{} {}</td>').format(
        VERDICT_CSS[verdict], title, cell_key(row), shown_text, pooled, mark
    )


def matrix_table(
    published: pd.DataFrame,
    indicators: Sequence[Indicator],
    year: int,
    areas: Sequence[tuple[str, str, str]],
    city_code: str,
    caption: str | Markup,
    links: Mapping[str, str] | None = None,
) -> Markup:
    """Stadtteile (rows, with ``areas`` as (level, code, label)) × ``indicators`` (columns) of one year, the city
    as the last row."""
    links = links or {}
    cells = published_cells(published, [i.id for i in indicators], [year])
    head = Markup("").join(
        Markup('<th scope="col" class="num">{} <span class="mon-unit">({})</span></th>').format(
            Markup('<a href="{}">{}</a>').format(links[i.id], i.short) if links.get(i.id) else i.short,
            UNIT_HEADER[i.unit],
        )
        for i in indicators
    )
    body = []
    for level, code, label in areas:
        row_cells = Markup("").join(
            _cell(cells.get((i.id, year, level, code)), cells.get((i.id, year, "stadt", city_code)), i,
                  level == "stadt")
            for i in indicators
        )  # fmt: skip
        css = ' class="mon-city-row"' if level == "stadt" else ""
        body.append(Markup('<tr{}><th scope="row">{}</th>{}</tr>').format(Markup(css), label, row_cells))
    return Markup(
        '<table class="mon-cm"><caption>{}</caption><thead><tr><th scope="col">Stadtteil</th>{}</tr></thead>'
        "<tbody>{}</tbody></table>"
    ).format(caption, head, Markup("").join(body))


LEGEND = (
    "Farbe und Zeichen wie in den Stadtteilprofilen: ⊖ orange deutlich ungünstiger, ⊕ violett deutlich günstiger "
    "als die Gesamtstadt (das 95-%-Konfidenzintervall des Stadtteils schließt den städtischen Wert aus), ≠ grau "
    "deutlich höher oder niedriger ohne Wertung, ○ hell kein belastbarer Unterschied, ⊘ kein Angebot im "
    "Stadtteil, · ohne Vergleich (kein Intervall oder nicht veröffentlicht); „.“ geheim gehalten oder keine "
    "Daten, M Mehrjahreswert. Das Intervall steht im Hinweis der Zelle (mit der Maus darauf zeigen) und in den "
    "Stadtteilprofilen. Die Stadtteile stehen in der Reihenfolge ihrer Kennziffer, nicht nach Rang."
)


def phase_tables(
    published: pd.DataFrame,
    inds: Sequence[Indicator],
    phase: str,
    rows: Sequence[tuple[str, str, str]],
    city_code: str,
    year: int,
    links: Mapping[str, str] | None = None,
) -> list[Markup]:
    """One phase's indicators in tables of at most :data:`PER_TABLE` (``rows``: the areas and the city)."""
    groups = chunks(list(inds))
    out = []
    for k, group in enumerate(groups, start=1):
        caption = text("{}: {}", phase, public(year, "year"))
        if len(groups) > 1:
            caption = text("{} (Teil {} von {}): {}", phase, public(k, "count"), public(len(groups), "count"),
                           public(year, "year"))  # fmt: skip
        out.append(matrix_table(published, group, year, rows, city_code, caption, links))
    return out


def city_matrix_html(
    published: pd.DataFrame,
    catalogue: Catalogue,
    areas: Sequence[tuple[str, str, str]],
    city_code: str,
    year: int,
    links: Mapping[str, str] | None = None,
    phases: Sequence[str] | None = None,
    headings: bool = True,
):
    """Per life phase (all, or ``phases``) one or more tables of at most :data:`PER_TABLE` indicators, then the
    legend and the Zeichenerklärung."""
    from IPython.display import HTML

    from helpers.report.indicator_tables import legend
    from helpers.report.profile import anchor

    rows = [*areas, ("stadt", city_code, "Gesamtstadt")]
    parts = []
    for phase, inds in phase_sections(catalogue):
        if phases is not None and phase not in phases:
            continue
        if headings:
            parts.append(Markup(fragment("heading", 3, f"matrix-{anchor(phase)}", phase)))
        parts += phase_tables(published, inds, phase, rows, city_code, year, links)
    parts.append(Markup(fragment("note", LEGEND)))
    return HTML(Markup("").join(parts) + Markup(legend().data))


def city_series_html(
    published: pd.DataFrame, catalogue: Catalogue, ids: Sequence[str], city_code: str, years: tuple[int, int]
):
    """The city's series of the key indicators, one small SVG chart each with its interval band, values only
    from published cells (``published_values``); the values in the alt text."""
    from IPython.display import HTML

    from helpers.report.display import chart_html
    from helpers.report.svg_charts import Point, series_chart

    parts = []
    for ind_id in ids:
        ind = catalogue.get(ind_id)
        rows = published[
            (published["indicator_id"] == ind_id) & (published["area_level"] == "stadt")
            & (published["area_code"] == city_code) & published["year"].between(*years)
        ].sort_values("year")  # fmt: skip
        shown = [r for r in rows.to_dict("records") if has_value(r)]
        if not shown:
            continue
        values = published_values(published, [cell_key(r) for r in shown])
        points = [
            Point(int(r["year"]), values[cell_key(r)],
                  None if pd.isna(r["ci_lower"]) else float(r["ci_lower"]),
                  None if pd.isna(r["ci_upper"]) else float(r["ci_upper"]))
            for r in shown
        ]  # fmt: skip
        chart = series_chart(points, UNIT_HEADER[ind.unit], years)
        listed = "; ".join(f"{p.year}: {fmt_value(p.value, ind.unit, '')}" for p in points)
        alt = f"Liniendiagramm {ind.short}, Gesamtstadt, mit 95-%-Konfidenzintervall als Band. {listed}."
        figure = chart_html(chart, alt, ind.short)
        parts.append(Markup('<div class="mon-pair-item">{}</div>').format(Markup(figure)))
    note = Markup(fragment("note", Markup("Werte der Gesamtstadt je Jahr mit 95-%-Konfidenzintervall (Band); "
                                          "nur veröffentlichte Werte. Der Trend steht in der ")
                           + Markup("Sozialraumanalyse.")))  # fmt: skip
    return HTML(Markup('<div class="mon-pair mon-series">{}</div>').format(Markup("").join(parts)) + note)


def city_matrix_section(scope: ReportScope):
    """The city report's Lebenslauf-Matrix for the page's scope (:func:`city_matrix_html`): all Stadtteile."""
    areas = [("stadtteil", s.code, s.name) for s in scope.config.stadtteile]
    return city_matrix_html(scope.published, scope.catalogue, areas, scope.city_code, scope.year, scope.links)


def city_series_section(scope: ReportScope):
    """The city's series of the key indicators up to the report year (:func:`city_series_html`)."""
    years = (scope.config.years.data.first, scope.year)
    return city_series_html(scope.published, scope.catalogue, scope.plan.key_indicators, scope.city_code, years)
