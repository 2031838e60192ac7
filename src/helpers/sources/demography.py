"""Population key figures per year and area, from the processed register table.

A figure the export cannot give is missing (NaN), never 0: an age group that cuts through one of
the export's age bands, and the non-German counts when the export has no citizenship column.
Without Stadtbezirke, the level ``stadtbezirk`` is not produced.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.core.ages import ages_mask
from helpers.core.config import Config
from helpers.core.schema import TOTAL_CATEGORY

#: Age groups of the key-figure table: column -> (first age, last age), inclusive.
AGE_GROUPS = {
    "persons_u6": (0, 5),
    "persons_u18": (0, 17),
    "persons_u21": (0, 20),
    "persons_65plus": (65, 200),
}

#: The youth age limit of the key figures ("unter 18"), where the register can form it.
YOUTH_LIMIT = 18


def youth_limit(single: pd.DataFrame) -> int | None:
    """The first age no longer counted as young in ``persons_u18``/``share_u18_pct``: 18 where the
    register's ages can form "under 18", else the band start nearest to 18 (ties: the lower), so no
    page assumes a cut the register cannot form. None when no band starts above 0.

    >>> bands = pd.DataFrame({"age": [0, 10, 20, 60], "age_last": [9, 19, 59, 120]})
    >>> youth_limit(bands), youth_limit(pd.DataFrame({"age": [0, 1], "age_last": [0, 1]}))
    (20, 18)
    """
    if _age_mask(single, 0, YOUTH_LIMIT - 1) is not None:
        return YOUTH_LIMIT
    starts = sorted({int(a) for a in single["age"]} - {0})
    return min(starts, key=lambda a: (abs(a - YOUTH_LIMIT), a)) if starts else None


#: Shares (in %) derived from the counts: share column -> (numerator, denominator).
SHARES = {
    "share_u18_pct": ("persons_u18", "persons"),
    "share_65plus_pct": ("persons_65plus", "persons"),
    "share_non_german_pct": ("persons_non_german", "persons"),
    "share_non_german_u18_pct": ("persons_non_german_u18", "persons_u18"),
}


def known(single: pd.DataFrame, column: str) -> bool:
    """False when the export had no such column (only the category "insgesamt").

    >>> known(pd.DataFrame({"sex": ["insgesamt"]}), "sex"), known(pd.DataFrame({"sex": ["m", "w"]}), "sex")
    (False, True)
    """
    return set(single[column]) != {TOTAL_CATEGORY}


def _age_mask(frame: pd.DataFrame, lo: int, hi: int) -> pd.Series | None:
    """Rows with ages lo..hi, or None when the export's age bands cannot form them."""
    try:
        return ages_mask(frame, lo, hi)
    except ValueError:
        return None


def _counts(single: pd.DataFrame) -> pd.DataFrame:
    """Per year and Stadtteil: totals, age groups, non-German residents (NaN where not available)."""
    frame = single.assign(
        persons_non_german=single["persons"].where(single["citizenship"] == "nichtdeutsch", 0),
    )
    missing = [] if known(single, "citizenship") else ["persons_non_german", "persons_non_german_u18"]
    limit = youth_limit(single)
    groups = {**AGE_GROUPS, "persons_u18": (0, (limit or YOUTH_LIMIT) - 1)}
    for col, (lo, hi) in groups.items():
        mask = _age_mask(frame, lo, hi) if col != "persons_u18" or limit is not None else None
        frame[col] = frame["persons"].where(mask, 0) if mask is not None else 0
        missing += [] if mask is not None else [col]
    u18 = _age_mask(frame, 0, 17)
    frame["persons_non_german_u18"] = frame["persons_non_german"].where(u18, 0) if u18 is not None else 0
    missing += [] if u18 is not None else ["persons_non_german_u18"]
    cols = ["persons", *AGE_GROUPS, "persons_non_german", "persons_non_german_u18"]
    out = frame.groupby(["year", "stadtteil_code"], as_index=False)[cols].sum()
    for col in dict.fromkeys(missing):
        out[col] = np.nan
    out.attrs["youth_limit"] = limit
    return out


def population_summary(single: pd.DataFrame, config: Config) -> pd.DataFrame:
    """Key population figures per year for every Stadtteil, Stadtbezirk and the city.

    Columns: year, area_level, area_code, area_name, persons, persons_u6, persons_u18,
    persons_u21, persons_65plus, persons_non_german, persons_non_german_u18, the shares in
    :data:`SHARES`, ``youth_limit`` (``persons_u18`` counts the residents under this age: 18, or
    the nearest band start of a register in coarse bands, see :func:`youth_limit`) and
    ``change_pct`` (change of ``persons`` from the previous year, in %).
    """
    st = _counts(single)
    st["stadtbezirk_code"] = st["stadtteil_code"].map({s.code: s.stadtbezirk for s in config.stadtteile})
    value_cols = [c for c in st.columns if c.startswith("persons")]
    city = st.groupby("year", as_index=False)[value_cols].sum(min_count=1)
    parts = [st.assign(area_level="stadtteil", area_code=st["stadtteil_code"])]
    if config.has_stadtbezirke:
        bezirk = st.groupby(["year", "stadtbezirk_code"], as_index=False)[value_cols].sum(min_count=1)
        parts.append(bezirk.assign(area_level="stadtbezirk", area_code=bezirk["stadtbezirk_code"]))
    parts.append(city.assign(area_level="stadt", area_code=config.commune.ags))
    names = {("stadtteil", s.code): s.name for s in config.stadtteile}
    names |= {("stadtbezirk", b.code): b.name for b in config.stadtbezirke}
    names[("stadt", config.commune.ags)] = config.commune.name
    out = pd.concat(parts, ignore_index=True)[["year", "area_level", "area_code", *value_cols]]
    # keyed by level and code: a Stadtbezirk may share its code with a Stadtteil ("1")
    out.insert(3, "area_name", [names.get(k) for k in zip(out["area_level"], out["area_code"], strict=True)])
    for share, (num, den) in SHARES.items():
        out[share] = 100.0 * out[num] / out[den]
    # the youth limit of persons_u18 / share_u18_pct (18, or the register's nearest band start)
    out["youth_limit"] = st.attrs.get("youth_limit") or YOUTH_LIMIT
    out = out.sort_values(["area_level", "area_code", "year"], key=_level_order)
    out["change_pct"] = out.groupby(["area_level", "area_code"])["persons"].pct_change() * 100.0
    return out.sort_values(["year", "area_level", "area_code"], key=_level_order).reset_index(drop=True)


def _level_order(col: pd.Series) -> pd.Series:
    if col.name == "area_level":
        return col.map({"stadtteil": 0, "stadtbezirk": 1, "stadt": 2})
    return col
