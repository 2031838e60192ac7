"""A page kind that is a function, not a notebook, added through the page registry alone.

In a temporary copy, one entry in ``registry.PAGES`` and a tiny renderer module add the page kind
"Einwohnerblatt" (one page per report year, reading the register's key figures): doit lists and
builds one task per report year, the page is among the published pages (so the audit reads it: an
untagged number on it is found), and when the entry is removed the cleanup removes its pages.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml
from conftest import copy_code, copy_config_files, doit, small_config_dict

pytestmark = pytest.mark.integration

RENDERER = '''
"""Test page: the city's residents of a report year."""

import pandas as pd

from helpers.core.formatting import fmt_number
from helpers.core.paths import ProjectPaths


def resident_page(config, ref, inputs):
    frame = pd.read_parquet(ProjectPaths(config).processed_table("population_summary"))
    city = frame[(frame["year"] == ref.year) & (frame["area_level"] == "stadt")]
    total = fmt_number(city["persons"].iloc[0])
    return (
        f"<html><body><h1>Einwohnerblatt {ref.year}</h1>"
        f'<p>Einwohner: <span data-public="population">{total}</span></p>'
        f"<p>Zahl ohne Kennzeichnung: 7</p></body></html>\\n"
    )
'''

ENTRY = """

# --- added by the page registry test ---
PAGES["einwohner"] = Page(
    "einwohner",
    "helpers.site.einwohnerblatt:resident_page",
    PER_YEAR,
    "{year}/einwohner.html",
    "Einwohnerblatt",
    "Test page: the residents of a report year",
    ("population_summary",),
)
"""

AUDIT = """
import helpers.site.audit as audit
from helpers.core.config import load_config
from helpers.site.sitemap import published_pages

config = load_config("config/small.yml")
print("\\n".join(str(p.relative_to(config.root)) for p in published_pages(config)))
audit.expected_cells = lambda config: {}  # only the new pages exist: no indicator table needed
print("\\n".join(audit.check_pages(config)))
"""


def test_a_site_page_kind_added_through_the_registry_is_built_published_audited_and_cleaned(tmp_path: Path):
    root = tmp_path / "projekt"
    copy_code(root)
    copy_config_files(root / "config", {"101", "201"})
    (root / "config" / "small.yml").write_text(
        yaml.safe_dump(small_config_dict((2024, 2025)), allow_unicode=True), encoding="utf-8"
    )
    helpers = root / "src" / "helpers"
    (helpers / "site" / "einwohnerblatt.py").write_text(textwrap.dedent(RENDERER), encoding="utf-8")
    registry = helpers / "core" / "registry.py"
    original = registry.read_text(encoding="utf-8")
    registry.write_text(original + ENTRY, encoding="utf-8")
    assert doit(root, "generate_sample").returncode == 0

    listed = doit(root, "list", "--all").stdout
    assert "einwohner:2024" in listed and "einwohner:2025" in listed and "Einwohnerblatt 2025" in listed

    result = doit(root, "einwohner")
    assert result.returncode == 0, result.stdout + result.stderr
    pages = [root / "reports" / str(y) / "einwohner.html" for y in (2024, 2025)]
    assert all(p.is_file() for p in pages)
    assert '<h1>Einwohnerblatt 2025</h1><p>Einwohner: <span data-public="population">' in pages[1].read_text()
    assert "Fertig: 0 ausgeführt" in doit(root, "einwohner").stdout  # up to date: nothing re-runs

    env = {**os.environ, "PYTHONPATH": str(root / "src")}
    run = subprocess.run([sys.executable, "-c", AUDIT], cwd=root, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "reports/2025/einwohner.html" in run.stdout.splitlines()
    found = [line for line in run.stdout.splitlines() if "einwohner.html" in line and "ohne Kennzeichnung" in line]
    assert len(found) == 2 and all(line.endswith("'Zahl ohne Kennzeichnung: 7'") for line in found)  # audited

    registry.write_text(original, encoding="utf-8")  # the kind is no longer registered
    result = doit(root, "aufraeumen")
    assert result.returncode == 0, result.stdout + result.stderr
    assert not any(p.exists() for p in pages)
    assert "entfernt (nicht mehr konfiguriert): reports/2025/einwohner.html" in result.stdout
