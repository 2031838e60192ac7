"""The site pages of ``registry.PAGES`` that are functions, not notebooks: one renderer and one
inputs function per kind, each named there by dotted path.

A renderer takes ``(config, ref, inputs)`` (``ref`` a :class:`helpers.core.paths.PageRef`,
``inputs`` the files its inputs function lists, whose checksum the footer shows) and returns the
page's HTML; the build writes it to ``ProjectPaths.page_file(ref)`` (``helpers.pipeline.actions``).
An inputs function takes ``(config, ref)`` and lists the data files the page reads (its task's
``file_dep`` besides code and templates).
"""

from __future__ import annotations

from pathlib import Path

from helpers.core.availability import available_tables
from helpers.core.config import Config
from helpers.core.paths import PageRef, ProjectPaths
from helpers.core.registry import HUB_REPORT, PAGES


class PageFailed(Exception):
    """A page that is written and then fails the build (the data check with errors): its HTML and the message."""

    def __init__(self, html: str, message: str):
        super().__init__(message)
        self.html = html


def _latest_trends(config: Config) -> Path | None:
    from helpers.indicators.plan import commune_plan

    if not config.report_years or not commune_plan(config).step_runs("analysen"):
        return None
    return ProjectPaths(config).year_slice("trends", max(config.report_years))


# --- inputs ---------------------------------------------------------------------------------------


def methods_inputs(config: Config, ref: PageRef) -> list[Path]:
    """The methods page reads the config and the catalogue."""
    return [ProjectPaths(config).config_file, config.catalogue_path]


def glossary_inputs(config: Config, ref: PageRef) -> list[Path]:
    """The glossary reads the config only."""
    return [ProjectPaths(config).config_file]


def factsheet_inputs(config: Config, ref: PageRef) -> list[Path]:
    """A fact sheet reads its indicator's published rows, config, catalogue, Leitbild, the trends of
    the latest report year (the change it states) and the area map's geometry; the overview the
    config and the catalogue."""
    paths = ProjectPaths(config)
    files = [paths.config_file, config.catalogue_path]
    if ref.indicator is not None:
        files.insert(0, paths.indicator_slice(ref.indicator))
        if config.leitbild_path is not None:
            files.append(config.leitbild_path)
        trends = _latest_trends(config)
        if trends is not None:
            files.append(trends)
        files += config.geometry_files
    return files


def start_inputs(config: Config, ref: PageRef) -> list[Path]:
    """The start page reads the pages it links (``Page.reads_pages``), the protected tables of its
    findings (``Page.tables``, those the commune has) and the polygon files of its map."""
    paths = ProjectPaths(config)
    page = PAGES[ref.kind]
    have = available_tables(config)
    linked = [paths.page_file(r) for kind in page.reads_pages if paths.publishes(kind) for r in paths.page_refs(kind)]
    return [*linked, *(paths.processed_table(t) for t in page.tables if t in have), *config.geometry_files]


def _measured_tables(config: Config) -> list[str]:
    from helpers.core.registry import SOURCES
    from helpers.sources.measures import MEASURES

    return [t for s in config.sources if s in SOURCES for t in SOURCES[s].tables if t in MEASURES]


def data_check_inputs(config: Config, ref: PageRef) -> list[Path]:
    """The data check reads the processed tables of the plausibility rules (``sources.measures``)."""
    paths = ProjectPaths(config)
    return [paths.processed_table(t) for t in _measured_tables(config)]


# --- renderers ------------------------------------------------------------------------------------


def methods_page(config: Config, ref: PageRef, inputs: list[Path]) -> str:
    """The 'Methodische Hinweise' page of a report year."""
    from helpers.site.pages import render_methods

    paths = ProjectPaths(config)
    assert ref.year is not None
    return render_methods(config, ref.year, paths.page_file(ref), paths.report_html(HUB_REPORT, ref.year))


def glossary_page(config: Config, ref: PageRef, inputs: list[Path]) -> str:
    """The glossary page."""
    from helpers.site.pages import render_glossary

    return render_glossary(config)


def factsheet_overview(config: Config, ref: PageRef, inputs: list[Path]) -> str:
    """The overview of all fact sheets."""
    from helpers.site.factsheets import render_factsheet_index

    return render_factsheet_index(config, inputs)


def factsheet_page(config: Config, ref: PageRef, inputs: list[Path]) -> str:
    """One indicator's fact sheet, from its published rows (``kennzahlauszug``) and the latest trends."""
    import pandas as pd

    from helpers.site.factsheets import render_factsheet

    assert ref.indicator is not None
    paths = ProjectPaths(config)
    published = pd.read_parquet(paths.indicator_slice(ref.indicator))
    trends_file = _latest_trends(config)
    trends = pd.read_parquet(trends_file) if trends_file is not None and trends_file in inputs else None
    return render_factsheet(config, ref.indicator, published, inputs, trends)


def start_page(config: Config, ref: PageRef, inputs: list[Path]) -> str:
    """The entry page that links every report: per report year its city pages (``Page.index``) and
    one profile per Stadtteil."""
    from helpers.site.pages import render_index, start_findings, start_map

    paths = ProjectPaths(config)
    listed = [k for k in PAGES if paths.publishes(k) and (PAGES[k].index or PAGES[k].per_area)]
    reports = {
        y: {
            (r.area if PAGES[k].per_area else k): paths.page_file(r)
            for k in listed
            for r in paths.page_refs(k)
            if r.year == y
        }
        for y in config.report_years
    }
    findings = start_findings(config, max(config.report_years)) if config.report_years else []
    return render_index(config, reports, inputs, findings, start_map(config))


def data_check_page(config: Config, ref: PageRef, inputs: list[Path]) -> str:
    """The analyst's Datenprüfung page; raises :class:`PageFailed` (after which the page is still
    written) when a plausibility rule of severity error fails."""
    from helpers.core.tables import load_tables
    from helpers.site.pages import render_data_check
    from helpers.sources.plausibility import RULE_LABELS, findings

    paths = ProjectPaths(config)
    found = findings(config, load_tables(config, _measured_tables(config)))
    html = render_data_check(config, found)
    errors = [f for f in found if f.severity == "error"]
    if errors:
        lines = [f"  - {RULE_LABELS[f.rule]}: {f.table} {f.year}: {f.text}" for f in errors]
        page = paths.data_check_page.relative_to(paths.root).as_posix()
        raise PageFailed(
            html,
            f"Datenprüfung: {len(errors)} Fehler, nichts wurde berechnet oder veröffentlicht.\n"
            + "\n".join(lines)
            + f"\nEinzelheiten: {page}; Regeln: plausibility in der Konfiguration.",
        )
    return html
