"""The indicator steps: processed source tables -> protected indicators -> open data, and
the confidentiality audit of what was published."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from helpers.core.config import Config
from helpers.core.io import write_text_atomic
from helpers.core.paths import ProjectPaths
from helpers.core.provenance import synthetic_note
from helpers.core.registry import values_table
from helpers.core.tables import load_tables
from helpers.indicators.atoms import validate_against_sources
from helpers.indicators.catalogue import CHILD_POVERTY_ROLE, HZE_RATE_ROLE, indicator_groups, indicator_inputs
from helpers.indicators.compute import compute_all, sort_values
from helpers.indicators.confidentiality_check import audit_everything, indicator_cells, summarise
from helpers.indicators.disclosure import protect, published_view, summary_text
from helpers.indicators.opendata import catalogue_csv, datapackage, indicator_csv
from helpers.indicators.plan import commune_catalogue

_progress = logging.getLogger("monitoring.progress")


#: Selections whose indicators the HzE analysis reads.
HZE_SELECTIONS = frozenset({"hze", "hze_eur"})


def build_indicator_values(config: Config, tables: dict[str, pd.DataFrame], selection: str) -> pd.DataFrame:
    """The unprotected values of the indicators counting from ``selection`` (internal use)."""
    catalogue = commune_catalogue(config)
    validate_against_sources(catalogue, config)
    ids = set(indicator_groups(catalogue)[selection])
    return compute_all(
        catalogue.model_copy(update={"indicators": [i for i in catalogue.indicators if i.id in ids]}), tables, config
    )


def build_indicator_tables(config: Config, tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Join the indicator values of all groups and apply the confidentiality rules once.

    ``tables`` holds the value tables (``values_table(selection)``) and the source tables.
    Returns ``indicators_internal`` (unprotected, for analyses), ``indicators`` (the published
    view: suppressed values removed, official symbols set) and the rows the HzE analysis reads
    of both (``indicators_hze*``: HzE indicators, the covariate (the catalogue's ``child_poverty``
    role) and every indicator of the HzE page's life phase, the phase of the ``hze_rate`` role: the
    HzE page reads its rows of the published view from ``indicators_hze``, so a change in another
    source does not re-run it).
    """
    catalogue = commune_catalogue(config)
    validate_against_sources(catalogue, config)
    groups = indicator_groups(catalogue)
    values = sort_values(pd.concat([tables[values_table(s)] for s in groups], ignore_index=True), catalogue, config)
    _progress.info("Geheimhaltung: primäre und sekundäre Sperrung über alle Kennzahlen")
    protected = protect(values, catalogue, tables, config)
    published = published_view(protected, config.thresholds.min_denominator, config.thresholds.min_cell_count)
    hze = set(catalogue.with_role(CHILD_POVERTY_ROLE)[:1]) | {
        i.id for i in catalogue.indicators if {i.numerator.source, i.denominator.source} & HZE_SELECTIONS
    }
    page = catalogue.role(HZE_RATE_ROLE)
    hze |= {i.id for i in catalogue.indicators if page is not None and i.phase == page.phase}
    return {
        "indicators_internal": values,
        "indicators": published,
        "indicators_hze_internal": values[values["indicator_id"].isin(hze)].reset_index(drop=True),
        "indicators_hze": published[published["indicator_id"].isin(hze)].reset_index(drop=True),
    }


def write_opendata(config: Config) -> None:
    """Write the open-data CSVs and the Data Package descriptor into reports/opendata."""
    paths = ProjectPaths(config)
    catalogue = commune_catalogue(config)
    published = pd.read_parquet(paths.processed_table("indicators"))
    note = synthetic_note(paths, list(config.sources))
    write_text_atomic(paths.opendata / "indikatoren.csv", indicator_csv(published, catalogue))
    write_text_atomic(paths.opendata / "indikatorenkatalog.csv", catalogue_csv(catalogue, config))
    write_text_atomic(paths.opendata / "datapackage.json", datapackage(catalogue, config, note))


def published_from_opendata(path: Path, config: Config) -> pd.DataFrame:
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
    paths = ProjectPaths(config)
    catalogue = commune_catalogue(config)
    names = indicator_inputs(catalogue)
    optional = [n for n in ("hze_cases", "hze_descriptive") if paths.processed_table(n).is_file()]
    tables = load_tables(config, names + [n for n in optional if n not in names])
    published = published_from_opendata(paths.opendata / "indikatoren.csv", config)
    _progress.info("Geheimhaltung: exakte Prüfung aller veröffentlichten Zellen")
    findings, cells, seconds = audit_everything(
        published, tables.pop("hze_descriptive", None), catalogue, tables, config
    )
    internal = load_tables(config, ["indicators_internal", "indicators"])
    rows = indicator_cells(internal["indicators_internal"], internal["indicators"], catalogue)
    summary = summarise(findings, seconds, cells, rows)
    write_text_atomic(paths.risk_summary, summary_text(summary, config.thresholds.min_cell_count))
    return findings
