"""The within-city DiD: test-inverted wild-cluster-bootstrap intervals agree with the p-values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.analysis import hze as H


def _panel(rng: np.random.Generator, effect: float, n_units: int = 13) -> pd.DataFrame:
    starts = {f"{i:03d}": 2016 + i % 3 for i in range(5)}
    rows = []
    for i in range(n_units):
        code, level = f"{i:03d}", rng.normal(0, 0.3)
        for year in range(2010, 2026):
            late = code in starts and year - starts[code] >= 3
            mu = 3000 * 0.012 * np.exp(level + 0.01 * (year - 2010) + (effect if late else 0.0))
            rows.append({"year": year, "area_code": code, "cases": rng.poisson(mu), "u21": 3000, "value": 20.0})
    frame = pd.DataFrame(rows)
    return H.did_panel(frame[["year", "area_code", "cases", "u21"]], frame[["year", "area_code", "value"]], starts, 3)


def test_interval_and_p_value_always_agree():
    rng = np.random.default_rng(21)
    for effect in (0.0, -0.1, -0.2, -0.15, 0.0, -0.3, -0.1, -0.12):
        res = H.did_within_city(_panel(rng, effect), draws=199, seed=int(rng.integers(1e9)))
        for wb in (res.late, res.early):
            low, high = wb.ci
            assert low < wb.estimate < high
            assert (wb.p_value <= 0.05) == (not low <= 0.0 <= high), (wb.p_value, wb.ci)


def test_interval_ends_are_where_the_test_starts_rejecting():
    rng = np.random.default_rng(4)
    panel = _panel(rng, -0.2)
    x, _ = H._fe_design(panel, ["late", "early", "log_cov"])
    y = panel["y"].to_numpy(float)
    codes, groups = np.unique(panel["area_code"].to_numpy(), return_inverse=True)
    v = H.WEBB[np.random.default_rng(1).integers(0, 6, size=(399, len(codes)))][:, groups]
    proj = np.linalg.pinv(x.T @ x) @ x.T
    n, p = x.shape
    scale = len(codes) / (len(codes) - 1) * (n - 1) / (n - p)
    family = H._null_family(y, x, 1, v, np.eye(len(codes))[groups], proj, scale)
    low, high = H.inverted_interval(family)
    eps = 1e-4 * family.se
    assert family.p_value(low + eps) > 0.05 >= family.p_value(low - eps)
    assert family.p_value(high - eps) > 0.05 >= family.p_value(high + eps)
    # the restricted p-value at β₀ equals the p-value of the shifted problem y − β₀·x_k at 0
    shifted = H._null_family(y - 0.1 * x[:, 1], x, 1, v, np.eye(len(codes))[groups], proj, scale)
    assert family.p_value(0.1) == pytest.approx(shifted.p_value(0.0))


def test_combination_design_makes_one_coefficient_the_weighted_sum():
    rng = np.random.default_rng(5)
    x = np.column_stack([np.ones(30), rng.normal(size=(30, 3))])
    y = x @ np.array([1.0, 0.5, -0.3, 2.0]) + rng.normal(size=30)
    beta = np.linalg.lstsq(x, y, rcond=None)[0]
    for w in ((2.0, -3.0), (1.5, 0.0)):
        x2, k = H.combination_design(x, (2, 1), w)
        gamma = np.linalg.lstsq(x2, y, rcond=None)[0]
        assert gamma[k] == pytest.approx(w[0] * beta[2] + w[1] * beta[1])
        assert x2 @ gamma == pytest.approx(x @ beta)  # the same fit
