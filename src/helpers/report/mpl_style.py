"""The matplotlib house style, for the one chart that stays matplotlib (the Land page's funnel).

Figures are made with the object-oriented API inside a local ``rc_context`` with :data:`STYLE`,
so a warm kernel is not changed by drawing. Colours come from :mod:`helpers.report.palette`:
``BLUE`` is the area's own series, ``VERMILION`` (the old name) the city reference, ``GREY`` neutral.
Only modules that draw with matplotlib import this one.
"""

from __future__ import annotations

import itertools
import math
import textwrap

import matplotlib
from matplotlib.axis import Axis
from matplotlib.figure import Figure
from matplotlib.ticker import Formatter, MaxNLocator

from helpers.core.formatting import fmt_number
from helpers.report.palette import CITY, COMPARISON, GRID, LEVEL, MUTED, NEUTRAL, OWN

matplotlib.use("Agg")

#: Old colour names, now the palette's meanings.
BLUE, ORANGE, GREEN, GREY, VERMILION = OWN, LEVEL[2], COMPARISON, NEUTRAL, CITY

STYLE = {
    # Metrics from DejaVu Sans (shipped with matplotlib); the SVG names the fallbacks, so a
    # browser without DejaVu draws the labels in a similar (not wider) sans-serif font.
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Liberation Sans", "Arial", "Helvetica"],
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": GRID,
    "grid.linewidth": 0.6,
    "figure.dpi": 100,
    "axes.formatter.use_locale": False,
}


class GermanTickFormatter(Formatter):
    """German tick labels with at least ``decimals`` places and as many as the tick step needs.

    >>> f = GermanTickFormatter(0)
    >>> f.set_locs([17.0, 17.2, 17.4]); f(17.2)
    '17,2'
    >>> f.set_locs([0.0, 5000.0, 10000.0]); f(5000.0)
    '5.000'
    """

    def __init__(self, decimals: int = 0) -> None:
        self.decimals = self.places = decimals

    def set_locs(self, locs) -> None:
        """Called by the axis with the tick positions before it asks for labels: fix the places."""
        steps = [b - a for a, b in itertools.pairwise(sorted(float(x) for x in locs)) if b > a]
        needed = max(0, -math.floor(math.log10(min(steps)) + 1e-9)) if steps else 0
        self.places = max(self.decimals, needed)

    def __call__(self, x: float, pos: int | None = None) -> str:
        return fmt_number(x, self.places)


def _german_ticks(axis: Axis, decimals: int = 0) -> None:
    """Ticks at 1, 2 or 5 times a power of ten (whole numbers where possible), German labels."""
    axis.set_major_locator(MaxNLocator(steps=[1, 2, 5, 10], integer=decimals == 0))
    axis.set_major_formatter(GermanTickFormatter(decimals))


SOURCE_FONTSIZE = 8.0


def _source_line(fig: Figure, source: str) -> None:
    """The source line at the bottom left, wrapped so that long lists of holders stay on the figure.

    Call it last. Every further line makes the figure taller by one line height and keeps the plot
    where it was, so the block never covers axis labels.
    """
    text = textwrap.fill(source, 110)
    extra_in = text.count("\n") * SOURCE_FONTSIZE * 1.2 / 72
    if extra_in:
        old_h = fig.get_figheight()
        new_h = old_h + extra_in
        sub = fig.subplotpars
        bottom, top = (sub.bottom * old_h + extra_in) / new_h, (sub.top * old_h + extra_in) / new_h
        for t in fig.texts:  # figure-level notes keep their distance from the top edge
            t.set_y((t.get_position()[1] * old_h + extra_in) / new_h)
        fig.set_figheight(new_h)
        fig.subplots_adjust(bottom=bottom, top=top)
    fig.text(0.01, 0.01, text, fontsize=SOURCE_FONTSIZE, color=MUTED, ha="left", va="bottom")
