"""The progress reporter: durations, ETA and the lines it prints."""

from __future__ import annotations

import io
from types import SimpleNamespace

from helpers.pipeline.progress import ProgressReporter, eta_seconds, format_duration, selected_closure


def test_format_duration_and_eta():
    assert format_duration(0) == "0:00"
    assert format_duration(61.4) == "1:01"
    assert format_duration(3725) == "1:02:05"
    assert eta_seconds(None, busy=0.0, elapsed=30.0) is None  # nothing measured yet
    assert eta_seconds(120.0, busy=30.0, elapsed=30.0) == 120.0  # 120 s of work left, one at a time


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
    rep.execute_task(tasks["profil:b"])
    rep.add_success(tasks["profil:b"])
    rep.execute_task(tasks["index"])
    rep.add_success(tasks["index"])
    rep.complete_run()
    lines = out.getvalue().splitlines()
    assert lines[0].startswith(".  profil:b  [2/3 · ") and "noch ~" in lines[0]
    assert lines[1].startswith(".  index  [3/3 · ") and "noch" not in lines[1]
    assert lines[2].startswith("Fertig: 2 ausgeführt, 1 aktuell, 0 fehlgeschlagen")
    assert not any("profil:a" in line for line in lines)


def test_work_left_weighs_open_tasks_by_kind():
    from helpers.pipeline.progress import kind_of, mean_durations, work_left

    assert kind_of("profil:2025-wiesdorf") == "profil" and kind_of("indicators") == "indicators"
    means = mean_durations({"process": [1.0, 3.0], "profil": [], "indicators": [20.0]})
    assert means == {"process": 2.0, "indicators": 20.0}
    assert work_left(["process", "indicators"], means, {}) == 22.0
    # a kind not measured in this run takes its duration from the previous run ...
    assert work_left(["profil"], means, {"profil": 4.0, "process": 9.0}) == 4.0
    # ... or counts as the slowest known kind: fast tasks do not make heavy steps look fast
    assert work_left(["analysen", "process"], {"process": 0.5}, {}) == 1.0
    assert work_left(["analysen", "process"], means, {}) == 22.0
    assert work_left(["x"], {}, {}) is None


def test_eta_divides_by_the_measured_parallelism():
    assert eta_seconds(None, 1.0, 1.0) is None
    assert eta_seconds(60.0, busy=20.0, elapsed=10.0) == 30.0
    assert eta_seconds(60.0, busy=5.0, elapsed=10.0) == 60.0
    assert eta_seconds(10.0, busy=0.0, elapsed=0.0) == 10.0


def test_priors_are_saved_and_read_back(tmp_path):
    from helpers.pipeline.progress import load_priors, save_priors

    path = tmp_path / "build" / "task_durations.json"
    assert load_priors(path) == {}
    save_priors(path, {"profil": 3.0, "index": 0.1}, {"profil": 2.0})
    assert load_priors(path) == {"profil": 2.0, "index": 0.1}
    path.write_text("kaputt", encoding="utf-8")
    assert load_priors(path) == {}


def test_the_estimate_does_not_extrapolate_fast_tasks_to_heavy_steps():
    tasks = {n: _task(n) for n in ("process:a", "process:b", "indicators", "profil:x", "profil:y")}
    out = io.StringIO()
    rep = ProgressReporter(out, {})
    rep.priors = {"indicators": 20.0, "profil": 2.0}
    rep.initialize(tasks, list(tasks))
    rep.start -= 2.0
    rep.execute_task(tasks["process:a"])
    rep.started["process:a"] -= 1.0
    rep.add_success(tasks["process:a"])
    # left: process:b (1 s, measured) + indicators (20 s) + two profiles (2 s each), one at a time
    line = out.getvalue().splitlines()[0]
    assert line.startswith(".  process:a  [1/5 · 0:02 · noch ~0:25]"), line


def test_interrupted_build_says_so_in_german(monkeypatch):
    from helpers.pipeline import interrupt, progress

    tasks = {n: _task(n) for n in ("a", "b", "c")}
    out = io.StringIO()
    rep = ProgressReporter(out, {})
    rep.initialize(tasks, list(tasks))
    rep.add_success(tasks["a"])
    monkeypatch.setattr(interrupt, "_INTERRUPTED", [True])
    monkeypatch.setattr(progress, "stop_workers", lambda: None)
    rep.add_failure(tasks["b"], object())  # a report cut off by Ctrl-C is no failure
    rep.complete_run()
    lines = out.getvalue().splitlines()
    assert len(lines) == 2 and "fehlgeschlagen" not in out.getvalue()
    assert lines[1].startswith("Abgebrochen (Strg+C): 1 Aufgaben fertig, 2 offen (")
    assert lines[1].endswith("Erneut `make reports` setzt fort.")


def test_progress_channel_prints_steady_lines():
    import logging

    from helpers.pipeline.progress import PROGRESS_LOGGER, ProgressLineHandler, configure_progress_channel

    stream = io.StringIO()
    logger = configure_progress_channel(stream)
    try:
        logging.getLogger(PROGRESS_LOGGER).info("Sekundärsperrung: %d von %d Indikatoren", 3, 30)
        configure_progress_channel(stream)  # configuring twice adds no second handler
        assert sum(isinstance(h, ProgressLineHandler) for h in logger.handlers) == 1
    finally:
        for handler in list(logger.handlers):
            logger.removeHandler(handler)
    assert stream.getvalue() == "   … Sekundärsperrung: 3 von 30 Indikatoren\n"
