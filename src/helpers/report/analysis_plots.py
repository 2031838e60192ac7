"""Charts of the analyses (funnel plot, ITS, event study, cost-effect balance).

Same rules as :mod:`helpers.report.plots`: object-oriented figures inside a local rc_context, German
number format, Okabe-Ito colours, title, axis labels with units and a source line.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from helpers.analysis.compare import exact_limits, od_band, od_quantile
from helpers.report.plots import BLUE, GREY, ORANGE, STYLE, VERMILION, _german_ticks, _source_line

matplotlib.use("Agg")


def funnel_chart(
    units: pd.DataFrame, theta: float, tau2: float, share: bool, scale: float, title: str, ylabel: str, source: str
) -> Figure:
    """Funnel plot: each Stadtteil's value against its denominator, after Spiegelhalter (2005).

    ``units``: area_name, denominator, rate (0–1 or per person). The funnel lines are the exact
    95 % and 99,8 % limits around the city value that chance alone allows (interpolated for drawing;
    the flags use exact tail probabilities); the shaded band is the 99,8 % range of the usual
    differences between Stadtteile (random effects on the logit / log scale with τ² of all areas and
    the t quantile of ``helpers.analysis.compare.od_quantile``).
    """
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(8, 4.4))
        ax = fig.add_subplot()
        n_max = max(float(units["denominator"].max()) * 1.15, 10.0)
        n = np.linspace(max(float(units["denominator"].min()) * 0.5, 5.0), n_max, 200)
        limits = exact_limits(theta, n, share)
        rates = units["rate"].to_numpy(float)
        # the band can be very wide for small areas (few areas: large t quantile); keep the axis on the data
        top = max(float(rates.max()), float(limits["hi998"].max())) * 1.1
        bottom = min(float(rates.min()), float(limits["lo998"].min())) * 0.9
        if tau2 > 0:
            low, high = od_band(theta, n, share, tau2, od_quantile(len(units)))
            low, high = np.clip(low, bottom, top), np.clip(high, bottom, top)
            ax.fill_between(
                n, low * scale, high * scale, color=GREY, alpha=0.15, linewidth=0,
                label="übliche Unterschiede zwischen Stadtteilen (99,8 %)",
            )  # fmt: skip
        for key, style, label in (("95", "--", "95-%-Grenzen (Zufall)"), ("998", "-", "99,8-%-Grenzen (Zufall)")):
            ax.plot(n, limits[f"lo{key}"] * scale, color=GREY, linestyle=style, linewidth=1.2, label=label)
            ax.plot(n, limits[f"hi{key}"] * scale, color=GREY, linestyle=style, linewidth=1.2)
        ax.axhline(theta * scale, color=VERMILION, linewidth=1.4, label="Gesamtstadt")
        ax.scatter(units["denominator"], units["rate"] * scale, color=BLUE, zorder=3, s=22)
        ax.set_ylim(bottom * scale, top * scale)
        ax.set_xlabel("Bezugsgröße (Anzahl Personen im Nenner)")
        ax.set_ylabel(ylabel)
        _german_ticks(ax.xaxis, 0)
        _german_ticks(ax.yaxis, 1)
        ax.set_title(title, loc="left")
        ax.legend(frameon=False, fontsize=8, loc="upper right")
        fig.subplots_adjust(left=0.11, bottom=0.2, right=0.97, top=0.88)
        _label_points(ax, units["area_name"].astype(str).tolist(), units["denominator"], units["rate"] * scale)
        _source_line(fig, source)
    return fig


LABEL_FONTSIZE = 7


def label_offsets(
    anchors: Sequence[tuple[float, float]], widths: Sequence[float], height: float = LABEL_FONTSIZE + 1
) -> list[tuple[float, float]]:
    """Offsets (in points) that keep point labels from covering each other.

    Greedy, in the given order: each label takes the first of four places (upper right, lower
    right, upper left, lower left of its point) whose box meets no label placed before; if all
    four are taken, upper right. ``anchors`` are the points and ``widths`` the label widths, in points.

    >>> label_offsets([(0, 0), (2, 1), (100, 0)], [30, 30, 30])
    [(3, 3), (3, -11), (3, 3)]
    """
    boxes: list[tuple[float, float, float, float]] = []
    out = []
    for (x, y), w in zip(anchors, widths, strict=True):
        places = [(3, 3), (3, -3 - height), (-3 - w, 3), (-3 - w, -3 - height)]
        for dx, dy in [*places, places[0]]:  # the last entry: all four taken, so upper right
            box = (x + dx, y + dy, x + dx + w, y + dy + height)
            if not any(a < box[2] and box[0] < c and b < box[3] and box[1] < d for a, b, c, d in boxes):
                break
        boxes.append(box)
        out.append((dx, dy))
    return out


def _label_points(ax, names: list[str], xs, ys) -> None:
    """Name each point; labels that would cover another move to a free side (estimated text widths)."""
    ax.autoscale_view()
    to_points = 72 / ax.figure.dpi
    anchors = [tuple(p * to_points) for p in ax.transData.transform(np.column_stack([xs, ys]))]
    widths = [0.6 * LABEL_FONTSIZE * len(n) for n in names]  # DejaVu Sans averages 0,6 em a letter
    for name, x, y, offset in zip(names, xs, ys, label_offsets(anchors, widths), strict=True):
        ax.annotate(name, (x, y), fontsize=LABEL_FONTSIZE, xytext=offset, textcoords="offset points")


def _finish_year_axes(
    fig: Figure, ax, title: str, xlabel: str, ylabel: str, source: str, decimals: int, legend_loc: str
) -> None:
    """Labels, German tick format, whole-year ticks, title, legend and source line of a year chart."""
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    _german_ticks(ax.yaxis, decimals)
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    ax.set_title(title, loc="left")
    ax.legend(frameon=False, fontsize=8, loc=legend_loc)
    fig.subplots_adjust(left=0.12, bottom=0.2, right=0.97, top=0.88)
    _source_line(fig, source)


def its_chart(
    table: pd.DataFrame, start: int, title: str, ylabel: str, source: str, decimals: int = 0, divisor: float = 1.0
) -> Figure:
    """Observed series, fitted segments and the counterfactual line with the gap's interval."""
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(8, 3.9))
        ax = fig.add_subplot()
        t = table.sort_values("year")
        post = t["year"] >= start
        ax.plot(t["year"], t["observed"] / divisor, "o", color=BLUE, label="beobachtet")
        ax.plot(t["year"], t["fitted"] / divisor, color=BLUE, linewidth=1.6, label="Modell")
        ax.plot(
            t.loc[post, "year"],
            t.loc[post, "counterfactual"] / divisor,
            color=ORANGE,
            linestyle="--",
            linewidth=1.6,
            label="ohne Programm (kontrafaktisch)",
        )
        band_low = (t.loc[post, "fitted"] - t.loc[post, "gap"] + t.loc[post, "gap_low"]) / divisor
        band_high = (t.loc[post, "fitted"] - t.loc[post, "gap"] + t.loc[post, "gap_high"]) / divisor
        ax.fill_between(
            t.loc[post, "year"], band_low, band_high, color=ORANGE, alpha=0.15, label="95-%-Intervall der Abweichung"
        )
        ax.axvline(start - 0.5, color=GREY, linewidth=0.8)
        ax.set_ylim(bottom=0)
        _finish_year_axes(fig, ax, title, "Jahr", ylabel, source, decimals, "lower right")
    return fig


def event_study_chart(table: pd.DataFrame, lag: int, title: str, source: str) -> Figure:
    """Event-time coefficients (in % difference) with 95 % intervals; reference year −1."""
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(8, 3.8))
        ax = fig.add_subplot()
        t = table.sort_values("event_time")
        est = 100 * np.expm1(t["estimate"])
        low, high = 100 * np.expm1(t["ci_low"]), 100 * np.expm1(t["ci_high"])
        ax.errorbar(t["event_time"], est, yerr=[est - low, high - est], fmt="o", color=BLUE, capsize=3)
        ax.axhline(0, color=GREY, linewidth=0.8)
        ax.axvline(-0.5, color=GREY, linewidth=0.8, linestyle="--")
        ax.axvspan(lag - 0.5, t["event_time"].max() + 0.5, color=ORANGE, alpha=0.1, label="erwartete Wirkung")
        xlabel = "Jahre seit Programmstart (Abweichung vom eigenen Trend vor dem Start)"
        _finish_year_axes(fig, ax, title, xlabel, "Abweichung in % (neue Hilfen ohne § 28 je u21)", source, 0, "best")
    return fig


def balance_chart(base: pd.DataFrame, title: str, source: str) -> Figure:
    """Cumulated prevention spending, avoided HzE spending and net with its bootstrap band (Mio. €)."""
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(8, 3.9))
        ax = fig.add_subplot()
        m = 1e6
        ax.plot(
            base["year"],
            base["cum_prevention_eur"] / m,
            color=ORANGE,
            linewidth=1.8,
            label="Präventionsausgaben (kumuliert)",
        )
        ax.plot(
            base["year"],
            base["cum_avoided_eur"] / m,
            color=BLUE,
            linewidth=1.8,
            label="vermiedene HzE-Ausgaben (geschätzt, kumuliert)",
        )
        ax.plot(base["year"], base["cum_net_eur"] / m, color="#000000", linewidth=1.4, linestyle="--", label="Saldo")
        ax.fill_between(
            base["year"],
            base["cum_net_low"] / m,
            base["cum_net_high"] / m,
            color=GREY,
            alpha=0.25,
            label="95-%-Band des Saldos",
        )
        ax.axhline(0, color=GREY, linewidth=0.8)
        _finish_year_axes(fig, ax, title, "Jahr", "Mio. €", source, 1, "upper left")
    return fig
