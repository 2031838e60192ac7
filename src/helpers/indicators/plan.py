"""What one commune's monitoring holds: the sources it has, the indicators computed and skipped
(with the reason), the derived defaults, and which steps and pages are built.

Every source but the residents' register is optional. The plan is derived from the config
and the shipped (or the commune's own) catalogue only, never from the data, so ``doit``
knows its tasks before anything runs, and ``doit kommune`` can show the plan.

Defaults that name indicators (the profile's key figures, the funnel plots, the social-index
status indicators) are derived from what is available: the available indicators with the
catalogue role (``roles: {key: 1}``, by rank), filled up from the catalogue order where needed. A list
set in the config is used as it is; an entry there that is not computed is a config error.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from helpers.core.availability import missing_source_text, report_reason, step_reason
from helpers.core.config import Config, ConfigError, key_error
from helpers.core.registry import REPORTS, SOURCES, STEPS
from helpers.indicators.catalogue import (
    FUNNEL_ROLE,
    KEY_ROLE,
    STATUS_ROLE,
    Catalogue,
    Indicator,
    Selection,
    load_catalogue,
)

#: Roles of the derived defaults (catalogue ``roles``): "Auf einen Blick" on every profile (filled
#: up to KEY_MIN from the catalogue order), funnel plots and EB tables in the Sozialraumanalyse,
#: and the status indicators of the social index (which needs at least STATUS_MIN of them).
KEY_MIN = 6
STATUS_MIN = 2
#: The start of the note an indicator gets when its ages were moved to the register's band edges.
FITTED_MARK = "Altersgrenzen an die Altersgruppen der Einwohnerdatei angepasst"

#: Catalogue fields a commune may override per indicator (``indicators.overrides``).
OVERRIDABLE = (
    "name",
    "short",
    "definition",
    "note",
    "relevance",
    "map_title",
    "reference_date",
    "pooling",
    "roles",
    "age_fit",
)

#: German names of the standard columns a population selection may need.
_POPULATION_COLUMNS = {"sex": "Geschlecht", "citizenship": "Staatsangehörigkeit"}


@dataclass(frozen=True)
class CommunePlan:
    """The monitoring of one commune, as far as its config and sources allow."""

    catalogue: Catalogue  # the indicators computed (selected, overridden, available)
    skipped: dict[str, str]  # indicator id -> German reason
    sources_found: tuple[str, ...]
    sources_missing: tuple[str, ...]  # registry sources the commune has not configured
    key_indicators: tuple[str, ...]
    funnel_indicators: tuple[str, ...]
    status_indicators: tuple[str, ...]
    social_index_reason: str | None  # None: the social index is computed
    steps: dict[str, str | None] = field(default_factory=dict)  # step -> None (runs) or German reason
    reports: dict[str, str | None] = field(default_factory=dict)  # report kind -> None or German reason
    roles: dict[str, tuple[str, ...]] = field(default_factory=dict)  # role -> ids in the whole catalogue, by rank

    def has(self, indicator_id: str) -> bool:
        return indicator_id in {i.id for i in self.catalogue.indicators}

    def role(self, role: str) -> Indicator | None:
        """The computed indicator that plays ``role`` (the first by rank); None if none is computed."""
        return self.catalogue.role(role)

    def role_reason(self, role: str) -> str:
        """Why no computed indicator plays ``role``, in German ('' when one does): the reason the
        catalogue's first indicator with the role is skipped, or that the catalogue declares none."""
        if self.role(role) is not None:
            return ""
        ids = self.roles.get(role, ())
        if not ids:
            return f"Der Kennzahlenkatalog nennt keine Kennzahl mit der Rolle „{role}“."
        return self.skipped.get(ids[0], "")

    def step_runs(self, name: str) -> bool:
        return self.steps.get(name) is None

    def report_built(self, kind: str) -> bool:
        return self.reports.get(kind) is None

    @property
    def built_reports(self) -> list[str]:
        return [k for k in REPORTS if self.report_built(k)]


def _population_problem(sel: Selection, config: Config) -> str | None:
    source = config.sources["population"]
    absent = set(source.layout.absent)
    for attr, column in _POPULATION_COLUMNS.items():
        if getattr(sel, attr) is not None and column in absent:
            return f"die Einwohnerdatei enthält keine Spalte „{column}“"
    if sel.ages is not None and source.age_bands is not None:
        from helpers.core.ages import age_range_problem

        return age_range_problem(list(source.age_bands), *sel.ages)
    return None


def indicator_problem(indicator: Indicator, config: Config) -> str | None:
    """Why an indicator cannot be computed for this commune (None: it can)."""
    missing = [s for s in dict.fromkeys(indicator.raw_sources()) if s not in config.sources]
    if missing:
        return missing_source_text(config, missing)
    for sel in (indicator.numerator, indicator.denominator):
        if sel.source == "population":
            problem = _population_problem(sel, config)
            if problem:
                return problem[0].upper() + problem[1:] + ("" if problem.endswith(".") else ".")
    return None


def _apply_overrides(catalogue: Catalogue, config: Config) -> Catalogue:
    overrides = config.indicators.overrides
    known = {i.id for i in catalogue.indicators}
    problems = [f"indicators.overrides: unbekannte Kennzahl {k!r}" for k in overrides if k not in known]
    for key, fields in overrides.items():
        bad = sorted(set(fields) - set(OVERRIDABLE))
        if bad:
            problems.append(f"indicators.overrides.{key}: {bad} nicht änderbar (änderbar: {', '.join(OVERRIDABLE)})")
    if problems:
        raise key_error(
            config,
            "indicators.overrides",
            "passt nicht zum Kennzahlenkatalog:\n" + "\n".join(f"- {p}" for p in problems),
        )
    indicators = [
        Indicator.model_validate({**i.model_dump(), **overrides[i.id]}) if i.id in overrides else i
        for i in catalogue.indicators
    ]
    return Catalogue(phases=catalogue.phases, indicators=indicators)


def _selected(catalogue: Catalogue, config: Config) -> tuple[list[Indicator], dict[str, str]]:
    settings = config.indicators
    known = [i.id for i in catalogue.indicators]
    unknown = sorted({*(settings.include or []), *settings.exclude} - set(known))
    if unknown:
        key = "indicators.include" if set(unknown) & set(settings.include or []) else "indicators.exclude"
        raise key_error(config, key, f"nennt unbekannte Kennzahlen {unknown}; der Katalog kennt: {', '.join(known)}")
    chosen, skipped = [], {}
    for ind in catalogue.indicators:
        if settings.include is not None and ind.id not in settings.include:
            skipped[ind.id] = "Nicht ausgewählt (indicators.include)."
        elif ind.id in settings.exclude:
            skipped[ind.id] = "Ausgeschlossen (indicators.exclude)."
        else:
            problem = indicator_problem(ind, config)
            fitted = fit_ages(ind, config) if problem and ind.age_fit == "nearest" else None
            if fitted is not None and indicator_problem(fitted, config) is None:
                ind, problem = fitted, None
                twin = next((c.id for c in chosen if _same_counts(c, ind)), None)
                if twin is not None:
                    problem = f"Mit den Altersgruppen der Einwohnerdatei gleich der Kennzahl „{twin}“."
            if problem:
                skipped[ind.id] = problem
            else:
                chosen.append(ind)
    return chosen, skipped


def _same_counts(a: Indicator, b: Indicator) -> bool:
    return (a.numerator, a.denominator, a.unit) == (b.numerator, b.denominator, b.unit)


def fit_ages(indicator: Indicator, config: Config) -> Indicator | None:
    """The indicator with its register ages moved to the nearest edges of the register's age bands
    (``age_fit: nearest``): texts name the ages used, the note says what moved. None: nothing to move."""
    from helpers.core.ages import nearest_range
    from helpers.indicators.catalogue import age_words

    bands = config.sources["population"].age_bands
    if bands is None or {indicator.numerator.source, indicator.denominator.source} != {"population"}:
        return None  # another source's counts have ages of their own (SGB II under 15): never moved
    register = [tuple(b) for b in bands]
    sels, moved = {}, []
    for part in ("numerator", "denominator"):
        sel = getattr(indicator, part)
        if sel.source != "population" or sel.ages is None:
            continue
        new = nearest_range(register, *sel.ages)
        if new != tuple(sel.ages):
            sels[part] = sel.model_copy(update={"ages": new})
            moved.append((tuple(sel.ages), new))
    if not moved:
        return None
    texts = {}
    for field_name in ("name", "short", "definition"):
        value = getattr(indicator, field_name)
        for old, new in moved:
            value = value.replace(age_words(old), age_words(new))
        texts[field_name] = value
    said = "; ".join(f"{age_words(new)} statt {age_words(old)}" for old, new in moved)
    note = f"{FITTED_MARK}: {said} (die Einwohnerdatei liegt nur in Altersgruppen vor)."
    return indicator.model_copy(update={**sels, **texts, "note": f"{indicator.note} {note}".strip()})


def _derived(
    config: Config,
    configured: list[str] | None,
    preference: tuple[str, ...],
    available: list[str],
    skipped: dict[str, str],
    key: str,
    fill_to: int = 0,
) -> tuple[str, ...]:
    if configured is not None:
        bad = [f"{i!r} ({skipped.get(i, 'nicht im Katalog')})" for i in configured if i not in available]
        if bad:
            raise key_error(
                config, key, f"{key} nennt Kennzahlen, die für diese Kommune nicht berechnet werden: {'; '.join(bad)}"
            )
        return tuple(configured)
    chosen = [i for i in preference if i in available]
    for i in available:
        if len(chosen) >= fill_to:
            break
        if i not in chosen:
            chosen.append(i)
    return tuple(chosen)


def _source_name(config: Config, key: str) -> str:
    from helpers.core.provenance import source_label

    return "" if key == "population" else source_label(config, key)


def no_indicator_text(config: Config, catalogue: Catalogue, skipped: dict[str, str]) -> str:
    """Why a commune computes no indicator at all, and what helps (German, one block)."""
    reasons: dict[str, list[str]] = {}
    for ident, reason in skipped.items():
        reasons.setdefault(reason, []).append(ident)
    lines = [
        f"Für {config.commune.name} lässt sich keine einzige Kennzahl des Katalogs ({config.catalogue_path.name}) "
        "berechnen; ohne Kennzahlen gibt es keine Berichte. Gründe:"
    ]
    for reason, ids in list(reasons.items())[:8]:
        more = f" und {len(ids) - 3} weitere" if len(ids) > 3 else ""
        lines.append(f"  - {reason} ({', '.join(ids[:3])}{more})")
    if len(reasons) > 8:
        lines.append(f"  … und {len(reasons) - 8} weitere Gründe")
    lines.append(
        "Was hilft: weitere Quellen unter sources angeben; die Altersgruppen der Einwohnerdatei prüfen "
        "(sources.population.age_bands); oder für eine Kennzahl indicators.overrides: {<id>: {age_fit: nearest}} "
        "setzen, dann rücken ihre Altersgrenzen an die nächsten Grenzen der Altersgruppen."
    )
    return "\n".join(lines)


def _catalogue(config: Config) -> Catalogue:
    """The commune's catalogue; a missing or broken file is a config error at ``indicators.catalogue``."""
    try:
        return load_catalogue(config.catalogue_path)
    except ConfigError as exc:
        hint = "" if config.catalogue_path.is_file() else " (Pfad relativ zur Konfigurationsdatei)"
        raise key_error(config, "indicators.catalogue", f"{exc}{hint}") from None


def _plan(config: Config) -> CommunePlan:
    full = _apply_overrides(_catalogue(config), config)
    chosen, skipped = _selected(full, config)
    catalogue = Catalogue(phases=full.phases, indicators=chosen)
    available = [i.id for i in chosen]
    if not chosen:
        raise key_error(config, "sources", no_indicator_text(config, full, skipped))
    a = config.analysis
    key = _derived(
        config, config.key_indicators, full.with_role(KEY_ROLE), available, skipped, "key_indicators", KEY_MIN
    )
    funnel = _derived(
        config, a.funnel_indicators, full.with_role(FUNNEL_ROLE), available, skipped, "analysis.funnel_indicators"
    )
    status_preference = full.with_role(STATUS_ROLE)
    status = _derived(
        config,
        a.social_index.status_indicators,
        status_preference,
        available,
        skipped,
        "analysis.social_index.status_indicators",
    )
    index_reason = None
    if len(status) < STATUS_MIN:
        names = ", ".join(full.get(i).short for i in status_preference) or "(keine im Katalog mit der Rolle status)"
        sources = [_source_name(config, s) for i in status_preference for s in full.get(i).raw_sources()]
        index_reason = (
            "Für den Sozialraum-Index fehlen Statusindikatoren: er braucht mindestens zwei der Kennzahlen "
            f"{names}" + (f" (Quellen: {', '.join(dict.fromkeys(x for x in sources if x))})." if sources else ".")
        )
    steps = {name: step_reason(config, name) for name in STEPS}
    reports = {kind: report_reason(config, kind) for kind in REPORTS}
    return CommunePlan(
        catalogue=catalogue,
        skipped=skipped,
        sources_found=tuple(k for k in SOURCES if k in config.sources),
        sources_missing=tuple(k for k in SOURCES if k not in config.sources),
        key_indicators=key,
        funnel_indicators=funnel,
        status_indicators=status,
        social_index_reason=index_reason,
        steps=steps,
        reports=reports,
        roles={r: tuple(full.with_role(r)) for i in full.indicators for r in i.roles},
    )


_PLANS: dict[tuple[str, str, float], CommunePlan] = {}


def commune_plan(config: Config) -> CommunePlan:
    """The plan of one commune (cached per config content and catalogue file)."""
    path = config.catalogue_path
    key = (config.model_dump_json(), str(config.config_path), path.stat().st_mtime if path.is_file() else 0.0)
    if key not in _PLANS:
        _PLANS[key] = _plan(config)
    return _PLANS[key]


def commune_catalogue(config: Config) -> Catalogue:
    """The indicators this commune computes: selected, overridden, with their sources present."""
    return commune_plan(config).catalogue


def commune_indicator_ids(config: Config) -> list[str]:
    """Ids of the indicators this commune computes, in catalogue order (one fact sheet each)."""
    return [i.id for i in commune_catalogue(config).indicators]


def plan_text(config: Config) -> str:
    """The plan in German, for ``doit kommune``: sources, indicators, analyses and pages."""
    from helpers.core.paths import ProjectPaths
    from helpers.core.provenance import source_label
    from helpers.core.registry import REPORTS

    plan = commune_plan(config)
    paths = ProjectPaths(config)
    full = load_catalogue(config.catalogue_path)
    bezirke = f"{len(config.stadtbezirke)} Stadtbezirke" if config.has_stadtbezirke else "ohne Stadtbezirke"
    out = [
        f"Kommune {config.commune.name} (AGS {config.commune.ags}): {len(config.stadtteile)} Stadtteile, {bezirke}; "
        f"Datenjahre {config.years.data.first}–{config.years.data.last}, Berichtsjahre "
        + ", ".join(str(y) for y in config.report_years),
        f"Kennzahlenkatalog: {config.catalogue_path}",
        "",
        "Quellen vorhanden:",
    ]
    for key in plan.sources_found:
        files = paths.raw_source_files(key)
        present = sum(f.is_file() for f in files)
        out.append(f"  + {key}: {source_label(config, key)} ({present} von {len(files)} Dateien da)")
    out.append("Quellen nicht konfiguriert:" if plan.sources_missing else "Quellen nicht konfiguriert: keine")
    out += [f"  - {key}: {source_label(config, key)}" for key in plan.sources_missing]
    out += ["", f"Kennzahlen berechnet ({len(plan.catalogue.indicators)}):"]
    out += [
        f"  + {i.id}: {i.name}" + (" (Altersgrenzen angepasst, siehe Hinweis)" if FITTED_MARK in i.note else "")
        for i in plan.catalogue.indicators
    ]
    out.append(f"Kennzahlen nicht berechnet ({len(plan.skipped)}):")
    out += [f"  - {i}: {full.get(i).name} – {reason}" for i, reason in plan.skipped.items()]
    out += [
        "",
        "Abgeleitete Voreinstellungen (in der Konfiguration überschreibbar):",
        f"  key_indicators: {', '.join(plan.key_indicators) or '–'}",
        f"  analysis.funnel_indicators: {', '.join(plan.funnel_indicators) or '–'}",
        f"  analysis.social_index.status_indicators: {', '.join(plan.status_indicators) or '–'}",
        f"  Sozialraum-Index: {plan.social_index_reason or 'wird berechnet'}",
        "",
        "Analyseschritte:",
    ]
    out += [f"  {'+' if r is None else '-'} {name}{'' if r is None else ': ' + r}" for name, r in plan.steps.items()]
    out.append("Seiten je Berichtsjahr:")
    for kind, reason in plan.reports.items():
        count = len(config.stadtteile) if REPORTS[kind].per_area else 1
        label = REPORTS[kind].title
        out.append(f"  + {label}: {count}" if reason is None else f"  - {label}: nicht erstellt – {reason}")
    out += [
        "  + Methodische Hinweise: 1",
        "  + Startseite (index.html) und offene Daten",
        f"  + Kennzahlenblätter (über alle Jahre): {len(plan.catalogue.indicators)} und eine Übersicht",
    ]
    return "\n".join(out)
