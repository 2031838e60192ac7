"""A quiet doit reporter: one line per task that ran, with progress and an estimated time left.

doit's default reporter prints a line for every task, up-to-date or not; on an annual run
that is hundreds of lines with no sense of how far the build has come. This reporter
prints nothing for up-to-date tasks, one line per finished task
(``.  profil:2025-wiesdorf  [37/230 · 0:41 · noch ~2:05]``) and a summary at the end.
The estimate is the mean time per executed task so far times the tasks still open; it is
an upper bound, since some open tasks may turn out to be up to date.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from doit.reporter import ConsoleReporter


def format_duration(seconds: float) -> str:
    """``m:ss`` (or ``h:mm:ss``) for a duration in seconds."""
    total = max(0, round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def eta_seconds(elapsed: float, executed: int, remaining: int) -> float | None:
    """Time left at the mean pace of the tasks executed so far (None before the first)."""
    if executed == 0:
        return None
    return elapsed / executed * remaining


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


class ProgressReporter(ConsoleReporter):
    """Console reporter with done/open counts and an ETA; silent on up-to-date tasks."""

    desc = "progress: one line per executed task, with counts and time left"

    def __init__(self, outstream: Any, options: dict[str, Any]) -> None:
        super().__init__(outstream, options)
        self.total = 0
        self.executed = 0
        self.uptodate = 0
        self.failed = 0
        self.start = time.monotonic()

    def initialize(self, tasks: dict[str, Any], selected_tasks: list[str]) -> None:
        names = selected_closure(tasks, selected_tasks or list(tasks))
        self.total = sum(1 for n in names if tasks[n].actions and not n.startswith("_"))
        self.start = time.monotonic()

    def execute_task(self, task: Any) -> None:
        """Silent at start; the line is written when the task has finished."""

    def _done(self) -> int:
        return self.executed + self.uptodate + self.failed

    def add_success(self, task: Any) -> None:
        if not task.actions or task.name.startswith("_"):
            return
        self.executed += 1
        elapsed = time.monotonic() - self.start
        left = max(self.total - self._done(), 0)
        eta = eta_seconds(elapsed, self.executed, left)
        tail = f" · noch ~{format_duration(eta)}" if eta is not None and left else ""
        self.write(f".  {task.title()}  [{self._done()}/{self.total} · {format_duration(elapsed)}{tail}]\n")

    def add_failure(self, task: Any, fail: Any) -> None:
        self.failed += 1
        self.write(f"!! {task.title()} fehlgeschlagen\n")
        super().add_failure(task, fail)

    def skip_uptodate(self, task: Any) -> None:
        if task.actions:
            self.uptodate += 1

    def complete_run(self) -> None:
        super().complete_run()
        elapsed = format_duration(time.monotonic() - self.start)
        self.write(
            f"Fertig: {self.executed} ausgeführt, {self.uptodate} aktuell, {self.failed} fehlgeschlagen ({elapsed}).\n"
        )
