"""The scope of a report page: what a notebook needs after its parameters cell and what its section
builders take as their one argument: checked parameters (year, the area), the city, config, the
commune's catalogue and plan, paths, the processed tables the page declares, links and source lines.

Section builders (``helpers.report.sections`` and the other ``*_sections`` modules) take the scope
and return a section or the German note that stands in for it, so a notebook calls and shows but
does not branch.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd

from helpers.core.config import Config, Stadtteil, load_config
from helpers.core.paths import ProjectPaths, relative_href
from helpers.indicators.catalogue import Indicator


@dataclass(frozen=True)
class ReportScope:
    """Parameters of one report page, validated, plus access to its inputs (see the module docstring)."""

    config: Config
    year: int
    stadtteil: Stadtteil | None
    kind: str

    @property
    def paths(self) -> ProjectPaths:
        return ProjectPaths(self.config)

    @property
    def commune(self) -> str:
        return self.config.commune.name

    @property
    def city_code(self) -> str:
        return self.config.commune.ags

    @cached_property
    def page(self) -> Path:
        slug = self.stadtteil.slug if self.stadtteil else None
        return self.paths.report_html(self.kind, self.year, slug)

    @cached_property
    def plan(self):
        """What this commune's monitoring holds (sources, indicators, derived defaults, pages)."""
        from helpers.indicators.plan import commune_plan

        return commune_plan(self.config)

    @cached_property
    def catalogue(self):
        """The indicators this commune computes (the catalogue, selected and available)."""
        return self.plan.catalogue

    def has(self, name: str) -> bool:
        """Whether a processed table exists for this commune (its source or step is configured)."""
        from helpers.core.availability import available_tables

        return name in available_tables(self.config)

    def missing(self, *sources: str) -> str:
        """The German note for sources this commune has not configured ('' when all are there)."""
        from helpers.core.availability import missing_source_text

        return missing_source_text(self.config, sources)

    @cached_property
    def leitbild(self):
        """The city's Leitbild targets (None if the config names none)."""
        from helpers.indicators.leitbild import load_leitbild

        path = self.config.leitbild_path
        codes = {s.code for s in self.config.stadtteile}
        return None if path is None else load_leitbild(path, self.catalogue, codes)

    @cached_property
    def geometry(self):
        """Real Stadtteil polygons (EPSG:25832 metres) when the config names a polygon file, else None.

        Raises ``helpers.report.maps.GeometryError`` (German message) when the file does not fit the
        config: unknown CRS, missing id property, or Stadtteile without an area.
        """
        from helpers.report.maps import load_geometry

        path = self.config.geometry_path
        if path is None:
            return None
        g = self.config.analysis.geometry
        codes = [s.code for s in self.config.stadtteile]
        return load_geometry(path, g.id_property, crs=g.crs, codes=codes, layer=g.layer)

    def table(self, name: str) -> pd.DataFrame:
        """A processed table by name: the rows a page of this report year reads.

        A table with ``page_rows`` in the registry is read from its slice for this year
        (``data/processed/jahre/<year>/``), which the page's task depends on; for a year without
        a slice (a notebook opened for a data year outside the report years) the same rows
        are taken from the whole table. A report kind's ``views`` name a narrower table to read.
        """
        from helpers.core.registry import REPORTS, table
        from helpers.core.tables import year_rows

        name = REPORTS[self.kind].reads(name) if self.kind in REPORTS else name
        rule = table(name).page_rows
        if rule is None:
            return pd.read_parquet(self.paths.processed_table(name))
        piece = self.paths.year_slice(name, self.year)
        if piece.is_file():
            return pd.read_parquet(piece)
        return year_rows(pd.read_parquet(self.paths.processed_table(name)), rule, self.year)

    def year_table(self, name: str) -> pd.DataFrame:
        """The rows of an analysis table that belong to this report's year (``report_year``)."""
        frame = self.table(name)
        return frame[frame["report_year"] == self.year]

    def href(self, kind: str, year: int | None = None, slug: str | None = None) -> str:
        """Relative link from this page to another report page, the index or a fact sheet (``kind="kennzahl"``)."""
        if kind == "index":
            target = self.paths.index_html
        elif kind == "kennzahl":  # slug = indicator id; None = overview of all fact sheets
            target = self.paths.factsheet_html(slug)
        elif kind == "methoden":
            target = self.paths.methods_html(year or self.year)
        elif kind == "glossar":
            target = self.paths.glossary_html
        else:
            target = self.paths.report_html(kind, year or self.year, slug)
        return relative_href(self.page, target)

    @cached_property
    def factsheets_published(self) -> bool:
        """Whether the build publishes the indicator fact sheets (their overview is a published page)."""
        return self.paths.publishes_factsheets()

    def indicator_links(self) -> dict[str, str]:
        """Indicator id -> relative link to its fact sheet; empty while no fact sheets are published."""
        if not self.factsheets_published:
            return {}
        return {ind.id: self.href("kennzahl", slug=ind.id) for ind in self.catalogue.indicators}

    @property
    def population_basis(self) -> str:
        """'mit Hauptwohnsitz' or the entitled population, as the config declares the register."""
        from helpers.report.labels import POPULATION_BASIS

        return POPULATION_BASIS[self.config.sources["population"].population_basis]

    @property
    def area_levels_text(self) -> str:
        """The area levels of the tables, in German ('Stadtteilen, Stadtbezirken und Gesamtstadt')."""
        return (
            "Stadtteilen, Stadtbezirken und Gesamtstadt"
            if self.config.has_stadtbezirke
            else "Stadtteilen und Gesamtstadt"
        )

    @property
    def area_path(self) -> str:
        """Commune and Stadtbezirk of this page's Stadtteil ('Leverkusen, Stadtbezirk II')."""
        st = self.stadtteil
        if st is None:
            return self.commune
        from helpers.report.area_names import area_path

        return area_path(self.config, st.code)

    def next_links(self) -> str:
        """'Weiter: …' links to the other city-level pages this commune has for the year."""
        from helpers.core.availability import built_reports
        from helpers.core.registry import REPORTS

        kinds = [k for k in built_reports(self.config) if not REPORTS[k].per_area and k != self.kind]
        links = [f"[{REPORTS[k].title} {self.year}]({self.href(k)})" for k in kinds]
        links.append(f"[Methodische Hinweise {self.year}]({self.href('methoden')})")
        return "Weiter: " + " · ".join(links)

    def source_line(self, *holders: str) -> str:
        """The German source line under charts and tables (all sources if no holder is named)."""
        return source_line(holders or [s.holder for s in self.config.sources.values()])

    # --- what section builders read from the scope ------------------------------------------

    @property
    def city_name(self) -> str:
        """The city as a column head beside an area ('Gesamtstadt Leverkusen')."""
        return f"Gesamtstadt {self.commune}"

    @cached_property
    def source(self) -> str:
        """The source line of all sources (charts and maps that draw on several)."""
        return self.source_line()

    @cached_property
    def links(self) -> dict[str, str]:
        """Indicator id -> relative link to its fact sheet (:meth:`indicator_links`, read once)."""
        return self.indicator_links()

    @cached_property
    def profile_links(self) -> dict[str, str]:
        """Stadtteil name -> relative link to its profile of this year (tables that list the Stadtteile)."""
        return {s.name: self.href("profil", self.year, s.slug) for s in self.config.stadtteile}

    @cached_property
    def profile_hrefs(self) -> dict[str, str]:
        """Stadtteil code -> relative link to its profile of this year (links by code: a Stadtbezirk that shares
        a Stadtteil's name never gets its link)."""
        return {s.code: self.href("profil", self.year, s.slug) for s in self.config.stadtteile}

    @property
    def stadtteil_names(self) -> dict[str, str]:
        """Stadtteil code -> name."""
        return {s.code: s.name for s in self.config.stadtteile}

    @cached_property
    def published(self) -> pd.DataFrame:
        """The published indicator table (the rows this page reads)."""
        return self.table("indicators")

    @cached_property
    def trends(self) -> pd.DataFrame:
        """The trend rows of this report year."""
        return self.year_table("trends")

    @cached_property
    def area_trends(self) -> dict[str, dict]:
        """Indicator id -> this page's Stadtteil's trend row (empty on a city page)."""
        from helpers.report.trend_sections import area_trends

        return {} if self.stadtteil is None else area_trends(self.trends, self.stadtteil.code)

    @cached_property
    def social_index(self) -> pd.DataFrame:
        """The social index of every year up to this one (the history the stability reads)."""
        return self.table("social_index")

    @cached_property
    def index_now(self) -> pd.DataFrame:
        """The social index of this year."""
        return self.social_index[self.social_index["year"] == self.year]

    @cached_property
    def need(self) -> pd.DataFrame:
        """Need vs supply of this report year."""
        return self.year_table("need_supply")

    @property
    def place(self):
        """Where this page's indicator tables look (``helpers.report.indicator_tables.Place``): the year,
        the Stadtteil (the city on a city page) and the city beside it."""
        from helpers.report.indicator_tables import Place

        st = self.stadtteil
        level, code, name = ("stadt", self.city_code, self.commune) if st is None else ("stadtteil", st.code, st.name)
        return Place(self.year, level, code, name, self.city_code, self.city_name)


#: The name the context had before it became the scope of section builders.
ReportContext = ReportScope


def source_line(holders: Sequence[str]) -> str:
    """``Quelle: A; B; eigene Berechnungen`` (each holder once, in order).

    >>> source_line(["Jugendamt", "Einwohnermelderegister", "Jugendamt"])
    'Quelle: Jugendamt; Einwohnermelderegister; eigene Berechnungen'
    """
    return "Quelle: " + "; ".join(dict.fromkeys(holders)) + "; eigene Berechnungen"


def indicator_source_line(indicator: Indicator, config: Config) -> str:
    """The source line of one indicator: the holders of the sources it is computed from."""
    return indicators_source_line([indicator], config)


def indicators_source_line(indicators: Sequence[Indicator], config: Config) -> str:
    """The source line of a chart of several indicators: the holders of their sources, each once, in order."""
    return source_line([config.sources[k].holder for i in indicators for k in i.raw_sources() if k in config.sources])


def open_report(config_path: str, year: int, stadtteil: str | None = None, kind: str = "profil") -> ReportScope:
    """Validate a notebook's parameters and return the page's scope.

    Raises ``ValueError`` for a year outside the data years or an unknown Stadtteil, so a
    wrong parameter fails in the first cell after the parameters, with a clear message.
    """
    warnings.filterwarnings("ignore", category=FutureWarning)
    config = load_config(config_path)
    year = int(year)
    if year not in config.data_years:
        raise ValueError(f"year {year} is not a data year ({config.data_years[0]}–{config.data_years[-1]})")
    st = config.stadtteil(str(stadtteil)) if stadtteil else None
    if kind == "profil" and st is None:
        raise ValueError("a Stadtteil profile needs the parameter 'stadtteil'")
    return ReportScope(config=config, year=year, stadtteil=st, kind=kind)
