"""Config validation: the shipped config, and bad configs with clear messages."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from conftest import CONFIG, small_config_dict

from helpers.core.config import ConfigError, load_config


def write(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "c.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_leverkusen_config_is_valid():
    config = load_config(CONFIG)
    assert config.commune.ags == "05316000"
    assert len(config.stadtteile) == 13
    assert len(config.stadtbezirke) == 3
    assert config.data_years == list(range(2010, 2026))
    assert config.report_years == [2023, 2024, 2025]
    assert config.stadtteil("kueppersteg").name == "Küppersteg"
    assert config.stadtteil("205").name == "Bergisch Neukirchen"
    bezirk_sizes = {b.code: 0 for b in config.stadtbezirke}
    for s in config.stadtteile:
        bezirk_sizes[s.stadtbezirk] += 1
    assert bezirk_sizes == {"1": 4, "2": 5, "3": 4}
    assert config.root == CONFIG.parent.parent


def test_explicit_report_years(tmp_path):
    data = small_config_dict()
    data["years"]["report"] = [2025, 2024]
    assert load_config(write(tmp_path, data)).report_years == [2024, 2025]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d["commune"].update(ags="5316000"), "commune.ags"),
        (lambda d: d["stadtteile"].append(dict(d["stadtteile"][0])), "Kennziffer eines Stadtteils doppelt"),
        (lambda d: d["stadtteile"][0].update(stadtbezirk="9"), "nennt Stadtbezirk '9'"),
        (lambda d: d["stadtteile"][0].update(slug="Wies dorf"), "stadtteile.0.slug"),
        (lambda d: d["years"].update(report=[2030]), "außerhalb der Datenjahre"),
        (lambda d: d["years"]["data"].update(last=2000), "liegt vor first"),
        (lambda d: d.update(colour="blau"), "unbekannter Schlüssel (Tippfehler?"),
        (lambda d: d.pop("commune"), "commune: Angabe fehlt"),
        (lambda d: d["age_bands"].pop(0), "erwartet 0"),
        (lambda d: d["thresholds"].update(min_cell_count=0), "thresholds.min_cell_count"),
        (
            lambda d: d["stadtbezirke"].append({"code": "9", "name": "Leer"}),
            "ohne Stadtteil",
        ),
    ],
)
def test_bad_config_names_the_problem(tmp_path, change, expected):
    data = small_config_dict()
    change(data)
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, data))
    assert expected in str(err.value)
    assert str(tmp_path / "c.yml") in str(err.value)


def test_missing_and_unparseable_config(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.yml")
    bad = tmp_path / "bad.yml"
    bad.write_text("commune: [unclosed", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(bad)
