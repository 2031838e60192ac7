"""Sample-data generator: reproducible bytes, calibrated totals, consistent cohorts."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
import yaml
from conftest import CONFIG, ROOT

from helpers.core.config import load_config
from helpers.core.paths import ProjectPaths
from helpers.sources.population import load_population
from helpers.synth import RealDataPresentError, generate_sample_data, load_generator_params
from helpers.synth.population import PopulationParams, city_totals


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """The full Leverkusen sample, generated twice into two fresh project folders."""
    roots = []
    for name in ("a", "b"):
        root = tmp_path_factory.mktemp(name)
        (root / "config").mkdir()
        shutil.copy(CONFIG, root / "config")
        shutil.copy(ROOT / "config" / "sample_leverkusen.yml", root / "config")
        config = load_config(root / "config" / "leverkusen.yml")
        generate_sample_data(config)
        roots.append(root)
    return roots


def test_same_seed_gives_byte_identical_files(generated):
    a, b = generated
    files_a = sorted(p.relative_to(a) for p in (a / "data" / "raw").rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(b) for p in (b / "data" / "raw").rglob("*") if p.is_file())
    assert files_a == files_b and len(files_a) > 17  # 16 years per yearly source + marker
    for rel in files_a:
        assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel


def test_committed_sample_matches_the_generator(generated):
    """data/raw in the repository is exactly what the generator writes."""
    a = generated[0]
    for path in (a / "data" / "raw").rglob("*"):
        if path.is_file():
            assert (ROOT / path.relative_to(a)).read_bytes() == path.read_bytes(), path.name


def test_other_seed_gives_other_counts(tmp_path):
    (tmp_path / "config").mkdir()
    shutil.copy(ROOT / "config" / "sample_leverkusen.yml", tmp_path / "config")
    data = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    data["sample_data"]["seed"] = 1
    (tmp_path / "config" / "l.yml").write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    generate_sample_data(load_config(tmp_path / "config" / "l.yml"))
    other = (tmp_path / "data/raw/einwohner/EWO_Bestand_2025-12-31.csv").read_bytes()
    assert other != (ROOT / "data/raw/einwohner/EWO_Bestand_2025-12-31.csv").read_bytes()


@pytest.fixture(scope="module")
def population(generated):
    config = load_config(generated[0] / "config" / "leverkusen.yml")
    return config, load_population(ProjectPaths(config).raw_source_files("population"), config)


def test_city_totals_match_the_register_anchors(population):
    config, single = population
    totals = single.groupby("year")["persons"].sum()
    params = PopulationParams.from_dict(load_generator_params(config)["population"])
    expected = dict(zip(config.data_years, city_totals(params, config.data_years), strict=True))
    # Reported register totals (sources in config/sample_leverkusen.yml).
    for year, reported in {2012: 162009, 2020: 167078, 2021: 166993, 2023: 169658}.items():
        assert abs(totals[year] - reported) / reported < 0.001, year
    for year in config.data_years:
        assert abs(totals[year] - expected[year]) / expected[year] < 0.001, year


def test_structure_is_plausible(population):
    _, single = population
    y2023 = single[single["year"] == 2023]
    non_german = y2023.loc[y2023["citizenship"] == "nichtdeutsch", "persons"].sum()
    assert abs(non_german - 33520) / 33520 < 0.01  # KSTA 2024: 33,520 non-Germans
    female = y2023.loc[y2023["sex"] == "w", "persons"].sum() / y2023["persons"].sum()
    assert 0.505 < female < 0.515
    u15 = single[single["age"] < 15].groupby("year")["persons"].sum()
    assert 22_000 < u15[2016] < 24_000  # Netzwerk Kinderarmut: 22,958 under 15 (~2016)


def test_cohorts_are_consistent(population):
    """Children aged 6 are about the births (age 0) six years earlier (net migration small)."""
    _, single = population
    by_age = single.groupby(["year", "age"])["persons"].sum()
    for year in range(2016, 2026):
        ratio = by_age[(year, 6)] / by_age[(year - 6, 0)]
        assert 0.9 < ratio < 1.15, (year, ratio)
    births_2023 = by_age[(2023, 0)]
    assert abs(births_2023 - 1444) < 60  # KSTA: 1,444 births in 2023


def test_stadtteile_keep_their_reported_sizes(population):
    _, single = population
    y2021 = single[single["year"] == 2021].groupby("stadtteil_code")["persons"].sum()
    for code, reported in {"201": 25267, "103": 16321, "302": 15163}.items():
        assert abs(y2021[code] - reported) / reported < 0.03, code
    assert y2021.idxmax() == "301" or y2021.idxmax() == "201"


def test_export_format_is_windows_1252_with_german_headers(generated):
    raw = (generated[0] / "data/raw/einwohner/EWO_Bestand_2021-12-31.csv").read_bytes()
    assert raw.startswith(
        "Stichtag;Stadtteil-Nr;Stadtteil;Alter;Geschlecht;Staatsangehörigkeit;Anzahl\r\n".encode("cp1252")
    )
    assert "Küppersteg".encode("cp1252") in raw
    assert b"31.12.2021;" in raw


def test_generator_refuses_to_overwrite_real_data(generated):
    root = generated[1]
    config = load_config(root / "config" / "leverkusen.yml")
    real = root / "data/raw/einwohner/EWO_Bestand_2024-12-31.csv"
    real.write_bytes(real.read_bytes().replace(b";1\r\n", b";2\r\n", 1))
    with pytest.raises(RealDataPresentError, match=r"EWO_Bestand_2024-12-31\.csv"):
        generate_sample_data(config)
    marker = json.loads((root / "data/raw/SYNTHETIC.json").read_text())
    assert marker["seed"] == config.sample_data.seed


def test_interpolation_known_answer():
    from helpers.synth.population import interpolate_anchors

    values = interpolate_anchors({2012: 162009, 2020: 167078}, [2012, 2016, 2020, 2022])
    assert np.allclose(values, [162009, 164543.5, 167078, 167078])


def test_raw_folder_documents_itself():
    text = (ROOT / "data/raw/README.md").read_text(encoding="utf-8")
    assert "synthetic" in text and "Replacing the sample" in text


def _small(root, years):
    from conftest import copy_config_files, small_config_dict

    copy_config_files(root / "config", {"101", "201"})
    (root / "config" / "small.yml").write_text(yaml.safe_dump(small_config_dict(years), allow_unicode=True))
    return load_config(root / "config" / "small.yml")


def test_next_year_adds_exactly_what_a_full_run_for_that_year_writes(tmp_path):
    """2024–2025 plus one year: the 2026 files and the all-years files equal those of a run for
    2024–2026; the 2024–2025 per-year files keep their bytes; the marker lists everything."""
    from helpers.synth import generate_next_year

    grown = _small(tmp_path / "grown", (2024, 2025))
    generate_sample_data(grown)
    raw = tmp_path / "grown" / "data" / "raw"
    before = {p: p.read_bytes() for p in raw.rglob("*") if p.is_file()}
    written = generate_next_year(grown)
    assert all("2024" not in p.name and "2025" not in p.name for p in written)
    full = _small(tmp_path / "full", (2024, 2026))
    generate_sample_data(full)
    full_raw = tmp_path / "full" / "data" / "raw"
    for path in full_raw.rglob("*"):
        if path.is_file() and path.name != "SYNTHETIC.json":
            mine = raw / path.relative_to(full_raw)
            if any(y in path.name for y in ("2024", "2025")):
                assert mine.read_bytes() == before[mine], path.name  # earlier per-year file untouched
            else:
                assert mine.read_bytes() == path.read_bytes(), path.name
    marker = json.loads((raw / "SYNTHETIC.json").read_text())
    listed = {p.relative_to(raw).as_posix() for p in raw.rglob("*") if p.is_file() and p.name != "SYNTHETIC.json"}
    assert set(marker["files"]) == listed


def test_next_year_refuses_to_extend_real_data(tmp_path):
    from helpers.synth import generate_next_year

    config = _small(tmp_path, (2024, 2025))
    generate_sample_data(config)
    real = tmp_path / "data/raw/einwohner/EWO_Bestand_2024-12-31.csv"
    real.write_bytes(real.read_bytes().replace(b";1\r\n", b";2\r\n", 1))
    with pytest.raises(RealDataPresentError, match=r"EWO_Bestand_2024-12-31\.csv"):
        generate_next_year(config)
    assert not (tmp_path / "data/raw/einwohner/EWO_Bestand_2026-12-31.csv").exists()
