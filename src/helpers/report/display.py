"""HTML fragments for the report notebooks: key-figure boxes, tables, figures with alt text.

Notebooks call these and ``display`` the result; the exported page then contains plain,
accessible HTML (tables with captions and header cells, images with alt text), no code.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Sequence

import matplotlib
import pandas as pd
from IPython.display import HTML
from matplotlib.figure import Figure

from helpers.core.formatting import fmt_change, fmt_number, fmt_percent
from helpers.report.demography import KeyFigure

#: SVG output: text stays text (no glyph rasterising: about three times faster than PNG and a
#: fifth of the size, sharp at any zoom and in print); element ids are derived from a fixed
#: salt, so reruns are byte-identical.
SVG_RC = {"svg.fonttype": "none", "svg.hashsalt": "praeventionsmonitoring", "svg.image_inline": True}


def figure_svg(fig: Figure) -> bytes:
    """SVG bytes of a figure, without run-dependent metadata (byte-identical reruns)."""
    buf = io.BytesIO()
    with matplotlib.rc_context(SVG_RC):
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    return buf.getvalue()


def figure_html(fig: Figure, alt: str, caption: str = "") -> HTML:
    """An inline ``<figure>`` with the chart as an embedded SVG image, alt text and an optional caption."""
    data = base64.b64encode(figure_svg(fig)).decode("ascii")
    cap = f"<figcaption>{html.escape(caption)}</figcaption>" if caption else ""
    return HTML(
        f'<figure class="mon-figure"><img src="data:image/svg+xml;base64,{data}" '
        f'alt="{html.escape(alt, quote=True)}">{cap}</figure>'
    )


def _fmt(value: float, unit: str) -> str:
    return fmt_number(value) if unit == "persons" else fmt_percent(value)


def _change_text(fig: KeyFigure) -> str:
    if fig.change is None:
        return "keine Vorjahresangabe"
    if fig.unit == "persons":
        return f"{fmt_change(fig.change, 1, ' %')} zum Vorjahr"
    return f"{fmt_change(fig.change, 1)} Prozentpunkte zum Vorjahr"


def kpi_boxes(figures: Sequence[KeyFigure], city_name: str) -> HTML:
    """The "Auf einen Blick" boxes: value, city value, change from the previous year."""
    boxes = []
    for f in figures:
        boxes.append(
            '<div class="mon-kpi">'
            f'<div class="label">{html.escape(f.label)}</div>'
            f'<div class="value">{_fmt(f.value, f.unit)}</div>'
            f'<div class="compare">{html.escape(city_name)}: {_fmt(f.city_value, f.unit)}<br>'
            f"{_change_text(f)}</div></div>"
        )
    return HTML(f'<div class="mon-kpis">{"".join(boxes)}</div>')


def table_html(
    frame: pd.DataFrame,
    caption: str,
    numeric: Sequence[str] = (),
    links: dict[str, str] | None = None,
    note: str = "",
) -> HTML:
    """A captioned table of pre-formatted strings; ``numeric`` columns are right-aligned.

    ``links`` maps values of the first column to hrefs (e.g. links to Stadtteil profiles).
    """
    head = "".join(
        f'<th scope="col"{" class=num" if c in numeric else ""}>{html.escape(str(c))}</th>' for c in frame.columns
    )
    rows = []
    for values in frame.itertuples(index=False):
        cells = []
        for i, (col, val) in enumerate(zip(frame.columns, values, strict=True)):
            text = html.escape(str(val))
            if i == 0 and links and str(val) in links:
                text = f'<a href="{html.escape(links[str(val)])}">{text}</a>'
            tag = "th scope=row" if i == 0 else "td"
            cls = " class=num" if col in numeric else ""
            cells.append(f"<{tag}{cls}>{text}</{tag.split()[0]}>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    foot = f'<p class="mon-note">{html.escape(note)}</p>' if note else ""
    return HTML(
        f"<table><caption>{html.escape(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>{foot}"
    )


def note(text: str) -> HTML:
    """A small explanatory note (German prose)."""
    return HTML(f'<p class="mon-note">{html.escape(text)}</p>')
