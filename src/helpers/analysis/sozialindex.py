"""Socio-spatial index in the manner of Berlin's Monitoring Soziale Stadtentwicklung (MSS).

For a year Y and the configured status indicators (shares where higher means more
disadvantage, e.g. SGB-II quota of under-15s, unemployment):

1. each indicator is z-standardised across the Stadtteile (mean and population standard
   deviation, ddof = 0); the status index is the mean of these z-values;
2. the dynamics index does the same with the change in percentage points over the
   configured number of years (MSS: two years);
3. both indices are standardised again across the Stadtteile and classified with the
   configured cut-offs (in standard deviations): status 1 hoch, 2 mittel, 3 niedrig,
   4 sehr niedrig; dynamics 1 positiv, 2 stabil, 3 negativ (12 combined groups).

A Stadtteil whose value for any index indicator is not published gets no class.
Outcome indicators are refused (``validate_index_indicators``): an index of need built
from outcomes would make "prevention success" circular (domain.md §2).
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from helpers.indicators.catalogue import Catalogue

STATUS_CLASSES = ("hoch", "mittel", "niedrig", "sehr niedrig")
DYNAMICS_CLASSES = ("positiv", "stabil", "negativ")


def validate_index_indicators(ids: list[str], catalogue: Catalogue) -> None:
    """Raise ``ValueError`` unless every id is a status or context share in the catalogue."""
    problems = []
    for ind_id in ids:
        try:
            ind = catalogue.get(ind_id)
        except KeyError:
            problems.append(f"{ind_id}: not in the indicator catalogue")
            continue
        if ind.kind not in ("status", "context"):
            problems.append(f"{ind_id}: kind '{ind.kind}' may not enter the index (only status/context)")
        if ind.unit != "pct":
            problems.append(f"{ind_id}: unit '{ind.unit}', the index uses shares in %")
    if problems:
        raise ValueError("invalid social-index indicators:\n  - " + "\n  - ".join(problems))


def zscores(frame: pd.DataFrame) -> pd.DataFrame:
    """Column-wise z-standardisation with the population standard deviation (ddof = 0)."""
    sd = frame.std(ddof=0).replace(0, np.nan)
    return (frame - frame.mean()) / sd


def classify(z: pd.Series, cuts: tuple[float, ...], labels: tuple[str, ...]) -> pd.Series:
    """Class label per value: ``labels[k]`` for cuts[k-1] < z ≤ cuts[k] (first: z < cuts[0])."""
    edges = [-np.inf, *cuts, np.inf]
    out = pd.cut(z, bins=edges, labels=list(labels), right=True)
    return out.astype(object).where(z.notna(), None)


def wide_values(published: pd.DataFrame, ids: list[str], year: int, signs: dict[str, int]) -> pd.DataFrame:
    """Stadtteil × indicator values of one year (published values; NaN where suppressed)."""
    sel = published[
        (published["area_level"] == "stadtteil") & (published["year"] == year) & published["indicator_id"].isin(ids)
    ]
    wide = sel.pivot(index="area_code", columns="indicator_id", values="value").reindex(columns=ids)
    return wide * pd.Series(signs)


def social_index(
    published: pd.DataFrame,
    catalogue: Catalogue,
    ids: list[str],
    year: int,
    dynamics_years: int,
    status_cuts: tuple[float, float, float],
    dynamics_cuts: tuple[float, float],
) -> pd.DataFrame:
    """Status and dynamics index with classes for every Stadtteil in ``year``."""
    validate_index_indicators(ids, catalogue)
    signs = {i: (-1 if catalogue.get(i).direction == "higher_better" else 1) for i in ids}
    now = wide_values(published, ids, year, signs)
    before = wide_values(published, ids, year - dynamics_years, signs).reindex(now.index)
    complete = now.notna().all(axis=1)
    status_raw = zscores(now[complete]).mean(axis=1).reindex(now.index)
    change = (now - before)[complete & before.notna().all(axis=1)]
    dynamics_raw = zscores(change).mean(axis=1).reindex(now.index) if len(change) > 2 else pd.Series(np.nan, now.index)
    status_z = (status_raw - status_raw.mean()) / status_raw.std(ddof=0)
    dyn_z = (dynamics_raw - dynamics_raw.mean()) / dynamics_raw.std(ddof=0)
    out = pd.DataFrame(
        {
            "year": year,
            "area_code": now.index,
            "status_index": status_raw.to_numpy(),
            "status_z": status_z.to_numpy(),
            "dynamics_index": dynamics_raw.to_numpy(),
            "dynamics_z": dyn_z.to_numpy(),
        }
    )
    out["status_class"] = classify(out["status_z"], status_cuts, STATUS_CLASSES).to_numpy()
    out["dynamics_class"] = classify(out["dynamics_z"], dynamics_cuts, DYNAMICS_CLASSES).to_numpy()
    out["group"] = [
        f"{s}/{d}" if isinstance(s, str) and isinstance(d, str) else None
        for s, d in zip(out["status_class"], out["dynamics_class"], strict=True)
    ]
    return out.sort_values("area_code").reset_index(drop=True)


def class_stability(history: pd.DataFrame, year: int) -> pd.DataFrame:
    """Per Stadtteil: years with a status class up to ``year``, share of them in the current
    class, and the number of class changes (a small share or many changes = unstable class)."""
    rows = []
    for code, part in history[history["year"] <= year].groupby("area_code"):
        part = part.sort_values("year").dropna(subset=["status_class"])
        if part.empty:
            rows.append({"area_code": code, "years_classified": 0, "share_current": np.nan, "changes": 0})
            continue
        current = part["status_class"].iloc[-1]
        classes = part["status_class"].tolist()
        rows.append(
            {
                "area_code": code,
                "years_classified": len(classes),
                "share_current": sum(c == current for c in classes) / len(classes),
                "changes": sum(a != b for a, b in itertools.pairwise(classes)),
            }
        )
    return pd.DataFrame(rows, columns=["area_code", "years_classified", "share_current", "changes"])


def stability_label(share_current: float, changes: int) -> str:
    """German wording for the stability of a class."""
    if np.isnan(share_current):
        return "keine Einstufung"
    if share_current >= 0.8 and changes <= 1:
        return "stabil"
    if share_current >= 0.5:
        return "überwiegend stabil"
    return "wechselnd"
