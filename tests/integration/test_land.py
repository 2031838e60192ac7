"""The Land run: synthetic communes, the Land page (confidentiality, funnel, comparisons) and,
end to end, three communes on a LocalCluster with one broken on purpose."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from helpers.core.config import load_config
from helpers.site.land_page import LandCommune, Missing, cell_text, comparison_choice, render_land_page
from helpers.synth.communes import SOURCE_SETS, _draw_shape, commune_rng, generate_communes
from helpers.tools.land import failure_message, resolve_inputs, run_land, write_if_changed

HEADER = (
    "indikator,jahr,ebene,gebiet_kennziffer,gebiet,zaehler,nenner,wert,ki95_unten,ki95_oben,gepoolt_ab_jahr,zeichen"
)
CATALOGUE = (
    "indikator,name,kurzname,definition,einheit,lebensphase,richtung,art,stichtag,quelle_zaehler,quelle_nenner,"
    "konfidenzintervall,poolung_jahre,hinweis\n"
    'sgb2_u15,"Kinder unter 15 in SGB II","SGB-II-Quote unter 15",d,%,Lebenslage,niedriger ist besser,Status,'
    "Dezember,BA,Register,Wilson,,\n"
)


def _fake_commune(folder: Path, ags: str, name: str, ctype: str, city_rows: list[str]) -> LandCommune:
    """A commune config and published open data only (no build): what the Land page reads."""
    root = folder / ags
    (root / "config").mkdir(parents=True)
    (root / "config" / "kommune.yml").write_text(
        f'commune: {{name: {name}, ags: "{ags}", type: {ctype}}}\n'
        'stadtteile: [{code: "01", slug: a, name: A}, {code: "02", slug: b, name: B}]\n'
        "years: {data: {first: 2024, last: 2025}, report_count: 1}\n"
        'age_bands: [["alle", 0, 200]]\n'
        "sources: {population: {pattern: 'e_{year}.csv', holder: Register}}\n",
        encoding="utf-8",
    )
    opendata = root / "reports" / "opendata"
    opendata.mkdir(parents=True)
    rows = [f"sgb2_u15,2025,stadt,{ags},{name},{r}" for r in city_rows]
    (opendata / "indikatoren.csv").write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    (opendata / "indikatorenkatalog.csv").write_text(CATALOGUE, encoding="utf-8")
    return LandCommune(load_config(root / "config" / "kommune.yml"))


def test_generated_communes_vary_in_size_shape_and_sources():
    shapes = [_draw_shape(commune_rng(19, k), k, (3, 40), (8_000, 300_000)) for k in range(24)]
    assert all(3 <= s["n_areas"] <= 40 for s in shapes)
    assert len({s["n_areas"] for s in shapes}) > 10
    assert {bool(s["bezirke"]) for s in shapes} == {True, False}
    assert {s["polygons"] for s in shapes} == {True, False}
    assert {s["sources"] for s in shapes} == set(SOURCE_SETS)


def _digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_generated_communes_are_seeded_and_marked_synthetic(tmp_path):
    one = generate_communes(tmp_path / "a", 1, seed=7, years=(2024, 2025), areas=(3, 4))
    two = generate_communes(tmp_path / "b", 2, seed=7, years=(2024, 2025), areas=(3, 4))
    assert [c.ags for c in two] == ["05980001", "05980002"] and one[0].name == two[0].name
    # commune 1 is the same whatever the number of communes (config paths aside, which name the folder)
    a, b = (_digest(tmp_path / x / "kommunen" / "05980001" / "data") for x in ("a", "b"))
    assert a == b and any(name.endswith("SYNTHETIC.json") for name in a)
    assert "SYNTHETISCHE BEISPIELDATEN" in one[0].config.read_text(encoding="utf-8")
    assert load_config(one[0].config).sample_data is not None


def test_cell_text_keeps_the_published_symbols():
    assert cell_text({"wert": "", "zeichen": "."}) == "."
    assert cell_text({"wert": "12.345", "zeichen": ""}) == "12,3"
    assert cell_text(None) == "x"


def test_land_page_publishes_only_what_the_communes_published(tmp_path):
    secret = _fake_commune(tmp_path, "05980001", "Geheimstadt", "Gemeinde", [",812,,,,,."])
    published = [
        _fake_commune(tmp_path, "05980002", "Adorf", "Gemeinde", ["150,1000,15.000,12.9,17.3,,"]),
        _fake_commune(tmp_path, "05980003", "Bestadt", "Gemeinde", ["300,1500,20.000,18.0,22.1,,"]),
        _fake_commune(tmp_path, "05980004", "Cedorf", "Gemeinde", ["90,1200,7.500,6.1,9.1,,"]),
    ]
    page = tmp_path / "land" / "index.html"
    html = render_land_page("Testland", [secret, *published], [Missing("05980009", "Kaputtheim", "Rohdaten")], page)
    table = html.split('id="kennzahlen"')[1].split('id="trichter"')[0]
    # the secret city value is "." on the Land page, as in the commune's own open data
    assert re.search(r'Geheimstadt</a></th><td class="num">\.</td>', table)
    # the published values appear as published (rounded), the Land value uses published counts only
    for value in ("15,0", "20,0", "7,5"):
        assert f'<td class="num">{value}</td>' in table
    land = f"{(150 + 300 + 90) / (1000 + 1500 + 1200) * 100:.1f}".replace(".", ",")
    assert f'<td class="num">{land}</td></tr>' in table
    # the secret commune is not in the funnel, and that is said; the missing commune is named
    assert "Nicht im Diagramm" in html and "Geheimstadt." in html.split('id="trichter"')[1]
    assert "Kaputtheim (05980009): nicht erstellt – Rohdaten" in html
    assert "keine neue Zahl" in html
    # the page links each commune's start page, relative to the Land page
    assert 'href="../05980002/reports/index.html"' in html
    # same inputs, same bytes
    assert (
        render_land_page("Testland", [secret, *published], [Missing("05980009", "Kaputtheim", "Rohdaten")], page)
        == html
    )


def test_comparison_communes_nearest_in_size_and_type(tmp_path):
    sizes = {"05980001": 10_000, "05980002": 11_000, "05980003": 60_000, "05980004": 12_000}
    types = {"05980001": "Gemeinde", "05980002": "Gemeinde", "05980003": "Gemeinde", "05980004": "Stadt"}
    communes = [_fake_commune(tmp_path, a, f"K{a[-1]}", types[a], [",,,,,,."]) for a in sizes]
    for c in communes:
        c.__dict__["residents"] = sizes[c.ags]  # the cached register size
    choice = comparison_choice(communes, {"05980003": ["05980004"]}, 2)
    assert choice["05980001"] == (["05980002", "05980004"], False)  # 05980004 is closer in size than 003
    assert choice["05980003"] == (["05980004"], True)


def test_failure_message_and_atomic_unchanged_write(tmp_path):
    out = "!! process:population: Rohdaten fehlerhaft\n  Datei x.csv\nFertig: 0 ausgeführt, 0 aktuell, 1 fehlgeschlagen (0:01).\n"
    assert failure_message(out, "") == "!! process:population: Rohdaten fehlerhaft\n  Datei x.csv"
    assert "Konfiguration" in failure_message("", "Konfiguration kaputt\n")
    target = tmp_path / "p.html"
    assert write_if_changed(target, b"a") and not write_if_changed(target, b"a") and write_if_changed(target, b"b")


def test_resolve_inputs_reads_a_land_config(tmp_path):
    c = _fake_commune(tmp_path / "kommunen", "05980001", "Adorf", "Gemeinde", [",,,,,,."])
    (tmp_path / "land.yml").write_text(
        "name: Testland\ncommunes: ['kommunen/*/config/kommune.yml']\nworkers: 3\noutput: seite\n", encoding="utf-8"
    )
    settings, configs, base = resolve_inputs([str(tmp_path)])
    assert settings.name == "Testland" and settings.workers == 3 and configs == [c.config.config_path]
    assert base == tmp_path.resolve()


def _snapshot(folder: Path) -> dict[str, int]:
    return {p.as_posix(): p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


@pytest.mark.integration
def test_land_run_on_a_local_cluster(tmp_path):
    communes = generate_communes(tmp_path, 3, seed=19, years=(2023, 2025), areas=(3, 5), residents=(8_000, 20_000))
    broken = communes[1]
    raw = broken.config.parent.parent / "data" / "raw" / "einwohner" / "Einwohner_2024.csv"
    raw.write_bytes(raw.read_bytes() + b"kaputt;;;;;;\n")
    out = tmp_path / "reports"
    lines: list[str] = []
    run = run_land([c.config for c in communes], out, workers=2, log=lines.append)
    assert [o.ags for o in run.failed] == [broken.ags]
    assert "Rohdaten fehlerhaft" in run.failed[0].message
    assert f"Fehlgeschlagen: {broken.name} ({broken.ags})" in lines[-1]
    good = [c for c in communes if c is not broken]
    for c in good:
        assert (c.config.parent.parent / "reports" / "index.html").is_file()
    html = run.page.read_text(encoding="utf-8")
    assert f"{broken.name} ({broken.ags}): nicht erstellt" in html
    assert all(c.name in html for c in good) and "Synthetische Beispieldaten" in html
    before = _snapshot(tmp_path / "kommunen") | _snapshot(out)

    again = run_land([c.config for c in communes], out, workers=2, log=lines.append)
    assert not again.page_written
    assert [o.executed for o in again.outcomes if o.ok] == [0, 0]
    after = _snapshot(tmp_path / "kommunen") | _snapshot(out)
    changed = {p for p in after if before.get(p) != after[p] and "/kommunen/" + broken.ags not in p}
    assert not {p for p in changed if "/build/" not in p and not p.endswith(".doit.db")}, changed


def test_docs_scale_table_is_the_committed_benchmark():
    """The Land run page's scale table and extrapolation come from benchmarks/land_scale_results.json."""
    import json
    import re

    root = Path(__file__).resolve().parents[2]
    rows = json.loads((root / "benchmarks" / "land_scale_results.json").read_text(encoding="utf-8"))["rows"]
    readme = (root / "docs" / "land-run.md").read_text(encoding="utf-8")
    by = {(r["n"], r["workers"]): r for r in rows}
    table = {
        int(m[0]): m
        for m in re.findall(r"^\| (\d+) \| ([\d.]+) s \| ([\d.]+) s \| ([\d.]+) s \| .* \| ([\d.]+) \|$", readme, re.M)
    }
    assert sorted(table) == sorted({r["n"] for r in rows}) == [1, 2, 4, 8, 16]
    for n, (_, one, two, per, eff) in table.items():
        assert float(one) == by[(n, 1)]["wall_s"] and float(two) == by[(n, 2)]["wall_s"]
        assert float(per) == by[(n, 2)]["per_commune_s"]
        assert float(eff) == round(by[(n, 1)]["wall_s"] / by[(n, 2)]["wall_s"] / 2, 2)
    largest = by[(16, 2)]
    per_worker = 2 * largest["per_commune_s"]
    assert f"wall time per commune and worker as\nmeasured with 2 workers, {per_worker:.1f} s" in readme
    assert f"396 × {per_worker:.1f} s / 16 workers ≈ {round(396 * per_worker / 16 / 60)} min" in readme
    assert f"takes {largest['noop_s']} s with 2 workers" in readme
