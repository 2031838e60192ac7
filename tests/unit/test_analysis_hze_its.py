"""Known-answer tests of the interrupted-time-series API (helpers.analysis.its)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers.analysis import its

REFERENCE = Path(__file__).resolve().parents[2].parent / "shared" / "reference"
SICILY = REFERENCE / "its_sicily_lopezbernal2017.csv"


@pytest.mark.skipif(not SICILY.exists(), reason="../shared/reference/ not present (fresh checkout)")
def test_reproduces_lopez_bernal_2017_sicily_smoking_ban():
    """Lopez Bernal, Cummins & Gasparrini (2017), Int J Epidemiol 46:348–355, Sicily example."""
    data = pd.read_csv(SICILY)
    design = its.its_design(data["time"].to_numpy(), start=float(data.loc[data["smokban"] == 1, "time"].min()))
    assert design["post"].tolist() == data["smokban"].astype(float).tolist()
    poisson = its.fit_poisson_its(data["aces"], design, data["stdpop"], errors="poisson")
    rr, low, high = poisson.term("post").rate_ratio
    assert (round(rr, 4), round(low, 4), round(high, 4)) == (0.8944, 0.8647, 0.9251)
    quasi = its.fit_poisson_its(data["aces"], design, data["stdpop"], errors="quasi")
    rr_q, low_q, high_q = quasi.term("post").rate_ratio
    assert round(rr_q, 4) == 0.8944 and (round(low_q, 4), round(high_q, 4)) == (0.8392, 0.9532)
    # seasonality and HAC run and keep the level change close (the tutorial's seasonal model: RR ≈ 0,88)
    seasonal = its.its_design(data["time"].to_numpy(), 37, season="fourier", season_index=data["month"].to_numpy())
    fit = its.fit_poisson_its(data["aces"], seasonal, data["stdpop"], errors="hac", maxlags=3)
    assert 0.85 < fit.term("post").rate_ratio[0] < 0.92


@pytest.mark.filterwarnings("ignore::statsmodels.tools.sm_exceptions.PerfectSeparationWarning")
def test_exact_data_give_exact_coefficients():
    """Counts equal to their expectation: the Poisson fit returns the generating coefficients."""
    time = np.arange(1, 21, dtype=float)
    exposure = np.linspace(10_000, 12_000, 20)
    design = its.its_design(time, start=11, slope_change=True)
    beta = np.array([np.log(0.03), 0.02, np.log(0.8), -0.01])
    counts = exposure * np.exp(design.to_numpy() @ beta)
    fit = its.fit_poisson_its(counts, design, exposure, errors="poisson")
    assert fit.params.to_numpy() == pytest.approx(beta, abs=1e-7)
    est = fit.term("post")
    assert est.rate_ratio[0] == pytest.approx(0.8) and est.ci[0] < np.log(0.8) < est.ci[1]
    table = its.gap_table(fit, per=1.0)
    # the gap in row t ≥ start is exposure-free rate·(RR·exp(−0,01·(t−11)) − 1)
    t = 15
    rate_cf = np.exp(beta[0] + beta[1] * t)
    expected = rate_cf * (0.8 * np.exp(-0.01 * (t - 11)) - 1)
    assert table.loc[t - 1, "gap"] == pytest.approx(expected)
    assert table.loc[:9, "gap"].abs().max() == 0
    cum = its.cumulated_gap(fit, table, (time >= 11))
    assert cum.estimate == pytest.approx(table.loc[10:, "gap"].sum())


def test_month_dummies_and_hand_computed_quasi_scale():
    """Month dummies absorb a known seasonal pattern; the quasi scale is Pearson χ² / df."""
    rng = np.random.default_rng(5)
    time = np.arange(1, 49, dtype=float)
    month = (time - 1) % 12 + 1
    season = 0.2 * np.sin(2 * np.pi * month / 12)
    mu = 500 * np.exp(0.005 * time + season - 0.15 * (time >= 25))
    counts = rng.poisson(mu)
    design = its.its_design(time, 25, season="month", season_index=month)
    assert [c for c in design.columns if c.startswith("m")] == [f"m{m}" for m in range(2, 13)]
    fit = its.fit_poisson_its(counts, design, errors="quasi")
    fitted = np.exp(design.to_numpy() @ fit.params.to_numpy())
    pearson = float(np.sum((counts - fitted) ** 2 / fitted) / (len(time) - design.shape[1]))
    assert fit.scale == pytest.approx(pearson, rel=1e-6)
    assert fit.term("post").ci[0] < -0.15 < fit.term("post").ci[1]


def test_quasi_scale_floor_and_t_quantiles():
    time = np.arange(1, 13, dtype=float)
    design = its.its_design(time, 7)
    counts = np.array([100, 101, 99, 100, 102, 100, 90, 91, 89, 90, 91, 90], float)  # underdispersed
    raw = its.fit_poisson_its(counts, design, errors="quasi")
    floored = its.fit_poisson_its(counts, design, errors="quasi", scale_floor=1.0, use_t=True)
    assert raw.scale < 1 and floored.scale == 1.0
    assert floored.quantile() == pytest.approx(2.262157, rel=1e-5)  # t(9) 97,5 % quantile


def test_ar1_errors_with_rho_zero_equal_quasi_poisson():
    rng = np.random.default_rng(9)
    time = np.arange(1, 17, dtype=float)
    design = its.its_design(time, 8, slope_change=True)
    counts = rng.poisson(400 * np.exp(0.01 * time))
    quasi = its.fit_poisson_its(counts, design, errors="quasi", scale_floor=1.0)
    ar0 = its.fit_poisson_its(counts, design, errors="ar1", scale_floor=1.0, rho=0.0)
    assert ar0.cov.to_numpy() == pytest.approx(quasi.cov.to_numpy(), rel=1e-6)
    ar6 = its.fit_poisson_its(counts, design, errors="ar1", scale_floor=1.0, rho=0.6)
    c = np.array([0, 0, 1.0, 5.0])  # the gap's log ratio five years after the start: wider under AR(1)
    assert ar6.linear(c).ci[1] - ar6.linear(c).ci[0] > quasi.linear(c).ci[1] - quasi.linear(c).ci[0]


def test_ar1_residual_df_by_hand():
    # constant only, n = 3: tr((I − J/3)·R) = 3 − ΣR/3 = 2 − 4ρ/3 − 2ρ²/3
    assert its.ar1_residual_df(np.ones((3, 1)), 0.5) == pytest.approx(2 - 4 * 0.5 / 3 - 2 * 0.25 / 3)
    assert its.ar1_residual_df(np.ones((2, 1)), 0.3) == pytest.approx(0.7)
    x = np.column_stack([np.ones(16), np.arange(16.0)])
    assert its.ar1_residual_df(x, 0.0) == pytest.approx(14.0)


def test_trace_corrected_scale_is_unbiased_under_ar1_and_n_minus_p_is_not():
    """Gaussian AR(1) errors (ρ = 0,7, σ² = 1) around a line, 16 points: E[RSS] = tr((I − H)·R)."""
    rng = np.random.default_rng(16)
    n, rho, reps = 16, 0.7, 4000
    x = np.column_stack([np.ones(n), np.arange(n, dtype=float)])
    chol = np.linalg.cholesky(its.ar1_corr(n, rho))
    e = rng.standard_normal((reps, n)) @ chol.T
    resid = e - e @ (x @ np.linalg.pinv(x)).T
    rss = (resid**2).sum(axis=1)
    assert rss.mean() / its.ar1_residual_df(x, rho) == pytest.approx(1.0, abs=0.03)
    assert rss.mean() / (n - 2) < 0.8  # the classical scale is far too small


def test_ar1_rho_from_data_only_raises_the_given_correlation():
    time = np.arange(1, 17, dtype=float)
    design = its.its_design(time, 9, slope_change=True)
    rng = np.random.default_rng(3)
    iid = rng.poisson(500 * np.exp(0.01 * time))
    fixed = its.fit_poisson_its(iid, design, errors="ar1", use_t=True, scale_floor=1.0, rho=0.9, rho_from_data=True)
    assert fixed.rho == 0.9 and fixed.df_resid == 16 - 4 - 1
    drift = np.exp(np.cumsum(rng.normal(0, 0.05, 16)))  # a random walk: strongly persistent
    walk = rng.poisson(5000 * drift)
    raised = its.fit_poisson_its(walk, design, errors="ar1", use_t=True, scale_floor=1.0, rho=0.1, rho_from_data=True)
    assert raised.rho > 0.5
    plain = its.fit_poisson_its(walk, design, errors="ar1", use_t=True, scale_floor=1.0, rho=0.1)
    assert plain.rho == 0.1 and plain.df_resid == 12
    c = np.array([0, 0, 1.0, 5.0])
    assert raised.linear(c).ci[1] - raised.linear(c).ci[0] > plain.linear(c).ci[1] - plain.linear(c).ci[0]
