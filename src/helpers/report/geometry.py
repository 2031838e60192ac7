"""Stadtteil polygons without drawing: reading and projecting them (see ``helpers.report.maps``
for the CRS rules), points and boxes inside polygons, which areas share a border, and the shapes
of the maps written as SVG (the start page's clickable map, :mod:`helpers.report.maps`). Nothing
here imports matplotlib.

Formats (:func:`load_geometry`): GeoJSON is read here as JSON (with the pre-RFC 7946 ``crs``
member); KML, GeoPackage, Shapefile (``.shp`` with its side files, or zipped) and any other
vector format GDAL reads go through pyogrio (GDAL bundled in its wheels) and shapely, with the
file's own CRS (a Shapefile's ``.prj``; KML is always WGS84). The rules after reading are the
same for every format: the configured CRS wins, a file without one must be in degrees, and the
rings come out in EPSG:25832 metres, exteriors counter-clockwise (RFC 7946) for a non-GeoJSON
source."""

from __future__ import annotations

import itertools
import json
import math
import re
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path

import numpy as np

from helpers.core.config import Config
from helpers.report import palette

#: Drawing CRS: ETRS89 / UTM zone 32N, metres (the official CRS of most German municipal data).
DRAW_CRS = "EPSG:25832"
#: RFC 7946: GeoJSON without a named CRS is WGS84 longitude/latitude.
DEFAULT_CRS = "EPSG:4326"
_URN = re.compile(r"^urn:ogc:def:crs:(?P<authority>[A-Za-z]+):[^:]*:(?P<code>[^:]+)$", re.IGNORECASE)


class GeometryError(ValueError):
    """The configured Stadtteil boundaries cannot be drawn (German message naming file and cause)."""


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
    return resolve_file_crs(configured, crs_from_member(data), rings, path)


def resolve_file_crs(
    configured: str | None, member: str | None, rings: Collection[np.ndarray], path: str | Path
) -> str:
    """The CRS of a polygon file: config, else the file's own (``member``), else EPSG:4326 if the
    coordinates can be degrees (else :class:`GeometryError`)."""
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


def _feature_ids(features: list[dict], id_property: str, path: Path, kind: str = "GeoJSON-Datei") -> list[str]:
    props = [f.get("properties") or {} for f in features]
    lacking = sum(id_property not in p or p[id_property] is None for p in props)
    if lacking:
        found = sorted({key for p in props for key in p})
        raise GeometryError(
            f"In der {kind} {path} fehlt bei {lacking} von {len(features)} Gebieten die Eigenschaft "
            f"„{id_property}“ (analysis.geometry.id_property). Vorhandene Eigenschaften: "
            f"{', '.join(found) if found else 'keine'}."
        )
    return [_id_text(p[id_property]) for p in props]


def _check_ids(
    ids: Sequence[str], codes: Collection[str], id_property: str, path: Path, kind: str = "GeoJSON-Datei"
) -> None:
    missing = [c for c in codes if c not in set(ids)]
    if missing:
        extra = sorted(set(ids) - set(codes))
        raise GeometryError(
            f"Die {kind} {path} passt nicht zu den Stadtteilen der Konfiguration (Eigenschaft "
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


# --- other formats (KML, GeoPackage, Shapefile, ...) through pyogrio and shapely ----------------

#: File endings read as GeoJSON by :func:`load_geojson` (everything else goes through pyogrio).
GEOJSON_SUFFIXES = (".geojson", ".json")
#: German names of the usual formats, for messages (by file ending).
FORMAT_NAMES = {".kml": "KML-Datei", ".kmz": "KMZ-Datei", ".gpkg": "GeoPackage-Datei", ".shp": "Shapefile"}


def format_name(path: str | Path) -> str:
    """The German name of a polygon file's format, for messages.

    >>> format_name("a/stadtteile.shp"), format_name("b.GPKG"), format_name("c.zip")
    ('Shapefile', 'GeoPackage-Datei', 'Datei')
    """
    suffix = Path(path).suffix.lower()
    return "GeoJSON-Datei" if suffix in GEOJSON_SUFFIXES else FORMAT_NAMES.get(suffix, "Datei")


def _ogr():
    try:
        import pyogrio
        import shapely
    except ImportError as exc:  # pragma: no cover - both are dependencies of the project
        raise GeometryError(
            "Zum Lesen von KML, GeoPackage und Shapefile werden die Pakete pyogrio und shapely gebraucht "
            f"({exc.name} fehlt). Bitte die Umgebung neu einrichten: `make setup` bzw. `pip install -e .`."
        ) from None
    return pyogrio, shapely


def _pick_layer(pyogrio, path: Path, layer: str | None, kind: str) -> str | None:
    """The layer to read: the configured one, else the only one (or the only one with polygons)."""
    layers = [(str(name), str(gtype or "")) for name, gtype in pyogrio.list_layers(path)]
    names = [name for name, _ in layers]
    if layer is not None:
        if layer not in names:
            raise GeometryError(
                f"Die {kind} {path} hat keine Ebene „{layer}“ (analysis.geometry.layer). Vorhandene Ebenen: "
                f"{', '.join(names) if names else 'keine'}."
            )
        return layer
    if len(layers) <= 1:
        return None
    polygonal = [name for name, gtype in layers if "polygon" in gtype.lower()]
    if len(polygonal) == 1:
        return polygonal[0]
    raise GeometryError(
        f"Die {kind} {path} hat mehrere Ebenen: {', '.join(names)}. Bitte die mit den Stadtteilen in der "
        "Konfiguration unter analysis.geometry.layer angeben."
    )


def _ogr_rings(geom, shapely, code: str, path: Path) -> list[np.ndarray]:
    """Exterior and hole rings of a (multi)polygon, exteriors counter-clockwise; 2D."""
    kind = geom.geom_type if geom is not None else None
    if kind == "GeometryCollection":
        parts = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
        if parts:
            geom, kind = shapely.union_all(parts), "MultiPolygon"
    if kind not in ("Polygon", "MultiPolygon"):
        raise GeometryError(
            f"Das Gebiet {code} in {path} ist kein Polygon oder MultiPolygon (Geometrietyp: {kind or 'keiner'})."
        )
    geom = shapely.orient_polygons(geom)
    out = []
    for poly in shapely.get_parts(geom):
        for ring in (poly.exterior, *poly.interiors):
            coords = np.asarray(ring.coords, float)[:, :2]
            if len(coords) >= 3:
                out.append(coords)
    return out


def _read_ogr(path: Path, layer: str | None) -> tuple[list[dict], list, str | None]:
    """Features (properties only), shapely geometries and the CRS (None: the file names none)."""
    pyogrio, shapely = _ogr()
    kind = format_name(path)
    if not path.is_file():
        raise GeometryError(f"Die {kind} {path} (analysis.geometry.file) gibt es nicht.")
    try:
        chosen = _pick_layer(pyogrio, path, layer, kind)
        meta, _, wkb, values = pyogrio.raw.read(path, layer=chosen, force_2d=True)
    except GeometryError:
        raise
    except Exception as exc:  # pyogrio's DataSourceError, DataLayerError, ... (GDAL's message)
        raise GeometryError(f"Die {kind} {path} lässt sich nicht als Geodaten lesen: {exc}.") from None
    fields = [str(f) for f in meta["fields"]]
    rows = [
        {name: (None if _missing(v) else v) for name, v in zip(fields, row, strict=True)}
        for row in zip(*values, strict=True)
    ] or [{} for _ in range(len(wkb))]
    if not len(wkb):
        raise GeometryError(f"Die {kind} {path} enthält keine Gebiete.")
    return [{"properties": r} for r in rows], list(shapely.from_wkb(wkb)), meta.get("crs")


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))


def feature_properties(path: str | Path, layer: str | None = None) -> list[dict]:
    """The properties of every area in a polygon file (any format), e.g. to find the id property."""
    path = Path(path)
    if path.suffix.lower() in GEOJSON_SUFFIXES:
        return [f.get("properties") or {} for f in _read_geojson(path)["features"]]
    return [f["properties"] for f in _read_ogr(path, layer)[0]]


def id_text(value: object) -> str:
    """A property value as Stadtteil code text, as :func:`load_geometry` reads it (101.0 -> "101")."""
    return _id_text(value)


def load_geometry(
    path: str | Path,
    id_property: str = "code",
    *,
    crs: str | None = None,
    codes: Collection[str] | None = None,
    layer: str | None = None,
) -> dict[str, list[np.ndarray]]:
    """Rings (exterior and holes) per area code from a polygon file in any format, in EPSG:25832 metres.

    GeoJSON goes to :func:`load_geojson`; KML, GeoPackage, Shapefile (also zipped) and the other
    GDAL formats are read with pyogrio, the CRS from the file (``crs`` configured wins), and the
    same checks as for GeoJSON (id property, every configured code, polygons only). ``layer``
    picks one layer of a file with several. Raises :class:`GeometryError` (German message).
    """
    path = Path(path)
    if path.suffix.lower() in GEOJSON_SUFFIXES:
        return load_geojson(path, id_property, crs=crs, codes=codes)
    kind = format_name(path)
    features, geoms, file_crs = _read_ogr(path, layer)
    ids = _feature_ids(features, id_property, path, kind)
    if codes is not None:
        _check_ids(ids, codes, id_property, path, kind)
    _, shapely = _ogr()
    shapes: dict[str, list[np.ndarray]] = {}
    for code, geom in zip(ids, geoms, strict=True):
        shapes.setdefault(code, []).extend(_ogr_rings(geom, shapely, code, path))
    rings = [ring for parts in shapes.values() for ring in parts]
    return project_rings(shapes, resolve_file_crs(crs, file_crs, rings, path))


# --- polygon helpers --------------------------------------------------------------------------


def _ring_area(ring: np.ndarray) -> float:
    x, y = ring[:, 0], ring[:, 1]
    return 0.5 * abs(float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))))


def _inside(points: np.ndarray, rings: Sequence[np.ndarray]) -> np.ndarray:
    """Even-odd rule over all rings: inside an exterior and not inside one of its holes."""
    count = np.zeros(len(points), int)
    for ring in rings:
        count += _in_ring(points, np.asarray(ring, float))
    return count % 2 == 1


def _in_ring(points: np.ndarray, ring: np.ndarray) -> np.ndarray:
    """Whether each point lies inside one closed ring (crossing number, vectorised; no matplotlib).

    >>> _in_ring(np.array([[1.0, 1.0], [3.0, 1.0]]), np.array([[0, 0], [2, 0], [2, 2], [0, 2]], float)).tolist()
    [True, False]
    """
    if not len(points):
        return np.zeros(0, bool)
    a, b = ring, np.roll(ring, -1, axis=0)
    x, y = points[:, 0:1], points[:, 1:2]
    spans = (a[None, :, 1] > y) != (b[None, :, 1] > y)
    with np.errstate(divide="ignore", invalid="ignore"):
        cross = a[None, :, 0] + (y - a[None, :, 1]) * (b[None, :, 0] - a[None, :, 0]) / (b[None, :, 1] - a[None, :, 1])
    return (np.count_nonzero(spans & (x < cross), axis=1) % 2) == 1


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
    metres (:func:`load_geometry`); see :func:`shares_border`."""
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


# --- the colours of maps: the site's palette (helpers.report.palette) ------------------------------

#: The assessment against the city, deutlich günstiger … deutlich ungünstiger, as a scale (palette order).
ASSESSMENT = tuple(palette.ASSESSMENT.values())
LEVEL, NEUTRAL, NO_DATA = palette.LEVEL, palette.NEUTRAL, palette.NO_DATA


def level_colours(n: int) -> list[str]:
    """``n`` colours of :data:`LEVEL` (1 to 5), spread over the scale, light to dark.

    >>> level_colours(3)
    ['#eff3ff', '#6baed6', '#08519c']
    """
    if not 1 <= n <= len(LEVEL):
        raise ValueError(f"1 bis {len(LEVEL)} Klassen, nicht {n}")
    return [LEVEL[round(i * (len(LEVEL) - 1) / max(n - 1, 1))] for i in range(n)] if n > 1 else [LEVEL[2]]


# --- what the map says about its boundaries -------------------------------------------------------


def geometry_credit(path: str | Path | None) -> tuple[str, str]:
    """(note, attribution) a map of these boundaries shows: the GeoJSON's ``note`` and
    ``attribution`` members (e.g. "Näherung aus Ortsteilpunkten, keine amtlichen Grenzen" and the
    sources of an approximation); ("", "") for other files and formats or without the members."""
    if path is None or Path(path).suffix.lower() not in GEOJSON_SUFFIXES or not Path(path).is_file():
        return "", ""
    data = _read_geojson(Path(path))
    return str(data.get("note") or ""), str(data.get("attribution") or "")


# --- classes of a value map -------------------------------------------------------------------------


def nice_breaks(values: Sequence[float], classes: int = 5) -> list[float]:
    """Inner class limits of a value map: equal steps of 1, 2, 2.5 or 5 times a power of ten, the
    smallest that covers the values' range in at most ``classes`` classes (from published values only).

    >>> nice_breaks([12.3, 31.0])
    [15.0, 20.0, 25.0, 30.0]
    >>> nice_breaks([4.0, 4.0])
    []
    """
    lo, hi = min(values), max(values)
    if hi <= lo:
        return []
    raw = (hi - lo) / classes
    magnitude = 10 ** math.floor(math.log10(raw))
    for step in (m * magnitude for m in (1, 2, 2.5, 5, 10, 20)):
        start = math.floor(lo / step + 1e-9) * step
        edges = [float(round(start + k * step, 10)) for k in range(1, classes + 1) if start + k * step < hi - 1e-9]
        if len(edges) + 1 <= classes:
            return edges
    return []  # pragma: no cover - a step of 20 × the raw width always fits


def class_of(value: float, breaks: Sequence[float]) -> int:
    """The class index of a value (0 = lowest); a value on a limit belongs to the upper class.

    >>> class_of(14.9, [15.0, 20.0]), class_of(15.0, [15.0, 20.0]), class_of(40.0, [15.0, 20.0])
    (0, 1, 2)
    """
    return sum(value >= b for b in breaks)


# --- label placement in SVG units -------------------------------------------------------------------

Box = tuple[float, float, float, float]  # x0, y0, x1, y1


def text_box(lines: Sequence[str], x: float, y: float, size: float, pad: float = 1.5) -> Box:
    """The box of centred text lines at (x, y) in ``size`` units (glyphs about 0.6 em wide)."""
    width = max(len(line) for line in lines) * 0.6 * size
    height = len(lines) * 1.2 * size
    return (x - width / 2 - pad, y - height / 2 - pad, x + width / 2 + pad, y + height / 2 + pad)


def boxes_overlap(a: Box, b: Box) -> bool:
    """Whether two boxes share more than an edge.

    >>> boxes_overlap((0, 0, 2, 2), (1, 1, 3, 3)), boxes_overlap((0, 0, 1, 1), (1, 0, 2, 1))
    (True, False)
    """
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def free_offset(box: Box, frame: Box, placed: Sequence[Box], step: float = 3.0) -> np.ndarray | None:
    """The nearest offset (on rings of growing radius, the point itself first) that moves ``box``
    inside ``frame`` and clear of every placed box; None without room.

    >>> free_offset((0, 0, 2, 2), (0, 0, 10, 10), [(0, 0, 2, 2)], step=1.0).tolist()
    [0.0, 2.0]
    """
    taken = np.array(placed, float).reshape(-1, 4)
    limit = math.hypot(frame[2] - frame[0], frame[3] - frame[1])
    for radius in np.arange(0.0, limit + step, step):
        n = 1 if radius == 0 else max(8, int(2 * math.pi * radius / step))
        angles = math.pi / 2 - np.linspace(0, 2 * math.pi, n, endpoint=False)
        offsets = radius * np.column_stack([np.cos(angles), np.sin(angles)])
        x0, y0 = box[0] + offsets[:, 0], box[1] + offsets[:, 1]
        x1, y1 = box[2] + offsets[:, 0], box[3] + offsets[:, 1]
        inside = (x0 >= frame[0]) & (x1 <= frame[2]) & (y0 >= frame[1]) & (y1 <= frame[3])
        hits = (
            (x0[:, None] < taken[None, :, 2])
            & (taken[None, :, 0] < x1[:, None])
            & (y0[:, None] < taken[None, :, 3])
            & (taken[None, :, 1] < y1[:, None])
        )
        free = inside & ~hits.any(axis=1)
        if free.any():
            return np.round(offsets[int(np.argmax(free))], 9) + 0.0
    return None


def name_lines(name: str) -> list[str]:
    """A name on one line, or two at its first space or hyphen when it is long (12 characters or more).

    >>> name_lines("Bergisch Neukirchen"), name_lines("Wiesdorf")
    (['Bergisch', 'Neukirchen'], ['Wiesdorf'])
    """
    if len(name) < 12:
        return [name]
    for sep in (" ", "-"):
        if sep in name:
            head, tail = name.split(sep, 1)
            return [head + ("-" if sep == "-" else ""), tail]
    return [name]


# --- Stadtbezirk outlines -----------------------------------------------------------------------------


def group_rings(
    rings_by_code: Mapping[str, Sequence[np.ndarray]], groups: Mapping[str, str], gap: float = 0.5
) -> dict[str, list[np.ndarray]]:
    """The outline rings of each group (Stadtbezirk code -> the union of its areas' polygons, by
    group code); gaps up to ``2 * gap`` units between separately digitised neighbours are closed first."""
    import shapely
    from shapely.geometry import Polygon

    members: dict[str, list] = {}
    for code, rings in rings_by_code.items():
        group = groups.get(code)
        if group is None or not rings:
            continue
        members.setdefault(group, []).extend(Polygon(r).buffer(0) for r in rings if len(r) >= 3 and _ring_area(r) > 0)
    out = {}
    for group, polys in sorted(members.items()):
        union = shapely.union_all([p.buffer(gap, join_style="mitre") for p in polys]).buffer(-gap, join_style="mitre")
        parts = [p for p in shapely.get_parts(union) if p.area > 4 * gap * gap]
        out[group] = [np.asarray(p.exterior.coords)[:-1] for p in parts]
    return out


def group_outlines(rings_by_code: Mapping[str, Sequence[np.ndarray]], groups: Mapping[str, str]) -> dict[str, str]:
    """SVG path data of each group's outline (:func:`group_rings`, in SVG units)."""
    return {g: _svg_path([_simplify(r, 0.8) for r in rings]) for g, rings in group_rings(rings_by_code, groups).items()}


# --- the start page's value map: SVG written directly, each area a link -------------------------------

#: Width of the value map in SVG units; on a 390-px phone it is drawn about 360 px wide, so text of
#: :data:`MAP_FONT` units stays above 9 px there.
MAP_WIDTH = 460.0
MAP_FONT = 12.0


def _scaled(config: Config, geometry: Mapping[str, Sequence[np.ndarray]], width: float):
    """Rings per code in SVG units (north up, scaled to ``width``) and the view height."""
    points = np.vstack([r for s in config.stadtteile for r in geometry.get(s.code, [])])
    (x0, y0), (x1, y1) = points.min(axis=0), points.max(axis=0)
    scale = (width - 4) / max(x1 - x0, 1e-9)
    rings = {
        s.code: [
            _simplify(np.column_stack([2 + (r[:, 0] - x0) * scale, 2 + (y1 - r[:, 1]) * scale]), 0.8)
            for r in geometry.get(s.code, [])
        ]
        for s in config.stadtteile
        if geometry.get(s.code)
    }
    return rings, (y1 - y0) * scale + 4


def _tile_rings(config: Config, width: float):
    cols = max(s.tile[0] for s in config.stadtteile) + 1
    rows = max(s.tile[1] for s in config.stadtteile) + 1
    cell = width / cols
    g = cell * 0.03
    rings = {}
    for s in config.stadtteile:
        x, y = s.tile[0] * cell, s.tile[1] * cell
        rings[s.code] = [
            np.array([[x + g, y + g], [x + cell - g, y + g], [x + cell - g, y + cell - g], [x + g, y + cell - g]])
        ]
    return rings, rows * cell


#: How far a name may reach beyond its polygon at either end (half a letter of :data:`MAP_FONT`): the
#: neighbour's white edge runs at most through its first or last letter, and many more names fit.
LABEL_OVERHANG = 6.0


def _place_label(rings, lines: list[str], placed: list[Box]) -> tuple[float, float] | None:
    """The first label point (farthest from the boundary first) where the text fits inside the
    polygon, but for :data:`LABEL_OVERHANG` at its ends, and clears every placed label."""
    points = np.vstack(list(rings))
    reach = np.array([LABEL_OVERHANG, 0.0])
    (x0, y0), (x1, y1) = points.min(axis=0) - reach, points.max(axis=0) + reach
    probe = text_box(lines, 0.0, 0.0, MAP_FONT)
    if probe[2] - probe[0] > x1 - x0 or probe[3] - probe[1] > y1 - y0:
        return None  # wider or taller than the whole polygon
    for point in label_candidates(rings, grid=25)[:60]:
        box = text_box(lines, float(point[0]), float(point[1]), MAP_FONT)
        if box[0] < x0 or box[2] > x1 or box[1] < y0 or box[3] > y1 or any(boxes_overlap(box, b) for b in placed):
            continue
        inset = min(LABEL_OVERHANG, (box[2] - box[0]) / 4)
        if box_inside(rings, (box[0] + inset, box[1], box[2] - inset, box[3])):
            placed.append(box)
            return float(point[0]), float(point[1])
    return None


def _place_marker(rings, text: str, frame: Box, placed: list[Box]) -> dict | None:
    """The code of an area without room for its name: at its label point, or moved to the nearest
    free spot with a leader line."""
    anchor = label_candidates(rings)[0]
    box = text_box([text], float(anchor[0]), float(anchor[1]), MAP_FONT, pad=2.0)
    offset = free_offset(box, frame, placed)
    if offset is None:
        return None
    placed.append((box[0] + offset[0], box[1] + offset[1], box[2] + offset[0], box[3] + offset[1]))
    x, y = float(anchor[0] + offset[0]), float(anchor[1] + offset[1])
    leader = None if not offset.any() else (float(anchor[0]), float(anchor[1]), x, y)
    return {"x": x, "y": y, "text": text, "leader": leader}


def value_map(
    config: Config,
    geometry: Mapping[str, Sequence[np.ndarray]] | None,
    values: Mapping[str, float],
    shown: Mapping[str, str],
    width: float = MAP_WIDTH,
) -> dict | None:
    """The clickable value map: per Stadtteil its path, fill (class of its published value, None: no
    data), the name and value where they fit inside the polygon, else its code as a marker (moved
    clear of the other labels, with a leader line) for the key; the Stadtbezirk outlines; the classes.

    ``values`` are the published values (colour classes are computed from these alone);
    ``shown`` the text each Stadtteil's value is published as ("." where secret). No two label
    boxes overlap. None without tiles and polygons.
    """
    if geometry is None:
        if not has_tiles(config):
            return None
        rings_by_code, height = _tile_rings(config, width)
    else:
        rings_by_code, height = _scaled(config, geometry, width)
    numbers = [float(v) for v in values.values()]
    breaks = nice_breaks(numbers) if numbers else []
    colours = level_colours(len(breaks) + 1) if numbers else []
    areas, placed = [], []
    frame = (0.0, 0.0, width, height)
    order = sorted(rings_by_code, key=lambda c: -sum(_ring_area(r) for r in rings_by_code[c]))
    by_code = {s.code: s for s in config.stadtteile}
    for code in order:
        st, rings = by_code[code], rings_by_code[code]
        value = values.get(code)
        text = shown.get(code, "nicht veröffentlicht") if value is None else shown[code]
        lines = name_lines(st.name)
        label = _place_label(rings, [*lines, text], placed) if shown else None
        name_only = label is None and shown
        if label is None:  # the name alone (the value is in the key)
            label = _place_label(rings, lines, placed)
        name_only = bool(name_only and label is not None)
        areas.append(
            {
                "code": code,
                "name": st.name,
                "path": _svg_path(rings),
                "fill": None if value is None else colours[class_of(float(value), breaks)],
                "value": text,
                "lines": lines,
                "label": label,
                "name_only": name_only,
                "rings": rings,
            }
        )
    for area in areas:
        if area["label"] is None:
            area["marker"] = _place_marker(area["rings"], area["code"], frame, placed)
    for area in areas:
        area.setdefault("marker", None)
        del area["rings"]
    groups = {s.code: s.stadtbezirk for s in config.stadtteile if s.stadtbezirk}
    outlines = group_outlines(rings_by_code, groups) if groups and geometry is not None else {}
    areas.sort(key=lambda a: [s.code for s in config.stadtteile].index(a["code"]))
    return {
        "areas": areas,
        "bezirke": list(outlines.values()),
        "breaks": breaks,
        "colours": colours,
        "width": width,
        "height": height,
        "schematic": geometry is None,
        "boxes": placed,
    }


def class_labels(breaks: Sequence[float], number, suffix: str) -> list[str]:
    """German legend texts of the classes: "unter a", "a bis unter b", …, "z und mehr" (``number``
    formats a limit, ``suffix`` is the unit after the last number of a text).

    >>> class_labels([10.0, 20.0], lambda x: f"{x:.0f}", " %")
    ['unter 10 %', '10 bis unter 20 %', '20 % und mehr']
    """
    if not breaks:
        return ["alle Werte"]
    texts = [f"unter {number(breaks[0])}{suffix}"]
    texts += [f"{number(a)} bis unter {number(b)}{suffix}" for a, b in itertools.pairwise(breaks)]
    return [*texts, f"{number(breaks[-1])}{suffix} und mehr"]
