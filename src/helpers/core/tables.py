"""Reading processed tables by their registry key."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from helpers.core.config import Config
from helpers.core.paths import ProjectPaths
from helpers.core.registry import BY_REPORT_YEAR, UP_TO_YEAR


def load_tables(config: Config, names: Iterable[str]) -> dict[str, pd.DataFrame]:
    """Processed tables by key (see ``helpers.core.registry.TABLES``)."""
    paths = ProjectPaths(config)
    return {name: pd.read_parquet(paths.processed_table(name)) for name in names}


def year_rows(frame: pd.DataFrame, rule: str, year: int) -> pd.DataFrame:
    """The rows of a table that a page of report year ``year`` reads (``registry.Table.page_rows``).

    ``BY_REPORT_YEAR``: the rows computed for that report year; ``UP_TO_YEAR``: the rows of
    data years up to it. The index is renumbered, as when the rows are read from their slice.

    >>> frame = pd.DataFrame({"year": [2023, 2024, 2025], "report_year": [2024, 2025, 2025]})
    >>> year_rows(frame, UP_TO_YEAR, 2024)["year"].tolist()
    [2023, 2024]
    >>> year_rows(frame, BY_REPORT_YEAR, 2025)["year"].tolist()
    [2024, 2025]
    """
    if rule == BY_REPORT_YEAR:
        keep = frame["report_year"] == year
    elif rule == UP_TO_YEAR:
        keep = frame["year"] <= year
    else:
        raise ValueError(f"unknown page_rows rule {rule!r}")
    return frame.loc[keep].reset_index(drop=True)


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """``frame.to_dict("records")`` (Python scalars, a missing nullable value as None), about 5× faster.

    pandas boxes every cell on its own; here each column is converted once with ``tolist``.

    >>> f = pd.DataFrame({"a": [1, 2], "b": pd.array([3, None], dtype="Int64"), "s": ["x", "y"]})
    >>> records(f)
    [{'a': 1, 'b': 3, 's': 'x'}, {'a': 2, 'b': None, 's': 'y'}]
    >>> records(f) == f.to_dict("records")
    True
    """
    columns, data = list(frame.columns), []
    for _, column in frame.items():
        values = column.tolist()
        if not isinstance(column.dtype, np.dtype):  # extension dtypes give pd.NA where to_dict gives None
            values = [None if v is pd.NA else v for v in values]
        data.append(values)
    return [dict(zip(columns, row, strict=True)) for row in zip(*data, strict=True)]
