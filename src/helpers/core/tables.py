"""Reading processed tables by their registry key."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from helpers.core.config import Config
from helpers.core.paths import ProjectPaths


def load_tables(config: Config, names: Iterable[str]) -> dict[str, pd.DataFrame]:
    """Processed tables by key (see ``helpers.core.registry.TABLES``)."""
    paths = ProjectPaths(config)
    return {name: pd.read_parquet(paths.processed_table(name)) for name in names}
