"""Charts of the analyses (funnel plot, ITS, event study, cost-effect balance), written as SVG.

Same rules as :mod:`helpers.report.plots`: :class:`helpers.report.svg_charts.Chart` on the
480-unit viewBox, German numbers, colours of :mod:`helpers.report.palette`, the legend above the
plot (one entry per row where needed), title and source as HTML text around the chart.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from helpers.analysis.compare import exact_limits, od_band, od_quantile
from helpers.core.formatting import fmt_number
from helpers.report.palette import AXIS, CITY, CITY_DASH, INK, MUTED, NEUTRAL, OWN, WHITE
from helpers.report.svg_charts import (
    FONT,
    WIDTH,
    Chart,
    Key,
    band,
    circle,
    legend,
    line,
    linear,
    nice_range,
    polyline,
    rect,
    series_marks,
    text,
    text_width,
    tick_decimals,
    value_axis,
    year_axis,
)

#: Plot area of the charts with a value axis on the left (viewBox units).
LEFT, RIGHT, PLOT_H = 48, WIDTH - 12, 190


def _frame(keys: Sequence[Key], ylabel: str) -> tuple[list[str], float]:
    """Legend and the value axis' label above the plot; returns the elements and the plot's top."""
    out, used = legend(keys, 0)
    head = used + 34
    out.append(text(0, head - 14, ylabel, fill=MUTED))
    return out, head


def funnel_chart(
    units: pd.DataFrame, theta: float, tau2: float, share: bool, scale: float, title: str, ylabel: str, source: str
) -> Chart:
    """Funnel plot: each Stadtteil's value against its denominator, after Spiegelhalter (2005).

    ``units``: area_name, denominator, rate (0–1 or per person). The funnel lines are the exact
    95 % and 99,8 % limits around the city value that chance alone allows (interpolated for drawing;
    the flags use exact tail probabilities); the shaded band is the 99,8 % range of the usual
    differences between Stadtteile (random effects on the logit / log scale with τ² of all areas and
    the t quantile of ``helpers.analysis.compare.od_quantile``). Points beyond the 99,8 % limits are
    drawn larger with a ring and named first; names that would cover another are left out (the
    table below lists every Stadtteil).
    """
    xt = nice_range(0, max(float(units["denominator"].max()) * 1.1, 10.0), 5)
    n = np.linspace(max(float(units["denominator"].min()) * 0.5, 5.0), xt[-1], 80)
    limits = exact_limits(theta, n, share)
    rates = units["rate"].to_numpy(float)
    top = max(float(rates.max()), float(limits["hi998"].max())) * 1.1
    bottom_v = min(float(rates.min()), float(limits["lo998"].min())) * 0.9
    keys = [Key("dot", OWN, "Stadtteil"), Key("dash", CITY, "Gesamtstadt")]
    keys += [Key("dot-dash", NEUTRAL, "95-%-Grenzen (Zufall)"), Key("line", NEUTRAL, "99,8-%-Grenzen (Zufall)")]
    if tau2 > 0:
        keys.append(Key("band", NEUTRAL, "übliche Unterschiede zwischen Stadtteilen (99,8-%-Bereich)"))
    out, head = _frame(keys, ylabel)
    bottom = head + PLOT_H + 20
    yt = nice_range(bottom_v * scale, top * scale, 6)
    x, y = linear((0, xt[-1]), (LEFT, RIGHT)), linear((yt[0], yt[-1]), (bottom, head))

    def clip(v):
        return np.clip(v * scale, yt[0], yt[-1])

    if tau2 > 0:
        low, high = od_band(theta, n, share, tau2, od_quantile(len(units)))
        out.append(
            band([(x(a), y(b)) for a, b in zip(n, clip(high), strict=True)],
                 [(x(a), y(b)) for a, b in zip(n, clip(low), strict=True)], NEUTRAL)
        )  # fmt: skip
    out += value_axis(yt, y, LEFT, RIGHT, max(tick_decimals(yt), 0))
    for t in xt:
        out.append(text(x(t), bottom + 16, fmt_number(t), anchor="middle", fill=MUTED, public="axis"))
    out.append(text(RIGHT, bottom + 34, "Bezugsgröße (Anzahl Personen im Nenner)", anchor="end", fill=MUTED))
    for key, dash in (("95", "2 3"), ("998", "")):
        for side in ("lo", "hi"):
            edge = [(x(a), y(b)) for a, b in zip(n, clip(limits[side + key]), strict=True)]
            out.append(polyline(edge, NEUTRAL, 1.5, dash))
    out.append(line(LEFT, y(theta * scale), RIGHT, y(theta * scale), CITY, 2, CITY_DASH))
    out += _funnel_points(units, limits, n, theta, share, x, y, scale)
    return Chart("".join(out), bottom + 42, title, source)


def _funnel_points(units, limits, n, theta, share, x, y, scale) -> list[str]:
    """The Stadtteile as dots (beyond the 99,8 % limits: larger, ringed) and their names where they fit."""
    hi998 = np.interp(units["denominator"], n, limits["hi998"])
    lo998 = np.interp(units["denominator"], n, limits["lo998"])
    beyond = (units["rate"].to_numpy(float) > hi998) | (units["rate"].to_numpy(float) < lo998)
    order = sorted(range(len(units)), key=lambda i: (not beyond[i], -abs(float(units["rate"].iloc[i]) - theta)))
    anchors = [(x(float(units["denominator"].iloc[i])), y(float(units["rate"].iloc[i]) * scale)) for i in order]
    names = [str(units["area_name"].iloc[i]) for i in order]
    out = [circle(ax, ay, 6 if beyond[i] else 4, OWN, WHITE) for (ax, ay), i in zip(anchors, order, strict=True)]
    dots = [(ax - 6, ay - 6, ax + 6, ay + 6) for ax, ay in anchors]
    for (ax, ay), name, offset in zip(anchors, names, svg_label_offsets(anchors, names, dots), strict=True):
        if offset is not None:
            out.append(text(ax + offset[0], ay + offset[1], name, halo=True))
    return out


def svg_label_offsets(
    anchors: Sequence[tuple[float, float]],
    names: Sequence[str],
    obstacles: Sequence[tuple[float, float, float, float]] = (),
    size: float = FONT,
) -> list[tuple[float, float] | None]:
    """Baseline offsets of point labels in SVG units (y down), or ``None`` for a label with no free place.

    Greedy, in the given order: right, left, above, below the point; a place is free if its box
    stays inside the chart's width and meets no label placed before and no obstacle (the dots,
    as boxes x0, y0, x1, y1).

    >>> svg_label_offsets([(100, 100), (104, 100)], ["Aaa", "Bbb"])
    [(8, 4), (-29.6, 4)]
    >>> svg_label_offsets([(100, 100)] * 5, ["A"] * 5)[-1] is None
    True
    """
    boxes = list(obstacles)
    out: list[tuple[float, float] | None] = []
    for (x, y), name in zip(anchors, names, strict=True):
        w = text_width(name, size)
        choice = None
        for dx, dy in ((8, 4), (-8 - w, 4), (-w / 2, -9), (-w / 2, 4 + size + 5)):
            box = (x + dx, y + dy - size + 2, x + dx + w, y + dy + 3)
            free = not any(a < box[2] and box[0] < c and b < box[3] and box[1] < d for a, b, c, d in boxes)
            if free and box[0] >= 0 and box[2] <= WIDTH:
                choice = (round(dx, 1), dy)
                boxes.append(box)
                break
        out.append(choice)
    return out


# --- the Land page still draws with matplotlib: its label placement (points, y up) ------------

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
    """Name each point of a matplotlib axis; labels that would cover another move to a free side."""
    ax.autoscale_view()
    to_points = 72 / ax.figure.dpi
    anchors = [tuple(p * to_points) for p in ax.transData.transform(np.column_stack([xs, ys]))]
    widths = [0.6 * LABEL_FONTSIZE * len(n) for n in names]  # DejaVu Sans averages 0,6 em a letter
    for name, x, y, offset in zip(names, xs, ys, label_offsets(anchors, widths), strict=True):
        ax.annotate(name, (x, y), fontsize=LABEL_FONTSIZE, xytext=offset, textcoords="offset points")


# --- year charts of the HzE page ----------------------------------------------------------------


def _year_plot(years: Sequence[int], values: Sequence[float], keys, ylabel: str, zero: bool = True):
    """Legend, axes and the scales of a chart over years: (elements, x, y, bottom)."""
    out, head = _frame(keys, ylabel)
    bottom = head + PLOT_H
    finite = [float(v) for v in values if v is not None and np.isfinite(v)] or [0.0, 1.0]
    yt = nice_range(min(min(finite), 0.0) if zero else min(finite), max(finite), 6)
    first, last = int(min(years)), int(max(years))
    x, y = linear((first, max(last, first + 1)), (LEFT + 8, RIGHT - 8)), linear((yt[0], yt[-1]), (bottom, head))
    out += value_axis(yt, y, LEFT, RIGHT, tick_decimals(yt))
    out += year_axis(first, last, x, bottom, RIGHT - LEFT)
    return out, x, y, bottom


def its_chart(
    table: pd.DataFrame, start: int, title: str, ylabel: str, source: str, decimals: int = 0, divisor: float = 1.0
) -> Chart:
    """Observed series (dots), fitted segments (line) and the counterfactual (dashed) with the gap's interval."""
    t = table.sort_values("year")
    post = t[t["year"] >= start]
    low = (post["fitted"] - post["gap"] + post["gap_low"]) / divisor
    high = (post["fitted"] - post["gap"] + post["gap_high"]) / divisor
    keys = [
        Key("dot", OWN, "beobachtet"),
        Key("line", OWN, "Modell"),
        Key("dash", NEUTRAL, "ohne Programm (kontrafaktisch)"),
        Key("band", NEUTRAL, "95-%-Intervall der Abweichung"),
    ]
    values = [*t["observed"] / divisor, *t["fitted"] / divisor, *low, *high]
    out, x, y, bottom = _year_plot(t["year"], values, keys, ylabel)
    years = [int(a) for a in post["year"]]
    out.append(band([(x(a), y(b)) for a, b in zip(years, high, strict=True)],
                    [(x(a), y(b)) for a, b in zip(years, low, strict=True)], NEUTRAL))  # fmt: skip
    out.append(line(x(start - 0.5), bottom, x(start - 0.5), y(max(values)), AXIS, 1, "3 3"))
    out.append(text(x(start - 0.5) + 4, bottom - 6, "Programmstart", fill=MUTED))
    for segment in (t[t["year"] < start], post):
        out += series_marks(list(zip(segment["year"].astype(int), segment["fitted"] / divisor, strict=True)),
                            x, y, OWN, 2, dot=0)  # fmt: skip
    counter = list(zip(post["year"].astype(int), post["counterfactual"] / divisor, strict=True))
    out += series_marks(counter, x, y, NEUTRAL, 2, CITY_DASH, dot=0)
    out += [circle(x(int(a)), y(b / divisor), 3.5, OWN) for a, b in zip(t["year"], t["observed"], strict=True)]
    return Chart("".join(out), bottom + 26, title, source)


def event_study_chart(table: pd.DataFrame, lag: int, title: str, source: str) -> Chart:
    """Event-time coefficients (in % difference) with 95 % intervals; reference year −1."""
    t = table.sort_values("event_time")
    est = 100 * np.expm1(t["estimate"].to_numpy(float))
    low, high = 100 * np.expm1(t["ci_low"].to_numpy(float)), 100 * np.expm1(t["ci_high"].to_numpy(float))
    keys = [Key("dot", OWN, "Abweichung mit 95-%-Intervall"), Key("band", NEUTRAL, "erwartete Wirkung")]
    ylabel = "Abweichung in % (neue Hilfen ohne § 28 je unter 21-Jährige)"
    out, head = _frame(keys, ylabel)
    bottom = head + PLOT_H
    times = t["event_time"].astype(int).tolist()
    yt = nice_range(min(float(low.min()), 0.0), max(float(high.max()), 0.0), 6)
    x = linear((min(times) - 0.5, max(times) + 0.5), (LEFT + 4, RIGHT - 4))
    y = linear((yt[0], yt[-1]), (bottom, head))
    out.append(rect(x(lag - 0.5), head, x(max(times) + 0.5) - x(lag - 0.5), bottom - head, NEUTRAL, 0.25))
    out += value_axis(yt, y, LEFT, RIGHT, tick_decimals(yt))
    out.append(line(x(-0.5), head, x(-0.5), bottom, AXIS, 1, "3 3"))
    for e, v, a, b in zip(times, est, low, high, strict=True):
        out += [line(x(e), y(a), x(e), y(b), OWN, 2), circle(x(e), y(v), 4, OWN, WHITE)]
        out.append(text(x(e), bottom + 16, fmt_number(e), anchor="middle", fill=MUTED, public="axis"))
    out.append(text(RIGHT, bottom + 34, "Jahre seit Programmstart", anchor="end", fill=MUTED))
    out.append(text(RIGHT, bottom + 50, "(Abweichung vom eigenen Trend vor dem Start)", anchor="end", fill=MUTED))
    return Chart("".join(out), bottom + 58, title, source)


def balance_chart(base: pd.DataFrame, title: str, source: str) -> Chart:
    """Cumulated prevention spending, avoided HzE spending and net with its bootstrap band (Mio. €)."""
    m = 1e6
    keys = [
        Key("dash", NEUTRAL, "Präventionsausgaben (kumuliert)"),
        Key("line", OWN, "vermiedene HzE-Ausgaben (geschätzt, kumuliert)"),
        Key("dotline", INK, "Saldo"),
        Key("band", INK, "95-%-Band des Saldos"),
    ]
    cols = ("cum_prevention_eur", "cum_avoided_eur", "cum_net_eur", "cum_net_low", "cum_net_high")
    values = [float(v) / m for c in cols for v in base[c]]
    out, x, y, bottom = _year_plot(base["year"], values, keys, "Mio. €")
    years = base["year"].astype(int).tolist()
    out.append(band([(x(a), y(b / m)) for a, b in zip(years, base["cum_net_high"], strict=True)],
                    [(x(a), y(b / m)) for a, b in zip(years, base["cum_net_low"], strict=True)], INK))  # fmt: skip
    for col, colour, dash, dot in (("cum_prevention_eur", NEUTRAL, CITY_DASH, 0), ("cum_avoided_eur", OWN, "", 0),
                                   ("cum_net_eur", INK, "", 2.5)):  # fmt: skip
        out += series_marks(list(zip(years, base[col] / m, strict=True)), x, y, colour, 2, dash, dot=dot)
    return Chart("".join(out), bottom + 26, title, source)
