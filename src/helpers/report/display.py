"""HTML fragments for the report notebooks: key-figure boxes, tables, figures with alt text.

Notebooks call these and ``display`` the result; the exported page then contains plain,
accessible HTML (tables with captions and header cells, charts and maps as inline SVG with an
accessible name), no code.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd
from IPython.display import HTML
from markupsafe import Markup, escape

from helpers.core.formatting import fmt_change, fmt_number, fmt_percent
from helpers.core.numbertags import PUBLIC_CATEGORIES, public, text
from helpers.core.templating import fragment
from helpers.report.demography import KeyFigure
from helpers.report.svg_charts import YEAR, Chart

if TYPE_CHECKING:  # matplotlib only for the Land page, imported where a figure is saved
    from matplotlib.figure import Figure

#: SVG output of matplotlib figures (the Land page's funnel): text stays text (no glyph rasterising: about three
#: times faster than PNG and a fifth of the size, sharp at any zoom and in print); element ids are
#: derived from a fixed salt, so reruns are byte-identical.
SVG_RC = {"svg.fonttype": "none", "svg.hashsalt": "praeventionsmonitoring", "svg.image_inline": True}


def figure_svg(fig: Figure) -> bytes:
    """SVG bytes of a matplotlib figure, without run-dependent metadata (byte-identical reruns)."""
    import matplotlib

    buf = io.BytesIO()
    with matplotlib.rc_context(SVG_RC):
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    return buf.getvalue()


def tag_years(words: str) -> Markup:
    """Plain text with every year tagged as public (``data-public="year"``), escaped.

    >>> tag_years("Bilanz bis 2025 & mehr")
    Markup('Bilanz bis <span data-public="year">2025</span> &amp; mehr')
    """
    parts, last = [], 0
    for m in YEAR.finditer(words):
        parts += [escape(words[last : m.start()]), public(m.group(), "year")]
        last = m.end()
    return Markup("").join([*parts, escape(words[last:])])


def chart_html(chart: Chart, alt: str, caption: str = "", wide: Chart | None = None) -> str:
    """The chart inline: its title above and source below as HTML text, the SVG named by ``alt``. ``wide``: the
    same chart laid out for a wide screen and print (the stylesheet shows one of the two)."""
    if wide is None:
        svg = Markup(chart.svg(alt))
    else:
        svg = Markup(chart.svg(alt, "mon-layout-narrow") + wide.svg(alt, "mon-layout-wide"))
    return fragment("chart", svg, tag_years(chart.title), tag_years(chart.source), caption, wide is not None)


def figure_html(fig: Chart | Figure | bytes, alt: str, caption: str = "", wide: bool = False) -> HTML:
    """A ``<figure>`` with a chart, alt text (the accessible name) and an optional caption.

    A :class:`helpers.report.svg_charts.Chart` is written inline (:func:`chart_html`); a matplotlib
    figure or SVG bytes become an embedded SVG image. ``wide`` (maps): on a phone the
    image keeps a readable width inside a horizontal scroll container instead of shrinking its
    labels to a few pixels.
    """
    if isinstance(fig, Chart):
        return HTML(chart_html(fig, alt, caption))
    data = base64.b64encode(fig if isinstance(fig, bytes) else figure_svg(fig)).decode("ascii")
    return HTML(fragment("figure", data, alt, caption, wide))


def _fmt(value: float, unit: str) -> str:
    return fmt_number(value) if unit == "persons" else fmt_percent(value)


def _change_text(fig: KeyFigure) -> str:
    if fig.change is None:
        return "keine Vorjahresangabe"
    if fig.unit == "persons":
        return text("{} zum Vorjahr", public(fmt_change(fig.change, 1, " %"), "population"))
    return text("{} Prozentpunkte zum Vorjahr", public(fmt_change(fig.change, 1), "population"))


def kpi_boxes(figures: Sequence[KeyFigure], city_name: str) -> HTML:
    """The "Auf einen Blick" boxes of population figures (public register statistics): value,
    city value, change from the previous year."""
    boxes = [
        (
            f.label,
            public(_fmt(f.value, f.unit), "population"),
            text("{}: {}", city_name, public(_fmt(f.city_value, f.unit), "population")),
            _change_text(f),
        )
        for f in figures
    ]
    return HTML(fragment("kpi_boxes", boxes))


def table_html(
    frame: pd.DataFrame,
    caption: str,
    numeric: Sequence[str] = (),
    links: dict[str, str] | None = None,
    note: str = "",
    cell_keys: dict[str, Sequence[str]] | None = None,
    public: dict[str, str] | None = None,
) -> HTML:
    """A captioned table of pre-formatted strings; ``numeric`` columns are right-aligned.

    ``links`` maps values of the first column to hrefs (e.g. links to Stadtteil profiles);
    ``cell_keys`` maps a column to one ``data-cell`` key per row (published cells the page
    audit compares with what was released); ``public`` maps a column to the category of public
    numbers (``helpers.core.numbertags.PUBLIC_CATEGORIES``) its cells show.
    """
    links = links or {}
    keys = {col: list(k) for col, k in (cell_keys or {}).items()}
    categories = public or {}
    header = [(str(c), c in numeric) for c in frame.columns]
    rows = [
        [
            (
                str(val),
                col in numeric,
                links.get(str(val)) if i == 0 else None,
                keys[col][r] if col in keys else None,
                categories.get(col),
            )
            for i, (col, val) in enumerate(zip(frame.columns, values, strict=True))
        ]
        for r, values in enumerate(frame.itertuples(index=False))
    ]
    return HTML(fragment("table", caption, header, rows, note))


def note(prose: str, public: str = "") -> HTML:
    """A small explanatory note (German prose; markup from ``helpers.core.numbertags`` for numbers).

    ``public``: the category of all numbers in it, e.g. "config" for the plan's reasons why
    something is not computed ("weniger als 4 Stadtteile").
    """
    if public and public not in PUBLIC_CATEGORIES:
        raise ValueError(f"unknown category of public numbers: {public!r}")
    return HTML(fragment("note", prose, public))
