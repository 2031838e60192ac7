"""Population key figures per year and area, from the processed single-year register table."""

from __future__ import annotations

import pandas as pd

from helpers.core.config import Config

#: Age groups of the key-figure table: column -> (first age, last age), inclusive.
AGE_GROUPS = {
    "persons_u6": (0, 5),
    "persons_u18": (0, 17),
    "persons_u21": (0, 20),
    "persons_65plus": (65, 200),
}

#: Shares (in %) derived from the counts: share column -> (numerator, denominator).
SHARES = {
    "share_u18_pct": ("persons_u18", "persons"),
    "share_65plus_pct": ("persons_65plus", "persons"),
    "share_non_german_pct": ("persons_non_german", "persons"),
    "share_non_german_u18_pct": ("persons_non_german_u18", "persons_u18"),
}


def _counts(single: pd.DataFrame) -> pd.DataFrame:
    """Per year and Stadtteil: totals, age groups, non-German residents."""
    frame = single.assign(
        persons_non_german=single["persons"].where(single["citizenship"] == "nichtdeutsch", 0),
    )
    for col, (lo, hi) in AGE_GROUPS.items():
        frame[col] = frame["persons"].where(frame["age"].between(lo, hi), 0)
    frame["persons_non_german_u18"] = frame["persons_non_german"].where(frame["age"] < 18, 0)
    cols = ["persons", *AGE_GROUPS, "persons_non_german", "persons_non_german_u18"]
    return frame.groupby(["year", "stadtteil_code"], as_index=False)[cols].sum()


def population_summary(single: pd.DataFrame, config: Config) -> pd.DataFrame:
    """Key population figures per year for every Stadtteil, Stadtbezirk and the city.

    Columns: year, area_level, area_code, area_name, persons, persons_u6, persons_u18,
    persons_u21, persons_65plus, persons_non_german, persons_non_german_u18, the shares in
    :data:`SHARES` and ``change_pct`` (change of ``persons`` from the previous year, in %).
    """
    st = _counts(single)
    st["stadtbezirk_code"] = st["stadtteil_code"].map({s.code: s.stadtbezirk for s in config.stadtteile})
    value_cols = [c for c in st.columns if c.startswith("persons")]
    bezirk = st.groupby(["year", "stadtbezirk_code"], as_index=False)[value_cols].sum()
    city = st.groupby("year", as_index=False)[value_cols].sum()
    parts = [
        st.assign(area_level="stadtteil", area_code=st["stadtteil_code"]),
        bezirk.assign(area_level="stadtbezirk", area_code=bezirk["stadtbezirk_code"]),
        city.assign(area_level="stadt", area_code=config.commune.ags),
    ]
    names = {s.code: s.name for s in config.stadtteile} | {b.code: b.name for b in config.stadtbezirke}
    names[config.commune.ags] = config.commune.name
    out = pd.concat(parts, ignore_index=True)[["year", "area_level", "area_code", *value_cols]]
    out.insert(3, "area_name", out["area_code"].map(names))
    for share, (num, den) in SHARES.items():
        out[share] = 100.0 * out[num] / out[den]
    out = out.sort_values(["area_level", "area_code", "year"], key=_level_order)
    out["change_pct"] = out.groupby(["area_level", "area_code"])["persons"].pct_change() * 100.0
    return out.sort_values(["year", "area_level", "area_code"], key=_level_order).reset_index(drop=True)


def _level_order(col: pd.Series) -> pd.Series:
    if col.name == "area_level":
        return col.map({"stadtteil": 0, "stadtbezirk": 1, "stadt": 2})
    return col
