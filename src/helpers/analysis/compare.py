"""Comparing Stadtteile without league tables: funnel plots and empirical-Bayes shrinkage.

Two sets of limits around the CITY value θ₀ (the target is the city-wide value, not the mean
of the Stadtteile), after Spiegelhalter (2005, Stat Med 24:1185):

1. Unadjusted limits, exact: the p-quantile of Binomial(n, θ₀) (shares) or Poisson(nθ₀)
   (rates) with Spiegelhalter's interpolation (Appendix A.1): r_p = F⁻¹(p),
   α = (F(r_p) − p)/(F(r_p) − F(r_p − 1)), limit = (r_p − α)/n, for p = 0.001/0.025/0.975/0.999.
   An area outside the 99.8 % limits is *unusual* ("auffällig"). (The normal approximation
   θ₀ ± z·√(θ₀(1 − θ₀)/n) resp. θ₀ ± z·√(θ₀/n) is ``funnel_limits`` with τ² = 0.)
2. Over-dispersed band: the additive random-effects model of Spiegelhalter (2005, §6;
   DerSimonian–Laird type): z-scores winsorised at 10 %, φ = mean(z²); if I·φ > I − 1,
   τ² = (I·φ − (I − 1)) / (Σw − Σw²/Σw) with w = 1/s², limits θ₀ ± z·√(s² + τ²). An unusual
   area outside the 99.8 % band differs "über das übliche Maß hinaus".

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

Z95 = float(norm.ppf(0.975))
Z998 = float(norm.ppf(0.999))
#: position codes (internal) and their German labels (display)
POSITION_LABELS = {
    "above_998": "über 99,8-%-Grenze",
    "above_95": "über 95-%-Grenze",
    "below_998": "unter 99,8-%-Grenze",
    "below_95": "unter 95-%-Grenze",
    "inside": "innerhalb",
}


def unit_variance(theta: float, n: np.ndarray, share: bool) -> np.ndarray:
    """Sampling variance of a share (binomial) or rate (Poisson) with denominator n."""
    n = np.asarray(n, float)
    return theta * (1 - theta) / n if share else theta / n


def funnel_limits(
    theta: float, n: np.ndarray, z: float, share: bool, tau2: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper control limits at denominators ``n`` (on the 0–1 or per-person scale)."""
    s = np.sqrt(unit_variance(theta, n, share) + tau2)
    low, high = theta - z * s, theta + z * s
    if share:
        return np.clip(low, 0, 1), np.clip(high, 0, 1)
    return np.clip(low, 0, None), high


def overdispersion_tau2(values: np.ndarray, n: np.ndarray, theta: float, share: bool, winsor: float = 0.1) -> float:
    """Additive between-area variance τ² (0 when there is no over-dispersion)."""
    values, n = np.asarray(values, float), np.asarray(n, float)
    var = unit_variance(theta, n, share)
    z = (values - theta) / np.sqrt(var)
    k = len(z)
    if k < 3:
        return 0.0
    lo, hi = np.quantile(z, [winsor, 1 - winsor])
    phi = float(np.mean(np.clip(z, lo, hi) ** 2))
    if k * phi <= k - 1:
        return 0.0
    w = 1 / var
    return float((k * phi - (k - 1)) / (w.sum() - (w**2).sum() / w.sum()))


def exact_limit(theta: float, n: np.ndarray, p: float, share: bool) -> np.ndarray:
    """Spiegelhalter's (2005, Appendix A.1) interpolated exact p-quantile limit on the 0–1 / per-person scale."""
    n = np.asarray(n, float)
    dist = binom(np.round(n).astype(int), theta) if share else poisson(theta * n)
    r = dist.ppf(p)
    upper, lower = dist.cdf(r), dist.cdf(r - 1)
    alpha = np.where(upper > lower, (upper - p) / np.where(upper > lower, upper - lower, 1.0), 0.0)
    limit = (r - alpha) / n
    return np.clip(limit, 0, 1) if share else np.clip(limit, 0, None)


def exact_limits(theta: float, n: np.ndarray, share: bool) -> dict[str, np.ndarray]:
    """Unadjusted exact 95 % and 99.8 % limits: keys lo998, lo95, hi95, hi998."""
    probs = {"lo998": 0.001, "lo95": 0.025, "hi95": 0.975, "hi998": 0.999}
    return {k: exact_limit(theta, n, p, share) for k, p in probs.items()}


def position_codes(rate: np.ndarray, limits: dict[str, np.ndarray]) -> np.ndarray:
    """Position of each rate against the unadjusted limits, as codes (see ``POSITION_LABELS``)."""
    return np.select(
        [rate > limits["hi998"], rate > limits["hi95"], rate < limits["lo998"], rate < limits["lo95"]],
        ["above_998", "above_95", "below_998", "below_95"],
        "inside",
    )


def funnel_table(frame: pd.DataFrame, theta: float, share: bool) -> pd.DataFrame:
    """Per area: value, limits, positions (unadjusted and over-dispersed) against the city value ``theta``.

    ``frame`` has ``numerator`` and ``denominator``; values are on the 0–1 / per-person scale.
    Columns added: ``rate``; ``z_raw`` (binomial/Poisson z without τ²); ``z`` (with τ²);
    ``tau2``; exact unadjusted limits ``lim95_low/high``, ``lim998_low/high``; ``position_code``
    and its German ``position`` against the unadjusted limits; ``unusual`` (outside the unadjusted
    99.8 % limits); ``beyond_overdispersion`` (unusual and also outside the over-dispersed 99.8 %
    band, |z| > 3.09); ``od998_low/high`` (the over-dispersed band).
    """
    r = frame["numerator"].to_numpy(float) / frame["denominator"].to_numpy(float)
    n = frame["denominator"].to_numpy(float)
    tau2 = overdispersion_tau2(r, n, theta, share)
    var = unit_variance(theta, n, share)
    limits = exact_limits(theta, n, share)
    out = frame.copy()
    out["rate"] = r
    out["z_raw"] = (r - theta) / np.sqrt(var)
    out["z"] = (r - theta) / np.sqrt(var + tau2)
    out["tau2"] = tau2
    for key, col in (("lo95", "lim95_low"), ("hi95", "lim95_high"), ("lo998", "lim998_low"), ("hi998", "lim998_high")):
        out[col] = limits[key]
    out["od998_low"], out["od998_high"] = funnel_limits(theta, n, Z998, share, tau2)
    codes = position_codes(r, limits)
    out["position_code"] = codes
    out["position"] = [POSITION_LABELS[c] for c in codes]
    out["unusual"] = np.isin(codes, ["above_998", "below_998"])
    out["beyond_overdispersion"] = out["unusual"] & (np.abs(out["z"]) > Z998)
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
