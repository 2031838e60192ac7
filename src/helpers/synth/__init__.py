"""Seeded generator of synthetic sample data in the real export formats.

``generate_sample_data(config)`` writes the raw files of every configured source, each in
the export layout the config declares for it (``sources.<name>.layout``, ``age_bands``), and
a marker file (``SYNTHETIC.json``) that lists them with their checksums; every report built
from a file in that list carries the synthetic-data banner. A commune without some sources
simply gets none of their files; generator parameters with a ``geometry`` section also give
seeded Stadtteil polygons (:mod:`helpers.synth.geometry`). Each source draws from its own
random stream (seed + source name), so changing one source's model leaves the others' bytes
alone.

``generate_next_year(config)`` extends the sample by one year (``years.data.last`` + 1) for the
annual run: it writes the new year's per-year files, re-exports the all-years files from the
extended world and leaves every earlier per-year file untouched.
"""

from __future__ import annotations

import hashlib
import json
import os
import zlib
from collections.abc import Callable, Iterable
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from helpers.core.config import YAML_LOADER, Config, DataYears, Layout
from helpers.core.io import write_bytes_atomic, write_text_atomic
from helpers.core.paths import ProjectPaths
from helpers.core.schema import EXPORTS, KITA_AGE_GROUPS, POPULATION_AGE_BAND, headers
from helpers.synth import world as w
from helpers.synth.exports import ba_workbook, csv_bytes, german_date, german_decimal
from helpers.synth.geometry import geojson_bytes, ortsteil_polygons
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


POPULATION_HEADER = headers("population")
_REGISTER = EXPORTS["population"]
#: The standard column of the register export in age bands (values "0-2", ..., open top band "80+").
AGE_BAND_HEADER = POPULATION_AGE_BAND.header
#: Standard column header -> column of the generated register frame (the breakdowns that can be absent).
_POPULATION_KEYS = {_REGISTER.header_of(name): name for name in ("sex", "citizenship")}


def age_band_labels(bands: list[tuple[int, int]]) -> list[str]:
    """Export labels of the register's age bands: "<first>-<last>", the last band open ("80+").

    >>> age_band_labels([(0, 2), (3, 5), (6, 79), (80, 120)])
    ['0-2', '3-5', '6-79', '80+']
    """
    _check_export_bands(bands)
    return [f"{lo}-{hi}" for lo, hi in bands[:-1]] + [f"{bands[-1][0]}+"]


def _check_export_bands(bands: list[tuple[int, int]]) -> None:
    expected = 0
    for lo, hi in bands:
        if lo != expected or hi < lo:
            raise ValueError(f"export age bands must be contiguous from 0, got {bands}")
        expected = hi + 1


def population_rows(
    frame: pd.DataFrame,
    year: int,
    stichtag: str,
    bands: list[tuple[int, int]] | None = None,
    absent: tuple[str, ...] = (),
) -> tuple[list[str], list[tuple]]:
    """One year of register counts as (standard header, rows).

    ``bands``: the export's age bands (None: single years of age). ``absent``: breakdowns the
    export lacks ("Geschlecht", "Staatsangehörigkeit"); their counts are summed. Rows are
    sorted by Stadtteil, age (band), sex and citizenship; cells without residents are left out.
    """
    part = frame[frame["year"] == year]
    unknown = sorted(set(absent) - set(_POPULATION_KEYS))
    if unknown:
        raise ValueError(f"the register export cannot leave out {unknown} (only {sorted(_POPULATION_KEYS)})")
    if bands is None and not absent:
        rows = [
            (stichtag, r.stadtteil_code, r.stadtteil_name, r.age, r.sex, r.citizenship, r.persons)
            for r in part.itertuples(index=False)
        ]
        return list(POPULATION_HEADER), rows
    age_header = _REGISTER.header_of("age") if bands is None else AGE_BAND_HEADER
    if bands is None:
        part = part.assign(age_key=part["age"])
        label = {a: a for a in part["age"].unique()}
    else:
        labels = age_band_labels(bands)
        starts = np.array([lo for lo, _ in bands])
        part = part.assign(age_key=np.searchsorted(starts, part["age"].to_numpy(), side="right") - 1)
        label = dict(enumerate(labels))
    keys = ["stadtteil_code", "stadtteil_name", "age_key"]
    keys += [col for head, col in _POPULATION_KEYS.items() if head not in absent]
    grouped = part.groupby(keys, sort=True, as_index=False)["persons"].sum()
    grouped = grouped[grouped["persons"] > 0]
    header = [*POPULATION_HEADER[:3], age_header]
    header += [head for head in _POPULATION_KEYS if head not in absent] + [_REGISTER.header_of("persons")]
    rows = [(stichtag, r[0], r[1], label[r[2]], *r[3:]) for r in grouped.itertuples(index=False, name=None)]
    return header, rows


def layout_csv(
    header: list[str],
    rows: Iterable[tuple],
    layout: Layout,
    encoding: str,
    title: str = "",
    left_out: Iterable[str] = (),
) -> bytes:
    """A CSV export in a commune's declared layout, from rows in the standard layout.

    ``layout`` (see :class:`helpers.core.config.Layout`) drops the ``absent`` columns, writes the
    export's values for standard values (``values`` read backwards), renames the headers
    (``columns``), puts ``header_row - 1`` lines before the header (``title``, then blank lines)
    and uses the declared delimiter and encoding (``encoding``: the source's usual one).
    ``left_out``: absent columns the rows already lack (the register sums over them).
    """
    standard = {*header, *left_out}
    for what, named in (("columns", layout.columns), ("values", layout.values), ("absent", layout.absent)):
        unknown = sorted(set(named) - standard)
        if unknown:
            raise ValueError(f"layout {what} names {unknown}, which are not standard columns {sorted(standard)}")
    keep = [i for i, head in enumerate(header) if head not in layout.absent]
    to_export = {
        header.index(col): _export_values(col, mapping) for col, mapping in layout.values.items() if col in header
    }
    out_rows = (
        tuple(to_export[i].get(str(row[i]), row[i]) if i in to_export else row[i] for i in keep) for row in rows
    )
    preamble = [title, *[""] * (layout.header_row - 2)] if layout.header_row > 1 else []
    return csv_bytes(
        [layout.columns.get(header[i], header[i]) for i in keep],
        out_rows,
        layout.encoding or encoding,
        delimiter=layout.delimiter,
        preamble=preamble,
    )


def _export_values(column: str, mapping: dict[str, str]) -> dict[str, str]:
    """{export value: standard value} read backwards; each standard value needs one export value."""
    out: dict[str, str] = {}
    for export, standard in sorted(mapping.items()):
        if standard in out:
            raise ValueError(f"layout values of {column!r}: {out[standard]!r} and {export!r} both mean {standard!r}")
        out[standard] = export
    return out


#: The generated world's column of each BA measure (``helpers.synth.world``).
_WORLD_MEASURES = {
    "pers_bg_total": "insgesamt",
    "pers_bg_u3": "u3",
    "pers_bg_3_u6": "3_u6",
    "pers_bg_6_u15": "6_u15",
    "pers_bg_15_u18": "15_u18",
    "pers_bg_18_u25": "18_u25",
    "bg_with_children": "bg_mit_kindern",
    "bg_single_parent": "bg_alleinerziehend",
}
#: World column -> standard header of the BA value columns (headers from ``helpers.core.schema``).
SGB2_COLUMNS = {_WORLD_MEASURES[c.name]: c.header for c in EXPORTS["sgb2"].columns}
ALO_COLUMNS = {c.name: c.header for c in EXPORTS["unemployment"].columns}
BA_FOOTNOTES = [
    "Sterne (*) in den Zellen bedeuten Zahlen kleiner 10 (statistische Geheimhaltung).",
    "Zuordnung zu Stadtteilen über die Wohnadresse; nicht zuordenbare Adressen unter „keine Zuordnung möglich“.",
    f"Quelle: Statistik der Bundesagentur für Arbeit – {SYNTHETIC_NOTE}",
]


#: The BA workbooks (Excel): source -> value columns, title, header of the column group, notes.
BA_SOURCES = {
    "sgb2": (
        SGB2_COLUMNS,
        "Statistik der Grundsicherung für Arbeitsuchende nach dem SGB II – "
        "Bestand an Personen in Bedarfsgemeinschaften",
        "Personen in Bedarfsgemeinschaften (PERS) nach Alter / Bedarfsgemeinschaften (BG)",
        ["PERS: Personen in Bedarfsgemeinschaften einschl. Kinder ohne Leistungsanspruch."],
    ),
    "unemployment": (
        ALO_COLUMNS,
        "Arbeitsmarkt in Zahlen – Arbeitslose nach Rechtskreisen (SGB II und SGB III)",
        "Arbeitslose nach Alter",
        [],
    ),
}


def _ba_export(
    frame: pd.DataFrame,
    columns: dict[str, str],
    year: int,
    names: dict[str, str],
    rng: np.random.Generator,
    title: str,
    group: str,
    extra_notes: list[str],
    sheet: str | None = None,
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
        sheet=sheet,
    )


def _check_ba_layout(source: str, layout: Layout) -> None:
    """The BA writer honours a sheet name and renamed value columns, nothing else."""
    if (layout.encoding, layout.delimiter, layout.header_row, layout.values, layout.absent) != (None, ";", 1, {}, []):
        raise ValueError(
            f"source {source!r}: the sample generator writes BA workbooks with their standard header block; "
            "their layout may only set 'sheet' and 'columns'"
        )
    unknown = sorted(set(layout.columns) - set(BA_SOURCES[source][0].values()))
    if unknown:
        raise ValueError(f"source {source!r}: layout columns {unknown} are not BA value columns")


#: The generated world's column of each SEU export column where its name differs from the tidy one.
_WORLD_SEU = {
    "u8u9": "u8u9_documented",
    "measles": "measles_2_doses",
    "motor": "Körperkoordination",
    "visuomotor": "Visuomotorik",
    "attention": "selektive Aufmerksamkeit",
    "numbers": "Zahlen- und Mengenvorwissen",
    "language": "Sprache",
}
#: World column -> standard header of the SEU export, in the file's order.
SEU_HEADER = {_WORLD_SEU.get(c.name, c.name): c.header for c in EXPORTS["seu"].columns}


def _seu_rows(frame: pd.DataFrame, year: int) -> tuple[list[str], list[tuple]]:
    part = frame.loc[frame["year"] == year, list(SEU_HEADER)].copy()
    for col in ("u8u9_documented", "measles_2_doses"):
        part[col] = part[col].map({True: "ja", False: "nein"})
    return list(SEU_HEADER.values()), list(part.itertuples(index=False, name=None))


def _basis_label(basis: str) -> str:
    return "§ 27 Abs. 2 SGB VIII" if basis == "27(2)" else f"§ {basis} SGB VIII"


#: Every source the generator can write, in the order it writes them (the BA workbooks share
#: one random stream for their unassigned addresses, so the order is part of the bytes).
SOURCE_ORDER = (
    "population",
    "sgb2",
    "unemployment",
    "kita",
    "seu",
    "transitions",
    "hze_cases",
    "hze_expenditure",
    "services",
    "welcome_visits",
    "comparison",
)
#: The usual encoding of each CSV source (its standard layout); a commune's layout may differ.
CSV_ENCODINGS = {
    "population": "cp1252",
    "kita": "utf-8-sig",
    "seu": "cp1252",
    "transitions": "utf-8-sig",
    "hze_cases": "cp1252",
    "hze_expenditure": "cp1252",
    "services": "utf-8-sig",
    "welcome_visits": "utf-8-sig",
    "comparison": "utf-8-sig",
}
#: The Stichtag (MM-DD) of the sources with a Stichtag column, unless the config declares one.
STICHTAGE = {"population": "12-31", "kita": "03-01"}


class _Sample:
    """The synthetic world of one config; each source's frame is drawn only when it is written."""

    def __init__(self, config: Config, params: dict, seed: int) -> None:
        self.config = config
        self.seed = seed
        self.names = {s.code: s.name for s in config.stadtteile}
        pop_params = PopulationParams.from_dict(params["population"])
        self.population = generate_population(pop_params, self.names, config.data_years, source_rng(seed, "population"))
        self.world = w.make_world(params, self.population, self.names)
        self.ba_rng = source_rng(seed, "ba_unassigned")

    def rng(self, source: str) -> np.random.Generator:
        return source_rng(self.seed, source)

    @cached_property
    def q(self) -> pd.DataFrame:
        return w.poverty_u15(self.world, self.rng("poverty"))

    @cached_property
    def svc(self) -> pd.DataFrame:
        return w.services(self.world)

    @cached_property
    def frames(self) -> _Frames:
        return _Frames(self)

    def stichtag(self, source: str, year: int) -> str:
        month_day = self.config.sources[source].stichtag or STICHTAGE[source]
        month, day = month_day.split("-")
        return f"{day}.{month}.{year}"

    def title(self, source: str, year: int | None) -> str:
        """The title line above the header of an export with ``header_row`` > 1."""
        label = self.config.sources[source].label or source
        when = ""
        if year is not None:
            when = f" – Stichtag {self.stichtag(source, year)}" if source in STICHTAGE else f" – {year}"
        return f"{label} {self.config.commune.name}{when} – {SYNTHETIC_NOTE}"

    def export(self, source: str, year: int | None) -> bytes:
        """One file of a source, in the layout the config declares for it."""
        layout = self.config.sources[source].layout
        if source in BA_SOURCES:
            _check_ba_layout(source, layout)
            columns, title, group, notes = BA_SOURCES[source]
            columns = {key: layout.columns.get(head, head) for key, head in columns.items()}
            frame = self.frames.sgb2 if source == "sgb2" else self.frames.alo
            return _ba_export(frame, columns, year, self.names, self.ba_rng, title, group, notes, layout.sheet)
        known: tuple[str, ...] = ()
        if source == "population":
            spec = self.config.sources["population"]
            absent = tuple(head for head in spec.layout.absent if head in _POPULATION_KEYS)
            header, rows = population_rows(self.population, year, self.stichtag(source, year), spec.age_bands, absent)
            known = absent
        else:
            header, rows = _CSV_ROWS[source](self, year)
        return layout_csv(header, rows, layout, CSV_ENCODINGS[source], self.title(source, year), known)


class _Frames:
    """The tidy frames behind the sources, each drawn from its own random stream on first use."""

    def __init__(self, sample: _Sample) -> None:
        self.s = sample

    @cached_property
    def sgb2(self) -> pd.DataFrame:
        return w.sgb2_counts(self.s.world, self.s.q, self.s.rng("sgb2"))

    @cached_property
    def alo(self) -> pd.DataFrame:
        return w.unemployed_counts(self.s.world, self.s.q, self.s.rng("unemployment"))

    @cached_property
    def kita(self) -> pd.DataFrame:
        return w.kita_counts(self.s.world, self.s.q, self.s.svc, self.s.rng("kita"))

    @cached_property
    def seu(self) -> pd.DataFrame:
        return w.seu_records(self.s.world, self.s.q, self.s.svc, self.s.rng("seu"))

    @cached_property
    def transitions(self) -> pd.DataFrame:
        return w.transition_counts(self.s.world, self.s.q, self.s.rng("transitions"))

    @cached_property
    def cases(self) -> pd.DataFrame:
        return w.hze_cases(self.s.world, self.s.q, self.s.svc, self.s.rng("hze_cases"))

    @cached_property
    def spend(self) -> pd.DataFrame:
        return w.hze_expenditure(self.s.world, self.cases, self.s.rng("hze_expenditure"))

    @cached_property
    def visits(self) -> pd.DataFrame:
        return w.welcome_visits(self.s.world, self.s.q, self.s.svc, self.s.rng("welcome_visits"))

    @cached_property
    def panel(self) -> pd.DataFrame:
        return w.comparison_panel(self.s.world, self.s.rng("comparison"))


KITA_AGE_LABELS = {code: label for label, code in KITA_AGE_GROUPS.items()}


def _kita_rows(s: _Sample, y: int) -> tuple[list[str], list[tuple]]:
    kita = s.frames.kita
    header = headers("kita")
    rows = [
        (
            s.stichtag("kita", y),
            r.stadtteil_code,
            s.names[r.stadtteil_code],
            KITA_AGE_LABELS[r.age_group],
            r.kita,
            r.tagespflege,
        )
        for r in kita[kita["year"] == y].itertuples(index=False)
    ]
    return header, rows


def _transition_rows(s: _Sample, y: int) -> tuple[list[str], list[tuple]]:
    trans = s.frames.transitions
    rows = [
        (f"{y}/{(y + 1) % 100:02d}", r.stadtteil_code, s.names[r.stadtteil_code], r.school_type, r.pupils)
        for r in trans[trans["year"] == y].itertuples(index=False)
    ]
    return headers("transitions"), rows


def _hze_case_rows(s: _Sample, _y: None) -> tuple[list[str], list[tuple]]:
    header = headers("hze_cases")
    rows = [
        (
            r.case_id,
            r.stadtteil_code,
            _basis_label(r.basis),
            german_date(r.start),
            german_date(r.end),
            r.age_at_start,
            r.sex,
        )
        for r in s.frames.cases.itertuples(index=False)
    ]
    return header, rows


def _hze_expenditure_rows(s: _Sample, _y: None) -> tuple[list[str], list[tuple]]:
    rows = [
        (r.year, "06.03 Hilfen zur Erziehung", _basis_label(r.basis), german_decimal(r.eur))
        for r in s.frames.spend.itertuples(index=False)
    ]
    return headers("hze_expenditure"), rows


def _service_rows(s: _Sample, _y: None) -> tuple[list[str], list[tuple]]:
    header = headers("services")
    rows = [
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
        for r in s.svc.itertuples(index=False)
    ]
    return header, rows


def _visit_rows(s: _Sample, _y: None) -> tuple[list[str], list[tuple]]:
    rows = [
        (r.year, r.stadtteil_code, s.names[r.stadtteil_code], r.births, r.visits)
        for r in s.frames.visits.itertuples(index=False)
    ]
    return headers("welcome_visits"), rows


def _comparison_rows(s: _Sample, _y: None) -> tuple[list[str], list[tuple]]:
    header = headers("comparison")
    rows = [
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
        for r in s.frames.panel.itertuples(index=False)
    ]
    return header, rows


#: The CSV sources besides the register: (standard header, rows) of one file.
_CSV_ROWS: dict[str, Callable[[_Sample, int | None], tuple[list[str], list[tuple]]]] = {
    "kita": _kita_rows,
    "seu": lambda s, y: _seu_rows(s.frames.seu, y),
    "transitions": _transition_rows,
    "hze_cases": _hze_case_rows,
    "hze_expenditure": _hze_expenditure_rows,
    "services": _service_rows,
    "welcome_visits": _visit_rows,
    "comparison": _comparison_rows,
}


def generate_sample_data(config: Config) -> list[Path]:
    """Generate the raw sample files of every configured source; return the written paths.

    Each file is written in the layout the config declares for its source (column names,
    values, absent columns, delimiter, encoding, header line, sheet, age bands). Sources the
    config does not list are not written. When the generator parameters have a ``geometry``
    section, the Stadtteil polygons are written too, to the config's ``analysis.geometry.geojson``.
    """
    paths = ProjectPaths(config)
    params = load_generator_params(config)
    seed = config.sample_data.seed if config.sample_data else 0
    sources = [s for s in SOURCE_ORDER if s in config.sources]
    geometry_file = _geometry_target(config, params)
    _refuse_to_overwrite_real_data(paths, [f for s in sources for f in paths.raw_source_files(s)], geometry_file)
    sample = _Sample(config, params, seed)
    written: list[Path] = []
    for source in sources:
        for path in paths.raw_source_files(source):
            write_bytes_atomic(path, sample.export(source, _year_of(config, source, path)))
            written.append(path)
    if geometry_file is not None:
        features = ortsteil_polygons(params["geometry"], sample.names, source_rng(seed, "geometry"))
        write_bytes_atomic(
            geometry_file,
            geojson_bytes(
                features,
                config.analysis.geometry.id_property,
                f"Ortsteile {config.commune.name} – {SYNTHETIC_NOTE}",
                sample.names,
            ),
        )
    _write_marker(paths, written, seed, geometry_file)
    return written


def generate_next_year(config: Config) -> list[Path]:
    """Extend the synthetic sample by the year after ``years.data.last``; return the written paths.

    The world is drawn for the data years plus the new one; written are the new year's file of
    every per-year source and the all-years files (HzE case list and budget, services,
    Willkommensbesuche, comparison communes), re-exported like a real export that includes the
    new year (their rows of earlier years may differ, as a new real export may). The per-year
    files of earlier years are not written, so their bytes stay as they were. The marker lists
    every file. Refuses to run when any of the sample's files is not the generator's (real data).
    The config's ``years.data.last`` is then raised by hand.
    """
    paths = ProjectPaths(config)
    params = load_generator_params(config)
    seed = config.sample_data.seed if config.sample_data else 0
    years = config.years.model_copy(
        update={"data": DataYears(first=config.years.data.first, last=config.years.data.last + 1)}
    )
    extended = config.model_copy(update={"years": years})
    new_paths = ProjectPaths(extended)
    sources = [s for s in SOURCE_ORDER if s in config.sources]
    geometry_file = _geometry_target(config, params)
    every = [f for s in sources for f in new_paths.raw_source_files(s)]
    _refuse_to_overwrite_real_data(paths, every, geometry_file)
    earlier = {f for s in sources for f in paths.raw_source_files(s) if "{year}" in config.sources[s].pattern}
    sample = _Sample(extended, params, seed)
    written: list[Path] = []
    for source in sources:
        for path in new_paths.raw_source_files(source):
            # every file is drawn, in the full generator's order: the BA workbooks share one stream
            data = sample.export(source, _year_of(extended, source, path))
            if path not in earlier:
                write_bytes_atomic(path, data)
                written.append(path)
    kept = geometry_file if geometry_file is not None and geometry_file.is_file() else None
    _write_marker(paths, every, seed, kept)
    return written


def _geometry_target(config: Config, params: dict) -> Path | None:
    if "geometry" not in params:
        return None
    if config.geometry_path is None:
        raise ValueError("the generator parameters have a geometry section, but no analysis.geometry.file is set")
    if config.geometry_path.suffix.lower() not in (".geojson", ".json"):
        raise ValueError(f"the generator writes GeoJSON polygons, not {config.geometry_path.name}")
    return config.geometry_path


def _year_of(config: Config, source: str, path: Path) -> int | None:
    if "{year}" not in config.sources[source].pattern:
        return None
    files = ProjectPaths(config).raw_source_files(source)
    return config.data_years[files.index(path)]


class RealDataPresentError(RuntimeError):
    """The raw folder holds a file the generator did not write (a real export)."""


def _refuse_to_overwrite_real_data(paths: ProjectPaths, targets: list[Path], geometry: Path | None = None) -> None:
    marker: dict = {}
    if paths.synthetic_marker.is_file():
        marker = json.loads(paths.synthetic_marker.read_text(encoding="utf-8"))
    listed = marker.get("files", {})
    foreign = [
        t
        for t in targets
        if t.is_file() and listed.get(t.relative_to(paths.raw).as_posix()) != hashlib.sha256(t.read_bytes()).hexdigest()
    ]
    if geometry is not None and geometry.is_file():
        known = marker.get("geometry", {})
        if known.get(_geometry_name(paths, geometry)) != hashlib.sha256(geometry.read_bytes()).hexdigest():
            foreign.append(geometry)
    if foreign:
        names = ", ".join(_shown(paths, t) for t in foreign[:5])
        raise RealDataPresentError(
            f"refusing to overwrite {len(foreign)} file(s) that the sample generator did not "
            f"write (real data?): {names}. Move them away first if you really want sample data."
        )


def _shown(paths: ProjectPaths, path: Path) -> str:
    return path.relative_to(paths.raw).as_posix() if path.is_relative_to(paths.raw) else _geometry_name(paths, path)


def _geometry_name(paths: ProjectPaths, path: Path) -> str:
    """The polygon file's name in the marker: relative to the project root."""
    return Path(os.path.relpath(path.resolve(), paths.root)).as_posix()


def _write_marker(paths: ProjectPaths, files: list[Path], seed: int, geometry: Path | None = None) -> None:
    marker = {
        "note": "Synthetische Beispieldaten – keine echten Daten der Kommune.",
        "generator": "helpers.synth",
        "generator_version": GENERATOR_VERSION,
        "seed": seed,
        "files": {
            f.relative_to(paths.raw).as_posix(): hashlib.sha256(f.read_bytes()).hexdigest() for f in sorted(files)
        },
    }
    if geometry is not None:  # the polygons live beside the config, outside the raw folder
        marker["geometry"] = {_geometry_name(paths, geometry): hashlib.sha256(geometry.read_bytes()).hexdigest()}
    write_text_atomic(paths.synthetic_marker, json.dumps(marker, indent=2, sort_keys=True) + "\n")
