"""Socio-spatial index in the manner of Berlin's Monitoring Soziale Stadtentwicklung (MSS).

For a year Y and the configured status indicators (shares where higher means more
disadvantage, e.g. SGB-II quota of under-15s, unemployment):

1. Status: each indicator is z-standardised across the *classifiable* Stadtteile (mean and
   population standard deviation, ddof = 0, of their reliable single-year values); the status
   index is the mean of these z-values, standardised again and classified with the configured
   cut-offs (in SD): 1 hoch, 2 mittel, 3 niedrig, 4 sehr niedrig. A positive index means more
   social disadvantage than the mean of the Stadtteile.

   Gaps. One unreliable value must not decide a class, and one secret cell must not leave a
   large Stadtteil without one. Per Stadtteil and indicator the index uses

   a. the published single-year value of ``year`` if it is reliable (published, not "( )");
   b. otherwise the pooled share Σ numerators / Σ denominators over the years of the last
      ``POOL_YEARS`` (= 3) whose counts are *published* (a secret year is left out, "( )"
      years count), if the pooled denominator reaches ``min_denominator``;
   c. otherwise nothing: the index is the mean of the indicators the Stadtteil has, if it has
      at least ``required_indicators`` of them (half, at least two).

   Filled values (b.) do not enter the means and SDs of the standardisation, so they cannot
   shift other Stadtteile. Every input is a published cell or a sum of published cells, so the
   index and its class are functions of the published table alone and reveal nothing the
   confidentiality audit has not already cleared. A secret (unpublished) cell is never used:
   the index is a continuous function of its inputs, so a printed index value together with the
   other published cells would let anyone solve for the secret share to within a few persons,
   and the exact audit (linear sums of counts) cannot certify such a value.

   A Stadtteil is not classified (code ``not_classified`` with a reason) when it has fewer than
   ``min_population`` residents (Berlin MSS: 300) or fewer usable indicators than required
   (``too_few_indicators``).
2. Dynamics: classes come from the *actual change* with its uncertainty, not from ranks (a
   z-standardised change puts a third of the areas into "positiv"/"negativ" whatever happens).
   Per Stadtteil and index indicator the change (sign-adjusted: + = more disadvantage, in
   percentage points) is estimated either

   * ``trend`` (default): slope in pp per year over the last ``window`` years from the trend
     model of ``helpers.analysis.trends`` (binomial GLM; the persistent AR(1) variation is
     estimated from the Stadtteil's whole series, ρ pooled over the Stadtteile; t inference,
     normal when the window is shorter than that series, see ``window_df``), or
   * ``difference``: the MSS two-year difference p_Y − p_{Y−k} with its binomial standard error.

   The indicators' changes are averaged (over the indicators with an estimate, at least
   ``required_indicators`` of them); the standard error of the mean is bounded by the mean of
   the standard errors (conservative whatever the correlation between indicators).
   Benjamini–Hochberg over the Stadtteile (level ``alpha``) decides: a significant increase of
   disadvantage → ``negative`` ("negativ"), a significant decrease → ``positive`` ("positiv"),
   otherwise ``stable`` ("stabil").

3. Too few areas: z-values rank the Stadtteile against each other, and over a handful of
   areas they are nearly fixed by the ranking: n standardised values have Σz = 0 and Σz² = n,
   so no area can lie further than (n − 1)/√n SD from the mean. With n = 3 that is 1.15 SD
   (the middle area is always "mittel", none can be "sehr niedrig", and the cut-off at 1 SD
   decides by a hair). Rule: a commune with fewer than ``MIN_AREAS`` = 4 Stadtteile in a year
   (areas with a value row for the year, classifiable or not) gets **no status index** that
   year: every Stadtteil is ``not_classified``, without status value; the ones not excluded by
   1. get the reason ``too_few_areas`` (German text ``NOT_COMPUTED_TEXT``). From 4 areas on the
   index is standardised over the classifiable ones, as in 1. (with 4 areas the largest
   possible z is exactly 1.5, so "sehr niedrig" is still out of reach with the default cuts;
   every class is reachable from 5 areas on: pass ``min_areas=5`` for that stricter rule).
   The dynamics classes stay: they test each Stadtteil's own change, not its rank, and do not
   depend on the number of areas.

Outcome indicators are refused (``validate_index_indicators``): an index of need built from
outcomes would make "prevention success" circular (domain.md §2).
"""

from __future__ import annotations

import itertools
import math
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.multitest import multipletests

from helpers.analysis.trends import GlmStage, ar1_parameters, finish_trend, glm_stage
from helpers.indicators.catalogue import Catalogue

STATUS_CLASSES = ("hoch", "mittel", "niedrig", "sehr niedrig")
STATUS_CODES = dict(zip(STATUS_CLASSES, ("high", "medium", "low", "very_low"), strict=True))
DYNAMICS_CLASSES = ("positiv", "stabil", "negativ")
DYNAMICS_CODES = dict(zip(DYNAMICS_CLASSES, ("positive", "stable", "negative"), strict=True))
NOT_CLASSIFIED = "not_classified"
#: reasons for ``not_classified`` (codes; German labels in NOTES_16a.md and report/labels.py)
REASONS = ("population_below_min", "too_few_indicators", "too_few_areas")
#: years pooled for a gap (module docstring, 1. b.)
POOL_YEARS = 3
#: fewest index indicators a Stadtteil must have for a class (module docstring, 1. c.)
MIN_INDICATORS = 2
#: fewer Stadtteile than this: no status index in that year (module docstring, 3.)
MIN_AREAS = 4
TOO_FEW_AREAS = "too_few_areas"
NOT_COMPUTED_TEXT = (
    f"Sozialindex nicht berechnet: weniger als {MIN_AREAS} Stadtteile. "
    "Über so wenige Gebiete sagen Abweichungen vom Mittelwert (z-Werte) nichts aus."
)


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


def _wide(published: pd.DataFrame, ids: list[str], year: int, column: str) -> pd.DataFrame:
    sel = published[
        (published["area_level"] == "stadtteil") & (published["year"] == year) & published["indicator_id"].isin(ids)
    ]
    if column not in sel:
        sel = sel.assign(**{column: np.nan})
    return sel.pivot(index="area_code", columns="indicator_id", values=column).reindex(columns=ids)


def required_indicators(total: int) -> int:
    """Fewest usable index indicators for a class: half of them, at least two (all, if fewer).

    >>> [required_indicators(n) for n in (1, 2, 3, 4, 5, 6)]
    [1, 2, 2, 2, 3, 3]
    """
    return min(total, max(MIN_INDICATORS, math.ceil(total / 2)))


def _stadtteil_rows(published: pd.DataFrame, ids: list[str], first: int, last: int) -> pd.DataFrame:
    sel = published[
        (published["area_level"] == "stadtteil")
        & published["year"].between(first, last)
        & published["indicator_id"].isin(ids)
    ]
    return sel.assign(symbol=sel["symbol"].fillna("") if "symbol" in sel else "")


def reliable_values(published: pd.DataFrame, ids: list[str], year: int, min_denominator: int = 0) -> pd.DataFrame:
    """Stadtteil × indicator: the published single-year value of ``year`` where it is reliable
    (published, not marked "( )", denominator at least ``min_denominator``); NaN otherwise."""
    values = _wide(published, ids, year, "value")
    symbols = _wide(published, ids, year, "symbol").reindex(values.index).astype(object)
    den = _wide(published, ids, year, "denominator").reindex(values.index)
    unreliable = symbols.isin([".", "( )"]) | den.lt(min_denominator)
    return values.where(~unreliable)


def pooled_values(
    published: pd.DataFrame, ids: list[str], year: int, min_denominator: int, pool_years: int = POOL_YEARS
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Stadtteil × indicator: pooled share in % over the published years of the last
    ``pool_years`` (Σ numerators / Σ denominators; secret years and already pooled cells left
    out) where the pooled denominator reaches ``min_denominator``, and the years used ("2023,2025")."""
    rows = _stadtteil_rows(published, ids, year - pool_years + 1, year)
    pooled_cell = rows["pooled_from"].notna() if "pooled_from" in rows else False
    usable = rows[
        rows["value"].notna()
        & rows["numerator"].notna()
        & rows["denominator"].gt(0)
        & rows["symbol"].ne(".")
        & ~pooled_cell
    ]
    groups = usable.sort_values("year").groupby(["area_code", "indicator_id"])
    sums = groups[["numerator", "denominator"]].sum()
    years = groups["year"].agg(lambda y: ",".join(str(int(v)) for v in y))
    ok = sums["denominator"] >= max(min_denominator, 1)
    share = (100 * sums["numerator"] / sums["denominator"]).where(ok)
    index = _wide(published, ids, year, "value").index
    wide = share.unstack("indicator_id") if len(share) else pd.DataFrame(index=index)
    used = years.where(ok).unstack("indicator_id") if len(years) else pd.DataFrame(index=index)
    return (
        wide.reindex(index=index, columns=ids).astype(float),
        used.reindex(index=index, columns=ids).astype(object),
    )


def exclusion_reasons(usable: pd.DataFrame, population: pd.Series | None, min_population: int) -> pd.Series:
    """Per Stadtteil: why it gets no status class ('' = classifiable).

    ``usable``: Stadtteil × indicator, True where the index has a value (single year or pooled).
    Too few residents wins over too few indicators.
    """
    reasons = pd.Series("", index=usable.index, dtype=object)
    reasons[usable.sum(axis=1) < required_indicators(usable.shape[1])] = "too_few_indicators"
    if population is not None:
        pop = population.reindex(usable.index).fillna(0)
        reasons[pop < min_population] = "population_below_min"
    return reasons


def too_few_areas(codes: pd.Index, min_areas: int = MIN_AREAS) -> bool:
    """Are there fewer than ``min_areas`` Stadtteile (too few for a status index)?

    >>> too_few_areas(pd.Index(["A1", "A2", "A3", "A4"])), too_few_areas(pd.Index(["1", "2", "3"]))
    (False, True)
    """
    return len(codes) < min_areas


def status_index(
    now: pd.DataFrame, reasons: pd.Series, cuts: tuple[float, float, float], filled: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Status index (raw mean z and re-standardised) and class for the classifiable Stadtteile.

    ``now``: reliable single-year values (sign-adjusted), which alone set the mean and SD of each
    indicator; ``filled``: pooled values for the gaps of ``now`` (standardised with those means
    and SDs). The raw index is the mean over the indicators a Stadtteil has. ``reasons`` must
    already carry ``too_few_areas`` where the index is not computed (then nothing is classifiable
    and every value is NaN).
    """
    ok = reasons.eq("")
    if not ok.any():
        nothing = pd.Series(np.nan, index=now.index)
        code = pd.Series(NOT_CLASSIFIED, index=now.index, dtype=object)
        label = pd.Series([None] * len(now), index=now.index, dtype=object)
        return pd.DataFrame(
            {"status_index": nothing, "status_z": nothing, "status_class": label, "status_class_code": code}
        )
    reference = now[ok]
    sd = reference.std(ddof=0).replace(0, np.nan)
    values = now if filled is None else now.where(now.notna(), filled.reindex_like(now))
    raw = ((values - reference.mean()) / sd)[ok].mean(axis=1).reindex(now.index)
    z = (raw - raw.mean()) / raw.std(ddof=0)
    label = classify(z, cuts, STATUS_CLASSES)
    code = label.map(STATUS_CODES).where(ok & label.notna(), NOT_CLASSIFIED)
    return pd.DataFrame({"status_index": raw, "status_z": z, "status_class": label, "status_class_code": code})


def input_notes(single: pd.DataFrame, pooled_years: pd.DataFrame, usable: pd.DataFrame) -> pd.DataFrame:
    """Per Stadtteil: how many indicators the index has, which were pooled over which years
    ("id:2023,2025;…") and which are missing ("id;…")."""
    filled = usable & single.isna()
    return pd.DataFrame(
        {
            "indicators_used": usable.sum(axis=1).astype(int),
            "indicators_total": usable.shape[1],
            "pooled_inputs": [
                ";".join(f"{i}:{pooled_years.at[code, i]}" for i in usable.columns if filled.at[code, i])
                for code in usable.index
            ],
            "missing_inputs": [";".join(i for i in usable.columns if not usable.at[code, i]) for code in usable.index],
        },
        index=usable.index,
    )


def _published_share(published: pd.DataFrame, ids: list[str], year: int) -> pd.DataFrame:
    """numerator/denominator where the value is published (never a suppressed count)."""
    share = _wide(published, ids, year, "numerator") / _wide(published, ids, year, "denominator")
    return share.where(_wide(published, ids, year, "value").notna())


def difference_changes(
    published: pd.DataFrame, ids: list[str], year: int, years_back: int, signs: dict[str, int]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Sign-adjusted change in pp from ``year − years_back`` to ``year`` and its binomial SE (Stadtteil × indicator)."""
    p1 = _published_share(published, ids, year)
    p0 = _published_share(published, ids, year - years_back).reindex(p1.index)
    n1 = _wide(published, ids, year, "denominator")
    n0 = _wide(published, ids, year - years_back, "denominator").reindex(p1.index)
    change = 100 * (p1 - p0) * pd.Series(signs)
    se = 100 * np.sqrt(p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0)
    return change, se


def _stages(part: pd.DataFrame, min_len: int) -> dict[str, GlmStage]:
    """Binomial trend first stages per Stadtteil (series with ≥ ``min_len`` years and 0 < p < 1)."""
    return {
        code: glm_stage(g["year"], g["numerator"], g["denominator"], "pct")
        for code, g in part.groupby("area_code")
        if len(g) >= min_len and 0 < g["numerator"].sum() < g["denominator"].sum()
    }


def window_df(satterthwaite: float, window: GlmStage, reference: GlmStage | None) -> float:
    """Degrees of freedom of a window slope's t statistic: normal (∞) when ŝ² comes from a longer series.

    The window's own years are part of the reference series from which ŝ² is estimated, so a
    large error in the window also raises its standard error: the ratio is lighter-tailed than
    Satterthwaite's t, which assumes the two independent. In ``benchmarks/simulate_social.py``
    (K = 200, 16 years, AR(1) ρ = 0.7, window 5) the t(df) interval covered 99,0 % instead of
    95 %, the normal one 95,9 % (95,2 % with strong trends); over the whole series, where t(df)
    is right, it covers 96,2 %. Without a longer reference the window is its own series and
    keeps Satterthwaite's df.
    """
    if reference is not None and len(reference.resid) > len(window.resid):
        return float("inf")
    return satterthwaite


def trend_changes(
    published: pd.DataFrame, ids: list[str], year: int, window: int, signs: dict[str, int]
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Sign-adjusted trend slope in pp per year over the last ``window`` years, its SE and t df.

    Five years cannot tell persistent deviations from a trend, so the noise structure comes from
    each Stadtteil's whole series up to ``year``: the AR(1) coefficient pooled over the Stadtteile
    (``ar1_parameters``) and each Stadtteil's persistent variance s² with its degrees of freedom
    (``slope_variance`` with ``reference``); the slope itself uses the window only.
    """
    sel = published[
        (published["area_level"] == "stadtteil")
        & (published["year"] <= year)
        & published["indicator_id"].isin(ids)
        & published["value"].notna()
        & published["numerator"].notna()
        & published["denominator"].gt(0)
    ]
    change, se, df = ({} for _ in range(3))
    for ind in ids:
        part = sel[sel["indicator_id"] == ind]
        full = _stages(part, 5)
        window_stages = _stages(part[part["year"] > year - window], 3)
        rho = ar1_parameters(list(full.values()))
        fits = {code: finish_trend(st, rho, reference=full.get(code)) for code, st in window_stages.items()}
        change[ind] = {c: signs[ind] * f.unit_change for c, f in fits.items()}
        se[ind] = {c: f.se * f.to_unit for c, f in fits.items()}
        df[ind] = {c: window_df(f.df, window_stages[c], full.get(c)) for c, f in fits.items()}
    return pd.DataFrame(change).reindex(columns=ids), pd.DataFrame(se).reindex(columns=ids), pd.DataFrame(df)


def dynamics_classes(change: pd.DataFrame, se: pd.DataFrame, df: pd.DataFrame | None, alpha: float) -> pd.DataFrame:
    """Combined change per Stadtteil, its test and class (BH-controlled over the Stadtteile).

    Mean over the indicators with an estimate (at least ``required_indicators``); SE = mean of
    their SEs (an upper bound for any correlation); p from t with the smallest df of those
    indicators (``df`` None: normal).
    """
    valid = change.notna() & se.notna() & se.gt(0)
    complete = valid.sum(axis=1) >= required_indicators(change.shape[1])
    mean = change.where(valid).mean(axis=1).where(complete)
    sem = se.where(valid).mean(axis=1).where(complete)
    t = mean / sem
    if df is None:
        dfs = pd.Series(np.inf, index=t.index)
        p = pd.Series(2 * stats.norm.sf(t.abs()), index=t.index)
    else:
        dfs = df.reindex(index=t.index, columns=change.columns).where(valid).min(axis=1)
        p = pd.Series(2 * stats.t.sf(t.abs(), dfs), index=t.index)
    q = pd.Series(np.nan, index=t.index)
    if complete.any():
        q[complete] = multipletests(p[complete], alpha=alpha, method="fdr_bh")[1]
    code = np.select([q.lt(alpha) & t.gt(0), q.lt(alpha) & t.lt(0), complete], ["negative", "positive", "stable"], "")
    labels = {v: k for k, v in DYNAMICS_CODES.items()}
    return pd.DataFrame(
        {
            "dynamics_index": mean,
            "dynamics_se": sem,
            "dynamics_df": dfs.where(complete),
            "dynamics_z": t,
            "dynamics_p": p.where(complete),
            "dynamics_q": q,
            "dynamics_class_code": np.where(code == "", NOT_CLASSIFIED, code),
            "dynamics_class": [labels.get(c) for c in code],
        },
        index=change.index,
    )


def social_index(
    published: pd.DataFrame,
    catalogue: Catalogue,
    ids: list[str],
    year: int,
    dynamics_years: int,
    status_cuts: tuple[float, float, float],
    dynamics_cuts: tuple[float, float] | None = None,
    *,
    population: pd.Series | None = None,
    min_population: int = 300,
    min_denominator: int = 50,
    dynamics_method: Literal["trend", "difference"] = "trend",
    dynamics_window: int = 5,
    alpha: float = 0.05,
    min_areas: int = MIN_AREAS,
) -> pd.DataFrame:
    """Status and dynamics index with classes for every Stadtteil in ``year``.

    ``population``: residents per Stadtteil code in ``year`` (None: no minimum applied).
    ``min_denominator``: a pooled value for a gap needs at least this denominator
    (``thresholds.min_denominator``, the limit of "( )").
    ``dynamics_cuts`` is no longer used (classes come from tests, see module docstring).
    With fewer than ``min_areas`` Stadtteile no status index is computed
    (reason ``too_few_areas``, German text ``NOT_COMPUTED_TEXT``).
    """
    validate_index_indicators(ids, catalogue)
    signs = {i: (-1 if catalogue.get(i).direction == "higher_better" else 1) for i in ids}
    sign = pd.Series(signs)
    now = reliable_values(published, ids, year, min_denominator) * sign
    pooled, pooled_years = pooled_values(published, ids, year, min_denominator)
    filled = pooled.reindex_like(now) * sign
    usable = now.notna() | filled.notna()
    reasons = exclusion_reasons(usable, population, min_population)
    if too_few_areas(now.index, min_areas):
        reasons = reasons.where(reasons.ne(""), TOO_FEW_AREAS)
    status = status_index(now, reasons, status_cuts, filled)
    notes = input_notes(now, pooled_years.reindex_like(now), usable)
    if dynamics_method == "trend":
        change, se, df = trend_changes(published, ids, year, dynamics_window, signs)
    else:
        (change, se), df = difference_changes(published, ids, year, dynamics_years, signs), None
    dyn = dynamics_classes(change.reindex(now.index), se.reindex(now.index), df, alpha)
    out = pd.concat([status, dyn, notes], axis=1).rename_axis("area_code").reset_index()
    out.insert(0, "year", year)
    out["not_classified_reason"] = reasons.reindex(out["area_code"]).to_numpy()
    out["dynamics_method"] = dynamics_method
    out["group"] = [
        f"{s}/{d}" if isinstance(s, str) and isinstance(d, str) else None
        for s, d in zip(out["status_class"], out["dynamics_class"], strict=True)
    ]
    return out.sort_values("area_code").reset_index(drop=True)


def class_stability(history: pd.DataFrame, year: int) -> pd.DataFrame:
    """Per Stadtteil, over its years with a status class up to ``year``: how many there are
    (``years_classified``, from ``first_year``), how many had the class of the last one
    (``current_class``: ``years_current``, ``share_current``), the number of class changes, the
    year of the last change and the class before it (None without a change)."""
    columns = [
        "area_code", "years_classified", "current_class", "years_current", "share_current", "changes",
        "first_year", "last_change_year", "previous_class",
    ]  # fmt: skip
    rows = []
    for code, part in history[history["year"] <= year].groupby("area_code"):
        part = part.sort_values("year").dropna(subset=["status_class"])
        if part.empty:
            rows.append(dict(zip(columns, [code, 0, None, 0, np.nan, 0, None, None, None], strict=True)))
            continue
        classes = part["status_class"].tolist()
        years = [int(y) for y in part["year"]]
        current = classes[-1]
        switches = [i for i, (a, b) in enumerate(itertools.pairwise(classes), start=1) if a != b]
        same = sum(c == current for c in classes)
        rows.append(
            {
                "area_code": code,
                "years_classified": len(classes),
                "current_class": current,
                "years_current": same,
                "share_current": same / len(classes),
                "changes": len(switches),
                "first_year": years[0],
                "last_change_year": years[switches[-1]] if switches else None,
                "previous_class": classes[switches[-1] - 1] if switches else None,
            }
        )
    return pd.DataFrame(rows, columns=columns)


def stability_label(share_current: float, changes: int) -> str:
    """German wording for the stability of a class.

    >>> [stability_label(s, c) for s, c in ((0.9, 1), (1 / 14, 1), (0.6, 2), (0.2, 5))]
    ['stabil', 'einmal gewechselt', 'überwiegend stabil', 'wechselnd']
    """
    if np.isnan(share_current):
        return "keine Einstufung"
    if share_current >= 0.8 and changes <= 1:
        return "stabil"
    if changes == 1:
        return "einmal gewechselt"
    if share_current >= 0.5:
        return "überwiegend stabil"
    return "wechselnd"
