"""Stadtteil maps from real polygons: true proportions, CRS rules, clear errors, readable labels, no-map note."""

from __future__ import annotations

import itertools
import json
import math
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
import yaml
from conftest import CONFIG
from pyproj import Geod, Transformer

from helpers.core.config import Config
from helpers.report import geometry as geo
from helpers.report import maps, sozialraum_sections
from helpers.report.context import ReportContext
from helpers.report.indicator_tables import PublishedValues

URN_25832 = "urn:ogc:def:crs:EPSG::25832"
URN_CRS84 = "urn:ogc:def:crs:OGC:1.3:CRS84"
#: Near Leverkusen in ETRS89 / UTM 32N.
X0, Y0 = 360_000.0, 5_650_000.0
TO_LONLAT = Transformer.from_crs("EPSG:25832", "EPSG:4326", always_xy=True)


def make_config(tmp_path: Path, stadtteile: list[dict], geometry: dict | None = None) -> Config:
    """Leverkusen's config with other Stadtteile (no Stadtbezirke) and the given geometry settings."""
    data = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    data["stadtbezirke"] = []
    data["stadtteile"] = stadtteile
    data["analysis"]["geometry"] = geometry or {"geojson": None}
    return Config.model_validate({**data, "config_path": tmp_path / "kommune.yml"})


def stadtteil(code: str, name: str, tile: list[int] | None = None) -> dict:
    slug = "st-" + code.lower()
    return {"code": code, "slug": slug, "name": name} | ({"tile": tile} if tile else {})


def feature(code: str, *polygons: list, key: str = "code") -> dict:
    """A feature with one ring list per polygon (first ring exterior, further rings holes)."""
    coords = [[np.asarray(r, float).tolist() for r in poly] for poly in polygons]
    geometry = (
        {"type": "Polygon", "coordinates": coords[0]}
        if len(coords) == 1
        else {"type": "MultiPolygon", "coordinates": coords}
    )
    return {"type": "Feature", "properties": {key: code}, "geometry": geometry}


def write_geojson(path: Path, features: list[dict], crs_name: str | None = None) -> Path:
    data: dict = {"type": "FeatureCollection", "features": features}
    if crs_name:
        data["crs"] = {"type": "name", "properties": {"name": crs_name}}
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def rect(x0: float, y0: float, w: float, h: float) -> np.ndarray:
    return np.array([[x0, y0], [x0 + w, y0], [x0 + w, y0 + h], [x0, y0 + h], [x0, y0]])


def to_lonlat(ring: np.ndarray, densify: int = 20) -> np.ndarray:
    """A metre ring in lon/lat, with points along each edge (a UTM straight line is curved in lon/lat)."""
    t = np.linspace(0, 1, densify, endpoint=False)[:, None]
    dense = np.vstack([a + t * (b - a) for a, b in itertools.pairwise(ring)] + [ring[-1:]])
    return np.column_stack(TO_LONLAT.transform(dense[:, 0], dense[:, 1]))


SVG = "{http://www.w3.org/2000/svg}"


def svg_tree(m: maps.MapFigure) -> ET.Element:
    return ET.fromstring(m.svg())


def path_rings(d: str) -> list[np.ndarray]:
    """The rings of an SVG path written as "Mx,y x,y …Z" (how the maps write them)."""
    return [
        np.array([[float(v) for v in pair.split(",")] for pair in part.split()], float)
        for part in re.findall(r"M([^MZ]+)Z", d)
    ]


def area_paths(m: maps.MapFigure) -> dict[str, ET.Element]:
    """The shape of each Stadtteil (a path with a title), by the name in its title."""
    return {p.find(f"{SVG}title").text: p for p in svg_tree(m).iter(f"{SVG}path") if p.find(f"{SVG}title") is not None}


def drawn_ratio(config: Config, geometry: dict) -> float:
    """Width / height on the page of the single polygon drawn."""
    m = maps.stadtteil_map(config, dict.fromkeys(geometry, 1.0), "Titel", "Quelle: Test", geometry=geometry)
    (path,) = area_paths(m).values()
    points = np.vstack(path_rings(path.get("d")))
    width, height = points.max(axis=0) - points.min(axis=0)
    return width / height


# --- projection -----------------------------------------------------------------------------------


def test_one_km_square_draws_square_in_metres_and_in_degrees(tmp_path):
    config = make_config(tmp_path, [stadtteil("1", "Mitte")])
    square = rect(X0, Y0, 1000, 1000)
    metres = write_geojson(tmp_path / "m.geojson", [feature("1", [square])], URN_25832)
    degrees = write_geojson(tmp_path / "d.geojson", [feature("1", [to_lonlat(square)])])
    for path in (metres, degrees):
        geometry = maps.load_geojson(path)
        assert drawn_ratio(config, geometry) == pytest.approx(1.0, rel=0.02), path.name
    # the projected corners are the original metres (within a millimetre)
    corners = maps.load_geojson(degrees)["1"][0][::20][:4]
    assert np.allclose(corners, square[:4], atol=1e-3)


def test_lonlat_rectangle_is_not_stretched(tmp_path):
    """0.02° × 0.02° at 51° N is about 1.4 km wide and 2.2 km high: drawn as such, not as a square."""
    config = make_config(tmp_path, [stadtteil("1", "Mitte")])
    lon0, lat0, d = 8.99, 51.0, 0.02  # on UTM 32N's central meridian (9° E), where north is straight up
    ring = [[lon0, lat0], [lon0 + d, lat0], [lon0 + d, lat0 + d], [lon0, lat0 + d], [lon0, lat0]]
    path = write_geojson(tmp_path / "ll.geojson", [feature("1", [ring])])
    geod = Geod(ellps="GRS80")
    width = geod.inv(lon0, lat0 + d / 2, lon0 + d, lat0 + d / 2)[2]
    height = geod.inv(lon0 + d / 2, lat0, lon0 + d / 2, lat0 + d)[2]
    ratio = drawn_ratio(config, maps.load_geojson(path))
    assert ratio == pytest.approx(width / height, rel=0.02)
    assert ratio < 0.7  # drawn in raw degrees it would be 1.0


# --- CRS resolution -------------------------------------------------------------------------------


def test_crs_member_urns():
    assert maps.crs_from_member({"crs": {"type": "name", "properties": {"name": URN_25832}}}) == "EPSG:25832"
    assert maps.crs_from_member({"crs": {"type": "name", "properties": {"name": URN_CRS84}}}) == "OGC:CRS84"
    assert maps.crs_from_member({"crs": {"type": "name", "properties": {"name": "EPSG:31466"}}}) == "EPSG:31466"
    assert maps.crs_from_member({}) is None
    with pytest.raises(maps.GeometryError, match="crs-Angabe"):
        maps.crs_from_member({"crs": {"type": "name"}})


def test_crs84_member_is_projected_to_metres(tmp_path):
    square = rect(X0, Y0, 500, 500)
    path = write_geojson(tmp_path / "c.geojson", [feature("1", [to_lonlat(square, 1)])], URN_CRS84)
    assert np.allclose(maps.load_geojson(path)["1"][0], square, atol=1e-3)


def test_config_crs_comes_before_the_file_member(tmp_path):
    square = rect(X0, Y0, 500, 500)
    path = write_geojson(tmp_path / "c.geojson", [feature("1", [square])], URN_CRS84)  # member is wrong
    with pytest.raises(maps.GeometryError, match="OGC:CRS84"):
        maps.load_geojson(path)
    assert np.allclose(maps.load_geojson(path, crs="EPSG:25832")["1"][0], square)


def test_metres_without_a_named_crs_are_refused(tmp_path):
    path = write_geojson(tmp_path / "m.geojson", [feature("1", [rect(X0, Y0, 500, 500)])])
    with pytest.raises(maps.GeometryError) as err:
        maps.load_geojson(path)
    message = str(err.value)
    assert "keine Längen- und Breitengrade" in message
    assert "analysis.geometry.crs" in message and str(path) in message


def test_unknown_crs_is_named(tmp_path):
    path = write_geojson(tmp_path / "m.geojson", [feature("1", [rect(X0, Y0, 500, 500)])])
    with pytest.raises(maps.GeometryError, match="Unbekanntes Koordinatenreferenzsystem 'EPSG:999999'"):
        maps.load_geojson(path, crs="EPSG:999999")


# --- id property ----------------------------------------------------------------------------------


def test_missing_id_property_names_file_property_and_what_is_there(tmp_path):
    features = [feature(c, [rect(X0 + 600 * i, Y0, 500, 500)], key="gebiet_nr") for i, c in enumerate(["101", "102"])]
    for f, name in zip(features, ["Wiesdorf", "Manfort"], strict=True):
        f["properties"]["name"] = name
    path = write_geojson(tmp_path / "stadtteile.geojson", features, URN_25832)
    with pytest.raises(ValueError) as err:
        maps.load_geojson(path)
    message = str(err.value)
    assert isinstance(err.value, maps.GeometryError)
    assert "stadtteile.geojson" in message
    assert "„code“" in message and "bei 2 von 2 Gebieten" in message
    assert "Vorhandene Eigenschaften: gebiet_nr, name." in message


def test_mismatched_ids_list_missing_codes_and_unknown_areas(tmp_path):
    features = [feature(c, [rect(X0 + 600 * i, Y0, 500, 500)]) for i, c in enumerate(["101", "102", "999"])]
    path = write_geojson(tmp_path / "s.geojson", features, URN_25832)
    with pytest.raises(maps.GeometryError) as err:
        maps.load_geojson(path, codes=["101", "102", "103", "104"])
    message = str(err.value)
    assert "Stadtteile ohne Gebiet in der Datei: 103, 104." in message
    assert "kein Stadtteil der Konfiguration sind: 999." in message
    # numeric ids (also as whole-number floats) match text codes
    features = [feature(c, [rect(X0 + 600 * i, Y0, 500, 500)]) for i, c in enumerate([101, 102.0])]
    path = write_geojson(tmp_path / "n.geojson", features, URN_25832)
    assert sorted(maps.load_geojson(path, codes=["101", "102"])) == ["101", "102"]


def test_report_context_passes_crs_and_codes(tmp_path):
    features = [feature("1", [rect(X0, Y0, 500, 500)])]
    write_geojson(tmp_path / "g.geojson", features)
    geometry = {"geojson": "g.geojson", "crs": "EPSG:25832"}
    config = make_config(tmp_path, [stadtteil("1", "Mitte")], geometry)
    ctx = ReportContext(config=config, year=config.data_years[-1], stadtteil=None, kind="sozialraum")
    assert np.allclose(ctx.geometry["1"][0], features[0]["geometry"]["coordinates"][0])
    config = make_config(tmp_path, [stadtteil("1", "Mitte"), stadtteil("2", "Nord")], geometry)
    ctx = ReportContext(config=config, year=config.data_years[-1], stadtteil=None, kind="sozialraum")
    with pytest.raises(maps.GeometryError, match="Stadtteile ohne Gebiet in der Datei: 2\\."):
        _ = ctx.geometry


# --- dense city: labels -----------------------------------------------------------------------------

OUTER_NAMES = [
    "Hitdorf", "Rheindorf", "Bürrig", "Opladen", "Quettingen", "Bergisch Neukirchen", "Lützenkirchen",
    "Steinbüchel", "Schlebusch", "Alkenrath", "Manfort", "Wiesdorf", "Küppersteg", "Fixheide",
    "Waldsiedlung", "Imbach", "Edelrath", "Atzlenbach", "Pattscheid", "Bechhausen", "Mathildenhof",
    "Neuboddenberg", "Kuhlenhof", "Ophoven",
]  # fmt: skip
INNER_NAMES = [
    "Altstadt Nord", "Altstadt Ost", "Altstadt Süd", "Altstadt West", "Marktviertel", "Domviertel",
    "Hafenviertel", "Schlossberg", "Bahnhofsviertel", "Kirchplatz", "Neumarkt", "Rathausviertel",
    "Museumsufer", "Gerberviertel", "Zeughausviertel", "Brückenkopf",
]  # fmt: skip


def _sector(r0: float, r1: float, a0: float, a1: float, cx: float, cy: float, steps: int = 8) -> np.ndarray:
    angles = np.linspace(a0, a1, steps)
    outer = np.column_stack([cx + r1 * np.cos(angles), cy + r1 * np.sin(angles)])
    inner = np.column_stack([cx + r0 * np.cos(angles[::-1]), cy + r0 * np.sin(angles[::-1])]) if r0 else [[cx, cy]]
    ring = np.vstack([outer, inner])
    return np.vstack([ring, ring[:1]])


def dense_city() -> tuple[list[dict], list[dict]]:
    """41 Stadtteile: 24 squares of 2 km around a centre square, which holds a 1-km-radius old town
    (4 quarter discs of 250 m, 12 ring sectors of 250-1000 m) and the rest of the square (with a hole)."""
    size, stadtteile, features = 2000.0, [], []
    cells = [(i, j) for j in range(5) for i in range(5) if (i, j) != (2, 2)]
    for n, ((i, j), name) in enumerate(zip(cells, OUTER_NAMES, strict=True)):
        code = f"A{n:02d}"
        stadtteile.append(stadtteil(code, name))
        features.append(feature(code, [rect(X0 + i * size, Y0 + j * size, size, size)]))
    cx, cy = X0 + 2.5 * size, Y0 + 2.5 * size
    for k in range(4):
        code, a = f"B{k:02d}", k * math.pi / 2
        stadtteile.append(stadtteil(code, INNER_NAMES[k]))
        features.append(feature(code, [_sector(0, 250, a, a + math.pi / 2, cx, cy)]))
    for k in range(12):
        code, a = f"C{k:02d}", k * math.pi / 6
        stadtteile.append(stadtteil(code, INNER_NAMES[4 + k]))
        features.append(feature(code, [_sector(250, 1000, a, a + math.pi / 6, cx, cy)]))
    hole = _sector(0, 1000, 0, 2 * math.pi, cx, cy, 48)[1:-1][::-1]  # the circle, without the centre point
    stadtteile.append(stadtteil("D00", "Innenstadtrand"))
    features.append(feature("D00", [rect(X0 + 2 * size, Y0 + 2 * size, size, size), np.vstack([hole, hole[:1]])]))
    return stadtteile, features


def label_boxes(m: maps.MapFigure) -> dict[str, tuple]:
    """The box of every label in the SVG, from its position, lines and font size (as
    :func:`helpers.report.geometry.text_box` measures, less the 0,05 units the SVG rounds its
    coordinates by), by "name-<code>" or "number-<code>"."""
    return {k: (b[0] + 0.06, b[1] + 0.06, b[2] - 0.06, b[3] - 0.06) for k, b in _label_boxes(m).items()}


def _label_boxes(m: maps.MapFigure) -> dict[str, tuple]:
    out = {}
    for t in svg_tree(m).iter(f"{SVG}text"):
        size = float(t.get("font-size"))
        lines = [span.text for span in t.iter(f"{SVG}tspan")]
        if lines:  # a name (and its value), its lines centred on the label point
            x = float(t.get("x"))
            y = float(t.get("y")) + (len(lines) - 1) * maps.LINE * size / 2
            area = next(a for a in m.areas if a["label"] is not None and np.allclose(a["label"], (x, y), atol=0.2))
            out[f"name-{area['code']}"] = geo.text_box(lines, x, y, size)
        else:  # an official code
            out[f"number-{t.text}"] = geo.text_box([t.text], float(t.get("x")), float(t.get("y")), size, pad=2.0)
    return out


def key_lines(html: str) -> list[str]:
    """The text of every line of the map's key."""
    if 'class="mon-map-key"' not in html:
        return []
    part = html.split('class="mon-map-key"')[1].split("</ul>")[0]
    return [re.sub(r"<[^>]+>", "", li) for li in re.findall(r"<li>(.*?)</li>", part)]


@pytest.mark.parametrize("numeric", [False, True])
def test_dense_city_labels_never_overlap_and_every_stadtteil_is_named_or_in_the_key(tmp_path, numeric):
    stadtteile, features = dense_city()
    assert len(stadtteile) == 41
    config = make_config(tmp_path, stadtteile)
    geometry = maps.load_geojson(write_geojson(tmp_path / "dicht.geojson", features, URN_25832))
    codes = [s["code"] for s in stadtteile]
    if numeric:
        values, extra = {c: 10.0 + i for i, c in enumerate(codes)}, {}
    else:
        values = {c: ["hoch", "mittel", "niedrig", None][i % 4] for i, c in enumerate(codes)}
        extra = {"classes": ["hoch", "mittel", "niedrig"]}
    m = maps.stadtteil_map(config, values, "Titel", "Quelle: Test", "Wert", geometry=geometry, **extra)
    boxes = label_boxes(m)
    for (a, box_a), (b, box_b) in itertools.combinations(boxes.items(), 2):
        assert not geo.boxes_overlap(box_a, box_b), (a, b)
    assert all(b[0] >= 0 and b[2] <= m.width and b[1] >= 0 and b[3] <= m.height for b in boxes.values())
    html = m.html()
    key = key_lines(html)
    named, numbered = set(), set()
    for i, s in enumerate(stadtteile):
        code, name = s["code"], s["name"]
        area = next(a for a in m.areas if a["code"] == code)
        if f"name-{code}" in boxes:
            assert " ".join(area["lines"]).replace("- ", "-") == name.replace("- ", "-")
            if numeric and not area["name_only"]:
                assert area["text"] == f"{10 + i},0"
            named.add(code)
        if f"number-{code}" in boxes or f"name-{code}" not in boxes:
            value = f"{10 + i},0" if numeric else values[code]  # the value, or the class (none: unclassified)
            entry = f"{code} {name}" + (f": {value}" if value else "")
            assert entry in key, (entry, key)
            numbered.add(code)
    assert named | numbered == set(codes)
    # the 2-km squares (91,2 units of the 460-unit map) carry their names: a one-word name of 13 letters
    # (13 × 0,6 × 12 + 3 = 96,6 units) fits with the half-letter overhang (84,6 units inside), so
    # Lützenkirchen does, but not Neuboddenberg: it would reach 2,7 units into the next square, where
    # Mathildenhof's label (12 letters, 89,4 units) fills its square at the same height. None of the
    # small old-town areas has room for a name.
    assert {c for c in codes if c.startswith("A")} - named == {"A21"}
    assert {c for c in codes if c[0] in "BC"} <= numbered
    assert "Auf der Karte mit ihrer Nummer (Gebietsschlüssel)" in html
    # the key is page text below the map, not drawn into it; so is the legend
    assert html.index('class="mon-map-key"') > html.rindex("</svg>")
    assert html.index('class="mon-map-legend"') < html.index("<svg xmlns")


def test_names_lie_inside_their_polygons(tmp_path):
    stadtteile, features = dense_city()
    config = make_config(tmp_path, stadtteile)
    geometry = maps.load_geojson(write_geojson(tmp_path / "dicht.geojson", features, URN_25832))
    m = maps.stadtteil_map(config, {}, "Titel", "Quelle: Test", "Status", classes=["hoch"], geometry=geometry)
    paths = area_paths(m)
    checked = 0
    for gid, box in label_boxes(m).items():
        if not gid.startswith("name-"):
            continue
        area = next(a for a in m.areas if a["code"] == gid.removeprefix("name-"))
        # inside, but for half a letter at either end (geometry.LABEL_OVERHANG)
        inner = (box[0] + geo.LABEL_OVERHANG, box[1], box[2] - geo.LABEL_OVERHANG, box[3])
        assert geo.box_inside(path_rings(paths[area["name"]].get("d")), inner), gid
        checked += 1
    assert checked >= 20


def test_label_geometry_helpers():
    # an L shape: its corner region is the widest part, the label point is not the (outside) centroid
    ell = [np.array([[0, 0], [10, 0], [10, 2], [2, 2], [2, 10], [0, 10], [0, 0]], float)]
    point = maps.label_candidates(ell)[0]
    assert maps.box_inside(ell, (point[0] - 0.5, point[1] - 0.5, point[0] + 0.5, point[1] + 0.5))
    assert not maps.box_inside(ell, (1, 1, 3, 3))  # crosses the inner corner
    assert not maps.box_inside(ell, (4, 4, 5, 5))  # outside, in the notch
    ring_with_hole = [
        np.array([[0, 0], [6, 0], [6, 6], [0, 6]], float),
        np.array([[2, 2], [4, 2], [4, 4], [2, 4]], float),
    ]
    assert not maps.box_inside(ring_with_hole, (2.5, 2.5, 3.5, 3.5))  # in the hole
    assert maps.box_inside(ring_with_hole, (0.5, 0.5, 1.5, 1.5))


# --- no map -------------------------------------------------------------------------------------


def test_neither_tiles_nor_geojson_gives_the_note(tmp_path):
    import pandas as pd

    config = make_config(tmp_path, [stadtteil("1", "Mitte", [0, 0]), stadtteil("2", "Nord")])  # one tile missing
    assert maps.stadtteil_map(config, {"1": 1.0, "2": 2.0}, "Titel", "Quelle: Test") is None
    assert maps.map_note() == (
        "Für diese Kommune liegt keine Gebietskarte vor (weder Kachelpositionen noch Gebietsgrenzen in der Konfiguration)."
    )
    frame = pd.DataFrame({"area_code": ["1", "2"], "status_class_code": ["high", "low"]})
    html = sozialraum_sections.class_map(
        frame, "status_class_code", config, title="Titel", source="Quelle: Test", legend_title="Status",
        labels={"high": "hoch", "low": "niedrig"}, what="Statusklasse", year=2024,
    )  # fmt: skip
    assert "keine Gebietskarte" in html.data and "<img" not in html.data and "<svg" not in html.data
    assert "keine Gebietskarte" in sozialraum_sections.map_html(None, "Alt").data


def tiles(tmp_path) -> Config:
    return make_config(tmp_path, [stadtteil("1", "Mitte", [0, 0]), stadtteil("2", "Nord", [1, 0])])


def test_tile_map_still_drawn_when_all_tiles_are_there(tmp_path):
    m = maps.stadtteil_map(tiles(tmp_path), {"1": 1.0, "2": 2.0}, "Titel", "Quelle: Test")
    assert m is not None and m.schematic
    assert "Schematische Kachelkarte, nicht maßstäblich" in m.html()
    labels = [[span.text for span in t.iter(f"{SVG}tspan")] for t in svg_tree(m).iter(f"{SVG}text")]
    assert labels == [["Mitte", "1,0"], ["Nord", "2,0"]]


def legend_texts(m: maps.MapFigure) -> list[str]:
    return [e.text for e in m.legend]


def test_class_legend_lists_only_the_classes_present_with_fixed_colours(tmp_path):
    config = tiles(tmp_path)
    classes = ["hoch", "mittel", "niedrig", "sehr niedrig"]
    m = maps.stadtteil_map(config, {"1": "mittel", "2": "sehr niedrig"}, "T", "Quelle: Test", "Status", classes)
    assert legend_texts(m) == ["mittel", "sehr niedrig"]
    both = maps.stadtteil_map(config, {"1": "mittel", "2": "hoch"}, "T", "Quelle: Test", "Status", classes)
    colour = {e.text: e.colour for e in both.legend}
    assert colour["mittel"] == {e.text: e.colour for e in m.legend}["mittel"] == maps.ASSESSMENT[1]
    # the area's fill is its legend colour, and a class map prints no value
    assert area_paths(m)["Mitte"].get("fill") == maps.ASSESSMENT[1]
    assert area_paths(m)["Nord"].get("fill") == maps.ASSESSMENT[4]


def test_small_counts_get_a_discrete_legend_not_a_colour_bar(tmp_path):
    config = tiles(tmp_path)
    m = maps.stadtteil_map(config, {"1": 0.0, "2": 3.0}, "T", "Quelle: Test", "Anzahl", decimals=0)
    assert legend_texts(m) == ["0", "3"]  # only the counts that occur
    rates = maps.stadtteil_map(config, {"1": 0.0, "2": 3.0}, "T", "Quelle: Test", "%", decimals=1)
    # a rate gets classes of equal steps (here 1,0) from its published values, highest on top, dark = high
    assert legend_texts(rates) == ["2,0 und mehr", "1,0 bis unter 2,0", "unter 1,0"]
    fills = {e.text: e.colour for e in rates.legend}
    assert fills == {"2,0 und mehr": "#08519c", "1,0 bis unter 2,0": "#6baed6", "unter 1,0": "#eff3ff"}
    assert all(e.public == "derived" for e in rates.legend)  # class limits are tagged for the audit


# --- SVG output: secrecy, tags, sizes, sources -------------------------------------------------------


def test_a_secret_value_is_hatched_never_coloured_and_every_number_is_tagged(tmp_path):
    config = tiles(tmp_path)
    values = PublishedValues(
        {"2": 12.34}, {"2": "sgb2_u15|2025|stadtteil|2"}, {"2": "( )"}
    )  # "1" is secret: not among the published values
    m = maps.stadtteil_map(config, values, "SGB-II-Quote 2025", "Quelle: Test", "%")
    shapes = area_paths(m)
    assert shapes["Mitte"].get("fill") == f"url(#{m.hatch_id})"
    assert shapes["Nord"].get("fill").startswith("#")
    assert m.legend[-1].kind == "hatch" and m.legend[-1].text == "nicht veröffentlicht"
    # the published value as the tables show it (uncertain in brackets), tagged with its cell
    spans = {span.get("data-cell"): span.text for span in svg_tree(m).iter(f"{SVG}tspan") if span.get("data-cell")}
    assert spans == {"sgb2_u15|2025|stadtteil|2": "(12,3\xa0%)"}
    html = m.html()
    assert 'aria-label="Karte SGB-II-Quote 2025. Mitte: nicht veröffentlicht; Nord: (12,3\xa0%)."' in html
    assert "<img" not in html and "base64" not in html
    assert f'<pattern id="{m.hatch_id}"' in html and f'fill="url(#{m.hatch_id})"' in html  # the legend's swatch
    from helpers.site.htmlcheck import untagged_numbers

    assert untagged_numbers(html) == []


def test_map_text_is_at_least_9_px_on_a_phone(tmp_path):
    """Every text of the SVG has a font size of MAP_FONT units or more on a MAP_WIDTH-unit viewBox;
    the figure is drawn about 366 px wide on a 390-px phone, so 12 × 366 / 460 = 9,5 px."""
    stadtteile, features = dense_city()
    config = make_config(tmp_path, stadtteile)
    geometry = maps.load_geojson(write_geojson(tmp_path / "dicht.geojson", features, URN_25832))
    m = maps.stadtteil_map(config, {s["code"]: 1.0 for s in stadtteile}, "T", "Quelle: Test", geometry=geometry)
    root = svg_tree(m)
    assert root.get("viewBox").split()[2] == "460" and float(root.get("width")) == maps.MAP_WIDTH
    sizes = [float(t.get("font-size")) for t in root.iter(f"{SVG}text")]
    assert len(sizes) == 41 and min(sizes) >= maps.MAP_FONT == 12
    assert maps.MAP_FONT * 366 / maps.MAP_WIDTH >= 9.0
    assert root.get("role") == "img" and root.get("aria-label").startswith("Karte T. Hitdorf: 1,0; Rheindorf: 1,0;")


def test_linked_map_is_a_named_group_of_profile_links(tmp_path):
    m = maps.stadtteil_map(tiles(tmp_path), {"1": "hoch"}, "T", "Q", "Status", ["hoch"], links={"1": "st-1.html"})
    root = svg_tree(m)
    assert root.get("role") == "group"
    (link,) = root.iter(f"{SVG}a")
    assert link.get("href") == "st-1.html" and link.get("aria-label") == "Mitte: hoch"
    assert link.find(f"{SVG}path/{SVG}title").text == "Mitte"


def test_class_maps_name_only_the_sources_they_use():
    from helpers.core.config import load_config
    from helpers.indicators.plan import commune_plan
    from helpers.report.context import source_line

    config = load_config(CONFIG)
    status = commune_plan(config).status_indicators
    holders = {config.sources[k].holder for i in status for k in commune_plan(config).catalogue.get(i).raw_sources()}
    line = sozialraum_sections.class_map_source(None, "status_class_code", config)
    assert line == source_line(sorted(holders, key=line.index))
    assert len(holders) < len({s.holder for s in config.sources.values()})  # not all sources
    import pandas as pd

    trend = sozialraum_sections.class_map_source(pd.DataFrame({"indicator_id": ["sgb2_u15"]}), "verdict_code", config)
    assert (
        trend
        == "Quelle: "
        + "; ".join(
            dict.fromkeys(
                config.sources[k].holder for k in commune_plan(config).catalogue.get("sgb2_u15").raw_sources()
            )
        )
        + "; eigene Berechnungen"
    )
    assert sozialraum_sections.class_map_source(None, "other", config) is None
