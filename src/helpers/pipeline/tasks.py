"""doit tasks generated from the registry and the config: raw -> processed -> steps ->
executed notebooks -> HTML -> index, and the confidentiality audit.

``dodo.py`` only calls :func:`generate_tasks`. Every task declares its exact inputs
(``file_dep``: raw files, processed tables, notebook source, the helper modules its code
imports, templates, the config) and outputs (``targets``), all derived from
``helpers.core.registry``, so a second run does nothing, touching one input re-runs exactly
what depends on it, and ``doit -n N`` is safe.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from doit.tools import config_changed

from helpers.core.availability import active_steps, available_tables, built_reports, start_page_inputs
from helpers.core.config import Config
from helpers.core.paths import ProjectPaths
from helpers.core.registry import REPORTS, SOURCES, STEPS, table, values_table
from helpers.pipeline.actions import (
    action_check_confidentiality,
    action_cleanup,
    action_data_check,
    action_factsheet,
    action_generate,
    action_glossary,
    action_index,
    action_indicator_slices,
    action_methods,
    action_opendata,
    action_pdf,
    action_plan,
    action_process,
    action_report,
    action_slices,
    action_step,
    action_stylesheet,
    action_synthetic_status,
    action_values,
    factsheet_inputs,
    factsheet_title,
    nothing_stale,
    report_title,
    step_inputs,
    value_groups,
    value_inputs,
)
from helpers.pipeline.deps import PACKAGE_DIR, helper_files, module_file
from helpers.site.markup import TEMPLATES

#: The fact sheets' own templates: only the fact-sheet tasks depend on them (a change there
#: does not re-run every notebook report).
FACTSHEET_TEMPLATES = sorted(TEMPLATES.rglob("factsheet*.j2"))
TEMPLATE_FILES = sorted(p for p in TEMPLATES.rglob("*") if p.is_file() and p not in FACTSHEET_TEMPLATES)
EXECUTION = PACKAGE_DIR / "pipeline" / "execution.py"
PAGES = PACKAGE_DIR / "site" / "pages.py"
FACTSHEETS = PACKAGE_DIR / "site" / "factsheets.py"
STYLESHEET_SOURCE = TEMPLATES / "monitoring" / "report.css"


def code_of(dotted: str) -> list[Path]:
    """The helper files behind ``"module:function"`` or a module name, with their imports."""
    found = module_file(dotted.partition(":")[0])
    return helper_files(found) if found is not None else []


def report_inputs(config: Config, kind: str, year: int) -> list[Path]:
    """Every file a report of this kind and report year reads or is rendered from: of a table
    with ``page_rows``, only its slice for the year (``ProjectPaths.page_table``)."""
    paths = ProjectPaths(config)
    notebook = paths.notebook_source(kind)
    deps = {notebook, paths.config_file, config.catalogue_path, *TEMPLATE_FILES}
    if config.leitbild_path is not None:
        deps.add(config.leitbild_path)
    deps.update(config.geometry_files)
    available = available_tables(config)
    deps.update(paths.page_table(t, year) for t in REPORTS[kind].read_tables if t in available)
    for code in (notebook, EXECUTION, PAGES):
        deps.update(helper_files(code))
    deps.add(paths.synthetic_status)
    return sorted(deps)


def sliced_tables(config: Config) -> list[str]:
    """The tables written as per-report-year slices: those with ``page_rows`` that a built report reads."""
    available = available_tables(config)
    read = {t for kind in built_reports(config) for t in REPORTS[kind].read_tables}
    return [t for t in sorted(read & available) if table(t).page_rows]


def _str(files: list[Path]) -> list[str]:
    return [str(p) for p in files]


def generate_tasks(config: Config, next_year: bool = False) -> Iterator[dict[str, Any]]:
    """All doit task dicts for one config (the sample generator is not a default task;
    ``next_year``: it only adds the year after ``years.data.last``)."""
    paths = ProjectPaths(config)
    cfg = str(paths.config_file)
    yield from _generator_task(config, cfg, next_year)
    yield from _plan_task(cfg)
    yield from _process_tasks(config, paths, cfg)
    yield from _synthetic_task(config, paths, cfg)
    yield from _data_check_task(config, paths, cfg)
    yield from _step_tasks(config, paths, cfg)
    yield from _slice_tasks(config, paths, cfg)
    yield from _opendata_task(config, paths, cfg)
    yield from _stylesheet_task(paths, cfg)
    yield from _report_tasks(config, paths, cfg)
    yield from _methods_tasks(config, paths, cfg)
    yield from _glossary_task(paths, cfg)
    yield from _factsheet_tasks(config, paths, cfg)
    yield from _cleanup_task(cfg)
    yield from _index_task(config, paths, cfg)
    yield from _check_task(config, paths, cfg)
    yield from _pdf_tasks(config, paths, cfg)


def _generator_task(config: Config, cfg: str, next_year: bool = False) -> Iterator[dict[str, Any]]:
    # No targets on purpose: raw files must never become targets, or doit would re-run the
    # generator on its own (and a city's real export could be overwritten). The task runs
    # only when asked for; the generator itself refuses to overwrite files it did not write.
    if config.sample_data is None:
        return
    yield {
        "basename": "generate_sample",
        "doc": "Write the seeded synthetic sample data into data/raw (next_year=1: add a year; not a default task)",
        "actions": [(action_generate, [cfg, next_year])],
        "uptodate": [False],
        "verbosity": 1,
    }


def _plan_task(cfg: str) -> Iterator[dict[str, Any]]:
    yield {
        "basename": "kommune",
        "doc": "Show this commune's plan: sources found and missing, indicators computed and skipped, pages",
        "actions": [(action_plan, [cfg])],
        "uptodate": [False],
        "verbosity": 2,
    }


def _process_tasks(config: Config, paths: ProjectPaths, cfg: str) -> Iterator[dict[str, Any]]:
    yield {"basename": "process", "name": None, "doc": "Load and validate raw sources, write processed tables"}
    runner = helper_files(PACKAGE_DIR / "sources" / "process.py")
    for key, source in SOURCES.items():
        if key not in config.sources:
            continue
        code = sorted({*runner, *code_of(source.builder)})
        yield {
            "basename": "process",
            "name": key,
            "doc": f"Validate raw '{key}' files and write {', '.join(source.tables)}",
            "actions": [(action_process, [cfg, key])],
            "file_dep": _str([*paths.raw_source_files(key), paths.config_file, *code]),
            "targets": _str([t for name in source.tables for t in paths.processed_targets(name)]),
            "verbosity": 1,
        }


def _synthetic_task(config: Config, paths: ProjectPaths, cfg: str) -> Iterator[dict[str, Any]]:
    # Which sources are the generator's sample: read from the marker and the raw files' bytes
    # here, once, so that pages depend on this small file and not on every raw file.
    raw = [p for key in config.sources if key in SOURCES for p in paths.raw_source_files(key) if p.is_file()]
    marker = [paths.synthetic_marker] if paths.synthetic_marker.is_file() else []
    yield {
        "basename": "herkunft",
        "doc": "Write data/processed/herkunft.json: which sources are the synthetic sample (page banners)",
        "actions": [(action_synthetic_status, [cfg])],
        "file_dep": _str([*marker, *raw, paths.config_file, *code_of("helpers.core.provenance")]),
        "targets": _str([paths.synthetic_status]),
        "verbosity": 1,
    }


def _slice_tasks(config: Config, paths: ProjectPaths, cfg: str) -> Iterator[dict[str, Any]]:
    # One cheap task per table that pages read by report year: the slices of a year whose rows
    # did not change keep their bytes, so the pages of that year do not re-run.
    names = sliced_tables(config)
    if not names:
        return
    yield {"basename": "jahresauszug", "name": None, "doc": "Per-report-year slices of the tables the pages read"}
    code = code_of("helpers.core.tables")
    for name in names:
        yield {
            "basename": "jahresauszug",
            "name": name,
            "doc": f"The rows of '{name}' that the pages of each report year read (data/processed/jahre/<year>/)",
            "actions": [(action_slices, [cfg, name])],
            "file_dep": _str([paths.processed_table(name), paths.config_file, *code]),
            "targets": _str([paths.year_slice(name, y) for y in config.report_years]),
            "verbosity": 1,
        }


def _data_check_task(config: Config, paths: ProjectPaths, cfg: str) -> Iterator[dict[str, Any]]:
    from helpers.sources.measures import MEASURES

    tables = [t for s in config.sources if s in SOURCES for t in SOURCES[s].tables if t in MEASURES]
    code = code_of("helpers.sources.plausibility") + helper_files(PAGES)
    yield {
        "basename": "datenpruefung",
        "doc": "Plausibility checks across sources and years; build/checks/datenpruefung.html (errors stop the build)",
        "actions": [(action_data_check, [cfg])],
        "file_dep": _str([*(paths.processed_table(t) for t in tables), paths.config_file, *TEMPLATE_FILES, *code]),
        "targets": _str([paths.data_check_page]),
        "verbosity": 1,
    }


def _values_tasks(config: Config, paths: ProjectPaths, cfg: str) -> Iterator[dict[str, Any]]:
    # One task per numerator selection: a changed source recomputes only the indicators that
    # read it; the `indicators` step then joins the values and protects them all at once.
    yield {"basename": "kennzahlen", "name": None, "doc": "Indicator values, one task per numerator selection"}
    code = code_of("helpers.indicators.steps")
    for selection in value_groups(config):
        inputs = [paths.processed_table(t) for t in value_inputs(config, selection)]
        yield {
            "basename": "kennzahlen",
            "name": selection,
            "doc": f"Values of the indicators counting from '{selection}' (unprotected, internal)",
            "task_dep": ["datenpruefung"],
            "actions": [(action_values, [cfg, selection])],
            "file_dep": _str([*inputs, paths.config_file, config.catalogue_path, *code]),
            "targets": _str(paths.processed_targets(values_table(selection))),
            "verbosity": 1,
        }


def _step_tasks(config: Config, paths: ProjectPaths, cfg: str) -> Iterator[dict[str, Any]]:
    if "indicators" in active_steps(config):
        yield from _values_tasks(config, paths, cfg)
    for name in active_steps(config):
        step = STEPS[name]
        inputs = [paths.processed_table(t) for t in step_inputs(config, step)]
        yield {
            "basename": name,
            "doc": step.doc,
            "task_dep": ["datenpruefung"],
            "actions": [(action_step, [cfg, name])],
            "file_dep": _str([*inputs, paths.config_file, config.catalogue_path, *code_of(step.code)]),
            "targets": _str([t for out in step.outputs for t in paths.processed_targets(out)]),
            "verbosity": 1,
        }


def _opendata_task(config: Config, paths: ProjectPaths, cfg: str) -> Iterator[dict[str, Any]]:
    deps = [
        paths.processed_table("indicators"),
        paths.config_file,
        config.catalogue_path,
        *code_of("helpers.indicators.steps"),
        paths.synthetic_status,
    ]
    yield {
        "basename": "opendata",
        "doc": "Write reports/opendata: indicators as tidy CSV with a Frictionless Data Package descriptor",
        "actions": [(action_opendata, [cfg])],
        "file_dep": _str(deps),
        "targets": _str(paths.opendata_files()),
        "verbosity": 1,
    }


def _all_pages(config: Config, paths: ProjectPaths) -> list[Path]:
    return [page for y in config.report_years for _, _, page in paths.report_pages(y)]


def _check_task(config: Config, paths: ProjectPaths, cfg: str) -> Iterator[dict[str, Any]]:
    values = {values_table(s) for s in value_groups(config)}
    names = {*step_inputs(config, STEPS["indicators"]), "indicators", "indicators_internal"} - values
    names |= {"hze_cases", "hze_descriptive"} & available_tables(config)
    inputs = [paths.processed_table(t) for t in sorted(names)]
    code = sorted({*code_of("helpers.indicators.steps"), *code_of("helpers.site.audit")})
    yield {
        "basename": "geheimhaltung",
        "doc": "Audit open data and pages: fail if any secret cell can be recovered by differencing",
        "task_dep": ["aufraeumen"],
        "actions": [(action_check_confidentiality, [cfg])],
        "file_dep": _str(
            [
                *paths.opendata_files(),
                *_all_pages(config, paths),
                *paths.factsheet_pages(),
                *inputs,
                config.catalogue_path,
                *code,
            ]
        ),
        "targets": _str([paths.disclosure_report, paths.risk_summary]),
        "verbosity": 1,
    }


def _report_tasks(config: Config, paths: ProjectPaths, cfg: str) -> Iterator[dict[str, Any]]:
    from helpers.core.paths import PDF_KINDS
    from helpers.site.pdf import pdf_enabled

    for kind in built_reports(config):
        report = REPORTS[kind]
        yield {"basename": kind, "name": None, "doc": report.doc}
        links_pdf = {"pdf": kind in PDF_KINDS and pdf_enabled(config)}  # the page links its PDF
        for year in config.report_years:
            deps = _str(report_inputs(config, kind, year))
            for _, slug, page in (p for p in paths.report_pages(year) if p[0] == kind):
                yield {
                    "basename": kind,
                    "name": f"{year}-{slug}" if slug else str(year),
                    "doc": report_title(config, kind, year, slug),
                    "actions": [(action_report, [cfg, kind, year, slug, deps])],
                    "file_dep": deps,
                    "uptodate": [config_changed(links_pdf)],
                    "targets": _str([paths.executed_notebook(kind, year, slug), page]),
                    "verbosity": 1,
                }


def _methods_tasks(config: Config, paths: ProjectPaths, cfg: str) -> Iterator[dict[str, Any]]:
    deps = [paths.config_file, config.catalogue_path, *TEMPLATE_FILES, *helper_files(PAGES), paths.synthetic_status]
    yield {"basename": "methoden", "name": None, "doc": "Methodische Hinweise: one page per report year"}
    for year in config.report_years:
        yield {
            "basename": "methoden",
            "name": str(year),
            "doc": f"Methodische Hinweise {year}",
            "actions": [(action_methods, [cfg, year])],
            "file_dep": _str(deps),
            "targets": _str([paths.methods_html(year)]),
            "verbosity": 1,
        }


def _factsheet_tasks(config: Config, paths: ProjectPaths, cfg: str) -> Iterator[dict[str, Any]]:
    # Site pages, not notebooks: one task per computed indicator (catalogue plan) and one for the
    # overview; each renders in a few tenths of a second (only the map uses matplotlib).
    code = helper_files(FACTSHEETS)
    common = [*TEMPLATE_FILES, *FACTSHEET_TEMPLATES, *code]
    common.extend(config.geometry_files)
    common.append(paths.synthetic_status)  # the banner (herkunft.json, rewritten only when it changes)
    yield {
        "basename": "kennzahlenblatt",
        "name": None,
        "doc": "Kennzahlenblätter: one fact sheet per computed indicator, and their overview",
    }
    ids = paths.factsheet_ids()
    yield {
        "basename": "kennzahlauszug",
        "doc": "The published rows of each indicator in its own file (data/processed/kennzahlen/), for its fact sheet",
        "actions": [(action_indicator_slices, [cfg])],
        "file_dep": _str([paths.processed_table("indicators"), paths.config_file, *code_of("helpers.core.io")]),
        "targets": _str([paths.indicator_slice(i) for i in ids]),
        "verbosity": 1,
    }
    for indicator in [None, *ids]:
        yield {
            "basename": "kennzahlenblatt",
            "name": indicator or "uebersicht",
            "doc": factsheet_title(config, indicator),
            "actions": [(action_factsheet, [cfg, indicator])],
            "file_dep": _str(sorted({*factsheet_inputs(config, indicator), *common})),
            "targets": _str([paths.factsheet_html(indicator)]),
            "verbosity": 1,
        }


def _cleanup_task(cfg: str) -> Iterator[dict[str, Any]]:
    yield {
        "basename": "aufraeumen",
        "doc": "Remove published pages of years, areas or report kinds that are no longer configured",
        "actions": [(action_cleanup, [cfg])],
        "uptodate": [(nothing_stale, [cfg])],
        "verbosity": 2,
    }


def _index_task(config: Config, paths: ProjectPaths, cfg: str) -> Iterator[dict[str, Any]]:
    pages = [
        *_all_pages(config, paths),
        *(paths.methods_html(y) for y in config.report_years),
        *start_page_inputs(config),
    ]
    yield {
        "basename": "index",
        "doc": "Write reports/index.html, the entry page linking every report",
        "task_dep": ["aufraeumen"],
        "actions": [(action_index, [cfg])],
        "file_dep": _str([*pages, paths.config_file, paths.synthetic_status, *TEMPLATE_FILES, *helper_files(PAGES)]),
        "targets": _str([paths.index_html]),
        "verbosity": 1,
    }


def _stylesheet_task(paths: ProjectPaths, cfg: str) -> Iterator[dict[str, Any]]:
    yield {
        "basename": "stylesheet",
        "doc": "Write reports/assets/monitoring.css, the one stylesheet every page links",
        "actions": [(action_stylesheet, [cfg])],
        "file_dep": _str([STYLESHEET_SOURCE]),
        "targets": _str([paths.stylesheet]),
        "verbosity": 1,
    }


def _glossary_task(paths: ProjectPaths, cfg: str) -> Iterator[dict[str, Any]]:
    code = sorted({*helper_files(PAGES), *code_of("helpers.site.glossary")})
    deps = [paths.config_file, *TEMPLATE_FILES, *code, paths.synthetic_status]
    yield {
        "basename": "glossar",
        "doc": "Write reports/glossar.html: the reports' terms in plain German",
        "actions": [(action_glossary, [cfg])],
        "file_dep": _str(deps),
        "targets": _str([paths.glossary_html]),
        "verbosity": 1,
    }


def _pdf_tasks(config: Config, paths: ProjectPaths, cfg: str) -> Iterator[dict[str, Any]]:
    from helpers.site.pdf import pdf_unavailable

    reason = pdf_unavailable(config)
    if reason is not None:
        print(f"PDF-Dateien werden nicht erstellt: {reason}.", file=sys.stderr)
        return
    code = code_of("helpers.site.pdf")
    # after every notebook report: the workers' warm kernels are shut down before Chromium starts,
    # so kernels and browsers never hold memory at the same time (peak memory of the build)
    notebooks = list(built_reports(config))
    yield {"basename": "pdf", "name": None, "doc": "PDF of every Stadtteil profile and city report (headless Chromium)"}
    for page in paths.pdf_pages():
        target = paths.report_pdf(page)
        name = page.relative_to(paths.reports).with_suffix("").as_posix()  # 2025/stadtteile/wiesdorf
        yield {
            "basename": "pdf",
            "name": name.replace("/stadtteile/", "-").replace("/", "-"),
            "doc": f"PDF {target.relative_to(paths.root).as_posix()}",
            "actions": [(action_pdf, [str(page), str(target)])],
            "file_dep": _str([page, paths.stylesheet, *code]),
            "task_dep": notebooks,
            "targets": _str([target]),
            "verbosity": 1,
        }


def default_tasks(config: Config) -> list[str]:
    """What plain ``doit`` builds for this commune, in pipeline order."""
    from helpers.site.pdf import pdf_enabled

    return [
        "process",
        "herkunft",
        "datenpruefung",
        *(["kennzahlen"] if "indicators" in active_steps(config) else []),
        *active_steps(config),
        *(["jahresauszug"] if sliced_tables(config) else []),
        "opendata",
        "stylesheet",
        *built_reports(config),
        "methoden",
        "glossar",
        "kennzahlauszug",
        "kennzahlenblatt",
        "aufraeumen",
        "index",
        "geheimhaltung",
        *(["pdf"] if pdf_enabled(config) else []),
    ]
