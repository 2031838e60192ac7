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
from helpers.core.schema import EXPORTS, SEU_BMI, SEU_DOMAINS, SEU_FINDINGS, SEU_GERMAN
from helpers.sources.validation import collect_years, columns_of, file_label, layout_of, load_csv, year_files

FINDINGS = list(SEU_FINDINGS)
BMI = list(SEU_BMI)
GERMAN = list(SEU_GERMAN)
DOMAINS = SEU_DOMAINS
YES_NO = {"ja": True, "nein": False}
EXPORT = EXPORTS["seu"]
COLUMNS = columns_of(EXPORT.columns)


def schema(config: Config, year: int) -> pa.DataFrameSchema:
    codes = [s.code for s in config.stadtteile]

    def allowed(name: str) -> pa.Column:
        """The column's allowed values (``helpers.core.schema``), named by its export header."""
        column = EXPORT.column(name)
        values = list(column.allowed or ())
        error = f"{column.header} muss {values} sein"
        return pa.Column("string", pa.Check.isin(values, error=error), nullable=column.nullable)

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
            "sex": allowed("sex"),
            "kita_months": pa.Column(
                "Int64",
                pa.Check.in_range(0, 84, error="Kita-Besuchsdauer muss zwischen 0 und 84 Monaten liegen"),
                nullable=True,
            ),
            **{name: allowed(name) for name in ("u8u9", "measles", "bmi_class", "german", *DOMAINS.values())},
            "family_language": allowed("family_language"),
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
