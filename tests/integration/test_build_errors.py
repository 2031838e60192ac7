"""Errors a person can act on: grouped raw-data problems, config errors, missing input files.

Hand-made inputs for the pure functions, the reporter on hand-made doit failures, and one
real doit run with a deleted raw file.
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from conftest import ROOT, copy_config_files, doit, small_config_dict
from doit.exceptions import DependencyError, TaskError, UnmetDependency

from helpers.core.config import ConfigError
from helpers.pipeline.errors import (
    ActionableFailure,
    config_block,
    german_block,
    guarded,
    log_path,
    missing_files,
    missing_inputs_block,
    raw_data_block,
    with_german_errors,
)
from helpers.pipeline.progress import ProgressReporter, reporter_for
from helpers.sources.validation import Problem, RawDataError, group_problems

FILE = "data/raw/einwohner/EWO_Bestand_2026-12-31.csv"
UNKNOWN = "Stadtteil-Nr. unbekannt (Konfiguration: ['101', '201'])"


def _problems() -> list[Problem]:
    unknown = [Problem(FILE, 17 + i, "Stadtteil-Nr", UNKNOWN, "999" if i % 2 else "998") for i in range(6194)]
    return [*unknown, Problem(FILE, 230, "Anzahl", "Anzahl darf nicht negativ sein", "-4")]


def test_one_cause_found_many_times_is_one_group_with_a_count():
    groups = group_problems(_problems())
    assert [(g.column, g.count) for g in groups] == [("Stadtteil-Nr", 6194), ("Anzahl", 1)]
    assert groups[0].lines == (17, 18, 19, 20, 21)
    assert groups[0].values == ("998", "999")
    assert groups[1].lines == (230,) and groups[1].values == ("-4",)


def test_groups_keep_files_apart_and_the_order_of_first_appearance():
    problems = [
        Problem("b.csv", 3, "X", "Zahl erwartet", "x"),
        Problem("a.csv", None, None, "Datei fehlt"),
        Problem("b.csv", 9, "X", "Zahl erwartet", "y"),
    ]
    groups = group_problems(problems)
    assert [(g.file, g.count, g.lines) for g in groups] == [("b.csv", 2, (3, 9)), ("a.csv", 1, ())]


def test_raw_data_block_is_short_and_german():
    block = raw_data_block(_problems())
    lines = block.splitlines()
    assert lines[0] == "Rohdaten fehlerhaft: 6.195 Problem(e), nichts wurde geschrieben."
    assert lines[1] == f"  Datei {FILE}:"
    assert lines[2] == (
        f"    - Spalte 'Stadtteil-Nr': {UNKNOWN} – 6.194 ×, Zeilen 17, 18, 19, 20, 21, … (Werte: '998', '999', …)"
    )
    assert lines[3] == "    - Spalte 'Anzahl': Anzahl darf nicht negativ sein, Zeile 230 (Wert: '-4')"
    assert lines[4].startswith("  Was tun: ") and "`make reports` erneut starten" in lines[4]
    assert len(lines) == 5 and "Traceback" not in block


def test_config_errors_name_file_key_or_place():
    invalid = ConfigError("invalid config /p/leverkusen.yml:\n  - years.data.last: Input should be a valid integer")
    assert config_block(invalid).splitlines()[:2] == [
        "Konfiguration fehlerhaft: /p/leverkusen.yml",
        "  Schlüssel years.data.last: Input should be a valid integer",
    ]
    yaml_error = ConfigError(
        'config /p/x.yml is not valid YAML: while parsing a flow node\ndid not find expected node content\n  in "<unicode string>", line 2, column 1'
    )
    block = config_block(yaml_error)
    assert block.startswith("Konfiguration ist kein gültiges YAML: /p/x.yml, Zeile 2, Spalte 1\n")
    assert "did not find expected node content" in block and "unicode string" not in block
    assert config_block(ConfigError("config file not found: /p/y.yml")).startswith(
        "Konfigurationsdatei fehlt: /p/y.yml"
    )
    assert "Was tun:" in config_block(ConfigError("something else"))


class _Coverage(Exception):
    german_message = "Abdeckung unvollständig: Stadtteil 101 fehlt in kita 2025."


def test_german_block_knows_the_actionable_errors_only():
    assert german_block(_Coverage()) == _Coverage.german_message
    assert german_block(RawDataError(_problems())).startswith("Rohdaten fehlerhaft")
    assert german_block(ConfigError("config file not found: x")).startswith("Konfigurationsdatei fehlt")
    assert german_block(ValueError("bug")) is None


def _raise(exc: Exception) -> None:
    raise exc


def test_guarded_turns_actionable_errors_into_a_failure_with_the_traceback():
    task = SimpleNamespace(name="process:population")
    failure = guarded(_raise, [RawDataError(_problems()[-1:])], {}, task)
    assert isinstance(failure, ActionableFailure)
    assert failure.message.startswith("Rohdaten fehlerhaft: 1 Problem(e)")
    assert "RawDataError" in "".join(failure.traceback)
    assert guarded(lambda a, b=0: a + b, [1], {"b": 2}, task) == 3
    with pytest.raises(ValueError):
        guarded(_raise, [ValueError("bug")], {}, task)


def test_with_german_errors_wraps_every_python_action():
    def act(x: int) -> None:
        return None

    tasks = [
        {"basename": "a", "actions": [(act, [1])]},
        {"basename": "g", "name": None},
        {"basename": "b", "actions": ["echo"]},
    ]
    wrapped = list(with_german_errors(tasks))
    assert wrapped[0]["actions"] == [(guarded, [act, [1], {}])]
    assert wrapped[1] == tasks[1] and wrapped[2]["actions"] == ["echo"]


def test_missing_input_block():
    message = (
        "ERROR: Task 'process:kita' checking dependencies: Dependent file '/p/data/raw/kita/K.csv' does not exist."
    )
    assert missing_files(message) == ["/p/data/raw/kita/K.csv"]
    assert missing_files("something else") == []
    loader = "1 Problem(e) in data/raw/kita/K.csv:\n  - data/raw/kita/K.csv: Datei fehlt"
    assert missing_files(loader) == ["data/raw/kita/K.csv"]
    assert missing_files(loader + "\n  - data/raw/x.csv, Zeile 3, Spalte 'A': Zahl erwartet (Wert: 'x')") == []
    failure = guarded(_raise, [RawDataError([Problem("data/raw/kita/K.csv", None, None, "Datei fehlt")])], {}, None)
    assert failure.missing == ["data/raw/kita/K.csv"]
    block = missing_inputs_block({"/p/data/raw/kita/K.csv": ["process:kita"]}, 57, Path("/p"))
    assert block.splitlines()[:2] == [
        "Eingabedatei fehlt: data/raw/kita/K.csv",
        "  benötigt von process:kita – 57 abhängige Aufgabe(n) nicht ausgeführt.",
    ]
    two = missing_inputs_block({"/p/a.csv": ["process:a"], "/p/b.csv": ["process:b"]}, 3, Path("/p"))
    assert two.splitlines()[:3] == ["2 Eingabedateien fehlen:", "  - a.csv", "  - b.csv"]
    assert log_path(Path("build/logs"), "profil:2024-opladen") == Path("build/logs/profil_2024-opladen.log")


def _task(name: str, actions: bool = True):
    return SimpleNamespace(
        name=name,
        task_dep=[],
        setup_tasks=[],
        actions=[SimpleNamespace(out="o", err="e")] if actions else [],
        title=lambda: name,
    )


def test_reporter_collapses_a_missing_file_and_its_dependants(tmp_path):
    out = io.StringIO()
    rep = reporter_for(tmp_path, tmp_path / "build")(out, {})
    tasks = {n: _task(n) for n in ("process:kita", "indicators", "opendata")} | {
        "process": _task("process", actions=False)
    }
    rep.initialize(tasks, list(tasks))
    missing = str(tmp_path / "data/raw/kita/K.csv")
    rep.add_failure(
        tasks["process:kita"],
        DependencyError(
            f"ERROR: Task 'process:kita' checking dependencies: Dependent file '{missing}' does not exist."
        ),
    )
    for name in ("process", "indicators", "opendata"):
        rep.add_failure(tasks[name], UnmetDependency(name))
    rep.complete_run()
    assert out.getvalue().splitlines() == [
        "Eingabedatei fehlt: data/raw/kita/K.csv",
        "  benötigt von process:kita – 2 abhängige Aufgabe(n) nicht ausgeführt.",
        "  Was tun: die Datei(en) unter dem konfigurierten Namen ablegen, dann `make reports` erneut starten.",
        out.getvalue().splitlines()[-1],
    ]
    assert out.getvalue().splitlines()[-1].startswith("Fertig: 0 ausgeführt, 0 aktuell, 1 fehlgeschlagen")


def test_reporter_prints_the_block_and_logs_the_traceback(tmp_path):
    out = io.StringIO()
    rep = reporter_for(tmp_path, tmp_path / "build")(out, {})
    task = _task("process:population")
    rep.initialize({task.name: task}, [task.name])
    try:
        raise RawDataError(_problems()[-1:])
    except RawDataError as exc:
        fail = ActionableFailure(german_block(exc), exc)
    rep.add_failure(task, fail)
    text = out.getvalue()
    assert text.startswith("!! process:population: Rohdaten fehlerhaft: 1 Problem(e)")
    assert "Details: build/logs/process_population.log" in text and "Traceback" not in text
    log = (tmp_path / "build/logs/process_population.log").read_text(encoding="utf-8")
    assert "Traceback" in log and "RawDataError" in log and "--- stderr ---" in log


def test_reporter_keeps_the_traceback_of_an_unexpected_error(tmp_path):
    out = io.StringIO()
    rep = ProgressReporter(out, {})
    task = _task("indicators")
    try:
        raise ValueError("Programmfehler")
    except ValueError as exc:
        rep.add_failure(task, TaskError("PythonAction Error", exc))
    assert out.getvalue().startswith("!! indicators fehlgeschlagen\nPythonAction Error\nTraceback")
    assert "ValueError: Programmfehler" in out.getvalue()


# --- one real run ----------------------------------------------------------------------------


@pytest.mark.integration
def test_a_deleted_raw_file_is_one_german_block(tmp_path):
    project = tmp_path / "projekt"
    (project / "src").mkdir(parents=True)
    shutil.copytree(ROOT / "src" / "helpers", project / "src" / "helpers", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "notebooks", project / "notebooks")
    shutil.copy(ROOT / "dodo.py", project)
    copy_config_files(project / "config", {"101", "201"})
    (project / "config" / "small.yml").write_text(yaml.safe_dump(small_config_dict(), allow_unicode=True), "utf-8")
    assert doit(project, "generate_sample").returncode == 0
    kita = sorted((project / "data/raw/kita").glob("*.csv"))[-1]
    kita.unlink()
    result = doit(project, "-n", "2")
    out = result.stdout + result.stderr
    assert result.returncode != 0
    rel = kita.relative_to(project).as_posix()
    assert f"Eingabedatei fehlt: {rel}\n" in out
    assert "abhängige Aufgabe(n) nicht ausgeführt." in out
    for noise in ("Dependent file", "UnmetDependency", "Traceback", "taskid:"):
        assert noise not in out, noise
    assert len(out.splitlines()) < 25, out
