"""Ctrl-C (SIGINT): remember that the build was interrupted, stop as Python does, no traceback.

``dodo.py`` installs :func:`on_interrupt` for SIGINT in doit's main process; the parallel
workers (forked) inherit it. The reporter then prints one German line instead of failures,
and the report execution raises the interruption instead of calling it a dead kernel.
Kept free of imports, so that the report tasks that depend on it rarely re-run.
"""

from __future__ import annotations

import logging
import signal
import sys
from collections.abc import Callable
from types import TracebackType
from typing import Any

_INTERRUPTED: list[bool] = []


def interrupted() -> bool:
    """Whether this build was interrupted with Ctrl-C (SIGINT)."""
    return bool(_INTERRUPTED)


def on_interrupt(signum: int, frame: Any) -> None:
    """SIGINT handler: remember the interruption, then stop as Python does (KeyboardInterrupt)."""
    _INTERRUPTED.append(True)
    # the notebook client's half-finished cleanup tasks would log tracebacks on the way out
    logging.getLogger("asyncio").setLevel(logging.CRITICAL)
    raise KeyboardInterrupt


def quiet_interrupt_hook(previous: Callable[..., Any]) -> Callable[..., Any]:
    """An ``excepthook`` that prints nothing for an interruption (the reporter said it)."""

    def hook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt) and interrupted():
            return
        previous(kind, value, tb)

    return hook


def install_interrupt_handling() -> None:
    """Ctrl-C stops the build with the reporter's German summary and no traceback."""
    signal.signal(signal.SIGINT, on_interrupt)
    sys.excepthook = quiet_interrupt_hook(sys.excepthook)
