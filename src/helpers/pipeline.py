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
from helpers.sources.population import check_areas_sum_to_city, load_population, population_by_band

#: Processed tables made by each source step.
SOURCE_TABLES = {"population": ["population", "population_bands", "population_summary"]}


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


BUILDERS = {"population": build_population_tables}


def process_source(config: Config, source: str) -> None:
    """Build every processed table of one source, validate, then write them all."""
    paths = ProjectPaths(config)
    tables = BUILDERS[source](config)
    for name, frame in tables.items():
        write_parquet_atomic(frame, paths.processed_table(name))
        if name in CSV_TABLES:
            write_csv_atomic(frame, paths.processed_table(name, ".csv"))
