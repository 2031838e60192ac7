"""Source: residents' register extract (Einwohnermelderegister, Hauptwohnsitz) at 31.12.

Raw: one semicolon CSV per year, German headers, counts by Stadtteil x single year of age
x sex x citizenship; cells with no residents may be omitted. Processed: a tidy table of
single-year counts and a table by age band with Stadtbezirk and city aggregates.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from helpers.core.config import Config
from helpers.core.io import LINE, read_raw_csv
from helpers.core.paths import ProjectPaths
from helpers.sources.demography import population_summary
from helpers.sources.validation import Problem, RawColumn, RawDataError, file_label, parse_and_check

COLUMNS = [
    RawColumn("Stichtag", "stichtag", "date"),
    RawColumn("Stadtteil-Nr", "stadtteil_code", "str"),
    RawColumn("Stadtteil", "stadtteil_name", "str"),
    RawColumn("Alter", "age", "int"),
    RawColumn("Geschlecht", "sex", "str"),
    RawColumn("Staatsangehörigkeit", "citizenship", "str"),
    RawColumn("Anzahl", "persons", "int"),
]
HEADERS = {c.name: c.header for c in COLUMNS}
KEY = ["stadtteil_code", "age", "sex", "citizenship"]
SEXES = ["m", "w", "d"]
CITIZENSHIPS = ["deutsch", "nichtdeutsch"]
AREA_LEVELS = ["stadtteil", "stadtbezirk", "stadt"]


def raw_schema(config: Config, year: int) -> pa.DataFrameSchema:
    """The contract of one year's register file, given the config's Stadtteile."""
    codes = [s.code for s in config.stadtteile]
    return pa.DataFrameSchema(
        {
            "stichtag": pa.Column(
                "datetime64[ns]",
                pa.Check(
                    lambda s: s == pd.Timestamp(year, 12, 31),
                    element_wise=False,
                    name=f"Stichtag muss der 31.12.{year} sein (Jahr des Dateinamens)",
                ),
            ),
            "stadtteil_code": pa.Column(
                "string",
                pa.Check.isin(codes, error=f"Stadtteil-Nr. unbekannt (Konfiguration: {codes})"),
            ),
            "stadtteil_name": pa.Column("string", nullable=True),
            "age": pa.Column("Int64", pa.Check.in_range(0, 120, error="Alter muss zwischen 0 und 120 liegen")),
            "sex": pa.Column("string", pa.Check.isin(SEXES, error=f"Geschlecht muss {SEXES} sein")),
            "citizenship": pa.Column(
                "string",
                pa.Check.isin(CITIZENSHIPS, error=f"Staatsangehörigkeit muss {CITIZENSHIPS} sein"),
            ),
            "persons": pa.Column("Int64", pa.Check.ge(0, error="Anzahl darf nicht negativ sein")),
            LINE: pa.Column(int),
        },
        unique=KEY,
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
                    "Stadtteil",
                    f"Name passt nicht zur Stadtteil-Nr. {r['stadtteil_code']} "
                    f"(Konfiguration: {names[r['stadtteil_code']]!r})",
                    r["stadtteil_name"],
                )
                for _, r in bad.iterrows()
            ]
        )


def load_population_file(path: Path, config: Config, year: int) -> pd.DataFrame:
    """Load and validate one year's register file; return tidy typed rows.

    Raises :class:`RawDataError` listing every problem of the file.
    """
    file = file_label(path, config.root)
    if not Path(path).is_file():
        raise RawDataError([Problem(file, None, None, "Datei fehlt")])
    frame = parse_and_check(read_raw_csv(path), COLUMNS, raw_schema(config, year), file)
    _check_names(frame, config, file)
    out = frame.drop(columns=[LINE, "stichtag", "stadtteil_name"])
    out.insert(0, "year", year)
    return out


def load_population(files: list[Path], config: Config) -> pd.DataFrame:
    """Load every year's file; collect the problems of all files into one error.

    Returns single-year counts, complete (missing cells filled with 0) and sorted:
    year, stadtteil_code, age, sex, citizenship, persons.
    """
    frames, problems = [], []
    for year, path in zip(config.data_years, files, strict=True):
        try:
            frames.append(load_population_file(path, config, year))
        except RawDataError as exc:
            problems.extend(exc.problems)
    if problems:
        raise RawDataError(problems)
    return complete_cells(pd.concat(frames, ignore_index=True), config)


def complete_cells(frame: pd.DataFrame, config: Config) -> pd.DataFrame:
    """Add the omitted zero cells so every year x Stadtteil x age x sex x citizenship exists."""
    max_age = int(frame["age"].max())
    sexes = [s for s in SEXES if s in set(frame["sex"])]
    index = pd.MultiIndex.from_product(
        [
            sorted(frame["year"].unique()),
            [s.code for s in config.stadtteile],
            range(max_age + 1),
            sexes,
            CITIZENSHIPS,
        ],
        names=["year", *KEY],
    )
    persons = frame.set_index(["year", *KEY])["persons"].reindex(index, fill_value=0)
    out = persons.astype("int64").reset_index()
    out["stadtteil_code"] = out["stadtteil_code"].astype(str)
    out["sex"] = out["sex"].astype(str)
    out["citizenship"] = out["citizenship"].astype(str)
    return out.sort_values(["year", *KEY]).reset_index(drop=True)


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
    out = pd.concat(parts, ignore_index=True)
    return _label_areas(out, config)


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
            "stadtbezirk_code": [bezirk.get(k, "") for k in keys],
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
    """Domain check: Stadtteile and Stadtbezirke each add up to the city, per year and band."""
    sums = bands.groupby(["year", "age_band", "area_level"])["persons"].sum().unstack()
    for level in ("stadtteil", "stadtbezirk"):
        bad = sums[sums[level] != sums["stadt"]]
        if len(bad):
            raise AssertionError(f"{level} totals differ from the city total:\n{bad}")


def build_population_tables(config: Config) -> dict[str, pd.DataFrame]:
    """Load and validate the register files; return the processed population tables."""
    single = load_population(ProjectPaths(config).raw_source_files("population"), config)
    bands = population_by_band(single, config)
    check_areas_sum_to_city(bands)
    return {
        "population": single,
        "population_bands": bands,
        "population_summary": population_summary(single, config),
    }
