"""Trends per indicator and area: GLM with a linear year term, AR(1)-robust errors, FDR, verdict.

Model by unit (all on the published values only, so a trend can never reveal a suppressed
count; pooled values are left out because they overlap in time):

* shares (``pct``): binomial GLM, logit link, Pearson dispersion φ = χ²/(n − 2);
* rates per 1,000/10,000: Poisson GLM with log(denominator) as offset, same dispersion;
* money per person (``eur``): Gaussian GLM on the log value.

Years are not independent: a Stadtteil that is above its trend this year tends to be above
it next year (persistent local conditions). The Pearson residuals e = M·u (M the weighted
residual maker of the fit) are modelled as Var(u) = c·I + s²·R(ρ): independent sampling noise
(c = 1 for binomial/Poisson counts, 0 for eur) plus a persistent AR(1) component with
R_ij = ρ^|i−j|. s² and ρ are moment estimates that use the exact expectations under the
detrending M (the raw lag-1 autocorrelation of a 16-year detrended series is biased towards
0 by about 0.3), ρ clipped to [0, 0.95]. Then

    Var(β̂) = [B X̃ᵀ(c·I + s²R)X̃ B]₁₁,  X̃ = W^½X,  B = (X̃ᵀX̃)⁻¹,

and the t test uses Satterthwaite degrees of freedom for the estimated s² (≤ n − 2). With
ρ = 0 this is the quasi-likelihood covariance with Pearson dispersion φ = 1 + s² = χ²/(n − 2)
(reported in ``dispersion``) when that exceeds 1; it never claims less variation than the
binomial/Poisson model (s² ≥ 0).

The annual change is given relative to the level (% per year: exp(β) − 1, for shares the
odds change) and in the indicator's unit at the mean level (for shares p̄(1 − p̄)·β·100
percentage points). There is deliberately no Mann–Kendall test beside it: it assumes
independent years (in the simulation of benchmarks/simulate_social.py an independence-based
trend test raised 26 % false alarms instead of 5 %), and a variance correction for serial
correlation (Hamed & Rao 1998) must estimate the autocorrelation of 5–16 ranks, which is too
noisy to restore the level; a second, differently calibrated verdict would only invite picking
the convenient one.

The AR(1) coefficient ρ of the persistent part is common to all series of an indicator
(pooled over its over-dispersed series, Stadtteile and city, ``ar1_parameters``); each series
keeps its own s².

Verdict and interval agree by construction: over the m tested series of a report year the
Benjamini–Hochberg procedure at level q selects R; every series gets the
Benjamini–Yekutieli false-coverage-rate interval at level 1 − max(R, 1)·q/m (``ci_low`` …),
so "rising"/"falling" ⇔ that interval excludes 0. The unadjusted 95 % interval is kept in
``ci95_low``/``ci95_high``.

Only years with data enter a series: suppressed, pooled or missing values are dropped, and
so are structural zeros (years in which the source did not exist: city-wide numerator 0; for
service indicators the years before a Stadtteil's first non-zero count). A series needs
``min_years`` usable years, else verdict code ``too_short``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import optimize, stats
from statsmodels.stats.multitest import multipletests
from statsmodels.tools.sm_exceptions import PerfectSeparationWarning

from helpers.indicators.catalogue import Catalogue

#: German verdict labels (column ``verdict``, used by the display) and internal codes.
RISING, FALLING, NO_TREND, TOO_SHORT = "steigend", "fallend", "kein klarer Trend", "zu kurze Zeitreihe"
VERDICT_CODES = {RISING: "rising", FALLING: "falling", NO_TREND: "no_trend", TOO_SHORT: "too_short"}
ASSESSMENT_CODES = {"günstig": "favourable", "ungünstig": "unfavourable", "": ""}
MAX_RHO = 0.95


@dataclass(frozen=True)
class TrendFit:
    """Result of one trend model (intervals: unadjusted, level 1 − alpha)."""

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
    se: float = float("nan")  # AR(1)-robust standard error of β
    df: float = 0.0  # t degrees of freedom (Satterthwaite, ≤ n − 2)
    rho: float = 0.0  # AR(1) coefficient of the persistent extra variation
    ar_var: float = 0.0  # its variance s² (Pearson scale; counts: on top of the sampling variance 1)
    to_unit: float = float("nan")  # factor β → change per year in the indicator's unit


@dataclass(frozen=True)
class GlmStage:
    """First stage of a trend fit: the GLM and what the AR(1) step needs."""

    beta: float
    xw: np.ndarray  # W^½X at the fit
    resid: np.ndarray  # Pearson residuals
    m: np.ndarray  # weighted residual maker I − H
    dispersion: float  # Pearson χ²/(n − 2)
    to_unit: float
    noise: float  # known sampling variance on the Pearson scale: 1 (counts) or 0 (eur)


def ar1_matrix(n: int, rho: float) -> np.ndarray:
    """AR(1) correlation matrix R_ij = ρ^|i−j|."""
    idx = np.arange(n)
    return rho ** np.abs(idx[:, None] - idx[None, :])


def lag_matrix(n: int) -> np.ndarray:
    """Symmetrised lag-1 matrix A with eᵀAe = Σ e_t e_{t−1}."""
    lag = np.eye(n, k=1)
    return (lag + lag.T) / 2


def expected_lag1(rho: float, n: int) -> float:
    """E[ρ̂] (ratio of expectations) of the lag-1 autocorrelation of residuals after a linear trend.

    tr(MAMR)/tr(MR) for AR(1) errors with coefficient ρ, M the residual maker of [1, t]: the
    small-sample bias that ``ar1_parameters`` removes (n = 16, ρ = 0.7: E[ρ̂] ≈ 0.38).
    """
    x = sm.add_constant(np.arange(n, dtype=float))
    m = np.eye(n) - x @ np.linalg.pinv(x)
    r = ar1_matrix(n, rho)
    return float(np.trace(m @ lag_matrix(n) @ m @ r) / np.trace(m @ r))


def _glm(years: np.ndarray, num: np.ndarray, den: np.ndarray, unit: str) -> tuple[sm.GLM, float]:
    """The unit's GLM and the factor from β to the change per year in the indicator's unit."""
    x = sm.add_constant(years - years.mean())
    level = float(num.sum() / den.sum())
    if unit == "pct":
        return sm.GLM(num / den, x, family=sm.families.Binomial(), var_weights=den), 100.0 * level * (1.0 - level)
    if unit == "eur":
        return sm.GLM(np.log(num / den), x, family=sm.families.Gaussian()), level
    scale = {"per_1000": 1_000.0, "per_10000": 10_000.0}[unit]
    return sm.GLM(num, x, family=sm.families.Poisson(), offset=np.log(den)), level * scale


def _working_weights(mu: np.ndarray, den: np.ndarray, unit: str) -> np.ndarray:
    """IRLS weights at the fit: nμ(1 − μ) (binomial, logit), μ (Poisson, log), 1 (Gaussian)."""
    if unit == "pct":
        return den * mu * (1 - mu)
    if unit == "eur":
        return np.ones_like(mu)
    return mu


def glm_stage(years: np.ndarray, numerator: np.ndarray, denominator: np.ndarray, unit: str) -> GlmStage:
    """Fit the unit's GLM with a centred linear year term (no inference yet)."""
    years, num, den = (np.asarray(v, float) for v in (years, numerator, denominator))
    model, to_unit = _glm(years, num, den, unit)
    with warnings.catch_warnings():
        # a constant series (e.g. 3 births every year) is fitted exactly: a flat trend, not an error
        warnings.simplefilter("ignore", PerfectSeparationWarning)
        res = model.fit()
    w = _working_weights(np.asarray(res.fittedvalues, float), den, unit)
    xw = model.exog * np.sqrt(w)[:, None]
    m = np.eye(len(years)) - xw @ np.linalg.pinv(xw)
    resid = np.asarray(res.resid_pearson, float)
    if unit == "eur":  # Gaussian: residuals in units of the log value, no known sampling part
        return GlmStage(float(res.params[1]), xw, resid, m, float(res.pearson_chi2 / (len(years) - 2)), to_unit, 0.0)
    return GlmStage(float(res.params[1]), xw, resid, m, float(res.pearson_chi2 / (len(years) - 2)), to_unit, 1.0)


def _excess_variance(stage: GlmStage, r: np.ndarray) -> float:
    """Method-of-moments s² from E[eᵀe] = c·tr(M) + s²·tr(MR) (c = known sampling variance), ≥ 0."""
    m = stage.m
    return max((float(stage.resid @ stage.resid) - stage.noise * np.trace(m)) / float(np.trace(m @ r)), 0.0)


def _lag1_gap(stages: list[GlmStage], rho: float) -> float:
    """Σ (expected − observed) lag-1 products at ρ, each series scaled by its eᵀe (increasing in ρ)."""
    gap = 0.0
    for st in stages:
        n = len(st.resid)
        r, a = ar1_matrix(n, rho), lag_matrix(n)
        mam = st.m @ a @ st.m
        expected = st.noise * np.trace(mam) + _excess_variance(st, r) * np.trace(mam @ r)
        total = float(st.resid @ st.resid)
        gap += (expected - float(st.resid @ a @ st.resid)) / total if total > 0 else 0.0
    return gap


def ar1_parameters(stages: list[GlmStage]) -> float:
    """Common AR(1) coefficient ρ ∈ [0, 0.95] of the persistent extra variation of several series.

    Pearson residuals e = M·u with Var(u) = c·I + s²·R(ρ): independent sampling noise (c = 1 for
    binomial/Poisson counts, 0 for eur) plus a persistent AR(1) component. ρ solves
    Σ E[eᵀAe]/eᵀe = Σ eᵀAe/eᵀe with each series' s² from E[eᵀe] = eᵀe (ratio of expectations, exact for the
    detrending M, so the strong small-sample bias of the raw lag-1 autocorrelation is removed).
    Pooled over the Stadtteile of an indicator, ρ is estimable from short series. Series without
    excess variance (eᵀe ≤ c·tr(M)) say nothing about ρ and are left out; none left → ρ = 0.
    """
    # only over-dispersed series (eᵀe > c·tr(M)) carry information on the persistent component
    stages = [s for s in stages if len(s.resid) >= 5 and float(s.resid @ s.resid) > s.noise * np.trace(s.m)]
    if not stages or _lag1_gap(stages, 0.0) >= 0:
        return 0.0
    if _lag1_gap(stages, MAX_RHO) <= 0:
        return MAX_RHO
    return float(optimize.brentq(lambda r: _lag1_gap(stages, r), 0.0, MAX_RHO, xtol=1e-4))


def slope_variance(stage: GlmStage, rho: float, reference: GlmStage | None = None) -> tuple[float, float, float]:
    """Var(β̂) = a + b·s² on the Pearson scale, with its Satterthwaite degrees of freedom.

    a = c·[B X̃ᵀX̃ B]₁₁ (known sampling part), b = [B X̃ᵀR(ρ)X̃ B]₁₁ (persistent part, s² estimated),
    B = (X̃ᵀX̃)⁻¹. The estimated s² carries few effective degrees of freedom when the residuals are
    autocorrelated: Var(ŝ²) = 2·tr((MV)²)/tr(MR)² with V = c·I + s²R, so the t quantile uses
    df = (a + b s²)²·tr(MR)² / (b²·tr((MV)²)), capped at n − 2 (also at s² = 0: an estimate of 0
    is uncertain too). ``reference``: a longer series of the same area (e.g. all years, when
    ``stage`` is a short window) from which s², tr(MR), tr((MV)²) and the df cap are taken.
    Returns (variance, df, s²).
    """
    ref = stage if reference is None else reference
    n_ref = len(ref.resid)
    r_ref = ar1_matrix(n_ref, rho)
    s2 = _excess_variance(ref, r_ref)
    r = ar1_matrix(len(stage.resid), rho)
    bread = np.linalg.inv(stage.xw.T @ stage.xw)
    a = stage.noise * float((bread @ stage.xw.T @ stage.xw @ bread)[1, 1])
    b = float((bread @ stage.xw.T @ r @ stage.xw @ bread)[1, 1])
    var = a + b * s2
    if b <= 0 or var <= 0:
        return var, float(n_ref - 2), s2
    mv = ref.m @ (ref.noise * np.eye(n_ref) + s2 * r_ref)
    df = var**2 * float(np.trace(ref.m @ r_ref)) ** 2 / (b**2 * float(np.trace(mv @ mv)))
    return var, float(min(max(df, 1.0), n_ref - 2)), s2


def finish_trend(stage: GlmStage, rho: float, alpha: float = 0.05, reference: GlmStage | None = None) -> TrendFit:
    """t-based inference for the slope of a first stage, given the AR(1) coefficient (see ``slope_variance``)."""
    n = len(stage.resid)
    var, df, s2 = slope_variance(stage, rho, reference)
    beta, se = stage.beta, float(np.sqrt(var))
    p_value = float(2 * stats.t.sf(abs(beta / se), df)) if se > 0 else 0.0
    low, high = t_interval(beta, se, df, 1 - alpha)
    return TrendFit(
        n_years=n,
        slope=beta,
        ci_low=low,
        ci_high=high,
        p_value=p_value,
        dispersion=stage.dispersion if stage.noise > 0 else float("nan"),
        rel_change_pct=100 * np.expm1(beta),
        rel_ci_low=100 * np.expm1(low),
        rel_ci_high=100 * np.expm1(high),
        unit_change=stage.to_unit * beta,
        unit_ci_low=stage.to_unit * low,
        unit_ci_high=stage.to_unit * high,
        se=se,
        df=df,
        rho=rho,
        ar_var=s2,
        to_unit=stage.to_unit,
    )


def fit_trend(
    years: np.ndarray,
    numerator: np.ndarray,
    denominator: np.ndarray,
    unit: str,
    alpha: float = 0.05,
    rho: float | None = None,
) -> TrendFit:
    """GLM trend with AR(1)-robust, t-based inference for one series.

    ``rho``: the AR(1) coefficient (e.g. pooled over the Stadtteile of an indicator with
    ``ar1_parameters``); None estimates it from this series alone.
    """
    stage = glm_stage(years, numerator, denominator, unit)
    return finish_trend(stage, ar1_parameters([stage]) if rho is None else rho, alpha)


def t_interval(estimate: float, se: float, df: float, level: float) -> tuple[float, float]:
    """Two-sided t interval at ``level``."""
    half = float(stats.t.ppf(0.5 + level / 2, df)) * se
    return estimate - half, estimate + half


def fcr_level(n_selected: int, n_tested: int, alpha: float) -> float:
    """Benjamini–Yekutieli FCR interval level 1 − max(R, 1)·q/m (R selected of m by BH at q)."""
    return 1.0 - max(n_selected, 1) * alpha / max(n_tested, 1)


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


def usable_series(published: pd.DataFrame, year: int, kinds: dict[str, str] | None = None) -> pd.DataFrame:
    """Published yearly values up to ``year`` that a trend may use.

    Drops suppressed, pooled and missing values and structural zeros (``drop_structural_zeros``;
    ``kinds`` maps indicator id → catalogue kind, needed for the service rule).
    """
    ok = (
        (published["year"] <= year)
        & published["value"].notna()
        & published["numerator"].notna()
        & published["denominator"].gt(0)
        & published["pooled_from"].isna()
    )
    return drop_structural_zeros(published[ok], kinds or {})


def drop_structural_zeros(data: pd.DataFrame, kinds: dict[str, str]) -> pd.DataFrame:
    """Drop years in which an indicator's source did not exist (a 0 there is "no data", not 0 %).

    * a year whose city-wide numerator is 0 (the source delivered nothing that year) is dropped
      for every area of that indicator;
    * for service indicators (kind ``service``, e.g. Willkommensbesuche) the years before an
      area's first non-zero numerator are dropped (the service did not yet exist there).
    """
    keys = ["indicator_id", "area_level", "area_code"]
    city = data[data["area_level"] == "stadt"]
    dead = city.loc[city["numerator"].eq(0), ["indicator_id", "year"]].drop_duplicates().assign(dead=True)
    flagged = data[["indicator_id", "year"]].merge(dead, on=["indicator_id", "year"], how="left")["dead"]
    data = data[~flagged.fillna(False).astype(bool).to_numpy()]
    first = data[data["numerator"] > 0].groupby(keys)["year"].min().rename("first_nonzero")
    merged = data.join(first, on=keys)
    service = merged["indicator_id"].map(kinds).eq("service")
    before = merged["first_nonzero"].isna() | (merged["year"] < merged["first_nonzero"])
    return data[~(service & before)]


def fittable(numerator: pd.Series, denominator: pd.Series, unit: str) -> bool:
    """Whether a series can carry a trend model: counts not all 0, shares not all 0 % or all 100 %,
    money all positive (log scale). Such boundary series (e.g. constant small counts of a register)
    get "no trend test" instead of a model that cannot be estimated."""
    if unit == "eur":
        return bool((numerator > 0).all())
    if unit == "pct":
        return bool(numerator.sum() > 0 and (numerator < denominator).any())
    return bool(numerator.sum() > 0)


def _stage_or_none(series: pd.DataFrame, unit: str) -> GlmStage | None:
    try:
        return glm_stage(series["year"], series["numerator"], series["denominator"], unit)
    except (ValueError, np.linalg.LinAlgError):  # a degenerate series the check above did not catch
        return None


def _indicator_rows(unit: str, part: pd.DataFrame, min_years: int, alpha: float) -> list[dict]:
    """Rows of one indicator: AR(1) coefficient pooled over its testable series, then per-series inference."""
    bases, stages = [], []
    for (level, code), series in part.groupby(["area_level", "area_code"], sort=True):
        series = series.sort_values("year")
        base = {
            "area_level": level,
            "area_code": code,
            "area_name": series["area_name"].iloc[0],
            "first_year": int(series["year"].min()),
            "last_year": int(series["year"].max()),
            "n_years": len(series),
        }
        testable = len(series) >= min_years and fittable(series["numerator"], series["denominator"], unit)
        stage = _stage_or_none(series, unit) if testable else None
        bases.append((base, series, stage))
        stages += [stage] if stage is not None else []
    rho = ar1_parameters(stages)
    rows = []
    for base, _series, stage in bases:
        if stage is None:
            rows.append(base)
            continue
        rows.append(base | finish_trend(stage, rho, alpha).__dict__)
    return rows


def trend_table(
    published: pd.DataFrame,
    catalogue: Catalogue,
    year: int,
    levels: tuple[str, ...] = ("stadtteil", "stadt"),
    min_years: int = 5,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """One row per indicator × area: GLM trend, BH-adjusted q-value, verdict.

    Series with fewer than ``min_years`` usable years get no test (verdict "zu kurze
    Zeitreihe", code ``too_short``). Service capacities (not about persons, no sampling model)
    are left out. ``ci_*``, ``rel_ci_*`` and ``unit_ci_*`` are the FCR-adjusted intervals at
    level ``ci_level`` (see module docstring); ``ci95_*`` the unadjusted 95 % intervals.
    """
    kinds = {i.id: i.kind for i in catalogue.indicators}
    data = usable_series(published, year, kinds)
    data = data[data["area_level"].isin(levels)]
    rows = []
    for ind in catalogue.indicators:
        if ind.numerator.source == "services":
            continue
        part = data[data["indicator_id"] == ind.id]
        rows += [{"indicator_id": ind.id} | r for r in _indicator_rows(ind.unit, part, min_years, alpha)]
    out = _with_fdr(pd.DataFrame(rows), alpha)
    directions = {i.id: i.direction for i in catalogue.indicators}
    out["verdict"] = [verdict(q, s, alpha) for q, s in zip(out["q_value"], out["slope"], strict=True)]
    out["verdict_code"] = out["verdict"].map(VERDICT_CODES)
    out["assessment"] = [assessment(v, directions[i]) for v, i in zip(out["verdict"], out["indicator_id"], strict=True)]
    out["assessment_code"] = out["assessment"].map(ASSESSMENT_CODES)
    out.insert(0, "report_year", year)
    return out.sort_values(["indicator_id", "area_level", "area_code"]).reset_index(drop=True)


FIT_COLUMNS = ("slope", "ci_low", "ci_high", "p_value", "dispersion", "unit_change", "se", "df")


def _with_fdr(out: pd.DataFrame, alpha: float) -> pd.DataFrame:
    """BH q-values over the tested series and the matching FCR-adjusted intervals."""
    for col in (*FIT_COLUMNS, "rho", "to_unit", "rel_ci_low", "rel_ci_high", "unit_ci_low", "unit_ci_high"):
        if col not in out:
            out[col] = np.nan
    tested = out["p_value"].notna()
    out["q_value"] = np.nan
    if tested.any():
        out.loc[tested, "q_value"] = multipletests(out.loc[tested, "p_value"], alpha=alpha, method="fdr_bh")[1]
    level = fcr_level(int((out["q_value"] < alpha).sum()), int(tested.sum()), alpha)
    out["ci_level"] = np.where(tested, level, np.nan)
    for name in ("ci", "rel_ci", "unit_ci"):
        out[f"{name}95_low"], out[f"{name}95_high"] = out[f"{name}_low"], out[f"{name}_high"]
    half = stats.t.ppf(0.5 + level / 2, out["df"].where(tested, 1)) * out["se"]
    out["ci_low"], out["ci_high"] = out["slope"] - half, out["slope"] + half
    out["rel_ci_low"], out["rel_ci_high"] = 100 * np.expm1(out["ci_low"]), 100 * np.expm1(out["ci_high"])
    out["unit_ci_low"], out["unit_ci_high"] = out["to_unit"] * out["ci_low"], out["to_unit"] * out["ci_high"]
    return out
