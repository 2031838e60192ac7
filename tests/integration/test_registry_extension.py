"""Adding a source, an indicator and a report kind touches the registry and their own code only.

In a temporary copy, a new raw source ("Familienzentren-Besuche"), a selection on it, an
indicator in the catalogue and a new report kind are added: one registry entry each, plus
the builder, the atom function, the notebook and the config/catalogue lines. doit then
builds the new page end to end, with the indicator computed and protected like any other.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import copy_code, copy_config_files, doit, small_config_dict

from helpers.core.config import SHIPPED_CATALOGUE

pytestmark = pytest.mark.integration

BUILDER = '''
"""Test source: visits to family centres per Stadtteil and year."""

import pandas as pd

from helpers.core.config import Config
from helpers.core.paths import ProjectPaths


def build_family_centres(config: Config) -> dict[str, pd.DataFrame]:
    (path,) = ProjectPaths(config).raw_source_files("family_centres")
    frame = pd.read_csv(path, sep=";", dtype={"stadtteil_code": str})
    return {"family_centres": frame}
'''

ATOMS = '''
"""Atoms of the test source: one count per Stadtteil and year."""

from helpers.indicators.atoms import ATOM_COLUMNS, Atoms


def family_centre_atoms(sel, tables, config):
    frame = tables["family_centres"].rename(columns={"visits": "value"}).assign(atom="fz")
    return Atoms(frame.astype({"value": float})[ATOM_COLUMNS], family="family_centres")
'''

REGISTRY = """

# --- added by the registry extension test ---
TABLES["family_centres"] = Table("family_centres", "familienzentren")
SOURCES["family_centres"] = Source(
    "family_centres", "helpers.sources.family_centres:build_family_centres", ("family_centres",), "Familienzentren"
)
SELECTIONS["family_centres"] = Selection(
    "family_centres",
    "helpers.indicators.family_centre_atoms:family_centre_atoms",
    ("family_centres",),
    ("family_centres",),
    "family_centres",
)
PAGES["familienzentren"] = Page(
    "familienzentren", "familienzentren.py", PER_YEAR, "{year}/{kind}.html",
    "Familienzentren", "Test report: family centres", ("indicators", "family_centres"),
    templates=NOTEBOOK_TEMPLATES,
)
"""

SCHEMA = """

# --- added by the registry extension test: the new table's declared columns and key ---
TABLES["family_centres"] = Table(
    "family_centres",
    (Column("year", "int"), Column("stadtteil_code", "str"), Column("visits", "int", unit="visits")),
    key=("year", "stadtteil_code"),
)
"""

NOTEBOOK = """\
# %% [markdown] tags=["remove-cell"]
# Test report of the registry extension test.

# %% tags=["parameters"]
config_path = "../config/leverkusen.yml"
year = 2025

# %%
from IPython.display import Markdown, display

from helpers.report.context import open_report

ctx = open_report(config_path, year, kind="familienzentren")
published = ctx.table("indicators").query("indicator_id == 'fz_visits' and year == @year and area_level == 'stadt'")

# %% [markdown]
# ## Besuche in Familienzentren

# %%
display(Markdown(f"Besuche je 1.000 unter 6-Jährige: {published['value'].iloc[0]:.1f}"))
"""

INDICATOR = {
    "id": "fz_visits",
    "name": "Besuche in Familienzentren",
    "short": "Familienzentren",
    "definition": "Besuche in Familienzentren je 1.000 Kinder unter 6 Jahren",
    "numerator": {"source": "family_centres"},
    "denominator": {"source": "population", "ages": [0, 5]},
    "unit": "per_1000",
    "phase": "Frühe Kindheit 0–3",
    "direction": "higher_better",
    "kind": "service",
    "reference_date": "Kalenderjahr",
}


def test_a_source_indicator_and_report_added_through_the_registry_build_end_to_end(tmp_path: Path):
    root = tmp_path / "projekt"
    copy_code(root)
    copy_config_files(root / "config", {"101", "201"})
    helpers = root / "src" / "helpers"
    (helpers / "sources" / "family_centres.py").write_text(textwrap.dedent(BUILDER), encoding="utf-8")
    (helpers / "indicators" / "family_centre_atoms.py").write_text(textwrap.dedent(ATOMS), encoding="utf-8")
    registry = helpers / "core" / "registry.py"
    registry.write_text(registry.read_text(encoding="utf-8") + REGISTRY, encoding="utf-8")
    schema = helpers / "core" / "schema.py"  # every processed table is declared before it is written
    schema.write_text(schema.read_text(encoding="utf-8") + SCHEMA, encoding="utf-8")
    (root / "notebooks" / "familienzentren.py").write_text(NOTEBOOK, encoding="utf-8")

    catalogue_path = root / "config" / "indikatoren.yml"  # the commune's own catalogue, extended
    catalogue = yaml.safe_load(SHIPPED_CATALOGUE.read_text(encoding="utf-8"))
    catalogue["indicators"].append(INDICATOR)
    catalogue_path.write_text(yaml.safe_dump(catalogue, allow_unicode=True), encoding="utf-8")
    config = small_config_dict((2024, 2025))
    config["indicators"] = {"catalogue": "indikatoren.yml"}
    config["sources"]["family_centres"] = {"pattern": "familienzentren/besuche.csv", "holder": "Jugendamt (Test)"}
    (root / "config" / "small.yml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    assert doit(root, "generate_sample").returncode == 0
    raw = root / "data" / "raw" / "familienzentren" / "besuche.csv"
    raw.parent.mkdir(parents=True, exist_ok=True)
    raw.write_text(
        "year;stadtteil_code;visits\n2024;101;120\n2024;201;80\n2025;101;130\n2025;201;90\n", encoding="utf-8"
    )

    listed = doit(root, "list", "--all")
    assert "process:family_centres" in listed.stdout and "familienzentren:2025" in listed.stdout

    result = doit(root, "familienzentren:2025")
    assert result.returncode == 0, result.stdout + result.stderr
    page = (root / "reports" / "2025" / "familienzentren.html").read_text(encoding="utf-8")
    assert "Besuche in Familienzentren" in page and "Familienzentren 2025 – Leverkusen" in page

    indicators = pd.read_parquet(root / "data" / "processed" / "indikatoren.parquet")
    city = indicators.query("indicator_id == 'fz_visits' and year == 2025 and area_level == 'stadt'")
    persons_u6 = pd.read_parquet(root / "data" / "processed" / "bevoelkerung_kennzahlen.parquet").query(
        "year == 2025 and area_level == 'stadt'"
    )["persons_u6"]
    assert city["value"].iloc[0] == pytest.approx(1000 * (130 + 90) / persons_u6.iloc[0])
    assert f"{city['value'].iloc[0]:.1f}" in page
    assert (root / "data" / "processed" / "familienzentren.csv").is_file()
