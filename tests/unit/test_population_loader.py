"""Register loader: good files in every real-world quirk, and one bad fixture per rule."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import HEADER, small_config_dict, write_register

from helpers.core.config import Config
from helpers.sources.population import load_population, load_population_file
from helpers.sources.validation import RawDataError

GOOD = [
    "31.12.2025;101;Wiesdorf;0;m;deutsch;12",
    "31.12.2025;101;Wiesdorf;0;w;nichtdeutsch;3",
    "31.12.2025;201;Opladen;99;w;deutsch;1.234",
]


@pytest.fixture
def config(tmp_path: Path) -> Config:
    data = small_config_dict()
    data["paths"] = {**data["paths"], "root": "."}
    return Config.model_validate({**data, "config_path": tmp_path / "c.yml"})


def load(tmp_path, config, rows, year=2025, **kw):
    path = write_register(tmp_path / f"EWO_{year}.csv", rows, **kw)
    return load_population_file(path, config, year)


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8", "utf-8-sig"])
def test_good_file_in_each_encoding(tmp_path, config, encoding):
    frame = load(tmp_path, config, [*GOOD, "", ";;;;;;"], encoding=encoding)
    assert frame["persons"].tolist() == [12, 3, 1234]  # thousands dot parsed
    assert frame["stadtteil_code"].tolist() == ["101", "101", "201"]
    assert set(frame.columns) == {"year", "stadtteil_code", "age", "sex", "citizenship", "persons", "age_last"}


def test_name_with_umlaut_survives_windows_1252(tmp_path):
    data = small_config_dict()
    data["stadtteile"][0].update(code="202", slug="kueppersteg", name="Küppersteg")
    config = Config.model_validate({**data, "config_path": tmp_path / "c.yml"})
    frame = load(tmp_path, config, ["31.12.2025;202;Küppersteg;5;m;deutsch;7"])
    assert frame["persons"].tolist() == [7]


def problems_of(tmp_path, config, rows, **kw) -> str:
    with pytest.raises(RawDataError) as err:
        load(tmp_path, config, rows, **kw)
    return str(err.value)


def test_missing_column(tmp_path, config):
    header = HEADER.replace(";Anzahl", "")
    msg = problems_of(tmp_path, config, ["31.12.2025;101;Wiesdorf;0;m;deutsch"], header=header)
    assert "EWO_2025.csv" in msg and "Spalte 'Anzahl'" in msg and "Pflichtspalte fehlt" in msg


def test_wrong_type(tmp_path, config):
    msg = problems_of(tmp_path, config, [*GOOD, "31.12.2025;101;Wiesdorf;zwei;m;deutsch;4"])
    assert "Zeile 5, Spalte 'Alter': ganze Zahl erwartet (Wert: 'zwei')" in msg


def test_unknown_stadtteil(tmp_path, config):
    msg = problems_of(tmp_path, config, [*GOOD, "31.12.2025;999;Nirgendwo;3;m;deutsch;4"])
    assert "Zeile 5, Spalte 'Stadtteil-Nr': Stadtteil-Nr. unbekannt" in msg and "'999'" in msg


def test_negative_count(tmp_path, config):
    msg = problems_of(tmp_path, config, [*GOOD, "31.12.2025;101;Wiesdorf;3;m;deutsch;-4"])
    assert "Zeile 5, Spalte 'Anzahl': Anzahl darf nicht negativ sein (Wert: '-4')" in msg


def test_duplicate_key(tmp_path, config):
    msg = problems_of(tmp_path, config, [*GOOD, "31.12.2025;101;Wiesdorf;0;m;deutsch;5"])
    assert "Schlüssel doppelt" in msg and "Zeile 2" in msg and "Zeile 5" in msg


def test_bad_date_and_wrong_reference_date(tmp_path, config):
    msg = problems_of(tmp_path, config, [*GOOD, "2025-12-31;101;Wiesdorf;3;m;deutsch;4"])
    assert "Zeile 5, Spalte 'Stichtag': Datum TT.MM.JJJJ erwartet (Wert: '2025-12-31')" in msg
    msg = problems_of(tmp_path, config, [*GOOD, "30.06.2025;101;Wiesdorf;3;m;deutsch;4"])
    assert "Stichtag muss der 31.12.2025 sein" in msg and "Zeile 5" in msg


def test_wrong_encoding_shows_as_name_mismatch(tmp_path, config):
    # A file saved as Latin-1-in-UTF-8 twice ("mojibake") does not silently pass.
    rows = ["31.12.2025;101;WiesdÃ¶rf;3;m;deutsch;4"]
    msg = problems_of(tmp_path, config, rows, encoding="utf-8")
    assert "Name passt nicht zur Stadtteil-Nr. 101" in msg


def test_allowed_values(tmp_path, config):
    msg = problems_of(tmp_path, config, [*GOOD, "31.12.2025;101;Wiesdorf;3;x;staatenlos;4"])
    assert "Spalte 'Geschlecht'" in msg and "Spalte 'Staatsangehörigkeit'" in msg


def test_all_problems_of_all_files_in_one_error(tmp_path, config):
    files = [
        write_register(tmp_path / "a.csv", ["31.12.2024;101;Wiesdorf;1;m;deutsch;-1"]),
        write_register(tmp_path / "b.csv", ["31.12.2025;101;Wiesdorf;1;m;deutsch;x"]),
    ]
    with pytest.raises(RawDataError) as err:
        load_population(files, config)
    assert len(err.value.problems) == 2
    assert "a.csv" in str(err.value) and "b.csv" in str(err.value)


def test_missing_file(tmp_path, config):
    with pytest.raises(RawDataError, match="Datei fehlt"):
        load_population_file(tmp_path / "fehlt.csv", config, 2025)
