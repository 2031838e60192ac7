"""Event study against comparison communes: detrended design, placebo inference, joint pre-test."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.analysis import hze as H

YEARS = range(2008, 2026)


def _panel(rng, effect: float = 0.0, dip: float = 0.0, treated_slope: float = 0.0, n: int = 13) -> pd.DataFrame:
    """n communes with own linear trends and common shocks; u0 is treated from 2017 (effect from 2020)."""
    shocks = {year: rng.normal(0, 0.03) for year in YEARS}
    rows = []
    for unit in range(n):
        level, slope = rng.normal(-4, 0.2), 0.015 + rng.normal(0, 0.01)
        if unit == 0:
            slope = treated_slope
        noise = 0.02 * np.sqrt(3 if unit == 0 else 1)  # the treated unit is smaller, hence noisier
        for year in YEARS:
            y = level + slope * (year - 2016) + shocks[year] + rng.normal(0, noise)
            if unit == 0:
                y += (effect if year >= 2020 else 0.0) + (dip if year in (2015, 2016) else 0.0)
            rows.append({"unit": f"u{unit}", "year": year, "y": y})
    return pd.DataFrame(rows)


def test_unit_specific_trends_are_absorbed_and_effect_recovered():
    rng = np.random.default_rng(2)
    ests = []
    for _ in range(40):
        ev = H.event_study(_panel(rng, effect=-0.1, treated_slope=0.0), "u0", 2017, 3)
        ests.append(ev.post_mean)
        assert ev.n_placebos == 12 and ev.post_ci[0] < ev.post_mean < ev.post_ci[1]
        assert (ev.post_p <= 0.05) == (not ev.post_ci[0] <= 0 <= ev.post_ci[1])
    assert abs(np.mean(ests) + 0.1) < 0.03  # flat city against trending communes: no bias


def test_post_test_and_pretest_hold_their_size():
    rng = np.random.default_rng(8)
    post_rej = pre_rej = cover = 0
    runs = 200
    for _ in range(runs):
        ev = H.event_study(_panel(rng), "u0", 2017, 3)
        post_rej += ev.post_p < 0.05
        pre_rej += ev.pre_f_p < 0.05
        cover += ev.post_ci[0] <= 0 <= ev.post_ci[1]
    # nominal 5 %; Monte Carlo SE for 200 runs ≈ 1,5 Pp.
    assert post_rej / runs <= 0.085 and pre_rej / runs <= 0.085
    assert cover / runs >= 0.91


def test_pretest_flags_a_dip_before_the_start():
    # a dip of −0,3 (about 9 noise SDs) in the two years before the start; the pre-test has little
    # power with five fit years (each unit's scale comes from 3 degrees of freedom), so not always
    rng = np.random.default_rng(11)
    flagged = sum(H.event_study(_panel(rng, dip=-0.3), "u0", 2017, 3).pretrend_violated() for _ in range(20))
    assert flagged >= 14


def _non_exchangeable(rng) -> pd.DataFrame:
    """The city (u0): independent noise around its trend. Comparison units: the same variance, but
    strongly alternating (AR(1), ρ = −0,8), so their post-period means cancel out: the placebo
    distribution alone understates the city's post-period variation."""
    rows = []
    for unit in range(13):
        level, slope = rng.normal(-4, 0.2), 0.015 + rng.normal(0, 0.01)
        e = rng.normal(0, 0.05)
        for year in YEARS:
            e = rng.normal(0, 0.05) if unit == 0 else -0.8 * e + rng.normal(0, 0.05 * 0.6)
            rows.append({"unit": f"u{unit}", "year": year, "y": level + slope * (year - 2016) + e})
    return pd.DataFrame(rows)


def test_inference_stays_valid_when_the_city_is_not_exchangeable():
    rng = np.random.default_rng(25)
    runs, combined, placebo_only = 200, 0, 0
    for _ in range(runs):
        ev = H.event_study(_non_exchangeable(rng), "u0", 2017, 3)
        assert ev.post_p == max(ev.post_p_model, ev.post_p_placebo)
        assert (ev.post_p <= 0.05) == (not ev.post_ci[0] <= 0 <= ev.post_ci[1])
        combined += ev.post_p < 0.05
        placebo_only += ev.post_p_placebo < 0.05
    assert placebo_only / runs > 0.15  # the placebo test alone is broken here (it would be ~0,05 if valid)
    assert combined / runs <= 0.085  # nominal 5 %, Monte Carlo SE ≈ 1,5 Pp.


def test_model_based_p_value_by_hand():
    """The model p-value is the textbook prediction test of the post mean on the city's path (its
    series minus the comparison mean): t = d̄ / (s·√(1/m + 1/n + (t̄ − t̄_fit)²/Sxx)), n − 2 df."""
    from scipy.stats import t as student_t

    years = np.arange(2010, 2020)
    rng = np.random.default_rng(3)
    wide = pd.DataFrame({f"u{u}": 0.01 * u * np.arange(10) + rng.normal(0, 0.01, 10) for u in range(5)}, index=years)
    wide["u0"] += np.where(years >= 2016, 0.05, 0.0)
    panel = wide.rename_axis("year").reset_index().melt(id_vars="year", var_name="unit", value_name="y")
    ev = H.event_study(panel, "u0", 2015, 1)
    path = (wide["u0"] - wide[["u1", "u2", "u3", "u4"]].mean(axis=1)).to_numpy()
    x = np.arange(5.0) - 2  # fit years 2010–2014, centred on 2012
    b = (x @ path[:5]) / (x @ x)
    resid = path[:5] - path[:5].mean() - b * x
    s = np.sqrt(resid @ resid / 3)
    post = np.arange(6, 10) - 2.0  # 2016–2019 (start 2015, lag 1), relative to 2012
    deviation = path[6:] - path[:5].mean() - b * post
    se = s * np.sqrt(1 / 4 + 1 / 5 + post.mean() ** 2 / (x @ x))
    assert ev.n_pre == 5
    assert ev.post_mean == pytest.approx(deviation.mean(), abs=1e-12)
    assert ev.post_p_model == pytest.approx(2 * student_t.sf(abs(deviation.mean()) / se, 3), rel=1e-9)
    assert ev.post_p == max(ev.post_p_model, ev.post_p_placebo)
