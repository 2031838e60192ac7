"""A killed or interrupted build resumes where it stopped (real doit runs in a temporary copy).

One clean build of the small project is the reference. Then: its outputs are deleted, a
build is killed with SIGKILL after some tasks have finished, and the next build must not
run those again and must end with byte-identical outputs; a build stopped with Ctrl-C
(SIGINT) must say so in German, without tracebacks or failures; and ``doit -s`` rebuilds one
report without its upstream tasks.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import copy_code, copy_config_files, doit, small_config_dict

pytestmark = pytest.mark.integration

OUTPUTS = ("reports", "data/processed")
GENERATED = ("reports", "data/processed", "build")


def _env(project: Path) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(project / "src"), "MPLBACKEND": "Agg", "PYTHONUNBUFFERED": "1"}
    env.pop("MONITORING_TMP_DIR", None)
    return env


def task_lines(text: str) -> list[str]:
    """Tasks that ran (lines '.  name  [progress]')."""
    return [line[3:].split()[0] for line in text.splitlines() if line.startswith(".  ")]


def stop_after(project: Path, finished: int, sig: int, *args: str) -> tuple[list[str], str, int]:
    """Start doit, send ``sig`` to its process group once ``finished`` tasks have finished.

    Returns the tasks finished before the signal, the whole output and the return code.
    """
    proc = subprocess.Popen(
        [sys.executable, "-m", "doit", *args, "config=config/small.yml"],
        cwd=project,
        env=_env(project),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    assert proc.stdout is not None
    seen: list[str] = []
    for line in proc.stdout:
        seen.append(line)
        if len(task_lines("".join(seen))) >= finished:
            break
    before = task_lines("".join(seen))
    os.killpg(proc.pid, sig)
    try:
        rest, _ = proc.communicate(timeout=60)
    finally:
        if sig != signal.SIGKILL:
            _kill_group(proc.pid)
    return before, "".join(seen) + rest, proc.returncode


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)


def snapshot(project: Path) -> dict[str, bytes]:
    return {
        p.relative_to(project).as_posix(): p.read_bytes()
        for folder in OUTPUTS
        for p in sorted((project / folder).rglob("*"))
        if p.is_file()
    }


def clear_outputs(project: Path) -> None:
    for folder in GENERATED:
        shutil.rmtree(project / folder, ignore_errors=True)
    (project / "data/processed").mkdir(parents=True)


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> tuple[Path, dict[str, bytes], list[str]]:
    """The small project after one clean build, its outputs and the names of all its tasks."""
    root = tmp_path_factory.mktemp("fortsetzen")
    copy_code(root)
    copy_config_files(root / "config", {"101", "201"})
    (root / "config" / "small.yml").write_text(yaml.safe_dump(small_config_dict(), allow_unicode=True), "utf-8")
    assert doit(root, "generate_sample").returncode == 0
    clean = doit(root, "-n", "2")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    return root, snapshot(root), sorted(task_lines(clean.stdout))


def test_a_killed_build_resumes_without_redoing_finished_tasks(project):
    root, reference, all_tasks = project
    clear_outputs(root)
    finished, output, _ = stop_after(root, 14, signal.SIGKILL, "-n", "1")
    assert len(finished) >= 14, output
    resumed = doit(root, "-n", "1")
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    again = task_lines(resumed.stdout)
    assert set(again).isdisjoint(finished), set(again) & set(finished)
    assert sorted([*finished, *again]) == all_tasks  # the task running at the kill ran again, nothing else
    assert snapshot(root) == reference  # byte-identical to the clean build
    assert task_lines(doit(root).stdout) == []


@pytest.mark.parametrize("jobs", [("-n", "2"), ()], ids=["parallel", "one-process"])
def test_ctrl_c_stops_with_a_german_message_and_resumes(project, jobs):
    """In one process the notebook runs in doit's own process: nbclient's signal handlers
    would turn Ctrl-C into a "kernel died" failure there."""
    root, reference, _ = project
    for folder in ("reports", "build/executed"):
        shutil.rmtree(root / folder, ignore_errors=True)
    finished, output, code = stop_after(root, 4, signal.SIGINT, *jobs)  # during the reports
    assert code != 0
    assert "Abgebrochen (Strg+C): " in output and "Erneut `make reports` setzt fort." in output, output
    for noise in ("Traceback", "KeyboardInterrupt", "kernel died", "fehlgeschlagen", "!!"):
        assert noise not in output, (noise, output)
    resumed = doit(root, "-n", "2")
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert set(task_lines(resumed.stdout)).isdisjoint(finished)
    assert snapshot(root) == reference


def test_one_report_alone_without_its_upstream(project):
    root, reference, _ = project
    raw = root / "data/raw/einwohner/EWO_Bestand_2025-12-31.csv"
    original = raw.read_bytes()
    page = root / "reports/2024/stadtteile/opladen.html"
    page.unlink()
    raw.write_bytes(original + b"\r\n")  # the population's processing is out of date now
    try:
        single = doit(root, "-s", "profil:2024-opladen")
    finally:
        raw.write_bytes(original)
    assert single.returncode == 0, single.stdout + single.stderr
    assert task_lines(single.stdout) == ["profil:2024-opladen"]
    assert page.read_bytes() == reference["reports/2024/stadtteile/opladen.html"]


def test_the_dependency_database_commits_each_task(tmp_path):
    """Without a final ``close``, as after ``kill -9``: every finished task is in the file."""
    import sqlite3

    from doit.dependency import Dependency, JsonDB, MD5Checker, SqliteDB
    from doit.task import Task

    from helpers.pipeline.backend import DurableSqliteDB, make_durable

    source = tmp_path / "eingabe.csv"
    source.write_text("a;b\n", encoding="utf-8")
    db = tmp_path / ".doit.db"
    dep = Dependency(SqliteDB, str(db), checker_cls=MD5Checker)
    assert make_durable(dep) and isinstance(dep.backend, DurableSqliteDB)
    assert make_durable(dep)  # once is enough
    first, second = (Task(name, None, file_dep=[str(source)]) for name in ("process:a", "process:b"))
    dep.save_success(first)
    dep.save_success(second)
    dep.remove_success(second)
    rows = sqlite3.connect(db).execute("select task_id from doit").fetchall()
    assert rows == [("process:a",)]
    assert dep.get_status(first, {}).status == "up-to-date"
    assert not make_durable(Dependency(JsonDB, str(tmp_path / "deps.json")))  # other backends stay
    assert not make_durable(None)
