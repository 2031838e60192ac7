"""Need versus supply along the Präventionskette, per Stadtteil and life phase.

Need: the phase's SGB-II quota (the Stadtteil's share of children of that age living on
basic income support), z-standardised across the Stadtteile, beside the status class of the
social index.

Supply: the places (capacity) of the prevention services active in the year for that phase,
per 1,000 residents of the phase's ages. A service serves its *catchment*:

* the Stadtteile configured for it (``analysis.service_catchments``: name → codes, ``["*"]`` =
  the whole city);
* otherwise its own Stadtteil; a service without a Stadtteil serves the whole city.

A service serving one Stadtteil counts fully there (``places``); the places of a service
serving several Stadtteile are distributed over them in proportion to the phase's residents
(``places_allocated``), so city-wide and multi-area services count for every area they serve
instead of for none. ``places_per_1000`` uses both.

Flags (:func:`supply_flag`), per Stadtteil × phase:

* ``high_need_no_supply`` "hoher Bedarf, kein Angebot": need z ≥ ``need_cut`` and no place at
  all (neither its own nor a share of a multi-area service) - the strongest flag;
* ``high_need_low_coverage`` "hoher Bedarf, geringe Abdeckung": need z ≥ ``need_cut`` and places
  per 1,000 below the phase's reference (:func:`coverage_reference`): the median of the
  Stadtteile, or, where that median is 0 (most Stadtteile without places), the city-wide
  coverage (all places per 1,000 residents of the phase's ages).

What could not be checked is kept as ``check_code`` (:data:`CHECK_CODES`): a phase without a
need indicator, a phase whose ages the population register cannot form, a Stadtteil whose need
value is not published. The pages say so instead of an all-clear.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

FLAG_LABEL = "hoher Bedarf, geringe Abdeckung"
FLAG_CODE = "high_need_low_coverage"
NO_SUPPLY_LABEL = "hoher Bedarf, kein Angebot"
NO_SUPPLY_CODE = "high_need_no_supply"
FLAG_LABELS = {NO_SUPPLY_CODE: NO_SUPPLY_LABEL, FLAG_CODE: FLAG_LABEL, "": ""}

#: Why a Stadtteil × phase was not checked ("" = checked).
CHECK_CODES = {
    "": "geprüft",
    "no_need_indicator": "kein Bedarfsindikator",  # the phase's need indicator has no published Stadtteil value
    "no_ages": "Altersgruppen fehlen",  # the register's age bands cannot form the phase's ages
    "need_secret": "Bedarf nicht veröffentlicht",  # this Stadtteil's need value is secret or missing
    "no_spread": "Bedarf in allen Stadtteilen gleich",  # no z-score without spread
    "no_residents": "keine Einwohner der Altersgruppe",
}
#: Relative tolerance below the reference: equal coverages (a city-wide service spread by
#: residents gives every Stadtteil the same value) must not differ by rounding.
TOLERANCE = 1e-9


def coverage_reference(per_1000: pd.Series, places_total: pd.Series, persons: pd.Series) -> float:
    """The coverage below which a Stadtteil's coverage counts as low, for one phase.

    The median of the Stadtteile' places per 1,000 if it is above 0; else (most Stadtteile have
    no place) the city-wide coverage, 1,000 × all places / all residents of the phase's ages.
    0 only where the phase has no place anywhere.

    >>> per, places = pd.Series([0.0, 0.0, 0.0, 326.6]), pd.Series([0, 0, 0, 600])
    >>> round(coverage_reference(per, places, pd.Series([1525, 575, 1389, 1837])), 1)  # 1,000 × 600 / 5,326
    112.7
    >>> coverage_reference(pd.Series([100.0, 200.0, 0.0]), pd.Series([50, 100, 0]), pd.Series([500, 500, 500]))
    100.0
    """
    median = float(per_1000.median()) if per_1000.notna().any() else float("nan")
    if median > 0:
        return median
    total = float(persons[per_1000.notna()].sum())
    return 1000 * float(places_total[per_1000.notna()].sum()) / total if total > 0 else float("nan")


def supply_flag(need_z: float, need_cut: float, places_total: float, per_1000: float, reference: float) -> str:
    """The flag code of one Stadtteil × phase (see the module docstring).

    High need is ``need_z >= need_cut``. With high need: no place at all gives
    ``high_need_no_supply``; places per 1,000 below ``reference`` (by more than rounding) give
    ``high_need_low_coverage``; otherwise, and without high need or without a value, no flag ("").

    >>> supply_flag(1.1, 0.5, 0, 0.0, 47.0), supply_flag(1.1, 0.5, 10, 20.0, 47.0)
    ('high_need_no_supply', 'high_need_low_coverage')
    >>> supply_flag(1.1, 0.5, 30, 60.0, 47.0), supply_flag(0.2, 0.5, 0, 0.0, 47.0)
    ('', '')
    >>> supply_flag(float("nan"), 0.5, 0, 0.0, 47.0)
    ''

    """
    if pd.isna(need_z) or pd.isna(per_1000) or need_z < need_cut:
        return ""
    if places_total <= 0:
        return NO_SUPPLY_CODE
    if not pd.isna(reference) and per_1000 < reference * (1 - TOLERANCE):
        return FLAG_CODE
    return ""


def active_services(services: pd.DataFrame, year: int) -> pd.DataFrame:
    """Services running in ``year`` (start ≤ year ≤ end, open end allowed)."""
    end = services["end"].fillna(9999).astype(int)
    return services[(services["start"].astype(int) <= year) & (end >= year)]


def catchment(name: str, code: str, codes: list[str], catchments: dict[str, list[str]]) -> tuple[str, ...]:
    """Stadtteil codes a service serves (see module docstring)."""
    configured = catchments.get(name)
    if configured:
        return tuple(codes) if "*" in configured else tuple(c for c in configured if c in codes)
    code = "" if code in ("", "nan", "None") else code
    return (code,) if code else tuple(codes)


def service_rows(
    services: pd.DataFrame, year: int, phases: list[str], codes: list[str], catchments: dict[str, list[str]]
) -> pd.DataFrame:
    """One row per active service × phase: name, phase, places, served (tuple of codes)."""
    rows = []
    for s in active_services(services, year).itertuples(index=False):
        served = catchment(str(s.name), str(s.stadtteil_code or ""), codes, catchments)
        for phase in str(s.phases).split(" | "):
            if phase in phases and served:
                rows.append((str(s.name), phase, int(s.capacity), served))
    return pd.DataFrame(rows, columns=["name", "phase", "places", "served"])


def allocate_places(rows: pd.DataFrame, population: pd.DataFrame) -> pd.DataFrame:
    """Places per Stadtteil × phase: own (single-area services) and allocated (multi-area, by residents).

    population: area_code, phase, persons. Returns area_code, phase, places, places_allocated, services.
    """
    persons = population.set_index(["area_code", "phase"])["persons"].astype(float)
    out = []
    for r in rows.itertuples(index=False):
        if len(r.served) == 1:
            out.append((r.served[0], r.phase, float(r.places), 0.0, 1))
            continue
        weights = np.array([persons.get((c, r.phase), 0.0) for c in r.served])
        weights = weights / weights.sum() if weights.sum() > 0 else np.full(len(r.served), 1 / len(r.served))
        out += [(c, r.phase, 0.0, r.places * w, 0) for c, w in zip(r.served, weights, strict=True)]
    frame = pd.DataFrame(out, columns=["area_code", "phase", "places", "places_allocated", "services"])
    return frame.groupby(["area_code", "phase"], as_index=False)[["places", "places_allocated", "services"]].sum()


def places_by_phase(services: pd.DataFrame, year: int, phases: list[str]) -> pd.DataFrame:
    """Capacity per Stadtteil code × phase of the services active in ``year`` ('' = city-wide)."""
    act = active_services(services, year)
    rows = []
    for _, s in act.iterrows():
        for phase in str(s["phases"]).split(" | "):
            if phase in phases:
                rows.append((str(s["stadtteil_code"] or ""), phase, int(s["capacity"]), 1))
    frame = pd.DataFrame(rows, columns=["area_code", "phase", "places", "services"])
    return frame.groupby(["area_code", "phase"], as_index=False)[["places", "services"]].sum()


def need_supply(
    need: pd.DataFrame,
    places: pd.DataFrame,
    population: pd.DataFrame,
    need_cut: float,
) -> pd.DataFrame:
    """Combine need and supply per Stadtteil × phase and flag high need with no or low coverage.

    need:       area_code, phase, need_value (phase SGB-II quota in %; NaN where not published),
                one row per Stadtteil × phase [, check_code: set for a phase left out before]
    places:     area_code, phase, places, services [, places_allocated] (see ``allocate_places``)
    population: area_code, phase, persons (residents of the phase's ages)
    """
    out = need.merge(population, on=["area_code", "phase"], how="left", validate="1:1")
    out = out.merge(places, on=["area_code", "phase"], how="left", validate="1:1")
    if "places_allocated" not in out:
        out["places_allocated"] = 0.0
    out[["places", "services"]] = out[["places", "services"]].fillna(0).astype(int)
    out["places_allocated"] = out["places_allocated"].fillna(0.0)
    out["places_total"] = out["places"] + out["places_allocated"]
    out["places_per_1000"] = np.where(out["persons"] > 0, 1000 * out["places_total"] / out["persons"], np.nan)
    grouped = out.groupby("phase")
    sd = grouped["need_value"].transform(lambda v: v.std(ddof=0))
    out["need_z"] = (out["need_value"] - grouped["need_value"].transform("mean")) / sd.replace(0, np.nan)
    out["coverage_median"] = grouped["places_per_1000"].transform("median")
    reference = {
        phase: coverage_reference(p["places_per_1000"], p["places_total"], p["persons"]) for phase, p in grouped
    }
    out["coverage_reference"] = out["phase"].map(reference).astype(float)
    out["high_need"] = out["need_z"] >= need_cut
    out["low_coverage"] = out["places_per_1000"] < out["coverage_reference"] * (1 - TOLERANCE)
    out["flag_code"] = [
        supply_flag(z, need_cut, t, c, r)
        for z, t, c, r in zip(
            out["need_z"], out["places_total"], out["places_per_1000"], out["coverage_reference"], strict=True
        )
    ]
    out["flag"] = out["flag_code"].map(FLAG_LABELS)
    out["check_code"] = check_codes(out)
    return out.sort_values(["phase", "area_code"]).reset_index(drop=True)


def check_codes(out: pd.DataFrame) -> pd.Series:
    """Why a row was not checked (:data:`CHECK_CODES`): a phase without any published need value,
    a Stadtteil without its need value, a Stadtteil without residents of the phase's ages."""
    any_need = out.groupby("phase")["need_value"].transform(lambda v: v.notna().any()).astype(bool)
    codes = np.select(
        [~any_need, out["need_value"].isna(), out["need_z"].isna(), out["places_per_1000"].isna()],
        ["no_need_indicator", "need_secret", "no_spread", "no_residents"],
        "",
    )
    if "check_code" in out:  # set by the caller (a phase left out before the merge)
        codes = np.where(out["check_code"].fillna("") != "", out["check_code"].fillna(""), codes)
    return pd.Series(codes, index=out.index, dtype=object)
