"""Charts of the analyses (funnel plot, ITS, event study, cost-effect balance).

Same rules as :mod:`helpers.plots`: object-oriented figures inside a local rc_context, German
number format, Okabe-Ito colours, title, axis labels with units and a source line.
"""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from helpers.analysis.compare import Z95, Z998, funnel_limits
from helpers.plots import BLUE, GREY, ORANGE, STYLE, VERMILION, _german_ticks, _source_line

matplotlib.use("Agg")


def funnel_chart(
    units: pd.DataFrame, theta: float, tau2: float, share: bool, scale: float, title: str, ylabel: str, source: str
) -> Figure:
    """Funnel plot: each Stadtteil's value against its denominator, 95 % and 99,8 % limits.

    ``units``: area_name, denominator, rate (0–1 or per person). Limits include τ²
    (over-dispersion); the limits without it are drawn thin for comparison.
    """
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(8, 4.4))
        ax = fig.add_subplot()
        n_max = max(float(units["denominator"].max()) * 1.15, 10.0)
        n = np.linspace(max(float(units["denominator"].min()) * 0.5, 5.0), n_max, 200)
        for z, style, label in ((Z95, "--", "95-%-Grenzen"), (Z998, "-", "99,8-%-Grenzen")):
            low, high = funnel_limits(theta, n, z, share, tau2)
            ax.plot(n, low * scale, color=GREY, linestyle=style, linewidth=1.2, label=label)
            ax.plot(n, high * scale, color=GREY, linestyle=style, linewidth=1.2)
        ax.axhline(theta * scale, color=VERMILION, linewidth=1.4, label="Gesamtstadt")
        ax.scatter(units["denominator"], units["rate"] * scale, color=BLUE, zorder=3, s=22)
        for _, row in units.iterrows():
            ax.annotate(
                str(row["area_name"]),
                (row["denominator"], row["rate"] * scale),
                fontsize=7,
                xytext=(3, 3),
                textcoords="offset points",
            )
        ax.set_xlabel("Bezugsgröße (Anzahl Personen im Nenner)")
        ax.set_ylabel(ylabel)
        _german_ticks(ax.xaxis, 0)
        _german_ticks(ax.yaxis, 1)
        ax.set_title(title, loc="left")
        ax.legend(frameon=False, fontsize=8, loc="upper right")
        fig.subplots_adjust(left=0.11, bottom=0.2, right=0.97, top=0.88)
        _source_line(fig, source)
    return fig


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
        xlabel = "Jahre seit Programmstart (−1 = Referenzjahr)"
        _finish_year_axes(fig, ax, title, xlabel, "Abweichung in % (Fälle je u21)", source, 0, "best")
    return fig


def balance_chart(base: pd.DataFrame, title: str, source: str) -> Figure:
    """Cumulated prevention spending, avoided HzE spending and net with its bootstrap band (Mio. EUR)."""
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
        _finish_year_axes(fig, ax, title, "Jahr", "Mio. EUR", source, 1, "upper left")
    return fig
