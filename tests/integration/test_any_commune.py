"""Any commune by config alone: the plan of sources, indicators and pages, and a build with
only the residents' register (every other source optional)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, copy_code, copy_config_files, doit, small_config_dict

from helpers.core.availability import built_reports, missing_source_text, step_reason
from helpers.core.config import ConfigError, load_config
from helpers.indicators.plan import commune_plan, plan_text


def _config(tmp_path: Path, **changes) -> object:
    data = small_config_dict()
    data.update(changes)
    copy_config_files(tmp_path / "config", {"101", "201"})
    path = tmp_path / "config" / "c.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return load_config(path)


def _only(tmp_path: Path, *keys: str, **changes):
    data = small_config_dict()
    sources = {k: v for k, v in data["sources"].items() if k in keys}
    return _config(tmp_path, sources=sources, **changes)


def test_full_sample_computes_every_indicator_and_builds_every_page(tmp_path):
    plan = commune_plan(_config(tmp_path))
    assert plan.skipped == {}
    assert len(plan.catalogue.indicators) == 34
    assert plan.key_indicators[:2] == ("sgb2_u15", "u3_care")
    assert plan.status_indicators == ("sgb2_u15", "sgb2_single_parent", "unemployment_15_65", "youth_unemployment")
    assert plan.built_reports == ["profil", "gesamtstadt", "sozialraum", "hze"]


def test_population_only_skips_with_reasons_and_derives_defaults(tmp_path):
    config = _only(tmp_path, "population", leitbild=None)
    plan = commune_plan(config)
    # the register alone gives the population indicators only
    register = ["non_german_u18", "u6_share", "u18_share", "seniors_share", "birth_rate"]
    assert [i.id for i in plan.catalogue.indicators] == register
    assert plan.skipped["u3_care"] == "Für Leverkusen liegen keine Daten der Quelle „Kindertagesbetreuung“ vor."
    assert "„Hilfen zur Erziehung (Fälle)“ und „Hilfen zur Erziehung (Ausgaben)“ vor." in plan.skipped["hze_eur_u21"]
    assert plan.key_indicators == tuple(register)
    assert plan.funnel_indicators == ()
    assert plan.social_index_reason is not None and "Statusindikatoren" in plan.social_index_reason
    assert built_reports(config) == ["profil", "gesamtstadt", "sozialraum"]
    assert "Vergleichskommunen" in step_reason(config, "hze_analyse")
    text = plan_text(config)
    assert "Kennzahlen nicht berechnet (29)" in text
    assert "- Hilfen zur Erziehung: Kosten und Wirkung: nicht erstellt" in text


def test_configured_list_naming_a_missing_indicator_is_a_german_config_error(tmp_path):
    config = _only(tmp_path, "population", leitbild=None, key_indicators=["sgb2_u15", "birth_rate"])
    with pytest.raises(ConfigError, match=r"key_indicators nennt .*'sgb2_u15' \(Für Leverkusen liegen keine Daten"):
        commune_plan(config)


def test_include_exclude_and_overrides_select_from_the_shipped_catalogue(tmp_path):
    indicators = {"exclude": ["birth_rate"], "overrides": {"sgb2_u15": {"pooling": 3, "note": "Eigene Notiz"}}}
    plan = commune_plan(_config(tmp_path, indicators=indicators))
    assert not plan.has("birth_rate") and plan.skipped["birth_rate"].startswith("Ausgeschlossen")
    changed = plan.catalogue.get("sgb2_u15")
    assert (changed.pooling, changed.note) == (3, "Eigene Notiz")
    with pytest.raises(ConfigError, match="unbekannte Kennzahlen"):
        commune_plan(_config(tmp_path, indicators={"include": ["no_such_indicator"]}))
    with pytest.raises(ConfigError, match=r"\['unit'\] nicht änderbar"):
        commune_plan(_config(tmp_path, indicators={"overrides": {"sgb2_u15": {"unit": "eur"}}}))


def test_missing_source_text_lists_names_in_german(tmp_path):
    config = _only(tmp_path, "population")
    assert missing_source_text(config, ["population"]) == ""
    assert missing_source_text(config, ["kita", "seu", "sgb2"]) == (
        "Für Leverkusen liegen keine Daten der Quellen „Kindertagesbetreuung“, „Schuleingangsuntersuchung“ "
        "und „SGB-II-Statistik“ vor."
    )


def test_config_error_names_key_and_yaml_line(tmp_path):
    path = tmp_path / "bad.yml"
    path.write_text(
        "commune:\n  name: X\n  ags: '123'\nstadtteile:\n  - {code: '1', slug: 'A b', name: A}\n"
        "years:\n  data: {first: 2020, last: 2021}\nage_bands: [[alle, 0, 200]]\n"
        "sources:\n  population: {pattern: p.csv, holder: H, colour: red}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as err:
        load_config(path)
    text = str(err.value)
    assert "commune.ags (Zeile 3): Form passt nicht" in text
    assert "stadtteile.0.slug (Zeile 5)" in text
    assert "sources.population.colour (Zeile 10): unbekannter Schlüssel" in text


@pytest.mark.integration
def test_population_only_commune_builds_index_city_report_profiles_and_methods(tmp_path):
    root = tmp_path / "projekt"
    copy_code(root)
    copy_config_files(root / "config", {"101", "201"})
    full = small_config_dict()
    (root / "config" / "small.yml").write_text(yaml.safe_dump(full, allow_unicode=True), "utf-8")
    assert doit(root, "generate_sample").returncode == 0
    only = {**full, "sources": {"population": full["sources"]["population"]}, "leitbild": None}
    (root / "config" / "small.yml").write_text(yaml.safe_dump(only, allow_unicode=True), "utf-8")

    plan = doit(root, "kommune")
    assert plan.returncode == 0, plan.stderr
    assert "Quellen nicht konfiguriert:" in plan.stdout and "  - sgb2: SGB-II-Statistik" in plan.stdout

    build = doit(root, "-n", "2")
    assert build.returncode == 0, build.stdout + build.stderr
    reports = root / "reports"
    for year in (2024, 2025):
        for page in ("gesamtstadt.html", "sozialraum.html", "methoden.html", "stadtteile/wiesdorf.html"):
            assert (reports / str(year) / page).is_file(), page
        assert not (reports / str(year) / "hze.html").exists()
    index = (reports / "index.html").read_text(encoding="utf-8")
    assert "Hilfen zur Erziehung: Kosten und Wirkung: nicht erstellt." in index
    assert 'href="2025/hze.html"' not in index
    methods = (reports / "2025" / "methoden.html").read_text(encoding="utf-8")
    assert "nicht berechnete Kennzahlen" in methods and "Schuleingangsuntersuchung" in methods
    city = (reports / "2025" / "gesamtstadt.html").read_text(encoding="utf-8")
    assert "Für den Sozialraum-Index fehlen Statusindikatoren" in city
    assert "nicht veröffentlicht" not in city  # absent data is never drawn as secrecy
    sozialraum = (reports / "2025" / "sozialraum.html").read_text(encoding="utf-8")
    assert "Kein Stadtteil fällt auf" not in sozialraum  # no finding computed from nothing
    assert "„Präventionsangebote“ vor. Bedarf und Angebot lassen sich daher nicht vergleichen." in sozialraum
    profile = (reports / "2025" / "stadtteile" / "wiesdorf.html").read_text(encoding="utf-8")
    assert "Einwohner (mit Hauptwohnsitz)" in profile
    assert "hze.html" not in profile


EXAMPLE = Path("examples") / "beispielstadt"


@pytest.mark.integration
def test_second_example_commune_builds_every_page_and_reports_missing_sources(tmp_path):
    root = tmp_path / "projekt"
    copy_code(root)
    for folder in ("config", "data/raw"):
        shutil.copytree(ROOT / EXAMPLE / folder, root / EXAMPLE / folder)
    env = {**os.environ, "PYTHONPATH": str(root / "src"), "MPLBACKEND": "Agg"}
    env.pop("MONITORING_TMP_DIR", None)
    config = f"config={EXAMPLE / 'config' / 'beispielstadt.yml'}"
    build = subprocess.run(
        [sys.executable, "-m", "doit", "-n", "2", config],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert build.returncode == 0, build.stdout + build.stderr
    reports = root / EXAMPLE / "reports"
    slugs = [
        s["slug"]
        for s in yaml.safe_load((ROOT / EXAMPLE / "config" / "beispielstadt.yml").read_text("utf-8"))["stadtteile"]
    ]
    for year in (2023, 2024, 2025):
        for page in ("gesamtstadt", "sozialraum", "methoden", *(f"stadtteile/{s}" for s in slugs)):
            assert (reports / str(year) / f"{page}.html").is_file(), page
        assert not (reports / str(year) / "hze.html").exists()
    index = (reports / "index.html").read_text(encoding="utf-8")
    assert "Stadtbezirk" not in index  # a commune without Stadtbezirke has no such column
    assert "Hilfen zur Erziehung: Kosten und Wirkung: nicht erstellt." in index
    methods = (reports / "2025" / "methoden.html").read_text(encoding="utf-8")
    assert "Die Einwohnerdatei enthält keine Spalte „Staatsangehörigkeit“." in methods
    assert "Alter 0 lässt sich aus den Altersgruppen der Einwohnerdatei" in methods
    profile = (reports / "2025" / "stadtteile" / "altstadt.html").read_text(encoding="utf-8")
    assert "Nichtdeutsche" not in profile  # no "." boxes for a breakdown the export does not have
    assert "Für Beispielstadt liegen keine Daten der Quelle „Präventionsangebote“ vor." in profile
    sozialraum = (reports / "2025" / "sozialraum.html").read_text(encoding="utf-8")
    assert sozialraum.count('class="mon-map-svg"') >= 4  # trend, index and value maps from the polygons, inline
    assert "keine Gebietskarte" not in sozialraum
    audit = (root / EXAMPLE / "build" / "checks" / "geheimhaltung_zusammenfassung.txt").read_text(encoding="utf-8")
    assert audit
