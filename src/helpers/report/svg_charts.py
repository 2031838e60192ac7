"""Charts written directly as SVG text: the drawing kit of every chart of the report pages.

A chart is a :class:`Chart`: the SVG body on a viewBox :data:`WIDTH` units wide, its title and
its source line. ``helpers.report.display.figure_html`` puts the SVG inline in the page (vector,
text in the page's font, an accessible name) with the title above and the source below as HTML
text, so neither is ever clipped. Drawing one takes well under a millisecond.

Sizes: the page shows a chart at most :data:`MAX_DISPLAY_PX` wide and, on a 390 px phone, about
:data:`PHONE_PX` wide; every font is at least :data:`FONT` units, so chart text is never below
:data:`MIN_PX` px on a phone (12 × 366 / 480 = 9,15 px). Colours come from
:mod:`helpers.report.palette` only. Numbers shown as text carry ``data-public`` (axis labels,
years, public population figures) for the page audit.
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from helpers.core.formatting import fmt_number
from helpers.report.palette import AXIS, BAND_OPACITY, GRID, INK, MUTED, OWN, WHITE

#: viewBox width of every chart, and the display widths that fix its scale.
WIDTH = 480
PHONE_PX, MAX_DISPLAY_PX, MIN_PX = 366, 576, 9.0
#: Font sizes in viewBox units: the smallest (ticks, notes), labels, panel headings.
FONT, LABEL, HEAD = 12, 13, 13
#: The page's font stack (report.css), so an SVG shown as an image draws in the same face.
FONT_FAMILY = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', Arial, sans-serif"
#: A year in running text (as ``helpers.site.htmlcheck.YEAR``).
YEAR = re.compile(r"(?<![\d.,])(?:19|20)\d\d(?![\d,]|\.\d)")
#: Average glyph width in em, a little above the common sans-serif faces (no label is cut short).
EM = 0.6


@dataclass(frozen=True)
class Chart:
    """A finished chart: SVG elements on a ``width`` × ``height`` viewBox, its title and source line."""

    body: str
    height: float
    title: str = ""
    source: str = ""
    width: float = WIDTH

    def svg(self, label: str = "", css: str = "") -> str:
        """The ``<svg>`` element; ``label`` (the German description) becomes its accessible name, ``css`` a further
        class (which of a chart's layouts the stylesheet shows)."""
        name = f' role="img" aria-label="{escape(label, {chr(34): "&quot;"})}"' if label else ' aria-hidden="true"'
        title = f"<title>{escape(self.title)}</title>" if self.title else ""
        css = f"mon-chart-svg {css}".strip()
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" class="{css}" viewBox="0 0 {self.width:g} '
            f'{self.height:.0f}" width="{self.width:g}" height="{self.height:.0f}"{name} '
            f'font-family="{FONT_FAMILY}" font-size="{FONT}" fill="{INK}">{title}{self.body}</svg>'
        )


# --- elements ---------------------------------------------------------------------------------


def num(v: float) -> str:
    """A coordinate with at most one decimal place.

    >>> num(3.0), num(2.345), num(-0.04)
    ('3', '2.3', '0')
    """
    text = f"{round(v, 1) + 0.0:.1f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def text(
    x: float,
    y: float,
    content: str,
    size: float = FONT,
    anchor: str = "start",
    fill: str = INK,
    weight: str = "",
    public: str = "",
    halo: bool = False,
) -> str:
    """A text element; ``public``: the ``data-public`` category of the number it shows; ``halo``: a
    white outline, so a label stays legible where a line crosses it."""
    attrs = f' x="{num(x)}" y="{num(y)}"'
    attrs += f' font-size="{size:g}"' if size != FONT else ""
    attrs += f' text-anchor="{anchor}"' if anchor != "start" else ""
    attrs += f' fill="{fill}"' if fill != INK else ""
    attrs += f' font-weight="{weight}"' if weight else ""
    attrs += f' data-public="{public}"' if public else ""
    attrs += f' stroke="{WHITE}" stroke-width="3" paint-order="stroke"' if halo else ""
    return f"<text{attrs}>{escape(content) if public else tagged_years(content)}</text>"


def tagged_years(content: str) -> str:
    """Escaped text with each year in a ``<tspan data-public="year">`` (for the page audit).

    >>> tagged_years("Preise 2025 & mehr")
    'Preise <tspan data-public="year">2025</tspan> &amp; mehr'
    """
    out, last = [], 0
    for m in YEAR.finditer(content):
        out += [escape(content[last : m.start()]), f'<tspan data-public="year">{m.group()}</tspan>']
        last = m.end()
    return "".join([*out, escape(content[last:])])


def line(x1: float, y1: float, x2: float, y2: float, stroke: str, width: float = 1, dash: str = "") -> str:
    dashed = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        f'<line x1="{num(x1)}" y1="{num(y1)}" x2="{num(x2)}" y2="{num(y2)}" stroke="{stroke}" '
        f'stroke-width="{width:g}"{dashed}/>'
    )


def polyline(points: Sequence[tuple[float, float]], stroke: str, width: float = 2, dash: str = "") -> str:
    dashed = f' stroke-dasharray="{dash}"' if dash else ""
    coords = " ".join(f"{num(x)},{num(y)}" for x, y in points)
    return f'<polyline points="{coords}" fill="none" stroke="{stroke}" stroke-width="{width:g}"{dashed}/>'


def band(upper: Sequence[tuple[float, float]], lower: Sequence[tuple[float, float]], fill: str) -> str:
    """A shaded band between two lines, the series colour at the band opacity."""
    coords = " ".join(f"{num(x)},{num(y)}" for x, y in [*upper, *reversed(lower)])
    return f'<polygon points="{coords}" fill="{fill}" fill-opacity="{BAND_OPACITY:g}"/>'


def circle(x: float, y: float, r: float, fill: str, stroke: str = "") -> str:
    ring = f' stroke="{stroke}" stroke-width="1.5"' if stroke else ""
    return f'<circle cx="{num(x)}" cy="{num(y)}" r="{r:g}" fill="{fill}"{ring}/>'


def rect(x: float, y: float, w: float, h: float, fill: str, opacity: float = 1.0) -> str:
    alpha = f' fill-opacity="{opacity:g}"' if opacity != 1.0 else ""
    return f'<rect x="{num(x)}" y="{num(y)}" width="{num(max(w, 0))}" height="{num(max(h, 0))}" fill="{fill}"{alpha}/>'


def text_width(content: str, size: float = FONT) -> float:
    """Estimated width of a text in viewBox units (``EM`` per glyph).

    >>> text_width("Wiesdorf", 10)
    48.0
    """
    return EM * size * len(content)


def wrap(content: str, width: float, size: float = FONT) -> list[str]:
    """The text broken into lines no wider than ``width`` (estimated), at spaces.

    >>> wrap("Anteil der unter 18-Jährigen", 100)
    ['Anteil der', 'unter 18-Jährigen']
    >>> wrap("Hilfen (je 10.000)", 50)
    ['Hilfen', '(je 10.000)']
    """
    glued = GLUE.sub("\x00", content)
    chars = max(int(width / (EM * size)), 1)
    lines = textwrap.wrap(glued, chars, break_on_hyphens=False, break_long_words=False) or [""]
    return [part.replace("\x00", " ") for part in lines]


#: Spaces a label never breaks at: next to a number ("je 10.000", "unter 15", "Kita 3–6") and
#: inside "bis unter", "und älter", so a phrase of the page audit stays on one line.
GLUE = re.compile(r"(?<=\d) (?=\S)|(?<=\S) (?=\d)|(?<=\bbis) (?=unter)|(?<=\bund) (?=älter)")


# --- scales -----------------------------------------------------------------------------------


def nice_step(span: float, most: int = 6) -> float:
    """A step of 1, 2 or 5 times a power of ten that cuts ``span`` into at most ``most`` - 1 parts.

    >>> nice_step(37.2), nice_step(0.8), nice_step(1800)
    (10.0, 0.2, 500.0)
    """
    span = span if span > 0 else 1.0
    power = 10.0 ** math.floor(math.log10(span / most))
    return next(m * power for m in (1, 2, 5, 10, 20) if span / (m * power) <= most - 1)


def nice_ticks(top: float, most: int = 6) -> list[float]:
    """Ticks from 0 at a step of 1, 2 or 5 times a power of ten, at most ``most`` of them, up to ``top`` or just above.

    >>> nice_ticks(37.2)
    [0.0, 10.0, 20.0, 30.0, 40.0]
    >>> nice_ticks(0.8)
    [0.0, 0.2, 0.4, 0.6, 0.8]
    """
    return nice_range(0.0, top if top > 0 else 1.0, most)


def nice_range(low: float, high: float, most: int = 6) -> list[float]:
    """Ticks at a round step that cover ``low`` to ``high`` (and 0 when it lies between them).

    >>> nice_range(-12.0, 31.0)
    [-20.0, -10.0, 0.0, 10.0, 20.0, 30.0, 40.0]
    >>> nice_range(17.2, 18.9)
    [17.0, 17.5, 18.0, 18.5, 19.0]
    """
    if high <= low:
        high = low + 1.0
    step = nice_step(high - low, most)
    first, last = math.floor(low / step + 1e-9), math.ceil(high / step - 1e-9)
    return [round(i * step, 10) + 0.0 for i in range(first, last + 1)]


def tick_decimals(ticks: Sequence[float]) -> int:
    """Decimal places that tell the ticks apart (0 for whole steps).

    >>> tick_decimals([0.0, 0.2, 0.4]), tick_decimals([0.0, 5.0])
    (1, 0)
    """
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1.0
    return max(0, -math.floor(math.log10(step) + 1e-9))


def linear(domain: tuple[float, float], span: tuple[float, float]) -> Callable[[float], float]:
    """The linear map of ``domain`` onto ``span`` (pixels; a span may run downwards).

    >>> linear((0, 10), (100, 0))(2.5)
    75.0
    """
    (d0, d1), (s0, s1) = domain, span
    width = (d1 - d0) or 1.0
    return lambda v: s0 + (v - d0) / width * (s1 - s0)


def year_step(first: int, last: int, room: float) -> int:
    """Every how many years a year label fits on an axis ``room`` units wide.

    >>> year_step(2010, 2025, 400), year_step(2020, 2025, 400), year_step(2010, 2025, 180)
    (2, 1, 5)
    """
    fit = max(int(room // (text_width("2025") + 10)), 1)
    return next(s for s in (1, 2, 5, 10, 20, 50) if (last - first) // s + 1 <= fit)


# --- axes and legends -------------------------------------------------------------------------


def value_axis(ticks: Sequence[float], y: Callable[[float], float], left: float, right: float, places: int) -> list:
    """Horizontal grid lines with German labels left of the plot (a darker line at zero)."""
    out = []
    for t in ticks:
        out.append(line(left, y(t), right, y(t), AXIS if t == 0 else GRID))
        out.append(text(left - 5, y(t) + 4, fmt_number(t, places), anchor="end", fill=MUTED, public="axis"))
    return out


def year_axis(first: int, last: int, x: Callable[[float], float], baseline: float, room: float) -> list[str]:
    """Year labels under the plot, counted back from the latest year (always labelled)."""
    step = year_step(first, last, room)
    return [
        text(x(year), baseline + 16, str(year), anchor="middle", fill=MUTED, public="year")
        for year in range(first, last + 1)
        if (last - year) % step == 0
    ]


@dataclass(frozen=True)
class Key:
    """One legend entry: a mark (``line``, ``dash``, ``dot``, ``band``, ``bar``, ``tick``) and its label."""

    mark: str
    colour: str
    label: str


def _mark(key: Key, x: float, y: float) -> str:
    if key.mark == "dot":
        return circle(x + 11, y, 4, key.colour)
    if key.mark == "band":
        return rect(x, y - 6, 22, 12, key.colour, BAND_OPACITY)
    if key.mark == "bar":
        return rect(x, y - 6, 22, 12, key.colour)
    if key.mark == "tick":
        return line(x + 11, y - 8, x + 11, y + 8, key.colour, 2.5)
    if key.mark == "dotline":
        return line(x, y, x + 22, y, key.colour, 2) + circle(x + 11, y, 3.5, key.colour)
    dash = {"dash": "5 3", "dot-dash": "2 3"}.get(key.mark, "")
    return line(x, y, x + 22, y, key.colour, 2.5 if key.mark == "line" else 2, dash)


def legend(keys: Sequence[Key], top: float, left: float = 0, right: float = WIDTH) -> tuple[list[str], float]:
    """Legend entries in rows (as many per row as fit); returns the elements and the height used."""
    out, x, y = [], left, top + 9
    for key in keys:
        width = 30 + text_width(key.label)
        if x > left and x + width > right:
            x, y = left, y + 20
        out += [_mark(key, x, y), text(x + 28, y + 4, key.label)]
        x += width + 14
    return out, (y - top) + 13 if keys else 0.0


def caption_lines(content: str, x: float, y: float, width: float, size: float = LABEL, weight: str = "") -> list[str]:
    """A label wrapped onto lines of at most ``width`` units, 15 units apart, from baseline ``y``."""
    return [text(x, y + 15 * i, part, size, weight=weight) for i, part in enumerate(wrap(content, width, size))]


def year_runs(years: Sequence[int]) -> list[list[int]]:
    """Runs of consecutive years (a gap ends a run), so a line never bridges a year without data.

    >>> year_runs([2015, 2016, 2018, 2019, 2020, 2023])
    [[2015, 2016], [2018, 2019, 2020], [2023]]
    """
    runs: list[list[int]] = []
    for y in sorted(years):
        if runs and y == runs[-1][-1] + 1:
            runs[-1].append(y)
        else:
            runs.append([y])
    return runs


def series_marks(
    points: Sequence[tuple[int, float]], x, y, colour: str, width: float = 2.5, dash: str = "", dot: float = 3.0
) -> list[str]:
    """A line over consecutive years (a gap breaks it) with a dot on every year (``dot`` 0: none;
    a lone year always gets one)."""
    values = dict(points)
    out = []
    for run in year_runs(list(values)):
        if len(run) > 1:
            out.append(polyline([(x(a), y(values[a])) for a in run], colour, width, dash))
        if dot or len(run) == 1:
            out += [circle(x(a), y(values[a]), dot or 3.0, colour) for a in run]
    return out


# --- the fact sheets' city series ---------------------------------------------------------------


@dataclass(frozen=True)
class Point:
    """One year of a series: the value and its interval (``None`` where there is none)."""

    year: int
    value: float
    low: float | None = None
    high: float | None = None


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


def series_chart(
    points: Sequence[Point], ylabel: str, years: tuple[int, int] | None = None, width: float = WIDTH, plot: float = 200
) -> Chart:
    """A line with markers over the years and a shaded 95 % interval band; the value axis starts at 0.

    ``years``: the range of the year axis (default: the points' years), so a series that starts
    late shows where it starts. ``width`` and ``plot`` (the plot's height): a smaller viewBox for a
    small multiple, whose text then stays as large on the page.
    """
    if not points:
        raise ValueError("series_chart needs at least one point")
    first, last = years or (min(p.year for p in points), max(p.year for p in points))
    top = max(max(p.high if p.high is not None else p.value for p in points), 1e-9) * 1.08
    ticks = nice_ticks(top)
    left, right, head = 48, width - 14, 30
    bottom = head + plot
    x, y = linear((first, max(last, first + 1)), (left + 6, right - 6)), linear((0, ticks[-1]), (bottom, head))
    out = [text(0, 14, ylabel, fill=MUTED)]
    out += value_axis(ticks, y, left, right, tick_decimals(ticks))
    out += year_axis(first, last, x, bottom, right - left)
    for run in segments(points):
        out += _run_svg(run, x, y)
    return Chart("".join(out), bottom + 24, width=width)


def series_svg(points: Sequence[Point], ylabel: str, years: tuple[int, int] | None = None) -> str:
    """:func:`series_chart` as a standalone ``<svg>`` document (for pages that embed it as an image)."""
    return series_chart(points, ylabel, years).svg()


def _run_svg(run: Sequence[Point], x, y) -> list[str]:
    """Band, line and markers of one run of consecutive years."""
    out = []
    with_band = [p for p in run if p.low is not None and p.high is not None]
    if len(with_band) > 1:
        out.append(band([(x(p.year), y(p.high)) for p in with_band], [(x(p.year), y(p.low)) for p in with_band], OWN))
    elif with_band:
        p = with_band[0]
        out.append(rect(x(p.year) - 3, y(p.high), 6, y(p.low) - y(p.high), OWN, BAND_OPACITY))
    out += series_marks([(p.year, p.value) for p in run], x, y, OWN, 2.5, dot=3.0)
    return out
