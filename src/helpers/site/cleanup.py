"""The published site is exactly the current build: pages of years, areas or report kinds that
are no longer configured are removed (moved out of ``reports`` atomically, then deleted)."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

from helpers.core.paths import ProjectPaths
from helpers.core.registry import PAGES
from helpers.site.sitemap import published_pages

YEAR_FOLDER = re.compile(r"^\d{4}$")


def stale_files(paths: ProjectPaths) -> list[Path]:
    """Generated pages and executed notebooks that the current config no longer produces.

    Only year folders (``reports/2023/…``, ``build/executed/2023/…``) and the folders of the pages
    of ``registry.PAGES`` (``reports/kennzahlen``: sheets of indicators no longer computed; the
    folder of a kind no longer registered or built) are looked at: other files in ``reports``
    (open data, a city's own additions) are never touched.
    """
    keep = set(published_pages(paths.config)) | {paths.report_pdf(p) for p in paths.pdf_pages()}
    keep |= {
        paths.executed_notebook(kind, y, slug)
        for y in paths.config.report_years
        for kind, slug, _ in paths.report_pages(y)
    }
    found = []
    for base in (paths.reports, paths.build / "executed"):
        if not base.is_dir():
            continue
        for folder in sorted(p for p in base.iterdir() if p.is_dir() and YEAR_FOLDER.match(p.name)):
            found += [
                f for f in sorted(folder.rglob("*")) if f.is_file() and f not in keep and ".failed." not in f.name
            ]
    for folder in page_folders(paths):
        found += [f for f in sorted(folder.rglob("*.html")) if f.is_file() and f not in keep]
    return found


def page_folders(paths: ProjectPaths) -> list[Path]:
    """The folders under ``reports`` (other than year folders) that hold only pages of one registered
    kind, e.g. ``reports/kennzahlen`` (``Page.path`` ``kennzahlen/{indicator}.html``)."""
    folders = set()
    for page in (p for p in PAGES.values() if p.published):
        top = page.path.split("/")[0]
        if "/" in page.path and "{" not in top and not YEAR_FOLDER.match(top):
            folders.add(paths.reports / top)
    return sorted(f for f in folders if f.is_dir())


def remove_stale(paths: ProjectPaths) -> list[str]:
    """Remove stale files (each renamed into a temporary folder first, so a reader never sees a
    half-deleted page) and folders left empty; return one German log line per removal."""
    lines = []
    trash = Path(tempfile.mkdtemp(prefix="veraltet-", dir=paths.build))
    for n, stale in enumerate(stale_files(paths)):
        os.replace(stale, trash / f"{n}-{stale.name}")
        lines.append(f"entfernt (nicht mehr konfiguriert): {stale.relative_to(paths.root).as_posix()}")
    shutil.rmtree(trash)
    for base in (paths.reports, paths.build / "executed"):
        if base.is_dir():
            for folder in sorted((p for p in base.rglob("*") if p.is_dir()), reverse=True):
                if not any(folder.iterdir()):
                    folder.rmdir()
    return lines
