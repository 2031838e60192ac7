"""A quiet doit reporter: one line per task that ran, with progress and an estimated time left.

doit's default reporter prints a line for every task, up-to-date or not; on an annual run
that is hundreds of lines with no sense of how far the build has come. This reporter
prints nothing for up-to-date tasks, one line per finished task
(``.  profil:2025-wiesdorf  [37/230 · 0:41 · noch ~2:05]``) and a summary at the end.

The estimate weighs the open tasks by kind: each open task counts with the mean duration of
the finished tasks of its kind (its doit basename: ``profil``, ``indicators``, …), or of
that kind in the previous run (``build/task_durations.json``), and a kind not seen yet counts
with the slowest known kind, so the speed of fast tasks is never extrapolated to the heavy
steps still to come. The work left is divided by the parallelism measured so far.

Failures are reported for people: an error a person can act on is one German block (see
:mod:`helpers.pipeline.errors`) with its traceback in ``build/logs/<task>.log``; a missing input
file is one block naming the file and the number of tasks that could not run; Ctrl-C stops
with one line that says how far the build came and that the next run continues from there.

Long tasks report progress through the standard logging module, so lower layers need not
import this one: ``logging.getLogger("monitoring.progress").info("…")``;
:func:`configure_progress_channel` (called by ``dodo.py``) prints those records as steady
lines on stderr.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import sys
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, TextIO

from doit.exceptions import UnmetDependency
from doit.reporter import ConsoleReporter

from helpers.pipeline.errors import ActionableFailure, missing_files, missing_inputs_block, short_path, write_log
from helpers.pipeline.interrupt import interrupted

PROGRESS_LOGGER = "monitoring.progress"
RESUME_HINT = "Erneut `make reports` setzt fort."


def format_duration(seconds: float) -> str:
    """``m:ss`` (or ``h:mm:ss``) for a duration in seconds."""
    total = max(0, round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def kind_of(task_name: str) -> str:
    """The kind of a task for the estimate: its doit basename (``profil:2025-x`` → ``profil``)."""
    return task_name.partition(":")[0]


def mean_durations(durations: Mapping[str, list[float]]) -> dict[str, float]:
    """Mean duration per kind (kinds without a measurement are left out)."""
    return {kind: sum(values) / len(values) for kind, values in durations.items() if values}


def work_left(open_kinds: Iterable[str], means: Mapping[str, float], priors: Mapping[str, float]) -> float | None:
    """Seconds of work the open tasks need: each at its kind's mean (this run, else the prior);
    a kind without either counts as the slowest known kind. None while nothing is known."""
    known = {**priors, **means}
    if not known:
        return None
    slowest = max(known.values())
    return sum(known.get(kind, slowest) for kind in open_kinds)


def eta_seconds(left: float | None, busy: float, elapsed: float) -> float | None:
    """Time left: the work left divided by the parallelism so far (task time per wall time).

    >>> eta_seconds(60.0, busy=20.0, elapsed=10.0)  # two tasks at a time
    30.0
    >>> eta_seconds(60.0, busy=5.0, elapsed=10.0)  # never faster than one at a time
    60.0
    """
    if left is None:
        return None
    parallel = max(1.0, busy / elapsed) if elapsed > 0 else 1.0
    return left / parallel


def selected_closure(tasks: dict[str, Any], selected: Iterable[str]) -> set[str]:
    """Names of the selected tasks and every task they depend on (``task_dep``, sub-tasks)."""
    seen: set[str] = set()
    stack = list(selected)
    while stack:
        name = stack.pop()
        if name in seen or name not in tasks:
            continue
        seen.add(name)
        stack.extend(tasks[name].task_dep)
        stack.extend(getattr(tasks[name], "setup_tasks", []))
    return seen


def load_priors(path: Path | None) -> dict[str, float]:
    """Mean durations per kind saved by the previous run (empty when there is none)."""
    if path is None or not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): float(v) for k, v in data.items() if isinstance(v, int | float)} if isinstance(data, dict) else {}


def save_priors(path: Path | None, priors: Mapping[str, float], means: Mapping[str, float]) -> None:
    """Keep the means of this run (and the older ones of kinds that did not run)."""
    if path is None or not means:
        return
    merged = {k: round(v, 3) for k, v in sorted({**priors, **means}.items())}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(merged, indent=1) + "\n", encoding="utf-8")


# --- progress inside long tasks ------------------------------------------------------------


def progress_line(text: str, stream: TextIO | None = None) -> None:
    """Write one steady progress line (``   … text``) to stderr, past doit's output capture."""
    out = stream or sys.__stderr__
    if out is None:
        return
    out.write(f"   … {text}\n")
    out.flush()


class ProgressLineHandler(logging.Handler):
    """Prints records of the ``monitoring.progress`` logger with :func:`progress_line`."""

    def __init__(self, stream: TextIO | None = None) -> None:
        super().__init__(logging.INFO)
        self.stream = stream

    def emit(self, record: logging.LogRecord) -> None:
        try:
            progress_line(self.format(record), self.stream)
        except Exception:  # a progress line must never fail a task
            self.handleError(record)


def configure_progress_channel(stream: TextIO | None = None) -> logging.Logger:
    """Route ``logging.getLogger("monitoring.progress")`` records to steady stderr lines (once)."""
    logger = logging.getLogger(PROGRESS_LOGGER)
    if not any(isinstance(h, ProgressLineHandler) for h in logger.handlers):
        logger.addHandler(ProgressLineHandler(stream))
    logger.setLevel(logging.INFO)
    logger.propagate = False
    return logger


# --- the reporter ---------------------------------------------------------------------------


class ProgressReporter(ConsoleReporter):
    """Console reporter with done/open counts and an ETA; silent on up-to-date tasks."""

    desc = "progress: one line per executed task, with counts and time left"
    #: Where failed tasks' logs and the duration priors go (set by :func:`reporter_for`).
    log_dir: Path | None = None
    durations_file: Path | None = None
    root: Path = Path.cwd()

    def __init__(self, outstream: Any, options: dict[str, Any]) -> None:
        super().__init__(outstream, options)
        self.total = 0
        self.executed = 0
        self.uptodate = 0
        self.failed = 0
        self.start = time.monotonic()
        self.open: set[str] = set()
        self.started: dict[str, float] = {}
        self.durations: dict[str, list[float]] = {}
        self.priors = load_priors(self.durations_file)
        self.missing: dict[str, list[str]] = {}
        self.unmet: list[str] = []
        self.cut_off: list[str] = []

    def write(self, text: str) -> None:
        """Write and flush: each line shows at once, also when the output goes to a pipe or file."""
        self.outstream.write(text)
        if hasattr(self.outstream, "flush"):
            self.outstream.flush()

    def initialize(self, tasks: dict[str, Any], selected_tasks: list[str]) -> None:
        names = selected_closure(tasks, selected_tasks or list(tasks))
        self.open = {n for n in names if tasks[n].actions and not n.startswith("_")}
        self.total = len(self.open)
        self.start = time.monotonic()

    def execute_task(self, task: Any) -> None:
        """Silent at start; the line is written when the task has finished."""
        self.started[task.name] = time.monotonic()

    def _done(self) -> int:
        return self.executed + self.uptodate + self.failed

    def _eta(self, now: float) -> float | None:
        means = mean_durations(self.durations)
        left = work_left((kind_of(n) for n in self.open), means, self.priors)
        if left is not None:  # what the running tasks have already done is not left
            left -= sum(min(now - t, means.get(kind_of(n), 0.0)) for n, t in self.started.items() if n in self.open)
        busy = sum(sum(v) for v in self.durations.values())
        return eta_seconds(max(left, 0.0), busy, now - self.start) if left is not None else None

    def add_success(self, task: Any) -> None:
        if not task.actions or task.name.startswith("_"):
            return
        now = time.monotonic()
        self.executed += 1
        self.open.discard(task.name)
        begun = self.started.pop(task.name, None)
        if begun is not None:
            self.durations.setdefault(kind_of(task.name), []).append(now - begun)
        eta = self._eta(now)
        tail = f" · noch ~{format_duration(eta)}" if eta is not None and self.open else ""
        self.write(f".  {task.title()}  [{self._done()}/{self.total} · {format_duration(now - self.start)}{tail}]\n")

    def add_failure(self, task: Any, fail: Any) -> None:
        self.open.discard(task.name)
        self.started.pop(task.name, None)
        if interrupted():
            self.cut_off.append(task.name)
            return
        if isinstance(fail, UnmetDependency):
            if task.actions:  # group tasks are no work of their own
                self.unmet.append(task.name)
            return
        self.failed += 1
        absent = getattr(fail, "missing", None) or missing_files(fail.message)
        if absent:
            self._write_log(task, fail)
            for file in absent:
                self.missing.setdefault(file, []).append(task.name)
            return
        self.failures.append({"task": task, "exception": fail})
        self.write(self._failure_text(task, fail))

    def _failure_text(self, task: Any, fail: Any) -> str:
        log = self._write_log(task, fail)
        where = f"\n  Details: {short_path(str(log), self.root)}" if log is not None else ""
        if isinstance(fail, ActionableFailure):
            return f"!! {task.title()}: {fail.message}{where}\n"
        trace = "".join(fail.traceback)
        return f"!! {task.title()} fehlgeschlagen\n{fail.message}\n{trace}{where.lstrip()}\n"

    def _write_log(self, task: Any, fail: Any) -> Path | None:
        if self.log_dir is None:
            return None
        captured = "".join(
            f"--- {stream} ---\n{text}\n"
            for a in getattr(task, "actions", [])
            for stream, text in (("stdout", getattr(a, "out", None)), ("stderr", getattr(a, "err", None)))
            if text
        )
        return write_log(self.log_dir, task.name, f"{fail.message}\n{''.join(fail.traceback)}{captured}")

    def skip_uptodate(self, task: Any) -> None:
        if task.actions:
            self.uptodate += 1
            self.open.discard(task.name)

    def skip_ignore(self, task: Any) -> None:
        self.open.discard(task.name)

    def summary(self) -> list[str]:
        """The closing lines: missing inputs, skipped tasks, interruption or the totals."""
        lines = []
        skipped = len(self.unmet) + len(self.open)  # never ran: dependants of a failure, or left after it
        if self.missing:
            lines.append(missing_inputs_block(self.missing, skipped, self.root))
        elif skipped and self.failed and not interrupted():
            lines.append(f"{skipped} Aufgabe(n) wegen des Fehlers oben nicht ausgeführt.")
        lines.extend(f"Abbruch: {error}" for error in self.runtime_errors)
        elapsed = format_duration(time.monotonic() - self.start)
        if interrupted():
            done = self.executed + self.uptodate
            lines.append(
                f"Abgebrochen (Strg+C): {done} Aufgaben fertig, {self.total - done} offen ({elapsed}). {RESUME_HINT}"
            )
        else:
            counts = f"{self.executed} ausgeführt, {self.uptodate} aktuell, {self.failed} fehlgeschlagen"
            lines.append(f"Fertig: {counts} ({elapsed}).")
        return lines

    def complete_run(self) -> None:
        if interrupted():
            stop_workers()
        self.write("".join(f"{line}\n" for line in self.summary()))
        save_priors(self.durations_file, self.priors, mean_durations(self.durations))
        if interrupted() and os.environ.get(MAIN_PID_ENV) == str(os.getpid()):
            # doit has closed the dependency database (every finished task is saved) and this
            # is its last call: leave now, instead of letting Python's exit wait for queue
            # threads or workers stuck in the notebook client (seen as a rare hang after Ctrl-C).
            for stream in (self.outstream, sys.stdout, sys.stderr):
                stream.flush()
            os._exit(130)


#: Set by ``dodo.py`` to doit's process id: only that process may end itself after Ctrl-C.
MAIN_PID_ENV = "MONITORING_DOIT_PID"


def stop_workers(grace: float = 1.0) -> None:
    """End doit's worker processes after Ctrl-C.

    doit terminates its workers on an interruption, but a worker inside the notebook client's
    event loop may survive SIGTERM and then wait for its next task, and Python's exit waits
    for it. Workers hold nothing to save (task state is saved here, outputs are written
    atomically), so a survivor of SIGTERM is killed.
    """
    children = multiprocessing.active_children()
    for child in children:
        child.terminate()
    for child in children:
        child.join(grace)
        if child.is_alive():
            child.kill()
            child.join(grace)


def reporter_for(root: Path, build: Path) -> type[ProgressReporter]:
    """The reporter class for one project: logs in ``build/logs``, durations in ``build``."""
    return type(
        "ProjectProgressReporter",
        (ProgressReporter,),
        {"root": root, "log_dir": build / "logs", "durations_file": build / "task_durations.json"},
    )
