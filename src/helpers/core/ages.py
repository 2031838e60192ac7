"""Age ranges over a residents' register that may come in single years or in age bands.

Pure functions shared by the loaders, the indicator atoms, the analyses and the planning of
which indicators a commune can compute (``helpers.indicators.plan``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: planning (and so the no-op build) must not import pandas
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


def _formed_end(hi: int, top: int) -> int:
    """The last age a range ending at ``hi`` needs: an open range (``hi`` at or beyond
    :data:`OPEN_AGE` or the top band's last age) ends with the open top band."""
    return top if hi >= min(OPEN_AGE, top) else hi


def age_range_problem(bands: list[Band] | None, lo: int, hi: int) -> str | None:
    """Why ages ``lo``..``hi`` (inclusive) cannot be formed from whole bands, or None if they can.

    ``bands`` None means single years: every range can be formed. The last band is open: a range
    reaching its last age or :data:`OPEN_AGE` (e.g. ``65–200`` or ``0–120`` against ``75–200``)
    ends with it. The reason names the bound that fails.

    >>> bands = [(0, 2), (3, 5), (6, 14), (15, 24), (25, 64), (65, 120)]
    >>> age_range_problem(bands, 0, 5) is None, age_range_problem(bands, 65, 200) is None
    (True, True)
    >>> reason, _, bound = age_range_problem(bands, 15, 17).partition(": ")
    >>> print(reason)
    Alter 15–17 lässt sich aus den Altersgruppen der Einwohnerdatei (0–2, 3–5, 6–14, 15–24, 25–64, 65+) nicht bilden
    >>> bound
    'die Obergrenze 17 ist kein Ende einer Altersgruppe'
    >>> age_range_problem([(0, 9), (10, 74), (75, 200)], 0, 120) is None
    True
    """
    if bands is None:
        return None
    ordered = sorted(bands)
    if lo > hi:
        return f"Altersbereich {lo}–{hi} ist leer (erstes Alter größer als letztes)"
    end = _formed_end(hi, ordered[-1][1])
    failing = []
    if lo not in {b[0] for b in ordered}:
        failing.append(f"die Untergrenze {lo} ist kein Beginn einer Altersgruppe")
    if end not in {b[1] for b in ordered}:
        failing.append(f"die Obergrenze {hi} ist kein Ende einer Altersgruppe")
    if not failing:
        return None
    return (
        f"{_range_text(lo, hi)} lässt sich aus den Altersgruppen der Einwohnerdatei "
        f"({bands_text(ordered)}) nicht bilden: {' und '.join(failing)}"
    )


def nearest_range(bands: list[Band], lo: int, hi: int) -> tuple[int, int]:
    """The range of whole bands nearest to ``lo``..``hi``: each bound moved to the nearest band edge
    (ties: the lower edge), never empty; an open range stays open.

    >>> ten = [(0, 9), (10, 19), (20, 59), (60, 69), (70, 200)]
    >>> nearest_range(ten, 0, 17), nearest_range(ten, 65, 200), nearest_range(ten, 0, 5)
    ((0, 19), (60, 200), (0, 9))
    """
    ordered = sorted(bands)
    top = ordered[-1][1]
    starts = [b[0] for b in ordered]
    new_lo = min(starts, key=lambda s: (abs(s - lo), s))
    if hi >= min(OPEN_AGE, top):
        return new_lo, hi
    # an upper bound hi is the edge hi + 1 (the next band's start); pick the nearest such edge
    ends = [b[1] for b in ordered if b[1] >= new_lo]
    new_hi = min(ends, key=lambda e: (abs(e - hi), e))
    return new_lo, new_hi


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

    >>> import pandas as pd
    >>> f = pd.DataFrame({"age": [0, 3, 6], "age_last": [2, 5, 9], "persons": [1, 2, 3]})
    >>> select_ages(f, 0, 5)["persons"].tolist()
    [1, 2]
    """
    return frame[ages_mask(frame, lo, hi)]
