"""Charts: SVG output is reproducible and keeps text as text; long source lines never cover the plot."""

from __future__ import annotations

import base64
import re

import pandas as pd
import pytest
from conftest import ROOT
from matplotlib.backends.backend_agg import FigureCanvasAgg

from helpers.core.config import SHIPPED_CATALOGUE
from helpers.report import display, plots

LONG_SOURCE = "Quelle: " + "; ".join(f"Datenhalter Nummer {i} mit einem langen Namen (Fachverfahren)" for i in range(9))


def _series() -> pd.DataFrame:
    rows = [("Wiesdorf", y, 20 + y % 3) for y in range(2016, 2026)] + [("Stadt", y, 18.0) for y in range(2016, 2026)]
    return pd.DataFrame(rows, columns=["area_name", "year", "share"])


def _chart(source: str):
    return plots.time_series_chart(_series(), "share", "Titel", "Anteil in %", source, highlight_year=2025)


def test_svg_is_byte_identical_across_builds_and_has_no_date():
    a, b = display.figure_svg(_chart("Quelle: A")), display.figure_svg(_chart("Quelle: A"))
    assert a == b
    text = a.decode("utf-8")
    assert "<dc:date>" not in text and "Matplotlib v" not in text


def test_svg_keeps_text_as_text_with_font_fallbacks():
    text = display.figure_svg(_chart("Quelle: Einwohnermelderegister")).decode("utf-8")
    assert "Quelle: Einwohnermelderegister" in text  # not converted to glyph paths
    families = set(re.findall(r"font-family: ([^;\"]+)", text))
    assert families and all(f.startswith("'DejaVu Sans'") and f.endswith("sans-serif") for f in families), families


def test_figure_html_embeds_svg_with_alt_text():
    page = display.figure_html(_chart("Quelle: A"), alt='Linien "A" & B').data
    payload = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', page).group(1)
    assert base64.b64decode(payload).startswith(b"<?xml")
    assert 'alt="Linien &#34;A&#34; &amp; B"' in page  # Jinja2 (markupsafe) escapes quotes numerically


@pytest.mark.parametrize("source", ["Quelle: A", LONG_SOURCE])
def test_source_block_never_overlaps_the_plot(source):
    fig = _chart(source)
    renderer = FigureCanvasAgg(fig).get_renderer()
    block = fig.texts[-1].get_window_extent(renderer)
    ax = fig.axes[0]
    plot = ax.get_tightbbox(renderer)  # axes with tick labels and axis labels
    assert block.y1 < plot.y0, (block, plot)
    assert block.y0 >= 0 and plot.y1 <= fig.bbox.height


def test_long_source_grows_the_figure_not_shrinks_the_plot():
    short, long = _chart("Quelle: A"), _chart(LONG_SOURCE)
    lines = plots.textwrap.fill(LONG_SOURCE, 150).count("\n")
    assert lines >= 2
    grown = long.get_figheight() - short.get_figheight()
    assert grown == pytest.approx(lines * plots.SOURCE_FONTSIZE * 1.2 / 72)
    height = [f.axes[0].get_position().height * f.get_figheight() for f in (short, long)]
    assert height[0] == pytest.approx(height[1])


@pytest.mark.parametrize(("low", "high", "decimals"), [(17.2, 18.9, 0), (0.0, 6.0, 0), (2.1, 2.9, 1), (0, 2600, 0)])
def test_tick_labels_show_the_tick_values_exactly(low, high, decimals):
    """A tick at 17,5 labelled "18" would misstate the chart: ticks carry no more places than the labels."""
    frame = pd.DataFrame({"area_name": "A", "year": [2024, 2025], "share": [low, high]})
    fig = plots.time_series_chart(frame, "share", "T", "Anteil", "Q", decimals=decimals, zero_base=False)
    FigureCanvasAgg(fig).draw()
    axis = fig.axes[0].yaxis
    ticks = [t for t in axis.get_majorticklocs() if low - 1 <= t <= high + 1]
    labels = [axis.get_major_formatter()(t, 0) for t in ticks]
    assert len(ticks) >= 2 and len(set(labels)) == len(labels), labels
    for tick, label in zip(ticks, labels, strict=True):
        assert float(label.replace(".", "").replace(",", ".").replace("−", "-")) == pytest.approx(tick), (tick, label)


def test_indicator_source_line_names_only_its_own_holders():
    from helpers.core.config import load_config
    from helpers.indicators.catalogue import load_catalogue
    from helpers.report.context import indicator_source_line

    config = load_config(ROOT / "config/leverkusen.yml")
    catalogue = load_catalogue(SHIPPED_CATALOGUE)
    line = indicator_source_line(catalogue.get("sgb2_u15"), config)
    assert line == (
        f"Quelle: {config.sources['sgb2'].holder}; {config.sources['population'].holder}; eigene Berechnungen"
    )


def test_funnel_labels_of_close_points_do_not_cover_each_other():
    from helpers.report.analysis_plots import funnel_chart

    units = pd.DataFrame(
        {
            "area_name": ["Opladen", "Schlebusch", "Wiesdorf", "Alkenrath"],
            "denominator": [3480, 3500, 2900, 800],
            "rate": [0.202, 0.200, 0.365, 0.366],
        }
    )
    fig = funnel_chart(units, 0.22, 0.001, True, 100, "T", "Anteil (%)", "Quelle: A")
    renderer = FigureCanvasAgg(fig).get_renderer()
    boxes = [t.get_window_extent(renderer) for t in fig.axes[0].texts]
    assert len(boxes) == 4
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not a.overlaps(b), (a, b)


def test_class_map_alt_text_lists_every_stadtteil_and_the_highlight():
    from helpers.core.config import load_config
    from helpers.report.sozialraum_sections import class_map

    config = load_config(ROOT / "config/leverkusen.yml")
    first, second = config.stadtteile[0], config.stadtteile[1]
    frame = pd.DataFrame({"area_code": [first.code, second.code], "status_class_code": ["high", "not_classified"]})
    page = class_map(
        frame, "status_class_code", config, title="T", source="Quelle: A", legend_title="Status",
        labels={"high": "hoch", "low": "niedrig"}, what="Statusklasse", year=2025, highlight=second.code,
    ).data  # fmt: skip
    alt = re.search(r'alt="([^"]*)"', page).group(1)
    assert alt.startswith("Karte der Stadtteile nach Statusklasse 2025.")
    assert f"{first.name}: hoch" in alt and f"{second.name}: keine Einstufung" in alt
    assert alt.count("keine Einstufung") == len(config.stadtteile) - 1  # the rest are unclassified
    assert alt.endswith(f"Hervorgehoben: {second.name}.")
    assert "data:image/svg+xml;base64," in page
