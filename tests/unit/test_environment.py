"""environment.yml (conda/mamba) and pyproject.toml (pip) declare the same environment."""

from __future__ import annotations

import tomllib

import yaml
from conftest import ROOT
from packaging.requirements import Requirement


def pip_requirements() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    return {Requirement(r).name.lower(): str(Requirement(r).specifier) for r in reqs}


def conda_requirements() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    out = {}
    for dep in env["dependencies"]:
        if isinstance(dep, str) and dep not in ("pip",) and not dep.startswith("python="):
            req = Requirement(dep)
            out[req.name.lower()] = str(req.specifier)
    return out


def test_same_packages_and_ranges():
    assert conda_requirements() == pip_requirements()


def test_python_version_agrees():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert "python=3.11" in env["dependencies"]
    assert project["requires-python"] == ">=3.11,<3.12"


def test_notebook_tooling_skips_the_slow_iri_grammar_and_still_validates():
    """helpers blocks rfc3987_syntax (Lark grammars built at import, 2.3 s per process);
    nbformat's validation must still work and reject a broken notebook."""
    import subprocess
    import sys

    code = (
        "import sys, helpers, nbformat\n"
        "from helpers.pipeline import execution\n"
        "assert sys.modules['rfc3987_syntax'] is None\n"
        "nbformat.validate(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('1')]))\n"
        "bad = nbformat.v4.new_notebook(); bad.cells.append({'cell_type': 'code'})\n"
        "try:\n"
        "    nbformat.validate(bad)\n"
        "except nbformat.ValidationError:\n"
        "    print('rejected')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT / "src", check=True)
    assert out.stdout.strip() == "rejected"


def test_docs_state_the_size_of_the_shipped_catalogue():
    from helpers.indicators.catalogue import load_catalogue

    n = len(load_catalogue(ROOT / "src" / "helpers" / "indicators" / "indikatoren.yml").indicators)
    methods = (ROOT / "docs" / "methods.md").read_text(encoding="utf-8")
    pages = (ROOT / "docs" / "pages.md").read_text(encoding="utf-8")
    assert f"the one catalogue ({n} indicators" in methods and f"(sample: {n} sheets" in pages
