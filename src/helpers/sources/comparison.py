"""Source: yearly panel of comparison communes (other NRW Jugendamt areas).

Fields: AGS, Jugendamt, year, residents under 21, HzE cases (Bestand 31.12. + ended, without
§ 28), HzE expenditure, SGB-II quota of under-15s, and the year the commune joined a
prevention programme (empty = never). In the sample, every value is synthetic.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from helpers.core.config import Config
from helpers.core.paths import ProjectPaths
from helpers.core.schema import EXPORTS, column_names
from helpers.sources.validation import columns_of, file_label, layout_of, load_csv

EXPORT = EXPORTS["comparison"]
COLUMNS = columns_of(EXPORT.columns)


def schema() -> pa.DataFrameSchema:
    count = pa.Check.ge(0, error="Anzahl darf nicht negativ sein")
    return pa.DataFrameSchema(
        {
            "ags": pa.Column("string", pa.Check.str_matches(r"^\d{8}$", error="AGS muss 8 Ziffern haben")),
            "name": pa.Column("string"),
            "year": pa.Column("Int64", pa.Check.in_range(1990, 2100, error="Jahr unplausibel")),
            "u21": pa.Column("Int64", count),
            "hze_cases": pa.Column("Int64", count),
            "hze_eur": pa.Column("Float64", pa.Check.ge(0, error="Ausgaben dürfen nicht negativ sein")),
            "sgb2_u15_pct": pa.Column(
                "Float64", pa.Check.in_range(0, 100, error="Quote muss zwischen 0 und 100 liegen")
            ),
            "joined": pa.Column("Int64", nullable=True),
        },
        checks=[pa.Check(lambda d: d["hze_cases"] <= d["u21"], name="HzE-Fälle größer als Einwohner unter 21")],
        unique=list(EXPORT.key),
        report_duplicates="all",
        strict="filter",
    )


def build_comparison(config: Config) -> dict[str, pd.DataFrame]:
    (path,) = ProjectPaths(config).raw_source_files("comparison")
    file = file_label(path, config.root)
    frame = load_csv(path, COLUMNS, schema(), file, layout=layout_of(config, "comparison"))
    out = frame.assign(
        ags=frame["ags"].astype(str),
        name=frame["name"].astype(str),
        year=frame["year"].astype("int64"),
    )
    return {"comparison": out[column_names("comparison")].sort_values(["ags", "year"]).reset_index(drop=True)}
