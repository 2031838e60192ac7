"""Chart builders: each returns a matplotlib ``Figure`` and leaves no global state behind.

Figures are made with the object-oriented API (no pyplot state, nothing left open) inside a
local ``rc_context`` with the house style, so a warm kernel is not changed by drawing.
Colours are from the Okabe-Ito palette (readable with colour-vision deficiencies).
"""

from __future__ import annotations

import itertools
import math
import textwrap
from collections.abc import Sequence

import matplotlib
import pandas as pd
from matplotlib.axis import Axis
from matplotlib.figure import Figure
from matplotlib.ticker import Formatter, MaxNLocator

from helpers.core.formatting import fmt_number

matplotlib.use("Agg")

#: Okabe-Ito colours.
BLUE, ORANGE, GREEN, GREY, VERMILION = "#0072B2", "#E69F00", "#009E73", "#7F7F7F", "#D55E00"

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
    "grid.color": "#e0e0e0",
    "grid.linewidth": 0.6,
    "figure.dpi": 100,
    "axes.formatter.use_locale": False,
}


class GermanTickFormatter(Formatter):
    """German tick labels with at least ``decimals`` places and as many as the tick step needs.

    With the 1-2-5 steps of :func:`_german_ticks`, a step of 0,2 gets one place and 5 gets none,
    so a tick at 17,5 never reads "18" and no two ticks share a label.

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

    Call it last. The charts leave room for one line; every further line makes the figure taller
    by one line height and keeps the plot where it was, so the block never covers axis labels.
    """
    text = textwrap.fill(source, 150)
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
    fig.text(0.01, 0.01, text, fontsize=SOURCE_FONTSIZE, color="#444444", ha="left", va="bottom")


def age_structure_chart(structure: pd.DataFrame, area_names: Sequence[str], title: str, source: str) -> Figure:
    """Horizontal bars: share of each age band (in %), one bar per area."""
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(8, 4.6))
        ax = fig.add_subplot()
        bands = structure.drop_duplicates("age_band").sort_values("age_band_order")["age_band"].tolist()
        height = 0.8 / len(area_names)
        colours = [BLUE, ORANGE, GREEN, GREY]
        for i, name in enumerate(area_names):
            sel = structure[structure["area_name"] == name].set_index("age_band").reindex(bands)
            pos = [b + (i - (len(area_names) - 1) / 2) * height for b in range(len(bands))]
            ax.barh(pos, sel["share_pct"], height=height, color=colours[i % 4], label=name)
        ax.set_yticks(range(len(bands)), bands)
        ax.invert_yaxis()
        ax.set_xlabel("Anteil an der Bevölkerung in %")
        ax.set_ylabel("Altersgruppe (Jahre)")
        _german_ticks(ax.xaxis, 0)
        ax.set_title(title, loc="left")
        ax.legend(frameon=False, loc="lower right")
        fig.subplots_adjust(left=0.2, bottom=0.18, right=0.97, top=0.9)
        _source_line(fig, source)
    return fig


def time_series_chart(
    series: pd.DataFrame,
    value: str,
    title: str,
    ylabel: str,
    source: str,
    decimals: int = 0,
    highlight_year: int | None = None,
    zero_base: bool = True,
) -> Figure:
    """Lines over years, one per area (column ``area_name``); first area drawn strongest.

    With ``zero_base`` the value axis starts at 0, so small changes are not exaggerated.
    """
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(8, 3.8))
        ax = fig.add_subplot()
        colours = [BLUE, ORANGE, GREEN, GREY]
        styles = ["-", "--", ":", "-."]
        for i, (name, part) in enumerate(series.groupby("area_name", sort=False)):
            part = part.sort_values("year")
            ax.plot(
                part["year"],
                part[value],
                color=colours[i % 4],
                linestyle=styles[i % 4],
                linewidth=2.2 if i == 0 else 1.6,
                marker="o",
                markersize=3.5,
                label=name,
            )
        if highlight_year is not None:
            ax.axvline(highlight_year, color="#999999", linewidth=0.8)
        ax.set_xlabel("Jahr (Stand 31.12.)")
        ax.set_ylabel(ylabel)
        if zero_base:
            top = series[value].max()  # NaN when the register cannot give the figure at all
            ax.set_ylim(bottom=0, top=1.0 if pd.isna(top) else max(top * 1.15, 1e-9))
        _german_ticks(ax.yaxis, decimals)
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
        ax.set_title(title, loc="left")
        ax.legend(frameon=False)
        fig.subplots_adjust(left=0.12, bottom=0.2, right=0.97, top=0.88)
        _source_line(fig, source)
    return fig


def area_bar_chart(frame: pd.DataFrame, value: str, reference: float, title: str, xlabel: str, source: str) -> Figure:
    """Horizontal bars, one per area in the given order, with a reference line (city)."""
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(8, 0.32 * len(frame) + 1.6))
        ax = fig.add_subplot()
        ax.barh(range(len(frame)), frame[value], color=BLUE)
        ax.axvline(reference, color=VERMILION, linestyle="--", linewidth=1.4, label="Gesamtstadt")
        ax.set_yticks(range(len(frame)), frame["area_name"])
        ax.invert_yaxis()
        ax.set_xlabel(xlabel)
        _german_ticks(ax.xaxis, 0)
        ax.set_title(title, loc="left")
        ax.legend(frameon=False, loc="lower right")
        fig.subplots_adjust(left=0.25, bottom=0.8 / (0.32 * len(frame) + 1.6) + 0.08, right=0.97)
        _source_line(fig, source)
    return fig


def _scale(points: Sequence[float], shared_top: float | None = None) -> tuple[float, float]:
    """The value range of one row of the dot-and-bar chart: from 0 (or below the lowest negative
    point) to a round top above the points (``shared_top`` for rows on one common scale).

    >>> _scale([10.0, 36.5]), _scale([10.0, 36.5], 100.0), _scale([-2.0, 3.0])
    ((0.0, 40.0), (0.0, 100.0), (-2.0, 3.0))
    """
    lo, hi = min(points), max(points)
    if lo < 0:
        return lo, hi
    return 0.0, shared_top if shared_top is not None else _nice_top(hi)


def _svg_source(lines: Sequence[str], height: float) -> list[str]:
    """The source line(s) at the bottom left of a hand-written SVG chart (wrapped, 12 px apart)."""
    from html import escape

    first = height - 6 - 12 * (len(lines) - 1)
    return [
        f'<text x="8" y="{first + 12 * i:.0f}" font-size="9" fill="#444">{escape(line)}</text>'
        for i, line in enumerate(lines)
    ]


def interval_svg(rows: Sequence, title: str, source: str, area_name: str, city_name: str = "Gesamtstadt") -> bytes:
    """Dot-and-bar chart as a small hand-written SVG: per indicator (row, own scale) the area value
    as a dot with its 95 % interval as a bar and the city value as a vertical mark, the numbers
    written beside it. A row without value (not published) says "nicht veröffentlicht" and draws
    nothing; a true zero is drawn at 0 (a places row with verdict ``no_offer`` says "0 – kein Angebot
    im Stadtteil"). A tenth of the size of the same chart from matplotlib (one axis per row).

    ``rows``: objects with ``label``, ``value``, ``low``, ``high``, ``city``, ``unit`` and ``verdict``
    (``helpers.report.steckbrief.IntervalRow``); numbers are formatted with ``fmt_number``.
    """
    from html import escape

    width, left, x0, x1, top, step = 800, 310, 318, 540, 70, 28
    shares = [v for r in rows if r.unit == "pct" and r.value is not None for v in (r.value, r.high, r.city) if v]
    shared = min(_nice_top(max(shares)), 100.0) if shares else None
    mark = x0 + 32 + round(6.7 * len(f"{area_name} mit 95-%-KI")) + 16  # after the area's legend text
    source_lines = textwrap.wrap(source, 135) or [""]
    height = top + step * len(rows) + 14 + 12 * len(source_lines)
    font = "font-family:'DejaVu Sans','Liberation Sans',Arial,sans-serif"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" style="{font};font-size:12px">',
        f'<rect width="{width}" height="{height}" fill="#fff"/>',
        f'<text x="8" y="20" font-size="14" font-weight="bold">{escape(title)}</text>',
        f'<line x1="{x0}" x2="{x0 + 26}" y1="40" y2="40" stroke="{BLUE}" stroke-opacity="0.45" stroke-width="6"/>',
        f'<circle cx="{x0 + 13}" cy="40" r="4.5" fill="{BLUE}"/>',
        f'<text x="{x0 + 32}" y="44" font-size="11">{escape(area_name)} mit 95-%-KI</text>',
        f'<text x="{x1 + 12}" y="{top - 6}" font-size="10" fill="#444">Wert (95-%-KI) · Stadt</text>',
        f'<line x1="{mark}" x2="{mark}" y1="32" y2="48" stroke="{VERMILION}" stroke-width="2"/>',
        f'<text x="{mark + 8}" y="44" font-size="11">{escape(city_name)}</text>',
    ]
    for i, row in enumerate(rows):
        y = top + step * i + step / 2
        out.append(f'<line x1="8" x2="{width - 8}" y1="{y + step / 2:.0f}" y2="{y + step / 2:.0f}" stroke="#e1e4e8"/>')
        out.append(f'<text x="{left - 8}" y="{y + 4:.0f}" text-anchor="end">{escape(row.label)}</text>')
        if row.value is None:
            out.append(f'<text x="{x0}" y="{y + 4:.0f}" fill="{GREY}">nicht veröffentlicht</text>')
            continue
        points = [v for v in (row.value, row.low, row.high, row.city) if v is not None]
        lo, hi = _scale(points, shared if row.unit == "pct" else None)

        def x(v: float, lo: float = lo, hi: float = hi) -> str:
            return f"{x0 + (v - lo) / (hi - lo) * (x1 - x0):.1f}"

        decimals = 0 if row.unit == "eur" else 1
        out.append(
            f'<line x1="{x0}" x2="{x1}" y1="{y:.0f}" y2="{y:.0f}" stroke="#d0d7de"/>'
            f'<text x="{x0}" y="{y + 12:.0f}" font-size="8" fill="#666">{fmt_number(lo)}</text>'
            f'<text x="{x1}" y="{y + 12:.0f}" font-size="8" fill="#666" text-anchor="end">{fmt_number(hi)}</text>'
        )
        no_offer = getattr(row, "verdict", None) == "no_offer"
        words = "0 – kein Angebot im Stadtteil" if no_offer else fmt_number(row.value, decimals)
        if row.low is not None:
            out.append(
                f'<line x1="{x(row.low)}" x2="{x(row.high)}" y1="{y:.0f}" y2="{y:.0f}" stroke="{BLUE}" '
                'stroke-opacity="0.45" stroke-width="6"/>'
            )
            words += f" ({fmt_number(row.low, decimals)}–{fmt_number(row.high, decimals)})"
        out.append(f'<circle cx="{x(row.value)}" cy="{y:.0f}" r="4.5" fill="{BLUE}"/>')
        if row.city is not None:
            out.append(
                f'<line x1="{x(row.city)}" x2="{x(row.city)}" y1="{y - 8:.0f}" y2="{y + 8:.0f}" '
                f'stroke="{VERMILION}" stroke-width="2"/>'
            )
            words += f" · Stadt {fmt_number(row.city, decimals)}"
        out.append(f'<text x="{x1 + 12}" y="{y + 4:.0f}" font-size="11">{escape(words)}</text>')
    out += _svg_source(source_lines, height)
    out.append("</svg>")
    return "\n".join(out).encode("utf-8")


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


def _nice_top(value: float) -> float:
    """A round upper end of a value axis at or above ``value`` (1; 1,5; 2; 2,5; 3; 4; 5; 6 or 8 times a power of ten).

    >>> _nice_top(36.5), _nice_top(0.75), _nice_top(1234.0)
    (40.0, 0.8, 1500.0)
    """
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if step * power >= value:
            return float(step * power)
    return float(10 * power)


def small_multiples_svg(
    series: pd.DataFrame,
    panels: Sequence[tuple[str, str, int, float | None]],
    title: str,
    source: str,
    names: Sequence[str],
    columns: int = 2,
) -> bytes:
    """Small multiples as a small hand-written SVG: one panel per indicator, one line per area
    (``names``: the area first, drawn strongest, then the city) over the years with data; a gap
    in the years breaks the line, a lone year is a dot.

    ``series``: columns ``panel`` (indicator id), ``area_name``, ``year``, ``value``; ``panels``:
    (indicator id, panel title, decimals, cap of the value axis or None, e.g. 100 for shares) in
    order. Each panel's value axis starts at 0.
    """
    from html import escape

    width, pad, head = 760, 10, 56
    pw, ph = (width - pad * (columns + 1)) / columns, 128
    rows = math.ceil(max(len(panels), 1) / columns)
    source_lines = textwrap.wrap(source, 135) or [""]
    height = head + rows * (ph + pad) + 8 + 12 * len(source_lines)
    font = "font-family:'DejaVu Sans','Liberation Sans',Arial,sans-serif"
    colours, dashes = [BLUE, ORANGE], ["", ' stroke-dasharray="5 3"']
    years = sorted(int(y) for y in series["year"].unique()) or [0]
    first, last = years[0], years[-1]
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height:.0f}" '
        f'viewBox="0 0 {width} {height:.0f}" style="{font};font-size:11px">',
        f'<rect width="{width}" height="{height:.0f}" fill="#fff"/>',
        f'<text x="8" y="20" font-size="14" font-weight="bold">{escape(title)}</text>',
    ]
    for i, name in enumerate(names[:2]):
        x = 8 + i * 220
        out.append(
            f'<line x1="{x}" x2="{x + 26}" y1="38" y2="38" stroke="{colours[i]}" stroke-width="2"{dashes[i]}/>'
            f'<text x="{x + 32}" y="42">{escape(name)}</text>'
        )
    for k, (ind_id, label, decimals, cap) in enumerate(panels):
        px, py = pad + (k % columns) * (pw + pad), head + (k // columns) * (ph + pad)
        left, right, top, bottom = px + 44, px + pw - 8, py + 24, py + ph - 18
        part = series[series["panel"] == ind_id]
        ymax = _nice_top(float(part["value"].max()) * 1.05) if len(part) else 1.0
        ymax = min(ymax, cap) if cap else ymax

        def xy(year: float, value: float, ymax: float = ymax, left: float = left, right: float = right,
               top: float = top, bottom: float = bottom) -> str:  # fmt: skip
            span = max(last - first, 1)
            return f"{left + (year - first) / span * (right - left):.1f},{bottom - value / ymax * (bottom - top):.1f}"

        out.append(f'<text x="{px}" y="{py + 13}" font-weight="bold">{escape(label)}</text>')
        for v in (0.0, ymax / 2, ymax):
            y = bottom - v / ymax * (bottom - top)
            out.append(
                f'<line x1="{left}" x2="{right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e0e0e0"/>'
                f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" font-size="10">'
                f"{fmt_number(v, decimals if v != int(v) else 0)}</text>"
            )
        for x_year in sorted({first, last}):
            x = xy(x_year, 0).split(",")[0]
            out.append(f'<text x="{x}" y="{bottom + 14}" text-anchor="middle" font-size="10">{x_year}</text>')
        for i, name in enumerate(names[:2]):
            line = part[part["area_name"] == name].set_index("year")["value"]
            for run in year_runs([int(y) for y in line.index]):
                if len(run) == 1:
                    cx, cy = xy(run[0], float(line[run[0]])).split(",")
                    out.append(f'<circle cx="{cx}" cy="{cy}" r="2.5" fill="{colours[i]}"/>')
                    continue
                points = " ".join(xy(y, float(line[y])) for y in run)
                out.append(
                    f'<polyline points="{points}" fill="none" stroke="{colours[i]}" '
                    f'stroke-width="{2.2 if i == 0 else 1.6}"{dashes[i]}/>'
                )
    out += _svg_source(source_lines, height)
    out.append("</svg>")
    return "\n".join(out).encode("utf-8")
