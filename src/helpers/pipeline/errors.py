"""Errors a person can act on: one short German block instead of a traceback.

A raw file that breaks its contract (:class:`~helpers.sources.validation.RawDataError`), a
broken config (:class:`~helpers.core.config.ConfigError`) or any exception that carries a
``german_message`` is shown as one block: file, line/column or key, rule, value, what to do.
One cause found many times (6,194 × "Stadtteil-Nr. unbekannt") is one line with a count.
The traceback goes to the task's log file (``build/logs/<task>.log``, written by the
reporter). A missing input file is one block naming the file(s) and the number of tasks
that could not run, instead of doit's English message and one block per dependent task.

Everything here is a pure function of its inputs except :func:`guarded`, the wrapper
``dodo.py`` puts around every task action, and :func:`write_log`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from doit.exceptions import TaskFailed

from helpers.core.config import ConfigError
from helpers.core.formatting import german_number

if TYPE_CHECKING:  # imported when needed: the validation module pulls in pandas and pandera
    from helpers.sources.validation import Problem

AGAIN = "`make reports` erneut starten"
#: A missing file as doit says it, and as the loaders say it (``Problem`` without line or column).
_MISSING_RE = re.compile(r"Dependent file '(?P<file>[^']+)' does not exist|^  - (?P<raw>[^\n,]+): Datei fehlt$", re.M)
MISSING_RULE = "Datei fehlt"
_YAML_PLACE = re.compile(r"line (\d+), column (\d+)")


class ActionableFailure(TaskFailed):
    """A task failed for a reason the user can fix; its message is the German block.

    ``missing`` names input files that do not exist (the reporter collects them in one block).
    """

    def __init__(self, msg: str, exception: BaseException | None = None, missing: Sequence[str] = ()) -> None:
        super().__init__(msg, exception)
        self.missing = list(missing)


def raw_data_block(problems: Sequence[Problem]) -> str:
    """The German block for a raw file that broke its contract (grouped problems)."""
    from helpers.sources.validation import describe_group, group_problems

    groups = group_problems(problems)
    files = list(dict.fromkeys(g.file for g in groups))
    out = [f"Rohdaten fehlerhaft: {german_number(len(problems))} Problem(e), nichts wurde geschrieben."]
    for file in files:
        out.append(f"  Datei {file}:")
        out.extend(f"    - {describe_group(g)}" for g in groups if g.file == file)
    out.append(f"  Was tun: die Datei korrigieren oder neu exportieren (data/raw/README.md), dann {AGAIN}.")
    return "\n".join(out)


def config_block(exc: ConfigError) -> str:
    """The German block for a broken config: file, key or line/column, rule, what to do."""
    text = str(exc)
    if text.startswith("config file not found: "):
        head = f"Konfigurationsdatei fehlt: {text.removeprefix('config file not found: ')}"
        body: list[str] = []
    elif " is not valid YAML: " in text:
        path, _, detail = text.removeprefix("config ").partition(" is not valid YAML: ")
        place = _YAML_PLACE.search(detail)
        where = f", Zeile {place.group(1)}, Spalte {place.group(2)}" if place else ""
        head = f"Konfiguration ist kein gültiges YAML: {path}{where}"
        rule = "; ".join(line.strip() for line in detail.splitlines() if not line.strip().startswith("in "))
        body = [f"  Regel: {rule}"]
    elif text.startswith("invalid config "):
        first, *rest = text.splitlines()
        head = f"Konfiguration fehlerhaft: {first.removeprefix('invalid config ').rstrip(':')}"
        body = [
            f"  Schlüssel {line.strip().removeprefix('- ')}" if line.startswith("  - ") else f"  {line.rstrip()}"
            for line in rest
            if line.strip()
        ]
    else:
        head, body = "Konfiguration fehlerhaft:", [f"  {line}" for line in text.splitlines()]
    return "\n".join([head, *body, f"  Was tun: die genannte Stelle der Konfiguration korrigieren, dann {AGAIN}."])


def german_block(exc: BaseException) -> str | None:
    """The German block for an error a person can act on, or None for any other error."""
    message = getattr(exc, "german_message", None)
    if isinstance(message, str) and message:
        return message
    from helpers.sources.validation import RawDataError

    if isinstance(exc, RawDataError):
        return raw_data_block(exc.problems)
    if isinstance(exc, ConfigError):
        return config_block(exc)
    return None


def guarded(action: Callable[..., Any], args: Sequence[Any], kwargs: dict[str, Any], task: Any) -> Any:
    """Run a task action; turn an error a person can act on into an :class:`ActionableFailure`.

    The failure keeps the traceback (for the log file); other errors propagate unchanged.
    """
    try:
        return action(*args, **kwargs)
    except Exception as exc:
        block = german_block(exc)
        if block is None:
            raise
        problems = getattr(exc, "problems", [])
        missing = [p.file for p in problems if p.rule == MISSING_RULE and p.line is None]
        return ActionableFailure(block, exc, missing if len(missing) == len(problems) else ())


def with_german_errors(tasks: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """The same task dicts, every python action wrapped in :func:`guarded`."""
    for task in tasks:
        actions = task.get("actions")
        if actions:
            task = {**task, "actions": [_wrap(a) for a in actions]}
        yield task


def _wrap(action: Any) -> Any:
    if isinstance(action, tuple | list) and action and callable(action[0]):
        func, args, kwargs = (*action, [], {})[:3]
        return (guarded, [func, list(args), dict(kwargs)])
    return action


def missing_files(message: str) -> list[str]:
    """Files a failure message says are missing: doit's "Dependent file '…' does not exist",
    or a loader's "<file>: Datei fehlt" when that is all the message reports."""
    found = [m.group("file") or m.group("raw") for m in _MISSING_RE.finditer(message)]
    problems = [line for line in message.splitlines() if line.startswith("  - ")]
    if any(m.group("raw") for m in _MISSING_RE.finditer(message)) and len(problems) != len(found):
        return []  # other problems too: the message is shown as it is
    return found


def short_path(path: str, root: Path) -> str:
    """``path`` relative to ``root`` when it lies inside, else unchanged."""
    try:
        return Path(path).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path


def missing_inputs_block(missing: dict[str, list[str]], skipped: int, root: Path) -> str:
    """One block for missing input files: which files, which tasks needed them, what was skipped."""
    files = sorted(short_path(f, root) for f in missing)
    tasks = sorted({t for names in missing.values() for t in names})
    head = f"Eingabedatei fehlt: {files[0]}" if len(files) == 1 else f"{len(files)} Eingabedateien fehlen:"
    lines = [head] if len(files) == 1 else [head, *(f"  - {f}" for f in files)]
    lines.append(f"  benötigt von {', '.join(tasks)} – {german_number(skipped)} abhängige Aufgabe(n) nicht ausgeführt.")
    lines.append(f"  Was tun: die Datei(en) unter dem konfigurierten Namen ablegen, dann {AGAIN}.")
    return "\n".join(lines)


def log_path(log_dir: Path, task_name: str) -> Path:
    """``build/logs/<task>.log`` (``:`` becomes ``_``, for every file system)."""
    return log_dir / f"{task_name.replace(':', '_')}.log"


def write_log(log_dir: Path, task_name: str, text: str) -> Path:
    """Write a task's log file (the full message and traceback); return its path."""
    path = log_path(log_dir, task_name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
