"""The config scaffold, checked against the hand-written config of the second example commune."""

from __future__ import annotations

import yaml
from conftest import ROOT

from helpers.tools.scaffold import column_mapping, find_sources, main, skeleton, source_of

EXAMPLE = ROOT / "examples" / "beispielstadt"


def test_file_names_give_sources_and_year_patterns():
    found, unknown = find_sources(EXAMPLE / "data" / "raw")
    patterns = {f.key: f.pattern for f in found}
    expected = yaml.safe_load((EXAMPLE / "config" / "beispielstadt.yml").read_text(encoding="utf-8"))["sources"]
    assert patterns == {k: v["pattern"] for k, v in expected.items()}
    assert all(f.years == list(range(2019, 2026)) for f in found)
    assert [p.name for p in unknown] == ["SYNTHETIC.json"]
    assert source_of("Vergleichskommunen_HzE.csv") == "comparison" and source_of("Notizen.txt") is None


def test_skeleton_reads_layout_areas_and_bands_like_the_hand_written_config():
    text = skeleton(EXAMPLE / "data" / "raw", "Beispielstadt", "05999001")
    got = yaml.safe_load(text)
    want = yaml.safe_load((EXAMPLE / "config" / "beispielstadt.yml").read_text(encoding="utf-8"))
    assert [(s["code"], s["slug"], s["name"]) for s in got["stadtteile"]] == [
        (s["code"], s["slug"], s["name"]) for s in want["stadtteile"]
    ]
    assert got["years"]["data"] == want["years"]["data"]
    pop, want_pop = got["sources"]["population"], want["sources"]["population"]
    assert pop["age_bands"] == want_pop["age_bands"]
    assert pop["layout"]["delimiter"] == "," and pop["layout"]["header_row"] == 2
    # every column the example renames is found, its values too; the one it lacks is declared absent
    assert pop["layout"]["columns"] == want_pop["layout"]["columns"]
    assert pop["layout"]["values"] == want_pop["layout"]["values"]
    assert pop["layout"]["absent"] == want_pop["layout"]["absent"] == ["Staatsangehörigkeit"]
    kita = got["sources"]["kita"]["layout"]["columns"]
    assert {k: kita[k] for k in want["sources"]["kita"]["layout"]["columns"]} == want["sources"]["kita"]["layout"][
        "columns"
    ]
    assert "TODO" in text and "#" in text  # undecided values are marked, keys commented


def test_column_mapping_known_answers():
    assert column_mapping(["Stichtag", "Anzahl"], ["Stichtag", "ANZAHL"]) == ({"Anzahl": "ANZAHL"}, [])
    assert column_mapping(["Geschlecht"], ["x"]) == ({}, ["Geschlecht"])


def test_command_line(tmp_path, capsys):
    assert main([str(tmp_path / "fehlt"), "--name", "X"]) == 2
    assert main([str(EXAMPLE / "data" / "raw"), "--name", "Beispielstadt", "--ags", "05999001"]) == 0
    assert 'name: "Beispielstadt"' in capsys.readouterr().out
