"""German number formatting for everything a reviewer reads (via Babel's CLDR data).

Decimal comma, thousands dot, a non-breaking space before "%", and the official symbols
for missing values: "–" (nothing), "." (unknown or secret), "( )" (limited reliability).
"""

from __future__ import annotations

import math

from babel.numbers import format_decimal

LOCALE = "de_DE"
NBSP = "\u00a0"
SYMBOL_SECRET = "."
SYMBOL_NOTHING = "–"


def _missing(value: float | int | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def fmt_number(value: float | int | None, decimals: int = 0) -> str:
    """Format a number the German way; missing values give ".".

    >>> fmt_number(1234.5, 1), fmt_number(170326), fmt_number(None)
    ('1.234,5', '170.326', '.')
    >>> fmt_number(-0.04, 1), fmt_number(-1234.5, 1)
    ('0,0', '−1.234,5')
    """
    if _missing(value):
        return SYMBOL_SECRET
    rounded = round(float(value), decimals) + 0.0  # +0.0 turns -0.0 into 0.0
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(rounded, format=pattern, locale=LOCALE).replace("-", "−")  # typographic minus


def fmt_percent(value: float | None, decimals: int = 1) -> str:
    """Format a percentage value (already in %) as "12,3 %".

    >>> fmt_percent(12.345)
    '12,3\\xa0%'
    """
    if _missing(value):
        return SYMBOL_SECRET
    return f"{fmt_number(value, decimals)}{NBSP}%"


def fmt_change(value: float | None, decimals: int = 1, unit: str = "") -> str:
    """Format a change with an explicit sign ("+1,2", "−0,4"; typographic minus).

    >>> fmt_change(1.23), fmt_change(-0.4), fmt_change(0.0), fmt_change(2, 0, " %")
    ('+1,2', '−0,4', '±0,0', '+2\\xa0%')
    """
    if _missing(value):
        return SYMBOL_SECRET
    text = fmt_number(abs(value), decimals)
    rounded = round(float(value), decimals)
    sign = "+" if rounded > 0 else ("−" if rounded < 0 else "±")
    unit = unit.replace(" ", NBSP)
    return f"{sign}{text}{unit}"


def german_number(n: int) -> str:
    """Whole numbers with thousands dots, as in German text (no locale lookup: cheap).

    >>> german_number(6194)
    '6.194'
    """
    return f"{n:,}".replace(",", ".")
