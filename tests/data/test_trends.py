"""The one definition of change: GLS trends with a pooled persistence model, verdicts and their words.

Known answers: the GLS slope against statsmodels' GLS, the REML estimate on a large simulated
panel, the span change by hand; and the sample's planted truth (config/sample_leverkusen.yml)
recovered from the committed raw data, as the pages state it.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy.special import expit, logit

from helpers.analysis.persistence import Noise, Series, ar1_corr, estimate_noise, gls_slope, link_series
from helpers.analysis.trends import MAX_HALF_WIDTH_PP, span_change, trend_table
from helpers.core.config import load_config
from helpers.indicators.catalogue import Catalogue, load_catalogue
from helpers.indicators.leitbild import Tracking
from helpers.report.sections import leitbild_trend_text
from helpers.report.trend_sections import area_trends, trend_area_table, trend_overview, trend_phrase
from helpers.synth.noise import ar1_paths

ROOT_CONFIG = "config/leverkusen.yml"
CITY = "05316000"


def _catalogue(*ids: str) -> Catalogue:
    full = load_catalogue(load_config(ROOT_CONFIG).catalogue_path)
    return Catalogue(phases=full.phases, indicators=[full.get(i) for i in ids])


def _published(num: np.ndarray, den: np.ndarray, years: np.ndarray, indicator: str = "sgb2_u15") -> pd.DataFrame:
    """Stadtteile (rows of ``num``) and the city (their sum) as a published indicator table."""
    rows = [
        ("stadtteil", f"{i + 1:03d}", num[i, j], den[i, j], years[j])
        for i in range(num.shape[0])
        for j in range(num.shape[1])
    ] + [("stadt", CITY, num[:, j].sum(), den[:, j].sum(), years[j]) for j in range(num.shape[1])]
    frame = pd.DataFrame(rows, columns=["area_level", "area_code", "numerator", "denominator", "year"])
    return frame.assign(
        indicator_id=indicator,
        area_name=frame["area_code"],
        value=100 * frame["numerator"] / frame["denominator"],
        pooled_from=np.nan,
    )


# --- the model ------------------------------------------------------------------------------


def test_gls_slope_matches_statsmodels_gls():
    years = np.array([2010.0, 2011, 2012, 2014, 2015, 2017])  # gaps: the AR(1) runs over calendar years
    y = np.array([0.1, 0.3, 0.2, 0.6, 0.5, 0.9])
    v = np.array([0.02, 0.03, 0.02, 0.04, 0.02, 0.03])
    noise = Noise(phi=1.3, s2=0.05, rho=0.6, df=50.0)
    fit = gls_slope(Series(years, y, v), noise)
    cov = 1.3 * np.diag(v) + 0.05 * ar1_corr(years, 0.6)
    ref = sm.GLS(y, sm.add_constant(years - years.mean()), sigma=cov).fit()
    assert fit.beta == pytest.approx(ref.params[1], rel=1e-10)
    # known covariance: (XᵀV⁻¹X)⁻¹ without statsmodels' estimated residual scale
    assert fit.se == pytest.approx(np.sqrt(ref.normalized_cov_params[1, 1]), rel=1e-10)
    assert fit.level == pytest.approx(ref.params[0], rel=1e-10)


def test_pooled_reml_recovers_persistence_and_variance():
    rng = np.random.default_rng(3)
    areas, n = 150, 16
    years = np.arange(2010, 2010 + n, dtype=float)
    eta = logit(0.2) + ar1_paths(rng, areas, n, 0.6, 0.10)
    den = np.full((areas, n), 2000)
    num = rng.binomial(den, expit(eta))
    series = [link_series(years, num[i], den[i], "pct") for i in range(areas)]
    noise = estimate_noise(series)
    assert noise is not None
    assert noise.rho == pytest.approx(0.6, abs=0.1)
    assert np.sqrt(noise.s2) == pytest.approx(0.10, rel=0.2)
    assert noise.phi == pytest.approx(1.0, abs=0.25)
    assert noise.df == areas * (n - 2)


def test_span_change_by_hand_and_never_beyond_the_scale():
    # logit 0 ± 0,5 over 10 years: expit(0,5) − expit(−0,5) = 0,62246 − 0,37754
    assert span_change(0.0, 0.1, 10, "pct", 100) == pytest.approx(24.4919, abs=1e-4)
    # rates: 20 per 10.000 at the centre, ×e^{±0,25}: 20·(1,28403 − 0,77880)
    assert span_change(np.log(0.002), 0.05, 10, "per_10000", 10_000) == pytest.approx(10.1045, abs=1e-4)
    for beta in (-50.0, -5.0, 5.0, 50.0):
        assert -100 <= span_change(1.0, beta, 15, "pct", 100) <= 100


# --- verdicts -------------------------------------------------------------------------------


def test_verdict_codes_for_short_boundary_and_noisy_series():
    years = np.arange(2021, 2026)
    rng = np.random.default_rng(5)
    den = np.full((4, 5), 400)
    num = rng.binomial(den, 0.3)
    table = trend_table(_published(num.astype(float), den.astype(float), years), _catalogue("sgb2_u15"), 2025)
    assert set(table["verdict_code"]) <= {"no_trend", "rising", "falling"}
    four = _published(num[:, 1:].astype(float), den[:, 1:].astype(float), years[1:])
    assert set(trend_table(four, _catalogue("sgb2_u15"), 2025)["verdict_code"]) == {"too_short"}
    zeros = _published(np.zeros((3, 5)), den[:3].astype(float), years)
    zeros.loc[zeros["area_level"] == "stadt", "numerator"] = 1.0  # the source existed: 0 is a true 0
    out = trend_table(zeros, _catalogue("sgb2_u15"), 2025)
    assert set(out.loc[out["area_level"] == "stadtteil", "verdict_code"]) == {"not_testable"}
    # denominators of 3 that swing from 0 to 3: nothing to say, and no number is printed
    wild = _published(np.array([[0.0, 3, 0, 3, 0], [3, 0, 3, 0, 3]]), np.full((2, 5), 3.0), years)
    rows = trend_table(wild, _catalogue("sgb2_u15"), 2025)
    rows = rows[rows["area_level"] == "stadtteil"]
    assert set(rows["verdict_code"]) == {"uninformative"}
    html = trend_area_table(rows, _catalogue("sgb2_u15"), "001").data
    row = next(r for r in html.split("<tr>") if "SGB-II-Quote unter 15" in r).split("</tr>")[0]
    assert "keine belastbare Aussage" in row and "Pp." not in row


def test_family_is_one_indicator_not_the_whole_site():
    rng = np.random.default_rng(11)
    years = np.arange(2010, 2026)
    den = np.full((13, 16), 3000)
    flat = rng.binomial(den, 0.2).astype(float)
    steep = rng.binomial(den, expit(logit(0.2) + 0.1 * (years - 2017))[None, :]).astype(float)
    both = pd.concat([_published(flat, den, years, "sgb2_u15"), _published(steep, den, years, "sgb2_u3")])
    out = trend_table(both, _catalogue("sgb2_u15", "sgb2_u3"), 2025)
    levels = out.groupby("indicator_id")["ci_level"].first()
    r_flat = int(out[out["indicator_id"] == "sgb2_u15"]["verdict_code"].isin(["rising", "falling"]).sum())
    assert levels["sgb2_u15"] == pytest.approx(1 - max(r_flat, 1) * 0.05 / 14)  # its own 14 series
    assert (out[out["indicator_id"] == "sgb2_u3"]["verdict_code"] == "rising").all()


def test_non_linear_expansion_is_found_rising_everywhere():
    """The sample's U3 expansion (28 → 38 → 44 → 50 %, piecewise) with persistent noise."""
    rng = np.random.default_rng(8)
    years = np.arange(2010, 2026)
    path = np.interp(years, [2010, 2015, 2020, 2025], [0.28, 0.38, 0.44, 0.50])
    eta = logit(path)[None, :] + rng.normal(0, 0.25, 13)[:, None] + ar1_paths(rng, 13, 16, 0.7, 0.05)
    den = np.full((13, 16), 400)
    published = _published(rng.binomial(den, expit(eta)).astype(float), den, years, "u3_care")
    out = trend_table(published, _catalogue("u3_care"), 2025)
    assert len(out) == 14 and (out["verdict_code"] == "rising").all()
    city = out[out["area_level"] == "stadt"].iloc[0]
    assert city["change"] == pytest.approx(100 * (path[-1] - path[0]), abs=4)  # +22 Pp. from 2010 to 2025


@pytest.mark.parametrize(("areas", "n_years"), [(45, 5), (86, 8)])
def test_short_population_series_give_no_absurd_interval(areas, n_years):
    """Münster-like (45 areas, 5 years) and Köln-like (86 areas, 8 years) shares of under-6-year-olds formed
    from age bands: persistent area effects, no trend. Every printed interval stays narrow."""
    rng = np.random.default_rng(areas)
    years = np.arange(2026 - n_years, 2026)
    pop = np.repeat(rng.integers(500, 40_000, areas)[:, None], n_years, axis=1)
    eta = logit(rng.uniform(0.04, 0.09, areas))[:, None] + ar1_paths(rng, areas, n_years, 0.8, 0.04)
    out = trend_table(_published(rng.binomial(pop, expit(eta)).astype(float), pop, years), _catalogue("sgb2_u15"), 2025)
    half = (out["unit_ci_high"] - out["unit_ci_low"]) / 2
    assert half.max() <= 1.5  # Pp. a year; the old model printed up to ±963
    assert out["verdict_code"].isin(["rising", "falling"]).mean() <= 0.05


# --- the sample's planted truth -------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_trends() -> dict[int, pd.DataFrame]:
    """Trends of child poverty and U3 care from the committed raw data, for every report year."""
    from helpers.indicators.compute import compute_all
    from helpers.sources.process import build_source

    cfg = load_config(ROOT_CONFIG)
    tables: dict[str, pd.DataFrame] = {}
    for source in ("population", "sgb2", "kita"):
        tables.update(build_source(cfg, source))
    catalogue = _catalogue("sgb2_u15", "u3_care")
    published = compute_all(catalogue, tables, cfg).assign(pooled_from=np.nan)
    published.loc[published["numerator"].between(1, 2), ["value", "numerator"]] = np.nan  # as if suppressed
    return {y: trend_table(published, catalogue, y) for y in cfg.report_years}


PLANTED = {"304": "falling", "302": "falling", "103": "rising", "101": "rising"}  # Alkenrath, Steinbüchel, …


def test_sample_truth_in_every_report_year(sample_trends):
    for year, table in sample_trends.items():
        u15 = table[(table["indicator_id"] == "sgb2_u15") & (table["area_level"] == "stadtteil")]
        verdicts = dict(zip(u15["area_code"], u15["verdict_code"], strict=True))
        assert {c: verdicts[c] for c in PLANTED} == PLANTED, year
        flat_with_direction = [c for c, v in verdicts.items() if c not in PLANTED and v in ("rising", "falling")]
        assert len(flat_with_direction) <= 1, (year, flat_with_direction)
        city_u3 = table[(table["indicator_id"] == "u3_care") & (table["area_code"] == CITY)].iloc[0]
        assert city_u3["verdict_code"] == "rising", year
        pct = (table["unit_ci_high"] - table["unit_ci_low"]) / 2
        assert pct.max() <= MAX_HALF_WIDTH_PP, year


def test_every_page_states_the_city_u3_rise_the_same_way(sample_trends):
    table = sample_trends[2025]
    catalogue = _catalogue("sgb2_u15", "u3_care")
    row = area_trends(table, CITY)["u3_care"]
    overview = trend_overview(table, catalogue, CITY).data
    u3_row = next(r for r in overview.split("<tr>") if "Betreuungsquote unter 3" in r)
    phrase = str(trend_phrase(row, "Betreuungsquote unter 3", "pct"))
    numbers = re.findall(r"[+−]\d+,\d", phrase)
    assert "↗ steigend" in u3_row and all(n in u3_row for n in numbers)  # Sozialraumanalyse
    assert re.sub(r"<[^>]+>", "", phrase).startswith("Betreuungsquote unter 3 stieg (")  # start page, fact sheet
    tracking = Tracking(
        "Ziel", "u3_care", CITY, 45.0, 2030, 2025, 34.7, row["verdict_code"], row["change"],
        row["change_ci_low"], row["change_ci_high"], row["first_year"], row["last_year"], row["unit_change"], 40.0,
        "nicht auf Kurs",
    )  # fmt: skip
    leitbild = leitbild_trend_text(tracking, "pct")
    assert leitbild.startswith("↗ steigend: ") and all(n in leitbild for n in numbers)  # Leitbild table


def test_start_page_and_sozialraum_name_the_planted_poverty_trends(sample_trends):
    from helpers.report.trend_sections import area_trend_sentence

    for year, table in sample_trends.items():
        sentence = re.sub(r"<[^>]+>", "", str(area_trend_sentence(table, _catalogue("sgb2_u15"), "sgb2_u15")))
        rising, falling = sentence.split("steigend in ")[1].split("fallend in ")
        assert "Wiesdorf" in rising and "Rheindorf" in rising, (year, sentence)
        assert "Steinbüchel" in falling and "Alkenrath" in falling, (year, sentence)
        assert "ohne klaren Trend in " in sentence


def test_a_clear_direction_with_a_wide_interval_prints_only_its_guaranteed_minimum():
    """Small areas (12 children) whose share climbs from 15 to 85 % in five years: the rise is certain, its size is not. No printed
    interval of a change may be wider than ±10 Pp., so the page says „mindestens …“ (the bound nearer 0)."""
    rng = np.random.default_rng(1)
    years = np.arange(2021, 2026)
    den = np.full((4, 5), 12.0)
    num = rng.binomial(12, np.linspace(0.15, 0.85, 5)[None, :].repeat(4, axis=0)).astype(float)
    out = trend_table(_published(num, den, years), _catalogue("sgb2_u15"), 2025)
    rows = out[out["area_level"] == "stadtteil"]
    assert (rows["verdict_code"] == "rising").all() and not rows["precise"].any()
    html = trend_area_table(rows, _catalogue("sgb2_u15"), "001").data
    row = next(r for r in html.split("<tr>") if "SGB-II-Quote unter 15" in r).split("</tr>")[0]
    low = rows.iloc[0]["change_ci_low"]
    assert "↗ steigend" in row and "mindestens +" in row and " bis " not in row
    assert f"mindestens +{low:.1f}".replace(".", ",") in re.sub(r"<[^>]+>", "", row)
