"""Trends per indicator and area: one definition of change for every page.

A reader asks: has it risen or fallen, by how much, over which years, and is that more than
chance? ``trend_table`` answers with one row per indicator × area × report year, computed only
from the published values (suppressed and pooled cells are left out, so a trend can never
reveal a protected count):

* **what**: the linear trend of the indicator over every usable year up to the report year
  (``first_year`` … ``last_year``, the years named on the pages), fitted on the link scale
  (shares: logit, rates and money: log) by generalised least squares;
* **how much**: ``change``, the change of the fitted line from the first to the last year in the
  indicator's unit (Pp. for shares), and ``unit_change`` = change / years, the same per year. Both
  are computed on the link scale and transformed, so no interval is wider than the scale allows;
* **more than chance?**: the covariance of the yearly values is sampling noise plus persistent
  local conditions (AR(1)), with dispersion, variance and persistence pooled over the Stadtteile
  of the indicator (``helpers.analysis.persistence``); the test is a t test on the pooled residual
  degrees of freedom;
* **multiple testing per question**: the family is one indicator in one report year (its
  Stadtteile and the city, "where does this indicator change?"). Benjamini–Hochberg at q selects
  R of m series; every series gets the Benjamini–Yekutieli interval at level 1 − max(R, 1)·q/m,
  so "rising"/"falling" ⇔ that interval excludes 0. The same series has the same verdict on every
  page, because every page reads this table.

Verdict codes: ``rising``, ``falling``, ``no_trend``; ``too_short`` (fewer than ``min_years``
usable years: "zu wenige Jahre für eine Aussage"); ``not_testable`` (a series at its bound, e.g.
always 0 or 100 %); ``uninformative`` (no direction and an interval of the change wider than ±10 Pp.
for a share or ±50 % of the level for a rate: "keine belastbare Aussage"). A direction whose interval
is that wide is given with the least change it guarantees only ("mindestens +20,4 Pp."), so no
interval a reader could not believe is ever printed.

Only years with data enter a series: suppressed, pooled or missing values are dropped, and so are
structural zeros (years in which the source did not exist: city-wide numerator 0; for service
indicators the years before a Stadtteil's first non-zero count).

The GLM stage with AR(1)-robust errors (``glm_stage``, ``ar1_parameters``, ``finish_trend``) is the
model of the social index's dynamics classes (``helpers.analysis.sozialindex``), a window slope
whose calibration is documented there.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
from numpy.typing import ArrayLike
from scipy import optimize, special, stats
from statsmodels.stats.multitest import multipletests
from statsmodels.tools.sm_exceptions import PerfectSeparationWarning

from helpers.analysis.persistence import (
    Noise,
    Series,
    city_noise,
    common_share,
    conservative_se,
    estimate_noise,
    gls_slope,
    link_series,
    slope_df,
)
from helpers.core.tables import records
from helpers.indicators.catalogue import Catalogue

#: German verdict labels (column ``verdict``, used by the display) and internal codes.
RISING, FALLING, NO_TREND, TOO_SHORT = "steigend", "fallend", "kein klarer Trend", "zu wenige Jahre für eine Aussage"
NOT_TESTABLE, UNINFORMATIVE = "kein Trendtest möglich", "keine belastbare Aussage"
VERDICT_CODES = {
    RISING: "rising",
    FALLING: "falling",
    NO_TREND: "no_trend",
    TOO_SHORT: "too_short",
    NOT_TESTABLE: "not_testable",
    UNINFORMATIVE: "uninformative",
}
VERDICT_LABELS = {code: label for label, code in VERDICT_CODES.items()}
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
        rel_change_pct=_pct_change(beta),
        rel_ci_low=_pct_change(low),
        rel_ci_high=_pct_change(high),
        unit_change=stage.to_unit * beta,
        unit_ci_low=stage.to_unit * low,
        unit_ci_high=stage.to_unit * high,
        se=se,
        df=df,
        rho=rho,
        ar_var=s2,
        to_unit=stage.to_unit,
    )


def _pct_change(beta: float) -> float:
    """exp(β) − 1 in %, without an overflow warning for the huge slopes of degenerate windows.

    >>> round(_pct_change(0.1), 4), _pct_change(1e6) > 1e100
    (10.5171, True)
    """
    with np.errstate(over="ignore"):
        return float(100 * np.expm1(min(beta, 700.0)))


def t_interval(estimate: float, se: float, df: float, level: float) -> tuple[float, float]:
    """Two-sided t interval at ``level``."""
    half = float(stats.t.ppf(0.5 + level / 2, df)) * se
    return estimate - half, estimate + half


def fcr_level(n_selected: int, n_tested: int, alpha: float) -> float:
    """Benjamini–Yekutieli FCR interval level 1 − max(R, 1)·q/m (R selected of m by BH at q)."""
    return 1.0 - max(n_selected, 1) * alpha / max(n_tested, 1)


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
    flagged = data[["indicator_id", "year"]].merge(dead, on=["indicator_id", "year"], how="left", validate="m:1")[
        "dead"
    ]
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


#: Largest half-width of the printed interval of a change (over the years named): shares ±10 Pp.,
#: rates and money ±50 % of their level. A wider interval says nothing a reader can believe: it is
#: replaced by words (see ``verdict_codes``).
MAX_HALF_WIDTH_PP = 10.0
MAX_HALF_WIDTH_REL = 0.5


def span_change(level: ArrayLike, beta: ArrayLike, span: ArrayLike, unit: str, scale: float) -> np.ndarray:
    """Change in the indicator's unit from the first to the last year of a fitted linear trend.

    ``level`` is the fitted link value at the centre year, ``beta`` the slope per year, ``span`` the
    number of years between first and last year (scalars or arrays). The change is monotone in
    ``beta`` and, for shares, lies in (−100, 100) Pp. whatever ``beta``: an interval of ``beta`` maps
    to an interval of the change that the scale allows.

    >>> round(float(span_change(0.0, 0.1, 10, "pct", 100)), 4)  # logit 0 ± 0.5: 37,75 % → 62,25 %
    24.4919
    >>> round(float(span_change(np.log(0.02), 0.0, 10, "per_10000", 10_000)), 4)
    0.0
    """
    up, down = level + beta * span / 2, level - beta * span / 2
    if unit == "pct":
        return scale * (special.expit(up) - special.expit(down))
    factor = 1.0 if unit == "eur" else scale
    with np.errstate(over="ignore"):
        return factor * (np.exp(up) - np.exp(down))


def in_prices_of(data: pd.DataFrame, catalogue: Catalogue, prices: pd.Series, year: int) -> pd.DataFrame:
    """Money indicators' numerators (and values) in prices of ``year``: × price(year) / price(data year).

    >>> d = pd.DataFrame({"indicator_id": ["e", "e"], "year": [2020, 2021], "numerator": [100.0, 100.0],
    ...                   "value": [10.0, 10.0]})
    >>> cat = Catalogue.model_construct(phases=[], indicators=[type("I", (), {"id": "e", "unit": "eur"})()])
    >>> in_prices_of(d, cat, pd.Series({2020: 1.0, 2021: 1.1}), 2021)["numerator"].round(2).tolist()
    [110.0, 100.0]
    """
    money = [i.id for i in catalogue.indicators if i.unit == "eur"]
    rows = data["indicator_id"].isin(money)
    if not rows.any():
        return data
    factor = float(prices.loc[year]) / data.loc[rows, "year"].map(prices).astype(float)
    data = data.copy()
    data.loc[rows, "numerator"] = data.loc[rows, "numerator"] * factor
    data.loc[rows, "value"] = data.loc[rows, "value"] * factor
    return data


def _series_noise(s: Series, model: Noise | None) -> Noise | None:
    """The noise model of one series: the Stadtteile's pooled one, or for the city the one derived from
    it (``city_noise``); a series without Stadtteile beside it estimates its own.

    The city is a weighted mean of its Stadtteile: of their persistent variance it keeps the part they
    share (``common_share``) and a Σw² fraction of the rest. Estimating the city's own σ² instead rests
    on n − 2 degrees of freedom: with 5 years, t with 3 df at the multiplicity-adjusted level gave
    Münster's city intervals of ±5,5 Pp. a year."""
    return model if model is not None else estimate_noise([s])


def _fit_row(s: Series, noise: Noise, unit: str, scale: float) -> dict:
    """Slope, test and the per-year change in the indicator's unit for one series (unadjusted)."""
    fit = gls_slope(s, noise)
    se = conservative_se(s, noise)
    span = float(s.years.max() - s.years.min())
    df = slope_df(s, noise)
    p_value = float(2 * stats.t.sf(abs(fit.beta / se), df)) if se > 0 else 0.0
    change = float(span_change(fit.level, fit.beta, span, unit, scale))
    return {
        "slope": fit.beta,
        "se": se,
        "df": df,
        "level": fit.level,
        "span": span,
        "p_value": p_value,
        "rho": noise.rho,
        "ar_var": noise.s2,
        "dispersion": noise.phi,
        "unit_change": change / span,
        "change": change,
    }


def _indicator_rows(unit: str, scale: float, part: pd.DataFrame, min_years: int) -> list[dict]:
    """Rows of one indicator: noise model pooled over its Stadtteile, then one GLS trend per series."""
    bases, series = [], {}
    for (level, code), one in part.groupby(["area_level", "area_code"], sort=True):
        one = one.sort_values("year")
        base = {
            "area_level": level,
            "area_code": code,
            "area_name": one["area_name"].iloc[0],
            "first_year": int(one["year"].min()),
            "last_year": int(one["year"].max()),
            "n_years": len(one),
            "status": "too_short" if len(one) < min_years else "tested",
        }
        if base["status"] == "tested" and not fittable(one["numerator"], one["denominator"], unit):
            base["status"] = "not_testable"
        if base["status"] == "tested":
            series[(level, code)] = link_series(one["year"], one["numerator"], one["denominator"], unit)
        bases.append(base)
    stadtteile = [s for (level, _), s in series.items() if level == "stadtteil"]
    pooled = estimate_noise(stadtteile) if stadtteile else None
    city = None
    if pooled is not None:
        weights = part[part["area_level"] == "stadtteil"].groupby("area_code")["denominator"].mean().to_numpy()
        city = city_noise(pooled, common_share(stadtteile, pooled), weights)
    rows = []
    for base in bases:
        key = (base["area_level"], base["area_code"])
        noise = _series_noise(series[key], pooled if key[0] == "stadtteil" else city) if key in series else None
        if noise is None:
            rows.append(base | ({"status": "too_short"} if key in series else {}))
            continue
        rows.append(base | _fit_row(series[key], noise, unit, scale))
    return rows


def trend_table(
    published: pd.DataFrame,
    catalogue: Catalogue,
    year: int,
    levels: tuple[str, ...] = ("stadtteil", "stadt"),
    min_years: int = 5,
    alpha: float = 0.05,
    prices: pd.Series | None = None,
) -> pd.DataFrame:
    """One row per indicator × area: GLS trend over all usable years, BH q-value per indicator, verdict.

    ``prices``: a price level per year (``helpers.analysis.hze.price_index``); money indicators (unit
    ``eur``) are then trended in prices of ``year`` (real terms, as the HzE page), else nominal.

    The family of the multiple-testing control is one indicator in one report year (its Stadtteile
    and the city): the question "where does this indicator change?". ``change`` is the change from
    ``first_year`` to ``last_year`` in the indicator's unit, ``unit_change`` the same per year;
    ``*_ci_*`` are the FCR-adjusted intervals (level ``ci_level``), ``*_ci95_*`` the unadjusted ones.
    Verdict codes: rising, falling, no_trend, too_short (fewer than ``min_years`` years),
    not_testable (a series at its bound, e.g. always 0), uninformative (no direction, and the interval
    would be wider than ``MAX_HALF_WIDTH_*``); ``precise`` False: the interval is that wide (a direction
    then comes with its guaranteed minimum only). Service capacities are left out.
    """
    kinds = {i.id: i.kind for i in catalogue.indicators}
    data = usable_series(published, year, kinds)
    data = data[data["area_level"].isin(levels)]
    if prices is not None:
        data = in_prices_of(data, catalogue, prices, year)
    frames = []
    for ind in catalogue.indicators:
        if ind.numerator.source == "services":
            continue
        part = data[data["indicator_id"] == ind.id]
        rows = _indicator_rows(ind.unit, ind.scale, part, min_years)
        if rows:
            frame = _with_fdr(pd.DataFrame(rows), alpha, ind.unit, ind.scale)
            frame["verdict_code"], frame["precise"] = verdict_codes(frame, alpha, ind.unit, ind.scale)
            frames.append(frame.assign(indicator_id=ind.id, direction=ind.direction))
    out = pd.concat(frames, ignore_index=True) if frames else _empty_trends()
    out["verdict"] = out["verdict_code"].map(VERDICT_LABELS)
    out["assessment"] = [assessment(v, d) for v, d in zip(out["verdict"], out["direction"], strict=True)]
    out["assessment_code"] = out["assessment"].map(ASSESSMENT_CODES)
    out.insert(0, "report_year", year)
    out = out.drop(columns=["direction", "status"])
    first = ["report_year", "indicator_id"]
    out = out[first + [c for c in out.columns if c not in first]]
    return out.sort_values(["indicator_id", "area_level", "area_code"]).reset_index(drop=True)


FIT_COLUMNS = ("slope", "se", "df", "level", "span", "p_value", "rho", "ar_var", "dispersion", "unit_change", "change")


def _empty_trends() -> pd.DataFrame:
    columns = ["area_level", "area_code", "area_name", "first_year", "last_year", "n_years", "status"]
    frame = _with_fdr(pd.DataFrame(columns=columns), 0.05, "pct", 100.0)
    return frame.assign(indicator_id="", direction="", verdict_code="", precise=False)


def _with_fdr(out: pd.DataFrame, alpha: float, unit: str, scale: float) -> pd.DataFrame:
    """BH q-values over the tested series of one indicator and the matching FCR-adjusted intervals.

    Every series gets the Benjamini–Yekutieli interval at level 1 − max(R, 1)·q/m (R of m selected),
    so a direction is named exactly where that interval excludes 0.
    """
    for col in FIT_COLUMNS:
        if col not in out:
            out[col] = np.nan
    tested = out["p_value"].notna()
    out["q_value"] = np.nan
    if tested.any():
        out.loc[tested, "q_value"] = multipletests(out.loc[tested, "p_value"], alpha=alpha, method="fdr_bh")[1]
    level = fcr_level(int((out["q_value"] < alpha).sum()), int(tested.sum()), alpha)
    out["ci_level"] = np.where(tested, level, np.nan)
    for suffix, lvl in (("95", 0.95), ("", level)):
        half = stats.t.ppf(0.5 + lvl / 2, out["df"].where(tested, 1)) * out["se"]
        low, high = out["slope"] - half, out["slope"] + half
        out[f"ci{suffix}_low"], out[f"ci{suffix}_high"] = low, high
        levels, spans = out["level"].to_numpy(float), out["span"].to_numpy(float)
        for side, bound in (("low", low), ("high", high)):
            change = np.where(tested, span_change(levels, bound.to_numpy(float), spans, unit, scale), np.nan)
            out[f"change_ci{suffix}_{side}"] = change
            out[f"unit_ci{suffix}_{side}"] = change / spans
    with np.errstate(over="ignore"):
        out["rel_change_pct"] = 100 * np.expm1(out["slope"].clip(-5, 5))
    return out


def narrow(half: float, level: float, unit: str) -> bool:
    """Whether the printed interval of a change (half-width ``half`` in the indicator's unit) can be
    believed as a number: at most ±10 Pp. for a share, at most ±50 % of the level (``level``, the
    fitted value at the centre year in the unit) for rates and money (``MAX_HALF_WIDTH_*``).

    >>> narrow(2.0, 20.0, "pct"), narrow(12.0, 20.0, "pct"), narrow(150.0, 500.0, "per_10000")
    (True, False, True)
    >>> narrow(300.0, 500.0, "per_10000")
    False
    """
    if unit == "pct":
        return bool(half <= MAX_HALF_WIDTH_PP)
    return bool(half <= MAX_HALF_WIDTH_REL * level)


def _level_in_unit(level: float, unit: str, scale: float) -> float:
    """The fitted link value at the centre year in the indicator's unit."""
    if unit == "pct":
        return float(scale * special.expit(level))
    return float((1.0 if unit == "eur" else scale) * np.exp(level))


def verdict_codes(out: pd.DataFrame, alpha: float, unit: str, scale: float) -> tuple[list[str], list[bool]]:
    """Verdict code of every row of one indicator, and whether its change can be printed as an interval.

    A direction only where the FDR-adjusted test is significant. A printed interval wider than the
    readers can believe (``narrow``) is never shown: without a direction the verdict is "uninformative"
    („keine belastbare Aussage“); with one, the direction stands and the pages give only the change the
    interval guarantees („mindestens …“, ``precise`` False).
    """
    codes, precise = [], []
    for r in records(out):
        tight = r["status"] == "tested" and narrow(
            (r["change_ci_high"] - r["change_ci_low"]) / 2, _level_in_unit(r["level"], unit, scale), unit
        )
        if r["status"] != "tested" or pd.isna(r["q_value"]):
            codes.append(r["status"] if r["status"] != "tested" else "too_short")
        elif r["q_value"] < alpha:
            codes.append("rising" if r["slope"] > 0 else "falling")
        else:
            codes.append("no_trend" if tight else "uninformative")
        precise.append(bool(tight))
    return codes, precise
