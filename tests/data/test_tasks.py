"""Task generation from a config: names, docs, exact dependencies and targets."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import ROOT

from helpers.core.config import load_config
from helpers.core.paths import ProjectPaths
from helpers.core.registry import SOURCES
from helpers.indicators.plan import commune_indicator_ids
from helpers.pipeline.deps import PACKAGE_DIR, helper_files
from helpers.pipeline.tasks import default_tasks, generate_tasks


@pytest.fixture
def tasks(small_project: Path) -> dict[str, dict]:
    shutil.copytree(ROOT / "notebooks", small_project / "notebooks")
    config = load_config(small_project / "config" / "small.yml")
    out = {}
    for t in generate_tasks(config):
        name = t["basename"] + (f":{t['name']}" if t.get("name") else "")
        out[name] = t
    return out


def test_one_task_per_report_and_source(tasks, small_project):
    config = load_config(small_project / "config" / "small.yml")
    runnable = sorted(n for n, t in tasks.items() if "actions" in t and not n.startswith("pdf:"))
    assert runnable == sorted(
        [
            "generate_sample",
            "stylesheet",
            "glossar",
            "kommune",
            "datenpruefung",
            "aufraeumen",
            "geheimhaltung",
            "indicators",
            "opendata",
            "gesamtstadt:2024",
            "gesamtstadt:2025",
            "analysen",
            "hze_analyse",
            "sozialraum:2024",
            "sozialraum:2025",
            "hze:2024",
            "hze:2025",
            "methoden:2024",
            "methoden:2025",
            "index",
            "herkunft",
            *sorted(f"process:{s}" for s in SOURCES),
            # per-report-year slices of the tables the pages read by year
            *(f"jahresauszug:{t}" for t in ("indicators", "indicators_hze", "population_bands")),
            "jahresauszug:social_index",
            *(f"jahresauszug:{t}" for t in ("trends", "funnel_eb", "need_supply")),
            *(f"jahresauszug:{t}" for t in ("hze_descriptive", "hze_its", "hze_effects", "hze_event_study")),
            "jahresauszug:hze_balance",
            # the published rows of each indicator, for its fact sheet
            "kennzahlauszug",
            # indicator values: one task per numerator selection of the catalogue
            *(f"kennzahlen:{s}" for s in ("population", "sgb2", "unemployment", "kita", "seu", "transitions")),
            *(f"kennzahlen:{s}" for s in ("hze", "hze_eur", "welcome_visits", "services")),
            "profil:2024-opladen",
            "profil:2024-wiesdorf",
            "profil:2025-opladen",
            "profil:2025-wiesdorf",
            # fact sheets: the overview and one per computed indicator (all 34 of the catalogue here)
            "kennzahlenblatt:uebersicht",
            *(f"kennzahlenblatt:{i}" for i in commune_indicator_ids(config)),
        ]
    )
    assert len(commune_indicator_ids(config)) == 34
    assert all(t.get("doc") for t in tasks.values())
    assert tasks["profil:2025-opladen"]["doc"] == "Stadtteilprofil Opladen 2025 – Leverkusen"
    assert set(default_tasks(config)) - {"pdf"} == {
        "stylesheet",
        "glossar",
        "process",
        "herkunft",
        "jahresauszug",
        "kennzahlen",
        "indicators",
        "opendata",
        "analysen",
        "hze_analyse",
        "sozialraum",
        "hze",
        "methoden",
        "kennzahlauszug",
        "kennzahlenblatt",
        "profil",
        "gesamtstadt",
        "datenpruefung",
        "aufraeumen",
        "index",
        "geheimhaltung",
    }


def names(files) -> set[str]:
    return {Path(f).name for f in files}


def test_process_depends_on_raw_files_and_its_code_only(tasks, small_project):
    deps = names(tasks["process:population"]["file_dep"])
    assert {"EWO_Bestand_2024-12-31.csv", "EWO_Bestand_2025-12-31.csv"} <= deps and "small.yml" not in deps
    assert {"process.py", "population.py", "demography.py", "validation.py", "io.py"} <= deps
    # only its own builder's code: a change in another source's loader does not re-run it
    assert not deps & {"sgb2.py", "kita.py", "plots.py", "display.py", "execution.py", "stadtteil_profil.py"}
    targets = names(tasks["process:population"]["targets"])
    assert "bevoelkerung_altersgruppen.parquet" in targets and "bevoelkerung_kennzahlen.csv" in targets


def test_report_depends_on_notebook_tables_helpers_and_templates(tasks):
    task = tasks["profil:2025-wiesdorf"]
    deps = names(task["file_dep"])
    assert {"stadtteil_profil.py", "plots.py", "display.py", "execution.py", "pages.py"} <= deps
    assert {"bevoelkerung_kennzahlen.parquet", "bevoelkerung_altersgruppen.parquet"} <= deps
    assert {"index.html.j2", "shell.html.j2", "fragments.html.j2"} <= deps
    # not the config file (its parsed values, doit config_changed) nor the stylesheet (linked, not rendered)
    assert not deps & {"small.yml", "report.css", "methods.html.j2", "entry.html.j2"}
    assert not deps & {"EWO_Bestand_2025-12-31.csv", "process.py", "validation.py"}
    assert sorted(Path(t).as_posix().split("/")[-3:] for t in task["targets"]) == [
        ["2025", "stadtteile", "wiesdorf.html"],
        ["executed", "2025", "profil_wiesdorf.ipynb"],
    ]


def test_a_page_depends_on_the_rows_of_its_report_year_only(tasks, small_project):
    """Pages of 2024 read the 2024 slices (rows up to 2024, or computed for report year 2024),
    so a change that leaves those rows as they were does not re-run them."""
    paths = ProjectPaths(load_config(small_project / "config" / "small.yml"))
    page = tasks["sozialraum:2024"]["file_dep"]
    for name in ("indicators", "trends", "social_index"):
        assert str(paths.year_slice(name, 2024)) in page
        assert str(paths.year_slice(name, 2025)) not in page
        assert str(paths.processed_table(name)) not in page
    # a table pages read whole (the register's history on the profile) stays a dependency as is
    assert str(paths.processed_table("population_summary")) in tasks["profil:2024-wiesdorf"]["file_dep"]
    # the slices come from the whole table; the banner from herkunft.json, not from the raw files
    slices = tasks["jahresauszug:indicators"]
    assert str(paths.processed_table("indicators")) in slices["file_dep"]
    assert sorted(slices["targets"]) == [str(paths.year_slice("indicators", y)) for y in (2024, 2025)]
    assert str(paths.synthetic_status) in page and str(paths.synthetic_status) in tasks["index"]["file_dep"]
    assert tasks["herkunft"]["targets"] == [str(paths.synthetic_status)]
    assert not [d for d in page if "/data/raw/" in d]
    # the HzE page shows only the HzE phase: it reads the HzE rows of the published indicators
    hze = tasks["hze:2025"]["file_dep"]
    assert str(paths.year_slice("indicators_hze", 2025)) in hze
    assert str(paths.year_slice("indicators", 2025)) not in hze


def test_generator_is_never_implied_by_raw_files(tasks):
    """Raw files are no task's target, so doit never runs the generator on its own."""
    targets = {t for task in tasks.values() for t in task.get("targets", [])}
    assert not any("/data/raw/" in t for t in targets)
    assert tasks["generate_sample"]["uptodate"] == [False]


def test_helper_closure_follows_imports_transitively():
    files = {p.name for p in helper_files(ROOT / "notebooks" / "stadtteil_profil.py")}
    # context -> config, paths; display -> demography -> formatting
    assert {
        "context.py",
        "config.py",
        "paths.py",
        "display.py",
        "demography.py",
        "formatting.py",
    } <= files
    assert "__init__.py" in files and "population.py" not in files
    assert all(p.is_relative_to(PACKAGE_DIR) for p in helper_files(PACKAGE_DIR / "pipeline" / "tasks.py"))


def test_atomic_writers_leave_identical_outputs_untouched(tmp_path):
    """Same bytes: no write, same mtime (doit then sees an unchanged dependency); new bytes: written."""
    import os

    import pandas as pd

    from helpers.core.io import write_csv_atomic, write_parquet_atomic, write_text_atomic

    frame = pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})
    for target, write in (
        (tmp_path / "t.txt", lambda p, v: write_text_atomic(p, f"Wert {v}\n")),
        (tmp_path / "t.parquet", lambda p, v: write_parquet_atomic(frame.assign(a=v), p)),
        (tmp_path / "t.csv", lambda p, v: write_csv_atomic(frame.assign(a=v), p)),
    ):
        assert write(target, 1) is True
        os.utime(target, ns=(1_000_000_000, 1_000_000_000))
        assert write(target, 1) is False
        assert target.stat().st_mtime_ns == 1_000_000_000
        assert write(target, 2) is True
        assert target.stat().st_mtime_ns != 1_000_000_000


def test_a_value_task_reads_only_the_tables_of_its_indicators(tasks, small_project):
    config = load_config(small_project / "config" / "small.yml")
    paths = ProjectPaths(config)
    kita = tasks["kennzahlen:kita"]
    assert str(paths.processed_table("kita")) in kita["file_dep"]
    assert str(paths.processed_table("population")) in kita["file_dep"]
    assert str(paths.processed_table("sgb2")) not in kita["file_dep"]
    assert kita["targets"] == [str(paths.processed_table("indicator_values_kita"))]
    protect = tasks["indicators"]["file_dep"]
    assert str(paths.processed_table("indicator_values_kita")) in protect
    hze = tasks["hze_analyse"]["file_dep"]
    assert str(paths.processed_table("indicators_hze")) in hze
    assert str(paths.processed_table("indicators")) not in hze


def _checks(config) -> dict[str, object]:
    """Task name -> the value its ``config_changed`` check compares (None: no config check)."""
    out = {}
    for t in generate_tasks(config):
        found = [u for u in t.get("uptodate", []) if hasattr(u, "_calc_digest")]
        out[t["basename"] + (f":{t['name']}" if t.get("name") else "")] = found[0]._calc_digest() if found else None
    return out


def test_tasks_depend_on_the_config_sections_they_read_not_on_the_file(small_project):
    """A comment changes no task's check; a page label re-runs pages only; a source's layout its own
    processing and everything downstream, not another source's processing."""
    shutil.copytree(ROOT / "notebooks", small_project / "notebooks")
    path = small_project / "config" / "small.yml"
    text = path.read_text(encoding="utf-8")
    before = _checks(load_config(path))
    assert all(v is not None for n, v in before.items() if n.startswith(("process:", "profil:", "methoden:")))
    path.write_text(text + "\n# Kommentar: nur zur Erinnerung\n", encoding="utf-8")
    assert _checks(load_config(path)) == before
    import yaml

    data = yaml.safe_load(text)
    data.setdefault("publication", {})["publisher"] = "Testamt"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    changed = {n for n, v in _checks(load_config(path)).items() if v != before[n]}
    assert {"profil:2025-wiesdorf", "methoden:2025", "glossar", "index", "opendata"} <= changed
    assert not changed & {"process:population", "indicators", "analysen", "kennzahlen:kita", "jahresauszug:trends"}
    data = yaml.safe_load(text)
    data.setdefault("execution", {})["timeout_seconds"] = 1234
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert {n for n, v in _checks(load_config(path)).items() if v != before[n]} == set()
    data = yaml.safe_load(text)
    data["sources"]["kita"]["holder"] = "Anderes Amt"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    changed = {n for n, v in _checks(load_config(path)).items() if v != before[n]}
    assert "process:kita" in changed and "process:sgb2" not in changed
