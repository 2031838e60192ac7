"""Processed population tables on a hand-worked fixture (every value checked by hand)."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import small_config_dict

from helpers.core.config import Config
from helpers.report.demography import key_figures
from helpers.sources.demography import population_summary
from helpers.sources.population import check_areas_sum_to_city, complete_cells, population_by_band
from helpers.sources.table_checks import TableCheckError


@pytest.fixture
def config(tmp_path) -> Config:
    data = small_config_dict()
    data["age_bands"] = [
        ["unter 18", 0, 17],
        ["18 bis unter 65", 18, 64],
        ["65 und älter", 65, 200],
    ]
    return Config.model_validate({**data, "config_path": tmp_path / "c.yml"})


def frame(rows):
    cols = ["year", "stadtteil_code", "age", "sex", "citizenship", "persons"]
    return pd.DataFrame(rows, columns=cols)


# Wiesdorf (101, Bezirk 1) and Opladen (201, Bezirk 2), two years.
ROWS = [
    (2024, "101", 5, "m", "deutsch", 10),
    (2024, "101", 70, "w", "nichtdeutsch", 10),
    (2024, "201", 30, "w", "deutsch", 80),
    (2025, "101", 6, "m", "deutsch", 12),
    (2025, "101", 20, "w", "nichtdeutsch", 3),
    (2025, "101", 71, "w", "nichtdeutsch", 9),
    (2025, "201", 31, "w", "deutsch", 76),
    (2025, "201", 17, "m", "nichtdeutsch", 4),
]


def test_complete_cells_fills_omitted_zero_cells(config):
    full = complete_cells(frame(ROWS), config)
    # 2 years x 2 Stadtteile x 72 ages (0..71) x 2 sexes x 2 citizenships
    assert len(full) == 2 * 2 * 72 * 2 * 2
    assert full["persons"].sum() == sum(r[-1] for r in ROWS)


def test_bands_by_hand(config):
    bands = population_by_band(complete_cells(frame(ROWS), config), config)
    check_areas_sum_to_city(bands)

    def get(year, level, code, band, col="persons"):
        sel = bands[(bands.year == year) & (bands.area_level == level) & (bands.area_code == code)]
        return int(sel.loc[sel.age_band == band, col].iloc[0])

    assert get(2025, "stadtteil", "101", "unter 18") == 12
    assert get(2025, "stadtteil", "101", "18 bis unter 65") == 3
    assert get(2025, "stadtteil", "101", "65 und älter") == 9
    assert get(2025, "stadtteil", "101", "Insgesamt") == 24
    assert get(2025, "stadtteil", "101", "Insgesamt", "persons_female") == 12
    assert get(2025, "stadtteil", "101", "Insgesamt", "persons_non_german") == 12
    assert get(2025, "stadtbezirk", "2", "unter 18") == 4
    assert get(2025, "stadt", "05316000", "Insgesamt") == 104
    assert get(2025, "stadt", "05316000", "unter 18", "persons_non_german") == 4
    assert set(bands.area_name) >= {"Wiesdorf", "Opladen", "Stadtbezirk I", "Leverkusen"}


def test_summary_and_key_figures_by_hand(config):
    summary = population_summary(complete_cells(frame(ROWS), config), config)
    row = summary[(summary.year == 2025) & (summary.area_code == "101")].iloc[0]
    assert row["persons"] == 24
    assert row["persons_u18"] == 12 and row["persons_u21"] == 15 and row["persons_65plus"] == 9
    assert row["share_u18_pct"] == pytest.approx(50.0)
    assert row["share_non_german_pct"] == pytest.approx(50.0)
    assert row["change_pct"] == pytest.approx(20.0)  # 20 -> 24
    city = summary[(summary.year == 2025) & (summary.area_level == "stadt")].iloc[0]
    assert city["persons"] == 104 and city["change_pct"] == pytest.approx(4.0)  # 100 -> 104
    assert city["share_non_german_u18_pct"] == pytest.approx(25.0)  # 4 of 16
    figures = {f.label: f for f in key_figures(summary, 2025, "stadtteil", "101", "05316000")}
    share = figures["Anteil unter 18-Jährige"]
    assert share.value == pytest.approx(50.0)
    assert share.city_value == pytest.approx(100 * 16 / 104)
    assert share.change == pytest.approx(0.0)  # 2024: 10 of 20 = 50 %
    first = key_figures(summary, 2024, "stadtteil", "101", "05316000")
    assert all(f.change is None for f in first)


def test_sum_check_catches_a_broken_table(config):
    bands = population_by_band(complete_cells(frame(ROWS), config), config)
    bands.loc[bands.area_level == "stadtteil", "persons"] += 1
    with pytest.raises(TableCheckError, match=r"Summe über stadtteil \(\d+\) ungleich dem Wert für stadt"):
        check_areas_sum_to_city(bands)
