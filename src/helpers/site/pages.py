"""What every published page carries: banner, navigation, sources, publisher, licence, code
version and input hash (the site shell); the entry page ``index.html`` that links every report
by year and Stadtteil; the methods and glossary pages."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from helpers.core.config import Config
from helpers.core.paths import ProjectPaths, relative_href
from helpers.core.provenance import input_checksum, source_label, synthetic_note
from helpers.core.registry import PAGES, REPORTS
from helpers.indicators.plan import commune_plan
from helpers.report.area_names import bezirk_label
from helpers.report.labels import POPULATION_BASIS
from helpers.site.markup import TEMPLATES, link_glossary_terms, wrap_tables

#: What counts as the program: a modified tracked file here makes the code version "mit lokalen Änderungen".
#: Raw data, configs and examples are inputs (their checksum is on every page), not code: a commune that
#: replaces the sample files as data/raw/README.md says does not run a modified program.
CODE_PATHS = ("src", "notebooks", "dodo.py", "pyproject.toml", "environment.yml", "Makefile")


@cache
def code_version(root: Path) -> str:
    """The git commit of the checkout (``(mit lokalen Änderungen)`` if a tracked file of the code is modified).

    Untracked and ignored files (build outputs, reports, processed data) and changed inputs (``data/``,
    ``config/``: ``CODE_PATHS`` lists what is code) do not count.
    """
    try:
        commit = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--short=12", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no", "--", *CODE_PATHS],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unbekannt (kein Git-Checkout)"
    return commit + (" (mit lokalen Änderungen)" if dirty else "")


def source_lines(config: Config, sources: list[str]) -> list[str]:
    """German source lines with holder and reference date."""
    lines = []
    for s in (s for s in sources if s in config.sources):
        src = config.sources[s]
        stand = f", Stand {src.stand}" if src.stand else ""
        lines.append(f"{source_label(config, s)}: {src.holder}{stand}")
    return lines


@dataclass(frozen=True)
class PageInfo:
    """Inputs of one published page, for its banner and footer."""

    page: Path
    sources: list[str]
    inputs: list[Path]
    breadcrumbs: list[tuple[str, Path]]


def _report_year(paths: ProjectPaths, page: Path) -> int | None:
    """The report year of a page in ``reports/<year>/…`` (None for the index and glossary)."""
    parts = page.relative_to(paths.reports).parts
    return int(parts[0]) if len(parts) > 1 and parts[0].isdigit() else None


def shell_context(config: Config, page: Path, inputs: list[Path], stand: str = "") -> dict[str, Any]:
    """Links and labels of the site shell (``shell.html.j2``) for one page, relative to it."""
    from helpers.site.pdf import pdf_enabled

    paths = ProjectPaths(config)

    def rel(target: Path) -> str:
        return relative_href(page, target)

    year = _report_year(paths, page)
    methods_year = year if year is not None else (max(config.report_years) if config.report_years else None)
    with_pdf = page in paths.pdf_pages() and pdf_enabled(config)
    return {
        "css_href": rel(paths.stylesheet),
        "index_href": "" if page == paths.index_html else rel(paths.index_html),
        "methods_href": rel(paths.methods_html(methods_year)) if methods_year is not None else "",
        "glossary_href": "" if page == paths.glossary_html else rel(paths.glossary_html),
        "factsheets_href": "" if page == paths.factsheet_html(None) else rel(paths.factsheet_html(None)),
        "pdf_href": rel(paths.report_pdf(page)) if with_pdf else "",
        "publisher": config.publication.publisher or f"Stadt {config.commune.name}",
        "licence": config.publication.licence,
        "stand": stand or (f"Berichtsjahr {year}" if year is not None else ""),
        "code_version": code_version(paths.root),
        "input_hash": input_checksum(config, data_inputs(inputs, paths.root)),
    }


def data_inputs(inputs: list[Path], root: Path) -> list[Path]:
    """The inputs that are data, not code: the footer's „Prüfsumme der Eingangsdaten“ covers these, the
    code is named by the program version (``CODE_PATHS``), so a change of code alone leaves the checksum.

    >>> root = Path("/p")
    >>> files = [root / "src/helpers/x.py", root / "config/a.yml", root / "dodo.py", Path("/elsewhere/k.yml")]
    >>> [p.name for p in data_inputs(files, root)]
    ['a.yml', 'k.yml']
    """
    return [p for p in inputs if Path(relative_href(root / "_", p)).parts[0] not in CODE_PATHS]


def page_context(config: Config, info: PageInfo) -> dict[str, Any]:
    """The ``resources.monitoring`` dict that the HTML template renders."""
    paths = ProjectPaths(config)

    def rel(target: Path) -> str:
        return relative_href(info.page, target)

    return {
        **shell_context(config, info.page, info.inputs),
        "breadcrumbs": [{"label": label, "href": rel(p)} for label, p in info.breadcrumbs],
        "synthetic": synthetic_note(paths, info.sources),
        "sources": source_lines(config, info.sources),
    }


@cache
def _environment() -> Environment:
    """The site's page templates, compiled once per process (the fact sheets share them)."""
    return Environment(
        loader=FileSystemLoader(TEMPLATES / "monitoring"),
        autoescape=select_autoescape(["html", "j2"]),
        keep_trailing_newline=True,
    )


#: City-level pages of a report year, in the order the index lists them (``registry.Page.index``).
CITY_PAGES = [(kind, page.index) for kind, page in PAGES.items() if page.index]

#: Entry by topic: label, page kind, heading anchor (``registry.Page.topics``; ASCII ids only, so links work).
TOPICS = [(label, kind, fragment) for kind, page in PAGES.items() for label, fragment in page.topics]


def start_findings(config: Config, year: int) -> list[Any]:
    """The headline sentences of ``year`` for the start page (``helpers.report.findings.story_findings``), from
    the analysis tables the commune has (``helpers.core.availability``): a missing analysis leaves its
    sentences out. Each sentence links its evidence: the Stadtteile to their profile's Steckbrief, indicators
    to their fact sheets."""
    import pandas as pd

    from helpers.core.availability import available_tables
    from helpers.report.findings import story_findings

    paths = ProjectPaths(config)
    have = available_tables(config)
    plan = commune_plan(config)

    def load(name: str):
        return pd.read_parquet(paths.processed_table(name)) if name in have else None

    def rel(target: Path) -> str:
        return relative_href(paths.index_html, target)

    profiles = {s.code: rel(paths.report_html("profil", year, s.slug)) + "#steckbrief" for s in config.stadtteile}
    sheets = {i.id: rel(paths.factsheet_html(i.id)) for i in plan.catalogue.indicators}
    if not paths.publishes_factsheets():
        sheets = {}
    return story_findings(
        published=load("indicators"),
        trends=load("trends"),
        need=load("need_supply") if "services" in config.sources else None,
        catalogue=plan.catalogue,
        key_ids=plan.key_indicators,
        areas=[(s.code, s.name) for s in config.stadtteile],
        year=year,
        city_code=config.commune.ags,
        profile_links=profiles,
        factsheet_links=sheets,
    )


def start_map(config: Config) -> dict[str, Any] | None:
    """The start page's clickable map of the key indicator (the catalogue's ``child_poverty`` role,
    else the first key indicator) in the latest report year: every Stadtteil coloured by the class
    of its published value (:func:`helpers.report.geometry.value_map`), a link to its profile,
    named with its value; the Stadtbezirk outlines; the legend; what the boundaries are and their
    source. None without tiles and polygons."""
    import pandas as pd

    from helpers.core.formatting import fmt_number
    from helpers.report.context import indicator_source_line
    from helpers.report.geometry import class_labels, geometry_credit, load_geometry, value_map
    from helpers.report.indicator_tables import DECIMALS, SUFFIX, cell_key, chart_input, fmt_value

    geometry = None
    if config.geometry_path is not None:
        g = config.analysis.geometry
        codes = [s.code for s in config.stadtteile]
        geometry = load_geometry(config.geometry_path, g.id_property, crs=g.crs, codes=codes, layer=g.layer)
    plan = commune_plan(config)
    ids = [i for i in plan.catalogue.with_role("child_poverty") if plan.has(i)] or list(plan.key_indicators)
    table = ProjectPaths(config).processed_table("indicators")
    values: dict[str, float] = {}
    shown: dict[str, tuple[str, str]] = {}
    ind = plan.catalogue.get(ids[0]) if ids and config.report_years and table.is_file() else None
    year = max(config.report_years) if config.report_years else None
    if ind is not None:
        published = pd.read_parquet(table)
        values = chart_input(published, ind.id, year).values  # published cells only
        rows = published[
            published["indicator_id"].eq(ind.id) & published["year"].eq(year) & published["area_level"].eq("stadtteil")
        ]
        shown = {
            r["area_code"]: (fmt_value(r["value"], ind.unit, r["symbol"]), cell_key(r)) for _, r in rows.iterrows()
        }
    shapes = value_map(config, geometry, values, {c: t for c, (t, _) in shown.items()})
    if shapes is None:
        return None
    for area in shapes["areas"]:
        area["cell"] = shown.get(area["code"], ("", ""))[1]
    note, attribution = geometry_credit(config.geometry_path)
    legend = []
    if ind is not None and values:
        texts = class_labels(shapes["breaks"], lambda x: fmt_number(x, DECIMALS[ind.unit]), SUFFIX[ind.unit])
        legend = list(zip(shapes["colours"], texts, strict=True))
    return {
        **shapes,
        "width": f"{shapes['width']:.0f}",
        "height": f"{shapes['height']:.0f}",
        "indicator": ind.short if ind is not None and values else "",
        "year": year,
        "legend": legend,
        "missing": any(a["fill"] is None for a in shapes["areas"]) and bool(values),
        "note": note,
        "attribution": attribution,
        "source": indicator_source_line(ind, config) if ind is not None and values else "",
    }


def factsheet_overview_href(config: Config, page: Path) -> str:
    """Link from ``page`` to the fact sheets' overview, '' while the build does not publish it.

    Switches itself on when the fact sheets' overview (``ProjectPaths.factsheet_html(None)``) is
    among the published pages.
    """
    paths = ProjectPaths(config)
    if not paths.publishes_factsheets():
        return ""
    return relative_href(page, paths.factsheet_html(None))


#: Said in place of the start page's map when the commune has neither tiles nor boundaries.
NO_MAP_NOTE = (
    "Für diese Kommune liegt keine Gebietskarte vor (weder Kachelpositionen noch Gebietsgrenzen in der "
    "Konfiguration). Alle Stadtteile stehen in der Liste oben."
)


def render_index(
    config: Config,
    reports: dict[int, dict[str, Path]],
    inputs: list[Path],
    findings: list[Any] | None = None,
    area_map: dict[str, Any] | None = None,
) -> str:
    """The start page: every Stadtteil linked to its latest profile, the year's headline findings,
    the clickable area map, and every report by year (columns) and Stadtteil (rows), offline.

    ``reports`` maps year -> {"gesamtstadt": path, <stadtteil slug>: path}; ``findings`` are
    tagged sentences (``start_findings``); ``area_map`` the map's shapes (``start_map``).
    """
    paths = ProjectPaths(config)

    def rel(target: Path) -> str:
        return relative_href(paths.index_html, target)

    years = sorted(reports, reverse=True)
    rows = [
        {
            "name": s.name,
            "bezirk": bezirk_label(config.stadtbezirk(s.stadtbezirk).name) if s.stadtbezirk else "",
            "links": [(y, rel(reports[y][s.slug])) for y in years if s.slug in reports[y]],
        }
        for s in config.stadtteile
    ]
    kinds = [(k, label) for k, label in CITY_PAGES if any(k in reports[y] for y in years)]
    by_year = [(y, [(label, rel(reports[y][k])) for k, label in kinds if k in reports[y]]) for y in years]
    latest = reports[years[0]] if years else {}
    profiles = {s.code: rel(latest[s.slug]) for s in config.stadtteile if s.slug in latest}
    areas = [
        {
            "name": s.name,
            "href": profiles[s.code],
            "bezirk": bezirk_label(config.stadtbezirk(s.stadtbezirk).name) if s.stadtbezirk else "",
        }
        for s in config.stadtteile
        if s.code in profiles
    ]
    if area_map is not None:
        area_map = {
            **area_map,
            "areas": [{**a, "href": profiles[a["code"]]} for a in area_map["areas"] if a["code"] in profiles],
        }
    topics = [
        (label, rel(latest[kind]) + (f"#{fragment}" if fragment else ""))
        for label, kind, fragment in TOPICS
        if kind in latest
    ]
    plan = commune_plan(config)
    absent = [(REPORTS[k].title, reason) for k, reason in plan.reports.items() if reason]
    first, last = min(years, default=None), max(years, default=None)
    stand = "" if last is None else f"Berichtsjahre {first}–{last}" if first != last else f"Berichtsjahr {last}"
    html = (
        _environment()
        .get_template("entry.html.j2")
        .render(
            commune=config.commune.name,
            has_bezirke=config.has_stadtbezirke,
            absent=absent,
            skipped=len(plan.skipped),
            computed=len(plan.catalogue.indicators),
            methods_href=rel(latest["methoden"]) + "#Nicht-berechnet" if "methoden" in latest else "",
            latest_methods_href=rel(latest["methoden"]) if "methoden" in latest else "",
            analysis_href=rel(latest["sozialraum"]) if "sozialraum" in latest else "",
            years=years,
            by_year=by_year,
            topics=topics,
            latest=years[0] if years else None,
            rows=rows,
            areas=areas,
            findings=findings or [],
            area_map=area_map,
            no_map_note=NO_MAP_NOTE,
            factsheets_href=factsheet_overview_href(config, paths.index_html),
            synthetic=synthetic_note(paths, list(config.sources)),
            sources=source_lines(config, list(config.sources)),
            glossary_href=rel(paths.glossary_html),
            s=shell_context(config, paths.index_html, inputs, stand),
        )
    )
    return wrap_tables(html)


@dataclass(frozen=True)
class Method:
    """One method of the methods page: for readers what it does, why and how to read it (plain German),
    and for the technical annex the procedure with its references and simulation checks."""

    title: str
    what: str
    why: str
    read: str
    annex: str


METHODS = [
    Method(
        "Konfidenzintervalle",
        what="Zu jedem Wert einer Kennzahl steht ein Bereich, das Konfidenzintervall (KI). Es ist so berechnet, "
        "dass es in 95 von 100 Fällen den Wert einschließt, der sich ohne den Zufall der einzelnen Jahre und "
        "Personen ergäbe.",
        why="In kleinen Stadtteilen verändern schon wenige Kinder mehr oder weniger einen Anteil spürbar. Das "
        "Intervall zeigt, wie viel Vertrauen ein einzelner Wert verdient.",
        read="Je schmaler der Bereich, desto genauer der Wert. Liegt der Wert der Gesamtstadt außerhalb des "
        "Intervalls eines Stadtteils, unterscheidet sich der Stadtteil deutlich von der Stadt („deutlich "
        "günstiger“ oder „deutlich ungünstiger“). Liegt er innerhalb, ist ein Unterschied nicht belegt. "
        "Geldbeträge sind keine Stichprobe und haben kein Intervall.",
        annex="Anteile: Wilson-Intervall; Raten: exaktes Poisson-Intervall (Garwood); Geldbeträge ohne Intervall.",
    ),
    Method(
        "Trends",
        what="Für jede Kennzahl wird geprüft, ob sie über die Jahre gestiegen oder gesunken ist. Dazu wird eine "
        "Trendlinie durch alle Jahreswerte bis zum Berichtsjahr gelegt. Angegeben wird, um wie viel sich der "
        "Wert auf dieser Linie vom ersten bis zum letzten Jahr verändert hat, mit Zeitraum und Intervall; Jahre, "
        "bevor es eine Datenquelle oder ein Angebot gab, zählen nicht mit.",
        why="Einzelne Jahre schwanken. Erst der Verlauf über viele Jahre zeigt, ob sich die Lage tatsächlich "
        "verändert hat. Alle Seiten verwenden dieselbe Rechnung, deshalb hat dieselbe Zahlenreihe überall "
        "dasselbe Urteil.",
        read="▲ heißt gestiegen, ▼ gesunken; daneben steht in Worten, ob das günstiger oder ungünstiger ist. Eine "
        "Richtung wird nur genannt, wenn die Veränderung größer ist, als der Zufall erklärt. „Kein klarer "
        "Trend“: Die Werte schwanken, eine Richtung ist nicht belegt; das heißt nicht, dass sich nichts "
        "verändert hat. „Zu wenige Jahre für eine Aussage“: weniger als 5 Jahre mit Daten. „Keine belastbare "
        "Aussage“: Die Werte sind zu unsicher für eine Zahl. „Mindestens +20,4 Pp.“: Die Veränderung ist "
        "mindestens so groß, vielleicht größer. Anteile verändern sich in Prozentpunkten (Pp.), Euro-Beträge "
        "sind preisbereinigt.",
        annex="Der lineare Trend über alle Jahre mit Daten bis zum Berichtsjahr, angegeben als Veränderung vom "
        "ersten bis zum letzten Jahr in der Einheit der Kennzahl. Gerechnet wird auf der Logit- bzw. Log-Skala "
        "(verallgemeinerte kleinste Quadrate), daher kann kein Intervall über die Grenzen der Skala hinausreichen."
        " Neben dem Zufall der jährlichen Zählung werden Schwankungen berücksichtigt, die über mehrere Jahre "
        "anhalten (autoregressiver Prozess erster Ordnung); ihre Stärke und Beständigkeit werden für jede Kennzahl"
        " gemeinsam über alle Stadtteile geschätzt (Restricted Maximum Likelihood), die Unsicherheit dieser "
        "Schätzung geht in Intervall und Test ein. Geprüft wird je Frage eines Lesers: eine Kennzahl über alle "
        "Stadtteile und die Gesamtstadt eines Berichtsjahres (Benjamini-Hochberg, Falscherkennungsrate 5 %), nicht"
        " alle Reihen der Website auf einmal; das Intervall ist entsprechend bereinigt (Benjamini-Yekutieli) und "
        "schließt die Null genau dann aus, wenn eine Richtung genannt wird. Ein Intervall der "
        "Veränderung, das breiter wäre als ±10 Prozentpunkte (Raten: ±50 % ihres Niveaus), wird nicht gedruckt: "
        "ohne erkennbare Richtung heißt es dann „keine belastbare Aussage“, mit erkennbarer Richtung wird nur die "
        "Veränderung genannt, die das Intervall mindestens sichert. Prüfung mit simulierten Daten bekannter "
        "Wahrheit (200 Wiederholungen je Fall, 13 Stadtteile, 16 Jahre): Die Intervalle überdeckten die Wahrheit "
        "in 95–97 % der Fälle; die im Beispiel angelegten Trends der Kinderarmut wurden in 99 % gefunden, "
        "Falschmeldungen unter den Trends lagen bei 2 %. Ein schwacher Trend (etwa 0,2 Prozentpunkte je "
        "Jahr) wird in rund der Hälfte der Fälle erkannt. Gibt es in keinem Stadtteil einen Trend, meldet eine "
        "Kennzahl doch einen in 6 % der Fälle bei anhaltenden und in 4 % bei unabhängigen Schwankungen (Ziel 5 %)."
        " Noch nicht am Ziel sind kurze Reihen vieler Gebiete: mit 5 Jahren und 45 Gebieten 12 %, mit 8 Jahren und"
        " 86 Gebieten 10 %; dort ist eine einzelne Richtungsangabe im Zusammenhang der übrigen Gebiete zu lesen.",
    ),
    Method(
        "Trichterdiagramme",
        what="Das Trichterdiagramm zeigt jeden Stadtteil als Punkt: seinen Wert gegen die Zahl der Kinder oder "
        "Einwohnerinnen und Einwohner, auf die er sich bezieht. Zwei trichterförmige Linien um den Wert der Stadt "
        "zeigen, wie weit "
        "ein Wert allein durch Zufall abweichen kann; kleine Stadtteile haben einen weiten Trichter, große einen "
        "engen. Ein graues Band zeigt dazu die Unterschiede, die zwischen Stadtteilen üblich sind.",
        why="Eine Rangliste der Stadtteile stellt kleine Stadtteile mit zufällig hohen oder niedrigen Werten an "
        "die Spitze. Der Trichter trennt Abweichungen, die der Zufall erklärt, von solchen, die Aufmerksamkeit "
        "verdienen.",
        read="„Mehr als Zufall erklärt“: Der Punkt liegt außerhalb der äußeren Linie und des Bandes; hier lohnt "
        "ein genauer Blick. „Im Rahmen der üblichen Unterschiede zwischen Stadtteilen“: außerhalb der Linien, "
        "aber im Band. „Im Rahmen des Zufalls“: innerhalb der Linien. Die Einordnung ist vorsichtig: Sie meldet "
        "selten etwas, das nicht da ist, übersieht aber mäßige Abweichungen oft.",
        annex="Grenzen um den städtischen Wert nach Spiegelhalter (2005), 95 % und 99,8 %. Ob ein Stadtteil "
        "außerhalb liegt, entscheidet die exakte Wahrscheinlichkeit seiner "
        "Fallzahl (Binomial- bzw. Poisson-Verteilung): über der 99,8-%-Grenze heißt, eine mindestens so hohe Zahl "
        "hätte allein durch Zufall eine Wahrscheinlichkeit unter 0,1 %; die Linien im Diagramm sind nur zum "
        "Zeichnen geglättet. Das graue Band: Zufallseffekte auf der Logit- bzw. Log-Skala; ihre Streuung nach "
        "Paule und Mandel für jeden Stadtteil aus "
        "den übrigen geschätzt, damit ein Ausreißer sein eigenes Band nicht weitet; Grenze aus der t-Verteilung, "
        "weil die Streuung aus wenigen Stadtteilen geschätzt ist, und aus der exakten Verteilung der Fallzahl. "
        "Prüfung mit simulierten Daten bekannter Wahrheit (200 "
        "Wiederholungen je Fall; 4, 13 und 150 Gebiete; kleine Gebiete mit Anteilen um 2 % und 96 %, typische "
        "Anteile und Raten; mit und ohne übliche Unterschiede und einen Ausreißer): Der Anteil falscher "
        "Einstufungen „mehr als Zufall erklärt“ je Gebiet lag in keinem Fall nachweisbar über dem Sollwert 0,2 % "
        "(höchstens 0,20 %, Monte-Carlo-Intervall 0,15–0,26 %; die exakte Prüfung höchstens 0,25 %); mit "
        "geglätteten Grenzen und ohne Band wären es bis zu 2,6 %. Einen Stadtteil, der um eine Logit-Einheit "
        "abweicht (32 % statt 15 %), fand das Verfahren unter 13 Gebieten ohne weitere Unterschiede in 99,5 % der "
        "Fälle, bei üblichen Unterschieden zwischen den Stadtteilen nur in 19,0 %.",
    ),
    Method(
        "Empirischer Bayes",
        what="Die Werte kleiner Stadtteile werden ein Stück zum Wert der Stadt hin gezogen, umso stärker, je "
        "kleiner der Stadtteil und je unsicherer sein Wert ist (geglättete Werte).",
        why="Ein kleiner Stadtteil kann in einem Jahr zufällig einen sehr hohen oder niedrigen Wert haben. Der "
        "geglättete Wert ist die bessere Schätzung dafür, wie es dort auf Dauer aussieht.",
        read="Der geglättete Wert steht neben dem beobachteten; der beobachtete bleibt die veröffentlichte Zahl. "
        "Die geglätteten Werte erscheinen nur, wenn sie sich in mindestens einem Stadtteil sichtbar unterscheiden; "
        "sonst sagt ein Satz unter der Tabelle, warum sie fehlen. Sind die Stadtteile nicht stärker verschieden, "
        "als der Zufall erklärt, erhalten alle den Wert der Stadt.",
        annex="Glättung zum städtischen Wert nach Marshall (1991), Momentenmethode; für Anteile "
        "binomiale Varianz nach Martuzzi und Elliott (1996). Ist keine Streuung über den Zufall hinaus erkennbar, "
        "erhalten alle Stadtteile den städtischen Wert. Sichtbar heißt: um mindestens eine halbe Einheit der "
        "Anzeige, etwa einen halben Prozentpunkt.",
    ),
    Method(
        "Sozialraum-Index",
        what="Der Index fasst einige Kennzahlen der sozialen Lage (die Statusindikatoren, etwa die SGB-II-Quote) "
        "zu einem Wert je Stadtteil zusammen und teilt die Stadtteile in vier Statusklassen ein, von „hoch“ bis "
        "„sehr niedrig“. Die Dynamik sagt, ob sich die Lage in den letzten fünf Jahren erkennbar verbessert "
        "(„positiv“) oder verschlechtert hat („negativ“), sonst „stabil“.",
        why="Er zeigt auf einen Blick, wo soziale Belastung zusammenkommt, nach dem Vorbild des Berliner "
        "Monitorings Soziale Stadtentwicklung.",
        read="Der Statusindex misst den Abstand vom Mittel der Stadtteile: positiv heißt mehr soziale Belastung, "
        "negativ weniger. Die Klassen vergleichen die Stadtteile untereinander, nicht mit einem festen Maßstab. "
        "Sehr kleine Stadtteile werden nicht eingestuft („–“). Die Dynamik zeigt in fünf Jahren nur deutliche "
        "Veränderungen sicher an. Der Index beruht nur auf veröffentlichten Zahlen.",
        annex="Nach dem Berliner Monitoring Soziale Stadtentwicklung: z-standardisierte Statusindikatoren, "
        "Mittelwert, erneut standardisiert; 4 Statusklassen; der Index in Standardabweichungen. Stadtteile unter "
        "der Mindestzahl an Einwohnerinnen und Einwohnern (Berlin: 300) werden nicht eingestuft. Ist ein Wert des "
        "Jahres geheim gehalten („.“) oder unsicher („( )“), rechnet der Index mit dem zusammengefassten Wert der "
        "veröffentlichten Jahre unter den letzten drei (Summe der Zähler durch Summe der Nenner, mindestens so "
        "groß wie die Mindestbezugsgröße); fehlt auch dieser, mit den übrigen Kennzahlen, sofern mindestens die "
        "Hälfte (mindestens zwei) vorliegt. Zusammengefasste Werte verschieben die Mittelwerte und "
        "Standardabweichungen nicht, an denen die anderen Stadtteile gemessen werden. Warum nicht der geheime "
        "Wert selbst: Der Index hängt stetig von jedem seiner Werte ab; aus einem veröffentlichten Indexwert und "
        "den übrigen veröffentlichten Zahlen ließe sich ein geheimer Anteil bis auf wenige Personen, in "
        "Testrechnungen oft auf die Person genau, zurückrechnen, "
        "und die exakte Prüfung der Geheimhaltung, die Summen von Fallzahlen prüft, kann einen solchen Wert nicht "
        "abdecken. So beruhen Index und Klasse nur auf veröffentlichten Zahlen (und Summen davon) und verraten "
        "nichts, was die Prüfung nicht schon freigegeben hat. Dynamik: Veränderung der veröffentlichten "
        "Statusindikatoren (mindestens der Hälfte) in den letzten fünf Jahren (Trendmodell) mit ihrer "
        "Unsicherheit; „positiv“ bzw. „negativ“ nur bei statistisch erkennbarer Verbesserung bzw. Verschlechterung "
        "(Falscherkennungsrate 5 % über die Stadtteile). Prüfung mit simulierten Daten bekannter Wahrheit "
        "(200 Wiederholungen, ein Indikator, anhaltende Schwankungen): Stadtteile ohne Veränderung blieben in über "
        "99 % der Fälle „stabil“; eine Veränderung um rund 1,3 Pp. je Jahr wurde in 56 %, eine um rund 2,5 Pp. je Jahr "
        "in 90 % der Fälle erkannt, und das 95-%-Intervall der Veränderung überdeckte die Wahrheit in 96 %. "
        "Ergebnisindikatoren gehen nicht ein.",
    ),
    Method(
        "Bedarf und Angebot",
        what="Für jede Lebensphase wird verglichen, wo der Bedarf hoch ist (gemessen an der SGB-II-Quote der "
        "Altersgruppe) und wie viele Plätze in Präventionsangeboten es dort je 1.000 Kinder gibt. Angebote für "
        "mehrere Stadtteile oder die ganze Stadt werden nach der Zahl der Kinder auf die Stadtteile verteilt.",
        why="So wird sichtbar, wo Kinder mit hohem Bedarf wenige oder keine Angebote in der Nähe haben.",
        read="„Hoher Bedarf, kein Angebot“: kein Platz im Stadtteil, auch nicht anteilig. „Hoher Bedarf, geringe "
        "Abdeckung“: weniger Plätze je 1.000 Kinder als in einem typischen Stadtteil. Wo der Bedarf nicht "
        "veröffentlicht ist oder für eine Lebensphase kein Bedarfsindikator vorliegt, wird das genannt; eine "
        "Entwarnung steht nur, wenn alles geprüft wurde.",
        annex="Einzugsgebiete in der Konfiguration. Hoher Bedarf: SGB-II-Quote der Altersgruppe mindestens eine "
        "halbe Standardabweichung über dem Mittel der Stadtteile (Konfiguration). Geringe Abdeckung: weniger "
        "Plätze je 1.000 Kinder der Altersgruppe als im Median der Stadtteile, oder, wenn dieser Median null ist, "
        "als in der ganzen Stadt.",
    ),
    Method(
        "Unterbrochene Zeitreihe",
        what="Die Ausgaben und Fallzahlen der Hilfen zur Erziehung vor dem Start des Präventionsprogramms werden "
        "fortgeschrieben und mit dem tatsächlichen Verlauf danach verglichen.",
        why="Der Vergleich zeigt, ob sich Niveau oder Entwicklung der Hilfen mit dem Programmstart verändert "
        "haben. Er allein beweist keine Wirkung: Auch andere Ereignisse um diese Zeit können den Verlauf "
        "verändert haben.",
        read="Die Wirkung ist der Abstand zwischen dem fortgeschriebenen und dem tatsächlichen Verlauf, mit "
        "Intervall. Schließt das Intervall die Null ein, ist keine Veränderung belegt. Ausgaben sind "
        "preisbereinigt und auf die unter 21-Jährigen bezogen, so dass eine wachsende Stadt nicht als steigender "
        "Bedarf erscheint.",
        annex="Segmentierte Regression mit Niveau- und Trendänderung ab dem Programmstart; Ausgaben preisbereinigt "
        "(Preisindex der Konfiguration) und je unter 21-Jährigen, Fallzahlen als Quasi-Poisson-Modell "
        "mit der Zahl der unter 21-Jährigen als Exposition; Fehler mit der aus den Hilfedauern folgenden "
        "Autokorrelation (AR(1)), angehoben auf die aus der Reihe selbst geschätzte (REML), wenn diese höher ist; "
        "die Streuung ist um die Autokorrelation bereinigt, die t-Verteilung verliert einen Freiheitsgrad. "
        "Prüfung mit simulierten Daten bekannter Wahrheit (100 Wiederholungen je Szenario, mit und ohne "
        "anhaltende Schwankungen): Die 95-%-Intervalle der kumulierten Wirkung "
        "überdeckten die Wahrheit in 92–97 % (Ausgaben) und "
        "93–100 % (Fälle); nur mit der Autokorrelation aus den Hilfedauern waren es 91–97 % und 90–100 %. "
        "Bei 100 Wiederholungen ist jede solche Quote nur auf etwa ±4 Prozentpunkte genau; keine der hier und "
        "unten genannten weicht nachweisbar vom Zielbereich 93–97 % ab. "
        "Die Rechnung folgt der Standard-Schnittstelle für unterbrochene Zeitreihen und ergibt für das "
        "Lehrbeispiel von Lopez Bernal u. a. (2017) dieselben Werte auf vier Stellen.",
    ),
    Method(
        "Differenz-von-Differenzen",
        what="Zwei Vergleiche schätzen, was das Präventionsprogramm bewirkt hat: Stadtteile mit neuen Angeboten "
        "gegen Stadtteile ohne, jeweils vor und nach dem Start (Stadtteilvergleich), und die Stadt gegen "
        "Vergleichskommunen ohne eigenes Präventionsprogramm (Ereignisstudie).",
        why="Ein Vergleich mit Gebieten ohne Programm rechnet heraus, was sich ohnehin überall verändert hat, etwa "
        "durch neue Gesetze oder die allgemeine Entwicklung der Hilfen.",
        read="Eine Wirkung gilt nur als belegt, wenn sie größer ist, als der Zufall erklärt. Entwickelte sich die "
        "Stadt schon vor dem Start anders als die Vergleichskommunen, wird keine Wirkung geschätzt. Kleine "
        "Wirkungen kann die Ereignisstudie nicht sicher erkennen: Kein Befund heißt deshalb nicht, dass das "
        "Programm nichts bewirkt.",
        annex="Stadtteile mit und ohne neue Präventionsangebote, Stadtteil- und Jahreseffekte, SGB-II-Quote als "
        "Kontrolle; p-Werte aus dem Wild-Cluster-Bootstrap (Webb-Gewichte) unter der Nullhypothese, Intervalle "
        "durch Umkehrung desselben Tests. Ereignisstudie gegen die Vergleichskommunen ohne eigenes "
        "Präventionsprogramm: jede Kommune mit eigenem Trend vor dem Programmstart, gemeinsamer Vortrendtest "
        "(bricht der Trend vor dem Start, wird keine Wirkung geschätzt). Die Stadt schwankt anders als die "
        "Vergleichskommunen (Armut in den Stadtteilen), ist also nicht ohne Weiteres mit ihnen austauschbar; eine "
        "Abweichung zählt deshalb nur, wenn "
        "sie an der eigenen Schwankung der Stadt vor dem Start (Vorhersagefehler des Mittelwerts, t-Verteilung) und "
        "an den Vergleichskommunen als Placebos (studentisiert, Ferman & Pinto 2019) gemessen zugleich zu groß für "
        "den Zufall ist: der größere p-Wert, das breitere Intervall. Das ist gültig, wenn eine der beiden Annahmen "
        "zutrifft. Prüfung mit simulierten Daten bekannter Wahrheit (100 Wiederholungen je Szenario): Die "
        "95-%-Intervalle überdeckten die Wahrheit in 94–99 % (Stadtteilvergleich) und 95–96 % (Ereignisstudie); "
        "ohne Wirkung "
        "meldeten sie in 1–4 % bzw. 4–5 % der Wiederholungen fälschlich eine Wirkung. In einer eigenen Simulation "
        "der Ereignisstudie (250 Wiederholungen je Szenario und Berichtsjahr, Bevölkerung, Armut, Fälle und "
        "Vergleichskommunen jedes Mal neu gezogen) waren es ohne Wirkung 3–4 % und mit dauerhaften Schocks 1–2 %; "
        "die eigene Schwankung allein hätte bei dauerhaften Schocks in 11–12 % fälschlich eine Wirkung gemeldet. Die "
        "geplante Wirkung (auf die ganze Stadt umgerechnet etwa −4 bis −5 %) erkennt die Ereignisstudie nur in "
        "2–5 % der Wiederholungen: für Wirkungen dieser Größe ist der Vergleich mit anderen Kommunen zu ungenau.",
    ),
    Method(
        "Kosten-Wirkungs-Bilanz",
        what="Die Bilanz stellt die Ausgaben für das Präventionsprogramm den Ausgaben für Hilfen gegenüber, die "
        "nach dem Stadtteilvergleich vermieden wurden.",
        why="Sie beantwortet die Frage, ob sich Prävention auch finanziell trägt, und zeigt, wie unsicher diese "
        "Antwort ist.",
        read="Ein positiver Saldo heißt: Es wurden mehr Ausgaben vermieden, als das Programm gekostet hat. Das "
        "Band um den Saldo zeigt die Unsicherheit; schließt es die Null ein, ist weder ein Gewinn noch ein "
        "Verlust belegt. Szenarien zeigen, wie das Ergebnis von den Annahmen abhängt. Spätere Beträge sind "
        "abgezinst.",
        annex="Programmausgaben gegen die aus dem Stadtteilvergleich geschätzten vermiedenen Ausgaben für neue "
        "Hilfen; Band durch Umkehrung desselben Bootstrap-Tests wie beim Stadtteilvergleich (für die gewichtete "
        "Summe der beiden Wirkungsphasen, linearisiert); Szenarien für die Annahmen. Kosten nach Jahr der Zahlung "
        "und Hilfeart, Abzinsung mit dem Kalkulationszins der Konfiguration (Arbeitsanleitung des BMF zu § 7 BHO). "
        "In der Simulation überdeckte das Band den wahren Saldo in 92–98 % der Wiederholungen.",
    ),
]
#: The technical annex of each method by title (the simulation figures the tests tie to benchmarks/).
METHOD_ANNEX = {m.title: m.annex for m in METHODS}


#: Methods that only some communes use: the condition under which the methods page lists them.
METHOD_NEEDS = {
    "Sozialraum-Index": lambda plan: plan.social_index_reason is None,
    "Trichterdiagramme": lambda plan: bool(plan.funnel_indicators),
    "Empirischer Bayes": lambda plan: bool(plan.funnel_indicators),
    "Bedarf und Angebot": lambda plan: "services" in plan.sources_found,
    "Unterbrochene Zeitreihe": lambda plan: plan.step_runs("hze_analyse"),
    "Differenz-von-Differenzen": lambda plan: plan.step_runs("hze_analyse"),
    "Kosten-Wirkungs-Bilanz": lambda plan: plan.step_runs("hze_analyse"),
}


def methods_for(plan) -> list[Method]:
    """The METHODS entries that apply to a commune (e.g. no HzE methods without HzE data)."""
    return [m for m in METHODS if METHOD_NEEDS.get(m.title, lambda _: True)(plan)]


def render_methods(config: Config, year: int, page: Path, city_page: Path) -> str:
    """The 'Methodische Hinweise' page of a report year: symbols, sources, definitions, methods."""
    from helpers.indicators.catalogue import UNIT_LABEL, load_catalogue

    plan = commune_plan(config)

    paths = ProjectPaths(config)

    def rel(target: Path) -> str:
        return relative_href(page, target)

    catalogue = plan.catalogue
    full = load_catalogue(config.catalogue_path)
    skipped = [(full.get(i).name, reason) for i, reason in plan.skipped.items()]
    missing_sources = [source_label(config, k) for k in plan.sources_missing]
    absent = [(REPORTS[k].title, reason) for k, reason in plan.reports.items() if reason]
    phases = [
        (
            phase,
            [
                {
                    "name": i.name,
                    "href": rel(paths.factsheet_html(i.id)),
                    "definition": i.definition,
                    "unit": UNIT_LABEL[i.unit],
                    "reference_date": i.reference_date,
                    "ci": i.ci_method,
                    "note": i.note,
                }
                for i in inds
            ],
        )
        for phase, inds in catalogue.by_phase().items()
        if inds
    ]
    sources = [
        {"label": source_label(config, name), "holder": s.holder, "stand": s.stand or "–"}
        for name, s in config.sources.items()
    ]

    html = (
        _environment()
        .get_template("methods.html.j2")
        .render(
            commune=config.commune.name,
            year=year,
            phases=phases,
            sources=sources,
            methods=methods_for(plan),
            skipped=skipped,
            missing_sources=missing_sources,
            absent=absent,
            population_basis=POPULATION_BASIS[config.sources["population"].population_basis],
            min_count=config.thresholds.min_cell_count,
            min_den=config.thresholds.min_denominator,
            dominance_k=f"{config.thresholds.dominance_k:g}".replace(".", ","),
            p_percent=f"{config.thresholds.p_percent:g}".replace(".", ","),
            synthetic=synthetic_note(paths, list(config.sources)),
            city_href=rel(city_page),
            glossary_href=rel(paths.glossary_html),
            s=shell_context(config, page, [paths.config_file, config.catalogue_path]),
        )
    )
    return link_glossary_terms(wrap_tables(html), rel(paths.glossary_html))


def render_glossary(config: Config) -> str:
    """The glossary page ``reports/glossar.html``: the reports' terms in plain German."""
    from helpers.site.glossary import GLOSSARY

    paths = ProjectPaths(config)
    page = paths.glossary_html
    return (
        _environment()
        .get_template("glossary.html.j2")
        .render(
            commune=config.commune.name,
            entries=GLOSSARY,
            synthetic=synthetic_note(paths, list(config.sources)),
            s=shell_context(config, page, [paths.config_file]),
        )
    )


def render_data_check(config: Config, findings: list) -> str:
    """The analyst's "Datenprüfung" page (in ``build/checks``, never published)."""
    from helpers.sources.plausibility import RULE_LABELS

    env = Environment(loader=FileSystemLoader(TEMPLATES / "monitoring"), autoescape=True, keep_trailing_newline=True)
    return env.get_template("datenpruefung.html.j2").render(
        commune=config.commune.name,
        first=config.years.data.first,
        last=config.years.data.last,
        factor=f"{config.plausibility.jump_factor:g}".replace(".", ","),
        findings=findings,
        errors=sum(f.severity == "error" for f in findings),
        labels=RULE_LABELS,
        css=(TEMPLATES / "monitoring" / "report.css").read_text(encoding="utf-8"),
    )
