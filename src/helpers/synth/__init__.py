"""Seeded generator of synthetic sample data in the real export formats.

``generate_sample_data(config)`` writes the raw files for every source and a marker file
(``SYNTHETIC.json``) that lists them with their checksums; every report built from a file
in that list carries the synthetic-data banner. Each source draws from its own random
stream (seed + source name), so changing one source's model leaves the others' bytes alone.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from helpers.core.config import YAML_LOADER, Config
from helpers.core.io import write_bytes_atomic, write_text_atomic
from helpers.core.paths import ProjectPaths
from helpers.synth import world as w
from helpers.synth.exports import ba_workbook, csv_bytes, german_date, german_decimal
from helpers.synth.population import PopulationParams, generate_population

GENERATOR_VERSION = "2"
SYNTHETIC_NOTE = "SYNTHETISCHE BEISPIELDATEN – keine echten Werte"


def load_generator_params(config: Config) -> dict:
    """Read the generator's parameter file named in the config (relative to the config)."""
    if config.sample_data is None:
        raise ValueError("the config has no sample_data section; nothing to generate")
    path = config.config_path.parent / config.sample_data.generator_params
    return yaml.load(path.read_text(encoding="utf-8"), Loader=YAML_LOADER)


def source_rng(seed: int, source: str) -> np.random.Generator:
    """An independent, reproducible random stream per source."""
    return np.random.default_rng(np.random.SeedSequence([seed, zlib.crc32(source.encode())]))


def population_export(frame: pd.DataFrame, year: int) -> bytes:
    """One year of register counts as the registry exports it (Windows-1252, CRLF)."""
    part = frame[frame["year"] == year]
    rows = [
        (
            f"31.12.{year}",
            r.stadtteil_code,
            r.stadtteil_name,
            r.age,
            r.sex,
            r.citizenship,
            r.persons,
        )
        for r in part.itertuples(index=False)
    ]
    header = [
        "Stichtag",
        "Stadtteil-Nr",
        "Stadtteil",
        "Alter",
        "Geschlecht",
        "Staatsangehörigkeit",
        "Anzahl",
    ]
    return csv_bytes(header, rows, "cp1252")


SGB2_COLUMNS = {
    "insgesamt": "Personen in BG insgesamt",
    "u3": "unter 3 Jahre",
    "3_u6": "3 bis unter 6 Jahre",
    "6_u15": "6 bis unter 15 Jahre",
    "15_u18": "15 bis unter 18 Jahre",
    "18_u25": "18 bis unter 25 Jahre",
    "bg_mit_kindern": "BG mit Kindern unter 18 Jahren",
    "bg_alleinerziehend": "BG von Alleinerziehenden",
}
ALO_COLUMNS = {
    "alo_15_u25": "Arbeitslose 15 bis unter 25 Jahre",
    "alo_15_u65": "Arbeitslose 15 bis unter 65 Jahre",
}
BA_FOOTNOTES = [
    "Sterne (*) in den Zellen bedeuten Zahlen kleiner 10 (statistische Geheimhaltung).",
    "Zuordnung zu Stadtteilen über die Wohnadresse; nicht zuordenbare Adressen unter „keine Zuordnung möglich“.",
    f"Quelle: Statistik der Bundesagentur für Arbeit – {SYNTHETIC_NOTE}",
]


def _ba_export(
    frame: pd.DataFrame,
    columns: dict[str, str],
    year: int,
    names: dict[str, str],
    rng: np.random.Generator,
    title: str,
    group: str,
    extra_notes: list[str],
) -> bytes:
    part = frame[frame["year"] == year].set_index("stadtteil_code")
    rows = [(c, names[c], [int(part.loc[c, k]) for k in columns]) for c in sorted(names)]
    # Addresses that could not be assigned: a small, proportional share of every column, so
    # the row obeys the same rules (parts never exceed their whole).
    share = rng.uniform(0.001, 0.004)
    sums = [sum(r[2][i] for r in rows) for i in range(len(columns))]
    unassigned = [round(v * share) for v in sums]
    total = [sums[i] + unassigned[i] for i in range(len(columns))]
    return ba_workbook(
        title,
        f"Auswertung für kommunale Gebietsgliederung – Stichtag Dezember {year}",
        f"Dezember {year}",
        group,
        list(columns.values()),
        rows,
        unassigned,
        total,
        [*extra_notes, *BA_FOOTNOTES],
    )


SEU_HEADER = {
    "pseudonym": "Pseudonym",
    "year": "Einschulungsjahr",
    "stadtteil_code": "Stadtteil-Nr",
    "sex": "Geschlecht",
    "kita_months": "Kita-Besuchsdauer (Monate)",
    "u8u9_documented": "U8/U9 dokumentiert",
    "measles_2_doses": "Masern 2 Impfungen",
    "bmi_class": "BMI-Klasse",
    "german": "Deutschkenntnisse",
    "Körperkoordination": "Körperkoordination",
    "Visuomotorik": "Visuomotorik",
    "selektive Aufmerksamkeit": "Selektive Aufmerksamkeit",
    "Zahlen- und Mengenvorwissen": "Zahlen- und Mengenvorwissen",
    "Sprache": "Sprache",
    "family_language": "Familiensprache",
}


def _seu_export(frame: pd.DataFrame, year: int) -> bytes:
    part = frame.loc[frame["year"] == year, list(SEU_HEADER)].copy()
    for col in ("u8u9_documented", "measles_2_doses"):
        part[col] = part[col].map({True: "ja", False: "nein"})
    return csv_bytes(list(SEU_HEADER.values()), part.itertuples(index=False), "cp1252")


def _basis_label(basis: str) -> str:
    return "§ 27 Abs. 2 SGB VIII" if basis == "27(2)" else f"§ {basis} SGB VIII"


def generate_sample_data(config: Config) -> list[Path]:
    """Generate every raw sample file for the config; return the written paths."""
    paths = ProjectPaths(config)
    _refuse_to_overwrite_real_data(paths, [f for s in config.sources for f in paths.raw_source_files(s)])
    params = load_generator_params(config)
    seed = config.sample_data.seed if config.sample_data else 0
    names = {s.code: s.name for s in config.stadtteile}
    pop_params = PopulationParams.from_dict(params["population"])
    population = generate_population(pop_params, names, config.data_years, source_rng(seed, "population"))
    world = w.make_world(params, population, names)
    q = w.poverty_u15(world, source_rng(seed, "poverty"))
    svc = w.services(world)
    written: list[Path] = []

    def emit(source: str, make: Callable[[int | None], bytes]) -> None:
        for path in paths.raw_source_files(source):
            year = _year_of(config, source, path)
            write_bytes_atomic(path, make(year))
            written.append(path)

    emit("population", lambda y: population_export(population, y))
    for name, maker in _source_makers(world, q, svc, seed, names).items():
        if name in config.sources:
            emit(name, maker)
    _write_marker(paths, written, seed)
    return written


def _year_of(config: Config, source: str, path: Path) -> int | None:
    if "{year}" not in config.sources[source].pattern:
        return None
    files = ProjectPaths(config).raw_source_files(source)
    return config.data_years[files.index(path)]


def _source_makers(world: w.World, q: pd.DataFrame, svc: pd.DataFrame, seed: int, names: dict[str, str]) -> dict:
    sgb2 = w.sgb2_counts(world, q, source_rng(seed, "sgb2"))
    alo = w.unemployed_counts(world, q, source_rng(seed, "unemployment"))
    kita = w.kita_counts(world, q, svc, source_rng(seed, "kita"))
    seu = w.seu_records(world, q, svc, source_rng(seed, "seu"))
    trans = w.transition_counts(world, q, source_rng(seed, "transitions"))
    cases = w.hze_cases(world, q, svc, source_rng(seed, "hze_cases"))
    spend = w.hze_expenditure(world, cases, source_rng(seed, "hze_expenditure"))
    visits = w.welcome_visits(world, q, svc, source_rng(seed, "welcome_visits"))
    panel = w.comparison_panel(world, source_rng(seed, "comparison"))
    ba_rng = source_rng(seed, "ba_unassigned")
    age_label = {"u1": "unter 1", "1_u3": "1 bis unter 3", "3_u6": "3 bis unter 6"}
    return {
        "sgb2": lambda y: _ba_export(
            sgb2,
            SGB2_COLUMNS,
            y,
            names,
            ba_rng,
            "Statistik der Grundsicherung für Arbeitsuchende nach dem SGB II – "
            "Bestand an Personen in Bedarfsgemeinschaften",
            "Personen in Bedarfsgemeinschaften (PERS) nach Alter / Bedarfsgemeinschaften (BG)",
            ["PERS: Personen in Bedarfsgemeinschaften einschl. Kinder ohne Leistungsanspruch."],
        ),
        "unemployment": lambda y: _ba_export(
            alo,
            ALO_COLUMNS,
            y,
            names,
            ba_rng,
            "Arbeitsmarkt in Zahlen – Arbeitslose nach Rechtskreisen (SGB II und SGB III)",
            "Arbeitslose nach Alter",
            [],
        ),
        "kita": lambda y: csv_bytes(
            [
                "Stichtag",
                "Stadtteil-Nr",
                "Stadtteil",
                "Altersgruppe",
                "Kindertageseinrichtung",
                "Kindertagespflege",
            ],
            [
                (
                    f"01.03.{y}",
                    r.stadtteil_code,
                    names[r.stadtteil_code],
                    age_label[r.age_group],
                    r.kita,
                    r.tagespflege,
                )
                for r in kita[kita["year"] == y].itertuples(index=False)
            ],
            "utf-8-sig",
        ),
        "seu": lambda y: _seu_export(seu, y),
        "transitions": lambda y: csv_bytes(
            ["Schuljahr", "Stadtteil-Nr", "Stadtteil", "Schulform", "Anzahl"],
            [
                (
                    f"{y}/{(y + 1) % 100:02d}",
                    r.stadtteil_code,
                    names[r.stadtteil_code],
                    r.school_type,
                    r.pupils,
                )
                for r in trans[trans["year"] == y].itertuples(index=False)
            ],
            "utf-8-sig",
        ),
        "hze_cases": lambda _y: csv_bytes(
            [
                "Fall-ID",
                "Stadtteil-Nr",
                "Rechtsgrundlage",
                "Hilfebeginn",
                "Hilfeende",
                "Alter bei Hilfebeginn",
                "Geschlecht",
            ],
            [
                (
                    r.case_id,
                    r.stadtteil_code,
                    _basis_label(r.basis),
                    german_date(r.start),
                    german_date(r.end),
                    r.age_at_start,
                    r.sex,
                )
                for r in cases.itertuples(index=False)
            ],
            "cp1252",
        ),
        "hze_expenditure": lambda _y: csv_bytes(
            ["Haushaltsjahr", "Produkt", "Rechtsgrundlage", "Aufwand (EUR)"],
            [
                (r.year, "06.03 Hilfen zur Erziehung", _basis_label(r.basis), german_decimal(r.eur))
                for r in spend.itertuples(index=False)
            ],
            "cp1252",
        ),
        "services": lambda _y: csv_bytes(
            [
                "Angebot",
                "Typ",
                "Lebensphasen",
                "Stadtteil-Nr",
                "Beginn",
                "Ende",
                "Jahreskosten (EUR)",
                "Kapazität",
            ],
            [
                (
                    r.name,
                    r.type,
                    " | ".join(r.phases),
                    r.stadtteil,
                    r.start,
                    "" if pd.isna(r.end) else int(r.end),
                    german_decimal(r.cost),
                    r.capacity,
                )
                for r in svc.itertuples(index=False)
            ],
            "utf-8-sig",
        ),
        "welcome_visits": lambda _y: csv_bytes(
            ["Jahr", "Stadtteil-Nr", "Stadtteil", "Geburten", "Besuchte Familien"],
            [
                (r.year, r.stadtteil_code, names[r.stadtteil_code], r.births, r.visits)
                for r in visits.itertuples(index=False)
            ],
            "utf-8-sig",
        ),
        "comparison": lambda _y: csv_bytes(
            [
                "AGS",
                "Jugendamt",
                "Jahr",
                "Einwohner unter 21",
                "HzE-Fälle",
                "HzE-Ausgaben (EUR)",
                "SGB-II-Quote u15 (%)",
                "Beitritt Präventionsprogramm",
            ],
            [
                (
                    r.ags,
                    r.name,
                    r.year,
                    r.u21,
                    r.hze_cases,
                    german_decimal(r.hze_eur),
                    german_decimal(r.sgb2_u15_pct, 1),
                    "" if r.joined is None or pd.isna(r.joined) else int(r.joined),
                )
                for r in panel.itertuples(index=False)
            ],
            "utf-8-sig",
        ),
    }


class RealDataPresentError(RuntimeError):
    """The raw folder holds a file the generator did not write (a real export)."""


def _refuse_to_overwrite_real_data(paths: ProjectPaths, targets: list[Path]) -> None:
    listed: dict[str, str] = {}
    if paths.synthetic_marker.is_file():
        listed = json.loads(paths.synthetic_marker.read_text(encoding="utf-8")).get("files", {})
    foreign = [
        t
        for t in targets
        if t.is_file() and listed.get(t.relative_to(paths.raw).as_posix()) != hashlib.sha256(t.read_bytes()).hexdigest()
    ]
    if foreign:
        names = ", ".join(t.relative_to(paths.raw).as_posix() for t in foreign[:5])
        raise RealDataPresentError(
            f"refusing to overwrite {len(foreign)} raw file(s) that the sample generator did not "
            f"write (real data?): {names}. Move them away first if you really want sample data."
        )


def _write_marker(paths: ProjectPaths, files: list[Path], seed: int) -> None:
    marker = {
        "note": "Synthetische Beispieldaten – keine echten Daten der Kommune.",
        "generator": "helpers.synth",
        "generator_version": GENERATOR_VERSION,
        "seed": seed,
        "files": {
            f.relative_to(paths.raw).as_posix(): hashlib.sha256(f.read_bytes()).hexdigest() for f in sorted(files)
        },
    }
    write_text_atomic(paths.synthetic_marker, json.dumps(marker, indent=2, sort_keys=True) + "\n")
