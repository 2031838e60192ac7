"""Event study against comparison communes: detrended design, placebo inference, joint pre-test."""

from __future__ import annotations

import numpy as np
import pandas as pd

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
