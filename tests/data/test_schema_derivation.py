"""The raw export formats are declared once (helpers.core.schema): the generator's headers, the
scaffold's standard headers and synonyms and the loaders' columns all follow a change made there."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

from helpers.core import schema
from helpers.sources import kita, population
from helpers.tools import scaffold

#: Prints what the generator, the scaffold and the loader take as the Kita export's columns.
PROBE = """
import json
from helpers.core.schema import headers
from helpers.sources import kita
from helpers.synth import _kita_rows
from helpers.tools import scaffold

class Sample:  # the one attribute the Kita rows read: no frames, only the header
    class frames:
        kita = __import__("pandas").DataFrame(columns=["year"])
    names = {}

print(json.dumps({
    "generator": _kita_rows(Sample, 2025)[0],
    "scaffold": scaffold.standard_headers("kita"),
    "synonyms": sorted(scaffold.SYNONYMS),
    "loader": [c.header for c in kita.COLUMNS],
    "schema": headers("kita"),
}, ensure_ascii=False))
"""


def probe(src: Path) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", PROBE], env={"PYTHONPATH": str(src)}, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


def test_a_header_renamed_in_a_copy_of_the_schema_reaches_generator_scaffold_and_loader(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(ROOT / "src", src, ignore=shutil.ignore_patterns("__pycache__"))
    file = src / "helpers" / "core" / "schema.py"
    text = file.read_text(encoding="utf-8")
    assert text.count('"Kindertagespflege"') == 1
    file.write_text(text.replace('"Kindertagespflege"', '"Tagespflege (Kinder)"'), encoding="utf-8")
    before, after = probe(ROOT / "src"), probe(src)
    assert before["generator"][-1] == before["scaffold"][-1] == before["loader"][-1] == "Kindertagespflege"
    expected = [
        "Stichtag",
        "Stadtteil-Nr",
        "Stadtteil",
        "Altersgruppe",
        "Kindertageseinrichtung",
        "Tagespflege (Kinder)",
    ]
    assert after["generator"] == after["scaffold"] == after["loader"] == after["schema"] == expected
    assert "Tagespflege (Kinder)" in after["synonyms"] and "Kindertagespflege" not in after["synonyms"]


def test_formats_derive_from_the_schema_in_process():
    assert [c.header for c in kita.COLUMNS] == schema.headers("kita") == scaffold.standard_headers("kita")
    assert [c.header for c in population.COLUMNS] == schema.headers("population")
    assert scaffold.standard_headers("sgb2") == []  # the BA workbooks are no CSV exports
    assert scaffold.SYNONYMS["Kindertagespflege"] == ("tagespflege", "kindertagespflege", "pflege")


def test_renamed_copy_leaves_the_schema_alone():
    changed = schema.renamed("kita", "tagespflege", "Tagespflege")
    assert changed["kita"].headers[-1] == "Tagespflege"
    assert schema.headers("kita")[-1] == "Kindertagespflege"
