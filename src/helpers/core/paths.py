"""Every file path of the pipeline, computed from the config.

``dodo.py`` and the notebooks both ask this module for paths, so they can never disagree.
Notebooks never build path strings themselves.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path

from helpers.core.config import Config
from helpers.core.registry import COMMUNE_INDICATORS, REPORTS, table

#: Open-data files in reports/opendata.
OPENDATA_FILES = ("indikatoren.csv", "indikatorenkatalog.csv", "datapackage.json")

#: Report kinds that get a PDF next to their page (Stadtteil profiles and the city report).
PDF_KINDS = ("profil", "gesamtstadt")


@dataclass(frozen=True)
class ProjectPaths:
    """Paths of one project checkout for one config."""

    config: Config

    @property
    def root(self) -> Path:
        return self.config.root

    @property
    def config_file(self) -> Path:
        return self.config.config_path

    @property
    def raw(self) -> Path:
        return self.root / self.config.paths.raw

    @property
    def processed(self) -> Path:
        return self.root / self.config.paths.processed

    @property
    def reports(self) -> Path:
        return self.root / self.config.paths.reports

    @property
    def build(self) -> Path:
        return self.root / self.config.paths.build

    @property
    def notebooks(self) -> Path:
        return self.root / self.config.paths.notebooks

    @property
    def synthetic_marker(self) -> Path:
        """Marker written by the sample-data generator: which raw files it made."""
        return self.raw / "SYNTHETIC.json"

    def raw_source_files(self, source: str) -> list[Path]:
        """The raw files of one source, one per data year where the pattern has ``{year}``."""
        pattern = self.config.sources[source].pattern
        if "{year}" in pattern:
            return [self.raw / pattern.format(year=y) for y in self.config.data_years]
        return [self.raw / pattern]

    def processed_table(self, name: str, suffix: str = ".parquet") -> Path:
        """A processed table (``suffix`` ``.parquet`` or ``.csv``)."""
        return self.processed / f"{table(name).stem}{suffix}"

    @property
    def year_slices(self) -> Path:
        """Folder of the per-report-year slices of the tables pages read (``jahre/<year>/``)."""
        return self.processed / "jahre"

    def year_slice(self, name: str, year: int) -> Path:
        """The rows of a processed table that a page of report year ``year`` reads (``Table.page_rows``)."""
        return self.year_slices / str(year) / f"{table(name).stem}.parquet"

    @property
    def indicator_slices(self) -> Path:
        """Folder of the per-indicator slices of the published indicators (what a fact sheet reads)."""
        return self.processed / "kennzahlen"

    def indicator_slice(self, indicator: str) -> Path:
        """The published rows of one indicator (all years and areas): the input of its fact sheet."""
        return self.indicator_slices / f"{indicator}.parquet"

    def page_table(self, name: str, year: int) -> Path:
        """The file a page of report year ``year`` reads for a table: its slice, or the whole table."""
        return self.year_slice(name, year) if table(name).page_rows else self.processed_table(name)

    @property
    def synthetic_status(self) -> Path:
        """Which configured sources are the generator's sample (derived from the marker and the raw files)."""
        return self.processed / "herkunft.json"

    def processed_targets(self, name: str) -> list[Path]:
        """All files written for one processed table."""
        targets = [self.processed_table(name)]
        if table(name).csv:
            targets.append(self.processed_table(name, ".csv"))
        return targets

    def notebook_source(self, kind: str) -> Path:
        return self.notebooks / REPORTS[kind].notebook

    def report_html(self, kind: str, year: int, stadtteil_slug: str | None = None) -> Path:
        """The published HTML page of one report."""
        if REPORTS[kind].per_area:
            return self.reports / str(year) / "stadtteile" / f"{stadtteil_slug}.html"
        return self.reports / str(year) / f"{kind}.html"

    def report_pages(self, year: int) -> list[tuple[str, str | None, Path]]:
        """Every report page of a report year as (kind, Stadtteil slug or None, page), in registry order."""
        from helpers.core.availability import built_reports

        pages = []
        for kind in built_reports(self.config):
            report = REPORTS[kind]
            slugs = [s.slug for s in self.config.stadtteile] if report.per_area else [None]
            pages += [(kind, slug, self.report_html(kind, year, slug)) for slug in slugs]
        return pages

    def published_pages(self) -> list[Path]:
        """Every page the current config publishes: reports and methods of the report years, the index,
        the glossary and the fact sheets with their overview."""
        pages = [page for y in self.config.report_years for _, _, page in self.report_pages(y)]
        methods = [self.methods_html(y) for y in self.config.report_years]
        return [*pages, *methods, self.index_html, self.glossary_html, *self.factsheet_pages()]

    def report_pdf(self, page: Path) -> Path:
        """The PDF of a report page: next to it, same name."""
        return page.with_suffix(".pdf")

    def pdf_pages(self) -> list[Path]:
        """The pages that get a PDF (profiles and city report of every report year)."""
        return [page for y in self.config.report_years for kind, _, page in self.report_pages(y) if kind in PDF_KINDS]

    @property
    def assets(self) -> Path:
        """Shared files of the site (the stylesheet)."""
        return self.reports / "assets"

    @property
    def stylesheet(self) -> Path:
        """The one stylesheet every published page links (fixed name, relative link)."""
        return self.assets / "monitoring.css"

    @property
    def factsheets(self) -> Path:
        """Folder of the indicator fact sheets (Kennzahlenblätter), one page per computed indicator."""
        return self.reports / "kennzahlen"

    def factsheet_html(self, indicator: str | None = None) -> Path:
        """One indicator's fact sheet, or (``None``) the overview of all fact sheets."""
        return self.factsheets / (f"{indicator}.html" if indicator else "index.html")

    def factsheet_ids(self) -> list[str]:
        """The indicators with a fact sheet: those the commune computes (``registry.COMMUNE_INDICATORS``)."""
        module, _, name = COMMUNE_INDICATORS.partition(":")
        return list(getattr(importlib.import_module(module), name)(self.config))

    def factsheet_pages(self) -> list[Path]:
        """The overview of the fact sheets, then one fact sheet per computed indicator (catalogue order)."""
        return [self.factsheet_html(None), *(self.factsheet_html(i) for i in self.factsheet_ids())]

    def publishes_factsheets(self) -> bool:
        """Whether the fact sheets are among the published pages (their overview is one).

        Pages link the fact sheets only then, so no link points to a page the build does not write.
        """
        return self.factsheet_html(None) in self.published_pages()

    @property
    def glossary_html(self) -> Path:
        """The glossary: terms of the reports in plain German."""
        return self.reports / "glossar.html"

    def methods_html(self, year: int) -> Path:
        """The 'Methodische Hinweise' page of a report year."""
        return self.reports / str(year) / "methoden.html"

    def executed_notebook(self, kind: str, year: int, stadtteil_slug: str | None = None) -> Path:
        """The executed notebook of one report, kept apart from the published pages."""
        name = f"{kind}_{stadtteil_slug}" if stadtteil_slug else kind
        return self.build / "executed" / str(year) / f"{name}.ipynb"

    @property
    def index_html(self) -> Path:
        return self.reports / "index.html"

    @property
    def opendata(self) -> Path:
        return self.reports / "opendata"

    def opendata_files(self) -> list[Path]:
        return [self.opendata / name for name in OPENDATA_FILES]

    @property
    def data_check_page(self) -> Path:
        """The analyst's plausibility page (never published)."""
        return self.build / "checks" / "datenpruefung.html"

    @property
    def risk_summary(self) -> Path:
        """The analyst's disclosure-risk summary (cells by rule, information loss, audit result)."""
        return self.build / "checks" / "geheimhaltung_zusammenfassung.txt"

    @property
    def disclosure_report(self) -> Path:
        """Result of the confidentiality audit of the published files."""
        return self.build / "checks" / "geheimhaltung.txt"
