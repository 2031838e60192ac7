"""Shared fixtures: the real config, a small 2-years x 2-Stadtteile config, raw CSV writers."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "config" / "leverkusen.yml"
HEADER = "Stichtag;Stadtteil-Nr;Stadtteil;Alter;Geschlecht;Staatsangehörigkeit;Anzahl"


def small_config_dict(years: tuple[int, int] = (2024, 2025)) -> dict:
    """Leverkusen's config cut down to two Stadtteile (in two Stadtbezirke) and two years."""
    data = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    keep = {"101", "201"}
    data["stadtteile"] = [s for s in data["stadtteile"] if s["code"] in keep]
    data["stadtbezirke"] = [b for b in data["stadtbezirke"] if b["code"] in {"1", "2"}]
    data["years"] = {"data": {"first": years[0], "last": years[1]}, "report_count": 2}
    return data


@pytest.fixture
def small_project(tmp_path: Path) -> Path:
    """A project folder with the small config (and the generator parameters) in config/."""
    (tmp_path / "config").mkdir()
    shutil.copy(ROOT / "config" / "sample_leverkusen.yml", tmp_path / "config")
    (tmp_path / "config" / "small.yml").write_text(
        yaml.safe_dump(small_config_dict(), allow_unicode=True), encoding="utf-8"
    )
    return tmp_path


def write_register(
    path: Path, rows: list[str], encoding: str = "cp1252", header: str = HEADER
) -> Path:
    """Write a register export with the given data rows (CRLF, like the registry)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(("\r\n".join([header, *rows]) + "\r\n").encode(encoding))
    return path
