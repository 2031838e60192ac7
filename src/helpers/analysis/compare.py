"""Comparing Stadtteile without league tables: funnel plots and empirical-Bayes shrinkage.

Two questions about each area, against the CITY value θ₀ (the target is the city-wide value,
not the mean of the Stadtteile), after Spiegelhalter (2005, Stat Med 24:1185):

1. **Chance alone?** Exact tail probabilities of the area's count x with denominator n under
   Binomial(n, θ₀) (shares) or Poisson(nθ₀) (rates): the area lies above the 99.8 % limit when
   P(X ≥ x) < 0.001, above the 95 % limit when P(X ≥ x) < 0.025, and symmetrically below with
   P(X ≤ x). ``position_code`` holds the result; ``unusual`` = beyond 99.8 %. The funnel LINES
   are drawn with Spiegelhalter's interpolated quantiles (Appendix A.1, ``exact_limit``), which
   are continuous in n; they are not used to flag (a count exactly at a boundary is not beyond it:
   57 of 57 at θ₀ = 0.94 has P(X ≥ 57) = 0.94⁵⁷ ≈ 0.029).
2. **More than the usual differences between areas?** Random-effects (over-dispersion) model on
   the logit (shares) or log (rates) scale: y_i = empirical logit / log of the area,
   y_i − y₀ ~ N(0, v_i + τ²) with v_i = 1/(n_i θ₀(1 − θ₀)) resp. 1/(n_i θ₀) (delta method at θ₀)
   and y₀ = logit θ₀ / log θ₀. τ² is the Paule–Mandel estimate with the centre y₀ known
   (Σ (y_i − y₀)²/(v_i + τ²) = m, truncated at 0), and for area i it is estimated from the OTHER
   areas (leave-one-out), so an outlier does not widen its own band. The standardised residual
   Two conditions decide, both with τ²₍₋ᵢ₎ and the centre c chosen so that the random-effects
   distribution has the city value as its mean (rates: c = log θ₀ − τ²/2; shares: solved
   numerically): (a) the standardised residual z_i = (y_i − c)/√(v_i + τ²₍₋ᵢ₎) exceeds the 99.9 %
   quantile of Student's t with m − 1 degrees of freedom (m − 1 other areas estimate the spread;
   with equal v_i this is the exact outlier test, so with few areas the band is correspondingly
   wide); (b) the exact tail probability of the count under the random-effects mixture
   (Binomial/Poisson given θ_i, integrated over the normal τ² distribution by Gauss–Hermite
   quadrature) is below 0.001, so small counts near 0 or 100 % are judged by their distribution,
   not by a normal approximation. An area is *beyond the over-dispersion band* when it is beyond
   the exact 99.8 % limit and (a) and (b) hold on the same side: its difference is more than
   chance and more than the usual differences between Stadtteile explain. ``funnel_code``
   combines both answers: ``above_chance``/``below_chance`` (beyond both), ``above_usual``/
   ``below_usual`` (beyond the exact limit, inside the band), ``chance`` (inside the exact 99.8 %
   limits).
   ``benchmarks/simulate_funnel.py`` measures the false-flag rates of both flags with 4, 13 and
   150 areas, near 0 and 100 %, with and without over-dispersion and a planted outlier.

Empirical Bayes (Marshall 1991, global method of moments, as in R epiR ``epi.empbayes``),
shrinking towards the city value γ = θ₀ (default: Σx/Σn of the areas):
φ = Σn(r − γ)²/Σn − γ/n̄ (rates) or − γ(1 − γ)/n̄ (shares, Martuzzi & Elliott 1996),
truncated at 0; EB_i = γ + C_i(r_i − γ) with C_i = φ/(φ + v_i), v_i = γ/n_i (rates) or
γ(1 − γ)/n_i (shares). φ = 0 means no between-area variation beyond chance is detectable:
every EB value is then γ, and ``funnel_table`` reports it as ``eb_collapsed``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import binom, norm, poisson
from scipy.stats import t as student_t

Z95 = float(norm.ppf(0.975))
Z998 = float(norm.ppf(0.999))
#: one-sided tail probabilities of the two levels (two-sided 95 % and 99.8 %)
TAIL95, TAIL998 = 0.025, 0.001
#: the funnel codes of an area (labels: ``helpers.report.labels.FUNNEL``)
FUNNEL_CODES = ("above_chance", "above_usual", "chance", "below_usual", "below_chance")


def unit_variance(theta: float, n: np.ndarray, share: bool) -> np.ndarray:
    """Sampling variance of a share (binomial) or rate (Poisson) with denominator n."""
    n = np.asarray(n, float)
    return theta * (1 - theta) / n if share else theta / n


def funnel_limits(
    theta: float, n: np.ndarray, z: float, share: bool, tau2: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """Normal-approximation limits θ₀ ± z·√(s² + τ²) at denominators ``n`` (raw scale; reference only)."""
    s = np.sqrt(unit_variance(theta, n, share) + tau2)
    low, high = theta - z * s, theta + z * s
    if share:
        return np.clip(low, 0, 1), np.clip(high, 0, 1)
    return np.clip(low, 0, None), high


def tail_probabilities(x: np.ndarray, n: np.ndarray, theta: float, share: bool) -> tuple[np.ndarray, np.ndarray]:
    """Exact P(X ≥ x) and P(X ≤ x) under Binomial(n, θ₀) (shares) or Poisson(nθ₀) (rates).

    >>> hi, lo = tail_probabilities(np.array([57]), np.array([57]), 0.94, True)
    >>> round(float(hi[0]), 4), round(float(lo[0]), 4)
    (0.0294, 1.0)
    """
    x = np.round(np.asarray(x, float))
    n = np.asarray(n, float)
    if share:
        size = np.round(n).astype(int)
        return binom.sf(x - 1, size, theta), binom.cdf(x, size, theta)
    return poisson.sf(x - 1, theta * n), poisson.cdf(x, theta * n)


def position_codes(p_upper: np.ndarray, p_lower: np.ndarray) -> np.ndarray:
    """Position against the exact limits from the two tail probabilities (``above_998`` … ``inside``)."""
    return np.select(
        [p_upper < TAIL998, p_upper < TAIL95, p_lower < TAIL998, p_lower < TAIL95],
        ["above_998", "above_95", "below_998", "below_95"],
        "inside",
    )


def link_scale(x: np.ndarray, n: np.ndarray, theta: float, share: bool) -> tuple[np.ndarray, float, np.ndarray]:
    """Observed values y, centre y₀ and null sampling variances v on the logit (shares) / log (rates) scale.

    y is the empirical logit log((x + ½)/(n − x + ½)) resp. log((x + ½)/n), so a count of 0 or n
    stays finite; v = 1/(nθ₀(1 − θ₀)) resp. 1/(nθ₀).
    """
    x, n = np.asarray(x, float), np.asarray(n, float)
    if share:
        return np.log((x + 0.5) / (n - x + 0.5)), float(np.log(theta / (1 - theta))), 1 / (n * theta * (1 - theta))
    return np.log((x + 0.5) / n), float(np.log(theta)), 1 / (n * theta)


def paule_mandel_tau2(
    d2: np.ndarray, v: np.ndarray, mask: np.ndarray | None = None, iterations: int = 60
) -> np.ndarray:
    """Paule–Mandel τ² with known centre: the root of Σ d²/(v + τ²) = m over the areas in each row of ``mask``.

    ``d2`` squared deviations from the centre, ``v`` sampling variances (length m); ``mask`` a
    boolean matrix (rows = estimates, columns = areas used; default: one row with all areas).
    Vectorised bisection; 0 where Σ d²/v ≤ m (no over-dispersion). Equal v: τ² = max(0, mean d² − v).
    """
    d2, v = np.asarray(d2, float), np.asarray(v, float)
    mask = np.ones((1, len(d2)), bool) if mask is None else np.asarray(mask, bool)
    m = mask.sum(axis=1)

    def excess(tau2: np.ndarray) -> np.ndarray:
        return np.where(mask, d2 / (v + tau2[:, None]), 0.0).sum(axis=1) - m

    low = np.zeros(len(mask))
    high = np.where(mask, d2, 0.0).max(axis=1) + 1e-12
    positive = excess(low) > 0
    for _ in range(iterations):
        mid = (low + high) / 2
        up = excess(mid) > 0
        low, high = np.where(up, mid, low), np.where(up, high, mid)
    return np.where(positive & (m > 0), (low + high) / 2, 0.0)


def overdispersion_tau2(x: np.ndarray, n: np.ndarray, theta: float, share: bool) -> float:
    """Between-area variance τ² of all areas on the logit / log scale (Paule–Mandel, centre y₀; 0 = none)."""
    y, y0, v = link_scale(x, n, theta, share)
    return float(paule_mandel_tau2((y - y0) ** 2, v)[0]) if len(y) >= 2 else 0.0


def loo_tau2(x: np.ndarray, n: np.ndarray, theta: float, share: bool) -> np.ndarray:
    """τ² for each area estimated from the other areas only (leave-one-out Paule–Mandel)."""
    y, y0, v = link_scale(x, n, theta, share)
    if len(y) < 2:
        return np.zeros(len(y))
    return paule_mandel_tau2((y - y0) ** 2, v, ~np.eye(len(y), dtype=bool))


def od_quantile(m: int, tail: float = TAIL998) -> float:
    """Quantile of the over-dispersion band for m areas: Student's t with m − 1 degrees of freedom."""
    return float(student_t.ppf(1 - tail, max(m - 1, 1)))


#: Gauss–Hermite nodes and weights (for E f(U), U ~ N(0, 1): Σ w_k f(√2 x_k) / √π)
_GH_X, _GH_W = np.polynomial.hermite.hermgauss(40)
_GH_W = _GH_W / np.sqrt(np.pi)
_GH_U = np.sqrt(2) * _GH_X


def mixture_centre(theta: float, tau2: np.ndarray, share: bool, iterations: int = 30) -> np.ndarray:
    """Centre c on the logit / log scale with E[expit(c + τU)] = θ₀ resp. E[exp(c + τU)] = θ₀, U ~ N(0, 1).

    >>> float(mixture_centre(0.02, np.array([0.5]), False)[0]) == float(np.log(0.02) - 0.25)
    True
    """
    tau2 = np.atleast_1d(np.asarray(tau2, float))
    if not share:
        return np.log(theta) - tau2 / 2
    c = np.full(len(tau2), np.log(theta / (1 - theta)))
    tau = np.sqrt(tau2)[:, None]
    for _ in range(iterations):  # Newton on the mean share
        p = 1 / (1 + np.exp(-(c[:, None] + tau * _GH_U[None, :])))
        mean, slope = p @ _GH_W, (p * (1 - p)) @ _GH_W
        c = c - (mean - theta) / slope
    return c


def mixture_tails(
    x: np.ndarray, n: np.ndarray, centre: np.ndarray, tau2: np.ndarray, share: bool
) -> tuple[np.ndarray, np.ndarray]:
    """P(X ≥ x) and P(X ≤ x) per area when logit θ_i (log θ_i) ~ N(centre, τ²) and X | θ_i is binomial (Poisson)."""
    x, n = np.round(np.asarray(x, float))[:, None], np.asarray(n, float)[:, None]
    eta = np.asarray(centre, float)[:, None] + np.sqrt(np.asarray(tau2, float))[:, None] * _GH_U[None, :]
    if share:
        size, p = np.round(n).astype(int), 1 / (1 + np.exp(-eta))
        return binom.sf(x - 1, size, p) @ _GH_W, binom.cdf(x, size, p) @ _GH_W
    mu = n * np.exp(eta)
    return poisson.sf(x - 1, mu) @ _GH_W, poisson.cdf(x, mu) @ _GH_W


def od_band(
    theta: float, n: np.ndarray, share: bool, tau2: float | np.ndarray, q: float
) -> tuple[np.ndarray, np.ndarray]:
    """Condition (a) of the band on the 0–1 / per-person scale: c ± q·√(v(n) + τ²), transformed back."""
    n = np.asarray(n, float)
    tau2 = np.broadcast_to(np.asarray(tau2, float), n.shape)
    c = mixture_centre(theta, tau2.ravel(), share).reshape(n.shape)
    if share:
        half = q * np.sqrt(1 / (n * theta * (1 - theta)) + tau2)
        return 1 / (1 + np.exp(-(c - half))), 1 / (1 + np.exp(-(c + half)))
    half = q * np.sqrt(1 / (n * theta) + tau2)
    return np.exp(c - half), np.exp(c + half)


def exact_limit(theta: float, n: np.ndarray, p: float, share: bool) -> np.ndarray:
    """Spiegelhalter's (2005, Appendix A.1) interpolated exact p-quantile limit (for drawing the funnel lines)."""
    n = np.asarray(n, float)
    dist = binom(np.round(n).astype(int), theta) if share else poisson(theta * n)
    r = dist.ppf(p)
    upper, lower = dist.cdf(r), dist.cdf(r - 1)
    alpha = np.where(upper > lower, (upper - p) / np.where(upper > lower, upper - lower, 1.0), 0.0)
    limit = (r - alpha) / n
    return np.clip(limit, 0, 1) if share else np.clip(limit, 0, None)


def exact_limits(theta: float, n: np.ndarray, share: bool) -> dict[str, np.ndarray]:
    """Interpolated exact 95 % and 99.8 % limits for drawing: keys lo998, lo95, hi95, hi998."""
    probs = {"lo998": TAIL998, "lo95": TAIL95, "hi95": 1 - TAIL95, "hi998": 1 - TAIL998}
    return {k: exact_limit(theta, n, p, share) for k, p in probs.items()}


def funnel_codes(
    position: np.ndarray, z_od: np.ndarray, q: float, mix_upper: np.ndarray, mix_lower: np.ndarray
) -> np.ndarray:
    """Combine the exact position, the over-dispersion residual and the mixture tails into ``FUNNEL_CODES``."""
    position = np.asarray(position)
    return np.select(
        [
            (position == "above_998") & (z_od > q) & (mix_upper < TAIL998),
            position == "above_998",
            (position == "below_998") & (z_od < -q) & (mix_lower < TAIL998),
            position == "below_998",
        ],
        ["above_chance", "above_usual", "below_chance", "below_usual"],
        "chance",
    )


def funnel_table(frame: pd.DataFrame, theta: float, share: bool) -> pd.DataFrame:
    """Per area: value, exact position and over-dispersion verdict against the city value ``theta``.

    ``frame`` has ``numerator`` and ``denominator``; values are on the 0–1 / per-person scale.
    Columns added: ``rate``; ``z_raw`` (binomial/Poisson z without τ², raw scale); ``p_upper``,
    ``p_lower`` (exact tails); ``position_code`` (exact 95 / 99.8 % position); ``unusual``
    (beyond the exact 99.8 % limits); ``tau2`` (all areas, logit/log scale, for drawing the band),
    ``tau2_loo`` (without the area), ``z`` (over-dispersion residual with ``tau2_loo``),
    ``mix_upper``/``mix_lower`` (tails under the random-effects mixture; NaN where the exact flag
    or condition (a) already fails),
    ``od_quantile`` (t quantile), ``od998_low/high`` (the area's band, raw scale);
    ``beyond_overdispersion``; ``funnel_code``; interpolated drawing limits ``lim95_low/high``,
    ``lim998_low/high``.
    """
    x = frame["numerator"].to_numpy(float)
    n = frame["denominator"].to_numpy(float)
    r = x / n
    p_upper, p_lower = tail_probabilities(x, n, theta, share)
    codes = position_codes(p_upper, p_lower)
    y, _y0, v = link_scale(x, n, theta, share)
    tau2_loo = loo_tau2(x, n, theta, share)
    centre = mixture_centre(theta, tau2_loo, share)
    q = od_quantile(len(x))
    z_od = (y - centre) / np.sqrt(v + tau2_loo)
    # the mixture tails decide only where the exact flag and (a) hold: computed there, NaN elsewhere
    mix_upper, mix_lower = np.full(len(x), np.nan), np.full(len(x), np.nan)
    candidate = np.isin(codes, ["above_998", "below_998"]) & (np.abs(z_od) > q)
    if candidate.any():
        mix_upper[candidate], mix_lower[candidate] = mixture_tails(
            x[candidate], n[candidate], centre[candidate], tau2_loo[candidate], share
        )
    limits = exact_limits(theta, n, share)
    out = frame.copy()
    out["rate"] = r
    out["z_raw"] = (r - theta) / np.sqrt(unit_variance(theta, n, share))
    out["p_upper"], out["p_lower"] = p_upper, p_lower
    out["tau2"] = overdispersion_tau2(x, n, theta, share)
    out["tau2_loo"] = tau2_loo
    out["z"] = z_od
    out["od_quantile"] = q
    for key, col in (("lo95", "lim95_low"), ("hi95", "lim95_high"), ("lo998", "lim998_low"), ("hi998", "lim998_high")):
        out[col] = limits[key]
    out["od998_low"], out["od998_high"] = od_band(theta, n, share, tau2_loo, q)
    out["position_code"] = codes
    out["unusual"] = np.isin(codes, ["above_998", "below_998"])
    out["mix_upper"], out["mix_lower"] = mix_upper, mix_lower
    fc = funnel_codes(codes, z_od, q, mix_upper, mix_lower)
    out["funnel_code"] = fc
    out["beyond_overdispersion"] = np.isin(fc, ["above_chance", "below_chance"])
    return out


def empirical_bayes(
    x: np.ndarray, n: np.ndarray, share: bool, target: float | None = None
) -> tuple[np.ndarray, float, float]:
    """Global EB estimates (Marshall 1991) shrunk towards ``target`` (default Σx/Σn); returns (estimates, γ, φ).

    φ = 0 (no between-area variance beyond chance) returns γ for every area; callers report
    this case (``eb_collapsed``) instead of presenting equal values as a finding.
    """
    x, n = np.asarray(x, float), np.asarray(n, float)
    r = x / n
    gamma = float(x.sum() / n.sum()) if target is None else float(target)
    noise = gamma * (1 - gamma) if share else gamma
    phi = max(float((n * (r - gamma) ** 2).sum() / n.sum() - noise / n.mean()), 0.0)
    v = noise / n
    c = phi / (phi + v) if phi > 0 else np.zeros_like(n)
    return gamma + c * (r - gamma), gamma, phi
