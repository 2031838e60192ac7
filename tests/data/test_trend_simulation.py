"""Quick version of benchmarks/simulate_trends.py, and the committed study behind the methods page."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

from helpers.site.pages import METHOD_ANNEX

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "benchmarks" / "simulation_trends_results.json"


@pytest.fixture(scope="module")
def study():
    spec = importlib.util.spec_from_file_location("simulate_trends", ROOT / "benchmarks" / "simulate_trends.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_quick_study_finds_the_planted_trends_and_keeps_the_null(study):
    rng = np.random.default_rng(2025)
    sample = study.metrics([study.replicate(rng, "sample") for _ in range(6)])
    assert sample["power"] >= 0.8  # 24 planted series: the sample's trends are found
    assert sample["fpr_per_area"] <= 0.1
    null = study.metrics([study.replicate(rng, "null_persistent") for _ in range(6)])
    assert null["fpr_per_area"] <= 0.05 and null["coverage_95"] >= 0.8
    assert null["widest_half_pp_per_year"] <= 10


def test_clopper_pearson_by_hand(study):
    # 0 of 200: upper limit 1 − 0,025^(1/200) = 0,018277
    assert study.clopper_pearson(0.0, 200)[1] == pytest.approx(1 - 0.025 ** (1 / 200), rel=1e-6)


def test_committed_study_meets_its_targets():
    results = json.loads(RESULTS.read_text(encoding="utf-8"))
    assert results["k"] >= 200
    scenarios = results["scenarios"]
    for name, m in scenarios.items():
        assert m["widest_half_pp_per_year"] <= 10, name
        if "coverage_95" in m:
            assert 0.93 <= m["coverage_95"] <= 0.97, name
    assert scenarios["sample"]["power"] >= 0.9
    assert scenarios["sample"]["fdr"] <= 0.05
    assert scenarios["u3_expansion"]["city_rising"] == 1.0 and scenarios["u3_expansion"]["rising_areas"] >= 0.9
    assert scenarios["null_iid"]["fpr_family_ci"][0] <= 0.05
    # the city, a sum of null areas, is not called rising or falling more often than nominal
    assert all(m["city_fpr"] <= 0.05 for m in scenarios.values() if "city_fpr" in m)


def test_methods_page_cites_the_committed_trend_study():
    results = json.loads(RESULTS.read_text(encoding="utf-8"))
    text = METHOD_ANNEX["Trends"]
    sample = results["scenarios"]["sample"]
    covers = [round(100 * m["coverage_95"]) for m in results["scenarios"].values() if "coverage_95" in m]
    assert f"({results['k']} Wiederholungen je Fall" in text
    assert f"in {min(covers)}–{max(covers)} % der Fälle" in text
    assert f"in {round(100 * sample['power'])} % gefunden" in text
    assert f"Falschmeldungen unter den Trends lagen bei {round(100 * sample['fdr'])} %" in text
    weak = results["power_curve_sample_design"]["0.01"]["power"]
    assert "rund der Hälfte" in text and 0.35 <= weak <= 0.65
    rate = {n: round(100 * m["fpr_family"]) for n, m in results["scenarios"].items() if "fpr_family" in m}
    assert (
        f"in {rate['null_persistent']} % der Fälle bei anhaltenden und in {rate['null_iid']} % bei unabhängigen" in text
    )
    assert f"mit 5 Jahren und 45 Gebieten {rate['short_5']} %, mit 8 Jahren und 86 Gebieten {rate['short_8']} %" in text
