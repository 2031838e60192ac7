"""Run one report notebook and render its HTML page: the one place that does it.

``build_report(spec)`` reads the jupytext source, checks the parameters against the
notebook's tagged ``parameters`` cell, injects them with papermill's own
``parameterize_notebook``, executes the notebook in this worker's warm kernel
(``helpers.pipeline.kernels``; a fresh one when isolated), strips volatile metadata, saves the
executed notebook, and renders the
published HTML in this process with the project's offline template. Every file is written
atomically. A failing notebook raises :class:`ReportError` naming the notebook, its
parameters, the failing cell and the saved executed notebook that shows the traceback.
"""

from __future__ import annotations

import ast
import contextlib
import copy
import functools
import html
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jupytext
import nbformat
from nbconvert import HTMLExporter
from nbconvert.preprocessors import Preprocessor, TagRemovePreprocessor

from helpers.core.io import write_bytes_atomic, write_text_atomic
from helpers.core.settings import ISOLATED_ENV
from helpers.pipeline.interrupt import interrupted
from helpers.site.markup import TEMPLATES, link_glossary_terms, strip_css_comments, wrap_tables

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
    isolated: bool = False
    #: what the execution depends on (``helpers.pipeline.pages.execution_key``); "" executes always
    execution_key: str = ""


#: Metadata key of the executed notebook holding the execution key it was made with.
EXECUTION_KEY = "monitoring_execution_key"


def cached_execution(spec: ReportSpec) -> nbformat.NotebookNode | None:
    """The saved executed notebook when it was made with the same execution key, else None: a
    change in a template or the page shell renders the page again without executing the notebook."""
    if not spec.execution_key or not spec.executed.is_file():
        return None
    try:
        nb = nbformat.read(spec.executed, as_version=4)
    except (OSError, ValueError):
        return None
    if nb.metadata.get(EXECUTION_KEY) != spec.execution_key:
        return None
    nb.metadata.pop(EXECUTION_KEY)
    return nb


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


class ReportExporter(HTMLExporter):
    """nbconvert's HTML exporter without its closing BeautifulSoup pass.

    ``HTMLExporter`` re-parses every finished page to add a placeholder alt text to images
    without one and ``tabindex`` to code inputs and outputs. Report pages have no code, every
    figure carries its own alt text (checked on every page by the pipeline tests), and a tab
    stop on each output block would only slow keyboard users down; the pass cost about half
    of the rendering time. The filters are registered as ``HTMLExporter`` does.
    """

    def from_notebook_node(self, nb, resources=None, **kw):  # type: ignore[override]
        from nbconvert.exporters.templateexporter import TemplateExporter
        from nbconvert.filters.highlight import Highlight2HTML
        from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

        langinfo = nb.metadata.get("language_info", {})
        lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
        resources = self._init_resources(resources)
        self.register_filter("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self))
        self.register_filter(
            "filter_data_type",
            WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata, parent=self, resources=resources),
        )
        return TemplateExporter.from_notebook_node(self, nb, resources, **kw)


@functools.cache
def _exporter() -> HTMLExporter:
    """One exporter per process: its Jinja templates are compiled once, not per page."""
    exporter = ReportExporter(
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


_H2 = re.compile(r'<h2 id="([^"]+)"[^>]*>(.*?)</h2>', re.S)
_ANCHOR_LINK = re.compile(r'<a class="anchor-link".*?</a>', re.S)


def _heading_text(inner: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", _ANCHOR_LINK.sub("", inner))).strip()


def add_table_of_contents(page: str) -> str:
    """Insert an "Inhalt" list of the page's h2 headings after the first h1 (server-side, no script): open on a
    wide screen, folded into one line (a <details>) on a phone so that the page's first section is on its first
    screen; the stylesheet shows one of the two, and neither in print."""
    entries = [(anchor, _heading_text(inner)) for anchor, inner in _H2.findall(page)]
    end_h1 = page.find("</h1>")
    if len(entries) < 2 or end_h1 < 0:
        return page
    items = "".join(f'<li><a href="#{a}">{html.escape(t)}</a></li>' for a, t in entries)
    nav = (
        f'<nav class="mon-toc" aria-label="Inhalt"><p class="mon-toc-title">Inhalt</p><ul>{items}</ul></nav>'
        f'<details class="mon-toc-folded"><summary>Inhalt</summary><nav aria-label="Inhalt"><ul>{items}</ul></nav>'
        "</details>"
    )
    cut = end_h1 + len("</h1>")
    return page[:cut] + nav + page[cut:]


def render_html(nb: nbformat.NotebookNode, title: str, page: dict[str, Any]) -> str:
    """Render an executed notebook to an offline HTML page (no code; the site stylesheet linked)."""
    nb = copy.copy(nb)  # the exporter deep-copies the notebook itself; only the metadata changes here
    nb.metadata = nbformat.NotebookNode({**nb.metadata, "title": title})
    body, _ = _exporter().from_notebook_node(nb, resources={"monitoring": page})
    page_html = wrap_tables(add_table_of_contents(strip_css_comments(body)))
    return link_glossary_terms(page_html, page.get("glossary_href", ""))


def _failure_message(spec: ReportSpec, cell: int | None, first: str, error: str, failed: Path) -> str:
    params = ", ".join(f"{k}={v!r}" for k, v in spec.parameters.items())
    where = f"failing cell {cell} ({first!r})" if cell is not None else "failed during execution"
    return (
        f"Report notebook failed: {spec.notebook.name} with {params}\n"
        f"  {where}: {error}\n"
        f"  executed notebook with the traceback: {failed}"
    )


def isolated_mode(default: bool = False) -> bool:
    """Whether every report runs in a fresh kernel (``MONITORING_ISOLATED=1`` or the config)."""
    value = os.environ.get(ISOLATED_ENV, "")
    return default if value == "" else value.lower() not in ("0", "false", "no")


def parameterize(nb: nbformat.NotebookNode, parameters: dict[str, Any], kernel_name: str) -> nbformat.NotebookNode:
    """Inject parameters exactly as papermill does: a cell tagged ``injected-parameters``
    right after the cell tagged ``parameters`` (which keeps its defaults)."""
    from papermill.parameterize import parameterize_notebook

    nb = copy.deepcopy(nb)
    nb.metadata["kernelspec"] = {"name": kernel_name, "display_name": "Python 3", "language": "python"}
    nb.metadata["papermill"] = nbformat.from_dict({"parameters": {}, "environment_variables": {}})
    for cell in nb.cells:  # papermill's loader gives every cell a tags list
        cell.metadata.setdefault("tags", [])
    return parameterize_notebook(nb, parameters, kernel_name=kernel_name, language="python")


def _failed_cell(nb: nbformat.NotebookNode) -> tuple[int | None, str, str]:
    for i, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                first = (cell.source.strip().splitlines() or [""])[0]
                return i, first, f"{output.get('ename')}: {output.get('evalue')}"
    return None, "", ""


def _refuse_signal_handler(sig: int, callback: Any, *args: Any) -> None:
    raise RuntimeError("the build keeps Python's own SIGINT/SIGTERM handling")


@contextlib.contextmanager
def _own_signal_handling() -> Iterator[None]:
    """Keep Ctrl-C and SIGTERM with Python while nbclient runs a notebook.

    nbclient puts SIGINT and SIGTERM handlers on its event loop while it executes: they shut
    the kernel down and carry on, so Ctrl-C would end as a "kernel died" failure, SIGTERM
    could not end a worker, and the build's own SIGINT handler would be lost afterwards.
    nbclient skips them when the loop refuses (as outside the main thread), so the loop of
    this thread refuses for the time of the run.
    """
    from jupyter_core.utils import ensure_event_loop

    loop = ensure_event_loop()
    loop.add_signal_handler = _refuse_signal_handler  # type: ignore[method-assign]
    try:
        yield
    finally:
        del loop.add_signal_handler


def _run(spec: ReportSpec, nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Run in this process's warm kernel, or in a fresh one when isolated."""
    from helpers.pipeline import kernels

    isolated = isolated_mode(spec.isolated)
    kernel = kernels.WarmKernel(spec.kernel_name, spec.cwd) if isolated else None
    with _own_signal_handling():
        return _run_in(spec, nb, kernel, isolated)


def _run_in(spec: ReportSpec, nb: nbformat.NotebookNode, kernel: Any, isolated: bool) -> nbformat.NotebookNode:
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    from helpers.pipeline import kernels

    try:
        if kernel is not None:
            kernel.start()
        else:
            kernel = kernels.warm_kernel(spec.kernel_name, spec.cwd)
        return kernel.execute(nb, spec.cwd, spec.timeout)
    except KeyboardInterrupt:
        if kernel is not None and not isolated:
            kernels.discard(kernel)
        raise
    except (DeadKernelError, CellTimeoutError, kernels.KernelFailure, TimeoutError, RuntimeError) as exc:
        if kernel is not None and not isolated:
            kernels.discard(kernel)  # the next report gets a fresh kernel
        if interrupted():  # Ctrl-C broke the kernel's connection: an interruption, not a failure
            raise KeyboardInterrupt from exc
        if isinstance(exc, CellTimeoutError | TimeoutError):
            raise _KernelProblem(f"timed out after {spec.timeout} s") from exc
        if isinstance(exc, DeadKernelError | kernels.KernelFailure):
            raise _KernelProblem(f"kernel died or failed: {exc}") from exc
        raise
    finally:
        if isolated and kernel is not None:
            kernel.shutdown()


class _KernelProblem(RuntimeError):
    pass


def execute(spec: ReportSpec) -> nbformat.NotebookNode:
    """Execute the notebook; save it; raise :class:`ReportError` naming where to look."""
    from nbclient.exceptions import CellExecutionError

    nb = read_notebook(spec.notebook)
    check_parameters(nb, spec.parameters, spec.notebook.name)
    nb = parameterize(nb, spec.parameters, spec.kernel_name)
    failed = spec.executed.with_suffix(".failed.ipynb")
    try:
        executed = _run(spec, nb)
    except (CellExecutionError, _KernelProblem) as exc:
        if interrupted():
            raise KeyboardInterrupt from exc
        write_text_atomic(failed, nbformat.writes(strip_volatile(nb)) + "\n")
        index, first, error = _failed_cell(nb)
        if index is None:
            lines = str(exc).strip().splitlines()
            error = lines[-1] if lines else type(exc).__name__
        raise ReportError(_failure_message(spec, index, first, error, failed)) from None
    failed.unlink(missing_ok=True)
    executed = strip_volatile(executed)
    saved = copy.copy(executed)
    if spec.execution_key:
        saved.metadata = nbformat.NotebookNode({**executed.metadata, EXECUTION_KEY: spec.execution_key})
    write_text_atomic(spec.executed, nbformat.writes(saved) + "\n")
    return executed


def build_report(spec: ReportSpec) -> None:
    """Execute one report notebook (unless its saved execution is still valid) and publish its HTML page."""
    executed = cached_execution(spec) or execute(spec)
    spec.executed.with_suffix(".failed.ipynb").unlink(missing_ok=True)  # a saved execution is valid again
    html = render_html(executed, spec.title, spec.page)
    write_bytes_atomic(spec.html, html.encode("utf-8"))
