"""Which steps and report pages a commune gets from the sources it has configured.

Every source but the residents' register is optional. A step whose required sources
(``registry.Step.requires``) or settings are missing is no task, and a report kind that needs
such a step (``registry.Report.needs_step``) is not built; the index, the city report and the
methods page say why, in German. Derived from the config alone, so doit knows its tasks up
front.
"""

from __future__ import annotations

from helpers.core.config import Config
from helpers.core.registry import PAGES, PER_LAND, REPORTS, SOURCES, STEPS


def source_label(config: Config, name: str) -> str:
    """The German label of a source: its configured ``label``, else the registry's description
    (also for a source the commune has not configured), else its key."""
    configured = config.sources.get(name)
    if configured is not None and configured.label:
        return configured.label
    return SOURCES[name].label if name in SOURCES else name


def missing_source_text(config: Config, keys: list[str] | tuple[str, ...]) -> str:
    """'Für <Kommune> liegen keine Daten der Quelle … vor.' for the missing sources among ``keys``."""
    names = [f"„{source_label(config, k)}“" for k in keys if k not in config.sources]
    if not names:
        return ""
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " und " + names[-1]
    plural = "n" if len(names) > 1 else ""
    return f"Für {config.commune.name} liegen keine Daten der Quelle{plural} {listed} vor."


def step_reason(config: Config, name: str) -> str | None:
    """Why a step does not run for this commune (None: it runs)."""
    text = missing_source_text(config, STEPS[name].requires)
    if text:
        return text
    if name == "hze_analyse" and config.analysis.hze is None:
        return (
            "Die Kosten-Wirkungs-Analyse der Hilfen zur Erziehung braucht den Programmstart in der "
            "Konfiguration (analysis.hze.programme_start_year)."
        )
    return None


def report_reason(config: Config, kind: str) -> str | None:
    """Why a page kind is not built for this commune (None: it is built)."""
    step = PAGES[kind].needs_step
    return None if step is None else step_reason(config, step)


def active_steps(config: Config) -> list[str]:
    """The steps that run for this commune, in registry order."""
    return [name for name in STEPS if step_reason(config, name) is None]


def built_reports(config: Config) -> list[str]:
    """The notebook report kinds built for this commune, in registry order."""
    return [kind for kind in REPORTS if report_reason(config, kind) is None]


def built_pages(config: Config) -> list[str]:
    """Every page kind a commune's build makes (``registry.PAGES``; not the Land page), in registry order."""
    return [k for k, page in PAGES.items() if page.per != PER_LAND and report_reason(config, k) is None]


def available_tables(config: Config) -> set[str]:
    """Processed tables that exist for this commune: its sources' tables and its steps' outputs."""
    tables = {t for key in config.sources if key in SOURCES for t in SOURCES[key].tables}
    return tables | {t for name in active_steps(config) for t in STEPS[name].outputs}
