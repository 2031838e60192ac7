"""A hand-made set of processed tables for 3 Stadtteile (101 Wiesdorf and 102 Manfort in
Stadtbezirk I, 201 Opladen in Stadtbezirk II) and the years 2024-2025.

Population: every single age 0-99 has 10 German and 2 non-German residents of each sex,
so an age range of n years holds 24 n persons (u3 = 72, u15 = 360, u21 = 504, ...).
Every other count is written out below; expected indicator values are worked out by hand
in test_indicators.py.
"""

from __future__ import annotations

import pandas as pd
import yaml
from conftest import CONFIG

from helpers.core.config import Config
from helpers.core.schema import column_names

CODES = ["101", "102", "201"]
YEARS = [2024, 2025]


def fixture_config(tmp_path, min_denominator: int = 1) -> Config:
    data = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    data["stadtteile"] = [s for s in data["stadtteile"] if s["code"] in CODES]
    data["stadtbezirke"] = [b for b in data["stadtbezirke"] if b["code"] in {"1", "2"}]
    data["years"] = {"data": {"first": 2024, "last": 2025}, "report_count": 2}
    data["thresholds"]["min_denominator"] = min_denominator
    data["analysis"]["geometry"] = {}  # Leverkusen's 13 approximated areas do not fit these Stadtteile
    (tmp_path / "config").mkdir(exist_ok=True)
    for name in ("leitbild_leverkusen.yml",):
        (tmp_path / "config" / name).write_text((CONFIG.parent / name).read_text(encoding="utf-8"), encoding="utf-8")
    path = tmp_path / "config" / "fixture.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    from helpers.core.config import load_config

    return load_config(path)


def population() -> pd.DataFrame:
    rows = [
        (y, c, age, sex, cit, 10 if cit == "deutsch" else 2)
        for y in YEARS
        for c in CODES
        for age in range(100)
        for sex in ("m", "w")
        for cit in ("deutsch", "nichtdeutsch")
    ]
    return pd.DataFrame(rows, columns=column_names("population")[:-1])  # without age_last


SGB2 = {  # per Stadtteil: u3, 3_u6, 6_u15, 15_u18, 18_u25, total, bg_with_children, bg_single_parent
    "101": [18, 20, 34, 12, 15, 200, 40, 16],
    "102": [2, 12, 30, 10, 11, 150, 30, 9],
    "201": [20, 22, 40, 14, 16, 230, 50, 20],
}
SGB2_MEASURES = [
    "pers_bg_u3",
    "pers_bg_3_u6",
    "pers_bg_6_u15",
    "pers_bg_15_u18",
    "pers_bg_18_u25",
    "pers_bg_total",
    "bg_with_children",
    "bg_single_parent",
]
SGB2_REST = [1, 0, 2, 0, 1, 5, 1, 0]


def ba_table(values: dict[str, list[int]], measures: list[str], rest: list[int]) -> pd.DataFrame:
    rows = []
    for y in YEARS:
        for c, vals in values.items():
            rows += [(y, "stadtteil", c, m, v, False) for m, v in zip(measures, vals, strict=True)]
        rows += [(y, "ohne_zuordnung", "", m, v, False) for m, v in zip(measures, rest, strict=True)]
        totals = [sum(v[i] for v in values.values()) + rest[i] for i in range(len(measures))]
        rows += [(y, "stadt", "", m, v, False) for m, v in zip(measures, totals, strict=True)]
    frame = pd.DataFrame(rows, columns=column_names("sgb2"))
    frame["value"] = frame["value"].astype("Int64")
    return frame


def seu() -> pd.DataFrame:
    """Wiesdorf 2025: 10 children, written out; every other Stadtteil-year: 10 plain children."""
    wiesdorf = pd.DataFrame(
        {
            "kita_months": [30, 30, 30, 30, 30, 30, 30, 12, 12, None],
            "u8u9_documented": [True] * 8 + [False] * 2,
            "measles_2_doses": [True] * 8 + [False, None],
            "bmi_class": ["normal"] * 6 + ["übergewichtig"] * 2 + ["adipös", "untergewichtig"],
            "language": ["unauffällig"] * 6 + ["grenzwertig"] * 2 + ["auffällig"] * 2,
            "motor": ["unauffällig"] * 9 + ["auffällig"],
            "visuomotor": ["unauffällig"] * 7 + ["auffällig"] * 3,
            "numbers": ["unauffällig"] * 10,
            "attention": ["unauffällig"] * 10,
            "family_language": ["andere"] * 4 + ["deutsch"] * 6,
            "german": ["radebrechend", "kaum oder kein Deutsch", "mit leichten Fehlern"] + ["fehlerfrei/flüssig"] * 7,
            "sex": ["m", "w"] * 5,
        }
    ).assign(year=2025, stadtteil_code="101")
    plain = pd.DataFrame(
        {
            "kita_months": [40] * 10,
            "u8u9_documented": [True] * 10,
            "measles_2_doses": [True] * 10,
            "bmi_class": ["normal"] * 10,
            "language": ["unauffällig"] * 5 + ["auffällig"] * 5,
            "motor": ["unauffällig"] * 10,
            "visuomotor": ["unauffällig"] * 10,
            "numbers": ["unauffällig"] * 10,
            "attention": ["unauffällig"] * 10,
            "family_language": ["deutsch"] * 5 + ["andere"] * 5,
            "german": ["fehlerfrei/flüssig"] * 10,
            "sex": ["m", "w"] * 5,
        }
    )
    others = [plain.assign(year=y, stadtteil_code=c) for y in YEARS for c in CODES if (y, c) != (2025, "101")]
    out = pd.concat([wiesdorf, *others], ignore_index=True)
    out["kita_months"] = out["kita_months"].astype("Int64")
    out["u8u9_documented"] = out["u8u9_documented"].astype("boolean")
    out["measles_2_doses"] = out["measles_2_doses"].astype("boolean")
    return out


def hze_year() -> pd.DataFrame:
    counted = {
        "101": {"28": 10, "31": 8, "34": 3, "33": 2, "41": 1, "35a": 6},
        "102": {"28": 5, "31": 6, "34": 4},
        "201": {"28": 12, "31": 9, "34": 5},
    }
    days = {
        ("101", "31"): 1000,
        ("102", "31"): 500,
        ("201", "31"): 500,
        ("101", "34"): 500,
        ("102", "34"): 500,
        ("201", "34"): 1000,
    }
    rows = []
    for y in YEARS:
        for c, per_basis in counted.items():
            for b, n in per_basis.items():
                setting = "stationär" if b in ("33", "34", "41") else "ambulant"
                rows.append((y, c, b, setting, n, 0, 0, 0, days.get((c, b), 0), 0.0, 0.0))
    return pd.DataFrame(rows, columns=column_names("hze_year"))


def tables() -> dict[str, pd.DataFrame]:
    kita = pd.DataFrame(
        [(y, c, g, k, t) for y in YEARS for c in CODES for g, k, t in (("u1", 1, 2), ("1_u3", 20, 9), ("3_u6", 64, 2))],
        columns=column_names("kita"),
    )
    trans = pd.DataFrame(
        [
            (y, c, t, n)
            for y in YEARS
            for c in CODES
            for t, n in (
                ("Gymnasium", 30),
                ("Gesamtschule", 40),
                ("Realschule", 20),
                ("Hauptschule", 5),
                ("Sekundarschule", 5),
                ("Sonstige", 0),
            )
        ],
        columns=column_names("transitions"),
    )
    spend = pd.DataFrame(
        [(y, b, s, e) for y in YEARS for b, s, e in (("31", "ambulant", 20000.0), ("34", "stationär", 100000.0))],
        columns=column_names("hze_expenditure"),
    )
    visits = pd.DataFrame([(y, c, 24, 18) for y in YEARS for c in CODES], columns=column_names("welcome_visits"))
    services = pd.DataFrame(
        [
            ("Schulsozialarbeit W", "Schulsozialarbeit", "Grundschule", "101", 2020, pd.NA, 1.0, 100),
            ("Schulsozialarbeit Stadt", "Schulsozialarbeit", "Grundschule", "", 2020, pd.NA, 1.0, 50),
            (
                "Coaching W",
                "Übergangscoaching",
                "weiterführende Schule | Übergang Schule–Beruf",
                "101",
                2025,
                2025,
                1.0,
                24,
            ),
            ("Altes Angebot", "Elterncafé", "Grundschule", "201", 2010, 2015, 1.0, 999),
        ],
        columns=column_names("services"),
    ).astype({"start": "Int64", "end": "Int64"})
    return {
        "population": population(),
        "sgb2": ba_table(SGB2, SGB2_MEASURES, SGB2_REST),
        "unemployment": ba_table(
            {"101": [12, 60], "102": [5, 40], "201": [9, 55]}, ["alo_15_u25", "alo_15_u65"], [0, 1]
        ),
        "kita": kita,
        "seu": seu(),
        "transitions": trans,
        "hze_year": hze_year(),
        "hze_expenditure": spend,
        "welcome_visits": visits,
        "services": services,
    }


def indicator_setup(tmp_path, ids, change=None, **config_options):
    """Config, tables, a catalogue of ``ids`` and their computed values (``change`` edits the tables)."""
    from helpers.indicators.catalogue import Catalogue, load_catalogue
    from helpers.indicators.compute import compute_all

    config = fixture_config(tmp_path, **config_options)
    t = tables()
    if change:
        change(t)
    full = load_catalogue(config.catalogue_path)
    catalogue = Catalogue(phases=full.phases, indicators=[full.get(i) for i in ids])
    return config, t, catalogue, compute_all(catalogue, t, config)


def cell_index(frame, ind, level, code, year=2025):
    """Row label of one indicator cell in a computed frame."""
    sel = frame[
        (frame.indicator_id == ind) & (frame.year == year) & (frame.area_level == level) & (frame.area_code == code)
    ]
    return sel.index[0]


# --- any area structure: a commune without Stadtbezirke, any codes, any number of areas ---------


def flat_config(tmp_path, codes: list[str], min_denominator: int = 1, years: tuple[int, int] = (2024, 2025)) -> Config:
    """Leverkusen's config turned into a commune WITHOUT Stadtbezirke: Ortsteile ``codes``
    ("Ortsteil 1", "Ortsteil 2", ... in this order) directly under the city."""
    from helpers.core.config import load_config

    data = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    data["stadtbezirke"] = []
    data["stadtteile"] = [
        {"code": code, "slug": f"ortsteil-{i}", "name": f"Ortsteil {i}"} for i, code in enumerate(codes, 1)
    ]
    data["years"] = {"data": {"first": years[0], "last": years[1]}, "report_count": years[1] - years[0] + 1}
    data["thresholds"]["min_denominator"] = min_denominator
    data.pop("leitbild", None)  # the Leitbild targets name Leverkusen's Stadtteile
    data["analysis"]["geometry"] = {}  # and so do the approximated areas
    (tmp_path / "config").mkdir(exist_ok=True)
    path = tmp_path / "config" / "flat.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return load_config(path)


def area_tables(codes: list[str], years: list[int] = YEARS) -> dict[str, pd.DataFrame]:
    """Processed tables for any areas, every count written as a formula of the area's position
    i = 1, 2, ... (so known answers follow by hand):

    * population: as :func:`population` (an age range of n years holds 24 n persons per area);
    * SGB II persons under 3: 10 + i (other measures larger), BA remainder 1 per measure;
    * unemployment 15 to under 25: 5 + i, 15 to under 65: 40 + i;
    * Kita 3 to under 6: 50 + i children in Kita, 2 in Tagespflege (under 3: 1/2 and 20/9);
    * SEU: 10 children per area and year, language "auffällig" for i mod 4 + 3 of them;
    * HzE: § 28: 5, § 31: 3 + i, § 34: 3 cases per area.
    """
    pos = {c: i for i, c in enumerate(codes, 1)}
    base = {"pers_bg_u3": 10, "pers_bg_3_u6": 12, "pers_bg_6_u15": 30, "pers_bg_15_u18": 10, "pers_bg_18_u25": 11}
    base |= {"pers_bg_total": 150, "bg_with_children": 30, "bg_single_parent": 9}
    sgb2 = {c: [base[m] + i for m in SGB2_MEASURES] for c, i in pos.items()}
    population_rows = [
        (y, c, age, sex, cit, 10 if cit == "deutsch" else 2)
        for y in years
        for c in codes
        for age in range(100)
        for sex in ("m", "w")
        for cit in ("deutsch", "nichtdeutsch")
    ]
    kita = pd.DataFrame(
        [
            (y, c, g, k, t)
            for y in years
            for c, i in pos.items()
            for g, k, t in (("u1", 1, 2), ("1_u3", 20, 9), ("3_u6", 50 + i, 2))
        ],
        columns=column_names("kita"),
    )
    plain = seu()[lambda s: (s.year == 2024) & (s.stadtteil_code == "102")].drop(columns=["year", "stadtteil_code"])
    seu_parts = []
    for y in years:
        for c, i in pos.items():
            n = i % 4 + 3
            part = plain.assign(year=y, stadtteil_code=c, language=["auffällig"] * n + ["unauffällig"] * (10 - n))
            seu_parts.append(part)
    hze_rows = [
        (y, c, b, "stationär" if b == "34" else "ambulant", n, 0, 0, 0, 300 * n, 0.0, 0.0)
        for y in years
        for c, i in pos.items()
        for b, n in (("28", 5), ("31", 3 + i), ("34", 3))
    ]
    hze = pd.DataFrame(hze_rows, columns=hze_year().columns)
    return {
        "population": pd.DataFrame(population_rows, columns=column_names("population")[:-1]),
        "sgb2": _ba(sgb2, SGB2_MEASURES, [1] * len(SGB2_MEASURES), years),
        "unemployment": _ba({c: [5 + i, 40 + i] for c, i in pos.items()}, ["alo_15_u25", "alo_15_u65"], [1, 1], years),
        "kita": kita,
        "seu": pd.concat(seu_parts, ignore_index=True),
        "transitions": pd.DataFrame(
            [(y, c, t, 20) for y in years for c in codes for t in ("Gymnasium", "Gesamtschule", "Realschule")],
            columns=column_names("transitions"),
        ),
        "hze_year": hze,
        "hze_expenditure": pd.DataFrame(
            [(y, b, s, e) for y in years for b, s, e in (("31", "ambulant", 20000.0), ("34", "stationär", 90000.0))],
            columns=column_names("hze_expenditure"),
        ),
        "welcome_visits": pd.DataFrame(
            [(y, c, 24, 18) for y in years for c in codes], columns=column_names("welcome_visits")
        ),
        "services": tables()["services"].iloc[[1]].reset_index(drop=True),  # one city-wide service
    }


def _ba(values: dict[str, list[int]], measures: list[str], rest: list[int], years: list[int]) -> pd.DataFrame:
    """:func:`ba_table` for any years."""
    frame = ba_table(values, measures, rest)
    first = frame[frame["year"] == YEARS[0]]
    return pd.concat([first.assign(year=y) for y in years], ignore_index=True)


def area_setup(tmp_path, codes, ids, change=None, years=YEARS, **config_options):
    """:func:`indicator_setup` for a commune without Stadtbezirke with Ortsteile ``codes``."""
    from helpers.indicators.catalogue import Catalogue, load_catalogue
    from helpers.indicators.compute import compute_all

    config = flat_config(tmp_path, codes, years=(years[0], years[-1]), **config_options)
    t = area_tables(codes, years)
    if change:
        change(t)
    full = load_catalogue(config.catalogue_path)
    catalogue = Catalogue(phases=full.phases, indicators=[full.get(i) for i in ids])
    return config, t, catalogue, compute_all(catalogue, t, config)
