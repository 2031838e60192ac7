"""Cost-effect balance: costs by year of payment, Hilfeart-specific costs, prices and discounting."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from helpers.analysis import hze as H
from helpers.analysis.run import balance_kernels
from helpers.core.config import load_config
from helpers.synth import load_generator_params
from helpers.synth import world as w

ROOT_CONFIG = "config/leverkusen.yml"


def test_duration_profile_by_hand():
    # exponential duration with mean m years, start uniform in the year: share paid in the start
    # year = 1 − m·(1 − e^(−1/m)); for m = 1: e^(−1) = 0,3679
    profile = H.duration_profile(12, 40)
    assert profile[0] == pytest.approx(math.exp(-1), abs=1e-4)
    assert profile.sum() == pytest.approx(1.0, abs=1e-6)
    m = 0.5
    assert H.duration_profile(6, 40)[0] == pytest.approx(1 - m * (1 - math.exp(-1 / m)), abs=1e-4)


def test_costs_are_booked_in_the_years_they_are_paid():
    years = [2020, 2021, 2022]
    cost_year = pd.DataFrame({"31": [1000.0, 1100.0, 1200.0]}, index=years)
    unit = H.unit_cost_matrix(pd.Series({"31": 1.0}), pd.Series({"31": 12.0}), cost_year, years)
    profile = H.duration_profile(12, 3)
    assert unit.loc[2020, 2021] == pytest.approx(1.0 * profile[1] * 1100.0)
    assert unit.loc[2021, 2020] == 0.0  # nothing is paid before the start
    spent = H.spending_kernel(pd.Series({2022: 10.0}), unit)
    # ten cases starting in the last year: only their first-year share is paid by then (not the lifetime)
    assert spent.loc[2022] == pytest.approx(10 * profile[0] * 1200.0)
    assert spent.loc[2022] < 0.5 * 10 * 1200.0


def test_extra_early_cases_are_costed_as_ambulant():
    cfg = load_config(ROOT_CONFIG)
    years = list(range(2015, 2024))
    rows = []
    for year in years:
        for basis, setting, started in (("31", "ambulant", 10), ("34", "stationär", 10)):
            rows.append(
                {
                    "year": year,
                    "stadtteil_code": "A",
                    "basis": basis,
                    "setting": setting,
                    "started": started,
                    "ended": 10,
                    "ended_months": 120.0,  # mean duration 12 months
                    "case_days": 3650,  # ten case-years
                }
            )
    yearly = pd.DataFrame(rows)
    expenditure = pd.DataFrame(
        [{"year": y, "basis": b, "eur": 10 * c} for y in years for b, c in (("31", 16000.0), ("34", 70000.0))]
    )
    kernels = balance_kernels(cfg, yearly, expenditure, {"A": 2017}, years)
    profile = H.duration_profile(12, len(years))
    # early phase 2017–2019: 20 new cases a year (both bases), all costed at the ambulant § 31 cost
    early_2017 = 20 * profile[0] * 16000.0
    assert kernels["early"].loc[2017] == pytest.approx(early_2017)
    # late phase from 2020: the mix of both Hilfearten (half each)
    late_2020 = 20 * profile[0] * (0.5 * 16000.0 + 0.5 * 70000.0)
    assert kernels["late"].loc[2020] == pytest.approx(late_2020)
    avoided = H.avoided_spending(kernels, {"early": math.log(1.05), "late": math.log(0.88)})
    assert avoided.loc[2017] == pytest.approx(early_2017 * (1 / 1.05 - 1))


def test_default_price_index_follows_the_generator():
    cfg = load_config(ROOT_CONFIG)
    h = cfg.analysis.hze
    params = load_generator_params(cfg)
    years = list(range(2010, 2026))
    ours = H.price_index(years, h.price_growth_per_year, h.price_jumps, h.price_index)
    theirs = pd.Series({y: w.price_index(params, y) for y in years})
    assert (ours / ours.loc[2025]).to_numpy() == pytest.approx((theirs / theirs.loc[2025]).to_numpy())
    nominal = pd.Series({2022: 103.0, 2023: 1.03 * 1.08 * 103.0})
    assert H.deflate(nominal, ours, 2023).to_numpy() == pytest.approx([1.03 * 1.08 * 103.0] * 2)


def test_discounting_by_hand():
    prevention = pd.Series({2017: 100.0, 2018: 100.0})
    avoided = pd.Series({2017: 0.0, 2018: 206.0})
    out = H.balance(prevention, avoided, 0.03, 2017).set_index("year")
    assert out.loc[2018, "net_eur"] == pytest.approx(106 / 1.03)
    assert out.loc[2018, "cum_net_eur"] == pytest.approx(-100 + 106 / 1.03)
    assert np.isfinite(out["cum_avoided_eur"]).all()
