"""doit tasks generated from the registry and the config: raw -> processed -> steps ->
executed notebooks -> HTML -> index, and the confidentiality audit.

``dodo.py`` only calls :func:`generate_tasks`. Every task declares its exact inputs
(``file_dep``: raw files, processed tables, notebook source, the helper modules its code
imports, the templates it renders; ``uptodate``: the parsed config sections it reads, never the
config file's bytes) and outputs (``targets``), all derived from ``helpers.core.registry``
(pages: ``registry.PAGES`` and ``helpers.pipeline.pages``), so a second run does nothing, a
comment in the config re-runs nothing, touching one input re-runs exactly what depends on it,
and ``doit -n N`` is safe.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from doit.tools import config_changed

from helpers.core.availability import active_steps, available_tables, built_pages, built_reports
from helpers.core.config import PAGE_SECTIONS, RUN_SECTIONS, Config, config_digest
from helpers.core.paths import PageRef, ProjectPaths
from helpers.core.registry import PAGES, REPORTS, SOURCES, STEPS, table, values_table
from helpers.pipeline.actions import (
    action_check_confidentiality,
    action_cleanup,
    action_generate,
    action_indicator_slices,
    action_opendata,
    action_page,
    action_pdf,
    action_plan,
    action_process,
    action_report,
    action_slices,
    action_step,
    action_stylesheet,
    action_synthetic_status,
    action_values,
    nothing_stale,
    page_title,
    step_inputs,
    value_groups,
    value_inputs,
)
from helpers.pipeline.deps import PACKAGE_DIR, helper_files, module_file
from helpers.pipeline.pages import page_config, page_file_dep, page_inputs
from helpers.site.markup import TEMPLATES

STYLESHEET_SOURCE = TEMPLATES / "monitoring" / "report.css"
#: What the data tasks (sources, steps, slices) read of the config: everything but how notebooks
#: are run, the sample generator and the pages' labels (``helpers.core.config``).
DATA_SECTIONS = (*RUN_SECTIONS, *PAGE_SECTIONS)


def reads_config(config: Config, without: tuple[str, ...] = DATA_SECTIONS, **extra: Any) -> Any:
    """doit ``uptodate`` check on the parsed config sections a task reads (a comment changes nothing)."""
    return config_changed({"config": config_digest(config, without, extra.pop("sources", None)), **extra})


def code_of(dotted: str) -> list[Path]:
    """The helper files behind ``"module:function"`` or a module name, with their imports."""
    found = module_file(dotted.partition(":")[0])
    return helper_files(found) if found is not None else []


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
    yield from _step_tasks(config, paths, cfg)
    yield from _slice_tasks(config, paths, cfg)
    yield from _opendata_task(config, paths, cfg)
    yield from _stylesheet_task(paths, cfg)
    yield from _indicator_slice_task(config, paths, cfg)
    yield from _page_tasks(config, cfg)
    yield from _cleanup_task(cfg)
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
            "file_dep": _str([*paths.raw_source_files(key), *code]),
            "uptodate": [reads_config(config, sources=("population", key))],
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
        "file_dep": _str([*marker, *raw, *code_of("helpers.core.provenance")]),
        "uptodate": [reads_config(config)],
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
            "file_dep": _str([paths.processed_table(name), *code]),
            "uptodate": [reads_config(config)],
            "targets": _str([paths.year_slice(name, y) for y in config.report_years]),
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
            "file_dep": _str([*inputs, config.catalogue_path, *code]),
            "uptodate": [reads_config(config)],
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
            "file_dep": _str([*inputs, config.catalogue_path, *code_of(step.code)]),
            "uptodate": [reads_config(config)],
            "targets": _str([t for out in step.outputs for t in paths.processed_targets(out)]),
            "verbosity": 1,
        }


def _opendata_task(config: Config, paths: ProjectPaths, cfg: str) -> Iterator[dict[str, Any]]:
    deps = [
        paths.processed_table("indicators"),
        config.catalogue_path,
        *code_of("helpers.indicators.steps"),
        paths.synthetic_status,
    ]
    yield {
        "basename": "opendata",
        "doc": "Write reports/opendata: indicators as tidy CSV with a Frictionless Data Package descriptor",
        "actions": [(action_opendata, [cfg])],
        "file_dep": _str(deps),
        "uptodate": [reads_config(config, RUN_SECTIONS)],
        "targets": _str(paths.opendata_files()),
        "verbosity": 1,
    }


def _check_task(config: Config, paths: ProjectPaths, cfg: str) -> Iterator[dict[str, Any]]:
    values = {values_table(s) for s in value_groups(config)}
    names = {*step_inputs(config, STEPS["indicators"]), "indicators", "indicators_internal"} - values
    names |= {"hze_cases", "hze_descriptive"} & available_tables(config)
    inputs = [paths.processed_table(t) for t in sorted(names)]
    code = sorted({*code_of("helpers.indicators.steps"), *code_of("helpers.site.audit")})
    from helpers.site.sitemap import published_pages

    yield {
        "basename": "geheimhaltung",
        "doc": "Audit open data and pages: fail if any secret cell can be recovered by differencing",
        "task_dep": ["aufraeumen"],
        "actions": [(action_check_confidentiality, [cfg])],
        "file_dep": _str([*paths.opendata_files(), *published_pages(config), *inputs, config.catalogue_path, *code]),
        "uptodate": [reads_config(config, RUN_SECTIONS)],
        "targets": _str([paths.disclosure_report, paths.risk_summary]),
        "verbosity": 1,
    }


def _page_tasks(config: Config, cfg: str) -> Iterator[dict[str, Any]]:
    # Every page kind of the registry the commune gets: a notebook page is executed and rendered
    # (action_report), a site page rendered by its function (action_page); one task per page.
    from helpers.site.pdf import pdf_enabled
    from helpers.site.sitemap import page_refs

    digest = page_config(config)
    groups: set[str] = set()
    for kind in built_pages(config):
        page = PAGES[kind]
        refs = page_refs(config, kind)
        if page.basename not in groups and (page.per != "once" or page.name):
            groups.add(page.basename)
            yield {"basename": page.basename, "name": None, "doc": page.doc}
        # a notebook page links its PDF (also switched by MONITORING_PDF, hence part of the check)
        check = {"config": digest, **({"pdf": page.pdf and pdf_enabled(config)} if page.notebook else {})}
        for ref in refs:
            yield _page_task(config, cfg, ref, check)


def _page_task(config: Config, cfg: str, ref: PageRef, check: dict[str, Any]) -> dict[str, Any]:
    paths = ProjectPaths(config)
    page = PAGES[ref.kind]
    target = paths.page_file(ref)
    task: dict[str, Any] = {
        "basename": page.basename,
        "doc": page_title(config, ref),
        "file_dep": _str(page_file_dep(config, ref)),
        "uptodate": [config_changed(check)],
        "verbosity": 1,
    }
    if ref.name:
        task["name"] = ref.name
    if page.after:
        task["task_dep"] = list(page.after)
    if page.notebook:
        inputs = _str(page_inputs(config, ref))
        task["actions"] = [(action_report, [cfg, ref.kind, ref.year, ref.area, inputs])]
        task["targets"] = _str([paths.executed_notebook(ref.kind, ref.year, ref.area), target])
    else:
        task["actions"] = [(action_page, [cfg, ref.kind, ref.year, ref.area, ref.indicator])]
        task["targets"] = _str([target])
    return task


def _indicator_slice_task(config: Config, paths: ProjectPaths, cfg: str) -> Iterator[dict[str, Any]]:
    from helpers.site.sitemap import factsheet_ids

    if "kennzahl" not in built_pages(config):
        return
    yield {
        "basename": "kennzahlauszug",
        "doc": "The published rows of each indicator in its own file (data/processed/kennzahlen/), for its fact sheet",
        "actions": [(action_indicator_slices, [cfg])],
        "file_dep": _str([paths.processed_table("indicators"), *code_of("helpers.core.io")]),
        "uptodate": [reads_config(config)],
        "targets": _str([paths.indicator_slice(i) for i in factsheet_ids(config)]),
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


def _stylesheet_task(paths: ProjectPaths, cfg: str) -> Iterator[dict[str, Any]]:
    yield {
        "basename": "stylesheet",
        "doc": "Write reports/assets/monitoring.css, the one stylesheet every page links",
        "actions": [(action_stylesheet, [cfg])],
        "file_dep": _str([STYLESHEET_SOURCE, *code_of("helpers.report.palette")]),
        "targets": _str([paths.stylesheet]),
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
