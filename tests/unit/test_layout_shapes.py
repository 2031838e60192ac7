"""Layout keys for the shapes cities publish (data/raw/README.md, "Layouts"): a year column and one
file for all years, a constant or absent Stichtag, row selection, aggregate rows, melted wide
tables, number formats, column positions; the BA exports as CSV."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from test_source_layouts import COUNTS, NAMES, config_of, error_text, write_lines

from helpers.core.config import Layout
from helpers.sources.population import load_population
from helpers.sources.validation import RawDataError, canonical_numbers, read_standardised, year_files

EXPECTED = pd.DataFrame(COUNTS, columns=["year", "stadtteil_code", "age", "sex", "citizenship", "persons"])


def _loaded(files: list[Path], config) -> pd.DataFrame:
    frame = load_population(files, config)
    return frame[frame["persons"] > 0][EXPECTED.columns].reset_index(drop=True)


def _all_years_lines(year_text=lambda y: str(y)) -> list[str]:
    head = "Jahr;Stadtteil-Nr;Stadtteil;Alter;Geschlecht;Staatsangehörigkeit;Anzahl"
    return [head, *(f"{year_text(y)};{st};{NAMES[st]};{a};{s};{c};{n}" for y, st, a, s, c, n in COUNTS)]


def test_one_file_for_all_years_with_a_year_column(tmp_path):
    config = config_of(tmp_path, {"pattern": "ewo.csv", "layout": {"year": "Jahr"}})
    path = write_lines(tmp_path / "data" / "raw" / "ewo.csv", _all_years_lines())
    assert year_files(config, "population", [path]) == [(2024, path), (2025, path)]
    pd.testing.assert_frame_equal(_loaded([path], config), EXPECTED, check_dtype=False)


def test_year_only_stichtag_column_becomes_the_configured_day(tmp_path):
    # the export's "Stichtag" holds only the year; the day is the configured one (here 30.06.)
    lines = [line.replace("Jahr;", "Stichtag;", 1) for line in _all_years_lines()]
    config = config_of(tmp_path, {"pattern": "ewo.csv", "stichtag": "06-30", "layout": {"year": "Stichtag"}})
    path = write_lines(tmp_path / "data" / "raw" / "ewo.csv", lines)
    pd.testing.assert_frame_equal(_loaded([path], config), EXPECTED, check_dtype=False)


def test_one_file_without_a_year_column_is_a_german_error(tmp_path):
    config = config_of(tmp_path, {"pattern": "ewo.csv"})
    path = write_lines(tmp_path / "data" / "raw" / "ewo.csv", _all_years_lines())
    text = error_text([path], config)
    assert "Eine Datei für alle Jahre (pattern ohne {year}) braucht die Angabe der Jahresspalte" in text
    assert "sources.population.layout.year" in text


def test_a_year_missing_from_the_all_years_file_is_named(tmp_path):
    config = config_of(tmp_path, {"pattern": "ewo.csv", "layout": {"year": "Jahr"}})
    lines = [line for line in _all_years_lines() if not line.startswith("2025;")]
    path = write_lines(tmp_path / "data" / "raw" / "ewo.csv", lines)
    assert "keine Zeilen für das Jahr 2025 (Jahresspalte 'Jahr'; vorhanden: [2024])" in error_text([path], config)


def test_absent_or_constant_stichtag(tmp_path):
    head = "Stadtteil-Nr;Stadtteil;Alter;Geschlecht;Staatsangehörigkeit;Anzahl"
    files = []
    for year in (2024, 2025):
        rows = [f"{st};{NAMES[st]};{a};{s};{c};{n}" for y, st, a, s, c, n in COUNTS if y == year]
        files.append(write_lines(tmp_path / f"ewo_{year}.csv", [head, *rows]))
    absent = config_of(tmp_path, {"layout": {"absent": ["Stichtag"]}})
    pd.testing.assert_frame_equal(_loaded(files, absent), EXPECTED, check_dtype=False)
    constant = config_of(tmp_path, {"layout": {"constants": {"Stichtag": "31.12.2024"}}})
    assert "Stichtag muss der 31.12.2025 sein" in error_text(files, constant)  # a constant is checked


def test_rows_aggregates_and_integral_floats(tmp_path):
    # a long table: a sub-table column, the city (000) and Stadtbezirk (001) rows, counts as "12.0"
    head = "Jahr;Tabelle;Stadtteil-Nr;Stadtteil;Alter;Geschlecht;Staatsangehörigkeit;Anzahl"
    lines = [head]
    for y, st, a, s, c, n in COUNTS:
        lines.append(f"{y};Alter;{st};{NAMES[st]};{a};{s};{c};{n}.0")
        lines.append(f"{y};Familienstand;{st};{NAMES[st]};{a};{s};{c};99.0")
        if st == "101":
            lines.append(f"{y};Alter;001;Bezirk I;{a};{s};{c};{n}.0")
        lines.append(f"{y};Alter;000;Stadt;{a};{s};{c};{n}.0")
    layout = {"year": "Jahr", "rows": {"Tabelle": "Alter"}, "aggregates": {"001": "1", "000": None}}
    config = config_of(tmp_path, {"pattern": "ewo.csv", "layout": layout})
    path = write_lines(tmp_path / "data" / "raw" / "ewo.csv", lines)
    pd.testing.assert_frame_equal(_loaded([path], config), EXPECTED, check_dtype=False)
    # a Bezirk sum that is off by one is named with its line (plausibility rule aggregate_sum)
    bad = [line.replace(";001;Bezirk I;0;m;deutsch;12.0", ";001;Bezirk I;0;m;deutsch;13.0") for line in lines]
    path = write_lines(tmp_path / "data" / "raw" / "ewo.csv", bad)
    text = error_text([path], config)
    assert "Summenzeile 001 (des Stadtbezirks 1, Alter 0) ist nicht die Summe ihrer Stadtteile (12)" in text
    off = config_of(
        tmp_path, {"pattern": "ewo.csv", "layout": layout}, plausibility={"severity": {"aggregate_sum": "off"}}
    )
    assert len(_loaded([path], off)) == len(EXPECTED)


def test_melted_wide_table_with_years_as_columns(tmp_path):
    # areas x ages as rows, one column per year (a wide table): melted into Jahr and Anzahl
    head = "Stadtteil-Nr;Stadtteil;Alter;Geschlecht;Staatsangehörigkeit;2024;2025"
    keys = sorted({(st, a, s, c) for _, st, a, s, c, _ in COUNTS})
    counts = {(y, st, a, s, c): n for y, st, a, s, c, n in COUNTS}
    rows = [
        f"{st};{NAMES[st]};{a};{s};{c};{counts.get((2024, st, a, s, c), 0)};{counts.get((2025, st, a, s, c), 0)}"
        for st, a, s, c in keys
    ]
    layout = {"melt": {"into": "Jahr", "value": "Anzahl", "columns": ["2024", "2025"]}, "year": "Jahr"}
    config = config_of(tmp_path, {"pattern": "ewo.csv", "layout": {**layout, "absent": ["Stichtag"]}})
    path = write_lines(tmp_path / "data" / "raw" / "ewo.csv", [head, *rows])
    pd.testing.assert_frame_equal(_loaded([path], config), EXPECTED, check_dtype=False)


def test_positions_name_columns_with_unusable_headers(tmp_path):
    head = "A;B;C;D;E;F;G"
    lines = [head, *(f"31.12.{y};{st};{NAMES[st]};{a};{s};{c};{n}" for y, st, a, s, c, n in COUNTS if y == 2024)]
    path = write_lines(tmp_path / "ewo.csv", lines)
    names = ["Stichtag", "Stadtteil-Nr", "Stadtteil", "Alter", "Geschlecht", "Staatsangehörigkeit", "Anzahl"]
    layout = Layout(positions={n: i + 1 for i, n in enumerate(names)})
    frame = read_standardised(path, "ewo.csv", layout)
    assert list(frame.columns[1:]) == names
    with pytest.raises(RawDataError, match="Spaltenposition hinter der letzten Spalte"):
        read_standardised(path, "ewo.csv", Layout(positions={"Anzahl": 9}))


def test_number_formats_known_answers():
    german = canonical_numbers(pd.Series(["1.234", "1.234,5", "27732.0", "5.0", "12", "x"]))
    assert german.tolist() == ["1234", "1234.5", "27732.0", "5.0", "12", "x"]
    english = canonical_numbers(pd.Series(["1,234", "1,234.5", "27732.0"]), ".", ",")
    assert english.tolist() == ["1234", "1234.5", "27732.0"]
    swiss = canonical_numbers(pd.Series(["1'234", "12"]), ",", "'")
    assert swiss.tolist() == ["1234", "12"]


def test_decimal_point_export_with_comma_thousands(tmp_path):
    head = "Stichtag;Stadtteil-Nr;Stadtteil;Alter;Geschlecht;Staatsangehörigkeit;Anzahl"
    files = []
    for year in (2024, 2025):
        rows = [
            f"31.12.{y};{st};{NAMES[st]};{a};{s};{c};{n:,.1f}".replace(",", "'")
            for y, st, a, s, c, n in COUNTS
            if y == year
        ]
        files.append(write_lines(tmp_path / f"ewo_{year}.csv", [head, *rows]))
    config = config_of(tmp_path, {"layout": {"decimal": ".", "thousands": "'"}})
    pd.testing.assert_frame_equal(_loaded(files, config), EXPECTED, check_dtype=False)


def test_youth_limit_is_18_or_the_nearest_band_start_or_none():
    from helpers.sources.demography import youth_limit

    single = pd.DataFrame({"age": range(100), "age_last": range(100)})
    coarse = pd.DataFrame({"age": [0, 6, 18, 65], "age_last": [5, 17, 64, 200]})
    ten = pd.DataFrame({"age": [0, 10, 20, 30], "age_last": [9, 19, 29, 200]})
    one = pd.DataFrame({"age": [0], "age_last": [200]})
    assert [youth_limit(f) for f in (single, coarse, ten, one)] == [18, 18, 20, None]


def test_ba_export_as_one_csv_for_all_years_with_an_aggregate_city_row(tmp_path):
    from helpers.sources import sgb2

    headers = list(sgb2.SGB2_COLUMNS)
    wiesdorf, opladen = [900, 80, 70, 300, 60, 90, 310, 130], [700, 60, 50, 220, 40, "*", 240, 100]
    lines = [",".join(["Berichtsmonat", "Nr", "Stadtteil", *headers])]
    for year in (2024, 2025):
        city = [a + (b if b != "*" else 5) for a, b in zip(wiesdorf, opladen, strict=True)]
        lines += [
            ",".join(map(str, [f"31.12.{year}", "000", "Stadt", *city])),
            ",".join(map(str, [f"31.12.{year}", "101", "Wiesdorf", *wiesdorf])),
            ",".join(map(str, [f"31.12.{year}", "201", "Opladen", *opladen])),
        ]
    config = config_of(tmp_path)
    layout = {
        "delimiter": ",",
        "year": "Berichtsmonat",
        "columns": {"Stadtteil-Nr.": "Nr"},
        "aggregates": {"000": "stadt"},
    }
    data = config.model_dump() | {"config_path": config.config_path}
    data["sources"]["sgb2"] = {**data["sources"]["sgb2"], "pattern": "ba.csv", "layout": layout}
    config = type(config).model_validate(data)
    write_lines(tmp_path / "data" / "raw" / "ba.csv", lines)
    table = sgb2.build_sgb2(config)["sgb2"]
    assert sorted(table["year"].unique()) == [2024, 2025]
    city = table[(table["year"] == 2025) & (table["area_level"] == "stadt")].set_index("measure")["value"]
    assert int(city["pers_bg_total"]) == 1600
    opl = table[(table["year"] == 2024) & (table["area_code"] == "201")].set_index("measure")
    assert bool(opl.loc["pers_bg_18_u25", "is_suppressed"]) and pd.isna(opl.loc["pers_bg_18_u25", "value"])
