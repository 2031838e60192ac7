"""Sources: BA Grundsicherung SGB II and Arbeitslose, small-area workbooks per December.

The export may also be a CSV (pattern ending ``.csv``; see :func:`helpers.sources.ba.read_ba_csv`),
one per year or one for all years with a year column (``layout.year``).

Processed (tidy, one row per year x area x measure): ``value`` is missing and
``is_suppressed`` true where the BA showed "*" (1 to 9). Areas: every Stadtteil, the
addresses that could not be assigned (``ohne_zuordnung``) and the city total (``stadt``).
"""

from __future__ import annotations

import pandas as pd

from helpers.core.config import Config
from helpers.core.paths import ProjectPaths
from helpers.core.schema import EXPORTS, column_names
from helpers.sources.ba import check_ba_consistency, read_ba_csv, read_ba_workbook
from helpers.sources.validation import RawDataError, collect_years, file_label, layout_of, year_files

#: The workbook's value columns: standard header -> tidy measure (``helpers.core.schema``).
SGB2_COLUMNS = {c.header: c.name for c in EXPORTS["sgb2"].columns}
#: numerator <= denominator rules where both values are known
SGB2_PARTS = {
    "pers_bg_total": [
        "pers_bg_u3",
        "pers_bg_3_u6",
        "pers_bg_6_u15",
        "pers_bg_15_u18",
        "pers_bg_18_u25",
    ],
    "bg_with_children": ["bg_single_parent"],
}
ALO_COLUMNS = {c.header: c.name for c in EXPORTS["unemployment"].columns}
ALO_PARTS = {"alo_15_u65": ["alo_15_u25"]}
COLUMNS_OUT = column_names("sgb2")


def _loader(config: Config, source: str, columns: dict[str, str], parts: dict[str, list[str]]):
    layout = layout_of(config, source)
    headers = {v: layout.columns.get(k, k) for k, v in columns.items()}

    def load(path, year: int) -> pd.DataFrame:
        read = read_ba_csv if str(path).lower().endswith((".csv", ".txt")) else read_ba_workbook
        frame, problems = read(path, config, year, columns, layout)
        problems += check_ba_consistency(frame, file_label(path, config.root), parts, headers)
        if problems:
            raise RawDataError(sorted(problems, key=lambda p: (p.line or 0, p.column or "")))
        return frame

    return load


def _tidy(frame: pd.DataFrame) -> pd.DataFrame:
    order = {"stadtteil": 0, "ohne_zuordnung": 1, "stadt": 2}
    out = frame[COLUMNS_OUT].assign(value=frame["value"].astype("Int64"))
    out = out.sort_values(
        ["year", "area_level", "area_code", "measure"],
        key=lambda c: c.map(order) if c.name == "area_level" else c,
    )
    return out.reset_index(drop=True)


def build_sgb2(config: Config) -> dict[str, pd.DataFrame]:
    """Processed SGB II table from every year's workbook."""
    files = ProjectPaths(config).raw_source_files("sgb2")
    frame = collect_years(year_files(config, "sgb2", files), _loader(config, "sgb2", SGB2_COLUMNS, SGB2_PARTS))
    return {"sgb2": _tidy(frame)}


def build_unemployment(config: Config) -> dict[str, pd.DataFrame]:
    """Processed Arbeitslose table from every year's workbook."""
    files = ProjectPaths(config).raw_source_files("unemployment")
    frame = collect_years(
        year_files(config, "unemployment", files), _loader(config, "unemployment", ALO_COLUMNS, ALO_PARTS)
    )
    return {"unemployment": _tidy(frame)}
