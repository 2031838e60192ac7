"""Quick version of benchmarks/simulate_funnel.py (few seeded replicates, small), and the methods
page's funnel figures tied to the committed benchmarks/simulate_funnel_results.json."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _module():
    spec = importlib.util.spec_from_file_location("simulate_funnel", ROOT / "benchmarks" / "simulate_funnel.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def quick() -> dict:
    return _module().run(k=20, seed=7, areas=(4, 13), settings=("near_100", "typical_share"))


def _cell(results: dict, setting: str, areas: int, tau: float, outlier: bool) -> dict:
    (cell,) = [
        c
        for c in results["cells"]
        if (c["setting"], c["areas"], c["tau"], c["outlier"]) == (setting, areas, tau, outlier)
    ]
    return cell


def test_clopper_pearson_by_hand():
    sim = _module()
    # 0 of n: upper bound 1 − 0,025^(1/n); n = 100 → 1 − exp(−3,688879/100) = 1 − 0,963783 = 0,036217
    assert sim.clopper_pearson(0, 100) == pytest.approx((0.0, 0.036217), abs=1e-6)
    # 5 of 10: symmetric around one half, the exact interval 0,187086–0,812914
    assert sim.clopper_pearson(5, 10) == pytest.approx((0.187086, 0.812914), abs=1e-6)


def test_quick_simulation_keeps_false_flags_rare(quick):
    for cell in quick["cells"]:
        # 20 replicates: at most 260 ordinary areas; one false flag is 0,3 %, three would be far above 0,2 %
        assert cell["false_beyond_area"]["hits"] <= 2, cell
    # near 100 % without over-dispersion the old interpolated flag calls ~2–3 % of areas "über/unter 99,8 %"
    # (nominal 0,2 %); the exact tail does not
    near = _cell(quick, "near_100", 13, 0.0, False)
    assert near["false_unusual_area"]["hits"] <= 2
    assert near["legacy_false_unusual_area"]["rate"] > near["false_unusual_area"]["rate"]


def test_quick_simulation_finds_a_clear_outlier(quick):
    # 13 typical areas without other differences: an area at logit + 1 (15 % → 32 %) is always found
    assert _cell(quick, "typical_share", 13, 0.0, True)["power_outlier"]["rate"] >= 0.9
    # with only 4 areas the spread cannot be estimated well enough: the band is wide, nothing is called
    assert _cell(quick, "typical_share", 4, 0.3, True)["false_beyond_area"]["hits"] == 0


def _committed() -> dict:
    return json.loads((ROOT / "benchmarks" / "simulate_funnel_results.json").read_text(encoding="utf-8"))


def _pct(x: float, digits: int = 2) -> str:
    return f"{100 * x:.{digits}f}".replace(".", ",")


def test_committed_study_keeps_the_nominal_rate_in_every_cell():
    results = _committed()
    assert results["k"] >= 200
    assert {c["areas"] for c in results["cells"]} == {4, 13, 150}
    for cell in results["cells"]:
        for key in ("false_beyond_area", "false_unusual_area"):
            if key in cell:  # the lower Monte Carlo bound never exceeds the nominal 0,2 % per area
                assert cell[key]["ci_low"] <= 0.002, (key, cell)


def test_methods_page_cites_the_committed_funnel_figures():
    from helpers.site.pages import METHOD_ANNEX

    results = _committed()
    text = METHOD_ANNEX["Trichterdiagramme"]
    s = results["summary"]
    assert f"({results['k']} Wiederholungen je Fall" in text
    worst = s["max_false_beyond_area"]
    assert f"höchstens {_pct(worst['rate'])} %, Monte-Carlo-Intervall {_pct(worst['ci_low'])}–" in text
    assert f"{_pct(worst['ci_high'])} %" in text
    assert f"exakte Prüfung höchstens {_pct(s['max_false_unusual_area']['rate'])} %" in text
    legacy = max(s["max_legacy_false_beyond_area"]["rate"], s["max_legacy_false_unusual_area"]["rate"])
    assert f"bis zu {_pct(legacy, 1)} %" in text
    typical13 = _cell(results, "typical_share", 13, 0.0, True)["power_outlier"]["rate"]
    typical13_od = _cell(results, "typical_share", 13, 0.3, True)["power_outlier"]["rate"]
    assert f"in {_pct(typical13, 1)} % der Fälle" in text
    assert f"nur in {_pct(typical13_od, 1)} %" in text
