"""Noise for simulation studies: stationary AR(1) paths, the persistence the trend, social-index and
HzE methods must survive (used by ``benchmarks/simulate_*.py`` and the tests' known-truth panels)."""

from __future__ import annotations

import numpy as np


def ar1_paths(rng: np.random.Generator, n_series: int, n_steps: int, rho: float, sd: float) -> np.ndarray:
    """Stationary AR(1) paths, one row per series: marginal SD ``sd``, lag-1 correlation ``rho``.

    Draws step by step (all series of step 0, then of step 1, …), so a caller that wants
    steps × series takes the transpose and gets the same numbers.

    >>> paths = ar1_paths(np.random.default_rng(1), 20_000, 3, 0.7, 0.1)
    >>> paths.shape
    (20000, 3)
    >>> [round(float(v), 2) for v in (paths[:, 2].std(), np.corrcoef(paths[:, 1], paths[:, 2])[0, 1])]
    [0.1, 0.7]
    >>> bool(np.allclose(ar1_paths(np.random.default_rng(1), 4, 2, 0.0, 1.0).ravel(order="F"),
    ...                  np.random.default_rng(1).normal(0, 1, 8)))
    True
    """
    out = np.empty((n_series, n_steps))
    out[:, 0] = rng.normal(0, sd, n_series)
    innovation = sd * np.sqrt(1 - rho**2)
    for t in range(1, n_steps):
        out[:, t] = rho * out[:, t - 1] + rng.normal(0, innovation, n_series)
    return out
