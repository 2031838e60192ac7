"""Simulation study of the two HzE interrupted time series alone (fast, so many seeds; not a test).

The same worlds as ``benchmarks/simulate_hze.py`` (same seeds, scenarios and truths), but only
the ITS of the deflated spending per under-21 and of the case rate are fitted, each twice: with
the AR(1) correlation implied by the case durations alone ("implied") and with
max(implied, REML estimate) as the analysis does ("analysis"). The DiD, event study and balance
need the full run (about 5 s a draw); these two need 0,1 s.

    PYTHONPATH=src .venv/bin/python benchmarks/simulate_hze_its.py --seeds 300 [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

import simulate_hze as sim

from helpers.analysis.run import _u21, its_case_rate, its_expenditure

ROOT = Path(__file__).resolve().parents[1]


def its_rows(s: sim.Setup, seed: int, effect: str, noise: str, prof: dict[str, np.ndarray]) -> list[dict]:
    """Estimate and interval of both cumulated gaps, by both ρ rules, for one draw."""
    tables, q = sim.tables_for(s, seed, effect == "effect", noise == "persistent")
    truth = sim.truths(s, q, prof) if effect == "effect" else sim.null_truths()
    yearly, expenditure = tables["hze_year"], tables["hze_expenditure"]
    u21 = _u21(tables["population"])
    years = np.array(sorted(yearly["year"].unique()))
    start = s.config.analysis.hze.programme_start_year
    out = []
    for rule in ("analysis", "implied"):
        from_data = rule == "analysis"
        _t, eur = its_expenditure(s.config, yearly, expenditure, u21, years, int(years[-1]), from_data)
        _t, rate = its_case_rate(yearly, u21, years, start, from_data)
        for key, row in (("its_eur_cum", eur[-1]), ("its_rate_cum", rate[-1])):
            out.append(
                {
                    "seed": seed,
                    "effect": effect,
                    "noise": noise,
                    "rule": rule,
                    "estimand": key,
                    "est": row["estimate"],
                    "low": row["ci_low"],
                    "high": row["ci_high"],
                    "rho": row["ar1_rho"],
                    "true": truth[key],
                }
            )
    return out


def summarise(rows: pd.DataFrame) -> pd.DataFrame:
    """Per rule, estimand and scenario: bias, RMSE, coverage, rejection rate and their MC errors."""
    out = []
    for (rule, key, effect, noise), part in rows.groupby(["rule", "estimand", "effect", "noise"]):
        cover = (part["low"] <= part["true"]) & (part["true"] <= part["high"])
        reject = (part["low"] > 0) | (part["high"] < 0)
        err = part["est"] - part["true"]
        n = len(part)
        out.append(
            {
                "rule": rule,
                "estimand": key,
                "effect": effect,
                "noise": noise,
                "n": n,
                "mean_true": float(part["true"].mean()),
                "bias": float(err.mean()),
                "bias_mc_se": float(err.std(ddof=1) / np.sqrt(n)),
                "rmse": float(np.sqrt((err**2).mean())),
                "coverage": float(cover.mean()),
                "reject_rate": float(reject.mean()),
                "mc_se_rate": float(np.sqrt(0.05 * 0.95 / n)),
                "mean_rho": float(part["rho"].mean()),
            }
        )
    return pd.DataFrame(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=300)
    parser.add_argument("--config", default=str(ROOT / "config" / "leverkusen.yml"))
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "simulation_hze_its_results.json"))
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    setup = sim.make_setup(Path(args.config), 99)
    prof = sim.profiles(setup, np.random.default_rng(0))
    rows = [r for seed in range(args.seeds) for e, n in sim.SCENARIOS for r in its_rows(setup, seed, e, n, prof)]
    table = summarise(pd.DataFrame(rows))
    seconds = time.perf_counter() - t0
    with pd.option_context("display.width", 200, "display.max_columns", 20, "display.float_format", "{:.4g}".format):
        print(table.to_string(index=False))
    Path(args.out).write_text(
        json.dumps(
            {
                "seeds_per_scenario": args.seeds,
                "persistent_noise": {"rho": sim.PERSISTENT_RHO, "sd": sim.PERSISTENT_SD},
                "seconds": round(seconds, 1),
                "summary": table.to_dict(orient="records"),
            },
            indent=1,
            ensure_ascii=False,
        )
        + "\n",
        encoding="utf-8",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
