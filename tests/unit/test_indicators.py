"""Indicator formulas, intervals, pooling and the catalogue, on the hand-worked fixture."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import CONFIG
from indicator_fixture import fixture_config, tables

from helpers.core.config import ConfigError, load_config
from helpers.indicators.atoms import validate_against_sources
from helpers.indicators.catalogue import Catalogue, load_catalogue
from helpers.indicators.compute import compute_all, intervals

# Wiesdorf (101) in 2025, worked out by hand from indicator_fixture.py.
EXPECTED_WIESDORF_2025 = {
    "sgb2_u15": 100 * (18 + 20 + 34) / 360,
    "sgb2_single_parent": 100 * 16 / 40,
    "non_german_u18": 100 * 72 / 432,
    # ages 0-99, 24 persons each: 2,400 residents
    "u6_share": 100 * 6 * 24 / 2400,
    "u18_share": 100 * 18 * 24 / 2400,
    "seniors_share": 100 * 35 * 24 / 2400,
    "welcome_reach": 100 * 18 / 24,
    "birth_rate": 1000 * 24 / 360,
    "sgb2_u3": 100 * 18 / 72,
    "u3_care": 100 * (1 + 2 + 20 + 9) / 72,
    "sgb2_u6": 100 * 38 / 144,
    "kita_3_6": 100 * 66 / 72,
    "kita_2years": 100 * 7 / 9,
    "u8u9": 100 * 8 / 10,
    "measles": 100 * 8 / 9,
    "seu_language": 100 * 2 / 10,
    "seu_german": 100 * 2 / 4,
    "seu_motor": 100 * 1 / 10,
    "seu_visuomotor": 100 * 3 / 10,
    "seu_numbers": 0.0,
    "seu_overweight": 100 * 3 / 10,
    "sgb2_6_15": 100 * 34 / 216,
    "gym_transition": 100 * 30 / 100,
    "services_primary": 1000 * 100 / 96,
    "sgb2_15_18": 100 * 12 / 72,
    "services_secondary": 1000 * 24 / 192,
    "youth_unemployment": 100 * 12 / 240,
    "sgb2_15_25": 100 * 27 / 240,
    "unemployment_15_65": 100 * 60 / 1200,
    "hze_rate": 1e4 * 20 / 504,
    "hze_rate_incl_eb": 1e4 * 30 / 504,
    "hze_stationary_share": 100 * 6 / 20,
    "hze_stationary_rate": 1e4 * 6 / 504,
    "hze_eur_u21": (1000 * 20000 / 2000 + 500 * 100000 / 2000) / 504,
}


@pytest.fixture(scope="module")
def computed(tmp_path_factory):
    config = fixture_config(tmp_path_factory.mktemp("ind"))
    catalogue = load_catalogue(config.catalogue_path)
    return config, catalogue, compute_all(catalogue, tables(), config)


def value(frame, ind, year=2025, level="stadtteil", code="101"):
    sel = frame[
        (frame.indicator_id == ind) & (frame.year == year) & (frame.area_level == level) & (frame.area_code == code)
    ]
    assert len(sel) == 1, (ind, year, level, code)
    return sel.iloc[0]


def test_every_catalogue_indicator_has_a_hand_worked_value(computed):
    _, catalogue, _ = computed
    assert {i.id for i in catalogue.indicators} == set(EXPECTED_WIESDORF_2025)
    assert len(catalogue.indicators) >= 20
    assert set(catalogue.phases) == {i.phase for i in catalogue.indicators}  # every life phase covered


@pytest.mark.parametrize("indicator", sorted(EXPECTED_WIESDORF_2025))
def test_known_answer(computed, indicator):
    _, _, frame = computed
    assert value(frame, indicator)["value"] == pytest.approx(EXPECTED_WIESDORF_2025[indicator], rel=1e-9)


def test_aggregation_to_stadtbezirk_and_city(computed):
    config, _, frame = computed
    # Stadtbezirk I = Wiesdorf + Manfort; the city adds Opladen and the BA's unassigned rest.
    assert value(frame, "sgb2_u3", level="stadtbezirk", code="1")["numerator"] == 18 + 2
    assert value(frame, "sgb2_u3", level="stadt", code=config.commune.ags)["numerator"] == 18 + 2 + 20 + 1
    assert value(frame, "sgb2_u3", level="stadt", code=config.commune.ags)["denominator"] == 3 * 72
    # City-wide services count for the city only.
    assert value(frame, "services_primary", level="stadt", code=config.commune.ags)["numerator"] == 150
    # Expenditure: the city from the budget, not from the allocation.
    assert value(frame, "hze_eur_u21", level="stadt", code=config.commune.ags)["value"] == pytest.approx(
        120000 / (3 * 504)
    )
    # The disclosure count of money is the number of cases behind it.
    assert value(frame, "hze_eur_u21")["disclosure_count"] == 30


def test_source_suppressed_cell_stays_unknown(tmp_path):
    config = fixture_config(tmp_path)
    t = tables()
    mask = (t["sgb2"].area_code == "102") & (t["sgb2"].measure == "pers_bg_u3")
    t["sgb2"].loc[mask, "value"] = pd.NA
    t["sgb2"].loc[mask, "is_suppressed"] = True
    catalogue = load_catalogue(config.catalogue_path)
    frame = compute_all(Catalogue(phases=catalogue.phases, indicators=[catalogue.get("sgb2_u3")]), t, config)
    assert value(frame, "sgb2_u3", code="102")["source_suppressed"]
    assert np.isnan(value(frame, "sgb2_u3", level="stadtbezirk", code="1")["numerator"])
    assert value(frame, "sgb2_u3", level="stadt", code=config.commune.ags)["numerator"] == 41  # BA total


def test_pooling_where_the_denominator_is_small(tmp_path):
    config = fixture_config(tmp_path, min_denominator=15)
    catalogue = load_catalogue(config.catalogue_path)
    frame = compute_all(
        Catalogue(phases=catalogue.phases, indicators=[catalogue.get("seu_language")]), tables(), config
    )
    row = value(frame, "seu_language")
    # 2-year pool 2024-2025 for Wiesdorf: 5 + 2 of 10 + 10 children
    assert row["pooled_from"] == 2024 and row["numerator"] == 7 and row["denominator"] == 20
    assert row["value"] == pytest.approx(35.0)
    first = value(frame, "seu_language", year=2024)
    assert pd.isna(first["pooled_from"])  # no earlier year to pool with: the single year stays
    city = value(frame, "seu_language", level="stadt", code=config.commune.ags)
    assert pd.isna(city["pooled_from"]) and city["denominator"] == 30


# --- intervals against published reference values ----------------------------------------


def catalogue_indicator(ind_id):
    return load_catalogue(load_config(CONFIG).catalogue_path).get(ind_id)


@pytest.mark.parametrize(
    ("count", "n", "low", "high"),
    [  # Newcombe (1998), Stat Med 17:857-872, Table I, method 3 (Wilson score, no correction)
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0000, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_interval_matches_newcombe(count, n, low, high):
    lo, hi = intervals(catalogue_indicator("seu_language"), pd.Series([count]), pd.Series([n]))
    assert lo[0] == pytest.approx(100 * low, abs=0.01) and hi[0] == pytest.approx(100 * high, abs=0.01)


@pytest.mark.parametrize(
    ("count", "low", "high"),
    [  # exact (Garwood) Poisson limits, e.g. Ulm (1990) / standard tables
        (0, 0.0, 3.6889),
        (1, 0.0253, 5.5716),
        (10, 4.7954, 18.3904),
    ],
)
def test_exact_poisson_interval_matches_tables(count, low, high):
    lo, hi = intervals(catalogue_indicator("hze_rate"), pd.Series([count]), pd.Series([10_000]))
    assert lo[0] == pytest.approx(low, abs=1e-3) and hi[0] == pytest.approx(high, abs=1e-3)


def test_no_interval_for_money():
    lo, hi = intervals(catalogue_indicator("hze_eur_u21"), pd.Series([1000.0]), pd.Series([10]))
    assert np.isnan(lo[0]) and np.isnan(hi[0])


# --- the catalogue is validated ----------------------------------------------------------


def test_shipped_catalogue_fits_the_sources():
    config = load_config(CONFIG)
    validate_against_sources(load_catalogue(config.catalogue_path), config)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["indicators"][0]["numerator"].update(measures=["pers_bg_u4"]), "unknown measures ['pers_bg_u4']"),
        (
            lambda d: next(i for i in d["indicators"] if i["id"] == "kita_2years")["numerator"].update(
                values=["vielleicht"]
            ),
            "unknown values of kita_2y ['vielleicht']",
        ),
        (lambda d: d["indicators"][0].update(phase="Rente"), "phases that are not listed"),
        (lambda d: d["indicators"].append(dict(d["indicators"][0])), "duplicate indicator ids"),
        (lambda d: d["indicators"][0]["numerator"].update(source="steuer"), "unknown source 'steuer'"),
    ],
)
def test_bad_catalogue_is_rejected(tmp_path, change, message):
    config = load_config(CONFIG)
    data = yaml.safe_load(config.catalogue_path.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "kat.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        validate_against_sources(load_catalogue(path), config)
    assert message in str(err.value)
