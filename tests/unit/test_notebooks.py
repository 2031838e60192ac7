"""House rules for notebooks: thin, parameterised, stored as text without outputs."""

from __future__ import annotations

import ast

import jupytext
import pytest
from conftest import ROOT
from jupytext.config import find_jupytext_configuration_file, load_jupytext_configuration_file

from helpers.core.registry import REPORTS
from helpers.pipeline.execution import notebook_parameters

NOTEBOOKS = {kind: report.notebook for kind, report in REPORTS.items()}

SOURCES = sorted((ROOT / "notebooks").glob("*.py"))


def test_every_report_notebook_exists():
    assert {p.name for p in SOURCES} == set(NOTEBOOKS.values())


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_parameters_cell(path):
    params = notebook_parameters(jupytext.read(path))
    assert {"config_path", "year"} <= set(params)
    if path.name == NOTEBOOKS["profil"]:
        assert "stadtteil" in params
    for default in params.values():  # primitives only
        assert isinstance(ast.literal_eval(default), str | int | float | bool)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_notebook_is_thin(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    defs = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.ClassDef | ast.Lambda)]
    loops = [n for n in ast.walk(tree) if isinstance(n, ast.For | ast.While)]
    assert not defs, "logic belongs in src/helpers, not in notebooks"
    assert not loops, "notebooks do not loop; doit fans out over years and Stadtteile"
    branches = [n for n in ast.walk(tree) if isinstance(n, ast.If | ast.IfExp | ast.comprehension)]
    assert not branches, "notebooks call and show; a section builder returns the section or its note"
    assert "Path(" not in path.read_text(encoding="utf-8"), "paths come from helpers.core.paths"


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_stored_as_py_percent_and_opens_as_notebook(path):
    text = path.read_text(encoding="utf-8")
    assert "format_name: percent" in text
    nb = jupytext.read(path)
    assert nb.nbformat == 4 and len(nb.cells) > 3
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
    config = load_jupytext_configuration_file(find_jupytext_configuration_file(str(path.parent)))
    assert jupytext.writes(nb, fmt="py:percent", config=config) == text  # stable round trip
