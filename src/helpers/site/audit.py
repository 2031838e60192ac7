"""The page audit: every number on a published page is accounted for, and every tagged
published cell equals the open data's value.

Tags and categories: ``helpers.core.numbertags``; the scan of the visible text:
``helpers.site.htmlcheck.untagged_numbers``.
"""

from __future__ import annotations

import pandas as pd

from helpers.analysis.hze_tables import expected_texts
from helpers.core.config import Config
from helpers.core.formatting import fmt_number
from helpers.core.paths import ProjectPaths
from helpers.indicators.catalogue import load_catalogue
from helpers.indicators.plan import commune_catalogue
from helpers.report.indicator_tables import fmt_interval, fmt_value
from helpers.report.labels import DID_TERM, SCENARIO
from helpers.site.htmlcheck import tagged_cells, untagged_numbers
from helpers.site.sitemap import published_pages


def published_texts(published: pd.DataFrame, units: dict[str, str]) -> dict[str, str]:
    """data-cell key -> the text a page must show: every indicator value, and the counts and
    interval of every cell (``<key>#numerator``, ``<key>#denominator``, ``<key>#ci``)."""
    out = {}
    for r in published.itertuples(index=False):
        key = f"{r.indicator_id}|{r.year}|{r.area_level}|{r.area_code}"
        unit = units[r.indicator_id]
        out[key] = fmt_value(r.value, unit, r.symbol)
        out[f"{key}#numerator"] = fmt_number(r.numerator)
        out[f"{key}#denominator"] = fmt_number(r.denominator)
        out[f"{key}#ci"] = "" if r.symbol == "." else fmt_interval(r.ci_lower, r.ci_upper, unit)
    return out


def vocabulary(config: Config) -> list[str]:
    """Names whose digits are wording, not data: indicators and life phases of the whole catalogue,
    areas of the config, the labels of scenarios and model terms."""
    catalogue = load_catalogue(config.catalogue_path)  # the whole catalogue: the methods page lists skipped ones
    names = [t for i in catalogue.indicators for t in (i.short, i.name, i.definition, i.phase)]
    # and the commune's own texts (ages moved to the register's band edges: "unter 20 Jahren")
    names += [t for i in commune_catalogue(config).indicators for t in (i.short, i.name, i.definition)]
    names += [s.name for s in config.stadtteile] + [b.name for b in config.stadtbezirke]
    return [*names, config.commune.name, *SCENARIO.values(), *DID_TERM.values()]


def expected_cells(config: Config) -> dict[str, str]:
    """data-cell key -> published text, for every indicator cell (and its fields) and HzE table cell."""
    paths = ProjectPaths(config)
    units = {i.id: i.unit for i in commune_catalogue(config).indicators}
    expected = published_texts(pd.read_parquet(paths.processed_table("indicators")), units)
    if paths.processed_table("hze_descriptive").is_file():
        expected |= expected_texts(pd.read_parquet(paths.processed_table("hze_descriptive")))
    return expected


def check_pages(config: Config) -> list[str]:
    """Every number on a published page must be tagged (a published cell or a public category)
    or whitelisted, and every tagged cell must show the published value ("." where secret), so
    the audit of open data and HzE tables covers the pages."""
    paths = ProjectPaths(config)
    expected = expected_cells(config)
    words = vocabulary(config)
    problems = []
    for page in (p for p in published_pages(config) if p.is_file()):
        problems += check_page(page.read_text(encoding="utf-8"), str(page.relative_to(paths.root)), expected, words)
    return problems


def check_page(html: str, name: str, expected: dict[str, str], words: list[str]) -> list[str]:
    """The German findings for one page (see ``check_pages``)."""
    problems = []
    for key, text in tagged_cells(html):
        want = expected.get(key)
        if want is None or not _shows(text, want):
            problems.append(f"{name}: Zelle {key} zeigt {text!r}, veröffentlicht ist {want!r}")
    problems += [
        f"{name}: Zahl ohne Kennzeichnung (data-cell oder data-public): {t!r}" for t in untagged_numbers(html, words)
    ]
    return problems


def _shows(text: str, want: str) -> bool:
    """A cell shows the published text, optionally followed by a note (pooled years, ▲/▼)."""
    return text == want or (text.startswith(want) and not text[len(want)].isdigit() and text[len(want)] not in ",.")
