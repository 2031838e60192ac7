"""Many synthetic communes at once, for a Land-wide run (tests and benchmarks).

``generate_communes(folder, n, seed)`` writes ``n`` fictional NRW communes of varying size and
shape under ``folder/kommunen/<ags>/``: a commune config (``config/kommune.yml``), the
generator's parameters (``config/sample.yml``) and the raw sample data (via
:func:`helpers.synth.generate_sample_data`, so every raw file is listed in ``SYNTHETIC.json``
and every page built from it carries the synthetic-data banner). The communes differ in

- the number of Stadtteile (``areas``, default 3 to 40) and residents (log-uniform),
- with or without Stadtbezirke, with or without polygons,
- the set of sources (always the register and the SGB II; unemployment, Kita and school
  transitions in rotating combinations), and the register's layout (single years or bands).

Everything is drawn from one seeded stream per commune (seed + commune number), so the same
call writes the same bytes, and commune k is the same whatever ``n`` is. All names and AGS are
invented ("0598" + running number: Regierungsbezirk 9, Kreis 8x do not exist in NRW).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from helpers.core.config import load_config
from helpers.core.io import write_text_atomic
from helpers.synth import SYNTHETIC_NOTE, generate_sample_data

#: The report notebooks of this checkout (a generated config points at them).
NOTEBOOKS = Path(__file__).resolve().parents[3] / "notebooks"

PREFIXES = (
    "Ober", "Nieder", "Alt", "Neu", "Groß", "Klein", "Mühl", "Linden", "Eichen", "Birken", "Buchen",
    "Wald", "Heide", "Berg", "Tal", "Bach", "Wiesen", "Sonnen", "Kirch", "Schloss", "Rosen", "Stein",
)  # fmt: skip
SUFFIXES = ("dorf", "feld", "hausen", "heim", "bach", "berg", "hof", "kamp", "rode", "winkel", "au", "brück")
TOWN_SUFFIXES = ("stadt", "burg", "hausen", "dorf", "heim", "feld")

#: Source combinations besides the register, in rotation (commune k gets SOURCE_SETS[k % 4]).
SOURCE_SETS = (
    ("sgb2", "unemployment", "kita"),
    ("sgb2", "kita"),
    ("sgb2", "unemployment", "kita", "transitions"),
    ("sgb2", "unemployment"),
)
REGISTER_BANDS = [[0, 2], [3, 5], [6, 9], [10, 14], [15, 17], [18, 20], [21, 24], [25, 29], [30, 44], [45, 64],
                  [65, 79], [80, 200]]  # fmt: skip
AGE_BANDS = [
    ["0 bis unter 3", 0, 2], ["3 bis unter 6", 3, 5], ["6 bis unter 10", 6, 9], ["10 bis unter 15", 10, 14],
    ["15 bis unter 18", 15, 17], ["18 bis unter 21", 18, 20], ["21 bis unter 30", 21, 29],
    ["30 bis unter 45", 30, 44], ["45 bis unter 65", 45, 64], ["65 bis unter 80", 65, 79], ["80 und älter", 80, 200],
]  # fmt: skip


@dataclass(frozen=True)
class SyntheticCommune:
    """One generated commune: its AGS, name and config file."""

    ags: str
    name: str
    config: Path


def ascii_slug(name: str) -> str:
    """A file-name slug of a German name.

    >>> ascii_slug("Groß Mühlenhöhe")
    'gross-muehlenhoehe'
    """
    table = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", " ": "-"})
    return name.lower().translate(table)


def commune_rng(seed: int, k: int) -> np.random.Generator:
    """The random stream of commune number ``k`` (independent of how many communes are made)."""
    return np.random.default_rng(np.random.SeedSequence([seed, 19, k]))


def _names(rng: np.random.Generator, n: int) -> list[str]:
    combos = [p + s for p in PREFIXES for s in SUFFIXES]
    return [combos[i] for i in sorted(rng.choice(len(combos), size=n, replace=False))]


def commune_type(residents: float) -> str:
    """A German commune type by size (NRW: large cities are kreisfrei).

    >>> commune_type(250_000), commune_type(40_000), commune_type(9_000)
    ('kreisfreie Stadt', 'kreisangehörige Stadt', 'Gemeinde')
    """
    if residents >= 100_000:
        return "kreisfreie Stadt"
    return "kreisangehörige Stadt" if residents >= 20_000 else "Gemeinde"


def town_name(seed: int, k: int) -> str:
    """The name of commune ``k``: unique among the first 132 communes of a seed."""
    combos = [p + s for p in PREFIXES for s in TOWN_SUFFIXES]
    order = np.random.default_rng(np.random.SeedSequence([seed, 19])).permutation(len(combos))
    return combos[order[k % len(combos)]] + ("" if k < len(combos) else f" {k // len(combos) + 1}")


def _draw_shape(rng: np.random.Generator, k: int, areas: tuple[int, int], residents: tuple[float, float]) -> dict:
    n_areas = int(rng.integers(areas[0], areas[1] + 1))
    total = float(np.exp(rng.uniform(math.log(residents[0]), math.log(residents[1]))))
    # at least ~250 residents per area on average, so a tiny commune does not get 40 hamlets
    n_areas = max(areas[0], min(n_areas, int(total // 250)))
    with_bezirke = n_areas >= 6 and bool(rng.random() < 0.5)
    return {
        "n_areas": n_areas,
        "total": total,
        "bezirke": int(rng.integers(2, min(6, n_areas // 2) + 1)) if with_bezirke else 0,
        "polygons": bool(rng.random() < 0.5),
        "banded_register": k % 2 == 1,
        "sources": SOURCE_SETS[k % len(SOURCE_SETS)],
    }


def _config(k: int, ags: str, shape: dict, names: list[str], years: tuple[int, int], root: Path) -> dict:
    codes = [f"{i + 1:02d}" for i in range(shape["n_areas"])]
    bezirke = [{"code": str(b + 1), "name": f"Bezirk {b + 1}"} for b in range(shape["bezirke"])]
    stadtteile = []
    for i, (code, name) in enumerate(zip(codes, names, strict=True)):
        entry = {"code": code, "slug": ascii_slug(name), "name": name}
        if bezirke:
            entry["stadtbezirk"] = str(i * len(bezirke) // len(codes) + 1)
        stadtteile.append(entry)
    town = shape["name"]
    sources: dict[str, dict] = {
        "population": {
            "label": "Bevölkerung",
            "pattern": "einwohner/Einwohner_{year}.csv",
            "holder": f"Einwohnermeldeamt {town} (Hauptwohnsitz)",
            "stand": "31.12.",
        }
    }
    if shape["banded_register"]:
        sources["population"]["age_bands"] = REGISTER_BANDS
    standard = {
        "sgb2": ("SGB-II-Statistik", "ba/SGB2_{year}12.xlsx", "Statistik der Bundesagentur für Arbeit, SGB II",
                 "Dezember"),
        "unemployment": ("Arbeitslosenstatistik", "ba/Arbeitslose_{year}12.xlsx",
                         "Statistik der Bundesagentur für Arbeit, Arbeitslose", "Dezember"),
        "kita": ("Kindertagesbetreuung", "kita/Kita_{year}.csv", f"Jugendamt {town}, Kindertagesbetreuung", "01.03."),
        "transitions": ("Schulübergänge", "schule/Uebergaenge_{year}.csv", f"Schulverwaltung {town}",
                        "Schuljahresbeginn"),
    }  # fmt: skip
    for source in shape["sources"]:
        label, pattern, holder, stand = standard[source]
        sources[source] = {"label": label, "pattern": pattern, "holder": holder, "stand": stand}
    config = {
        "commune": {
            "name": town,
            "ags": ags,
            "type": commune_type(shape["total"]),
            "land": "Nordrhein-Westfalen",
            "area_source": f"Fiktive Gemeinde Nr. {k + 1} des Land-Generators (helpers.synth.communes)",
        },
        "stadtbezirke": bezirke,
        "stadtteile": stadtteile,
        "years": {"data": {"first": years[0], "last": years[1]}, "report_count": 1},
        "age_bands": AGE_BANDS,
        "paths": {"root": "..", "notebooks": Path(os.path.relpath(NOTEBOOKS, root)).as_posix()},
        "sources": sources,
        "sample_data": {"generator_params": "sample.yml", "seed": int(ags)},
    }
    if shape["polygons"]:
        config["analysis"] = {"geometry": {"geojson": "ortsteile.geojson", "id_property": "code"}}
    return config


def _params(rng: np.random.Generator, shape: dict, codes: list[str], years: tuple[int, int]) -> dict:
    total = shape["total"]
    weights = rng.dirichlet(np.full(len(codes), 4.0))
    sizes = np.maximum(total * weights, 150)
    level = float(rng.uniform(8, 24))  # the commune's u15 SGB-II quota (%)
    quotas = np.clip(level * np.exp(rng.normal(0, 0.45, len(codes))), 2, 60)
    trending = rng.choice(codes, size=min(2, len(codes)), replace=False)
    growth = float(rng.uniform(-0.01, 0.02))
    first = years[0]
    params = {
        "population": {
            "city_total_anchors": {first: round(total), years[1]: round(total * (1 + growth))},
            "female_share": 0.508,
            "non_german_share_anchors": {first: round(float(rng.uniform(0.06, 0.22)), 3)},
            "births_anchors": {first: round(total * 0.0092)},
            "male_share_at_birth": 0.513,
            "mortality_gompertz": {"a": -10.6, "b": 0.096},
            "max_age": 100,
            "age_profile": {0: 0.85, 6: 0.9, 17: 1.0, 25: 1.1, 35: 1.1, 45: 1.5, 55: 1.6, 62: 1.4, 70: 1.1, 75: 1.0,
                            85: 0.45, 95: 0.05, 100: 0.005},
            "migration_profile": {0: 0.4, 5: 0.3, 15: 0.3, 20: 1.0, 27: 1.4, 35: 0.8, 50: 0.3, 65: 0.1, 100: 0.05},
            "stadtteile": {
                c: {"size": round(float(s)), "growth_10y": round(float(rng.uniform(-0.05, 0.1)), 3),
                    "youth": round(float(rng.uniform(0.8, 1.3)), 2),
                    "non_german": round(float(rng.uniform(0.3, 2.5)), 2)}
                for c, s in zip(codes, sizes, strict=True)
            },
        },
        "poverty": {
            "base_year": first,
            "sgb2_u15_pct": {c: round(float(q), 1) for c, q in zip(codes, quotas, strict=True)},
            "trend_logit_per_year": {str(c): round(float(rng.choice([-0.03, 0.03])), 3) for c in trending},
            "year_shock_sd_logit": 0.04,
            "age_gradient": {"u3": 1.12, "3_u6": 1.05, "6_u15": 0.96, "15_u18": 0.88, "18_u25": 0.62, "all_ages": 0.47},
            "children_per_bg_with_children": 1.85,
            "single_parent_share_of_bg_with_children": 0.42,
        },
        "unemployment": {"rate_15_65_per_u15_quota": 0.3, "youth_relative_rate": 0.7},
        "kita": {
            "quota_1_u3_pct": {first: round(float(rng.uniform(35, 50)), 1)},
            "quota_u1_pct": 2.0,
            "quota_3_u6_pct": round(float(rng.uniform(88, 95)), 1),
            "poverty_slope_1_u3": -0.35,
            "poverty_slope_3_u6": -0.1,
            "tagespflege_share_u3": 0.3,
            "tagespflege_share_3_u6": 0.02,
        },
        "school_transitions": {
            "share_model": {"Gymnasium": [0.62, -0.9], "Gesamtschule": [0.22, 0.35], "Realschule": [0.15, 0.0],
                            "Hauptschule": [0.03, 0.1], "Sekundarschule": [0.05, 0.0], "Sonstige": [0.02, 0.0]},
            "hauptschule_decline_per_year": 0.06,
            "dirichlet_concentration": 400,
        },
    }  # fmt: skip
    if shape["polygons"]:
        radius = math.sqrt(total / 1200 / math.pi) * 1000  # about 1,200 residents per km²
        params["geometry"] = {
            "center": [round(float(rng.uniform(300_000, 500_000))), round(float(rng.uniform(5_620_000, 5_780_000)))],
            "radius_m": round(radius),
            "elongation": round(float(rng.uniform(1.0, 1.4)), 2),
            "outline_vertices": 16,
            "outline_jitter": 0.12,
            "scattered_min_spacing_m": round(1.2 * radius / math.sqrt(len(codes))),
            "edge_margin_m": round(0.1 * radius / math.sqrt(len(codes))),
            "decimals": 1,
        }
    return params


def _dump(data: dict, header: str) -> str:
    body = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=120)
    return f"# {header}\n# {SYNTHETIC_NOTE}\n{body}"


def generate_communes(
    folder: Path,
    n: int,
    seed: int = 19,
    years: tuple[int, int] = (2022, 2025),
    areas: tuple[int, int] = (3, 40),
    residents: tuple[float, float] = (8_000, 300_000),
) -> list[SyntheticCommune]:
    """Write ``n`` synthetic communes under ``folder/kommunen/<ags>/`` (configs, parameters, raw data).

    ``years``: first and last data year (one report year, the last); ``areas``: the range of
    Stadtteile per commune; ``residents``: the range of commune sizes (drawn log-uniformly).
    Returns the communes in order. Existing synthetic files are overwritten with the same bytes.
    """
    folder = Path(folder).resolve()
    out = []
    for k in range(n):
        rng = commune_rng(seed, k)
        ags = f"0598{k + 1:04d}"
        shape = {**_draw_shape(rng, k, areas, residents), "name": town_name(seed, k)}
        root = folder / "kommunen" / ags
        names = _names(rng, shape["n_areas"])
        config = _config(k, ags, shape, names, years, root)
        params = _params(rng, shape, [s["code"] for s in config["stadtteile"]], years)
        config_file = root / "config" / "kommune.yml"
        write_text_atomic(config_file, _dump(config, f"Synthetische Kommune {shape['name']} (AGS {ags})"))
        write_text_atomic(root / "config" / "sample.yml", _dump(params, "Generator-Parameter (angenommen)"))
        generate_sample_data(load_config(config_file))
        out.append(SyntheticCommune(ags, shape["name"], config_file))
    return out
