"""Open-data export and Leitbild tracking."""

from __future__ import annotations

import csv
import io
import json

import pandas as pd
import pytest
from conftest import CONFIG
from indicator_fixture import fixture_config, tables

from helpers.core.config import ConfigError, load_config
from helpers.indicators.catalogue import load_catalogue
from helpers.indicators.compute import compute_all
from helpers.indicators.disclosure import protect, published_view
from helpers.indicators.leitbild import load_leitbild, track, track_all
from helpers.indicators.opendata import FIELDS, catalogue_csv, datapackage, indicator_csv


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    config = fixture_config(tmp_path_factory.mktemp("od"), min_denominator=50)
    catalogue = load_catalogue(config.catalogue_path)
    t = tables()
    values = compute_all(catalogue, t, config)
    protected = protect(values, catalogue, t, config)
    return config, catalogue, published_view(protected, 50, 3)


def test_csv_is_tidy_complete_and_marks_secrets(published):
    _, catalogue, pub = published
    text = indicator_csv(pub, catalogue)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == [name for name, _, _ in FIELDS]
    assert len(rows) == len(pub) == len(catalogue.indicators) * 2 * (3 + 2 + 1)
    secret = [r for r in rows if r["zeichen"] == "."]
    assert secret and all(r["zaehler"] == "" and r["wert"] == "" and r["ki95_unten"] == "" for r in secret)
    manfort = next(r for r in rows if (r["indikator"], r["jahr"], r["gebiet_kennziffer"]) == ("sgb2_u3", "2025", "102"))
    assert manfort["zeichen"] == "." and manfort["nenner"] == "72"
    uncertain = next(
        r for r in rows if (r["indikator"], r["jahr"], r["gebiet_kennziffer"]) == ("seu_language", "2025", "201")
    )
    assert uncertain["zeichen"] == "( )" and uncertain["wert"] == "50.000"  # 5 of 10 children, denominator < 50
    assert all(r["gebiet"] for r in rows)


def test_rebuild_is_byte_identical(published, tmp_path):
    config, catalogue, pub = published
    again = compute_all(catalogue, tables(), config)
    pub2 = published_view(protect(again, catalogue, tables(), config), 50, 3)
    assert indicator_csv(pub, catalogue) == indicator_csv(pub2, catalogue)
    assert datapackage(catalogue, config, "x") == datapackage(catalogue, config, "x")


def test_datapackage_describes_every_column_and_indicator(published):
    config, catalogue, _ = published
    package = json.loads(datapackage(catalogue, config, "Synthetische Beispieldaten"))
    assert package["profile"] == "tabular-data-package"
    resources = {r["name"]: r for r in package["resources"]}
    fields = [f["name"] for f in resources["indikatoren"]["schema"]["fields"]]
    assert fields == [name for name, _, _ in FIELDS]
    assert all(f["description"] for f in resources["indikatoren"]["schema"]["fields"])
    assert resources["indikatoren"]["schema"]["primaryKey"] == ["indikator", "jahr", "ebene", "gebiet_kennziffer"]
    assert "Synthetische Beispieldaten" in package["description"]
    cat_rows = list(csv.DictReader(io.StringIO(catalogue_csv(catalogue, config))))
    assert [r["indikator"] for r in cat_rows] == [i.id for i in catalogue.indicators]
    assert all(r["definition"] and r["quelle_zaehler"] and r["lebensphase"] for r in cat_rows)
    assert package["zeichenerklaerung"]["."] == "geheim zu halten"


def test_track_known_answers():
    """Worked by hand: 17 % now, the trend falls 1 Pp. a year -> 15 % in 2025 (target met: auf Kurs)."""
    falling = {"verdict_code": "falling", "unit_change": -1.0}
    assert track(17.0, falling, 15.0, 2025, "lower_better", 2023) == (-1.0, 15.0, "auf Kurs")
    assert track(17.0, falling, 16.0, 2030, "higher_better", 2023)[-1] == "erreicht"
    assert track(17.0, falling, 10.0, 2025, "lower_better", 2023) == (-1.0, 15.0, "nicht auf Kurs")
    assert track(None, falling, 10.0, 2025, "lower_better", 2030)[-1] == "keine Daten"
    # no clear direction: no projection from a slope the data do not support
    flat = {"verdict_code": "no_trend", "unit_change": -1.0}
    assert track(17.0, flat, 15.0, 2025, "lower_better", 2023) == (None, None, "nicht auf Kurs")
    assert track(17.0, {"verdict_code": "too_short"}, 15.0, 2025, "lower_better", 2023)[-1] == "nicht auf Kurs"


def test_tracking_uses_the_trend_every_page_shows(published):
    """The Leitbild's trend is the trend table's row of that area (one definition of change)."""
    config, catalogue, pub = published
    leitbild = load_leitbild(load_config(CONFIG).leitbild_path, catalogue)
    target = leitbild.leitziele[0].ziele[0]
    area = target.gebiet or config.commune.ags
    trends = pd.DataFrame(
        [
            {
                "report_year": 2025,
                "indicator_id": target.indikator,
                "area_code": area,
                "verdict_code": "rising",
                "change": 3.0,
                "change_ci_low": 1.0,
                "change_ci_high": 5.0,
                "first_year": 2010,
                "last_year": 2025,
                "unit_change": 0.2,
            },
            {
                "report_year": 2024,
                "indicator_id": target.indikator,
                "area_code": area,
                "verdict_code": "falling",
                "change": -3.0,
                "change_ci_low": -5.0,
                "change_ci_high": -1.0,
                "first_year": 2010,
                "last_year": 2024,
                "unit_change": -0.2,
            },
        ]
    )
    first = track_all(leitbild, pub, catalogue, 2025, config.commune.ags, trends)[0]
    assert (first.verdict_code, first.change, first.first_year, first.last_year) == ("rising", 3.0, 2010, 2025)
    assert first.per_year == 0.2


def test_example_leitbild_loads_and_tracks(published):
    config, catalogue, pub = published
    leitbild = load_leitbild(load_config(CONFIG).leitbild_path, catalogue)
    assert leitbild.beispiel and "Beispiel" in leitbild.hinweis
    result = track_all(leitbild, pub, catalogue, 2025, config.commune.ags)
    assert len(result) == sum(len(z.ziele) for z in leitbild.leitziele)
    assert {r.status for r in result} <= {"erreicht", "auf Kurs", "nicht auf Kurs", "keine Daten"}


def test_leitbild_with_unknown_indicator_is_rejected(tmp_path, published):
    _, catalogue, _ = published
    path = tmp_path / "lb.yml"
    path.write_text(
        "titel: T\nleitziele:\n  - {id: a, titel: A, ziele: [{indikator: gluecklich, zielwert: 1, zieljahr: 2030}]}\n",
        "utf-8",
    )
    with pytest.raises(ConfigError, match="gluecklich"):
        load_leitbild(path, catalogue)
