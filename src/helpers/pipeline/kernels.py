"""Warm kernels: one long-lived Jupyter kernel per worker process, reset between reports.

Started naively, every report pays for a kernel start and for importing pandas, seaborn and
statsmodels (several seconds). A :class:`WarmKernel` is started once per process (each
parallel doit worker has its own), imports the heavy modules once, and snapshots the state
a report may change. Before every report it restores that state:

- the user namespace is cleared (``%reset -f``) and execution counts start at 1 again;
- if a report imported matplotlib (no report page draws with it: charts and maps are SVG written
  directly), its figures are closed and its rcParams (and so any seaborn theme) restored;
- the attributes of every ``helpers`` module are restored (values changed, names added);
- pandas options, numpy print options and warning filters are reset;
- the working directory, ``sys.path`` and the environment are restored.

Imported modules stay loaded and are frozen out of the garbage collector (``gc.freeze``), so
the reset's collection walks only what reports created (0.15 s less per report). One client
connection serves all reports of a kernel. Kernels use IPC (Unix sockets) in a private folder, so
parallel workers cannot race for TCP ports. A kernel that died or timed out is replaced
for the next report. ``isolated`` runs every report in a fresh kernel instead.
"""

from __future__ import annotations

import atexit
import multiprocessing.util
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync

from helpers.core.registry import REPORTS
from helpers.pipeline.deps import imported_helper_modules

#: Modules the kernel imports once, before the first report: what the report notebooks use.
#: Not matplotlib, seaborn or pyplot: no report draws with them (charts and maps are SVG written
#: directly, ``helpers.report.svg_charts`` and ``helpers.report.maps``). A report that imports them
#: pays once per kernel, and the reset undoes what they change (rcParams, a seaborn theme, open
#: pyplot figures).
WARM_IMPORTS = ("pandas", "numpy", "statsmodels.api", "IPython.display")


def warm_imports(notebooks: Path) -> list[str]:
    """What the kernel imports before the first report: :data:`WARM_IMPORTS`, then every
    ``helpers`` module that a registered report notebook in ``notebooks`` imports."""
    found = {
        m
        for report in REPORTS.values()
        if (notebooks / report.notebook).is_file()
        for m in imported_helper_modules(notebooks / report.notebook)
    }
    return [*WARM_IMPORTS, *sorted(found)]


STATE_MODULE = "_monitoring_kernel_state"

_SNAPSHOT = """
import copy as _copy, os as _os, sys as _sys, types as _types, warnings as _warnings
{imports}
import numpy as _np
_state = _types.ModuleType({state!r})
_state.cwd = _os.getcwd()
_state.env = dict(_os.environ)
_state.path = list(_sys.path)
_state.filters = list(_warnings.filters)
_state.np_print = _np.get_printoptions()
import pandas as _pd, pandas._config.config as _pdc
with _warnings.catch_warnings():
    _warnings.simplefilter("ignore")
    _state.pd_options = {{k: _pd.get_option(k) for k in _pdc._registered_options}}
del _pd, _pdc
_state.modules = {{n: dict(vars(m)) for n, m in list(_sys.modules.items())
                  if m is not None and (n == "helpers" or n.startswith("helpers."))}}
_sys.modules[{state!r}] = _state
import gc as _gc
_gc.collect()
_gc.freeze()  # the warm imports are permanent: the collector need not walk them again
del _copy, _os, _sys, _types, _warnings, _np, _state, _gc
"""

_RESET = """
def _monitoring_reset(cwd):
    import os, sys, warnings
    import numpy as np
    import pandas as pd
    state = sys.modules[{state!r}]
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
    if "matplotlib" in sys.modules:  # imported by a report: back to the rcParams of its import
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sys.modules["matplotlib"].rc_file_defaults()
    for name in [n for n in sys.modules if (n == "helpers" or n.startswith("helpers.")) and n not in state.modules]:
        del sys.modules[name]  # imported by a report after the warm-up: the next report imports it afresh
    for name, saved in state.modules.items():
        module = sys.modules.get(name)
        if module is None:
            continue
        current = vars(module)
        for key in [k for k in current if k not in saved]:
            del current[key]
        current.update(saved)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for key, value in state.pd_options.items():
            if pd.get_option(key) != value:
                pd.set_option(key, value)
    np.set_printoptions(**state.np_print)
    warnings.filters[:] = state.filters
    sys.path[:] = state.path
    os.environ.clear()
    os.environ.update(state.env)
    os.chdir(cwd)
_monitoring_reset({cwd!r})
del _monitoring_reset
get_ipython().run_line_magic("reset", "-f")
get_ipython().execution_count = 1
"""


def renumber(nb: nbformat.NotebookNode) -> None:
    """Execution counts 1, 2, … over the executed code cells, as in a fresh kernel.

    The hidden reset cell shares the session with the report, so the kernel's own counter
    is one ahead; numbering from the notebook keeps warm and fresh runs identical.
    """
    count = 0
    for cell in nb.cells:
        if cell.cell_type != "code" or cell.get("execution_count") is None:
            continue
        count += 1
        cell.execution_count = count
        for output in cell.get("outputs", []):
            if "execution_count" in output:
                output["execution_count"] = count


class KernelFailure(RuntimeError):
    """The kernel died, timed out, or could not be reset."""


@dataclass
class WarmKernel:
    """A started kernel with its client, ready to run report notebooks one after another."""

    kernel_name: str
    cwd: Path
    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="mon-k-")))
    km: AsyncKernelManager | None = None
    kc: object | None = None
    reports: int = 0

    def start(self, timeout: float = 120) -> None:
        """Start the kernel (through nbclient, which then owns the async client) and warm it."""
        self.km = AsyncKernelManager(kernel_name=self.kernel_name, transport="ipc", ip=str(self.folder / "k"))
        imports = "\n".join(f"import {m}" for m in warm_imports(Path(self.cwd)))
        self.run_code(_SNAPSHOT.format(imports=imports, state=STATE_MODULE), timeout=timeout)

    def alive(self) -> bool:
        return self.km is not None and bool(run_sync(self.km.is_alive)())

    def run_code(self, code: str, timeout: float = 60) -> None:
        """Run housekeeping code through the same client path as the reports.

        Raises :class:`KernelFailure` if it fails, times out, or the kernel died.
        """
        from nbclient.exceptions import CellExecutionError

        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
        nb.metadata["kernelspec"] = {"name": self.kernel_name, "display_name": "Python 3", "language": "python"}
        try:
            client = self._client(nb, lambda _cell: int(timeout))
            client.execute(cleanup_kc=False)
            self.kc = client.kc
        except CellExecutionError as exc:
            raise KernelFailure(f"kernel housekeeping failed: {str(exc).strip().splitlines()[-1]}") from exc
        except Exception as exc:  # timeout or dead kernel
            raise KernelFailure(f"kernel housekeeping failed: {type(exc).__name__}: {exc}") from exc

    def _client(self, nb: nbformat.NotebookNode, timeout_func):
        from nbclient import NotebookClient

        client = NotebookClient(
            nb, km=self.km, kernel_name=self.kernel_name, timeout_func=timeout_func,
            shutdown_kernel="immediate", resources={"metadata": {"path": str(self.cwd)}},
            extra_arguments=["--HistoryManager.enabled=False"],
        )  # fmt: skip
        atexit.unregister(client._cleanup_kernel)
        # NotebookClient's constructor drops a passed ``kc``; without this, every report would
        # open a new client (new sockets, a kernel_info wait of ~0.2 s) and leak the old one.
        client.kc = self.kc
        return client

    def execute(self, nb: nbformat.NotebookNode, cwd: Path, timeout: float) -> nbformat.NotebookNode:
        """Execute a (parameterised) notebook in this kernel, with a wall-clock deadline.

        The reset runs as a hidden first cell in the same client session (one round trip
        less than a separate housekeeping run) and is removed again afterwards, so the
        saved notebook and its execution counts (from 1) are those of the report alone.
        ``nb`` is executed in place, as nbclient does, so a caller sees the outputs of a
        notebook that failed.
        """
        from nbclient.exceptions import CellExecutionError

        reset = nbformat.v4.new_code_cell(_RESET.format(state=STATE_MODULE, cwd=str(cwd)))
        reset.metadata["tags"] = ["monitoring-reset"]
        nb.cells.insert(0, reset)
        deadline = time.monotonic() + timeout
        client = self._client(nb, lambda _cell: max(1, int(deadline - time.monotonic())))
        try:
            client.execute(cleanup_kc=False)
        except CellExecutionError as exc:
            if any(o.get("output_type") == "error" for o in reset.get("outputs", [])):
                raise KernelFailure(f"kernel reset failed: {str(exc).strip().splitlines()[-1]}") from exc
            raise
        finally:
            atexit.unregister(client._cleanup_kernel)
            self.kc = client.kc or self.kc
            if nb.cells and nb.cells[0] is reset:
                nb.cells.pop(0)
            renumber(nb)
        self.reports += 1
        return nb

    def shutdown(self) -> None:
        try:
            if self.kc is not None:
                self.kc.stop_channels()
            if self.km is not None and self.km.has_kernel:
                run_sync(self.km.shutdown_kernel)(now=True)
        except Exception:
            pass
        finally:
            self.km = self.kc = None
            shutil.rmtree(self.folder, ignore_errors=True)


_POOL: dict[tuple[int, str, str], WarmKernel] = {}


def _shutdown_all() -> None:
    for key in list(_POOL):
        _POOL.pop(key).shutdown()


def shutdown_warm_kernels() -> None:
    """Shut down this process's warm kernels (the PDF phase needs none: their memory goes to Chromium)."""
    _shutdown_all()


atexit.register(_shutdown_all)
# doit's parallel workers leave through multiprocessing, which skips atexit; its finalizers run.
multiprocessing.util.Finalize(None, _shutdown_all, exitpriority=100)


def warm_kernel(kernel_name: str, cwd: Path) -> WarmKernel:
    """This process's warm kernel (started on first use, replaced if it died)."""
    key = (os.getpid(), kernel_name, str(cwd))
    kernel = _POOL.get(key)
    if kernel is not None and not kernel.alive():
        discard(kernel)
        kernel = None
    if kernel is None:
        kernel = WarmKernel(kernel_name, cwd)
        kernel.start()
        _POOL[key] = kernel
    return kernel


def discard(kernel: WarmKernel) -> None:
    """Shut a kernel down and forget it (after a crash or timeout)."""
    for key, value in list(_POOL.items()):
        if value is kernel:
            del _POOL[key]
    kernel.shutdown()
