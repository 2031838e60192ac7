"""doit tasks generated from the config: raw -> processed -> executed notebooks -> HTML -> index.

``dodo.py`` only calls :func:`generate_tasks`. Every task declares its exact inputs
(``file_dep``: raw files, processed tables, notebook source, the helper modules its code
imports, templates, the config) and outputs (``targets``), so a second run does nothing,
touching one input re-runs exactly what depends on it, and ``doit -n N`` is safe.
Actions are module-level functions taking plain arguments, so parallel workers can run them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from helpers.config import Config, load_config
from helpers.deps import PACKAGE_DIR, helper_files
from helpers.paths import ProjectPaths


@dataclass(frozen=True)
class ReportDef:
    """A kind of report page: its notebook, the processed tables and raw sources it uses."""

    kind: str
    per_stadtteil: bool
    tables: tuple[str, ...]
    sources: tuple[str, ...]
    doc: str


REPORTS = {
    "profil": ReportDef(
        "profil",
        True,
        ("population_summary", "population_bands", "indicators", "services", "comparison", "social_index", "trends"),
        ("*",),
        "Stadtteilprofile: one page per report year and Stadtteil",
    ),
    "gesamtstadt": ReportDef(
        "gesamtstadt",
        False,
        (
            "population_summary",
            "indicators",
            "trends",
            "social_index",
            "need_supply",
            "hze_descriptive",
            "hze_effects",
            "hze_balance",
        ),
        ("*",),
        "Gesamtstädtischer Bericht: one page per report year, all Stadtteile side by side",
    ),
    "sozialraum": ReportDef(
        "sozialraum",
        False,
        ("indicators", "trends", "funnel_eb", "social_index", "need_supply"),
        ("*",),
        "Sozialraumanalyse: trends, funnel plots, EB, social index, need vs supply, maps per report year",
    ),
    "hze": ReportDef(
        "hze",
        False,
        ("indicators", "hze_descriptive", "hze_its", "hze_effects", "hze_event_study", "hze_balance"),
        ("hze_cases", "hze_expenditure", "services", "comparison", "population", "sgb2"),
        "HzE-Kosten-Wirkungs-Analyse: one page per report year",
    ),
}

#: Report kinds that need the analysis tables of a step (doit builds the step first).
ANALYSIS_STEPS = {"social": "analysen", "hze": "hze_analyse"}

TEMPLATE_FILES = sorted(p for p in (PACKAGE_DIR / "templates").rglob("*") if p.is_file())


@cache
def _config(config_path: str) -> Config:
    return load_config(config_path)


def report_title(config: Config, kind: str, year: int, slug: str | None) -> str:
    """The page title: names the commune, the year and (for profiles) the Stadtteil."""
    if kind == "profil":
        return f"Stadtteilprofil {config.stadtteil(slug).name} {year} – {config.commune.name}"
    label = {
        "gesamtstadt": "Gesamtstädtischer Bericht",
        "sozialraum": "Sozialraumanalyse",
        "hze": "Hilfen zur Erziehung: Kosten und Wirkung",
    }[kind]
    return f"{label} {year} – {config.commune.name}"


def report_inputs(config: Config, kind: str) -> list[Path]:
    """Every file a report of this kind reads or is rendered from."""
    paths = ProjectPaths(config)
    rdef = REPORTS[kind]
    notebook = paths.notebook_source(kind)
    deps = {notebook, paths.config_file, config.catalogue_path, *TEMPLATE_FILES}
    if config.leitbild_path is not None:
        deps.add(config.leitbild_path)
    if config.geojson_path is not None:
        deps.add(config.geojson_path)
    deps.update(paths.processed_table(t) for t in rdef.tables)
    for code in (notebook, PACKAGE_DIR / "execution.py", PACKAGE_DIR / "pages.py"):
        deps.update(helper_files(code))
    if paths.synthetic_marker.is_file():
        deps.add(paths.synthetic_marker)
    return sorted(deps)


# --- actions (run inside doit workers) -----------------------------------------------


def action_generate(config_path: str) -> None:
    """Write the synthetic sample data for the config."""
    from helpers.synth import generate_sample_data

    generate_sample_data(_config(config_path))


def action_process(config_path: str, source: str) -> Any:
    """Load, validate and process one raw source; a bad file fails the task with its problems."""
    from doit.exceptions import TaskFailed

    from helpers.pipeline import process_source
    from helpers.validation import RawDataError

    try:
        process_source(_config(config_path), source)
    except RawDataError as exc:
        return TaskFailed(str(exc))
    return None


def action_report(config_path: str, kind: str, year: int, slug: str | None) -> Any:
    """Execute one report notebook and publish its page; a failure names where to look."""
    from doit.exceptions import TaskFailed

    from helpers.execution import ReportError, ReportSpec, build_report
    from helpers.pages import PageInfo, page_context

    config = _config(config_path)
    paths = ProjectPaths(config)
    html = paths.report_html(kind, year, slug)
    crumbs = [] if kind == "gesamtstadt" else [(f"Gesamtstadt {year}", paths.report_html("gesamtstadt", year))]
    sources = list(config.sources) if REPORTS[kind].sources == ("*",) else list(REPORTS[kind].sources)
    info = PageInfo(html, sources, report_inputs(config, kind), crumbs)
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
    )
    try:
        build_report(spec)
    except ReportError as exc:
        return TaskFailed(str(exc))
    return None


def action_indicators(config_path: str) -> None:
    """Compute the indicators and apply the confidentiality rules."""
    from helpers.pipeline import build_indicator_tables

    build_indicator_tables(_config(config_path))


def action_analysis(config_path: str, step: str) -> None:
    """Compute the analysis tables of one step ('social' or 'hze')."""
    from helpers.pipeline import build_analysis

    build_analysis(_config(config_path), step)


def action_opendata(config_path: str) -> None:
    """Write the open-data export."""
    from helpers.pipeline import write_opendata

    write_opendata(_config(config_path))


def action_check_confidentiality(config_path: str) -> Any:
    """Audit the published open data and pages; fail the build if a secret is recoverable."""
    from doit.exceptions import TaskFailed

    from helpers.io import write_text_atomic
    from helpers.pipeline import check_confidentiality, check_pages

    config = _config(config_path)
    found = check_confidentiality(config) + check_pages(config)
    if found:
        return TaskFailed("Geheimhaltung verletzt:\n" + "\n".join(f"  - {f}" for f in found[:50]))
    write_text_atomic(
        ProjectPaths(config).disclosure_report,
        "Geheimhaltungsprüfung bestanden: keine geheime Zelle rekonstruierbar.\n",
    )
    return None


def action_methods(config_path: str, year: int) -> None:
    """Write the 'Methodische Hinweise' page of one report year."""
    from helpers.io import write_text_atomic
    from helpers.pages import render_methods

    config = _config(config_path)
    paths = ProjectPaths(config)
    page = paths.methods_html(year)
    write_text_atomic(page, render_methods(config, year, page, paths.report_html("gesamtstadt", year)))


def action_index(config_path: str) -> None:
    """Write the entry page that links every report."""
    from helpers.io import write_text_atomic
    from helpers.pages import render_index

    config = _config(config_path)
    paths = ProjectPaths(config)
    reports = {
        y: {kind: paths.report_html(kind, y) for kind, rdef in REPORTS.items() if not rdef.per_stadtteil}
        | {"methoden": paths.methods_html(y)}
        | {s.slug: paths.report_html("profil", y, s.slug) for s in config.stadtteile}
        for y in config.report_years
    }
    inputs = [p for y in reports.values() for p in y.values()]
    write_text_atomic(paths.index_html, render_index(config, reports, inputs))


# --- task generation ------------------------------------------------------------------


def _rel(paths: ProjectPaths, files: list[Path]) -> list[str]:
    """Paths as strings for doit (absolute; ``paths`` kept for a later relative form)."""
    del paths
    return [str(p) for p in files]


def generate_tasks(config: Config) -> Iterator[dict[str, Any]]:
    """All doit task dicts for one config (the sample generator is not a default task)."""
    paths = ProjectPaths(config)
    cfg = str(paths.config_file)
    yield from _generator_task(config, paths, cfg)
    yield from _process_tasks(config, paths, cfg)
    yield from _indicator_tasks(config, paths, cfg)
    yield from _analysis_tasks(config, paths, cfg)
    yield from _report_tasks(config, paths, cfg)
    yield from _methods_tasks(config, paths, cfg)
    yield from _index_task(config, paths, cfg)
    yield from _check_task(config, paths, cfg)


def _generator_task(config: Config, paths: ProjectPaths, cfg: str) -> Iterator[dict[str, Any]]:
    # No targets on purpose: raw files must never become targets, or doit would re-run the
    # generator on its own (and a city's real export could be overwritten). The task runs
    # only when asked for; the generator itself refuses to overwrite files it did not write.
    if config.sample_data is None:
        return
    yield {
        "basename": "generate_sample",
        "doc": "Write the seeded synthetic sample data into data/raw (not in the default build)",
        "actions": [(action_generate, [cfg])],
        "uptodate": [False],
        "verbosity": 1,
    }


def _process_tasks(config: Config, paths: ProjectPaths, cfg: str) -> Iterator[dict[str, Any]]:
    from helpers.registry import SOURCE_TABLES

    yield {
        "basename": "process",
        "name": None,
        "doc": "Load and validate raw sources, write processed tables",
    }
    for source, tables in SOURCE_TABLES.items():
        if source not in config.sources:
            continue
        code = helper_files(PACKAGE_DIR / "pipeline.py")
        yield {
            "basename": "process",
            "name": source,
            "doc": f"Validate raw '{source}' files and write {', '.join(tables)}",
            "actions": [(action_process, [cfg, source])],
            "file_dep": _rel(paths, [*paths.raw_source_files(source), paths.config_file, *code]),
            "targets": _rel(paths, [t for name in tables for t in paths.processed_targets(name)]),
            "verbosity": 1,
        }


def _indicator_tasks(config: Config, paths: ProjectPaths, cfg: str) -> Iterator[dict[str, Any]]:
    from helpers.indicators.catalogue import load_catalogue
    from helpers.registry import indicator_inputs

    catalogue = load_catalogue(config.catalogue_path)
    inputs = [paths.processed_table(t) for t in indicator_inputs(catalogue)]
    yield {
        "basename": "indicators",
        "doc": "Compute every catalogue indicator with intervals; apply primary and secondary suppression",
        "actions": [(action_indicators, [cfg])],
        "file_dep": _rel(
            paths,
            [
                *inputs,
                paths.config_file,
                config.catalogue_path,
                *helper_files(PACKAGE_DIR / "pipeline.py"),
            ],
        ),
        "targets": _rel(
            paths,
            [*paths.processed_targets("indicators"), paths.processed_table("indicators_internal")],
        ),
        "verbosity": 1,
    }
    deps = [
        paths.processed_table("indicators"),
        paths.config_file,
        config.catalogue_path,
        *helper_files(PACKAGE_DIR / "opendata.py"),
    ]
    if paths.synthetic_marker.is_file():
        deps.append(paths.synthetic_marker)
    yield {
        "basename": "opendata",
        "doc": "Write reports/opendata: indicators as tidy CSV with a Frictionless Data Package descriptor",
        "actions": [(action_opendata, [cfg])],
        "file_dep": _rel(paths, deps),
        "targets": _rel(paths, paths.opendata_files()),
        "verbosity": 1,
    }


def _analysis_tasks(config: Config, paths: ProjectPaths, cfg: str) -> Iterator[dict[str, Any]]:
    from helpers.paths import HZE_ANALYSIS_TABLES, SOCIAL_ANALYSIS_TABLES
    from helpers.registry import ANALYSIS_INPUTS

    outputs = {"social": SOCIAL_ANALYSIS_TABLES, "hze": HZE_ANALYSIS_TABLES}
    docs = {
        "social": "Trends, funnel/EB, social index and need vs supply for every report year",
        "hze": "HzE descriptive figures, ITS, DiD, event study and cost-effect balance for every report year",
    }
    for step, basename in ANALYSIS_STEPS.items():
        inputs = [paths.processed_table(t) for t in ANALYSIS_INPUTS[step]]
        yield {
            "basename": basename,
            "doc": docs[step],
            "actions": [(action_analysis, [cfg, step])],
            "file_dep": _rel(
                paths,
                [*inputs, paths.config_file, config.catalogue_path, *helper_files(PACKAGE_DIR / "analysis" / "run.py")],
            ),
            "targets": _rel(paths, [t for name in outputs[step] for t in paths.processed_targets(name)]),
            "verbosity": 1,
        }


def _check_task(config: Config, paths: ProjectPaths, cfg: str) -> Iterator[dict[str, Any]]:
    from helpers.indicators.catalogue import load_catalogue
    from helpers.registry import indicator_inputs

    catalogue = load_catalogue(config.catalogue_path)
    pages = [paths.report_html("profil", y, s.slug) for y in config.report_years for s in config.stadtteile]
    pages += [paths.report_html(k, y) for y in config.report_years for k, r in REPORTS.items() if not r.per_stadtteil]
    inputs = [paths.processed_table(t) for t in indicator_inputs(catalogue)]
    yield {
        "basename": "geheimhaltung",
        "doc": "Audit open data and pages: fail if any secret cell can be recovered by differencing",
        "actions": [(action_check_confidentiality, [cfg])],
        "file_dep": _rel(
            paths,
            [
                *paths.opendata_files(),
                *pages,
                *inputs,
                config.catalogue_path,
                *helper_files(PACKAGE_DIR / "disclosure.py"),
            ],
        ),
        "targets": _rel(paths, [paths.disclosure_report]),
        "verbosity": 1,
    }


def _report_tasks(config: Config, paths: ProjectPaths, cfg: str) -> Iterator[dict[str, Any]]:
    for kind, rdef in REPORTS.items():
        yield {"basename": kind, "name": None, "doc": rdef.doc}
        deps = _rel(paths, report_inputs(config, kind))
        slugs = [s.slug for s in config.stadtteile] if rdef.per_stadtteil else [None]
        for year in config.report_years:
            for slug in slugs:
                name = f"{year}-{slug}" if slug else str(year)
                yield {
                    "basename": kind,
                    "name": name,
                    "doc": report_title(config, kind, year, slug),
                    "actions": [(action_report, [cfg, kind, year, slug])],
                    "file_dep": deps,
                    "targets": _rel(
                        paths,
                        [
                            paths.executed_notebook(kind, year, slug),
                            paths.report_html(kind, year, slug),
                        ],
                    ),
                    "verbosity": 1,
                }


def _methods_tasks(config: Config, paths: ProjectPaths, cfg: str) -> Iterator[dict[str, Any]]:
    deps = [paths.config_file, config.catalogue_path, *TEMPLATE_FILES, *helper_files(PACKAGE_DIR / "pages.py")]
    if paths.synthetic_marker.is_file():
        deps.append(paths.synthetic_marker)
    yield {"basename": "methoden", "name": None, "doc": "Methodische Hinweise: one page per report year"}
    for year in config.report_years:
        yield {
            "basename": "methoden",
            "name": str(year),
            "doc": f"Methodische Hinweise {year}",
            "actions": [(action_methods, [cfg, year])],
            "file_dep": _rel(paths, deps),
            "targets": _rel(paths, [paths.methods_html(year)]),
            "verbosity": 1,
        }


def _index_task(config: Config, paths: ProjectPaths, cfg: str) -> Iterator[dict[str, Any]]:
    pages = [
        paths.report_html(kind, y, s)
        for y in config.report_years
        for kind, rdef in REPORTS.items()
        for s in ([st.slug for st in config.stadtteile] if rdef.per_stadtteil else [None])
    ]
    pages += [paths.methods_html(y) for y in config.report_years]
    code = helper_files(PACKAGE_DIR / "pages.py")
    yield {
        "basename": "index",
        "doc": "Write reports/index.html, the entry page linking every report",
        "actions": [(action_index, [cfg])],
        "file_dep": _rel(paths, [*pages, paths.config_file, *TEMPLATE_FILES, *code]),
        "targets": _rel(paths, [paths.index_html]),
        "verbosity": 1,
    }


DEFAULT_TASKS = [
    "process",
    "indicators",
    "opendata",
    *ANALYSIS_STEPS.values(),
    *REPORTS,
    "methoden",
    "index",
    "geheimhaltung",
]
