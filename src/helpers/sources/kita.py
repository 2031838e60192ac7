"""Source: Kindertagesbetreuung at 01.03. (children by Stadtteil of residence and age group).

Raw: one semicolon CSV per year (UTF-8 with BOM). Processed: year, stadtteil_code,
age_group (u1 / 1_u3 / 3_u6), kita, tagespflege.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from helpers.core.config import Config
from helpers.core.paths import ProjectPaths
from helpers.core.schema import EXPORTS, KITA_AGE_GROUPS, column_names
from helpers.sources.validation import (
    collect_years,
    columns_of,
    file_label,
    layout_of,
    load_csv,
    stichtag_of,
    year_files,
)

AGE_GROUPS = KITA_AGE_GROUPS
EXPORT = EXPORTS["kita"]
#: Columns the export may lack (``layout.absent``) and the value they then take.
OPTIONAL = {EXPORT.header_of("stadtteil_name"): ""}
COLUMNS = columns_of(EXPORT.columns)


def schema(config: Config, year: int) -> pa.DataFrameSchema:
    codes = [s.code for s in config.stadtteile]
    count = pa.Check.ge(0, error="Anzahl darf nicht negativ sein")
    day = stichtag_of(config.sources.get("kita"), year, default="03-01")
    return pa.DataFrameSchema(
        {
            "stichtag": pa.Column(
                "datetime64[ns]",
                pa.Check(
                    lambda s: s == day,
                    name=f"Stichtag muss der {day:%d.%m.%Y} sein",
                ),
            ),
            "stadtteil_code": pa.Column(
                "string",
                pa.Check.isin(codes, error=f"Stadtteil-Nr. unbekannt (Konfiguration: {codes})"),
            ),
            "stadtteil_name": pa.Column("string", nullable=True),
            "age_group": pa.Column(
                "string",
                pa.Check.isin(list(AGE_GROUPS), error=f"Altersgruppe muss {list(AGE_GROUPS)} sein"),
            ),
            "kita": pa.Column("Int64", count),
            "tagespflege": pa.Column("Int64", count),
        },
        unique=list(EXPORT.key),
        report_duplicates="all",
    )


def build_kita(config: Config) -> dict[str, pd.DataFrame]:
    files = ProjectPaths(config).raw_source_files("kita")

    def load(path, year):
        file = file_label(path, config.root)
        day = stichtag_of(config.sources.get("kita"), year, default="03-01")
        optional = {**OPTIONAL, "Stichtag": f"{day:%d.%m.%Y}"}
        frame = load_csv(
            path, COLUMNS, schema(config, year), file, layout=layout_of(config, "kita"), optional=optional, year=year
        )
        return frame.assign(year=year, age_group=frame["age_group"].map(AGE_GROUPS))

    frame = collect_years(year_files(config, "kita", files), load)
    out = frame[column_names("kita")].astype(
        {"stadtteil_code": str, "age_group": str, "kita": "int64", "tagespflege": "int64"}
    )
    return {"kita": out.sort_values(["year", "stadtteil_code", "age_group"]).reset_index(drop=True)}
