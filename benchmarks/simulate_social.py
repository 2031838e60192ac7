"""Simulation study of the social analyses (not a timed test): trends, funnel flags, dynamics classes.

Area panels are simulated directly with numpy (not with the sample-data generator), with a
known truth:

* 13 Stadtteile, 16 years, denominators 400–4,000 per area (fixed over time);
* over-dispersed area levels: logit p = logit(0.15) + N(0, 0.5²);
* planted linear trends on the logit scale in four areas (+0.04, −0.04, +0.03, −0.03 per year),
  none in the other nine;
* persistent noise: an AR(1) deviation with ρ = 0.7 and stationary SD 0.10 on the logit scale;
* binomial sampling of the numerators.

Reported per method: bias, coverage of the unadjusted 95 % interval, false-positive rate of a
single test and per family of 13 areas (after Benjamini–Hochberg: any null area with a
direction; with four planted trends present BH bounds the false discovery rate ``fdr_bh``, not
this family-wise rate, whose nominal bound is 5 % only in the all-null families
``fpr_family_bh_all_null``), power (planted areas found with the right sign). The naive GLM
(independent years, ρ = 0) is shown for comparison.

Funnel flags: (a) no over-dispersion, every area at the city value → unusual flags are false
positives (nominal 0.2 % per area at 99.8 %, 5 % outside 95 %); (b) over-dispersed areas
(SD 0.3 on the logit scale) plus one planted outlier (+1.0) → "beyond over-dispersion" flags
among the ordinary areas are false positives, for the outlier they are power.

Dynamics classes (trend method of ``helpers.analysis.sozialindex``, one indicator, window 5
and 16 years; and window 5 with strong planted slopes ±0.15, ±0.10 logit/year, about ±2 pp/year):
agreement with the planted direction, 'stable' rate where nothing is planted, coverage of the
change interval (t, as in the classes); and a power curve of the 5-year class over planted slopes
±0.05 … ±0.30 logit/year (about ±0.6 … ±3.8 pp/year at 15 %).

    PYTHONPATH=src .venv/bin/python benchmarks/simulate_social.py [--k 200] [--seed 16]

writes ``benchmarks/simulation_social_results.json`` and prints a table.
"""

from __future__ import annotations

import argparse
import json
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.multitest import multipletests

from helpers.analysis.compare import funnel_table
from helpers.analysis.sozialindex import dynamics_classes, trend_changes
from helpers.analysis.trends import ar1_parameters, finish_trend, glm_stage
from helpers.synth.noise import ar1_paths

N_AREAS = 13
YEARS = np.arange(2010, 2026)
PLANTED = np.array([0.04, -0.04, 0.03, -0.03] + [0.0] * (N_AREAS - 4))
STRONG = np.array([0.15, -0.15, 0.10, -0.10] + [0.0] * (N_AREAS - 4))
#: slope sizes (logit per year, planted ± in four areas) for the power curve of the 5-year dynamics class
POWER_SLOPES = (0.05, 0.10, 0.20, 0.30)
BASE_P = 0.15  # share of an average area
RHO, AR_SD, AREA_SD, BASE = 0.7, 0.10, 0.5, float(np.log(BASE_P / (1 - BASE_P)))
ALPHA = 0.05
RESULTS = Path(__file__).with_name("simulation_social_results.json")


def simulate_panel(rng: np.random.Generator, slopes: np.ndarray = PLANTED, rho: float = RHO) -> dict[str, np.ndarray]:
    """Numerators, denominators and true logits (areas × years)."""
    den = np.repeat(rng.integers(400, 4001, N_AREAS)[:, None], len(YEARS), axis=1).astype(float)
    level = BASE + rng.normal(0, AREA_SD, N_AREAS)
    t = YEARS - YEARS.mean()
    eta = level[:, None] + slopes[:, None] * t[None, :] + ar1_paths(rng, N_AREAS, len(YEARS), rho, AR_SD)
    num = rng.binomial(den.astype(int), 1 / (1 + np.exp(-eta))).astype(float)
    return {"num": num, "den": den, "eta": eta}


def trend_replicate(panel: dict[str, np.ndarray], slopes: np.ndarray) -> dict[str, dict[str, np.ndarray]]:
    """AR(1)-robust and naive trend fits of every area: slope, 95 % interval, p, BH verdict."""
    stages = [glm_stage(YEARS, panel["num"][i], panel["den"][i], "pct") for i in range(N_AREAS)]
    out = {}
    for name, rho in (("ar1", ar1_parameters(stages)), ("naive", 0.0)):
        fits = [finish_trend(st, rho) for st in stages]
        p = np.array([f.p_value for f in fits])
        selected = multipletests(p, alpha=ALPHA, method="fdr_bh")[0]
        slope = np.array([f.slope for f in fits])
        out[name] = {
            "slope": slope,
            "covered": np.array([f.ci_low <= s <= f.ci_high for f, s in zip(fits, slopes, strict=True)]),
            "single": p < ALPHA,
            "verdict": np.where(selected, np.sign(slope), 0),
        }
    return out


def trend_metrics(reps: list[dict[str, np.ndarray]], slopes: np.ndarray) -> dict[str, float]:
    """Bias, coverage, FPR (single and per family), power over the replicates of one method."""
    null, planted = slopes == 0, slopes != 0
    slope = np.array([r["slope"] for r in reps])
    verdict = np.array([r["verdict"] for r in reps])
    found = verdict != 0
    false = found & (verdict != np.sign(slopes))  # null areas with a direction, or the wrong sign
    fdp = false.sum(axis=1) / np.maximum(found.sum(axis=1), 1)
    return {
        "bias": float(np.mean(slope - slopes)),
        "coverage_95": float(np.mean([r["covered"] for r in reps])),
        "fpr_single": float(np.mean([r["single"][null] for r in reps])),
        "fpr_family_bh": float(np.mean((verdict[:, null] != 0).any(axis=1))),
        "power_bh": float(np.mean(verdict[:, planted] == np.sign(slopes[planted]))),
        "fdr_bh": float(fdp.mean()),
    }


def funnel_replicate(rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Funnel flags in the two scenarios of the module docstring (last year only)."""
    den = rng.integers(400, 4001, N_AREAS).astype(float)
    theta = 0.15
    null = pd.DataFrame({"numerator": rng.binomial(den.astype(int), theta), "denominator": den})
    ft0 = funnel_table(null, theta, share=True)
    eta = BASE + rng.normal(0, 0.3, N_AREAS)
    eta[0] += 1.0
    num = rng.binomial(den.astype(int), 1 / (1 + np.exp(-eta)))
    city = float(num.sum() / den.sum())
    ft1 = funnel_table(pd.DataFrame({"numerator": num, "denominator": den}), city, share=True)
    return {
        "null_unusual": ft0["unusual"].to_numpy(),
        "null_outside95": (ft0["position_code"] != "inside").to_numpy(),
        "od_beyond": ft1["beyond_overdispersion"].to_numpy(),
        "od_unusual": ft1["unusual"].to_numpy(),
    }


def funnel_metrics(reps: list[dict[str, np.ndarray]]) -> dict[str, float]:
    """False-positive rates and power of the funnel flags."""
    null_unusual = np.array([r["null_unusual"] for r in reps])
    beyond = np.array([r["od_beyond"] for r in reps])
    return {
        "fpr_unusual_998_single": float(null_unusual.mean()),
        "fpr_unusual_998_family": float(null_unusual.any(axis=1).mean()),
        "fpr_outside_95_single": float(np.mean([r["null_outside95"] for r in reps])),
        "fpr_beyond_od_single": float(beyond[:, 1:].mean()),
        "fpr_beyond_od_family": float(beyond[:, 1:].any(axis=1).mean()),
        "power_beyond_od_outlier": float(beyond[:, 0].mean()),
        "unusual_rate_ordinary_areas_od": float(np.mean([r["od_unusual"][1:] for r in reps])),
    }


def published_frame(panel: dict[str, np.ndarray]) -> pd.DataFrame:
    """The panel as a published indicator table (indicator sgb2_u15, Stadtteile A01 …)."""
    codes = [f"A{i:02d}" for i in range(N_AREAS)]
    rows = [
        {
            "indicator_id": "sgb2_u15",
            "year": int(y),
            "area_level": "stadtteil",
            "area_code": codes[i],
            "numerator": panel["num"][i, j],
            "denominator": panel["den"][i, j],
            "value": 100 * panel["num"][i, j] / panel["den"][i, j],
        }
        for i in range(N_AREAS)
        for j, y in enumerate(YEARS)
    ]
    return pd.DataFrame(rows)


def dynamics_replicate(
    panel: dict[str, np.ndarray], window: int, slopes: np.ndarray = PLANTED
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Dynamics class codes per area (trend method), interval coverage and error of the pp slope."""
    frame = published_frame(panel)
    change, se, df = trend_changes(frame, ["sgb2_u15"], int(YEARS[-1]), window, {"sgb2_u15": 1})
    classes = dynamics_classes(change, se, df, ALPHA)
    p = 1 / (1 + np.exp(-panel["eta"][:, -window:]))
    true_pp = 100 * slopes * (p * (1 - p)).mean(axis=1)
    half = stats.t.ppf(0.975, classes["dynamics_df"].to_numpy()) * classes["dynamics_se"].to_numpy()
    covered = np.abs(classes["dynamics_index"].to_numpy() - true_pp) <= half
    error = classes["dynamics_index"].to_numpy() - true_pp
    return classes["dynamics_class_code"].to_numpy(), covered, error


def dynamics_metrics(reps: list[tuple[np.ndarray, ...]], slopes: np.ndarray = PLANTED) -> dict[str, float]:
    """Agreement with the planted direction and the 'stable' rate where nothing is planted."""
    codes = np.array([r[0] for r in reps])
    expected = np.where(slopes > 0, "negative", np.where(slopes < 0, "positive", "stable"))
    null = slopes == 0
    return {
        "agree_planted": float(np.mean(codes[:, ~null] == expected[~null])),
        "stable_where_none": float(np.mean(codes[:, null] == "stable")),
        "fpr_family": float(np.mean((codes[:, null] != "stable").any(axis=1))),
        "coverage_95_approx": float(np.mean([r[1] for r in reps])),
        "bias_pp_per_year": float(np.nanmean([r[2] for r in reps])),
    }


def run(k: int = 200, seed: int = 16) -> dict:
    """All metrics over ``k`` seeded replicates (one RNG stream per replicate)."""
    warnings.filterwarnings("ignore")
    trend_reps: dict[str, list] = {"ar1": [], "naive": []}
    null_reps: list = []
    funnel_reps, dyn5, dyn16, dyn5_strong = [], [], [], []
    curve: dict[float, list] = {size: [] for size in POWER_SLOPES}
    for rep in range(k):
        rng = np.random.default_rng([seed, rep])
        panel = simulate_panel(rng)
        for name, result in trend_replicate(panel, PLANTED).items():
            trend_reps[name].append(result)
        null_reps.append(trend_replicate(simulate_panel(rng, np.zeros(N_AREAS)), np.zeros(N_AREAS))["ar1"])
        funnel_reps.append(funnel_replicate(rng))
        dyn5.append(dynamics_replicate(panel, 5))
        dyn16.append(dynamics_replicate(panel, len(YEARS)))
        dyn5_strong.append(dynamics_replicate(simulate_panel(rng, STRONG), 5, STRONG))
        for size in POWER_SLOPES:
            slopes = _power_slopes(size)
            curve[size].append(dynamics_replicate(simulate_panel(rng, slopes), 5, slopes))
    null_family = float(np.mean([(r["verdict"] != 0).any() for r in null_reps]))
    return {
        "k": k,
        "seed": seed,
        "design": {
            "areas": N_AREAS,
            "years": [int(YEARS[0]), int(YEARS[-1])],
            "planted_logit_slopes": PLANTED.tolist(),
            "strong_logit_slopes_dynamics": STRONG.tolist(),
            "ar1_rho": RHO,
            "ar1_sd_logit": AR_SD,
            "area_sd_logit": AREA_SD,
            "alpha": ALPHA,
        },
        "monte_carlo_se_at_5pct": float(np.sqrt(0.05 * 0.95 / k)),
        "trend_ar1": trend_metrics(trend_reps["ar1"], PLANTED) | {"fpr_family_bh_all_null": null_family},
        "trend_naive_independent": trend_metrics(trend_reps["naive"], PLANTED),
        "funnel": funnel_metrics(funnel_reps),
        "dynamics_window5": dynamics_metrics(dyn5),
        "dynamics_window16": dynamics_metrics(dyn16),
        "dynamics_window5_strong": dynamics_metrics(dyn5_strong, STRONG),
        "dynamics_window5_power_curve": {
            f"{size:.2f}": dynamics_metrics(curve[size], _power_slopes(size))
            | {"pp_per_year_at_15pct": round(100 * size * BASE_P * (1 - BASE_P), 2)}
            for size in POWER_SLOPES
        },
    }


def _power_slopes(size: float) -> np.ndarray:
    """±size in four areas (two rising, two falling), none in the other nine."""
    return np.array([size, -size, size, -size] + [0.0] * (N_AREAS - 4))


def table(results: dict) -> str:
    """Plain-text table of the metrics."""
    mc = results["monte_carlo_se_at_5pct"]
    lines = [f"K = {results['k']} replicates, seed {results['seed']}, MC SE at 5 %: {mc:.4f}"]
    for block, metrics in results.items():
        if not isinstance(metrics, dict) or block == "design":
            continue
        lines.append(f"\n{block}")
        for name, value in metrics.items():
            if isinstance(value, dict):  # the power curve: one line per slope size
                lines.append(f"  slope {name}: " + ", ".join(f"{k} {v:.4f}" for k, v in value.items()))
            else:
                lines.append(f"  {name:<34} {value: .4f}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--k", type=int, default=200)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    start = time.perf_counter()
    results = run(args.k, args.seed)
    results["seconds"] = round(time.perf_counter() - start, 1)
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(table(results))


if __name__ == "__main__":
    main()
