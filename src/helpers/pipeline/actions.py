"""Task actions: module-level functions with plain arguments, so parallel doit workers can
run them. Each loads the config once per process and calls into the layers below."""

from __future__ import annotations

from functools import cache
from typing import Any

from helpers.core.config import Config, load_config
from helpers.core.paths import PageRef, ProjectPaths
from helpers.core.registry import (
    HUB_REPORT,
    PAGES,
    REPORTS,
    SELECTED,
    STEPS,
    VALUES,
    Step,
    table,
    values_table,
)


@cache
def config_of(config_path: str) -> Config:
    return load_config(config_path)


def report_title(config: Config, kind: str, year: int, slug: str | None) -> str:
    """The page title: names the report kind, the Stadtteil (if any), the year and the commune."""
    area = f" {config.stadtteil(slug).name}" if slug else ""
    return f"{REPORTS[kind].title}{area} {year} – {config.commune.name}"


def step_inputs(config: Config, step: Step) -> list[str]:
    """The processed tables a step reads (``SELECTED`` expanded from the catalogue, ``VALUES``
    to the value table of each of the catalogue's numerator selections)."""
    from helpers.core.availability import available_tables
    from helpers.indicators.catalogue import indicator_inputs
    from helpers.indicators.plan import commune_catalogue

    catalogue = commune_catalogue(config)
    available = available_tables(config)
    names: list[str] = []
    for name in step.inputs:
        if name == VALUES:
            names += [values_table(s) for s in value_groups(config)]
        elif name == SELECTED:
            names += [n for n in indicator_inputs(catalogue) if n in available]
        elif name in available:
            names.append(name)
    return names


def value_groups(config: Config) -> list[str]:
    """The numerator selections of the commune's catalogue: one ``kennzahlen:<selection>`` task each."""
    from helpers.indicators.catalogue import indicator_groups
    from helpers.indicators.plan import commune_catalogue

    return list(indicator_groups(commune_catalogue(config)))


def value_inputs(config: Config, selection: str) -> list[str]:
    """The processed tables the indicators of one numerator selection read."""
    from helpers.core.availability import available_tables
    from helpers.indicators.catalogue import group_inputs
    from helpers.indicators.plan import commune_catalogue

    available = available_tables(config)
    return [n for n in group_inputs(commune_catalogue(config), selection) if n in available]


def write_tables(config: Config, tables: dict[str, Any]) -> None:
    """Check processed tables against their schema (``helpers.sources.table_checks``), then write
    them atomically: parquet, plus CSV where the registry says so. A broken rule writes nothing."""
    from helpers.core.io import write_csv_atomic, write_parquet_atomic
    from helpers.indicators.compute import share_indicators
    from helpers.sources.table_checks import check_tables, with_declared_columns

    paths = ProjectPaths(config)
    tables = {name: with_declared_columns(name, frame) for name, frame in tables.items()}
    files = {n: f"Tabelle '{n}' ({paths.processed_table(n).relative_to(paths.root).as_posix()})" for n in tables}
    check_tables(tables, files, share_indicators(config.catalogue_path))
    for name, frame in tables.items():
        write_parquet_atomic(frame, paths.processed_table(name))
        if table(name).csv:
            write_csv_atomic(frame, paths.processed_table(name, ".csv"))


def action_generate(config_path: str, next_year: bool = False) -> None:
    """Write the synthetic sample data for the config; ``next_year``: only add the year after
    ``years.data.last`` (new per-year files, all-years files extended, earlier files untouched)."""
    from helpers.synth import generate_next_year, generate_sample_data

    config = config_of(config_path)
    if not next_year:
        generate_sample_data(config)
        return
    written = generate_next_year(config)
    year = config.years.data.last + 1
    print(
        f"Beispieldaten um das Jahr {year} ergänzt: {len(written)} Datei(en) geschrieben, "
        "frühere Jahresdateien unverändert."
    )
    print(f"Jetzt years.data.last: {year} in der Konfiguration setzen, dann bauen.")


def action_plan(config_path: str) -> None:
    """Print the commune's plan (``doit kommune``)."""
    from helpers.indicators.plan import plan_text

    print(plan_text(config_of(config_path)))


def action_process(config_path: str, source: str) -> None:
    """Load, validate and process one raw source; a bad file fails the task with its problems
    (``dodo.py`` turns the error into one German block; the traceback goes to build/logs)."""
    from helpers.sources.process import build_source

    config = config_of(config_path)
    write_tables(config, build_source(config, source))


def action_values(config_path: str, selection: str) -> None:
    """Compute the values of the indicators counting from one selection (``kennzahlen:<selection>``)."""
    from helpers.core.tables import load_tables
    from helpers.indicators.steps import build_indicator_values

    config = config_of(config_path)
    values = build_indicator_values(config, load_tables(config, value_inputs(config, selection)), selection)
    write_tables(config, {values_table(selection): values})


def action_step(config_path: str, name: str) -> None:
    """Run one registered step: read its declared inputs, write exactly its declared outputs."""
    from helpers.core.tables import load_tables
    from helpers.sources.process import resolve

    config = config_of(config_path)
    step = STEPS[name]
    tables = load_tables(config, step_inputs(config, step))
    for view, seen_as in step.views:
        if view in tables:
            tables[seen_as] = tables.pop(view)
    results = resolve(step.action)(config, tables)
    if set(results) != set(step.outputs):
        raise RuntimeError(f"step {name!r} returned {sorted(results)}, registered are {sorted(step.outputs)}")
    write_tables(config, results)


def action_slices(config_path: str, name: str) -> None:
    """Write the per-report-year slices of one table (only slices whose bytes change are written);
    remove its slices of years that are no longer report years."""
    import pandas as pd

    from helpers.core.io import write_parquet_atomic
    from helpers.core.tables import year_rows

    config = config_of(config_path)
    paths = ProjectPaths(config)
    frame = pd.read_parquet(paths.processed_table(name))
    for year in config.report_years:
        write_parquet_atomic(year_rows(frame, table(name).page_rows, year), paths.year_slice(name, year))
    wanted = {paths.year_slice(name, y) for y in config.report_years}
    for stale in sorted(paths.year_slices.glob(f"*/{table(name).stem}.parquet")):
        if stale not in wanted:
            stale.unlink()
            if not any(stale.parent.iterdir()):
                stale.parent.rmdir()


def action_synthetic_status(config_path: str) -> None:
    """Write which sources are the generator's sample (``herkunft.json``), only if that changes."""
    from helpers.core.io import write_text_atomic
    from helpers.core.provenance import synthetic_status, synthetic_status_text

    paths = ProjectPaths(config_of(config_path))
    write_text_atomic(paths.synthetic_status, synthetic_status_text(synthetic_status(paths)))


def page_title(config: Config, ref: PageRef) -> str:
    """The title of one page for the task list (a report's is also its page title)."""
    page = REPORTS.get(ref.kind) or None
    if page is not None:
        assert ref.year is not None
        return report_title(config, ref.kind, ref.year, ref.area)
    if ref.kind in ("kennzahl", "kennzahlen"):
        return factsheet_title(config, ref.indicator)
    return f"{PAGES[ref.kind].title} {ref.year}" if ref.year is not None else PAGES[ref.kind].doc


def action_report(config_path: str, kind: str, year: int, slug: str | None, inputs: list[str]) -> Any:
    """Execute one report notebook (unless its executed notebook is still valid) and publish its page;
    a failure names where to look."""
    from pathlib import Path

    from doit.exceptions import TaskFailed

    from helpers.pipeline.execution import ReportError, ReportSpec, build_report
    from helpers.pipeline.pages import execution_key
    from helpers.site.pages import PageInfo, page_context

    config = config_of(config_path)
    paths = ProjectPaths(config)
    html = paths.report_html(kind, year, slug)
    hub = paths.report_html(HUB_REPORT, year)
    crumbs = [] if kind == HUB_REPORT else [(f"Gesamtstadt {year}", hub)]
    declared = REPORTS[kind].sources
    sources = list(config.sources) if declared is None else [s for s in declared if s in config.sources]
    info = PageInfo(html, sources, [Path(p) for p in inputs], crumbs)
    params: dict[str, Any] = {"config_path": str(paths.config_file), "year": year}
    if slug is not None:
        params["stadtteil"] = slug
    spec = ReportSpec(
        notebook=paths.notebook_source(kind),
        parameters=params,
        executed=paths.executed_notebook(kind, year, slug),
        html=html,
        title=report_title(config, kind, year, slug),
        cwd=paths.notebooks,
        kernel_name=config.execution.kernel_name,
        timeout=config.execution.timeout_seconds,
        page=page_context(config, info),
        isolated=config.execution.isolated,
        execution_key=execution_key(config, PageRef(kind, year, slug), params),
    )
    try:
        build_report(spec)
    except ReportError as exc:
        return TaskFailed(str(exc))
    return None


def action_page(config_path: str, kind: str, year: int | None, area: str | None, indicator: str | None) -> Any:
    """Render one site page with its registered function (``registry.Page.renderer``) and write it;
    a renderer that raises ``PageFailed`` (the data check with errors) still writes its page, then fails."""
    from doit.exceptions import TaskFailed

    from helpers.core.io import write_text_atomic
    from helpers.pipeline.pages import page_inputs, resolve
    from helpers.site.renderers import PageFailed

    config = config_of(config_path)
    ref = PageRef(kind, year, area, indicator)
    target = ProjectPaths(config).page_file(ref)
    try:
        html = resolve(PAGES[kind].renderer)(config, ref, page_inputs(config, ref))
    except PageFailed as failed:
        write_text_atomic(target, failed.html)
        return TaskFailed(str(failed))
    write_text_atomic(target, html)
    return None


def action_cleanup(config_path: str) -> None:
    """Remove published pages of years, areas or report kinds no longer configured (one line each)."""
    from helpers.site.cleanup import remove_stale

    for line in remove_stale(ProjectPaths(config_of(config_path))):
        print(line)


def nothing_stale(config_path: str) -> bool:
    """doit ``uptodate`` check of the cleanup task: True when no stale page exists."""
    from helpers.site.cleanup import stale_files

    return not stale_files(ProjectPaths(config_of(config_path)))


def action_opendata(config_path: str) -> None:
    """Write the open-data export."""
    from helpers.indicators.steps import write_opendata

    write_opendata(config_of(config_path))


def action_check_confidentiality(config_path: str) -> Any:
    """Audit the published open data and pages; fail the build if a secret is recoverable."""
    from doit.exceptions import TaskFailed

    from helpers.core.io import write_text_atomic
    from helpers.indicators.steps import check_confidentiality
    from helpers.site.audit import check_pages

    config = config_of(config_path)
    found = check_confidentiality(config) + check_pages(config)
    if found:
        return TaskFailed("Geheimhaltung verletzt:\n" + "\n".join(f"  - {f}" for f in found[:50]))
    write_text_atomic(
        ProjectPaths(config).disclosure_report,
        "Geheimhaltungsprüfung bestanden: keine geheime Zelle rekonstruierbar.\n",
    )
    return None


def action_stylesheet(config_path: str) -> None:
    """Write the site's one stylesheet to reports/assets: the palette's colours as custom properties, then
    ``report.css`` with its comments stripped."""
    from helpers.core.io import write_text_atomic
    from helpers.report.palette import css_variables
    from helpers.site.markup import CSS_COMMENT, TEMPLATES

    source = (TEMPLATES / "monitoring" / "report.css").read_text(encoding="utf-8")
    css = css_variables() + "\n" + CSS_COMMENT.sub("", source)
    lines = [line.rstrip() for line in css.splitlines() if line.strip()]
    write_text_atomic(ProjectPaths(config_of(config_path)).stylesheet, "\n".join(lines) + "\n")


def factsheet_title(config: Config, indicator_id: str | None) -> str:
    """The title of a fact sheet (or of their overview) for the task list."""
    from helpers.indicators.plan import commune_catalogue

    if indicator_id is None:
        return f"Kennzahlenblätter – Übersicht – {config.commune.name}"
    return f"Kennzahlenblatt {commune_catalogue(config).get(indicator_id).short} – {config.commune.name}"


def action_indicator_slices(config_path: str) -> None:
    """Write the published rows of each fact-sheet indicator to its own file (only files whose bytes
    change are written, so a change in one source re-runs only the fact sheets of its indicators);
    remove the files of indicators that no longer have a fact sheet."""
    import pandas as pd

    from helpers.core.io import write_parquet_atomic

    config = config_of(config_path)
    paths = ProjectPaths(config)
    from helpers.site.sitemap import factsheet_ids

    published = pd.read_parquet(paths.processed_table("indicators"))
    ids = factsheet_ids(config)
    groups = {str(k): rows for k, rows in published.groupby("indicator_id", sort=True)}
    for indicator in ids:  # an indicator without published rows gets an empty file (its sheet says so)
        rows = groups.get(indicator, published.iloc[0:0])
        write_parquet_atomic(rows.reset_index(drop=True), paths.indicator_slice(indicator))
    wanted = {paths.indicator_slice(i) for i in ids}
    for stale in sorted(paths.indicator_slices.glob("*.parquet")):
        if stale not in wanted:
            stale.unlink()


def action_pdf(page: str, target: str) -> None:
    """Print one report page to its PDF (headless Chromium)."""
    from pathlib import Path

    from helpers.pipeline.kernels import shutdown_warm_kernels
    from helpers.site.pdf import write_pdf

    shutdown_warm_kernels()  # the PDFs run after every notebook report (task_dep): no kernel is needed again
    write_pdf(Path(page), Path(target))
