"""Cost-effect analysis of the Hilfen zur Erziehung (HzE).

Designs (all on yearly aggregates; nothing here sees a single case):

* **Interrupted time series** (Penfold & Zhang 2013) for the city. Expenditure: deflated with
  a price index (``price_index``, a config parameter) to prices of the report year and divided
  by the under-21s; y = β0 + β1·t + β2·D + β3·(t − T0)·D with D = 1 from the programme start
  year T0, by GLS with AR(1) errors whose correlation is implied by the case durations
  (``implied_ar1``: sixteen yearly points cannot estimate it), t-based intervals; gaps scaled
  back to euros. Case counts: a quasi-Poisson segmented regression with offset log(under-21s)
  and the same kind of AR(1) errors (``helpers.analysis.its``).
* **Difference-in-differences within the city** (staggered adoption): log rate of new cases
  (without § 28) per under-21 on Stadtteil and year effects, the log SGB-II quota of
  under-15s, and two event-time bins for treated Stadtteile (early: the first ``lag`` years,
  late: from ``lag`` years after the start). Inference with few clusters: restricted wild
  cluster bootstrap (WCR, Webb six-point weights, clusters = Stadtteile) for the p-value, and
  the interval by inverting the same test over the null values (Roodman, MacKinnon, Nielsen &
  Webb 2019, ``boottest``), so interval and p-value always agree. With few clusters (below
  about six) even Webb weights give a coarse p-value distribution.
* **Event study against comparison communes** that did not join: new cases without § 28 per
  under-21, every unit detrended by its own pre-period trend, one treated unit; a deviation counts
  only if both the city's own pre-period residual variance (prediction error of the post mean) and
  the studentised placebo distribution over the comparison communes reject (valid if either
  holds; rank p-value as well) and a joint Hotelling pre-trend test on held-out pre-years with the
  full covariance (Monte Carlo p-value).
* **Cost-effect balance**: programme spending against avoided HzE spending implied by the DiD
  estimate, each avoided (or extra) case's cost spread over the years it is paid (duration
  profile) at the cost of its Hilfeart, discounted (Kalkulationszins); break-even year with a
  band from the bootstrap draws.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy.stats import t as student_t

from helpers.analysis import its

WEBB = np.array([-np.sqrt(1.5), -1.0, -np.sqrt(0.5), np.sqrt(0.5), 1.0, np.sqrt(1.5)])


# --- descriptive figures -----------------------------------------------------------------


def descriptive_by(yearly: pd.DataFrame, expenditure: pd.DataFrame, year: int, by: str) -> pd.DataFrame:
    """City figures of one year by ``basis`` or ``setting``: cases, expenditure, costs, durations.

    Cases = Bestand am 31.12. + im Jahr beendet. Cost per case-year uses the case days.
    Unprotected: what may be published is decided by :mod:`helpers.analysis.hze_tables`
    (cells of the one disclosure mechanism in :mod:`helpers.indicators.disclosure`).
    """
    y = yearly[yearly["year"] == year]
    cases = y.groupby(by)[
        ["counted", "bestand_3112", "ended", "started", "case_days", "ended_months", "started_age_sum"]
    ].sum()
    eur = expenditure[expenditure["year"] == year].groupby(by)["eur"].sum()
    out = cases.join(eur, how="outer").fillna(0)
    out["eur_per_case"] = out["eur"] / out["counted"].replace(0, np.nan)
    out["eur_per_case_year"] = out["eur"] / (out["case_days"] / 365).replace(0, np.nan)
    out["duration_months"] = out["ended_months"] / out["ended"].replace(0, np.nan)
    out["age_at_start"] = out["started_age_sum"] / out["started"].replace(0, np.nan)
    return out.drop(columns=["case_days", "ended_months", "started_age_sum"]).reset_index()


# --- interrupted time series ---------------------------------------------------------------


@dataclass(frozen=True)
class ITSResult:
    """Segmented regression: coefficients, intervals and the counterfactual gap per year."""

    level_change: float
    level_ci: tuple[float, float]
    level_p: float
    slope_change: float
    slope_ci: tuple[float, float]
    slope_p: float
    table: pd.DataFrame  # year, observed, fitted, counterfactual, gap, gap_low, gap_high
    cumulated_gap: float
    cumulated_ci: tuple[float, float]
    cumulated_p: float = float("nan")
    rho: float | None = None  # AR(1) correlation of the errors used (None: HAC)


def its_design(years: np.ndarray, start: int) -> np.ndarray:
    """Columns: const, t (years since first), D (post), (t − T0)·D."""
    years = np.asarray(years, float)
    t = years - years[0]
    post = (years >= start).astype(float)
    return np.column_stack([np.ones_like(t), t, post, (years - start) * post])


def ar1_correlation(n: int, rho: float) -> np.ndarray:
    """n × n AR(1) correlation matrix ρ^|i − j|."""
    idx = np.arange(n)
    return rho ** np.abs(np.subtract.outer(idx, idx))


def implied_ar1(durations_months: pd.Series, weights: pd.Series) -> float:
    """Lag-1 autocorrelation of yearly totals of a case stock, implied by the case durations.

    A stock with Poisson arrivals and exponential durations (mean m years) is an M/M/∞ queue;
    its yearly integrals (case-days, spending) have lag-1 correlation
    (1 − e^(−a))² / (2(a − 1 + e^(−a))) with a = 1/m. Weighted over the Hilfearten by
    ``weights`` (e.g. spending shares).

    >>> round(implied_ar1(pd.Series({"34": 24.0}), pd.Series({"34": 1.0})), 3)
    0.727
    """
    months = durations_months.reindex(weights.index).astype(float)
    keep = months.notna() & months.gt(0) & weights.gt(0)
    a = 12 / months[keep]
    rho = (1 - np.exp(-a)) ** 2 / (2 * (a - 1 + np.exp(-a)))
    w = weights[keep] / weights[keep].sum()
    return float((w * rho).sum()) if keep.any() else 0.0


def _its_covariance(y: np.ndarray, x: np.ndarray, maxlags: int, rho: float | None):
    """Coefficients, a standard-error function of c'β and the residual degrees of freedom.

    rho None: OLS with Newey–West (HAC) errors, never below the classical ones. rho given: GLS
    with AR(1) errors of that correlation.
    """
    if rho is not None:
        chol = np.linalg.cholesky(np.linalg.inv(ar1_correlation(len(y), rho)))
        gls = sm.OLS(chol.T @ y, chol.T @ x).fit()
        cov = gls.cov_params()
        return gls.params, (lambda c: float(np.sqrt(c @ cov @ c))), gls.df_resid
    hac = sm.OLS(y, x).fit(cov_type="HAC", cov_kwds={"maxlags": maxlags, "use_correction": True}, use_t=True)
    cov_hac, cov_ols = hac.cov_params(), sm.OLS(y, x).fit().cov_params()
    return hac.params, (lambda c: float(np.sqrt(max(c @ cov_hac @ c, c @ cov_ols @ c)))), hac.df_resid


def interrupted_time_series(
    years: np.ndarray,
    values: np.ndarray,
    start: int,
    maxlags: int = 1,
    exposure: np.ndarray | None = None,
    rho: float | None = None,
    rho_from_data: bool = False,
) -> ITSResult:
    """Fit the segmented regression; gaps are on the observed scale (fitted − counterfactual).

    ``exposure`` (e.g. the under-21s per year): the regression runs on values / exposure (a
    per-head series, so a non-linear population path does not look like an effect), and the
    table, the gaps and the cumulated gap are scaled back by the exposure of each year.
    Level and slope change stay per head.

    Standard errors without ``rho``: Newey–West (HAC, ``maxlags``, small-sample correction),
    but never smaller than the classical OLS ones (with 15–20 yearly points HAC alone is
    liberal). With ``rho``: GLS with AR(1) errors of that correlation. Sixteen points cannot
    estimate it (the residual autocorrelation is biased towards 0), so it is given, e.g. from
    the case durations (``implied_ar1``). ``rho_from_data``: ρ = max(``rho``, REML estimate of
    the series' own AR(1) correlation, ``its.ar1_reml``) and one degree of freedom less for the
    estimated ρ: the durations give the correlation of a stock of cases with random arrivals; if
    the arrivals themselves drift (persistent shocks), the series is more persistent than that.
    In simulations of the HzE world (benchmarks/simulate_hze.py) HAC covered the cumulated gap in
    83 %, AR(1)-GLS with the implied ρ in 89–96 % (89 % under persistent shocks), with
    max(implied, REML) in 93–97 %. Intervals use the t distribution with the residual degrees
    of freedom.
    """
    years = np.asarray(years, int)
    scale = np.ones(len(years)) if exposure is None else np.asarray(exposure, float)
    values = np.asarray(values, float)
    x = its_design(years, start)
    if rho is not None and rho_from_data:
        rho = max(rho, its.ar1_reml(values / scale, x))
    params, se_of, df = _its_covariance(values / scale, x, maxlags, rho)
    df -= 1 if rho is not None and rho_from_data else 0
    crit = float(student_t.ppf(0.975, df))

    def coef(k: int) -> tuple[float, tuple[float, float], float]:
        c = np.eye(4)[k]
        se = se_of(c)
        est = float(params[k])
        p = float(2 * student_t.sf(abs(est / se), df))
        return est, (est - crit * se, est + crit * se), p

    post = years >= start
    combo = np.zeros((len(years), 4))
    combo[post, 2] = 1.0
    combo[post, 3] = years[post] - start
    combo = combo * scale[:, None]  # gaps on the observed (total) scale
    gap = combo @ params
    gap_se = np.array([se_of(c) for c in combo])
    fitted = (x @ params) * scale
    table = pd.DataFrame(
        {
            "year": years,
            "observed": values,
            "fitted": fitted,
            "counterfactual": fitted - gap,
            "gap": gap,
            "gap_low": gap - crit * gap_se,
            "gap_high": gap + crit * gap_se,
        }
    )
    total = combo[post].sum(axis=0)
    cum = float(total @ params)
    cum_se = se_of(total)
    level, level_ci, level_p = coef(2)
    slope, slope_ci, slope_p = coef(3)
    return ITSResult(
        level_change=level,
        level_ci=level_ci,
        level_p=level_p,
        slope_change=slope,
        slope_ci=slope_ci,
        slope_p=slope_p,
        table=table,
        cumulated_gap=cum,
        cumulated_ci=(cum - crit * cum_se, cum + crit * cum_se),
        cumulated_p=float(2 * student_t.sf(abs(cum / cum_se), df)) if cum_se > 0 else float("nan"),
        rho=rho,
    )


# --- difference-in-differences within the city --------------------------------------------


def treatment_starts(services: pd.DataFrame, types: list[str], programme_start: int) -> dict[str, int]:
    """First year of a programme service (of ``types``, started ≥ programme start) per Stadtteil."""
    sel = services[
        services["type"].isin(types)
        & (services["start"].astype(int) >= programme_start)
        & services["stadtteil_code"].fillna("").astype(str).ne("")
    ]
    return {str(k): int(v) for k, v in sel.groupby("stadtteil_code")["start"].min().items()}


def did_panel(new_cases: pd.DataFrame, covariate: pd.DataFrame, starts: dict[str, int], lag: int) -> pd.DataFrame:
    """Stadtteil × year panel with log rate, log covariate and the early/late event bins.

    new_cases: year, area_code, cases, u21 · covariate: year, area_code, value (a share in %).
    """
    panel = new_cases.merge(covariate, on=["year", "area_code"], how="left", validate="1:1")
    panel["y"] = np.log((panel["cases"] + 0.5) / panel["u21"])
    panel["log_cov"] = np.log(panel["value"] / 100)
    start = panel["area_code"].map(starts)
    since = panel["year"] - start
    panel["early"] = (since.ge(0) & since.lt(lag)).astype(float)
    panel["late"] = since.ge(lag).astype(float)
    return panel.dropna(subset=["y", "log_cov"]).sort_values(["area_code", "year"]).reset_index(drop=True)


def _fe_design(panel: pd.DataFrame, terms: list[str]) -> tuple[np.ndarray, list[str]]:
    unit = pd.get_dummies(panel["area_code"], prefix="u", drop_first=True, dtype=float)
    year = pd.get_dummies(panel["year"], prefix="t", drop_first=True, dtype=float)
    x = pd.concat([panel[terms].astype(float), unit, year], axis=1)
    x.insert(0, "const", 1.0)
    return x.to_numpy(float), list(x.columns)


@dataclass(frozen=True)
class WildBootstrap:
    """OLS estimate of one coefficient with wild-cluster-bootstrap inference.

    ``p_value`` tests β = 0 with the restricted bootstrap (WCR); ``ci`` is the set of null
    values β₀ the same restricted test does not reject at 5 % (test inversion as in
    Roodman et al. 2019, ``boottest``), so the interval excludes 0 exactly when p ≤ 0,05.
    """

    estimate: float
    ci: tuple[float, float]
    p_value: float
    draws: np.ndarray  # WCU bootstrap draws of all ``terms`` coefficients (B × len(terms))
    terms: list[str]


@dataclass(frozen=True)
class _NullFamily:
    """Restricted-bootstrap t statistics as functions of the null value β₀ (all linear in β₀)."""

    estimate: float
    se: float
    a0: np.ndarray  # b*_k = a0 + β₀·a1
    a1: np.ndarray
    q0: np.ndarray  # se*² = q0 + β₀·q1 + β₀²·q2
    q1: np.ndarray
    q2: np.ndarray

    def p_value(self, null: float) -> float:
        """Symmetric restricted wild-cluster-bootstrap p-value of H0: β = ``null``."""
        t_obs = (self.estimate - null) / self.se
        var = np.maximum(self.q0 + null * self.q1 + null**2 * self.q2, 1e-300)
        t_star = (self.a0 + null * self.a1 - null) / np.sqrt(var)
        return float(np.mean(np.abs(t_star) >= abs(t_obs) - 1e-12))


def _cluster_sums(contrib: np.ndarray, onehot: np.ndarray) -> np.ndarray:
    return contrib @ onehot


def _null_family(
    y: np.ndarray, x: np.ndarray, k: int, v: np.ndarray, onehot: np.ndarray, proj: np.ndarray, scale: float
) -> _NullFamily:
    """Restricted fits under β_k = β₀: fit(β₀) = H·y + β₀·(x_k − H·x_k), H the hat matrix without x_k."""
    x_r = np.delete(x, k, axis=1)
    hat_r = x_r @ np.linalg.pinv(x_r)
    xk = x[:, k]
    fit0, fit1 = hat_r @ y, xk - hat_r @ xk
    res0, res1 = y - fit0, -fit1
    annihilator = np.eye(len(y)) - x @ proj
    parts = []
    for fit, res in ((fit0, res0), (fit1, res1)):
        y_star = fit + res * v  # B × n
        b_k = y_star @ proj[k]
        sums = _cluster_sums((y_star @ annihilator.T) * proj[k], onehot)
        parts.append((b_k, sums))
    (a0, s0), (a1, s1) = parts
    beta = proj @ y
    resid = y - x @ beta
    se = float(np.sqrt(scale * (_cluster_sums((resid * proj[k])[None, :], onehot) ** 2).sum()))
    return _NullFamily(
        estimate=float(beta[k]),
        se=se,
        a0=a0,
        a1=a1,
        q0=scale * (s0**2).sum(axis=1),
        q1=scale * 2 * (s0 * s1).sum(axis=1),
        q2=scale * (s1**2).sum(axis=1),
    )


def _boundary(family: _NullFamily, inside: float, outside: float, alpha: float, tol: float) -> float:
    """Bisection between a null value not rejected (``inside``) and one rejected (``outside``)."""
    for _ in range(200):
        if abs(outside - inside) <= tol:
            break
        mid = 0.5 * (inside + outside)
        if family.p_value(mid) > alpha:
            inside = mid
        else:
            outside = mid
    return 0.5 * (inside + outside)


def inverted_interval(family: _NullFamily, alpha: float = 0.05) -> tuple[float, float]:
    """The set {β₀ : p(β₀) > alpha} as an interval; consistent with the p-value at 0 by construction.

    On the side of the estimate where 0 lies, 0 itself is checked first, so the boundary lies
    between the estimate and 0 exactly when p(0) ≤ alpha.
    """
    est, se, tol = family.estimate, family.se, 1e-6 * max(family.se, 1e-12)
    bounds = []
    for direction in (-1.0, 1.0):
        inside, outside = est, est + direction * 2 * se
        if direction * (0.0 - est) > 0:
            if family.p_value(0.0) > alpha:
                inside = 0.0
                outside = max(outside, 0.0 + 2 * se) if direction > 0 else min(outside, 0.0 - 2 * se)
            else:
                outside = 0.0
        step = 2 * se
        while family.p_value(outside) > alpha and step < 1e6 * se:
            inside, step = outside, step * 2
            outside = outside + direction * step
        bounds.append(_boundary(family, inside, outside, alpha, tol))
    return bounds[0], bounds[1]


def _weights(rng: np.random.Generator, draws: int, clusters: int, kind: str) -> np.ndarray:
    """Wild bootstrap weights per draw and cluster: Webb six-point or Rademacher (±1)."""
    if kind == "rademacher":
        return rng.choice(np.array([-1.0, 1.0]), size=(draws, clusters))
    return WEBB[rng.integers(0, 6, size=(draws, clusters))]


def wild_cluster_bootstrap(
    y: np.ndarray,
    x: np.ndarray,
    clusters: np.ndarray,
    k: int,
    draws: int,
    seed: int,
    terms: list[str],
    weights: str = "webb",
) -> WildBootstrap:
    """WCR p-value and test-inverted WCR interval for coefficient ``k`` of OLS y ~ x (Webb weights).

    The unrestricted (WCU) draws are kept for downstream uncertainty (the balance band).
    """
    rng = np.random.default_rng(seed)
    codes, groups = np.unique(clusters, return_inverse=True)
    g_n, (n, p) = len(codes), x.shape
    onehot = np.eye(g_n)[groups]  # n × G
    proj = np.linalg.pinv(x.T @ x) @ x.T  # p × n
    scale = g_n / (g_n - 1) * (n - 1) / (n - p)
    v = _weights(rng, draws, g_n, weights)[:, groups]  # B × n
    family = _null_family(y, x, k, v, onehot, proj, scale)
    beta = proj @ y
    y_u = (x @ beta) + (y - x @ beta) * v
    b_u = y_u @ proj.T
    return WildBootstrap(
        family.estimate, inverted_interval(family), family.p_value(0.0), b_u[:, 1 : 1 + len(terms)], terms
    )


def combination_design(x: np.ndarray, cols: tuple[int, int], w: tuple[float, float]) -> tuple[np.ndarray, int]:
    """Reparametrise OLS y ~ x so that one coefficient is γ = w₀·β_c₀ + w₁·β_c₁; returns (x', its column).

    x₀β₀ + x₁β₁ = (x₀ − w₀/w₁·x₁)·β₀ + (x₁/w₁)·γ (for w₁ = 0: (x₀/w₀)·γ). Same fit, same residuals.
    """
    (c0, c1), (w0, w1) = cols, w
    out = np.array(x, float, copy=True)
    if w1 != 0:
        out[:, c0] = x[:, c0] - w0 / w1 * x[:, c1]
        out[:, c1] = x[:, c1] / w1
        return out, c1
    out[:, c0] = x[:, c0] / w0
    return out, c0


@dataclass(frozen=True)
class DiDResult:
    """Within-city DiD: effects (log rate ratios) with wild-cluster-bootstrap inference.

    ``y``, ``x``, ``clusters`` and ``draws``/``seed`` are kept so that a linear combination of
    the event bins (the cost-effect balance) can be tested and inverted the same way.
    """

    late: WildBootstrap
    early: WildBootstrap
    n_treated: int
    n_control: int
    y: np.ndarray | None = None
    x: np.ndarray | None = None
    clusters: np.ndarray | None = None
    draws: int = 0
    seed: int = 0
    weights: str = "webb"

    def combination(self, w_late: float, w_early: float) -> WildBootstrap:
        """w_late·β_late + w_early·β_early with WCR p-value and test-inverted interval.

        The weights are normalised to a largest |w| of 1 for the fit (euro-sized weights would
        make X'X numerically singular) and the estimate and interval scaled back.
        """
        size = max(abs(w_late), abs(w_early))
        x, k = combination_design(self.x, (2, 1), (w_early / size, w_late / size))
        wb = wild_cluster_bootstrap(
            self.y, x, self.clusters, k, self.draws, self.seed + 2, ["late", "early", "log_cov"], self.weights
        )
        ci = (wb.ci[0] * size, wb.ci[1] * size)
        return WildBootstrap(wb.estimate * size, ci, wb.p_value, wb.draws, wb.terms)


def did_within_city(panel: pd.DataFrame, draws: int, seed: int, weights: str = "webb") -> DiDResult:
    """Two-way fixed effects with event bins and the covariate; wild cluster bootstrap."""
    terms = ["late", "early", "log_cov"]
    x, _cols = _fe_design(panel, terms)
    y = panel["y"].to_numpy(float)
    clusters = panel["area_code"].to_numpy()
    late = wild_cluster_bootstrap(y, x, clusters, 1, draws, seed, terms, weights)
    early = wild_cluster_bootstrap(y, x, clusters, 2, draws, seed + 1, terms, weights)
    treated = panel.loc[panel["late"].gt(0) | panel["early"].gt(0), "area_code"].nunique()
    n_t, n_c = int(treated), int(panel["area_code"].nunique() - treated)
    return DiDResult(late, early, n_t, n_c, y, x, clusters, draws, seed, weights)


# --- event study against comparison communes ---------------------------------------------


@dataclass(frozen=True)
class EventStudy:
    """Detrended event study of one treated unit against comparison units.

    ``table``: event_time, estimate, ci_low, ci_high, p_value (per year: deviation of the treated
    unit from its own pre-period trend, net of the comparison units' deviations). Intervals and
    p-values combine two tests (``event_study``): the wider interval, the larger p-value.
    """

    table: pd.DataFrame
    pre_f_p: float  # joint pre-trend test (Hotelling T² on the held-out pre-years, full covariance, MC p)
    pre_rank_p: float  # the same statistic's placebo rank p-value
    pre_slope: float  # pre-period trend of the treated unit minus the comparison mean (absorbed)
    post_mean: float
    post_ci: tuple[float, float]
    post_p: float  # max(post_p_model, post_p_placebo): consistent with post_ci
    post_rank_p: float  # rank of the treated unit among the placebos (min. 1 / (J + 1))
    n_placebos: int
    post_p_model: float = float("nan")  # the treated unit's own pre-period residual variance, t(n_pre − 2)
    post_p_placebo: float = float("nan")  # studentised placebo distribution, t(J)
    n_pre: int = 0  # years the pre-period trend is fitted on

    def pretrend_violated(self, alpha: float = 0.05) -> bool:
        return bool(self.pre_f_p < alpha)


def _difference_paths(wide: pd.DataFrame, treated: str) -> dict[str, np.ndarray]:
    """For the treated unit and each comparison unit as a placebo: its series minus the mean of the others."""
    controls = [c for c in wide.columns if c != treated]
    out = {treated: (wide[treated] - wide[controls].mean(axis=1)).to_numpy(float)}
    for c in controls:
        rest = [d for d in controls if d != c]
        out[c] = (wide[c] - wide[rest].mean(axis=1)).to_numpy(float)
    return out


def _detrend(path: np.ndarray, years: np.ndarray, fit: np.ndarray) -> tuple[np.ndarray, float, float]:
    """Residuals of ``path`` from a linear trend fitted on the ``fit`` years; RMSE and slope of that fit."""
    x = np.column_stack([np.ones(fit.sum()), years[fit] - years[fit].mean()])
    coef, *_ = np.linalg.lstsq(x, path[fit], rcond=None)
    resid = path - (coef[0] + coef[1] * (years - years[fit].mean()))
    rmse = float(np.sqrt(np.sum(resid[fit] ** 2) / max(fit.sum() - 2, 1)))
    return resid, rmse, float(coef[1])


def _studentised_t(estimate: float, rmse: float, placebo_stats: np.ndarray) -> tuple[float, float, float]:
    """Scale σ of the studentised placebo statistics, the treated t and its two-sided p (t, J df)."""
    j = len(placebo_stats)
    sigma = float(np.sqrt(np.mean(placebo_stats**2)))
    t_val = estimate / rmse / sigma
    return sigma, t_val, float(2 * student_t.sf(abs(t_val), j))


def _rank_p(treated_stat: float, placebo_stats: np.ndarray) -> float:
    return float((1 + np.sum(np.abs(placebo_stats) >= abs(treated_stat) - 1e-12)) / (len(placebo_stats) + 1))


def _pretest_t2(paths: np.ndarray, years: np.ndarray, fit: np.ndarray, held: np.ndarray) -> np.ndarray:
    """Hotelling T² of unit 0 for paths (..., units, years): held-out deviations from the trend of
    the ``fit`` years, divided by each unit's fit RMSE; covariance S from units 1.. (uncentred)."""
    centre = years[fit].mean()
    x_fit = np.column_stack([np.ones(fit.sum()), years[fit] - centre])
    x_all = np.column_stack([np.ones(len(years)), years - centre])
    resid = paths - paths[..., fit] @ (x_all @ np.linalg.pinv(x_fit)).T
    rmse = np.sqrt(np.sum(resid[..., fit] ** 2, axis=-1) / (fit.sum() - 2))
    h = resid[..., held] / rmse[..., None]
    placebo = h[..., 1:, :]
    s_inv = np.linalg.pinv(np.einsum("...jk,...jl->...kl", placebo, placebo) / placebo.shape[-2])
    return np.einsum("...k,...kl,...l->...", h[..., 0, :], s_inv, h[..., 0, :])


def _difference_noise(raw: np.ndarray) -> np.ndarray:
    """raw (B, units, years), unit 0 treated: each unit minus the mean of the comparison units (without itself)."""
    controls = raw[:, 1:, :]
    j = controls.shape[1]
    total = controls.sum(axis=1, keepdims=True)
    treated = raw[:, :1, :] - total / j
    return np.concatenate([treated, controls - (total - controls) / (j - 1)], axis=1)


def _hotelling_pretest(
    paths: dict[str, np.ndarray], treated: str, years: np.ndarray, start: int, hold: int, draws: int = 1999
) -> tuple[float, float]:
    """Joint test that the last ``hold`` pre-years follow the trend of the earlier pre-years.

    Each unit's held-out deviations, divided by its own fit RMSE, form a vector h; S is the
    (uncentred) covariance of the placebos' vectors; T² = h'S⁻¹h of the treated unit uses the
    full covariance. With few fit years the RMSE is noisy and T² heavy-tailed, so the p-value is
    a Monte Carlo p-value of the same statistic under independent Gaussian noise (scale-free,
    since every unit is studentised). Also the placebo rank p-value (min. 1/(J + 1)).
    """
    fit = years < start - hold
    held = (years >= start - hold) & (years < start)
    order = [treated, *[u for u in paths if u != treated]]
    observed = np.array([paths[u] for u in order])
    j = len(order) - 1
    if fit.sum() < 3 or j <= hold:
        return float("nan"), float("nan")
    t2 = float(_pretest_t2(observed, years, fit, held))
    raw = np.random.default_rng(20161216).standard_normal((draws, len(order), len(years)))
    null = _pretest_t2(_difference_noise(raw), years, fit, held)
    mc_p = float((1 + np.sum(null >= t2)) / (draws + 1))
    placebo_t2 = [
        float(_pretest_t2(observed[[i, *[k for k in range(1, j + 1) if k != i]]], years, fit, held))
        for i in range(1, j + 1)
    ]
    return mc_p, _rank_p(t2, np.array(placebo_t2))


def forecast_factor(years: np.ndarray, fit: np.ndarray, rows: np.ndarray) -> float:
    """SD factor of the mean deviation over ``rows`` from a linear trend fitted on the ``fit`` years.

    With independent errors of variance σ², the mean over m out-of-fit years of the deviations
    from the fitted trend has variance σ²·(1/m + 1/n + (t̄ − t̄_fit)²/Sxx) (prediction error of a
    mean, n fit years); a single fit year's residual has σ²·(1 − 1/n − (t − t̄_fit)²/Sxx).

    >>> years = np.arange(2010, 2020)
    >>> round(forecast_factor(years, years < 2015, years == 2015), 4)  # √(1 + 1/5 + 9/10)
    1.4491
    >>> round(forecast_factor(years, years < 2015, years == 2012), 4)  # √(1 − 1/5 − 0)
    0.8944
    """
    fit, rows = np.asarray(fit, bool), np.asarray(rows, bool)
    centre = years[fit].mean()
    sxx = float(np.sum((years[fit] - centre) ** 2))
    n, m = int(fit.sum()), int(rows.sum())
    lever = (years[rows].mean() - centre) ** 2 / sxx
    if m == 1 and fit[rows].all():
        return float(np.sqrt(1 - 1 / n - lever))
    return float(np.sqrt(1 / m + 1 / n + lever))


def _combined(
    estimate: float, rmse: float, placebo_stats: np.ndarray, factor: float, df_model: int
) -> tuple[float, float, float, float]:
    """Half-width (95 %), combined p, model p and placebo p of one deviation (see ``event_study``)."""
    j = len(placebo_stats)
    sigma, _t, p_placebo = _studentised_t(estimate, rmse, placebo_stats)
    se_model = rmse * factor
    p_model = float(2 * student_t.sf(abs(estimate) / se_model, df_model)) if se_model > 0 else float("nan")
    half = max(float(student_t.ppf(0.975, j)) * sigma * rmse, float(student_t.ppf(0.975, df_model)) * se_model)
    return half, max(p_model, p_placebo), p_model, p_placebo


def event_study(panel: pd.DataFrame, treated: str, start: int, lag: int, pretest_years: int = 2) -> EventStudy:
    """panel: unit, year, y (log rate). One treated unit, inference valid without exchangeability.

    Each unit's series minus the mean of the other comparison units is detrended by a linear
    trend fitted on the years before ``start`` (unit-specific trends: comparison communes may
    trend differently from the city). Deviations from that trend are the event-time estimates.

    Inference: two tests, each valid under its own assumption; a deviation counts only if both
    reject (the larger p-value, the wider interval), so the result is valid if either holds.

    * Model-based, the treated unit alone: its deviations from the fitted trend have independent
      errors of constant variance, estimated from its own pre-period residuals; the prediction
      error of the post mean (``forecast_factor``) gives a t statistic with n_pre − 2 degrees of
      freedom. Needs no comparison unit to be like the city (the city carries poverty-driven
      variation, the comparison communes are noise around a trend).
    * Placebo: every comparison unit re-runs the estimator as a placebo "treated" unit
      (Abadie, Diamond & Hainmueller 2010; Conley & Taber 2011), statistics studentised by each
      unit's pre-period RMSE (Ferman & Pinto 2019), t with J degrees of freedom. Valid when the
      studentised statistics are exchangeable; robust to persistent shocks the units share in kind.

    In the project's generator (benchmarks/simulate_hze.py, ``--event-study``) the model-based
    test alone over-rejects under persistent shocks, the placebo test alone under-covers the
    planted effect; the combination keeps size and coverage in every scenario. The rank p-value
    needs no distributional assumption but cannot go below 1/(J + 1).
    """
    wide = panel.pivot_table(index="year", columns="unit", values="y").dropna(axis=1)
    years = wide.index.to_numpy(int)
    paths = _difference_paths(wide, treated)
    fit = years < start
    df_model = int(fit.sum()) - 2
    detrended = {u: _detrend(p, years, fit) for u, p in paths.items()}
    resid_t, rmse_t, slope_t = detrended[treated]
    placebos = [u for u in detrended if u != treated]
    stud = np.array([detrended[u][0] / detrended[u][1] for u in placebos])  # J × years
    j = len(placebos)
    rows = []
    for i, year in enumerate(years):
        factor = forecast_factor(years, fit, years == year)
        half, p, _pm, _pp = _combined(resid_t[i], rmse_t, stud[:, i], factor, df_model)
        rows.append((int(year - start), resid_t[i], resid_t[i] - half, resid_t[i] + half, p))
    table = pd.DataFrame(rows, columns=["event_time", "estimate", "ci_low", "ci_high", "p_value"])
    post = (years - start) >= lag
    nan2 = (float("nan"), float("nan"))
    post_mean, post_ci, post_p, post_rank, p_model, p_placebo = float("nan"), nan2, *[float("nan")] * 4
    if post.any():
        post_mean = float(resid_t[post].mean())
        placebo_means = stud[:, post].mean(axis=1)
        factor = forecast_factor(years, fit, post)
        half, post_p, p_model, p_placebo = _combined(post_mean, rmse_t, placebo_means, factor, df_model)
        post_ci = (post_mean - half, post_mean + half)
        post_rank = _rank_p(post_mean / rmse_t, placebo_means)
    pre_f_p, pre_rank_p = _hotelling_pretest(paths, treated, years, start, pretest_years)
    return EventStudy(
        table,
        pre_f_p,
        pre_rank_p,
        slope_t,
        post_mean,
        post_ci,
        post_p,
        post_rank,
        j,
        p_model,
        p_placebo,
        int(fit.sum()),
    )


# --- prices -------------------------------------------------------------------------------


def price_index(
    years: list[int] | np.ndarray, growth: float, jumps: dict[int, float], explicit: dict[int, float]
) -> pd.Series:
    """Price level per year: ``explicit`` values where given; other years chained from the nearest
    explicit year (or from 1,0 in the first year) with (1 + growth) per year and the one-off
    ``jumps`` (year → rate, applied from that year on).

    >>> price_index([2021, 2022, 2023], 0.03, {2023: 0.08}, {}).round(4).tolist()
    [1.0, 1.03, 1.1458]
    >>> price_index([2022, 2023], 0.03, {}, {2021: 100.0}).round(2).tolist()
    [103.0, 106.09]
    """
    known = {int(k): float(v) for k, v in explicit.items()}
    wanted = sorted(int(y) for y in years)
    grid = range(min([*wanted, *known]), max([*wanted, *known]) + 1)
    model, level = {}, 1.0
    for y in grid:
        level *= 1.0 if y == grid[0] else (1 + growth) * (1 + jumps.get(y, 0.0))
        model[y] = level
    out = {}
    for y in wanted:
        if y in known or not known:
            out[y] = known.get(y, model[y])
        else:
            anchor = min(known, key=lambda k: abs(k - y))
            out[y] = known[anchor] * model[y] / model[anchor]
    return pd.Series(out, dtype=float)


def deflate(values: pd.Series, index: pd.Series, base_year: int) -> pd.Series:
    """Nominal values (indexed by year) in prices of ``base_year``."""
    return values * index.loc[base_year] / index.reindex(values.index)


# --- cost-effect balance ------------------------------------------------------------------


def duration_profile(mean_months: float, horizon: int, grid: int = 400) -> np.ndarray:
    """Share of a case's expected case-time that falls in its start year (0) and the years after.

    Assumptions: start uniform within the year, duration exponential with the given mean.
    ∫ over [j, j+1] of P(case still active at x) dx, averaged over the start time u.
    """
    m = max(mean_months, 1e-6) / 12
    u = (np.arange(grid) + 0.5) / grid
    j = np.arange(horizon)
    lo = np.maximum(j[None, :], u[:, None])
    hi = (j + 1)[None, :]
    part = m * (np.exp(-(lo - u[:, None]) / m) - np.exp(-(hi - u[:, None]) / m))
    return np.where(hi > lo, part, 0.0).mean(axis=0) / m


def cost_per_case_year(yearly: pd.DataFrame, expenditure: pd.DataFrame) -> pd.DataFrame:
    """Expenditure per full case-year, year × basis (nominal)."""
    eur = expenditure.pivot_table(index="year", columns="basis", values="eur", aggfunc="sum")
    years_of_care = yearly.pivot_table(index="year", columns="basis", values="case_days", aggfunc="sum") / 365
    return eur / years_of_care.replace(0, np.nan)


def mean_duration_months(yearly: pd.DataFrame) -> pd.Series:
    """Mean duration of ended cases per basis, pooled over all years."""
    sums = yearly.groupby("basis")[["ended_months", "ended"]].sum()
    return sums["ended_months"] / sums["ended"].replace(0, np.nan)


def unit_cost_matrix(
    shares: pd.Series, durations: pd.Series, cost_year: pd.DataFrame, years: list[int]
) -> pd.DataFrame:
    """Cost of one new case of the basis mix ``shares`` started in year s (rows), paid in year y (columns).

    cost[s, y] = Σ_b share_b · duration_b (years) · profile_b[y − s] · cost per case-year_b(y).
    """
    out = pd.DataFrame(0.0, index=pd.Index(years, name="start"), columns=pd.Index(years, name="spend"))
    for basis, share in shares.items():
        months = durations.get(basis, np.nan)
        if not share or np.isnan(months):
            continue
        profile = duration_profile(months, len(years))
        cost = (
            cost_year[basis].reindex(years).ffill().bfill().to_numpy() if basis in cost_year else np.zeros(len(years))
        )
        for i, _s in enumerate(years):
            out.iloc[i, i:] += share * months / 12 * profile[: len(years) - i] * cost[i:]
    return out


def spending_kernel(cases: pd.Series, unit_cost: pd.DataFrame) -> pd.Series:
    """Spending per payment year caused by ``cases`` (new cases by start year) at ``unit_cost``."""
    started = cases.groupby(level=0).sum().reindex(unit_cost.index, fill_value=0.0)
    return pd.Series(started.to_numpy() @ unit_cost.to_numpy(), index=unit_cost.columns)


def avoided_spending(kernels: dict[str, pd.Series], coefs: dict[str, float]) -> pd.Series:
    """Avoided HzE spending per payment year: Σ_phase (1/RR_phase − 1)·kernel_phase.

    A rate ratio RR = exp(coef) means the counterfactual is observed / RR, so avoided cases are
    observed · (1/RR − 1); ``kernels`` hold the spending the observed cases of each phase cause.
    """
    total = sum(np.expm1(-coefs[p]) * k for p, k in kernels.items())
    return total if isinstance(total, pd.Series) else pd.Series(dtype=float)


def balance(prevention: pd.Series, avoided: pd.Series, discount_rate: float, base_year: int) -> pd.DataFrame:
    """Yearly and cumulated (discounted to ``base_year``) spending, avoided costs and net."""
    years = sorted(set(prevention.index) | set(avoided.index))
    out = pd.DataFrame(index=pd.Index(years, name="year"))
    out["prevention_eur"] = prevention.reindex(years).fillna(0.0)
    out["avoided_eur"] = avoided.reindex(years).fillna(0.0)
    factor = (1 + discount_rate) ** -(np.asarray(years) - base_year)
    out["net_eur"] = (out["avoided_eur"] - out["prevention_eur"]) * factor
    out["cum_prevention_eur"] = (out["prevention_eur"] * factor).cumsum()
    out["cum_avoided_eur"] = (out["avoided_eur"] * factor).cumsum()
    out["cum_net_eur"] = out["net_eur"].cumsum()
    return out.reset_index()


def break_even_year(cum_net: pd.Series) -> int | None:
    """First year from which the cumulated net stays ≥ 0 (None if it is negative at the end)."""
    values = cum_net.to_numpy()
    years = cum_net.index.to_numpy()
    if len(values) == 0 or values[-1] < 0:
        return None
    negative = np.nonzero(values < 0)[0]
    return int(years[0] if len(negative) == 0 else years[negative[-1] + 1])
