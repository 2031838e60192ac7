"""The page audit: every indicator value on a published page equals the open data's value."""

from __future__ import annotations

import pandas as pd

from helpers.analysis.hze_tables import expected_texts
from helpers.core.config import Config
from helpers.core.paths import ProjectPaths
from helpers.indicators.plan import commune_catalogue
from helpers.report.indicator_tables import fmt_value
from helpers.site.htmlcheck import tagged_cells


def check_pages(config: Config) -> list[str]:
    """Every indicator value and HzE table cell shown on a published page must equal the
    published value (so the audit of open data and HzE tables covers the pages) and be "."
    where the cell is secret."""
    paths = ProjectPaths(config)
    catalogue = commune_catalogue(config)
    units = {i.id: i.unit for i in catalogue.indicators}
    published = pd.read_parquet(paths.processed_table("indicators"))
    expected = {
        f"{r.indicator_id}|{r.year}|{r.area_level}|{r.area_code}": fmt_value(r.value, units[r.indicator_id], r.symbol)
        for r in published.itertuples(index=False)
    }
    if paths.processed_table("hze_descriptive").is_file():
        expected |= expected_texts(pd.read_parquet(paths.processed_table("hze_descriptive")))
    problems = []
    for page in (p for p in paths.published_pages() if p.is_file()):
        for key, text in tagged_cells(page.read_text(encoding="utf-8")):
            want = expected.get(key)
            if want is None or not text.startswith(want):
                problems.append(
                    f"{page.relative_to(paths.root)}: Zelle {key} zeigt {text!r}, veröffentlicht ist {want!r}"
                )
    return problems
