"""Year-on-year change of one area's indicator with a confidence interval (for ▲/▼ marks).

* shares (``kind="share"``): difference of two independent proportions with Newcombe's (1998)
  hybrid score interval (method 10, Wilson score limits of each proportion combined);
* rates (``kind="rate"``): difference of two Poisson rates (per person of the denominator)
  with the score interval of ``statsmodels.stats.rates.confint_poisson_2indep``.

A change is ``significant`` when its interval excludes 0; only then may a display mark it
with an arrow. The functions are pure and take counts, so display code can call them on the
published numerators/denominators of two years.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

import numpy as np
from statsmodels.stats.proportion import confint_proportions_2indep
from statsmodels.stats.rates import confint_poisson_2indep


class Change(NamedTuple):
    """Difference new − old (0–1 scale for shares, per person for rates) and its interval."""

    diff: float
    low: float
    high: float
    significant: bool


def change_test(
    num1: float,
    den1: float,
    num0: float,
    den0: float,
    kind: Literal["share", "rate"] = "share",
    alpha: float = 0.05,
) -> Change:
    """Test the change from year 0 (``num0/den0``) to year 1 (``num1/den1``).

    Returns ``Change(nan, nan, nan, False)`` when a denominator is missing or not positive.
    Multiply ``diff``/``low``/``high`` by the indicator's scale (100, 1,000, 10,000) for display.
    """
    values = np.array([num1, den1, num0, den0], float)
    if not np.all(np.isfinite(values)) or den1 <= 0 or den0 <= 0 or num1 < 0 or num0 < 0:
        return Change(float("nan"), float("nan"), float("nan"), False)
    diff = num1 / den1 - num0 / den0
    if kind == "share":
        low, high = confint_proportions_2indep(num1, den1, num0, den0, method="newcomb", compare="diff", alpha=alpha)
    elif kind == "rate":
        low, high = confint_poisson_2indep(num1, den1, num0, den0, method="score", compare="diff", alpha=alpha)
    else:
        raise ValueError(f"kind must be 'share' or 'rate', got {kind!r}")
    low, high = float(low), float(high)
    return Change(float(diff), low, high, bool(low > 0 or high < 0))
