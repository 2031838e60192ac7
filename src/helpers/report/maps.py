"""Maps for Stadtteil-level results: a schematic tile map from the config, or real polygons.

By default each Stadtteil is one labelled square placed at its configured ``tile``
[column, row] (row 0 = north); the figure says it is schematic. When the config names a
polygon file (``analysis.geometry.file``, earlier ``geojson``: GeoJSON, KML, GeoPackage or
Shapefile) with one feature per Stadtteil (property ``id_property`` = Stadtteil code), the real
polygons are drawn instead. With neither (no polygons and not every Stadtteil has a tile),
there is no map: :func:`stadtteil_map` returns ``None`` and :func:`map_note` gives the German
sentence to show in its place.

Coordinate reference system of the polygons, first match wins:

1. the config's ``analysis.geometry.crs`` (any code pyproj understands, e.g. ``EPSG:25832``);
2. the file's own CRS: a GeoJSON's ``crs`` member (older GeoJSON, e.g. ``urn:ogc:def:crs:EPSG::25832``
   or ``urn:ogc:def:crs:OGC:1.3:CRS84``), a Shapefile's ``.prj``, a GeoPackage's layer CRS, KML's WGS84;
3. RFC 7946's lon/lat (EPSG:4326) - but only if the coordinates can be degrees: a file with
   |x| > 180 or |y| > 90 and no named CRS is refused (:class:`GeometryError`), as is a file
   whose named CRS is in degrees while its coordinates are not.

Polygons are projected to ETRS89 / UTM 32N (EPSG:25832, metres) and drawn with equal aspect,
so distances are true in both directions (lon/lat degrees drawn as they are would stretch a
German city about 1.6 times in width).

Labels on real polygons: each Stadtteil's name (with its value on numeric maps) is drawn at
the point of the polygon farthest from its boundary (or one of the next best points, and in
7.5 pt, else 6.5 pt), if the text box lies inside the polygon and clears every label already
placed (larger Stadtteile first). A Stadtteil whose name does
not fit gets a small number instead, and a key beside the map lists "Nr. – Name" (with the
value on numeric maps). A number that would touch another label moves outward on a spiral
and is tied to its Stadtteil by a thin leader line. No two label boxes intersect. The tile
map keeps its labels in the tiles.

Colours: cividis (sequential, readable with colour-vision deficiencies) for numbers, an
ordered cividis palette for classes; a value that is not published is drawn light grey
with hatching and labelled in the legend ("nicht veröffentlicht").
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.backend_bases import RendererBase
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch, PathPatch, Rectangle
from matplotlib.path import Path as MplPath
from matplotlib.transforms import Bbox

from helpers.core.config import Config
from helpers.core.formatting import fmt_number
from helpers.report.geometry import (  # noqa: F401 (re-exported: the map API in one place)
    ASSESSMENT,
    DEFAULT_CRS,
    DRAW_CRS,
    LEVEL,
    NEUTRAL,
    NO_DATA,
    GeometryError,
    box_inside,
    class_labels,
    class_of,
    crs_from_member,
    geometry_credit,
    group_rings,
    has_tiles,
    label_candidates,
    level_colours,
    load_geojson,
    load_geometry,
    nice_breaks,
    project_rings,
    resolve_crs,
)
from helpers.report.geometry import _inside as _inside
from helpers.report.geometry import _ring_area as _ring_area
from helpers.report.geometry import free_offset as _free_box
from helpers.report.mpl_style import STYLE, _source_line

matplotlib.use("Agg")

MISSING = NO_DATA
MISSING_LABEL = "nicht veröffentlicht"

#: The colour of each class of the class maps, by its German label: one meaning per colour on every
#: map. An assessment (social status, dynamics, the trend of child poverty) uses the purple (günstig)
#: to orange (ungünstig) scale; other ordered classes (the need map) run light to dark in legend
#: order reversed, so the first (highest) class is darkest.
CLASS_COLOURS = {
    "hoch": ASSESSMENT[0],
    "mittel": ASSESSMENT[1],
    "niedrig": ASSESSMENT[3],
    "sehr niedrig": ASSESSMENT[4],
    "positiv": ASSESSMENT[0],
    "stabil": ASSESSMENT[2],
    "negativ": ASSESSMENT[4],
    "fallend": ASSESSMENT[0],
    "kein klarer Trend": NEUTRAL,
    "steigend": ASSESSMENT[4],
}

NO_MAP_NOTE = (
    "Für diese Kommune liegt keine Gebietskarte vor (weder Kachelpositionen noch Gebietsgrenzen in der Konfiguration)."
)

#: Name label sizes on polygon maps: the tile map's size, else a little smaller before a number is used.
LABEL_FONTSIZES = (7.5, 6.5)
NUMBER_FONTSIZE = 8.0
KEY_FONTSIZE = 8.0
#: Clearance around every label box on polygon maps, in pixels at the figure's dpi.
LABEL_PAD = 2.0


def map_note() -> str:
    """The German note shown instead of a map when the config has neither tiles nor boundaries."""
    return NO_MAP_NOTE


# --- drawing ------------------------------------------------------------------------------------


def _ring_path(rings: list[np.ndarray]) -> MplPath:
    verts, codes = [], []
    for ring in rings:
        verts.extend(ring.tolist())
        codes.extend([MplPath.MOVETO] + [MplPath.LINETO] * (len(ring) - 2) + [MplPath.CLOSEPOLY])
    return MplPath(verts, codes)


def class_palette(classes: Sequence[str], counts: bool = False) -> dict[str, str]:
    """The colour of each class: :data:`CLASS_COLOURS` when it names every class, else the level
    scale (counts: the first class lightest; other ordered classes: the first, highest, darkest)."""
    if not counts and all(c in CLASS_COLOURS for c in classes):
        return {c: CLASS_COLOURS[c] for c in classes}
    ramp = level_colours(min(len(classes), len(LEVEL))) if classes else []
    if len(classes) > len(LEVEL):  # more classes than the scale has steps: interpolate
        cmap = matplotlib.colors.LinearSegmentedColormap.from_list("level", LEVEL)
        ramp = [matplotlib.colors.to_hex(cmap(i / (len(classes) - 1))) for i in range(len(classes))]
    return dict(zip(classes, ramp if counts else ramp[::-1], strict=True))


def _colours(
    values: Mapping[str, float | str | None], classes: Sequence[str] | None, counts: bool, unit: str, decimals: int
) -> tuple[dict[str, str | None], list[Patch]]:
    """Colour per code and legend handles: one colour per class, or classes of equal steps of the
    published values (:func:`helpers.report.geometry.nice_breaks`) on the level scale, dark = high."""
    colours: dict[str, str | None] = {}
    handles: list[Patch] = []
    if classes is not None:
        palette = class_palette(classes, counts)
        for code, v in values.items():
            colours[code] = palette.get(v) if isinstance(v, str) else None
        present = set(values.values())
        handles = [Patch(facecolor=palette[c], edgecolor="#333333", label=c) for c in classes if c in present]
    else:
        numbers = [float(v) for v in values.values() if v is not None and not _nan(v)]
        breaks = nice_breaks(numbers) if numbers else []
        ramp = level_colours(len(breaks) + 1) if numbers else []
        for code, v in values.items():
            colours[code] = None if v is None or _nan(v) or not ramp else ramp[class_of(float(v), breaks)]
        if numbers:
            texts = class_labels(breaks, lambda x: fmt_number(x, decimals), "")
            handles = [Patch(facecolor=c, edgecolor="#333333", label=t) for c, t in zip(ramp, texts, strict=True)]
            handles.reverse()  # highest class on top
    if any(c is None for c in colours.values()):
        handles.append(Patch(facecolor=MISSING, edgecolor="#333333", hatch="///", label=MISSING_LABEL))
    return colours, handles


#: Whole-number maps with at most this many distinct steps get a discrete legend instead of a colour bar.
MAX_COUNT_CLASSES = 8


def count_classes(values: Mapping[str, float | str | None]) -> list[str] | None:
    """The legend classes of a map of small whole numbers (every value from min to max), else None.

    >>> count_classes({"a": 0, "b": 4.0, "c": None})
    ['0', '1', '2', '3', '4']
    >>> count_classes({"a": 0.5, "b": 4}) is None, count_classes({"a": 0, "b": 40}) is None
    (True, True)
    """
    numbers = [float(v) for v in values.values() if v is not None and not isinstance(v, str) and not _nan(v)]
    if not numbers or any(not x.is_integer() for x in numbers) or max(numbers) - min(numbers) >= MAX_COUNT_CLASSES:
        return None
    return [fmt_number(x) for x in range(int(min(numbers)), int(max(numbers)) + 1)]


def _nan(v: object) -> bool:
    return isinstance(v, float) and np.isnan(v)


def _text_colour(hex_colour: str | None) -> str:
    if hex_colour is None:
        return "#222222"
    r, g, b = matplotlib.colors.to_rgb(hex_colour)
    return "#222222" if 0.299 * r + 0.587 * g + 0.114 * b > 0.5 else "#ffffff"


def _value_text(value: float | str | None, classes: Sequence[str] | None, decimals: int) -> str | None:
    """The number printed under a name on a numeric map (None on class maps or without a value)."""
    if classes is not None or value is None or _nan(value):
        return None
    return fmt_number(float(value), decimals)


def _name_label(name: str, value_text: str | None) -> str:
    label = name if len(name) < 12 else name.replace(" ", "\n", 1)
    return label if value_text is None else label + "\n" + value_text


def _patch_style(colour: str | None, highlighted: bool) -> dict:
    return {
        "facecolor": colour or MISSING,
        "hatch": None if colour else "///",
        "edgecolor": "#000000" if highlighted else "#ffffff",
        "linewidth": 3.0 if highlighted else 1.2,
    }


def _draw_tiles(ax: Axes, config: Config, values, colours, classes, decimals: int, highlight: str | None) -> None:
    """The schematic tile map: one labelled square per Stadtteil."""
    for st in config.stadtteile:
        colour = colours.get(st.code)
        col, row = st.tile or (0, 0)
        ax.add_patch(Rectangle((col, -row), 0.94, 0.94, **_patch_style(colour, st.code == highlight)))
        label = _name_label(st.name, _value_text(values.get(st.code), classes, decimals))
        ax.text(col + 0.47, -row + 0.47, label, ha="center", va="center", fontsize=8.5, color=_text_colour(colour))


def _tile_limits(ax: Axes, config: Config) -> None:
    cols = [s.tile[0] for s in config.stadtteile if s.tile]
    rows = [s.tile[1] for s in config.stadtteile if s.tile]
    ax.set_xlim(min(cols) - 0.1, max(cols) + 1.04)
    ax.set_ylim(-max(rows) - 0.1, -min(rows) + 1.04)


@dataclass(frozen=True)
class _Area:
    """One Stadtteil on a polygon map, with what its label needs."""

    code: str
    name: str
    value_text: str | None
    colour: str | None
    rings: list[np.ndarray]
    candidates: np.ndarray  # label points inside the polygon, best (farthest from the boundary) first
    size: float  # area in square metres


def _areas(config: Config, geometry, values, colours, classes, decimals: int) -> list[_Area]:
    areas = []
    for st in config.stadtteile:
        rings = list(geometry.get(st.code) or [])
        if not rings:
            continue
        value_text = _value_text(values.get(st.code), classes, decimals)
        size = sum(_ring_area(r) for r in rings)  # holes add instead of subtract: the order is rough
        areas.append(_Area(st.code, st.name, value_text, colours.get(st.code), rings, label_candidates(rings), size))
    return areas


def _data_box(ax: Axes, box: Bbox) -> tuple[float, float, float, float]:
    (x0, y0), (x1, y1) = ax.transData.inverted().transform(box.get_points())
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def _clear(box: Bbox, placed: Sequence[Bbox]) -> bool:
    return not any(box.overlaps(other) for other in placed)


def _place_name(ax: Axes, area: _Area, renderer: RendererBase, placed: list[Bbox]) -> bool:
    """Draw the name at the first candidate point where it fits; False (nothing drawn) if none fits."""
    text = ax.text(0, 0, _name_label(area.name, area.value_text), ha="center", va="center")
    text.set(color=_text_colour(area.colour), gid=f"name-{area.code}")
    for size, point in itertools.product(LABEL_FONTSIZES, area.candidates[:8]):
        text.set(fontsize=size, position=tuple(point))
        box = text.get_window_extent(renderer).padded(LABEL_PAD)
        if _clear(box, placed) and box_inside(area.rings, _data_box(ax, box)):
            placed.append(box)
            return True
    text.remove()
    return False


def _free_offset(box: Bbox, frame: Bbox, placed: Sequence[Bbox], step: float = 3.0) -> np.ndarray | None:
    """The nearest offset that moves ``box`` inside ``frame`` and clear of every placed box (None: no room)."""
    return _free_box(tuple(box.extents), tuple(frame.extents), [tuple(b.extents) for b in placed], step)


def _place_number(ax: Axes, area: _Area, number: str, renderer: RendererBase, placed: list[Bbox]) -> bool:
    """Draw the number at the label point or, if taken, at the nearest free spot with a leader line."""
    anchor = tuple(area.candidates[0])
    text = ax.text(*anchor, number, ha="center", va="center", zorder=4)
    text.set(fontsize=NUMBER_FONTSIZE, color="#222222", gid=f"number-{area.code}")
    text.set_bbox({"boxstyle": "round,pad=0.15", "facecolor": "#ffffff", "edgecolor": "none", "alpha": 0.85})
    box = text.get_window_extent(renderer).padded(LABEL_PAD)
    offset = _free_offset(box, ax.get_window_extent(renderer), placed)
    if offset is None:
        text.remove()
        return False
    placed.append(box.translated(*offset))
    if offset.any():
        centre = ax.transData.inverted().transform(ax.transData.transform(anchor) + offset)
        text.set_position(tuple(centre))
        ax.plot(*zip(anchor, centre, strict=True), color="#444444", linewidth=0.6, zorder=3.5)
    return True


def _code_order(code: str) -> tuple:
    """Codes in natural order: 9 before 10, numbers before letters.

    >>> sorted(["61", "9", "A1", "101"], key=_code_order)
    ['9', '61', '101', 'A1']
    """
    return (0, int(code), "") if code.isdigit() else (1, 0, code)


def _key_entry(number: str | None, area: _Area) -> str:
    head = f"{number} – {area.name}" if number is not None else f"{area.name} (zu klein für die Karte)"
    return head if area.value_text is None else f"{head}: {area.value_text}"


def _add_key(fig: Figure, ax: Axes, entries: Sequence[str], renderer: RendererBase) -> None:
    """The key "Nr. – Name" beside the map, in columns; the figure grows wider, the map keeps its size."""
    right = max(a.get_tightbbox(renderer).x1 for a in fig.axes) / fig.dpi + 0.15
    box = ax.get_position()
    height = fig.get_figheight()
    top, bottom = box.y1 * height, box.y0 * height
    line = KEY_FONTSIZE * 1.3 / 72
    rows = max(1, int((top - bottom) / line) - 2)
    heading = fig.text(right, top, "Nr. – Stadtteil", transform=fig.dpi_scale_trans, fontsize=KEY_FONTSIZE + 0.5)
    heading.set(va="top", ha="left", fontweight="bold", gid="map-key-title")
    x = right
    for start in range(0, len(entries), rows):
        column = fig.text(x, top - 1.6 * line, "\n".join(entries[start : start + rows]), transform=fig.dpi_scale_trans)
        column.set(fontsize=KEY_FONTSIZE, va="top", ha="left", linespacing=1.3, gid="map-key")
        x += column.get_window_extent(renderer).width / fig.dpi + 0.2
    _widen(fig, max(x - 0.2, right + heading.get_window_extent(renderer).width / fig.dpi) + 0.1)


def _widen(fig: Figure, width: float) -> None:
    """Make the figure ``width`` inches wide (if wider) without moving or resizing the plot."""
    old = fig.get_figwidth()
    if width <= old:
        return
    sub = fig.subplotpars
    left, right = sub.left * old / width, sub.right * old / width
    for t in fig.texts:
        if t.get_transform() is fig.transFigure:
            t.set_x(t.get_position()[0] * old / width)
    fig.set_figwidth(width)
    fig.subplots_adjust(left=left, right=right)


def _label_polygons(fig: Figure, ax: Axes, areas: Sequence[_Area]) -> None:
    """Names where they fit, numbers and a key for the rest; no two label boxes intersect."""
    renderer = FigureCanvasAgg(fig).get_renderer()
    ax.apply_aspect()
    placed: list[Bbox] = []
    named = {a.code for a in sorted(areas, key=lambda a: -a.size) if _place_name(ax, a, renderer, placed)}
    entries = []
    for area in sorted((a for a in areas if a.code not in named), key=lambda a: _code_order(a.code)):
        # the official code (Gebietsschlüssel) identifies the area on the map and in the key
        entries.append(_key_entry(area.code if _place_number(ax, area, area.code, renderer, placed) else None, area))
    if entries:
        _add_key(fig, ax, entries, renderer)


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
) -> Figure | None:
    """Choropleth of one value (number or class) per Stadtteil code, or None without a map.

    Uses ``geometry`` (from :func:`load_geometry`, EPSG:25832 metres) when given, else the
    schematic tile layout; None when neither is available (show :func:`map_note` instead).
    ``highlight`` outlines one Stadtteil (its place in a profile).
    """
    if geometry is None and not has_tiles(config):
        return None
    counts = count_classes(values) if classes is None and decimals == 0 else None
    if counts is not None:  # a small count (e.g. 0–4 services): one colour per value
        classes = counts
        values = {k: None if v is None or _nan(v) else fmt_number(float(v)) for k, v in values.items()}
    colours, handles = _colours(values, classes, counts is not None, legend_title, decimals)
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(8, 5.4))
        ax = fig.add_subplot()
        ax.set_aspect("equal")
        ax.axis("off")
        if geometry is None:
            _draw_tiles(ax, config, values, colours, classes, decimals, highlight)
            areas = []
        else:
            areas = _areas(config, geometry, values, colours, classes, decimals)
            for area in areas:
                ax.add_patch(PathPatch(_ring_path(area.rings), **_patch_style(area.colour, area.code == highlight)))
            _draw_bezirke(ax, config, geometry, handles)
        ax.autoscale_view()
        if geometry is not None:  # fixed, so that leader lines cannot rescale the map
            ax.set(xlim=ax.get_xlim(), ylim=ax.get_ylim())
        else:
            _tile_limits(ax, config)
            fig.text(0.99, 0.97, "Schematische Kachelkarte, nicht maßstäblich", fontsize=8, ha="right", va="top")
        ax.set_title(title, loc="left")
        if handles:  # beside the map, never over it
            legend = ax.legend(
                handles=handles, title=legend_title or None, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0)
            )
            legend.set_gid("map-legend")
            for text in legend.get_texts():
                text.set_fontsize(8)
        fig.subplots_adjust(left=0.02, right=0.78, top=0.9, bottom=0.08)
        _source_line(fig, map_source(source, config) if geometry is not None else source)
        if areas:
            _label_polygons(fig, ax, areas)
    return fig


def map_source(source: str, config: Config) -> str:
    """The source line of a polygon map: the data's ``source`` and, where the boundary file says
    so (:func:`helpers.report.geometry.geometry_credit`), what the boundaries are and their source."""
    note, attribution = geometry_credit(config.geometry_path)
    extra = "; ".join(t for t in (note, attribution) if t)
    return f"{source}. Gebiete: {extra}" if extra else source


#: Stadtbezirk borders on polygon maps: darker and thicker than the Stadtteil edges.
BEZIRK_STYLE = {"facecolor": "none", "edgecolor": "#252525", "linewidth": 2.0, "zorder": 2.5}


def _draw_bezirke(ax: Axes, config: Config, geometry, handles: list[Patch]) -> None:
    """The outline of every Stadtbezirk (union of its Stadtteile) and a legend entry for it."""
    groups = {s.code: s.stadtbezirk for s in config.stadtteile if s.stadtbezirk and geometry.get(s.code)}
    if not groups:
        return
    tolerance = 5.0  # metres: closes gaps between separately digitised neighbours
    for rings in group_rings({c: geometry[c] for c in groups}, groups, gap=tolerance).values():
        ax.add_patch(PathPatch(_ring_path([np.vstack([r, r[:1]]) for r in rings]), **BEZIRK_STYLE))
    handles.append(Patch(facecolor="none", edgecolor=BEZIRK_STYLE["edgecolor"], linewidth=2.0, label="Stadtbezirk"))
