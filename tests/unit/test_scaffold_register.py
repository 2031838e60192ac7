"""The scaffold reads a register of the shapes cities publish: a long table with sub-tables,
aggregate rows and a year column (Köln-shaped), wide tables with years or age bands as columns
(Münster-shaped), and a register of 45 areas longer than the 5,000 rows it once stopped at.

Every fixture is written here by hand; the expected areas, codes, years and bands are the ones
put in.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
import yaml

from helpers.tools.register_shape import aggregates, band_list, parse_band, read_register
from helpers.tools.scaffold import read_shape, skeleton

# --- Köln-shaped: one long table for all years ------------------------------------------------------

KOELN_BEZIRKE = {"001": "Innenstadt", "002": "Rodenkirchen", "003": "Lindenthal"}
KOELN_TEILE = {
    "101": ("Altstadt/Süd", "001"),
    "102": ("Neustadt/Süd", "001"),
    "201": ("Bayenthal", "002"),
    "202": ("Marienburg", "002"),
    "203": ("Raderberg", "002"),
    "301": ("Klettenberg", "003"),
}
KOELN_BANDS = ["unter 3", "3 - 5", "6 - 9", "10 - 14", "15 - 17", "18 - 20", "21 - 34", "35 - 44"]
KOELN_BANDS += ["45 - 54", "55 - 59", "60 - 64", "65 - 74", "75 und älter"]
#: Seven sub-tables: the total, then sexes and citizenships (each pair adds up to the total).
SUBTABLES = ["Insgesamt", "männlich", "weiblich", "Deutsche", "Ausländer", "unter Deutschen: mit Migrationshintergrund"]
SUBTABLES += ["Ausländer: EU"]


def koeln_rows() -> list[str]:
    rows = ["Jahr;Stadtteil-Nr.;Stadtteil;Teiltabelle;Altersgruppe;Anzahl"]
    rng = np.random.default_rng(5)
    for year in range(2005, 2013):
        per_teil = {c: rng.integers(100, 3000, len(KOELN_BANDS)) for c in KOELN_TEILE}
        per_bezirk = {b: sum(per_teil[c] for c, (_, p) in KOELN_TEILE.items() if p == b) for b in KOELN_BEZIRKE}
        city = sum(per_bezirk.values())
        areas = [("000", "Köln", city)]
        areas += [(b, n, per_bezirk[b]) for b, n in KOELN_BEZIRKE.items()]
        areas += [(c, n, per_teil[c]) for c, (n, _) in KOELN_TEILE.items()]
        for (code, name, total), sub in itertools.product(areas, SUBTABLES):
            share = {"Insgesamt": 1.0, "männlich": 0.5, "weiblich": 0.5, "Deutsche": 0.8, "Ausländer": 0.2}
            values = np.round(total * share.get(sub, 0.1))
            rows += [f"{year};{code};{name};{sub};{band};{v:.1f}" for band, v in zip(KOELN_BANDS, values, strict=True)]
    return rows


@pytest.fixture
def koeln(tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    (raw / "einwohner").mkdir(parents=True)
    (raw / "einwohner" / "Einwohner_Altersgruppen_Stadtteile.csv").write_text("\n".join(koeln_rows()), encoding="utf-8")
    return raw


def test_koeln_long_table_gives_areas_bezirke_aggregates_years_and_the_total_sub_table(koeln):
    text = skeleton(koeln, "Köln", "05315000")
    got = yaml.safe_load(text)
    assert [(s["code"], s["name"], s["stadtbezirk"]) for s in got["stadtteile"]] == [
        (c, n, p) for c, (n, p) in KOELN_TEILE.items()
    ]
    assert got["stadtbezirke"] == [{"code": c, "name": n} for c, n in KOELN_BEZIRKE.items()]
    assert got["years"]["data"] == {"first": 2005, "last": 2012}
    pop = got["sources"]["population"]
    assert pop["pattern"] == "einwohner/Einwohner_Altersgruppen_Stadtteile.csv"
    layout = pop["layout"]
    assert layout["year"] == "Jahr"
    assert layout["rows"] == {"Teiltabelle": "Insgesamt"}
    assert layout["aggregates"] == {"000": "stadt", "001": "001", "002": "002", "003": "003"}
    assert layout["columns"] == {"Stadtteil-Nr": "Stadtteil-Nr."}
    assert layout["absent"] == ["Geschlecht", "Staatsangehörigkeit"]
    assert pop["age_bands"] == [
        [0, 2],
        [3, 5],
        [6, 9],
        [10, 14],
        [15, 17],
        [18, 20],
        [21, 34],
        [35, 44],
        [45, 54],
        [55, 59],
        [60, 64],
        [65, 74],
        [75, 200],
    ]
    # what it could not decide is said, in German: only the population basis here
    assert "keine Gebiete" not in text
    todo = [line for line in text.splitlines() if "TODO:" in line]
    assert todo == [
        "    # TODO: Bevölkerungsbegriff prüfen: Hauptwohnsitz (main_residence) oder wohnberechtigt (entitled)"
    ]
    assert "6 Stadtteile aus allen 7.280 Zeilen"  # 8 years x 10 codes x 7 sub-tables x 13 bands in text and "ohne die Summenzeilen der Stadt und der 3 Stadtbezirke" in text


def test_koeln_polygons_in_the_raw_folder_give_the_map_and_its_id_property(koeln):
    wkb = shapely.to_wkb([shapely.box(360_000 + 1000 * i, 5_650_000, 361_000 + 1000 * i, 5_651_000) for i in range(6)])
    import pyogrio

    codes = np.array([int(c) for c in KOELN_TEILE])  # a Shapefile holds the numbers as integers
    names = np.array([n for n, _ in KOELN_TEILE.values()], dtype=object)
    pyogrio.raw.write(
        koeln / "Stadtteile.shp",
        wkb,
        [names, codes],
        ["NAME", "NUMMER"],
        geometry_type="Polygon",
        crs="EPSG:25832",
        driver="ESRI Shapefile",
    )
    text = skeleton(koeln, "Köln", "05315000")
    got = yaml.safe_load(text)
    assert got["analysis"]["geometry"] == {"file": (koeln / "Stadtteile.shp").as_posix(), "id_property": "NUMMER"}
    assert "Eigenschaft „NUMMER“ enthält alle 6 Kennziffern" in text
    assert "Stadtteile.dbf" not in text  # side files are not listed as unknown files


# --- Münster-shaped: wide tables -----------------------------------------------------------------------

MUENSTER_BANDS = ["0 bis 9", "10 bis 19", "20 bis 29", "30 bis 39", "40 bis 49", "50 bis 59", "60 bis 69"]
MUENSTER_BANDS += ["70 bis 79", "80 bis 89", "90 u. mehr"]


def test_muenster_years_as_columns_are_melted_with_bezirk_headers(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    lines = ["BezirkNummer;BezirkName;Altersgruppe;2010;2011;2012;2013;2014"]
    for i, band in itertools.product(range(1, 46), MUENSTER_BANDS):
        lines.append(f"{i:02d};Bezirk {i:02d};{band};" + ";".join(str(100 + i + y) for y in range(5)))
    (raw / "Bevoelkerung_Altersgruppen_2010-2014.csv").write_text("\n".join(lines), encoding="utf-8")
    got = yaml.safe_load(skeleton(raw, "Münster", "05515000"))
    assert [s["code"] for s in got["stadtteile"]] == [f"{i:02d}" for i in range(1, 46)]
    assert got["years"]["data"] == {"first": 2010, "last": 2014}
    layout = got["sources"]["population"]["layout"]
    assert layout["melt"] == {"into": "Jahr", "value": "Anzahl", "columns": ["2010", "2011", "2012", "2013", "2014"]}
    assert layout["year"] == "Jahr"
    assert layout["columns"] == {"Stadtteil-Nr": "BezirkNummer", "Stadtteil": "BezirkName"}
    assert got["sources"]["population"]["age_bands"] == [[10 * k, 10 * k + 9] for k in range(9)] + [[90, 200]]
    assert got["stadtbezirke"] == []


def test_bands_as_columns_with_a_total_column_and_stadtbezirk_column(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    bands = ["00 - < 03", "03 - < 06", "06 - < 18", "18 - < 65", "65 und älter"]
    lines = ["Jahr;Stadtbezirk;Stadtteil Nr;Stadtteilname;" + ";".join(bands) + ";Insgesamt"]
    for year, i in itertools.product((2013, 2014), range(1, 7)):
        lines.append(f"{year};{'Mitte' if i <= 3 else 'Nord'};{i};Teil {i};1;2;3;4;5;15")
    (raw / "einwohner_wohnberechtigt.csv").write_text("\n".join(lines), encoding="utf-8")
    text = skeleton(raw, "Musterstadt", "05999000")
    got = yaml.safe_load(text)
    pop = got["sources"]["population"]
    assert pop["layout"]["melt"] == {"into": "Altersgruppe", "value": "Anzahl", "columns": bands}
    assert "nicht umgeformt (Summenspalten): Insgesamt" in text
    assert pop["age_bands"] == [[0, 2], [3, 5], [6, 17], [18, 64], [65, 200]]
    assert pop["population_basis"] == "entitled"  # the file name says wohnberechtigt
    assert got["stadtbezirke"] == [{"code": "Mitte", "name": "Mitte"}, {"code": "Nord", "name": "Nord"}]
    assert [(s["code"], s["stadtbezirk"]) for s in got["stadtteile"]] == [
        (str(i), "Mitte" if i <= 3 else "Nord") for i in range(1, 7)
    ]
    assert got["years"]["data"] == {"first": 2013, "last": 2014}


# --- 45 areas in a register longer than 5,000 rows: nothing is cut ------------------------------------


def test_all_45_areas_of_a_long_register_are_listed(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    lines = ["Stichtag;Kennziffer;Stadtteil;Alter;Geschlecht;Staatsangehörigkeit;Anzahl"]
    for i, age, sex in itertools.product(range(11, 56), range(101), ("m", "w")):
        lines.append(f"31.12.2014;{i};Stadtteil {i};{age};{sex};deutsch;3")
    path = raw / "EWO_2014.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    assert len(read_shape(path).rows) == 45 * 101 * 2 > 5000
    got = yaml.safe_load(skeleton(raw, "Münster", "05515000"))
    assert [s["code"] for s in got["stadtteile"]] == [str(i) for i in range(11, 56)]
    pop = got["sources"]["population"]
    assert pop["layout"]["columns"] == {"Stadtteil-Nr": "Kennziffer"}
    assert "absent" not in pop["layout"] and "age_bands" not in pop  # single years of age, all columns there


# --- the pieces, known answers ----------------------------------------------------------------------------


def test_band_label_styles():
    labels = {"90 u. mehr": (90, 200), "75 und älter": (75, 200), "00 - < 03": (0, 2), "0-2": (0, 2)}
    labels |= {"unter 3": (0, 2), "3 bis unter 6": (3, 5), "95 Jahre und älter": (95, 200), "65+": (65, 200)}
    labels |= {"18–20": (18, 20), "6 bis 9 Jahre": (6, 9), "Insgesamt": None, "unbekannt": None}
    assert {k: parse_band(k) for k in labels} == labels
    assert band_list(["unter 3", "3 - 5", "5 - 9"])[1] == ["Überschneidung bei 5"]
    assert band_list(["3 - 5", "6 und älter"])[1] == ["die jüngste Gruppe beginnt bei 3, nicht bei 0"]


def test_aggregates_need_the_sums_to_match():

    # city 000 and Bezirke 1, 2 over Stadtteile 11, 12, 21: 3 x the city's total
    t = pd.Series({"000": 100.0, "1": 70.0, "2": 30.0, "11": 40.0, "12": 30.0, "21": 30.0})
    assert aggregates(t) == ("000", ["1", "2"])
    assert aggregates(t.drop(["1", "2"])) == ("000", [])
    assert aggregates(t.drop(["000", "1", "2"])) == (None, [])
    # the largest code is the sum of the others over all cells, but not in each: no city
    cells = pd.DataFrame({"2013": [10.0, 20.0, 30.0], "2014": [10.0, 20.0, 31.0]}, index=["1", "2", "3"])
    assert aggregates(cells) == (None, [])
    assert aggregates(cells.assign(**{"2014": [10.0, 21.0, 31.0]})) == ("3", [])


def test_undecidable_sub_table_is_todo():
    rows = [[str(c), f"T{c}", part, "5"] for c in (1, 2, 3) for part in ("A", "B")]
    reg = read_register(["Nr", "Stadtteil", "Teil", "Anzahl"], rows)
    assert reg.selected == {"Teil": ["TODO"]}
    assert "Teiltabelle in Spalte Teil wählen (Werte: A, B)" in reg.todo


def test_plain_nummer_and_name_headers_and_counts_with_thousands_points():
    rows = [[str(c), f"Teil {c}", f"{1000 * c * c:,}".replace(",", "."), "2014"] for c in (1, 2, 3)]
    reg = read_register(["Nummer", "Name", "Einwohner", "Jahr"], rows)
    assert (reg.code, reg.name, reg.count, reg.year) == ("Nummer", "Name", "Einwohner", "Jahr")
    assert reg.areas == [("1", "Teil 1", None), ("2", "Teil 2", None), ("3", "Teil 3", None)]
    assert reg.city is None and reg.years == [2014]
