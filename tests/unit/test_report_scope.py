"""The report scope (issue 26, build item 4): what a page's section builders read from it, and the
statistics the report layer no longer computes (the comparison communes' median, published by the
HzE analysis)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.analysis.run import with_comparison_level
from helpers.core.config import load_config
from helpers.report.context import open_report
from helpers.report.indicator_tables import Place
from tests.conftest import CONFIG


def test_the_comparison_median_sits_on_the_city_row_of_the_descriptive_table():
    desc = pd.DataFrame({"by": ["gesamt", "setting", "basis"], "group": ["Insgesamt", "ambulant", "27(2)"]})
    # rates per 10.000 under-21s: 500, 600, 450, 800 -> median (500 + 600) / 2 = 550; 2024 is not the year
    comp = pd.DataFrame(
        {"year": [2025] * 4 + [2024], "hze_cases": [50, 60, 90, 40, 1], "u21": [1000, 1000, 2000, 500, 10]}
    )
    out = with_comparison_level(desc, comp, 2025)
    assert out["comparison_median_per_10000"].iloc[0] == 550.0
    assert out["comparison_communes"].tolist()[0] == 4
    assert out["comparison_median_per_10000"].iloc[1:].isna().all()
    assert out["comparison_communes"].iloc[1:].isna().all()
    assert list(out.columns[:2]) == ["by", "group"]  # the published columns are added, nothing else moves
    none = with_comparison_level(desc, comp, 2023)
    assert np.isnan(none["comparison_median_per_10000"].iloc[0]) and none["comparison_communes"].tolist()[0] == 0


def test_the_scope_places_a_profile_in_its_stadtteil_and_a_city_page_in_the_city():
    config = load_config(CONFIG)
    st = config.stadtteile[0]
    profile = open_report(str(CONFIG), 2025, st.slug, kind="profil")
    assert profile.place == Place(2025, "stadtteil", st.code, st.name, config.commune.ags, "Gesamtstadt Leverkusen")
    city = open_report(str(CONFIG), 2025, kind="gesamtstadt")
    assert city.place == Place(2025, "stadt", "05316000", "Leverkusen", "05316000", "Gesamtstadt Leverkusen")
    assert city.profile_links[st.name] == f"stadtteile/{st.slug}.html"
    assert city.stadtteil_names[st.code] == st.name
