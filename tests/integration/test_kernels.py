"""Warm kernels: nothing a report does may reach the next report; a crash fails alone."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient.exceptions import CellExecutionError, DeadKernelError

from helpers.pipeline import kernels


def notebook(*sources: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def outputs(nb: nbformat.NotebookNode) -> list[str]:
    return [
        "".join(o.get("text", "")) + str(o.get("data", {}).get("text/plain", "")) for c in nb.cells for o in c.outputs
    ]


@pytest.fixture(scope="module")
def kernel(tmp_path_factory):
    k = kernels.WarmKernel("python3", tmp_path_factory.mktemp("cwd"))
    k.start()
    yield k
    k.shutdown()


def test_state_does_not_leak_between_reports(kernel, tmp_path):
    cwd = kernel.cwd
    dirty = notebook(
        "leaked_global = 42",
        "import helpers.report.palette as p; p.OWN = '#ff0000'; p.NEW_NAME = 1",
        "import seaborn as sns; sns.set_theme(style='darkgrid', font_scale=3)",
        "import matplotlib as mpl; mpl.rcParams['lines.linewidth'] = 9",
        "import matplotlib.pyplot as plt; fig = plt.figure()",
        "import pandas as pd; pd.set_option('display.max_rows', 3)",
        f"import os; os.chdir({str(tmp_path)!r}); os.environ['LEAK'] = '1'",
        "import sys; sys.path.insert(0, '/nowhere')",
    )
    kernel.execute(dirty, cwd, timeout=60)
    check = notebook(
        "print('leaked_global' in globals())",
        "import helpers.report.palette as p; print(p.OWN, hasattr(p, 'NEW_NAME'))",
        "import matplotlib as mpl; print(mpl.rcParams['lines.linewidth'], mpl.rcParams['font.size'], mpl.rcParams['axes.facecolor'])",
        "import matplotlib.pyplot as plt; print(len(plt.get_fignums()))",
        "import pandas as pd; print(pd.get_option('display.max_rows'))",
        "import os, sys; print(os.getcwd(), os.environ.get('LEAK'), '/nowhere' in sys.path)",
    )
    clean = kernel.execute(check, cwd, timeout=60)
    fresh = kernels.WarmKernel("python3", cwd)
    fresh.start()
    try:
        reference = fresh.execute(notebook(*[c.source for c in check.cells]), cwd, timeout=60)
    finally:
        fresh.shutdown()
    assert outputs(clean) == outputs(reference)
    assert outputs(clean)[0].strip() == "False"
    assert outputs(clean)[1].strip() == "#08519c False"
    assert [c.execution_count for c in clean.cells] == [1, 2, 3, 4, 5, 6]  # counts start afresh


def test_reports_reuse_one_client_connection(kernel):
    """A new client per report would open new sockets, wait for kernel_info and leak the old ones."""
    kernel.execute(notebook("1 + 1"), kernel.cwd, timeout=60)
    client = kernel.kc
    executed = kernel.execute(notebook("2 + 2"), kernel.cwd, timeout=60)
    assert kernel.kc is client
    assert outputs(executed) == ["4"]


def test_error_in_a_report_is_reported_and_the_kernel_stays_usable(kernel):
    with pytest.raises(CellExecutionError):
        kernel.execute(notebook("x = 1", "raise ValueError('kaputt')"), kernel.cwd, timeout=60)
    ok = kernel.execute(notebook("print('weiter')"), kernel.cwd, timeout=60)
    assert outputs(ok) == ["weiter\n"]


def test_crashed_kernel_fails_alone_and_is_replaced(tmp_path):
    cwd = tmp_path
    first = kernels.warm_kernel("python3", cwd)
    with pytest.raises((DeadKernelError, RuntimeError)):
        first.execute(notebook("import os; os._exit(1)"), cwd, timeout=60)
    kernels.discard(first)
    second = kernels.warm_kernel("python3", cwd)
    assert second is not first and second.alive()
    assert outputs(second.execute(notebook("print(1 + 1)"), cwd, timeout=60)) == ["2\n"]
    kernels.discard(second)


def test_wall_clock_timeout(tmp_path):
    k = kernels.WarmKernel("python3", Path(tmp_path))
    k.start()
    try:
        with pytest.raises(Exception) as err:
            k.execute(notebook("import time; time.sleep(1)", "time.sleep(1)", "time.sleep(30)"), k.cwd, timeout=3)
        assert "Timeout" in type(err.value).__name__ or "timed out" in str(err.value).lower()
    finally:
        k.shutdown()
