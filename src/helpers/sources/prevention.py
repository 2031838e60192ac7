"""Source: the Präventionskette: services inventory and Willkommensbesuche.

Services: name, type, life phases ("|"-separated), Stadtteil ("" = city-wide), start and end
year, annual cost, capacity. Welcome visits: births and visited families per Stadtteil
and year.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from helpers.core.config import Config
from helpers.core.paths import ProjectPaths
from helpers.core.schema import EXPORTS, LIFE_PHASES, column_names
from helpers.sources.validation import columns_of, file_label, layout_of, load_csv

PHASES = list(LIFE_PHASES)
SERVICE_COLUMNS = columns_of(EXPORTS["services"].columns)
VISIT_COLUMNS = columns_of(EXPORTS["welcome_visits"].columns)


def _phases_ok(series: pd.Series) -> pd.Series:
    return series.map(lambda text: all(p.strip() in PHASES for p in str(text).split("|")))


def service_schema(config: Config) -> pa.DataFrameSchema:
    codes = ["", *[s.code for s in config.stadtteile]]
    return pa.DataFrameSchema(
        {
            "name": pa.Column("string", unique=True, report_duplicates="all"),
            "type": pa.Column("string", pa.Check.str_length(1, 80, error="Typ fehlt")),
            "phases": pa.Column("string", pa.Check(_phases_ok, name=f"Lebensphasen müssen aus {PHASES} sein")),
            "stadtteil_code": pa.Column(
                "string",
                pa.Check.isin(codes, error="Stadtteil-Nr. unbekannt (leer = gesamtstädtisch)"),
            ),
            "start": pa.Column("Int64", pa.Check.in_range(1990, 2100, error="Beginn unplausibel")),
            "end": pa.Column("Int64", nullable=True),
            "cost_eur": pa.Column("Float64", pa.Check.ge(0, error="Kosten dürfen nicht negativ sein")),
            "capacity": pa.Column("Int64", pa.Check.ge(0, error="Kapazität darf nicht negativ sein")),
        },
        checks=[
            pa.Check(
                lambda d: d["end"].isna() | (d["end"] >= d["start"]),
                name="Ende liegt vor dem Beginn",
            )
        ],
        strict="filter",
    )


def visit_schema(config: Config) -> pa.DataFrameSchema:
    codes = [s.code for s in config.stadtteile]
    count = pa.Check.ge(0, error="Anzahl darf nicht negativ sein")
    return pa.DataFrameSchema(
        {
            "year": pa.Column("Int64", pa.Check.in_range(1990, 2100, error="Jahr unplausibel (1990–2100)")),
            "stadtteil_code": pa.Column(
                "string",
                pa.Check.isin(codes, error=f"Stadtteil-Nr. unbekannt (Konfiguration: {codes})"),
            ),
            "births": pa.Column("Int64", count),
            "visits": pa.Column("Int64", count),
        },
        checks=[pa.Check(lambda d: d["visits"] <= d["births"], name="Besuchte Familien größer als Geburten")],
        unique=list(EXPORTS["welcome_visits"].key),
        report_duplicates="all",
        strict="filter",
    )


def build_services(config: Config) -> dict[str, pd.DataFrame]:
    (path,) = ProjectPaths(config).raw_source_files("services")
    file = file_label(path, config.root)
    frame = load_csv(path, SERVICE_COLUMNS, service_schema(config), file, layout=layout_of(config, "services"))
    out = frame.assign(
        phases=frame["phases"].map(lambda t: " | ".join(p.strip() for p in str(t).split("|"))),
        stadtteil_code=frame["stadtteil_code"].astype(str),
    )
    for col in ("name", "type"):
        out[col] = out[col].astype(str)
    return {"services": out[column_names("services")].sort_values(["start", "name"]).reset_index(drop=True)}


def build_welcome_visits(config: Config) -> dict[str, pd.DataFrame]:
    (path,) = ProjectPaths(config).raw_source_files("welcome_visits")
    file = file_label(path, config.root)
    layout = layout_of(config, "welcome_visits")
    optional = {EXPORTS["welcome_visits"].header_of("stadtteil_name"): ""}
    frame = load_csv(path, VISIT_COLUMNS, visit_schema(config), file, layout=layout, optional=optional)
    out = frame[column_names("welcome_visits")].astype(
        {"year": "int64", "stadtteil_code": str, "births": "int64", "visits": "int64"}
    )
    out = out[out["year"].isin(config.data_years)]  # a file may already hold a year not yet configured
    return {"welcome_visits": out.sort_values(["year", "stadtteil_code"]).reset_index(drop=True)}
