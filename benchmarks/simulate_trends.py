"""Simulation study of the published trend verdicts (not a timed test): ``helpers.analysis.trends.trend_table``.

Every replicate is one indicator of one report year as the pipeline sees it: a published table
of Stadtteile and the city (the sum of the Stadtteile), passed through the production code, so
the family of the multiple-testing control is the production family (one indicator: its
Stadtteile and the city). Scenarios, each with K replicates:

* ``sample``: the sample generator's child-poverty design (config/sample_leverkusen.yml): the 13
  Stadtteile with their base quotas and sizes, 16 years, planted logit slopes −0,040 (Alkenrath),
  +0,020 (Rheindorf), +0,015 (Wiesdorf), −0,025 (Steinbüchel), independent shocks SD 0,03 on the
  log-odds, binomial sampling;
* ``persistent``: the same areas with persistent noise instead (AR(1), ρ = 0,7, SD 0,10), planted
  slopes ±0,04 and ±0,03;
* ``null_persistent`` / ``null_iid``: no trend anywhere (family-wise false positives, nominal 5 %);
* ``u3_expansion``: a care quota that expands non-linearly as in the sample (28 → 38 → 44 → 50 %
  in 2010/2015/2020/2025, piecewise linear), area offsets, persistent noise;
* ``short_5`` / ``short_8``: 45 areas × 5 years and 86 areas × 8 years (Münster- and Köln-like
  population-only data), no trend: false positives and the widest printed interval;
* ``power_curve``: slope sizes 0,01 … 0,04 logit/year in four areas of the ``sample`` design.

Reported: coverage of the unadjusted 95 % interval of the true slope, false positives per area and
per family among the areas without a trend, power (planted direction found), the city's verdict
(U3), and the widest printed per-year interval (Pp.).

    PYTHONPATH=src .venv/bin/python benchmarks/simulate_trends.py [--k 200] [--seed 25]

writes ``benchmarks/simulation_trends_results.json`` and prints a table.
"""

from __future__ import annotations

import argparse
import json
import time
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats
from scipy.special import expit, logit

from helpers.analysis.trends import trend_table
from helpers.indicators.catalogue import Catalogue, load_catalogue
from helpers.synth.noise import ar1_paths

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "simulation_trends_results.json"
YEARS = np.arange(2010, 2026)
CITY = "05316000"
#: the sample's base u15 SGB-II quotas (%) and its planted slopes (config/sample_leverkusen.yml)
BASE_PCT = np.array([32.0, 33.0, 32.0, 12.0, 19.0, 17.0, 13.0, 23.0, 6.0, 8.0, 14.0, 9.0, 47.0])
SAMPLE_SLOPES = np.array([0.015, 0, 0.020, 0, 0, 0, 0, 0, 0, 0, -0.025, 0, -0.040])
PERSISTENT_SLOPES = np.array([0.04, -0.04, 0.03, -0.03] + [0.0] * 9)
#: children under 15 per Stadtteil (about the sample's sizes)
SIZES = np.array([2300, 1300, 2700, 900, 3300, 1100, 1400, 1000, 1100, 2800, 1700, 1300, 900])
POWER_SLOPES = (0.01, 0.015, 0.02, 0.03, 0.04)
ALPHA = 0.05


@cache
def catalogue() -> Catalogue:
    """The shipped catalogue's child-poverty share (unit %), the indicator of every replicate."""
    shipped = load_catalogue(ROOT / "src" / "helpers" / "indicators" / "indikatoren.yml")
    return Catalogue(phases=shipped.phases, indicators=[shipped.get("sgb2_u15")])


def published(num: np.ndarray, den: np.ndarray, years: np.ndarray) -> pd.DataFrame:
    """Stadtteile and city (their sum) as a published indicator table."""
    areas, n_years = num.shape
    codes = [f"{i:03d}" for i in range(areas)]
    rows = [("stadtteil", codes[i], num[i, j], den[i, j], years[j]) for i in range(areas) for j in range(n_years)] + [
        ("stadt", CITY, num[:, j].sum(), den[:, j].sum(), years[j]) for j in range(n_years)
    ]
    frame = pd.DataFrame(rows, columns=["area_level", "area_code", "numerator", "denominator", "year"])
    return frame.assign(
        indicator_id="sgb2_u15",
        area_name=frame["area_code"],
        value=100 * frame["numerator"] / frame["denominator"],
        pooled_from=np.nan,
    )


def panel(rng: np.random.Generator, eta: np.ndarray, den: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return rng.binomial(den.astype(int), expit(eta)).astype(float), den.astype(float)


def replicate(rng: np.random.Generator, scenario: str, slopes: np.ndarray | None = None) -> dict:
    """One replicate: true slopes per area, the trend rows of the Stadtteile and of the city."""
    years = YEARS
    if scenario in ("short_5", "short_8"):
        areas, n = (45, 5) if scenario == "short_5" else (86, 8)
        years = np.arange(2026 - n, 2026)
        base = logit(rng.uniform(0.04, 0.20, areas))
        eta = base[:, None] + ar1_paths(rng, areas, n, 0.7, 0.05)
        den = np.repeat(rng.integers(300, 6000, areas)[:, None], n, axis=1)
        truth = np.zeros(areas)
    elif scenario == "u3_expansion":
        path = np.interp(years, [2010, 2015, 2020, 2025], [0.28, 0.38, 0.44, 0.50])
        offsets = rng.normal(0, 0.25, len(SIZES))
        eta = logit(path)[None, :] + offsets[:, None] + ar1_paths(rng, len(SIZES), len(years), 0.7, 0.05)
        den = np.repeat((SIZES * 0.2)[:, None], len(years), axis=1)
        truth = np.full(len(SIZES), np.nan)  # non-linear: only the direction is known (rising)
    else:
        truth = {
            "sample": SAMPLE_SLOPES,
            "persistent": PERSISTENT_SLOPES,
            "null_persistent": np.zeros(13),
            "null_iid": np.zeros(13),
        }.get(scenario, slopes)
        if slopes is not None:
            truth = slopes
        iid = scenario in ("sample", "null_iid", "power")
        noise = rng.normal(0, 0.03, (13, len(years))) if iid else ar1_paths(rng, 13, len(years), 0.7, 0.10)
        eta = logit(BASE_PCT / 100)[:, None] + truth[:, None] * (years - 2016)[None, :] + noise
        den = np.repeat(SIZES[:, None], len(years), axis=1)
    num, den = panel(rng, eta, den)
    out = trend_table(published(num, den, years), catalogue(), int(years[-1]), alpha=ALPHA)
    areas = out[out["area_level"] == "stadtteil"].sort_values("area_code")
    city = out[out["area_level"] == "stadt"].iloc[0]
    return {"truth": truth, "areas": areas, "city": city}


def metrics(reps: list[dict]) -> dict[str, float]:
    truth = reps[0]["truth"]
    codes = np.array([r["areas"]["verdict_code"].to_numpy() for r in reps])
    slope = np.array([r["areas"]["slope"].to_numpy() for r in reps])
    low = np.array([r["areas"]["ci95_low"].to_numpy() for r in reps])
    high = np.array([r["areas"]["ci95_high"].to_numpy() for r in reps])
    half_pp = np.array([((r["areas"]["unit_ci_high"] - r["areas"]["unit_ci_low"]) / 2).to_numpy() for r in reps])
    out: dict[str, float] = {"k": len(reps), "widest_half_pp_per_year": float(np.nanmax(half_pp))}
    known = ~np.isnan(truth)
    if known.any():
        covered = (low[:, known] <= truth[known]) & (truth[known] <= high[:, known])
        out["coverage_95"] = float(covered.mean())
        out["bias"] = float(np.nanmean(slope[:, known] - truth[known]))
    null = known & (truth == 0)
    if null.all():  # the city is the sum of null areas: no trend either
        out["city_fpr"] = float(np.mean([r["city"]["verdict_code"] in ("rising", "falling") for r in reps]))
    if null.any():
        flagged = np.isin(codes[:, null], ["rising", "falling"])
        out["fpr_per_area"] = float(flagged.mean())
        out["fpr_family"] = float(flagged.any(axis=1).mean())
    found = np.isin(codes, ["rising", "falling"])
    if null.any() and (known & (truth != 0)).any():
        false = (found & null[None, :]).sum(axis=1)
        out["fdr"] = float(np.mean(false / np.maximum(found.sum(axis=1), 1)))
    moving = known & (truth != 0)
    if moving.any():
        want = np.where(truth[moving] > 0, "rising", "falling")
        out["power"] = float((codes[:, moving] == want).mean())
        out["power_per_area"] = [float(v) for v in (codes[:, moving] == want).mean(axis=0)]
    if not known.any():  # u3: every area and the city rise
        out["rising_areas"] = float((codes == "rising").mean())
        out["city_rising"] = float(np.mean([r["city"]["verdict_code"] == "rising" for r in reps]))
    out["uninformative"] = float((codes == "uninformative").mean())
    return out


def clopper_pearson(rate: float, k: int) -> list[float]:
    """Exact 95 % interval of a Monte Carlo rate from k draws."""
    x = round(rate * k)
    lo = 0.0 if x == 0 else float(stats.beta.ppf(0.025, x, k - x + 1))
    hi = 1.0 if x == k else float(stats.beta.ppf(0.975, x + 1, k - x))
    return [lo, hi]


def run(k: int = 200, seed: int = 25) -> dict:
    rng = np.random.default_rng(seed)
    start = time.process_time()
    results: dict = {"k": k, "seed": seed, "alpha": ALPHA, "scenarios": {}}
    for scenario in ("sample", "persistent", "null_iid", "null_persistent", "u3_expansion", "short_5", "short_8"):
        results["scenarios"][scenario] = metrics([replicate(rng, scenario) for _ in range(k)])
    curve = {}
    for size in POWER_SLOPES:
        slopes = np.array([size, -size, size, -size] + [0.0] * 9)
        curve[str(size)] = metrics([replicate(rng, "power", slopes) for _ in range(max(k // 2, 20))])
    results["power_curve_sample_design"] = curve
    for m in results["scenarios"].values():
        if "fpr_family" in m:
            m["fpr_family_ci"] = clopper_pearson(m["fpr_family"], m["k"])
    results["cpu_seconds"] = round(time.process_time() - start, 1)
    return results


def table(results: dict) -> str:
    lines = ["scenario | coverage | FP/area | FP/family | FDR | power | widest ±Pp./yr"]
    for name, m in results["scenarios"].items():
        cells = [m.get(c) for c in ("coverage_95", "fpr_per_area", "fpr_family", "fdr", "power")]
        text = [("–" if c is None else f"{100 * c:.1f} %") for c in cells]
        lines.append(f"{name} | " + " | ".join(text) + f" | {m['widest_half_pp_per_year']:.2f}")
    for size, m in results["power_curve_sample_design"].items():
        lines.append(f"power at {size} logit/yr: {100 * m['power']:.1f} %, FP/family {100 * m['fpr_family']:.1f} %")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--k", type=int, default=200)
    parser.add_argument("--seed", type=int, default=25)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    results = run(args.k, args.seed)
    args.out.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(table(results))


if __name__ == "__main__":
    main()
