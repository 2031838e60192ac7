"""Pages read their report year's slices (``Table.page_rows``); banners come from herkunft.json."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd

from helpers.core.config import load_config
from helpers.core.io import write_parquet_atomic
from helpers.core.paths import ProjectPaths
from helpers.core.provenance import synthetic_sources, synthetic_status
from helpers.report.context import ReportContext


def _context(project: Path, kind: str, year: int) -> ReportContext:
    config = load_config(project / "config" / "small.yml")
    return ReportContext(config=config, year=year, stadtteil=None, kind=kind)


def test_a_page_reads_the_slice_of_its_year_else_the_same_rows_of_the_whole_table(small_project):
    ctx = _context(small_project, "gesamtstadt", 2024)
    paths = ctx.paths
    whole = pd.DataFrame({"indicator_id": ["a", "b", "a"], "year": [2025, 2023, 2024], "value": [3.0, 1.0, 2.0]})
    write_parquet_atomic(whole, paths.processed_table("indicators"))
    # no slice (a data year outside the report years, or before the build): rows up to the year
    assert ctx.table("indicators").to_dict("list") == {
        "indicator_id": ["b", "a"],
        "year": [2023, 2024],
        "value": [1.0, 2.0],
    }
    # with the slice, the page reads the slice and nothing else
    write_parquet_atomic(whole.iloc[[1]], paths.year_slice("indicators", 2024))
    assert ctx.table("indicators")["year"].tolist() == [2023]
    # a table pages read whole (the register's history) is read whole
    summary = pd.DataFrame({"year": [2024, 2025], "persons": [10, 11]})
    write_parquet_atomic(summary, paths.processed_table("population_summary"))
    assert ctx.table("population_summary")["year"].tolist() == [2024, 2025]
    # analysis tables: the rows computed for the report year
    trends = pd.DataFrame({"report_year": [2024, 2025, 2024], "x": [1, 2, 3]})
    write_parquet_atomic(trends, paths.processed_table("trends"))
    assert ctx.year_table("trends")["x"].tolist() == [1, 3]


def test_the_hze_page_reads_the_hze_rows_of_the_indicators(small_project):
    ctx = _context(small_project, "hze", 2025)
    paths = ctx.paths
    write_parquet_atomic(
        pd.DataFrame({"indicator_id": ["kita_3_6"], "year": [2025]}), paths.processed_table("indicators")
    )
    write_parquet_atomic(
        pd.DataFrame({"indicator_id": ["hze_rate"], "year": [2025]}), paths.year_slice("indicators_hze", 2025)
    )
    assert ctx.table("indicators")["indicator_id"].tolist() == ["hze_rate"]
    assert _context(small_project, "gesamtstadt", 2025).table("indicators")["indicator_id"].tolist() == ["kita_3_6"]


def test_a_source_whose_files_are_no_longer_the_generators_leaves_the_banner(small_project):
    paths = ProjectPaths(load_config(small_project / "config" / "small.yml"))
    files = {}
    for source in ("population", "kita"):
        for path in paths.raw_source_files(source):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(f"{source} {path.name}".encode())
            files[path.relative_to(paths.raw).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    paths.synthetic_marker.write_text(json.dumps({"files": files}), encoding="utf-8")
    assert sorted(synthetic_status(paths)) == ["kita", "population"]
    paths.raw_source_files("kita")[-1].write_bytes(b"corrected export")
    assert "kita" in synthetic_status(paths)  # still synthetic: its other files are the generator's
    for path in paths.raw_source_files("kita"):
        path.write_bytes(b"real export")
    assert synthetic_status(paths) == ["population"]
    # pages read the status the build wrote (task herkunft), not the raw files
    paths.synthetic_status.parent.mkdir(parents=True, exist_ok=True)
    paths.synthetic_status.write_text(json.dumps({"synthetische_quellen": ["kita"]}), encoding="utf-8")
    assert synthetic_sources(paths, ["population", "kita"]) == ["kita"]
