"""The progress reporter: durations, ETA and the lines it prints."""

from __future__ import annotations

import io
from types import SimpleNamespace

from helpers.build.progress import ProgressReporter, eta_seconds, format_duration, selected_closure


def test_format_duration_and_eta():
    assert format_duration(0) == "0:00"
    assert format_duration(61.4) == "1:01"
    assert format_duration(3725) == "1:02:05"
    assert eta_seconds(30.0, 0, 10) is None
    assert eta_seconds(30.0, 3, 12) == 120.0  # 10 s per executed task, 12 open


def _task(name: str, deps: list[str] | None = None, actions: bool = True):
    return SimpleNamespace(
        name=name, task_dep=deps or [], setup_tasks=[], actions=[1] if actions else [], title=lambda: name
    )


def test_reporter_counts_and_stays_silent_on_up_to_date_tasks():
    tasks = {
        "profil": _task("profil", ["profil:a", "profil:b"], actions=False),
        "profil:a": _task("profil:a"),
        "profil:b": _task("profil:b"),
        "index": _task("index"),
    }
    assert selected_closure(tasks, ["profil"]) == {"profil", "profil:a", "profil:b"}
    out = io.StringIO()
    rep = ProgressReporter(out, {})
    rep.initialize(tasks, ["profil", "index"])
    assert rep.total == 3  # the group task has no actions
    rep.skip_uptodate(tasks["profil:a"])
    rep.add_success(tasks["profil:b"])
    rep.add_success(tasks["index"])
    rep.complete_run()
    lines = out.getvalue().splitlines()
    assert lines[0].startswith(".  profil:b  [2/3 · ") and "noch ~" in lines[0]
    assert lines[1].startswith(".  index  [3/3 · ") and "noch" not in lines[1]
    assert lines[2].startswith("Fertig: 2 ausgeführt, 1 aktuell, 0 fehlgeschlagen")
    assert not any("profil:a" in line for line in lines)
