"""Pipeline steps called by ``dodo.py``: raw sources -> processed tables -> pages.

Each step reads only its declared inputs and writes only its declared targets, atomically.
If a raw file breaks its contract, nothing is written and earlier outputs stay intact.
"""

from __future__ import annotations

import pandas as pd

from helpers.config import Config
from helpers.demography import population_summary
from helpers.disclosure import protect, published_view
from helpers.indicators.atoms import validate_against_sources
from helpers.indicators.catalogue import load_catalogue
from helpers.indicators.compute import compute_all
from helpers.io import write_csv_atomic, write_parquet_atomic, write_text_atomic
from helpers.opendata import catalogue_csv, datapackage, indicator_csv
from helpers.paths import CSV_TABLES, ProjectPaths
from helpers.registry import ANALYSIS_INPUTS, indicator_inputs
from helpers.sources.comparison import build_comparison
from helpers.sources.hze import build_hze_cases, build_hze_expenditure
from helpers.sources.kita import build_kita
from helpers.sources.population import check_areas_sum_to_city, load_population, population_by_band
from helpers.sources.prevention import build_services, build_welcome_visits
from helpers.sources.seu import build_seu
from helpers.sources.sgb2 import build_sgb2, build_unemployment
from helpers.sources.transitions import build_transitions


def build_population_tables(config: Config) -> dict[str, pd.DataFrame]:
    """Load and validate the register files; return the processed population tables."""
    paths = ProjectPaths(config)
    single = load_population(paths.raw_source_files("population"), config)
    bands = population_by_band(single, config)
    check_areas_sum_to_city(bands)
    return {
        "population": single,
        "population_bands": bands,
        "population_summary": population_summary(single, config),
    }


BUILDERS = {
    "population": build_population_tables,
    "sgb2": build_sgb2,
    "unemployment": build_unemployment,
    "kita": build_kita,
    "seu": build_seu,
    "transitions": build_transitions,
    "hze_cases": build_hze_cases,
    "hze_expenditure": build_hze_expenditure,
    "services": build_services,
    "welcome_visits": build_welcome_visits,
    "comparison": build_comparison,
}


def process_source(config: Config, source: str) -> None:
    """Build every processed table of one source, validate, then write them all."""
    paths = ProjectPaths(config)
    tables = BUILDERS[source](config)
    for name, frame in tables.items():
        write_parquet_atomic(frame, paths.processed_table(name))
        if name in CSV_TABLES:
            write_csv_atomic(frame, paths.processed_table(name, ".csv"))


# --- indicators, open data, confidentiality ------------------------------------------------


def build_analysis(config: Config, step: str) -> None:
    """Run one analysis step ('social' or 'hze') for all report years and write its tables."""
    from helpers.analysis.run import build_hze_analysis, build_social_analysis

    paths = ProjectPaths(config)
    tables = load_tables(config, ANALYSIS_INPUTS[step])
    results = (build_social_analysis if step == "social" else build_hze_analysis)(config, tables)
    for name, frame in results.items():
        write_parquet_atomic(frame, paths.processed_table(name))
        write_csv_atomic(frame, paths.processed_table(name, ".csv"))


def load_tables(config: Config, names: list[str]) -> dict[str, pd.DataFrame]:
    """Processed tables by name."""
    paths = ProjectPaths(config)
    return {name: pd.read_parquet(paths.processed_table(name)) for name in names}


def build_indicator_tables(config: Config) -> None:
    """Compute every indicator, apply the confidentiality rules once, write both tables.

    ``indicators_internal`` (unprotected, for analyses) and ``indicators`` (the published
    view: suppressed values removed, official symbols set).
    """
    paths = ProjectPaths(config)
    catalogue = load_catalogue(config.catalogue_path)
    validate_against_sources(catalogue, config)
    tables = load_tables(config, indicator_inputs(catalogue))
    values = compute_all(catalogue, tables, config)
    protected = protect(values, catalogue, tables, config)
    published = published_view(protected, config.thresholds.min_denominator, config.thresholds.min_cell_count)
    write_parquet_atomic(values, paths.processed_table("indicators_internal"))
    write_parquet_atomic(published, paths.processed_table("indicators"))
    write_csv_atomic(published, paths.processed_table("indicators", ".csv"))


def write_opendata(config: Config) -> None:
    """Write the open-data CSVs and the Data Package descriptor into reports/opendata."""
    from helpers.pages import synthetic_note

    paths = ProjectPaths(config)
    catalogue = load_catalogue(config.catalogue_path)
    published = pd.read_parquet(paths.processed_table("indicators"))
    note = synthetic_note(paths, list(config.sources))
    write_text_atomic(paths.opendata / "indikatoren.csv", indicator_csv(published, catalogue))
    write_text_atomic(paths.opendata / "indikatorenkatalog.csv", catalogue_csv(catalogue, config))
    write_text_atomic(paths.opendata / "datapackage.json", datapackage(catalogue, config, note))


def published_from_opendata(path, config: Config) -> pd.DataFrame:
    """Read the published open-data CSV back into the shape the audit works on."""
    frame = pd.read_csv(
        path,
        dtype={"gebiet_kennziffer": str, "zeichen": str},
        keep_default_na=False,
        na_values=[""],
    )
    return pd.DataFrame(
        {
            "indicator_id": frame["indikator"],
            "year": frame["jahr"].astype(int),
            "area_level": frame["ebene"],
            "area_code": frame["gebiet_kennziffer"],
            "pooled_from": frame["gepoolt_ab_jahr"].astype("Int64"),
            "denominator": frame["nenner"].fillna(-1.0),
            "denominator_hidden": frame["nenner"].isna(),
            "suppression": frame["zeichen"].fillna("").map(lambda z: "veröffentlicht geheim" if z == "." else ""),
        }
    )


def check_confidentiality(config: Config) -> list[str]:
    """Audit everything published (open data and the HzE tables) together: can any secret
    cell or small single count be recovered by differencing? Writes the German summary
    ``geheimhaltung_zusammenfassung.txt`` next to the check report."""
    from helpers.disclosure import summary_text
    from helpers.indicators.confidentiality_check import audit_everything, indicator_cells, summarise

    paths = ProjectPaths(config)
    catalogue = load_catalogue(config.catalogue_path)
    names = indicator_inputs(catalogue)
    optional = [n for n in ("hze_cases", "hze_descriptive") if paths.processed_table(n).is_file()]
    tables = load_tables(config, names + [n for n in optional if n not in names])
    published = published_from_opendata(paths.opendata / "indikatoren.csv", config)
    findings, cells, seconds = audit_everything(
        published, tables.pop("hze_descriptive", None), catalogue, tables, config
    )
    internal = load_tables(config, ["indicators_internal", "indicators"])
    rows = indicator_cells(internal["indicators_internal"], internal["indicators"], catalogue)
    summary = summarise(findings, seconds, cells, rows)
    write_text_atomic(
        paths.disclosure_report.parent / "geheimhaltung_zusammenfassung.txt",
        summary_text(summary, config.thresholds.min_cell_count),
    )
    return findings


def check_pages(config: Config) -> list[str]:
    """Every indicator value and HzE table cell shown on a published page must equal the
    published value (so the audit of open data and HzE tables covers the pages) and be "."
    where the cell is secret."""
    from helpers.htmlcheck import tagged_cells
    from helpers.indicator_display import fmt_value

    paths = ProjectPaths(config)
    catalogue = load_catalogue(config.catalogue_path)
    units = {i.id: i.unit for i in catalogue.indicators}
    published = pd.read_parquet(paths.processed_table("indicators"))
    expected = {
        f"{r.indicator_id}|{r.year}|{r.area_level}|{r.area_code}": fmt_value(r.value, units[r.indicator_id], r.symbol)
        for r in published.itertuples(index=False)
    }
    if paths.processed_table("hze_descriptive").is_file():
        from helpers.analysis.hze_tables import expected_texts

        expected |= expected_texts(pd.read_parquet(paths.processed_table("hze_descriptive")))
    problems = []
    pages = sorted(paths.reports.rglob("*.html"))
    for page in pages:
        for key, text in tagged_cells(page.read_text(encoding="utf-8")):
            want = expected.get(key)
            if want is None or not text.startswith(want):
                problems.append(
                    f"{page.relative_to(paths.root)}: Zelle {key} zeigt {text!r}, veröffentlicht ist {want!r}"
                )
    return problems
