"""The city report's Lebenslauf-Matrix as tables that fit the page: Stadtteile as rows (the name column stays
in view when a table scrolls on a phone), as many indicators per table as fit 1280 px with their life phases
named above them, every cell coloured and marked by the
same classification the profiles use (``helpers.report.steckbrief.compare_to_city``: the area's 95 % interval
against the city value), the interval in the cell's title; and the city's series of the key indicators as
small multiples in a grid (``helpers.report.svg_charts.series_chart``, inline, the interval as a band).

Only published cells enter; every value carries its ``data-cell`` key.
"""

from __future__ import annotations

import re
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

#: The width a matrix table may take at 1280 px (the page's 992 px column at the table's 0.85 rem), in em,
#: and the Stadtteil column's part of it: the indicators of all phases fill the tables in catalogue order, as
#: many per table as fit (``pack``), a phase heading above its columns.
TABLE_EM, NAME_EM = 72.0, 13.5
#: The average width of a header glyph in em (measured with DejaVu Sans at weight 600, the widest common face),
#: and the widest value with its marks ("(56,4 %)ᴹ ○").
GLYPH_EM, VALUE_EM = 0.7, 7.0


def column_em(ind: Indicator) -> float:
    """The estimated width of an indicator's column in em: the header wraps at its spaces and after its hyphens, so
    its longest word (:data:`GLYPH_EM` per glyph), or the widest value with its marks (:data:`VALUE_EM`),
    plus padding.

    >>> from types import SimpleNamespace as N
    >>> column_em(N(short="Willkommensbesuche", unit="pct")), column_em(N(short="SGB-II-Quote unter 15", unit="pct"))
    (13.4, 7.8)
    """
    words = re.split(r"\s+|(?<=[-–])", f"{ind.short} ({UNIT_HEADER[ind.unit]})")
    return round(max(max(len(w) for w in words) * GLYPH_EM, VALUE_EM) + 0.8, 2)


def pack(items: Sequence[Indicator], budget: float = TABLE_EM - NAME_EM) -> list[list[Indicator]]:
    """``items`` in order, in as few tables as their columns fit into ``budget`` em (each table at least one),
    the columns spread evenly over that many tables.

    >>> from types import SimpleNamespace as N
    >>> inds = [N(short="Anteil", unit="pct")] * 11
    >>> [len(t) for t in pack(inds)], [len(t) for t in pack(inds, 30.0)]
    ([6, 5], [3, 3, 3, 2])
    """
    tables: list[list[Indicator]] = []
    used = budget
    for ind in items:
        width = column_em(ind)
        if used + width > budget:
            tables.append([])
            used = 0.0
        tables[-1].append(ind)
        used += width
    base, extra = divmod(len(items), len(tables) or 1)
    sizes = [base + (1 if k < extra else 0) for k in range(len(tables))]
    starts = [sum(sizes[:k]) for k in range(len(sizes))]
    even = [list(items[a : a + n]) for a, n in zip(starts, sizes, strict=True)]
    return even if all(sum(column_em(i) for i in t) <= budget for t in even) else tables


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
    phases: Mapping[str, str] | None = None,
) -> Markup:
    """Stadtteile (rows, with ``areas`` as (level, code, label)) × ``indicators`` (columns) of one year, the city
    as the last row. ``phases`` (indicator id → life phase): a heading row names the phase above its columns,
    each phase a column group."""
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
    if not phases:
        return Markup(
            '<table class="mon-cm"><caption>{}</caption><thead><tr><th scope="col">Stadtteil</th>{}</tr></thead>'
            "<tbody>{}</tbody></table>"
        ).format(caption, head, Markup("").join(body))
    runs = phase_runs([phases[i.id] for i in indicators])
    groups = Markup("").join(Markup('<colgroup span="{}"></colgroup>').format(n) for _, n in runs)
    over = Markup("").join(Markup('<th scope="colgroup" colspan="{}">{}</th>').format(n, p) for p, n in runs)
    return Markup(
        '<table class="mon-cm"><caption>{}</caption><colgroup><col></colgroup>{}<thead><tr class="mon-cm-phases">'
        '<th scope="col" rowspan="2">Stadtteil</th>{}</tr><tr>{}</tr></thead><tbody>{}</tbody></table>'
    ).format(caption, groups, over, head, Markup("").join(body))


def phase_runs(phases: Sequence[str]) -> list[tuple[str, int]]:
    """The runs of equal phases in column order, as (phase, number of columns).

    >>> phase_runs(["Kita", "Kita", "Schule", "Kita"])
    [('Kita', 2), ('Schule', 1), ('Kita', 1)]
    """
    runs: list[tuple[str, int]] = []
    for phase in phases:
        if runs and runs[-1][0] == phase:
            runs[-1] = (phase, runs[-1][1] + 1)
        else:
            runs.append((phase, 1))
    return runs


LEGEND = (
    "Farbe und Zeichen wie in den Stadtteilprofilen: ⊖ orange deutlich ungünstiger, ⊕ violett deutlich günstiger "
    "als die Gesamtstadt (das 95-%-Konfidenzintervall des Stadtteils schließt den städtischen Wert aus), ≠ grau "
    "deutlich höher oder niedriger ohne Wertung, ○ hell kein belastbarer Unterschied, ⊘ kein Angebot im "
    "Stadtteil, · ohne Vergleich (ohne Wert oder ohne Intervall); „.“ geheim gehalten oder keine "
    "Daten, M Mehrjahreswert. Das Intervall steht im Hinweis der Zelle (mit der Maus darauf zeigen) und in den "
    "Stadtteilprofilen. Die Stadtteile stehen in der Reihenfolge ihrer Kennziffer, nicht nach Rang."
)


def city_matrix_html(
    published: pd.DataFrame,
    catalogue: Catalogue,
    areas: Sequence[tuple[str, str, str]],
    city_code: str,
    year: int,
    links: Mapping[str, str] | None = None,
    phases: Sequence[str] | None = None,
):
    """The indicators of all life phases (or of ``phases``) in catalogue order, in as few tables as fit 1280 px
    (:func:`pack`), each with its phases named above their columns; then the legend and the Zeichenerklärung."""
    from IPython.display import HTML

    from helpers.report.indicator_tables import legend

    rows = [*areas, ("stadt", city_code, "Gesamtstadt")]
    phase_of = {
        i.id: phase for phase, inds in phase_sections(catalogue) if phases is None or phase in phases for i in inds
    }
    chosen = [i for _, inds in phase_sections(catalogue) for i in inds if i.id in phase_of]
    tables = pack(chosen)
    parts = []
    for k, group in enumerate(tables, start=1):
        named = ", ".join(dict.fromkeys(phase_of[i.id] for i in group))
        caption = text("Lebenslauf-Matrix {}: {}", public(year, "year"), named)
        if len(tables) > 1:
            caption = text("Lebenslauf-Matrix {}, Teil {} von {}: {}", public(year, "year"), public(k, "count"),
                           public(len(tables), "count"), named)  # fmt: skip
        parts.append(matrix_table(published, group, year, rows, city_code, caption, links, phase_of))
    parts.append(Markup(fragment("note", LEGEND)))
    return HTML(Markup("").join(parts) + Markup(legend().data))


#: The viewBox width of a small multiple of the city's series: three in a row at 1280 px, each about 310 px
#: wide, so its 12-unit text is drawn at about 11 px (and at more on a phone, one chart in a row).
SERIES_WIDTH = 330


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
        chart = series_chart(points, UNIT_HEADER[ind.unit], years, width=SERIES_WIDTH, plot=120)
        listed = "; ".join(f"{p.year}: {fmt_value(p.value, ind.unit, '')}" for p in points)
        alt = f"Liniendiagramm {ind.short}, Gesamtstadt, mit 95-%-Konfidenzintervall als Band. {listed}."
        figure = chart_html(chart, alt, ind.short)
        parts.append(Markup(figure))
    note = Markup(fragment("note", Markup("Werte der Gesamtstadt je Jahr mit 95-%-Konfidenzintervall (Band); "
                                          "nur veröffentlichte Werte. Der Trend steht in der ")
                           + Markup("Sozialraumanalyse.")))  # fmt: skip
    return HTML(Markup('<div class="mon-series">{}</div>').format(Markup("").join(parts)) + note)


def city_matrix_section(scope: ReportScope):
    """The city report's Lebenslauf-Matrix for the page's scope (:func:`city_matrix_html`): all Stadtteile."""
    areas = [("stadtteil", s.code, s.name) for s in scope.config.stadtteile]
    return city_matrix_html(scope.published, scope.catalogue, areas, scope.city_code, scope.year, scope.links)


def city_series_section(scope: ReportScope):
    """The city's series of the key indicators up to the report year (:func:`city_series_html`)."""
    years = (scope.config.years.data.first, scope.year)
    return city_series_html(scope.published, scope.catalogue, scope.plan.key_indicators, scope.city_code, years)
