"""Maps of real-city sizes: a Köln-like city (86 Stadtteile in 9 Stadtbezirke, a dense core) and a
Münster-like one (45 Stadtteile, official two-digit codes with gaps, Coerde = 61). Every area is
identifiable on the map (its name, or its official code with the key), no two labels overlap, and
the Stadtbezirk borders are drawn."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import yaml
from conftest import CONFIG
from test_maps import SVG, key_lines, label_boxes, svg_tree

from helpers.core.config import Config
from helpers.report import geometry as geo
from helpers.report import maps
from helpers.synth.geometry import ortsteil_polygons

BASE = [
    "Altstadt", "Neustadt", "Deutz", "Kalk", "Mülheim", "Ehrenfeld", "Nippes", "Chorweiler", "Porz", "Rodenkirchen",
    "Lindenthal", "Sülz", "Klettenberg", "Bayenthal", "Marienburg", "Raderberg", "Zollstock", "Bickendorf",
    "Ossendorf", "Bocklemünd", "Longerich", "Weidenpesch", "Merheim", "Brück", "Rath", "Ostheim", "Vingst",
    "Höhenberg", "Humboldt", "Gremberg", "Poll", "Westhoven", "Ensen", "Urbach", "Grengel", "Wahnheide",
    "Lind", "Libur", "Zündorf", "Langel", "Worringen", "Roggendorf", "Fühlingen",
]  # fmt: skip


def city(tmp_path, codes_by_bezirk: dict[str, list[str]], names: dict[str, str], seed: int = 7):
    """A config with these Stadtteile and seeded Voronoi polygons (a compact core of small areas)."""
    data = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    data["stadtbezirke"] = [{"code": b, "name": f"Bezirk {b}"} for b in codes_by_bezirk]
    data["stadtteile"] = [
        {"code": c, "slug": f"st-{c}", "name": names[c], "stadtbezirk": b}
        for b, codes in codes_by_bezirk.items()
        for c in codes
    ]
    data["analysis"]["geometry"] = {}
    config = Config.model_validate({**data, "config_path": tmp_path / "stadt.yml"})
    codes = sorted(names)
    params = {
        "center": [356_000, 5_645_000],
        "radius_m": 12_000,
        "elongation": 1.1,
        "outline_vertices": 24,
        "rings": [{"codes": codes[:6], "radius_m": 500}, {"codes": codes[6:16], "radius_m": 1500}],
        "scattered_min_spacing_m": 1800,
        "edge_margin_m": 300,
    }
    rings = ortsteil_polygons(params, names, np.random.default_rng(seed))
    return config, {c: [np.asarray(r[:-1], float)] for c, r in rings.items()}


def koeln(tmp_path):
    per = [10, 9, 10, 9, 10, 9, 10, 10, 9]  # 86 Stadtteile in 9 Stadtbezirke
    codes = {str(b): [f"{b}{k:02d}" for k in range(1, n + 1)] for b, n in enumerate(per, 1)}
    flat = [c for cs in codes.values() for c in cs]
    names = {c: BASE[i % len(BASE)] + ("" if i < len(BASE) else "-Nord") for i, c in enumerate(flat)}
    return city(tmp_path, codes, names)


def muenster(tmp_path):
    per = [8, 8, 7, 7, 8, 7]  # 45 Stadtteile, codes 11-18, 21-28, …, 61-67
    codes = {str(b): [f"{b}{k}" for k in range(1, n + 1)] for b, n in enumerate(per, 1)}
    flat = [c for cs in codes.values() for c in cs]
    names = {c: BASE[i % len(BASE)] + ("" if i < len(BASE) else "-Süd") for i, c in enumerate(flat)}
    names["61"] = "Coerde"
    return city(tmp_path, codes, names, seed=11)


@pytest.mark.parametrize("make, n", [(koeln, 86), (muenster, 45)])
def test_svg_map_names_or_keys_every_area_by_its_official_code(tmp_path, make, n):
    config, geometry = make(tmp_path)
    assert len(config.stadtteile) == n
    values = {s.code: 5.0 + i % 30 for i, s in enumerate(config.stadtteile)}
    m = maps.stadtteil_map(config, values, "Titel", "Quelle: Test", "%", geometry=geometry)
    boxes = label_boxes(m)
    key = key_lines(m.html())
    for s in config.stadtteile:
        if f"name-{s.code}" in boxes:
            continue
        assert f"number-{s.code}" in boxes  # the official code on the map, not a running number
        assert f"{s.code} {s.name}: {fmt(values[s.code])}" in key
    for a, b in itertools.combinations(boxes.values(), 2):
        assert not geo.boxes_overlap(a, b)
    # the legend is HTML above the map: nothing of it is drawn where a label could lie under it
    assert all(e.text not in m.svg() for e in m.legend)
    # the Stadtbezirk outlines: one thick path per Bezirk (a Bezirk may have more than one part)
    thick = [
        p for p in svg_tree(m).iter(f"{SVG}path") if p.get("stroke-width") == str(maps.BEZIRK_STYLE["stroke-width"])
    ]
    assert len(thick) == len(m.bezirke) == len(config.stadtbezirke)
    assert float(thick[0].get("stroke-width")) > float(maps.AREA_EDGE["stroke-width"])
    assert "Grenze eines Stadtbezirks" in [e.text for e in m.legend]


def fmt(x: float) -> str:
    return f"{x:.1f}".replace(".", ",")


def test_muenster_key_lists_coerde_as_61(tmp_path):
    config, geometry = muenster(tmp_path)
    m = maps.stadtteil_map(config, {}, "T", "Quelle: Test", "Status", classes=["hoch"], geometry=geometry)
    boxes = label_boxes(m)
    key = key_lines(m.html())
    coerde = next(a for a in m.areas if a["code"] == "61")
    assert ("name-61" in boxes and coerde["lines"][0] == "Coerde") or ("number-61" in boxes and "61 Coerde" in key)
    assert not any(line.startswith("27 Coerde") for line in key)
    # every area in the key goes by its official code (11-18, 21-28, …, 61-67), never by 1-38
    codes = {s.name: s.code for s in config.stadtteile}
    assert key and all(line.split(" ", 1)[0] == codes[line.split(" ", 1)[1].split(":")[0]] for line in key)


@pytest.mark.parametrize("make", [koeln, muenster])
def test_start_page_value_map_identifies_every_area_without_overlaps(tmp_path, make):
    config, geometry = make(tmp_path)
    values = {s.code: 5.0 + i % 30 for i, s in enumerate(config.stadtteile)}
    shown = {c: fmt(v) + " %" for c, v in values.items()}
    m = geo.value_map(config, geometry, values, shown)
    assert [a["code"] for a in m["areas"]] == [s.code for s in config.stadtteile]
    for a in m["areas"]:
        assert a["label"] is not None or (a["marker"] is not None and a["marker"]["text"] == a["code"])
    for a, b in itertools.combinations(m["boxes"], 2):
        assert not geo.boxes_overlap(a, b)
    assert all(b[0] >= 0 and b[2] <= m["width"] and b[1] >= 0 and b[3] <= m["height"] for b in m["boxes"])
    assert len(m["bezirke"]) == len(config.stadtbezirke)
    # classes from the published values only: 5.0 … 34.0 in steps of 10 (4 classes), darker = higher
    assert m["breaks"] == [10.0, 20.0, 30.0]
    fills = {a["code"]: a["fill"] for a in m["areas"]}
    low, high = min(values, key=values.get), max(values, key=values.get)
    assert fills[low] == geo.LEVEL[0] and fills[high] == geo.LEVEL[4]
