"""The registry: every raw source, processed table, indicator selection, pipeline step and
page kind of the monitoring, declared once, as data.

Everything else derives from here: processed file names and page paths (``helpers.core.paths``),
the doit tasks with their ``file_dep`` and ``targets`` (``helpers.pipeline.tasks``), the warm
kernel's imports, the published pages (cleanup, audit, PDFs), the index's lists and topics, and
the open-data source names. Adding a source, an indicator selection, a step or a page kind (a
notebook or a site function) is one entry here plus its own code.

Code is named by dotted path (``"package.module:function"``), never imported here, so this
bottom-layer module depends on nothing above it and loading ``dodo.py`` stays fast.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace

#: ``Table.page_rows``: a page of report year Y reads the rows with ``report_year == Y``.
BY_REPORT_YEAR = "report_year"
#: ``Table.page_rows``: a page of report year Y reads the rows with ``year <= Y``.
UP_TO_YEAR = "year"


@dataclass(frozen=True)
class Table:
    """A processed table: its key and file stem in ``data/processed``.

    ``page_rows`` says which rows a report page of year Y reads (``BY_REPORT_YEAR`` or
    ``UP_TO_YEAR``); such a table is also written as one slice per report year
    (``data/processed/jahre/<Y>/<stem>.parquet``, task ``jahresauszug:<key>``), and the pages
    of year Y depend on that slice only, so a change that leaves year Y's rows as they were
    does not re-run its pages. ``None``: pages read the whole table (e.g. the register's
    history, which a profile shows for every year).
    """

    key: str
    stem: str
    csv: bool = True  # also written as CSV (record-level and internal tables are parquet only)
    page_rows: str | None = None


@dataclass(frozen=True)
class Source:
    """A raw source: its key under ``sources:`` in the commune config, its builder and tables.

    ``builder`` is ``"module:function"``; the function takes the config and returns
    ``{table key: DataFrame}`` for exactly ``tables``.
    """

    key: str
    builder: str
    tables: tuple[str, ...]
    doc: str
    #: (table, year column) pairs that must hold every configured data year (from the source's
    #: ``first_year`` on): the source's declared year coverage, checked before anything is written.
    coverage: tuple[tuple[str, str], ...] = ()
    #: German name for readers where the commune's config gives none (also for absent sources)
    label: str = ""


@dataclass(frozen=True)
class Selection:
    """What a catalogue numerator or denominator may count from (``source:`` in the catalogue).

    ``atoms`` is ``"module:function"`` returning the atom counts of a selection; ``tables``
    are the processed tables it reads; ``raw_sources`` the configured raw sources behind it;
    ``holder`` the raw source whose data holder the open-data catalogue names.
    """

    key: str
    atoms: str
    tables: tuple[str, ...]
    raw_sources: tuple[str, ...]
    holder: str


@dataclass(frozen=True)
class Step:
    """A pipeline step after the sources: its action, the tables it reads and writes.

    ``inputs`` are processed tables; the marker ``SELECTED`` stands for the tables that the
    catalogue's selections read, the marker ``VALUES`` for the per-selection indicator value
    tables (each written by its own task ``kennzahlen:<selection>``). ``code`` is the module
    whose imports are the step's code dependencies.
    """

    name: str
    action: str
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    code: str
    doc: str
    #: raw sources the step cannot run without (besides the residents' register); without
    #: them the step is no task and its pages say so (``helpers.core.availability``)
    requires: tuple[str, ...] = ()
    #: (table read, name the action sees it under): a step that needs only part of a table
    #: reads a narrower table, so a change elsewhere in the wide one does not re-run it
    views: tuple[tuple[str, str], ...] = ()


#: ``Page.per``: one page per report year and Stadtteil.
PER_AREA = "area"
#: ``Page.per``: one page per report year.
PER_YEAR = "year"
#: ``Page.per``: one page per indicator the commune computes (``COMMUNE_INDICATORS``).
PER_INDICATOR = "indicator"
#: ``Page.per``: one page.
ONCE = "once"
#: ``Page.per``: one page per Land run (``helpers.tools.land``), not a task of a commune's build.
PER_LAND = "land"


@dataclass(frozen=True)
class Page:
    """A kind of page: how it is made, what it is made per, what it reads, where it is listed.

    ``renderer`` is a notebook in ``notebooks/`` (``"stadtteil_profil.py"``, executed by
    papermill) or a site function ``"module:function"`` taking ``(config, ref)`` (a
    ``helpers.core.paths.PageRef``) and returning the page's HTML. ``path`` is the page's file
    under ``reports/`` (under ``build/`` when not ``published``), with ``{year}``, ``{area}``
    (Stadtteil slug), ``{indicator}`` and ``{kind}`` filled in. The page's doit tasks are
    ``<task>:<name>`` (``task`` defaults to ``kind``; a page made ``ONCE`` is the task ``task``,
    or ``task:name`` when ``name`` is set). ``tables`` are the processed tables it reads (of a
    table with ``page_rows``, the slice of its report year); ``inputs`` a ``"module:function"``
    taking ``(config, ref)`` for pages whose input files are computed. ``templates`` are the
    page templates it renders (under ``templates/``). ``index`` is its label in the start
    page's list of a report year; ``topics`` the start page's entries by topic that lead to
    it, as (label, heading anchor; "" for the top of the page).
    """

    kind: str
    renderer: str
    per: str
    path: str
    title: str
    doc: str
    tables: tuple[str, ...] = ()
    #: the raw sources its page names (``None``: every configured source)
    sources: tuple[str, ...] | None = None
    pdf: bool = False
    index: str = ""
    topics: tuple[tuple[str, str], ...] = ()
    templates: tuple[str, ...] = ()
    inputs: str = ""
    #: the kinds of pages whose files this page reads (the start page links them with their checksums)
    reads_pages: tuple[str, ...] = ()
    published: bool = True
    task: str = ""
    name: str = ""
    #: the step whose outputs the page cannot do without (None: always built)
    needs_step: str | None = None
    #: (table read, name the notebook asks for): a page that shows only part of a table reads a
    #: narrower one (as ``Step.views``), so a change elsewhere in the wide one does not re-run it
    views: tuple[tuple[str, str], ...] = ()
    #: doit tasks that must have run before this page's tasks (not its inputs)
    after: tuple[str, ...] = ()
    #: modules whose imports are a site page's code (default: the renderer's module)
    code: tuple[str, ...] = ()

    @property
    def notebook(self) -> str:
        """The notebook file of a notebook page ("" for a site page)."""
        return "" if ":" in self.renderer else self.renderer

    @property
    def per_area(self) -> bool:
        return self.per == PER_AREA

    @property
    def basename(self) -> str:
        """The doit task (group) of the page."""
        return self.task or self.kind

    def reads(self, name: str) -> str:
        """The table the page reads when its notebook asks for ``name`` (``views``)."""
        return {seen_as: read for read, seen_as in self.views}.get(name, name)

    @property
    def read_tables(self) -> tuple[str, ...]:
        """The processed tables the page reads, after ``views``."""
        return tuple(self.reads(name) for name in self.tables)


#: The earlier name of :class:`Page` (every report kind is a page kind).
Report = Page


#: Marker in ``Step.inputs``: the processed tables the catalogue's selections read.
SELECTED = "@selected"
#: Marker in ``Step.inputs``: the indicator value tables, one per numerator selection.
VALUES = "@values"

TABLES = {
    t.key: t
    for t in (
        Table("population", "bevoelkerung_einzelalter", csv=False),
        Table("population_bands", "bevoelkerung_altersgruppen", page_rows=UP_TO_YEAR),
        Table("population_summary", "bevoelkerung_kennzahlen"),
        Table("sgb2", "sgb2_bedarfsgemeinschaften"),
        Table("unemployment", "arbeitslose"),
        Table("kita", "kindertagesbetreuung"),
        Table("transitions", "schuluebergaenge"),
        Table("seu", "seu_untersuchungen", csv=False),
        Table("hze_cases", "hze_faelle", csv=False),
        Table("hze_year", "hze_jahreswerte"),
        Table("hze_expenditure", "hze_aufwand"),
        Table("services", "praeventionsangebote"),
        Table("welcome_visits", "willkommensbesuche"),
        Table("comparison", "vergleichskommunen", page_rows=UP_TO_YEAR),
        Table("indicators_internal", "indikatoren_intern", csv=False),
        Table("indicators", "indikatoren", page_rows=UP_TO_YEAR),
        Table("indicators_hze_internal", "indikatoren_hze_intern", csv=False),
        Table("indicators_hze", "indikatoren_hze", csv=False, page_rows=UP_TO_YEAR),
        Table("trends", "analyse_trends", page_rows=BY_REPORT_YEAR),
        Table("funnel_eb", "analyse_funnel_eb", page_rows=BY_REPORT_YEAR),
        Table("social_index", "analyse_sozialindex", page_rows=UP_TO_YEAR),
        Table("need_supply", "analyse_bedarf_angebot", page_rows=BY_REPORT_YEAR),
        Table("hze_descriptive", "hze_analyse_deskriptiv", page_rows=BY_REPORT_YEAR),
        Table("hze_its", "hze_analyse_its", page_rows=BY_REPORT_YEAR),
        Table("hze_effects", "hze_analyse_effekte", page_rows=BY_REPORT_YEAR),
        Table("hze_event_study", "hze_analyse_ereignisstudie", page_rows=BY_REPORT_YEAR),
        Table("hze_balance", "hze_analyse_bilanz", page_rows=BY_REPORT_YEAR),
    )
}

SOURCES = {
    s.key: s
    for s in (
        Source(
            "population",
            "helpers.sources.population:build_population_tables",
            ("population", "population_bands", "population_summary"),
            "Einwohnermelderegister: Einwohner nach Einzelalter, Altersgruppen und Kennzahlen",
            (("population", "year"),),
        ),
        Source(
            "sgb2", "helpers.sources.sgb2:build_sgb2", ("sgb2",), "BA: SGB II nach Stadtteilen", (("sgb2", "year"),)
        ),
        Source(
            "unemployment",
            "helpers.sources.sgb2:build_unemployment",
            ("unemployment",),
            "BA: Arbeitslose (SGB II/III)",
            (("unemployment", "year"),),
        ),
        Source("kita", "helpers.sources.kita:build_kita", ("kita",), "Kindertagesbetreuung", (("kita", "year"),)),
        Source("seu", "helpers.sources.seu:build_seu", ("seu",), "Schuleingangsuntersuchung", (("seu", "year"),)),
        Source(
            "transitions",
            "helpers.sources.transitions:build_transitions",
            ("transitions",),
            "Schulübergänge",
            (("transitions", "year"),),
        ),
        Source(
            "hze_cases",
            "helpers.sources.hze:build_hze_cases",
            ("hze_cases", "hze_year"),
            "Hilfen zur Erziehung: Fallliste",
            (("hze_cases", "start"),),
        ),
        Source(
            "hze_expenditure",
            "helpers.sources.hze:build_hze_expenditure",
            ("hze_expenditure",),
            "Hilfen zur Erziehung: Aufwand",
            (("hze_expenditure", "year"),),
        ),
        Source("services", "helpers.sources.prevention:build_services", ("services",), "Angebote der Präventionskette"),
        Source(
            "welcome_visits",
            "helpers.sources.prevention:build_welcome_visits",
            ("welcome_visits",),
            "Willkommensbesuche",
            (("welcome_visits", "year"),),
        ),
        Source(
            "comparison",
            "helpers.sources.comparison:build_comparison",
            ("comparison",),
            "Vergleichskommunen",
            (("comparison", "year"),),
        ),
    )
}

#: German names of the sources for readers (a commune's ``label`` in the config wins).
_LABELS = {
    "population": "Bevölkerung",
    "sgb2": "SGB-II-Statistik",
    "unemployment": "Arbeitslosenstatistik",
    "kita": "Kindertagesbetreuung",
    "seu": "Schuleingangsuntersuchung",
    "transitions": "Schulübergänge",
    "hze_cases": "Hilfen zur Erziehung (Fälle)",
    "hze_expenditure": "Hilfen zur Erziehung (Ausgaben)",
    "services": "Präventionsangebote",
    "welcome_visits": "Willkommensbesuche",
    "comparison": "Vergleichskommunen",
}
SOURCES = {key: replace(source, label=_LABELS[key]) for key, source in SOURCES.items()}

_ATOMS = "helpers.indicators.atoms"

SELECTIONS = {
    s.key: s
    for s in (
        Selection("population", f"{_ATOMS}:population_atoms", ("population",), ("population",), "population"),
        Selection("sgb2", f"{_ATOMS}:ba_atoms", ("sgb2",), ("sgb2",), "sgb2"),
        Selection("unemployment", f"{_ATOMS}:ba_atoms", ("unemployment",), ("unemployment",), "unemployment"),
        Selection("kita", f"{_ATOMS}:kita_atoms", ("kita",), ("kita",), "kita"),
        Selection("seu", f"{_ATOMS}:seu_atoms", ("seu",), ("seu",), "seu"),
        Selection("transitions", f"{_ATOMS}:transition_atoms", ("transitions",), ("transitions",), "transitions"),
        Selection("hze", f"{_ATOMS}:hze_atoms", ("hze_year",), ("hze_cases",), "hze_cases"),
        Selection(
            "hze_eur",
            f"{_ATOMS}:hze_eur_atoms",
            ("hze_year", "hze_cases", "hze_expenditure"),
            ("hze_cases", "hze_expenditure"),
            "hze_expenditure",
        ),
        Selection(
            "welcome_visits", f"{_ATOMS}:welcome_atoms", ("welcome_visits",), ("welcome_visits",), "welcome_visits"
        ),
        Selection("services", f"{_ATOMS}:service_atoms", ("services",), ("services",), "services"),
    )
}


def values_table(selection: str) -> str:
    """The table of the unprotected values of the indicators counting from ``selection``.

    >>> values_table("kita")
    'indicator_values_kita'
    """
    return f"indicator_values_{selection}"


TABLES |= {values_table(key): Table(values_table(key), f"kennzahlen_werte_{key}", csv=False) for key in SELECTIONS}


def table(name: str) -> Table:
    """A processed table by key; also the values table of a selection registered later."""
    if name not in TABLES and name.startswith("indicator_values_"):
        key = name.removeprefix("indicator_values_")
        return Table(name, f"kennzahlen_werte_{key}", csv=False)
    return TABLES[name]


STEPS = {
    s.name: s
    for s in (
        Step(
            "indicators",
            "helpers.indicators.steps:build_indicator_tables",
            (VALUES, SELECTED),
            ("indicators", "indicators_internal", "indicators_hze", "indicators_hze_internal"),
            "helpers.indicators.steps",
            "Join the indicator values (kennzahlen:<selection>); apply primary and secondary suppression",
        ),
        Step(
            "analysen",
            "helpers.analysis.run:build_social_analysis",
            ("indicators", "services", "population"),
            ("trends", "funnel_eb", "social_index", "need_supply"),
            "helpers.analysis.run",
            "Trends, funnel/EB, social index and need vs supply for every report year",
        ),
        Step(
            "hze_analyse",
            "helpers.analysis.run:build_hze_analysis",
            (
                "hze_year",
                "hze_cases",
                "hze_expenditure",
                "services",
                "population",
                "comparison",
                "indicators_hze_internal",
                "indicators_hze",
            ),
            ("hze_descriptive", "hze_its", "hze_effects", "hze_event_study", "hze_balance"),
            "helpers.analysis.run",
            "HzE descriptive figures, ITS, DiD, event study and cost-effect balance for every report year",
            ("hze_cases", "hze_expenditure", "services", "comparison"),
            # only the HzE indicator rows and the SGB II covariate (helpers.indicators.steps)
            (("indicators_hze_internal", "indicators_internal"), ("indicators_hze", "indicators")),
        ),
    )
}

#: The templates every notebook page is rendered with (nbconvert's page template and the site shell).
NOTEBOOK_TEMPLATES = ("monitoring/index.html.j2", "monitoring/conf.json", "monitoring/shell.html.j2")
_SHELL = "monitoring/shell.html.j2"
_RENDER = "helpers.site.renderers"

PAGES = {
    p.kind: p
    for p in (
        Page(
            "profil",
            "stadtteil_profil.py",
            PER_AREA,
            "{year}/stadtteile/{area}.html",
            "Stadtteilprofil",
            "Stadtteilprofile: one page per report year and Stadtteil",
            (
                "population_summary",
                "population_bands",
                "indicators",
                "services",
                "hze_descriptive",  # the comparison communes' HzE level beside the city's rate
                "social_index",
                "trends",
            ),
            pdf=True,
            templates=NOTEBOOK_TEMPLATES,
        ),
        Page(
            "gesamtstadt",
            "gesamtstadt_uebersicht.py",
            PER_YEAR,
            "{year}/{kind}.html",
            "Gesamtstädtischer Bericht",
            "Gesamtstädtischer Bericht: one page per report year, all Stadtteile side by side",
            (
                "population_summary",
                "indicators",
                "trends",
                "social_index",
                "need_supply",
                "hze_descriptive",
                "hze_its",
                "hze_effects",
                "hze_balance",
            ),
            pdf=True,
            index="Gesamtstädtischer Bericht",
            topics=(
                ("Bevölkerung", "Bev%C3%B6lkerung"),
                ("Alle Kennzahlen nach Lebensphasen (Lebenslauf-Matrix)", "Lebenslauf-Matrix"),
                ("Leitbild und Zielerreichung", ""),
            ),
            templates=NOTEBOOK_TEMPLATES,
        ),
        Page(
            "sozialraum",
            "sozialraumanalyse.py",
            PER_YEAR,
            "{year}/{kind}.html",
            "Sozialraumanalyse",
            "Sozialraumanalyse: trends, funnel plots, EB, social index, need vs supply, maps per report year",
            ("indicators", "trends", "funnel_eb", "social_index", "need_supply"),
            index="Sozialraumanalyse",
            topics=(
                ("Trends: wird es besser?", "Trends"),
                ("Stadtteile im Vergleich (Trichterdiagramme)", ""),
                ("Sozialraum-Index und Karten", "Sozialraum-Index"),
                ("Bedarf und Angebot entlang der Präventionskette", ""),
            ),
            templates=NOTEBOOK_TEMPLATES,
        ),
        Page(
            "hze",
            "hze_kosten_wirkung.py",
            PER_YEAR,
            "{year}/{kind}.html",
            "Hilfen zur Erziehung: Kosten und Wirkung",
            "HzE-Kosten-Wirkungs-Analyse: one page per report year",
            ("indicators", "hze_descriptive", "hze_its", "hze_effects", "hze_event_study", "hze_balance"),
            ("hze_cases", "hze_expenditure", "services", "comparison", "population", "sgb2"),
            index="Hilfen zur Erziehung: Kosten und Wirkung",
            topics=(("Hilfen zur Erziehung: Kosten und Wirkung", ""),),
            templates=NOTEBOOK_TEMPLATES,
            needs_step="hze_analyse",
            # the page shows only the indicators of the HzE phase (helpers.indicators.steps)
            views=(("indicators_hze", "indicators"),),
        ),
        Page(
            "methoden",
            f"{_RENDER}:methods_page",
            PER_YEAR,
            "{year}/methoden.html",
            "Methodische Hinweise",
            "Methodische Hinweise: one page per report year",
            index="Methodische Hinweise",
            topics=(
                ("Zeichenerklärung", "Zeichenerklaerung"),
                ("Definitionen der Kennzahlen", "Definitionen"),
                ("Datenquellen und Stand", "Datenquellen"),
            ),
            templates=("monitoring/methods.html.j2", _SHELL),
            inputs=f"{_RENDER}:methods_inputs",
            code=("helpers.site.pages",),
        ),
        Page(
            "glossar",
            f"{_RENDER}:glossary_page",
            ONCE,
            "glossar.html",
            "Glossar",
            "Write reports/glossar.html: the reports' terms in plain German",
            templates=("monitoring/glossary.html.j2", _SHELL),
            inputs=f"{_RENDER}:glossary_inputs",
            code=("helpers.site.pages", "helpers.site.glossary"),
        ),
        Page(
            "kennzahlen",
            f"{_RENDER}:factsheet_overview",
            ONCE,
            "kennzahlen/index.html",
            "Kennzahlenblätter – Übersicht",
            "Kennzahlenblätter: one fact sheet per computed indicator, and their overview",
            templates=("monitoring/factsheet_index.html.j2", _SHELL),
            inputs=f"{_RENDER}:factsheet_inputs",
            code=("helpers.site.factsheets",),
            task="kennzahlenblatt",
            name="uebersicht",
        ),
        Page(
            "kennzahl",
            f"{_RENDER}:factsheet_page",
            PER_INDICATOR,
            "kennzahlen/{indicator}.html",
            "Kennzahlenblatt",
            "Kennzahlenblätter: one fact sheet per computed indicator, and their overview",
            ("indicators", "trends"),
            templates=("monitoring/factsheet.html.j2", _SHELL),
            inputs=f"{_RENDER}:factsheet_inputs",
            code=("helpers.site.factsheets",),
            task="kennzahlenblatt",
        ),
        Page(
            "index",
            f"{_RENDER}:start_page",
            ONCE,
            "index.html",
            "Startseite",
            "Write reports/index.html, the entry page linking every report",
            ("indicators", "trends", "funnel_eb", "social_index", "need_supply"),
            templates=("monitoring/entry.html.j2", _SHELL),
            inputs=f"{_RENDER}:start_inputs",
            code=("helpers.site.pages",),
            reads_pages=("profil", "gesamtstadt", "sozialraum", "hze", "methoden"),
            after=("aufraeumen",),
        ),
        Page(
            "datenpruefung",
            f"{_RENDER}:data_check_page",
            ONCE,
            "checks/datenpruefung.html",
            "Datenprüfung",
            "Plausibility checks across sources and years; build/checks/datenpruefung.html (errors stop the build)",
            templates=("monitoring/datenpruefung.html.j2", "monitoring/report.css"),
            inputs=f"{_RENDER}:data_check_inputs",
            code=("helpers.site.pages", "helpers.sources.plausibility"),
            published=False,
        ),
        Page(
            "land",
            "helpers.site.land_page:render_land_page",
            PER_LAND,
            "index.html",
            "Landesweite Übersicht",
            "The Land overview page of a Land run (helpers.tools.land), not a task of a commune's build",
            templates=("monitoring/land.html.j2", "monitoring/report.css"),
            published=False,
        ),
    )
}


class _Notebooks(Mapping[str, Page]):
    """``REPORTS``: the notebook pages of ``PAGES``, in registry order (a live view: a page
    registered later is in it)."""

    def __getitem__(self, kind: str) -> Page:
        page = PAGES[kind]
        if not page.notebook:
            raise KeyError(kind)
        return page

    def __iter__(self) -> Iterator[str]:
        return (kind for kind, page in list(PAGES.items()) if page.notebook)

    def __len__(self) -> int:
        return sum(1 for _ in self)


#: The notebook report kinds (executed by papermill): the pages of ``PAGES`` with a notebook.
REPORTS: Mapping[str, Page] = _Notebooks()

#: The report kind that is the hub of a report year (breadcrumbs of the other pages lead to it).
HUB_REPORT = "gesamtstadt"


def selection_tables(selection_keys: set[str] | list[str]) -> list[str]:
    """The processed tables that the given selections read, sorted.

    >>> selection_tables(["hze_eur", "population"])
    ['hze_cases', 'hze_expenditure', 'hze_year', 'population']
    """
    return sorted({t for key in selection_keys for t in SELECTIONS[key].tables})
