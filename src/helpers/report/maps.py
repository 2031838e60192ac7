"""Maps for Stadtteil-level results, written directly as SVG: a schematic tile map from the config,
or real polygons.

By default each Stadtteil is one labelled square placed at its configured ``tile``
[column, row] (row 0 = north); the page says it is schematic. When the config names a
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
so distances are true in both directions.

Drawing: the layout is the start page's (:func:`helpers.report.geometry.value_map`): the map is
:data:`MAP_WIDTH` units wide and its text :data:`MAP_FONT` units, so on a 390-px phone (about
366 px for the figure) no map text is below 9 px. Each Stadtteil's name (with its value on numeric
maps) stands inside its polygon where it fits, larger Stadtteile first; else its official code
(Gebietsschlüssel) stands at the polygon, moved clear of the other labels with a leader line, and
the key below the map lists "code name" (with the value). No two label boxes intersect. The
Stadtbezirk borders are drawn thicker on top. The legend is HTML above the map, so it wraps on a
phone; title and source are HTML text around it, so they are never clipped.

Colours come from :mod:`helpers.report.palette`: the level scale (light = low, dark = high) for
numbers, in classes of equal steps of the published values only; the assessment scale for status,
dynamics and trend classes. A value that is not published (secret) is hatched, never coloured.
Every number in the SVG and the legend is tagged for the page audit (``data-cell`` for published
values, ``data-public`` for codes and class limits).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

import numpy as np
from markupsafe import Markup

from helpers.core.config import Config
from helpers.core.formatting import fmt_number
from helpers.report.geometry import (  # noqa: F401 (re-exported: the map API in one place)
    ASSESSMENT,
    DEFAULT_CRS,
    DRAW_CRS,
    LEVEL,
    MAP_FONT,
    MAP_WIDTH,
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
    value_map,
)
from helpers.report.geometry import _inside as _inside
from helpers.report.geometry import _ring_area as _ring_area
from helpers.report.palette import INK, MUTED, WHITE

MISSING = NO_DATA
MISSING_LABEL = "nicht veröffentlicht"
#: Legend text of an area without a class on a class map (too few residents, too few indicators).
UNCLASSIFIED_LABEL = "keine Einstufung"

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
SCHEMATIC_NOTE = "Schematische Kachelkarte, nicht maßstäblich"

#: Stadtbezirk borders: darker and thicker than the white Stadtteil edges (SVG units).
BEZIRK_STYLE = {"stroke": "#252525", "stroke-width": 2.5}
AREA_EDGE = {"stroke": WHITE, "stroke-width": 1.2}
HIGHLIGHT_EDGE = {"stroke": "#000000", "stroke-width": 3.5}
#: The hatch of a value that is not published: light grey with dark grey lines.
HATCH_LINE = "#737373"
#: Line spacing of label lines, in units of the font size (as the start page's map).
LINE = 1.2


def map_note() -> str:
    """The German note shown instead of a map when the config has neither tiles nor boundaries."""
    return NO_MAP_NOTE


# --- colours --------------------------------------------------------------------------------------


def _hex_rgb(colour: str) -> tuple[float, float, float]:
    h = colour.lstrip("#")
    return int(h[0:2], 16) / 255, int(h[2:4], 16) / 255, int(h[4:6], 16) / 255


def _ramp(colours: Sequence[str], n: int) -> list[str]:
    """``n`` colours evenly along a scale (linear in RGB between its steps).

    >>> _ramp(["#000000", "#ffffff"], 3)
    ['#000000', '#808080', '#ffffff']
    """
    rgb = np.array([_hex_rgb(c) for c in colours])
    at = np.linspace(0, len(colours) - 1, n)
    out = []
    for t in at:
        i = min(int(t), len(colours) - 2)
        mix = rgb[i] + (t - i) * (rgb[i + 1] - rgb[i])
        out.append("#" + "".join(f"{round(v * 255):02x}" for v in mix))
    return out


def class_palette(classes: Sequence[str], counts: bool = False) -> dict[str, str]:
    """The colour of each class: :data:`CLASS_COLOURS` when it names every class, else the level
    scale (counts: the first class lightest; other ordered classes: the first, highest, darkest).

    >>> class_palette(["hoch", "niedrig"])
    {'hoch': '#5e3c99', 'niedrig': '#fdb863'}
    >>> class_palette(["0", "1", "2"], counts=True)
    {'0': '#eff3ff', '1': '#6baed6', '2': '#08519c'}
    """
    if not counts and all(c in CLASS_COLOURS for c in classes):
        return {c: CLASS_COLOURS[c] for c in classes}
    if not classes:
        return {}
    ramp = level_colours(len(classes)) if len(classes) <= len(LEVEL) else _ramp(LEVEL, len(classes))
    return dict(zip(classes, ramp if counts else ramp[::-1], strict=True))


def _luminance(colour: str) -> float:
    """The relative luminance of a colour (WCAG 2)."""
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in _hex_rgb(colour)]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _dark(colour: str | None) -> bool:
    """Whether white text has more contrast than the ink on this fill (WCAG contrast ratio).

    >>> _dark("#08519c"), _dark("#e66101"), _dark("#969696"), _dark(None)
    (True, False, False, False)
    """
    if colour is None:
        return False
    fill = _luminance(colour)
    return 1.05 / (fill + 0.05) > (fill + 0.05) / (_luminance(INK) + 0.05)


#: Whole-number maps with at most this many distinct steps get one legend class per value.
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


def _published(v: object) -> bool:
    return v is not None and not _nan(v)


# --- what a map shows -----------------------------------------------------------------------------


@dataclass(frozen=True)
class LegendEntry:
    """One line of the HTML legend: a fill (or "hatch", "bezirk", "highlight") and its text."""

    kind: str
    colour: str
    text: str
    public: str = ""  # data-public category of the numbers in the text ("" without numbers)


@dataclass(frozen=True)
class MapFigure:
    """A finished map: the SVG elements on a ``width`` × ``height`` viewBox and what the page shows
    around it (title, legend, key of the areas labelled by their code, notes, source).

    ``areas`` keeps per Stadtteil: code, name, value text (``text``), its ``data-cell`` key
    (``cell``), class (``value``), fill, label point or marker; ``boxes`` the placed label boxes.
    """

    width: float
    height: float
    title: str
    source: str
    legend_title: str
    legend: tuple[LegendEntry, ...]
    areas: tuple[dict, ...]
    boxes: tuple[tuple[float, float, float, float], ...]
    bezirke: tuple[str, ...] = ()
    highlight: str | None = None
    schematic: bool = False
    note: str = ""
    uid: str = "map"
    numeric: bool = False
    links: Mapping[str, str] = field(default_factory=dict)

    @property
    def hatch_id(self) -> str:
        return f"mon-hatch-{self.uid}"

    def describe(self) -> str:
        """The German accessible name: title and every Stadtteil with its value or class."""
        listed = "; ".join(f"{a['name']}: {_said(a, self)}" for a in self.areas)
        return f"Karte {self.title}. {listed}."

    def key_entries(self) -> list[dict]:
        """The areas the key lists: labelled by their code (or without room at all) and, on numeric
        maps, named without their value; in the order of the config."""
        return [a for a in self.areas if a["label"] is None or (self.numeric and a["name_only"])]

    def svg(self, label: str = "", links: Mapping[str, str] | None = None) -> str:
        """The ``<svg>`` element named by ``label`` (German); with ``links`` (code -> href) each area
        is a link to its profile (then the SVG is a named group of links, else one image)."""
        links = self.links if links is None else links
        role = "group" if links else "img"
        name = escape(label or self.describe(), {'"': "&quot;"})
        pattern = (
            f'<defs><pattern id="{self.hatch_id}" width="6" height="6" patternUnits="userSpaceOnUse" '
            f'patternTransform="rotate(45)"><rect width="6" height="6" fill="{MISSING}"/>'
            f'<line x1="0" y1="0" x2="0" y2="6" stroke="{HATCH_LINE}" stroke-width="1.5"/></pattern></defs>'
        )
        body = _body(self, links)
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" class="mon-map-svg" viewBox="0 0 {self.width:.0f} '
            f'{self.height:.0f}" width="{self.width:.0f}" height="{self.height:.0f}" role="{role}" '
            f'aria-label="{name}" font-family="{FONT_FAMILY}" font-size="{MAP_FONT:g}" fill="{INK}">'
            f"{pattern}{body}</svg>"
        )

    def html(self, label: str = "", links: Mapping[str, str] | None = None) -> Markup:
        """The whole ``<figure>``: title, legend, the SVG, the key, notes and source (page text)."""
        from helpers.core.templating import fragment
        from helpers.report.display import tag_years

        links = self.links if links is None else links
        return Markup(
            fragment(
                "area_map",
                Markup(self.svg(label, links)),
                tag_years(self.title),
                self.legend_title,
                self.legend,
                self.hatch_id,
                self.key_entries(),
                links,
                self.numeric,
                SCHEMATIC_NOTE if self.schematic else "",
                self.note,
                tag_years(self.source),
            )
        )


FONT_FAMILY = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', Arial, sans-serif"


def _said(a: dict, m: MapFigure) -> str:
    """What an area's accessible name says after its name: value or class, else why there is none."""
    shown = a["text"] if a["text"] not in ("", ".") else a["value"]
    return shown or (MISSING_LABEL if m.numeric else UNCLASSIFIED_LABEL)


def _n(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _attrs(style: Mapping[str, object]) -> str:
    return " ".join(f'{k}="{v}"' for k, v in style.items())


def _area_shape(a: dict, m: MapFigure, href: str | None) -> str:
    """The area's shape: a path filled with its class colour (the hatch where nothing is published),
    named by its Stadtteil; with ``href`` wrapped in a link whose name says the value or class."""
    fill = a["fill"] or f"url(#{m.hatch_id})"
    path = f'<path d="{a["path"]}" fill="{fill}" {_attrs(AREA_EDGE)}><title>{escape(a["name"])}</title></path>'
    if not href:
        return path
    label = escape(f"{a['name']}: {_said(a, m)}", {'"': "&quot;"})
    return f'<a class="mon-map-area" href="{escape(href)}" aria-label="{label}">{path}</a>'


def _area_label(a: dict, numeric: bool) -> str:
    """The name (and on numeric maps the value, tagged) at the label point, or the code marker."""
    if a["label"] is None:
        return _marker(a["marker"])
    x, y = a["label"]
    lines = list(a["lines"])
    with_value = numeric and not a["name_only"]
    step = LINE * MAP_FONT
    top = y - (len(lines) + with_value - 1) * step / 2
    fill = f' fill="{WHITE}"' if _dark(a["fill"]) else ""
    dy = f' dy="{step:g}"'
    spans = [f'<tspan x="{_n(x)}"{dy if i else ""}>{escape(t)}</tspan>' for i, t in enumerate(lines)]
    if with_value:
        tag = f' data-cell="{a["cell"]}"' if a["cell"] else ""
        spans.append(f'<tspan x="{_n(x)}"{dy} font-weight="700"{tag}>{escape(a["text"])}</tspan>')
    return (
        f'<text x="{_n(x)}" y="{_n(top)}" text-anchor="middle" dominant-baseline="central" '
        f'font-size="{MAP_FONT:g}"{fill} aria-hidden="true">{"".join(spans)}</text>'
    )


def _marker(m: dict | None) -> str:
    """An area's official code where its name does not fit, with a leader line if it was moved."""
    if m is None:
        return ""
    leader = ""
    if m["leader"]:
        x1, y1, x2, y2 = m["leader"]
        leader = f'<line x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" stroke="{MUTED}" stroke-width="0.8"/>'
    return (
        f'{leader}<text x="{_n(m["x"])}" y="{_n(m["y"])}" text-anchor="middle" dominant-baseline="central" '
        f'font-size="{MAP_FONT:g}" font-weight="700" paint-order="stroke" stroke="{WHITE}" stroke-width="3" '
        f'aria-hidden="true" data-public="config">{escape(m["text"])}</text>'
    )


def _body(m: MapFigure, links: Mapping[str, str]) -> str:
    """Shapes, Stadtbezirk borders, the highlighted Stadtteil's outline, then every label on top."""
    parts = [_area_shape(a, m, links.get(a["code"])) for a in m.areas]
    parts += [f'<path d="{d}" fill="none" {_attrs(BEZIRK_STYLE)} stroke-linejoin="round"/>' for d in m.bezirke]
    parts += [
        f'<path d="{a["path"]}" fill="none" {_attrs(HIGHLIGHT_EDGE)} stroke-linejoin="round"/>'
        for a in m.areas
        if a["code"] == m.highlight
    ]
    parts += [_area_label(a, m.numeric) for a in m.areas]
    return "".join(parts)


# --- building a map -------------------------------------------------------------------------------


def _texts(values: Mapping[str, float | str | None], config: Config, numeric: bool, decimals: int):
    """Per Stadtteil code the value text a numeric map prints and its ``data-cell`` key: the published
    text and key where ``values`` know them (:class:`helpers.report.indicator_tables.PublishedValues`),
    else the number in ``decimals`` places; "." (no key) where no value is published."""
    if not numeric:
        return {}
    from helpers.report.indicator_tables import PublishedValues, fmt_value

    cells = values.cells if isinstance(values, PublishedValues) else {}
    symbols = values.symbols if isinstance(values, PublishedValues) else {}
    units = _units(config, cells)
    out = {}
    for st in config.stadtteile:
        v = values.get(st.code)
        if not _published(v):
            out[st.code] = (".", "")
        elif st.code in cells and cells[st.code].split("|")[0] in units:
            unit = units[cells[st.code].split("|")[0]]
            out[st.code] = (fmt_value(float(v), unit, symbols.get(st.code, "")), cells[st.code])
        else:
            out[st.code] = (fmt_number(float(v), decimals), "")
    return out


def _units(config: Config, cells: Mapping[str, str]) -> dict[str, str]:
    """The unit of each indicator the ``cells`` keys name (from the commune's catalogue)."""
    if not cells:
        return {}
    from helpers.indicators.plan import commune_plan

    catalogue = commune_plan(config).catalogue
    ids = {key.split("|")[0] for key in cells.values()}
    known = {ind.id: ind.unit for ind in catalogue.indicators}
    return {i: known[i] for i in ids if i in known}


def _legend(
    values: Mapping[str, float | str | None],
    classes: Sequence[str] | None,
    palette: Mapping[str, str],
    breaks: Sequence[float],
    ramp: Sequence[str],
    decimals: int,
    counts: bool,
) -> list[LegendEntry]:
    """Legend lines: the classes that occur (class maps) or every value class, highest first."""
    if classes is not None:
        present = set(values.values())
        category = "derived" if counts or any(ch.isdigit() for c in classes for ch in c) else ""
        return [LegendEntry("fill", palette[c], c, category) for c in classes if c in present]
    if not ramp:
        return []
    texts = class_labels(breaks, lambda x: fmt_number(x, decimals), "")
    return [LegendEntry("fill", c, t, "derived") for c, t in zip(ramp, texts, strict=True)][::-1]


def _legend_head(title: str, legend_title: str, numeric: bool) -> str:
    """The legend's heading: "Wert (unit)" on a numeric map, else the legend title (on one line),
    none where it only repeats the map's title.

    >>> _legend_head("SGB-II-Quote 2025", "%", True), _legend_head("Bedarf 2025", "Bedarf", False)
    ('Wert (%)', '')
    """
    if numeric:
        return f"Wert ({legend_title})" if legend_title else ""
    head = " ".join(legend_title.split())
    return "" if title.startswith(head) else head


def _uid(title: str, codes: Sequence[str]) -> str:
    """A short stable id for the map's pattern (unique among the maps of a page)."""
    return hashlib.sha1((title + "|" + ",".join(codes)).encode("utf-8")).hexdigest()[:8]


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
    links: Mapping[str, str] | None = None,
) -> MapFigure | None:
    """Choropleth of one value (number or class) per Stadtteil code as SVG, or None without a map.

    Uses ``geometry`` (from :func:`load_geometry`, EPSG:25832 metres) when given, else the
    schematic tile layout; None when neither is available (show :func:`map_note` instead).
    ``values``: published values only (a secret one absent or None: hatched); colour classes come
    from these alone. ``highlight`` outlines one Stadtteil (its place in a profile); ``links``
    (code -> href) make each area a link to its profile.
    """
    if geometry is None and not has_tiles(config):
        return None
    counts = count_classes(values) if classes is None and decimals == 0 else None
    numeric = classes is None
    texts = _texts(values, config, numeric, decimals)
    if counts is not None:  # a small count (e.g. 0–4 services): one colour per value
        classes = counts
        values = {k: None if not _published(v) else fmt_number(float(v)) for k, v in values.items()}
    numbers = {} if classes is not None else {k: float(v) for k, v in values.items() if _published(v)}
    shown = {code: t for code, (t, _) in texts.items()}
    shapes = value_map(config, geometry, numbers, shown, MAP_WIDTH)
    palette = class_palette(classes, counts is not None) if classes is not None else {}
    areas = []
    for a in shapes["areas"]:
        v = values.get(a["code"])
        if classes is not None:
            a["fill"] = palette.get(v) if isinstance(v, str) else None
        a["value"] = v if isinstance(v, str) else ""
        a["text"], a["cell"] = texts.get(a["code"], ("", ""))
        areas.append(a)
    legend = _legend(values, classes, palette, shapes["breaks"], shapes["colours"], decimals, counts is not None)
    if any(a["fill"] is None for a in areas):
        legend.append(LegendEntry("hatch", MISSING, MISSING_LABEL if numeric else UNCLASSIFIED_LABEL))
    if shapes["bezirke"]:
        legend.append(LegendEntry("bezirk", BEZIRK_STYLE["stroke"], "Grenze eines Stadtbezirks"))
    if highlight is not None and any(a["code"] == highlight for a in areas):
        legend.append(LegendEntry("highlight", "#000000", f"{config.stadtteil(highlight).name} (schwarz umrandet)"))
    uid = _uid(title, [a["code"] for a in areas])
    note, _ = geometry_credit(config.geometry_path) if geometry is not None else ("", "")
    return MapFigure(
        width=shapes["width"],
        height=shapes["height"],
        title=title,
        source=map_source(source, config) if geometry is not None else source,
        legend_title=_legend_head(title, legend_title, numeric and counts is None),
        legend=tuple(legend),
        areas=tuple(areas),
        boxes=tuple(shapes["boxes"]),
        bezirke=tuple(shapes["bezirke"]),
        highlight=highlight,
        schematic=geometry is None,
        note=note,
        uid=uid,
        numeric=numeric,
        links=dict(links or {}),
    )


def map_source(source: str, config: Config) -> str:
    """The source line of a polygon map: the data's ``source`` and, where the boundary file says
    so (:func:`helpers.report.geometry.geometry_credit`), the source of the boundaries (the note
    what they are stands above it in bold)."""
    _, attribution = geometry_credit(config.geometry_path)
    return f"{source}. Gebiete: {attribution}" if attribution else source
