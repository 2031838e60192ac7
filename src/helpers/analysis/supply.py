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

Flag "hoher Bedarf, geringe Abdeckung" (code ``high_need_low_coverage``): need z ≥ ``need_cut``
and places per 1,000 below the median of the Stadtteile for that phase. Never when that median
is 0 (no reference: a phase without local supply anywhere is a city-wide question, not an
area's deficit).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

FLAG_LABEL = "hoher Bedarf, geringe Abdeckung"
FLAG_CODE = "high_need_low_coverage"


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
    """Combine need and supply per Stadtteil × phase and flag high need with low coverage.

    need:       area_code, phase, need_value (phase SGB-II quota in %)
    places:     area_code, phase, places, services [, places_allocated] (see ``allocate_places``)
    population: area_code, phase, persons (residents of the phase's ages)
    """
    out = need.merge(population, on=["area_code", "phase"], how="left")
    out = out.merge(places, on=["area_code", "phase"], how="left")
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
    out["high_need"] = out["need_z"] >= need_cut
    out["low_coverage"] = (out["coverage_median"] > 0) & (out["places_per_1000"] < out["coverage_median"])
    flagged = out["high_need"] & out["low_coverage"]
    out["flag_code"] = np.where(flagged, FLAG_CODE, "")
    out["flag"] = np.where(flagged, FLAG_LABEL, "")
    return out.sort_values(["phase", "area_code"]).reset_index(drop=True)
