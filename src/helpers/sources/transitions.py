"""Source: Übergänge von der Grundschule in die Sekundarstufe I, by Stadtteil of residence.

Raw: one semicolon CSV per school year ("2025/26" = transitions in summer 2025).
Processed: year, stadtteil_code, school_type, pupils.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from helpers.core.config import Config
from helpers.core.paths import ProjectPaths
from helpers.core.schema import EXPORTS, column_names
from helpers.sources.validation import collect_years, columns_of, file_label, layout_of, load_csv, year_files

EXPORT = EXPORTS["transitions"]
SCHOOL_TYPES = list(EXPORT.column("school_type").allowed or ())
#: Columns the export may lack (``layout.absent``) and the value they then take.
OPTIONAL = {EXPORT.header_of("stadtteil_name"): ""}
COLUMNS = columns_of(EXPORT.columns)


def schema(config: Config, year: int) -> pa.DataFrameSchema:
    codes = [s.code for s in config.stadtteile]
    label = f"{year}/{(year + 1) % 100:02d}"
    return pa.DataFrameSchema(
        {
            "school_year": pa.Column("string", pa.Check.eq(label, error=f"Schuljahr muss {label} sein")),
            "stadtteil_code": pa.Column(
                "string",
                pa.Check.isin(codes, error=f"Stadtteil-Nr. unbekannt (Konfiguration: {codes})"),
            ),
            "stadtteil_name": pa.Column("string", nullable=True),
            "school_type": pa.Column(
                "string", pa.Check.isin(SCHOOL_TYPES, error=f"Schulform muss {SCHOOL_TYPES} sein")
            ),
            "pupils": pa.Column("Int64", pa.Check.ge(0, error="Anzahl darf nicht negativ sein")),
        },
        unique=list(EXPORT.key),
        report_duplicates="all",
    )


def build_transitions(config: Config) -> dict[str, pd.DataFrame]:
    files = ProjectPaths(config).raw_source_files("transitions")

    def load(path, year):
        file = file_label(path, config.root)
        layout = layout_of(config, "transitions")
        return load_csv(path, COLUMNS, schema(config, year), file, layout=layout, optional=OPTIONAL, year=year).assign(
            year=year
        )

    frame = collect_years(year_files(config, "transitions", files), load)
    out = frame[column_names("transitions")].astype({"stadtteil_code": str, "school_type": str, "pupils": "int64"})
    return {"transitions": out.sort_values(["year", "stadtteil_code", "school_type"]).reset_index(drop=True)}
