"""Simulation study of the funnel flags (not a timed test): false flags and power with known truth.

Each replicate draws m areas (m = 4, 13, 150) with denominators uniform in a range, true values
logit θ_i = logit θ + N(0, τ²) (shares, binomial counts) or log θ_i = log θ + N(0, τ²) (rates,
Poisson counts), and optionally one planted outlier (area 0, shifted by ``OUTLIER`` on the same
scale: +1.0, or −1.0 near 100 %, where a gap matters). The city value is Σx/Σn of the areas, as
in production. Settings:

* ``near_0``: shares, θ = 0.02, n 20–500 (rare events in small areas);
* ``near_100``: shares, θ = 0.96, n 20–500 (e.g. vaccination coverage);
* ``typical_share``: shares, θ = 0.15, n 400–4,000 (e.g. child poverty);
* ``rate``: rates, θ = 0.025 per person (250 per 10,000), n 800–5,000 (e.g. HzE cases).

Flags of ``helpers.analysis.compare.funnel_table``: ``unusual`` (exact tail beyond 99.8 %),
``outside95`` (exact tail beyond 95 %), ``beyond_overdispersion`` (beyond 99.8 % and beyond the
over-dispersion band). False flags are counted among the ordinary areas (all but the planted
outlier): per area (nominal 0.2 % at 99.8 %) and per family (any ordinary area flagged; nominal
1 − 0.998^m'). Without over-dispersion (τ = 0) every ``unusual`` flag of an ordinary area is false;
with τ > 0 the areas truly differ, so only ``beyond_overdispersion`` counts as false. Power: the
outlier is flagged ``beyond_overdispersion`` on its side. Every rate comes with its 95 %
Clopper–Pearson Monte Carlo interval (area-replicates counted as trials: areas of one replicate
share the city value, so the per-area interval is slightly optimistic).

``legacy`` repeats the flags of the method before (interpolated exact limit as the flag, additive
τ² from 10 %-winsorised z-scores on the raw scale, band θ₀ ± 3.09·√(s² + τ²)) for comparison.

    PYTHONPATH=src .venv/bin/python benchmarks/simulate_funnel.py [--k 200] [--seed 25]

writes ``benchmarks/simulate_funnel_results.json`` and prints a table.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import beta

from helpers.analysis.compare import Z998, exact_limits, funnel_limits, funnel_table, unit_variance

AREAS = (4, 13, 150)
TAUS = (0.0, 0.3)
OUTLIER = 1.0
NOMINAL_AREA = 0.002
SETTINGS = {
    "near_0": {"share": True, "theta": 0.02, "n": (20, 500), "outlier_sign": 1},
    "near_100": {"share": True, "theta": 0.96, "n": (20, 500), "outlier_sign": -1},
    "typical_share": {"share": True, "theta": 0.15, "n": (400, 4000), "outlier_sign": 1},
    "rate": {"share": False, "theta": 0.025, "n": (800, 5000), "outlier_sign": 1},
}


def clopper_pearson(hits: int, trials: int, level: float = 0.95) -> tuple[float, float]:
    """Exact binomial interval of a rate hits/trials."""
    a = (1 - level) / 2
    low = 0.0 if hits == 0 else float(beta.ppf(a, hits, trials - hits + 1))
    high = 1.0 if hits == trials else float(beta.ppf(1 - a, hits + 1, trials - hits))
    return low, high


def draw(rng: np.random.Generator, setting: dict, m: int, tau: float, outlier: bool) -> pd.DataFrame:
    """One replicate: numerators and denominators of m areas."""
    lo, hi = setting["n"]
    n = rng.integers(lo, hi + 1, m)
    theta = setting["theta"]
    eta = np.log(theta / (1 - theta)) if setting["share"] else np.log(theta)
    eta = eta + rng.normal(0, tau, m) if tau > 0 else np.full(m, eta)
    if outlier:
        eta[0] += setting["outlier_sign"] * OUTLIER
    x = rng.binomial(n, 1 / (1 + np.exp(-eta))) if setting["share"] else rng.poisson(n * np.exp(eta))
    return pd.DataFrame({"numerator": x.astype(float), "denominator": n.astype(float)})


def legacy_flags(frame: pd.DataFrame, theta: float, share: bool) -> tuple[np.ndarray, np.ndarray]:
    """(unusual, beyond) of the method before: interpolated limit as flag, winsorised raw-scale τ² band."""
    n = frame["denominator"].to_numpy(float)
    r = frame["numerator"].to_numpy(float) / n
    limits = exact_limits(theta, n, share)
    unusual = (r > limits["hi998"]) | (r < limits["lo998"])
    var = unit_variance(theta, n, share)
    z = (r - theta) / np.sqrt(var)
    lo, hi = np.quantile(z, [0.1, 0.9])
    phi = float(np.mean(np.clip(z, lo, hi) ** 2))
    k = len(z)
    w = 1 / var
    tau2 = max((k * phi - (k - 1)) / (w.sum() - (w**2).sum() / w.sum()), 0.0) if k * phi > k - 1 else 0.0
    low, high = funnel_limits(theta, n, Z998, share, tau2)
    return unusual, unusual & ((r > high) | (r < low))


def replicate(rng: np.random.Generator, setting: dict, m: int, tau: float, outlier: bool) -> dict[str, np.ndarray]:
    """Flags of one replicate (current and legacy method)."""
    frame = draw(rng, setting, m, tau, outlier)
    theta = float(frame["numerator"].sum() / frame["denominator"].sum())
    if theta <= 0 or (setting["share"] and theta >= 1):
        z = np.zeros(m, bool)
        return {"unusual": z, "outside95": z, "beyond": z, "side": z, "legacy_unusual": z, "legacy_beyond": z}
    ft = funnel_table(frame, theta, setting["share"])
    old_unusual, old_beyond = legacy_flags(frame, theta, setting["share"])
    wanted = ("above_chance",) if setting["outlier_sign"] > 0 else ("below_chance",)
    return {
        "unusual": ft["unusual"].to_numpy(),
        "outside95": (ft["position_code"] != "inside").to_numpy(),
        "beyond": ft["beyond_overdispersion"].to_numpy(),
        "side": ft["funnel_code"].isin(wanted).to_numpy(),
        "legacy_unusual": old_unusual,
        "legacy_beyond": old_beyond,
    }


def _rate(flags: np.ndarray) -> dict[str, float | int]:
    hits, trials = int(flags.sum()), int(flags.size)
    low, high = clopper_pearson(hits, trials)
    return {"rate": hits / trials, "ci_low": low, "ci_high": high, "hits": hits, "trials": trials}


def cell_metrics(reps: list[dict[str, np.ndarray]], tau: float, outlier: bool) -> dict:
    """False-flag rates (per area, per family) and power of one cell, each with its CP interval."""
    stack = {key: np.array([r[key] for r in reps]) for key in reps[0]}
    ordinary = slice(1, None) if outlier else slice(None)
    m_ordinary = stack["beyond"][:, ordinary].shape[1]
    out: dict = {
        "nominal_area": NOMINAL_AREA,
        "nominal_family": 1 - (1 - NOMINAL_AREA) ** m_ordinary,
        "false_beyond_area": _rate(stack["beyond"][:, ordinary]),
        "false_beyond_family": _rate(stack["beyond"][:, ordinary].any(axis=1)),
        "legacy_false_beyond_area": _rate(stack["legacy_beyond"][:, ordinary]),
        "legacy_false_beyond_family": _rate(stack["legacy_beyond"][:, ordinary].any(axis=1)),
    }
    if tau == 0 and not outlier:  # with an outlier the city value moves: ordinary areas truly differ from it
        out |= {
            "false_unusual_area": _rate(stack["unusual"][:, ordinary]),
            "false_unusual_family": _rate(stack["unusual"][:, ordinary].any(axis=1)),
            "outside95_area": _rate(stack["outside95"][:, ordinary]),
            "legacy_false_unusual_area": _rate(stack["legacy_unusual"][:, ordinary]),
            "legacy_false_unusual_family": _rate(stack["legacy_unusual"][:, ordinary].any(axis=1)),
        }
    if outlier:
        out |= {
            "power_outlier": _rate(stack["side"][:, 0]),
            "legacy_power_outlier": _rate(stack["legacy_beyond"][:, 0]),
        }
    return out


def run(k: int = 200, seed: int = 25, areas: tuple[int, ...] = AREAS, settings: tuple[str, ...] | None = None) -> dict:
    """All cells over ``k`` seeded replicates each (one RNG stream per cell and replicate)."""
    cells = []
    names = settings or tuple(SETTINGS)
    for s_index, name in enumerate(names):
        setting = SETTINGS[name]
        for m in areas:
            for t_index, tau in enumerate(TAUS):
                for outlier in (False, True):
                    reps = [
                        replicate(
                            np.random.default_rng([seed, s_index, m, t_index, int(outlier), rep]),
                            setting,
                            m,
                            tau,
                            outlier,
                        )
                        for rep in range(k)
                    ]
                    cells.append(
                        {"setting": name, "areas": m, "tau": tau, "outlier": outlier} | cell_metrics(reps, tau, outlier)
                    )
    return {
        "k": k,
        "seed": seed,
        "design": {
            "settings": {key: SETTINGS[key] for key in names},
            "areas": list(areas),
            "tau_logit_or_log": list(TAUS),
            "outlier_shift": OUTLIER,
            "nominal_per_area": NOMINAL_AREA,
        },
        "cells": cells,
        "summary": summary(cells),
    }


def summary(cells: list[dict]) -> dict:
    """The figures the methods page quotes: worst cells of the false-flag rates and the range of the power."""

    def worst(key: str, where) -> dict:
        chosen = [c for c in cells if where(c) and key in c]
        top = max(chosen, key=lambda c: c[key]["rate"])
        return {"rate": top[key]["rate"], "ci_low": top[key]["ci_low"], "ci_high": top[key]["ci_high"],
                "cell": {k: top[k] for k in ("setting", "areas", "tau", "outlier")}}  # fmt: skip

    typical = [
        c for c in cells if "power_outlier" in c and c["setting"] in ("typical_share", "rate") and c["areas"] >= 13
    ]
    return {
        "max_false_unusual_area": worst("false_unusual_area", lambda c: True),
        "max_false_beyond_area": worst("false_beyond_area", lambda c: True),
        "max_legacy_false_unusual_area": worst("legacy_false_unusual_area", lambda c: True),
        "max_legacy_false_beyond_area": worst("legacy_false_beyond_area", lambda c: True),
        "cells_false_beyond_area_above_nominal": sum(c["false_beyond_area"]["ci_low"] > NOMINAL_AREA for c in cells),
        "cells_false_unusual_area_above_nominal": sum(
            c["false_unusual_area"]["ci_low"] > NOMINAL_AREA for c in cells if "false_unusual_area" in c
        ),
        "cells": len(cells),
        "power_outlier_typical_min": min(c["power_outlier"]["rate"] for c in typical),
        "power_outlier_typical_max": max(c["power_outlier"]["rate"] for c in typical),
    }


def _pct(r: dict | None, digits: int = 2) -> str:
    if r is None:
        return "–"
    return f"{100 * r['rate']:.{digits}f} ({100 * r['ci_low']:.{digits}f}–{100 * r['ci_high']:.{digits}f})"


def table(results: dict) -> str:
    """Plain-text table: one line per cell, rates in % with their Clopper–Pearson interval."""
    head = (
        f"K = {results['k']} replicates per cell, seed {results['seed']}; rates in % (95 % Clopper–Pearson)\n"
        f"{'setting':<14}{'m':>4}{'tau':>5}{'out':>5}  {'false unusual/area':<22}{'false beyond/area':<22}"
        f"{'false beyond/family':<22}{'power outlier':<22}{'legacy beyond/area':<22}{'legacy unusual/area':<22}"
    )
    lines = [head]
    for c in results["cells"]:
        lines.append(
            f"{c['setting']:<14}{c['areas']:>4}{c['tau']:>5}{'yes' if c['outlier'] else 'no':>5}  "
            f"{_pct(c.get('false_unusual_area')):<22}{_pct(c['false_beyond_area']):<22}"
            f"{_pct(c['false_beyond_family'], 1):<22}{_pct(c.get('power_outlier'), 1):<22}"
            f"{_pct(c['legacy_false_beyond_area']):<22}{_pct(c.get('legacy_false_unusual_area')):<22}"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--k", type=int, default=200)
    parser.add_argument("--seed", type=int, default=25)
    args = parser.parse_args()
    start = time.perf_counter()
    results = run(args.k, args.seed)
    results["seconds"] = round(time.perf_counter() - start, 1)
    out = Path(__file__).with_name("simulate_funnel_results.json")
    out.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(table(results))
    print(f"{results['seconds']} s -> {out}")


if __name__ == "__main__":
    main()
