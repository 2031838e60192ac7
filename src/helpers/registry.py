"""Light lookup tables for task generation (imports nothing heavy, so loading ``dodo.py``
and a no-op rebuild stay fast)."""

from __future__ import annotations

from helpers.indicators.catalogue import Catalogue

#: Environment variable: folder for temporary files of atomic writes (``helpers.io``).
TMP_ENV = "MONITORING_TMP_DIR"

#: Environment variable: "1" runs every report in a fresh kernel (``doit isolated=1``).
ISOLATED_ENV = "MONITORING_ISOLATED"

#: Processed tables made by each source step (raw source name -> table names).
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

#: Processed tables each analysis step reads (see ``helpers.pipeline.build_analysis``).
ANALYSIS_INPUTS = {
    "social": ["indicators", "services", "population"],
    "hze": ["hze_year", "hze_expenditure", "services", "population", "comparison", "indicators_internal"],
}

#: Processed tables each indicator selection source reads.
SELECTION_TABLES = {
    "population": ["population"],
    "sgb2": ["sgb2"],
    "unemployment": ["unemployment"],
    "kita": ["kita"],
    "seu": ["seu"],
    "transitions": ["transitions"],
    "hze": ["hze_year"],
    "hze_eur": ["hze_year", "hze_expenditure"],
    "welcome_visits": ["welcome_visits"],
    "services": ["services"],
}


def indicator_inputs(catalogue: Catalogue) -> list[str]:
    """Processed tables the catalogue's selections read."""
    names = {t for i in catalogue.indicators for s in (i.numerator, i.denominator) for t in SELECTION_TABLES[s.source]}
    return sorted(names)
