"""Seeded Ortsteil polygons of a synthetic commune, as GeoJSON in EPSG:25832 (UTM 32N, metres).

The town outline is a seeded convex polygon (jittered ellipse, convex hull). Every Ortsteil
gets one seed point: the codes of ``rings`` sit on small circles around the centre (a compact
core of deliberately small inner-city Ortsteile, then a ring of town quarters), the other codes
are scattered over the rest of the outline with a minimum spacing and numbered clockwise from
north. The Ortsteile are the Voronoi cells of these points (``scipy.spatial.Voronoi``), each
clipped to the outline (Sutherland-Hodgman; cells and outline are convex, so the cells tile the
outline without gaps or overlaps). Coordinates are rounded; rings are closed and run
counterclockwise (RFC 7946). Same parameters and random stream, same bytes.

Parameters (the ``geometry`` block of ``config/sample_<commune>.yml``)::

    center: [371500, 5668500]      # town centre, EPSG:25832
    radius_m: 5000                 # mean radius of the outline
    elongation: 1.2                # x stretch (and 1/elongation in y)
    outline_vertices: 18
    outline_jitter: 0.15           # relative jitter of the outline radii
    rings:                         # seeds on circles around the centre, in code order
      - {codes: ["01", "02", "03", "04"], radius_m: 300}
    scattered_min_spacing_m: 1800  # the other codes: this far from each other (relaxed if needed)
    edge_margin_m: 400             # and this far inside the outline
    decimals: 1                    # coordinates rounded to 0.1 m
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping

import numpy as np
from scipy.spatial import ConvexHull, Voronoi

#: The GeoJSON 2008 ``crs`` member naming EPSG:25832 (ETRS89 / UTM zone 32N).
CRS_25832 = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::25832"}}

Point = tuple[float, float]


def polygon_area(ring: list[Point] | np.ndarray) -> float:
    """Signed area (shoelace): positive for a counterclockwise ring (closed or open)."""
    pts = np.asarray(ring, dtype=float)
    x, y = pts[:, 0], pts[:, 1]
    return float(0.5 * (np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))))


def town_outline(params: dict, rng: np.random.Generator) -> np.ndarray:
    """The convex town outline, counterclockwise, shape (n, 2), not closed."""
    cx, cy = params["center"]
    n = int(params.get("outline_vertices", 16))
    jitter = float(params.get("outline_jitter", 0.15))
    stretch = float(params.get("elongation", 1.0))
    radius = float(params["radius_m"])
    angles = (np.arange(n) + rng.uniform(-0.3, 0.3, n)) * 2 * math.pi / n
    radii = radius * (1 + rng.uniform(-jitter, jitter, n))
    points = np.column_stack([cx + radii * np.cos(angles) * stretch, cy + radii * np.sin(angles) / stretch])
    hull = ConvexHull(points)
    return points[hull.vertices]  # counterclockwise in 2-D


def _inside_distance(outline: np.ndarray, point: np.ndarray) -> float:
    """Distance of a point from the outline's edges (negative outside), for a convex CCW outline."""
    a, b = outline, np.roll(outline, -1, axis=0)
    edge = b - a
    cross = edge[:, 0] * (point[1] - a[:, 1]) - edge[:, 1] * (point[0] - a[:, 0])
    return float(np.min(cross / np.hypot(edge[:, 0], edge[:, 1])))


def seed_points(params: dict, codes: list[str], outline: np.ndarray, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """One seed point per code: ring codes on circles, the others scattered (see module doc)."""
    center = np.asarray(params["center"], dtype=float)
    points: dict[str, np.ndarray] = {}
    outer = 0.0
    for ring in params.get("rings", []):
        ring_codes = [c for c in ring["codes"] if c in codes]
        r = float(ring["radius_m"])
        outer = max(outer, r)
        offset = rng.uniform(0, 2 * math.pi)
        for k, code in enumerate(ring_codes):
            angle = offset + 2 * math.pi * k / len(ring_codes) + rng.uniform(-0.15, 0.15)
            dist = r * (1 + rng.uniform(-0.1, 0.1))
            points[code] = center + dist * np.array([math.cos(angle), math.sin(angle)])
    rest = sorted(c for c in codes if c not in points)
    spacing = float(params.get("scattered_min_spacing_m", 1500))
    margin = float(params.get("edge_margin_m", 300))
    lo, hi = outline.min(axis=0), outline.max(axis=0)
    scattered: list[np.ndarray] = []
    attempts = 0
    while len(scattered) < len(rest):
        attempts += 1
        if attempts % 2000 == 0:  # too tight: relax the spacing a little (still deterministic)
            spacing *= 0.95
        p = lo + rng.random(2) * (hi - lo)
        if _inside_distance(outline, p) < margin or np.hypot(*(p - center)) < outer + spacing / 2:
            continue
        if any(np.hypot(*(p - q)) < spacing for q in scattered):
            continue
        scattered.append(p)
    # number the scattered codes clockwise from north around the centre
    bearing = [math.atan2(p[0] - center[0], p[1] - center[1]) % (2 * math.pi) for p in scattered]
    for code, idx in zip(rest, np.argsort(bearing, kind="stable"), strict=True):
        points[code] = scattered[idx]
    return points


def clip_convex(subject: np.ndarray, clip: np.ndarray) -> np.ndarray:
    """Sutherland-Hodgman: the part of a convex polygon inside a convex CCW polygon."""
    out = [tuple(p) for p in subject]
    for a, b in zip(clip, np.roll(clip, -1, axis=0), strict=True):
        if not out:
            break
        inp, out = out, []

        def side(p: tuple[float, float], a: np.ndarray = a, b: np.ndarray = b) -> float:
            return (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0])

        for i, cur in enumerate(inp):
            prev = inp[i - 1]
            s_cur, s_prev = side(cur), side(prev)
            if s_cur >= 0:
                if s_prev < 0:
                    out.append(_cross_point(prev, cur, s_prev, s_cur))
                out.append(cur)
            elif s_prev >= 0:
                out.append(_cross_point(prev, cur, s_prev, s_cur))
    return np.asarray(out, dtype=float)


def _cross_point(p: Point, q: Point, sp: float, sq: float) -> Point:
    t = sp / (sp - sq)
    return (p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1]))


def _ccw(poly: np.ndarray) -> np.ndarray:
    centre = poly.mean(axis=0)
    order = np.argsort(np.arctan2(poly[:, 1] - centre[1], poly[:, 0] - centre[0]), kind="stable")
    return poly[order]


def voronoi_cells(points: dict[str, np.ndarray], outline: np.ndarray) -> dict[str, np.ndarray]:
    """The Voronoi cell of every point, clipped to the outline (CCW, not closed)."""
    codes = sorted(points)
    pts = np.array([points[c] for c in codes])
    centre = outline.mean(axis=0)
    reach = 10 * float(np.max(np.hypot(*(outline - centre).T)))
    # far dummy points around everything: every real cell is bounded
    far = [centre + reach * np.array([math.cos(a), math.sin(a)]) for a in np.arange(8) * math.pi / 4]
    vor = Voronoi(np.vstack([pts, far]))
    cells = {}
    for i, code in enumerate(codes):
        region = vor.regions[vor.point_region[i]]
        if -1 in region or not region:
            raise ValueError(f"the Voronoi cell of {code} is unbounded")
        cells[code] = clip_convex(_ccw(vor.vertices[region]), outline)
    return cells


def _ring(poly: np.ndarray, decimals: int) -> list[list[float]]:
    ring: list[list[float]] = []
    for x, y in poly:
        p = [round(float(x), decimals), round(float(y), decimals)]
        if not ring or p != ring[-1]:
            ring.append(p)
    if len(ring) > 1 and ring[0] == ring[-1]:
        ring.pop()
    if len(ring) < 3:
        raise ValueError("a polygon collapsed when its coordinates were rounded")
    if polygon_area(ring) < 0:
        ring.reverse()
    return [*ring, ring[0]]


def ortsteil_polygons(params: dict, names: dict[str, str], rng: np.random.Generator) -> dict[str, list]:
    """Code -> closed counterclockwise ring of rounded coordinates (the cells tile the outline).

    ``names`` maps every Ortsteil code to its name (only the codes are used here).
    """
    codes = sorted(names)
    outline = town_outline(params, rng)
    points = seed_points(params, codes, outline, rng)
    cells = voronoi_cells(points, outline)
    decimals = int(params.get("decimals", 1))
    return {code: _ring(cells[code], decimals) for code in codes}


def geojson_bytes(rings: dict[str, list], id_property: str, title: str, names: dict[str, str]) -> bytes:
    """A FeatureCollection in EPSG:25832 with one Polygon per code (sorted), properties
    ``id_property`` and ``name``; one feature per line, keys sorted, UTF-8."""
    features = [
        json.dumps(
            {
                "type": "Feature",
                "properties": {id_property: code, "name": names[code]},
                "geometry": {"type": "Polygon", "coordinates": [rings[code]]},
            },
            ensure_ascii=False,
            sort_keys=True,
        )
        for code in sorted(rings)
    ]
    crs = json.dumps(CRS_25832, sort_keys=True)
    lines = [
        "{",
        f'"crs": {crs},',
        '"features": [',
        ",\n".join(features),
        "],",
        f'"name": {json.dumps(title, ensure_ascii=False)},',
        '"type": "FeatureCollection"',
        "}",
    ]
    return ("\n".join(lines) + "\n").encode("utf-8")


# --- Stadtteile approximated from points (the sample's map of Leverkusen) -------------------------

#: The sentence every map of approximated boundaries shows (also stored in the file's ``note`` member).
APPROXIMATION_NOTE = "Näherung aus Ortsteilpunkten, keine amtlichen Grenzen"

#: Seeds of the Stadtteile whose Wikipedia article has no point (lon, lat; WGS84), with how they were
#: placed. Quettingen: the article says the geographic centre of Leverkusen lies in Quettingen, so its
#: seed is the centroid of the city boundary (``None`` here). The others are placed by hand between
#: their neighbours from the Stadtteile's known order (Hitdorf north-west on the Rhine above Rheindorf,
#: Manfort south-east of Wiesdorf, Küppersteg between Bürrig, Wiesdorf and Alkenrath, Bergisch
#: Neukirchen in the north-east lobe, Steinbüchel in the east between Schlebusch and Lützenkirchen):
#: estimates, not measurements, and the map says so.
ESTIMATED_SEEDS: dict[str, tuple[float, float] | None] = {
    "Hitdorf": (6.925, 51.068),
    "Manfort": (7.003, 51.027),
    "Küppersteg": (6.998, 51.043),
    "Quettingen": None,
    "Bergisch Neukirchen": (7.040, 51.085),
    "Steinbüchel": (7.085, 51.050),
}

#: Roman Stadtbezirk numbers of the reference table -> the config's Stadtbezirk codes.
BEZIRK_CODES = {"I": "1", "II": "2", "III": "3"}


def _to_metres(lon: float, lat: float) -> tuple[float, float]:
    from pyproj import Transformer

    x, y = Transformer.from_crs("EPSG:4326", "EPSG:25832", always_xy=True).transform(lon, lat)
    return float(x), float(y)


def read_boundary(path) -> object:
    """The city boundary of a one-feature lon/lat GeoJSON as a shapely polygon in EPSG:25832 metres."""
    import shapely
    from pyproj import Transformer
    from shapely.geometry import shape

    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    (feature,) = data["features"]
    to_utm = Transformer.from_crs("EPSG:4326", "EPSG:25832", always_xy=True)
    return shapely.transform(shape(feature["geometry"]), lambda xy: np.column_stack(to_utm.transform(*xy.T)))


def reference_seeds(points: list[dict], boundary) -> dict[str, tuple[tuple[float, float], str]]:
    """Stadtteil name -> (seed in metres, how it was placed): the Wikipedia point where the article
    has one (``points``: rows of ``leverkusen_stadtteil_points_wikipedia.csv``), else
    :data:`ESTIMATED_SEEDS` (the boundary's centroid for ``None``)."""
    seeds = {}
    for row in points:
        name = row["stadtteil"]
        if row["lat"] and row["lon"]:
            seeds[name] = (_to_metres(float(row["lon"]), float(row["lat"])), "Wikipedia")
        elif ESTIMATED_SEEDS.get(name) is not None:
            seeds[name] = (_to_metres(*ESTIMATED_SEEDS[name]), "geschätzt")
        elif name in ESTIMATED_SEEDS:
            c = boundary.centroid
            seeds[name] = ((float(c.x), float(c.y)), "Schwerpunkt der Stadtgrenze")
        else:
            raise ValueError(f"für {name} gibt es weder einen Punkt noch eine Schätzung")
    return seeds


def cells_in_boundary(seeds: Mapping[str, tuple[float, float]], boundary) -> dict[str, object]:
    """The Voronoi cell of every seed, intersected with the (not necessarily convex) boundary;
    each cell is matched to the seed it contains."""
    import shapely
    from shapely.geometry import MultiPoint, Point

    cells = shapely.voronoi_polygons(MultiPoint(list(seeds.values())), extend_to=boundary)
    out = {}
    for name, xy in seeds.items():
        (cell,) = [c for c in cells.geoms if c.contains(Point(xy))]
        part = cell.intersection(boundary)
        if part.geom_type != "Polygon":  # a sliver cut off by the boundary: keep the part with the seed
            part = max(part.geoms, key=lambda p: p.contains(Point(xy)) * 1e12 + p.area)
        out[name] = part
    return out


def _rounded_ring(coords, decimals: int) -> list[list[float]]:
    return _ring(np.asarray(coords, float)[:-1], decimals)


def approximated_geojson(
    boundary_path, points_csv, stadtteile_csv, codes: Mapping[str, str], decimals: int = 0
) -> bytes:
    """The sample's approximated Stadtteil polygons as GeoJSON bytes (EPSG:25832, metres, rounded).

    ``codes`` maps the Stadtteil names to the config's codes. Each feature has ``code``, ``name``,
    ``stadtbezirk`` and ``seed`` (Wikipedia, geschätzt, Schwerpunkt der Stadtgrenze); the collection
    carries ``note`` (:data:`APPROXIMATION_NOTE`) and ``attribution`` (the sources, as the maps show
    them). Same inputs, same bytes.
    """
    import csv

    boundary = read_boundary(boundary_path)
    with open(points_csv, encoding="utf-8", newline="") as f:
        points = list(csv.DictReader(f))
    with open(stadtteile_csv, encoding="utf-8", newline="") as f:
        bezirke = {r["stadtteil"]: BEZIRK_CODES[r["stadtbezirk"]] for r in csv.DictReader(f)}
    seeds = reference_seeds(points, boundary)
    cells = cells_in_boundary({n: xy for n, (xy, _) in seeds.items()}, boundary)
    estimated = sum(how != "Wikipedia" for _, how in seeds.values())
    features = [
        json.dumps(
            {
                "type": "Feature",
                "properties": {"code": codes[name], "name": name, "stadtbezirk": bezirke[name], "seed": seeds[name][1]},
                "geometry": {"type": "Polygon", "coordinates": [_rounded_ring(cells[name].exterior.coords, decimals)]},
            },
            ensure_ascii=False,
            sort_keys=True,
        )
        for name in sorted(cells, key=lambda n: codes[n])
    ]
    attribution = (
        "Stadtgrenze: © GeoBasis-DE / BKG (VG250, vereinfacht), dl-de/by-2-0, Daten verändert; "
        f"Ortsteilpunkte: Wikipedia ({len(seeds) - estimated} von {len(seeds)}, die übrigen geschätzt)"
    )
    head = {
        "attribution": attribution,
        "crs": CRS_25832,
        "name": f"Stadtteile Leverkusen – {APPROXIMATION_NOTE}",
        "note": APPROXIMATION_NOTE,
    }
    lines = ["{", *(f"{json.dumps(k)}: {json.dumps(v, ensure_ascii=False, sort_keys=True)}," for k, v in head.items())]
    lines += ['"features": [', ",\n".join(features), "],", '"type": "FeatureCollection"', "}"]
    return ("\n".join(lines) + "\n").encode("utf-8")
