"""Maps for Stadtteil-level results: a schematic tile map from the config, or real polygons.

By default each Stadtteil is one labelled square placed at its configured ``tile``
[column, row] (row 0 = north); the figure says it is schematic. When the config names a
GeoJSON file (``analysis.geometry.geojson``) with one feature per Stadtteil (property
``id_property`` = Stadtteil code), the real polygons are drawn instead. With neither (no
GeoJSON and not every Stadtteil has a tile), there is no map: :func:`stadtteil_map` returns
``None`` and :func:`map_note` gives the German sentence to show in its place.

Coordinate reference system of the GeoJSON, first match wins:

1. the config's ``analysis.geometry.crs`` (any code pyproj understands, e.g. ``EPSG:25832``);
2. the file's own ``crs`` member (older GeoJSON, e.g. ``urn:ogc:def:crs:EPSG::25832`` or
   ``urn:ogc:def:crs:OGC:1.3:CRS84``);
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
import json
import math
import re
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.backend_bases import RendererBase
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.patches import Patch, PathPatch, Rectangle
from matplotlib.path import Path as MplPath
from matplotlib.transforms import Bbox

from helpers.core.config import Config
from helpers.core.formatting import fmt_number
from helpers.report.plots import STYLE, _german_ticks, _source_line

matplotlib.use("Agg")

CMAP = "cividis"
MISSING = "#dddddd"
MISSING_LABEL = "nicht veröffentlicht"

#: Drawing CRS: ETRS89 / UTM zone 32N, metres (the official CRS of most German municipal data).
DRAW_CRS = "EPSG:25832"
#: RFC 7946: GeoJSON without a named CRS is WGS84 longitude/latitude.
DEFAULT_CRS = "EPSG:4326"
NO_MAP_NOTE = (
    "Für diese Kommune liegt keine Gebietskarte vor (weder Kachelpositionen noch Gebietsgrenzen in der Konfiguration)."
)

#: Name label sizes on polygon maps: the tile map's size, else a little smaller before a number is used.
LABEL_FONTSIZES = (7.5, 6.5)
NUMBER_FONTSIZE = 7.0
KEY_FONTSIZE = 7.0
#: Clearance around every label box on polygon maps, in pixels at the figure's dpi.
LABEL_PAD = 2.0
_URN = re.compile(r"^urn:ogc:def:crs:(?P<authority>[A-Za-z]+):[^:]*:(?P<code>[^:]+)$", re.IGNORECASE)


class GeometryError(ValueError):
    """The configured Stadtteil boundaries cannot be drawn (German message naming file and cause)."""


def map_note() -> str:
    """The German note shown instead of a map when the config has neither tiles nor boundaries."""
    return NO_MAP_NOTE


def has_tiles(config: Config) -> bool:
    """Whether every Stadtteil has a tile position (the schematic map needs all of them)."""
    return bool(config.stadtteile) and all(s.tile is not None for s in config.stadtteile)


# --- reading and projecting GeoJSON -------------------------------------------------------------


def crs_from_member(data: Mapping) -> str | None:
    """The CRS named by a GeoJSON's ``crs`` member (pre-RFC 7946) as a pyproj code, None without one.

    >>> crs_from_member({"crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::25832"}}})
    'EPSG:25832'
    >>> crs_from_member({"crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}})
    'OGC:CRS84'
    >>> crs_from_member({"type": "FeatureCollection"}) is None
    True
    """
    member = data.get("crs")
    if member is None:
        return None
    name = member.get("properties", {}).get("name") if isinstance(member, Mapping) else None
    if not isinstance(name, str) or not name.strip():
        raise GeometryError(f"Die crs-Angabe der GeoJSON-Datei ist nicht lesbar (kein Name): {member!r}.")
    match = _URN.match(name.strip())
    return f"{match['authority'].upper()}:{match['code']}" if match else name.strip()


def _pyproj_crs(code: str, where: str):
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    try:
        return CRS.from_user_input(code)
    except CRSError as exc:
        raise GeometryError(f"Unbekanntes Koordinatenreferenzsystem {code!r} ({where}).") from exc


def _degree_range(rings: Collection[np.ndarray]) -> bool:
    """Whether all coordinates can be longitude/latitude degrees (|x| <= 180, |y| <= 90)."""
    points = np.vstack(list(rings))
    return bool(np.all(np.abs(points[:, 0]) <= 180) and np.all(np.abs(points[:, 1]) <= 90))


def resolve_crs(configured: str | None, data: Mapping, rings: Collection[np.ndarray], path: str | Path) -> str:
    """The GeoJSON's CRS: config, else the file's ``crs`` member, else EPSG:4326 (see the module docstring)."""
    member = crs_from_member(data)
    code, where = (configured, "analysis.geometry.crs") if configured else (member, "crs-Angabe der Datei")
    if code is None:
        if rings and not _degree_range(rings):
            raise GeometryError(
                f"Die Koordinaten in {path} sind keine Längen- und Breitengrade (Werte über 180 bzw. 90), und "
                "weder die Datei noch die Konfiguration nennt ein Koordinatenreferenzsystem. Bitte in der "
                "Konfiguration analysis.geometry.crs angeben, z. B. „EPSG:25832“ für ETRS89/UTM 32N in Metern."
            )
        return DEFAULT_CRS
    if rings and _pyproj_crs(code, where).is_geographic and not _degree_range(rings):
        raise GeometryError(
            f"Für {path} ist das Koordinatenreferenzsystem {code} in Grad angegeben ({where}), die Koordinaten "
            "sind aber keine Grad (Werte über 180 bzw. 90). Bitte analysis.geometry.crs in der Konfiguration "
            "prüfen, z. B. „EPSG:25832“ für ETRS89/UTM 32N in Metern."
        )
    return code


def project_rings(shapes: Mapping[str, list[np.ndarray]], crs: str) -> dict[str, list[np.ndarray]]:
    """The rings transformed from ``crs`` to EPSG:25832 metres (x east, y north)."""
    from pyproj import Transformer

    source = _pyproj_crs(crs, "Projektion")
    if source.equals(_pyproj_crs(DRAW_CRS, "Projektion")):
        return {code: [ring.copy() for ring in rings] for code, rings in shapes.items()}
    transformer = Transformer.from_crs(source, DRAW_CRS, always_xy=True)
    return {
        code: [np.column_stack(transformer.transform(ring[:, 0], ring[:, 1])) for ring in rings]
        for code, rings in shapes.items()
    }


def _read_geojson(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise GeometryError(f"Die GeoJSON-Datei {path} (analysis.geometry.geojson) gibt es nicht.") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise GeometryError(f"Die GeoJSON-Datei {path} ist kein gültiges JSON: {exc}.") from None
    if not isinstance(data, dict) or not isinstance(data.get("features"), list) or not data["features"]:
        raise GeometryError(f"Die GeoJSON-Datei {path} ist keine FeatureCollection mit Gebieten (features).")
    return data


def _id_text(value: object) -> str:
    """A feature id as Stadtteil code text (a whole-number float like 101.0 reads as "101")."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _feature_ids(features: list[dict], id_property: str, path: Path) -> list[str]:
    props = [f.get("properties") or {} for f in features]
    lacking = sum(id_property not in p for p in props)
    if lacking:
        found = sorted({key for p in props for key in p})
        raise GeometryError(
            f"In der GeoJSON-Datei {path} fehlt bei {lacking} von {len(features)} Gebieten die Eigenschaft "
            f"„{id_property}“ (analysis.geometry.id_property). Vorhandene Eigenschaften: "
            f"{', '.join(found) if found else 'keine'}."
        )
    return [_id_text(p[id_property]) for p in props]


def _check_ids(ids: Sequence[str], codes: Collection[str], id_property: str, path: Path) -> None:
    missing = [c for c in codes if c not in set(ids)]
    if missing:
        extra = sorted(set(ids) - set(codes))
        raise GeometryError(
            f"Die GeoJSON-Datei {path} passt nicht zu den Stadtteilen der Konfiguration (Eigenschaft "
            f"„{id_property}“). Stadtteile ohne Gebiet in der Datei: {', '.join(missing)}. Gebiete in der Datei, "
            f"die kein Stadtteil der Konfiguration sind: {', '.join(extra) if extra else 'keine'}."
        )


def _feature_rings(feature: dict, code: str, path: Path) -> list[np.ndarray]:
    geom = feature.get("geometry") or {}
    kind = geom.get("type")
    if kind not in ("Polygon", "MultiPolygon"):
        raise GeometryError(
            f"Das Gebiet {code} in {path} ist kein Polygon oder MultiPolygon (Geometrietyp: {kind or 'keiner'})."
        )
    polygons = geom["coordinates"] if kind == "MultiPolygon" else [geom["coordinates"]]
    return [np.asarray(ring, float)[:, :2] for poly in polygons for ring in poly if len(ring) >= 3]


def load_geojson(
    path: str | Path,
    id_property: str = "code",
    *,
    crs: str | None = None,
    codes: Collection[str] | None = None,
) -> dict[str, list[np.ndarray]]:
    """Rings (exterior and holes) per area code from a GeoJSON FeatureCollection, in EPSG:25832 metres.

    ``crs`` is the configured CRS (``analysis.geometry.crs``); see the module docstring for the
    order. With ``codes`` (the configured Stadtteile) every code must have an area in the file.
    Raises :class:`GeometryError` (German message) for a file that cannot be used.
    """
    path = Path(path)
    data = _read_geojson(path)
    ids = _feature_ids(data["features"], id_property, path)
    if codes is not None:
        _check_ids(ids, codes, id_property, path)
    shapes: dict[str, list[np.ndarray]] = {}
    for code, feature in zip(ids, data["features"], strict=True):
        shapes.setdefault(code, []).extend(_feature_rings(feature, code, path))
    rings = [ring for parts in shapes.values() for ring in parts]
    return project_rings(shapes, resolve_crs(crs, data, rings, path))


# --- drawing ------------------------------------------------------------------------------------


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
        ax.text(col + 0.47, -row + 0.47, label, ha="center", va="center", fontsize=7.5, color=_text_colour(colour))


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


def _ring_area(ring: np.ndarray) -> float:
    x, y = ring[:, 0], ring[:, 1]
    return 0.5 * abs(float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))))


def _inside(points: np.ndarray, rings: Sequence[np.ndarray]) -> np.ndarray:
    """Even-odd rule over all rings: inside an exterior and not inside one of its holes."""
    count = np.zeros(len(points), int)
    for ring in rings:
        count += MplPath(ring).contains_points(points)
    return count % 2 == 1


def _segments(rings: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Start and end points of every boundary segment (rings closed)."""
    return np.vstack(list(rings)), np.vstack([np.roll(ring, -1, axis=0) for ring in rings])


def _boundary_distance(points: np.ndarray, rings: Sequence[np.ndarray]) -> np.ndarray:
    """Distance of each point to the nearest boundary segment."""
    a, b = _segments(rings)
    d = b - a
    length2 = np.maximum((d**2).sum(axis=1), 1e-12)
    rel = points[:, None, :] - a[None, :, :]
    t = np.clip((rel * d[None]).sum(axis=2) / length2[None], 0.0, 1.0)
    nearest = a[None] + t[..., None] * d[None]
    return np.sqrt(((points[:, None, :] - nearest) ** 2).sum(axis=2)).min(axis=1)


def label_candidates(rings: Sequence[np.ndarray], grid: int = 15) -> np.ndarray:
    """Points inside the polygon, farthest from its boundary first (a grid over the largest part).

    >>> square = [np.array([[0.0, 0.0], [4.0, 0.0], [4.0, 4.0], [0.0, 4.0]])]
    >>> label_candidates(square)[0].round(6).tolist()
    [2.0, 2.0]
    """
    largest = max(rings, key=_ring_area)
    (x0, y0), (x1, y1) = largest.min(axis=0), largest.max(axis=0)
    xs, ys = np.meshgrid(np.linspace(x0, x1, grid + 2)[1:-1], np.linspace(y0, y1, grid + 2)[1:-1])
    points = np.column_stack([xs.ravel(), ys.ravel()])
    points = points[_inside(points, rings)]
    if not len(points):
        return largest.mean(axis=0, keepdims=True)
    order = np.argsort(-_boundary_distance(points, rings), kind="stable")
    return points[order]


def _segments_hit_box(rings: Sequence[np.ndarray], box: tuple[float, float, float, float]) -> bool:
    """Whether any boundary segment touches the rectangle (vectorised Liang-Barsky clipping)."""
    a, b = _segments(rings)
    d = b - a
    x0, y0, x1, y1 = box
    t_in, t_out = np.zeros(len(a)), np.ones(len(a))
    hit = np.ones(len(a), bool)
    for p, q in ((-d[:, 0], a[:, 0] - x0), (d[:, 0], x1 - a[:, 0]), (-d[:, 1], a[:, 1] - y0), (d[:, 1], y1 - a[:, 1])):
        parallel = p == 0
        hit &= ~(parallel & (q < 0))
        with np.errstate(divide="ignore", invalid="ignore"):
            r = np.where(parallel, 0.0, q / np.where(parallel, 1.0, p))
        t_in = np.where(~parallel & (p < 0), np.maximum(t_in, r), t_in)
        t_out = np.where(~parallel & (p > 0), np.minimum(t_out, r), t_out)
    return bool(np.any(hit & (t_in <= t_out)))


def box_inside(rings: Sequence[np.ndarray], box: tuple[float, float, float, float]) -> bool:
    """Whether a rectangle (x0, y0, x1, y1, data units) lies wholly inside the polygon.

    >>> square = [np.array([[0.0, 0.0], [4.0, 0.0], [4.0, 4.0], [0.0, 4.0]])]
    >>> box_inside(square, (1, 1, 3, 3)), box_inside(square, (3, 3, 5, 5))
    (True, False)
    """
    centre = np.array([[(box[0] + box[2]) / 2, (box[1] + box[3]) / 2]])
    return bool(_inside(centre, rings)[0]) and not _segments_hit_box(rings, box)


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


def _spiral(step: float, limit: float) -> Iterator[np.ndarray]:
    """Offsets in pixels, ring by ring: the point itself, then rings of growing radius (starting north)."""
    yield np.zeros((1, 2))
    for radius in np.arange(step, limit + step, step):
        angles = math.pi / 2 - np.linspace(0, 2 * math.pi, max(8, int(2 * math.pi * radius / step)), endpoint=False)
        yield radius * np.column_stack([np.cos(angles), np.sin(angles)])


def _free_offset(box: Bbox, frame: Bbox, placed: Sequence[Bbox], step: float = 3.0) -> np.ndarray | None:
    """The nearest offset that moves ``box`` inside ``frame`` and clear of every placed box (None: no room)."""
    taken = np.array([b.extents for b in placed]).reshape(-1, 4)
    for offsets in _spiral(step, math.hypot(frame.width, frame.height)):
        x0, y0 = box.x0 + offsets[:, 0], box.y0 + offsets[:, 1]
        x1, y1 = box.x1 + offsets[:, 0], box.y1 + offsets[:, 1]
        inside = (x0 >= frame.x0) & (x1 <= frame.x1) & (y0 >= frame.y0) & (y1 <= frame.y1)
        hits = (
            (x0[:, None] <= taken[None, :, 2])
            & (taken[None, :, 0] <= x1[:, None])
            & (y0[:, None] <= taken[None, :, 3])
            & (taken[None, :, 1] <= y1[:, None])
        )
        free = inside & ~hits.any(axis=1)
        if free.any():
            return offsets[int(np.argmax(free))]
    return None


def _place_number(ax: Axes, area: _Area, number: int, renderer: RendererBase, placed: list[Bbox]) -> bool:
    """Draw the number at the label point or, if taken, at the nearest free spot with a leader line."""
    anchor = tuple(area.candidates[0])
    text = ax.text(*anchor, str(number), ha="center", va="center", zorder=4)
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


def _key_entry(number: int | None, area: _Area) -> str:
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
    for area in (a for a in areas if a.code not in named):
        number = len(entries) + 1
        entries.append(_key_entry(number if _place_number(ax, area, number, renderer, placed) else None, area))
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

    Uses ``geometry`` (from :func:`load_geojson`, EPSG:25832 metres) when given, else the
    schematic tile layout; None when neither is available (show :func:`map_note` instead).
    ``highlight`` outlines one Stadtteil (its place in a profile).
    """
    if geometry is None and not has_tiles(config):
        return None
    colours, handles, norm = _colours(values, classes)
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
        ax.autoscale_view()
        if geometry is not None:  # fixed, so that leader lines cannot rescale the map
            ax.set(xlim=ax.get_xlim(), ylim=ax.get_ylim())
        else:
            _tile_limits(ax, config)
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
        if areas:
            _label_polygons(fig, ax, areas)
    return fig


# --- neighbours ---------------------------------------------------------------------------------


def _near_points(points: np.ndarray, rings: Sequence[np.ndarray], tolerance: float) -> np.ndarray:
    """The points that lie within ``tolerance`` of the polygon's boundary."""
    if not len(points):
        return points
    return points[_boundary_distance(points, rings) <= tolerance]


def _distinct(points: np.ndarray, tolerance: float) -> int:
    """How many points remain when points closer than ``tolerance`` count as one."""
    kept: list[np.ndarray] = []
    for p in points:
        if all(np.hypot(*(p - q)) > tolerance for q in kept):
            kept.append(p)
    return len(kept)


def _boxes_touch(a: Sequence[np.ndarray], b: Sequence[np.ndarray], tolerance: float) -> bool:
    pa, pb = np.vstack(list(a)), np.vstack(list(b))
    (ax0, ay0), (ax1, ay1) = pa.min(axis=0), pa.max(axis=0)
    (bx0, by0), (bx1, by1) = pb.min(axis=0), pb.max(axis=0)
    return ax0 <= bx1 + tolerance and bx0 <= ax1 + tolerance and ay0 <= by1 + tolerance and by0 <= ay1 + tolerance


def shares_border(a: Sequence[np.ndarray], b: Sequence[np.ndarray], tolerance: float = 5.0) -> bool:
    """Whether two polygons (rings in metres) share a piece of border, not just a corner.

    Vertices of either polygon that lie within ``tolerance`` of the other's boundary are the
    shared points; a border needs at least two distinct ones (one point alone is a corner). The
    tolerance absorbs small gaps and overlaps between boundaries digitised separately.

    >>> sq = lambda x, y: [np.array([[x, y], [x + 1, y], [x + 1, y + 1], [x, y + 1]], float)]
    >>> shares_border(sq(0, 0), sq(1, 0), 0.01), shares_border(sq(0, 0), sq(1, 1), 0.01)
    (True, False)
    """
    if not _boxes_touch(a, b, tolerance):
        return False
    shared = np.vstack([_near_points(np.vstack(list(a)), b, tolerance), _near_points(np.vstack(list(b)), a, tolerance)])
    return _distinct(shared, tolerance) >= 2


def adjacency(geometry: Mapping[str, Sequence[np.ndarray]], tolerance: float = 5.0) -> dict[str, list[str]]:
    """Per area code the codes of the areas that share a border with it (sorted), from polygons in
    metres (:func:`load_geojson`); see :func:`shares_border`."""
    codes = sorted(geometry)
    out: dict[str, list[str]] = {c: [] for c in codes}
    for i, a in enumerate(codes):
        for b in codes[i + 1 :]:
            if shares_border(geometry[a], geometry[b], tolerance):
                out[a].append(b)
                out[b].append(a)
    return out


# --- the clickable area map of the start page ---------------------------------------------------


def _svg_number(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _svg_path(rings: Sequence[np.ndarray]) -> str:
    parts = []
    for ring in rings:
        pts = " ".join(f"{_svg_number(x)},{_svg_number(y)}" for x, y in ring)
        parts.append(f"M{pts}Z")
    return "".join(parts)


def _simplify(ring: np.ndarray, step: float) -> np.ndarray:
    """Drop vertices closer than ``step`` to the last kept one (keeps files small; at least 3 left)."""
    kept = [ring[0]]
    for p in ring[1:]:
        if np.hypot(*(p - kept[-1])) >= step:
            kept.append(p)
    return np.array(kept) if len(kept) >= 3 else ring


def link_map_shapes(
    config: Config, geometry: Mapping[str, Sequence[np.ndarray]] | None, width: float = 600.0
) -> tuple[list[tuple[str, str, str, tuple[float, float] | None]], tuple[float, float], bool] | None:
    """The areas of the clickable map in SVG user units: (code, name, path, label point or None),
    the view size and whether the map is schematic (tiles). None without tiles and polygons.

    Polygons are scaled to ``width`` with north up; a name is placed where it fits inside the
    polygon (:func:`label_candidates`, :func:`box_inside`), else the area has no label on the map
    (its accessible name and tooltip still name it).
    """
    if geometry is None:
        if not has_tiles(config):
            return None
        cols = max(s.tile[0] for s in config.stadtteile) + 1
        rows = max(s.tile[1] for s in config.stadtteile) + 1
        cell = width / cols
        out = []
        for s in config.stadtteile:
            x, y = s.tile[0] * cell, s.tile[1] * cell
            g = cell * 0.03
            ring = np.array(
                [[x + g, y + g], [x + cell - g, y + g], [x + cell - g, y + cell - g], [x + g, y + cell - g]]
            )
            out.append((s.code, s.name, _svg_path([ring]), (x + cell / 2, y + cell / 2)))
        return out, (width, rows * cell), True
    points = np.vstack([r for s in config.stadtteile for r in geometry.get(s.code, [])])
    (x0, y0), (x1, y1) = points.min(axis=0), points.max(axis=0)
    scale = width / max(x1 - x0, 1e-9)
    height = (y1 - y0) * scale
    out = []
    for s in config.stadtteile:
        rings = [np.column_stack([(r[:, 0] - x0) * scale, (y1 - r[:, 1]) * scale]) for r in geometry.get(s.code, [])]
        if not rings:
            continue
        rings = [_simplify(r, 0.8) for r in rings]
        point = label_candidates(rings)[0]
        half_w, half_h = 0.3 * 11 * len(s.name), 8.0  # ~11 px text, average glyph 0.6 em
        box = (point[0] - half_w, point[1] - half_h, point[0] + half_w, point[1] + half_h)
        label = (float(point[0]), float(point[1])) if box_inside(rings, box) else None
        out.append((s.code, s.name, _svg_path(rings), label))
    return out, (width, height), False
