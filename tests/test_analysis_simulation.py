"""Quick version of benchmarks/simulate_social.py: a few seeded replicates, generous bounds."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def results() -> dict:
    spec = importlib.util.spec_from_file_location("simulate_social", ROOT / "benchmarks" / "simulate_social.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.run(k=8, seed=2016)


def test_trend_intervals_cover_and_control_false_positives(results):
    ar1, naive = results["trend_ar1"], results["trend_naive_independent"]
    assert abs(ar1["bias"]) < 0.01
    assert ar1["coverage_95"] >= 0.85  # 104 intervals: 95 % expected, 85 % is far below any chance dip
    assert ar1["fpr_single"] <= 0.15
    assert naive["coverage_95"] < ar1["coverage_95"]  # independence is the problem the model fixes


def test_funnel_flags_are_rare_under_the_null(results):
    funnel = results["funnel"]
    assert funnel["fpr_unusual_998_single"] <= 0.03  # nominal 0.2 % per area, 104 areas
    assert funnel["fpr_beyond_od_single"] <= 0.05
    assert funnel["power_beyond_od_outlier"] >= 0.25


def test_dynamics_classes_stable_where_nothing_is_planted(results):
    for block in ("dynamics_window5", "dynamics_window16"):
        assert results[block]["stable_where_none"] >= 0.85
    assert results["dynamics_window16"]["agree_planted"] >= 0.05


def test_methods_page_cites_the_committed_simulation_figures():
    """The figures the methods page quotes come from benchmarks/simulation_social_results.json."""
    import json
    from pathlib import Path

    from helpers.site.pages import METHODS

    results = json.loads((Path(__file__).parents[1] / "benchmarks" / "simulation_social_results.json").read_text())
    text = dict(METHODS)["Trends"]
    new, old = results["trend_ar1"], results["trend_naive_independent"]
    assert f"({results['k']} Wiederholungen" in text
    assert f"{round(100 * new['coverage_95'])} % Überdeckung" in text
    assert f"{round(100 * new['fpr_single'])} % Fehlalarme" in text
    assert f"(vorher {round(100 * old['coverage_95'])} % und {round(100 * old['fpr_single'])} %)" in text
