"""Age ranges over a residents' register that may come in single years or in age bands.

Pure functions shared by the loaders, the indicator atoms, the analyses and the planning of
which indicators a commune can compute (``helpers.indicators.plan``).
"""

from __future__ import annotations

import pandas as pd

#: An age range reaching this age is written "ab <first age>" in messages.
OPEN_AGE = 120

Band = tuple[int, int]


def band_text(band: Band, last: bool = False) -> str:
    lo, hi = band
    if last:
        return f"{lo}+"
    return str(lo) if lo == hi else f"{lo}–{hi}"


def bands_text(bands: list[Band]) -> str:
    return ", ".join(band_text(b, i == len(bands) - 1) for i, b in enumerate(bands))


def _range_text(lo: int, hi: int) -> str:
    if hi >= OPEN_AGE:
        return f"Alter ab {lo}"
    return f"Alter {lo}" if lo == hi else f"Alter {lo}–{hi}"


def age_range_problem(bands: list[Band] | None, lo: int, hi: int) -> str | None:
    """Why ages ``lo``..``hi`` (inclusive) cannot be formed from whole bands, or None if they can.

    ``bands`` None means single years: every range can be formed. The last band is open: a range
    reaching its last age or beyond (e.g. ``65–200``) ends with it.

    >>> bands = [(0, 2), (3, 5), (6, 14), (15, 24), (25, 64), (65, 120)]
    >>> age_range_problem(bands, 0, 5) is None, age_range_problem(bands, 65, 200) is None
    (True, True)
    >>> print(age_range_problem(bands, 15, 17))
    Alter 15–17 lässt sich aus den Altersgruppen der Einwohnerdatei (0–2, 3–5, 6–14, 15–24, 25–64, 65+) nicht bilden
    """
    if bands is None:
        return None
    ordered = sorted(bands)
    if lo > hi:
        return f"Altersbereich {lo}–{hi} ist leer (erstes Alter größer als letztes)"
    capped = min(hi, ordered[-1][1])
    if lo in {b[0] for b in ordered} and capped in {b[1] for b in ordered}:
        return None
    return (
        f"{_range_text(lo, hi)} lässt sich aus den Altersgruppen der Einwohnerdatei "
        f"({bands_text(ordered)}) nicht bilden"
    )


def ages_mask(frame: pd.DataFrame, lo: int, hi: int) -> pd.Series:
    """Rows of a processed population frame whose age (band) lies in ``lo``..``hi``.

    Raises ``ValueError`` (German reason, see :func:`age_range_problem`) when a band of the
    frame straddles the range. A frame without ``age_last`` holds single years.
    """
    first = frame["age"]
    last = frame["age_last"] if "age_last" in frame.columns else first
    if len(frame) and bool((last != first).any()):
        bands = sorted(set(zip(first.astype(int), last.astype(int), strict=True)))
        reason = age_range_problem(bands, lo, hi)
        if reason is not None:
            raise ValueError(reason)
    return first.between(lo, hi) & last.le(hi)


def select_ages(frame: pd.DataFrame, lo: int, hi: int) -> pd.DataFrame:
    """Rows of a processed population frame whose age (band) lies in ``lo``..``hi`` (inclusive).

    Raises ``ValueError`` with a German reason when a band straddles the range.

    >>> f = pd.DataFrame({"age": [0, 3, 6], "age_last": [2, 5, 9], "persons": [1, 2, 3]})
    >>> select_ages(f, 0, 5)["persons"].tolist()
    [1, 2]
    """
    return frame[ages_mask(frame, lo, hi)]
