"""Atoms: the smallest counts every indicator cell is a sum of.

An atom is one count of one category in one Stadtteil and year (for example "SGB II,
persons under 3, Wiesdorf, 2025", or "SEU, language = auffällig, Opladen, 2024"). A
published cell (numerator or denominator of an area and year) is a sum of atoms: a
Stadtbezirk sums its Stadtteile, the city sums all Stadtteile plus the rest that belongs to
no Stadtteil (``REST``: BA addresses that could not be assigned, city-wide services).
The disclosure audit works on exactly these sums.

Every builder returns columns year, stadtteil_code, atom, value (float; NaN where the
source itself suppressed the count) and, for BA sources, the city totals the BA published.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers.core.ages import select_ages
from helpers.core.config import Config, ConfigError
from helpers.core.registry import SELECTIONS
from helpers.indicators.catalogue import Catalogue, Selection

REST = "_rest"
ATOM_COLUMNS = ["year", "stadtteil_code", "atom", "value"]

SEU_FIELDS = {
    "kita_2y": "Kita-Besuch mindestens 24 Monate (ja/nein)",
    "u8u9": "U8/U9 dokumentiert (ja/nein)",
    "measles": "zwei Masernimpfungen (ja/nein)",
    "bmi_class": "BMI-Klasse",
    "german_other": "Deutschkenntnisse bei nichtdeutscher Familiensprache (ausreichend/nicht ausreichend)",
    "language": "SOPESS Sprache",
    "motor": "SOPESS Körperkoordination",
    "visuomotor": "SOPESS Visuomotorik",
    "attention": "SOPESS selektive Aufmerksamkeit",
    "numbers": "SOPESS Zahlen- und Mengenvorwissen",
}


@dataclass(frozen=True)
class Atoms:
    """Atom counts of one selection, plus city totals where the holder published them."""

    frame: pd.DataFrame  # year (of the data), stadtteil_code, atom, value
    city_total: pd.Series | None = None  # year -> value (BA "Insgesamt" row)
    family: str = ""  # atoms of one family can appear together in equations
    year_offset: int = 0  # the cell of report year Y uses the atoms of year Y + offset


def seu_fields(seu: pd.DataFrame) -> pd.DataFrame:
    """Derived categorical fields of the SEU records (see :data:`SEU_FIELDS`)."""
    yes_no = {True: "ja", False: "nein"}
    months = seu["kita_months"]
    insufficient = seu["german"].isin(["radebrechend", "kaum oder kein Deutsch"])
    german_other = np.where(insufficient, "nicht ausreichend", "ausreichend")
    return pd.DataFrame(
        {
            "year": seu["year"],
            "stadtteil_code": seu["stadtteil_code"].astype(str),
            "kita_2y": np.where(months.isna(), None, np.where(months.fillna(0) >= 24, "ja", "nein")),
            "u8u9": seu["u8u9_documented"].map(yes_no, na_action="ignore"),
            "measles": seu["measles_2_doses"].map(yes_no, na_action="ignore"),
            "bmi_class": seu["bmi_class"],
            "german_other": np.where((seu["family_language"] == "andere") & seu["german"].notna(), german_other, None),
            "language": seu["language"],
            "motor": seu["motor"],
            "visuomotor": seu["visuomotor"],
            "attention": seu["attention"],
            "numbers": seu["numbers"],
        }
    )


def population_atoms(sel: Selection, t: dict[str, pd.DataFrame], config: Config) -> Atoms:
    lo, hi = sel.ages or (0, 200)
    p = select_ages(t["population"], lo, hi)
    mask = pd.Series(True, index=p.index)
    if sel.sex:
        mask &= p["sex"] == sel.sex
    if sel.citizenship:
        mask &= p["citizenship"] == sel.citizenship
    grouped = p[mask].groupby(["year", "stadtteil_code"], as_index=False)["persons"].sum()
    atom = f"pop:{lo}-{hi}:{sel.sex or '*'}:{sel.citizenship or '*'}"
    frame = grouped.assign(atom=atom, value=grouped["persons"].astype(float))
    return Atoms(frame[ATOM_COLUMNS], family="population", year_offset=sel.year_offset)


def ba_atoms(sel: Selection, t: dict[str, pd.DataFrame], config: Config) -> Atoms:
    frame = t[sel.source]
    part = frame[frame["measure"].isin(sel.measures or ())]
    areas = part[part["area_level"] != "stadt"]
    out = pd.DataFrame(
        {
            "year": areas["year"],
            "stadtteil_code": np.where(areas["area_level"] == "stadtteil", areas["area_code"], REST),
            "atom": sel.source + ":" + areas["measure"].astype(str),
            "value": areas["value"].astype("Float64").astype(float),
        }
    )
    city = part[part["area_level"] == "stadt"].groupby("year")["value"].sum(min_count=1).astype(float)
    return Atoms(out[ATOM_COLUMNS], city_total=city, family=sel.source)


def kita_atoms(sel: Selection, t: dict[str, pd.DataFrame], config: Config) -> Atoms:
    k = t["kita"]
    k = k[k["age_group"].isin(sel.age_groups or ())]
    long = k.melt(
        id_vars=["year", "stadtteil_code", "age_group"],
        value_vars=list(sel.kinds or ()),
        var_name="kind",
    )
    long["atom"] = "kita:" + long["age_group"] + ":" + long["kind"]
    return Atoms(long.assign(value=long["value"].astype(float))[ATOM_COLUMNS], family="kita")


def seu_atoms(sel: Selection, t: dict[str, pd.DataFrame], config: Config) -> Atoms:
    fields = seu_fields(t["seu"])
    part = fields[fields[sel.field].isin(sel.values or ())]
    counts = part.groupby(["year", "stadtteil_code", sel.field]).size().rename("value").reset_index()
    counts["atom"] = f"seu:{sel.field}=" + counts[sel.field].astype(str)
    return Atoms(
        _complete(
            counts.assign(value=counts["value"].astype(float))[ATOM_COLUMNS],
            config,
            [f"seu:{sel.field}={v}" for v in sel.values or ()],
            t["seu"]["year"].unique(),
        ),
        family=f"seu:{sel.field}",
    )


def transition_atoms(sel: Selection, t: dict[str, pd.DataFrame], config: Config) -> Atoms:
    from helpers.sources.transitions import SCHOOL_TYPES

    # "*" is every school type there is, so the same real count is always the same atoms.
    types = list(SCHOOL_TYPES) if "*" in (sel.school_types or ()) else list(sel.school_types or ())
    tr = t["transitions"]
    tr = tr[tr["school_type"].isin(types)]
    out = tr.assign(atom="trans:" + tr["school_type"], value=tr["pupils"].astype(float))
    years = sorted(t["transitions"]["year"].unique())
    return Atoms(_complete(out[ATOM_COLUMNS], config, [f"trans:{x}" for x in types], years), family="transitions")


def hze_atoms(sel: Selection, t: dict[str, pd.DataFrame], config: Config) -> Atoms:
    """Cases counted in the year (Bestand 31.12. + beendet) per legal basis.

    In the report years, whose HzE tables publish the flows, a count is split into the
    atoms ``|bestand`` (Bestand am 31.12.) and ``|beendet`` (counted − Bestand), so that the
    flow cells are 0/1 sums of the same atoms (see :mod:`helpers.indicators.hze_cells`).
    """
    from helpers.sources.hze import BASES

    # "*" is every legal basis there is (not just those with cases), so that the same real
    # count is always the same atoms and differences between selections are exact.
    bases = list(BASES) if "*" in (sel.bases or ()) else list(sel.bases or ())
    grid = hze_grid(t["hze_year"], config, bases)
    flows = grid["year"].isin(config.report_years)
    plain = grid[~flows]
    plain = plain.assign(atom="hze:" + plain["basis"], value=plain["counted"])
    split = grid[flows]
    bestand = split.assign(atom="hze:" + split["basis"] + HZE_BESTAND, value=split["bestand_3112"])
    ended = split.assign(atom="hze:" + split["basis"] + HZE_ENDED, value=split["counted"] - split["bestand_3112"])
    return Atoms(pd.concat([plain, bestand, ended], ignore_index=True)[ATOM_COLUMNS], family="hze")


HZE_BESTAND, HZE_ENDED, HZE_STARTED = "|bestand", "|beendet", "|begonnen"
HZE_COUNTS = ["counted", "bestand_3112", "started", "case_days"]


def hze_grid(hze_year: pd.DataFrame, config: Config, bases: list[str]) -> pd.DataFrame:
    """HzE counts per year x Stadtteil x legal basis, zeros where no case (every combination)."""
    years = sorted(int(y) for y in hze_year["year"].unique())
    index = pd.MultiIndex.from_product(
        [years, [s.code for s in config.stadtteile], bases], names=["year", "stadtteil_code", "basis"]
    )
    h = hze_year.assign(stadtteil_code=hze_year["stadtteil_code"].astype(str), basis=hze_year["basis"].astype(str))
    full = h.groupby(["year", "stadtteil_code", "basis"])[HZE_COUNTS].sum().reindex(index, fill_value=0)
    return full.astype(float).reset_index()


def hze_eur_atoms(sel: Selection, t: dict[str, pd.DataFrame], config: Config) -> Atoms:
    """Budget expenditure allocated to Stadtteile by case days per legal basis.

    In the report years the atoms stay per legal basis (``hze_eur:<basis>``), so that the
    expenditure by Hilfeart in the HzE tables is a sum of the same atoms.
    """
    h = t["hze_year"]
    budget = t["hze_expenditure"].set_index(["year", "basis"])["eur"]
    days = h.groupby(["year", "basis"])["case_days"].transform("sum")
    with np.errstate(divide="ignore", invalid="ignore"):  # a basis without case days gets nothing
        per_day = budget.reindex(pd.MultiIndex.from_frame(h[["year", "basis"]])).to_numpy() / days.to_numpy()
    alloc = h.assign(value=h["case_days"] * np.nan_to_num(per_day))
    alloc["atom"] = np.where(
        alloc["year"].isin(config.report_years), "hze_eur:" + alloc["basis"].astype(str), "hze_eur"
    )
    out = alloc.groupby(["year", "stadtteil_code", "atom"], as_index=False)["value"].sum()
    city = t["hze_expenditure"].groupby("year")["eur"].sum()
    return Atoms(out[ATOM_COLUMNS], city_total=city, family="hze_eur")


def welcome_atoms(sel: Selection, t: dict[str, pd.DataFrame], config: Config) -> Atoms:
    w = t["welcome_visits"]
    visited = w.assign(atom="wv:visited", value=w["visits"].astype(float))
    parts = [visited]
    if sel.field == "births":
        parts.append(w.assign(atom="wv:not_visited", value=(w["births"] - w["visits"]).astype(float)))
    return Atoms(pd.concat(parts, ignore_index=True)[ATOM_COLUMNS], family="welcome_visits")


def service_atoms(sel: Selection, t: dict[str, pd.DataFrame], config: Config) -> Atoms:
    s = t["services"]
    s = s[s["phases"].str.split(" | ", regex=False).map(lambda ps: sel.phase in ps)]
    rows = []
    for year in config.data_years:
        active = s[(s["start"] <= year) & (s["end"].isna() | (s["end"] >= year))]
        for code in [st.code for st in config.stadtteile]:
            rows.append((year, code, float(active.loc[active["stadtteil_code"] == code, "capacity"].sum())))
        rows.append((year, REST, float(active.loc[active["stadtteil_code"] == "", "capacity"].sum())))
    frame = pd.DataFrame(rows, columns=["year", "stadtteil_code", "value"]).assign(atom=f"svc:{sel.phase}")
    return Atoms(frame[ATOM_COLUMNS], family="services")


def _complete(frame: pd.DataFrame, config: Config, atoms: list[str], years) -> pd.DataFrame:
    """Add zero atoms for categories with no record (a zero count is a count)."""
    index = pd.MultiIndex.from_product(
        [sorted(int(y) for y in years), [s.code for s in config.stadtteile], atoms],
        names=["year", "stadtteil_code", "atom"],
    )
    full = frame.set_index(["year", "stadtteil_code", "atom"])["value"].reindex(index, fill_value=0.0)
    return full.reset_index()[ATOM_COLUMNS]


def build_atoms(sel: Selection, tables: dict[str, pd.DataFrame], config: Config) -> Atoms:
    """The atoms of one numerator or denominator selection (builder named in the registry)."""
    module, _, name = SELECTIONS[sel.source].atoms.partition(":")
    return getattr(importlib.import_module(module), name)(sel, tables, config)


SEU_CATEGORIES = {
    "kita_2y": {"ja", "nein"},
    "u8u9": {"ja", "nein"},
    "measles": {"ja", "nein"},
    "bmi_class": {"untergewichtig", "normal", "übergewichtig", "adipös"},
    "german_other": {"ausreichend", "nicht ausreichend"},
    **{
        f: {"unauffällig", "grenzwertig", "auffällig"}
        for f in ("language", "motor", "visuomotor", "attention", "numbers")
    },
}


def selection_problems(sel: Selection, config: Config) -> list[str]:
    """What a selection names that the processed sources do not have (empty = fine)."""
    from helpers.sources.hze import BASES
    from helpers.sources.kita import AGE_GROUPS
    from helpers.sources.prevention import PHASES
    from helpers.sources.sgb2 import ALO_COLUMNS, SGB2_COLUMNS
    from helpers.sources.transitions import SCHOOL_TYPES

    def unknown(values, allowed, what: str) -> list[str]:
        bad = sorted(set(values or ()) - set(allowed) - {"*"})
        return [f"{sel.source}: unknown {what} {bad}; known: {sorted(allowed)}"] if bad else []

    def needs(values, what: str) -> list[str]:
        return [] if values else [f"{sel.source}: {what} missing"]

    def seu() -> list[str]:
        if sel.field not in SEU_FIELDS:
            return [f"seu: unknown field {sel.field!r}; known: {sorted(SEU_FIELDS)}"]
        return unknown(sel.values, SEU_CATEGORIES[sel.field], f"values of {sel.field}")

    def population() -> list[str]:
        bad_ages = sel.ages is not None and not 0 <= sel.ages[0] <= sel.ages[1]
        return (
            ([f"population: bad ages {sel.ages}"] if bad_ages else [])
            + unknown([sel.sex] if sel.sex else [], {"m", "w", "d"}, "sex")
            + unknown([sel.citizenship] if sel.citizenship else [], {"deutsch", "nichtdeutsch"}, "citizenship")
        )

    checks = {
        "sgb2": lambda: unknown(sel.measures, SGB2_COLUMNS.values(), "measures") + needs(sel.measures, "measures"),
        "unemployment": lambda: (
            unknown(sel.measures, ALO_COLUMNS.values(), "measures") + needs(sel.measures, "measures")
        ),
        "kita": lambda: (
            unknown(sel.age_groups, AGE_GROUPS.values(), "age_groups")
            + unknown(sel.kinds, {"kita", "tagespflege"}, "kinds")
        ),
        "seu": seu,
        "transitions": lambda: unknown(sel.school_types, SCHOOL_TYPES, "school_types"),
        "hze": lambda: unknown(sel.bases, BASES, "bases") + needs(sel.bases, "bases"),
        "welcome_visits": lambda: unknown([sel.field], {"births", "visits"}, "field"),
        "services": lambda: unknown([sel.phase], PHASES, "phase"),
        "population": population,
        "hze_eur": lambda: [],
    }
    return checks.get(sel.source, list)()


def validate_against_sources(catalogue: Catalogue, config: Config) -> None:
    """Every selection must name columns and categories the processed sources have."""
    problems = [
        f"{ind.id}.{role}: {p}"
        for ind in catalogue.indicators
        for role, sel in (("numerator", ind.numerator), ("denominator", ind.denominator))
        for p in selection_problems(sel, config)
    ]
    missing = sorted({s for ind in catalogue.indicators for s in ind.raw_sources()} - set(config.sources))
    problems += [f"source {m!r} is used by the catalogue but not configured" for m in missing]
    if problems:
        raise ConfigError("indicator catalogue does not fit the sources:\n" + "\n".join(f"  - {p}" for p in problems))
