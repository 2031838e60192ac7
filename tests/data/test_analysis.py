"""Known-answer tests of the trend, comparison, index, map and HzE analyses."""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pandas as pd
import pytest

from helpers.analysis import hze as H
from helpers.analysis.compare import (
    Z95,
    empirical_bayes,
    funnel_limits,
    funnel_table,
    loo_tau2,
    od_quantile,
    overdispersion_tau2,
)
from helpers.analysis.sozialindex import classify, social_index, validate_index_indicators
from helpers.analysis.supply import need_supply
from helpers.analysis.trends import FALLING, NO_TREND, RISING, ar1_parameters, finish_trend, glm_stage, trend_table
from helpers.core.config import load_config
from helpers.indicators.catalogue import load_catalogue
from helpers.report import maps
from helpers.report.maps import load_geojson, stadtteil_map

ROOT_CONFIG = "config/leverkusen.yml"


# --- trends -------------------------------------------------------------------------------


def fit_trend(years, numerator, denominator, unit):
    """The GLM stage with its own AR(1) estimate: the window slopes of the dynamics classes."""
    stage = glm_stage(years, numerator, denominator, unit)
    return finish_trend(stage, ar1_parameters([stage]))


def test_binomial_trend_recovers_known_logit_slope():
    years = np.arange(2010, 2026)
    den = np.full(len(years), 20_000.0)
    p = 1 / (1 + np.exp(-(-1.0 + 0.05 * (years - years.mean()))))
    fit = fit_trend(years, den * p, den, "pct")  # expected counts: no noise
    assert fit.slope == pytest.approx(0.05, abs=1e-6)
    assert fit.ci_low < 0.05 < fit.ci_high


def test_poisson_trend_recovers_rate_ratio():
    years = np.arange(2010, 2026)
    den = np.full(len(years), 50_000.0)
    rate = 0.01 * np.exp(-0.03 * (years - 2010))
    fit = fit_trend(years, den * rate, den, "per_10000")
    assert fit.rel_change_pct == pytest.approx(100 * math.expm1(-0.03), abs=1e-4)


def _world_truth():
    """The generator's expected SGB-II u15 share per Stadtteil and year (no sampling noise)."""
    from helpers.synth import load_generator_params, source_rng
    from helpers.synth import world as w
    from helpers.synth.population import PopulationParams, generate_population

    cfg = load_config(ROOT_CONFIG)
    params = load_generator_params(cfg)
    seed = cfg.sample_data.seed
    names = {s.code: s.name for s in cfg.stadtteile}
    pop = generate_population(
        PopulationParams.from_dict(params["population"]), names, cfg.data_years, source_rng(seed, "population")
    )
    world = w.make_world(params, pop, names)
    q = w.poverty_u15(world, source_rng(seed, "poverty"))
    grad = params["poverty"]["age_gradient"]
    rows = []
    for year in world.years:
        qy = w.quota(q, year)
        expected = sum(
            world.persons(year, lo, hi) * (qy * grad[g]).clip(0, 0.95)
            for g, (lo, hi) in [("u3", (0, 2)), ("3_u6", (3, 5)), ("6_u15", (6, 14))]
        )
        share = expected / world.persons(year, 0, 14)
        rows += [(year, code, float(share[code])) for code in world.codes]
    return pd.DataFrame(rows, columns=["year", "code", "share"]), params["poverty"]["trend_logit_per_year"]


@pytest.fixture(scope="module")
def sample_tables() -> dict[str, pd.DataFrame]:
    """Processed tables of the committed sample, built in memory from data/raw (a fresh clone has no outputs),
    with the SGB-II u15 indicator (cells the BA export hides as "*" stay missing, as when published)."""
    from helpers.indicators.catalogue import Catalogue
    from helpers.indicators.compute import compute_all
    from helpers.sources.process import build_source

    cfg = load_config(ROOT_CONFIG)
    tables: dict[str, pd.DataFrame] = {}
    for source in ("population", "sgb2", "hze_cases", "hze_expenditure", "services", "comparison"):
        tables.update(build_source(cfg, source))
    full = load_catalogue(cfg.catalogue_path)
    one = Catalogue(phases=full.phases, indicators=[full.get("sgb2_u15")])
    values = compute_all(one, tables, cfg)
    tables["indicators_internal"] = values
    tables["indicators"] = values.assign(pooled_from=pd.NA)
    return tables


@pytest.fixture(scope="module")
def sample_trends(sample_tables):
    catalogue = load_catalogue(load_config(ROOT_CONFIG).catalogue_path)
    published = sample_tables["indicators"]
    return trend_table(published, catalogue, 2025)


def test_trends_recover_generator_trends(sample_trends):
    truth, built_in = _world_truth()
    st = sample_trends[sample_trends["area_level"] == "stadtteil"].set_index("area_code")
    misses_95 = 0
    for code, part in truth.groupby("code"):
        # the true trend on the indicator's own scale: logit slope of the expected share
        true_slope = np.polyfit(part["year"], np.log(part["share"] / (1 - part["share"])), 1)[0]
        row = st.loc[code]
        if code in built_in:
            assert row["verdict"] == (RISING if built_in[code] > 0 else FALLING), code
            se = (row["ci_high"] - row["ci_low"]) / (2 * 1.959964)
            misses_95 += not row["ci_low"] <= true_slope <= row["ci_high"]
            # size: within the 99 % interval (four series: one 95 % miss is expected 19 % of the time)
            assert abs(row["slope"] - true_slope) <= 2.575829 * se, (code, true_slope, row["slope"], se)
        else:
            assert row["verdict"] == NO_TREND, code
    assert misses_95 <= 1


# --- funnel and EB --------------------------------------------------------------------------


def test_funnel_limits_match_formula():
    low, high = funnel_limits(0.2, np.array([100.0, 400.0]), Z95, share=True)
    assert high[0] == pytest.approx(0.2 + 1.959964 * math.sqrt(0.2 * 0.8 / 100), abs=1e-6)
    assert low[1] == pytest.approx(0.2 - 1.959964 * math.sqrt(0.2 * 0.8 / 400), abs=1e-6)
    low, high = funnel_limits(0.03, np.array([1000.0]), 3.090232, share=False)
    assert high[0] == pytest.approx(0.03 + 3.090232 * math.sqrt(0.03 / 1000), abs=1e-6)


def test_overdispersion_tau2_by_hand():
    rates = np.array([0.10, 0.30, 0.15, 0.25, 0.20])
    n = np.full(5, 1000.0)
    x = rates * n
    # logit scale: empirical logits log((x + ½)/(n − x + ½)) around logit 0,2 = log(0,25); every area has
    # v = 1/(1000·0,2·0,8) = 0,00625, and with equal v Paule–Mandel (centre known) is mean(d²) − v
    d = np.log((x + 0.5) / (n - x + 0.5)) - math.log(0.25)
    assert d[0] == pytest.approx(math.log(100.5 / 900.5) - math.log(0.25))
    assert overdispersion_tau2(x, n, 0.2, share=True) == pytest.approx(np.mean(d**2) - 0.00625, rel=1e-6)
    # leave-one-out: the area's own deviation does not enter its τ²
    loo = loo_tau2(x, n, 0.2, share=True)
    assert loo[1] == pytest.approx(np.mean(np.delete(d, 1) ** 2) - 0.00625, rel=1e-6)
    frame = funnel_table(pd.DataFrame({"numerator": x, "denominator": n}), 0.2, share=True)
    assert not frame["beyond_overdispersion"].any()
    # the position is taken against the exact (unadjusted) limits: rates of 10 %..30 % on 1,000 persons
    # around 20 % are far outside them, only the city-level area is inside
    assert frame["position_code"].tolist() == ["below_998", "above_998", "below_998", "above_998", "inside"]
    assert frame["funnel_code"].tolist() == ["below_usual", "above_usual", "below_usual", "above_usual", "chance"]
    # Σ d²/v ≤ m: no over-dispersion, τ² = 0
    assert overdispersion_tau2(np.array([20.0, 21.0, 19.0]), np.full(3, 100.0), 0.2, share=True) == 0.0


def test_exact_tail_flag_57_of_57():
    # P(X ≥ 57 | n = 57, θ₀ = 0,94) = 0,94⁵⁷ = exp(57·ln 0,94) = exp(−3,52692) = 0,02940: not below
    # 0,001 (99,8 %) and not even below 0,025 (95 %); the interpolated drawing limit lies below 100 %
    # (≈ 0,9994), so the old flag (value above the interpolated limit) called it "über 99,8 %"
    assert pytest.approx(0.029396, abs=1e-6) == 0.94**57
    frame = funnel_table(pd.DataFrame({"numerator": [57.0], "denominator": [57.0]}), 0.94, share=True)
    assert frame["p_upper"].iloc[0] == pytest.approx(0.94**57)
    assert frame["position_code"].iloc[0] == "inside" and not frame["unusual"].iloc[0]
    assert frame["lim998_high"].iloc[0] < 1.0
    # 0 of 100 at θ₀ = 0,94: P(X ≤ 0) = 0,06¹⁰⁰, far below 0,001
    zero = funnel_table(pd.DataFrame({"numerator": [0.0], "denominator": [100.0]}), 0.94, share=True)
    assert zero["position_code"].iloc[0] == "below_998"
    # Poisson, expected count 2 (θ₀ = 0,002, n = 1.000): F(6) = 0,995466, F(7) = 0,998903, F(8) = 0,999763
    # (Poisson sums, see test_exact_funnel_limit_by_hand). 8 cases: P(X ≥ 8) = 1 − F(7) = 0,001097 > 0,001, so
    # "über 95 %" only, although 8/1000 lies above the interpolated 99,8 % line (8 − 0,8873)/1000; 9 cases:
    # P(X ≥ 9) = 0,000237 → über 99,8 %; 7 cases: P(X ≥ 7) = 0,004534 → über 95 %
    rate = funnel_table(pd.DataFrame({"numerator": [7.0, 8.0, 9.0], "denominator": [1000.0] * 3}), 0.002, share=False)
    assert rate["p_upper"].tolist() == pytest.approx([0.004534, 0.001097, 0.000237], abs=2e-6)
    assert rate["position_code"].tolist() == ["above_95", "above_95", "above_998"]
    assert rate["lim998_high"].iloc[1] < 8 / 1000


def test_overdispersion_band_quantile_and_outlier_does_not_widen_its_own_band():
    # Student's t with m − 1 degrees of freedom at 99,9 % (tables: t₃ = 10,215, t₁₂ = 3,930)
    assert od_quantile(4) == pytest.approx(10.215, abs=1e-3)
    assert od_quantile(13) == pytest.approx(3.930, abs=1e-3)
    # 12 ordinary areas spread ±0,15 on the logit scale around 20 %, one area at logit + 1,2 (about 40 %)
    n = np.full(13, 3000.0)
    eta = math.log(0.25) + np.array([0.15, -0.15] * 6 + [1.2])
    x = np.round(n / (1 + np.exp(-eta)))
    theta = float(x.sum() / n.sum())
    frame = funnel_table(pd.DataFrame({"numerator": x, "denominator": n}), theta, share=True)
    assert frame["funnel_code"].iloc[-1] == "above_chance"
    assert not frame["beyond_overdispersion"].iloc[:-1].any()
    # its own τ² comes from the other twelve only, far below the τ² of all areas that it inflates;
    # judged with that inflated τ², it would hide inside its own band
    tau2_all, own = frame["tau2"].iloc[0], frame["tau2_loo"].iloc[-1]
    assert own < tau2_all / 3
    d = math.log((x[-1] + 0.5) / (n[-1] - x[-1] + 0.5)) - math.log(theta / (1 - theta))
    assert d / math.sqrt(1 / (3000 * theta * (1 - theta)) + tau2_all) < od_quantile(13)


def test_empirical_bayes_matches_hand_computation():
    # Marshall (1991), as in R epiR::epi.empbayes: x = cases, n = population
    x, n = np.array([2.0, 10.0, 30.0]), np.array([100.0, 200.0, 300.0])
    r = x / n
    gamma = 42 / 600
    phi = (n * (r - gamma) ** 2).sum() / 600 - gamma / 200
    expected = gamma + phi / (phi + gamma / n) * (r - gamma)
    eb, g, p = empirical_bayes(x, n, share=False)
    assert g == pytest.approx(0.07) and p == pytest.approx(phi)
    assert eb == pytest.approx(expected)
    # by hand: φ = 0.6/600 − 0.07/200 = 0.00065; C₁ = 0.00065/(0.00065 + 0.0007) = 0.481481
    assert eb[0] == pytest.approx(0.07 - 0.481481 * 0.05, abs=1e-6)  # 0.0459259: shrunk from 0.02 towards 0.07


# --- social index ---------------------------------------------------------------------------


def test_social_index_reproduces_hand_example(tmp_path):
    catalogue = load_catalogue("src/helpers/indicators/indikatoren.yml")
    rows = []
    # two indicators, four Stadtteile, years 2023 and 2025; denominators of 100,000 so that the
    # changes below are far beyond binomial noise (the dynamics class is now a test, NOTES_16a.md)
    values = {
        2023: {"sgb2_u15": [10, 20, 30, 40], "unemployment_15_65": [4, 6, 8, 10]},
        2025: {"sgb2_u15": [10, 22, 30, 38], "unemployment_15_65": [4, 6, 9, 9]},
    }
    for year, inds in values.items():
        for ind, vals in inds.items():
            for code, v in zip(["A", "B", "C", "D"], vals, strict=True):
                rows.append(
                    {
                        "indicator_id": ind,
                        "year": year,
                        "area_level": "stadtteil",
                        "area_code": code,
                        "value": v,
                        "numerator": v * 1000.0,
                        "denominator": 100_000.0,
                    }
                )
    out = social_index(
        pd.DataFrame(rows),
        catalogue,
        ["sgb2_u15", "unemployment_15_65"],
        2025,
        2,
        (-1.0, 1.0, 1.5),
        (-1.0, 1.0),
        dynamics_method="difference",
    )
    # by hand: sgb2 mean 25, sd sqrt(((-15)²+(-3)²+5²+13²)/4)=sqrt(107); unemployment mean 7, sd sqrt(4.5)
    z_a = (-15 / math.sqrt(107) + -3 / math.sqrt(4.5)) / 2
    assert out.set_index("area_code").loc["A", "status_index"] == pytest.approx(z_a)
    # status index values -1.4327, -0.2979, 0.6241, 1.1065 → standardised; A below −1 → "hoch"
    assert list(out["status_class"]) == ["hoch", "mittel", "mittel", "niedrig"]
    assert list(out["status_class_code"]) == ["high", "medium", "medium", "low"]
    # dynamics: changes sgb2 [0, 2, 0, -2], unemployment [0, 0, 1, -1] pp; means [0, 1, 0.5, -1.5]:
    # D improves (positiv), B and C worsen (negativ), A does not change (stabil)
    dyn = out.set_index("area_code")
    assert dyn.loc["D", "dynamics_class"] == "positiv"
    assert list(out["dynamics_class_code"]) == ["stable", "negative", "negative", "positive"]
    assert dyn.loc["D", "dynamics_index"] == pytest.approx(-1.5)


def test_index_refuses_outcome_indicators():
    catalogue = load_catalogue("src/helpers/indicators/indikatoren.yml")
    with pytest.raises(ValueError, match="seu_language: kind 'outcome'"):
        validate_index_indicators(["sgb2_u15", "seu_language"], catalogue)


def test_classify_cut_offs():
    z = pd.Series([-1.5, -0.2, 1.2, 1.6, np.nan])
    assert classify(z, (-1.0, 1.0, 1.5), ("hoch", "mittel", "niedrig", "sehr niedrig")).tolist() == [
        "hoch",
        "mittel",
        "niedrig",
        "sehr niedrig",
        None,
    ]


def test_need_supply_flags_high_need_low_coverage():
    # need z: A (40) = +1,41; places per 1,000: A 20, B 100, C 40 -> median 40, A below it
    need = pd.DataFrame({"area_code": ["A", "B", "C"], "phase": "Kita 3–6", "need_value": [40.0, 10.0, 12.0]})
    places = pd.DataFrame(
        {"area_code": ["A", "B", "C"], "phase": "Kita 3–6", "places": [10, 50, 20], "services": [1, 1, 1]}
    )
    pop = pd.DataFrame({"area_code": ["A", "B", "C"], "phase": "Kita 3–6", "persons": [500, 500, 500]})
    out = need_supply(need, places, pop, 0.5).set_index("area_code")
    assert out.loc["A", "coverage_reference"] == pytest.approx(40.0)
    assert out.loc["A", "flag"] == "hoher Bedarf, geringe Abdeckung"
    assert out.loc["B", "flag"] == "" and out.loc["B", "places_per_1000"] == pytest.approx(100.0)
    # without any place, the same Stadtteil gets the stronger flag
    none = need_supply(need, places[places["area_code"] != "A"], pop, 0.5).set_index("area_code")
    assert none.loc["A", "flag"] == "hoher Bedarf, kein Angebot"


# --- maps -----------------------------------------------------------------------------------


def test_maps_render_from_tiles_and_from_geojson(tmp_path):
    cfg = load_config(ROOT_CONFIG)
    values = {s.code: float(i) for i, s in enumerate(cfg.stadtteile)}
    values[cfg.stadtteile[0].code] = float("nan")  # suppressed
    tile = stadtteil_map(cfg, values, "Test", "Quelle: Test")
    assert tile.schematic and "Schematische Kachelkarte" in tile.html()
    assert "nicht veröffentlicht" in [e.text for e in tile.legend]
    features = [
        {
            "type": "Feature",
            "properties": {"code": s.code},
            "geometry": {"type": "Polygon", "coordinates": [[[i, 0], [i + 1, 0], [i + 1, 1], [i, 1], [i, 0]]]},
        }
        for i, s in enumerate(cfg.stadtteile)
    ]
    path = tmp_path / "st.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    shapes = load_geojson(path, "code")
    assert len(shapes) == len(cfg.stadtteile)
    real = stadtteil_map(cfg, values, "Test", "Quelle: Test", geometry=shapes)
    # one path per Stadtteil and, thicker, the outline of every Stadtbezirk (in the legend too)
    svg = real.svg()
    widths = re.findall(r'<path d="[^"]*" fill="[^"]*" stroke="[^"]*" stroke-width="([\d.]+)"', svg)
    assert len(widths) == len(cfg.stadtteile) + len(cfg.stadtbezirke)
    assert widths.count(str(maps.BEZIRK_STYLE["stroke-width"])) == len(cfg.stadtbezirke) == 3
    assert "Grenze eines Stadtbezirks" in [e.text for e in real.legend]
    assert not real.schematic and "Schematische" not in real.html()
    assert "<img" not in real.html() and "base64" not in real.html()


# --- HzE ------------------------------------------------------------------------------------


def test_its_recovers_level_and_slope_change():
    rng = np.random.default_rng(1)
    years = np.arange(2005, 2026)
    y = 100 + 2 * (years - 2005) + np.where(years >= 2015, -10 - 1.5 * (years - 2015), 0) + rng.normal(0, 1, len(years))
    res = H.interrupted_time_series(years, y, 2015)
    assert res.level_ci[0] < -10 < res.level_ci[1] and abs(res.level_change + 10) < 3
    assert res.slope_ci[0] < -1.5 < res.slope_ci[1]
    gap = res.table.set_index("year")["gap"]
    assert gap.loc[2014] == 0 and gap.loc[2020] == pytest.approx(res.level_change + 5 * res.slope_change)


def test_its_false_positive_rate_is_near_nominal():
    rng = np.random.default_rng(7)
    years = np.arange(2005, 2026)
    hits = 0
    for _ in range(300):
        y = 50 + 0.5 * (years - 2005) + rng.normal(0, 2, len(years))
        hits += H.interrupted_time_series(years, y, 2015).level_p < 0.05
    assert hits / 300 <= 0.075  # nominal 5 %; Monte Carlo error for 300 runs ≈ 1,3 Pp.


def _simulated_panel(rng, effect: float, n_units: int = 13, years=range(2010, 2026)):
    starts = {f"{i:03d}": 2016 + i % 3 for i in range(5)}
    rows = []
    for i in range(n_units):
        code = f"{i:03d}"
        level = rng.normal(0, 0.3)
        for year in years:
            late = code in starts and year - starts[code] >= 3
            mu = 3000 * 0.012 * np.exp(level + 0.01 * (year - 2010) + (effect if late else 0.0))
            rows.append({"year": year, "area_code": code, "cases": rng.poisson(mu), "u21": 3000, "value": 20.0})
    frame = pd.DataFrame(rows)
    return H.did_panel(frame[["year", "area_code", "cases", "u21"]], frame[["year", "area_code", "value"]], starts, 3)


def test_did_recovers_effect_on_sample_data(sample_tables):
    from helpers.analysis.run import hze_for_year

    cfg = load_config(ROOT_CONFIG)
    effects = hze_for_year(cfg, sample_tables, 2025)["hze_effects"]
    row = effects[effects["term"] == "late"].iloc[0]
    truth = math.log(0.88)  # config/sample_leverkusen.yml: hze.effect.late_rr
    assert row["ci_low"] <= truth <= row["ci_high"]
    assert abs(row["estimate"] - truth) < 0.1


def test_did_rejects_no_more_often_than_nominal():
    rng = np.random.default_rng(3)
    rejections = 0
    for _ in range(60):
        res = H.did_within_city(_simulated_panel(rng, 0.0), draws=199, seed=int(rng.integers(1e9)))
        rejections += res.late.p_value < 0.05
    assert rejections / 60 <= 0.12  # nominal 5 %, Monte Carlo error for 60 runs ≈ 2,8 Pp.


def _event_panel(rng, treated_pre_slope: float) -> pd.DataFrame:
    """12 communes 2008–2025 with common year shocks; unit u0 drifts before 2017 by the given slope."""
    shocks = {year: rng.normal(0, 0.03) for year in range(2008, 2026)}
    rows = []
    for unit in range(12):
        level = rng.normal(-4, 0.2)
        for year in range(2008, 2026):
            drift = treated_pre_slope * (min(year, 2017) - 2017) if unit == 0 else 0.0
            rows.append({"unit": f"u{unit}", "year": year, "y": level + shocks[year] + drift + rng.normal(0, 0.01)})
    return pd.DataFrame(rows)


def test_pretrend_check_absorbs_a_linear_drift_and_flags_a_dip():
    # The event study now detrends every unit by its own pre-period trend (comparison communes trend
    # differently from the city), so a linear pre-drift is absorbed, not a violation; a break in the
    # last pre-years (a dip before the start) is. More in tests/test_analysis_hze_event.py.
    rng = np.random.default_rng(11)
    assert not H.event_study(_event_panel(rng, 0.04), "u0", 2017, 3).pretrend_violated(alpha=0.01)
    dipped = _event_panel(rng, 0.0)
    dipped.loc[(dipped["unit"] == "u0") & dipped["year"].isin([2015, 2016]), "y"] -= 0.2
    assert H.event_study(dipped, "u0", 2017, 3).pretrend_violated()


def test_balance_arithmetic_by_hand():
    prevention = pd.Series({2017: 100.0, 2018: 100.0, 2019: 100.0, 2020: 100.0})
    avoided = pd.Series({2017: 0.0, 2018: 50.0, 2019: 150.0, 2020: 250.0})
    out = H.balance(prevention, avoided, 0.0, 2017).set_index("year")
    # net: −100, −50, +50, +150 → cumulated −100, −150, −100, +50
    assert out["cum_net_eur"].tolist() == [-100.0, -150.0, -100.0, 50.0]
    assert H.break_even_year(out["cum_net_eur"]) == 2020
    discounted = H.balance(prevention, avoided, 0.10, 2017).set_index("year")
    assert discounted.loc[2018, "net_eur"] == pytest.approx(-50 / 1.1)
    assert H.break_even_year(pd.Series([-1.0, 2.0, -0.5], index=[2017, 2018, 2019])) is None


def test_avoided_spending_by_hand():
    kernels = {"early": pd.Series({2020: 1000.0, 2021: 0.0}), "late": pd.Series({2020: 0.0, 2021: 2000.0})}
    out = H.avoided_spending(kernels, {"early": math.log(1.25), "late": math.log(0.8)})
    # early: spending 1000 at RR 1,25 → 800 without programme → −200 avoided; late: 2000 at 0,8 → 2500 → +500
    assert out.loc[2020] == pytest.approx(-200.0) and out.loc[2021] == pytest.approx(500.0)


def test_derived_analysis_indicators_exist_in_the_catalogue():
    from helpers.indicators.plan import commune_plan

    cfg = load_config(ROOT_CONFIG)
    plan = commune_plan(cfg)
    catalogue = load_catalogue(cfg.catalogue_path)
    for ind_id in [*plan.key_indicators, *plan.funnel_indicators, *catalogue.need_by_phase().values()]:
        catalogue.get(ind_id)
    validate_index_indicators(list(plan.status_indicators), catalogue)
    assert 6 <= len(plan.key_indicators) <= 8


def test_generated_texts_follow_the_intervals():
    from helpers.report.hze_sections import did_text

    def effects(low: float, high: float) -> pd.DataFrame:
        rows = [
            ("late", -0.2, low, high, 0.01),
            ("early", 0.05, -0.1, 0.2, 0.5),
        ]
        return pd.DataFrame(
            [
                {
                    "design": "did",
                    "term": t,
                    "estimate": e,
                    "ci_low": lo,
                    "ci_high": hi,
                    "p_value": p,
                    "n_treated": 5,
                    "n_control": 8,
                }
                for t, e, lo, hi, p in rows
            ]
        )

    assert "statistisch erkennbar" in did_text(effects(-0.35, -0.05), 3)
    uncertain = did_text(effects(-0.35, 0.02), 3)
    assert "nicht belegt" in uncertain and "statistisch erkennbar" not in uncertain
    assert "−18\u00a0% (−30\u00a0% bis +2\u00a0%)" in uncertain  # exp(−0,2) − 1 = −18,1 %; exp(−0,35) − 1 = −29,5 %
