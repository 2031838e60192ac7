"""Every raw export format and every processed table, declared once, as data.

A raw export (:data:`EXPORTS`) is a list of columns: its standard German header in the file, the
tidy name the loader gives it, its kind, unit, allowed values and the usual other headers of real
exports (``synonyms``, folded: lower case, letters and digits only). A processed table
(:data:`TABLES`) is a list of columns (name, kind, unit, nullable), its key and its named
invariants. Derived from here: the loaders' columns and allowed values (``helpers.sources``), the
sample generator's export headers (``helpers.synth``), the scaffold's standard headers and
synonyms (``helpers.tools.scaffold``), the test fixtures' column lists and the check of every
processed table before it is written (``helpers.sources.table_checks``).

Kinds: ``int``, ``float``, ``str``, ``date``, ``bool``. Units (informational, and ``pct``: a share
in % that must lie within [0, 100]): ``persons``, ``cases``, ``days``, ``months``, ``eur``,
``pct``, ``pct_change`` (a change in %, any sign), ``year``.

Data only and small pure functions: no pandas, so planning and ``dodo.py`` stay light.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

Kind = Literal["int", "float", "str", "date", "bool"]

#: The unit of a share in %: its values must lie within [0, 100] (a named invariant).
SHARE = "pct"


@dataclass(frozen=True)
class Column:
    """One column: tidy name, kind, header in the raw export (raw columns only), unit, rules."""

    name: str
    kind: Kind
    header: str = ""
    unit: str = ""
    nullable: bool = False
    allowed: tuple[str, ...] | None = None
    synonyms: tuple[str, ...] = ()
    doc: str = ""


@dataclass(frozen=True)
class Export:
    """A raw export format: its columns (in the file's order) and the key of one file's rows.

    ``form`` is ``csv`` or ``ba_workbook`` (the BA's Excel layout: a header block, then one row per
    area; its columns are the value columns only).
    """

    source: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    form: Literal["csv", "ba_workbook"] = "csv"

    def column(self, name: str) -> Column:
        """The column with the tidy name ``name``."""
        return next(c for c in self.columns if c.name == name)

    @property
    def headers(self) -> list[str]:
        """The standard headers, in the file's order."""
        return [c.header for c in self.columns]

    def header_of(self, name: str) -> str:
        return self.column(name).header


@dataclass(frozen=True)
class AreaSum:
    """Named invariant: the parts' areas add up to the whole area's row, per group.

    For each group (``by``) and value column, the sum of the rows of ``parts`` (area levels summed
    together, e.g. the Stadtteile plus the addresses that could not be assigned) equals
    (``relation`` ``==``) or does not exceed (``<=``) the ``whole`` row. Each tuple of ``parts``
    is checked on its own (Stadtteile, Stadtbezirke). A group with a missing (suppressed or not
    available) value among its parts is checked with ``<=`` on the known values; a missing whole
    is not checked.
    """

    columns: tuple[str, ...]
    by: tuple[str, ...]
    parts: tuple[tuple[str, ...], ...]
    whole: str = "stadt"
    relation: Literal["==", "<="] = "=="
    level: str = "area_level"


@dataclass(frozen=True)
class Table:
    """A processed table: its columns, key and named invariants.

    ``strict``: exactly these columns in this order (else these columns at least; tables whose
    columns are owned by the analyses may carry more). Every column of unit ``pct`` holds shares
    within [0, 100]; ``shares_where`` names shares that apply only to some rows (column ->
    the unit column or lookup that says which rows are shares, see the checker).
    """

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    strict: bool = True
    sums: tuple[AreaSum, ...] = ()
    shares_where: tuple[str, ...] = ()

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]


# --- columns shared by many raw exports -----------------------------------------------------------

STICHTAG = Column("stichtag", "date", "Stichtag", synonyms=("stand", "datum", "stichtag", "berichtsdatum"))
STADTTEIL_NR = Column(
    "stadtteil_code",
    "str",
    "Stadtteil-Nr",
    synonyms=(
        "otnr", "ortsteilnr", "stadtteilnr", "stadtteilnummer", "ortsteilnummer", "kennziffer", "gebietsnr",
        "bezirksnr", "bezirknummer", "bezirksnummer", "statistischerbezirk", "schluessel", "nr", "nummer",
    ),
)  # fmt: skip
STADTTEIL = Column(
    "stadtteil_name",
    "str",
    "Stadtteil",
    nullable=True,
    synonyms=(
        "ortsteil", "stadtteil", "gebiet", "bezirk", "ortsteilname", "stadtteilname", "bezirkname", "bezirksname",
        "name", "bezeichnung",
    ),
)  # fmt: skip
SEXES = ("m", "w", "d")
SEX = Column("sex", "str", "Geschlecht", allowed=SEXES, synonyms=("geschlecht", "sex"))

# --- allowed values ---------------------------------------------------------------------------------

CITIZENSHIPS = ("deutsch", "nichtdeutsch")
#: The single category of a breakdown the register export does not have (``layout.absent``).
TOTAL_CATEGORY = "insgesamt"
#: Kita age groups: export label -> tidy code.
KITA_AGE_GROUPS = {"unter 1": "u1", "1 bis unter 3": "1_u3", "3 bis unter 6": "3_u6"}
SCHOOL_TYPES = ("Gymnasium", "Gesamtschule", "Realschule", "Hauptschule", "Sekundarschule", "Sonstige")
#: Legal bases of the Hilfen zur Erziehung (SGB VIII), tidy codes.
HZE_BASES = ("27(2)", "28", "29", "30", "31", "32", "33", "34", "35", "35a", "41")
SEU_FINDINGS = ("unauffällig", "grenzwertig", "auffällig")
SEU_BMI = ("untergewichtig", "normal", "übergewichtig", "adipös")
SEU_GERMAN = ("fehlerfrei/flüssig", "mit leichten Fehlern", "radebrechend", "kaum oder kein Deutsch")
#: SEU screening domains: export header -> tidy name.
SEU_DOMAINS = {
    "Körperkoordination": "motor",
    "Visuomotorik": "visuomotor",
    "Selektive Aufmerksamkeit": "attention",
    "Zahlen- und Mengenvorwissen": "numbers",
    "Sprache": "language",
}
YES_NO = ("ja", "nein")
FAMILY_LANGUAGES = ("deutsch", "andere")
LIFE_PHASES = (
    "Rund um die Geburt",
    "Frühe Kindheit 0–3",
    "Kita 3–6",
    "Grundschule",
    "weiterführende Schule",
    "Übergang Schule–Beruf",
)
AREA_LEVELS = ("stadtteil", "stadtbezirk", "stadt")
BA_AREA_LEVELS = ("stadtteil", "ohne_zuordnung", "stadt")

# --- the BA workbooks ("Auswertung für kommunale Gebietsgliederung") --------------------------------

#: First header of the BA's header block, the area name column, the two rows below the Stadtteile.
BA_CODE, BA_LABEL, BA_UNASSIGNED, BA_TOTAL = "Stadtteil-Nr.", "Stadtteil", "keine Zuordnung möglich", "Insgesamt"
#: The BA shows counts 1 to 9 as this sign.
BA_STAR = "*"
BA_STAR_BELOW = 10

# --- raw exports --------------------------------------------------------------------------------------


def _count(name: str, header: str, unit: str = "persons", synonyms: tuple[str, ...] = ()) -> Column:
    return Column(name, "int", header, unit, synonyms=synonyms)


POPULATION_AGE = Column("age", "int", "Alter", "year", synonyms=("alter", "lebensalter", "altersjahr"))
#: The register's band column (replaces "Alter" in an export in age bands; values "0-2", "80+").
POPULATION_AGE_BAND = Column(
    "age_band", "str", "Altersgruppe", synonyms=("altersgruppe", "altersklasse", "altersstufe")
)

EXPORTS: dict[str, Export] = {
    e.source: e
    for e in (
        Export(
            "population",
            (
                STICHTAG,
                STADTTEIL_NR,
                STADTTEIL,
                POPULATION_AGE,
                SEX,
                Column(
                    "citizenship",
                    "str",
                    "Staatsangehörigkeit",
                    allowed=CITIZENSHIPS,
                    synonyms=("staatsangehoerigkeit", "nationalitaet", "staatsangehorigkeit"),
                ),
                _count("persons", "Anzahl", synonyms=("anzahl", "einwohner", "personen", "wert", "insgesamt")),
            ),
            ("stadtteil_code", "age", "sex", "citizenship"),
        ),
        Export(
            "sgb2",
            (
                _count("pers_bg_total", "Personen in BG insgesamt"),
                _count("pers_bg_u3", "unter 3 Jahre"),
                _count("pers_bg_3_u6", "3 bis unter 6 Jahre"),
                _count("pers_bg_6_u15", "6 bis unter 15 Jahre"),
                _count("pers_bg_15_u18", "15 bis unter 18 Jahre"),
                _count("pers_bg_18_u25", "18 bis unter 25 Jahre"),
                _count("bg_with_children", "BG mit Kindern unter 18 Jahren", "households"),
                _count("bg_single_parent", "BG von Alleinerziehenden", "households"),
            ),
            form="ba_workbook",
        ),
        Export(
            "unemployment",
            (
                _count("alo_15_u25", "Arbeitslose 15 bis unter 25 Jahre"),
                _count("alo_15_u65", "Arbeitslose 15 bis unter 65 Jahre"),
            ),
            form="ba_workbook",
        ),
        Export(
            "kita",
            (
                STICHTAG,
                STADTTEIL_NR,
                STADTTEIL,
                Column(
                    "age_group",
                    "str",
                    "Altersgruppe",
                    allowed=tuple(KITA_AGE_GROUPS),
                    synonyms=("altersgruppe", "altersklasse", "altersstufe"),
                ),
                _count("kita", "Kindertageseinrichtung", synonyms=("kita", "kitas", "tageseinrichtung", "einrichtung")),
                _count("tagespflege", "Kindertagespflege", synonyms=("tagespflege", "kindertagespflege", "pflege")),
            ),
            ("stadtteil_code", "age_group"),
        ),
        Export(
            "seu",
            (
                Column("pseudonym", "str", "Pseudonym"),
                Column("year", "int", "Einschulungsjahr", "year"),
                STADTTEIL_NR,
                SEX,
                Column("kita_months", "int", "Kita-Besuchsdauer (Monate)", "months", nullable=True),
                Column("u8u9", "str", "U8/U9 dokumentiert", nullable=True, allowed=YES_NO),
                Column("measles", "str", "Masern 2 Impfungen", nullable=True, allowed=YES_NO),
                Column("bmi_class", "str", "BMI-Klasse", nullable=True, allowed=SEU_BMI),
                Column("german", "str", "Deutschkenntnisse", nullable=True, allowed=SEU_GERMAN),
                *[
                    Column(name, "str", header, nullable=True, allowed=SEU_FINDINGS)
                    for header, name in SEU_DOMAINS.items()
                ],
                Column("family_language", "str", "Familiensprache", nullable=True, allowed=FAMILY_LANGUAGES),
            ),
            ("pseudonym",),
        ),
        Export(
            "transitions",
            (
                Column("school_year", "str", "Schuljahr"),
                STADTTEIL_NR,
                STADTTEIL,
                Column("school_type", "str", "Schulform", allowed=SCHOOL_TYPES),
                _count("pupils", "Anzahl"),
            ),
            ("stadtteil_code", "school_type"),
        ),
        Export(
            "hze_cases",
            (
                Column("case_id", "str", "Fall-ID"),
                STADTTEIL_NR,
                Column("basis", "str", "Rechtsgrundlage", allowed=HZE_BASES),
                Column("start", "date", "Hilfebeginn"),
                Column("end", "date", "Hilfeende", nullable=True),
                Column("age_at_start", "int", "Alter bei Hilfebeginn", "year"),
                SEX,
            ),
            ("case_id",),
        ),
        Export(
            "hze_expenditure",
            (
                Column("year", "int", "Haushaltsjahr", "year"),
                Column("product", "str", "Produkt"),
                Column("basis", "str", "Rechtsgrundlage", allowed=HZE_BASES),
                Column("eur", "float", "Aufwand (EUR)", "eur"),
            ),
            ("year", "basis"),
        ),
        Export(
            "services",
            (
                Column("name", "str", "Angebot"),
                Column("type", "str", "Typ"),
                Column("phases", "str", "Lebensphasen", allowed=LIFE_PHASES, doc="'|'-separated life phases"),
                Column("stadtteil_code", "str", "Stadtteil-Nr", doc="empty: city-wide"),
                Column("start", "int", "Beginn", "year"),
                Column("end", "int", "Ende", "year", nullable=True),
                Column("cost_eur", "float", "Jahreskosten (EUR)", "eur"),
                Column("capacity", "int", "Kapazität", "places"),
            ),
            ("name",),
        ),
        Export(
            "welcome_visits",
            (
                Column("year", "int", "Jahr", "year"),
                STADTTEIL_NR,
                STADTTEIL,
                _count("births", "Geburten"),
                _count("visits", "Besuchte Familien", "households"),
            ),
            ("year", "stadtteil_code"),
        ),
        Export(
            "comparison",
            (
                Column("ags", "str", "AGS"),
                Column("name", "str", "Jugendamt"),
                Column("year", "int", "Jahr", "year"),
                _count("u21", "Einwohner unter 21"),
                _count("hze_cases", "HzE-Fälle", "cases"),
                Column("hze_eur", "float", "HzE-Ausgaben (EUR)", "eur"),
                Column("sgb2_u15_pct", "float", "SGB-II-Quote u15 (%)", SHARE),
                Column("joined", "int", "Beitritt Präventionsprogramm", "year", nullable=True),
            ),
            ("ags", "year"),
        ),
    )
}


def export(source: str) -> Export:
    """The raw export format of a source."""
    return EXPORTS[source]


def headers(source: str) -> list[str]:
    """The standard headers of a source's export, in the file's order.

    >>> headers("transitions")
    ['Schuljahr', 'Stadtteil-Nr', 'Stadtteil', 'Schulform', 'Anzahl']
    """
    return EXPORTS[source].headers


def csv_headers(source: str) -> list[str]:
    """The standard headers of a CSV export (empty for the BA workbooks)."""
    return headers(source) if source in EXPORTS and EXPORTS[source].form == "csv" else []


def population_columns(bands: bool) -> tuple[Column, ...]:
    """The register export's columns: single years of age ("Alter") or age bands ("Altersgruppe")."""
    columns = EXPORTS["population"].columns
    return tuple(POPULATION_AGE_BAND if bands and c.name == "age" else c for c in columns)


def synonyms() -> dict[str, tuple[str, ...]]:
    """Usual export headers of each standard header (folded), over every CSV export.

    A header shared by several exports ("Stadtteil-Nr") has the synonyms of its first column that
    declares any (so the pupils' "Anzahl" finds the register's synonyms, as the scaffold did before).
    """
    out: dict[str, tuple[str, ...]] = {}
    columns = [POPULATION_AGE_BAND, *[c for e in EXPORTS.values() if e.form == "csv" for c in e.columns]]
    for col in columns:
        if col.synonyms and col.header not in out:
            out[col.header] = col.synonyms
    return out


def renamed(source: str, name: str, header: str) -> dict[str, Export]:
    """A copy of :data:`EXPORTS` with one column's header changed (for tests and what-ifs)."""
    e = EXPORTS[source]
    columns = tuple(replace(c, header=header) if c.name == name else c for c in e.columns)
    return {**EXPORTS, source: replace(e, columns=columns)}


# --- processed tables -----------------------------------------------------------------------------


def _cols(spec: str) -> tuple[Column, ...]:
    """Columns from ``name kind [unit]`` items separated by ``;`` (``kind?``: nullable).

    >>> _cols("year int year; share float? pct")[1]
    Column(name='share', kind='float', header='', unit='pct', nullable=True, allowed=None, synonyms=(), doc='')
    """
    out = []
    for item in spec.split(";"):
        name, kind, *unit = item.split()
        out.append(Column(name, kind.rstrip("?"), unit=unit[0] if unit else "", nullable=kind.endswith("?")))  # type: ignore[arg-type]
    return tuple(out)


_AREA = "year int year; area_level str; area_code str"
#: The columns of the indicator value tables (one per numerator selection) and of the internal table.
INDICATOR_VALUE_COLUMNS = _cols(
    "indicator_id str; year int year; area_level str; area_code str; area_name str; numerator float?; "
    "denominator float?; value float?; ci_lower float?; ci_upper float?; pooled_from int? year; "
    "disclosure_count float?; source_suppressed bool"
)
#: The published indicator table: the value columns without the internal ones, plus the suppression.
INDICATOR_PUBLISHED_COLUMNS = (
    *INDICATOR_VALUE_COLUMNS[:11],
    *_cols("suppression str; symbol str"),
)
INDICATOR_KEY = ("indicator_id", "year", "area_level", "area_code")
_BA = (
    AreaSum(("value",), ("year", "measure"), (("stadtteil", "ohne_zuordnung"),), relation="<="),
)  # the BA's own total: at least its known parts (cells 1 to 9 are suppressed)
_BA_COLUMNS = _cols(f"{_AREA}; measure str; value int?; is_suppressed bool")
_POPULATION_COUNTS = ("persons", "persons_female", "persons_non_german")
_SUMMARY_COUNTS = (
    "persons", "persons_u6", "persons_u18", "persons_u21", "persons_65plus", "persons_non_german",
    "persons_non_german_u18",
)  # fmt: skip

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "population",
            _cols(
                "year int year; stadtteil_code str; age int year; sex str; citizenship str; persons int persons; "
                "age_last int year"
            ),
            ("year", "stadtteil_code", "age", "sex", "citizenship"),
        ),
        Table(
            "population_bands",
            _cols(
                f"{_AREA}; area_name str; stadtbezirk_code str; age_band str; age_band_order int; "
                "persons int persons; persons_female int? persons; persons_non_german int? persons"
            ),
            ("year", "area_level", "area_code", "age_band"),
            sums=(AreaSum(_POPULATION_COUNTS, ("year", "age_band"), (("stadtteil",), ("stadtbezirk",))),),
        ),
        Table(
            "population_summary",
            _cols(
                f"{_AREA}; area_name str; "
                + "; ".join(f"{c} int? persons" for c in _SUMMARY_COUNTS)
                + "; share_u18_pct float? pct; share_65plus_pct float? pct; share_non_german_pct float? pct; "
                "share_non_german_u18_pct float? pct; youth_limit int year; change_pct float? pct_change"
            ),
            ("year", "area_level", "area_code"),
            sums=(AreaSum(_SUMMARY_COUNTS, ("year",), (("stadtteil",), ("stadtbezirk",))),),
        ),
        Table("sgb2", _BA_COLUMNS, ("year", "area_level", "area_code", "measure"), sums=_BA),
        Table("unemployment", _BA_COLUMNS, ("year", "area_level", "area_code", "measure"), sums=_BA),
        Table(
            "kita",
            _cols("year int year; stadtteil_code str; age_group str; kita int persons; tagespflege int persons"),
            ("year", "stadtteil_code", "age_group"),
        ),
        Table(
            "transitions",
            _cols("year int year; stadtteil_code str; school_type str; pupils int persons"),
            ("year", "stadtteil_code", "school_type"),
        ),
        Table(  # one row per examined child, without the pseudonym: no key
            "seu",
            _cols(
                "year int year; stadtteil_code str; sex str; kita_months int? months; bmi_class str?; german str?; "
                "motor str?; visuomotor str?; attention str?; numbers str?; language str?; family_language str?; "
                "u8u9_documented bool?; measles_2_doses bool?"
            ),
        ),
        Table(  # one row per case, without the case id: no key
            "hze_cases",
            _cols("stadtteil_code str; basis str; start date; end date?; age_at_start int year; sex str"),
        ),
        Table(
            "hze_year",
            _cols(
                "year int year; stadtteil_code str; basis str; setting str; counted int cases; "
                "bestand_3112 int cases; ended int cases; started int cases; case_days int days; "
                "ended_months float months; started_age_sum float year"
            ),
            ("year", "stadtteil_code", "basis"),
        ),
        Table("hze_expenditure", _cols("year int year; basis str; setting str; eur float eur"), ("year", "basis")),
        Table(
            "services",
            _cols(
                "name str; type str; phases str; stadtteil_code str; start int? year; end int? year; "
                "cost_eur float eur; capacity int places"
            ),
            ("name",),
        ),
        Table(
            "welcome_visits",
            _cols("year int year; stadtteil_code str; births int persons; visits int households"),
            ("year", "stadtteil_code"),
        ),
        Table(
            "comparison",
            _cols(
                "ags str; name str; year int year; u21 int persons; hze_cases int cases; hze_eur float eur; "
                "sgb2_u15_pct float pct; joined int? year"
            ),
            ("ags", "year"),
        ),
        Table("indicator_values", INDICATOR_VALUE_COLUMNS, INDICATOR_KEY, shares_where=("value",)),
        Table("indicators_internal", INDICATOR_VALUE_COLUMNS, INDICATOR_KEY, False, shares_where=("value",)),
        Table("indicators_hze_internal", INDICATOR_VALUE_COLUMNS, INDICATOR_KEY, False, shares_where=("value",)),
        Table("indicators", INDICATOR_PUBLISHED_COLUMNS, INDICATOR_KEY, False, shares_where=("value",)),
        Table("indicators_hze", INDICATOR_PUBLISHED_COLUMNS, INDICATOR_KEY, False, shares_where=("value",)),
        # the analyses' tables: their key and the columns the pages read; the analyses may add columns
        Table(
            "trends",
            _cols(
                "report_year int year; indicator_id str; area_level str; area_code str; area_name str; "
                "first_year int year; last_year int year; n_years int; slope float?; verdict_code str"
            ),
            ("report_year", "indicator_id", "area_level", "area_code"),
            False,
        ),
        Table(
            "funnel_eb",
            _cols(
                "report_year int year; indicator_id str; area_code str; area_name str; numerator float?; "
                "denominator float?; rate float?"
            ),
            ("report_year", "indicator_id", "area_code"),
            False,
        ),
        Table(
            "social_index",
            _cols("year int year; area_code str; status_index float?; status_class_code str?"),
            ("year", "area_code"),
            False,
        ),
        Table(
            "need_supply",
            _cols("report_year int year; area_code str; phase str; need_value float? pct; places int places"),
            ("report_year", "area_code", "phase"),
            False,
        ),
        Table(
            "hze_descriptive", _cols("report_year int year; by str; group str"), ("report_year", "by", "group"), False
        ),
        Table(
            "hze_its",
            _cols("report_year int year; series str; year int year"),
            ("report_year", "series", "year"),
            False,
        ),
        Table(
            "hze_effects",
            _cols("report_year int year; design str; series str; term str; estimate float?; edition float? year"),
            ("report_year", "design", "series", "term", "edition"),
            False,
        ),
        Table(
            "hze_event_study",
            _cols("report_year int year; event_time int; estimate float?"),
            ("report_year", "event_time"),
            False,
        ),
        Table(
            "hze_balance",
            _cols("report_year int year; scenario str; year int year; net_eur float? eur"),
            ("report_year", "scenario", "year"),
            False,
        ),
    )
}

#: Prefix of the per-selection indicator value tables (``helpers.core.registry.values_table``).
VALUES_PREFIX = "indicator_values_"


def table_schema(name: str) -> Table | None:
    """The declared schema of a processed table (a selection's value table: the value columns)."""
    if name.startswith(VALUES_PREFIX):
        return TABLES["indicator_values"]
    return TABLES.get(name)


def column_names(name: str) -> list[str]:
    """The declared column names of a processed table, in order.

    >>> column_names("hze_expenditure")
    ['year', 'basis', 'setting', 'eur']
    """
    schema = table_schema(name)
    if schema is None:
        raise KeyError(f"no schema declared for processed table {name!r}")
    return schema.names
