"""Source: Hilfen zur Erziehung: the Jugendamt's case list and the budget's expenditure.

Raw: a case list (one record per case: pseudonymised id, Stadtteil of residence, legal
basis, start, end or empty if ongoing, age at start, sex) and a budget table (year, legal
basis, expenditure). Processed: the cases *without* their ids, yearly counts per year x
Stadtteil x legal basis (Bestand 31.12., ended, started, counted = Bestand + ended, case
days), and expenditure per year x legal basis.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pandera.pandas as pa

from helpers.core.config import Config
from helpers.core.paths import ProjectPaths
from helpers.core.schema import EXPORTS, HZE_BASES, SEXES, column_names
from helpers.sources.validation import columns_of, file_label, layout_of, load_csv

BASES = list(HZE_BASES)
SETTING = {b: "ambulant" for b in BASES} | {
    "32": "teilstationär",
    "33": "stationär",
    "34": "stationär",
    "41": "stationär",
}
CASE_COLUMNS = columns_of(EXPORTS["hze_cases"].columns)
SPEND_COLUMNS = columns_of(EXPORTS["hze_expenditure"].columns)


def parse_basis(text: pd.Series) -> pd.Series:
    """'§ 27 Abs. 2 SGB VIII' -> '27(2)', '§ 35a SGB VIII' -> '35a'; unknown -> as written.

    >>> parse_basis(pd.Series(["§ 27 Abs. 2 SGB VIII", "§ 35a SGB VIII", "§31"])).tolist()
    ['27(2)', '35a', '31']
    """

    def one(value: str) -> str:
        match = re.fullmatch(r"§\s*(\d+[a-z]?)(?:\s*Abs\.\s*(\d+))?(?:\s*SGB VIII)?", str(value).strip())
        if not match:
            return str(value)
        return f"{match.group(1)}({match.group(2)})" if match.group(2) else match.group(1)

    return text.map(one, na_action="ignore").astype("string")


def case_schema(config: Config) -> pa.DataFrameSchema:
    codes = [s.code for s in config.stadtteile]
    return pa.DataFrameSchema(
        {
            "case_id": pa.Column("string", unique=True, report_duplicates="all"),
            "stadtteil_code": pa.Column(
                "string",
                pa.Check.isin(codes, error=f"Stadtteil-Nr. unbekannt (Konfiguration: {codes})"),
            ),
            "basis": pa.Column(
                "string",
                pa.Check.isin(BASES, error=f"Rechtsgrundlage muss eine von {BASES} (SGB VIII) sein"),
            ),
            "start": pa.Column("datetime64[ns]"),
            "end": pa.Column("datetime64[ns]", nullable=True),
            "age_at_start": pa.Column(
                "Int64",
                pa.Check.in_range(0, 26, error="Alter bei Hilfebeginn muss zwischen 0 und 26 liegen"),
            ),
            "sex": pa.Column(
                "string",
                pa.Check.isin(list(SEXES), error=f"Geschlecht muss {list(SEXES)} sein"),
            ),
        },
        checks=[
            pa.Check(
                lambda d: d["end"].isna() | (d["end"] >= d["start"]),
                name="Hilfeende liegt vor dem Hilfebeginn",
            )
        ],
        strict="filter",
    )


def spend_schema() -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {
            "year": pa.Column("Int64", pa.Check.in_range(1990, 2100, error="Haushaltsjahr unplausibel")),
            "basis": pa.Column("string", pa.Check.isin(BASES, error=f"Rechtsgrundlage muss eine von {BASES} sein")),
            "eur": pa.Column("Float64", pa.Check.ge(0, error="Aufwand darf nicht negativ sein")),
        },
        unique=list(EXPORTS["hze_expenditure"].key),
        report_duplicates="all",
        strict="filter",
    )


def load_cases(config: Config) -> pd.DataFrame:
    (path,) = ProjectPaths(config).raw_source_files("hze_cases")
    frame = _load(path, config, "hze_cases", CASE_COLUMNS, case_schema(config))
    return frame.drop(columns=["case_id"])


def _load(path, config, source, columns, schema) -> pd.DataFrame:
    """Load a Jugendamt/budget export; legal bases are normalised before the schema check."""
    file = file_label(path, config.root)
    return load_csv(path, columns, schema, file, prepare=_normalise_basis, layout=layout_of(config, source))


def _normalise_basis(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(basis=parse_basis(frame["basis"]))


def yearly_counts(cases: pd.DataFrame, years: list[int]) -> pd.DataFrame:
    """Per year x Stadtteil x legal basis: started, ended, Bestand at 31.12., counted, case days.

    counted = Bestand at 31.12. + ended in the year (= every case active during the year).
    """
    start, end = cases["start"], cases["end"]
    rows = []
    for year in years:
        y0, y1 = pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31)
        active = (start <= y1) & (end.isna() | (end >= y0))
        part = cases[active]
        s, e = part["start"], part["end"]
        days = (e.fillna(y1).clip(upper=y1) - s.clip(lower=y0)).dt.days + 1
        frame = pd.DataFrame(
            {
                "stadtteil_code": part["stadtteil_code"].astype(str),
                "basis": part["basis"].astype(str),
                "counted": 1,
                "bestand_3112": (e.isna() | (e > y1)).astype(int),
                "ended": e.between(y0, y1).astype(int),
                "started": s.between(y0, y1).astype(int),
                "case_days": days.astype(int),
                "ended_months": np.where(e.between(y0, y1), (e - s).dt.days / 30.4375, 0.0),
                "started_age_sum": np.where(s.between(y0, y1), part["age_at_start"].astype(float), 0.0),
            }
        )
        grouped = frame.groupby(["stadtteil_code", "basis"], as_index=False).sum()
        rows.append(grouped.assign(year=year))
    out = pd.concat(rows, ignore_index=True)
    out["setting"] = out["basis"].map(SETTING)
    return out[column_names("hze_year")].sort_values(["year", "stadtteil_code", "basis"]).reset_index(drop=True)


def build_hze_cases(config: Config) -> dict[str, pd.DataFrame]:
    cases = load_cases(config)
    tidy = cases.assign(
        stadtteil_code=cases["stadtteil_code"].astype(str),
        basis=cases["basis"].astype(str),
        sex=cases["sex"].astype(str),
        age_at_start=cases["age_at_start"].astype("int64"),
    ).drop(columns=["_zeile"], errors="ignore")
    tidy = tidy.sort_values(["start", "stadtteil_code", "basis", "end", "age_at_start", "sex"]).reset_index(drop=True)
    return {"hze_cases": tidy, "hze_year": yearly_counts(tidy, config.data_years)}


def build_hze_expenditure(config: Config) -> dict[str, pd.DataFrame]:
    (path,) = ProjectPaths(config).raw_source_files("hze_expenditure")
    frame = _load(path, config, "hze_expenditure", SPEND_COLUMNS, spend_schema())
    out = frame.assign(
        year=frame["year"].astype("int64"),
        basis=frame["basis"].astype(str),
        eur=frame["eur"].astype(float),
    )
    out["setting"] = out["basis"].map(SETTING)
    return {
        "hze_expenditure": out[column_names("hze_expenditure")].sort_values(["year", "basis"]).reset_index(drop=True)
    }
