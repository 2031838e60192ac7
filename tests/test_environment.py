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
