"""Trends per indicator and area: GLM with a linear year term, Mann–Kendall, FDR, verdict.

Model by unit (all on the published values only, so a trend can never reveal a suppressed
count; pooled values are left out because they overlap in time):

* shares (``pct``): binomial GLM, logit link, quasi-likelihood scale (Pearson χ²/df);
* rates per 1,000/10,000: Poisson GLM with log(denominator) as offset, same scale;
* money per person (``eur``): Gaussian GLM on the log value.

The estimated dispersion φ is reported; with φ > 1 the standard errors are widened by √φ
(quasi-binomial/quasi-Poisson). The annual change is given relative to the level
(% per year: exp(β) − 1, for shares the odds change) and in the indicator's unit at the
mean level (for shares p̄(1 − p̄)·β·100 percentage points). Mann–Kendall with Sen's slope is
the non-parametric check. The verdict uses the GLM after Benjamini–Hochberg control of the
false discovery rate over all series of a report year.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pymannkendall as mk
import statsmodels.api as sm
from statsmodels.stats.multitest import multipletests

from helpers.indicators.catalogue import Catalogue

RISING, FALLING, NO_TREND, TOO_SHORT = "steigend", "fallend", "kein klarer Trend", "zu kurze Zeitreihe"


@dataclass(frozen=True)
class TrendFit:
    """Result of one trend model."""

    n_years: int
    slope: float  # β per year on the link scale
    ci_low: float
    ci_high: float
    p_value: float
    dispersion: float
    rel_change_pct: float  # exp(β) − 1, in %
    rel_ci_low: float
    rel_ci_high: float
    unit_change: float  # change per year in the indicator's unit at the mean level
    unit_ci_low: float
    unit_ci_high: float


def fit_trend(years: np.ndarray, numerator: np.ndarray, denominator: np.ndarray, unit: str) -> TrendFit:
    """Fit the unit's GLM with a centred linear year term (see module docstring)."""
    years = np.asarray(years, float)
    num = np.asarray(numerator, float)
    den = np.asarray(denominator, float)
    x = sm.add_constant(years - years.mean())
    if unit == "pct":
        share = num / den
        model = sm.GLM(share, x, family=sm.families.Binomial(), var_weights=den)
        level = float(num.sum() / den.sum())
        to_unit = 100.0 * level * (1.0 - level)
    elif unit == "eur":
        model = sm.GLM(np.log(num / den), x, family=sm.families.Gaussian())
        level = float(num.sum() / den.sum())
        to_unit = level
    else:
        scale = {"per_1000": 1_000.0, "per_10000": 10_000.0}[unit]
        model = sm.GLM(num, x, family=sm.families.Poisson(), offset=np.log(den))
        level = float(num.sum() / den.sum())
        to_unit = level * scale
    res = model.fit(scale="X2") if unit != "eur" else model.fit()
    dispersion = float(res.scale) if unit != "eur" else float("nan")
    if unit != "eur" and dispersion < 1.0:
        # never claim less variation than the binomial/Poisson model itself
        res = model.fit(scale=1.0)
    beta = float(res.params[1])
    low, high = (float(v) for v in res.conf_int()[1])
    p_value = float(res.pvalues[1])
    return TrendFit(
        n_years=len(years),
        slope=beta,
        ci_low=low,
        ci_high=high,
        p_value=p_value,
        dispersion=dispersion,
        rel_change_pct=100 * np.expm1(beta),
        rel_ci_low=100 * np.expm1(low),
        rel_ci_high=100 * np.expm1(high),
        unit_change=to_unit * beta,
        unit_ci_low=to_unit * low,
        unit_ci_high=to_unit * high,
    )


def mann_kendall(values: np.ndarray) -> tuple[float, float]:
    """Mann–Kendall p-value and Sen's slope (per year) of an annual series."""
    result = mk.original_test(np.asarray(values, float))
    return float(result.p), float(result.slope)


def verdict(q_value: float, slope: float, alpha: float) -> str:
    """German verdict: a direction only where the FDR-adjusted test is significant."""
    if np.isnan(q_value):
        return TOO_SHORT
    if q_value >= alpha:
        return NO_TREND
    return RISING if slope > 0 else FALLING


def assessment(trend: str, direction: str) -> str:
    """'günstig' / 'ungünstig' for a significant trend, given the indicator's good direction."""
    if trend not in (RISING, FALLING) or direction == "neutral":
        return ""
    good = (trend == RISING) == (direction == "higher_better")
    return "günstig" if good else "ungünstig"


def usable_series(published: pd.DataFrame, year: int) -> pd.DataFrame:
    """Published yearly values up to ``year`` that a trend may use (no suppressed or pooled)."""
    ok = (
        (published["year"] <= year)
        & published["value"].notna()
        & published["numerator"].notna()
        & published["denominator"].gt(0)
        & published["pooled_from"].isna()
    )
    return published[ok]


def trend_table(
    published: pd.DataFrame,
    catalogue: Catalogue,
    year: int,
    levels: tuple[str, ...] = ("stadtteil", "stadt"),
    min_years: int = 5,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """One row per indicator × area: GLM trend, Mann–Kendall, BH-adjusted q-value, verdict.

    Series with fewer than ``min_years`` usable years get no test (verdict "zu kurze
    Zeitreihe"). Service capacities (not about persons, no sampling model) are left out.
    """
    data = usable_series(published[published["area_level"].isin(levels)], year)
    rows = []
    for ind in catalogue.indicators:
        if ind.numerator.source == "services":
            continue
        part = data[data["indicator_id"] == ind.id]
        for (level, code), series in part.groupby(["area_level", "area_code"], sort=True):
            series = series.sort_values("year")
            base = {
                "indicator_id": ind.id,
                "area_level": level,
                "area_code": code,
                "area_name": series["area_name"].iloc[0],
                "first_year": int(series["year"].min()),
                "last_year": int(series["year"].max()),
                "n_years": len(series),
            }
            if len(series) < min_years or (ind.unit != "eur" and series["numerator"].sum() == 0):
                rows.append(base)
                continue
            fit = fit_trend(series["year"], series["numerator"], series["denominator"], ind.unit)
            mk_p, sen = mann_kendall(series["value"].to_numpy())
            rows.append(base | fit.__dict__ | {"mk_p": mk_p, "sen_slope": sen})
    out = pd.DataFrame(rows)
    for col in ("slope", "ci_low", "ci_high", "p_value", "dispersion", "unit_change", "mk_p", "sen_slope"):
        if col not in out:
            out[col] = np.nan
    tested = out["p_value"].notna()
    out["q_value"] = np.nan
    if tested.any():
        out.loc[tested, "q_value"] = multipletests(out.loc[tested, "p_value"], alpha=alpha, method="fdr_bh")[1]
    directions = {i.id: i.direction for i in catalogue.indicators}
    out["verdict"] = [verdict(q, s, alpha) for q, s in zip(out["q_value"], out["slope"], strict=True)]
    out["mk_agrees"] = [
        _mk_agrees(v, p, s, alpha) for v, p, s in zip(out["verdict"], out["mk_p"], out["sen_slope"], strict=True)
    ]
    out["assessment"] = [assessment(v, directions[i]) for v, i in zip(out["verdict"], out["indicator_id"], strict=True)]
    out.insert(0, "report_year", year)
    return out.sort_values(["indicator_id", "area_level", "area_code"]).reset_index(drop=True)


def _mk_agrees(trend: str, mk_p: float, sen: float, alpha: float) -> str:
    if trend == TOO_SHORT or np.isnan(mk_p):
        return ""
    if trend == NO_TREND:
        return "ja" if mk_p >= alpha else "nein"
    same_sign = (sen > 0) == (trend == RISING)
    return "ja" if mk_p < alpha and same_sign else "nein"
