"""German number format, checked against hand-written expectations."""

from __future__ import annotations

import math

import pytest

from helpers.core.formatting import NBSP, fmt_change, fmt_number, fmt_percent


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (1234.5, 1, "1.234,5"),
        (170326, 0, "170.326"),
        (0.05, 1, "0,1"),
        (999.96, 1, "1.000,0"),
        (-1234.0, 0, "−1.234"),
        (None, 0, "."),
        (math.nan, 1, "."),
    ],
)
def test_fmt_number(value, decimals, expected):
    assert fmt_number(value, decimals) == expected


def test_fmt_percent_and_change():
    assert fmt_percent(12.345) == f"12,3{NBSP}%"
    assert fmt_percent(1234.5, 1) == f"1.234,5{NBSP}%"
    assert fmt_change(0.04) == "±0,0"
    assert fmt_change(-2.26, 1) == "−2,3"
    assert fmt_change(3, 0, " %") == f"+3{NBSP}%"
