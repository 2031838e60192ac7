"""The charts of the profile and the city report, written as SVG (:class:`helpers.report.svg_charts.Chart`).

No matplotlib: each chart is a few dozen SVG elements on the 480-unit viewBox of
:mod:`helpers.report.svg_charts`, in the colours of :mod:`helpers.report.palette` (the area's own
series dark blue, the city dark grey and dashed), with marks that also work without colour.
``helpers.report.display.figure_html`` shows a chart inline with its title and source as HTML text.

The matplotlib house style used by the Land page lives in
:mod:`helpers.report.mpl_style`; its old names here are forwarded on first use, so importing
this module does not import matplotlib.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

from helpers.core.formatting import fmt_number, fmt_percent
from helpers.report.palette import CITY, CITY_DASH, COMPARISON, GRID, MUTED, NO_DATA, OWN, SPAN, WHITE
from helpers.report.svg_charts import (
    LABEL,
    WIDTH,
    Chart,
    Key,
    caption_lines,
    circle,
    legend,
    line,
    linear,
    nice_range,
    nice_ticks,
    rect,
    series_marks,
    text,
    text_width,
    tick_decimals,
    value_axis,
    wrap,
    year_axis,
    year_runs,
)

__all__ = [
    "age_structure_chart",
    "area_bar_chart",
    "interval_svg",
    "small_multiples_svg",
    "time_series_chart",
    "year_runs",
]

#: Areas in order: the area itself, the city, then any further areas.
AREA_STYLES = ((OWN, "", 2.5, "dotline"), (CITY, CITY_DASH, 2.0, "dash"), (COMPARISON, "", 1.5, "line"))


def _style(i: int) -> tuple[str, str, float, str]:
    return AREA_STYLES[min(i, len(AREA_STYLES) - 1)]


def age_structure_chart(structure: pd.DataFrame, area_names: Sequence[str], title: str, source: str) -> Chart:
    """Horizontal bars: share of each age band (in %) in the area, the city's share as a dashed mark.

    ``area_names``: the area first, then the city (further areas are left out: one comparison).
    """
    bands = structure.drop_duplicates("age_band").sort_values("age_band_order")["age_band"].tolist()
    shares = {n: structure[structure["area_name"] == n].set_index("age_band")["share_pct"] for n in area_names[:2]}
    top = max(float(structure["share_pct"].max()), 1.0)
    ticks = nice_ticks(top * 1.12, 5)
    left, right, step = 112, WIDTH - 10, 26
    keys = [Key("bar", OWN, area_names[0])] + ([Key("tick", CITY, area_names[1])] if len(area_names) > 1 else [])
    out, used = legend(keys, 0)
    head = used + 14
    x = linear((0, ticks[-1]), (left, right))
    bottom = head + step * len(bands)
    for t in ticks:
        out.append(line(x(t), head - 4, x(t), bottom, GRID))
        out.append(text(x(t), bottom + 16, fmt_number(t), anchor="middle", fill=MUTED, public="axis"))
    for i, band_name in enumerate(bands):
        y = head + step * i
        own = shares[area_names[0]].get(band_name)
        out.append(text(left - 6, y + step / 2 + 4, band_name, anchor="end", public="axis"))
        if own is not None and not pd.isna(own):
            out.append(rect(left, y + 5, x(own) - left, step - 10, OWN))
        if len(area_names) > 1:
            city = shares[area_names[1]].get(band_name)
            if city is not None and not pd.isna(city):
                out.append(line(x(city), y + 1, x(city), y + step - 1, WHITE, 5))  # a halo on the bar
                out.append(line(x(city), y + 1, x(city), y + step - 1, CITY, 2.5, "4 2"))
    out.append(line(left, head - 4, left, bottom, MUTED))
    out.append(text(right, bottom + 34, "Anteil an der Bevölkerung in %", anchor="end", fill=MUTED))
    return Chart("".join(out), bottom + 42, title, source)


def time_series_chart(
    series: pd.DataFrame,
    value: str,
    title: str,
    ylabel: str,
    source: str,
    decimals: int = 0,
    highlight_year: int | None = None,
    zero_base: bool = True,
) -> Chart:
    """Lines over years, one per area (column ``area_name``): the first area solid with dots, the
    second (the city) dashed, further areas light grey. A gap in the years breaks the line.

    With ``zero_base`` the value axis starts at 0, so small changes are not exaggerated.
    """
    names = list(dict.fromkeys(series["area_name"]))
    values = series[value].dropna()
    low = 0.0 if zero_base or values.empty else float(values.min())
    high = 1.0 if values.empty else float(values.max())
    ticks = nice_range(low, high * (1.1 if zero_base else 1.0), 6)
    if not zero_base:
        ticks = nice_range(min(ticks[0], low), max(ticks[-1], high), 6)
    years = sorted(int(y) for y in series["year"].unique()) or [0]
    keys = [Key(_style(i)[3], _style(i)[0], n) for i, n in enumerate(names)]
    out, used = legend(keys, 0)
    left, right, head = 44, WIDTH - 12, used + 34
    bottom = head + 180
    out.append(text(0, head - 14, ylabel, fill=MUTED))
    x = linear((years[0], max(years[-1], years[0] + 1)), (left + 8, right - 8))
    y = linear((ticks[0], ticks[-1]), (bottom, head))
    if highlight_year is not None:
        out.append(rect(x(highlight_year) - 6, head, 12, bottom - head, SPAN))
    out += value_axis(ticks, y, left, right, max(decimals, tick_decimals(ticks)))
    out += year_axis(years[0], years[-1], x, bottom, right - left)
    for i, name in reversed(list(enumerate(names))):  # the area last, on top
        colour, dash, width, _ = _style(i)
        part = series[series["area_name"] == name].dropna(subset=[value])
        points = [(int(a), float(b)) for a, b in zip(part["year"], part[value], strict=True)]
        out += series_marks(points, x, y, colour, width, dash, dot=3.0 if i == 0 else 0)
    return Chart("".join(out), bottom + 26, title, source)


def area_bar_chart(frame: pd.DataFrame, value: str, reference: float, title: str, xlabel: str, source: str) -> Chart:
    """Horizontal bars, one per area in the given order, the value written at the bar's end and the
    city value as a dashed line with its label (public population figures)."""
    names = [str(n) for n in frame["area_name"]]
    left = min(max(max(text_width(n) for n in names) + 10, 90), 170) if names else 90
    right, step = WIDTH - 58, 22
    top = max(float(frame[value].max()), reference, 1.0)
    ticks = nice_ticks(top * 1.05, 5)
    x = linear((0, ticks[-1]), (left, right))
    head = 30
    bottom = head + step * len(frame)
    out = [
        line(x(reference), head - 8, x(reference), bottom, CITY, 2, CITY_DASH),
        text(x(reference), head - 14, f"Gesamtstadt {fmt_percent(reference)}", anchor="middle", fill=CITY,
             public="population"),
    ]  # fmt: skip
    for t in ticks:
        out.append(line(x(t), head - 2, x(t), bottom, GRID))
        out.append(text(x(t), bottom + 16, fmt_number(t), anchor="middle", fill=MUTED, public="axis"))
    for i, (name, v) in enumerate(zip(names, frame[value], strict=True)):
        y = head + step * i
        label = name if text_width(name) <= left - 10 else wrap(name, left - 10)[0] + "…"
        out.append(text(left - 6, y + step / 2 + 4, label, anchor="end"))
        if pd.isna(v):
            out.append(text(left + 4, y + step / 2 + 4, "keine Angabe", fill=MUTED))
            continue
        out.append(rect(left, y + 4, x(float(v)) - left, step - 8, OWN))
        out.append(text(x(float(v)) + 4, y + step / 2 + 4, fmt_percent(float(v)), public="population", halo=True))
    out.append(line(left, head - 2, left, bottom, MUTED))
    out.append(text(right + 50, bottom + 34, xlabel, anchor="end", fill=MUTED))
    return Chart("".join(out), bottom + 42, title, source)


# --- the profile's dot-and-bar chart -----------------------------------------------------------


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


#: Verdict codes (``helpers.report.steckbrief``) and the word the chart writes beside the label.
VERDICT_WORDS = {"better": "günstiger", "worse": "ungünstiger", "higher": "höher", "lower": "niedriger"}


def _verdict_mark(verdict: str | None, value: float, city: float | None, y: float) -> list[str]:
    """The verdict at the right of a row's label line: an arrow (above or below the city) and the word."""
    word = VERDICT_WORDS.get(verdict or "")
    if not word or city is None:
        return []
    arrow = "▲" if value > city else "▼"
    return [text(WIDTH - 8, y, f"{arrow} deutlich {word}", anchor="end", weight="600")]


def interval_svg(rows: Sequence, title: str, source: str, area_name: str, city_name: str = "Gesamtstadt") -> Chart:
    """Dot-and-bar chart: per indicator (row, own scale) its label, then the area value as a dot with
    its 95 % interval as a band and the city value as a dashed mark; the scale's ends written below.
    A row without value (not published) says "nicht veröffentlicht" on a grey strip and draws
    nothing; a true zero is drawn at 0 (a places row with verdict ``no_offer`` says "kein Angebot
    im Stadtteil"). Where the interval lies clearly apart from the city, the row says so in words.

    ``rows``: objects with ``label``, ``value``, ``low``, ``high``, ``city``, ``unit`` and ``verdict``
    (``helpers.report.steckbrief.IntervalRow``). The numbers themselves stand in the table above.
    """
    shares = [v for r in rows if r.unit == "pct" and r.value is not None for v in (r.value, r.high, r.city) if v]
    shared = min(_nice_top(max(shares)), 100.0) if shares else None
    keys = [Key("dot", OWN, f"{area_name} mit 95-%-KI"), Key("tick", CITY, city_name)]
    out, used = legend(keys, 0)
    x0, x1, y = 10, WIDTH - 10, used + 16
    for row in rows:
        lines = wrap(row.label, WIDTH - 150 if row.verdict in VERDICT_WORDS else WIDTH - 16, LABEL)
        out += caption_lines(row.label, 8, y + 10, WIDTH - 150 if row.verdict in VERDICT_WORDS else WIDTH - 16)
        strip = y + 10 + 15 * (len(lines) - 1) + 16
        if row.value is None:
            out += [rect(x0, strip - 8, x1 - x0, 16, NO_DATA), text(x0 + 6, strip + 4, "nicht veröffentlicht")]
            y = strip + 22
            continue
        out += _verdict_mark(row.verdict, row.value, row.city, y + 10)
        out += _interval_row(row, strip, x0, x1, shared if row.unit == "pct" else None)
        y = strip + 32
    return Chart("".join(out), y, title, source)


def _interval_row(row, strip: float, x0: float, x1: float, shared: float | None) -> list[str]:
    points = [v for v in (row.value, row.low, row.high, row.city) if v is not None]
    lo, hi = _scale(points, shared)
    x = linear((lo, hi), (x0 + 4, x1 - 4))
    out = [
        line(x0, strip, x1, strip, GRID, 2),
        text(x0, strip + 22, fmt_number(lo), fill=MUTED, public="axis"),
        text(x1, strip + 22, fmt_number(hi), anchor="end", fill=MUTED, public="axis"),
    ]
    if row.low is not None and row.high is not None:
        out.append(rect(x(row.low), strip - 6, x(row.high) - x(row.low), 12, OWN, 0.25))
    if row.city is not None:
        out.append(line(x(row.city), strip - 11, x(row.city), strip + 11, CITY, 2.5, "4 2"))
    out.append(circle(x(row.value), strip, 5, OWN, WHITE))
    if getattr(row, "verdict", None) == "no_offer":
        out.append(text(x(row.value) + 10, strip + 4, "kein Angebot im Stadtteil", fill=MUTED))
    return out


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


# --- small multiples of the key indicators -----------------------------------------------------


def small_multiples_svg(
    series: pd.DataFrame,
    panels: Sequence[tuple[str, str, int, float | None]],
    title: str,
    source: str,
    names: Sequence[str],
    columns: int = 2,
    width: float = WIDTH,
    plot: float = 106,
) -> Chart:
    """Small multiples: one panel per indicator, one line per area (``names``: the area first, solid
    with dots, then the city, dashed) over the years with data; a gap in the years breaks the line,
    a lone year is a dot.

    ``series``: columns ``panel`` (indicator id), ``area_name``, ``year``, ``value``; ``panels``:
    (indicator id, panel title, decimals, cap of the value axis or None, e.g. 100 for shares) in
    order. Each panel's value axis starts at 0. ``width``: of the viewBox (a wide chart with more ``columns``
    keeps the panels' width, for a wide screen and print); ``plot``: the height of a panel's plot.
    """
    keys = [Key(_style(i)[3], _style(i)[0], n) for i, n in enumerate(names[:2])]
    out, used = legend(keys, 0, right=width)
    gap = 16
    pw = (width - gap * (columns - 1)) / columns
    years = sorted(int(y) for y in series["year"].unique()) or [0]
    heads = [wrap(label, pw, LABEL) for _, label, _, _ in panels]
    top = used + 14
    for start in range(0, len(panels), columns):
        row_heads = max(len(h) for h in heads[start : start + columns])
        for k in range(start, min(start + columns, len(panels))):
            px = (k - start) * (pw + gap)
            out += _panel(series, panels[k], heads[k], (px, top, pw, plot), row_heads, years, names)
        top += 15 * row_heads + plot + 44
    return Chart("".join(out), top, title, source, width)


def _panel(series, panel, head_lines, box, row_heads, years, names) -> list[str]:
    ind_id, _, _, cap = panel
    px, top, pw, plot = box
    # the indicator names (and units) of the catalogue: their digits are configuration ("15–44", "je 1.000")
    out = [text(px, top + 12 + 15 * i, part, LABEL, weight="600", public="config") for i, part in enumerate(head_lines)]
    head = top + 15 * row_heads + 10
    left, right, bottom = px + 38, px + pw - 8, head + plot
    part = series[series["panel"] == ind_id]
    peak = float(part["value"].max()) if len(part) else 1.0
    ticks = nice_ticks(peak * 1.05 if peak > 0 else 1.0, 4)
    if cap is not None and ticks[-1] > cap:
        ticks = [t for t in ticks if t <= cap]
    x = linear((years[0], max(years[-1], years[0] + 1)), (left + 4, right - 4))
    y = linear((0, ticks[-1]), (bottom, head))
    out += value_axis(ticks, y, left, right, tick_decimals(ticks))
    out += year_axis(years[0], years[-1], x, bottom, right - left)
    if part.empty:
        out.append(text((left + right) / 2, (head + bottom) / 2, "keine veröffentlichten Werte", anchor="middle"))
    for i, name in reversed(list(enumerate(names[:2]))):
        colour, dash, width, _ = _style(i)
        own = part[part["area_name"] == name]
        points = [(int(a), float(b)) for a, b in zip(own["year"], own["value"], strict=True)]
        out += series_marks(points, x, y, colour, width, dash, dot=2.5 if i == 0 else 0)
    return out
