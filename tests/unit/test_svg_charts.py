"""Charts written as SVG: vector only, readable on a phone, named for screen readers, in the site's
palette, with title and source as page text; known positions worked by hand."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from helpers.report import analysis_plots, display, palette, plots
from helpers.report.svg_charts import (
    FONT,
    MIN_PX,
    PHONE_PX,
    WIDTH,
    Chart,
    Point,
    nice_range,
    series_chart,
    text_width,
    tick_decimals,
)
from helpers.site.htmlcheck import untagged_numbers

ROOT = Path(__file__).resolve().parents[2]
REPORT = ROOT / "src" / "helpers" / "report"
HEX = re.compile(r"#[0-9a-fA-F]{6}\b|#[0-9a-fA-F]{3}\b")
SOURCE = "Quelle: Einwohnermelderegister der Stadt Leverkusen (Hauptwohnsitz); eigene Berechnungen"


def _series(names=("Wiesdorf", "Leverkusen"), years=range(2016, 2026)) -> pd.DataFrame:
    rows = [(n, y, 20.0 + (y % 3) - i) for i, n in enumerate(names) for y in years]
    return pd.DataFrame(rows, columns=["area_name", "year", "share"])


def _row(**kw):
    base = {
        "indicator_id": "a", "label": "SGB-II-Quote unter 15 (%)", "unit": "pct", "value": 25.0, "low": 20.0,
        "high": 30.0, "city": 18.0, "verdict": "worse", "pooled": "",
    }  # fmt: skip
    return SimpleNamespace(**(base | kw))


def _units() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "area_name": ["Opladen", "Schlebusch", "Wiesdorf", "Alkenrath", "Rheindorf", "Hitdorf"],
            "denominator": [3480, 3500, 2900, 800, 2000, 900],
            "rate": [0.202, 0.200, 0.365, 0.366, 0.28, 0.15],
        }
    )


def _hze():
    its = pd.DataFrame({"year": range(2012, 2026)})
    its["fitted"] = 1e6 * (10 + its["year"] - 2012)
    its["observed"] = its["fitted"] + 5e5 * np.sin(its["year"])
    its["counterfactual"] = its["fitted"] * 1.1
    its["gap"] = its["fitted"] - its["counterfactual"]
    its["gap_low"], its["gap_high"] = its["gap"] - 1e6, its["gap"] + 1e6
    event = pd.DataFrame(
        {"event_time": range(-3, 4), "estimate": np.linspace(0, -0.2, 7), "ci_low": np.linspace(-0.1, -0.3, 7),
         "ci_high": np.linspace(0.1, -0.1, 7)}
    )  # fmt: skip
    base = pd.DataFrame({"year": range(2018, 2026)})
    base["cum_prevention_eur"], base["cum_avoided_eur"] = 1e6 * np.arange(8), 1.3e6 * np.arange(8)
    base["cum_net_eur"] = base["cum_avoided_eur"] - base["cum_prevention_eur"]
    base["cum_net_low"], base["cum_net_high"] = base["cum_net_eur"] - 1e6, base["cum_net_eur"] + 1e6
    return its, event, base


def all_charts() -> dict[str, Chart]:
    """One of every chart builder, on small hand-made inputs."""
    bands = ["0 bis unter 3", "3 bis unter 6", "6 bis unter 10", "80 und älter"]
    structure = pd.DataFrame(
        [(n, b, i, 0, 4.0 + i * k) for n, k in (("Wiesdorf", 1.0), ("Leverkusen", 0.8)) for i, b in enumerate(bands)],
        columns=["area_name", "age_band", "age_band_order", "persons", "share_pct"],
    )
    bars = pd.DataFrame({"area_name": ["Wiesdorf", "Bergisch Neukirchen"], "share_u18_pct": [18.2, 15.1]})
    frame = pd.DataFrame(
        [(p, n, y, v) for p, v in (("a", 20.0), ("b", 5.0)) for n in ("Wiesdorf", "Gesamtstadt") for y in (2024, 2025)],
        columns=["panel", "area_name", "year", "value"],
    )
    panels = [("a", "SGB-II-Quote unter 15 (%)", 1, 100.0), ("b", "Hilfen je 1.000 unter 21-Jährige", 1, None)]
    its, event, base = _hze()
    return {
        "age": plots.age_structure_chart(structure, ["Wiesdorf", "Leverkusen"], "Altersstruktur 2025", SOURCE),
        "series": plots.time_series_chart(_series(), "share", "Anteil", "Anteil in %", SOURCE, highlight_year=2025),
        "bars": plots.area_bar_chart(bars, "share_u18_pct", 17.5, "Anteil 2025", "Anteil in %", SOURCE),
        "interval": plots.interval_svg([_row(), _row(value=None)], "Frühe Kindheit", SOURCE, "Wiesdorf"),
        "multiples": plots.small_multiples_svg(frame, panels, "Entwicklung", SOURCE, ["Wiesdorf", "Gesamtstadt"]),
        "funnel": analysis_plots.funnel_chart(_units(), 0.22, 0.01, True, 100, "T", "SGB-II-Quote (%)", SOURCE),
        "its": analysis_plots.its_chart(its, 2018, "HzE-Ausgaben", "Mio. € (Preise 2025)", SOURCE, 1, 1e6),
        "event": analysis_plots.event_study_chart(event, 1, "Leverkusen", SOURCE),
        "balance": analysis_plots.balance_chart(base, "Kosten-Wirkungs-Bilanz bis 2025", SOURCE),
        "factsheet": series_chart([Point(y, 10.0 + y % 4, 8.0, 14.0) for y in range(2012, 2026)], "%", (2010, 2025)),
    }


CHARTS = all_charts()


@pytest.mark.parametrize("name", sorted(CHARTS))
def test_chart_is_vector_with_text_readable_on_a_phone(name):
    svg = CHARTS[name].svg("Diagramm")
    assert "<image" not in svg and "base64" not in svg and "data:" not in svg
    assert re.search(rf'viewBox="0 0 {WIDTH} \d+"', svg)
    sizes = [float(s) for s in re.findall(r'font-size="([\d.]+)"', svg)]
    assert sizes and min(sizes) >= FONT, sizes  # the root's 12 and any larger label
    assert min(sizes) * PHONE_PX / WIDTH >= MIN_PX  # 12 × 366 / 480 = 9,15 px at 390 px
    assert "<text" in svg and not re.search(r"<text[^>]*font-size=\"(?:[0-9]|1[01])(?:\.\d+)?\"", svg)


@pytest.mark.parametrize("name", sorted(CHARTS))
def test_chart_uses_only_palette_colours(name):
    allowed = {v.lower() for k, v in vars(palette).items() if k.isupper() and isinstance(v, str) and v.startswith("#")}
    allowed |= {v.lower() for v in palette.LEVEL} | {v.lower() for v in palette.ASSESSMENT.values()}
    used = {c.lower() for c in HEX.findall(CHARTS[name].svg())}
    assert used and used <= allowed, used - allowed


def test_chart_code_names_no_colour_of_its_own():
    """Hex colours are written once, in palette.py; the chart modules only name them."""
    files = ["plots.py", "analysis_plots.py", "svg_charts.py", "display.py", "mpl_style.py"]
    stray = {f: HEX.findall((REPORT / f).read_text(encoding="utf-8")) for f in files}
    assert {f: h for f, h in stray.items() if h} == {}


def test_figure_html_writes_the_chart_inline_with_name_title_and_source_as_text():
    chart = CHARTS["balance"]
    page = display.figure_html(chart, alt='Linien "A" & B', caption="Lesehilfe").data
    assert page.startswith('<figure class="mon-figure mon-chart"><p class="mon-chart-title">')
    assert 'role="img" aria-label="Linien &quot;A&quot; &amp; B"' in page
    assert "<title>Kosten-Wirkungs-Bilanz bis 2025</title>" in page
    # the title's year tagged for the page audit, the source as wrapping HTML text below the SVG
    assert 'Kosten-Wirkungs-Bilanz bis <span data-public="year">2025</span></p><svg' in page
    assert f'</svg><p class="mon-chart-source">{SOURCE}</p><figcaption>Lesehilfe</figcaption></figure>' in page
    assert "<img" not in page and "base64" not in page


@pytest.mark.parametrize("name", sorted(CHARTS))
def test_every_number_in_a_chart_is_accounted_for(name):
    page = display.figure_html(CHARTS[name], alt="Diagramm").data
    assert untagged_numbers(page, ["SGB-II-Quote unter 15"]) == []


def test_time_series_positions_worked_by_hand():
    """Values 0 and 20 on an axis 0–25 (steps of 5) 180 units high: 20 sits 144 units above 0.
    The city is dashed, the area solid with a dot per year; a missing year breaks the line."""
    frame = pd.DataFrame({"area_name": ["A", "A", "B", "B"], "year": [2024, 2025, 2024, 2025], "v": [0.0, 20.0, 5, 5]})
    svg = plots.time_series_chart(frame, "v", "T", "Anteil in %", "Q").svg()
    assert [t for t in ("0", "5", "10", "15", "20", "25") if f'data-public="axis">{t}<' in svg] == [
        "0", "5", "10", "15", "20", "25",
    ]  # fmt: skip
    dots = [float(y) for y in re.findall(r'<circle cx="[\d.]+" cy="([\d.]+)" r="3" fill="#08519c"/>', svg)]
    assert len(dots) == 2 and dots[0] - dots[1] == pytest.approx(144, abs=0.15)
    assert f'stroke="{palette.CITY}" stroke-width="2" stroke-dasharray="{palette.CITY_DASH}"' in svg
    gap = _series(years=[2016, 2017, 2019, 2020])
    lines = re.findall(r'<polyline points="([^"]+)" fill="none" stroke="#08519c"', plots.time_series_chart(
        gap, "share", "T", "%", "Q").svg())  # fmt: skip
    assert [len(p.split()) for p in lines] == [2, 2]


def test_bar_lengths_and_labels_worked_by_hand():
    """Bars 18,2 and 15,1 on an axis 0–20 from x=left to x=422: lengths in that ratio, values as
    public population figures, the city as a dashed line with its value."""
    bars = pd.DataFrame({"area_name": ["Wiesdorf", "Opladen"], "share_u18_pct": [18.2, 15.1]})
    svg = plots.area_bar_chart(bars, "share_u18_pct", 17.5, "T", "Anteil in %", "Q").svg()
    widths = [float(w) for w in re.findall(r'<rect x="[\d.]+" y="[\d.]+" width="([\d.]+)" height="14" fill', svg)]
    left = 90  # the names fit the minimum label column
    assert widths == pytest.approx([18.2 / 20 * (422 - left), 15.1 / 20 * (422 - left)], abs=0.1)
    assert (
        'data-public="population" stroke="#ffffff" stroke-width="3" paint-order="stroke">18,2\xa0%<' in svg
        and "Gesamtstadt 17,5\xa0%" in svg
    )


def test_interval_chart_marks_without_colour():
    """A secret row says so in words on a grey strip; a clear difference says its direction in words."""
    svg = plots.interval_svg([_row(), _row(value=None), _row(verdict="similar")], "T", "Q", "Wiesdorf").svg()
    assert svg.count("nicht veröffentlicht") == 1 and f'fill="{palette.NO_DATA}"' in svg
    assert svg.count("deutlich ungünstiger") == 1 and "▲ deutlich ungünstiger" in svg  # 25 above the city's 18


@pytest.mark.parametrize(("low", "high"), [(17.2, 18.9), (0.0, 6.0), (2.1, 2.9), (0, 2600), (-12.0, 31.0)])
def test_ticks_are_round_distinct_and_cover_the_range(low, high):
    from helpers.core.formatting import fmt_number

    ticks = nice_range(low, high)
    labels = [fmt_number(t, tick_decimals(ticks)) for t in ticks]
    assert ticks[0] <= low and ticks[-1] >= high and 3 <= len(ticks) <= 8
    assert len(set(labels)) == len(labels)
    for tick, label in zip(ticks, labels, strict=True):
        assert float(label.replace(".", "").replace(",", ".").replace("−", "-")) == pytest.approx(tick)


def test_funnel_names_never_cover_each_other_and_points_beyond_the_limits_come_first():
    svg = CHARTS["funnel"].svg()
    names = re.findall(r'<text x="([\d.]+)" y="([\d.]+)" stroke="#ffffff"[^>]*>([A-Z][a-zäöü]+)</text>', svg)
    boxes = [(float(x), float(y) - FONT + 2, float(x) + text_width(n), float(y) + 3) for x, y, n in names]
    # beyond the 99,8 % limits (z against 22 %: Wiesdorf 19, Alkenrath 10, Rheindorf 6,5, Hitdorf −5,0)
    assert {n for *_, n in names} >= {"Wiesdorf", "Alkenrath", "Rheindorf", "Hitdorf"}
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]), (a, b)
    assert svg.count('r="6"') == 4  # the four beyond the limits drawn larger


def test_chart_modules_do_not_import_matplotlib():
    code = (
        "import sys; import helpers.report.plots, helpers.report.analysis_plots, helpers.report.display, "
        "helpers.report.svg_charts; print('matplotlib' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "False"
