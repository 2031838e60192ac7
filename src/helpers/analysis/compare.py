"""Comparing Stadtteile without league tables: funnel plots and empirical-Bayes shrinkage.

Funnel limits (Spiegelhalter 2005) around the city value θ₀ for a unit with denominator n:

* shares: θ₀ ± z·√(θ₀(1 − θ₀)/n)
* rates:  θ₀ ± z·√(θ₀/n)

with z = 1.96 (95 %) and z = 3.09 (99,8 %). Over-dispersion is handled by the additive
random-effects model of Spiegelhalter (2005, §6): z-scores are winsorised at 10 %,
φ = mean(z²); if φ·I > I − 1, τ² = (I·φ − (I − 1)) / (Σw − Σw²/Σw) with w = 1/s², and the
limits widen to θ₀ ± z·√(s² + τ²).

Empirical Bayes (Marshall 1991, global method of moments, as in R epiR ``epi.empbayes``):
γ = Σx/Σn, φ = Σn(r − γ)²/Σn − γ/n̄ (rates) or − γ(1 − γ)/n̄ (shares, Martuzzi & Elliott
1996), truncated at 0; EB_i = γ + C_i(r_i − γ) with C_i = φ/(φ + v_i), v_i = γ/n_i (rates)
or γ(1 − γ)/n_i (shares).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import norm

Z95 = float(norm.ppf(0.975))
Z998 = float(norm.ppf(0.999))


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


def funnel_table(frame: pd.DataFrame, theta: float, share: bool) -> pd.DataFrame:
    """Per area: value, z-score and position against the 95 %/99,8 % limits (with τ²).

    ``frame`` has ``numerator`` and ``denominator``; values are on the 0–1 / per-person scale.
    """
    r = frame["numerator"].to_numpy(float) / frame["denominator"].to_numpy(float)
    n = frame["denominator"].to_numpy(float)
    tau2 = overdispersion_tau2(r, n, theta, share)
    s = np.sqrt(unit_variance(theta, n, share) + tau2)
    out = frame.copy()
    out["rate"] = r
    out["z"] = (r - theta) / s
    out["tau2"] = tau2
    out["position"] = np.select(
        [out["z"] > Z998, out["z"] > Z95, out["z"] < -Z998, out["z"] < -Z95],
        ["über 99,8-%-Grenze", "über 95-%-Grenze", "unter 99,8-%-Grenze", "unter 95-%-Grenze"],
        "innerhalb",
    )
    return out


def empirical_bayes(x: np.ndarray, n: np.ndarray, share: bool) -> tuple[np.ndarray, float, float]:
    """Global EB estimates (Marshall 1991); returns (estimates, γ, φ)."""
    x, n = np.asarray(x, float), np.asarray(n, float)
    r = x / n
    gamma = x.sum() / n.sum()
    noise = gamma * (1 - gamma) if share else gamma
    phi = max(float((n * (r - gamma) ** 2).sum() / n.sum() - noise / n.mean()), 0.0)
    v = noise / n
    c = phi / (phi + v) if phi > 0 else np.zeros_like(n)
    return gamma + c * (r - gamma), float(gamma), phi
