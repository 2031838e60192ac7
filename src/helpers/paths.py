"""Every file path of the pipeline, computed from the config.

``dodo.py`` and the notebooks both ask this module for paths, so they can never disagree.
Notebooks never build path strings themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from helpers.config import Config

#: Notebook sources (jupytext py:percent), by report kind.
NOTEBOOKS = {
    "profil": "stadtteil_profil.py",
    "gesamtstadt": "gesamtstadt_uebersicht.py",
    "sozialraum": "sozialraumanalyse.py",
    "hze": "hze_kosten_wirkung.py",
}

#: Processed tables: name -> file stem inside the processed folder.
PROCESSED_TABLES = {
    "population": "bevoelkerung_einzelalter",
    "population_bands": "bevoelkerung_altersgruppen",
    "population_summary": "bevoelkerung_kennzahlen",
    "sgb2": "sgb2_bedarfsgemeinschaften",
    "unemployment": "arbeitslose",
    "kita": "kindertagesbetreuung",
    "transitions": "schuluebergaenge",
    "seu": "seu_untersuchungen",
    "hze_cases": "hze_faelle",
    "hze_year": "hze_jahreswerte",
    "hze_expenditure": "hze_aufwand",
    "services": "praeventionsangebote",
    "welcome_visits": "willkommensbesuche",
    "comparison": "vergleichskommunen",
    "indicators_internal": "indikatoren_intern",
    "indicators": "indikatoren",
    "trends": "analyse_trends",
    "funnel_eb": "analyse_funnel_eb",
    "social_index": "analyse_sozialindex",
    "need_supply": "analyse_bedarf_angebot",
    "hze_descriptive": "hze_analyse_deskriptiv",
    "hze_its": "hze_analyse_its",
    "hze_effects": "hze_analyse_effekte",
    "hze_event_study": "hze_analyse_ereignisstudie",
    "hze_balance": "hze_analyse_bilanz",
}

#: Tables written by the analysis steps (each with a ``report_year`` column where it varies).
SOCIAL_ANALYSIS_TABLES = ("trends", "funnel_eb", "social_index", "need_supply")
HZE_ANALYSIS_TABLES = ("hze_descriptive", "hze_its", "hze_effects", "hze_event_study", "hze_balance")

#: Processed tables that also get a CSV copy (for people who open them in a spreadsheet).
#: Record-level tables (SEU children, HzE cases) stay parquet-only, for the pipeline.
CSV_TABLES = set(PROCESSED_TABLES) - {"population", "seu", "hze_cases", "indicators_internal"}

#: Open-data files in reports/opendata.
OPENDATA_FILES = ("indikatoren.csv", "indikatorenkatalog.csv", "datapackage.json")


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
    def helpers(self) -> Path:
        return Path(__file__).resolve().parent

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
        return self.processed / f"{PROCESSED_TABLES[name]}{suffix}"

    def processed_targets(self, name: str) -> list[Path]:
        """All files written for one processed table."""
        targets = [self.processed_table(name)]
        if name in CSV_TABLES:
            targets.append(self.processed_table(name, ".csv"))
        return targets

    def notebook_source(self, kind: str) -> Path:
        return self.notebooks / NOTEBOOKS[kind]

    def report_html(self, kind: str, year: int, stadtteil_slug: str | None = None) -> Path:
        """The published HTML page of one report."""
        if kind == "profil":
            return self.reports / str(year) / "stadtteile" / f"{stadtteil_slug}.html"
        return self.reports / str(year) / f"{kind}.html"

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
    def disclosure_report(self) -> Path:
        """Result of the confidentiality audit of the published files."""
        return self.build / "checks" / "geheimhaltung.txt"
