"""Year-to-year persistence of small-area series: a variance model pooled over the areas of one indicator.

A yearly value of an area is observed on the link scale (shares: empirical logit, rates: log,
money: log value) as

    y_t = level + trend_t + u_t + e_t,

* e_t: sampling noise with known variance v_t (binomial/Poisson count of that year), scaled by a
  common dispersion φ ≥ 1 (e.g. children counted in households, not one by one);
* u_t: persistent local conditions, a stationary AR(1) process with variance σ² and coefficient ρ
  over calendar years (Corr(u_s, u_t) = ρ^|s − t|, so gaps in a series are handled exactly).

φ, σ² and ρ are common to the Stadtteile of one indicator and estimated by restricted maximum
likelihood (REML) over all of them at once, each area with its own linear trend (the model the
trend test uses, so the estimate is the exact REML of that model; a quadratic detrending was
tried and estimated ρ too high in 5- and 8-year series: 20 % instead of 5 % false alarms per
family in ``benchmarks/simulate_trends.py``). Pooled over 10–150 areas the three parameters come
from hundreds of residual degrees of freedom, so intervals do not collapse to t with one degree
of freedom as a series-by-series estimate does (the cause of the ±60 Pp. a year intervals of
earlier editions). The city uses the Stadtteile's model too (``helpers.analysis.trends``).

Everything here is plain numpy/scipy on small dense matrices (a series has at most a few dozen
years); ``gls_slope`` is generalised least squares with this covariance.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import optimize

#: Degree of the polynomial trend each series gets when the noise parameters are estimated.
DETREND_DEGREE = 1
#: Bounds of the AR(1) coefficient (a stationary process; ρ → 1 cannot be told from a trend).
MAX_RHO = 0.9
#: Bounds of log σ² and log φ for the optimiser.
LOG_S2_BOUNDS = (-16.0, 3.0)
LOG_PHI_BOUNDS = (0.0, 3.0)


@dataclass(frozen=True)
class Series:
    """One area's series on the link scale: years, values y and known sampling variances v."""

    years: np.ndarray
    y: np.ndarray
    v: np.ndarray


@dataclass(frozen=True)
class Noise:
    """Variance model of the year-to-year noise: dispersion φ, persistent variance σ², AR(1) ρ."""

    phi: float
    s2: float
    rho: float
    df: float  # residual degrees of freedom the parameters were estimated from
    #: the REML profile over ρ: (σ², ρ, φ, likelihood weight) at each ρ of ``RHO_GRID``, σ² and φ
    #: re-estimated there; the weight is exp(−½ Δ(−2 log L)) against the optimum
    plausible: tuple[tuple[float, float, float, float], ...] = ()
    #: number of series the parameters were pooled over (the Stadtteile)
    n_series: int = 1


def _noise_at(theta: np.ndarray, df: float) -> Noise:
    """Noise from θ = (log σ², ρ, log φ)."""
    return Noise(float(np.exp(theta[2])), float(np.exp(theta[0])), float(theta[1]), df)


#: The persistence is shared by the areas of a family, so its estimate carries at most about one degree of
#: freedom per area (as cluster-robust inference uses G − 1): multiplier of (number of series − 1).
CLUSTER_DF = 1.0

#: Grid of ρ for the profile likelihood.
RHO_GRID = np.linspace(0.0, MAX_RHO, 10)


def link_series(years: Sequence[float], numerator: Sequence[float], denominator: Sequence[float], unit: str) -> Series:
    """Values on the link scale with their sampling variances at the series' mean level.

    Shares (``pct``): empirical logit log((x + ½)/(n − x + ½)), variance 1/(n·p̄(1 − p̄)); rates:
    log((x + ½)/n), variance 1/(n·r̄); money (``eur``): log(x/n), variance 0 (no sampling model: all
    variation is σ²). p̄ and r̄ are the series' pooled level, not each year's own count: weights that
    follow the year's own count pull the slope towards the years that happen to be low or high, which
    gave 2- to 3-fold too many extreme z values for small counts in ``benchmarks/simulate_trends.py``.

    >>> s = link_series([2020, 2021], [10, 20], [20, 40], "pct")  # p̄ = 30,5/61 = ½: 1/(20·¼), 1/(40·¼)
    >>> [round(float(v), 4) for v in s.y], [round(float(v), 4) for v in s.v]
    ([0.0, 0.0], [0.2, 0.1])
    """
    t, x, n = (np.asarray(a, float) for a in (years, numerator, denominator))
    if unit == "pct":
        level = (x.sum() + 0.5) / (n.sum() + 1.0)
        return Series(t, np.log((x + 0.5) / (n - x + 0.5)), 1 / (n * level * (1 - level)))
    if unit == "eur":
        return Series(t, np.log(x / n), np.zeros_like(x))
    return Series(t, np.log((x + 0.5) / n), 1 / (n * (x.sum() + 0.5) / n.sum()))


def ar1_corr(years: np.ndarray, rho: float) -> np.ndarray:
    """Corr(u_s, u_t) = ρ^|s − t| over calendar years (gaps allowed).

    >>> ar1_corr(np.array([2020.0, 2021.0, 2023.0]), 0.5)
    array([[1.   , 0.5  , 0.125],
           [0.5  , 1.   , 0.25 ],
           [0.125, 0.25 , 1.   ]])
    """
    d = np.abs(years[:, None] - years[None, :])
    return np.where(d == 0, 1.0, rho**d)


def design(years: np.ndarray, degree: int) -> np.ndarray:
    """Polynomial design in centred and scaled years (columns 1, t, t², …)."""
    t = years - years.mean()
    scale = max(float(np.abs(t).max()), 1.0)
    return np.vander(t / scale, degree + 1, increasing=True)


def covariance(s: Series, noise: Noise) -> np.ndarray:
    """V = φ·diag(v) + σ²·R(ρ)."""
    return noise.phi * np.diag(s.v) + noise.s2 * ar1_corr(s.years, noise.rho)


def _reml_batch(years: np.ndarray, y: np.ndarray, v: np.ndarray, x: np.ndarray, noise: Noise) -> float:
    """−2 × restricted log-likelihood (up to a constant), summed over a batch of equally long series.

    ``years``, ``y``, ``v``: (g, n); ``x``: (g, n, k) designs.
    """
    d = np.abs(years[:, :, None] - years[:, None, :])
    cov = noise.s2 * np.where(d == 0, 1.0, noise.rho**d) + noise.phi * v[:, :, None] * np.eye(y.shape[1])
    try:
        chol = np.linalg.cholesky(cov)
    except np.linalg.LinAlgError:
        return 1e12
    xi = np.linalg.solve(chol, x)
    yi = np.linalg.solve(chol, y[:, :, None])
    xtx = np.swapaxes(xi, 1, 2) @ xi
    sign, logdet_x = np.linalg.slogdet(xtx)
    if np.any(sign <= 0):
        return 1e12
    beta = np.linalg.solve(xtx, np.swapaxes(xi, 1, 2) @ yi)
    r = (yi - xi @ beta)[:, :, 0]
    logdet_v = 2 * np.log(np.diagonal(chol, axis1=1, axis2=2)).sum()
    return float(logdet_v + logdet_x.sum() + (r * r).sum())


def _batches(series: Sequence[Series], degree: int) -> list[tuple[np.ndarray, ...]]:
    """Series grouped by length into stacked arrays (years, y, v, designs) for ``_reml_batch``."""
    groups: dict[int, list[Series]] = {}
    for s in series:
        groups.setdefault(len(s.y), []).append(s)
    return [
        (
            np.stack([s.years for s in g]),
            np.stack([s.y for s in g]),
            np.stack([s.v for s in g]),
            np.stack([design(s.years, degree) for s in g]),
        )
        for _, g in sorted(groups.items())
    ]


def _usable(series: Sequence[Series], degree: int) -> list[Series]:
    return [s for s in series if len(s.y) > degree + 1]


def estimate_noise(series: Sequence[Series], degree: int | None = None) -> Noise | None:
    """Pooled REML estimate of (φ, σ², ρ) over several series (None: no series with residual df).

    Each series keeps its own polynomial trend of ``degree``; φ is fixed at 1 where no series has a
    sampling variance (money) or where only one series is given.
    """
    degree = DETREND_DEGREE if degree is None else degree
    use = _usable(series, degree)
    if not use:
        return None
    batches = _batches(use, degree)
    df = float(sum(len(s.y) - degree - 1 for s in use))
    free_phi = any(float(s.v.max()) > 0 for s in use) and len(use) > 1

    def full(p: np.ndarray) -> np.ndarray:
        return np.array([p[0], p[1], p[2] if free_phi else 0.0])

    def objective3(theta: np.ndarray) -> float:
        noise = _noise_at(theta, df)
        return sum(_reml_batch(*b, noise) for b in batches)

    bounds = [LOG_S2_BOUNDS, (0.0, MAX_RHO)] + ([LOG_PHI_BOUNDS] if free_phi else [])
    best = None
    for start in ([-6.0, 0.2], [-3.0, 0.7]):
        x0 = np.array(start + ([0.05] if free_phi else []))
        res = optimize.minimize(lambda p: objective3(full(p)), x0, method="Nelder-Mead", bounds=bounds)
        if best is None or res.fun < best.fun:
            best = res
    assert best is not None
    theta = full(best.x)
    plausible = []
    for rho in RHO_GRID:
        free = [0, 2] if free_phi else [0]

        def at_rho(p: np.ndarray, rho: float = float(rho), free: list[int] = free) -> float:
            t = theta.copy()
            t[1], t[free] = rho, p
            return objective3(t)

        res = optimize.minimize(at_rho, theta[free], method="Nelder-Mead", bounds=[bounds[0], *bounds[2:]])
        t = theta.copy()
        t[1], t[free] = rho, res.x
        weight = float(np.exp(-max(res.fun - best.fun, 0.0) / 2))
        plausible.append((float(np.exp(t[0])), float(rho), float(np.exp(t[2])), weight))
    return Noise(float(np.exp(theta[2])), float(np.exp(theta[0])), float(theta[1]), df, tuple(plausible), len(use))


@dataclass(frozen=True)
class Slope:
    """GLS linear trend of one series on the link scale (centred at the series' mean year)."""

    beta: float  # change of the link value per year
    se: float
    level: float  # fitted link value at the centre year
    centre: float  # centre year


def gls_slope(s: Series, noise: Noise) -> Slope:
    """Generalised least squares of y on [1, year − mean year] with covariance ``covariance(s, noise)``.

    >>> s = Series(np.arange(5.0), np.array([0.0, 1.0, 2.0, 3.0, 4.0]), np.full(5, 0.1))
    >>> fit = gls_slope(s, Noise(1.0, 0.0, 0.0, 10.0))
    >>> round(fit.beta, 6), round(fit.se, 6), round(fit.level, 6)
    (1.0, 0.1, 2.0)
    """
    centre = float(s.years.mean())
    x = np.column_stack([np.ones_like(s.years), s.years - centre])
    vinv = np.linalg.inv(covariance(s, noise))
    bread = np.linalg.inv(x.T @ vinv @ x)
    beta = bread @ x.T @ vinv @ s.y
    return Slope(float(beta[1]), float(np.sqrt(bread[1, 1])), float(beta[0]), centre)


def conservative_se(s: Series, noise: Noise) -> float:
    """The slope's standard error averaged over the persistence ρ the data allow (``Noise.plausible``).

    With few years ρ is poorly determined, and a plug-in ρ̂ that happens to be too high makes every
    area's interval of a family too narrow at once (2- to 3-fold too many false alarms per family in
    5-, 8- and 16-year series in ``benchmarks/simulate_trends.py``). The variance is therefore averaged
    over a grid of ρ, each with the REML profile likelihood as weight (σ² and φ re-estimated at each
    ρ): the integrated likelihood with a flat prior on ρ. Never below the plug-in value.
    """
    plug_in = gls_slope(s, noise).se
    if not noise.plausible:
        return plug_in
    weights = np.array([w for *_, w in noise.plausible])
    variances = np.array([gls_slope(s, Noise(phi, s2, rho, noise.df)).se ** 2 for s2, rho, phi, _ in noise.plausible])
    return float(max(np.sqrt(weights @ variances / weights.sum()), plug_in))


def slope_df(s: Series, noise: Noise) -> float:
    """Degrees of freedom of the slope's t statistic (Satterthwaite, with the persistence's effective df).

    The slope variance is a + b: a = φ·wᵀDw from the sampling noise, b = σ²·wᵀRw from the persistent
    part (w the GLS weights). The pooled σ² comes from residuals that are themselves autocorrelated,
    so it carries about df·(1 − ρ)/(1 + ρ) effective degrees of freedom, not df (the effective sample
    size of an AR(1) series); with that, Satterthwaite gives df_eff·((a + b)/b)², capped at df. Where
    the persistent part is small, the t quantile is the normal one; where it dominates, the tails are
    those of the few effective degrees of freedom.

    The effective df are also at most one per pooled area less one (``CLUSTER_DF``): the persistence is
    shared by the family, as clusters share a cluster-robust variance. Without sampling noise (money) the
    df is the effective one, 99·0,5/1,5 = 33 from 50 areas, 12 from 13 areas; without persistence, df:

    >>> years = np.arange(5.0)
    >>> money, counts = Series(years, np.zeros(5), np.zeros(5)), Series(years, np.zeros(5), np.ones(5))
    >>> [round(slope_df(money, Noise(1.0, 1.0, 0.5, 99.0, n_series=m)), 6) for m in (50, 13)]
    [33.0, 12.0]
    >>> slope_df(counts, Noise(1.0, 0.0, 0.5, 100.0))
    100.0
    """
    centre = float(s.years.mean())
    x = np.column_stack([np.ones_like(s.years), s.years - centre])
    vinv = np.linalg.inv(covariance(s, noise))
    w = (np.linalg.inv(x.T @ vinv @ x) @ x.T @ vinv)[1]
    a = noise.phi * float(w @ np.diag(s.v) @ w)
    b = noise.s2 * float(w @ ar1_corr(s.years, noise.rho) @ w)
    df = max(noise.df, 1.0)
    if b <= 0:
        return df
    effective = max(min(df * (1 - noise.rho) / (1 + noise.rho), CLUSTER_DF * max(noise.n_series - 1, 1)), 1.0)
    return float(min(effective * ((a + b) / b) ** 2, df))


def common_share(series: Sequence[Series], noise: Noise) -> float:
    """Share c ∈ [0, 1] of the persistent variance σ² that the areas have in common (year effects).

    Residuals after each area's own straight line (OLS, residual maker M of the commonest set of years)
    of different areas are correlated only through what they share: E[Σ_t r_it r_jt] = c·σ²·tr(M R M)
    for i ≠ j. c is that moment estimate over all pairs, clipped to [0, 1]; 0 without persistence.

    A deviation orthogonal to the trend, y = (1, −1, −1, 1): Σr² = 4 over n − 2 = 2 residual df. Three
    areas that all show it: c = 4 / (2·σ²), so 1 at σ² = 2 and ½ at σ² = 4; opposite deviations: 0.

    >>> t, y, v = np.arange(4.0), np.array([1.0, -1.0, -1.0, 1.0]), np.zeros(4)
    >>> same = [Series(t, y, v)] * 3
    >>> common_share(same, Noise(1.0, 2.0, 0.0, 6.0)), common_share(same, Noise(1.0, 4.0, 0.0, 6.0))
    (1.0, 0.5)
    >>> common_share([Series(t, y, v), Series(t, -y, v)], Noise(1.0, 2.0, 0.0, 4.0))
    0.0
    """
    if noise.s2 <= 0 or len(series) < 2:
        return 0.0
    groups: dict[tuple[float, ...], list[Series]] = {}
    for s in series:
        groups.setdefault(tuple(s.years), []).append(s)
    years, members = max(groups.items(), key=lambda kv: len(kv[1]))
    if len(members) < 2 or len(years) < 3:
        return 0.0
    t = np.asarray(years)
    x = design(t, 1)
    m = np.eye(len(t)) - x @ np.linalg.pinv(x)
    resid = np.stack([m @ s.y for s in members])  # areas × years
    k = len(members)
    cross = float(((resid.sum(axis=0) ** 2) - (resid**2).sum(axis=0)).sum())
    expected = k * (k - 1) * noise.s2 * float(np.trace(m @ ar1_corr(t, noise.rho) @ m))
    return float(np.clip(cross / expected, 0.0, 1.0)) if expected > 0 else 0.0


def city_noise(pooled: Noise, share_common: float, weights: np.ndarray) -> Noise:
    """The city's noise model from its Stadtteile': a weighted mean of areas whose persistent deviations
    share c of their variance has σ²·(c + (1 − c)·Σw²) (w: the areas' shares of the city's denominator).

    >>> city_noise(Noise(1.0, 0.04, 0.5, 100.0), 0.25, np.full(4, 0.25)).s2  # 0,04 · (0,25 + 0,75 · 0,25)
    0.0175
    """
    w = np.asarray(weights, float) / float(np.sum(weights))
    factor = share_common + (1 - share_common) * float(np.sum(w**2))
    plausible = tuple((s2 * factor, rho, phi, wt) for s2, rho, phi, wt in pooled.plausible)
    return Noise(pooled.phi, pooled.s2 * factor, pooled.rho, pooled.df, plausible, pooled.n_series)
