"""Known-answer tests of the social analyses: change test, funnel/EB, AR(1) trends, index, supply."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from helpers.analysis.compare import empirical_bayes, exact_limit, funnel_table
from helpers.analysis.sozialindex import social_index, trend_changes, window_df
from helpers.analysis.supply import allocate_places, catchment, need_supply, service_rows
from helpers.analysis.trends import (
    GlmStage,
    ar1_matrix,
    ar1_parameters,
    expected_lag1,
    fcr_level,
    glm_stage,
    slope_variance,
    trend_table,
)
from helpers.indicators.catalogue import load_catalogue

CATALOGUE = "src/helpers/indicators/indikatoren.yml"


# --- funnel and EB (item 1) -----------------------------------------------------------------


def test_exact_funnel_limit_by_hand():
    # Spiegelhalter (2005) Appendix A.1 interpolated exact binomial limit, n = 20, θ₀ = 0.2, p = 0.975.
    # By hand: F(7) = 0.967857, F(8) = 0.990018 (binomial sums), so r = 8 and
    # α = (0.990018 − 0.975)/(0.990018 − 0.967857) = 0.677690; limit = (8 − α)/20 = 0.366115.
    # Lower, p = 0.025: F(0) = 0.8²⁰ = 0.011529, F(1) = 0.069175 → r = 1, α = 0.766313, limit = 0.011684.
    assert exact_limit(0.2, np.array([20.0]), 0.975, share=True)[0] == pytest.approx(0.366115, abs=1e-6)
    assert exact_limit(0.2, np.array([20.0]), 0.025, share=True)[0] == pytest.approx(0.011684, abs=1e-6)
    # Poisson, expected count 2 (θ₀ = 0.002 per person, n = 1,000), p = 0.999: F(6) = 0.995466,
    # F(7) = 0.998903 < 0.999, F(8) = 0.999763 → r = 8, α = (0.999763 − 0.999)/(0.999763 − 0.998903) = 0.8873
    assert exact_limit(0.002, np.array([1000.0]), 0.999, share=False)[0] == pytest.approx((8 - 0.8873) / 1000, abs=2e-6)


def test_funnel_flags_real_differences_and_marks_overdispersion():
    # the case: areas of 5 % and 36 % around a city value of 20 %, large denominators
    rates = np.array([0.053, 0.365, 0.15, 0.25, 0.20, 0.21])
    n = np.full(6, 2000.0)
    frame = funnel_table(pd.DataFrame({"numerator": rates * n, "denominator": n}), 0.2, share=True)
    assert frame["tau2"].iloc[0] > 0
    assert frame["unusual"].tolist() == [True, True, True, True, False, False]
    assert frame["position_code"].tolist()[:2] == ["below_998", "above_998"]
    assert frame["funnel_code"].tolist()[:2] == ["below_usual", "above_usual"]
    # within the over-dispersed band every area lies inside: usual variation between Stadtteile
    assert not frame["beyond_overdispersion"].any()


def test_funnel_null_areas_inside_unadjusted_limits():
    n = np.array([500.0, 1000.0, 2000.0])
    frame = funnel_table(pd.DataFrame({"numerator": 0.2 * n, "denominator": n}), 0.2, share=True)
    assert (frame["position_code"] == "inside").all() and not frame["unusual"].any()


def test_empirical_bayes_shrinks_to_the_city_value_and_reports_collapse():
    x, n = np.array([2.0, 10.0, 30.0]), np.array([100.0, 200.0, 300.0])
    # target 0.05 (city) instead of Σx/Σn = 0.07: φ = Σn(r − 0.05)²/Σn − 0.05/200
    r = x / n
    phi = (n * (r - 0.05) ** 2).sum() / 600 - 0.05 / 200
    eb, gamma, p = empirical_bayes(x, n, share=False, target=0.05)
    assert gamma == 0.05 and p == pytest.approx(phi)
    assert eb == pytest.approx(0.05 + phi / (phi + 0.05 / n) * (r - 0.05))
    # no between-area variation beyond chance: φ = 0, every estimate = the city value
    eb, gamma, p = empirical_bayes(np.array([20.0, 21.0, 19.0]), np.full(3, 100.0), share=True, target=0.2)
    assert p == 0.0 and np.allclose(eb, 0.2)


# --- AR(1) trend inference (item 2) -----------------------------------------------------------


def _stage(resid: np.ndarray, noise: float) -> GlmStage:
    x = np.array([[1.0, -1.0], [1.0, 0.0], [1.0, 1.0]])
    m = np.eye(3) - x @ np.linalg.pinv(x)
    return GlmStage(0.0, x, resid, m, 1.0, 1.0, noise)


def test_ar1_slope_variance_closed_form():
    # n = 3, x = (−1, 0, 1), unit weights. Residual space spanned by v = (1, −2, 1)/√6, M = vvᵀ.
    # tr(MR) = vᵀRv = (6 − 8ρ + 2ρ²)/6. With e = √tr(MR)·v and no sampling noise, s² = eᵀe/tr(MR) = 1 and
    # Var(β̂) = xᵀRx/(xᵀx)² = (2 − 2ρ²)/4 = (1 − ρ²)/2 (closed form of the AR(1) sandwich).
    rho = 0.6
    v = np.array([1.0, -2.0, 1.0]) / math.sqrt(6)
    tr_mr = (6 - 8 * rho + 2 * rho**2) / 6
    var, _df, s2 = slope_variance(_stage(math.sqrt(tr_mr) * v, noise=0.0), rho)
    assert s2 == pytest.approx(1.0)
    assert var == pytest.approx((1 - rho**2) / 2)
    # with binomial/Poisson sampling noise (c = 1): s² = (eᵀe − tr(M))/tr(MR), Var = 1/2 + s²(1 − ρ²)/2
    e = 2.0 * v  # eᵀe = 4, tr(M) = 1
    var, _df, s2 = slope_variance(_stage(e, noise=1.0), rho)
    assert s2 == pytest.approx(3 / tr_mr)
    assert var == pytest.approx(0.5 + s2 * (1 - rho**2) / 2)
    assert ar1_matrix(3, 0.5)[0].tolist() == [1.0, 0.5, 0.25]


def test_expected_lag1_autocorrelation_by_hand():
    # independence, n = 3: E[ρ̂] = tr(MAM)/tr(M) = vᵀAv = (1·(−2) + (−2)·1)/6 = −2/3
    assert expected_lag1(0.0, 3) == pytest.approx(-2 / 3)
    # 16 detrended years with ρ = 0.7: the raw lag-1 autocorrelation is expected at about 0.38 only
    assert 0.3 < expected_lag1(0.7, 16) < 0.45


def test_pooled_ar1_recovers_rho_and_independence():
    rng = np.random.default_rng(7)
    years = np.arange(2010, 2026)

    def stages(rho: float) -> list[GlmStage]:
        out = []
        for _ in range(40):
            e = np.empty(16)
            e[0] = rng.normal(0, 0.15)
            for t in range(1, 16):
                e[t] = rho * e[t - 1] + rng.normal(0, 0.15 * math.sqrt(1 - rho**2))
            den = np.full(16, 2000.0)
            p = 1 / (1 + np.exp(-(-1.7 + e)))
            out.append(glm_stage(years, rng.binomial(2000, p), den, "pct"))
        return out

    assert ar1_parameters(stages(0.7)) == pytest.approx(0.7, abs=0.15)
    assert ar1_parameters(stages(0.0)) < 0.2


def test_fcr_level():
    assert fcr_level(3, 60, 0.05) == pytest.approx(1 - 3 * 0.05 / 60)
    assert fcr_level(0, 60, 0.05) == pytest.approx(1 - 0.05 / 60)


def _published(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["indicator_id", "year", "area_level", "area_code", "numerator", "denominator"])
    frame["value"] = 100 * frame["numerator"] / frame["denominator"]
    frame["area_name"] = frame["area_code"]
    frame["pooled_from"] = pd.NA
    return frame


def test_structural_zeros_are_dropped_and_short_series_flagged():
    rng = np.random.default_rng(3)
    rows = []
    for year in range(2010, 2026):
        on_city = year not in (2010, 2016)  # the source delivered nothing in 2010 and 2016
        for code, start in (("101", 2017), ("102", 2011), ("103", 2022)):
            num = rng.binomial(200, 0.6) if on_city and year >= start else 0
            rows.append(("welcome_reach", year, "stadtteil", code, float(num), 200.0))
        rows.append(("welcome_reach", year, "stadt", "05316000", 500.0 if on_city else 0.0, 1000.0))
    out = trend_table(_published(rows), load_catalogue(CATALOGUE), 2025).set_index("area_code")
    assert out.loc["101", "first_year"] == 2017 and out.loc["101", "n_years"] == 9
    assert out.loc["102", "first_year"] == 2011 and out.loc["102", "n_years"] == 14  # 2016 dropped
    assert out.loc["103", "verdict_code"] == "too_short" and out.loc["103", "n_years"] == 4
    assert out.loc["05316000", "n_years"] == 14


def test_trend_verdict_never_contradicts_its_interval():
    rng = np.random.default_rng(11)
    rows = []
    slopes = {"101": 0.08, "102": -0.06, "103": 0.0, "104": 0.01, "105": 0.0}
    for year in range(2010, 2026):
        for code, b in slopes.items():
            p = 1 / (1 + np.exp(-(-1.5 + b * (year - 2017.5))))
            rows.append(("sgb2_u15", year, "stadtteil", code, float(rng.binomial(3000, p)), 3000.0))
    out = trend_table(_published(rows), load_catalogue(CATALOGUE), 2025)
    directional = out["verdict_code"].isin(["rising", "falling"])
    excludes_zero = (out["ci_low"] > 0) | (out["ci_high"] < 0)
    assert (directional == excludes_zero).all()
    assert out.set_index("area_code").loc["101", "verdict_code"] == "rising"
    assert (out["ci_level"] < 0.95).all() or (out["ci_level"] > 0.95).all()
    assert {"ci95_low", "ci95_high", "verdict", "assessment_code"} <= set(out.columns)


# --- social index (item 5) ------------------------------------------------------------------


def _index_rows(symbol_c: str = "") -> pd.DataFrame:
    values = {
        2023: {"sgb2_u15": [10, 20, 30, 40, 25], "unemployment_15_65": [4, 6, 8, 10, 7]},
        2025: {"sgb2_u15": [10, 22, 30, 38, 25], "unemployment_15_65": [4, 6, 9, 9, 7]},
    }
    rows = []
    for year, inds in values.items():
        for ind, vals in inds.items():
            for code, v in zip(["A", "B", "C", "D", "E"], vals, strict=True):
                symbol = symbol_c if code == "C" and ind == "sgb2_u15" and year == 2025 else ""
                rows.append(
                    {
                        "indicator_id": ind,
                        "year": year,
                        "area_level": "stadtteil",
                        "area_code": code,
                        "value": v,
                        "numerator": v * 1000.0,
                        "denominator": 100_000.0,
                        "symbol": symbol,
                    }
                )
    return pd.DataFrame(rows)


def test_index_fills_an_unreliable_value_from_pooled_published_years_and_leaves_small_areas_out():
    """C's 2025 SGB-II quota is "( )": its pooled value over the published years 2023 and 2025
    (2024 has no row) is (30.000 + 30.000) / 200.000 = 30 %. E has 250 residents (below 300).

    By hand: the SGB-II quota is standardised over the reliable 2025 values of A, B, D only
    (10, 22, 38: mean 70/3, SD √(394,667/3) = 11,4698), unemployment over A–D (4, 6, 9, 9: mean 7,
    SD √4,5); C's pooled 30 % is standardised with those: (30 − 23,333)/11,4698 = 0,5812."""
    catalogue = load_catalogue(CATALOGUE)
    population = pd.Series({"A": 5000, "B": 5000, "C": 5000, "D": 5000, "E": 250})
    out = social_index(
        _index_rows("( )"),
        catalogue,
        ["sgb2_u15", "unemployment_15_65"],
        2025,
        2,
        (-1.0, 1.0, 1.5),
        population=population,
        min_population=300,
        dynamics_method="difference",
    ).set_index("area_code")
    assert out.loc["E", "status_class_code"] == "not_classified"
    assert out.loc["E", "not_classified_reason"] == "population_below_min"
    mean, sd = 70 / 3, math.sqrt(((10 - 70 / 3) ** 2 + (22 - 70 / 3) ** 2 + (38 - 70 / 3) ** 2) / 3)
    assert sd == pytest.approx(11.4698, abs=1e-4)
    expected = {
        "A": ((10 - mean) / sd + (4 - 7) / math.sqrt(4.5)) / 2,
        "B": ((22 - mean) / sd + (6 - 7) / math.sqrt(4.5)) / 2,
        "C": ((30 - mean) / sd + (9 - 7) / math.sqrt(4.5)) / 2,
        "D": ((38 - mean) / sd + (9 - 7) / math.sqrt(4.5)) / 2,
    }
    assert expected["C"] == pytest.approx(0.7620, abs=1e-4)
    for code, value in expected.items():
        assert out.loc[code, "status_index"] == pytest.approx(value)
    raw = pd.Series(expected)
    z = (raw - raw.mean()) / raw.std(ddof=0)
    assert out.loc[list("ABCD"), "status_z"].to_numpy() == pytest.approx(z.to_numpy())
    assert out.loc["C", "not_classified_reason"] == "" and out.loc["C", "status_class"] is not None
    assert out.loc["C", "pooled_inputs"] == "sgb2_u15:2023,2025" and out.loc["C", "indicators_used"] == 2
    assert out.loc["A", "pooled_inputs"] == "" and out.loc["A", "missing_inputs"] == ""


def test_index_never_reads_a_secret_cell():
    """A secret 2025 value (".") is replaced by the published 2023 value (30 %); whatever the
    secret row holds, the index is the same: it is a function of published cells only."""
    catalogue = load_catalogue(CATALOGUE)
    ids = ["sgb2_u15", "unemployment_15_65"]
    secret = _index_rows(".")
    hidden = (secret["area_code"] == "C") & (secret["year"] == 2025) & (secret["indicator_id"] == "sgb2_u15")
    base = social_index(secret, catalogue, ids, 2025, 2, (-1.0, 1.0, 1.5)).set_index("area_code")
    junk = secret.copy()
    junk.loc[hidden, ["value", "numerator"]] = [99.0, 99_000.0]
    other = social_index(junk, catalogue, ids, 2025, 2, (-1.0, 1.0, 1.5)).set_index("area_code")
    assert base["status_z"].to_numpy() == pytest.approx(other["status_z"].to_numpy())
    assert base.loc["C", "pooled_inputs"] == "sgb2_u15:2023"
    # secret in every year of the window: one of two indicators left, too few for a class
    never = secret.copy()
    never.loc[(never["area_code"] == "C") & (never["indicator_id"] == "sgb2_u15"), "symbol"] = "."
    out = social_index(never, catalogue, ids, 2025, 2, (-1.0, 1.0, 1.5)).set_index("area_code")
    assert out.loc["C", "not_classified_reason"] == "too_few_indicators"
    assert out.loc["C", "status_class_code"] == "not_classified" and pd.isna(out.loc["C", "status_z"])
    assert out.loc["C", "indicators_used"] == 1 and out.loc["C", "missing_inputs"] == "sgb2_u15"


def test_index_of_an_area_missing_one_of_four_indicators_is_the_mean_of_its_three():
    """Four indicators, two of them needed; D lacks youth unemployment in every year. D's raw
    index is the mean of its three z-values; the standardisation of youth unemployment runs over
    A, B, C only (values 1, 2, 3: mean 2, SD √(2/3))."""
    catalogue = load_catalogue(CATALOGUE)
    ids = ["sgb2_u15", "sgb2_single_parent", "unemployment_15_65", "youth_unemployment"]
    values = {
        "sgb2_u15": [10, 20, 30, 40],
        "sgb2_single_parent": [30, 40, 50, 60],
        "unemployment_15_65": [2, 4, 6, 8],
        "youth_unemployment": [1, 2, 3, None],
    }
    rows = [
        {
            "indicator_id": ind,
            "year": 2025,
            "area_level": "stadtteil",
            "area_code": code,
            "value": np.nan if v is None else float(v),
            "numerator": np.nan if v is None else v * 100.0,
            "denominator": 10_000.0,
            "symbol": "." if v is None else "",
        }
        for ind, vals in values.items()
        for code, v in zip("ABCD", vals, strict=True)
    ]
    out = social_index(
        pd.DataFrame(rows), catalogue, ids, 2025, 2, (-1.0, 1.0, 1.5), dynamics_method="difference"
    ).set_index("area_code")
    # 4 evenly spaced values: z = (i − 2,5)/√1,25 for i = 1..4; D: three times 1,5/√1,25
    assert out.loc["D", "status_index"] == pytest.approx(1.5 / math.sqrt(1.25))
    assert out.loc["A", "status_index"] == pytest.approx((3 * -1.5 / math.sqrt(1.25) + -1 / math.sqrt(2 / 3)) / 4)
    assert out.loc["D", "indicators_used"] == 3 and out.loc["D", "missing_inputs"] == "youth_unemployment"
    assert (out["status_class_code"] != "not_classified").all()


def test_dynamics_stable_when_change_is_within_noise():
    rows = _index_rows()
    rows["denominator"] = 500.0  # same shares on 500 persons: 2 pp changes are within binomial noise
    rows["numerator"] = rows["value"] * 5.0
    out = social_index(
        rows,
        load_catalogue(CATALOGUE),
        ["sgb2_u15", "unemployment_15_65"],
        2025,
        2,
        (-1.0, 1.0, 1.5),
        dynamics_method="difference",
    )
    assert (out["dynamics_class_code"] == "stable").all()


def test_window_slope_uses_the_normal_reference_only_when_its_variance_comes_from_a_longer_series():
    """5-year window of a 16-year series: df = ∞ (see window_df); a window as long as the series keeps t(df)."""
    flat = glm_stage(np.arange(16), np.full(16, 30.0), np.full(16, 100.0), "pct")
    short = glm_stage(np.arange(5), np.full(5, 30.0), np.full(5, 100.0), "pct")
    assert window_df(6.2, short, flat) == math.inf
    assert window_df(6.2, short, None) == 6.2
    assert window_df(6.2, flat, flat) == 6.2
    rng = np.random.default_rng(3)
    rows = pd.DataFrame(
        [
            {"indicator_id": "sgb2_u15", "year": y, "area_level": "stadtteil", "area_code": a, "denominator": 800.0}
            for a in ("A", "B", "C", "D")
            for y in range(2010, 2026)
        ]
    )
    rows["numerator"] = rng.binomial(800, 0.2 + 0.03 * rng.standard_normal(len(rows)).clip(-3, 3)).astype(float)
    rows["value"] = 100 * rows["numerator"] / rows["denominator"]
    _, se5, df5 = trend_changes(rows, ["sgb2_u15"], 2025, 5, {"sgb2_u15": 1})
    _, se16, df16 = trend_changes(rows, ["sgb2_u15"], 2025, 16, {"sgb2_u15": 1})
    assert (df5["sgb2_u15"] == math.inf).all()
    assert np.isfinite(df16["sgb2_u15"]).all() and (df16["sgb2_u15"] <= 14).all()
    assert (se5["sgb2_u15"] > se16["sgb2_u15"]).all()  # 5 years pin a slope down less than 16


# --- need vs supply (item 6) ----------------------------------------------------------------


def test_supply_flags_high_need_without_places_even_when_the_median_is_zero():
    # the old rule never flagged against a median of 0, exactly where coverage is worst
    need = pd.DataFrame({"area_code": ["A", "B", "C"], "phase": "Grundschule", "need_value": [40.0, 10.0, 12.0]})
    places = pd.DataFrame({"area_code": ["B"], "phase": "Grundschule", "places": [50], "services": [1]})
    pop = pd.DataFrame({"area_code": ["A", "B", "C"], "phase": "Grundschule", "persons": [500, 500, 500]})
    out = need_supply(need, places, pop, 0.5).set_index("area_code")
    assert out["coverage_median"].iloc[0] == 0
    assert out.loc["A", "coverage_reference"] == pytest.approx(1000 * 50 / 1500)  # city-wide coverage
    assert out["flag_code"].tolist() == ["high_need_no_supply", "", ""]


def test_citywide_and_multi_area_services_are_distributed_by_residents():
    codes = ["A", "B", "C"]
    services = pd.DataFrame(
        {
            "name": ["Stadtweit", "Lokal", "Verbund"],
            "phases": ["Kita 3–6"] * 3,
            "stadtteil_code": ["", "A", "B"],
            "start": [2020, 2020, 2020],
            "end": [None, None, None],
            "capacity": [300, 50, 100],
        }
    )
    assert catchment("Stadtweit", "", codes, {}) == ("A", "B", "C")
    assert catchment("Verbund", "B", codes, {"Verbund": ["B", "C"]}) == ("B", "C")
    assert catchment("X", "A", codes, {"X": ["*"]}) == ("A", "B", "C")
    pop = pd.DataFrame({"area_code": codes, "phase": "Kita 3–6", "persons": [1000, 1000, 2000]})
    rows = service_rows(services, 2025, ["Kita 3–6"], codes, {"Verbund": ["B", "C"]})
    places = allocate_places(rows, pop).set_index("area_code")
    # city-wide 300 places by residents: 75 / 75 / 150; Verbund 100 over B and C: 33.3 / 66.7
    assert places.loc["A", "places"] == 50 and places.loc["A", "places_allocated"] == pytest.approx(75)
    assert places.loc["B", "places_allocated"] == pytest.approx(75 + 100 / 3)
    assert places.loc["C", "places_allocated"] == pytest.approx(150 + 200 / 3)
    need = pd.DataFrame({"area_code": codes, "phase": "Kita 3–6", "need_value": [30.0, 10.0, 12.0]})
    out = need_supply(need, places.reset_index(), pop, 0.5).set_index("area_code")
    assert out.loc["A", "places_per_1000"] == pytest.approx(125.0)
    # A (high need) has the most places per 1,000 (125 vs 108.3 and 108.3): no flag
    assert (out["flag_code"] == "").all()


# --- degenerate series (any commune's registers) ----------------------------------------------


def test_constant_zero_full_and_one_year_series_do_not_crash_the_trends():
    rows = []
    for year in range(2016, 2026):
        rows += [
            ("birth_rate", year, "stadtteil", "101", 3.0, 500.0),  # constant small count
            ("birth_rate", year, "stadtteil", "102", 0.0, 500.0),  # all zero
            ("sgb2_u15", year, "stadtteil", "101", 40.0, 40.0),  # always 100 %
            ("sgb2_u15", year, "stadtteil", "102", 0.0, 40.0),  # always 0 %
            ("hze_eur_u21", year, "stadtteil", "101", 0.0, 900.0),  # no money at all
        ]
    rows.append(("birth_rate", 2025, "stadtteil", "103", 5.0, 400.0))  # one year only
    out = trend_table(_published(rows), load_catalogue(CATALOGUE), 2025).set_index(["indicator_id", "area_code"])
    # the constant count is a real series: a model, no direction; 3 births a year cannot pin a change to
    # ±50 % of the rate, so the page says so in words instead of printing the interval
    assert out.loc[("birth_rate", "101"), "verdict_code"] == "uninformative"
    assert out.loc[("birth_rate", "101"), "slope"] == pytest.approx(0.0, abs=1e-9)
    # boundary series and the one-year series get no model and no verdict of change
    for key in [("birth_rate", "102"), ("sgb2_u15", "101"), ("sgb2_u15", "102"), ("hze_eur_u21", "101")]:
        assert out.loc[key, "verdict_code"] not in ("rising", "falling"), key
        assert pd.isna(out.loc[key, "slope"]), key
    assert out.loc[("birth_rate", "103"), "verdict_code"] == "too_short"


def test_its_on_a_constant_count_series_gives_a_flat_finite_fit():
    from helpers.analysis.its import fit_poisson_its, its_design

    years = np.arange(2010, 2026)
    design = its_design(years, 2018)
    fit = fit_poisson_its(np.full(len(years), 4.0), design, exposure=np.full(len(years), 1000.0))
    post = fit.term("post")
    assert abs(post.estimate) < 1e-6 and np.isfinite(post.ci[1])


def test_an_index_from_a_secret_cell_would_give_the_cell_away():
    """Why the index never reads a secret cell (methods page): were C's secret count (30 of 100)
    an input, the printed index value (two decimals) would single it out among all counts 0..100."""
    catalogue = load_catalogue(CATALOGUE)
    ids = ["sgb2_u15", "unemployment_15_65"]
    rows = _index_rows()
    rows["denominator"] = np.where(rows["indicator_id"] == "sgb2_u15", 100.0, 100_000.0)
    rows["numerator"] = rows["value"] * rows["denominator"] / 100
    cell = (rows["area_code"] == "C") & (rows["year"] == 2025) & (rows["indicator_id"] == "sgb2_u15")

    def printed(count: int) -> str:
        trial = rows.copy()
        trial.loc[cell, ["numerator", "value"]] = [float(count), float(count)]
        out = social_index(trial, catalogue, ids, 2025, 2, (-1.0, 1.0, 1.5), min_denominator=0)
        return f"{out.set_index('area_code').loc['C', 'status_z']:.2f}"

    shown = printed(30)
    assert [k for k in range(101) if printed(k) == shown] == [30]
