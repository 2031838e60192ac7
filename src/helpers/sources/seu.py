"""Source: Schuleingangsuntersuchung (Gesundheitsamt, SOPESS), one record per examined child.

Raw: one semicolon CSV per Einschulungsjahrgang (Windows-1252), pseudonymised.
Processed: one row per child *without* the pseudonym (it is only checked for uniqueness),
so no identifier leaves the loader.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from helpers.core.config import Config
from helpers.core.paths import ProjectPaths
from helpers.sources.validation import RawColumn, collect_years, file_label, layout_of, load_csv, year_files

FINDINGS = ["unauffällig", "grenzwertig", "auffällig"]
BMI = ["untergewichtig", "normal", "übergewichtig", "adipös"]
GERMAN = ["fehlerfrei/flüssig", "mit leichten Fehlern", "radebrechend", "kaum oder kein Deutsch"]
DOMAINS = {
    "Körperkoordination": "motor",
    "Visuomotorik": "visuomotor",
    "Selektive Aufmerksamkeit": "attention",
    "Zahlen- und Mengenvorwissen": "numbers",
    "Sprache": "language",
}
YES_NO = {"ja": True, "nein": False}
COLUMNS = [
    RawColumn("Pseudonym", "pseudonym", "str"),
    RawColumn("Einschulungsjahr", "year", "int"),
    RawColumn("Stadtteil-Nr", "stadtteil_code", "str"),
    RawColumn("Geschlecht", "sex", "str"),
    RawColumn("Kita-Besuchsdauer (Monate)", "kita_months", "int"),
    RawColumn("U8/U9 dokumentiert", "u8u9", "str"),
    RawColumn("Masern 2 Impfungen", "measles", "str"),
    RawColumn("BMI-Klasse", "bmi_class", "str"),
    RawColumn("Deutschkenntnisse", "german", "str"),
    *[RawColumn(header, name, "str") for header, name in DOMAINS.items()],
    RawColumn("Familiensprache", "family_language", "str"),
]


def schema(config: Config, year: int) -> pa.DataFrameSchema:
    codes = [s.code for s in config.stadtteile]

    def allowed(values: list[str], what: str, nullable: bool = False) -> pa.Column:
        return pa.Column("string", pa.Check.isin(values, error=f"{what} muss {values} sein"), nullable=nullable)

    return pa.DataFrameSchema(
        {
            "pseudonym": pa.Column(
                "string",
                pa.Check.str_length(4, 40, error="Pseudonym fehlt oder ist zu lang"),
                unique=True,
                report_duplicates="all",
            ),
            "year": pa.Column("Int64", pa.Check.eq(year, error=f"Einschulungsjahr muss {year} sein")),
            "stadtteil_code": pa.Column(
                "string",
                pa.Check.isin(codes, error=f"Stadtteil-Nr. unbekannt (Konfiguration: {codes})"),
            ),
            "sex": allowed(["m", "w", "d"], "Geschlecht"),
            "kita_months": pa.Column(
                "Int64",
                pa.Check.in_range(0, 84, error="Kita-Besuchsdauer muss zwischen 0 und 84 Monaten liegen"),
                nullable=True,
            ),
            "u8u9": allowed(list(YES_NO), "U8/U9 dokumentiert", nullable=True),
            "measles": allowed(list(YES_NO), "Masern 2 Impfungen", nullable=True),
            "bmi_class": allowed(BMI, "BMI-Klasse", nullable=True),
            "german": allowed(GERMAN, "Deutschkenntnisse", nullable=True),
            **{name: allowed(FINDINGS, header, nullable=True) for header, name in DOMAINS.items()},
            "family_language": allowed(["deutsch", "andere"], "Familiensprache", nullable=True),
        },
        strict="filter",
    )


def build_seu(config: Config) -> dict[str, pd.DataFrame]:
    files = ProjectPaths(config).raw_source_files("seu")

    def load(path, year):
        file = file_label(path, config.root)
        frame = load_csv(path, COLUMNS, schema(config, year), file, layout=layout_of(config, "seu"), year=year)
        return frame.drop(columns=["pseudonym"])

    frame = collect_years(year_files(config, "seu", files), load)
    frame = frame.drop(columns=["_zeile"], errors="ignore")
    out = frame.assign(
        u8u9_documented=frame["u8u9"].map(YES_NO).astype("boolean"),
        measles_2_doses=frame["measles"].map(YES_NO).astype("boolean"),
        year=frame["year"].astype("int64"),
    ).drop(columns=["u8u9", "measles"])
    for col in out.columns:
        if str(out[col].dtype) == "string":
            out[col] = out[col].astype(object)
    keys = ["year", "stadtteil_code", "sex", "kita_months", "family_language", "german"]
    return {"seu": out.sort_values(keys, na_position="last").reset_index(drop=True)}
