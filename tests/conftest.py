"""Shared fixtures: the real config, a small 2-years x 2-Stadtteile config, raw CSV writers."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from helpers.core.schema import headers

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "config" / "leverkusen.yml"
#: Files a project's config folder needs besides the commune config itself.
CONFIG_FILES = ("sample_leverkusen.yml", "leitbild_leverkusen.yml")
#: The register export's standard header line (``helpers.core.schema``).
HEADER = ";".join(headers("population"))


def small_config_dict(years: tuple[int, int] = (2024, 2025)) -> dict:
    """Leverkusen's config cut down to two Stadtteile (in two Stadtbezirke) and two years."""
    data = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    keep = {"101", "201"}
    data["stadtteile"] = [s for s in data["stadtteile"] if s["code"] in keep]
    data["stadtbezirke"] = [b for b in data["stadtbezirke"] if b["code"] in {"1", "2"}]
    data["years"] = {"data": {"first": years[0], "last": years[1]}, "report_count": 2}
    data["analysis"]["geometry"] = {}  # Leverkusen's 13 approximated areas do not fit two Stadtteile
    return data


def copy_code(root: Path) -> None:
    """Copy the project's code (src, notebooks, dodo.py) into a temporary project folder."""
    for folder in ("src", "notebooks"):
        shutil.copytree(ROOT / folder, root / folder, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "dodo.py", root)


def copy_config_files(target: Path, codes: set[str]) -> None:
    """Copy the config folder's companion files; keep only Leitbild targets for ``codes``."""
    target.mkdir(parents=True, exist_ok=True)
    for name in CONFIG_FILES:
        shutil.copy(ROOT / "config" / name, target)
    leitbild = yaml.safe_load((ROOT / "config" / "leitbild_leverkusen.yml").read_text(encoding="utf-8"))
    for ziel in leitbild["leitziele"]:
        ziel["ziele"] = [t for t in ziel["ziele"] if t.get("gebiet") in (None, *codes)]
    (target / "leitbild_leverkusen.yml").write_text(yaml.safe_dump(leitbild, allow_unicode=True), encoding="utf-8")


@pytest.fixture
def small_project(tmp_path: Path) -> Path:
    """A project folder with the small config (and the generator parameters) in config/."""
    copy_config_files(tmp_path / "config", {"101", "201"})
    (tmp_path / "config" / "small.yml").write_text(
        yaml.safe_dump(small_config_dict(), allow_unicode=True), encoding="utf-8"
    )
    return tmp_path


def write_register(path: Path, rows: list[str], encoding: str = "cp1252", header: str = HEADER) -> Path:
    """Write a register export with the given data rows (CRLF, like the registry)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(("\r\n".join([header, *rows]) + "\r\n").encode(encoding))
    return path


def doit(project: Path, *args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    """Run doit on the small config in a project copy (its own ``src`` first on the path)."""
    env = {**os.environ, "PYTHONPATH": str(project / "src"), "MPLBACKEND": "Agg", "PYTHONUNBUFFERED": "1"}
    env.pop("MONITORING_TMP_DIR", None)
    return subprocess.run(
        [sys.executable, "-m", "doit", *args, "config=config/small.yml"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def executed_tasks(result: subprocess.CompletedProcess) -> list[str]:
    """Tasks doit ran (lines '.  name  [progress]'); up-to-date ones print nothing."""
    return sorted(line[3:].split()[0] for line in result.stdout.splitlines() if line.startswith(".  "))
