"""Need versus supply along the Präventionskette, per Stadtteil and life phase.

Need: the phase's SGB-II quota (the Stadtteil's share of children of that age living on
basic income support), z-standardised across the Stadtteile, beside the status class of the
social index. Supply: the places (capacity) of the prevention services active in the year
and located in the Stadtteil for that phase, per 1,000 residents of the phase's ages.
City-wide services (no Stadtteil) reach every Stadtteil equally and are listed apart.

Flag "hoher Bedarf, geringe Abdeckung": need z ≥ ``need_cut`` and places per 1,000 below the
median of the Stadtteile for that phase (no service at all counts as below).
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def active_services(services: pd.DataFrame, year: int) -> pd.DataFrame:
    """Services running in ``year`` (start ≤ year ≤ end, open end allowed)."""
    end = services["end"].fillna(9999).astype(int)
    return services[(services["start"].astype(int) <= year) & (end >= year)]


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
    places:     area_code, phase, places, services (Stadtteil services only)
    population: area_code, phase, persons (residents of the phase's ages)
    """
    out = need.merge(population, on=["area_code", "phase"], how="left")
    out = out.merge(places, on=["area_code", "phase"], how="left")
    out[["places", "services"]] = out[["places", "services"]].fillna(0).astype(int)
    out["places_per_1000"] = np.where(out["persons"] > 0, 1000 * out["places"] / out["persons"], np.nan)
    grouped = out.groupby("phase")
    sd = grouped["need_value"].transform(lambda v: v.std(ddof=0))
    out["need_z"] = (out["need_value"] - grouped["need_value"].transform("mean")) / sd.replace(0, np.nan)
    median = grouped["places_per_1000"].transform("median")
    out["high_need"] = out["need_z"] >= need_cut
    out["low_coverage"] = (out["places_per_1000"] < median) | (out["places"] == 0)
    out["flag"] = np.where(out["high_need"] & out["low_coverage"], "hoher Bedarf, geringe Abdeckung", "")
    return out.sort_values(["phase", "area_code"]).reset_index(drop=True)
