"""The second example commune (examples/beispielstadt): a fictional town of another shape.

No Stadtbezirke, two-digit Ortsteil codes, four sources in other export layouts, a register in
age bands without citizenship, and seeded Ortsteil polygons, all written by helpers.synth.
"""

from __future__ import annotations

import io
import itertools
import json
import shutil
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from conftest import ROOT
from scipy.spatial import ConvexHull

from helpers.core.config import Layout, load_config
from helpers.core.paths import ProjectPaths
from helpers.synth import (
    RealDataPresentError,
    age_band_labels,
    generate_sample_data,
    layout_csv,
    population_rows,
)
from helpers.synth.geometry import CRS_25832, clip_convex, polygon_area

EXAMPLE = ROOT / "examples" / "beispielstadt"
CONFIG = EXAMPLE / "config" / "beispielstadt.yml"
PARAMS = EXAMPLE / "config" / "sample_beispielstadt.yml"


@pytest.fixture(scope="module")
def config():
    return load_config(CONFIG)


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    """The example generated afresh into an empty copy (config and generator parameters only)."""
    root = tmp_path_factory.mktemp("beispielstadt")
    (root / "config").mkdir()
    for path in (CONFIG, PARAMS):
        shutil.copy(path, root / "config")
    generate_sample_data(load_config(root / "config" / CONFIG.name))
    return root


def _files(folder: Path) -> list[Path]:
    return sorted(p.relative_to(folder) for p in folder.rglob("*") if p.is_file())


# --- the committed example is exactly what the generator writes ------------------------------


def test_committed_example_matches_the_generator(generated):
    committed, fresh = EXAMPLE / "data" / "raw", generated / "data" / "raw"
    assert _files(fresh) == _files(committed)
    for rel in _files(fresh):
        assert (fresh / rel).read_bytes() == (committed / rel).read_bytes(), rel
    polygons = Path("config") / "ortsteile.geojson"
    assert (generated / polygons).read_bytes() == (EXAMPLE / polygons).read_bytes()


def test_only_the_configured_sources_are_written(generated, config):
    assert sorted(config.sources) == ["kita", "population", "sgb2", "unemployment"]
    paths = ProjectPaths(config)
    expected = sorted(
        p.relative_to(paths.raw).as_posix() for source in config.sources for p in paths.raw_source_files(source)
    )
    marker = json.loads((generated / "data/raw/SYNTHETIC.json").read_text(encoding="utf-8"))
    assert sorted(marker["files"]) == expected
    assert len(expected) == 4 * len(config.data_years)
    assert list(marker["geometry"]) == ["config/ortsteile.geojson"]
    written = {p.as_posix() for p in _files(generated / "data/raw")}
    assert written == {*expected, "SYNTHETIC.json"}


def test_the_commune_has_another_shape(config):
    assert config.commune.ags.startswith("05") and len(config.commune.ags) == 8
    assert not config.has_stadtbezirke
    assert all(s.stadtbezirk is None for s in config.stadtteile)
    assert 12 <= len(config.stadtteile) <= 20
    assert [s.code for s in config.stadtteile] == [f"{i:02d}" for i in range(1, 17)]
    assert config.root == EXAMPLE.resolve()
    assert ProjectPaths(config).notebooks.resolve() == (ROOT / "notebooks").resolve()


def test_generator_refuses_to_overwrite_foreign_polygons(tmp_path):
    (tmp_path / "config").mkdir()
    for path in (CONFIG, PARAMS):
        shutil.copy(path, tmp_path / "config")
    (tmp_path / "config" / "ortsteile.geojson").write_text('{"type": "FeatureCollection", "features": []}\n')
    with pytest.raises(RealDataPresentError, match=r"config/ortsteile\.geojson"):
        generate_sample_data(load_config(tmp_path / "config" / CONFIG.name))
    assert not (tmp_path / "data").exists()


# --- polygons -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def polygons(config) -> dict:
    return json.loads(config.geojson_path.read_text(encoding="utf-8"))


def _rings(collection: dict, id_property: str) -> dict[str, list]:
    return {f["properties"][id_property]: f["geometry"]["coordinates"][0] for f in collection["features"]}


def test_polygons_name_their_crs_and_every_ortsteil(polygons, config):
    assert config.analysis.geometry.id_property == "ot_nr"
    assert polygons["type"] == "FeatureCollection"
    assert polygons["crs"] == CRS_25832
    assert polygons["crs"]["properties"]["name"] == "urn:ogc:def:crs:EPSG::25832"
    ids = [f["properties"]["ot_nr"] for f in polygons["features"]]
    assert ids == sorted(s.code for s in config.stadtteile)
    names = {f["properties"]["ot_nr"]: f["properties"]["name"] for f in polygons["features"]}
    assert names == {s.code: s.name for s in config.stadtteile}
    assert all(
        f["geometry"]["type"] == "Polygon" and len(f["geometry"]["coordinates"]) == 1 for f in polygons["features"]
    )


def test_polygon_rings_are_valid(polygons):
    for code, ring in _rings(polygons, "ot_nr").items():
        pts = np.array(ring)
        assert len(ring) >= 4 and ring[0] == ring[-1], code  # closed
        assert len({tuple(p) for p in ring[:-1]}) == len(ring) - 1, code  # no repeated vertex
        assert polygon_area(ring) > 0, code  # counterclockwise (RFC 7946), not degenerate
        edges = np.diff(pts, axis=0)
        turns = edges[:, 0] * np.roll(edges[:, 1], -1) - edges[:, 1] * np.roll(edges[:, 0], -1)
        assert (turns > -1.0).all(), code  # convex (so not self-intersecting), up to rounding
        # UTM 32N metres inside NRW
        assert (pts[:, 0] >= 360_000).all() and (pts[:, 0] <= 380_000).all(), code
        assert (pts[:, 1] >= 5_660_000).all() and (pts[:, 1] <= 5_680_000).all(), code


def test_polygons_tile_the_town_without_overlaps(polygons):
    rings = _rings(polygons, "ot_nr")
    areas = {code: polygon_area(ring) for code, ring in rings.items()}
    # the cells tile the convex outline: their areas add up to the hull of all their vertices
    outline = ConvexHull(np.array([p for ring in rings.values() for p in ring]))
    assert sum(areas.values()) == pytest.approx(outline.volume, rel=1e-5)
    assert 50e6 < outline.volume < 100e6  # 50-100 km², a town of ~60,000
    for (a, ra), (b, rb) in itertools.combinations(sorted(rings.items()), 2):
        overlap = clip_convex(np.array(ra[:-1]), np.array(rb[:-1]))
        assert len(overlap) < 3 or polygon_area(overlap) < 10.0, (a, b)  # m², rounding only


def test_inner_city_ortsteile_are_small(polygons):
    areas = {code: polygon_area(ring) for code, ring in _rings(polygons, "ot_nr").items()}
    median = float(np.median(list(areas.values())))
    small = sorted(code for code, area in areas.items() if area < median / 4)
    assert small == ["01", "02", "03", "04"]
    assert all(areas[c] < 1e6 for c in small)  # each under 1 km²


# --- export layouts -------------------------------------------------------------------------


def test_register_export_has_the_declared_layout(config):
    spec = config.sources["population"]
    layout = spec.layout
    assert spec.age_bands is not None and "Staatsangehörigkeit" in layout.absent
    raw = (EXAMPLE / "data/raw/einwohner/Einwohner_Ortsteile_2023.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")  # UTF-8 without BOM
    lines = raw.decode("utf-8").split("\r\n")
    assert layout.header_row == 2 and lines[0].startswith("Bevölkerung Beispielstadt")
    assert "SYNTHETISCHE BEISPIELDATEN" in lines[0]
    header = lines[1].split(",")
    assert header == ["Stand", "OT-Nr", "Ortsteil", "Altersgruppe", "Geschlecht", "Einwohner"]
    assert header == [
        layout.columns.get(h, h)
        for h in ["Stichtag", "Stadtteil-Nr", "Stadtteil", "Altersgruppe", "Geschlecht", "Anzahl"]
    ]
    assert not any("Staatsangeh" in h for h in header)
    frame = pd.read_csv(io.BytesIO(raw), sep=",", skiprows=1, dtype=str, encoding="utf-8")
    assert set(frame["Stand"]) == {"31.12.2023"}
    assert set(frame["Geschlecht"]) == {"männlich", "weiblich"} == set(layout.values["Geschlecht"])
    labels = ["0-2", "3-5", "6-9", "10-14", "15-17", "18-20", "21-24", "25-29", "30-44", "45-64", "65-79", "80+"]
    assert age_band_labels(spec.age_bands) == labels
    bands = frame["Altersgruppe"].drop_duplicates().tolist()
    assert bands == labels  # every band present, in age order (rows sorted by Ortsteil, band, sex)
    assert not frame.duplicated(["OT-Nr", "Altersgruppe", "Geschlecht"]).any()
    assert sorted(frame["OT-Nr"].unique()) == [s.code for s in config.stadtteile]
    total = frame["Einwohner"].astype(int).sum()
    assert abs(total - 59_000) / 59_000 < 0.005  # the 2022-2025 anchors of sample_beispielstadt.yml


def test_kita_export_has_the_declared_layout(config):
    layout = config.sources["kita"].layout
    raw = (EXAMPLE / "data/raw/kita/Kinderbetreuung_Ortsteile_2025.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8")
    assert text.split("\r\n")[0] == "Stichtag,Ortsteil-Nr,Ortsteil,Altersstufe,Kita,Tagespflege"
    frame = pd.read_csv(io.StringIO(text), sep=layout.delimiter, dtype=str)
    assert set(frame["Stichtag"]) == {"01.03.2025"}
    assert set(frame["Altersstufe"]) == set(layout.values["Altersgruppe"]) == {"0 Jahre", "1-2 Jahre", "3-5 Jahre"}
    assert len(frame) == 3 * len(config.stadtteile)
    assert "Mühlenviertel" in set(frame["Ortsteil"])


def test_ba_workbooks_use_the_declared_sheets(config):
    assert config.sources["sgb2"].layout.sheet == "Ortsteile"
    assert config.sources["unemployment"].layout.sheet is None
    sgb2 = openpyxl.load_workbook(EXAMPLE / "data/raw/ba/SGB2_Ortsteile_202512.xlsx", read_only=True)
    assert sgb2.sheetnames == ["Hinweise", "Ortsteile"]
    rows = list(sgb2["Ortsteile"].iter_rows(values_only=True))
    assert rows[4][0] == "Stadtteil-Nr."
    n = len(config.stadtteile)
    assert [r[0] for r in rows[6 : 6 + n]] == [s.code for s in config.stadtteile]
    assert [r[1] for r in rows[6 + n : 8 + n]] == ["keine Zuordnung möglich", "Insgesamt"]
    alo = openpyxl.load_workbook(EXAMPLE / "data/raw/ba/Arbeitslose_Ortsteile_202512.xlsx", read_only=True)
    assert alo.sheetnames == ["Stadtteile"]


# --- the layout and age-band writers --------------------------------------------------------


def test_layout_csv_renames_recodes_drops_and_offsets():
    layout = Layout(
        encoding="utf-8",
        delimiter=",",
        header_row=3,
        columns={"Stadtteil": "Ortsteil"},
        values={"Geschlecht": {"männlich": "m", "weiblich": "w"}},
        absent=["Stadtteil-Nr"],
    )
    rows = [("01", "Am Markt, Nord", "m", 5), ("01", "Am Markt, Nord", "w", 7)]
    out = layout_csv(["Stadtteil-Nr", "Stadtteil", "Geschlecht", "Anzahl"], rows, layout, "cp1252", "Titel")
    assert out.decode("utf-8") == (
        'Titel\r\n\r\nOrtsteil,Geschlecht,Anzahl\r\n"Am Markt, Nord",männlich,5\r\n"Am Markt, Nord",weiblich,7\r\n'
    )
    standard = layout_csv(["A", "B"], [("x", 1)], Layout(), "cp1252")
    assert standard == b"A;B\r\nx;1\r\n"
    with pytest.raises(ValueError, match="not standard columns"):
        layout_csv(["A"], [], Layout(columns={"Alter": "Jahre"}), "utf-8")
    with pytest.raises(ValueError, match="both mean"):
        layout_csv(["A"], [("x",)], Layout(values={"A": {"x": "1", "y": "1"}}), "utf-8")


def test_age_band_rows_sum_the_single_years():
    frame = pd.DataFrame(
        [
            (2020, "01", "A", age, sex, cit, count)
            for age, n in [(0, 3), (2, 4), (3, 5), (17, 2), (90, 1)]
            for sex in ("m", "w")
            for cit, count in (("deutsch", n), ("nichtdeutsch", 1))
        ],
        columns=["year", "stadtteil_code", "stadtteil_name", "age", "sex", "citizenship", "persons"],
    )
    header, rows = population_rows(frame, 2020, "31.12.2020", [(0, 2), (3, 79), (80, 200)], ("Staatsangehörigkeit",))
    assert header == ["Stichtag", "Stadtteil-Nr", "Stadtteil", "Altersgruppe", "Geschlecht", "Anzahl"]
    assert [r[3:] for r in rows] == [
        ("0-2", "m", 9),
        ("0-2", "w", 9),
        ("3-79", "m", 9),
        ("3-79", "w", 9),
        ("80+", "m", 2),
        ("80+", "w", 2),
    ]
    assert sum(r[-1] for r in rows) == frame["persons"].sum()
    with pytest.raises(ValueError, match="contiguous"):
        age_band_labels([(0, 2), (4, 10)])
