"""Every file path of the pipeline, computed from the config.

``dodo.py`` and the notebooks both ask this module for paths, so they can never disagree.
Notebooks never build path strings themselves.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from helpers.core.availability import built_pages
from helpers.core.config import Config
from helpers.core.registry import ONCE, PAGES, PER_AREA, PER_INDICATOR, PER_YEAR, REPORTS, table

#: Open-data files in reports/opendata.
OPENDATA_FILES = ("indikatoren.csv", "indikatorenkatalog.csv", "datapackage.json")


def relative_href(page: Path, target: Path) -> str:
    """The link from ``page`` to ``target``, relative to the page's folder (the one place links are made).

    >>> relative_href(Path("/r/2025/stadtteile/wiesdorf.html"), Path("/r/2025/methoden.html"))
    '../methoden.html'
    >>> relative_href(Path("/r/index.html"), Path("/r/kennzahlen/index.html"))
    'kennzahlen/index.html'
    """
    return Path(os.path.relpath(target, page.parent)).as_posix()


@dataclass(frozen=True)
class PageRef:
    """One page of a kind of ``registry.PAGES``: the report year, Stadtteil slug or indicator it is made for."""

    kind: str
    year: int | None = None
    area: str | None = None
    indicator: str | None = None

    @property
    def name(self) -> str:
        """Its doit task name under the kind's task (``2025-wiesdorf``, ``2025``, ``sgb2_u15``; "" when made once)."""
        if self.indicator is not None:
            return self.indicator
        if self.year is not None:
            return f"{self.year}-{self.area}" if self.area else str(self.year)
        return PAGES[self.kind].name


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

    def page_file(self, ref: PageRef) -> Path:
        """The file of one page (``registry.Page.path``): under ``reports``, or ``build`` when not published."""
        page = PAGES[ref.kind]
        base = self.reports if page.published else self.build
        fields = {"year": ref.year, "area": ref.area, "indicator": ref.indicator, "kind": ref.kind}
        return base / page.path.format(**fields)

    def page_refs(self, kind: str, indicators: Sequence[str] = ()) -> list[PageRef]:
        """Every page of one kind for this config (``registry.Page.per``); ``indicators``: the commune's
        computed indicators, for a kind made per indicator (``helpers.indicators.plan.commune_indicator_ids``)."""
        per = PAGES[kind].per
        years = self.config.report_years
        if per == PER_AREA:
            return [PageRef(kind, y, s.slug) for y in years for s in self.config.stadtteile]
        if per == PER_YEAR:
            return [PageRef(kind, y) for y in years]
        if per == PER_INDICATOR:
            return [PageRef(kind, indicator=i) for i in indicators]
        return [PageRef(kind)] if per == ONCE else []

    def site_refs(self, indicators: Sequence[str] = ()) -> list[PageRef]:
        """Every published page of this commune, in registry order (the kinds it gets, ``built_pages``)."""
        kinds = [k for k in built_pages(self.config) if PAGES[k].published]
        return [ref for kind in kinds for ref in self.page_refs(kind, indicators)]

    def published_pages(self, indicators: Sequence[str] = ()) -> list[Path]:
        """Every page the current config publishes (``registry.PAGES``, made per report year, Stadtteil,
        indicator or once); ``indicators``: those with a fact sheet (``helpers.site.sitemap.published_pages``
        passes the commune's)."""
        return [self.page_file(ref) for ref in self.site_refs(indicators)]

    def publishes(self, kind: str) -> bool:
        """Whether pages of ``kind`` are published for this commune (pages link them only then)."""
        return kind in PAGES and PAGES[kind].published and kind in built_pages(self.config)

    def report_html(self, kind: str, year: int, stadtteil_slug: str | None = None) -> Path:
        """The published HTML page of one report."""
        return self.page_file(PageRef(kind, year, stadtteil_slug if PAGES[kind].per_area else None))

    def report_pages(self, year: int) -> list[tuple[str, str | None, Path]]:
        """Every notebook report page of a report year as (kind, Stadtteil slug or None, page), in registry order."""
        pages = []
        for kind in (k for k in built_pages(self.config) if PAGES[k].notebook):
            refs = [r for r in self.page_refs(kind) if r.year == year]
            pages += [(kind, r.area, self.page_file(r)) for r in refs]
        return pages

    def report_pdf(self, page: Path) -> Path:
        """The PDF of a report page: next to it, same name."""
        return page.with_suffix(".pdf")

    def pdf_pages(self) -> list[Path]:
        """The pages that get a PDF (kinds with ``registry.Page.pdf``: profiles and city report of each year)."""
        kinds = [k for k in built_pages(self.config) if PAGES[k].pdf and PAGES[k].per != PER_INDICATOR]
        return [self.page_file(ref) for kind in kinds for ref in self.page_refs(kind)]

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
        return self.page_file(PageRef("kennzahl", indicator=indicator) if indicator else PageRef("kennzahlen"))

    def publishes_factsheets(self) -> bool:
        """Whether the fact sheets are published (their overview is a published kind of page).

        Pages link the fact sheets only then, so no link points to a page the build does not write.
        """
        return self.publishes("kennzahlen")

    @property
    def glossary_html(self) -> Path:
        """The glossary: terms of the reports in plain German."""
        return self.page_file(PageRef("glossar"))

    def methods_html(self, year: int) -> Path:
        """The 'Methodische Hinweise' page of a report year."""
        return self.page_file(PageRef("methoden", year))

    def executed_notebook(self, kind: str, year: int, stadtteil_slug: str | None = None) -> Path:
        """The executed notebook of one report, kept apart from the published pages."""
        name = f"{kind}_{stadtteil_slug}" if stadtteil_slug else kind
        return self.build / "executed" / str(year) / f"{name}.ipynb"

    @property
    def index_html(self) -> Path:
        return self.page_file(PageRef("index"))

    @property
    def opendata(self) -> Path:
        return self.reports / "opendata"

    def opendata_files(self) -> list[Path]:
        return [self.opendata / name for name in OPENDATA_FILES]

    @property
    def data_check_page(self) -> Path:
        """The analyst's plausibility page (never published)."""
        return self.page_file(PageRef("datenpruefung"))

    @property
    def risk_summary(self) -> Path:
        """The analyst's disclosure-risk summary (cells by rule, information loss, audit result)."""
        return self.build / "checks" / "geheimhaltung_zusammenfassung.txt"

    @property
    def disclosure_report(self) -> Path:
        """Result of the confidentiality audit of the published files."""
        return self.build / "checks" / "geheimhaltung.txt"
