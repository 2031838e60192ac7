"""Seeded generator of synthetic sample data in the real export formats.

``generate_sample_data(config)`` writes the raw files for every source and a marker file
(``SYNTHETIC.json``) that lists them with their checksums; every report built from a file
in that list carries the synthetic-data banner.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import yaml

from helpers.config import Config
from helpers.io import write_bytes_atomic, write_text_atomic
from helpers.paths import ProjectPaths
from helpers.synth.population import PopulationParams, generate_population

GENERATOR_VERSION = "1"


def load_generator_params(config: Config) -> dict:
    """Read the generator's parameter file named in the config (relative to the config)."""
    if config.sample_data is None:
        raise ValueError("the config has no sample_data section; nothing to generate")
    path = config.config_path.parent / config.sample_data.generator_params
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def population_export(frame, year: int) -> bytes:
    """Format one year of register counts the way the registry exports them.

    Semicolon CSV, German headers, German date, Windows-1252, CRLF line endings.
    """
    part = frame[frame["year"] == year]
    lines = ["Stichtag;Stadtteil-Nr;Stadtteil;Alter;Geschlecht;Staatsangehörigkeit;Anzahl"]
    stichtag = f"31.12.{year}"
    for row in part.itertuples(index=False):
        lines.append(
            f"{stichtag};{row.stadtteil_code};{row.stadtteil_name};{row.age};"
            f"{row.sex};{row.citizenship};{row.persons}"
        )
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def generate_sample_data(config: Config) -> list[Path]:
    """Generate every raw sample file for the config; return the written paths."""
    paths = ProjectPaths(config)
    _refuse_to_overwrite_real_data(
        paths, [f for s in config.sources for f in paths.raw_source_files(s)]
    )
    params = load_generator_params(config)
    seed = config.sample_data.seed if config.sample_data else 0
    rng = np.random.default_rng(np.random.SeedSequence([seed, 1]))
    pop_params = PopulationParams.from_dict(params["population"])
    names = {s.code: s.name for s in config.stadtteile}
    population = generate_population(pop_params, names, config.data_years, rng)
    written: list[Path] = []
    for year, target in zip(config.data_years, paths.raw_source_files("population"), strict=True):
        write_bytes_atomic(target, population_export(population, year))
        written.append(target)
    _write_marker(paths, written, seed)
    return written


class RealDataPresentError(RuntimeError):
    """The raw folder holds a file the generator did not write (a real export)."""


def _refuse_to_overwrite_real_data(paths: ProjectPaths, targets: list[Path]) -> None:
    listed: dict[str, str] = {}
    if paths.synthetic_marker.is_file():
        listed = json.loads(paths.synthetic_marker.read_text(encoding="utf-8")).get("files", {})
    foreign = [
        t
        for t in targets
        if t.is_file()
        and listed.get(t.relative_to(paths.raw).as_posix())
        != hashlib.sha256(t.read_bytes()).hexdigest()
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
            f.relative_to(paths.raw).as_posix(): hashlib.sha256(f.read_bytes()).hexdigest()
            for f in sorted(files)
        },
    }
    write_text_atomic(paths.synthetic_marker, json.dumps(marker, indent=2, sort_keys=True) + "\n")
