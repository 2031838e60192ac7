"""The sample's approximated Stadtteil polygons (data/raw/geo/stadtteile_naeherung.geojson): they tile
the city boundary, every Wikipedia point lies in its own Stadtteil, the file says what it is, and it
is exactly what the generator writes from ../shared/reference (skipped where that folder is absent)."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
from conftest import CONFIG, ROOT

from helpers.core.config import load_config
from helpers.report.geometry import geometry_credit, load_geometry

GEO = ROOT / "data" / "raw" / "geo" / "stadtteile_naeherung.geojson"
#: ../shared/reference next to the checkout (CI), or next to the folder of worktrees
REFERENCE = next(
    (p for p in (ROOT.parent / "shared" / "reference", ROOT.parent.parent / "shared" / "reference") if p.is_dir()),
    ROOT.parent / "shared" / "reference",
)
needs_reference = pytest.mark.skipif(not REFERENCE.is_dir(), reason="../shared/reference/ not present (fresh checkout)")


def _area(ring: np.ndarray) -> float:
    x, y = ring[:, 0], ring[:, 1]
    return 0.5 * abs(float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))))


def test_config_names_the_file_and_every_stadtteil_has_one_area():
    config = load_config(CONFIG)
    assert config.geometry_path.resolve() == GEO.resolve()
    shapes = load_geometry(GEO, "code", codes=[s.code for s in config.stadtteile])
    assert sorted(shapes) == sorted(s.code for s in config.stadtteile)
    assert all(len(rings) == 1 for rings in shapes.values())  # one polygon each, no holes
    # 78,6 km² in UTM metres: the simplified VG250 outline (78,38 km² equal-area, official 78,87 km²)
    total = sum(_area(r) for rings in shapes.values() for r in rings) / 1e6
    assert total == pytest.approx(78.6, abs=0.2)
    props = {f["properties"]["code"]: f["properties"] for f in json.loads(GEO.read_text("utf-8"))["features"]}
    assert {c: p["stadtbezirk"] for c, p in props.items()} == {s.code: s.stadtbezirk for s in config.stadtteile}
    assert sum(p["seed"] == "Wikipedia" for p in props.values()) == 7


def test_the_file_says_it_is_an_approximation_and_names_its_sources():
    note, attribution = geometry_credit(GEO)
    assert note == "Näherung aus Ortsteilpunkten, keine amtlichen Grenzen"
    assert "© GeoBasis-DE / BKG" in attribution and "dl-de/by-2-0" in attribution and "Wikipedia" in attribution


@needs_reference
def test_polygons_cover_the_boundary_and_each_point_lies_in_its_own_cell():
    import shapely
    from pyproj import Transformer
    from shapely.geometry import Point, shape

    from helpers.synth.geometry import read_boundary

    boundary = read_boundary(REFERENCE / "leverkusen_city_boundary_vg250_simplify200.geojson")
    features = json.loads(GEO.read_text("utf-8"))["features"]
    cells = {f["properties"]["name"]: shape(f["geometry"]) for f in features}
    assert sum(c.area for c in cells.values()) == pytest.approx(boundary.area, rel=0.01)
    union = shapely.union_all(list(cells.values()))
    assert union.symmetric_difference(boundary).area < 0.001 * boundary.area  # no gaps, nothing outside
    to_utm = Transformer.from_crs("EPSG:4326", "EPSG:25832", always_xy=True)
    with open(REFERENCE / "leverkusen_stadtteil_points_wikipedia.csv", encoding="utf-8") as f:
        points = [r for r in csv.DictReader(f) if r["lat"]]
    assert len(points) == 7
    for row in points:
        p = Point(*to_utm.transform(float(row["lon"]), float(row["lat"])))
        assert [name for name, cell in cells.items() if cell.contains(p)] == [row["stadtteil"]]


@needs_reference
def test_committed_file_is_what_the_generator_writes():
    from helpers.tools.stadtteil_naeherung import build

    target, data = build(REFERENCE, CONFIG)
    assert target.resolve() == GEO.resolve()
    assert data == GEO.read_bytes()
