"""The analysis steps as the pipeline runs them: declared input tables -> analysis tables."""

from __future__ import annotations

import pandas as pd

from helpers.analysis.run import build_hze_analysis, build_social_analysis
from helpers.core.config import Config


def build_social_step(config: Config, tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Trends, funnel/EB, social index and need vs supply for every report year."""
    return build_social_analysis(config, tables)


def build_hze_step(config: Config, tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """HzE descriptive figures, ITS, DiD, event study and balance for every report year."""
    return build_hze_analysis(config, tables)
