"""Source: residents' register extract (Einwohnermelderegister, Hauptwohnsitz) at 31.12.

Raw: one semicolon CSV per year, German headers, counts by Stadtteil x single year of age
x sex x citizenship; cells with no residents may be omitted. Processed: a tidy table of
counts by single year (or by the export's age band) and a table by the configured age bands
with Stadtbezirk and city aggregates. A commune's export may have another layout
(``sources.population.layout``, see :func:`helpers.sources.validation.read_standardised`) and
another Stichtag (``sources.population.stichtag``, "MM-DD"; default 12-31).

**Age bands.** When ``sources.population.age_bands`` is set, the export counts residents by age
band instead of single years: its column ``Altersgruppe`` (standard header; another header via
``layout.columns``) holds one band per row, written ``von-bis`` with both ages inclusive
(``0-2``, ``15-24``; also ``0–2`` or ``0 bis 2``; a one-year band as ``0-0`` or ``0``), and the
last, open band as ``80+`` (also ``80 und älter`` / ``80 und mehr`` or ``80-<declared last
age>``). Other spellings are mapped with ``layout.values["Altersgruppe"]``. Every band of the
file must be one of the declared bands, and every declared band must appear in the file. The
processed table ``population`` keeps ``age`` (first age of the row's band) and ``age_last`` (its
last age; equal to ``age`` for single years; the open top band ends at its declared last age).
Code selects ages only through :func:`select_ages` (or :func:`ages_mask`), which refuses an age
range that cuts through a band (:func:`age_range_problem`).

**Absent sex or citizenship.** When ``layout.absent`` names ``Geschlecht`` and/or
``Staatsangehörigkeit``, the export has no such column: the processed ``population`` table
then holds the single category ``insgesamt`` in ``sex`` / ``citizenship``, and the counts that
need it (``persons_female``, ``persons_non_german``, their shares) are missing (NaN), never 0.
An absent ``Stadtteil`` (name) column is allowed too (the names are then not cross-checked).

**Without Stadtbezirke** (``stadtbezirke`` empty), the aggregate level ``stadtbezirk`` is not
produced: the area levels are ``stadtteil`` and ``stadt``.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from helpers.core.ages import OPEN_AGE, Band, age_range_problem, ages_mask, band_text, bands_text, select_ages  # noqa: F401
from helpers.core.config import Config, Source
from helpers.core.formatting import german_number
from helpers.core.io import LINE
from helpers.core.paths import ProjectPaths
from helpers.core.schema import AREA_LEVELS as LEVELS
from helpers.core.schema import CITIZENSHIPS as CITIZENSHIP_VALUES
from helpers.core.schema import EXPORTS, POPULATION_AGE_BAND, TOTAL_CATEGORY, population_columns, table_schema
from helpers.core.schema import SEXES as SEX_VALUES
from helpers.sources.demography import known, population_summary
from helpers.sources.table_checks import TableCheckError, area_sum_problems
from helpers.sources.validation import (
    AREA_COLUMN,
    Problem,
    RawColumn,
    RawDataError,
    canonical_numbers,
    columns_of,
    describe_problems,
    file_label,
    parse_and_check,
    read_standardised,
    stichtag_of,
    year_files,
)

EXPORT = EXPORTS["population"]
COLUMNS = columns_of(EXPORT.columns)
HEADERS = {c.name: c.header for c in COLUMNS}
#: The band column of an export in age bands (replaces "Alter").
BAND_COLUMN = columns_of([POPULATION_AGE_BAND])[0]
KEY = list(EXPORT.key)
SEXES = list(SEX_VALUES)
CITIZENSHIPS = list(CITIZENSHIP_VALUES)
#: The single category of a column the export does not have (``layout.absent``).
TOTAL = TOTAL_CATEGORY
#: Standard columns the export may lack, and the value they then take.
OPTIONAL = {HEADERS["stadtteil_name"]: "", HEADERS["sex"]: TOTAL, HEADERS["citizenship"]: TOTAL}
AREA_LEVELS = list(LEVELS)
_BAND_RE = re.compile(
    r"^(\d+)\s*(?:Jahre?\s*)?(?:(?:-|–|bis)\s*(<|unter)?\s*(\d+)|(\+|(?:und|u\.)\s*(?:älter|mehr|darüber)))?"
    r"(?:\s*Jahren?)?$"
)


def population_source(config: Config) -> Source:
    """The config's declaration of the register export."""
    return config.sources["population"]


def parse_band(label: str, bands: list[Band]) -> Band | None:
    """The declared band a label of the export's band column stands for (None: none of them).

    ``von-bis`` (both inclusive; also ``–`` or ``bis``), a single age, or the open top band
    ``a+`` / ``a und älter`` / ``a u. mehr`` (only for the last declared band); ``von bis unter``
    (``3 bis unter 6``, ``00 - < 03``) excludes the upper age; a trailing ``Jahre`` is allowed.

    >>> bands = [(0, 2), (3, 5), (6, 79), (80, 120)]
    >>> [parse_band(t, bands) for t in ["0-2", "3 bis 5", "6–79", "80+", "80-120", "0-5", "x"]]
    [(0, 2), (3, 5), (6, 79), (80, 120), (80, 120), None, None]
    >>> [parse_band(t, bands) for t in ["00 - < 03", "3 bis unter 6", "80 u. mehr", "80 Jahre und älter"]]
    [(0, 2), (3, 5), (80, 120), (80, 120)]
    >>> parse_band("6 bis 79 Jahre", bands)
    (6, 79)
    """
    match = _BAND_RE.fullmatch(str(label).strip())
    if not match or not bands:
        return None
    lo = int(match.group(1))
    if match.group(4):
        return bands[-1] if lo == bands[-1][0] else None
    hi = int(match.group(3)) - (1 if match.group(2) else 0) if match.group(3) else lo
    return (lo, hi) if (lo, hi) in bands else None


def raw_columns(config: Config) -> list[RawColumn]:
    """The columns of the register export: single years ("Alter") or age bands ("Altersgruppe")."""
    return columns_of(population_columns(population_source(config).age_bands is not None))


def _allowed(values: list[str], what: str, absent: bool) -> pa.Column:
    values = [TOTAL] if absent else values
    return pa.Column("string", pa.Check.isin(values, error=f"{what} muss {values} sein"))


def raw_schema(config: Config, year: int) -> pa.DataFrameSchema:
    """The contract of one year's register file, given the config's Stadtteile and the source."""
    codes = [s.code for s in config.stadtteile]
    source = population_source(config)
    day = stichtag_of(source, year, default="12-31")
    bands = source.age_bands
    absent = set(source.layout.absent)
    if bands is None:
        age = {"age": pa.Column("Int64", pa.Check.in_range(0, 120, error="Alter muss zwischen 0 und 120 liegen"))}
    else:
        rule = f"Altersgruppe ist keine der Altersgruppen der Konfiguration ({bands_text(bands)})"
        age = {
            "age_band": pa.Column(
                "string", pa.Check(lambda s: s.map(lambda v: parse_band(v, bands)).notna(), name=rule)
            )
        }
    return pa.DataFrameSchema(
        {
            "stichtag": pa.Column(
                "datetime64[ns]",
                pa.Check(
                    lambda s: s == day,
                    element_wise=False,
                    name=f"Stichtag muss der {day:%d.%m.%Y} sein (Jahr des Dateinamens)",
                ),
            ),
            "stadtteil_code": pa.Column(
                "string",
                pa.Check.isin(codes, error=f"Stadtteil-Nr. unbekannt (Konfiguration: {codes})"),
            ),
            "stadtteil_name": pa.Column("string", nullable=True),
            **age,
            "sex": _allowed(SEXES, HEADERS["sex"], HEADERS["sex"] in absent),
            "citizenship": _allowed(CITIZENSHIPS, HEADERS["citizenship"], HEADERS["citizenship"] in absent),
            "persons": pa.Column("Int64", pa.Check.ge(0, error="Anzahl darf nicht negativ sein")),
            LINE: pa.Column(int),
        },
        unique=KEY if bands is None else ["stadtteil_code", "age_band", "sex", "citizenship"],
        report_duplicates="all",
        strict=True,
    )


def _check_names(frame: pd.DataFrame, config: Config, file: str) -> None:
    names = {s.code: s.name for s in config.stadtteile}
    expected = frame["stadtteil_code"].map(names)
    bad = frame[expected.notna() & frame["stadtteil_name"].notna() & (expected != frame["stadtteil_name"])]
    if len(bad):
        raise RawDataError(
            [
                Problem(
                    file,
                    int(r[LINE]),
                    HEADERS["stadtteil_name"],
                    f"Name passt nicht zur Stadtteil-Nr. {r['stadtteil_code']} "
                    f"(Konfiguration: {names[r['stadtteil_code']]!r})",
                    r["stadtteil_name"],
                )
                for _, r in bad.iterrows()
            ]
        )


def _check_aggregates(raw: pd.DataFrame, frame: pd.DataFrame, config: Config, file: str) -> None:
    """Plausibility rule ``aggregate_sum``: every declared aggregate row of the city or of a Stadtbezirk
    (``layout.aggregates``) equals the sum of its Stadtteile in the same age (group), sex and citizenship.

    An error stops the build; a warning is written to the log; ``off`` skips the rule.
    """
    severity = config.plausibility.severity.aggregate_sum
    declared = population_source(config).layout.aggregates
    sums = raw.attrs.get("aggregates")
    if severity == "off" or sums is None or not len(sums):
        return
    sums = sums[sums[AREA_COLUMN].map(declared).notna()]
    bands = population_source(config).age_bands
    age_header = HEADERS["age"] if bands is None else BAND_COLUMN.header
    sex, citizenship, count = HEADERS["sex"], HEADERS["citizenship"], HEADERS["persons"]
    bezirk_of = {s.code: s.stadtbezirk for s in config.stadtteile}
    parts = pd.DataFrame(
        {
            "bezirk": frame["stadtteil_code"].astype(str).map(bezirk_of),
            "age": frame["age" if bands is None else "age_band"].astype(str),
            sex: frame["sex"].astype(str),
            citizenship: frame["citizenship"].astype(str),
            "persons": frame["persons"].astype("int64"),
        }
    )
    decimal, thousands = raw.attrs.get("number", (",", "."))
    stated = canonical_numbers(sums[count].astype(str), decimal, thousands)
    problems = []
    for (_, row), text in zip(sums.iterrows(), stated, strict=True):
        target = declared[str(row[AREA_COLUMN])]
        label = str(row.get(age_header, ""))
        if bands is not None:
            band = parse_band(label, list(bands))
            label = label if band is None else f"{band[0]}-{band[1]}"
        same = (parts["age"] == label) & (True if target == "stadt" else parts["bezirk"] == target)
        for key in (sex, citizenship):
            same &= parts[key] == (str(row[key]) if key in row.index else TOTAL)
        try:
            value = round(float(text))
        except ValueError:
            continue  # not a number: not this rule's business
        total = int(parts.loc[same, "persons"].sum())
        if total != value:
            where = "der Stadt" if target == "stadt" else f"des Stadtbezirks {target}"
            rule = (
                f"Summenzeile {row[AREA_COLUMN]} ({where}, Alter {row.get(age_header, '')}) ist nicht die Summe "
                f"ihrer Stadtteile ({german_number(total)}); Regel plausibility.severity.aggregate_sum"
            )
            problems.append(Problem(file, int(row[LINE]), count, rule, str(row[count])))
    if problems and severity == "error":
        raise RawDataError(problems)
    if problems:
        sys.stderr.write("Warnung (Plausibilität): " + describe_problems(problems) + "\n")


def _canonical_bands(bands: list[Band]):
    """``prepare`` step: write every band label the declared way ("0-2"), so spellings of one
    band count as duplicates; labels that are no declared band stay as written."""

    def prepare(frame: pd.DataFrame) -> pd.DataFrame:
        parsed = frame["age_band"].map(lambda v: parse_band(v, bands))
        canonical = parsed.map(lambda b: f"{b[0]}-{b[1]}", na_action="ignore")
        return frame.assign(age_band=canonical.fillna(frame["age_band"]).astype("string"))

    return prepare


def _ages_from_bands(frame: pd.DataFrame, bands: list[Band], file: str) -> pd.DataFrame:
    """Replace the (checked) band labels by first and last age; every declared band must occur."""
    first = {f"{lo}-{hi}": lo for lo, hi in bands}
    last = {f"{lo}-{hi}": hi for lo, hi in bands}
    present = set(frame["age_band"])
    missing = [band_text(b, i == len(bands) - 1) for i, b in enumerate(bands) if f"{b[0]}-{b[1]}" not in present]
    if missing:
        rule = (
            f"Altersgruppe(n) der Konfiguration fehlen in der Datei: {', '.join(missing)} "
            f"(sources.population.age_bands: {bands_text(bands)})"
        )
        raise RawDataError([Problem(file, None, BAND_COLUMN.header, rule)])
    age = frame["age_band"].map(first).astype("Int64")
    return frame.assign(age=age, age_last=frame["age_band"].map(last).astype("Int64")).drop(columns=["age_band"])


def load_population_file(path: Path, config: Config, year: int) -> pd.DataFrame:
    """Load and validate one year's register file; return tidy typed rows.

    Columns: year, stadtteil_code, age, sex, citizenship, persons, age_last.
    Raises :class:`RawDataError` listing every problem of the file.
    """
    file = file_label(path, config.root)
    source = population_source(config)
    bands = source.age_bands
    day = stichtag_of(source, year, default="12-31")
    optional = {**OPTIONAL, "Stichtag": f"{day:%d.%m.%Y}"}
    raw = read_standardised(path, file, source.layout, optional, year)
    prepare = None if bands is None else _canonical_bands(bands)
    frame = parse_and_check(raw, raw_columns(config), raw_schema(config, year), file, prepare)
    if HEADERS["stadtteil_name"] not in source.layout.absent:
        _check_names(frame, config, file)
    _check_aggregates(raw, frame, config, file)
    frame = frame.assign(age_last=frame["age"]) if bands is None else _ages_from_bands(frame, bands, file)
    out = frame[["stadtteil_code", "age", "sex", "citizenship", "persons", "age_last"]].copy()
    out.insert(0, "year", year)
    return out


def load_population(files: list[Path], config: Config) -> pd.DataFrame:
    """Load every year's file; collect the problems of all files into one error.

    Returns single-year counts, complete (missing cells filled with 0) and sorted:
    year, stadtteil_code, age, sex, citizenship, persons.
    """
    frames, problems = [], []
    for year, path in year_files(config, "population", files):
        try:
            frames.append(load_population_file(path, config, year))
        except RawDataError as exc:
            problems.extend(exc.problems)
    if problems:
        raise RawDataError(problems)
    return complete_cells(pd.concat(frames, ignore_index=True), config)


def complete_cells(frame: pd.DataFrame, config: Config) -> pd.DataFrame:
    """Add the omitted zero cells so every year x Stadtteil x age x sex x citizenship exists.

    Ages are the single years 0..oldest, or the declared bands' first ages; ``age_last`` (last
    age of the row's band, = ``age`` for single years) is the last column.
    """
    bands = population_source(config).age_bands
    ages = range(int(frame["age"].max()) + 1) if bands is None else [lo for lo, _ in bands]
    sexes = [s for s in [*SEXES, TOTAL] if s in set(frame["sex"])]
    citizenships = [TOTAL] if set(frame["citizenship"]) == {TOTAL} else CITIZENSHIPS
    index = pd.MultiIndex.from_product(
        [
            sorted(frame["year"].unique()),
            [s.code for s in config.stadtteile],
            ages,
            sexes,
            citizenships,
        ],
        names=["year", *KEY],
    )
    persons = frame.set_index(["year", *KEY])["persons"].reindex(index, fill_value=0)
    out = persons.astype("int64").reset_index()
    out["stadtteil_code"] = out["stadtteil_code"].astype(str)
    out["sex"] = out["sex"].astype(str)
    out["citizenship"] = out["citizenship"].astype(str)
    out = out.sort_values(["year", *KEY]).reset_index(drop=True)
    last = out["age"] if bands is None else out["age"].map(dict(bands))
    out["age_last"] = last.astype("int64")
    return out


def band_of_age(ages: pd.Series, bands: list[tuple[str, int, int]]) -> pd.Series:
    """Map single ages to the configured age-band labels.

    >>> band_of_age(pd.Series([0, 2, 3, 99]), [("u3", 0, 2), ("3+", 3, 200)]).tolist()
    ['u3', 'u3', '3+', '3+']
    """
    edges = [lo for _, lo, _ in bands] + [bands[-1][2] + 1]
    labels = [label for label, _, _ in bands]
    return pd.cut(ages, bins=edges, right=False, labels=labels).astype(str)


def population_by_band(single: pd.DataFrame, config: Config) -> pd.DataFrame:
    """Population by year x area x age band, for Stadtteile, Stadtbezirke and the city.

    Rows include the band "Insgesamt". Columns: year, area_level, area_code, area_name,
    stadtbezirk_code, age_band, age_band_order, persons, persons_female, persons_non_german.
    """
    frame = single.assign(
        age_band=band_of_age(single["age"], config.age_bands),
        female=lambda d: d["persons"].where(d["sex"] == "w", 0),
        non_german=lambda d: d["persons"].where(d["citizenship"] == "nichtdeutsch", 0),
    )
    bezirk_of = {s.code: s.stadtbezirk for s in config.stadtteile}
    frame["stadtbezirk_code"] = frame["stadtteil_code"].map(bezirk_of)
    measures = {"persons": "sum", "female": "sum", "non_german": "sum"}
    levels = {
        "stadtteil": "stadtteil_code",
        "stadtbezirk": "stadtbezirk_code",
        "stadt": None,
    }
    if not config.has_stadtbezirke:
        del levels["stadtbezirk"]
    parts = []
    for level, key in levels.items():
        keys = ["year", *([key] if key else []), "age_band"]
        agg = frame.groupby(keys, observed=True).agg(measures).reset_index()
        total = agg.groupby([k for k in keys if k != "age_band"]).sum(numeric_only=True)
        total = total.reset_index().assign(age_band="Insgesamt")
        if level == "stadt":
            total = total.drop(columns=[c for c in total.columns if c.endswith("_code")])
        agg = pd.concat([agg, total[agg.columns]], ignore_index=True)
        agg["area_level"] = level
        agg["area_code"] = agg[key].astype(str) if key else config.commune.ags
        parts.append(agg)
    out = _label_areas(pd.concat(parts, ignore_index=True), config)
    if not known(single, "sex"):
        out["persons_female"] = np.nan
    if not known(single, "citizenship"):
        out["persons_non_german"] = np.nan
    return out


def _label_areas(frame: pd.DataFrame, config: Config) -> pd.DataFrame:
    names = {("stadtteil", s.code): s.name for s in config.stadtteile}
    names |= {("stadtbezirk", b.code): b.name for b in config.stadtbezirke}
    names[("stadt", config.commune.ags)] = config.commune.name
    bezirk = {("stadtteil", s.code): s.stadtbezirk for s in config.stadtteile}
    bezirk |= {("stadtbezirk", b.code): b.code for b in config.stadtbezirke}
    keys = list(zip(frame["area_level"], frame["area_code"], strict=True))
    band_order = {label: i for i, (label, _, _) in enumerate(config.age_bands)}
    band_order["Insgesamt"] = len(band_order)
    out = pd.DataFrame(
        {
            "year": frame["year"].astype("int64"),
            "area_level": pd.Categorical(frame["area_level"], categories=AREA_LEVELS, ordered=True),
            "area_code": frame["area_code"],
            "area_name": [names[k] for k in keys],
            "stadtbezirk_code": [bezirk.get(k) or "" for k in keys],
            "age_band": frame["age_band"],
            "age_band_order": frame["age_band"].map(band_order).astype("int64"),
            "persons": frame["persons"].astype("int64"),
            "persons_female": frame["female"].astype("int64"),
            "persons_non_german": frame["non_german"].astype("int64"),
        }
    )
    out = out.sort_values(["year", "area_level", "area_code", "age_band_order"])
    out["area_level"] = out["area_level"].astype(str)
    return out.reset_index(drop=True)


def check_areas_sum_to_city(bands: pd.DataFrame) -> None:
    """Domain check: Stadtteile and Stadtbezirke (if any) each add up to the city, per year and band
    (the invariant ``summe_gebiete`` of ``population_bands`` in ``helpers.core.schema``, which the
    writer checks before the table is written); raises :class:`TableCheckError`."""
    (rule,) = table_schema("population_bands").sums
    problems = area_sum_problems(rule, bands.reset_index(drop=True), "Tabelle 'population_bands'")
    if problems:
        raise TableCheckError(problems)


def build_population_tables(config: Config) -> dict[str, pd.DataFrame]:
    """Load and validate the register files; return the processed population tables."""
    single = load_population(ProjectPaths(config).raw_source_files("population"), config)
    bands = population_by_band(single, config)  # summing to the city: checked before it is written
    return {
        "population": single,
        "population_bands": bands,
        "population_summary": population_summary(single, config),
    }
