"""Small charts written directly as SVG text: a value series over the years with its interval band.

Drawing one of these takes well under a millisecond (matplotlib needs a few tenths of a second), so
pages with many small charts, such as the 31 fact sheets, stay fast to build. The SVG is embedded
like every other chart (an ``<img>`` with a data URI and alt text), with German number labels and
the Okabe-Ito blue of the house style.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from helpers.core.formatting import fmt_number

BLUE = "#0072B2"
WIDTH, HEIGHT = 640, 250
LEFT, RIGHT, TOP, BOTTOM = 58, 14, 16, 34


@dataclass(frozen=True)
class Point:
    """One year of a series: the value and its interval (``None`` where there is none)."""

    year: int
    value: float
    low: float | None = None
    high: float | None = None


def nice_ticks(top: float, most: int = 6) -> list[float]:
    """Ticks from 0 at a step of 1, 2 or 5 times a power of ten, at most ``most`` of them, up to ``top`` or just above.

    >>> nice_ticks(37.2)
    [0.0, 10.0, 20.0, 30.0, 40.0]
    >>> nice_ticks(0.8)
    [0.0, 0.2, 0.4, 0.6, 0.8]
    """
    top = top if top > 0 else 1.0
    power = 10.0 ** math.floor(math.log10(top / most))
    step = next(m * power for m in (1, 2, 5, 10, 20) if top / (m * power) <= most - 1)
    count = math.ceil(top / step - 1e-9)
    return [round(i * step, 10) for i in range(count + 1)]


def tick_decimals(ticks: Sequence[float]) -> int:
    """Decimal places that tell the ticks apart (0 for whole steps).

    >>> tick_decimals([0.0, 0.2, 0.4]), tick_decimals([0.0, 5.0])
    (1, 0)
    """
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1.0
    return max(0, -math.floor(math.log10(step) + 1e-9))


def segments(points: Sequence[Point]) -> list[list[Point]]:
    """Runs of consecutive years (a missing year breaks the line and the band).

    >>> [[p.year for p in s] for s in segments([Point(2010, 1), Point(2011, 2), Point(2013, 3)])]
    [[2010, 2011], [2013]]
    """
    runs: list[list[Point]] = []
    for p in sorted(points, key=lambda p: p.year):
        if runs and p.year == runs[-1][-1].year + 1:
            runs[-1].append(p)
        else:
            runs.append([p])
    return runs


def series_svg(points: Sequence[Point], ylabel: str, years: tuple[int, int] | None = None) -> str:
    """A line with markers over the years and a shaded 95 % interval band; the value axis starts at 0.

    ``years``: the range of the year axis (default: the points' years), so a series that starts
    late shows where it starts.
    """
    if not points:
        raise ValueError("series_svg needs at least one point")
    first, last = years or (min(p.year for p in points), max(p.year for p in points))
    span = max(last - first, 1)
    top = max(max(p.high if p.high is not None else p.value for p in points), 1e-9) * 1.08
    ticks = nice_ticks(top)
    ymax = ticks[-1]
    places = tick_decimals(ticks)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(year: float) -> float:
        return round(LEFT + (year - first) / span * plot_w, 1)

    def y(value: float) -> float:
        return round(TOP + plot_h - value / ymax * plot_h, 1)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" '
        'font-family="DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif" font-size="11" fill="#222">'
    ]
    for t in ticks:
        out.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(t)}" y2="{y(t)}" stroke="#e0e0e0"/>')
        out.append(f'<text x="{LEFT - 6}" y="{y(t) + 4}" text-anchor="end">{fmt_number(t, places)}</text>')
    step = 1 if span <= 8 else 2 if span <= 16 else 5
    for year in range(first, last + 1):
        if (last - year) % step == 0:  # counted back from the latest year, which is always labelled
            out.append(f'<text x="{x(year)}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle">{year}</text>')
    out.append(
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(0)}" y2="{y(0)}" stroke="#444"/>'
        f'<text transform="translate(13 {TOP + plot_h / 2}) rotate(-90)" text-anchor="middle">{escape(ylabel)}</text>'
    )
    for run in segments(points):
        out += _run_svg(run, x, y)
    out.append("</svg>")
    return "".join(out)


def _run_svg(run: Sequence[Point], x, y) -> list[str]:
    """Band, line and markers of one run of consecutive years."""
    out = []
    band = [p for p in run if p.low is not None and p.high is not None]
    if len(band) > 1:
        edge = [f"{x(p.year)},{y(p.high)}" for p in band] + [f"{x(p.year)},{y(p.low)}" for p in reversed(band)]
        out.append(f'<polygon points="{" ".join(edge)}" fill="{BLUE}" fill-opacity="0.18"/>')
    elif band:
        p = band[0]
        out.append(f'<line x1="{x(p.year)}" x2="{x(p.year)}" y1="{y(p.low)}" y2="{y(p.high)}" stroke="{BLUE}"/>')
    if len(run) > 1:
        line = " ".join(f"{x(p.year)},{y(p.value)}" for p in run)
        out.append(f'<polyline points="{line}" fill="none" stroke="{BLUE}" stroke-width="2.2"/>')
    out += [f'<circle cx="{x(p.year)}" cy="{y(p.value)}" r="3" fill="{BLUE}"/>' for p in run]
    return out
