"""The shapes real cities publish, read by layout alone: a Köln-shaped register (one long table for
all years with sub-tables, aggregate rows, a year column, counts like "27732.0") and a Münster-shaped
one (a wide table with 10-year bands as columns, the BA's SGB-II export as one CSV for all years).

The fixtures are in tests/fixtures/cities (written by make_fixtures.py; the configs by hand).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import ROOT, copy_code

from helpers.core.config import ConfigError, load_config
from helpers.indicators.plan import commune_plan
from helpers.sources.process import build_source
from helpers.sources.validation import RawDataError

CITIES = Path("tests") / "fixtures" / "cities"
KOELN = CITIES / "koeln" / "config" / "koeln.yml"
MUENSTER = CITIES / "muenster" / "config" / "muenster.yml"
RAW_KOELN = ROOT / CITIES / "koeln" / "data" / "raw" / "einwohner" / "Bevoelkerung_Stadtteile_2018-2023.csv"


def _raw(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, sep=";", dtype=str, encoding="cp1252" if "muenster" in str(path) else "utf-8")


def test_koeln_long_table_gives_every_year_and_only_the_stadtteile():
    config = load_config(ROOT / KOELN)
    population = build_source(config, "population")["population"]
    assert sorted(population["year"].unique()) == list(range(2018, 2024))
    assert sorted(population["stadtteil_code"].unique()) == ["101", "102", "201", "202", "301", "302"]
    # known answer: the raw age-band rows of Sülz in 2020, summed by hand from the file
    raw = _raw(RAW_KOELN)
    rows = raw[(raw["Jahr"] == "2020") & (raw["Nummer"] == "302") & (raw["Tabelle"] == "Altersgruppen")]
    expected = sum(int(float(v)) for v in rows["Anzahl"])
    got = population[(population["year"] == 2020) & (population["stadtteil_code"] == "302")]["persons"].sum()
    assert got == expected
    # the 75+ band is the open top band; no sub-table other than the age bands got in
    assert population.groupby(["year", "stadtteil_code"]).size().eq(13).all()


def test_koeln_aggregate_row_that_is_not_the_sum_stops_with_its_line(tmp_path):
    root = tmp_path / "koeln"
    shutil.copytree(ROOT / CITIES / "koeln", root)
    path = root / "data" / "raw" / "einwohner" / RAW_KOELN.name
    lines = path.read_text(encoding="utf-8").splitlines()
    n = next(i for i, line in enumerate(lines) if line.startswith("2019;002;") and ";0 bis 2 Jahre;" in line)
    head, _, value = lines[n].rpartition(";")
    lines[n] = f"{head};{float(value) + 5:.1f}"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    config = load_config(root / "config" / "koeln.yml")
    with pytest.raises(RawDataError) as err:
        build_source(config, "population")
    text = str(err.value)
    assert f"Zeile {n + 1}" in text
    assert "Summenzeile 002 (des Stadtbezirks 2, Alter 0 bis 2 Jahre) ist nicht die Summe ihrer Stadtteile" in text


def test_muenster_wide_table_and_ba_csv():
    config = load_config(ROOT / MUENSTER)
    population = build_source(config, "population")["population"]
    raw = _raw(ROOT / CITIES / "muenster" / "data" / "raw" / "einwohner" / "Bevoelkerung_Altersgruppen_2010-2015.csv")
    row = raw[(raw["Jahr"] == "2013") & (raw["Stadtteil-Nummer"] == "22")].iloc[0]
    band_90 = population[
        (population["year"] == 2013) & (population["stadtteil_code"] == "22") & (population["age"] == 90)
    ]
    assert band_90["persons"].sum() == int(row["90 u. mehr"].replace(".", ""))
    assert int(band_90["age_last"].iloc[0]) == 200  # open top band
    sgb2 = build_source(config, "sgb2")["sgb2"]
    ba = _raw(ROOT / CITIES / "muenster" / "data" / "raw" / "sgb2" / "SGBII_Stadtteile_2010-2015.csv")
    city = ba[(ba["Jahr"] == "2015") & (ba["Stadtteil"] == "Insgesamt")].iloc[0]
    got = sgb2[(sgb2["year"] == 2015) & (sgb2["area_level"] == "stadt") & (sgb2["measure"] == "bg_single_parent")]
    assert int(got["value"].iloc[0]) == int(city["BG von Alleinerziehenden"])
    assert sgb2["is_suppressed"].sum() == (ba.iloc[:, 3:] == "*").to_numpy().sum()


def test_muenster_ten_year_bands_move_the_register_indicators_to_band_edges():
    plan = commune_plan(load_config(ROOT / MUENSTER))
    u18 = plan.catalogue.get("u18_share")
    assert u18.numerator.ages == (0, 19)
    assert u18.name == "Kinder und Jugendliche unter 20 Jahren"
    assert u18.note.startswith("Altersgrenzen an die Altersgruppen der Einwohnerdatei angepasst: unter 20 Jahren statt")
    assert plan.catalogue.get("seniors_share").numerator.ages == (60, 200)
    # an SGB-II share is never moved: its counts have ages of their own
    assert "Obergrenze 14 ist kein Ende einer Altersgruppe" in plan.skipped["sgb2_u15"]
    assert plan.has("sgb2_single_parent")


def test_a_plan_without_indicators_is_a_german_config_error(tmp_path):
    root = tmp_path / "muenster"
    shutil.copytree(ROOT / CITIES / "muenster", root)
    path = root / "config" / "muenster.yml"
    text = path.read_text(encoding="utf-8")
    text += "indicators:\n  exclude: [u6_share, u18_share, seniors_share, sgb2_single_parent]\n"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        commune_plan(load_config(path))
    message = str(err.value)
    assert "lässt sich keine einzige Kennzahl des Katalogs (indikatoren.yml) berechnen" in message
    assert "Ausgeschlossen (indicators.exclude)." in message


def _koeln_polygons(home: Path, driver: str) -> str:
    """The six Köln Stadtteile as 1-km squares in EPSG:25832 (Shapefile) or degrees (KML), as a city publishes
    them, with the official code in the property NUMMER; appends the geometry key to the copied config."""
    import numpy as np
    import pyogrio
    import shapely
    from pyproj import Transformer

    codes = ["101", "102", "201", "202", "301", "302"]
    squares = [shapely.box(356_000 + 1000 * (i % 3), 5_640_000 + 1000 * (i // 3), 357_000 + 1000 * (i % 3),
                           5_641_000 + 1000 * (i // 3)) for i in range(len(codes))]  # fmt: skip
    crs, name = "EPSG:25832", "stadtteile.shp"
    if driver == "KML":
        to_degrees = Transformer.from_crs("EPSG:25832", "EPSG:4326", always_xy=True)
        squares = [
            shapely.transform(sq, lambda xy: np.column_stack(to_degrees.transform(xy[:, 0], xy[:, 1])))
            for sq in squares
        ]
        crs, name = "EPSG:4326", "stadtteile.kml"
    path = home / "data" / "raw" / name
    fields = [np.array(codes, dtype=object), np.array([f"Stadtteil {c}" for c in codes], dtype=object)]
    pyogrio.raw.write(path, shapely.to_wkb(squares), fields, ["NUMMER", "Name"], geometry_type="Polygon", crs=crs,
                      driver=driver)  # fmt: skip
    config = home / "config" / "koeln.yml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + f"\nanalysis:\n  geometry: {{file: ../data/raw/{name}, id_property: NUMMER}}\n",
        encoding="utf-8",
    )
    return name


def _build(
    tmp_path: Path, config: Path, polygons: str | None = None
) -> tuple[Path, subprocess.CompletedProcess, subprocess.CompletedProcess]:
    root = tmp_path / "projekt"
    copy_code(root)
    shutil.copytree(ROOT / config.parents[1], root / config.parents[1])
    if polygons is not None:
        _koeln_polygons(root / config.parents[1], polygons)
    env = {**os.environ, "PYTHONPATH": str(root / "src"), "MPLBACKEND": "Agg"}
    env.pop("MONITORING_TMP_DIR", None)

    def run(*args: str) -> subprocess.CompletedProcess:
        command = [sys.executable, "-m", "doit", *args, f"config={config}"]
        return subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, timeout=600)

    return root / config.parents[1], run("kommune"), run("-n", "2")


@pytest.mark.integration
@pytest.mark.parametrize("polygons", ["ESRI Shapefile", "KML"])
def test_koeln_shaped_register_only_commune_builds(tmp_path, polygons):
    home, plan, build = _build(tmp_path, KOELN, polygons)
    assert plan.returncode == 0, plan.stderr
    assert "population: Bevölkerung (1 von 1 Dateien da)" in plan.stdout
    assert "Kennzahlen berechnet (3)" in plan.stdout
    assert build.returncode == 0, build.stdout + build.stderr
    reports = home / "reports" / "2023"
    profile = (reports / "stadtteile" / "suelz.html").read_text(encoding="utf-8")
    assert "Anteil der unter 18-Jährigen in Sülz" in profile
    sheet = (home / "reports" / "kennzahlen" / "seniors_share.html").read_text(encoding="utf-8")
    assert "65 Jahre und älter" in sheet and "unter 201" not in sheet
    start = (home / "reports" / "index.html").read_text(encoding="utf-8")
    assert "Sülz" in start and "Schematische Kachelkarte" not in start  # the polygons are drawn, not the tiles


@pytest.mark.integration
def test_muenster_shaped_commune_with_ten_year_bands_builds(tmp_path):
    home, plan, build = _build(tmp_path, MUENSTER)
    assert plan.returncode == 0, plan.stderr
    assert "u18_share: Kinder und Jugendliche unter 20 Jahren (Altersgrenzen angepasst" in plan.stdout
    assert build.returncode == 0, build.stdout + build.stderr
    reports = home / "reports" / "2015"
    profile = (reports / "stadtteile" / "coerde.html").read_text(encoding="utf-8")
    assert "Anteil der unter 20-Jährigen in Coerde" in profile
    # no population figure assumes the cut at 18 (the SGB-II "Kindern unter 18 Jahren" is the BA's own)
    assert "unter 18-Jährig" not in profile and "Anteil unter 18" not in profile
    city = (reports / "gesamtstadt.html").read_text(encoding="utf-8")
    assert "Anteil der unter 20-Jährigen in jedem Stadtteil" in city  # the chart's alt text
    assert 'jünger als <span data-public="config">20</span> Jahre' in city
    sheet = (home / "reports" / "kennzahlen" / "u18_share.html").read_text(encoding="utf-8")
    assert "Altersgrenzen an die Altersgruppen der Einwohnerdatei angepasst" in sheet


def test_config_errors_of_an_earlier_version_and_of_task_generation_are_german_blocks(tmp_path):
    root = tmp_path / "projekt"
    copy_code(root)
    shutil.copytree(ROOT / CITIES / "koeln", root / CITIES / "koeln")
    path = root / KOELN
    original = path.read_text(encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(root / "src")}

    def kommune(text: str) -> subprocess.CompletedProcess:
        path.write_text(text, encoding="utf-8")
        command = [sys.executable, "-m", "doit", "kommune", f"config={KOELN}"]
        return subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, timeout=120)

    line = original.count("\n") + 1
    old = kommune(original + "indicators: indikatoren.yml\n")
    assert old.returncode == 3 and "Traceback" not in old.stderr
    assert f"Schlüssel indicators (Zeile {line}): „indicators: indikatoren.yml“ ist die Schreibweise" in old.stderr
    assert "„indicators: {catalogue: indikatoren.yml}“" in old.stderr
    missing = kommune(original + "indicators:\n  catalogue: eigene.yml\n")
    assert missing.returncode == 3 and "Traceback" not in missing.stderr
    assert f"Schlüssel indicators.catalogue (Zeile {line + 1}): Kennzahlenkatalog nicht gefunden" in missing.stderr
    none = kommune(original + "indicators:\n  exclude: [u6_share, u18_share, seniors_share]\n")
    assert none.returncode == 3 and "Traceback" not in none.stderr
    assert "lässt sich keine einzige Kennzahl des Katalogs (indikatoren.yml) berechnen" in none.stderr


@pytest.mark.parametrize(("city", "name", "ags"), [("koeln", "Köln", "05315000"), ("muenster", "Münster", "05515000")])
def test_scaffold_output_needs_only_names_and_descriptions(tmp_path, city, name, ags):
    """The scaffold's config for a city-shaped export folder, with only the holders and Stichtage filled in
    (the TODOs a file cannot answer), plans the same indicators as the hand-written config."""
    home = tmp_path / city
    shutil.copytree(CITIES / city / "data", home / "data")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    command = [sys.executable, "-m", "helpers.tools.scaffold", "data/raw", "--name", name, "--ags", ags]
    out = subprocess.run(command, cwd=home, env=env, capture_output=True, text=True, timeout=120, check=True).stdout
    filled = out.replace("TODO Datenhalter", "Stadt " + name).replace("TODO Stichtag", "31.12.")
    open_todos = [line for line in filled.splitlines() if "TODO" in line and not line.lstrip().startswith("#")]
    assert all("population_basis" in line for line in open_todos), open_todos  # a suggestion to confirm
    (home / "config").mkdir()
    path = home / "config" / "scaffold.yml"
    path.write_text(filled, encoding="utf-8")
    scaffolded = commune_plan(load_config(path))
    written = commune_plan(load_config(CITIES / city / "config" / f"{city}.yml"))
    assert scaffolded.catalogue.indicators and [i.id for i in scaffolded.catalogue.indicators] == [
        i.id for i in written.catalogue.indicators
    ]
