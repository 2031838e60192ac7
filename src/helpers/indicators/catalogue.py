"""The indicator catalogue (``config/indikatoren.yml``), validated on load.

Every indicator is defined once there; computation, reports and open-data metadata read it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from helpers.core.config import YAML_LOADER, ConfigError
from helpers.core.registry import SELECTIONS, selection_tables

Unit = Literal["pct", "per_1000", "per_10000", "eur"]
SCALE = {"pct": 100.0, "per_1000": 1_000.0, "per_10000": 10_000.0, "eur": 1.0}
UNIT_LABEL = {"pct": "%", "per_1000": "je 1.000", "per_10000": "je 10.000", "eur": "€"}
SOURCES = set(SELECTIONS)

#: The roles code asks the catalogue for (an indicator's ``roles``), never an indicator id; an own
#: catalogue declares them the same way. key: the profile's "Auf einen Blick"; funnel: funnel plots and
#: EB tables; status: the social index; child_poverty: the child-poverty indicator (its map and trend in
#: the Sozialraumanalyse, the start page's area findings, the covariate of the HzE analysis); hze_rate:
#: the HzE rate (its life phase on the HzE page, its level beside the comparison communes).
KEY_ROLE, FUNNEL_ROLE, STATUS_ROLE = "key", "funnel", "status"
CHILD_POVERTY_ROLE, HZE_RATE_ROLE = "child_poverty", "hze_rate"


class Selection(BaseModel):
    """Which counts of a processed source make a numerator or denominator."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    source: str
    ages: tuple[int, int] | None = None
    sex: str | None = None
    citizenship: str | None = None
    year_offset: int = 0
    measures: tuple[str, ...] | None = None
    age_groups: tuple[str, ...] | None = None
    kinds: tuple[str, ...] | None = None
    field: str | None = None
    values: tuple[str, ...] | None = None
    school_types: tuple[str, ...] | None = None
    bases: tuple[str, ...] | None = None
    phase: str | None = None

    @model_validator(mode="after")
    def _known_source(self) -> Selection:
        if self.source not in SOURCES:
            raise ValueError(f"unknown source {self.source!r}; known: {sorted(SOURCES)}")
        return self


#: Processed sources made from more than one configured raw source (or under another name).
RAW_SOURCES = {k: list(s.raw_sources) for k, s in SELECTIONS.items()}


class Indicator(BaseModel):
    """One catalogue entry."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    name: str
    short: str
    definition: str
    numerator: Selection
    denominator: Selection
    unit: Unit
    phase: str
    direction: Literal["higher_better", "lower_better", "neutral"]
    kind: Literal["status", "context", "outcome", "service"]
    reference_date: str
    pooling: Literal[2, 3] | None = None
    confidential: bool = True
    note: str = ""
    relevance: str = ""  # why the indicator matters for the Präventionskette (fact sheets)
    map_title: str = ""  # the indicator as the title of its map (before the year); default: its name
    # what code asks the catalogue for (KEY_ROLE … HZE_RATE_ROLE above), e.g. key, funnel, status:
    # role -> rank within the role (1 first); a plain list gives every role rank 0 (catalogue order)
    roles: dict[str, int] = {}
    # the life phases whose need this indicator measures (need vs supply, ``helpers.analysis.supply``)
    need_for: list[str] = []
    # "nearest": when the register's age bands cannot form the ages, they move to the nearest band edges
    # (the texts and a note say so); "exact": the indicator is then skipped
    age_fit: Literal["exact", "nearest"] = "exact"

    @field_validator("roles", mode="before")
    @classmethod
    def _role_list(cls, value: object) -> object:
        return dict.fromkeys(value, 0) if isinstance(value, list | tuple) else value

    @property
    def map_heading(self) -> str:
        """The title of the indicator's map, without the year (``map_title``, else the name)."""
        return self.map_title or self.name

    @property
    def scale(self) -> float:
        return SCALE[self.unit]

    @property
    def ci_method(self) -> str:
        """Interval method: Wilson for shares, exact Poisson for rates, none for money."""
        if self.unit == "eur" or self.numerator.source == "services":
            return "keines"
        return "Wilson" if self.unit == "pct" else "exakt (Poisson)"

    def raw_sources(self) -> list[str]:
        """The configured source keys this indicator is computed from (numerator first, repeats kept)."""
        return [r for sel in (self.numerator, self.denominator) for r in RAW_SOURCES.get(sel.source, [sel.source])]


class Catalogue(BaseModel):
    """The whole catalogue: life phases in report order, and the indicators."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    phases: list[str]
    indicators: list[Indicator]

    @model_validator(mode="after")
    def _consistent(self) -> Catalogue:
        ids = [i.id for i in self.indicators]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"duplicate indicator ids: {dupes}")
        unknown = sorted({i.phase for i in self.indicators} - set(self.phases))
        if unknown:
            raise ValueError(f"indicators name phases that are not listed: {unknown}")
        return self

    def get(self, indicator_id: str) -> Indicator:
        for ind in self.indicators:
            if ind.id == indicator_id:
                return ind
        raise KeyError(f"unknown indicator {indicator_id!r}")

    def need_by_phase(self) -> dict[str, str]:
        """Life phase -> the indicator that measures its need (the first that names the phase in ``need_for``).

        >>> from helpers.core.config import SHIPPED_CATALOGUE
        >>> need = load_catalogue(SHIPPED_CATALOGUE).need_by_phase()
        >>> need["Rund um die Geburt"], need["Frühe Kindheit 0–3"], need["Kita 3–6"], len(need)
        ('sgb2_u3', 'sgb2_u3', 'sgb2_u6', 6)
        """
        out: dict[str, str] = {}
        for ind in self.indicators:
            for phase in ind.need_for:
                out.setdefault(phase, ind.id)
        return out

    def with_role(self, role: str) -> list[str]:
        """Ids of the indicators that declare ``role``, by their rank, then in catalogue order."""
        ranked = [(i.roles[role], n, i.id) for n, i in enumerate(self.indicators) if role in i.roles]
        return [ident for _, _, ident in sorted(ranked)]

    def role(self, role: str) -> Indicator | None:
        """The first indicator that declares ``role`` (by rank, then catalogue order); None if none does."""
        ids = self.with_role(role)
        return self.get(ids[0]) if ids else None

    def by_phase(self) -> dict[str, list[Indicator]]:
        return {p: [i for i in self.indicators if i.phase == p] for p in self.phases}


def load_catalogue(path: str | Path) -> Catalogue:
    """Read and validate the catalogue; a bad file gives one German line per problem."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"Kennzahlenkatalog nicht gefunden: {path}")
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=YAML_LOADER)
    except yaml.YAMLError as exc:
        raise ConfigError(f"Kennzahlenkatalog {path} ist kein gültiges YAML: {exc}") from None
    try:
        return with_age_texts(Catalogue.model_validate(data))
    except ValidationError as exc:
        lines = [f"Kennzahlenkatalog {path} fehlerhaft:"]
        for e in exc.errors():
            lines.append(f"  - {'.'.join(str(p) for p in e['loc'])}: {e['msg']}")
        raise ConfigError("\n".join(lines)) from None


#: Placeholder in ``name``, ``short`` and ``definition`` for the numerator's ages in words.
AGE_PLACEHOLDER = "{alter}"


def age_words(ages: tuple[int, int] | None) -> str:
    """An inclusive age range in German, for texts; an open top never reads as an age.

    >>> age_words((0, 17)), age_words((65, 200)), age_words((6, 14)), age_words((0, 0)), age_words((0, 120))
    ('unter 18 Jahren', '65 Jahre und älter', 'von 6 bis unter 15 Jahren', 'unter 1 Jahr', 'jeden Alters')
    """
    from helpers.core.ages import OPEN_AGE

    if ages is None:
        return "jeden Alters"
    low, high = ages
    if high >= OPEN_AGE:
        return "jeden Alters" if low == 0 else f"{low} Jahre und älter"
    if low == 0:
        return "unter 1 Jahr" if high == 0 else f"unter {high + 1} Jahren"
    return f"von {low} bis unter {high + 1} Jahren"


def with_age_texts(catalogue: Catalogue) -> Catalogue:
    """The catalogue with :data:`AGE_PLACEHOLDER` in the texts replaced by the numerator's ages."""
    out = []
    for ind in catalogue.indicators:
        fields = {f: getattr(ind, f) for f in ("name", "short", "definition")}
        if any(AGE_PLACEHOLDER in v for v in fields.values()):
            words = age_words(ind.numerator.ages)
            ind = ind.model_copy(update={f: v.replace(AGE_PLACEHOLDER, words) for f, v in fields.items()})
        out.append(ind)
    return Catalogue(phases=catalogue.phases, indicators=out)


def indicator_inputs(catalogue: Catalogue) -> list[str]:
    """Processed tables the catalogue's selections read."""
    return selection_tables({s.source for i in catalogue.indicators for s in (i.numerator, i.denominator)})


def indicator_groups(catalogue: Catalogue) -> dict[str, list[str]]:
    """Numerator selection -> ids of the indicators counting from it (catalogue order).

    Each group's values are one task (``kennzahlen:<selection>``): a change in one source
    recomputes only the indicators whose selections read it.
    """
    groups: dict[str, list[str]] = {}
    for ind in catalogue.indicators:
        groups.setdefault(ind.numerator.source, []).append(ind.id)
    return groups


def group_inputs(catalogue: Catalogue, selection: str) -> list[str]:
    """The processed tables the indicators of one group read (numerators and denominators)."""
    ids = set(indicator_groups(catalogue)[selection])
    used = {sel.source for i in catalogue.indicators if i.id in ids for sel in (i.numerator, i.denominator)}
    return selection_tables(used)
