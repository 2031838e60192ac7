"""The published pages of a commune: every page of ``registry.PAGES`` it gets, with the fact sheets
of the indicators it computes (``helpers.indicators.plan``). Cleanup, audit and the build's tasks
list pages from here; ``helpers.core.paths`` does the path arithmetic without the indicators layer."""

from __future__ import annotations

from pathlib import Path

from helpers.core.config import Config
from helpers.core.paths import PageRef, ProjectPaths


def factsheet_ids(config: Config) -> list[str]:
    """The indicators with a fact sheet: those the commune computes, in catalogue order."""
    from helpers.indicators.plan import commune_indicator_ids

    return list(commune_indicator_ids(config))


def page_refs(config: Config, kind: str) -> list[PageRef]:
    """Every page of one kind for this commune (made per report year, Stadtteil, indicator or once)."""
    return ProjectPaths(config).page_refs(kind, factsheet_ids(config))


def published_refs(config: Config) -> list[PageRef]:
    """Every page the current config publishes, in registry order."""
    return ProjectPaths(config).site_refs(factsheet_ids(config))


def published_pages(config: Config) -> list[Path]:
    """The files of every page the current config publishes."""
    paths = ProjectPaths(config)
    return [paths.page_file(ref) for ref in published_refs(config)]
