"""Exports in another commune's layout: declared encoding, delimiter, header line, column names,
value codes and absent columns; a register in age bands; a commune without Stadtbezirke."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import HEADER, small_config_dict, write_register
from test_sources_loaders import SGB2_HEADERS, sgb2_book

from helpers.core.config import Config, ConfigError, load_config
from helpers.sources import kita, sgb2
from helpers.sources.demography import population_summary
from helpers.sources.population import (
    age_range_problem,
    check_areas_sum_to_city,
    load_population,
    population_by_band,
    select_ages,
)
from helpers.sources.validation import RawDataError

#: (year, Stadtteil, age, sex, citizenship, persons): the same counts in every layout.
COUNTS = [
    (2024, "101", 0, "m", "deutsch", 12),
    (2024, "101", 4, "w", "nichtdeutsch", 3),
    (2024, "201", 30, "w", "deutsch", 1234),
    (2024, "201", 70, "m", "deutsch", 7),
    (2025, "101", 1, "w", "deutsch", 11),
    (2025, "101", 17, "m", "nichtdeutsch", 5),
    (2025, "201", 44, "d", "deutsch", 2),
    (2025, "201", 90, "w", "nichtdeutsch", 1),
]
NAMES = {"101": "Wiesdorf", "201": "Opladen"}

#: The renamed export: other headers (and order), other codes for sex and citizenship.
RENAMED = {
    "Stichtag": "Datum",
    "Stadtteil-Nr": "STT_NR",
    "Stadtteil": "STT_NAME",
    "Alter": "ALTER_J",
    "Geschlecht": "GESCHL",
    "Staatsangehörigkeit": "NATIONALITAET",
    "Anzahl": "EW",
}
SEX_CODES = {"m": "1", "w": "2", "d": "3"}
CITIZENSHIP_CODES = {"deutsch": "D", "nichtdeutsch": "A"}
RENAMED_LAYOUT = {
    "encoding": "utf-8",
    "delimiter": ",",
    "header_row": 3,
    "columns": RENAMED,
    "values": {
        "Geschlecht": {v: k for k, v in SEX_CODES.items()},
        "Staatsangehörigkeit": {v: k for k, v in CITIZENSHIP_CODES.items()},
    },
}


def config_of(tmp_path: Path, population: dict | None = None, **top) -> Config:
    data = small_config_dict()
    data["paths"] = {**data["paths"], "root": "."}
    data["sources"]["population"] = {**data["sources"]["population"], **(population or {})}
    data.update(top)
    return Config.model_validate({**data, "config_path": tmp_path / "c.yml"})


def standard_rows(year: int) -> list[str]:
    return [
        f"31.12.{year};{st};{NAMES[st]};{age};{sex};{cit};{n:,}".replace(",", ".")
        for y, st, age, sex, cit, n in COUNTS
        if y == year
    ]


def renamed_lines(year: int, rows: list[tuple] | None = None) -> list[str]:
    """Two title lines, the renamed header (other order), comma-separated data rows."""
    rows = rows if rows is not None else [r for r in COUNTS if r[0] == year]
    head = ["EW", "STT_NR", "STT_NAME", "ALTER_J", "GESCHL", "NATIONALITAET", "Datum"]
    data = [
        f"{n},{st},{NAMES[st]},{age},{SEX_CODES[sex]},{CITIZENSHIP_CODES[cit]},31.12.{year}"
        for _, st, age, sex, cit, n in rows
    ]
    return [f"Einwohner am 31.12.{year}", "Quelle: Meldewesen", ",".join(head), *data]


def write_lines(path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def processed(files: list[Path], config: Config) -> dict[str, pd.DataFrame]:
    single = load_population(files, config)
    bands = population_by_band(single, config)
    check_areas_sum_to_city(bands)
    return {"population": single, "bands": bands, "summary": population_summary(single, config)}


def error_text(files: list[Path], config: Config) -> str:
    with pytest.raises(RawDataError) as err:
        load_population(files, config)
    return str(err.value)


# --- a renamed export --------------------------------------------------------------------


def test_renamed_export_loads_to_the_same_processed_tables(tmp_path):
    standard = config_of(tmp_path)
    std_files = [write_register(tmp_path / f"std_{y}.csv", standard_rows(y)) for y in (2024, 2025)]
    renamed = config_of(tmp_path, {"layout": RENAMED_LAYOUT})
    new_files = [write_lines(tmp_path / f"neu_{y}.csv", renamed_lines(y)) for y in (2024, 2025)]
    expected, got = processed(std_files, standard), processed(new_files, renamed)
    for name in expected:
        pd.testing.assert_frame_equal(got[name], expected[name])
    assert int(got["population"]["persons"].sum()) == sum(r[-1] for r in COUNTS)
    assert (got["population"]["age_last"] == got["population"]["age"]).all()
    assert list(got["population"].columns)[-1] == "age_last"


def test_renamed_export_messages_name_real_lines_and_export_headers(tmp_path):
    config = config_of(tmp_path, {"layout": RENAMED_LAYOUT})
    lines = renamed_lines(2025)
    lines[4] = lines[4].replace(",31.12.2025", ",30.06.2025")  # second data row, file line 5
    lines.append("-4,101,Wiesdorf,3,1,D,31.12.2025")  # file line 8
    files = [write_lines(tmp_path / "a.csv", renamed_lines(2024)), write_lines(tmp_path / "b.csv", lines)]
    msg = error_text(files, config)
    assert "b.csv, Zeile 5, Spalte 'Datum': Stichtag muss der 31.12.2025 sein" in msg
    assert "b.csv, Zeile 8, Spalte 'EW': Anzahl darf nicht negativ sein (Wert: '-4')" in msg


def test_missing_declared_column_names_column_line_and_headers_found(tmp_path):
    config = config_of(tmp_path, {"layout": {**RENAMED_LAYOUT, "columns": {**RENAMED, "Anzahl": "Einwohner"}}})
    files = [write_lines(tmp_path / f"neu_{y}.csv", renamed_lines(y)) for y in (2024, 2025)]
    msg = error_text(files, config)
    assert "neu_2024.csv, Zeile 3, Spalte 'Einwohner': Spalte fehlt in der Kopfzeile" in msg
    assert "für 'Anzahl' angegeben" in msg
    assert "gefunden: 'EW', 'STT_NR', 'STT_NAME', 'ALTER_J', 'GESCHL', 'NATIONALITAET', 'Datum'" in msg


def test_wrong_declared_encoding_names_the_line(tmp_path):
    config = config_of(tmp_path, {"layout": RENAMED_LAYOUT})
    lines = renamed_lines(2025)
    lines[3] = lines[3].replace("Wiesdorf", "Küppersteg")
    files = [write_lines(tmp_path / "a.csv", renamed_lines(2024)), write_lines(tmp_path / "b.csv", lines, "cp1252")]
    msg = error_text(files, config)
    assert "b.csv, Zeile 4: Datei ist nicht in der angegebenen Kodierung 'utf-8' gespeichert" in msg


def test_declared_stichtag(tmp_path):
    config = config_of(tmp_path, {"stichtag": "06-30"})
    rows = [r.replace("31.12.", "30.06.") for r in standard_rows(2025)]
    files = [write_register(tmp_path / "a.csv", [r.replace("2025", "2024") for r in rows])]
    files.append(write_register(tmp_path / "b.csv", rows))
    assert len(load_population(files, config)) > 0
    files[1] = write_register(tmp_path / "b.csv", standard_rows(2025))
    assert "Stichtag muss der 30.06.2025 sein" in error_text(files, config)


def test_absent_sex_and_citizenship_give_the_category_insgesamt(tmp_path):
    layout = {"absent": ["Geschlecht", "Staatsangehörigkeit"]}
    config = config_of(tmp_path, {"layout": layout})
    header = "Stichtag;Stadtteil-Nr;Stadtteil;Alter;Anzahl"
    files = [
        write_register(
            tmp_path / f"EWO_{y}.csv", [f"31.12.{y};101;Wiesdorf;3;10", f"31.12.{y};201;Opladen;70;5"], header=header
        )
        for y in (2024, 2025)
    ]
    out = processed(files, config)
    single = out["population"]
    assert set(single["sex"]) == {"insgesamt"} and set(single["citizenship"]) == {"insgesamt"}
    assert int(single["persons"].sum()) == 30
    assert out["bands"]["persons_female"].isna().all() and out["bands"]["persons_non_german"].isna().all()
    city = out["summary"][(out["summary"].year == 2025) & (out["summary"].area_level == "stadt")].iloc[0]
    assert city["persons"] == 15 and city["persons_u6"] == 10
    assert pd.isna(city["share_non_german_pct"]) and pd.isna(city["share_non_german_u18_pct"])


def test_a_column_the_loader_needs_cannot_be_absent(tmp_path):
    config = config_of(tmp_path, {"layout": {"absent": ["Anzahl"]}})
    files = [write_register(tmp_path / f"EWO_{y}.csv", standard_rows(y)) for y in (2024, 2025)]
    assert "Spalte 'Anzahl': Spalte kann nicht fehlen" in error_text(files, config)


# --- a register in age bands -----------------------------------------------------------------

BANDS = [[0, 2], [3, 5], [6, 17], [18, 64], [65, 120]]
TABLE_BANDS = [["unter 6", 0, 5], ["6 bis unter 18", 6, 17], ["18 bis unter 65", 18, 64], ["65 und älter", 65, 200]]


def band_config(tmp_path: Path, **population) -> Config:
    return config_of(tmp_path, {"age_bands": BANDS, **population}, age_bands=TABLE_BANDS)


def band_rows(year: int, labels=("0-2", "3 bis 5", "6–17", "18-64", "65+")) -> list[str]:
    counts = [4, 5, 6, 7, 8]
    return [f"31.12.{year};101;Wiesdorf;{b};w;deutsch;{n}" for b, n in zip(labels, counts, strict=True)] + [
        f"31.12.{year};201;Opladen;18-64;m;nichtdeutsch;100"
    ]


BAND_HEADER = HEADER.replace(";Alter;", ";Altersgruppe;")


def test_age_band_export_loads_with_age_and_age_last(tmp_path):
    config = band_config(tmp_path)
    files = [write_register(tmp_path / f"EWO_{y}.csv", band_rows(y), header=BAND_HEADER) for y in (2024, 2025)]
    out = processed(files, config)
    single = out["population"]
    pairs = sorted(set(zip(single["age"], single["age_last"], strict=True)))
    assert pairs == [(0, 2), (3, 5), (6, 17), (18, 64), (65, 120)]
    assert int(single["persons"].sum()) == 2 * 130
    w = single[(single.year == 2025) & (single.stadtteil_code == "101") & (single.sex == "w")]
    assert w.groupby("age")["persons"].sum().to_dict() == {0: 4, 3: 5, 6: 6, 18: 7, 65: 8}
    bands = out["bands"]
    city = bands[(bands.year == 2025) & (bands.area_level == "stadt")].set_index("age_band")["persons"]
    assert city.to_dict() == {
        "unter 6": 9,
        "6 bis unter 18": 6,
        "18 bis unter 65": 107,
        "65 und älter": 8,
        "Insgesamt": 130,
    }
    summary = out["summary"]
    row = summary[(summary.year == 2025) & (summary.area_code == "101")].iloc[0]
    assert row["persons_u6"] == 9 and row["persons_u18"] == 15 and row["persons_65plus"] == 8
    assert pd.isna(row["persons_u21"])  # 0–20 cuts through the band 18–64


def test_age_band_mismatch_names_file_line_and_bands(tmp_path):
    config = band_config(tmp_path)
    rows = [*band_rows(2025), "31.12.2025;201;Opladen;15-24;w;deutsch;3"]
    files = [
        write_register(tmp_path / "EWO_2024.csv", band_rows(2024), header=BAND_HEADER),
        write_register(tmp_path / "EWO_2025.csv", rows, header=BAND_HEADER),
    ]
    msg = error_text(files, config)
    assert "EWO_2025.csv, Zeile 8, Spalte 'Altersgruppe': Altersgruppe ist keine der Altersgruppen" in msg
    assert "(0–2, 3–5, 6–17, 18–64, 65+)" in msg and "'15-24'" in msg


def test_declared_band_missing_from_the_file(tmp_path):
    config = band_config(tmp_path)
    rows = [r for r in band_rows(2025) if ";65+;" not in r]
    files = [
        write_register(tmp_path / "EWO_2024.csv", band_rows(2024), header=BAND_HEADER),
        write_register(tmp_path / "EWO_2025.csv", rows, header=BAND_HEADER),
    ]
    assert "EWO_2025.csv, Spalte 'Altersgruppe': Altersgruppe(n) der Konfiguration fehlen in der Datei: 65+" in (
        error_text(files, config)
    )


def test_two_spellings_of_one_band_are_duplicates(tmp_path):
    config = band_config(tmp_path)
    rows = [*band_rows(2025), "31.12.2025;101;Wiesdorf;0 bis 2;w;deutsch;1"]
    files = [
        write_register(tmp_path / "EWO_2024.csv", band_rows(2024), header=BAND_HEADER),
        write_register(tmp_path / "EWO_2025.csv", rows, header=BAND_HEADER),
    ]
    msg = error_text(files, config)
    assert "Schlüssel doppelt" in msg and "Zeile 2" in msg and "Zeile 8" in msg


def test_other_band_spellings_via_values(tmp_path):
    values = {"Altersgruppe": {"unter 3": "0-2", "3 bis unter 6": "3-5", "65 und älter": "65+"}}
    config = band_config(tmp_path, layout={"values": values})
    labels = ("unter 3", "3 bis unter 6", "6-17", "18-64", "65 und älter")
    files = [write_register(tmp_path / f"EWO_{y}.csv", band_rows(y, labels), header=BAND_HEADER) for y in (2024, 2025)]
    assert int(load_population(files, config)["persons"].sum()) == 2 * 130


def test_table_age_bands_must_be_formable_from_the_register_bands(tmp_path):
    with pytest.raises(ValueError, match=r"Altersgruppe 'unter 18' \(0–17\) lässt sich aus den Altersgruppen"):
        config_of(
            tmp_path, {"age_bands": [[0, 14], [15, 24], [25, 120]]}, age_bands=[["unter 18", 0, 17], ["ab 18", 18, 200]]
        )
    with pytest.raises(ValueError, match="lückenlos bei 0"):
        config_of(tmp_path, {"age_bands": [[0, 14], [16, 120]]}, age_bands=[["alle", 0, 200]])


def test_age_range_problem_known_answers():
    bands = [(0, 2), (3, 5), (6, 9), (10, 14), (15, 24), (25, 64), (65, 120)]
    assert age_range_problem(None, 15, 17) is None
    assert age_range_problem(bands, 0, 5) is None
    assert age_range_problem(bands, 0, 0) is not None
    assert age_range_problem(bands, 15, 24) is None
    assert age_range_problem(bands, 65, 200) is None  # the open top band
    assert age_range_problem(bands, 0, 200) is None
    assert age_range_problem(bands, 65, 99) is not None
    assert age_range_problem(bands, 15, 17) == (
        "Alter 15–17 lässt sich aus den Altersgruppen der Einwohnerdatei "
        "(0–2, 3–5, 6–9, 10–14, 15–24, 25–64, 65+) nicht bilden: die Obergrenze 17 ist kein Ende einer Altersgruppe"
    )
    # the bound that fails is named; an open range (to 120) ends with an open top band reaching further
    assert age_range_problem(bands, 1, 14).endswith("die Untergrenze 1 ist kein Beginn einer Altersgruppe")
    assert age_range_problem([(0, 9), (10, 74), (75, 200)], 0, 120) is None
    assert age_range_problem(bands, 66, 200).startswith("Alter ab 66 lässt sich")


def test_select_ages_selects_whole_bands_and_refuses_a_straddling_one():
    frame = pd.DataFrame({"age": [0, 3, 6, 18], "age_last": [2, 5, 17, 120], "persons": [1, 2, 3, 4]})
    assert select_ages(frame, 0, 5)["persons"].tolist() == [1, 2]
    assert select_ages(frame, 18, 200)["persons"].tolist() == [4]
    with pytest.raises(ValueError, match=r"Alter 0–20 lässt sich .*\(0–2, 3–5, 6–17, 18\+\) nicht bilden"):
        select_ages(frame, 0, 20)
    single = pd.DataFrame({"age": [0, 19, 20, 21], "persons": [1, 2, 3, 4]})  # no age_last: single years
    assert select_ages(single, 0, 20)["persons"].tolist() == [1, 2, 3]


# --- a commune without Stadtbezirke -----------------------------------------------------------


def test_commune_without_stadtbezirke_has_no_stadtbezirk_level(tmp_path):
    data = small_config_dict()
    stadtteile = [{**s, "stadtbezirk": None} for s in data["stadtteile"]]
    config = config_of(tmp_path, stadtbezirke=[], stadtteile=stadtteile)
    files = [write_register(tmp_path / f"EWO_{y}.csv", standard_rows(y)) for y in (2024, 2025)]
    out = processed(files, config)
    assert set(out["bands"]["area_level"]) == {"stadtteil", "stadt"}
    assert set(out["summary"]["area_level"]) == {"stadtteil", "stadt"}
    assert (out["bands"]["stadtbezirk_code"] == "").all()
    city = out["summary"][(out["summary"].year == 2025) & (out["summary"].area_level == "stadt")].iloc[0]
    assert city["persons"] == 19


# --- other sources read through the same layout ----------------------------------------------


@pytest.fixture
def project(tmp_path: Path):
    def make(sources: dict | None = None) -> Config:
        data = small_config_dict((2024, 2025))
        for key, extra in (sources or {}).items():
            data["sources"][key] = {**data["sources"][key], **extra}
        (tmp_path / "config").mkdir(exist_ok=True)
        path = tmp_path / "config" / "small.yml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        return load_config(path)

    return make


def raw_path(config: Config, source: str, year: int) -> Path:
    path = config.root / config.paths.raw / config.sources[source].pattern.format(year=year)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def test_kita_export_with_semicolon_tab_layout_and_other_stichtag(project):
    kita_head = "Stichtag;Stadtteil-Nr;Stadtteil;Altersgruppe;Kindertageseinrichtung;Kindertagespflege"
    standard = project()
    for year in (2024, 2025):
        rows = [f"01.03.{year};101;Wiesdorf;{g};{i + 5};{i}" for i, g in enumerate(kita.AGE_GROUPS)]
        write_lines(raw_path(standard, "kita", year), [kita_head, *rows], "utf-8-sig")
    expected = kita.build_kita(standard)["kita"]
    layout = {
        "delimiter": "\t",
        "header_row": 2,
        "columns": {"Kindertageseinrichtung": "Kita", "Altersgruppe": "Alter"},
        "values": {"Altersgruppe": {"U1": "unter 1", "1-3": "1 bis unter 3", "3-6": "3 bis unter 6"}},
        "absent": ["Stadtteil"],
    }
    other = project({"kita": {"layout": layout, "stichtag": "03-15"}})
    for year in (2024, 2025):
        rows = [f"15.03.{year}\t101\t{g}\t{i + 5}\t{i}" for i, g in enumerate(["U1", "1-3", "3-6"])]
        head = "Stichtag\tStadtteil-Nr\tAlter\tKita\tKindertagespflege"
        write_lines(raw_path(other, "kita", year), ["Kita-Statistik", head, *rows], "cp1252")
    pd.testing.assert_frame_equal(kita.build_kita(other)["kita"], expected)


def test_ba_workbook_with_renamed_column_and_named_sheet(project):
    standard = project()
    for year in (2024, 2025):
        raw_path(standard, "sgb2", year).write_bytes(sgb2_book(year))
    expected = sgb2.build_sgb2(standard)["sgb2"]
    layout = {"sheet": "Stadtteile", "columns": {"BG von Alleinerziehenden": "BG Alleinerziehende"}}
    other = project({"sgb2": {"layout": layout}})
    headers = [*SGB2_HEADERS[:-1], "BG Alleinerziehende"]
    for year in (2024, 2025):
        raw_path(other, "sgb2", year).write_bytes(sgb2_book(year, headers=headers))
    pd.testing.assert_frame_equal(sgb2.build_sgb2(other)["sgb2"], expected)
    missing = project({"sgb2": {"layout": {"sheet": "Daten"}}})
    with pytest.raises(RawDataError, match="Tabellenblatt 'Daten' fehlt"):
        sgb2.build_sgb2(missing)


def test_config_error_for_formability_is_reported_by_load_config(tmp_path):
    data = small_config_dict()
    data["sources"]["population"]["age_bands"] = [[0, 14], [15, 120]]
    path = tmp_path / "c.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigError, match="lässt sich aus den Altersgruppen"):
        load_config(path)
