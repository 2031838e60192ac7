"""Simulation study of the HzE cost-effect analysis (not a test): bias, coverage, size and power.

Regenerates the sample's HzE world K times per scenario and runs the project's analysis
(``helpers.analysis.run.hze_for_year`` for the last data year) on each draw. Scenarios:
the planted programme effect on or off (``config/sample_leverkusen.yml``: hze.effect), each
with the generator's noise ("iid") or with extra persistent noise ("persistent": an AR(1)
shock, ρ = 0,7, stationary SD 0,10, on the log incidence of every Stadtteil and on the log case
rate of every comparison commune).

Speed: one full generator run of the HzE sources takes about 2,5 s (measured: expected cases
1,4 s, expenditure 0,9 s), so this is a *light, faithful re-implementation* of the generator's
HzE data-generating process. It uses the generator's own functions for the population
(drawn once with the sample seed, fixed across draws), the poverty quotas, the services,
the true effect (``world.hze_effect``), the price index and the comparison communes, and
re-implements only the vectorised parts: expected new cases (same formula as
``world.hze_expected_new_cases``, checked equal in ``tests/test_analysis_hze_simulation.py``),
Poisson case counts, start days and gamma(1,5) durations, case days and budget lines (same
formulas as ``world.hze_cases`` / ``world.hze_expenditure``; ages and sex are not drawn).
The SGB-II covariate of the DiD is a binomial draw of under-15s around the true quota.

Truths are computed per draw from the expected values (the effect-on minus effect-off
expectation given the draw's poverty quotas), so the coverage is conditional on the world.

    PYTHONPATH=src .venv/bin/python benchmarks/simulate_hze.py --seeds 100 [--draws 399] [--out FILE]

Event study alone (``--event-study K``, issue 25): the size and coverage of the event study inside
the generator with *everything* drawn per seed (population, poverty quotas, cases, comparison
communes), for every report year, for the combined test the analysis uses and for each of its two
parts (the city's own pre-period variance; the studentised placebo distribution). Writes
``simulation_hze_event_results.json``. ``--refresh-event ROWS`` recomputes the event-study columns
of an earlier rows CSV (the draws are reproducible from their seeds; the event study needs no
bootstrap) and re-summarises, so the main table stays consistent with the current estimator.

    PYTHONPATH=src .venv/bin/python benchmarks/simulate_hze.py --event-study 300
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import proportion_confint

from helpers.analysis import run as analysis_run
from helpers.analysis.run import hze_for_year
from helpers.core.config import Config, load_config
from helpers.sources.hze import SETTING
from helpers.synth import load_generator_params, source_rng
from helpers.synth import world as w
from helpers.synth.noise import ar1_paths
from helpers.synth.population import PopulationParams, generate_population

ROOT = Path(__file__).resolve().parents[1]
PERSISTENT_RHO, PERSISTENT_SD = 0.7, 0.10
NOTES = (
    "light faithful re-implementation of the generator's HzE process (see the script's docstring); truths per "
    "draw from expected values; balance reject_rate = share of bands wholly above 0 (a false claim of a positive "
    "balance: the true balance is negative in every scenario)"
)
SCENARIOS = [("effect", "iid"), ("none", "iid"), ("effect", "persistent"), ("none", "persistent")]


@dataclass(frozen=True)
class Setup:
    """Everything fixed across draws: config, generator parameters, population, services, grids."""

    config: Config
    params: dict
    world: w.World
    services: pd.DataFrame
    years: np.ndarray  # burn-in year .. last data year (case start years)
    codes: list[str]
    bases: list[str]
    u21: np.ndarray  # years × codes
    u15: np.ndarray  # data years × codes
    rr: dict[bool, np.ndarray]  # effect on/off → years × codes × bases
    q_ref: float


def make_setup(config_path: Path, draws: int) -> Setup:
    cfg = load_config(config_path)
    h = cfg.analysis.hze.model_copy(update={"bootstrap_draws": draws})
    cfg = cfg.model_copy(update={"analysis": cfg.analysis.model_copy(update={"hze": h})})
    params = load_generator_params(cfg)
    names = {s.code: s.name for s in cfg.stadtteile}
    seed = cfg.sample_data.seed
    pop = generate_population(
        PopulationParams.from_dict(params["population"]), names, cfg.data_years, source_rng(seed, "population")
    )
    world = w.make_world(params, pop, names)
    svc = w.services(world)
    hp = params["hze"]
    years = np.arange(hp["burn_in_start_year"], world.years[-1] + 1)
    bases = list(hp["incidence_per_10000_u21"])
    u21 = np.array([world.persons(int(y), 0, 20).to_numpy(float) for y in years])
    u15 = np.array([world.persons(int(y), 0, 14).to_numpy(float) for y in world.years])
    rr = {
        flag: np.array(
            [[[w.hze_effect(world, svc, c, int(y), b, flag) for b in bases] for c in world.codes] for y in years]
        )
        for flag in (True, False)
    }
    return Setup(cfg, params, world, svc, years, world.codes, bases, u21, u15, rr, w._city_reference_quota(world))


def expected_new(s: Setup, q: pd.DataFrame, effect: bool) -> np.ndarray:
    """Expected new cases, years × codes × bases (the formula of ``world.hze_expected_new_cases``)."""
    hp = s.params["hze"]
    first = s.world.years[0]
    qwide = q.pivot(index="year", columns="stadtteil_code", values="q_u15")[s.codes]
    qy = qwide.reindex([max(int(y), first) for y in s.years]).to_numpy()
    rel = qy / s.q_ref
    inc = np.array([hp["incidence_per_10000_u21"][b] for b in s.bases]) / 10000
    el = np.array([hp["poverty_elasticity"].get(b, hp["poverty_elasticity"]["default"]) for b in s.bases])
    return inc[None, None, :] * s.u21[:, :, None] * rel[:, :, None] ** el[None, None, :] * s.rr[effect]


def draw_cases(s: Setup, expected: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
    """Case starts and ends in days since 01.01. of the burn-in year (``world.hze_cases``'s formulas)."""
    hp = s.params["hze"]
    n = rng.poisson(expected)
    idx = np.repeat(np.arange(n.size), n.ravel())
    yi, ci, bi = np.unravel_index(idx, n.shape)
    year = s.years[yi]
    start = pd.to_datetime(year.astype(str), format="%Y") + pd.to_timedelta(rng.integers(0, 365, len(idx)), unit="D")
    mean_months = np.array([hp["mean_duration_months"][b] for b in s.bases])[bi]
    months = rng.gamma(1.5, mean_months / 1.5)
    end = start + pd.to_timedelta(np.maximum(months * 30.44, 7).round(), unit="D")
    horizon = pd.Timestamp(s.world.years[-1], 12, 31)
    frame = pd.DataFrame(
        {
            "stadtteil_code": np.array(s.codes)[ci],
            "basis": np.array(s.bases)[bi],
            "start": start,
            "end": pd.Series(end).where(pd.Series(end) <= horizon),
        }
    )
    return frame[frame["end"].isna() | (frame["end"] >= pd.Timestamp(s.world.years[0], 1, 1))]


def yearly_counts(cases: pd.DataFrame, years: list[int]) -> pd.DataFrame:
    """The processed yearly table (``helpers.sources.hze.yearly_counts``), vectorised per year."""
    parts = []
    for year in years:
        y0, y1 = pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31)
        s, e = cases["start"], cases["end"]
        act = (s <= y1) & (e.isna() | (e >= y0))
        s, e = s[act], e[act]
        ended = e.between(y0, y1)
        frame = pd.DataFrame(
            {
                "stadtteil_code": cases.loc[act, "stadtteil_code"],
                "basis": cases.loc[act, "basis"],
                "counted": 1,
                "bestand_3112": (e.isna() | (e > y1)).astype(int),
                "ended": ended.astype(int),
                "started": s.between(y0, y1).astype(int),
                "case_days": ((e.fillna(y1).clip(upper=y1) - s.clip(lower=y0)).dt.days + 1).astype(int),
                "ended_months": np.where(ended, (e - s).dt.days / 30.4375, 0.0),
                "started_age_sum": 0.0,
            }
        )
        parts.append(frame.groupby(["stadtteil_code", "basis"], as_index=False).sum().assign(year=year))
    out = pd.concat(parts, ignore_index=True)
    out["setting"] = out["basis"].map(SETTING)
    return out


def expenditure(s: Setup, yearly: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Budget lines per year × basis (``world.hze_expenditure``'s formula)."""
    hp = s.params["hze"]
    days = yearly.groupby(["year", "basis"])["case_days"].sum()
    rows = []
    for year in s.world.years:
        for basis, cost in hp["cost_per_case_year_2023"].items():
            eur = days.get((year, basis), 0) / 365 * cost * w.price_index(s.params, year)
            rows.append((year, basis, eur * (1 + rng.normal(0, hp["budget_noise_sd"]))))
    out = pd.DataFrame(rows, columns=["year", "basis", "eur"])
    out["setting"] = out["basis"].map(SETTING)
    return out


def comparison(s: Setup, rng: np.random.Generator, persistent: bool) -> pd.DataFrame:
    panel = w.comparison_panel(s.world, rng)
    if persistent:
        communes = panel["ags"].unique()
        shock = ar1_paths(rng, len(communes), len(s.world.years), PERSISTENT_RHO, PERSISTENT_SD).T
        factor = pd.DataFrame(shock, index=s.world.years, columns=communes).stack()
        mult = np.exp(factor.reindex(list(zip(panel["year"], panel["ags"], strict=True))).to_numpy())
        panel["hze_cases"] = rng.poisson(panel["hze_cases"].to_numpy() * mult)
    return panel


def sgb2_indicator(s: Setup, q: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    qw = q.pivot(index="year", columns="stadtteil_code", values="q_u15")[s.codes].reindex(s.world.years).to_numpy()
    pct = 100 * rng.binomial(s.u15.astype(int), qw) / s.u15
    rows = [
        {"indicator_id": "sgb2_u15", "area_level": "stadtteil", "year": y, "area_code": c, "value": pct[i, j]}
        for i, y in enumerate(s.world.years)
        for j, c in enumerate(s.codes)
    ]
    return pd.DataFrame(rows)


def tables_for(s: Setup, seed: int, effect: bool, persistent: bool) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """The analysis input tables of one draw and the draw's poverty quotas."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, int(effect), int(persistent)]))
    q = w.poverty_u15(s.world, rng)
    mu = expected_new(s, q, effect)
    if persistent:
        mu = mu * np.exp(ar1_paths(rng, len(s.codes), len(s.years), PERSISTENT_RHO, PERSISTENT_SD).T)[:, :, None]
    cases = draw_cases(s, mu, rng)
    yearly = yearly_counts(cases, s.world.years)
    services = s.services.rename(columns={"stadtteil": "stadtteil_code", "cost": "cost_eur"})
    tables = {
        "hze_year": yearly,
        "hze_expenditure": expenditure(s, yearly, rng),
        "population": s.world.ages[s.world.ages["age"] <= 20],
        "services": services,
        "comparison": comparison(s, rng, persistent),
        "indicators_internal": sgb2_indicator(s, q, rng),
    }
    return tables, q


# --- truths -----------------------------------------------------------------------------------


def profiles(s: Setup, rng: np.random.Generator, n: int = 200_000) -> dict[str, np.ndarray]:
    """Per basis and years after the start year: expected case-years paid and P(case counted)."""
    hp = s.params["hze"]
    horizon = len(s.years)
    out = {}
    for basis in s.bases:
        m = hp["mean_duration_months"][basis]
        start = rng.integers(0, 365, n) / 365
        dur = np.maximum(rng.gamma(1.5, m / 1.5, n) * 30.44, 7).round() / 365
        end = start + dur
        j = np.arange(horizon)
        paid = np.clip(np.minimum(end[:, None], j + 1) - np.maximum(start[:, None], j), 0, None).mean(axis=0)
        counted = (end[:, None] >= j).mean(axis=0)
        out[basis] = np.stack([paid, counted])
    return out


def expected_paths(s: Setup, q: pd.DataFrame, mu: np.ndarray, prof: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Expected nominal spending and expected counted cases per data year for expected new cases ``mu``."""
    hp = s.params["hze"]
    n_years = len(s.years)
    paid, counted = np.zeros(n_years), np.zeros(n_years)
    for k, basis in enumerate(s.bases):
        per_start = mu[:, :, k].sum(axis=1)
        cost = hp["cost_per_case_year_2023"][basis]
        for i in range(n_years):
            paid[i:] += per_start[i] * prof[basis][0][: n_years - i] * cost
            counted[i:] += per_start[i] * prof[basis][1][: n_years - i]
    sel = s.years >= s.world.years[0]
    prices = np.array([w.price_index(s.params, int(y)) for y in s.world.years])
    return {"nominal": paid[sel] * prices, "real_last": paid[sel] * prices[-1], "counted": counted[sel]}


def truths(s: Setup, q: pd.DataFrame, prof: dict[str, np.ndarray]) -> dict[str, float]:
    """Effect-on minus effect-off expectations for each estimand, given the draw's poverty quotas."""
    hp, h = s.params["hze"], s.config.analysis.hze
    on_mu, off_mu = expected_new(s, q, True), expected_new(s, q, False)
    on, off = expected_paths(s, q, on_mu, prof), expected_paths(s, q, off_mu, prof)
    data_years = np.array(s.world.years)
    sel = s.years >= data_years[0]
    post = data_years >= h.programme_start_year
    u21_city = s.u21[sel].sum(axis=1)
    factor = (1 + h.discount_rate) ** -(data_years - h.programme_start_year)
    non28 = [k for k, b in enumerate(s.bases) if b != "28"]
    new_on, new_off = on_mu[sel][:, :, non28].sum(axis=(1, 2)), off_mu[sel][:, :, non28].sum(axis=(1, 2))
    late = (data_years - h.programme_start_year) >= h.lag_years
    return {
        "its_eur_cum": float((on["real_last"] - off["real_last"])[post].sum()),
        "its_rate_cum": float(((on["counted"] - off["counted"]) / u21_city * 1e4)[post].sum()),
        "did_late": float(np.log(hp["effect"]["late_rr"])),
        "event_post": float(np.mean(np.log(new_on[late] / new_off[late]))),
        "balance_cum_avoided": float(-((on["nominal"] - off["nominal"]) * factor)[post].sum()),
    }


def null_truths() -> dict[str, float]:
    return {k: 0.0 for k in ("its_eur_cum", "its_rate_cum", "did_late", "event_post", "balance_cum_avoided")}


def event_truth(s: Setup, q: pd.DataFrame, year: int) -> float:
    """True post mean of the event study for report ``year``: mean log ratio of expected new cases
    (without § 28) with and without the programme over the late years up to ``year``."""
    h = s.config.analysis.hze
    sel = (s.years >= s.world.years[0]) & (s.years <= year)
    non28 = [k for k, b in enumerate(s.bases) if b != "28"]
    on = expected_new(s, q, True)[sel][:, :, non28].sum(axis=(1, 2))
    off = expected_new(s, q, False)[sel][:, :, non28].sum(axis=(1, 2))
    late = (s.years[sel] - h.programme_start_year) >= h.lag_years
    return float(np.mean(np.log(on[late] / off[late])))


def event_rows(s: Setup, tables: dict[str, pd.DataFrame], year: int) -> dict[str, float]:
    """The event study of one draw for report ``year`` (``analysis.run.event_part``)."""
    u21 = analysis_run._u21(tables["population"])
    yearly = tables["hze_year"][tables["hze_year"]["year"] <= year]
    new = analysis_run.new_cases_without_28(yearly, u21[u21["year"] <= year])
    _table, rows = analysis_run.event_part(s.config, tables["comparison"], new, year)
    e = {r["term"]: r for r in rows}
    post = e["post_mean"]
    return {
        "event_post_est": post["estimate"],
        "event_post_low": post["ci_low"],
        "event_post_high": post["ci_high"],
        "event_post_p": post["p_value"],
        "event_post_p_model": post["p_model"],
        "event_post_p_placebo": post["p_placebo"],
        "event_pretest_p": e["pretrend_joint"]["p_value"],
    }


def setup_for_population(s: Setup, seed: int) -> Setup:
    """The setup with a population drawn from ``seed`` (the generator's own population model)."""
    names = {a.code: a.name for a in s.config.stadtteile}
    pop = generate_population(
        PopulationParams.from_dict(s.params["population"]), names, s.config.data_years, source_rng(seed, "population")
    )
    world = w.make_world(s.params, pop, names)
    u21 = np.array([world.persons(int(y), 0, 20).to_numpy(float) for y in s.years])
    u15 = np.array([world.persons(int(y), 0, 14).to_numpy(float) for y in world.years])
    # the true rate ratios depend on the services only (fixed), not on the population
    return replace(s, world=world, u21=u21, u15=u15, q_ref=w._city_reference_quota(world))


def run_event_study(s0: Setup, seeds: int) -> pd.DataFrame:
    """Every scenario × report year × seed, everything drawn per seed."""
    rows = []
    for seed in range(seeds):
        s = setup_for_population(s0, 100_000 + seed)
        for effect, noise in SCENARIOS:
            tables, q = tables_for(s, seed, effect == "effect", noise == "persistent")
            for year in s.config.report_years:
                truth = event_truth(s, q, year) if effect == "effect" else 0.0
                rows.append(
                    {"seed": seed, "effect": effect, "noise": noise, "year": year, "event_post_true": truth}
                    | event_rows(s, tables, year)
                )
    return pd.DataFrame(rows)


def summarise_event(rows: pd.DataFrame) -> pd.DataFrame:
    """Per scenario × report year: rejection rates (combined, model-based, placebo), coverage, pre-test."""
    out = []
    for (effect, noise, year), part in rows.groupby(["effect", "noise", "year"], sort=False):
        n = len(part)
        true = part["event_post_true"]
        cover = (part["event_post_low"] <= true) & (true <= part["event_post_high"])
        record = {"effect": effect, "noise": noise, "year": int(year), "n": n, "mean_true": float(true.mean())}
        for label, hits in (
            ("reject_rate", part["event_post_p"] < 0.05),
            ("reject_rate_model", part["event_post_p_model"] < 0.05),
            ("reject_rate_placebo", part["event_post_p_placebo"] < 0.05),
            ("pretest_reject_rate", part["event_pretest_p"] < 0.05),
            ("coverage", cover),
        ):
            low, high = rate_interval(int(hits.sum()), n)
            record[label] = float(hits.mean())
            record[f"{label}_ci"] = [round(low, 4), round(high, 4)]
        record["bias"] = float((part["event_post_est"] - true).mean())
        out.append(record)
    return pd.DataFrame(out)


def refresh_event_columns(s: Setup, rows: pd.DataFrame) -> pd.DataFrame:
    """Recompute the event-study columns of the main study's rows with the current estimator."""
    out = rows.copy()
    year = s.world.years[-1]
    for i, r in rows.iterrows():
        tables, _q = tables_for(s, int(r["seed"]), r["effect"] == "effect", r["noise"] == "persistent")
        for key, value in event_rows(s, tables, year).items():
            out.loc[i, key] = value
    return out


def estimates(out: dict[str, pd.DataFrame]) -> dict[str, float]:
    e = out["hze_effects"].set_index(["design", "series", "term"])
    row = {}
    for key, idx in {
        "its_eur_cum": ("its", "ausgaben_eur", "cumulated_gap"),
        "its_rate_cum": ("its", "faelle_je_10000", "cumulated_gap"),
        "did_late": ("did", "neue_faelle_ohne_28", "late"),
        "event_post": ("event_study", "neue_faelle_ohne_28_je_u21", "post_mean"),
    }.items():
        r = e.loc[idx]
        row |= {f"{key}_est": r["estimate"], f"{key}_low": r["ci_low"], f"{key}_high": r["ci_high"]}
        row[f"{key}_p"] = r["p_value"]
    row["event_pretest_p"] = e.loc[("event_study", "neue_faelle_ohne_28_je_u21", "pretrend_joint"), "p_value"]
    bal = out["hze_balance"]
    base = bal[bal["scenario"] == "base"].sort_values("year").iloc[-1]
    row |= {
        "balance_cum_avoided_est": base["cum_avoided_eur"],
        "balance_cum_net_low": base["cum_net_low"],
        "balance_cum_net_high": base["cum_net_high"],
        "balance_cum_prevention": base["cum_prevention_eur"],
    }
    return row


def run_one(s: Setup, seed: int, effect: str, noise: str, prof: dict[str, np.ndarray]) -> dict[str, float]:
    tables, q = tables_for(s, seed, effect == "effect", noise == "persistent")
    with _without_descriptive_tables():
        out = hze_for_year(s.config, tables, s.world.years[-1])
    truth = truths(s, q, prof) if effect == "effect" else null_truths()
    return {
        "seed": seed,
        "effect": effect,
        "noise": noise,
        **estimates(out),
        **{f"{k}_true": v for k, v in truth.items()},
    }


@contextmanager
def _without_descriptive_tables():
    """The protected descriptive tables (disclosure control, seconds per draw) feed no estimand."""
    original = analysis_run.protected_descriptive
    analysis_run.protected_descriptive = lambda *args: pd.DataFrame()
    try:
        yield
    finally:
        analysis_run.protected_descriptive = original


def summarise(rows: pd.DataFrame) -> pd.DataFrame:
    """Per scenario and estimand: bias, RMSE, 95 % coverage, rejection rate (size or power)."""
    out = []
    for (effect, noise), part in rows.groupby(["effect", "noise"], sort=False):
        for key in ("its_eur_cum", "its_rate_cum", "did_late", "event_post"):
            est, true = part[f"{key}_est"], part[f"{key}_true"]
            cover = (part[f"{key}_low"] <= true) & (true <= part[f"{key}_high"])
            reject = (part[f"{key}_low"] > 0) | (part[f"{key}_high"] < 0)
            out.append(_summary_row(effect, noise, key, est, true, cover, reject))
        true_net = part["balance_cum_avoided_true"] - part["balance_cum_prevention"]
        est_net = part["balance_cum_avoided_est"] - part["balance_cum_prevention"]
        cover = (part["balance_cum_net_low"] <= true_net) & (true_net <= part["balance_cum_net_high"])
        # the balance has no test; "reject" = the band claims a positive balance (wholly above 0);
        # the true balance is negative in every scenario, so this is a false claim
        reject = part["balance_cum_net_low"] > 0
        out.append(_summary_row(effect, noise, "balance_cum_net", est_net, true_net, cover, reject))
        pre = part["event_pretest_p"] < 0.05
        pre_low, pre_high = rate_interval(int(pre.sum()), len(pre))
        out.append(
            {
                "effect": effect,
                "noise": noise,
                "estimand": "event_pretest",
                "reject_rate": float(pre.mean()),
                "reject_rate_ci": [round(pre_low, 4), round(pre_high, 4)],
            }
        )
    return pd.DataFrame(out)


#: target band of the study for the 95 % coverage (issue 16)
COVERAGE_BAND = (0.93, 0.97)


def rate_interval(hits: int, n: int) -> tuple[float, float]:
    """Exact (Clopper–Pearson) 95 % interval of a Monte Carlo rate.

    >>> [round(v, 4) for v in rate_interval(99, 100)]
    [0.9455, 0.9997]
    """
    low, high = proportion_confint(hits, n, alpha=0.05, method="beta")
    return float(low), float(high)


def _summary_row(effect, noise, key, est, true, cover, reject) -> dict:
    n = len(est)
    cover_low, cover_high = rate_interval(int(cover.sum()), n)
    reject_low, reject_high = rate_interval(int(reject.sum()), n)
    return {
        "effect": effect,
        "noise": noise,
        "estimand": key,
        "n": n,
        "mean_true": float(true.mean()),
        "bias": float((est - true).mean()),
        "bias_mc_se": float((est - true).std(ddof=1) / np.sqrt(n)),
        "rmse": float(np.sqrt(((est - true) ** 2).mean())),
        "coverage": float(cover.mean()),
        "coverage_ci": [round(cover_low, 4), round(cover_high, 4)],
        # the Monte Carlo interval reaches the target band: the cell is not shown to miss it
        "coverage_consistent_with_band": bool(cover_low <= COVERAGE_BAND[1] and cover_high >= COVERAGE_BAND[0]),
        "reject_rate": float(reject.mean()),
        "reject_rate_ci": [round(reject_low, 4), round(reject_high, 4)],
        "mc_se_rate": float(np.sqrt(0.05 * 0.95 / n)),
    }


def _write(out: Path, table: pd.DataFrame, seeds: int, draws: int, seconds: float) -> None:
    out.write_text(
        json.dumps(
            {
                "seeds_per_scenario": seeds,
                "bootstrap_draws": draws,
                "persistent_noise": {"rho": PERSISTENT_RHO, "sd": PERSISTENT_SD},
                "seconds": None if np.isnan(seconds) else round(seconds, 1),
                "notes": NOTES,
                "summary": table.to_dict(orient="records"),
            },
            indent=1,
            ensure_ascii=False,
        )
        + "\n",
        encoding="utf-8",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=100)
    parser.add_argument("--draws", type=int, default=399, help="wild cluster bootstrap draws per analysis")
    parser.add_argument("--config", default=str(ROOT / "config" / "leverkusen.yml"))
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "simulation_hze_results.json"))
    parser.add_argument("--scenarios", default="all", help="all, or e.g. effect:iid,none:iid")
    parser.add_argument("--from-rows", default=None, help="only summarise a rows CSV of an earlier run")
    parser.add_argument("--refresh-event", default=None, help="recompute the event columns of a rows CSV")
    parser.add_argument("--event-study", type=int, default=0, help="event study alone with K seeds")
    args = parser.parse_args(argv)
    if args.event_study:
        t0 = time.perf_counter()
        frame = run_event_study(make_setup(Path(args.config), args.draws), args.event_study)
        out = ROOT / "benchmarks" / "simulation_hze_event_results.json"
        frame.to_csv(out.with_suffix(".rows.csv"), index=False)
        table = summarise_event(frame)
        print(table.to_string(index=False))
        out.write_text(
            json.dumps(
                {
                    "seeds_per_scenario": args.event_study,
                    "drawn_per_seed": ["population", "poverty quotas", "cases", "comparison communes"],
                    "seconds": round(time.perf_counter() - t0, 1),
                    "summary": table.to_dict(orient="records"),
                },
                indent=1,
                ensure_ascii=False,
            )
            + "\n",
            encoding="utf-8",
        )
        return 0
    if args.refresh_event:
        frame = refresh_event_columns(make_setup(Path(args.config), args.draws), pd.read_csv(args.refresh_event))
        frame.to_csv(args.refresh_event, index=False)
        args.from_rows = args.refresh_event
    if args.from_rows:  # summarise the rows of an earlier (possibly interrupted) run and write the JSON
        frame = pd.read_csv(args.from_rows)
        table = summarise(frame)
        with pd.option_context(
            "display.width", 200, "display.max_columns", 20, "display.float_format", "{:.4g}".format
        ):
            print(table.to_string(index=False))
        seeds = int(frame.groupby(["effect", "noise"]).size().min())
        out = Path(args.out)
        # keep the run time of the run that made the rows (re-summarising takes no time)
        earlier = json.loads(out.read_text(encoding="utf-8")).get("seconds") if out.exists() else None
        _write(out, table, seeds, args.draws, float("nan") if earlier is None else float(earlier))
        return 0
    t0 = time.perf_counter()
    setup = make_setup(Path(args.config), args.draws)
    prof = profiles(setup, np.random.default_rng(0))
    chosen = SCENARIOS if args.scenarios == "all" else [tuple(x.split(":")) for x in args.scenarios.split(",")]
    rows_path = Path(args.out).with_suffix(".rows.csv")
    rows = []
    for seed in range(args.seeds):  # seeds outermost: an interrupted run still covers every scenario
        for e, n in chosen:
            rows.append(run_one(setup, seed, e, n, prof))
            pd.DataFrame(rows).to_csv(rows_path, index=False)  # progress survives an interrupted run
    frame = pd.DataFrame(rows)
    table = summarise(frame)
    seconds = time.perf_counter() - t0
    with pd.option_context("display.width", 200, "display.max_columns", 20, "display.float_format", "{:.4g}".format):
        print(table.to_string(index=False))
    print(f"{len(rows)} runs in {seconds:.0f} s")
    _write(Path(args.out), table, args.seeds, args.draws, seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
