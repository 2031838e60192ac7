"""What a page of ``registry.PAGES`` reads and is made with: its data inputs (the footer's checksum
and the task's data ``file_dep``), its code and templates, and the config sections it depends on.

A page's task depends on exactly these: its data files, the helper modules its renderer imports
(a notebook's, with the execution and page shell; a site function's module), the templates it
renders, and the parsed config (doit ``config_changed`` on :func:`page_config`), never on the
config file's bytes: a comment in the config re-runs nothing. A notebook page is executed only
when what the notebook reads changes (:func:`execution_key`); a change in a template or in the
page shell only renders it again from the executed notebook.
"""

from __future__ import annotations

import hashlib
import importlib
from functools import cache
from pathlib import Path

from helpers.core.availability import available_tables
from helpers.core.config import RUN_SECTIONS, Config, config_digest
from helpers.core.paths import PageRef, ProjectPaths
from helpers.core.registry import PAGES, Page
from helpers.core.templating import TEMPLATES
from helpers.pipeline.deps import PACKAGE_DIR, helper_files, module_file

#: Run and render a notebook; the page shell (banner, navigation, footer).
EXECUTION = PACKAGE_DIR / "pipeline" / "execution.py"
SHELL = PACKAGE_DIR / "site" / "pages.py"
#: The template of the HTML fragments that report code renders (``helpers.core.templating``).
FRAGMENTS = TEMPLATES / "fragments.html.j2"
TEMPLATING = PACKAGE_DIR / "core" / "templating.py"


def resolve(dotted: str):
    """The function named ``"package.module:function"``."""
    module, _, name = dotted.partition(":")
    return getattr(importlib.import_module(module), name)


def page_config(config: Config) -> str:
    """The digest of the config sections a page reads: all but how notebooks are run."""
    return config_digest(config, RUN_SECTIONS)


def page_inputs(config: Config, ref: PageRef) -> list[Path]:
    """The data files a page reads (``Page.inputs``, else its tables, catalogue, Leitbild and map
    geometry); ``ProjectPaths.config_file`` in the list stands for the parsed config."""
    page = PAGES[ref.kind]
    if page.inputs:
        return list(resolve(page.inputs)(config, ref))
    paths = ProjectPaths(config)
    deps = {paths.config_file, config.catalogue_path, *config.geometry_files}
    if config.leitbild_path is not None:
        deps.add(config.leitbild_path)
    available = available_tables(config)
    for name in (t for t in page.read_tables if t in available):
        deps.add(paths.page_table(name, ref.year) if ref.year is not None else paths.processed_table(name))
    deps.add(paths.synthetic_status)
    return sorted(deps)


@cache
def _code(renderer: str, modules: tuple[str, ...], notebooks: Path) -> tuple[Path, ...]:
    if ":" not in renderer:
        notebook = notebooks / renderer
        return tuple(sorted({notebook, *helper_files(notebook), *helper_files(EXECUTION), *helper_files(SHELL)}))
    own = module_file(renderer.partition(":")[0])
    files = {own} if own is not None else set()
    for name in modules or (renderer.partition(":")[0],):
        found = module_file(name)
        files.update(helper_files(found) if found is not None else ())
    return tuple(sorted(files))


def page_code(config: Config, page: Page) -> list[Path]:
    """The code a page is made with: its notebook and the helper modules it imports, with the execution
    and the page shell; or a site renderer's own module and the helper modules its ``Page.code`` imports."""
    return list(_code(page.renderer, page.code, ProjectPaths(config).notebooks))


def page_templates(config: Config, page: Page) -> list[Path]:
    """The templates a page renders (``Page.templates``), with the fragments where its code renders them."""
    files = [TEMPLATES / t for t in page.templates]
    if TEMPLATING in page_code(config, page):
        files.append(FRAGMENTS)
    return files


def page_file_dep(config: Config, ref: PageRef) -> list[Path]:
    """Everything a page's task depends on, as files: data (without the config file), the banner's
    ``herkunft.json``, code and templates."""
    paths = ProjectPaths(config)
    page = PAGES[ref.kind]
    data = [p for p in page_inputs(config, ref) if p != paths.config_file]
    return sorted({*data, paths.synthetic_status, *page_code(config, page), *page_templates(config, page)})


def execution_key(config: Config, ref: PageRef, parameters: dict) -> str:
    """What executing a notebook page depends on: the notebook, the helper modules it imports, the
    execution code, its data files, the parsed config and the parameters (not the templates or the
    page shell, which only the rendering reads). The executed notebook records it; an equal key
    means the executed notebook is still valid and the page is only rendered again."""
    from helpers.core.io import sha256_files

    paths = ProjectPaths(config)
    page = PAGES[ref.kind]
    notebook = paths.notebooks / page.notebook
    code = {notebook, *helper_files(notebook), *helper_files(EXECUTION)}
    data = [p for p in page_inputs(config, ref) if p != paths.config_file]
    files = sha256_files([p for p in {*code, *data, paths.synthetic_status} if p.is_file()], paths.root)
    text = f"{files}\0{page_config(config)}\0{sorted(parameters.items())!r}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
