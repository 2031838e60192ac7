"""Maps for Stadtteil-level results: a schematic tile map from the config, or real polygons.

By default each Stadtteil is one labelled square placed at its configured ``tile``
[column, row] (row 0 = north); the figure says it is schematic. When the config names a
GeoJSON file (``analysis.geometry.geojson``) with one feature per Stadtteil (property
``id_property`` = Stadtteil code), the real polygons are drawn instead.

Colours: cividis (sequential, readable with colour-vision deficiencies) for numbers, an
ordered cividis palette for classes; a value that is not published is drawn light grey
with hatching and labelled in the legend ("nicht veröffentlicht").
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib
import numpy as np
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.patches import Patch, PathPatch, Rectangle
from matplotlib.path import Path as MplPath

from helpers.core.config import Config
from helpers.core.formatting import fmt_number
from helpers.report.plots import STYLE, _german_ticks, _source_line

matplotlib.use("Agg")

CMAP = "cividis"
MISSING = "#dddddd"
MISSING_LABEL = "nicht veröffentlicht"


def load_geojson(path: str | Path, id_property: str) -> dict[str, list[np.ndarray]]:
    """Rings (exterior and holes) per area code from a GeoJSON FeatureCollection."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    shapes: dict[str, list[np.ndarray]] = {}
    for feature in data.get("features", []):
        code = str(feature["properties"][id_property])
        geom = feature["geometry"]
        polygons = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
        rings = [np.asarray(ring, float) for poly in polygons for ring in poly]
        shapes.setdefault(code, []).extend(rings)
    return shapes


def _ring_path(rings: list[np.ndarray]) -> MplPath:
    verts, codes = [], []
    for ring in rings:
        verts.extend(ring.tolist())
        codes.extend([MplPath.MOVETO] + [MplPath.LINETO] * (len(ring) - 2) + [MplPath.CLOSEPOLY])
    return MplPath(verts, codes)


def _colours(
    values: Mapping[str, float | str | None], classes: Sequence[str] | None
) -> tuple[dict[str, str | None], list[Patch], Normalize | None]:
    cmap = matplotlib.colormaps[CMAP]
    colours: dict[str, str | None] = {}
    handles: list[Patch] = []
    norm = None
    if classes is not None:
        palette = {c: matplotlib.colors.to_hex(cmap(i / max(len(classes) - 1, 1))) for i, c in enumerate(classes)}
        for code, v in values.items():
            colours[code] = palette.get(v) if isinstance(v, str) else None
        handles = [Patch(facecolor=palette[c], edgecolor="#333333", label=c) for c in classes]
    else:
        numbers = [float(v) for v in values.values() if v is not None and not _nan(v)]
        if numbers:
            norm = Normalize(min(numbers), max(numbers) if max(numbers) > min(numbers) else min(numbers) + 1)
        for code, v in values.items():
            colours[code] = None if v is None or _nan(v) or norm is None else matplotlib.colors.to_hex(cmap(norm(v)))
    if any(c is None for c in colours.values()):
        handles.append(Patch(facecolor=MISSING, edgecolor="#333333", hatch="///", label=MISSING_LABEL))
    return colours, handles, norm


def _nan(v: object) -> bool:
    return isinstance(v, float) and np.isnan(v)


def _text_colour(hex_colour: str | None) -> str:
    if hex_colour is None:
        return "#222222"
    r, g, b = matplotlib.colors.to_rgb(hex_colour)
    return "#222222" if 0.299 * r + 0.587 * g + 0.114 * b > 0.5 else "#ffffff"


def stadtteil_map(
    config: Config,
    values: Mapping[str, float | str | None],
    title: str,
    source: str,
    legend_title: str = "",
    classes: Sequence[str] | None = None,
    decimals: int = 1,
    highlight: str | None = None,
    geometry: Mapping[str, list[np.ndarray]] | None = None,
) -> Figure:
    """Choropleth of one value (number or class) per Stadtteil code.

    Uses ``geometry`` (from :func:`load_geojson`) when given, else the schematic tile layout.
    ``highlight`` outlines one Stadtteil (its place in a profile).
    """
    colours, handles, norm = _colours(values, classes)
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(8, 5.4))
        ax = fig.add_subplot()
        ax.set_aspect("equal")
        ax.axis("off")
        for st in config.stadtteile:
            colour = colours.get(st.code)
            style = {
                "facecolor": colour or MISSING,
                "hatch": None if colour else "///",
                "edgecolor": "#000000" if st.code == highlight else "#ffffff",
                "linewidth": 3.0 if st.code == highlight else 1.2,
            }
            if geometry is not None:
                rings = geometry.get(st.code)
                if not rings:
                    continue
                ax.add_patch(PathPatch(_ring_path(rings), **style))
                cx, cy = np.vstack(rings).mean(axis=0)
            else:
                col, row = st.tile or (0, 0)
                ax.add_patch(Rectangle((col, -row), 0.94, 0.94, **style))
                cx, cy = col + 0.47, -row + 0.47
            label = st.name if len(st.name) < 12 else st.name.replace(" ", "\n", 1)
            value = values.get(st.code)
            if classes is None and value is not None and not _nan(value):
                label += "\n" + fmt_number(float(value), decimals)
            ax.text(cx, cy, label, ha="center", va="center", fontsize=7.5, color=_text_colour(colour))
        ax.autoscale_view()
        if geometry is None:
            cols = [s.tile[0] for s in config.stadtteile if s.tile]
            rows = [s.tile[1] for s in config.stadtteile if s.tile]
            ax.set_xlim(min(cols) - 0.1, max(cols) + 1.04)
            ax.set_ylim(-max(rows) - 0.1, -min(rows) + 1.04)
            fig.text(0.99, 0.97, "Schematische Kachelkarte, nicht maßstäblich", fontsize=8, ha="right", va="top")
        ax.set_title(title, loc="left")
        if norm is not None:
            mappable = matplotlib.cm.ScalarMappable(norm=norm, cmap=CMAP)
            bar = fig.colorbar(mappable, ax=ax, shrink=0.6, pad=0.02)
            bar.set_label(legend_title)
            _german_ticks(bar.ax.yaxis, decimals)
        if handles:
            ax.legend(
                handles=handles,
                title=legend_title if classes else None,
                frameon=False,
                loc="upper left",
                bbox_to_anchor=(1.0, 1.0) if norm is None else (0.0, 0.0),
                fontsize=8,
            )
        fig.subplots_adjust(left=0.02, right=0.8 if norm is None else 0.95, top=0.9, bottom=0.08)
        _source_line(fig, source)
    return fig
