"""Load and validate the commune configuration (one YAML file per commune).

The config is the single source of truth for the commune, its Stadtbezirke and Stadtteile,
the data and report years, thresholds, age bands, raw-source patterns and paths. Everything
else (dodo.py, notebooks, helpers) reads it through :func:`load_config`.
"""

from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

#: libyaml's safe loader when available (same semantics as yaml.safe_load, much faster).
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class ConfigError(ValueError):
    """Raised when a config file is missing, unreadable or invalid."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Commune(_Strict):
    """The commune: name and Amtlicher Gemeindeschlüssel (AGS)."""

    name: str = Field(min_length=1)
    ags: Annotated[str, Field(pattern=r"^\d{8}$", description="8-digit AGS, e.g. 05316000")]
    type: str = "Stadt"
    land: str = "Nordrhein-Westfalen"
    area_source: str = ""


class Stadtbezirk(_Strict):
    """A Stadtbezirk: stable code and German name."""

    code: str = Field(min_length=1)
    name: str = Field(min_length=1)


class Stadtteil(_Strict):
    """A Stadtteil: stable code, file-name slug, German name, Stadtbezirk and tile position."""

    code: str = Field(min_length=1)
    slug: str
    name: str = Field(min_length=1)
    stadtbezirk: str | None = None  # None only in a commune without Stadtbezirke
    tile: tuple[int, int] | None = None

    @field_validator("code", mode="before")
    @classmethod
    def _code_text(cls, value: object) -> object:
        # YAML reads an unquoted 0715 as the octal number 461: codes must be written as text
        if isinstance(value, int | float):
            raise ValueError(
                f'Kennziffer {value!r} bitte in Anführungszeichen schreiben ("…"), sonst liest YAML sie als Zahl'
            )
        if value == "_rest":
            raise ValueError("die Kennziffer '_rest' ist für Fälle ohne Stadtteil reserviert")
        return value

    @field_validator("slug")
    @classmethod
    def _slug_ascii(cls, value: str) -> str:
        if not SLUG_RE.match(value):
            raise ValueError(f"slug {value!r}: nur Kleinbuchstaben a–z, Ziffern und Bindestriche (z. B. 'alt-stadt')")
        return value


class DataYears(_Strict):
    """The first and last year for which raw data exist."""

    first: int = Field(ge=1990, le=2100)
    last: int = Field(ge=1990, le=2100)

    @model_validator(mode="after")
    def _ordered(self) -> DataYears:
        if self.last < self.first:
            raise ValueError(f"last ({self.last}) liegt vor first ({self.first})")
        return self


class Years(_Strict):
    """Data years and report years (default: the latest ``report_count`` data years)."""

    data: DataYears
    report: list[int] | None = None
    report_count: int = Field(default=3, ge=1)

    @model_validator(mode="after")
    def _report_within_data(self) -> Years:
        if self.report is not None:
            outside = [y for y in self.report if not self.data.first <= y <= self.data.last]
            if outside:
                raise ValueError(f"Berichtsjahre {outside} liegen außerhalb der Datenjahre")
            if len(set(self.report)) != len(self.report):
                raise ValueError("Berichtsjahre doppelt genannt")
        return self


class Thresholds(_Strict):
    """Confidentiality and reliability thresholds."""

    min_cell_count: int = Field(default=3, ge=1)
    min_denominator: int = Field(default=50, ge=1)
    # Dominance rules for amounts (EUR): a cell is secret when the n largest contributions
    # make up k % or more of it ((n, k) = (1, 85)), or when the second largest contributor
    # could estimate the largest to within p % (p = 10); 0 switches a rule off.
    dominance_n: int = Field(default=1, ge=0)
    dominance_k: float = Field(default=85.0, ge=0, le=100)
    p_percent: float = Field(default=10.0, ge=0, le=100)


Severity = Literal["error", "warning", "off"]


class Severities(_Strict):
    """What a plausibility finding is, per rule: an error stops the build, a warning is listed."""

    jump: Severity = "warning"  # a yearly total jumps by more than ``jump_factor``
    area_missing: Severity = "error"  # an area that had rows the year before has none
    cases_spending: Severity = "error"  # HzE cases without spending, or spending without cases
    aggregate_sum: Severity = "error"  # a declared aggregate row (layout.aggregates) is not the sum of its parts


class Plausibility(_Strict):
    """Plausibility rules across sources and years (see ``helpers.sources.plausibility``)."""

    jump_factor: float = Field(default=1.5, gt=1)
    severity: Severities = Severities()


class Paths(_Strict):
    """Folders, relative to ``root``; ``root`` is relative to the config file's folder."""

    root: str = ".."
    raw: str = "data/raw"
    processed: str = "data/processed"
    reports: str = "reports"
    build: str = "build"
    notebooks: str = "notebooks"


class Melt(_Strict):
    """A wide table melted into rows: the named columns' headers become values of ``into``."""

    into: str  # standard header the melted column headers become (e.g. "Altersgruppe", "Jahr", "Stadtteil-Nr")
    value: str  # standard header of the melted cells (e.g. "Anzahl")
    columns: list[str] = []  # export headers to melt
    from_column: str | None = None  # or: this export header and every column after it

    @model_validator(mode="after")
    def _some(self) -> Melt:
        if not self.columns and self.from_column is None:
            raise ValueError("melt braucht columns (Liste der Spalten) oder from_column (erste Spalte)")
        return self


class Layout(_Strict):
    """How a commune's export file differs from the standard layout of its source.

    Every key is optional; the defaults are the standard layouts the loaders document (the
    Leverkusen sample). ``columns`` and ``values`` name the standard German column headers.
    """

    encoding: str | None = None  # None: detected (UTF-8 with or without BOM, else Windows-1252)
    delimiter: str = ";"  # CSV field separator
    header_row: int = Field(default=1, ge=1)  # line (CSV) or row (Excel) of the column headers
    sheet: str | None = None  # Excel: sheet name (default: the first sheet)
    columns: dict[str, str] = {}  # standard column header -> the export's column header
    values: dict[str, dict[str, str]] = {}  # standard column header -> {export value: standard value}
    absent: list[str] = []  # standard columns the export does not have (e.g. "Staatsangehörigkeit")
    # the shapes cities publish (see data/raw/README.md, "Layouts")
    year: str | None = None  # export column holding the year ("2005" or a date): one file may hold all years
    rows: dict[str, str | list[str]] = {}  # keep only the rows whose export column holds this value (one of these)
    # codes in the area column that are sums, not areas: code -> "stadt", a Stadtbezirk code (checked
    # against the sum of its Stadtteile, plausibility rule ``aggregate_sum``) or null (only skipped)
    aggregates: dict[str, str | None] = {}
    melt: Melt | None = None  # a wide table: columns (years, age bands, areas) melted into rows
    positions: dict[str, int] = {}  # standard header -> column position (1 = first), where headers are unusable
    decimal: Literal[",", "."] = ","  # decimal separator of numbers
    thousands: Literal[".", ",", "", " ", "'"] | None = None  # None: "." with decimal ",", else ","
    constants: dict[str, str] = {}  # standard header -> one value for every row (e.g. Stichtag: "31.12.2014")

    @field_validator("aggregates", mode="before")
    @classmethod
    def _codes_text(cls, value: object) -> object:
        if isinstance(value, dict):
            return {str(k): (None if v is None else str(v)) for k, v in value.items()}
        return value

    @field_validator("positions")
    @classmethod
    def _positive(cls, value: dict[str, int]) -> dict[str, int]:
        bad = {k: v for k, v in value.items() if v < 1}
        if bad:
            raise ValueError(f"Spaltenpositionen zählen ab 1: {bad}")
        return value

    @property
    def thousands_sep(self) -> str:
        """The thousands separator in effect."""
        if self.thousands is not None:
            return self.thousands
        return "." if self.decimal == "," else ","


PopulationBasis = Literal["main_residence", "entitled"]


class Source(_Strict):
    """One raw source: file-name pattern inside the raw folder, holder and reference date."""

    pattern: str
    holder: str
    stand: str = ""
    label: str = ""  # German name of the source for reviewers (default: the source key)
    first_year: int | None = None  # first year the source has data (default: the first data year)
    layout: Layout = Layout()
    # the day (MM-DD) the export's Stichtag column must hold, where the source has one
    stichtag: Annotated[str, Field(pattern=r"^\d{2}-\d{2}$")] | None = None
    # population only: the export's age bands [first age, last age] (inclusive, contiguous from 0);
    # None: single years of age
    age_bands: list[tuple[int, int]] | None = None
    # population only: residents with main residence (Hauptwohnsitz) or all entitled residents
    # (wohnberechtigte Bevölkerung: main and secondary residence)
    population_basis: PopulationBasis = "main_residence"


class SampleData(_Strict):
    """Parameters of the synthetic sample-data generator."""

    generator_params: str
    seed: int = 0


class Execution(_Strict):
    """How notebooks are executed."""

    kernel_name: str = "python3"
    timeout_seconds: int = Field(default=600, ge=1)
    isolated: bool = False  # True: a fresh kernel for every report (no warm kernel reuse)


class Publication(_Strict):
    """How the published site is labelled, and whether PDFs of the reports are made."""

    publisher: str = ""  # Herausgeberin in the footer (default: "Stadt <commune name>")
    # Terms of use of the published data; default: Datenlizenz Deutschland – Namensnennung 2.0,
    # the usual licence of German municipal open data (GovData)
    licence: str = "Datenlizenz Deutschland – Namensnennung – Version 2.0 (dl-de/by-2-0)"
    # True: a PDF next to every Stadtteil profile and city report (needs Chromium and playwright;
    # the build leaves the PDF tasks out with a log line when they are missing; MONITORING_PDF=0/1 overrides)
    pdf: bool = True


class SocialIndex(_Strict):
    """Socio-spatial index (MSS style): status indicators and class cut-offs in SD units."""

    # None: derived from the indicators the commune has (catalogue role status, helpers.indicators.plan)
    status_indicators: list[str] | None = None
    dynamics_years: int = Field(default=2, ge=1)
    status_cuts: tuple[float, float, float] = (-1.0, 1.0, 1.5)
    dynamics_cuts: tuple[float, float] = (-1.0, 1.0)  # no longer used for classes (kept for old configs)
    # Stadtteile with fewer residents (or an uncertain/suppressed index value) get no status class
    min_population: int = Field(default=300, ge=0)
    # dynamics classes from the tested change: trend slope over the window, or the MSS difference
    dynamics_method: Literal["trend", "difference"] = "trend"
    dynamics_window: int = Field(default=5, ge=3)
    dynamics_alpha: float = Field(default=0.05, gt=0, lt=1)

    @model_validator(mode="after")
    def _ascending(self) -> SocialIndex:
        for name in ("status_cuts", "dynamics_cuts"):
            cuts = getattr(self, name)
            if list(cuts) != sorted(cuts):
                raise ValueError(f"{name} muss aufsteigend sein, ist {list(cuts)}")
        return self


class IndicatorSettings(_Strict):
    """Which indicators of the catalogue a commune reports, and its changes to single entries.

    ``catalogue`` None means the catalogue shipped with the project; ``include`` None means
    every indicator whose sources the commune has; ``overrides`` change single fields of an
    entry (see ``helpers.indicators.catalogue.OVERRIDABLE``) without copying the catalogue.
    """

    catalogue: str | None = None
    include: list[str] | None = None
    exclude: list[str] = []
    overrides: dict[str, dict[str, object]] = {}


class Geometry(_Strict):
    """Optional real Stadtteil boundaries (relative to the config file): ``file`` is a GeoJSON, KML,
    GeoPackage or Shapefile (also zipped); ``geojson`` is the earlier name of the same key."""

    file: str | None = None
    geojson: str | None = None  # earlier name of ``file`` (still read)
    layer: str | None = None  # GeoPackage/KML with several layers: the layer's name (default: the first)
    id_property: str = "code"
    # coordinate reference system of the GeoJSON (any code pyproj understands, e.g. "EPSG:4326" or
    # "EPSG:25832"); None: the file's own ``crs`` member, else RFC 7946 lon/lat (see helpers.report.maps)
    crs: str | None = None

    @model_validator(mode="after")
    def _one_file(self) -> Geometry:
        if self.file is not None and self.geojson is not None and self.file != self.geojson:
            raise ValueError(
                "file und geojson nennen zwei verschiedene Dateien; bitte nur file angeben (geojson ist der "
                "frühere Name desselben Schlüssels)"
            )
        return self


class HzeAnalysis(_Strict):
    """Assumptions of the HzE cost-effect analysis (see helpers.analysis.hze)."""

    programme_start_year: int = Field(ge=1990, le=2100)
    programme_name: str = ""  # named on the HzE page ("" = "das Präventionsprogramm")
    lag_years: int = Field(default=3, ge=0, le=10)
    bootstrap_draws: int = Field(default=999, ge=99)
    seed: int = 20161216
    discount_rate: float = Field(default=0.03, ge=0.0, le=0.1)
    # service types of the Präventionskette programme: a Stadtteil counts as treated (DiD) from the
    # first such service started in or after the programme start (Präventionsangebote source, column type)
    programme_types: list[str] = ["Elterncafé", "Sprachförderung", "Schulsozialarbeit", "Quartiersarbeit"]
    # price index of HzE costs for deflating (ITS) : explicit values per year (any base) win; other
    # years follow the yearly growth and one-off jumps (year -> rate). See config/leverkusen.yml.
    price_growth_per_year: float = Field(default=0.03, ge=-0.1, le=0.2)
    price_jumps: dict[int, float] = {2023: 0.08}
    price_index: dict[int, float] = {}
    # settings (ambulant / teilstationär / stationär) of the extra cases found early (costed at their mix)
    early_extra_settings: list[str] = ["ambulant"]
    # event study: last pre-years held out for the joint pre-trend test
    pretest_years: int = Field(default=2, ge=1, le=5)


class Analysis(_Strict):
    """Settings of the statistical analyses."""

    trend_min_years: int = Field(default=5, ge=3)
    fdr_alpha: float = Field(default=0.05, gt=0, lt=1)
    social_index: SocialIndex = SocialIndex()
    need_cut: float = 0.5
    # service name → Stadtteil codes it serves (["*"]: the whole city); services without an entry
    # serve their own Stadtteil, services without a Stadtteil the whole city
    service_catchments: dict[str, list[str]] = {}
    # indicators shown as funnel plot and EB table in the Sozialraumanalyse
    # None: derived from the indicators the commune has (catalogue role funnel, helpers.indicators.plan)
    funnel_indicators: list[str] | None = None
    # ages (inclusive) of each Präventionskette phase, for places per 1,000 residents
    phase_ages: dict[str, tuple[int, int]] = {
        "Rund um die Geburt": (0, 0),
        "Frühe Kindheit 0–3": (0, 2),
        "Kita 3–6": (3, 5),
        "Grundschule": (6, 9),
        "weiterführende Schule": (10, 17),
        "Übergang Schule–Beruf": (15, 24),
    }
    # need indicator per phase where the commune overrides the catalogue's ``need_for`` (default: none)
    phase_need: dict[str, str] = {}
    geometry: Geometry = Geometry()
    hze: HzeAnalysis | None = None


#: The indicator catalogue shipped with the project (a commune selects from it, see README).
SHIPPED_CATALOGUE = Path(__file__).resolve().parents[1] / "indicators" / "indikatoren.yml"


class Config(_Strict):
    """The validated commune configuration."""

    commune: Commune
    # empty for a commune without Stadtbezirke (Ortsteile directly under the city)
    stadtbezirke: list[Stadtbezirk] = []
    stadtteile: list[Stadtteil] = Field(min_length=1)
    years: Years
    thresholds: Thresholds = Thresholds()
    plausibility: Plausibility = Plausibility()
    age_bands: list[tuple[str, int, int]] = Field(min_length=1)
    paths: Paths = Paths()
    sources: dict[str, Source]
    sample_data: SampleData | None = None
    execution: Execution = Execution()
    publication: Publication = Publication()
    indicators: IndicatorSettings = IndicatorSettings()
    leitbild: str | None = None
    analysis: Analysis = Analysis()
    # the "Auf einen Blick" key figures of every Stadtteil profile (up to 8 catalogue indicators);
    # None: derived from the indicators the commune has (catalogue role key, helpers.indicators.plan)
    key_indicators: list[str] | None = Field(default=None, min_length=1, max_length=8)
    config_path: Path = Field(default=Path("config.yml"), exclude=True)

    @field_validator("indicators", mode="before")
    @classmethod
    def _catalogue_file(cls, value: object) -> object:
        if isinstance(value, str):  # the form of an earlier config version
            raise ValueError(
                f"„indicators: {value}“ ist die Schreibweise einer früheren Version. Heute: ohne Angabe gilt der "
                "mitgelieferte Katalog (src/helpers/indicators/indikatoren.yml); ein eigener Katalog heißt "
                f"„indicators: {{catalogue: {value}}}“ (Pfad relativ zur Konfigurationsdatei)"
            )
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Config:
        _check_unique("Kennziffer eines Stadtbezirks", [b.code for b in self.stadtbezirke])
        _check_unique("Kennziffer eines Stadtteils", [s.code for s in self.stadtteile])
        _check_unique("slug eines Stadtteils", [s.slug for s in self.stadtteile])
        _check_unique("Name eines Stadtteils", [s.name for s in self.stadtteile])
        known = {b.code for b in self.stadtbezirke}
        if not known:
            with_bezirk = [s.name for s in self.stadtteile if s.stadtbezirk is not None]
            if with_bezirk:
                raise ValueError(f"Stadtteile {with_bezirk} nennen einen Stadtbezirk, aber stadtbezirke ist leer")
        for s in self.stadtteile if known else []:
            if s.stadtbezirk not in known:
                raise ValueError(
                    f"Stadtteil {s.name!r} nennt Stadtbezirk {s.stadtbezirk!r}, "
                    f"der nicht unter stadtbezirke steht ({sorted(known)})"
                )
        empty = known - {s.stadtbezirk for s in self.stadtteile}
        if empty:
            raise ValueError(f"Stadtbezirke ohne Stadtteil: {sorted(empty)}")
        _check_age_bands(self.age_bands)
        if "population" not in self.sources:
            raise ValueError("sources braucht den Eintrag 'population' (das Einwohnermelderegister)")
        _check_register_bands(self.sources["population"].age_bands, self.age_bands)
        return self

    # --- derived views -------------------------------------------------------------
    @property
    def data_years(self) -> list[int]:
        """All data years, ascending."""
        return list(range(self.years.data.first, self.years.data.last + 1))

    @property
    def report_years(self) -> list[int]:
        """The report years, ascending (default: the latest ``report_count`` data years)."""
        if self.years.report is not None:
            return sorted(self.years.report)
        return self.data_years[-self.years.report_count :]

    @cached_property
    def root(self) -> Path:
        """The project root that all configured paths are relative to."""
        return (self.config_path.parent / self.paths.root).resolve()

    def stadtteil(self, key: str) -> Stadtteil:
        """Look a Stadtteil up by code or slug."""
        for s in self.stadtteile:
            if key in (s.code, s.slug):
                return s
        raise KeyError(f"unknown Stadtteil {key!r}; known: {[s.slug for s in self.stadtteile]}")

    @property
    def catalogue_path(self) -> Path:
        """The indicator catalogue: the commune's own file (relative to the config file) or the
        catalogue shipped with the project."""
        if self.indicators.catalogue is None:
            return SHIPPED_CATALOGUE
        return self.config_path.parent / self.indicators.catalogue

    @property
    def has_stadtbezirke(self) -> bool:
        """False for a commune whose Stadtteile (Ortsteile) lie directly under the city."""
        return bool(self.stadtbezirke)

    @property
    def leitbild_path(self) -> Path | None:
        """The city's Leitbild targets file, if configured (relative to the config file)."""
        return None if self.leitbild is None else self.config_path.parent / self.leitbild

    @property
    def geometry_path(self) -> Path | None:
        """Real Stadtteil boundaries, if configured (``file``, else the earlier ``geojson``; relative to
        the config file)."""
        g = self.analysis.geometry.file or self.analysis.geometry.geojson
        return None if g is None else self.config_path.parent / g

    @property
    def geometry_files(self) -> list[Path]:
        """The files the polygons consist of: the configured file and, for a Shapefile, its side
        files (.shx, .dbf, .prj, .cpg) that exist; empty without polygons."""
        path = self.geometry_path
        if path is None:
            return []
        if path.suffix.lower() != ".shp":
            return [path]
        sides = [path.with_suffix(s) for s in (".shx", ".dbf", ".prj", ".cpg", ".SHX", ".DBF", ".PRJ", ".CPG")]
        return [path, *sorted({p for p in sides if p.is_file()})]

    @property
    def geojson_path(self) -> Path | None:
        """The earlier name of :attr:`geometry_path` (any polygon format, not only GeoJSON)."""
        return self.geometry_path

    def stadtbezirk(self, code: str) -> Stadtbezirk:
        """Look a Stadtbezirk up by code."""
        for b in self.stadtbezirke:
            if b.code == code:
                return b
        raise KeyError(f"unknown Stadtbezirk {code!r}")


def _check_unique(what: str, values: list[str]) -> None:
    seen: set[str] = set()
    dupes = sorted({v for v in values if v in seen or seen.add(v)})
    if dupes:
        raise ValueError(f"{what} doppelt: {dupes}")


def _check_age_bands(bands: list[tuple[str, int, int]]) -> None:
    expected = 0
    for label, lo, hi in bands:
        if lo != expected:
            raise ValueError(f"Altersgruppe {label!r} beginnt bei {lo}, erwartet {expected} (lückenlos ab 0)")
        if hi < lo:
            raise ValueError(f"Altersgruppe {label!r} endet vor ihrem Beginn")
        expected = hi + 1


def _check_register_bands(register: list[tuple[int, int]] | None, bands: list[tuple[str, int, int]]) -> None:
    """The register's age bands are contiguous from 0, and every age band of the tables is formed
    from whole register bands (the last register band is open: a table band reaching it ends there)."""
    if register is None:
        return
    edges = ", ".join(f"{lo}–{hi}" for lo, hi in register)
    expected = 0
    for lo, hi in register:
        if lo != expected or hi < lo:
            raise ValueError(
                f"sources.population.age_bands: Altersgruppe {lo}–{hi} passt nicht (erwartet: Beginn bei "
                f"{expected}; die Altersgruppen müssen lückenlos bei 0 beginnen): {edges}"
            )
        expected = hi + 1
    from helpers.core.ages import age_range_problem

    for label, lo, hi in bands:
        problem = age_range_problem([tuple(b) for b in register], lo, hi)
        if problem is not None:
            raise ValueError(
                f"age_bands: Altersgruppe {label!r} ({lo}–{hi}) lässt sich aus den Altersgruppen der "
                f"Einwohnerdatei (sources.population.age_bands: {edges}) nicht bilden"
                + problem[problem.index(" nicht bilden") + len(" nicht bilden") :]
            )


#: German wording of the pydantic error types a config author meets most.
_ERROR_TEXT = {
    "missing": "Angabe fehlt",
    "extra_forbidden": "unbekannter Schlüssel (Tippfehler? Erlaubte Schlüssel stehen in docs/another-commune.md)",
    "string_type": "Text erwartet",
    "int_parsing": "ganze Zahl erwartet",
    "int_type": "ganze Zahl erwartet",
    "float_parsing": "Zahl erwartet",
    "list_type": "Liste erwartet",
    "dict_type": "Zuordnung (Schlüssel: Wert) erwartet",
    "literal_error": "unzulässiger Wert",
    "string_pattern_mismatch": "Form passt nicht",
    "too_short": "zu wenige Einträge",
    "too_long": "zu viele Einträge",
    "greater_than_equal": "Wert zu klein",
    "less_than_equal": "Wert zu groß",
}


def yaml_lines(text: str) -> dict[tuple[str, ...], int]:
    """The line (1-based) of every key and list item in a YAML text, by its path of keys/indices."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return {}
    lines: dict[tuple[str, ...], int] = {}

    def walk(node: yaml.Node, path: tuple[str, ...]) -> None:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                child = (*path, str(key.value))
                lines[child] = key.start_mark.line + 1
                walk(value, child)
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                child = (*path, str(i))
                lines[child] = item.start_mark.line + 1
                walk(item, child)

    if root is not None:
        walk(root, ())
    return lines


def _line_of(lines: dict[tuple[str, ...], int], loc: tuple[str, ...]) -> int | None:
    for end in range(len(loc), 0, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return None


def _format_validation_error(path: Path, err: ValidationError, text: str = "") -> str:
    lines = yaml_lines(text)
    out = [f"invalid config {path}:"]
    for e in err.errors():
        loc = tuple(str(p) for p in e["loc"])
        key = ".".join(loc) or "(oberste Ebene)"
        line = _line_of(lines, loc)
        where = f" (Zeile {line})" if line else ""
        msg = _ERROR_TEXT.get(e["type"], "")
        detail = e["msg"].removeprefix("Value error, ")
        out.append(f"  - {key}{where}: {msg + ' – ' if msg else ''}{detail}")
    return "\n".join(out)


def key_line(config: Config, key: str) -> int | None:
    """The line of a dotted key (``indicators.catalogue``) in the config's YAML file, if it is there."""
    try:
        text = config.config_path.read_text(encoding="utf-8")
    except OSError:
        return None
    return _line_of(yaml_lines(text), tuple(key.split(".")))


def key_error(config: Config, key: str, message: str) -> ConfigError:
    """A config error naming one key and its YAML line (shown as one German block, no traceback)."""
    line = key_line(config, key)
    where = f" (Zeile {line})" if line else " (nicht in der Datei: Voreinstellung)"
    lines = message.splitlines() or [""]
    body = "\n".join([f"  - {key}{where}: {lines[0]}", *(f"    {rest}" for rest in lines[1:])])
    return ConfigError(f"invalid config {config.config_path}:\n{body}")


def load_config(path: str | Path) -> Config:
    """Read and validate a commune config file.

    Raises :class:`ConfigError` with one line per problem (location and rule) when the
    file is missing, is not YAML, or breaks a rule.
    """
    path = Path(path).resolve()
    if not path.is_file():
        raise ConfigError(f"config file not found: {path}")
    text = path.read_text(encoding="utf-8")
    try:
        data = yaml.load(text, Loader=YAML_LOADER)
    except yaml.YAMLError as exc:
        raise ConfigError(f"config {path} is not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"config {path} must be a mapping at the top level")
    try:
        return Config.model_validate({**data, "config_path": path})
    except ValidationError as exc:
        raise ConfigError(_format_validation_error(path, exc, text)) from None


#: Config sections no output depends on: how notebooks are executed, and the sample generator's settings.
RUN_SECTIONS = ("execution", "sample_data")
#: Config sections only the published pages read (footer labels, PDFs), not the data steps.
PAGE_SECTIONS = ("publication",)


def config_digest(config: Config, without: tuple[str, ...] = (), sources: tuple[str, ...] | None = None) -> str:
    """A SHA-256 of the parsed config values, without the sections ``without`` (and only the ``sources``
    entries named, when given): a task's ``uptodate`` check (doit ``config_changed``), so a comment or a
    reformatting of the YAML re-runs nothing, and a value re-runs only the tasks that read its section.

    >>> import hashlib
    >>> len(config_digest(Config.model_validate(_EXAMPLE)))
    64
    """
    import hashlib
    import json

    values = config.model_dump(mode="json", exclude=set(without))
    if sources is not None and "sources" in values:
        values["sources"] = {k: v for k, v in values["sources"].items() if k in sources}
    text = json.dumps(values, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


_EXAMPLE = {
    "commune": {"name": "Beispiel", "ags": "05316000"},
    "stadtteile": [{"code": "1", "slug": "a", "name": "A"}],
    "years": {"data": {"first": 2020, "last": 2021}},
    "age_bands": [["0-5", 0, 5]],
    "sources": {"population": {"pattern": "ewo.csv", "holder": "Stadt"}},
}
