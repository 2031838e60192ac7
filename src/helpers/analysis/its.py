"""Interrupted time series (segmented regression) for counts with an exposure.

The standard design of Lopez Bernal, Cummins & Gasparrini (2017, Int J Epidemiol 46:348–355):
a Poisson GLM of the counts with offset log(exposure), a linear time trend, a step at the
intervention (level change) and optionally a change of slope, optionally seasonality (Fourier
terms or month dummies). Overdispersion and autocorrelation: quasi-Poisson (Pearson χ²/df scale),
Newey–West (HAC) errors, or quasi-Poisson with AR(1) errors (sandwich with the AR(1) working
correlation). For short yearly series the correlation is given (e.g. implied by case durations)
and may be raised to the REML estimate from the data (``ar1_reml``), never lowered.

>>> import numpy as np
>>> d = its_design(np.arange(1, 9), start=5)
>>> list(d.columns), d["post"].tolist()
(['const', 'time', 'post'], [0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0])
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy.stats import norm
from scipy.stats import t as student_t
from statsmodels.tools.sm_exceptions import PerfectSeparationWarning

Errors = Literal["poisson", "quasi", "hac", "ar1"]
Season = Literal["none", "fourier", "month"]


def its_design(
    time: np.ndarray,
    start: float,
    slope_change: bool = False,
    season: Season = "none",
    season_index: np.ndarray | None = None,
    period: int = 12,
    harmonics: int = 2,
) -> pd.DataFrame:
    """Design matrix: const, time, post (1 from ``start``), optional ``post_time`` and seasonality.

    ``post_time`` is (time − start)·post, so ``post`` is the level change at the start and
    ``post_time`` the change of slope. ``season_index`` (e.g. month 1..12) defaults to the time.
    """
    time = np.asarray(time, float)
    post = (time >= start).astype(float)
    cols: dict[str, np.ndarray] = {"const": np.ones_like(time), "time": time, "post": post}
    if slope_change:
        cols["post_time"] = (time - start) * post
    index = time if season_index is None else np.asarray(season_index, float)
    cols.update(_season_columns(index, season, period, harmonics))
    return pd.DataFrame(cols)


def _season_columns(index: np.ndarray, season: Season, period: int, harmonics: int) -> dict[str, np.ndarray]:
    if season == "fourier":
        out = {}
        for k in range(1, harmonics + 1):
            angle = 2 * np.pi * k * index / period
            out[f"sin{k}"], out[f"cos{k}"] = np.sin(angle), np.cos(angle)
        return out
    if season == "month":
        season_no = np.mod(np.round(index).astype(int) - 1, period) + 1
        return {f"m{m}": (season_no == m).astype(float) for m in range(2, period + 1)}
    return {}


@dataclass(frozen=True)
class Estimate:
    """A coefficient (log scale for Poisson) with its interval and two-sided p-value."""

    estimate: float
    ci: tuple[float, float]
    p_value: float

    @property
    def rate_ratio(self) -> tuple[float, float, float]:
        """(RR, low, high) = exp of the estimate and its interval."""
        return float(np.exp(self.estimate)), float(np.exp(self.ci[0])), float(np.exp(self.ci[1]))


@dataclass(frozen=True)
class ITSFit:
    """A fitted segmented Poisson regression."""

    params: pd.Series
    cov: pd.DataFrame
    design: pd.DataFrame
    log_exposure: np.ndarray
    df_resid: float | None  # None: normal quantiles; else t with these degrees of freedom
    scale: float
    rho: float = 0.0  # AR(1) correlation of the errors used (``errors="ar1"``)

    def quantile(self, level: float = 0.95) -> float:
        q = 0.5 + level / 2
        return float(norm.ppf(q) if self.df_resid is None else student_t.ppf(q, self.df_resid))

    def linear(self, c: np.ndarray, level: float = 0.95) -> Estimate:
        """Estimate, interval and p-value of the linear combination c'β."""
        c = np.asarray(c, float)
        est = float(c @ self.params.to_numpy())
        se = float(np.sqrt(c @ self.cov.to_numpy() @ c))
        z = est / se if se > 0 else np.inf
        tail = norm.sf(abs(z)) if self.df_resid is None else student_t.sf(abs(z), self.df_resid)
        crit = self.quantile(level)
        return Estimate(est, (est - crit * se, est + crit * se), float(2 * tail))

    def term(self, name: str, level: float = 0.95) -> Estimate:
        """One coefficient, e.g. ``post`` (log rate ratio of the level change)."""
        return self.linear((self.params.index == name).astype(float), level)


def fit_poisson_its(
    counts: np.ndarray,
    design: pd.DataFrame,
    exposure: np.ndarray | None = None,
    errors: Errors = "quasi",
    maxlags: int = 1,
    use_t: bool = False,
    scale_floor: float = 0.0,
    rho: float = 0.0,
    rho_from_data: bool = False,
) -> ITSFit:
    """Poisson GLM of ``counts`` on ``design`` with offset log(exposure).

    errors: ``poisson`` (model-based), ``quasi`` (Pearson χ²/df scale, at least ``scale_floor``)
    ``hac`` (Newey–West with ``maxlags``) or ``ar1`` (quasi-Poisson scale and AR(1) correlation
    ``rho`` between successive observations: Cov = φ·A⁻¹·X'D·R·D·X·A⁻¹ with A = X'diag(μ)X,
    D = diag(√μ), R = ρ^|i−j|). Under AR(1) errors the Pearson χ² of a fit with a trend is
    biased low (E[χ²] = φ·tr((I − H)·R), not φ·(n − p)), so φ = χ² / tr((I − H)·R), H the
    weighted hat matrix; with ρ = 0 this is the quasi-Poisson scale. ``rho_from_data``: ρ is
    max(``rho``, REML estimate from the Pearson residuals), and the t distribution loses one
    degree of freedom for the estimated ρ. ``use_t``: t quantiles with the residual degrees
    of freedom instead of normal ones (small samples).
    """
    y = np.asarray(counts, float)
    log_exp = np.zeros_like(y) if exposure is None else np.log(np.asarray(exposure, float))
    if not y.sum() > 0:
        raise ValueError("Zeitreihe ohne Fälle: kein Modell für unterbrochene Zeitreihen möglich")
    model = sm.GLM(y, design.to_numpy(float), family=sm.families.Poisson(), offset=log_exp)
    if errors == "hac":
        res = model.fit(cov_type="HAC", cov_kwds={"maxlags": maxlags})
        scale = 1.0
        cov = res.cov_params()
    else:
        with warnings.catch_warnings():  # a constant series is fitted exactly: flat, not an error
            warnings.simplefilter("ignore", PerfectSeparationWarning)
            res = model.fit()
        scale = 1.0
        if errors == "quasi":
            scale = max(float(res.pearson_chi2 / res.df_resid), scale_floor)
        cov = res.cov_params() * scale
        if errors == "ar1":
            x, mu = design.to_numpy(float), np.asarray(res.mu, float)
            xw, pearson = np.sqrt(mu)[:, None] * x, (y - mu) / np.sqrt(mu)
            if rho_from_data:
                rho = max(rho, ar1_reml(pearson, xw))
            scale = max(float(pearson @ pearson) / ar1_residual_df(xw, rho), scale_floor)
            cov = scale * _ar1_sandwich(x, mu, rho)
    names = list(design.columns)
    df = float(res.df_resid) - (1.0 if errors == "ar1" and rho_from_data else 0.0)
    return ITSFit(
        params=pd.Series(res.params, index=names),
        cov=pd.DataFrame(cov, index=names, columns=names),
        design=design,
        log_exposure=log_exp,
        df_resid=df if use_t else None,
        scale=scale,
        rho=float(rho) if errors == "ar1" else 0.0,
    )


def ar1_corr(n: int, rho: float) -> np.ndarray:
    """n × n AR(1) correlation matrix ρ^|i − j|."""
    idx = np.arange(n)
    return rho ** np.abs(np.subtract.outer(idx, idx))


RHO_GRID = np.round(np.linspace(0.0, 0.95, 96), 2)


def ar1_reml(y: np.ndarray, x: np.ndarray, grid: np.ndarray = RHO_GRID) -> float:
    """REML estimate of the AR(1) correlation of the errors of y = Xβ + e (grid search, 0 … 0,95).

    Maximises the restricted log-likelihood −½·(log|V| + log|X'V⁻¹X| + (n − p)·log(r'V⁻¹r))
    with V = R(ρ) and r the GLS residuals (σ² profiled out; Harville 1977). It depends on y only
    through its residuals, so Pearson residuals with the weighted design serve for a GLM. Less
    biased than the lag-1 autocorrelation of OLS residuals, but with 16 points still biased
    towards 0 — hence only used to *raise* a correlation known from elsewhere.

    >>> rng = np.random.default_rng(4)
    >>> e = np.zeros(400); z = rng.standard_normal(400)
    >>> for i in range(1, 400): e[i] = 0.6 * e[i - 1] + z[i]
    >>> x = np.column_stack([np.ones(400), np.arange(400.0)])
    >>> ar1_reml(e + 0.1 * x[:, 1], x)
    0.6
    """
    y, x = np.asarray(y, float), np.asarray(x, float)
    n, p = x.shape
    best, best_rho = -np.inf, 0.0
    for rho in grid:
        v_inv = np.linalg.inv(ar1_corr(n, float(rho)))
        a = x.T @ v_inv @ x
        r = y - x @ np.linalg.solve(a, x.T @ v_inv @ y)
        ll = -0.5 * (
            -np.linalg.slogdet(v_inv)[1] + np.linalg.slogdet(a)[1] + (n - p) * np.log(max(r @ v_inv @ r, 1e-300))
        )
        if ll > best:
            best, best_rho = ll, float(rho)
    return best_rho


def ar1_residual_df(x: np.ndarray, rho: float) -> float:
    """tr((I − H)·R): the expected residual sum of squares of an OLS fit on ``x`` per unit error
    variance when the errors have AR(1) correlation ``rho`` (n − p for ρ = 0)."""
    n = len(x)
    hat = x @ np.linalg.pinv(x)
    return float(np.trace((np.eye(n) - hat) @ ar1_corr(n, rho)))


def _ar1_sandwich(x: np.ndarray, mu: np.ndarray, rho: float) -> np.ndarray:
    """A⁻¹·X'D·R·D·X·A⁻¹ (without the scale) for AR(1) correlation ``rho``."""
    corr = ar1_corr(len(mu), rho)
    a_inv = np.linalg.inv(x.T @ (mu[:, None] * x))
    dx = np.sqrt(mu)[:, None] * x
    return a_inv @ (dx.T @ corr @ dx) @ a_inv


def intervention_terms(design: pd.DataFrame) -> list[str]:
    """The columns that switch on with the intervention (level and slope change)."""
    return [c for c in ("post", "post_time") if c in design.columns]


def gap_table(fit: ITSFit, per: float = 1.0, level: float = 0.95) -> pd.DataFrame:
    """Per row: observed-scale fitted rate, counterfactual rate (intervention terms off) and gap.

    Rates are counts / exposure × ``per``. Gap intervals by the delta method.
    """
    x = fit.design.to_numpy(float)
    beta, cov = fit.params.to_numpy(), fit.cov.to_numpy()
    on = np.isin(fit.design.columns, intervention_terms(fit.design))
    x_cf = x.copy()
    x_cf[:, on] = 0.0
    fitted = np.exp(x @ beta) * per
    cf = np.exp(x_cf @ beta) * per
    grad = fitted[:, None] * x - cf[:, None] * x_cf  # d(gap)/dβ per row
    se = np.sqrt(np.einsum("ij,jk,ik->i", grad, cov, grad))
    crit = fit.quantile(level)
    gap = fitted - cf
    return pd.DataFrame(
        {
            "fitted": fitted,
            "counterfactual": cf,
            "gap": gap,
            "gap_low": gap - crit * se,
            "gap_high": gap + crit * se,
            "_grad": list(grad),
        }
    )


def cumulated_gap(fit: ITSFit, table: pd.DataFrame, rows: np.ndarray, level: float = 0.95) -> Estimate:
    """Sum of the gaps over ``rows`` (boolean mask) with a delta-method interval."""
    grad = np.sum(np.stack(table.loc[rows, "_grad"].to_list()), axis=0)
    est = float(table.loc[rows, "gap"].sum())
    se = float(np.sqrt(grad @ fit.cov.to_numpy() @ grad))
    crit = fit.quantile(level)
    z = est / se if se > 0 else np.inf
    tail = norm.sf(abs(z)) if fit.df_resid is None else student_t.sf(abs(z), fit.df_resid)
    return Estimate(est, (est - crit * se, est + crit * se), float(2 * tail))
