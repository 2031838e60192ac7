"""Run one report notebook and render its HTML page: the one place that does it.

``build_report(spec)`` reads the jupytext source, checks the parameters against the
notebook's tagged ``parameters`` cell, executes it with papermill (parameters injected the
papermill way), strips volatile metadata, saves the executed notebook, and renders the
published HTML in this process with the project's offline template. Every file is written
atomically. A failing notebook raises :class:`ReportError` naming the notebook, its
parameters, the failing cell and the saved executed notebook that shows the traceback.
"""

from __future__ import annotations

import ast
import copy
import logging
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jupytext
import nbformat
from jupyter_client.manager import KernelManager
from nbconvert import HTMLExporter
from nbconvert.preprocessors import Preprocessor, TagRemovePreprocessor

from helpers.htmlcheck import strip_css_comments
from helpers.io import write_bytes_atomic, write_text_atomic

TEMPLATES = Path(__file__).resolve().parent / "templates"
REMOVE_TAGS = {"parameters", "injected-parameters", "remove-cell"}
VOLATILE_NB_KEYS = ("papermill",)
VOLATILE_CELL_KEYS = ("papermill", "execution")


class ReportError(RuntimeError):
    """A report notebook failed; the message says where and where to look."""


@dataclass(frozen=True)
class ReportSpec:
    """Everything needed to build one report."""

    notebook: Path
    parameters: dict[str, Any]
    executed: Path
    html: Path
    title: str
    cwd: Path
    kernel_name: str = "python3"
    timeout: int = 600
    page: dict[str, Any] = field(default_factory=dict)


def read_notebook(source: Path) -> nbformat.NotebookNode:
    """Read a jupytext ``py:percent`` source (or an ``.ipynb``) as a notebook."""
    return jupytext.read(source)


def notebook_parameters(nb: nbformat.NotebookNode) -> dict[str, str]:
    """Names and default expressions of the tagged ``parameters`` cell.

    Raises :class:`ReportError` when the notebook has no such cell.
    """
    for cell in nb.cells:
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            tree = ast.parse(cell.source)
            return {
                t.id: ast.unparse(node.value)
                for node in tree.body
                if isinstance(node, ast.Assign | ast.AnnAssign)
                for t in (node.targets if isinstance(node, ast.Assign) else [node.target])
                if isinstance(t, ast.Name) and node.value is not None
            }
    raise ReportError("notebook has no cell tagged 'parameters'")


def check_parameters(nb: nbformat.NotebookNode, parameters: dict[str, Any], name: str) -> None:
    """Fail when a parameter is not declared in the notebook (papermill only warns)."""
    declared = notebook_parameters(nb)
    unknown = sorted(set(parameters) - set(declared))
    if unknown:
        raise ReportError(f"{name}: unknown parameter(s) {unknown}; the parameters cell declares {sorted(declared)}")


def strip_volatile(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Remove run-dependent metadata (timestamps, durations, random ids) for stable files."""
    nb = copy.deepcopy(nb)
    for key in VOLATILE_NB_KEYS:
        nb.metadata.pop(key, None)
    for i, cell in enumerate(nb.cells):
        for key in VOLATILE_CELL_KEYS:
            cell.metadata.pop(key, None)
        cell["id"] = f"cell-{i:03d}"
    return nb


class DropStderr(Preprocessor):
    """Drop stderr streams and error outputs: reviewers never see warnings or tracebacks."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code":
            cell.outputs = [
                o
                for o in cell.outputs
                if not (o.output_type == "stream" and o.get("name") == "stderr") and o.output_type != "error"
            ]
        return cell, resources


def _exporter() -> HTMLExporter:
    exporter = HTMLExporter(
        template_name="monitoring",
        extra_template_basedirs=[str(TEMPLATES)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        language_code="de",
    )
    exporter.register_preprocessor(TagRemovePreprocessor(remove_cell_tags=REMOVE_TAGS, enabled=True), enabled=True)
    exporter.register_preprocessor(DropStderr(enabled=True), enabled=True)
    return exporter


def render_html(nb: nbformat.NotebookNode, title: str, page: dict[str, Any]) -> str:
    """Render an executed notebook to a self-contained, offline HTML page (no code)."""
    nb = copy.deepcopy(nb)
    nb.metadata["title"] = title
    body, _ = _exporter().from_notebook_node(nb, resources={"monitoring": page})
    return strip_css_comments(body)


def _failure_message(spec: ReportSpec, exc: Exception, failed: Path) -> str:
    cell = getattr(exc, "cell_index", None)
    source = (getattr(exc, "source", "") or "").strip().splitlines()
    first = source[0] if source else ""
    ename = getattr(exc, "ename", type(exc).__name__)
    evalue = getattr(exc, "evalue", str(exc)).strip().splitlines()
    params = ", ".join(f"{k}={v!r}" for k, v in spec.parameters.items())
    where = f"cell {cell} ({first!r})" if cell is not None else "during execution"
    return (
        f"Report notebook failed: {spec.notebook.name} with {params}\n"
        f"  failing {where}: {ename}: {evalue[0] if evalue else ''}\n"
        f"  executed notebook with the traceback: {failed}"
    )


def ipc_kernel_manager(kernel_name: str, folder: Path) -> KernelManager:
    """A kernel manager on IPC (Unix socket) transport in its own folder.

    IPC cannot race for TCP ports when several workers start kernels at once (``doit -n``),
    and it needs no unencrypted TCP.
    """
    return KernelManager(kernel_name=kernel_name, transport="ipc", ip=str(folder / "kernel"))


def execute(spec: ReportSpec) -> nbformat.NotebookNode:
    """Execute the notebook with papermill; save it; raise :class:`ReportError` on failure."""
    import papermill  # imported here: costly, and only needed by workers that execute

    logging.getLogger("papermill").setLevel(logging.WARNING)
    nb = read_notebook(spec.notebook)
    check_parameters(nb, spec.parameters, spec.notebook.name)
    nb.metadata["kernelspec"] = {
        "name": spec.kernel_name,
        "display_name": "Python 3",
        "language": "python",
    }
    failed = spec.executed.with_suffix(".failed.ipynb")
    spec.executed.parent.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory(dir=spec.executed.parent) as tmp,
        tempfile.TemporaryDirectory(prefix="mon-ipc-") as ipc,
    ):
        out = Path(tmp) / spec.executed.name
        km = ipc_kernel_manager(spec.kernel_name, Path(ipc))
        try:
            executed = papermill.execute_notebook(
                nb,
                str(out),
                parameters=spec.parameters,
                kernel_name=spec.kernel_name,
                cwd=str(spec.cwd),
                progress_bar=False,
                execution_timeout=spec.timeout,
                km=km,
            )
        except Exception as exc:
            if out.exists():
                shutil.move(out, failed)
            raise ReportError(_failure_message(spec, exc, failed)) from None
        finally:
            if km.has_kernel:
                km.shutdown_kernel(now=True)
    failed.unlink(missing_ok=True)
    executed = strip_volatile(executed)
    write_text_atomic(spec.executed, nbformat.writes(executed) + "\n")
    return executed


def build_report(spec: ReportSpec) -> None:
    """Execute one report notebook and publish its HTML page."""
    executed = execute(spec)
    html = render_html(executed, spec.title, spec.page)
    write_bytes_atomic(spec.html, html.encode("utf-8"))
