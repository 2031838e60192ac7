"""Stadtteil polygons from KML, GeoPackage and Shapefile (also zipped) come out as from GeoJSON.

The fixtures are written here with pyogrio (the library that reads them): three 1-km squares side
by side near Leverkusen, the third with a 200-m hole, in EPSG:25832 metres and in EPSG:4326
degrees (KML: degrees only, as the format prescribes).
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pyogrio
import pytest
import shapely
import yaml
from conftest import CONFIG
from pyproj import Transformer

from helpers.core.config import Config
from helpers.report import geometry as geo
from helpers.report.context import ReportContext

X0, Y0 = 360_000.0, 5_650_000.0
CODES = ["101", "102", "103"]
TO_LONLAT = Transformer.from_crs("EPSG:25832", "EPSG:4326", always_xy=True)


def ring(x0: float, y0: float, w: float, h: float, clockwise: bool = False) -> np.ndarray:
    r = np.array([[x0, y0], [x0 + w, y0], [x0 + w, y0 + h], [x0, y0 + h], [x0, y0]])
    return r[::-1] if clockwise else r


def squares_metres() -> dict[str, list[np.ndarray]]:
    """Per code: exterior ring (counter-clockwise), and for 103 a hole (clockwise), in metres."""
    out = {c: [ring(X0 + 1000 * i, Y0, 1000, 1000)] for i, c in enumerate(CODES)}
    out["103"].append(ring(X0 + 2400, Y0 + 400, 200, 200, clockwise=True))
    return out


def in_crs(shapes: dict[str, list[np.ndarray]], crs: str) -> dict[str, list[np.ndarray]]:
    if crs == "EPSG:25832":
        return shapes
    return {c: [np.column_stack(TO_LONLAT.transform(r[:, 0], r[:, 1])) for r in rings] for c, rings in shapes.items()}


def write_geojson(path: Path, shapes: dict[str, list[np.ndarray]], crs: str) -> Path:
    features = [
        {
            "type": "Feature",
            "properties": {"nr": c},
            "geometry": {"type": "Polygon", "coordinates": [r.tolist() for r in rings]},
        }
        for c, rings in shapes.items()
    ]
    data: dict = {"type": "FeatureCollection", "features": features}
    if crs == "EPSG:25832":
        data["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::25832"}}
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def write_ogr(path: Path, shapes: dict[str, list[np.ndarray]], crs: str | None, driver: str, **kw) -> Path:
    """Write the squares with pyogrio (property ``nr``, also a name column as KML files have)."""
    wkb = shapely.to_wkb([shapely.Polygon(rings[0], rings[1:]) for rings in shapes.values()])
    codes = kw.pop("codes", np.array(list(shapes), dtype=object))
    names = np.array([f"Gebiet {c}" for c in shapes], dtype=object)
    pyogrio.raw.write(path, wkb, [codes, names], ["nr", "Name"], geometry_type="Polygon", crs=crs, driver=driver, **kw)
    return path


def same_rings(a: dict[str, list[np.ndarray]], b: dict[str, list[np.ndarray]], atol: float) -> bool:
    return sorted(a) == sorted(b) and all(
        len(a[c]) == len(b[c]) and all(np.allclose(x, y, rtol=0, atol=atol) for x, y in zip(a[c], b[c], strict=True))
        for c in a
    )


FORMATS = [
    ("GPKG", "stadtteile.gpkg", "EPSG:25832"),
    ("GPKG", "stadtteile.gpkg", "EPSG:4326"),
    ("ESRI Shapefile", "stadtteile.shp", "EPSG:25832"),
    ("ESRI Shapefile", "stadtteile.shp", "EPSG:4326"),
    ("KML", "stadtteile.kml", "EPSG:4326"),
    ("LIBKML", "stadtteile.kml", "EPSG:4326"),
]


@pytest.mark.parametrize(("driver", "name", "crs"), FORMATS)
def test_each_format_gives_the_geojson_rings_and_codes(tmp_path, driver, name, crs):
    shapes = in_crs(squares_metres(), crs)
    from_geojson = geo.load_geometry(write_geojson(tmp_path / "g.geojson", shapes, crs), "nr", codes=CODES)
    from_file = geo.load_geometry(write_ogr(tmp_path / name, shapes, crs, driver), "nr", codes=CODES)
    # (metres) KML stores degrees as text with fewer digits: below a millimetre
    assert same_rings(from_file, from_geojson, atol=1e-3 if "KML" in driver else 1e-9)
    # known answer: the metre squares themselves (4326 round trip: below a millimetre)
    assert same_rings(from_file, squares_metres(), atol=1e-3)
    assert [len(from_file[c]) for c in CODES] == [1, 1, 2]  # 103 keeps its hole


def test_zipped_shapefile_and_integer_codes(tmp_path):
    shapes = squares_metres()
    folder = tmp_path / "shp"
    folder.mkdir()
    write_ogr(folder / "st.shp", shapes, "EPSG:25832", "ESRI Shapefile", codes=np.array([101, 102, 103]))
    archive = tmp_path / "stadtteile.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for part in sorted(folder.iterdir()):
            z.write(part, part.name)
    assert same_rings(geo.load_geometry(archive, "nr", codes=CODES), shapes, atol=1e-6)


def test_clockwise_exteriors_come_out_counter_clockwise(tmp_path):
    """A Shapefile stores exteriors clockwise; the rings read are RFC 7946's orientation, like GeoJSON's."""
    path = write_ogr(tmp_path / "s.shp", squares_metres(), "EPSG:25832", "ESRI Shapefile")
    exterior = geo.load_geometry(path, "nr")["101"][0]
    x, y = exterior[:, 0], exterior[:, 1]
    assert 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))) == pytest.approx(1e6)


@pytest.mark.filterwarnings("ignore:'crs' was not provided")
def test_configured_crs_wins_and_a_file_without_crs_must_be_degrees(tmp_path):
    path = write_ogr(tmp_path / "ohne.shp", squares_metres(), None, "ESRI Shapefile")  # no .prj
    assert not path.with_suffix(".prj").exists()
    with pytest.raises(geo.GeometryError, match=r"keine Längen- und Breitengrade.*analysis\.geometry\.crs"):
        geo.load_geometry(path, "nr")
    assert same_rings(geo.load_geometry(path, "nr", crs="EPSG:25832"), squares_metres(), atol=1e-6)


def test_german_messages_name_the_file_and_the_cause(tmp_path):
    path = write_ogr(tmp_path / "st.gpkg", squares_metres(), "EPSG:25832", "GPKG")
    with pytest.raises(
        geo.GeometryError,
        match=r"In der GeoPackage-Datei .*st.gpkg fehlt bei 3 von 3 Gebieten die Eigenschaft „code“.*Name, nr",
    ):
        geo.load_geometry(path)
    with pytest.raises(
        geo.GeometryError,
        match=r"Stadtteile ohne Gebiet in der Datei: 104. Gebiete in der Datei, die kein Stadtteil der Konfiguration sind: keine",
    ):
        geo.load_geometry(path, "nr", codes=[*CODES, "104"])
    with pytest.raises(geo.GeometryError, match=r"Die Shapefile .*fehlt.shp .*gibt es nicht"):
        geo.load_geometry(tmp_path / "fehlt.shp", "nr")
    broken = tmp_path / "kaputt.gpkg"
    broken.write_text("kein GeoPackage", encoding="utf-8")
    with pytest.raises(geo.GeometryError, match=r"kaputt.gpkg lässt sich nicht als Geodaten lesen"):
        geo.load_geometry(broken, "nr")
    points = tmp_path / "punkte.gpkg"
    pyogrio.raw.write(
        points,
        shapely.to_wkb([shapely.Point(X0, Y0)]),
        [np.array(["101"], dtype=object)],
        ["nr"],
        geometry_type="Point",
        crs="EPSG:25832",
        driver="GPKG",
    )
    with pytest.raises(
        geo.GeometryError,
        match=r"Das Gebiet 101 in .*punkte\.gpkg ist kein Polygon oder MultiPolygon \(Geometrietyp: Point\)",
    ):
        geo.load_geometry(points, "nr")


def test_a_layer_is_chosen_by_config_when_there_are_several(tmp_path):
    path = tmp_path / "mehr.gpkg"
    write_ogr(path, squares_metres(), "EPSG:25832", "GPKG", layer="stadtteile")
    shifted = {c: [r + 5000 for r in rings] for c, rings in squares_metres().items()}
    write_ogr(path, shifted, "EPSG:25832", "GPKG", layer="bezirke", append=True)
    with pytest.raises(geo.GeometryError, match=r"mehrere Ebenen: stadtteile, bezirke.*analysis.geometry.layer"):
        geo.load_geometry(path, "nr")
    assert same_rings(geo.load_geometry(path, "nr", layer="bezirke"), shifted, atol=1e-6)
    with pytest.raises(geo.GeometryError, match=r"keine Ebene „gemeinde“.*Vorhandene Ebenen: stadtteile, bezirke"):
        geo.load_geometry(path, "nr", layer="gemeinde")


# --- the config key: ``file`` (any format), ``geojson`` (its earlier name) -----------------------------


def make_config(tmp_path: Path, geometry: dict) -> Config:
    data = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    data["stadtbezirke"] = []
    data["stadtteile"] = [{"code": c, "slug": f"st-{c}", "name": f"Gebiet {c}"} for c in CODES]
    data["analysis"]["geometry"] = geometry
    return Config.model_validate({**data, "config_path": tmp_path / "kommune.yml"})


def test_file_key_reads_a_shapefile_and_names_its_side_files(tmp_path):
    write_ogr(tmp_path / "st.shp", squares_metres(), "EPSG:25832", "ESRI Shapefile")
    config = make_config(tmp_path, {"file": "st.shp", "id_property": "nr"})
    assert config.geometry_path == config.geojson_path == tmp_path / "st.shp"
    assert [p.name for p in config.geometry_files] == ["st.shp", "st.cpg", "st.dbf", "st.prj", "st.shx"]
    ctx = ReportContext(config=config, year=config.data_years[-1], stadtteil=None, kind="sozialraum")
    assert same_rings(ctx.geometry, squares_metres(), atol=1e-6)


def test_the_earlier_geojson_key_still_works_and_two_files_are_refused(tmp_path):
    write_geojson(tmp_path / "g.geojson", squares_metres(), "EPSG:25832")
    config = make_config(tmp_path, {"geojson": "g.geojson", "id_property": "nr"})
    assert config.geometry_path == tmp_path / "g.geojson" and config.geometry_files == [tmp_path / "g.geojson"]
    ctx = ReportContext(config=config, year=config.data_years[-1], stadtteil=None, kind="sozialraum")
    assert same_rings(ctx.geometry, squares_metres(), atol=1e-6)
    assert make_config(tmp_path, {"geojson": None}).geometry_files == []
    with pytest.raises(ValueError, match=r"file und geojson nennen zwei verschiedene Dateien"):
        make_config(tmp_path, {"file": "st.shp", "geojson": "g.geojson"})
