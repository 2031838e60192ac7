"""Any commune: without Stadtbezirke, with any code form, with 3 to 150 areas.

The fixture (``indicator_fixture.area_tables``) writes every count as a formula of the
area's position i = 1, 2, ...; the known answers below are worked out from it by hand.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from indicator_fixture import area_setup, cell_index

from helpers.analysis.compare import empirical_bayes, funnel_table
from helpers.analysis.sozialindex import MIN_AREAS, NOT_CLASSIFIED, NOT_COMPUTED_TEXT, TOO_FEW_AREAS, social_index
from helpers.analysis.trends import trend_table
from helpers.indicators.confidentiality_check import audit_everything
from helpers.indicators.disclosure import audit, protect, published_view
from helpers.indicators.opendata import datapackage, indicator_csv
from helpers.indicators.steps import published_from_opendata

ORTSTEILE = [f"05316000-{i:03d}" for i in range(1, 9)]  # codes that are no numbers
STATUS_IDS = ["sgb2_u15", "sgb2_single_parent", "unemployment_15_65", "youth_unemployment"]
MANY_IDS = ["sgb2_u3", "sgb2_u6", "sgb2_u15", "kita_3_6", "seu_language", "hze_rate", "youth_unemployment", "u8u9"]


def plant_small_counts(t, codes):
    """Ortsteil 3: 1 child in Kita and 1 in Tagespflege (3 to under 6); Ortsteil 5: 9 of 10
    children examined in 2025 have U8/U9 documented (so 1 has not)."""
    k = t["kita"]
    k.loc[(k.stadtteil_code == codes[2]) & (k.age_group == "3_u6"), ["kita", "tagespflege"]] = 1
    s = t["seu"]
    s.loc[(s.stadtteil_code == codes[4]) & (s.year == 2025), "u8u9_documented"] = [True] * 9 + [False]


def protected_and_published(config, t, catalogue, values):
    protected = protect(values, catalogue, t, config)
    return protected, published_view(protected, config.thresholds.min_denominator, config.thresholds.min_cell_count)


def test_commune_without_stadtbezirke_known_suppression_pattern(tmp_path):
    """City = sum of the Ortsteile (Kita has no remainder), so by hand:

    * kita_3_6: Ortsteil 3 holds 2 children → primär; city − the 7 others would give the 2 back,
      so the cheapest other Ortsteil goes too: Ortsteil 1 (52 + 1 = 53 children, the smallest);
    * u8u9: Ortsteil 5 shows 9 of 10, the complement 10 − 9 = 1 → its numerator goes (sekundär);
      city − the 7 others would give it back → the cheapest other (all 10 of 10, ties by order):
      Ortsteil 1. Denominators (72, 10) are no small counts and stay published.
    """
    config, t, catalogue, values = area_setup(
        tmp_path, ORTSTEILE, ["kita_3_6", "u8u9"], lambda t: plant_small_counts(t, ORTSTEILE)
    )
    assert not config.has_stadtbezirke
    assert set(values["area_level"]) == {"stadtteil", "stadt"}
    protected, _ = protected_and_published(config, t, catalogue, values)
    year = protected[protected["year"] == 2025]
    secret = {(r.indicator_id, r.area_code): r.suppression for r in year.itertuples() if r.suppression}
    assert secret == {
        ("kita_3_6", ORTSTEILE[2]): "primär",
        ("kita_3_6", ORTSTEILE[0]): "sekundär",
        ("u8u9", ORTSTEILE[4]): "sekundär",
        ("u8u9", ORTSTEILE[0]): "sekundär",
    }
    assert not year["denominator_hidden"].any()
    city = cell_index(values, "kita_3_6", "stadt", config.commune.ags)
    assert values.at[city, "numerator"] == sum(52 + i for i in range(1, 9)) - 52 - 3 + 2  # 399
    assert audit(protected, catalogue, t, config) == []
    # without the secondary cells the differencing works: the audit names the recovered cells
    broken = protected.assign(suppression=protected["suppression"].replace("sekundär", ""))
    assert audit(broken, catalogue, t, config)


def test_commune_without_stadtbezirke_open_data_round_trip(tmp_path):
    """Compute, protect, write the open data, read it back and audit: no Stadtbezirk anywhere,
    codes kept as text, nothing recoverable (also HzE, EUR and pooled SEU values)."""
    ids = ["sgb2_u3", "sgb2_single_parent", "kita_3_6", "u8u9", "seu_language", "hze_rate", "hze_eur_u21"]
    config, t, catalogue, values = area_setup(
        tmp_path, ORTSTEILE, ids, lambda t: plant_small_counts(t, ORTSTEILE), min_denominator=50
    )
    protected, published = protected_and_published(config, t, catalogue, values)
    assert published["pooled_from"].notna().any()  # 10 children a year < 50: SEU values pooled
    assert (protected["suppression"] != "").any()
    csv = indicator_csv(published, catalogue)
    assert "stadtbezirk" not in csv
    descriptor = datapackage(catalogue, config, "")
    assert "Stadtbezirk" not in descriptor and "stadtbezirk" not in descriptor
    path = tmp_path / "indikatoren.csv"
    path.write_text(csv, encoding="utf-8")
    back = published_from_opendata(path, config)
    assert set(back["area_code"]) == {*ORTSTEILE, config.commune.ags}
    findings, _, _ = audit_everything(back, None, catalogue, t, config)
    assert findings == []


def test_150_areas(tmp_path):
    """150 Ortsteile coded "1" to "150", one year: known city aggregate, config order, audit clean.

    SGB II under 3: Ortsteil i has 10 + i, the BA remainder 1, so the city (the BA's own total)
    has 150 · 10 + 150 · 151 / 2 + 1 = 12,826 of 150 · 72 = 10,800 children under 3.
    """
    codes = [str(i) for i in range(1, 151)]
    config, t, catalogue, values = area_setup(
        tmp_path, codes, MANY_IDS, lambda t: plant_small_counts(t, codes), years=[2025]
    )
    city = values.loc[cell_index(values, "sgb2_u3", "stadt", config.commune.ags)]
    assert (city["numerator"], city["denominator"]) == (12_826, 10_800)
    assert city["value"] == pytest.approx(100 * 12_826 / 10_800)
    one = values[(values["indicator_id"] == "sgb2_u3") & (values["area_level"] == "stadtteil")]
    assert one["area_code"].tolist() == codes  # config order, not "1", "10", "100", ...
    protected, _ = protected_and_published(config, t, catalogue, values)
    assert protected.at[cell_index(values, "kita_3_6", "stadtteil", "3", 2025), "suppression"] == "primär"
    assert protected.at[cell_index(values, "kita_3_6", "stadtteil", "1", 2025), "suppression"] == "sekundär"
    assert audit(protected, catalogue, t, config) == []


def status_world(tmp_path, n: int):
    """n Ortsteile over 2021-2025, with the status indicators published."""
    codes = [f"A{i}" for i in range(1, n + 1)]

    def drift(t):  # a little change over the years (the BA's city total is taken as given)
        s = t["sgb2"]
        s["value"] = s["value"] + (s["year"] - 2021) * (s["area_level"] == "stadtteil")

    config, t, catalogue, values = area_setup(tmp_path, codes, STATUS_IDS, drift, years=[2021, 2022, 2023, 2024, 2025])
    _, published = protected_and_published(config, t, catalogue, values)
    return catalogue, published


def run_index(catalogue, published):
    return social_index(published, catalogue, STATUS_IDS, 2025, 2, (-1.0, 1.0, 1.5))


def test_three_areas_social_index_not_computed(tmp_path):
    catalogue, published = status_world(tmp_path, 3)
    out = run_index(catalogue, published)
    assert len(out) == 3 and MIN_AREAS == 4
    assert (out["status_class_code"] == NOT_CLASSIFIED).all()
    assert (out["not_classified_reason"] == TOO_FEW_AREAS).all()
    assert out["status_index"].isna().all() and out["status_class"].isna().all() and out["group"].isna().all()
    assert "weniger als 4 Stadtteile" in NOT_COMPUTED_TEXT
    # dynamics test each area's own change: still there (no crash, a class or not_classified)
    assert out["dynamics_class_code"].notna().all()
    # the other analyses run on 3 areas as well
    assert len(trend_table(published, catalogue, 2025, min_years=5)) == 4 * (3 + 1)
    units = published[
        (published["indicator_id"] == "sgb2_u15")
        & (published["year"] == 2025)
        & (published["area_level"] == "stadtteil")
    ]
    ft = funnel_table(units[["area_code", "numerator", "denominator"]], 0.2, share=True)
    assert ft["tau2"].notna().all()
    eb, gamma, _ = empirical_bayes(units["numerator"].to_numpy(), units["denominator"].to_numpy(), True)
    assert np.isfinite(eb).all() and 0 < gamma < 1


def test_four_areas_is_the_minimum(tmp_path):
    """Four areas, every status share rising with the position i: Ortsteil 1 lies about
    −1.34 SD below the mean (4 evenly spaced values: z = (i − 2.5)/√1.25), Ortsteil 4 about
    +1.34 SD; the stricter rule (``min_areas=5``) computes nothing."""
    catalogue, published = status_world(tmp_path, 4)
    out = run_index(catalogue, published).set_index("area_code")
    assert (out["not_classified_reason"] == "").all()
    assert out.loc["A1", "status_class"] == "hoch" and out.loc["A4", "status_class"] == "niedrig"
    assert out.loc["A4", "status_z"] == pytest.approx(1.5 / np.sqrt(1.25), abs=0.05)
    assert out["status_z"].is_monotonic_increasing
    strict = social_index(published, catalogue, STATUS_IDS, 2025, 2, (-1.0, 1.0, 1.5), min_areas=5)
    assert (strict["not_classified_reason"] == TOO_FEW_AREAS).all() and strict["status_z"].isna().all()
    assert strict["status_class"].map(lambda c: c is None).all()
    # one of four secret in all three pooled years: the index runs over the three others (the rule counts the areas)
    hidden = published.assign(
        symbol=np.where((published["area_code"] == "A2") & (published["year"] >= 2023), ".", published["symbol"])
    )
    out = run_index(catalogue, hidden).set_index("area_code")
    assert out.loc["A2", "not_classified_reason"] == "too_few_indicators" and pd.isna(out.loc["A2", "status_z"])
    assert out.drop(index="A2")["status_class"].notna().all()
