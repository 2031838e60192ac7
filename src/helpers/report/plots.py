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
from matplotlib.lines import Line2D
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


SOURCE_FONTSIZE = 6.5


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
            ax.set_ylim(bottom=0, top=max(series[value].max() * 1.15, 1e-9))
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


def interval_chart(rows: Sequence, title: str, source: str, area_name: str, city_name: str = "Gesamtstadt") -> Figure:
    """Dot-and-bar chart: per indicator (row, own scale) the area value as a dot with its 95 %
    interval as a bar, the city value as a vertical mark. A row without value (not published)
    says "nicht veröffentlicht" and draws nothing.

    ``rows``: objects with ``label``, ``value``, ``low``, ``high``, ``city`` and ``unit``
    (``helpers.report.steckbrief.IntervalRow``).
    """
    n = max(len(rows), 1)
    row_in = 0.42
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(8, row_in * n + 1.25))
        height = fig.get_figheight()
        top, bottom = 1 - 0.62 / height, 0.5 / height
        axes = fig.subplots(n, 1, squeeze=False)[:, 0]
        fig.subplots_adjust(left=0.36, right=0.97, top=top, bottom=bottom, hspace=0.9)
        for ax, row in zip(axes, rows, strict=False):
            ax.set_yticks([])
            ax.grid(axis="y", visible=False)
            ax.spines[["left"]].set_visible(False)
            ax.text(-0.02, 0.5, row.label, transform=ax.transAxes, ha="right", va="center", fontsize=8.5)
            if row.value is None:
                ax.set_xticks([])
                ax.spines[["bottom"]].set_visible(False)
                ax.text(0.0, 0.5, "nicht veröffentlicht", transform=ax.transAxes, va="center", fontsize=8.5, color=GREY)
                continue
            points = [v for v in (row.value, row.low, row.high, row.city) if v is not None]
            lo, hi = min(points), max(points)
            pad = (hi - lo) * 0.12 or max(abs(hi) * 0.1, 0.5)
            ax.set_xlim(max(lo - pad, 0) if lo >= 0 else lo - pad, hi + pad)
            ax.set_ylim(-1, 1)
            if row.low is not None:
                ax.plot([row.low, row.high], [0, 0], color=BLUE, linewidth=3.2, alpha=0.45, solid_capstyle="butt")
            ax.plot([row.value], [0], "o", color=BLUE, markersize=6)
            if row.city is not None:
                ax.plot([row.city, row.city], [-0.8, 0.8], color=VERMILION, linewidth=1.8)
            decimals = 0 if row.unit == "eur" else 1
            _german_ticks(ax.xaxis, decimals)
            ax.xaxis.set_major_locator(MaxNLocator(nbins=4, steps=[1, 2, 5, 10]))
            ax.tick_params(axis="x", labelsize=7.5, length=2, pad=1)
        handles = [
            Line2D([], [], marker="o", color=BLUE, linewidth=3.2, alpha=0.8, label=f"{area_name} mit 95-%-KI"),
            Line2D([], [], marker="|", color=VERMILION, linestyle="none", markersize=12, label=city_name),
        ]
        fig.legend(
            handles=handles,
            loc="upper right",
            frameon=False,
            ncols=2,
            fontsize=8,
            bbox_to_anchor=(0.97, 1 - 0.3 / height),
        )
        fig.text(0.01, 1 - 0.12 / height, title, fontsize=11, fontweight="bold", va="top", ha="left")
        _source_line(fig, source)
    return fig


def small_multiples(
    series: pd.DataFrame, panels: Sequence[tuple[str, str, int]], title: str, source: str, columns: int = 2
) -> Figure:
    """Small multiples: one panel per indicator, one line per area over the years with data.

    ``series``: columns ``panel`` (indicator id), ``area_name``, ``year``, ``value``; the first area
    of each panel is drawn strongest. ``panels``: (indicator id, panel title, decimals) in order.
    Years without a published value are left out (the line connects only years with data).
    """
    n = max(len(panels), 1)
    rows = math.ceil(n / columns)
    colours, styles = [BLUE, ORANGE], ["-", "--"]
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(8, 2.1 * rows + 1.0))
        height = fig.get_figheight()
        axes = fig.subplots(rows, columns, squeeze=False).ravel()
        fig.subplots_adjust(left=0.08, right=0.98, top=1 - 0.75 / height, bottom=0.5 / height, hspace=0.65, wspace=0.25)
        names: list[str] = []
        for ax, (ind_id, label, decimals) in zip(axes, panels, strict=False):
            part = series[series["panel"] == ind_id]
            for i, (name, line) in enumerate(part.groupby("area_name", sort=False)):
                line = line.sort_values("year")
                ax.plot(line["year"], line["value"], color=colours[i % 2], linestyle=styles[i % 2], marker="o",
                        markersize=3, linewidth=2.0 if i == 0 else 1.4, label=name)  # fmt: skip
                if name not in names:
                    names.append(name)
            ax.set_title(label, loc="left", fontsize=8.5)
            if len(part):
                top = float(part["value"].max())
                ax.set_ylim(bottom=0, top=max(top * 1.2, 1e-9))
            _german_ticks(ax.yaxis, decimals)
            ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=4))
            ax.tick_params(labelsize=7.5)
        for ax in axes[len(panels) :]:
            ax.set_visible(False)
        handles = [
            Line2D([], [], color=colours[i % 2], linestyle=styles[i % 2], marker="o", label=name)
            for i, name in enumerate(names[:2])
        ]
        fig.legend(
            handles=handles,
            loc="upper right",
            frameon=False,
            ncols=2,
            fontsize=8,
            bbox_to_anchor=(0.98, 1 - 0.3 / height),
        )
        fig.text(0.01, 1 - 0.12 / height, title, fontsize=11, fontweight="bold", va="top", ha="left")
        _source_line(fig, source)
    return fig
