"""Kennzahlenblätter: one fact sheet per indicator the commune computes, and an overview by life phase.

Like the KECK-Atlas and the Berlin MSS "Indikatorenblätter", each sheet says in plain German what
the indicator counts (numerator, denominator), why it matters for the Präventionskette, how to read
it (direction, interval, marks), where it comes from, how it developed in the city (chart with its
interval band and a table), how the Stadtteile compare in the latest report year (table and map),
what to keep in mind (series start, pooling, suppression, gaps) and the Leitbild target.

Pages are Jinja2 site pages (``monitoring/factsheet*.html.j2``) in the site shell, written by one doit
task each (``kennzahlenblatt:<id>``). Every value comes from the *published* indicator table and
carries its ``data-cell`` key; every other number is declared public.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd
from markupsafe import Markup

from helpers.core.config import Config
from helpers.core.formatting import fmt_number
from helpers.core.numbertags import cell, public, text
from helpers.core.paths import ProjectPaths, relative_href
from helpers.core.provenance import source_label, synthetic_note
from helpers.core.registry import HUB_REPORT
from helpers.indicators.catalogue import UNIT_LABEL, Indicator, Selection, age_words
from helpers.indicators.plan import commune_plan
from helpers.report.indicator_tables import (
    DECIMALS,
    UNIT_HEADER,
    cell_key,
    counts_places,
    fmt_interval,
    fmt_value,
    has_value,
    published_values,
)
from helpers.report.labels import POPULATION_BASIS
from helpers.report.svg_charts import Point, series_chart
from helpers.site.markup import link_glossary_terms, wrap_tables
from helpers.site.pages import _environment, shell_context, source_lines

#: What the indicator kinds are, for readers.
KIND_LABEL = {
    "status": "Statuskennzahl (soziale Lage)",
    "context": "Kontextkennzahl",
    "outcome": "Ergebniskennzahl",
    "service": "Angebotskennzahl",
}

#: Direction of an indicator in one plain sentence.
DIRECTION_TEXT = {
    "higher_better": "Höher ist günstiger.",
    "lower_better": "Höher ist ungünstiger.",
    "neutral": "Höher ist weder günstiger noch ungünstiger: die Kennzahl beschreibt die Lage und wertet nicht.",
}

_SEX = {"w": "weiblich", "m": "männlich"}
_KITA_AGES = {"u1": "unter 1 Jahr", "1_u3": "1 bis unter 3 Jahre", "3_u6": "3 bis unter 6 Jahre"}
_KITA_KINDS = {"kita": "Kindertageseinrichtungen", "tagespflege": "Kindertagespflege"}
_SEU_FIELDS = {
    "kita_2y": "Kita-Besuch von mindestens 24 Monaten",
    "u8u9": "dokumentierte Früherkennungsuntersuchungen U8/U9",
    "measles": "zwei Masernimpfungen",
    "bmi_class": "Gewichtsklasse (BMI)",
    "german_other": "Deutschkenntnisse bei nichtdeutscher Familiensprache",
    "language": "Sprache (SOPESS)",
    "motor": "Körperkoordination (SOPESS)",
    "visuomotor": "Visuomotorik (SOPESS)",
    "attention": "selektive Aufmerksamkeit (SOPESS)",
    "numbers": "Zahlen- und Mengenvorwissen (SOPESS)",
}
_MEASURES = {
    "pers_bg_total": "Personen in Bedarfsgemeinschaften",
    "pers_bg_u3": "Personen unter 3 Jahren in Bedarfsgemeinschaften",
    "pers_bg_3_u6": "Personen von 3 bis unter 6 Jahren in Bedarfsgemeinschaften",
    "pers_bg_6_u15": "Personen von 6 bis unter 15 Jahren in Bedarfsgemeinschaften",
    "pers_bg_15_u18": "Personen von 15 bis unter 18 Jahren in Bedarfsgemeinschaften",
    "pers_bg_18_u25": "Personen von 18 bis unter 25 Jahren in Bedarfsgemeinschaften",
    "bg_with_children": "Bedarfsgemeinschaften mit Kindern unter 18 Jahren",
    "bg_single_parent": "Bedarfsgemeinschaften von Alleinerziehenden",
    "alo_15_u25": "Arbeitslose von 15 bis unter 25 Jahren",
    "alo_15_u65": "Arbeitslose von 15 bis unter 65 Jahren",
}
_WELCOME = {"visits": "besuchte Familien mit Neugeborenen", "births": "Geburten"}


def _listing(items: list[str]) -> str:
    """'a', 'a und b', 'a, b und c'."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " und " + items[-1]


def age_text(ages: tuple[int, int]) -> str:
    """An inclusive age range in German.

    >>> age_text((0, 14)), age_text((15, 24)), age_text((0, 0)), age_text((75, 200))
    ('unter 15 Jahren', 'von 15 bis unter 25 Jahren', 'unter 1 Jahr', '75 Jahre und älter')
    """
    return age_words(ages)


def _population_text(sel: Selection, config: Config | None) -> str:
    who = "Einwohnerinnen" if sel.sex == "w" else "Einwohner" if sel.sex == "m" else "Einwohnerinnen und Einwohner"
    parts = [who]
    if sel.ages is not None and age_text(sel.ages) != age_words(None):
        parts.append(age_text(sel.ages))
    if sel.citizenship == "nichtdeutsch":
        parts.append("ohne deutsche Staatsangehörigkeit")
    elif sel.citizenship:
        parts.append(f"mit Staatsangehörigkeit „{sel.citizenship}“")
    basis = POPULATION_BASIS[config.sources["population"].population_basis] if config is not None else ""
    return " ".join(parts) + (f" {basis}" if basis else "") + " (Einwohnermelderegister)"


def _ba_text(sel: Selection, config: Config | None) -> str:
    names = [_MEASURES.get(m, m) for m in sel.measures or ()]
    where = "SGB-II-Statistik" if sel.source == "sgb2" else "Arbeitslosenstatistik"
    return f"{_listing(names)} ({where} der Bundesagentur für Arbeit)"


def _kita_text(sel: Selection, config: Config | None) -> str:
    ages = _listing([_KITA_AGES.get(a, a) for a in sel.age_groups]) if sel.age_groups else "alle Altersgruppen"
    kinds = _listing([_KITA_KINDS.get(k, k) for k in sel.kinds]) if sel.kinds else "Kindertagesbetreuung"
    return f"betreute Kinder ({ages}) in {kinds}"


def _seu_text(sel: Selection, config: Config | None) -> str:
    field = _SEU_FIELDS.get(sel.field or "", sel.field or "")
    values = _listing([f"„{v}“" for v in sel.values or ()])
    return f"untersuchte Kinder der Schuleingangsuntersuchung mit {field}: {values}"


def _transition_text(sel: Selection, config: Config | None) -> str:
    types = sel.school_types or ("*",)
    what = "alle Übergänge" if "*" in types else "Übergänge auf " + _listing(list(types))
    return f"{what} von der Grundschule auf weiterführende Schulen"


def _hze_text(sel: Selection, config: Config | None) -> str:
    bases = sel.bases or ("*",)
    what = "alle Hilfen zur Erziehung" if "*" in bases else "Hilfen nach §§ " + ", ".join(bases) + " SGB VIII"
    return f"{what} (Fallliste des Jugendamts)"


def _services_text(sel: Selection, config: Config | None) -> str:
    phase = f" für die Lebensphase „{sel.phase}“" if sel.phase else ""
    return f"Plätze der Angebote der Präventionskette{phase}"


_SELECTION_TEXT = {
    "population": _population_text,
    "sgb2": _ba_text,
    "unemployment": _ba_text,
    "kita": _kita_text,
    "seu": _seu_text,
    "transitions": _transition_text,
    "hze": _hze_text,
    "hze_eur": lambda sel, config: (
        "Ausgaben für Hilfen zur Erziehung in Euro (Haushalt; Stadtteile: nach Falltagen verteilt)"
    ),
    "welcome_visits": lambda sel, config: f"{_WELCOME.get(sel.field or '', sel.field or '')} (Willkommensbesuche)",
    "services": _services_text,
}


def selection_text(sel: Selection, config: Config | None) -> str:
    """What a numerator or denominator counts, in plain German, with its source.

    >>> from helpers.indicators.catalogue import Selection
    >>> selection_text(Selection(source="hze", bases=("*",)), None)
    'alle Hilfen zur Erziehung (Fallliste des Jugendamts)'
    >>> selection_text(Selection(source="population", ages=(0, 14)), None)
    'Einwohnerinnen und Einwohner unter 15 Jahren (Einwohnermelderegister)'
    """
    builder = _SELECTION_TEXT.get(sel.source)
    return builder(sel, config) if builder else sel.source


def higher_sentence(ind: Indicator, config: Config | None) -> Markup:
    """What a higher value means, in the words of the numerator (its source in brackets left out).

    >>> from helpers.core.config import SHIPPED_CATALOGUE
    >>> from helpers.indicators.catalogue import load_catalogue
    >>> str(higher_sentence(load_catalogue(SHIPPED_CATALOGUE).get("hze_rate_incl_eb"), None))[-60:]
    'mehr <span data-public="config">Hilfen zur Erziehung</span>.'
    """
    what = selection_text(ind.numerator, config).split(" (")[0].removeprefix("alle ")
    if ind.unit == "eur":
        return text("Ein höherer Wert heißt: höhere {} je Person der Bezugsgruppe.", public(what, "config"))
    return text("Ein höherer Wert heißt: im Verhältnis zur Bezugsgruppe mehr {}.", public(what, "config"))


def unit_sentence(ind: Indicator) -> Markup:
    """What one unit of the value is, in one sentence (numbers tagged)."""
    if ind.unit == "pct":
        return text(
            "Der Wert ist ein Anteil in Prozent: so viele von {} der Bezugsgruppe (Nenner) zählen zum Zähler.",
            public(100, "config"),
        )
    if ind.unit == "eur":
        return Markup("Der Wert ist ein Betrag in Euro je Person der Bezugsgruppe (Nenner).")
    return Markup(f"Der Wert ist eine Rate: so viele Fälle {UNIT_LABEL[ind.unit]} Personen der Bezugsgruppe (Nenner).")


def interval_sentence(ind: Indicator) -> str:
    """The 95 % interval in one sentence (or why there is none)."""
    if ind.ci_method == "keines":
        return (
            "Zu dieser Kennzahl gibt es kein Konfidenzintervall: sie ist ein Betrag oder eine Zahl von Angeboten, "
            "keine Zählung, die vom Zufall kleiner Fallzahlen abhängt."
        )
    return (
        f"Das 95-%-Konfidenzintervall ({ind.ci_method}) ist der Bereich, in dem der wahre Wert mit hoher "
        "Sicherheit liegt; in kleinen Stadtteilen ist er breit, und Unterschiede innerhalb dieses Bereichs "
        "können Zufall sein."
    )


def marks_sentence(ind: Indicator, config: Config) -> Markup:
    """How uncertain, pooled and secret values are marked (numbers tagged)."""
    pooled = (
        text(
            " Für kleine Stadtteile steht ein Mehrjahreswert über {} Jahre; er trägt den Zeitraum in Klammern, "
            "etwa „({})“.",
            public(ind.pooling, "config"),
            public(f"{config.years.data.last - ind.pooling + 1}–{config.years.data.last}", "year"),
        )
        if ind.pooling
        else Markup("")
    )
    return (
        text(
            "Ein Wert in Klammern „( )“ hat eingeschränkten Aussagewert, weil die Bezugsgröße kleiner als {} ist; "
            "„.“ heißt geheim gehalten (weniger als {} Fälle oder daraus errechenbar), „–“ nichts vorhanden.",
            public(fmt_number(config.thresholds.min_denominator), "config"),
            public(config.thresholds.min_cell_count, "config"),
        )
        + pooled
    )


def _shown(row: dict | None, unit: str) -> Markup:
    """A published value as tagged text ('.' without a cell)."""
    return Markup(".") if row is None else cell(fmt_value(row["value"], unit, row["symbol"]), cell_key(row))


def value_row(row: dict, unit: str, label: str, href: str = "", places: bool = False) -> dict[str, Any]:
    """One table row of a published cell: label, value, interval and counts, each with its ``data-cell`` key
    (``places``: a places indicator, whose zero reads "0 – kein Angebot …")."""
    key = cell_key(row)
    secret = row["symbol"] == "."
    ci = "" if secret else fmt_interval(row["ci_lower"], row["ci_upper"], unit)
    pooled = f"{int(row['pooled_from'])}–{int(row['year'])}" if pd.notna(row["pooled_from"]) else ""
    return {
        "label": label,
        "href": href,
        "key": key,
        "value": fmt_value(row["value"], unit, row["symbol"], str(row["area_level"]) if places else ""),
        "pooled": pooled,
        "ci": ci,
        "numerator": fmt_number(row["numerator"]),
        "denominator": fmt_number(row["denominator"]),
    }


def _rows(published: pd.DataFrame, indicator_id: str, **where: object) -> list[dict]:
    part = published[published["indicator_id"].eq(indicator_id)]
    for column, value in where.items():
        part = part[part[column].eq(value)]
    return part.to_dict("records")


def series_rows(published: pd.DataFrame, ind: Indicator, city_code: str) -> list[dict[str, Any]]:
    """The city's value in every data year (oldest first), as table rows."""
    rows = sorted(_rows(published, ind.id, area_level="stadt", area_code=city_code), key=lambda r: r["year"])
    return [value_row(r, ind.unit, str(int(r["year"])), places=counts_places(ind)) for r in rows]


def series_points(published: pd.DataFrame, ind: Indicator, city_code: str) -> list[Point]:
    """The chart points of the city series: published values only (checked by ``published_values``)."""
    rows = [r for r in _rows(published, ind.id, area_level="stadt", area_code=city_code) if has_value(r)]
    values = published_values(published, [cell_key(r) for r in rows])
    return [
        Point(
            int(r["year"]),
            values[cell_key(r)],
            None if pd.isna(r["ci_lower"]) else float(r["ci_lower"]),
            None if pd.isna(r["ci_upper"]) else float(r["ci_upper"]),
        )
        for r in rows
    ]


def area_rows(published: pd.DataFrame, ind: Indicator, year: int, config: Config, links: dict[str, str]) -> list[dict]:
    """The Stadtteile (config order), then the Stadtbezirke and the city in one report year."""
    by_area = {(r["area_level"], r["area_code"]): r for r in _rows(published, ind.id, year=year)}
    areas = [("stadtteil", s.code, s.name, links.get(s.slug, "")) for s in config.stadtteile]
    areas += [("stadtbezirk", b.code, b.name, "") for b in config.stadtbezirke]
    areas.append(("stadt", config.commune.ags, f"{config.commune.name} insgesamt", ""))
    out = []
    for level, code, name, href in areas:
        row = by_area.get((level, code))
        if row is None:
            out.append({"label": name, "href": href, "key": "", "value": ".", "pooled": "", "ci": "", "numerator": ""})
        else:
            out.append(value_row(row, ind.unit, name, href, places=counts_places(ind)))
    return out


def caveats(published: pd.DataFrame, ind: Indicator, config: Config, year: int) -> list[Markup]:
    """What to keep in mind: late series start, gaps, pooling, suppression, no interval, catalogue note."""
    out: list[Markup] = []
    city = sorted(_rows(published, ind.id, area_level="stadt", area_code=config.commune.ags), key=lambda r: r["year"])
    shown = [r for r in city if has_value(r)]
    first_data = config.years.data.first
    firsts = [config.sources[k].first_year for k in ind.raw_sources() if k in config.sources]
    source_first = max((f for f in firsts if f is not None), default=None)
    if shown and int(shown[0]["year"]) > first_data:
        start = int(shown[0]["year"])
        reason = (
            text(" (die Quelle liegt erst ab {} vor)", public(source_first, "year"))
            if source_first and source_first > first_data
            else Markup("")
        )
        out.append(
            text(
                "Die Zeitreihe beginnt {}{}; für die Jahre davor ist kein Wert ausgewiesen.",
                public(start, "year"),
                reason,
            )
        )
    if shown:
        gaps = [r for r in city if int(r["year"]) > int(shown[0]["year"]) and r not in shown]
        if gaps:
            years = Markup(", ").join(public(int(r["year"]), "year") for r in gaps)
            out.append(
                text(
                    "Die Reihe ist unterbrochen: {} {} ist für die Gesamtstadt kein Wert ausgewiesen "
                    "(„.“ geheim gehalten); die Linie im Diagramm setzt dort aus.",
                    "im Jahr" if len(gaps) == 1 else "in den Jahren",
                    years,
                )
            )
    now = [r for r in _rows(published, ind.id, year=year) if r["area_level"] == "stadtteil"]
    if ind.pooling:
        pooled = sum(pd.notna(r["pooled_from"]) for r in now)
        share = (
            text("das {} von {} Stadtteilen", public(pooled, "count"), public(len(now), "count"))
            if pooled
            else Markup("das keinen Stadtteil")
        )
        out.append(
            text(
                "Mehrjahreswerte: ist die Bezugsgruppe eines Stadtteils kleiner als {}, steht ein Wert über {} Jahre; "
                "im Jahr {} betrifft {}. Ein Mehrjahreswert ist mit den Einzeljahren anderer Stadtteile nur "
                "eingeschränkt vergleichbar.",
                public(fmt_number(config.thresholds.min_denominator), "config"),
                public(ind.pooling, "config"),
                public(year, "year"),
                share,
            )
        )
    secret = sum(r["symbol"] == "." for r in now)
    uncertain = sum(r["symbol"] == "( )" for r in now)
    parts = []
    if secret:
        verb = "Stadtteilwert ist" if secret == 1 else "Stadtteilwerte sind"
        parts.append(text("{} {} geheim gehalten („.“)", public(secret, "count"), verb))
    if uncertain:
        verb = "Stadtteilwert hat" if uncertain == 1 else "Stadtteilwerte haben"
        parts.append(text("{} {} eingeschränkten Aussagewert („( )“)", public(uncertain, "count"), verb))
    if parts:
        out.append(
            text("Geheimhaltung und kleine Zahlen im Jahr {}: {}.", public(year, "year"), Markup("; ").join(parts))
        )
    if ind.unit == "eur":
        out.append(Markup("Beträge sind nicht preisbereinigt; Vergleiche über viele Jahre überzeichnen den Anstieg."))
    if ind.note:
        out.append(public(ind.note, "config"))
    return out


def leitbild_lines(
    config: Config, ind: Indicator, published: pd.DataFrame, year: int, trends: pd.DataFrame | None = None
) -> list[Markup]:
    """The Leitbild targets of this indicator with their status in ``year`` (none without a Leitbild)."""
    from helpers.indicators.leitbild import load_leitbild, track_all

    path = config.leitbild_path
    if path is None:
        return []
    plan = commune_plan(config)
    leitbild = load_leitbild(path, plan.catalogue, {s.code for s in config.stadtteile})
    tracking = {
        (t.leitziel, t.indicator_id, t.area_code): t
        for t in track_all(leitbild, published, plan.catalogue, year, config.commune.ags, trends)
    }
    out = []
    for ziel in leitbild.leitziele:
        for target in (t for t in ziel.ziele if t.indikator == ind.id):
            area = config.stadtteil(target.gebiet).name if target.gebiet else f"Gesamtstadt {config.commune.name}"
            value = fmt_number(target.zielwert, DECIMALS[ind.unit]) + {"pct": " %", "eur": " €"}.get(ind.unit, "")
            t = tracking.get((ziel.titel, ind.id, target.gebiet or config.commune.ags))
            status = text(" Stand {}: {}.", public(year, "year"), t.status) if t is not None else ""
            out.append(
                text(
                    "Leitziel „{}“: {} bis {} ({}).{}",
                    ziel.titel,
                    public(value, "config"),
                    public(target.zieljahr, "year"),
                    area,
                    status,
                )
            )
    return out


def source_rows(config: Config, ind: Indicator) -> list[dict[str, str]]:
    """The sources of an indicator: label, holder, Stichtag and first year."""
    out = []
    for key in dict.fromkeys(ind.raw_sources()):
        if key not in config.sources:
            continue
        src = config.sources[key]
        first = src.first_year or config.years.data.first
        out.append(
            {"label": source_label(config, key), "holder": src.holder, "stand": src.stand or "–", "first": str(first)}
        )
    return out


def _geometry(config: Config):
    """The configured Stadtteil polygons (None: the schematic tile map), read once per process."""
    path = config.geometry_path
    if path is None:
        return None
    g = config.analysis.geometry
    return _read_geometry(str(path), g.id_property, g.crs, tuple(s.code for s in config.stadtteile), g.layer)


@cache
def _read_geometry(path: str, id_property: str, crs: str | None, codes: tuple[str, ...], layer: str | None = None):
    from helpers.report.maps import load_geometry

    return load_geometry(path, id_property, crs=crs, codes=list(codes), layer=layer)


def map_figure(
    published: pd.DataFrame, ind: Indicator, year: int, config: Config, source: str, links: dict[str, str] | None = None
) -> Markup:
    """The Stadtteil map of the report year (published values only), as the Sozialraumanalyse draws it:
    SVG, each value tagged with its cell, each area linked to its profile (``links``: slug -> href)."""
    from helpers.core.templating import fragment
    from helpers.report.indicator_tables import chart_input
    from helpers.report.maps import map_note, stadtteil_map

    values = chart_input(published, ind.id, year).values
    by_code = {s.code: links[s.slug] for s in config.stadtteile if s.slug in (links or {})}
    fig = stadtteil_map(
        config,
        values,
        f"{ind.short} {year}",
        source,
        UNIT_HEADER[ind.unit],
        decimals=DECIMALS[ind.unit],
        geometry=_geometry(config),
        links=by_code,
    )
    if fig is None:
        return Markup(fragment("note", map_note()))
    return fig.html()


def chart_figure(points: list[Point], ind: Indicator, config: Config) -> Markup:
    """The city series as an inline SVG chart with its interval band ('' without any published value)."""
    from helpers.report.display import chart_html

    if not points:
        return Markup("")
    years = (config.years.data.first, config.years.data.last)
    chart = series_chart(points, UNIT_HEADER[ind.unit], years)
    listed = "; ".join(f"{p.year}: {fmt_value(p.value, ind.unit, '')}" for p in points)
    band = " mit 95-%-Konfidenzintervall als Band" if any(p.low is not None for p in points) else ""
    alt = f"Liniendiagramm {ind.short}, {config.commune.name} insgesamt{band}. {listed}."
    return Markup(chart_html(chart, alt))


def _rel(target: Path, page: Path) -> str:
    return relative_href(page, target)


def trend_line(trends: pd.DataFrame | None, ind: Indicator, config: Config) -> Markup:
    """The city's trend of the indicator, worded as on every page (empty without a trend row)."""
    from helpers.report.trend_sections import trend_phrase

    if trends is None:
        return Markup("")
    row = trends[(trends["indicator_id"] == ind.id) & (trends["area_code"] == config.commune.ags)]
    if row.empty:
        return Markup("")
    phrase = trend_phrase(row.to_dict("records")[0], ind.short, ind.unit)
    return text("Trend in {} insgesamt: {}.", config.commune.name, phrase)


def render_factsheet(
    config: Config, indicator_id: str, published: pd.DataFrame, inputs: list[Path], trends: pd.DataFrame | None = None
) -> str:
    """The fact sheet of one indicator (``reports/kennzahlen/<id>.html``); ``trends``: the latest report year's."""
    from helpers.report.context import indicator_source_line

    plan = commune_plan(config)
    ind = plan.catalogue.get(indicator_id)
    published = published[published["indicator_id"].eq(ind.id)]  # one indicator: the lookups stay cheap
    paths = ProjectPaths(config)
    page = paths.factsheet_html(ind.id)
    year = max(config.report_years)
    links = {}
    if plan.report_built("profil"):
        links = {s.slug: _rel(paths.report_html("profil", year, s.slug), page) for s in config.stadtteile}
    sources = list(dict.fromkeys(k for k in ind.raw_sources() if k in config.sources))
    source = indicator_source_line(ind, config)
    points = series_points(published, ind, config.commune.ags)
    first, last = config.years.data.first, config.years.data.last
    html = (
        _environment()
        .get_template("factsheet.html.j2")
        .render(
            commune=config.commune.name,
            ind=ind,
            kind=KIND_LABEL[ind.kind],
            unit=UNIT_HEADER[ind.unit],
            numerator=selection_text(ind.numerator, config),
            denominator=selection_text(ind.denominator, config),
            direction=DIRECTION_TEXT[ind.direction],
            higher=higher_sentence(ind, config),
            unit_sentence=unit_sentence(ind),
            interval=interval_sentence(ind),
            marks=marks_sentence(ind, config),
            chart=chart_figure(points, ind, config),
            series=series_rows(published, ind, config.commune.ags),
            year=year,
            areas=area_rows(published, ind, year, config, links),
            map=map_figure(published, ind, year, config, source, links),
            caveats=caveats(published, ind, config, year),
            leitbild=leitbild_lines(config, ind, published, year, trends),
            trend=trend_line(trends, ind, config),
            sources=source_rows(config, ind),
            population_basis=(
                POPULATION_BASIS[config.sources["population"].population_basis] if "population" in sources else ""
            ),
            source_line=source,
            with_ci=ind.ci_method != "keines",
            overview_href=_rel(paths.factsheet_html(None), page),
            hub_href=_rel(paths.report_html(HUB_REPORT, year), page) if plan.report_built(HUB_REPORT) else "",
            synthetic=synthetic_note(paths, sources),
            footer_sources=source_lines(config, sources),
            s=shell_context(config, page, inputs, f"Datenjahre {first}–{last}"),
        )
    )
    return link_glossary_terms(wrap_tables(html), _rel(paths.glossary_html, page))


def render_factsheet_index(config: Config, inputs: list[Path]) -> str:
    """The overview of all fact sheets, grouped by life phase in the order of the Präventionskette."""
    from helpers.indicators.catalogue import load_catalogue

    plan = commune_plan(config)
    paths = ProjectPaths(config)
    page = paths.factsheet_html(None)
    phases = [
        (
            phase,
            [
                {
                    "name": i.name,
                    "short": i.short,
                    "href": _rel(paths.factsheet_html(i.id), page),
                    "unit": UNIT_HEADER[i.unit],
                    "direction": {"higher_better": "günstiger", "lower_better": "ungünstiger"}.get(
                        i.direction, "wertet nicht"
                    ),
                }
                for i in inds
            ],
        )
        for phase, inds in plan.catalogue.by_phase().items()
        if inds
    ]
    full = load_catalogue(config.catalogue_path)
    skipped = [(full.get(i).name, reason) for i, reason in plan.skipped.items()]
    year = max(config.report_years)
    first, last = config.years.data.first, config.years.data.last
    html = (
        _environment()
        .get_template("factsheet_index.html.j2")
        .render(
            commune=config.commune.name,
            phases=phases,
            count=len(plan.catalogue.indicators),
            skipped=skipped,
            year=year,
            synthetic=synthetic_note(paths, list(config.sources)),
            s=shell_context(config, page, inputs, f"Datenjahre {first}–{last}"),
        )
    )
    return link_glossary_terms(wrap_tables(html), _rel(paths.glossary_html, page))
