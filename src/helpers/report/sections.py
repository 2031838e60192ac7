"""Whole report sections as HTML: the Präventionskette sections of a profile, the
Lebenslauf-Matrix of the city report, Leitbild tracking, services and comparison figures."""

from __future__ import annotations

import pandas as pd
from IPython.display import HTML
from markupsafe import Markup

from helpers.core.config import Config
from helpers.core.formatting import fmt_number
from helpers.core.numbertags import public, text
from helpers.core.templating import fragment
from helpers.indicators.catalogue import HZE_RATE_ROLE, UNIT_LABEL, Catalogue
from helpers.indicators.leitbild import Leitbild, Tracking
from helpers.report.context import ReportScope
from helpers.report.indicator_tables import (
    fmt_value,
    shown_cell,
)
from helpers.report.labels import TREND
from helpers.report.trend_sections import change_cell, change_parts

STATUS_CLASS = {
    "erreicht": "mon-better",
    "auf Kurs": "mon-better",
    "nicht auf Kurs": "mon-worse",
    "keine Daten": "",
}


def count_words(n: int) -> str:
    """German dative count phrase for Kennzahlen.

    >>> count_words(1), count_words(3), count_words(13)
    ('einer Kennzahl', 'drei Kennzahlen', '13 Kennzahlen')
    """
    words = {
        1: "einer",
        2: "zwei",
        3: "drei",
        4: "vier",
        5: "fünf",
        6: "sechs",
        7: "sieben",
        8: "acht",
        9: "neun",
        10: "zehn",
        11: "elf",
        12: "zwölf",
    }
    return f"{words.get(n, str(n))} Kennzahl{'en' if n != 1 else ''}"


def _areas(config: Config) -> list[tuple[str, str, str]]:
    """The columns of a matrix: every Stadtteil in code order, then the city."""
    return [("stadtteil", s.code, s.name) for s in config.stadtteile] + [("stadt", config.commune.ags, "Gesamtstadt")]


def leitbild_section(scope: ReportScope) -> HTML:
    """The Leitbild tracking of the city (every target with its status), or the note that the commune
    has no Leitbild with targets."""
    from helpers.indicators.leitbild import track_all
    from helpers.report.display import note

    if scope.leitbild is None:
        return note(f"Für {scope.commune} ist kein Leitbild mit Zielwerten hinterlegt (Konfiguration: leitbild).")
    tracking = track_all(scope.leitbild, scope.published, scope.catalogue, scope.year, scope.city_code, scope.trends)
    return leitbild_table(scope.leitbild, tracking, scope.catalogue, scope.config)


def leitbild_table(leitbild: Leitbild, tracking: list[Tracking], catalogue: Catalogue, config: Config) -> HTML:
    """Every Leitbild target: current value, trend per year, projection, status."""
    rows = []
    for t in tracking:
        ind = catalogue.get(t.indicator_id)
        area = config.commune.name if t.area_code == config.commune.ags else config.stadtteil(t.area_code).name
        rows.append(
            {
                "leitziel": t.leitziel,
                "indicator": f"{ind.short} ({area})",
                "target": f"{fmt_value(t.target, ind.unit, '')} bis {t.target_year}",
                "current": "." if t.current is None else fmt_value(t.current, ind.unit, ""),
                "trend": leitbild_trend_text(t, ind.unit),
                "projection": "–" if t.projection is None else fmt_value(t.projection, ind.unit, ""),
                "css": STATUS_CLASS[t.status],
                "status": t.status,
            }
        )
    note = (
        f"{leitbild.hinweis} Trend: derselbe wie in der Sozialraumanalyse (lineare Entwicklung über alle verfügbaren "
        "Jahre, Veränderung vom ersten bis zum letzten Jahr mit bereinigtem Intervall); „auf Kurs“, wenn der Trend "
        "eine erkennbare Richtung hat und seine Fortschreibung vom aktuellen Wert den Zielwert im Zieljahr erreicht. "
        "Ohne erkennbare Richtung wird nicht fortgeschrieben („–“)."
    )
    return HTML(fragment("leitbild_table", leitbild.titel, rows, note))


def leitbild_trend_text(t: Tracking, unit: str) -> str:
    """The target's trend as on every page: verdict, years and change with its interval (or why there is none)."""
    if not t.verdict_code:
        return "."
    row = {
        "verdict_code": t.verdict_code,
        "change": t.change,
        "change_ci_low": t.change_low,
        "change_ci_high": t.change_high,
        "precise": t.precise,
    }
    label = TREND.get(t.verdict_code, "–")
    if change_parts(row, unit) is None:
        return label
    return f"{label}: {t.first_year}–{t.last_year} {change_cell(row, unit)}"


def services_table(services: pd.DataFrame, year: int, stadtteil_code: str, name: str) -> HTML:
    """Services of the Präventionskette active in the Stadtteil (and city-wide) in a year."""
    active = services[(services["start"] <= year) & (services["end"].isna() | (services["end"] >= year))]
    active = active[active["stadtteil_code"].isin([stadtteil_code, ""])].sort_values(
        ["stadtteil_code", "type", "name"], ascending=[False, True, True]
    )
    rows = [
        (
            r.name,
            r.type,
            r.phases,
            int(r.start),
            "gesamtstädtisch" if r.stadtteil_code == "" else name,
            fmt_number(r.capacity) if r.capacity else "–",
        )
        for r in active.itertuples()
    ]
    return HTML(fragment("services_table", f"Angebote der Präventionskette in {name} {year}", rows))


def services_section(scope: ReportScope) -> HTML:
    """The services of the page's Stadtteil, or the note that the commune has no services register."""
    from helpers.report.display import note

    if not scope.has("services"):
        return note(scope.missing("services"))
    st = scope.stadtteil
    return services_table(scope.table("services"), scope.year, st.code, st.name)


def comparison_note(scope: ReportScope) -> list[HTML]:
    """The city's HzE rate (the catalogue's ``hze_rate`` role) beside the median of the comparison
    communes (same definition; the HzE analysis publishes the median with the descriptive table).
    Empty without the HzE analysis or without comparison communes in the year."""
    hze = scope.plan.role(HZE_RATE_ROLE)
    if hze is None or not scope.plan.step_runs("hze_analyse"):
        return []
    desc = scope.year_table("hze_descriptive")
    level = desc[desc["by"] == "gesamt"]
    if level.empty or pd.isna(level["comparison_median_per_10000"].iloc[0]):
        return []
    median, communes = float(level["comparison_median_per_10000"].iloc[0]), int(level["comparison_communes"].iloc[0])
    published = scope.published
    city = published[
        (published["indicator_id"] == hze.id) & (published["year"] == scope.year) & (published["area_level"] == "stadt")
    ]
    own = Markup(".") if city.empty else shown_cell(city.iloc[0].to_dict(), hze.unit)
    return [
        HTML(
            fragment(
                "paragraph",
                text(
                    "Zum Vergleich: {} {} Hilfen {} unter 21-Jährige; Median der {} Vergleichskommunen in NRW "
                    "(alle des Vergleichsrings, mit und ohne eigenes Präventionsprogramm: ein Vergleich des Niveaus; "
                    "die Ereignisstudie der HzE-Seite nutzt nur die Kommunen ohne Programm): {}.",
                    scope.commune,
                    own,
                    UNIT_LABEL[hze.unit],
                    public(communes, "count"),
                    public(fmt_number(median, 1), "comparison"),
                ),
            )
        )
    ]


def phase_matrix(scope: ReportScope, phase: str) -> HTML:
    """One life phase's indicators × Stadtteile (and the city) in the layout of the city report's matrix
    (``helpers.report.city_matrix``), with its legend and the Zeichenerklärung."""
    from helpers.report.city_matrix import city_matrix_html

    areas = [("stadtteil", s.code, s.name) for s in scope.config.stadtteile]
    return city_matrix_html(scope.published, scope.catalogue, areas, scope.city_code, scope.year, scope.links, [phase])


def hze_phase_matrix(scope: ReportScope) -> HTML:
    """The matrix of the life phase of the HzE rate (the catalogue's ``hze_rate`` role) for the HzE page."""
    return phase_matrix(scope, scope.plan.role(HZE_RATE_ROLE).phase)


def panel_title(short: str, unit: str) -> str:
    """A chart panel's title: the indicator's short name and its unit, unless the name already says it.

    >>> panel_title("SGB-II-Quote unter 15", "%"), panel_title("Geburten je 1.000 Frauen 15–44", "je 1.000")
    ('SGB-II-Quote unter 15 (%)', 'Geburten je 1.000 Frauen 15–44')
    """
    return short if unit in short else f"{short} ({unit})"


def key_series_html(scope: ReportScope):
    """Small multiples of the page's key indicators: the Stadtteil and the city over the years with data."""
    from helpers.report.context import indicators_source_line
    from helpers.report.display import chart_html
    from helpers.report.indicator_tables import DECIMALS, UNIT_HEADER
    from helpers.report.plots import small_multiples_svg
    from helpers.report.steckbrief import series_alt, series_frame
    from helpers.report.svg_charts import WIDTH

    place = scope.place
    code, name = place.code, place.name
    indicators = [scope.catalogue.get(i) for i in scope.plan.key_indicators]
    areas = [("stadtteil", code, name), ("stadt", place.city_code, "Gesamtstadt")]
    frame = series_frame(scope.published, indicators, scope.config.data_years, areas)
    panels = [
        (i.id, panel_title(i.short, UNIT_HEADER[i.unit]), DECIMALS[i.unit], 100.0 if i.unit == "pct" else None)
        for i in indicators
    ]
    title = f"Entwicklung der wichtigsten Kennzahlen: {name} und Gesamtstadt"
    source = indicators_source_line(indicators, scope.config)
    names = [name, "Gesamtstadt"]
    fig = small_multiples_svg(frame, panels, title, source, names)
    wide = small_multiples_svg(frame, panels, title, source, names, columns=4, width=2 * WIDTH, plot=76)
    caption = (
        "Eine Lücke in der Linie heißt: geheim gehalten oder noch keine Daten. Jede Kennzahl hat ihre eigene Skala ab "
        "null; bei kleinen Stadtteilen sind manche Werte Mehrjahreswerte."
    )
    return HTML(chart_html(fig, series_alt(frame, indicators, name), caption, wide))


def details_section(scope: ReportScope):
    """All indicators of the scope's Stadtteil in one table (:func:`helpers.report.profile.details_html`), then
    the note on the comparison communes where the page has one (:func:`comparison_note`)."""
    from helpers.report.profile import details_html

    table = details_html(scope.published, scope.catalogue, scope.place, scope.area_trends, scope.links)
    return HTML(Markup("").join(Markup(block.data) for block in (table, *comparison_note(scope))))
