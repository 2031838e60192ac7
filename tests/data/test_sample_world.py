"""The committed sample is internally consistent and carries its stated calibration.

Runs every real loader on data/raw (as the pipeline does) and checks the sample against
the figures its generator parameters name (config/sample_leverkusen.yml).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import CONFIG

from helpers.core.config import load_config
from helpers.core.registry import SOURCES
from helpers.sources.process import build_source


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    config = load_config(CONFIG)
    out: dict[str, pd.DataFrame] = {}
    for key in SOURCES:
        out.update(build_source(config, key))
    return out


def pop(tables, year: int, lo: int, hi: int) -> pd.Series:
    p = tables["population"]
    sel = p[(p.year == year) & p.age.between(lo, hi)]
    return sel.groupby("stadtteil_code")["persons"].sum()


def test_school_entry_cohort_matches_births_six_years_earlier(tables):
    seu = tables["seu"].groupby("year").size()
    births = tables["welcome_visits"].groupby("year")["births"].sum()
    for year in range(2016, 2026):
        assert 0.92 < seu[year] / births[year - 6] < 1.08, year
    assert 1_350 < seu.mean() < 1_700  # about one birth cohort (~1,500) a year


def test_hze_rates_and_spending_in_stated_ranges(tables):
    """Inanspruchnahme without § 28: 200-400 per 10,000 u21 (Jugendämter median 286);
    expenditure 250-700 EUR per u21 (domain.md §4.3 consistency check: 450-600 in 2023;
    earlier years lower by the price index)."""
    hze = tables["hze_year"]
    spend = tables["hze_expenditure"].groupby("year")["eur"].sum()
    for year in range(2010, 2026):
        u21 = pop(tables, year, 0, 20).sum()
        counted = hze[(hze.year == year) & (hze.basis != "28")]["counted"].sum()
        assert 200 < 1e4 * counted / u21 < 400, year
        assert 250 < spend[year] / u21 < 700, year
    stationary = hze[(hze.basis != "28")].groupby("setting")["counted"].sum()
    assert 0.25 < stationary["stationär"] / stationary.sum() < 0.45


def test_ba_areas_add_up_to_the_total(tables):
    for name in ("sgb2", "unemployment"):
        frame = tables[name]
        for (year, measure), part in frame.groupby(["year", "measure"]):
            areas = part[part.area_level != "stadt"]
            total = part.loc[part.area_level == "stadt", "value"].iloc[0]
            if not areas["is_suppressed"].any():
                assert areas["value"].sum() == total, (name, year, measure)
            else:
                assert areas["value"].sum() < total


def test_poverty_rank_order_and_city_level(tables):
    sgb2 = tables["sgb2"]
    st = sgb2[(sgb2.year == 2016) & (sgb2.area_level == "stadtteil")].pivot(
        index="area_code", columns="measure", values="value"
    )
    u15 = st["pers_bg_u3"] + st["pers_bg_3_u6"] + st["pers_bg_6_u15"]
    quota = u15 / pop(tables, 2016, 0, 14)
    top4 = set(quota.sort_values(ascending=False).index[:4])
    assert top4 == {"304", "101", "103", "102"}  # Alkenrath, Wiesdorf, Rheindorf, Manfort
    assert quota.idxmax() == "304"
    for year in (2016, 2025):
        city = sgb2[(sgb2.year == year) & (sgb2.area_level == "stadt")].set_index("measure")["value"]
        share = (city["pers_bg_u3"] + city["pers_bg_3_u6"] + city["pers_bg_6_u15"]) / pop(tables, year, 0, 14).sum()
        assert 0.19 < share < 0.23, year


def test_numerators_never_exceed_denominators(tables):
    kita = tables["kita"]
    for year in (2011, 2025):
        k = (
            kita[kita.year == year]
            .groupby(["stadtteil_code", "age_group"])[["kita", "tagespflege"]]
            .sum()
            .sum(axis=1)
            .unstack()
        )
        assert (k["3_u6"] <= pop(tables, year - 1, 3, 5)).all()
        assert (k["1_u3"] <= pop(tables, year - 1, 1, 2)).all()
    trans = tables["transitions"].groupby(["year", "stadtteil_code"])["pupils"].sum()
    assert (trans.loc[2025] <= pop(tables, 2025, 10, 10)).all()
    visits = tables["welcome_visits"]
    assert (visits["visits"] <= visits["births"]).all()


def test_outcomes_follow_poverty(tables):
    """Stadtteile with more child poverty have more language findings and fewer Gymnasium transitions."""
    sgb2 = tables["sgb2"]
    st = sgb2[(sgb2.area_level == "stadtteil") & (sgb2.measure == "pers_bg_6_u15")].groupby("area_code")["value"].sum()
    quota = st / sum(pop(tables, y, 6, 14) for y in range(2010, 2026))
    seu = tables["seu"]
    language = seu.assign(ab=seu["language"] == "auffällig").groupby("stadtteil_code")["ab"].mean()
    trans = tables["transitions"]
    gym = (
        trans[trans.school_type == "Gymnasium"].groupby("stadtteil_code")["pupils"].sum()
        / trans.groupby("stadtteil_code")["pupils"].sum()
    )
    assert np.corrcoef(quota, language[quota.index])[0, 1] > 0.5
    assert np.corrcoef(quota, gym[quota.index])[0, 1] < -0.8


def test_prevention_services_match_the_reported_programme_areas(tables):
    svc = tables["services"]
    early = svc[svc.name.str.startswith("Frühe Hilfen Stadtteilprojekt")]
    assert (
        set(early.stadtteil_code) == {"102", "302", "103"} and set(early.start) == {2011} and set(early.end) == {2015}
    )
    kuemmerer = svc[svc.type == "Quartiersarbeit"]
    assert set(kuemmerer.stadtteil_code) == {"304", "102", "201", "103"} and set(kuemmerer.start) == {2019}
    visits = tables["welcome_visits"].groupby("year")[["visits", "births"]].sum()
    assert visits.loc[2016, "visits"] == 0 and 0.5 < visits.loc[2025, "visits"] / visits.loc[2025, "births"] < 0.85
