"""Every processed table is checked against its schema before it is written (helpers.core.schema).

The writer (``helpers.pipeline.actions.write_tables``) gets hand-made tables that break one named
invariant each; it must refuse with one German block naming table, file, row, column and rule,
and write nothing, not even the tables that were fine.
"""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import small_config_dict

from helpers.core.config import Config
from helpers.core.paths import ProjectPaths
from helpers.core.schema import AreaSum, column_names
from helpers.pipeline.actions import write_tables
from helpers.pipeline.errors import german_block
from helpers.sources.demography import population_summary
from helpers.sources.population import population_by_band
from helpers.sources.table_checks import TableCheckError, area_sum_problems, table_problems

# Wiesdorf (101, Bezirk 1) and Opladen (201, Bezirk 2), one year: 10 + 10 + 80 = 100 residents.
ROWS = [
    (2025, "101", 5, "m", "deutsch", 10),
    (2025, "101", 70, "w", "nichtdeutsch", 10),
    (2025, "201", 30, "w", "deutsch", 80),
]


@pytest.fixture
def config(tmp_path) -> Config:
    data = small_config_dict((2025, 2025))
    data["age_bands"] = [["unter 18", 0, 17], ["18 bis unter 65", 18, 64], ["65 und älter", 65, 200]]
    return Config.model_validate({**data, "config_path": tmp_path / "config" / "c.yml"})


@pytest.fixture
def single() -> pd.DataFrame:
    return pd.DataFrame(ROWS, columns=column_names("population")[:-1]).assign(age_last=lambda d: d["age"])


def written(config: Config) -> list[str]:
    processed = ProjectPaths(config).processed
    return sorted(p.name for p in processed.rglob("*") if p.is_file()) if processed.exists() else []


def kita() -> pd.DataFrame:
    rows = [(2025, "101", "u1", 1, 2), (2025, "101", "1_u3", 20, 9), (2025, "201", "u1", 3, 0)]
    return pd.DataFrame(rows, columns=column_names("kita"))


def indicators(value: float) -> pd.DataFrame:
    """One published cell of the share indicator sgb2_u15 (unit pct) and one rate (unit per 1.000)."""
    rows = [
        ("sgb2_u15", 2025, "stadtteil", "101", "Wiesdorf", 20.0, 100.0, value, 1.0, 2.0, pd.NA, "", ""),
        ("hze_rate", 2025, "stadtteil", "101", "Wiesdorf", 202.0, 100.0, 2020.0, 1.0, 2.0, pd.NA, "", ""),
    ]
    frame = pd.DataFrame(rows, columns=column_names("indicators"))
    return frame.astype({"pooled_from": "Int64"})


def test_valid_tables_are_written(config, single):
    tables = {"population_bands": population_by_band(single, config), "kita": kita()}
    write_tables(config, tables)
    assert written(config) == [
        "bevoelkerung_altersgruppen.csv",
        "bevoelkerung_altersgruppen.parquet",
        "kindertagesbetreuung.csv",
        "kindertagesbetreuung.parquet",
    ]


def test_share_of_101_is_refused_and_nothing_written(config, single):
    summary = population_summary(single, config)
    # row 1: Wiesdorf (the Stadtteile come first)
    summary.loc[0, "share_u18_pct"] = 101.0
    with pytest.raises(TableCheckError) as caught:
        write_tables(config, {"kita": kita(), "population_summary": summary})
    text = german_block(caught.value)
    assert text.startswith("Verarbeitete Tabelle verletzt ihr Schema: 1 Problem(e), nichts wurde geschrieben.")
    assert "Tabelle 'population_summary' (data/processed/bevoelkerung_kennzahlen.parquet):" in text
    assert "Spalte 'share_u18_pct': Anteil außerhalb von [0, 100] (Regel anteil_0_100), Zeile 1 (Wert: '101.0')" in text
    assert written(config) == []  # not even the good kita table


def test_duplicate_key_is_refused(config):
    frame = pd.concat([kita(), kita().iloc[[1]]], ignore_index=True)  # row 4 repeats row 2
    with pytest.raises(TableCheckError) as caught:
        write_tables(config, {"kita": frame})
    text = str(caught.value)
    assert "Tabelle 'kita' (data/processed/kindertagesbetreuung.parquet):" in text
    assert "Schlüssel (year, stadtteil_code, age_group) doppelt (Regel schluessel_eindeutig)" in text
    assert "Zeilen 2, 4" in text
    assert written(config) == []


def test_share_indicator_of_101_is_refused_but_a_rate_of_2020_is_not(config):
    write_tables(config, {"indicators": indicators(20.0)})  # the rate per 1.000 may exceed 100
    with pytest.raises(TableCheckError) as caught:
        write_tables(config, {"indicators": indicators(101.0)})
    text = str(caught.value)
    assert "Spalte 'value': Anteil außerhalb von [0, 100] (Regel anteil_0_100, Kennzahl in %), Zeile 1" in text
    assert "Zeile 2" not in text


def test_stadtteile_must_sum_to_the_city(config, single):
    bands = population_by_band(single, config)
    city = bands.index[(bands["area_level"] == "stadt") & (bands["age_band"] == "Insgesamt")][0]
    bands.loc[city, "persons"] = 99  # the Stadtteile hold 100
    with pytest.raises(TableCheckError) as caught:
        write_tables(config, {"population_bands": bands})
    text = str(caught.value)
    assert (
        f"Spalte 'persons': Summe über stadtteil (100) ungleich dem Wert für stadt (99) (Regel summe_gebiete), "
        f"Zeile {city + 1} (Wert: '99')"
    ) in text
    assert "Summe über stadtbezirk (100) ungleich dem Wert für stadt (99)" in text
    assert written(config) == []


def ba(values: list[float | None], total: int) -> pd.DataFrame:
    """One BA measure: Stadtteile 101 and 201, the unassigned addresses, the city's own total."""
    levels = [("stadtteil", "101"), ("stadtteil", "201"), ("ohne_zuordnung", ""), ("stadt", "")]
    rows = [
        (2025, level, code, "pers_bg_u3", value, value is None)
        for (level, code), value in zip(levels, [*values, total], strict=True)
    ]
    frame = pd.DataFrame(rows, columns=column_names("sgb2"))
    return frame.astype({"value": "Int64"})


def test_ba_city_total_is_at_least_its_known_parts():
    assert table_problems("sgb2", ba([12, 30, 1], 43), "t") == []
    assert table_problems("sgb2", ba([None, 30, 1], 40), "t") == []  # 101 suppressed (1 to 9): 31 <= 40
    (problem,) = table_problems("sgb2", ba([None, 30, 1], 30), "t")
    assert (problem.line, problem.column) == (4, "value")
    assert (
        problem.rule
        == "Summe über stadtteil + ohne_zuordnung (31) größer als der Wert für stadt (30) (Regel summe_gebiete)"
    )


def test_missing_parts_are_checked_on_known_values_only():
    rule = AreaSum(("n",), ("year",), (("stadtteil",),))
    frame = pd.DataFrame({"year": [1, 1, 1], "area_level": ["stadtteil", "stadtteil", "stadt"], "n": [2, None, 6]})
    assert area_sum_problems(rule, frame, "t") == []  # 2 known <= 6; equality cannot be asserted
    frame.loc[1, "n"] = 3
    assert [p.line for p in area_sum_problems(rule, frame, "t")] == [3]


def test_columns_and_kinds_are_checked():
    frame = kita().drop(columns=["tagespflege"]).assign(kita=lambda d: d["kita"].astype(float))
    rules = sorted(str(p) for p in table_problems("kita", frame, "t"))
    assert rules == ["t, Spalte 'kita': Datentyp float64, erwartet ganze Zahl (Regel datentyp)",
                     "t, Spalte 'tagespflege': Spalte fehlt (Regel spalten)"]  # fmt: skip
    assert [str(p) for p in table_problems("not_declared", kita(), "t")] == [
        "t: Tabelle hat kein Schema in helpers.core.schema (Regel schema)"
    ]
