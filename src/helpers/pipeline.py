"""Pipeline steps called by ``dodo.py``: raw sources -> processed tables -> pages.

Each step reads only its declared inputs and writes only its declared targets, atomically.
If a raw file breaks its contract, nothing is written and earlier outputs stay intact.
"""

from __future__ import annotations

import pandas as pd

from helpers.config import Config
from helpers.demography import population_summary
from helpers.io import write_csv_atomic, write_parquet_atomic
from helpers.paths import CSV_TABLES, ProjectPaths
from helpers.sources.comparison import build_comparison
from helpers.sources.hze import build_hze_cases, build_hze_expenditure
from helpers.sources.kita import build_kita
from helpers.sources.population import check_areas_sum_to_city, load_population, population_by_band
from helpers.sources.prevention import build_services, build_welcome_visits
from helpers.sources.seu import build_seu
from helpers.sources.sgb2 import build_sgb2, build_unemployment
from helpers.sources.transitions import build_transitions

#: Processed tables made by each source step.
SOURCE_TABLES = {
    "population": ["population", "population_bands", "population_summary"],
    "sgb2": ["sgb2"],
    "unemployment": ["unemployment"],
    "kita": ["kita"],
    "seu": ["seu"],
    "transitions": ["transitions"],
    "hze_cases": ["hze_cases", "hze_year"],
    "hze_expenditure": ["hze_expenditure"],
    "services": ["services"],
    "welcome_visits": ["welcome_visits"],
    "comparison": ["comparison"],
}


def build_population_tables(config: Config) -> dict[str, pd.DataFrame]:
    """Load and validate the register files; return the processed population tables."""
    paths = ProjectPaths(config)
    single = load_population(paths.raw_source_files("population"), config)
    bands = population_by_band(single, config)
    check_areas_sum_to_city(bands)
    return {
        "population": single,
        "population_bands": bands,
        "population_summary": population_summary(single, config),
    }


BUILDERS = {
    "population": build_population_tables,
    "sgb2": build_sgb2,
    "unemployment": build_unemployment,
    "kita": build_kita,
    "seu": build_seu,
    "transitions": build_transitions,
    "hze_cases": build_hze_cases,
    "hze_expenditure": build_hze_expenditure,
    "services": build_services,
    "welcome_visits": build_welcome_visits,
    "comparison": build_comparison,
}


def process_source(config: Config, source: str) -> None:
    """Build every processed table of one source, validate, then write them all."""
    paths = ProjectPaths(config)
    tables = BUILDERS[source](config)
    for name, frame in tables.items():
        write_parquet_atomic(frame, paths.processed_table(name))
        if name in CSV_TABLES:
            write_csv_atomic(frame, paths.processed_table(name, ".csv"))
